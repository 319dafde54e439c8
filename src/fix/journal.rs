//! The undo journal: SQLite at `<state_dir>/journal.sqlite`. Runs, the
//! actions each run applied (with the plan), and every file an action may
//! have changed with its sha256 before and after. A row is written (and
//! committed) with status `started` before the store is touched, so a run
//! killed at any point can be undone.

use std::fmt;
use std::path::{Path, PathBuf};
use std::str::FromStr;

use rusqlite::types::{FromSql, FromSqlError, FromSqlResult, ToSqlOutput, ValueRef};
use rusqlite::{Connection, OpenFlags, OptionalExtension, ToSql, params};
use serde::{Deserialize, Serialize};

use super::error::FixError;
use super::{Plan, fsx};
use crate::probe::{Home, Layout};

pub const FILE_NAME: &str = "journal.sqlite";
const SCHEMA_VERSION: i64 = 1;

/// Status of an action in the journal, stored as its word (`started`,
/// `rolled-back`, ...): the words journals have always held, so an old
/// journal reads the same.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Status {
    /// Backup taken, the store may be partly changed (the run may have died).
    Started,
    Applied,
    /// Apply failed and the backup was restored.
    Failed,
    /// Verify failed after apply and the backup was restored.
    RolledBack,
    /// An undo began (it may have died midway; undo again finishes it).
    Undoing,
    Undone,
    /// Apply failed and so did the automatic restore.
    RestoreFailed,
}

impl Status {
    /// Every status, in the order an action may pass through them.
    pub const ALL: [Status; 7] = [
        Status::Started,
        Status::Applied,
        Status::Failed,
        Status::RolledBack,
        Status::Undoing,
        Status::Undone,
        Status::RestoreFailed,
    ];

    /// Statuses `undo` acts on.
    pub const UNDOABLE: [Status; 4] = [
        Status::Started,
        Status::Applied,
        Status::Undoing,
        Status::RestoreFailed,
    ];

    /// The word the journal stores.
    pub fn as_str(&self) -> &'static str {
        match self {
            Status::Started => "started",
            Status::Applied => "applied",
            Status::Failed => "failed",
            Status::RolledBack => "rolled-back",
            Status::Undoing => "undoing",
            Status::Undone => "undone",
            Status::RestoreFailed => "restore-failed",
        }
    }

    pub fn is_undoable(&self) -> bool {
        Status::UNDOABLE.contains(self)
    }
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Status {
    type Err = String;
    fn from_str(s: &str) -> Result<Status, String> {
        Status::ALL
            .into_iter()
            .find(|st| st.as_str() == s)
            .ok_or_else(|| format!("unknown action status `{s}`"))
    }
}

impl ToSql for Status {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        Ok(ToSqlOutput::from(self.as_str()))
    }
}

impl FromSql for Status {
    fn column_result(value: ValueRef<'_>) -> FromSqlResult<Status> {
        let s = value.as_str()?;
        s.parse().map_err(|e: String| FromSqlError::Other(e.into()))
    }
}

/// One action of a run, as journaled.
#[derive(Debug, Clone)]
pub struct ActionRow {
    pub id: i64,
    pub run_id: String,
    pub backup_id: String,
    pub action: String,
    pub store_path: PathBuf,
    pub owner: String,
    pub plan: Plan,
    pub status: Status,
    pub started_at: String,
    pub finished_at: Option<String>,
    pub message: Option<String>,
    /// How far a `started` fix got: [`PHASE_BACKED_UP`] (journaled, not
    /// one byte of the store written yet) or [`PHASE_WRITING`]; None in
    /// journals older than this column (unknown).
    pub phase: Option<String>,
    /// The mode an undo chose, journaled with `undoing` before its first
    /// write, so an interrupted undo resumes in it.
    pub undo_mode: Option<String>,
}

/// Phase of a `started` action whose backup is complete and that has not
/// written to the store.
pub const PHASE_BACKED_UP: &str = "backed-up";
/// Phase of a `started` action about to write (or writing) the store.
pub const PHASE_WRITING: &str = "writing";

/// One file an action may change.
#[derive(Debug, Clone, PartialEq)]
pub struct FileRow {
    pub path: PathBuf,
    /// Path of the copy inside the backup folder; None when the file did
    /// not exist before the fix.
    pub backup: Option<String>,
    pub before_sha256: Option<String>,
    pub before_size: Option<u64>,
    pub mode: Option<u32>,
    /// Set once the action is applied; None when the fix removed the file
    /// (or, before that, unknown).
    pub after_sha256: Option<String>,
    pub after_size: Option<u64>,
}

/// Whether the journal exists, refusing a journal (or its `-journal`,
/// `-wal`, `-shm` beside it) that is a link, a FIFO, a device or shares
/// its inode with another name.
pub fn check_files(state_dir: &Path) -> Result<bool, FixError> {
    let path = state_dir.join(FILE_NAME);
    for side in ["-journal", "-wal", "-shm"] {
        crate::fsx::check_state_file(&state_dir.join(format!("{FILE_NAME}{side}")))?;
    }
    Ok(crate::fsx::check_state_file(&path)?)
}

pub struct Journal {
    conn: Connection,
    path: PathBuf,
    state_dir: PathBuf,
}

impl Journal {
    fn err(&self, e: impl std::fmt::Display) -> FixError {
        FixError::Journal {
            path: self.path.clone(),
            state_dir: self.state_dir.clone(),
            message: e.to_string(),
        }
    }

    /// Open (creating when missing) the journal of `state_dir`.
    pub fn open(state_dir: &Path) -> Result<Journal, FixError> {
        fsx::private_dir(state_dir)?;
        Self::open_inner(state_dir, true)
    }

    /// Open the journal if there is one.
    pub fn open_existing(state_dir: &Path) -> Result<Option<Journal>, FixError> {
        if !check_files(state_dir)? {
            return Ok(None);
        }
        Self::open_inner(state_dir, false).map(Some)
    }

    fn open_inner(state_dir: &Path, create: bool) -> Result<Journal, FixError> {
        let path = state_dir.join(FILE_NAME);
        let jerr = |m: String| FixError::Journal {
            path: path.clone(),
            state_dir: state_dir.to_path_buf(),
            message: m,
        };
        check_files(state_dir)?;
        // Never through a link (SQLite checks every open), and never a FIFO
        // or device ([`check_files`]): it would be written through, or block.
        let mut flags = OpenFlags::SQLITE_OPEN_READ_WRITE
            | OpenFlags::SQLITE_OPEN_NO_MUTEX
            | OpenFlags::SQLITE_OPEN_NOFOLLOW;
        if create {
            flags |= OpenFlags::SQLITE_OPEN_CREATE;
        }
        let conn = Connection::open_with_flags(&path, flags)
            .map_err(|e| jerr(format!("cannot open: {e}")))?;
        let _ = fsx::set_mode(&path, 0o600);
        conn.busy_timeout(std::time::Duration::from_secs(5))
            .map_err(|e| jerr(e.to_string()))?;
        let check: String = conn
            .query_row("PRAGMA quick_check", [], |r| r.get(0))
            .map_err(|e| jerr(format!("the journal is unreadable or corrupt ({e})")))?;
        if check != "ok" {
            return Err(jerr(format!("the journal is corrupt ({check})")));
        }
        let j = Journal {
            conn,
            path: path.clone(),
            state_dir: state_dir.to_path_buf(),
        };
        j.conn
            .execute_batch(
                "CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
                 CREATE TABLE IF NOT EXISTS runs (
                    run_id TEXT PRIMARY KEY,
                    started_at TEXT NOT NULL,
                    home TEXT NOT NULL,
                    tool_version TEXT NOT NULL);
                 CREATE TABLE IF NOT EXISTS actions (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    run_id TEXT NOT NULL REFERENCES runs(run_id),
                    backup_id TEXT NOT NULL UNIQUE,
                    action TEXT NOT NULL,
                    store_path TEXT NOT NULL,
                    owner TEXT NOT NULL,
                    plan_json TEXT NOT NULL,
                    status TEXT NOT NULL,
                    started_at TEXT NOT NULL,
                    finished_at TEXT,
                    message TEXT);
                 CREATE TABLE IF NOT EXISTS files (
                    action_id INTEGER NOT NULL REFERENCES actions(id),
                    path TEXT NOT NULL,
                    backup TEXT,
                    before_sha256 TEXT,
                    before_size INTEGER,
                    mode INTEGER,
                    after_sha256 TEXT,
                    after_size INTEGER,
                    PRIMARY KEY (action_id, path));
                 INSERT OR IGNORE INTO meta (key, value) VALUES ('schema', '1');",
            )
            .map_err(|e| j.err(format!("the journal is unreadable or corrupt ({e})")))?;
        let schema: String = j
            .conn
            .query_row("SELECT value FROM meta WHERE key = 'schema'", [], |r| {
                r.get(0)
            })
            .map_err(|e| j.err(format!("the journal is unreadable or corrupt ({e})")))?;
        if schema.parse::<i64>().ok() != Some(SCHEMA_VERSION) {
            return Err(j.err(format!(
                "journal schema {schema} is not the one this version writes ({SCHEMA_VERSION}); use the troubleshoot version that made it"
            )));
        }
        j.add_columns()?;
        Ok(j)
    }

    /// `runs.layout`, `runs.explicit_root`, `actions.phase` and
    /// `actions.undo_mode` (added after schema 1 first shipped; a journal
    /// without them gains them, empty for old rows).
    fn add_columns(&self) -> Result<(), FixError> {
        for (table, col, ty) in [
            ("runs", "layout", "TEXT"),
            ("runs", "explicit_root", "INTEGER"),
            ("actions", "phase", "TEXT"),
            ("actions", "undo_mode", "TEXT"),
        ] {
            let cols: Vec<String> = self
                .conn
                .prepare(&format!("SELECT name FROM pragma_table_info('{table}')"))
                .and_then(|mut s| s.query_map([], |r| r.get(0))?.collect())
                .map_err(|e| self.err(e))?;
            if !cols.iter().any(|c| c == col) {
                self.conn
                    .execute_batch(&format!("ALTER TABLE {table} ADD COLUMN {col} {ty}"))
                    .map_err(|e| self.err(e))?;
            }
        }
        Ok(())
    }

    /// Record the run and the home it inspected (folder, layout, whether it
    /// was `--root`), so `undo <id>` needs nothing else.
    pub fn ensure_run(&self, run_id: &str, home: &Home) -> Result<(), FixError> {
        self.conn
            .execute(
                "INSERT OR IGNORE INTO runs (run_id, started_at, home, tool_version, layout, explicit_root) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                params![
                    run_id,
                    crate::clock::now(),
                    home.root.to_string_lossy(),
                    env!("CARGO_PKG_VERSION"),
                    home.layout.name(),
                    home.explicit_root
                ],
            )
            .map_err(|e| self.err(e))?;
        Ok(())
    }

    /// The home a run inspected, as [`Journal::ensure_run`] recorded it.
    pub fn run_home(&self, run_id: &str) -> Result<Option<Home>, FixError> {
        let row: Option<(String, Option<String>, Option<bool>)> = self
            .conn
            .query_row(
                "SELECT home, layout, explicit_root FROM runs WHERE run_id = ?1",
                [run_id],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )
            .optional()
            .map_err(|e| self.err(e))?;
        Ok(row.map(|(root, layout, explicit)| {
            let layout = match layout.as_deref() {
                Some("macos") => Layout::Macos,
                Some("windows") => Layout::Windows,
                Some("linux") => Layout::Linux,
                _ => Layout::current(),
            };
            Home::new(PathBuf::from(root), layout, explicit.unwrap_or(true))
        }))
    }

    /// When a run's fixes were undone (the latest), if they all were.
    pub fn undone_at(&self, run_id: &str) -> Result<Option<String>, FixError> {
        let rows = self.actions_where("run_id = ?1", &[&run_id])?;
        if rows.iter().any(|a| a.status.is_undoable()) {
            return Ok(None);
        }
        Ok(rows
            .iter()
            .filter(|a| a.status == Status::Undone)
            .filter_map(|a| a.finished_at.clone())
            .max())
    }

    pub fn backup_id_taken(&self, backup_id: &str) -> Result<bool, FixError> {
        let n: i64 = self
            .conn
            .query_row(
                "SELECT count(*) FROM actions WHERE backup_id = ?1",
                [backup_id],
                |r| r.get(0),
            )
            .map_err(|e| self.err(e))?;
        Ok(n > 0)
    }

    /// Record an action as `started` with the files as they were before, in
    /// one committed transaction. Returns the action id.
    pub fn begin(
        &mut self,
        run_id: &str,
        backup_id: &str,
        plan: &Plan,
        files: &[FileRow],
    ) -> Result<i64, FixError> {
        let plan_json = serde_json::to_string(plan).map_err(|e| self.err(e))?;
        let store = plan.store_path.to_string_lossy().into_owned();
        let path = self.path.clone();
        let state_dir = self.state_dir.clone();
        let err = move |e: rusqlite::Error| FixError::Journal {
            path: path.clone(),
            state_dir: state_dir.clone(),
            message: e.to_string(),
        };
        let tx = self.conn.transaction().map_err(&err)?;
        tx.execute(
            "INSERT INTO actions (run_id, backup_id, action, store_path, owner, plan_json, status, started_at, phase)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
            params![run_id, backup_id, plan.action, store, plan.owner, plan_json, Status::Started, crate::clock::now(), PHASE_BACKED_UP],
        )
        .map_err(&err)?;
        let id = tx.last_insert_rowid();
        {
            let mut stmt = tx
                .prepare(
                    "INSERT INTO files (action_id, path, backup, before_sha256, before_size, mode)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                )
                .map_err(&err)?;
            for f in files {
                stmt.execute(params![
                    id,
                    f.path.to_string_lossy(),
                    f.backup,
                    f.before_sha256,
                    f.before_size.map(|s| s as i64),
                    f.mode.map(i64::from),
                ])
                .map_err(&err)?;
            }
        }
        tx.commit().map_err(&err)?;
        Ok(id)
    }

    /// Record the files as they are after the fix (None: absent) and the
    /// new status, in one transaction.
    pub fn finish(
        &mut self,
        action_id: i64,
        after: &[(PathBuf, Option<(String, u64)>)],
        new_status: Status,
        message: Option<&str>,
    ) -> Result<(), FixError> {
        let path = self.path.clone();
        let state_dir = self.state_dir.clone();
        let err = move |e: rusqlite::Error| FixError::Journal {
            path: path.clone(),
            state_dir: state_dir.clone(),
            message: e.to_string(),
        };
        let tx = self.conn.transaction().map_err(&err)?;
        tx.execute(
            "UPDATE files SET after_sha256 = NULL, after_size = NULL WHERE action_id = ?1",
            [action_id],
        )
        .map_err(&err)?;
        for (p, state) in after {
            let (sha, size) = match state {
                Some((s, n)) => (Some(s.clone()), Some(*n as i64)),
                None => (None, None),
            };
            tx.execute(
                "INSERT INTO files (action_id, path, after_sha256, after_size) VALUES (?1, ?2, ?3, ?4)
                 ON CONFLICT (action_id, path) DO UPDATE SET after_sha256 = excluded.after_sha256, after_size = excluded.after_size",
                params![action_id, p.to_string_lossy(), sha, size],
            )
            .map_err(&err)?;
        }
        tx.execute(
            "UPDATE actions SET status = ?2, finished_at = ?3, message = ?4 WHERE id = ?1",
            params![action_id, new_status, crate::clock::now(), message],
        )
        .map_err(&err)?;
        tx.commit().map_err(&err)?;
        Ok(())
    }

    /// Journal (committed) that the fix is about to write the store: until
    /// then an interrupted fix is known to have changed nothing.
    pub fn mark_writing(&self, action_id: i64) -> Result<(), FixError> {
        self.conn
            .execute(
                "UPDATE actions SET phase = ?2 WHERE id = ?1",
                params![action_id, PHASE_WRITING],
            )
            .map_err(|e| self.err(e))?;
        Ok(())
    }

    /// Journal (committed) that an undo in `mode` begins, before its first
    /// write: an undo stopped midway resumes in the same mode.
    pub fn begin_undo(&self, action_id: i64, mode: &str) -> Result<(), FixError> {
        self.conn
            .execute(
                "UPDATE actions SET status = ?2, undo_mode = ?3 WHERE id = ?1",
                params![action_id, Status::Undoing, mode],
            )
            .map_err(|e| self.err(e))?;
        Ok(())
    }

    pub fn set_status(
        &self,
        action_id: i64,
        new_status: Status,
        message: Option<&str>,
    ) -> Result<(), FixError> {
        self.conn
            .execute(
                "UPDATE actions SET status = ?2, finished_at = ?3, message = coalesce(?4, message) WHERE id = ?1",
                params![action_id, new_status, crate::clock::now(), message],
            )
            .map_err(|e| self.err(e))?;
        Ok(())
    }

    fn row_to_action(r: &rusqlite::Row<'_>) -> rusqlite::Result<(ActionRow, String)> {
        let plan_json: String = r.get(6)?;
        let store: String = r.get(4)?;
        Ok((
            ActionRow {
                id: r.get(0)?,
                run_id: r.get(1)?,
                backup_id: r.get(2)?,
                action: r.get(3)?,
                store_path: PathBuf::from(store),
                owner: r.get(5)?,
                plan: Plan::empty(),
                status: r.get(7)?,
                started_at: r.get(8)?,
                finished_at: r.get(9)?,
                message: r.get(10)?,
                phase: r.get(11)?,
                undo_mode: r.get(12)?,
            },
            plan_json,
        ))
    }

    fn actions_where(
        &self,
        cond: &str,
        p: &[&dyn rusqlite::ToSql],
    ) -> Result<Vec<ActionRow>, FixError> {
        let sql = format!(
            "SELECT id, run_id, backup_id, action, store_path, owner, plan_json, status, started_at, finished_at, message, phase, undo_mode
             FROM actions WHERE {cond} ORDER BY id DESC"
        );
        let mut stmt = self.conn.prepare(&sql).map_err(|e| self.err(e))?;
        let rows = stmt
            .query_map(p, Self::row_to_action)
            .map_err(|e| self.err(e))?;
        let mut out = Vec::new();
        for row in rows {
            let (mut a, plan_json) = row.map_err(|e| self.err(e))?;
            a.plan = serde_json::from_str(&plan_json).map_err(|e| {
                self.err(format!(
                    "action {} has an unreadable plan ({e})",
                    a.backup_id
                ))
            })?;
            out.push(a);
        }
        Ok(out)
    }

    fn undoable_cond() -> String {
        let list: Vec<String> = Status::UNDOABLE.iter().map(|s| format!("'{s}'")).collect();
        format!("status IN ({})", list.join(", "))
    }

    /// Actions `undo` may act on, newest first; of one run, or all.
    pub fn undoable(&self, run_id: Option<&str>) -> Result<Vec<ActionRow>, FixError> {
        match run_id {
            Some(r) => {
                self.actions_where(&format!("{} AND run_id = ?1", Self::undoable_cond()), &[&r])
            }
            None => self.actions_where(&Self::undoable_cond(), &[]),
        }
    }

    /// Whether the journal records any action at all (undone ones included).
    pub fn is_empty(&self) -> Result<bool, FixError> {
        Ok(self.actions_where("1 = 1", &[])?.is_empty())
    }

    pub fn action_by_backup(&self, backup_id: &str) -> Result<Option<ActionRow>, FixError> {
        Ok(self
            .actions_where("backup_id = ?1", &[&backup_id])?
            .into_iter()
            .next())
    }

    pub fn files(&self, action_id: i64) -> Result<Vec<FileRow>, FixError> {
        let mut stmt = self
            .conn
            .prepare(
                "SELECT path, backup, before_sha256, before_size, mode, after_sha256, after_size
                 FROM files WHERE action_id = ?1 ORDER BY path",
            )
            .map_err(|e| self.err(e))?;
        let rows = stmt
            .query_map([action_id], |r| {
                let path: String = r.get(0)?;
                Ok(FileRow {
                    path: PathBuf::from(path),
                    backup: r.get(1)?,
                    before_sha256: r.get(2)?,
                    before_size: r.get::<_, Option<i64>>(3)?.map(|n| n as u64),
                    mode: r.get::<_, Option<i64>>(4)?.map(|n| n as u32),
                    after_sha256: r.get(5)?,
                    after_size: r.get::<_, Option<i64>>(6)?.map(|n| n as u64),
                })
            })
            .map_err(|e| self.err(e))?;
        let mut out = Vec::new();
        for row in rows {
            out.push(row.map_err(|e| self.err(e))?);
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_keep_the_words_journals_hold() {
        let words: Vec<String> = Status::ALL.iter().map(Status::to_string).collect();
        assert_eq!(
            words,
            [
                "started",
                "applied",
                "failed",
                "rolled-back",
                "undoing",
                "undone",
                "restore-failed"
            ]
        );
        for s in Status::ALL {
            assert_eq!(s.as_str().parse::<Status>(), Ok(s));
            assert_eq!(
                serde_json::to_value(s).unwrap(),
                serde_json::json!(s.as_str())
            );
        }
        assert!("done".parse::<Status>().is_err());
    }
}
