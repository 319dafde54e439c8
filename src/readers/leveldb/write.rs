//! The one way troubleshoot writes a LevelDB: append a write batch to the
//! store's live `.log`, holding the lock Chromium's LevelDB takes.
//!
//! Appending is what LevelDB itself does between compactions, so the store
//! stays a store Chromium opens as its own: on its next start it replays the
//! batch like any other. Nothing else in the folder is touched (no new
//! manifest, table or compaction), which keeps the backup small and the
//! byte-identical undo simple. The batch's sequence number follows the
//! highest in use, so its puts and deletions win over every older version.

use std::fs::{self, File};
use std::io::Write;
use std::path::{Path, PathBuf};

use super::BatchOp;
use super::log::encode_record;
use super::store::{self, Select};
use crate::readers::StoreError;

/// An exclusive lock on a LevelDB's `LOCK` file, the lock C++ LevelDB
/// (and so Chromium and the Notion app) takes on open: while it is held,
/// the browser cannot open the store, and if the browser holds it, this
/// fails. Released when dropped.
pub struct StoreLock {
    dir: PathBuf,
    _file: File,
}

/// The folders whose lock this process holds: its own lock is not "the
/// owner is running" (the verify re-scan runs while a fix holds it).
static HELD: std::sync::Mutex<Vec<PathBuf>> = std::sync::Mutex::new(Vec::new());

/// Whether this process holds the lock of the store or profile at `dir`.
pub fn held_here(dir: &Path) -> bool {
    HELD.lock()
        .map(|h| h.iter().any(|d| d == dir))
        .unwrap_or(false)
}

impl Drop for StoreLock {
    fn drop(&mut self) {
        if let Ok(mut h) = HELD.lock()
            && let Some(i) = h.iter().position(|d| *d == self.dir)
        {
            h.remove(i);
        }
    }
}

impl std::fmt::Debug for StoreLock {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "StoreLock({})", self.dir.display())
    }
}

/// Why a lock could not be taken.
#[derive(Debug, thiserror::Error)]
pub enum LockError {
    #[error("{path}: held by another program (the browser or app is using this store)")]
    Held { path: PathBuf },
    #[error("{path}: {message}")]
    Other { path: PathBuf, message: String },
}

impl StoreLock {
    /// Take the lock on `dir/LOCK` without waiting. `LOCK` is opened without
    /// following a symlink and without truncating (C++ LevelDB creates it
    /// empty; a store without one gets an empty one, as LevelDB would make).
    pub fn acquire(dir: &Path) -> Result<StoreLock, LockError> {
        Self::acquire_named(dir, "LOCK")
    }

    /// The same lock on another program's lock file in `dir`: Firefox takes
    /// this `fcntl` lock on `<profile>/.parentlock` while it runs.
    pub fn acquire_named(dir: &Path, name: &str) -> Result<StoreLock, LockError> {
        let path = dir.join(name);
        let other = |message: String| LockError::Other {
            path: path.clone(),
            message,
        };
        match fs::symlink_metadata(dir) {
            Ok(m) if m.is_dir() => {}
            Ok(_) => return Err(other("the folder is a link or not a folder".into())),
            Err(e) => return Err(other(format!("cannot open the folder: {e}"))),
        }
        let mut o = fs::OpenOptions::new();
        o.read(true).write(true).create(true).truncate(false);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            o.custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK)
                .mode(0o644);
        }
        let file = o.open(&path).map_err(|e| {
            if fs::symlink_metadata(&path).is_ok_and(|m| m.file_type().is_symlink()) {
                other("is a symbolic link; refusing to follow it".into())
            } else {
                other(format!("cannot open: {e}"))
            }
        })?;
        if !file.metadata().is_ok_and(|m| m.is_file()) {
            return Err(other("not a regular file".into()));
        }
        match lock_exclusive(&file) {
            Ok(true) => {
                if let Ok(mut h) = HELD.lock() {
                    h.push(dir.to_path_buf());
                }
                Ok(StoreLock {
                    dir: dir.to_path_buf(),
                    _file: file,
                })
            }
            Ok(false) => Err(LockError::Held { path }),
            Err(e) => Err(other(format!("cannot lock: {e}"))),
        }
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }
}

/// A write lock over the whole file, for `fcntl` (set or test).
#[cfg(unix)]
pub(crate) fn whole_file_write_lock() -> libc::flock {
    libc::flock {
        l_type: libc::F_WRLCK as libc::c_short,
        l_whence: libc::SEEK_SET as libc::c_short,
        l_start: 0,
        l_len: 0,
        l_pid: 0,
    }
}

/// Take the `fcntl` write lock without waiting; false when someone holds it.
///
/// On Linux it is an open-file-description lock (`F_OFD_SETLK`): it
/// conflicts with the classic `fcntl` lock C++ LevelDB takes in another
/// process and, unlike a classic lock, is not dropped when this process
/// closes some other descriptor of `LOCK` (the owner checks open it too).
/// Elsewhere on Unix the classic lock, the one LevelDB takes.
#[cfg(unix)]
fn lock_exclusive(f: &File) -> std::io::Result<bool> {
    use nix::fcntl::{FcntlArg, fcntl};
    let fl = whole_file_write_lock();
    #[cfg(target_os = "linux")]
    let arg = FcntlArg::F_OFD_SETLK(&fl);
    #[cfg(not(target_os = "linux"))]
    let arg = FcntlArg::F_SETLK(&fl);
    match fcntl(f, arg) {
        Ok(_) => Ok(true),
        Err(nix::errno::Errno::EAGAIN | nix::errno::Errno::EACCES) => Ok(false),
        Err(e) => Err(e.into()),
    }
}

/// Windows: LevelDB locks `LOCK` with `LockFileEx`; std's `try_lock` is that.
#[cfg(windows)]
fn lock_exclusive(f: &File) -> std::io::Result<bool> {
    match f.try_lock() {
        Ok(()) => Ok(true),
        Err(fs::TryLockError::WouldBlock) => Ok(false),
        Err(fs::TryLockError::Error(e)) => Err(e),
    }
}

/// Append `ops` as one write batch to the live log of the store `lock`
/// holds, and flush it to disk. Refuses a store with any damage or an
/// unfinished record at the end of its log: appending after either could
/// hide the new batch from LevelDB.
pub fn write_batch(lock: &StoreLock, ops: &[BatchOp]) -> Result<(), StoreError> {
    let dir = lock.dir();
    let err = |reason: String| StoreError::new(dir, reason);
    if ops.is_empty() {
        return Ok(());
    }
    let view = store::read(dir, Select::Prefixes(&[]))?;
    if let Some(d) = view.damage.first() {
        return Err(err(format!(
            "corrupt LevelDB: {d}; not writing to a damaged store"
        )));
    }
    let Some(live) = view.live_log else {
        return Err(err("the LevelDB has no log file to write to".into()));
    };
    if live.torn_tail.is_some() || live.clean_end < live.len && !padding_only(&live) {
        return Err(err(format!(
            "{} ends in an unfinished record (the program did not close cleanly); \
             open and close it once, then try again",
            live.path.display()
        )));
    }
    let mut o = fs::OpenOptions::new();
    o.append(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        o.custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK);
    }
    let name = live.path.display().to_string();
    let mut f = o
        .open(&live.path)
        .map_err(|e| err(format!("cannot open {name} for writing: {e}")))?;
    let len = f.metadata().map_err(|e| err(format!("{name}: {e}")))?;
    if !len.is_file() || len.len() != live.len {
        return Err(err(format!("{name} changed while it was being written")));
    }
    let batch = store::encode_batch(view.last_sequence + 1, ops);
    let bytes = encode_record(live.len, &batch);
    f.write_all(&bytes)
        .and_then(|()| f.sync_all())
        .map_err(|e| err(format!("cannot write {name}: {e}")))?;
    Ok(())
}

/// The bytes after the last record are the zero tail of a block, shorter
/// than a header: what LevelDB's writer leaves before starting a new block.
fn padding_only(live: &store::LiveLog) -> bool {
    let tail = live.len - live.clean_end;
    tail < super::log::HEADER as u64 && live.len.is_multiple_of(super::log::BLOCK as u64)
}
