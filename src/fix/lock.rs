//! One writer at a time: an exclusive `flock` on `<state_dir>/lock`, with
//! the holder's pid and run id written inside so a second run can say who
//! holds it. The kernel drops the lock when the holder exits or is killed.
//!
//! The lock file is opened like a store file: never through a symbolic
//! link, never a FIFO or device, never one with a second hard link, and
//! never truncated (the holder's line is written over a fixed-width
//! record, and blanked on release), so a planted link cannot make this
//! tool empty or fill a file elsewhere.

use std::fs::{File, OpenOptions};
use std::path::Path;

use super::error::FixError;
use super::fsx;

/// Bytes of the holder record at the start of the lock file.
const RECORD: usize = 160;

/// Held while a fix, rollback or undo changes anything.
#[derive(Debug)]
pub struct StateLock {
    file: File,
}

fn write_record(file: &File, text: &str) {
    let mut rec = text.as_bytes().to_vec();
    rec.truncate(RECORD - 1);
    rec.resize(RECORD - 1, b' ');
    rec.push(b'\n');
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileExt;
        let _ = file.write_all_at(&rec, 0);
    }
    #[cfg(not(unix))]
    {
        use std::io::{Seek, SeekFrom, Write};
        let mut f = file;
        let _ = f.seek(SeekFrom::Start(0));
        let _ = f.write_all(&rec);
    }
    let _ = file.sync_data();
}

/// The first bytes of the lock file, where the holder writes its line.
fn read_record(file: &File) -> Vec<u8> {
    let mut buf = vec![0u8; RECORD];
    #[cfg(unix)]
    let n = {
        use std::os::unix::fs::FileExt;
        file.read_at(&mut buf, 0).unwrap_or(0)
    };
    #[cfg(not(unix))]
    let n = {
        use std::io::{Read, Seek, SeekFrom};
        let mut f = file;
        let _ = f.seek(SeekFrom::Start(0));
        f.read(&mut buf).unwrap_or(0)
    };
    buf.truncate(n);
    buf
}

impl StateLock {
    /// Take the lock or fail at once with who holds it.
    pub fn acquire(state_dir: &Path, run_id: &str) -> Result<StateLock, FixError> {
        fsx::private_dir(state_dir)?;
        let path = state_dir.join("lock");
        crate::fsx::check_state_file(&path)?;
        let mut opts = OpenOptions::new();
        opts.read(true).write(true).create(true).truncate(false);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            opts.mode(0o600)
                .custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK | libc::O_CLOEXEC);
        }
        let file = opts
            .open(&path)
            .map_err(|e| FixError::io(&path, "open", e))?;
        // The opened file's own type: no race with a swap after the check.
        crate::fsx::check_opened_state_file(&path, &file)?;
        if !try_lock(&file) {
            // The holder writes its name just after locking (and blanks it
            // just before unlocking): give it a moment to appear.
            let mut holder = String::new();
            for _ in 0..20 {
                holder.clear();
                let buf = read_record(&file);
                holder = String::from_utf8_lossy(&buf).into_owned();
                if !holder.trim().is_empty() {
                    break;
                }
                std::thread::sleep(std::time::Duration::from_millis(5));
            }
            let holder = holder.trim();
            let holder = if holder.is_empty() {
                "held by another process".to_string()
            } else {
                crate::sanitize::terminal(&holder.replace('\n', ", "), 200).into_owned()
            };
            return Err(FixError::Busy { lock: path, holder });
        }
        let text = format!(
            "pid {} run {} since {}",
            std::process::id(),
            run_id,
            crate::clock::now()
        );
        write_record(&file, &text);
        Ok(StateLock { file })
    }
}

impl Drop for StateLock {
    fn drop(&mut self) {
        write_record(&self.file, "");
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
