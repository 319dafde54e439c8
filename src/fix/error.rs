//! What can go wrong with a fix, each with the path involved and what to do.

use std::path::PathBuf;

/// A fix that could not be planned, applied, rolled back or undone.
#[derive(Debug, thiserror::Error)]
pub enum FixError {
    #[error("unknown fix action `{action}`; the registry has {known}")]
    UnknownAction { action: String, known: String },

    #[error("fix `{action}`: bad parameter `{param}`: {message}")]
    BadParams {
        action: String,
        param: String,
        message: String,
    },

    #[error("refusing to touch {}: {reason}", path.display())]
    UnsafePath { path: PathBuf, reason: String },

    #[error("{}: {message}", path.display())]
    NothingToDo { path: PathBuf, message: String },

    #[error("refusing to change anything: {reason}")]
    OwnerRunning { owner: String, reason: String },

    #[error(
        "another troubleshoot run is changing things ({holder}); wait for it to finish (lock file {})",
        lock.display()
    )]
    Busy { lock: PathBuf, holder: String },

    #[error("{}: cannot {op}: {source}", path.display())]
    Io {
        path: PathBuf,
        op: String,
        #[source]
        source: std::io::Error,
    },

    #[error("{}: {message}", path.display())]
    Store { path: PathBuf, message: String },

    #[error(
        "{}: the store changed since the plan was made ({message}); run the check again",
        path.display()
    )]
    Stale { path: PathBuf, message: String },

    #[error("backup {}: {message}", path.display())]
    Backup { path: PathBuf, message: String },

    #[error(
        "undo journal {}: {message}; nothing was deleted: the backups under {}/backups are kept and each has a manifest.json (original path, sha256) to restore by hand",
        path.display(),
        state_dir.display()
    )]
    Journal {
        path: PathBuf,
        state_dir: PathBuf,
        message: String,
    },

    #[error("the fix stopped before changing anything: {message}")]
    Unchanged { message: String },

    #[error(
        "the fix failed after it had changed the store ({message}); the store was restored from backup {backup_id} and read back byte for byte, so it is as before"
    )]
    FailedRestored { backup_id: String, message: String },

    #[error("{0}")]
    FailedNotRestored(Box<NotRestored>),

    #[error(
        "the fix was applied, but the journal could not record its result ({message}); to undo it, run: {undo}"
    )]
    NotRecorded { message: String, undo: String },

    #[error(
        "run {run_id}: {} changed since the fix ({}); undo would overwrite those changes. Use --force to restore the backup anyway",
        if paths.len() == 1 { "a file" } else { "files" },
        paths.iter().map(|p| p.display().to_string()).collect::<Vec<_>>().join(", ")
    )]
    ChangedSince { run_id: String, paths: Vec<PathBuf> },

    #[error("nothing to undo{}", match run_id { Some(r) => format!(" for run {r}"), None => String::new() })]
    NothingToUndo { run_id: Option<String> },

    #[error("run {run_id} was already undone at {at}; there is nothing left to undo")]
    AlreadyUndone { run_id: String, at: String },

    #[error(
        "run {run_id} inspected {}, not {}; undo uses the home the run recorded (drop --root)",
        recorded.display(),
        given.display()
    )]
    WrongHome {
        run_id: String,
        recorded: PathBuf,
        given: PathBuf,
    },

    #[error(
        "the journal records no fix to undo, but backups are kept in {}: each backup's manifest.json lists the original path and sha256 of every file, to restore by hand",
        dir.display()
    )]
    BackupsWithoutJournal { dir: PathBuf },

    #[error("{}: {message}", path.display())]
    Undo { path: PathBuf, message: String },
}

/// A fix that failed after changing a store, whose restore failed too:
/// what is where, and the exact command that finishes the undo.
#[derive(Debug)]
pub struct NotRestored {
    pub run_id: String,
    pub backup_id: String,
    pub backup_dir: PathBuf,
    pub store: PathBuf,
    pub message: String,
    pub restore: String,
    /// The exact command that finishes the undo.
    pub undo: String,
}

impl std::fmt::Display for NotRestored {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "the fix failed after it had changed the store ({}) and restoring it failed too ({}): {} may be partly changed. Its backup {} (every file as it was, with manifest.json) is in {}. Once the cause is fixed, run: {}",
            self.message,
            self.restore,
            self.store.display(),
            self.backup_id,
            self.backup_dir.display(),
            self.undo
        )
    }
}

impl FixError {
    pub(crate) fn io(
        path: impl Into<PathBuf>,
        op: impl Into<String>,
        source: std::io::Error,
    ) -> FixError {
        FixError::Io {
            path: path.into(),
            op: op.into(),
            source,
        }
    }

    pub(crate) fn store(path: impl Into<PathBuf>, message: impl Into<String>) -> FixError {
        FixError::Store {
            path: path.into(),
            message: message.into(),
        }
    }

    /// The owner runs: the caller may ask the user to close it and retry.
    pub fn is_owner_running(&self) -> bool {
        matches!(self, FixError::OwnerRunning { .. })
    }

    /// Whether a failed apply left every store as it was: refused or
    /// stopped before its first write (a lock held, a full disk, a
    /// read-only or forbidden folder, an unsafe path), as opposed to
    /// failing after a change (restored, or not).
    pub fn changed_nothing(&self) -> bool {
        !matches!(
            self,
            FixError::FailedRestored { .. }
                | FixError::FailedNotRestored(_)
                | FixError::NotRecorded { .. }
        )
    }
}

impl From<crate::fsx::FsError> for FixError {
    fn from(e: crate::fsx::FsError) -> FixError {
        FixError::io(e.path, e.op, e.source)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn failures_say_whether_anything_changed_and_what_is_where() {
        let busy = FixError::Busy {
            lock: "/s/lock".into(),
            holder: "pid 7 run 20261125-120000-abcd".into(),
        };
        assert!(busy.changed_nothing());
        let disk = FixError::io(
            "/s/backups/x",
            "write",
            std::io::Error::from_raw_os_error(28),
        );
        assert!(disk.changed_nothing());
        let restored = FixError::FailedRestored {
            backup_id: "b".into(),
            message: "m".into(),
        };
        assert!(!restored.changed_nothing());
        assert!(restored.to_string().contains("read back byte for byte"));
        let not = FixError::FailedNotRestored(Box::new(NotRestored {
            run_id: "r".into(),
            backup_id: "b-1".into(),
            backup_dir: "/s/backups/b-1".into(),
            store: "/h/leveldb".into(),
            message: "disk full".into(),
            restore: "read-only".into(),
            undo: "troubleshoot undo r --state-dir /s".into(),
        }));
        assert!(!not.changed_nothing());
        let text = not.to_string();
        for part in [
            "/h/leveldb",
            "/s/backups/b-1",
            "troubleshoot undo r --state-dir /s",
        ] {
            assert!(text.contains(part), "{text}");
        }
        assert!(!text.contains("support"), "{text}");
    }
}
