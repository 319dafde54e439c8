//! The desktop (Electron) app: data folder, its session partition's Local
//! Storage and cookies, its window state (`state.json`: the account and
//! workspace of every open tab) and local cache (`notion.db`: workspace
//! names), size, running state.

use std::path::Path;

use super::chromium::cookie_files;
use super::ctx::{Ctx, StoreOwner, read_json_file};
use super::model::{DesktopApp, Source, StoreKind};
use super::running::{Owner, chromium_singleton, leveldb_lock_held, process_evidence};
use super::sessions::{DefaultStore, StoreExtra};
use super::spec::{DesktopDatabase, StateFile};
use crate::readers::sqlite::read_rows;

/// Bytes of the regular files under `dir` (symlinks not followed).
pub fn folder_size(dir: &Path) -> u64 {
    let mut total = 0u64;
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(rd) = std::fs::read_dir(&d) else {
            continue;
        };
        for e in rd.flatten() {
            let Ok(meta) = std::fs::symlink_metadata(e.path()) else {
                continue;
            };
            if meta.is_dir() {
                stack.push(e.path());
            } else if meta.is_file() {
                total += meta.len();
            }
        }
    }
    total
}

type Tabs = Vec<(Option<String>, Option<String>)>;

/// `(account, workspace)` of every open tab the state file lists, and of
/// every recently closed one.
fn tabs(ctx: &mut Ctx<'_>, data: &Path, sf: &StateFile) -> (Tabs, Tabs) {
    let path = data.join(&sf.path);
    let v = match read_json_file(&path, crate::bounded::Kind::AppState) {
        Ok(Some(v)) => v,
        Ok(None) => return Default::default(),
        Err(e) => {
            ctx.warn_store(e);
            return Default::default();
        }
    };
    let text = |v: &serde_json::Value, p: &super::spec::JsonPath| {
        p.values(v)
            .first()
            .and_then(|x| x.as_str())
            .filter(|s| !s.is_empty())
            .map(str::to_string)
    };
    let of = |path: &super::spec::JsonPath| -> Tabs {
        path.values(&v)
            .into_iter()
            .map(|tab| (text(tab, &sf.user), text(tab, &sf.space)))
            .filter(|(u, s)| u.is_some() || s.is_some())
            .collect()
    };
    (of(&sf.tabs), sf.closed.as_ref().map(of).unwrap_or_default())
}

/// What the app's cache says about accounts: signed-in accounts and
/// memberships (its names are read once for every store, `appcache.rs`).
/// A table that cannot be read is a warning; the others still count.
fn db_accounts(ctx: &mut Ctx<'_>, data: &Path, db: &DesktopDatabase, extra: &mut StoreExtra) {
    let path = data.join(&db.path);
    if path.symlink_metadata().is_err() {
        return;
    }
    if let Some(t) = &db.accounts {
        match read_rows(&path, t.table.as_str(), &[t.id.as_str()]) {
            Ok(rows) => {
                extra.db_accounts = rows
                    .into_iter()
                    .filter_map(|mut r| r.pop().flatten())
                    .collect()
            }
            Err(e) => ctx.warn_store(e),
        }
        extra.db_accounts_source = format!("{} {}", db.path, t.table.as_str());
    }
    if let Some(t) = &db.memberships {
        match read_rows(
            &path,
            t.table.as_str(),
            &[t.user.as_str(), t.space.as_str()],
        ) {
            Ok(rows) => {
                extra.memberships = rows
                    .into_iter()
                    .filter_map(|r| Some((r.first()?.clone()?, r.get(1)?.clone()?)))
                    .collect()
            }
            Err(e) => ctx.warn_store(e),
        }
        extra.memberships_source = format!("{} {}", db.path, t.table.as_str());
    }
}

pub(crate) fn scan_desktop(ctx: &mut Ctx<'_>) -> DesktopApp {
    let absent = DesktopApp {
        accounts: Some(0),
        account_facts: super::model::AccountFacts {
            signed_in: Some(false),
            ..Default::default()
        },
        ..DesktopApp::default()
    };
    let Some(spec) = ctx.spec.desktop.clone() else {
        return absent;
    };
    let data = ctx.home.roaming_app_data().join(&spec.folder);
    if !data.is_dir() {
        return absent;
    }
    let part = if spec.partition.is_empty() {
        data.clone()
    } else {
        data.join(&spec.partition)
    };
    let ls_dir = part.join("Local Storage/leveldb");
    let mut running = chromium_singleton(&data).is_some() || leveldb_lock_held(&ls_dir).is_some();
    if !running && let Some(procs) = &ctx.procs {
        running =
            process_evidence(procs, &Owner::App(spec.folder.clone()), &spec.processes).is_some();
    }
    let (ls, cookies) = ctx.read_chromium_store(&ls_dir, &cookie_files(&part));
    let mut extra = StoreExtra {
        default_store: Some(DefaultStore {
            origin: ctx.spec.origins.first().cloned().unwrap_or_default(),
            store_path: ls_dir.to_string_lossy().into_owned(),
            kind: StoreKind::ChromiumLeveldb,
        }),
        ..StoreExtra::default()
    };
    if let Some(sf) = &spec.state_file {
        (extra.tabs, extra.closed_tabs) = tabs(ctx, &data, sf);
        extra.tabs_source = format!("{} tabs", sf.path);
        extra.closed_source = format!("{} closed tabs", sf.path);
    }
    if let Some(db) = &spec.database {
        // Names come from `ctx.names`, read once for every store.
        db_accounts(ctx, &data, db, &mut extra);
    }
    let app = ctx.spec.app.clone();
    let owner = StoreOwner {
        source: Source::Desktop,
        browser: &app,
        profile: "app",
        store_id: "desktop".to_string(),
        sync_enabled: false,
        running,
    };
    let facts = ctx.add_store(&owner, &ls, &cookies, &extra);
    DesktopApp {
        installed: true,
        running,
        data_dir: Some(data.to_string_lossy().into_owned()),
        size_bytes: folder_size(&data),
        sessions: facts.sessions.len() as u32,
        accounts: facts.accounts,
        account_facts: facts.account_facts,
        user_ids: facts.user_ids,
        app_cookies: facts.app_cookies,
        linked_accounts: facts.linked_accounts,
    }
}
