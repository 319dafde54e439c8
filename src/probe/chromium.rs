//! Chromium family (Chrome, Chromium, Edge, Brave, Vivaldi): profiles from
//! `Local State`, sync from `Preferences`, Local Storage LevelDB and cookies.

use std::path::{Path, PathBuf};

use serde_json::Value;

use super::browsers::Browser;
use super::ctx::{Ctx, StoreOwner, read_json_file};
use super::model::{Source, StoreKind};
use super::running::{Owner, chromium_singleton, leveldb_lock_held, process_evidence};
use super::sessions::DefaultStore;
use crate::bounded::Kind;

/// Profiles of one user data folder: `(folder, display name)`.
pub(super) fn list_profiles(ctx: &mut Ctx<'_>, udd: &Path) -> Vec<(String, String)> {
    let local_state = udd.join("Local State");
    let mut out: Vec<(String, String)> = Vec::new();
    let mut from_state = false;
    match read_json_file(&local_state, Kind::ChromiumJson) {
        Ok(Some(v)) => {
            if let Some(cache) = v.pointer("/profile/info_cache").and_then(Value::as_object) {
                from_state = true;
                for (dir, info) in cache {
                    let name = info
                        .get("name")
                        .and_then(Value::as_str)
                        .filter(|s| !s.is_empty())
                        .unwrap_or(dir)
                        .to_string();
                    if udd.join(dir).is_dir() {
                        out.push((dir.clone(), name));
                    }
                }
            }
        }
        Ok(None) => {}
        Err(e) => ctx.warn_store(e),
    }
    if !from_state {
        // No usable Local State: fall back to the profile folders on disk.
        if let Ok(rd) = std::fs::read_dir(udd) {
            let mut dirs: Vec<String> = rd
                .flatten()
                .filter(|e| e.file_type().map(|t| t.is_dir()).unwrap_or(false))
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .filter(|n| n == "Default" || n.starts_with("Profile "))
                .filter(|n| udd.join(n).join("Preferences").is_file())
                .collect();
            dirs.sort();
            out.extend(dirs.into_iter().map(|d| (d.clone(), d)));
        }
    }
    // Default first, then the rest in folder order.
    out.sort_by(|a, b| (a.0 != "Default", &a.0).cmp(&(b.0 != "Default", &b.0)));
    out
}

/// Sync on: signed in (`account_info` non-empty) and sync set up
/// (`sync.has_setup_completed`) or consented (`google.services.consented_to_sync`).
pub fn sync_from_preferences(prefs: &Value) -> bool {
    let signed_in = match prefs.get("account_info") {
        Some(Value::Array(a)) => !a.is_empty(),
        Some(Value::Object(o)) => !o.is_empty(),
        _ => false,
    };
    let setup = prefs
        .pointer("/sync/has_setup_completed")
        .and_then(Value::as_bool)
        .unwrap_or(false);
    let consented = prefs
        .pointer("/google/services/consented_to_sync")
        .and_then(Value::as_bool)
        .unwrap_or(false);
    signed_in && (setup || consented)
}

/// Cookie databases of a Chromium profile or partition, newest location first.
pub fn cookie_files(dir: &Path) -> Vec<PathBuf> {
    vec![dir.join("Network/Cookies"), dir.join("Cookies")]
}

pub(crate) fn scan_browser(ctx: &mut Ctx<'_>, browser: &'static Browser) {
    for udd in browser.roots(ctx.home) {
        if !udd.is_dir() {
            continue;
        }
        let mut browser_running = chromium_singleton(&udd).is_some();
        if !browser_running && let Some(procs) = &ctx.procs {
            browser_running = process_evidence(procs, &Owner::Browser(browser), &[]).is_some();
        }
        let tag = Browser::install_tag(&udd, ctx.home);
        for (dir, name) in list_profiles(ctx, &udd) {
            let profile = udd.join(&dir);
            let sync = match read_json_file(&profile.join("Preferences"), Kind::ChromiumJson) {
                Ok(Some(v)) => sync_from_preferences(&v),
                Ok(None) => false,
                Err(e) => {
                    ctx.warn_store(e);
                    false
                }
            };
            let ls_dir = profile.join("Local Storage/leveldb");
            let running = browser_running || leveldb_lock_held(&ls_dir).is_some();
            let (ls, cookies) = ctx.read_chromium_store(&ls_dir, &cookie_files(&profile));
            let owner = StoreOwner {
                source: Source::Browser,
                browser: browser.name,
                profile: &name,
                store_id: format!("{}{}/{}", browser.id, tag, dir),
                sync_enabled: sync,
                running,
            };
            let default_store = DefaultStore {
                origin: ctx.spec.origins.first().cloned().unwrap_or_default(),
                store_path: ls_dir.to_string_lossy().into_owned(),
                kind: StoreKind::ChromiumLeveldb,
            };
            ctx.add_browser_profile(
                &owner,
                browser.id,
                &dir,
                &profile,
                &ls,
                &cookies,
                default_store,
            );
        }
    }
}
