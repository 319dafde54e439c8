//! Apply a plan: lock the state folder and the stores, re-check the owner,
//! back up, journal the action as `started`, write, read back, journal the
//! files' hashes after; on a failure midway, restore from the backup at once.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use serde::Serialize;

use super::backup::{self, BackupSet};
use super::checks::check_plan_paths;
use super::error::{FixError, NotRestored};
use super::folders::move_dir;
use super::fsx;
use super::journal::{ActionRow, Journal, Status};
use super::lock::StateLock;
use super::owner::hold_stores;
use super::plan::{FixContext, Op, Plan};
use super::restore::restore;
use super::stores::{self, LdbSnapshot};
use super::watched::{current_files, current_state};
use crate::probe::Home;
use crate::readers::leveldb::StoreLock;

/// A fix that was applied (and read back).
#[derive(Debug, Clone, Serialize)]
pub struct Applied {
    pub run_id: String,
    /// Names the folder `<state_dir>/backups/<backup_id>`.
    pub backup_id: String,
    pub action: String,
    pub backup_dir: PathBuf,
    pub plan: Plan,
    pub keys_removed: usize,
    pub cookies_removed: usize,
    /// Files whose bytes changed, that the fix created, or that it removed.
    pub changed: Vec<PathBuf>,
    pub created: Vec<PathBuf>,
    pub removed: Vec<PathBuf>,
    pub moved: Vec<(PathBuf, PathBuf)>,
}

/// The stores' own locks a fix took, kept by [`apply_held`] for the caller
/// to hold through its verify re-scan and any rollback; released when
/// dropped.
#[derive(Debug, Default)]
pub struct StoreHold(pub(super) Vec<StoreLock>);

impl Applied {
    /// What was done, for reports: paths shown with `~`, no values.
    pub fn to_json(&self, home: &Home) -> serde_json::Value {
        let show = |v: &[PathBuf]| v.iter().map(|p| home.display(p)).collect::<Vec<_>>();
        serde_json::json!({
            "run_id": self.run_id,
            "backup_id": self.backup_id,
            "action": self.action,
            "backup_dir": home.display(&self.backup_dir),
            "keys_removed": self.keys_removed,
            "cookies_removed": self.cookies_removed,
            "changed": show(&self.changed),
            "created": show(&self.created),
            "removed": show(&self.removed),
            "moved": self.moved.iter().map(|(a, b)| serde_json::json!({"from": home.display(a), "to": home.display(b)})).collect::<Vec<_>>(),
        })
    }
}

/// An op with what was read from the store just before writing.
enum Prepared<'a> {
    Ldb {
        dir: &'a Path,
        before: LdbSnapshot,
        raw: Vec<Vec<u8>>,
    },
    Other(&'a Op),
}

fn prepare(plan: &Plan) -> Result<Vec<Prepared<'_>>, FixError> {
    let mut out = Vec::new();
    for op in &plan.ops {
        match op {
            Op::LeveldbDelete { dir, keys, origins } => {
                let before = stores::ldb_snapshot(dir)?;
                let raw = stores::ldb_targets(&before, keys, origins);
                if raw.is_empty() && !keys.is_empty() {
                    return Err(FixError::Stale {
                        path: dir.clone(),
                        message: "the keys to delete are no longer there".into(),
                    });
                }
                out.push(Prepared::Ldb { dir, before, raw });
            }
            Op::LsngDelete {
                db,
                keys,
                all: false,
                ..
            } => {
                let present = stores::lsng_keys(db)?;
                if !keys.iter().any(|k| present.contains(k)) {
                    return Err(FixError::Stale {
                        path: db.clone(),
                        message: "the keys to delete are no longer there".into(),
                    });
                }
                out.push(Prepared::Other(op));
            }
            Op::MoveAside { from, to } => {
                if !from.is_dir() {
                    return Err(FixError::Stale {
                        path: from.clone(),
                        message: "the folder to move is gone".into(),
                    });
                }
                if fs::symlink_metadata(to).is_ok() {
                    return Err(FixError::Stale {
                        path: to.clone(),
                        message: "the destination exists now".into(),
                    });
                }
                out.push(Prepared::Other(op));
            }
            other => out.push(Prepared::Other(other)),
        }
    }
    Ok(out)
}

#[derive(Default)]
struct Done {
    keys: usize,
    cookies: usize,
    moved: Vec<(PathBuf, PathBuf)>,
}

fn run_ops(work: &[Prepared<'_>], locks: &[StoreLock]) -> Result<Done, FixError> {
    let mut done = Done::default();
    for p in work {
        match p {
            Prepared::Ldb { dir, before, raw } => {
                if !raw.is_empty() {
                    let lock = locks.iter().find(|l| l.dir() == *dir).ok_or_else(|| {
                        FixError::store(dir, "the store's LOCK is not held; not writing")
                    })?;
                    done.keys += stores::ldb_delete(lock, before, raw)?;
                }
            }
            Prepared::Other(Op::LsngDelete { db, keys, all, .. }) => {
                done.keys += stores::delete_lsng(db, keys, *all)?;
            }
            Prepared::Other(Op::CookiesDelete {
                db,
                flavor,
                domains,
            }) => {
                done.cookies += stores::delete_cookies(db, *flavor, domains)?;
            }
            Prepared::Other(Op::MoveAside { from, to }) => {
                move_dir(from, to)?;
                done.moved.push((from.clone(), to.clone()));
            }
            Prepared::Other(Op::LeveldbDelete { .. }) => {}
        }
    }
    Ok(done)
}

fn next_backup_id(journal: &Journal, ctx: &FixContext) -> Result<String, FixError> {
    for n in 1..1000 {
        let id = if n == 1 {
            ctx.run_id.to_string()
        } else {
            format!("{}-{n}", ctx.run_id)
        };
        if !journal.backup_id_taken(&id)?
            && fs::symlink_metadata(backup::backup_dir(ctx.state_dir, &id)).is_err()
        {
            return Ok(id);
        }
    }
    Err(FixError::Backup {
        path: backup::backups_root(ctx.state_dir),
        message: format!("too many backups for run {}", ctx.run_id),
    })
}

/// Whether every file the plan may change still is as its backup holds it
/// (and no file appeared): nothing was written. Anything unreadable
/// counts as changed.
fn store_unchanged(plan: &Plan, backed: &[super::journal::FileRow]) -> bool {
    let known: Vec<PathBuf> = backed.iter().map(|f| f.path.clone()).collect();
    let Ok(now) = current_state(plan, &known) else {
        return false;
    };
    let before: BTreeMap<&Path, Option<&str>> = backed
        .iter()
        .map(|f| (f.path.as_path(), f.before_sha256.as_deref()))
        .collect();
    plan.ops
        .iter()
        .all(|op| !matches!(op, Op::MoveAside { .. }))
        && now.iter().all(|(p, st)| {
            before.get(p.as_path()).copied().flatten() == st.as_ref().map(|(h, _)| h.as_str())
        })
}

/// Apply a plan: lock the state folder, re-check the owner, back up, journal,
/// write, read back. On any failure after the first write the backup is
/// restored before returning the error.
pub fn apply(plan: &Plan, ctx: &FixContext) -> Result<Applied, FixError> {
    apply_held(plan, ctx).map(|(applied, _released)| applied)
}

/// [`apply`], keeping the stores' locks (see [`StoreHold`]): from the
/// owner re-check until the caller drops them, neither the browser nor
/// another troubleshoot run can write those stores.
pub fn apply_held(plan: &Plan, ctx: &FixContext) -> Result<(Applied, StoreHold), FixError> {
    fsx::check_run_id(ctx.run_id)?;
    check_plan_paths(plan, ctx.home)?;
    let _lock = StateLock::acquire(ctx.state_dir, ctx.run_id)?;
    let stores = hold_stores(plan, ctx.home)?;
    let mut journal = Journal::open(ctx.state_dir)?;
    let work = prepare(plan)?;
    let present = current_files(plan)?;
    for f in &present {
        fsx::check_under(&ctx.home.root, f)?;
    }
    let backup_id = next_backup_id(&journal, ctx)?;
    journal.ensure_run(ctx.run_id, ctx.home)?;
    let set: BackupSet = backup::create(
        ctx.state_dir,
        &backup_id,
        ctx.run_id,
        &plan.action,
        &plan.store_path,
        &present,
        &plan.moves,
    )?;
    let action_id = journal.begin(ctx.run_id, &backup_id, plan, &set.files)?;
    // From here the store may change: journaled first, so an interrupted
    // fix whose row still says `backed-up` is known to have changed nothing.
    journal.mark_writing(action_id)?;

    match run_ops(&work, &stores) {
        Ok(done) => {
            let known: Vec<PathBuf> = set.files.iter().map(|f| f.path.clone()).collect();
            let not_recorded = |e: FixError| FixError::NotRecorded {
                message: e.to_string(),
                undo: crate::state::undo_command(ctx.run_id, ctx.state_dir),
            };
            let after = current_state(plan, &known).map_err(not_recorded)?;
            journal
                .finish(action_id, &after, Status::Applied, None)
                .map_err(not_recorded)?;
            let before: BTreeMap<&Path, &str> = set
                .files
                .iter()
                .filter_map(|f| f.before_sha256.as_deref().map(|s| (f.path.as_path(), s)))
                .collect();
            let mut changed = Vec::new();
            let mut created = Vec::new();
            let mut removed = Vec::new();
            for (p, st) in &after {
                match (before.get(p.as_path()), st) {
                    (Some(b), Some((a, _))) if b != a => changed.push(p.clone()),
                    (None, Some(_)) => created.push(p.clone()),
                    (Some(_), None) => removed.push(p.clone()),
                    _ => {}
                }
            }
            Ok((
                Applied {
                    run_id: ctx.run_id.to_string(),
                    backup_id,
                    action: plan.action.clone(),
                    backup_dir: set.dir,
                    plan: plan.clone(),
                    keys_removed: done.keys,
                    cookies_removed: done.cookies,
                    changed,
                    created,
                    removed,
                    moved: done.moved,
                },
                StoreHold(stores),
            ))
        }
        Err(e) => {
            let row = ActionRow {
                id: action_id,
                run_id: ctx.run_id.to_string(),
                backup_id: backup_id.clone(),
                action: plan.action.clone(),
                store_path: plan.store_path.clone(),
                owner: plan.owner.clone(),
                plan: plan.clone(),
                status: Status::Started,
                started_at: String::new(),
                finished_at: None,
                message: None,
                phase: Some(super::journal::PHASE_WRITING.into()),
                undo_mode: None,
            };
            // A write refused before its first byte (a torn log, a full
            // disk) left the store as the backup holds it: say so.
            if store_unchanged(plan, &set.files) {
                let _ = journal.set_status(
                    action_id,
                    Status::Failed,
                    Some(&format!("nothing was changed: {e}")),
                );
                return Err(FixError::Unchanged {
                    message: e.to_string(),
                });
            }
            match restore(ctx.state_dir, &row, &set.files, true) {
                Ok(_) => {
                    let _ = journal.set_status(action_id, Status::Failed, Some(&e.to_string()));
                    Err(FixError::FailedRestored {
                        backup_id,
                        message: e.to_string(),
                    })
                }
                Err(r) => {
                    let _ =
                        journal.set_status(action_id, Status::RestoreFailed, Some(&e.to_string()));
                    Err(FixError::FailedNotRestored(Box::new(NotRestored {
                        run_id: ctx.run_id.to_string(),
                        backup_id,
                        backup_dir: set.dir,
                        store: plan.store_path.clone(),
                        message: e.to_string(),
                        restore: r.to_string(),
                        undo: crate::state::undo_command(ctx.run_id, ctx.state_dir),
                    })))
                }
            }
        }
    }
}
