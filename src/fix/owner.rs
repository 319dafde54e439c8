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
                if let Holder::Tool(who) = lock_holder(&path) {
                    return Err(FixError::Busy {
                        lock: path,
                        holder: who,
                    });
                }
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
    // A store lock another run of this tool holds is not the owner
    // running: taking the lock then fails as [`FixError::Busy`], naming
    // that run, with nothing changed.
    let mut held: Vec<&Path> = held.to_vec();
    for (dir, kind) in store_locks(plan) {
        if !held.contains(&dir) && matches!(lock_holder(&kind.lock_file(dir)), Holder::Tool(_)) {
            held.push(dir);
        }
    }
    let held = held.as_slice();
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

/// Who holds a store's lock file, as far as can be told.
#[derive(Debug, PartialEq)]
enum Holder {
    /// Another run of this tool: its state lock's line ("pid N run ID
    /// since T") when found, else what is known.
    Tool(String),
    /// The browser or app (or it cannot be told).
    Owner,
}

/// Tell another run of this tool from the browser holding `lock`.
///
/// This tool takes an open-file-description lock (`F_OFD_SETLK`), which
/// the kernel reports with pid -1; C++ LevelDB (Chromium, the Notion app)
/// and Firefox take classic `fcntl` locks, reported with their pid. The
/// holder is then the process with `lock` open (`/proc/<pid>/fd`), and its
/// run id is in the state lock it holds beside a `journal.sqlite`.
fn lock_holder(lock: &Path) -> Holder {
    #[cfg(target_os = "linux")]
    {
        use nix::fcntl::{FcntlArg, fcntl};
        let Ok(file) = super::fsx::open_nofollow(lock) else {
            return Holder::Owner;
        };
        let mut fl = crate::readers::leveldb::write::whole_file_write_lock();
        if fcntl(&file, FcntlArg::F_OFD_GETLK(&mut fl)).is_err() {
            return Holder::Owner;
        }
        if fl.l_type == libc::F_UNLCK as libc::c_short {
            return Holder::Owner;
        }
        let by_pid = if fl.l_pid > 0 {
            // A classic lock: this tool only if that process is this binary.
            let exe = |pid: String| std::fs::read_link(format!("/proc/{pid}/exe")).ok();
            if exe(fl.l_pid.to_string()).is_some()
                && exe(fl.l_pid.to_string()) == exe("self".into())
            {
                Some(fl.l_pid as u32)
            } else {
                return Holder::Owner;
            }
        } else {
            None
        };
        let pids = match by_pid {
            Some(p) => vec![p],
            None => processes_with_open(lock),
        };
        for pid in &pids {
            if let Some(line) = state_lock_line(*pid) {
                return Holder::Tool(line);
            }
        }
        Holder::Tool(match pids.first() {
            Some(pid) => format!("pid {pid}{}", command_line(*pid)),
            None => "its pid unknown".into(),
        })
    }
    #[cfg(not(target_os = "linux"))]
    {
        let _ = lock;
        Holder::Owner
    }
}

/// Processes of this user (other than this one) with `path` open.
#[cfg(target_os = "linux")]
fn processes_with_open(path: &Path) -> Vec<u32> {
    let me = std::process::id();
    let mut out = Vec::new();
    let Ok(procs) = std::fs::read_dir("/proc") else {
        return out;
    };
    for p in procs.flatten() {
        let Some(pid) = p.file_name().to_str().and_then(|n| n.parse::<u32>().ok()) else {
            continue;
        };
        if pid == me {
            continue;
        }
        let Ok(fds) = std::fs::read_dir(p.path().join("fd")) else {
            continue;
        };
        if fds
            .flatten()
            .any(|fd| std::fs::read_link(fd.path()).is_ok_and(|t| t == path))
        {
            out.push(pid);
        }
    }
    out
}

/// `: <command line>` of a process, shortened, or nothing.
#[cfg(target_os = "linux")]
fn command_line(pid: u32) -> String {
    let Ok(raw) = std::fs::read(format!("/proc/{pid}/cmdline")) else {
        return String::new();
    };
    let words: Vec<String> = raw
        .split(|b| *b == 0)
        .filter(|w| !w.is_empty())
        .map(|w| String::from_utf8_lossy(w).into_owned())
        .collect();
    if words.is_empty() {
        return String::new();
    }
    format!(": {}", crate::sanitize::terminal(&words.join(" "), 120))
}

/// The line a process wrote in the state lock it holds (a `lock` file
/// beside a `journal.sqlite` among its open files).
#[cfg(target_os = "linux")]
fn state_lock_line(pid: u32) -> Option<String> {
    let fds = std::fs::read_dir(format!("/proc/{pid}/fd")).ok()?;
    for fd in fds.flatten() {
        let Ok(t) = std::fs::read_link(fd.path()) else {
            continue;
        };
        if t.file_name().is_some_and(|n| n == "lock")
            && t.with_file_name(super::journal::FILE_NAME).is_file()
        {
            let bytes = crate::bounded::read(&t, crate::bounded::Kind::Record).ok()?;
            let text = String::from_utf8_lossy(&bytes);
            let line = text.lines().next().unwrap_or("").trim();
            if !line.is_empty() {
                return Some(crate::sanitize::terminal(line, 200).into_owned());
            }
        }
    }
    None
}
