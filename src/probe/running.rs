//! Is a program running, or holding its store? Lock files first (they also
//! work for a home from `--root`), then the process list (only for the real
//! home). Every check here is read-only: locks are tested, never taken.
//!
//! Used by the scan (`running` facts) and by fixes, which refuse to write a
//! store whose owner [`owner_has_store`] finds holding it.

use std::fs;
use std::path::{Path, PathBuf};

use super::browsers::{BROWSERS, Browser};
use super::layout::Home;
pub use crate::os::{pid_alive, this_hostname};

/// Chromium's `SingletonLock` in a user data folder (Chromium, Chrome, Edge,
/// Brave, Vivaldi, Electron apps): a symlink to `hostname-PID`. Returns the
/// reason when it names this host and a live process.
///
/// On Windows the lock is `lockfile`, opened with FILE_FLAG_DELETE_ON_CLOSE:
/// it exists only while the browser runs (or after a crash), so its presence
/// counts as running (a home inspected with `--layout windows`).
pub fn chromium_singleton(user_data_dir: &Path) -> Option<String> {
    if fs::symlink_metadata(user_data_dir.join("lockfile")).is_ok_and(|m| m.is_file()) {
        return Some(
            "its Windows `lockfile` is present (the browser runs, or it crashed and will remove it on its next start)"
                .into(),
        );
    }
    let lock = user_data_dir.join("SingletonLock");
    let target = fs::read_link(&lock).ok()?;
    let target = target.to_string_lossy();
    let (host, pid) = target.rsplit_once('-')?;
    let pid: i64 = pid.trim().parse().ok()?;
    if host == this_hostname() && pid_alive(pid) {
        Some(format!(
            "SingletonLock names process {pid} on this host, which is alive"
        ))
    } else {
        None
    }
}

/// Firefox's profile lock: `lock` (symlink to `IP:+PID`, Linux) with a live
/// process, or `.parentlock` held with fcntl (Linux, macOS).
pub fn firefox_lock(profile_dir: &Path) -> Option<String> {
    firefox_lock_link(profile_dir).or_else(|| {
        if crate::readers::leveldb::write::held_here(profile_dir) {
            return None; // our own fix holds `.parentlock`
        }
        let parent = profile_dir.join(".parentlock");
        if parent.is_file()
            && let Some(who) = file_lock_held(&parent)
        {
            return Some(format!(".parentlock is {who}"));
        }
        None
    })
}

/// Firefox's `lock` symlink (`IP:+PID`) names a live process.
fn firefox_lock_link(profile_dir: &Path) -> Option<String> {
    if let Ok(target) = fs::read_link(profile_dir.join("lock")) {
        let target = target.to_string_lossy();
        if let Some((_, pid)) = target.rsplit_once(":+")
            && let Ok(pid) = pid.trim().parse::<i64>()
            && pid_alive(pid)
        {
            return Some(format!(
                "profile `lock` names process {pid}, which is alive"
            ));
        }
    }
    None
}

/// A LevelDB folder's `LOCK` file is held by another process (the browser or
/// app has the store open).
pub fn leveldb_lock_held(leveldb_dir: &Path) -> Option<String> {
    if crate::readers::leveldb::write::held_here(leveldb_dir) {
        return None; // our own fix holds it (its verify re-scan runs now)
    }
    let lock = leveldb_dir.join("LOCK");
    if !lock.is_file() {
        return None;
    }
    file_lock_held(&lock).map(|who| format!("LevelDB LOCK is {who}"))
}

/// Test, without taking it, whether a lock is held on `path`: a POSIX record
/// lock (fcntl `F_GETLK`, what Chromium's LevelDB and Firefox use) or a BSD
/// `flock` lock (what rusty-leveldb, which writes the sample stores, takes).
/// Returns "locked by process N" or "locked by another process".
pub fn file_lock_held(path: &Path) -> Option<String> {
    #[cfg(unix)]
    {
        use nix::fcntl::{FcntlArg, fcntl};
        // Never through a link, never blocking on a FIFO.
        let file = crate::readers::leveldb::store::open_regular(path).ok()?;
        let mut fl = crate::readers::leveldb::write::whole_file_write_lock();
        if fcntl(&file, FcntlArg::F_GETLK(&mut fl)).is_ok()
            && fl.l_type != libc::F_UNLCK as libc::c_short
        {
            // An open-file-description lock (what troubleshoot's own writer
            // takes) has no owning process: l_pid is -1.
            if fl.l_pid <= 0 {
                return Some("locked by another process".to_string());
            }
            return Some(format!("locked by process {}", fl.l_pid));
        }
        // flock: a shared, non-blocking attempt only fails when someone holds
        // it exclusively; the lock is released when `file` closes.
        match file.try_lock_shared() {
            Err(fs::TryLockError::WouldBlock) => Some("locked by another process".to_string()),
            _ => None,
        }
    }
    #[cfg(not(unix))]
    {
        let _ = path;
        None
    }
}

/// One process in a [`ProcessList`].
#[derive(Debug, Clone)]
pub struct ProcessInfo {
    pub pid: u32,
    pub name: String,
    pub exe: Option<PathBuf>,
}

/// A snapshot of this machine's processes (names and executables).
#[derive(Debug, Clone, Default)]
pub struct ProcessList {
    pub processes: Vec<ProcessInfo>,
}

impl ProcessList {
    /// Read the process list now. Empty when the OS refuses.
    pub fn snapshot() -> ProcessList {
        use sysinfo::{ProcessRefreshKind, ProcessesToUpdate, System, UpdateKind};
        let mut sys = match System::new() {
            Ok(s) => s,
            Err(_) => return ProcessList::default(),
        };
        sys.refresh_processes_specifics(
            ProcessesToUpdate::All,
            true,
            ProcessRefreshKind::nothing().with_exe(UpdateKind::OnlyIfNotSet),
        );
        let processes = sys
            .processes()
            .iter()
            .map(|(pid, p)| ProcessInfo {
                pid: pid.as_u32(),
                name: p.name().to_string_lossy().into_owned(),
                exe: p.exe().map(Path::to_path_buf),
            })
            .collect();
        ProcessList { processes }
    }

    /// The first process matching one of `names` (exact, or the 15-character
    /// truncation Linux applies, or the executable's file name) or whose
    /// executable path contains one of `exe_hints` (lowercase, `/`).
    pub fn find(&self, names: &[&str], exe_hints: &[&str]) -> Option<&ProcessInfo> {
        let own = std::process::id();
        self.processes.iter().find(|p| {
            if p.pid == own {
                return false;
            }
            let exe_name = p
                .exe
                .as_ref()
                .and_then(|e| e.file_name())
                .map(|n| n.to_string_lossy().into_owned());
            let name_hit = names.iter().any(|n| {
                let trunc: String = n.chars().take(15).collect();
                p.name == *n
                    || (n.chars().count() > 15 && p.name == trunc)
                    || exe_name.as_deref() == Some(*n)
            });
            if name_hit {
                return true;
            }
            match &p.exe {
                Some(exe) => {
                    let path = exe.to_string_lossy().to_lowercase().replace('\\', "/");
                    exe_hints.iter().any(|h| path.contains(h))
                }
                None => false,
            }
        })
    }

    /// "process NAME (pid N) is running" for a match.
    pub fn running(&self, names: &[&str], exe_hints: &[&str]) -> Option<String> {
        self.find(names, exe_hints)
            .map(|p| format!("process {} (pid {}) is running", p.name, p.pid))
    }
}

/// Process names of an Electron app whose data folder is `folder` ("Notion").
pub fn app_process_names(folder: &str) -> Vec<String> {
    vec![
        folder.to_string(),
        format!("{folder}.exe"),
        format!("{folder} Helper"),
        folder.to_lowercase(),
    ]
}

/// Which known program owns `path` under `home`: a browser, or the app whose
/// folder sits directly under the app-data folder.
pub fn owner_of(home: &Home, path: &Path) -> Owner {
    for b in BROWSERS {
        if b.roots(home).iter().any(|r| path.starts_with(r)) {
            return Owner::Browser(b);
        }
    }
    for base in [home.roaming_app_data(), home.local_app_data()] {
        if let Ok(rest) = path.strip_prefix(&base)
            && let Some(first) = rest.components().next()
        {
            return Owner::App(first.as_os_str().to_string_lossy().into_owned());
        }
    }
    Owner::Unknown
}

/// The owner of a store, as found by [`owner_of`].
#[derive(Debug, Clone)]
pub enum Owner {
    Browser(&'static Browser),
    /// An app folder name under the app-data folder ("Notion").
    App(String),
    Unknown,
}

impl Owner {
    pub fn name(&self) -> String {
        match self {
            Owner::Browser(b) => b.name.to_string(),
            Owner::App(a) => a.clone(),
            Owner::Unknown => "the program that owns it".to_string(),
        }
    }
}

/// Lock-file evidence only: walk from `path` up to the home and report the
/// first held lock (LevelDB `LOCK`, Chromium `SingletonLock`, Firefox
/// `lock`/`.parentlock`), not counting the lock files of the folders in
/// `held` (LevelDB folders, Firefox profiles), whose lock this process holds.
pub fn lock_evidence_except(home: &Home, path: &Path, held: &[&Path]) -> Option<String> {
    let mut dir: Option<&Path> = Some(path);
    while let Some(d) = dir {
        if d.is_dir() {
            if !held.contains(&d)
                && d.join("CURRENT").is_file()
                && let Some(r) = leveldb_lock_held(d)
            {
                return Some(r);
            }
            if let Some(r) = chromium_singleton(d) {
                return Some(r);
            }
            if (fs::symlink_metadata(d.join("lock")).is_ok() || d.join(".parentlock").exists())
                && let Some(r) = if held.contains(&d) {
                    // We hold `.parentlock` ourselves; the `lock` link still counts.
                    firefox_lock_link(d)
                } else {
                    firefox_lock(d)
                }
            {
                return Some(r);
            }
        }
        if d == home.root || !d.starts_with(&home.root) {
            break;
        }
        dir = d.parent();
    }
    None
}

/// What shows that the program owning a store has it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum InUse {
    /// A lock file is held ("LevelDB LOCK is locked by process 12").
    Locked(String),
    /// The owner's process runs ("process chrome (pid 12) is running").
    Running(String),
}

/// Whether the owner of `store` (a LevelDB folder, an SQLite file, a
/// profile folder or an app data folder) has it. Lock files at or above
/// any of `lock_paths` always count, except those of the folders in `held`
/// (this process holds them); the process list only when the home is the
/// real one (`!home.explicit_root`): the owner [`owner_of`] finds for
/// `store`, or a process named one of `extra_processes` (a desktop app's).
pub fn owner_has_store(
    home: &Home,
    store: &Path,
    lock_paths: &[PathBuf],
    extra_processes: &[String],
    held: &[&Path],
) -> Option<InUse> {
    for p in lock_paths {
        if let Some(r) = lock_evidence_except(home, p, held) {
            return Some(InUse::Locked(r));
        }
    }
    if home.explicit_root {
        return None;
    }
    let list = ProcessList::snapshot();
    process_evidence(&list, &owner_of(home, store), extra_processes).map(InUse::Running)
}

/// Is the store at `path` in use ([`owner_has_store`])? Returns
/// "PROGRAM is using it: reason" or "PROGRAM is running: reason". Fixes ask
/// the same of their plan's stores (`fix::owner_running`).
pub fn store_in_use(home: &Home, path: &Path) -> Option<String> {
    let found = owner_has_store(home, path, &[path.to_path_buf()], &[], &[])?;
    let owner = owner_of(home, path).name();
    Some(match found {
        InUse::Locked(reason) => format!("{owner} is using it: {reason}"),
        InUse::Running(reason) => format!("{owner} is running: {reason}"),
    })
}

/// Process-list evidence for an owner, from a snapshot.
pub fn process_evidence(list: &ProcessList, owner: &Owner, extra: &[String]) -> Option<String> {
    let mut names: Vec<String> = extra.to_vec();
    let mut hints: Vec<&str> = Vec::new();
    match owner {
        Owner::Browser(b) => {
            names.extend(b.processes.iter().map(|s| s.to_string()));
            hints.extend(b.exe_hints.iter().copied());
        }
        Owner::App(a) => names.extend(app_process_names(a)),
        Owner::Unknown => {}
    }
    if names.is_empty() && hints.is_empty() {
        return None;
    }
    let names: Vec<&str> = names.iter().map(String::as_str).collect();
    list.running(&names, &hints)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn own_pid_is_alive_and_zero_is_not() {
        assert!(pid_alive(i64::from(std::process::id())));
        assert!(!pid_alive(0));
        assert!(!pid_alive(-5));
    }

    #[cfg(unix)]
    #[test]
    fn singleton_lock_names_this_host() {
        let dir = tempfile::tempdir().unwrap();
        let target = format!("{}-{}", this_hostname(), std::process::id());
        std::os::unix::fs::symlink(&target, dir.path().join("SingletonLock")).unwrap();
        assert!(chromium_singleton(dir.path()).is_some());
        let other = tempfile::tempdir().unwrap();
        std::os::unix::fs::symlink("otherhost-1", other.path().join("SingletonLock")).unwrap();
        assert!(chromium_singleton(other.path()).is_none());
        std::fs::write(other.path().join("lockfile"), b"").unwrap();
        assert!(
            chromium_singleton(other.path())
                .unwrap()
                .contains("lockfile")
        );
    }

    #[cfg(unix)]
    #[test]
    fn flock_held_elsewhere_is_seen() {
        let dir = tempfile::tempdir().unwrap();
        let lock = dir.path().join("LOCK");
        fs::write(&lock, b"").unwrap();
        assert!(file_lock_held(&lock).is_none());
        let f = fs::File::open(&lock).unwrap();
        f.try_lock().unwrap();
        assert!(file_lock_held(&lock).is_some());
        drop(f);
        assert!(file_lock_held(&lock).is_none());
    }
}
