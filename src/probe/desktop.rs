//! The desktop (Electron) app: data folder, its session partition's Local
//! Storage and cookies, size, running state.

use std::path::Path;

use super::chromium::cookie_files;
use super::model::{DesktopApp, Source};
use super::running::{Owner, chromium_singleton, leveldb_lock_held, process_evidence};
use super::scan::{Ctx, StoreOwner};

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

pub(crate) fn scan_desktop(ctx: &mut Ctx<'_>) -> DesktopApp {
    let Some(spec) = ctx.spec.desktop.clone() else {
        return DesktopApp::default();
    };
    let data = ctx.home.roaming_app_data().join(&spec.folder);
    if !data.is_dir() {
        return DesktopApp::default();
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
    let app = ctx.spec.app.clone();
    let owner = StoreOwner {
        source: Source::Desktop,
        browser: &app,
        profile: "app",
        store_id: "desktop".to_string(),
        sync_enabled: false,
        running,
    };
    let facts = ctx.add_store(&owner, &ls, &cookies);
    DesktopApp {
        installed: true,
        running,
        data_dir: Some(data.to_string_lossy().into_owned()),
        size_bytes: folder_size(&data),
        sessions: facts.sessions.len() as u32,
        accounts: facts.accounts,
        user_ids: facts.user_ids,
        notion_cookies: facts.notion_cookies,
        linked_accounts: facts.linked_accounts,
    }
}
