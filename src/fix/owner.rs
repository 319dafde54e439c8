//! Whether the program owning a plan's stores runs, and the stores' own
//! locks a fix holds while it writes (so that program cannot start writing
//! them meanwhile, nor can another troubleshoot run).

use std::path::{Path, PathBuf};

use super::error::FixError;
use super::plan::{FixContext, Op, Plan};
use super::stores;
use crate::probe::Home;
use crate::probe::running::{InUse, owner_has_store};
use crate::readers::leveldb::{LockError, StoreLock};

/// `Some(reason and what to do)` when the program owning the plan's store
/// runs or holds its lock: lock files always count (`SingletonLock`,
/// Firefox `lock`/`.parentlock`, LevelDB `LOCK`); the process list only
/// for the real home (not with `--root`).
pub fn owner_running(plan: &Plan, ctx: &FixContext) -> Option<String> {
    owner_running_except(plan, ctx.home, &[])
}

/// Take the lock of every store the plan writes (the `fcntl` lock on a
/// LevelDB's `LOCK`, the one Chromium takes; Firefox's on `.parentlock`),
/// then check the owner: from here until the locks are dropped, the
/// browser cannot open those stores and no other troubleshoot run, whatever
/// its state folder, can write them. A lock held by someone else is the
/// owner running.
pub(crate) fn hold_stores(plan: &Plan, home: &Home) -> Result<Vec<StoreLock>, FixError> {
    hold_more_stores(plan, home, &[])
}

/// The stores a plan writes and the lock each takes: a LevelDB's `LOCK`,
/// a Firefox profile's `.parentlock` (Firefox's own lock, so neither
/// Firefox nor another troubleshoot run can write it meanwhile).
fn store_locks(plan: &Plan) -> Vec<(&Path, LockedStore)> {
    let mut out: Vec<(&Path, LockedStore)> = Vec::new();
    for op in &plan.ops {
        let lock = match op {
            Op::LeveldbDelete { dir, .. } if dir.join("CURRENT").is_file() => {
                Some((dir.as_path(), LockedStore::Leveldb))
            }
            // Only where Firefox made one: taking the lock must not add a
            // file to the profile.
            Op::LsngDelete { db, .. } => db
                .ancestors()
                .nth(5)
                .filter(|p| LockedStore::FirefoxProfile.lock_file(p).is_file())
                .map(|p| (p, LockedStore::FirefoxProfile)),
            Op::CookiesDelete {
                db,
                flavor: stores::CookieFlavor::Firefox,
                ..
            } => db
                .parent()
                .filter(|p| LockedStore::FirefoxProfile.lock_file(p).is_file())
                .map(|p| (p, LockedStore::FirefoxProfile)),
            _ => None,
        };
        if let Some(l) = lock
            && !out.contains(&l)
        {
            out.push(l);
        }
    }
    out
}

/// The kind of store a fix locks, which names its lock file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum LockedStore {
    /// A LevelDB folder: `LOCK`, the `fcntl` lock Chromium takes.
    Leveldb,
    /// A Firefox profile folder: `.parentlock`, Firefox's own lock.
    FirefoxProfile,
}

impl LockedStore {
    fn file_name(self) -> &'static str {
        match self {
            LockedStore::Leveldb => "LOCK",
            LockedStore::FirefoxProfile => ".parentlock",
        }
    }

    fn lock_file(self, dir: &Path) -> PathBuf {
        dir.join(self.file_name())
    }
}

/// [`hold_stores`] when `held` (taken by an earlier step of the same fix)
/// are already held: only the others are taken. Returns the new ones.
pub(crate) fn hold_more_stores(
    plan: &Plan,
    home: &Home,
    held: &[StoreLock],
) -> Result<Vec<StoreLock>, FixError> {
    let mut locks = Vec::new();
    for (dir, kind) in store_locks(plan) {
        if held.iter().any(|l| l.dir() == dir) {
            continue;
        }
        match StoreLock::acquire_named(dir, kind.file_name()) {
            Ok(l) => locks.push(l),
            Err(LockError::Held { path }) => {
                return Err(FixError::OwnerRunning {
                    owner: plan.owner.clone(),
                    reason: format!(
                        "{} is using its data ({} is locked); {}",
                        plan.owner,
                        path.display(),
                        owner_hint(plan)
                    ),
                });
            }
            Err(LockError::Other { path, message }) => {
                return Err(FixError::UnsafePath {
                    path,
                    reason: message,
                });
            }
        }
    }
    let all: Vec<&Path> = locks.iter().chain(held).map(StoreLock::dir).collect();
    if let Some(reason) = owner_running_except(plan, home, &all) {
        return Err(FixError::OwnerRunning {
            owner: plan.owner.clone(),
            reason,
        });
    }
    Ok(locks)
}

fn owner_hint(plan: &Plan) -> String {
    if plan.owner_is_app() {
        format!(
            "quit {} completely (also from the system tray or menu bar), then try again",
            plan.owner
        )
    } else {
        format!(
            "close every {} window (and wait for it to exit), then try again",
            plan.owner
        )
    }
}

/// [`owner_running`], not counting the lock files of the folders in
/// `held` (this process holds those itself).
fn owner_running_except(plan: &Plan, home: &Home, held: &[&Path]) -> Option<String> {
    let found = owner_has_store(
        home,
        &plan.store_path,
        &plan.lock_paths,
        &plan.owner_processes,
        held,
    )?;
    let hint = owner_hint(plan);
    Some(match found {
        InUse::Locked(r) => format!("{} is using its data ({r}); {hint}", plan.owner),
        InUse::Running(r) => format!("{} is running ({r}); {hint}", plan.owner),
    })
}
