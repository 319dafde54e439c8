//! Store readers: Chromium LevelDB Local Storage, SQLite copies (cookies, LSNG).
//!
//! Readers never write to the store they read: they copy its files into a
//! private temporary folder and open the copy. The only writer here is
//! [`leveldb::delete_keys`], used by fixes once the owner is closed.

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
        match std::fs::copy(&from, tmp.path().join(name)) {
            Ok(_) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(StoreError::new(&from, format!("cannot copy: {e}"))),
        }
    }
    Ok(tmp)
}
