//! Store readers: Chromium LevelDB Local Storage, SQLite copies (cookies, LSNG).
//!
//! Readers never write to the store they read. LevelDB is read file by file
//! in place ([`leveldb::read`]); SQLite is opened immutable, or through a
//! private copy when a `-wal`/`-journal` holds data. The only LevelDB writer
//! is [`leveldb::write_batch`], used by fixes under the store's own lock.

pub mod cookie_crypto;
pub mod leveldb;
pub mod sqlite;

use std::fmt;
use std::path::{Path, PathBuf};

/// A store that could not be read: which file, and why (for a scan warning).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoreError {
    pub path: PathBuf,
    pub reason: String,
}

impl StoreError {
    pub fn new(path: impl Into<PathBuf>, reason: impl Into<String>) -> StoreError {
        StoreError {
            path: path.into(),
            reason: reason.into(),
        }
    }
}

impl fmt::Display for StoreError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.path.display(), self.reason)
    }
}

impl std::error::Error for StoreError {}

/// Copy `files` (those that exist) from `src_dir` into a new temp folder,
/// keeping their names. Returns the folder.
pub(crate) fn copy_into_temp(
    src_dir: &Path,
    names: &[String],
    err_path: &Path,
) -> Result<tempfile::TempDir, StoreError> {
    let tmp = tempfile::Builder::new()
        .prefix("troubleshoot-read-")
        .tempdir()
        .map_err(|e| StoreError::new(err_path, format!("cannot create a temp folder: {e}")))?;
    for name in names {
        let from = src_dir.join(name);
        // Only regular files: copying a FIFO would block until a writer
        // comes (a `-journal` FIFO must not hang a scan).
        match std::fs::metadata(&from) {
            Ok(m) if !m.is_file() => {
                return Err(StoreError::new(&from, "cannot copy: not a regular file"));
            }
            _ => {}
        }
        match std::fs::copy(&from, tmp.path().join(name)) {
            Ok(_) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(StoreError::new(&from, format!("cannot copy: {e}"))),
        }
    }
    Ok(tmp)
}
