//! The probe context: what the probes of one scan share (the home, the
//! app's spec, the process list, the sessions, profiles and warnings found
//! so far), how they read stores through it, and the bounded reads of side
//! files (`Local State`, `prefs.js`, …).

use std::path::{Path, PathBuf};

use super::layout::Home;
use super::model::*;
use super::prefetch::{Done, Job, Prefetch};
use super::running::ProcessList;
use super::sessions::{DefaultStore, LsItem, StoreExtra, StoreFacts, analyze};
use super::spec::AppSpec;
use crate::readers::StoreError;
use crate::readers::leveldb::read_local_storage;
use crate::readers::sqlite::{CookieQuery, CookieRow, CookieSchema, read_cookies};

/// The cookie query for this spec: Notion and provider domains; values
/// only of the user-id cookies on Notion domains (never of a session
/// cookie, even if a flow named one as both), decrypted only where the
/// home's layout makes them Linux `v10`.
pub(super) fn cookie_query(spec: &AppSpec, home: &Home) -> CookieQuery {
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

/// Names of workspaces and accounts from the desktop app's cache, shared
/// by every store of the scan.
#[derive(Debug, Clone, Default)]
pub(crate) struct Names {
    pub spaces: std::collections::BTreeMap<String, String>,
    pub people: std::collections::BTreeMap<String, (Option<String>, Option<String>)>,
    /// Label of the cache ("notion.db space names").
    pub source: String,
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
    /// Why the cookie database last read could not be, until a store takes it.
    cookie_failure: Option<String>,
    /// Names from the desktop app's cache, for every store.
    pub names: Option<Names>,
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
    /// A scan of `home` for `spec`, taking store reads from `pre` when it
    /// planned them.
    pub(super) fn new(home: &'a Home, spec: &'a AppSpec, pre: Option<&'a Prefetch>) -> Ctx<'a> {
        Ctx {
            home,
            spec,
            procs: (!home.explicit_root).then(ProcessList::snapshot),
            sessions: Vec::new(),
            browsers: Vec::new(),
            warnings: Vec::new(),
            pre,
            cookie_failure: None,
            names: None,
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
        self.cookie_failure = None;
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
                Err(e) => {
                    self.cookie_failure = Some(e.reason.clone());
                    self.warn_store(e);
                }
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
        let mut extra = extra.clone();
        if extra.cookies_unreadable.is_none() {
            extra.cookies_unreadable = self.cookie_failure.take();
        }
        if let Some(n) = &self.names {
            for (k, v) in &n.spaces {
                extra
                    .space_names
                    .entry(k.clone())
                    .or_insert_with(|| v.clone());
            }
            for (k, v) in &n.people {
                extra.people.entry(k.clone()).or_insert_with(|| v.clone());
            }
            if extra.names_source.is_empty() {
                extra.names_source = n.source.clone();
            }
        }
        let facts = analyze(self.spec, ls, cookies, &extra);
        let n = facts.sessions.len() as u32;
        let accounts = &facts.account_facts.account_sessions;
        for d in &facts.sessions {
            let mine = accounts
                .iter()
                .find(|a| a.user_id.is_some() && a.user_id == d.user_id);
            let workspace_label = crate::probe::accounts::workspace_label(
                &d.workspace_id,
                d.workspace_name.as_deref(),
                d.short_id.as_deref(),
            );
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
                short_id: d.short_id.clone(),
                user_id: d.user_id.clone(),
                account_label: mine.map(|a| a.label.clone()).unwrap_or_default(),
                account_workspace_labels: mine
                    .map(|a| a.workspaces.iter().map(|w| w.label.clone()).collect())
                    .unwrap_or_default(),
                signed_in: facts.account_facts.signed_in,
                sign_in_cookies: facts.account_facts.sign_in_cookies.clone(),
                account_key: d
                    .user_id
                    .as_ref()
                    .map(|u| format!("{u}@{}", owner.store_id))
                    .unwrap_or_default(),
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
            store_id: owner.store_id.clone(),
            path: path.to_string_lossy().into_owned(),
            running: owner.running,
            sync_enabled: owner.sync_enabled,
            app_cookies: facts.app_cookies,
            accounts: facts.accounts,
            account_facts: facts.account_facts,
            user_ids: facts.user_ids,
            sessions: facts.sessions.len() as u32,
            linked_accounts: facts.linked_accounts,
        });
    }

    /// The scan's report, with the desktop app's line.
    pub(super) fn finish(self, desktop_app: DesktopApp) -> ScanReport {
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
