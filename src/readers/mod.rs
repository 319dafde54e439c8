//! Store readers: Chromium LevelDB Local Storage, SQLite (cookies, LSNG),
//! Chromium cookie decryption, and which cookie hosts are a site's.
//!
//! Readers never write to the store they read. LevelDB is read file by file
//! in place ([`leveldb::read`]). A cookie database is read in place,
//! immutable, when no `-wal`/`-journal` holds data and it does not change
//! during the read, else through a private copy; LSNG databases and cookie
//! name listings always through a private copy ([`sqlite::open_copy`]). The
//! only LevelDB writer is [`leveldb::write_batch`], used by fixes under the
//! store's own lock.

pub mod cookie_crypto;
pub mod cookie_host;
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

/// Copy the files `names` (those that exist) from `src_dir` into a new
/// private temp folder (0700, files 0600: a cookie database's `-wal` holds
/// tokens), keeping their names. The folder goes when the copy is dropped,
/// and also when a signal ends the process. Returns the folder.
pub(crate) fn copy_into_temp(
    src_dir: &Path,
    names: &[String],
    err_path: &Path,
) -> Result<crate::signals::TempCopy, StoreError> {
    let tmp = crate::signals::TempCopy::new()
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
        let to = tmp.path().join(name);
        match std::fs::copy(&from, &to) {
            Ok(_) => crate::fsx::set_mode(&to, 0o600)
                .map_err(|e| StoreError::new(&to, format!("cannot make private: {}", e.source)))?,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(StoreError::new(&from, format!("cannot copy: {e}"))),
        }
    }
    Ok(tmp)
}
