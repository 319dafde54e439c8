//! Retention: what the state folder keeps, and for how long.
//!
//! Backups hold byte copies of browser cookie databases and Local Storage:
//! once the fix they were taken for is undone (or was rolled back, or
//! failed and was restored), nothing needs them. [`prune`] deletes
//! `<state>/backups/<backup_id>` of those fixes when the journal says they
//! ended more than [`MAX_AGE_DAYS`] days ago, and run records started more
//! than that long ago, except the record of a run whose fix can still be
//! undone. It runs at the start of every `run` and with `runs --prune`.
//!
//! The journal is only read here, through its own read-only connection
//! (the fix module owns every write to it), and a row's `backup_id` is
//! trusted only when it names a plain folder directly under `backups/`.

use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use rusqlite::{Connection, OpenFlags};
use serde::Serialize;

use crate::fix::JournalStatus;
use crate::report::{self, ReportError, RunSummary};

/// Run records and backups of undone fixes older than this are pruned.
pub const MAX_AGE_DAYS: u64 = 30;

/// The journal file in the state folder (owned by the fix module).
const JOURNAL: &str = "journal.sqlite";

/// A fix that is (or may be) still in the store: what `undo` acts on. A
/// word no status has (a journal from elsewhere, or tampered) counts as
/// in the store, so its backup is kept.
fn in_store(status: Option<JournalStatus>) -> bool {
    status.is_none_or(|s| s.is_undoable())
}

/// A fix whose backup nothing needs any more: undone, rolled back after a
/// failed verify, failed and restored at once.
fn done_with(status: Option<JournalStatus>) -> bool {
    !in_store(status)
}

#[derive(Debug, thiserror::Error)]
pub enum RetentionError {
    #[error("cannot read the undo journal {}: {message}", path.display())]
    Journal { path: PathBuf, message: String },

    #[error("cannot remove {}: {source}", path.display())]
    Remove {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },

    #[error(transparent)]
    Report(#[from] ReportError),
}

/// One action of the journal, as far as retention cares.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JournalRow {
    pub run_id: String,
    pub backup_id: String,
    /// `None`: a word no status has.
    pub status: Option<JournalStatus>,
    pub started_at: String,
    pub finished_at: Option<String>,
}

/// Every action of the journal; none when there is no journal.
pub fn journal_rows(state_dir: &Path) -> Result<Vec<JournalRow>, RetentionError> {
    let path = state_dir.join(JOURNAL);
    // A link, FIFO or device in its place is refused, never opened: a FIFO
    // would block `runs` for ever.
    let exists = crate::fsx::check_state_file(&path).map_err(|e| RetentionError::Journal {
        path: path.clone(),
        message: e.to_string(),
    })?;
    if !exists {
        return Ok(Vec::new());
    }
    let err = |e: rusqlite::Error| RetentionError::Journal {
        path: path.clone(),
        message: e.to_string(),
    };
    let conn = Connection::open_with_flags(
        &path,
        OpenFlags::SQLITE_OPEN_READ_ONLY
            | OpenFlags::SQLITE_OPEN_NO_MUTEX
            | OpenFlags::SQLITE_OPEN_NOFOLLOW,
    )
    .map_err(err)?;
    conn.busy_timeout(Duration::from_secs(5)).map_err(err)?;
    let mut stmt = conn
        .prepare("SELECT run_id, backup_id, status, started_at, finished_at FROM actions")
        .map_err(err)?;
    let rows = stmt
        .query_map([], |r| {
            Ok(JournalRow {
                run_id: r.get(0)?,
                backup_id: r.get(1)?,
                status: r.get::<_, String>(2)?.parse().ok(),
                started_at: r.get(3)?,
                finished_at: r.get(4)?,
            })
        })
        .map_err(err)?;
    rows.collect::<Result<Vec<_>, _>>().map_err(err)
}

/// Where a run's fixes stand, from the journal.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum FixState {
    /// A fix of the run is (or may be) in the store: `undo` applies.
    Applied,
    /// Its fixes were undone.
    Undone,
    /// No fix changed anything that stays (none ran, or each was rolled
    /// back, declined, refused or failed).
    None,
}

impl FixState {
    pub fn name(self) -> &'static str {
        match self {
            FixState::Applied => "applied",
            FixState::Undone => "undone",
            FixState::None => "none",
        }
    }
}

/// The fix state of `run_id` in `rows`.
pub fn fix_state(rows: &[JournalRow], run_id: &str) -> FixState {
    let statuses: Vec<Option<JournalStatus>> = rows
        .iter()
        .filter(|r| r.run_id == run_id)
        .map(|r| r.status)
        .collect();
    if statuses.iter().any(|&s| in_store(s)) {
        FixState::Applied
    } else if statuses.contains(&Some(JournalStatus::Undone)) {
        FixState::Undone
    } else {
        FixState::None
    }
}

/// A recorded run, as `troubleshoot runs` lists it.
#[derive(Debug, Clone, Serialize)]
pub struct RunListing {
    #[serde(flatten)]
    pub summary: RunSummary,
    pub fix: FixState,
}

/// Every recorded run (oldest first, unreadable records first) with the
/// state of its fixes.
pub fn list(state_dir: &Path) -> Result<Vec<RunListing>, RetentionError> {
    let rows = journal_rows(state_dir)?;
    Ok(report::list_runs(state_dir)?
        .into_iter()
        .map(|summary| {
            let fix = fix_state(&rows, &summary.run_id);
            RunListing { summary, fix }
        })
        .collect())
}

/// What [`prune`] removed.
#[derive(Debug, Default)]
pub struct Pruned {
    pub records: Vec<PathBuf>,
    pub backups: Vec<PathBuf>,
}

impl Pruned {
    pub fn is_empty(&self) -> bool {
        self.records.is_empty() && self.backups.is_empty()
    }
}

fn parse_time(s: &str) -> Option<SystemTime> {
    humantime::parse_rfc3339_weak(s.trim()).ok()
}

/// Whether `at` is more than `max_age` before `now` (an unknown time is
/// never old: what cannot be dated is kept).
fn older(at: Option<SystemTime>, max_age: Duration, now: SystemTime) -> bool {
    at.and_then(|t| now.duration_since(t).ok())
        .is_some_and(|age| age > max_age)
}

/// A journal's backup id that can only name a folder directly under
/// `backups/`: letters, digits, `-`, `_`, `.`, `:`, not starting with `.`.
fn plain_id(id: &str) -> bool {
    !id.is_empty()
        && !id.starts_with('.')
        && id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_.:".contains(c))
}

/// Delete the backups of fixes that are done with (undone, rolled back,
/// failed) and ended more than `max_age` before `now`, and the run records
/// started that long ago, but the records of runs whose fix can still be
/// undone. A record that cannot be read is dated by its file's time.
pub fn prune(
    state_dir: &Path,
    max_age: Duration,
    now: SystemTime,
) -> Result<Pruned, RetentionError> {
    let rows = journal_rows(state_dir)?;
    let mut pruned = Pruned::default();

    let backups = state_dir.join("backups");
    for row in &rows {
        if !done_with(row.status) || !plain_id(&row.backup_id) {
            continue;
        }
        // Another row with the same backup still in the store (a tampered
        // journal): keep it.
        if rows
            .iter()
            .any(|r| r.backup_id == row.backup_id && in_store(r.status))
        {
            continue;
        }
        let ended = row.finished_at.as_deref().unwrap_or(&row.started_at);
        if !older(parse_time(ended), max_age, now) {
            continue;
        }
        let dir = backups.join(&row.backup_id);
        // Only a real folder: never through a link.
        let Ok(meta) = dir.symlink_metadata() else {
            continue;
        };
        if !meta.is_dir() {
            continue;
        }
        std::fs::remove_dir_all(&dir).map_err(|source| RetentionError::Remove {
            path: dir.clone(),
            source,
        })?;
        pruned.backups.push(dir);
    }

    for run in report::list_runs(state_dir)? {
        if fix_state(&rows, &run.run_id) == FixState::Applied {
            continue;
        }
        let Ok(meta) = run.path.symlink_metadata() else {
            continue;
        };
        if meta.is_dir() {
            continue;
        }
        let at = if run.problem.is_none() {
            parse_time(&run.started_at)
        } else {
            meta.modified().ok()
        };
        if !older(at, max_age, now) {
            continue;
        }
        std::fs::remove_file(&run.path).map_err(|source| RetentionError::Remove {
            path: run.path.clone(),
            source,
        })?;
        pruned.records.push(run.path);
    }
    Ok(pruned)
}

/// [`prune`] with the documented age, as of now.
pub fn prune_default(state_dir: &Path) -> Result<Pruned, RetentionError> {
    prune(
        state_dir,
        Duration::from_secs(MAX_AGE_DAYS * 24 * 3600),
        SystemTime::now(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(run: &str, backup: &str, status: &str) -> JournalRow {
        JournalRow {
            run_id: run.into(),
            backup_id: backup.into(),
            status: status.parse().ok(),
            started_at: "2020-01-01T00:00:00Z".into(),
            finished_at: None,
        }
    }

    #[test]
    fn fix_state_follows_the_journal() {
        let rows = [
            row("a", "a-1", "undone"),
            row("b", "b-1", "applied"),
            row("b", "b-2", "undone"),
            row("c", "c-1", "rolled-back"),
        ];
        assert_eq!(fix_state(&rows, "a"), FixState::Undone);
        assert_eq!(fix_state(&rows, "b"), FixState::Applied);
        assert_eq!(fix_state(&rows, "c"), FixState::None);
        assert_eq!(fix_state(&rows, "d"), FixState::None);
    }

    #[test]
    fn a_status_word_no_status_has_keeps_its_backup() {
        let rows = [row("e", "e-1", "half-done")];
        assert_eq!(rows[0].status, None);
        assert_eq!(fix_state(&rows, "e"), FixState::Applied);
        assert!(!done_with(rows[0].status));
        assert!(done_with(row("f", "f-1", "failed").status));
    }

    #[test]
    fn ids_that_leave_the_folder_are_not_ids() {
        for bad in ["", "..", ".hidden", "../x", "a/b", "a\\b", "x\0"] {
            assert!(!plain_id(bad), "{bad:?}");
        }
        assert!(plain_id("20261201-225012-bced-1"));
    }

    #[test]
    fn unknown_times_are_never_old() {
        let now = SystemTime::now();
        let day = Duration::from_secs(86_400);
        assert!(!older(None, day, now));
        assert!(!older(parse_time("yesterday"), day, now));
        assert!(older(parse_time("2020-01-01T00:00:00Z"), day, now));
        assert!(!older(Some(now), day, now));
    }
}
