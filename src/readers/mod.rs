//! Store readers: Chromium LevelDB Local Storage, SQLite copies (cookies, LSNG).
//!
//! Readers never write to the store they read: they copy its files into a
//! private temporary folder and open the copy. The only writer here is
//! [`leveldb::delete_keys`], used by fixes once the owner is closed.

pub mod leveldb;
pub mod overlay_env;
pub mod sqlite;

use std::cell::Cell;
use std::fmt;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};
use std::sync::Once;

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

thread_local! {
    /// Set while [`catch_panic`] runs: its panics are expected and reported
    /// as warnings, so the panic hook stays quiet about them.
    static QUIET_PANICS: Cell<bool> = const { Cell::new(false) };
}

static QUIET_HOOK: Once = Once::new();

/// Run `f`, turning a panic inside it into an error message.
///
/// Why: `rusty-leveldb` asserts and indexes on what it reads from disk (a
/// damaged table footer panics instead of returning `Corruption`). A store
/// on a user's machine may be damaged in any way, and one bad store must
/// become a scan warning, not a crash of the whole scan. Everything `f`
/// touches (the database handle, its iterator) is created and dropped inside
/// it, so nothing half-updated outlives the panic. The default panic message
/// is suppressed for these panics only (a wrapping hook checks a
/// thread-local flag); every other panic prints as before.
pub(crate) fn catch_panic<R>(f: impl FnOnce() -> R) -> Result<R, String> {
    QUIET_HOOK.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if !QUIET_PANICS.with(Cell::get) {
                previous(info);
            }
        }));
    });
    let was = QUIET_PANICS.with(|q| q.replace(true));
    let result = catch_unwind(AssertUnwindSafe(f));
    QUIET_PANICS.with(|q| q.set(was));
    result.map_err(|payload| {
        payload
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| payload.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "unknown failure".to_string())
    })
}
