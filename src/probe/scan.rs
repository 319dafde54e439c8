//! `scan`: every browser profile and the desktop app under a home, their
//! Notion sessions, sync, linked accounts and running state. Read-only; an
//! unreadable store becomes a warning and the scan goes on.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use std::sync::atomic::{AtomicBool, Ordering};

use super::browsers::{BROWSERS, Family};
use super::layout::Home;
use super::model::*;
use super::running::ProcessList;
use super::sessions::{DefaultStore, LsItem, StoreExtra, StoreFacts, analyze};
use super::spec::AppSpec;
use crate::readers::StoreError;
use crate::readers::leveldb::{LsRead, read_local_storage};
use crate::readers::sqlite::{CookieQuery, CookieRow, CookieSchema, read_cookies};

/// Scan `home` for the app described by `spec`.
///
/// The probes run in order on this thread; the store reads they will ask
/// for (Local Storage and cookie databases, found by [`Prefetch::plan`]) run
/// ahead on up to `available_parallelism - 1` other threads, and this thread
/// helps while it waits. Results and warnings are the same, in the same
/// order, as with the reads done in place.
pub fn scan(home: &Home, spec: &AppSpec) -> ScanReport {
    let pre = Prefetch::plan(home, spec);
    let threads = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1)
        .min(8);
    let workers = threads.saturating_sub(1).min(pre.jobs.len());
    std::thread::scope(|s| {
        for _ in 0..workers {
            s.spawn(|| pre.work());
        }
        let mut ctx = Ctx::new(home, spec);
        ctx.pre = Some(&pre);
        for b in BROWSERS {
            match b.family {
                Family::Chromium => super::chromium::scan_browser(&mut ctx, b),
                Family::Firefox => super::firefox::scan_browser(&mut ctx, b),
            }
        }
        let desktop = super::desktop::scan_desktop(&mut ctx);
        // Reads nobody asked for (a folder that looked like a profile) stop.
        pre.stop.store(true, Ordering::Relaxed);
        ctx.finish(desktop)
    })
}

/// One store read.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum Job {
    Ls(PathBuf),
    /// A cookie database; `true` for Firefox's schema.
    Cookies(PathBuf, bool),
}

#[derive(Debug, Clone)]
enum Done {
    Ls(Result<LsRead, StoreError>),
    Cookies(Result<Vec<CookieRow>, StoreError>),
}

/// Store reads planned ahead of the probes, each run once by whichever
/// thread claims it first.
pub(crate) struct Prefetch {
    jobs: Vec<Job>,
    index: HashMap<Job, usize>,
    claimed: Vec<AtomicBool>,
    results: Vec<OnceLock<Done>>,
    stop: AtomicBool,
    origins: Vec<String>,
    query: CookieQuery,
}

/// Sub-folders of `dir` holding `marker`, `Default` first, then by name.
fn folders_with(dir: &Path, marker: &str) -> Vec<PathBuf> {
    let Ok(rd) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut out: Vec<PathBuf> = rd
        .flatten()
        .filter(|e| e.file_type().map(|t| t.is_dir()).unwrap_or(false))
        .map(|e| e.path())
        .filter(|p| p.join(marker).symlink_metadata().is_ok())
        .collect();
    out.sort_by_key(|p| (p.file_name().is_none_or(|n| n != "Default"), p.clone()));
    out
}

impl Prefetch {
    /// The reads the probes will most likely ask for, in the order they ask:
    /// Chromium-family profiles (folders with `Preferences`), Firefox
    /// profiles (folders with `cookies.sqlite`), the desktop app.
    fn plan(home: &Home, spec: &AppSpec) -> Prefetch {
        let mut jobs = Vec::new();
        let chromium_store = |jobs: &mut Vec<Job>, dir: &Path| {
            let ls = dir.join("Local Storage/leveldb");
            if ls.is_dir() {
                jobs.push(Job::Ls(ls));
            }
            for f in super::chromium::cookie_files(dir) {
                if f.is_file() {
                    jobs.push(Job::Cookies(f, false));
                }
            }
        };
        for b in BROWSERS {
            for root in b.roots(home) {
                match b.family {
                    Family::Chromium => {
                        for p in folders_with(&root, "Preferences") {
                            chromium_store(&mut jobs, &p);
                        }
                    }
                    Family::Firefox => {
                        for base in [root.clone(), root.join("Profiles")] {
                            for p in folders_with(&base, "cookies.sqlite") {
                                let f = p.join("cookies.sqlite");
                                if f.is_file() {
                                    jobs.push(Job::Cookies(f, true));
                                }
                            }
                        }
                    }
                }
            }
        }
        if let Some(d) = &spec.desktop {
            let data = home.roaming_app_data().join(&d.folder);
            let part = if d.partition.is_empty() {
                data
            } else {
                data.join(&d.partition)
            };
            chromium_store(&mut jobs, &part);
        }
        let mut index = HashMap::new();
        jobs.retain(|j| {
            let fresh = !index.contains_key(j);
            if fresh {
                index.insert(j.clone(), index.len());
            }
            fresh
        });
        let n = jobs.len();
        Prefetch {
            jobs,
            index,
            claimed: (0..n).map(|_| AtomicBool::new(false)).collect(),
            results: (0..n).map(|_| OnceLock::new()).collect(),
            stop: AtomicBool::new(false),
            origins: spec.origins.clone(),
            query: cookie_query(spec, home),
        }
    }

    fn claim(&self, i: usize) -> bool {
        !self.claimed[i].swap(true, Ordering::AcqRel)
    }

    fn run(&self, i: usize) {
        let done = match &self.jobs[i] {
            Job::Ls(dir) => Done::Ls(read_local_storage(dir, &self.origins)),
            Job::Cookies(f, firefox) => {
                let schema = if *firefox {
                    CookieSchema::Firefox
                } else {
                    CookieSchema::Chromium
                };
                Done::Cookies(read_cookies(f, schema, &self.query))
            }
        };
        let _ = self.results[i].set(done);
    }

    /// Run the next unclaimed job; false when none is left.
    fn run_next(&self) -> bool {
        for i in 0..self.jobs.len() {
            if self.stop.load(Ordering::Relaxed) {
                return false;
            }
            if self.claim(i) {
                self.run(i);
                return true;
            }
        }
        false
    }

    fn work(&self) {
        while self.run_next() {}
    }

    /// The result of `job` if it was planned: run it now if nobody has,
    /// else help with other jobs until it is done.
    fn take(&self, job: &Job) -> Option<Done> {
        let i = *self.index.get(job)?;
        if self.claim(i) {
            self.run(i);
        }
        loop {
            if let Some(d) = self.results[i].get() {
                return Some(d.clone());
            }
            if !self.run_next() {
                return Some(self.results[i].wait().clone());
            }
        }
    }
}

/// The cookie query for this spec: Notion and provider domains; values
/// only of the user-id cookies on Notion domains (never of a session
/// cookie, even if a flow named one as both), decrypted only where the
/// home's layout makes them Linux `v10`.
fn cookie_query(spec: &AppSpec, home: &Home) -> CookieQuery {
    let mut domains = spec.cookie_domains.clone();
    for la in &spec.linked_accounts {
        for d in &la.cookie_domains {
            if !domains.contains(d) {
                domains.push(d.clone());
            }
        }
    }
    CookieQuery {
        domains,
        value_names: spec
            .user_cookies
            .iter()
            .map(|u| u.name.clone())
            .filter(|n| !spec.session_cookies.contains(n))
            .collect(),
        value_domains: spec.cookie_domains.clone(),
        layout: Some(home.layout),
    }
}

/// State shared by the probes during one scan.
pub(crate) struct Ctx<'a> {
    pub home: &'a Home,
    pub spec: &'a AppSpec,
    /// The process list, only for the real home.
    pub procs: Option<ProcessList>,
    pub sessions: Vec<Session>,
    pub browsers: Vec<BrowserProfile>,
    pub warnings: Vec<Warning>,
    /// Store reads running ahead on other threads.
    pre: Option<&'a Prefetch>,
}

/// Who owns a store, for the sessions it yields.
pub(crate) struct StoreOwner<'s> {
    pub source: Source,
    pub browser: &'s str,
    pub profile: &'s str,
    pub store_id: String,
    pub sync_enabled: bool,
    pub running: bool,
}

impl<'a> Ctx<'a> {
    fn new(home: &'a Home, spec: &'a AppSpec) -> Ctx<'a> {
        Ctx {
            home,
            spec,
            procs: (!home.explicit_root).then(ProcessList::snapshot),
            sessions: Vec::new(),
            browsers: Vec::new(),
            warnings: Vec::new(),
            pre: None,
        }
    }

    pub fn warn(&mut self, path: &Path, reason: impl Into<String>) {
        let path = self.home.display(path);
        let reason = reason.into();
        if !self
            .warnings
            .iter()
            .any(|w| w.path == path && w.reason == reason)
        {
            self.warnings.push(Warning { path, reason });
        }
    }

    pub fn warn_store(&mut self, e: StoreError) {
        self.warn(&e.path.clone(), e.reason);
    }

    /// The cookie query for this spec: Notion and provider domains; values
    /// only of the user-id cookies on Notion domains.
    pub fn cookie_query(&self) -> CookieQuery {
        cookie_query(self.spec, self.home)
    }

    /// Read a Chromium-style store: Local Storage LevelDB (if present) and
    /// every cookie database that exists among `cookie_files`.
    pub fn read_chromium_store(
        &mut self,
        ls_dir: &Path,
        cookie_files: &[PathBuf],
    ) -> (Vec<LsItem>, Vec<CookieRow>) {
        let mut ls = Vec::new();
        if ls_dir.is_dir() {
            let read = match self
                .pre
                .and_then(|p| p.take(&Job::Ls(ls_dir.to_path_buf())))
            {
                Some(Done::Ls(r)) => r,
                _ => read_local_storage(ls_dir, &self.spec.origins),
            };
            match read {
                Ok(read) => {
                    for w in read.warnings {
                        self.warn_store(w);
                    }
                    let store_path = ls_dir.to_string_lossy().into_owned();
                    ls.extend(read.entries.into_iter().map(|e| LsItem {
                        origin: e.origin,
                        key: e.key,
                        value: e.value,
                        store_path: store_path.clone(),
                        kind: StoreKind::ChromiumLeveldb,
                    }));
                }
                Err(e) => self.warn_store(e),
            }
        }
        let cookies = self.read_cookie_files(cookie_files, CookieSchema::Chromium);
        (ls, cookies)
    }

    pub fn read_cookie_files(&mut self, files: &[PathBuf], schema: CookieSchema) -> Vec<CookieRow> {
        let query = self.cookie_query();
        let mut out = Vec::new();
        for f in files {
            // `exists()` is false for a symlink loop; that must warn, not vanish.
            if f.symlink_metadata().is_err() {
                continue;
            }
            let job = Job::Cookies(f.clone(), schema == CookieSchema::Firefox);
            let read = match self.pre.and_then(|p| p.take(&job)) {
                Some(Done::Cookies(r)) => r,
                _ => read_cookies(f, schema, &query),
            };
            match read {
                Ok(rows) => out.extend(rows),
                Err(e) => self.warn_store(e),
            }
        }
        out
    }

    /// Apply the session model to a store and record its sessions.
    pub fn add_store(
        &mut self,
        owner: &StoreOwner<'_>,
        ls: &[LsItem],
        cookies: &[CookieRow],
        extra: &StoreExtra,
    ) -> StoreFacts {
        let facts = analyze(self.spec, ls, cookies, extra);
        let n = facts.sessions.len() as u32;
        for d in &facts.sessions {
            let workspace_label = match (&d.workspace_name, d.workspace_id.as_str()) {
                (Some(name), _) => name.clone(),
                (None, "") => "unknown workspace".to_string(),
                (None, id) => id.to_string(),
            };
            self.sessions.push(Session {
                source: owner.source,
                browser: owner.browser.to_string(),
                profile: owner.profile.to_string(),
                store_id: owner.store_id.clone(),
                store_path: d.store_path.clone(),
                store_kind: d.store_kind,
                origin: d.origin.clone(),
                workspace_id: d.workspace_id.clone(),
                workspace_name: d.workspace_name.clone(),
                workspace_label,
                user_id: d.user_id.clone(),
                keys: d.keys.clone(),
                sources: d.sources.clone(),
                store_sessions: n,
                store_accounts: facts.accounts,
                accounts_evidence: facts.account_facts.accounts_evidence.clone(),
                sync_enabled: owner.sync_enabled,
                running: owner.running,
                linked_accounts: facts.linked_accounts.clone(),
            });
        }
        facts
    }

    /// Record a browser profile: its store's sessions (see [`Ctx::add_store`])
    /// and its line in `browsers[]`, with or without Notion data.
    /// `default_store` is where the profile keeps (or would keep) Local
    /// Storage, for sessions that only cookies show.
    #[allow(clippy::too_many_arguments)]
    pub fn add_browser_profile(
        &mut self,
        owner: &StoreOwner<'_>,
        browser_id: &str,
        profile_dir: &str,
        path: &Path,
        ls: &[LsItem],
        cookies: &[CookieRow],
        default_store: DefaultStore,
    ) {
        let extra = StoreExtra {
            default_store: Some(default_store),
            ..StoreExtra::default()
        };
        let facts = self.add_store(owner, ls, cookies, &extra);
        self.browsers.push(BrowserProfile {
            browser: owner.browser.to_string(),
            browser_id: browser_id.to_string(),
            profile: owner.profile.to_string(),
            profile_dir: profile_dir.to_string(),
            path: path.to_string_lossy().into_owned(),
            running: owner.running,
            sync_enabled: owner.sync_enabled,
            notion_cookies: facts.notion_cookies,
            accounts: facts.accounts,
            account_facts: facts.account_facts,
            user_ids: facts.user_ids,
            sessions: facts.sessions.len() as u32,
            linked_accounts: facts.linked_accounts,
        });
    }

    fn finish(self, desktop_app: DesktopApp) -> ScanReport {
        let any_sync = self.browsers.iter().any(|b| b.sync_enabled);
        let max_store_accounts = self
            .browsers
            .iter()
            .filter_map(|b| b.accounts)
            .chain(desktop_app.accounts)
            .max()
            .unwrap_or(0);
        ScanReport {
            schema: SCAN_SCHEMA,
            layout: self.home.layout.name().to_string(),
            root: self.home.root.to_string_lossy().into_owned(),
            session_count: self.sessions.len() as u32,
            sessions: self.sessions,
            browsers: self.browsers,
            desktop_app,
            any_sync,
            max_store_accounts,
            warnings: self.warnings,
        }
    }
}

/// Read and parse a JSON file. `Ok(None)` when it does not exist.
pub(crate) fn read_json_file(
    path: &Path,
    kind: crate::bounded::Kind,
) -> Result<Option<serde_json::Value>, StoreError> {
    let Some(bytes) = read_side_file(path, kind)? else {
        return Ok(None);
    };
    serde_json::from_slice(&bytes)
        .map(Some)
        .map_err(|e| StoreError::new(path, format!("invalid JSON: {e}")))
}

/// Read a store's side file (`Local State`, `prefs.js`, …): `Ok(None)`
/// when it does not exist (or is a dangling symlink). Only a regular file
/// of at most `kind.limit()` bytes is read: opening a FIFO for reading
/// would block until a writer comes and a device never ends, so each is a
/// warning naming the file, never a hang.
pub(crate) fn read_side_file(
    path: &Path,
    kind: crate::bounded::Kind,
) -> Result<Option<Vec<u8>>, StoreError> {
    match crate::bounded::read(path, kind) {
        Ok(b) => Ok(Some(b)),
        Err(e) if e.is_not_found() => Ok(None),
        Err(e) => Err(StoreError::new(path, format!("cannot read: {e}"))),
    }
}
