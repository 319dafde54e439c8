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
}

impl UndoMode {
    pub fn as_str(self) -> &'static str {
        match self {
            UndoMode::ByteIdentical => "byte-identical",
            UndoMode::Logical => "logical",
            UndoMode::Forced => "forced",
        }
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
    journal.set_status(action.id, Status::Undoing, None)?;
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
    // The home comes from the journal: the printed `undo <id>` needs no
    // --root. A different --root given explicitly is a mistake, said so.
    let recorded = journal.run_home(&run)?;
    let home_owned = match (recorded, asked) {
        (Some(r), Some(a)) if a.root != r.root => {
            return Err(FixError::WrongHome {
                run_id: run,
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
        let bdir = backup::backup_dir(state_dir, &a.backup_id);
        // How to put the store back: byte-identical from the backup when
        // nothing but the fix wrote to it since; else the fix's exact
        // inverse, which keeps the browser's later writes. `--force`
        // restores the backup's bytes regardless.
        let logical = if force {
            false
        } else if a.status == Status::Applied {
            let changed = changed_since(&a, &rows)?;
            if !changed.is_empty() && !inverse::possible(&a.plan.ops) {
                return Err(FixError::ChangedSince {
                    run_id: a.run_id.clone(),
                    paths: changed,
                });
            }
            !changed.is_empty()
        } else if a.status == Status::Started && inverse::possible(&a.plan.ops) {
            // Interrupted: files the fix did not write are never removed.
            // Byte-identical only when every difference is the fix's own.
            let mut only_ours = true;
            for op in &a.plan.ops {
                only_ours &= inverse::only_ours(&bdir, &rows, op)?;
            }
            !only_ours
        } else {
            false
        };
        if a.status == Status::Applied && !force && !logical {
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
        }
        backup::verify(&backup::backup_dir(state_dir, &a.backup_id), &rows).or_else(|e| {
            if rows.iter().all(|r| r.backup.is_none()) {
                Ok(())
            } else {
                Err(e)
            }
        })?;
        work.push((a, rows, stores, logical));
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
    for (a, rows, stores, logical) in work {
        journal.set_status(a.id, Status::Undoing, None)?;
        let done = if logical {
            let put = inverse::undo(state_dir, &a, &rows, &stores)?;
            report.mode = UndoMode::Logical;
            UndoneAction {
                run_id: a.run_id.clone(),
                backup_id: a.backup_id.clone(),
                action: a.action.clone(),
                store_path: a.store_path.clone(),
                logical: Some(inverse::describe(&put)),
                ..UndoneAction::default()
            }
        } else {
            restore(state_dir, &a, &rows, force)?
        };
        let how = if logical {
            UndoMode::Logical
        } else {
            UndoMode::ByteIdentical
        };
        journal.set_status(a.id, Status::Undone, Some(how.as_str()))?;
        report.actions.push(done);
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
