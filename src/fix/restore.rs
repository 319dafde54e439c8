//! Putting a store back from its backup, byte for byte: what a failed apply,
//! a rollback after a failed `verify` and `undo` all do.

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};

use serde::Serialize;

use super::backup;
use super::error::FixError;
use super::folders::{aside_name, move_dir, partial_name};
use super::fsx;
use super::journal::{ActionRow, FileRow, Status};
use super::plan::Op;
use super::watched::current_files;

/// One action undone.
#[derive(Debug, Clone, Default, Serialize)]
pub struct UndoneAction {
    pub run_id: String,
    pub backup_id: String,
    pub action: String,
    pub store_path: PathBuf,
    pub restored: Vec<PathBuf>,
    pub removed: Vec<PathBuf>,
    pub moved_back: Vec<(PathBuf, PathBuf)>,
    /// Where a folder that was in the way was moved (with `--force`).
    pub set_aside: Vec<PathBuf>,
    /// A logical undo: what it put back, in words.
    pub logical: Option<String>,
    /// The fix was interrupted before it wrote: nothing was put back.
    pub nothing_written: bool,
}

impl UndoneAction {
    /// An action undone, with nothing done yet.
    pub(super) fn of(a: &ActionRow) -> UndoneAction {
        UndoneAction {
            run_id: a.run_id.clone(),
            backup_id: a.backup_id.clone(),
            action: a.action.clone(),
            store_path: a.store_path.clone(),
            ..UndoneAction::default()
        }
    }
}

/// Put the store back as the backup recorded it: check the copies, undo
/// moves, remove files the fix created, restore changed files atomically,
/// then read back every hash.
pub(super) fn restore(
    state_dir: &Path,
    action: &ActionRow,
    rows: &[FileRow],
    force: bool,
) -> Result<UndoneAction, FixError> {
    let bdir = backup::backup_dir(state_dir, &action.backup_id);
    let backed: Vec<&FileRow> = rows.iter().filter(|r| r.backup.is_some()).collect();
    if !backed.is_empty() || bdir.exists() {
        backup::verify(&bdir, rows)?;
    }
    let mut out = UndoneAction::of(action);
    for op in &action.plan.ops {
        if let Op::MoveAside { from, to } = op {
            move_back(action, from, to, force, &mut out)?;
        }
    }
    let keep: BTreeSet<&Path> = backed.iter().map(|r| r.path.as_path()).collect();
    let mut touched_dirs = BTreeSet::new();
    // Files the fix created go first: a journal or log it left must not be
    // replayed against the restored database.
    for p in current_files(&action.plan)? {
        if !keep.contains(p.as_path()) && fsx::remove_if_exists(&p)? {
            if let Some(d) = p.parent() {
                touched_dirs.insert(d.to_path_buf());
            }
            out.removed.push(p);
        }
    }
    for r in &backed {
        let (Some(rel), Some(want)) = (&r.backup, &r.before_sha256) else {
            continue;
        };
        if fsx::check_regular(&r.path)? && fsx::hash_file(&r.path)?.0 == *want {
            continue;
        }
        if let Some(d) = r.path.parent()
            && !d.is_dir()
        {
            return Err(FixError::Undo {
                path: d.to_path_buf(),
                message: "the folder of this file is gone; restore it by hand from the backup"
                    .into(),
            });
        }
        fsx::replace_with_copy(&bdir.join(rel), &r.path, r.mode.unwrap_or(0o600))?;
        out.restored.push(r.path.clone());
    }
    for d in touched_dirs {
        fsx::sync_dir(&d)?;
    }
    // Read back.
    for r in &backed {
        let got = fsx::hash_opt(&r.path)?;
        if got.as_deref() != r.before_sha256.as_deref() {
            return Err(FixError::Undo {
                path: r.path.clone(),
                message: "read-back after restoring does not match the backup".into(),
            });
        }
    }
    for p in current_files(&action.plan)? {
        if !keep.contains(p.as_path()) {
            return Err(FixError::Undo {
                path: p,
                message: "a file the fix created is still there after restoring".into(),
            });
        }
    }
    Ok(out)
}

fn move_back(
    action: &ActionRow,
    from: &Path,
    to: &Path,
    force: bool,
    out: &mut UndoneAction,
) -> Result<(), FixError> {
    let from_exists = fs::symlink_metadata(from).is_ok();
    let to_exists = fs::symlink_metadata(to).is_ok();
    // A partial cross-filesystem copy from a run that died: ours to remove.
    let partial = partial_name(to);
    if fs::symlink_metadata(&partial).is_ok() {
        fs::remove_dir_all(&partial)
            .map_err(|e| FixError::io(&partial, "remove the partial copy", e))?;
    }
    match (from_exists, to_exists) {
        (_, false) if action.status == Status::Started || action.status == Status::Undoing => {
            if from_exists {
                Ok(())
            } else {
                Err(FixError::Undo {
                    path: to.to_path_buf(),
                    message: format!(
                        "neither {} nor the moved folder exists; nothing to put back",
                        from.display()
                    ),
                })
            }
        }
        (_, false) => Err(FixError::Undo {
            path: to.to_path_buf(),
            message: "the moved-aside folder is gone; nothing to put back".into(),
        }),
        (true, true) => {
            if !force && action.status == Status::Applied {
                return Err(FixError::ChangedSince {
                    run_id: action.run_id.clone(),
                    paths: vec![from.to_path_buf()],
                });
            }
            // Keep whatever is in the way: never delete user data.
            let aside = aside_name(from, "undo");
            fs::rename(from, &aside).map_err(|e| FixError::io(from, "move aside", e))?;
            out.set_aside.push(aside);
            move_dir(to, from)?;
            out.moved_back.push((to.to_path_buf(), from.to_path_buf()));
            Ok(())
        }
        (false, true) => {
            move_dir(to, from)?;
            out.moved_back.push((to.to_path_buf(), from.to_path_buf()));
            Ok(())
        }
    }
}
