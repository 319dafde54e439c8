//! The `keyed-sessions` probe: sessions an app lists in one Local Storage
//! key as a JSON object keyed by session id (each entry with its name, its
//! account and a credential field), in every browser profile (Chromium family and Firefox) and
//! the desktop (Electron) app. An entry is signed in when its credential
//! field is present and the store holds a credential cookie; entries
//! without one, and those of the `listed` objects, are known but signed
//! out. Credential values are never copied: only whether they are there.
//! The parameters ([`KeyedSpec`]) name the app; this code knows none.

use std::path::{Path, PathBuf};

use serde_json::{Value, json};

use super::browsers::{BROWSERS, Browser, Family};
use super::chromium::{cookie_files, list_profiles, sync_from_preferences};
use schemars::{Schema, SchemaGenerator};

use super::contract::{Probe, ProbeDef, ProbeInfo, ProbeRun};
use super::ctx::{Ctx, read_json_file};
use super::keyed_spec::{DesktopStores, KeyedSpec, dig, parse};
use super::layout::{Home, Layout};
use super::model::{Source, StoreKind};
use super::running::{chromium_singleton, leveldb_lock_held};
use super::sessions::LsItem;
use crate::bounded::Kind;
use crate::readers::sqlite::{CookieRow, CookieSchema, firefox_origin_dir, read_lsng};

/// The id flows name this probe by.
pub const ID: &str = "keyed-sessions";

/// What the probe is, for the validator, the schema and the registry.
pub const INFO: ProbeInfo = ProbeInfo {
    id: ID,
    summary: "sessions an app lists as the keys of a JSON object in one Local Storage key, signed in when an entry holds a credential and the store a credential cookie, in every browser profile and the desktop app",
    facts: &[
        "session_count",
        "sessions",
        "store_count",
        "stores",
        "desktop_app",
        "browsers",
        "any_sync",
        "warnings",
        "evidence",
    ],
};

/// The `keyed-sessions` probe ([`ID`]).
pub struct KeyedSessions;

// Written against its typed parameters like a `TypedProbe`, but without
// the registry's trait: the registry imports the probes, not the reverse.
impl ProbeDef for KeyedSessions {
    fn info(&self) -> &'static ProbeInfo {
        &INFO
    }
    fn check_params(&self, params: &Value) -> Result<(), String> {
        parse(params).map(drop)
    }
    fn params_schema(&self, generator: &mut SchemaGenerator) -> Schema {
        generator.subschema_for::<KeyedSpec>()
    }
}

impl Probe for KeyedSessions {
    fn run(&self, params: &Value, home: &Home) -> Result<ProbeRun, String> {
        scan(home, &parse(params)?)
    }
}

/// One entry of the sessions object (or of a `listed` one).
#[derive(Debug, Clone)]
struct Entry {
    id: String,
    name: Option<String>,
    user: Option<String>,
    url: Option<String>,
    credential: bool,
}

/// What one store (a browser profile or the desktop app) holds.
struct Store {
    source: Source,
    browser: String,
    /// The browser's id and the profile's folder (browser stores).
    browser_id: String,
    profile_dir: String,
    dir: PathBuf,
    profile: String,
    store_id: String,
    /// The Local Storage folder (Chromium) or database (Firefox) holding
    /// the sessions key, or where it would be.
    ls_dir: PathBuf,
    kind: StoreKind,
    origin: String,
    running: bool,
    sync_enabled: bool,
    entries: Vec<Entry>,
    /// Known but not signed in: `listed` objects, entries without a credential.
    listed: Vec<Entry>,
    active: Option<String>,
    /// Names of the credential cookies present (never their values).
    cookies: Vec<String>,
}

impl Store {
    fn signed_in(&self) -> impl Iterator<Item = &Entry> {
        let cookie = !self.cookies.is_empty();
        self.entries.iter().filter(move |e| e.credential && cookie)
    }

    /// Entries holding a credential, signed in or not.
    fn tokens(&self) -> usize {
        self.entries.iter().filter(|e| e.credential).count()
    }

    /// The store still holds something that signs in: a credential field
    /// or a credential cookie.
    fn holds_credentials(&self) -> bool {
        self.tokens() > 0 || !self.cookies.is_empty()
    }

    fn place(&self) -> String {
        match self.source {
            Source::Desktop => format!("{} desktop app", self.browser),
            Source::Browser => format!("{}, profile {}", self.browser, self.profile),
        }
    }
}

fn text(v: &Value, field: Option<&String>) -> Option<String> {
    field
        .and_then(|f| v.get(f))
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
}

/// The entries of the object at `path` of `config`, keyed by session id.
fn entries_at(config: &Value, path: &str, spec: &KeyedSpec) -> Vec<Entry> {
    let k = &spec.sessions_key;
    let Some(obj) = dig(config, path).and_then(Value::as_object) else {
        return Vec::new();
    };
    obj.iter()
        .map(|(id, v)| Entry {
            id: id.clone(),
            name: text(v, k.name_field.as_ref()),
            user: text(v, k.user_field.as_ref()),
            url: text(v, k.url_field.as_ref()),
            credential: match v.get(&k.credential_field) {
                Some(Value::String(s)) => !s.is_empty(),
                Some(Value::Null) | None => false,
                Some(_) => true,
            },
        })
        .collect()
}

/// Read the sessions key of a store's Local Storage and its credential
/// cookies into `store`; a value that is not JSON is a warning.
fn read_sessions(
    ctx: &mut Ctx<'_>,
    spec: &KeyedSpec,
    store: &mut Store,
    ls: &[LsItem],
    cookies: &[CookieRow],
) {
    let k = &spec.sessions_key;
    for item in ls.iter().filter(|i| i.key == k.key) {
        let config: Value = match serde_json::from_str(&item.value) {
            Ok(v) => v,
            Err(e) => {
                // The error says where, never what: the value holds credentials.
                ctx.warn(
                    &store.ls_dir,
                    format!(
                        "Local Storage key {} of {} is not JSON (line {}, column {})",
                        k.key,
                        item.origin,
                        e.line(),
                        e.column()
                    ),
                );
                continue;
            }
        };
        store.origin = item.origin.clone();
        for e in entries_at(&config, &k.object, spec) {
            if !store.entries.iter().any(|s| s.id == e.id) {
                store.entries.push(e);
            }
        }
        for path in &k.listed {
            store.listed.extend(entries_at(&config, path, spec));
        }
        if store.active.is_none() {
            store.active = k
                .active
                .as_deref()
                .and_then(|p| dig(&config, p))
                .and_then(Value::as_str)
                .map(str::to_string);
        }
    }
    for c in cookies {
        if spec.credential_cookies.contains(&c.name) && !store.cookies.contains(&c.name) {
            store.cookies.push(c.name.clone());
        }
    }
    store.cookies.sort();
    // Known but not signed in: entries without a credential (or all of
    // them when no credential cookie is left), and the listed objects'.
    let signed: Vec<String> = store.signed_in().map(|e| e.id.clone()).collect();
    let unsigned: Vec<Entry> = store
        .entries
        .iter()
        .filter(|e| !signed.contains(&e.id))
        .cloned()
        .collect();
    store.listed.extend(unsigned);
    store.listed.retain(|e| !signed.contains(&e.id));
    let mut seen = Vec::new();
    store.listed.retain(|e| {
        let fresh = !seen.contains(&e.id);
        seen.push(e.id.clone());
        fresh
    });
}

/// Read one Chromium-style store (a profile or the desktop app's partition).
fn read_store(ctx: &mut Ctx<'_>, spec: &KeyedSpec, mut store: Store, dir: &Path) -> Store {
    let (ls, cookies) = ctx.read_chromium_store(&store.ls_dir.clone(), &cookie_files(dir));
    read_sessions(ctx, spec, &mut store, &ls, &cookies);
    store
}

fn blank_store(spec: &KeyedSpec, source: Source, browser: &str, profile: &str) -> Store {
    Store {
        source,
        browser: browser.to_string(),
        browser_id: String::new(),
        profile_dir: String::new(),
        dir: PathBuf::new(),
        profile: profile.to_string(),
        store_id: String::new(),
        ls_dir: PathBuf::new(),
        kind: StoreKind::ChromiumLeveldb,
        origin: spec.origins.first().cloned().unwrap_or_default(),
        running: false,
        sync_enabled: false,
        entries: Vec::new(),
        listed: Vec::new(),
        active: None,
        cookies: Vec::new(),
    }
}

fn scan_browsers(ctx: &mut Ctx<'_>, spec: &KeyedSpec, out: &mut Vec<Store>) {
    for browser in BROWSERS.iter().filter(|b| b.family == Family::Chromium) {
        for udd in browser.roots(ctx.home) {
            if !udd.is_dir() {
                continue;
            }
            let mut browser_running = chromium_singleton(&udd).is_some();
            if !browser_running && let Some(procs) = &ctx.procs {
                browser_running = procs
                    .running(browser.processes, browser.exe_hints)
                    .is_some();
            }
            let tag = Browser::install_tag(&udd, ctx.home);
            for (dir, name) in list_profiles(ctx, &udd) {
                let profile = udd.join(&dir);
                let mut store = blank_store(spec, Source::Browser, browser.name, &name);
                store.store_id = format!("{}{}/{}", browser.id, tag, dir);
                store.browser_id = browser.id.to_string();
                store.profile_dir = dir.clone();
                store.dir = profile.clone();
                store.ls_dir = profile.join("Local Storage/leveldb");
                store.running = browser_running || leveldb_lock_held(&store.ls_dir).is_some();
                store.sync_enabled =
                    match read_json_file(&profile.join("Preferences"), Kind::ChromiumJson) {
                        Ok(v) => v.as_ref().is_some_and(sync_from_preferences),
                        Err(e) => {
                            ctx.warn_store(e);
                            false
                        }
                    };
                out.push(read_store(ctx, spec, store, &profile));
            }
        }
    }
}

/// Firefox profiles: Local Storage in LSNG databases (one per origin and
/// container), cookies in `cookies.sqlite`.
fn scan_firefox(ctx: &mut Ctx<'_>, spec: &KeyedSpec, out: &mut Vec<Store>) {
    use super::firefox::{browser_profiles, dir_name, lsng_dbs, sync_enabled};
    for browser in BROWSERS.iter().filter(|b| b.family == Family::Firefox) {
        let process = ctx
            .procs
            .as_ref()
            .is_some_and(|p| p.running(browser.processes, browser.exe_hints).is_some());
        for (profile, name) in browser_profiles(ctx, browser) {
            let dir = dir_name(&profile);
            let mut store = blank_store(spec, Source::Browser, browser.name, &name);
            store.store_id = format!("{}/{}", browser.id, dir);
            store.browser_id = browser.id.to_string();
            store.profile_dir = dir;
            store.dir = profile.clone();
            store.kind = StoreKind::FirefoxLsng;
            store.ls_dir = profile
                .join("storage/default")
                .join(firefox_origin_dir(&store.origin))
                .join("ls/data.sqlite");
            store.running = process || super::running::firefox_lock(&profile).is_some();
            store.sync_enabled = sync_enabled(ctx, &profile);
            let mut ls = Vec::new();
            let mut holder: Option<PathBuf> = None;
            for origin in &spec.origins {
                for db in lsng_dbs(&profile, origin) {
                    match read_lsng(&db) {
                        Ok(rows) => {
                            let path = db.to_string_lossy().into_owned();
                            for (key, value) in rows {
                                if key == spec.sessions_key.key && holder.is_none() {
                                    holder = Some(db.clone());
                                }
                                ls.push(LsItem {
                                    origin: origin.clone(),
                                    key,
                                    value,
                                    store_path: path.clone(),
                                    kind: StoreKind::FirefoxLsng,
                                });
                            }
                        }
                        Err(e) => ctx.warn_store(e),
                    }
                }
            }
            if let Some(db) = holder {
                store.ls_dir = db;
            }
            let cookies =
                ctx.read_cookie_files(&[profile.join("cookies.sqlite")], CookieSchema::Firefox);
            read_sessions(ctx, spec, &mut store, &ls, &cookies);
            out.push(store);
        }
    }
}

/// The desktop app's data folders under `home`: the usual one, then other
/// installs' for the home's layout, with their store ids.
fn desktop_folders(home: &Home, d: &DesktopStores) -> Vec<(PathBuf, String)> {
    let mut out = vec![(home.roaming_app_data().join(&d.folder), "desktop".into())];
    let others = match home.layout {
        Layout::Linux => &d.other_folders.linux,
        Layout::Macos => &d.other_folders.macos,
        Layout::Windows => &d.other_folders.windows,
    };
    for (i, rel) in others.iter().enumerate() {
        let path = home.root.join(rel);
        let tag = match Browser::install_tag(&path, home) {
            "" => format!("@{}", i + 2),
            t => t.to_string(),
        };
        out.push((path, format!("desktop{tag}")));
    }
    out
}

fn scan_desktop(ctx: &mut Ctx<'_>, spec: &KeyedSpec, out: &mut Vec<Store>) -> Value {
    let Some(d) = &spec.desktop else {
        return json!({"installed": false, "running": false, "data_dir": null, "store_id": null, "sessions": 0});
    };
    let mut first: Option<Value> = None;
    for (data, store_id) in desktop_folders(ctx.home, d) {
        if !data.is_dir() {
            continue;
        }
        let part = if d.partition.is_empty() {
            data.clone()
        } else {
            data.join(&d.partition)
        };
        let mut store = blank_store(spec, Source::Desktop, &spec.app, "app");
        store.store_id = store_id;
        store.ls_dir = part.join("Local Storage/leveldb");
        store.running = chromium_singleton(&data).is_some()
            || leveldb_lock_held(&store.ls_dir).is_some()
            || ctx.procs.as_ref().is_some_and(|p| {
                let names: Vec<&str> = d.processes.iter().map(String::as_str).collect();
                p.running(&names, &[]).is_some()
            });
        let store = read_store(ctx, spec, store, &part);
        if first.is_none() {
            first = Some(json!({
                "installed": true,
                "running": store.running,
                "data_dir": ctx.home.display(&data),
                "store_id": store.store_id,
                "sessions": store.signed_in().count(),
            }));
        }
        out.push(store);
    }
    first.unwrap_or_else(|| {
        json!({"installed": false, "running": false, "data_dir": null, "store_id": null, "sessions": 0})
    })
}

fn scan(home: &Home, spec: &KeyedSpec) -> Result<ProbeRun, String> {
    // The shared readers read through a probe context; its spec names the
    // same origins and cookie domains and asks for no cookie value.
    let store_spec = spec.store_spec()?;
    let mut ctx = Ctx::new(home, &store_spec, None);
    let mut stores = Vec::new();
    scan_browsers(&mut ctx, spec, &mut stores);
    scan_firefox(&mut ctx, spec, &mut stores);
    let desktop_app = scan_desktop(&mut ctx, spec, &mut stores);
    Ok(ProbeRun {
        facts: facts_of(&stores, desktop_app, spec, &ctx.warnings),
        warnings: ctx.warnings,
    })
}

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

fn names(entries: &[&Entry]) -> String {
    entries
        .iter()
        .map(|e| e.name.clone().unwrap_or_else(|| e.id.clone()))
        .collect::<Vec<_>>()
        .join(", ")
}

/// "Chrome, profile Work: 2 signed-in sessions (Acme, Beta); 1 listed but
/// signed out (Gamma)".
fn store_sentence(s: &Store) -> String {
    let signed: Vec<&Entry> = s.signed_in().collect();
    let mut line = if signed.is_empty() {
        format!("{}: no signed-in session", s.place())
    } else {
        format!(
            "{}: {} ({})",
            s.place(),
            plural(signed.len(), "signed-in session", "signed-in sessions"),
            names(&signed)
        )
    };
    if !s.listed.is_empty() {
        let listed: Vec<&Entry> = s.listed.iter().collect();
        line.push_str(&format!(
            "; {} listed but signed out ({})",
            listed.len(),
            names(&listed)
        ));
    }
    if s.cookies.is_empty() && s.tokens() > 0 {
        line.push_str("; no credential cookie");
    } else if signed.is_empty() && !s.cookies.is_empty() {
        line.push_str(&format!(
            "; its {} cookie is still there",
            s.cookies.join(", ")
        ));
    }
    if s.running {
        line.push_str(", running now");
    }
    line
}

/// The fields every session-shaped item has (what the store-changing
/// actions read as a session), for one store.
fn store_fields(s: &Store, spec: &KeyedSpec) -> serde_json::Map<String, Value> {
    let signed: Vec<&Entry> = s.signed_in().collect();
    let mut users: Vec<&str> = signed.iter().filter_map(|e| e.user.as_deref()).collect();
    users.sort();
    users.dedup();
    let v = json!({
        "source": s.source,
        "browser": s.browser,
        "profile": s.profile,
        "store_id": s.store_id,
        "store_path": s.ls_dir.to_string_lossy(),
        "store_kind": s.kind,
        "origin": s.origin,
        "keys": [spec.sessions_key.key],
        "store_sessions": signed.len(),
        "store_accounts": users.len(),
        "accounts_evidence": format!("{} from the {} key", plural(users.len(), "account", "accounts"), spec.sessions_key.key),
        "sync_enabled": s.sync_enabled,
        "running": s.running,
        "linked_accounts": [],
        "place": s.place(),
        "evidence": store_sentence(s),
    });
    match v {
        Value::Object(m) => m,
        _ => serde_json::Map::new(),
    }
}

/// Every browser profile looked at, with or without the app's data (the
/// same fields as `app-sessions`' `browsers[]`, so reports count them).
fn browsers_of(stores: &[Store]) -> Vec<Value> {
    stores
        .iter()
        .filter(|s| s.source == Source::Browser)
        .map(|s| {
            json!({
                "browser": s.browser,
                "browser_id": s.browser_id,
                "profile": s.profile,
                "profile_dir": s.profile_dir,
                "path": s.dir.to_string_lossy(),
                "running": s.running,
                "sync_enabled": s.sync_enabled,
                "sessions": s.signed_in().count(),
                "credential_cookies": s.cookies,
            })
        })
        .collect()
}

fn facts_of(
    stores: &[Store],
    desktop_app: Value,
    spec: &KeyedSpec,
    warnings: &[super::Warning],
) -> Value {
    let mut sessions = Vec::new();
    let mut held = Vec::new();
    let mut evidence = Vec::new();
    for s in stores {
        let base = store_fields(s, spec);
        for e in s.signed_in() {
            let mut m = base.clone();
            m.insert(
                "session_id".into(),
                json!(format!("{}:{}", s.store_id, e.id)),
            );
            // No key is this session's alone (the list holds every one), so
            // an action removing one session's keys finds none to remove.
            m.insert("keys".into(), json!([]));
            m.insert("workspace_id".into(), json!(e.id));
            m.insert("workspace_name".into(), json!(e.name));
            m.insert(
                "workspace_label".into(),
                json!(e.name.clone().unwrap_or_else(|| e.id.clone())),
            );
            m.insert("user_id".into(), json!(e.user));
            m.insert("url".into(), json!(e.url));
            m.insert(
                "active".into(),
                json!(s.active.as_deref() == Some(e.id.as_str())),
            );
            m.insert(
                "sources".into(),
                json!([
                    format!(
                        "Local Storage key {} ({})",
                        spec.sessions_key.key, spec.sessions_key.credential_field
                    ),
                    format!("cookie {}", s.cookies.join(", ")),
                ]),
            );
            sessions.push(Value::Object(m));
        }
        if s.holds_credentials() {
            let signed: Vec<&Entry> = s.signed_in().collect();
            let mut m = base.clone();
            m.insert("workspace_id".into(), json!(""));
            m.insert("workspace_name".into(), Value::Null);
            // What a plan says it signs out of: every workspace of the store.
            let label = if signed.is_empty() {
                "no signed-in workspace".to_string()
            } else {
                names(&signed)
            };
            m.insert("workspace_label".into(), json!(label));
            m.insert("user_id".into(), Value::Null);
            m.insert("workspaces".into(), json!(names(&signed)));
            m.insert("tokens".into(), json!(s.tokens()));
            m.insert("credential_cookies".into(), json!(s.cookies));
            m.insert(
                "listed".into(),
                json!(
                    s.listed
                        .iter()
                        .map(|e| e.name.clone().unwrap_or_else(|| e.id.clone()))
                        .collect::<Vec<_>>()
                ),
            );
            m.insert(
                "sources".into(),
                json!([
                    format!("Local Storage key {}", spec.sessions_key.key),
                    "cookies".to_string()
                ]),
            );
            held.push(Value::Object(m));
            evidence.push(store_sentence(s));
        }
    }
    if evidence.is_empty() {
        evidence.push(format!(
            "no {} sign-in found in {}",
            spec.app,
            plural(stores.len(), "store", "stores")
        ));
    }
    if desktop_app.get("installed") == Some(&Value::Bool(false)) && spec.desktop.is_some() {
        evidence.push(format!("{} desktop app not found", spec.app));
    }
    if !warnings.is_empty() {
        evidence.push(plural(
            warnings.len(),
            "store could not be read",
            "stores could not be read",
        ));
    }
    json!({
        "session_count": sessions.len(),
        "sessions": sessions,
        "store_count": held.len(),
        "stores": held,
        "desktop_app": desktop_app,
        "browsers": browsers_of(stores),
        "any_sync": stores.iter().any(|s| s.sync_enabled),
        "warnings": warnings,
        "evidence": evidence,
    })
}
