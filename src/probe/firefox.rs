//! Firefox: profiles from `profiles.ini` and `installs.ini`, sync from
//! `prefs.js` / `signedInUser.json`, LSNG Local Storage and `cookies.sqlite`.

use std::path::{Path, PathBuf};

use super::browsers::Browser;
use super::ctx::{Ctx, StoreOwner, read_json_file, read_side_file};
use super::model::{Source, StoreKind};
use super::running::{Owner, firefox_lock, process_evidence};
use super::sessions::{DefaultStore, LsItem};
use crate::bounded::Kind;
use crate::readers::StoreError;
use crate::readers::sqlite::{CookieSchema, firefox_origin_dir, read_lsng};

/// `[section]` -> `key=value` pairs of an INI file, in order.
pub fn parse_ini(text: &str) -> Vec<(String, Vec<(String, String)>)> {
    let mut out: Vec<(String, Vec<(String, String)>)> = Vec::new();
    for line in text.lines() {
        let line = line.trim().trim_start_matches('\u{feff}');
        if line.is_empty() || line.starts_with(';') || line.starts_with('#') {
            continue;
        }
        if let Some(sec) = line.strip_prefix('[').and_then(|l| l.strip_suffix(']')) {
            out.push((sec.trim().to_string(), Vec::new()));
        } else if let Some((k, v)) = line.split_once('=')
            && let Some(last) = out.last_mut()
        {
            last.1.push((k.trim().to_string(), v.trim().to_string()));
        }
    }
    out
}

fn get<'a>(kv: &'a [(String, String)], key: &str) -> Option<&'a str> {
    kv.iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(key))
        .map(|(_, v)| v.as_str())
}

fn read_text(path: &Path, kind: Kind) -> Result<Option<String>, StoreError> {
    match read_side_file(path, kind)? {
        Some(b) => String::from_utf8(b)
            .map(Some)
            .map_err(|_| StoreError::new(path, "not a text file (invalid UTF-8)")),
        None => Ok(None),
    }
}

fn resolve(root: &Path, path: &str, relative: bool) -> PathBuf {
    let p = path.replace('\\', "/");
    if relative {
        root.join(p)
    } else {
        PathBuf::from(p)
    }
}

/// Profiles of one Firefox folder: `(folder, display name)`.
fn list_profiles(ctx: &mut Ctx<'_>, root: &Path) -> Vec<(PathBuf, String)> {
    let mut out: Vec<(PathBuf, String)> = Vec::new();
    let push = |out: &mut Vec<(PathBuf, String)>, p: PathBuf, name: String| {
        if p.is_dir() && !out.iter().any(|(q, _)| *q == p) {
            out.push((p, name));
        }
    };
    let ini = root.join("profiles.ini");
    match read_text(&ini, Kind::FirefoxIni) {
        Ok(Some(text)) => {
            for (sec, kv) in parse_ini(&text) {
                if !sec.starts_with("Profile") {
                    continue;
                }
                let Some(path) = get(&kv, "Path") else {
                    continue;
                };
                let relative = get(&kv, "IsRelative") != Some("0");
                let p = resolve(root, path, relative);
                let name = get(&kv, "Name")
                    .map(str::to_string)
                    .unwrap_or_else(|| dir_name(&p));
                push(&mut out, p, name);
            }
        }
        Ok(None) => {}
        Err(e) => ctx.warn_store(e),
    }
    let installs = root.join("installs.ini");
    match read_text(&installs, Kind::FirefoxIni) {
        Ok(Some(text)) => {
            for (_, kv) in parse_ini(&text) {
                if let Some(path) = get(&kv, "Default") {
                    // installs.ini paths are relative unless absolute.
                    let relative = !Path::new(path).is_absolute();
                    let p = resolve(root, path, relative);
                    let name = dir_name(&p);
                    push(&mut out, p, name);
                }
            }
        }
        Ok(None) => {}
        Err(e) => ctx.warn_store(e),
    }
    out
}

/// Every profile of `browser` under each of its roots, once each (two
/// roots may name the same folder): its folder and display name.
pub(super) fn browser_profiles(ctx: &mut Ctx<'_>, browser: &Browser) -> Vec<(PathBuf, String)> {
    let mut seen: Vec<PathBuf> = Vec::new();
    let mut out = Vec::new();
    for root in browser.roots(ctx.home) {
        if !root.is_dir() {
            continue;
        }
        for (profile, name) in list_profiles(ctx, &root) {
            let canon = profile.canonicalize().unwrap_or_else(|_| profile.clone());
            if !seen.contains(&canon) {
                seen.push(canon);
                out.push((profile, name));
            }
        }
    }
    out
}

pub(super) fn dir_name(p: &Path) -> String {
    p.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

/// `user_pref("services.sync.username", "...")` with a non-empty value.
pub fn sync_username_in_prefs(prefs_js: &str) -> bool {
    prefs_js.lines().any(|l| {
        let l = l.trim();
        l.starts_with("user_pref(")
            && l.contains("\"services.sync.username\"")
            && l.split("\"services.sync.username\"")
                .nth(1)
                .map(|rest| rest.trim_start_matches([',', ' ']).trim_start_matches('"'))
                .is_some_and(|rest| !rest.starts_with('"') && !rest.starts_with(')'))
    })
}

pub(super) fn sync_enabled(ctx: &mut Ctx<'_>, profile: &Path) -> bool {
    let mut on = false;
    match read_text(&profile.join("prefs.js"), Kind::FirefoxPrefs) {
        Ok(Some(t)) => on |= sync_username_in_prefs(&t),
        Ok(None) => {}
        Err(e) => ctx.warn_store(e),
    }
    match read_json_file(&profile.join("signedInUser.json"), Kind::FirefoxAccount) {
        Ok(Some(v)) => {
            on |= v
                .get("accountData")
                .is_some_and(|a| a.is_object() && a.get("email").is_some());
        }
        Ok(None) => {}
        Err(e) => ctx.warn_store(e),
    }
    on
}

/// LSNG databases of `origin` in a profile: the plain origin folder and any
/// with origin attributes (`^userContextId=1`, containers).
pub(super) fn lsng_dbs(profile: &Path, origin: &str) -> Vec<PathBuf> {
    let base = profile.join("storage/default");
    let name = firefox_origin_dir(origin);
    let mut out = Vec::new();
    // Anything by that name counts (not only regular files): an unreadable
    // database must become a warning from the reader, not be skipped.
    let present = |p: &Path| p.symlink_metadata().is_ok();
    let plain = base.join(&name).join("ls/data.sqlite");
    if present(&plain) {
        out.push(plain);
    }
    if let Ok(rd) = std::fs::read_dir(&base) {
        let mut extra: Vec<PathBuf> = rd
            .flatten()
            .filter(|e| {
                e.file_name()
                    .to_string_lossy()
                    .strip_prefix(name.as_str())
                    .is_some_and(|rest| rest.starts_with('^'))
            })
            .map(|e| e.path().join("ls/data.sqlite"))
            .filter(|p| present(p))
            .collect();
        extra.sort();
        out.extend(extra);
    }
    out
}

pub(crate) fn scan_browser(ctx: &mut Ctx<'_>, browser: &'static Browser) {
    let process = ctx
        .procs
        .as_ref()
        .and_then(|p| process_evidence(p, &Owner::Browser(browser), &[]))
        .is_some();
    for (profile, name) in browser_profiles(ctx, browser) {
        let dir = dir_name(&profile);
        let sync = sync_enabled(ctx, &profile);
        let running = process || firefox_lock(&profile).is_some();
        let mut ls = Vec::new();
        for origin in ctx.spec.origins.clone() {
            for db in lsng_dbs(&profile, &origin) {
                match read_lsng(&db) {
                    Ok(rows) => {
                        let store_path = db.to_string_lossy().into_owned();
                        ls.extend(rows.into_iter().map(|(key, value)| LsItem {
                            origin: origin.clone(),
                            key,
                            value,
                            store_path: store_path.clone(),
                            kind: StoreKind::FirefoxLsng,
                        }));
                    }
                    Err(e) => ctx.warn_store(e),
                }
            }
        }
        let cookies =
            ctx.read_cookie_files(&[profile.join("cookies.sqlite")], CookieSchema::Firefox);
        let owner = StoreOwner {
            source: Source::Browser,
            browser: browser.name,
            profile: &name,
            store_id: format!("{}/{}", browser.id, dir),
            sync_enabled: sync,
            running,
        };
        // Where Firefox keeps the first origin's Local Storage (it may not exist yet).
        let origin = ctx.spec.origins.first().cloned().unwrap_or_default();
        let default_store = DefaultStore {
            store_path: profile
                .join("storage/default")
                .join(firefox_origin_dir(&origin))
                .join("ls/data.sqlite")
                .to_string_lossy()
                .into_owned(),
            origin,
            kind: StoreKind::FirefoxLsng,
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefs_sync_username() {
        assert!(sync_username_in_prefs(
            "user_pref(\"services.sync.username\", \"a@b.c\");"
        ));
        assert!(!sync_username_in_prefs(
            "user_pref(\"services.sync.username\", \"\");"
        ));
        assert!(!sync_username_in_prefs("user_pref(\"other\", \"x\");"));
    }

    #[test]
    fn ini_sections() {
        let ini = parse_ini(
            "[General]\nVersion=2\n\n[Profile0]\nName=default\nIsRelative=1\nPath=abc.default\n",
        );
        assert_eq!(ini.len(), 2);
        assert_eq!(get(&ini[1].1, "path"), Some("abc.default"));
    }
}
