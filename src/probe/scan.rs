//! `scan`: every browser profile and the desktop app under a home, their
//! Notion sessions, sync, linked accounts and running state. Read-only; an
//! unreadable store becomes a warning and the scan goes on.

use std::path::{Path, PathBuf};

use super::browsers::{BROWSERS, Family};
use super::layout::Home;
use super::model::*;
use super::running::ProcessList;
use super::sessions::{LsItem, StoreFacts, analyze};
use super::spec::AppSpec;
use crate::readers::StoreError;
use crate::readers::leveldb::read_local_storage;
use crate::readers::sqlite::{CookieQuery, CookieRow, CookieSchema, read_cookies};

/// Scan `home` for the app described by `spec`.
pub fn scan(home: &Home, spec: &AppSpec) -> ScanReport {
    let mut ctx = Ctx::new(home, spec);
    for b in BROWSERS {
        match b.family {
            Family::Chromium => super::chromium::scan_browser(&mut ctx, b),
            Family::Firefox => super::firefox::scan_browser(&mut ctx, b),
        }
    }
    let desktop = super::desktop::scan_desktop(&mut ctx);
    ctx.finish(desktop)
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
        let mut domains = self.spec.cookie_domains.clone();
        for la in &self.spec.linked_accounts {
            for d in &la.cookie_domains {
                if !domains.contains(d) {
                    domains.push(d.clone());
                }
            }
        }
        CookieQuery {
            domains,
            value_names: self
                .spec
                .user_cookies
                .iter()
                .map(|u| u.name.clone())
                .collect(),
            value_domains: self.spec.cookie_domains.clone(),
        }
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
            match read_local_storage(ls_dir, &self.spec.origins) {
                Ok(entries) => {
                    let store_path = ls_dir.to_string_lossy().into_owned();
                    ls.extend(entries.into_iter().map(|e| LsItem {
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
            match read_cookies(f, schema, &query) {
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
    ) -> StoreFacts {
        let facts = analyze(self.spec, ls, cookies);
        let n = facts.sessions.len() as u32;
        for d in &facts.sessions {
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
                user_id: d.user_id.clone(),
                keys: d.keys.clone(),
                store_sessions: n,
                store_accounts: facts.accounts,
                sync_enabled: owner.sync_enabled,
                running: owner.running,
                linked_accounts: facts.linked_accounts.clone(),
            });
        }
        facts
    }

    fn finish(self, desktop_app: DesktopApp) -> ScanReport {
        let any_sync = self.browsers.iter().any(|b| b.sync_enabled);
        let max_store_accounts = self
            .browsers
            .iter()
            .map(|b| b.accounts)
            .chain(std::iter::once(desktop_app.accounts))
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
pub(crate) fn read_json_file(path: &Path) -> Result<Option<serde_json::Value>, StoreError> {
    regular_file(path)?;
    let bytes = match std::fs::read(path) {
        Ok(b) => b,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(StoreError::new(path, format!("cannot read: {e}"))),
    };
    serde_json::from_slice(&bytes)
        .map(Some)
        .map_err(|e| StoreError::new(path, format!("invalid JSON: {e}")))
}

/// Fail unless `path` is missing or a regular file (symlinks followed).
/// Opening a FIFO for reading blocks until a writer comes, and a folder or a
/// symlink loop cannot be read: each is a warning, never a hang.
pub(crate) fn regular_file(path: &Path) -> Result<(), StoreError> {
    match std::fs::metadata(path) {
        Ok(m) if m.is_file() => Ok(()),
        Ok(_) => Err(StoreError::new(path, "cannot read: not a regular file")),
        // Missing (or a dangling symlink): the caller's "does not exist".
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(StoreError::new(path, format!("cannot read: {e}"))),
    }
}
