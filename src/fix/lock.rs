//! One writer at a time: an exclusive `flock` on `<state_dir>/lock`, with
//! the holder's pid and run id written inside so a second run can say who
//! holds it. The kernel drops the lock when the holder exits or is killed.

use std::fs::{File, OpenOptions};
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::Path;

use super::error::FixError;
use super::fsx;

/// Held while a fix, rollback or undo changes anything.
#[derive(Debug)]
pub struct StateLock {
    file: File,
}

impl StateLock {
    /// Take the lock or fail at once with who holds it.
    pub fn acquire(state_dir: &Path, run_id: &str) -> Result<StateLock, FixError> {
        fsx::private_dir(state_dir)?;
        let path = state_dir.join("lock");
        let mut opts = OpenOptions::new();
        opts.read(true).write(true).create(true).truncate(false);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            opts.mode(0o600);
        }
        let mut file = opts
            .open(&path)
            .map_err(|e| FixError::io(&path, "open", e))?;
        if !try_lock(&file) {
            // The holder writes its name just after locking (and empties the
            // file just before unlocking): give it a moment to appear.
            let mut holder = String::new();
            for _ in 0..20 {
                holder.clear();
                let _ = file.seek(SeekFrom::Start(0));
                let _ = file.read_to_string(&mut holder);
                if !holder.trim().is_empty() {
                    break;
                }
                std::thread::sleep(std::time::Duration::from_millis(5));
            }
            let holder = holder.trim();
            let holder = if holder.is_empty() {
                "held by another process".to_string()
            } else {
                holder.replace('\n', ", ")
            };
            return Err(FixError::Busy { lock: path, holder });
        }
        let text = format!(
            "pid {} run {} since {}\n",
            std::process::id(),
            run_id,
            crate::clock::now()
        );
        let _ = file.set_len(0);
        let _ = file.seek(SeekFrom::Start(0));
        let _ = file.write_all(text.as_bytes());
        let _ = file.sync_all();
        Ok(StateLock { file })
    }
}

impl Drop for StateLock {
    fn drop(&mut self) {
        let _ = self.file.set_len(0);
        unlock(&self.file);
    }
}

/// std's lock: `flock` on Unix, `LockFileEx` on Windows.
fn try_lock(file: &File) -> bool {
    file.try_lock().is_ok()
}

fn unlock(file: &File) {
    let _ = file.unlock();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn second_writer_is_told_who_holds_the_lock() {
        let dir = tempfile::tempdir().unwrap();
        let first = StateLock::acquire(dir.path(), "run-a").unwrap();
        let err = StateLock::acquire(dir.path(), "run-b").unwrap_err();
        let msg = err.to_string();
        assert!(msg.contains("run-a"), "{msg}");
        assert!(msg.contains(&std::process::id().to_string()), "{msg}");
        drop(first);
        StateLock::acquire(dir.path(), "run-b").unwrap();
    }
}
