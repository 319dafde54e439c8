//! Putting a store back after the run: [`rollback`] after a failed verify,
//! and [`undo`] later, from the backup byte for byte (`restore.rs`) or by
//! the fix's logical inverse when the browser wrote since; and the journal
//! entries [`list_undoable`] shows.

use std::collections::BTreeMap;
use std::fmt;
use std::fs;
use std::path::{Path, PathBuf};

use serde::Serialize;

use super::apply::{Applied, StoreHold};
use super::backup;
use super::checks::{check_plan_paths, check_rows};
use super::error::FixError;
use super::journal::{self, ActionRow, FileRow, Journal, Status};
use super::lock::StateLock;
use super::owner::{hold_more_stores, hold_stores};
use super::plan::{FixContext, Op};
use super::restore::{UndoneAction, restore};
use super::watched::current_files;
use super::{fsx, inverse};
use crate::probe::Home;

/// What `undo` did.
#[derive(Debug, Clone, Serialize)]
pub struct UndoReport {
    pub run_id: String,
    pub forced: bool,
    pub mode: UndoMode,
    pub actions: Vec<UndoneAction>,
}

/// How `undo` put the stores back.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum UndoMode {
    /// From the backup, byte for byte: nothing but the fix wrote since.
    ByteIdentical,
    /// By the fix's exact inverse, keeping what the browser wrote since.
    Logical,
    /// From the backup, byte for byte, whatever changed since (`--force`).
    Forced,
    /// Nothing: the fix was interrupted before it wrote one byte.
    NothingWritten,
}

impl UndoMode {
    pub fn as_str(self) -> &'static str {
        match self {
            UndoMode::ByteIdentical => "byte-identical",
            UndoMode::Logical => "logical",
            UndoMode::Forced => "forced",
            UndoMode::NothingWritten => "nothing-written",
        }
    }

    fn from_journal(word: &str) -> Option<UndoMode> {
        [
            UndoMode::ByteIdentical,
            UndoMode::Logical,
            UndoMode::Forced,
            UndoMode::NothingWritten,
        ]
        .into_iter()
        .find(|m| m.as_str() == word)
    }
}

impl fmt::Display for UndoMode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Display for UndoReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Undid run {}:", self.run_id)?;
        for a in &self.actions {
            write!(f, "\n  {} ({}): ", a.action, a.backup_id)?;
            let mut parts = Vec::new();
            if !a.restored.is_empty() {
                parts.push(format!(
                    "{} file(s) restored byte-identical",
                    a.restored.len()
                ));
            }
            if !a.removed.is_empty() {
                parts.push(format!(
                    "{} file(s) the fix created removed",
                    a.removed.len()
                ));
            }
            for (from, to) in &a.moved_back {
                parts.push(format!("moved {} back to {}", from.display(), to.display()));
            }
            for p in &a.set_aside {
                parts.push(format!("the folder in the way was kept at {}", p.display()));
            }
            if let Some(l) = &a.logical {
                parts.push(format!("the store had changed since the fix: {l}"));
            }
            if a.nothing_written {
                parts.push(
                    "the fix was interrupted before it wrote anything; the store was left as it is"
                        .into(),
                );
            }
            if parts.is_empty() {
                parts.push("the store was already as before the fix".into());
            }
            write!(f, "{}", parts.join("; "))?;
        }
        Ok(())
    }
}

/// One fix in the journal that `undo` can act on.
#[derive(Debug, Clone, Serialize)]
pub struct JournalEntry {
    pub run_id: String,
    pub backup_id: String,
    pub action: String,
    pub store_path: PathBuf,
    pub owner: String,
    pub status: Status,
    pub started_at: String,
    pub finished_at: Option<String>,
    pub files: usize,
    /// Why a run stopped (for [`Status::RestoreFailed`]).
    pub message: Option<String>,
}

impl fmt::Display for JournalEntry {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}  {}  {}  {} ({}, {} file(s) backed up, owner {})",
            self.run_id,
            self.started_at,
            self.action,
            self.store_path.display(),
            self.status,
            self.files,
            self.owner
        )?;
        if let Some(m) = &self.message {
            write!(f, ": {m}")?;
        }
        Ok(())
    }
}

// ------------------------------------------------------- rollback and undo

/// Restore the store of an applied fix from its backup, byte-identical
/// (after its `verify` condition failed on fresh evidence).
pub fn rollback(applied: &Applied, ctx: &FixContext) -> Result<(), FixError> {
    rollback_held(applied, &StoreHold::default(), ctx)
}

/// [`rollback`] while `held` (from [`apply_held`](super::apply_held)) still holds the stores.
pub fn rollback_held(
    applied: &Applied,
    held: &StoreHold,
    ctx: &FixContext,
) -> Result<(), FixError> {
    let _lock = StateLock::acquire(ctx.state_dir, ctx.run_id)?;
    let journal = Journal::open(ctx.state_dir)?;
    let action = journal
        .action_by_backup(&applied.backup_id)?
        .ok_or_else(|| FixError::Undo {
            path: backup::backup_dir(ctx.state_dir, &applied.backup_id),
            message: "this fix is not in the journal".into(),
        })?;
    if action.status == Status::RolledBack || action.status == Status::Undone {
        return Ok(());
    }
    check_plan_paths(&action.plan, ctx.home)?;
    let rows = journal.files(action.id)?;
    check_rows(&action.plan, &rows, ctx.home)?;
    // The apply's locks are still held (the browser could not open the
    // store since); take any it did not.
    let _more = hold_more_stores(&action.plan, ctx.home, &held.0)?;
    journal.begin_undo(action.id, UndoMode::ByteIdentical.as_str())?;
    restore(ctx.state_dir, &action, &rows, true)?;
    journal.set_status(
        action.id,
        Status::RolledBack,
        Some("verify failed; restored from backup"),
    )?;
    Ok(())
}

/// Files of an applied action that differ from how the fix left them.
fn changed_since(action: &ActionRow, rows: &[FileRow]) -> Result<Vec<PathBuf>, FixError> {
    let mut changed = Vec::new();
    let recorded: BTreeMap<&Path, &FileRow> = rows.iter().map(|r| (r.path.as_path(), r)).collect();
    for p in current_files(&action.plan)? {
        if !recorded.contains_key(p.as_path()) {
            changed.push(p);
        }
    }
    for r in rows {
        if fsx::hash_opt(&r.path)? != r.after_sha256 {
            changed.push(r.path.clone());
        }
    }
    changed.sort();
    changed.dedup();
    Ok(changed)
}

/// How to put an action's store back, decided once per undo and journaled
/// with `undoing` before the first write.
///
/// Byte-identical from the backup only when the store's content is checked
/// to be what the fix left (or the backup's); otherwise the fix's exact
/// inverse, which keeps every later write of the browser. A fix interrupted
/// before its first write needs nothing. An undo that was interrupted
/// resumes in the mode it journaled; a byte-identical one only while the
/// check still holds (a browser may have written since), else logically.
fn decide(a: &ActionRow, rows: &[FileRow], bdir: &Path, force: bool) -> Result<UndoMode, FixError> {
    if force {
        return Ok(UndoMode::Forced);
    }
    let recorded = a.undo_mode.as_deref().and_then(UndoMode::from_journal);
    match (a.status, recorded) {
        (Status::Undoing, Some(m @ (UndoMode::Logical | UndoMode::NothingWritten))) => {
            return Ok(m);
        }
        (Status::Started, _) if a.phase.as_deref() == Some(journal::PHASE_BACKED_UP) => {
            return Ok(UndoMode::NothingWritten);
        }
        _ => {}
    }
    let invertible = inverse::possible(&a.plan.ops);
    if a.status == Status::Applied {
        let changed = changed_since(a, rows)?;
        if changed.is_empty() {
            check_moved_folders(a)?;
            return Ok(UndoMode::ByteIdentical);
        }
        if !invertible {
            return Err(FixError::ChangedSince {
                run_id: a.run_id.clone(),
                paths: changed,
            });
        }
        return Ok(UndoMode::Logical);
    }
    // Interrupted (a fix or an undo): byte-identical only when every
    // difference from the backup is the fix's own.
    if !invertible {
        return Ok(UndoMode::ByteIdentical);
    }
    let mut only_ours = true;
    for op in &a.plan.ops {
        only_ours &= inverse::only_ours(bdir, rows, op)?;
    }
    Ok(if only_ours {
        UndoMode::ByteIdentical
    } else {
        UndoMode::Logical
    })
}

/// Remove the `*.troubleshoot-tmp` files an interrupted restore or write of
/// this tool left in a store (its own suffix: never the browser's files),
/// under the store's lock, before the store is compared or changed.
fn sweep_temp_files(plan: &super::Plan) -> Result<(), FixError> {
    for p in current_files(plan)? {
        if p.file_name()
            .is_some_and(|n| n.to_string_lossy().ends_with(crate::fsx::TMP_SUFFIX))
        {
            fsx::remove_if_exists(&p)?;
        }
    }
    Ok(())
}

/// A byte-identical undo of a folder moved aside refuses when the app has
/// made a new folder in its place since.
fn check_moved_folders(a: &ActionRow) -> Result<(), FixError> {
    for op in &a.plan.ops {
        if let Op::MoveAside { from, .. } = op
            && fs::symlink_metadata(from).is_ok()
        {
            return Err(FixError::ChangedSince {
                run_id: a.run_id.clone(),
                paths: vec![from.clone()],
            });
        }
    }
    Ok(())
}

/// The home the journal names for `run` must be one a run can have
/// inspected, and the one its run record names: a journal row whose home
/// is `/` (or another user's) would let every path pass the under-the-home
/// check. Refused with and without `--force`.
fn check_recorded_home(state_dir: &Path, run: &str, home: &Home) -> Result<(), FixError> {
    let refuse = |reason: String| FixError::UnsafePath {
        path: home.root.clone(),
        reason: format!("the journal's home for run {run} {reason}; nothing was changed"),
    };
    if !home.root.is_absolute() || home.root.parent().is_none() {
        return Err(refuse(
            "is not a home folder (the file system's root or a relative path)".into(),
        ));
    }
    if !home.explicit_root
        && let Some(real) = dirs::home_dir()
        && real != home.root
    {
        return Err(refuse(format!(
            "is not your home ({}) though the run did not use --root",
            real.display()
        )));
    }
    let record = state_dir.join("runs").join(format!("{run}.json"));
    if crate::fsx::check_state_file(&record).unwrap_or(false)
        && let Ok(bytes) = crate::bounded::read(&record, crate::bounded::Kind::Record)
        && let Ok(v) = serde_json::from_slice::<serde_json::Value>(&bytes)
        && let Some(root) = v.get("root").and_then(|r| r.as_str())
        && Path::new(root) != home.root
    {
        return Err(refuse(format!(
            "disagrees with its run record {} (home {root})",
            record.display()
        )));
    }
    Ok(())
}

/// The home to undo `run` in: the journal's (the printed `undo <id>`
/// needs no --root), checked against the run record; a different --root
/// given explicitly is a mistake, said so.
fn undo_home(
    journal: &Journal,
    state_dir: &Path,
    run: &str,
    asked: Option<&Home>,
) -> Result<Home, FixError> {
    let recorded = journal.run_home(run)?;
    let home = match (recorded, asked) {
        (Some(r), Some(a)) if a.root != r.root => {
            return Err(FixError::WrongHome {
                run_id: run.to_string(),
                recorded: r.root,
                given: a.root.clone(),
            });
        }
        (Some(r), _) => r,
        (None, Some(a)) => a.clone(),
        (None, None) => {
            return Err(FixError::Undo {
                path: state_dir.join(journal::FILE_NAME),
                message: format!(
                    "the journal does not say which home run {run} inspected; pass --root"
                ),
            });
        }
    };
    check_recorded_home(state_dir, run, &home)?;
    Ok(home)
}

/// Undo a run's fixes (default: the last run with a fix to undo), newest
/// first: restore every file byte-identical from the backup, remove files
/// the fix created, move folders back. Refuses while an owner runs, and
/// (unless `force`) when a file changed since the fix.
pub fn undo(
    state_dir: &Path,
    asked: Option<&Home>,
    run_id: Option<&str>,
    force: bool,
) -> Result<UndoReport, FixError> {
    if let Some(r) = run_id {
        fsx::check_run_id(r)?;
    }
    let _lock = StateLock::acquire(state_dir, run_id.unwrap_or("undo"))?;
    // A partial backup (a run killed while copying) changed nothing: swept,
    // never offered for a manual restore.
    backup::sweep_partials(state_dir)?;
    // An empty or missing journal beside backups means the journal was lost:
    // say where the backups are rather than "nothing to undo".
    let nothing = |run_id: Option<String>| {
        let dir = backup::backups_root(state_dir);
        let kept = std::fs::read_dir(&dir).is_ok_and(|mut d| d.next().is_some());
        if kept && run_id.is_none() {
            FixError::BackupsWithoutJournal { dir }
        } else {
            FixError::NothingToUndo { run_id }
        }
    };
    let journal = match Journal::open_existing(state_dir)? {
        Some(j) => j,
        None => return Err(nothing(run_id.map(str::to_string))),
    };
    let run = match run_id {
        Some(r) => r.to_string(),
        None => match journal.undoable(None)?.into_iter().next() {
            Some(a) => a.run_id,
            None if journal.is_empty()? => return Err(nothing(None)),
            None => return Err(FixError::NothingToUndo { run_id: None }),
        },
    };
    let actions = journal.undoable(Some(&run))?;
    if actions.is_empty() {
        if let Some(at) = journal.undone_at(&run)? {
            return Err(FixError::AlreadyUndone { run_id: run, at });
        }
        return Err(FixError::NothingToUndo { run_id: Some(run) });
    }
    let home_owned = undo_home(&journal, state_dir, &run, asked)?;
    let home = &home_owned;
    // Check everything before touching anything.
    let mut work = Vec::new();
    for a in actions {
        check_plan_paths(&a.plan, home).map_err(|e| match e {
            FixError::UnsafePath { path, reason } => FixError::UnsafePath {
                path,
                reason: format!("{reason} (undo must run with the same home, --root, as the fix)"),
            },
            other => other,
        })?;
        let rows = journal.files(a.id)?;
        check_rows(&a.plan, &rows, home)?;
        let stores = hold_stores(&a.plan, home)?;
        sweep_temp_files(&a.plan)?;
        let bdir = backup::backup_dir(state_dir, &a.backup_id);
        let mode = decide(&a, &rows, &bdir, force)?;
        if mode != UndoMode::NothingWritten {
            backup::verify(&bdir, &rows).or_else(|e| {
                if rows.iter().all(|r| r.backup.is_none()) {
                    Ok(())
                } else {
                    Err(e)
                }
            })?;
        }
        work.push((a, rows, stores, mode));
    }
    let mut report = UndoReport {
        run_id: run.clone(),
        forced: force,
        mode: if force {
            UndoMode::Forced
        } else {
            UndoMode::ByteIdentical
        },
        actions: Vec::new(),
    };
    for (a, rows, stores, mode) in work {
        // The mode is journaled before the first write: an undo stopped
        // here (killed, refused, disk full) resumes in the same mode.
        journal.begin_undo(a.id, mode.as_str())?;
        let done = match mode {
            UndoMode::Logical => {
                let put = inverse::undo(state_dir, &a, &rows, &stores)?;
                report.mode = UndoMode::Logical;
                UndoneAction {
                    logical: Some(inverse::describe(&put)),
                    ..UndoneAction::of(&a)
                }
            }
            UndoMode::NothingWritten => UndoneAction {
                nothing_written: true,
                ..UndoneAction::of(&a)
            },
            UndoMode::ByteIdentical | UndoMode::Forced => restore(state_dir, &a, &rows, force)?,
        };
        journal.set_status(a.id, Status::Undone, Some(mode.as_str()))?;
        report.actions.push(done);
    }
    if report.actions.iter().all(|a| a.nothing_written) {
        report.mode = UndoMode::NothingWritten;
    }
    Ok(report)
}

/// Fixes that `undo` can act on, newest first. No journal: an empty list.
pub fn list_undoable(state_dir: &Path) -> Result<Vec<JournalEntry>, FixError> {
    let Some(journal) = Journal::open_existing(state_dir)? else {
        return Ok(Vec::new());
    };
    let mut out = Vec::new();
    for a in journal.undoable(None)? {
        let files = journal
            .files(a.id)?
            .iter()
            .filter(|r| r.backup.is_some())
            .count();
        out.push(JournalEntry {
            run_id: a.run_id,
            backup_id: a.backup_id,
            action: a.action,
            store_path: a.store_path,
            owner: a.owner,
            status: a.status,
            started_at: a.started_at,
            finished_at: a.finished_at,
            files,
            message: a.message,
        });
    }
    Ok(out)
}
