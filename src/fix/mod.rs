//! Vetted fixes: plan, backup, apply, verify, undo.
//!
//! A fix is one of a fixed registry of actions (`remove-workspace-entry`,
//! `clear-site-data`, `reset-desktop-app`). [`plan`] computes exactly what
//! it will touch, reading only. [`owner_running`] says whether the program
//! owning the store runs or holds its lock. [`apply`] takes the state-folder
//! lock, re-checks the owner, backs up every file that may change (sha256
//! manifest, owner-only), journals the action as `started`, applies it (an
//! SQLite transaction, LevelDB through the library, a folder by rename),
//! reads the store back, and journals the files' hashes after. If anything
//! fails midway the backup is restored at once. [`rollback`] restores after
//! a failed `verify`; [`undo`] restores later, refusing if the files changed
//! since (unless forced) or while the owner runs.
//!
//! Kill safety: the backup is complete and fsynced, and the journal row
//! `started` committed, before the store is touched; so a run killed at
//! any moment leaves either the original store or one `undo` restores
//! byte for byte.
//!
//! Paths come only from the probe's `Session` and the flow's `AppSpec`, and
//! every one is refused unless it lies under the home after resolving
//! symlinks and holds no `..`.

mod action;
mod backup;
mod checks;
mod error;
mod exec;
mod fsx;
mod inverse;
mod journal;
mod lock;
mod stores;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use crate::flow::catalog::{ParamDef, ParamKind};
use crate::flow::engine::FixCall;
use crate::flow::model::Risk;
use crate::probe::running::{ProcessList, lock_evidence_except, owner_of, process_evidence};
use crate::probe::sessions::{LsItem, session_keys};
use crate::probe::{AppSpec, Home, Session, Source, StoreKind};
use crate::readers::leveldb::{LockError, StoreLock, decode_string};
use crate::readers::sqlite::firefox_origin_dir;

pub use action::{Action, ActionDef, evidence_spec};
pub use error::FixError;
pub use exec::{
    Applied, JournalEntry, StoreHold, UndoReport, UndoneAction, apply, apply_held, list_undoable,
    rollback, rollback_held, undo,
};
pub use stores::{CookieFlavor, LsKey};

/// Everything a fix needs to know about where it runs.
#[derive(Debug, Clone, Copy)]
pub struct FixContext<'a> {
    pub home: &'a Home,
    /// The state folder: journal, backups, lock.
    pub state_dir: &'a Path,
    /// Id of this run; names the backup and is what `undo RUN_ID` takes.
    pub run_id: &'a str,
}

/// One machine step of a plan.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "kebab-case")]
pub enum Op {
    /// Delete Local Storage entries from a Chromium LevelDB folder: the
    /// listed keys, and for each of `origins` every entry plus its
    /// `META:`/`METAACCESS:` records.
    LeveldbDelete {
        dir: PathBuf,
        keys: Vec<LsKey>,
        origins: Vec<String>,
    },
    /// Delete keys (or, with `all`, every key) from a Firefox LSNG database.
    LsngDelete {
        db: PathBuf,
        origin: String,
        keys: Vec<String>,
        all: bool,
    },
    /// Delete the cookies on `domains` from a cookie database.
    CookiesDelete {
        db: PathBuf,
        flavor: CookieFlavor,
        domains: Vec<String>,
    },
    /// Rename a folder aside.
    MoveAside { from: PathBuf, to: PathBuf },
}

/// What a fix will do, computed before anything changes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Plan {
    pub action: String,
    pub risk: Risk,
    /// The program that must be closed ("Chrome", "Notion").
    pub owner: String,
    /// The store (a LevelDB folder, a database, a profile or app folder).
    pub store_path: PathBuf,
    /// Human lines, one per change.
    pub steps: Vec<String>,
    /// Every file that may change (each is backed up first).
    pub files: Vec<PathBuf>,
    /// Local Storage keys to delete.
    pub keys: Vec<String>,
    /// Names (never values) of cookies to delete.
    pub cookies: Vec<String>,
    /// Folders to move (from, to).
    pub moves: Vec<(PathBuf, PathBuf)>,
    /// The machine form of the steps.
    pub ops: Vec<Op>,
    /// Process names of the owner besides the browser table's (the desktop app's).
    pub owner_processes: Vec<String>,
    /// Folders and files whose lock files show the owner has the store open.
    pub lock_paths: Vec<PathBuf>,
}

impl Plan {
    /// A plan that changes nothing yet; an action fills it in.
    pub fn empty() -> Plan {
        Plan {
            action: String::new(),
            risk: Risk::Info,
            owner: String::new(),
            store_path: PathBuf::new(),
            steps: Vec::new(),
            files: Vec::new(),
            keys: Vec::new(),
            cookies: Vec::new(),
            moves: Vec::new(),
            ops: Vec::new(),
            owner_processes: Vec::new(),
            lock_paths: Vec::new(),
        }
    }

    /// The plan for reports and `--dry-run`, paths shown with `~`.
    pub fn to_json(&self, home: &Home) -> Value {
        json!({
            "action": self.action,
            "risk": self.risk,
            "owner": self.owner,
            "store_path": home.display(&self.store_path),
            "steps": self.steps,
            "files": self.files.iter().map(|f| home.display(f)).collect::<Vec<_>>(),
            "keys": self.keys,
            "cookies": self.cookies,
            "moves": self.moves.iter().map(|(a, b)| json!({"from": home.display(a), "to": home.display(b)})).collect::<Vec<_>>(),
        })
    }

    /// The owner is an app (not a browser): it has its own process names.
    fn owner_is_app(&self) -> bool {
        !self.owner_processes.is_empty()
    }
}

/// Compute exactly what `call` will touch with `action` (the registry's
/// entry for `call.action`). Reads only (stores are read from private
/// copies).
pub fn plan(action: &dyn Action, call: &FixCall, ctx: &FixContext) -> Result<Plan, FixError> {
    fsx::check_run_id(ctx.run_id)?;
    let mut plan = action.plan(call, ctx)?;
    plan.action = action.id().to_string();
    // The vetted action's risk; a flow may raise it, never lower it.
    plan.risk = action.risk().max(call.risk);
    check_plan_paths(&plan, ctx.home)?;
    Ok(plan)
}

const SESSION: ParamDef = ParamDef {
    name: "session",
    kind: ParamKind::Fact,
    required: true,
};

/// `remove-workspace-entry`.
pub struct RemoveWorkspaceEntry;

impl ActionDef for RemoveWorkspaceEntry {
    fn id(&self) -> &'static str {
        "remove-workspace-entry"
    }
    fn summary(&self) -> &'static str {
        "delete one workspace's Local Storage keys in one store, leaving every other key"
    }
    fn risk(&self) -> Risk {
        Risk::Medium
    }
    fn params(&self) -> &'static [ParamDef] {
        &[SESSION]
    }
    fn evidence_probe(&self) -> Option<&'static str> {
        Some(crate::probe::app_sessions::ID)
    }
}

impl Action for RemoveWorkspaceEntry {
    fn plan(&self, call: &FixCall, ctx: &FixContext) -> Result<Plan, FixError> {
        plan_remove_entry(&session_param(call)?, &evidence_spec(call)?, ctx)
    }
}

/// `clear-site-data`.
pub struct ClearSiteData;

impl ActionDef for ClearSiteData {
    fn id(&self) -> &'static str {
        "clear-site-data"
    }
    fn summary(&self) -> &'static str {
        "remove the app's cookies and Local Storage for its origins in one profile (sign out of all there)"
    }
    fn risk(&self) -> Risk {
        Risk::Medium
    }
    fn params(&self) -> &'static [ParamDef] {
        &[SESSION]
    }
    fn evidence_probe(&self) -> Option<&'static str> {
        Some(crate::probe::app_sessions::ID)
    }
}

impl Action for ClearSiteData {
    fn plan(&self, call: &FixCall, ctx: &FixContext) -> Result<Plan, FixError> {
        plan_clear_site(&session_param(call)?, &evidence_spec(call)?, ctx)
    }
}

/// `reset-desktop-app`.
pub struct ResetDesktopApp;

impl ActionDef for ResetDesktopApp {
    fn id(&self) -> &'static str {
        "reset-desktop-app"
    }
    fn summary(&self) -> &'static str {
        "move the desktop app's data folder aside, like the app's Reset App Data"
    }
    fn risk(&self) -> Risk {
        Risk::High
    }
    fn params(&self) -> &'static [ParamDef] {
        &[]
    }
    fn evidence_probe(&self) -> Option<&'static str> {
        Some(crate::probe::app_sessions::ID)
    }
}

impl Action for ResetDesktopApp {
    fn plan(&self, call: &FixCall, ctx: &FixContext) -> Result<Plan, FixError> {
        plan_reset_desktop(&evidence_spec(call)?, ctx)
    }
}

fn session_param(call: &FixCall) -> Result<Session, FixError> {
    let bad = |message: String| FixError::BadParams {
        action: call.action.clone(),
        param: "session".into(),
        message,
    };
    let v = call
        .params
        .get("session")
        .ok_or_else(|| bad("missing; it must name a fact holding one session".into()))?;
    serde_json::from_value::<Session>(v.clone())
        .map_err(|e| bad(format!("not a session from the scan ({e})")))
}

fn owner_processes(session: &Session, spec: &AppSpec) -> Vec<String> {
    match (session.source, &spec.desktop) {
        (Source::Desktop, Some(d)) => {
            let mut p = d.processes.clone();
            if p.is_empty() {
                p.push(d.folder.clone());
            }
            p
        }
        (Source::Desktop, None) => vec![session.browser.clone()],
        _ => Vec::new(),
    }
}

fn store_path_of(session: &Session, home: &Home) -> Result<PathBuf, FixError> {
    let p = PathBuf::from(&session.store_path);
    fsx::check_under(&home.root, &p)?;
    Ok(p)
}

fn where_(session: &Session) -> String {
    if session.source == Source::Desktop {
        format!("the {} desktop app", session.browser)
    } else {
        format!("{}, profile {}", session.browser, session.profile)
    }
}

/// The Local Storage entries of `origin` in a LevelDB snapshot, as the
/// session model reads them.
fn snapshot_items(snap: &stores::LdbSnapshot, store: &Path, origin: &str) -> Vec<LsItem> {
    snap.iter()
        .filter_map(|(raw, value)| {
            let (o, key) = stores::decode_entry_key(raw)?;
            (o == origin).then(|| LsItem {
                origin: o,
                key,
                value: decode_string(value),
                store_path: store.to_string_lossy().into_owned(),
                kind: StoreKind::ChromiumLeveldb,
            })
        })
        .collect()
}

/// "workspace Acme Corp of account u-1": whose keys a plan deletes.
fn session_note(session: &Session) -> String {
    let ws = if session.workspace_label.is_empty() {
        session.workspace_id.as_str()
    } else {
        session.workspace_label.as_str()
    };
    match &session.user_id {
        Some(u) => format!("workspace {ws} of account {u}"),
        None => format!("workspace {ws}"),
    }
}

/// The keys to delete for `session` in the store as it is now: the keys
/// the scan listed, and every key the flow's patterns match for that
/// workspace and account (written since the scan, or in the other spelling).
fn session_keys_now(session: &Session, spec: &AppSpec, items: &[LsItem]) -> Vec<String> {
    let mut keys: Vec<String> = session
        .keys
        .iter()
        .filter(|k| items.iter().any(|i| &i.key == *k))
        .cloned()
        .collect();
    for k in session_keys(
        spec,
        items,
        &session.workspace_id,
        session.user_id.as_deref(),
    ) {
        if !keys.contains(&k) {
            keys.push(k);
        }
    }
    keys.sort();
    keys
}

fn plan_remove_entry(
    session: &Session,
    spec: &AppSpec,
    ctx: &FixContext,
) -> Result<Plan, FixError> {
    if session.keys.is_empty() && session.workspace_id.is_empty() {
        return Err(FixError::BadParams {
            action: "remove-workspace-entry".into(),
            param: "session".into(),
            message: "this session names no workspace, so it has no Local Storage keys to remove"
                .into(),
        });
    }
    let store = store_path_of(session, ctx.home)?;
    let mut plan = Plan::empty();
    plan.action = "remove-workspace-entry".into();
    plan.owner = session.browser.clone();
    plan.owner_processes = owner_processes(session, spec);
    plan.store_path = store.clone();
    plan.lock_paths = vec![store.clone()];
    let found: Vec<String> = match session.store_kind {
        StoreKind::ChromiumLeveldb => {
            let snap = stores::ldb_snapshot(&store)?;
            let items = snapshot_items(&snap, &store, &session.origin);
            let keys = session_keys_now(session, spec, &items);
            let wanted: Vec<LsKey> = keys
                .iter()
                .map(|k| LsKey {
                    origin: session.origin.clone(),
                    key: k.clone(),
                })
                .collect();
            plan.ops.push(Op::LeveldbDelete {
                dir: store.clone(),
                keys: wanted,
                origins: Vec::new(),
            });
            keys
        }
        StoreKind::FirefoxLsng => {
            let items: Vec<LsItem> = match crate::readers::sqlite::read_lsng(&store) {
                Ok(rows) => rows
                    .into_iter()
                    .map(|(key, value)| LsItem {
                        origin: session.origin.clone(),
                        key,
                        value,
                        store_path: session.store_path.clone(),
                        kind: StoreKind::FirefoxLsng,
                    })
                    .collect(),
                Err(e) => return Err(FixError::store(&store, e.reason)),
            };
            let keys = session_keys_now(session, spec, &items);
            plan.ops.push(Op::LsngDelete {
                db: store.clone(),
                origin: session.origin.clone(),
                keys: keys.clone(),
                all: false,
            });
            keys
        }
    };
    if found.is_empty() {
        let listed = if session.keys.is_empty() {
            "the flow's key patterns match none".to_string()
        } else {
            format!("none of its keys ({})", session.keys.join(", "))
        };
        return Err(FixError::NothingToDo {
            path: store,
            message: format!(
                "{listed} for {} in this store any more; scan again",
                session_note(session)
            ),
        });
    }
    for k in &found {
        plan.steps.push(format!(
            "delete Local Storage key {k} of {} in {} ({})",
            session.origin,
            where_(session),
            session_note(session)
        ));
    }
    plan.steps
        .push("keep every other key, of this origin and of every other".into());
    plan.keys = found;
    plan.files = exec::current_files(&plan)?;
    Ok(plan)
}

/// `<profile>/Local Storage/leveldb` -> `<profile>`.
fn chromium_profile_of(store: &Path) -> Option<PathBuf> {
    let ls = store.parent()?;
    (store.file_name()? == "leveldb" && ls.file_name()? == "Local Storage")
        .then(|| ls.parent().map(Path::to_path_buf))?
}

/// `<profile>/storage/default/<origin>/ls/data.sqlite` -> `<profile>`.
fn firefox_profile_of(store: &Path) -> Option<PathBuf> {
    let ls = store.parent()?;
    let origin_dir = ls.parent()?;
    let default = origin_dir.parent()?;
    let storage = default.parent()?;
    (ls.file_name()? == "ls"
        && default.file_name()? == "default"
        && storage.file_name()? == "storage")
        .then(|| storage.parent().map(Path::to_path_buf))?
}

fn plan_clear_site(session: &Session, spec: &AppSpec, ctx: &FixContext) -> Result<Plan, FixError> {
    let store = store_path_of(session, ctx.home)?;
    let mut plan = Plan::empty();
    plan.action = "clear-site-data".into();
    plan.owner = session.browser.clone();
    plan.owner_processes = owner_processes(session, spec);
    let mut cookie_names = BTreeSet::new();
    let mut keys = BTreeSet::new();
    let layout_err = |what: &str| FixError::UnsafePath {
        path: store.clone(),
        reason: format!(
            "not where {what} keeps Local Storage; refusing to guess the profile folder"
        ),
    };
    match session.store_kind {
        StoreKind::ChromiumLeveldb => {
            let profile =
                chromium_profile_of(&store).ok_or_else(|| layout_err("a Chromium profile"))?;
            plan.store_path = profile.clone();
            plan.lock_paths.push(store.clone());
            // A profile that only cookies show signed in may have no Local Storage yet.
            let snap = if store.join("CURRENT").symlink_metadata().is_ok() {
                stores::ldb_snapshot(&store)?
            } else {
                stores::LdbSnapshot::new()
            };
            let mine = session_keys_now(
                session,
                spec,
                &snapshot_items(&snap, &store, &session.origin),
            );
            let raw = stores::ldb_targets(&snap, &[], &spec.origins);
            if !raw.is_empty() {
                for r in &raw {
                    if let Some((o, k)) = stores::decode_entry_key(r) {
                        plan.steps.push(key_step(&k, &o, session, &mine));
                        keys.insert(k);
                    }
                }
                let metas = raw
                    .iter()
                    .filter(|r| stores::decode_entry_key(r).is_none())
                    .count();
                if metas > 0 {
                    plan.steps.push(format!(
                        "delete {metas} Local Storage bookkeeping record(s) (META:/METAACCESS:) of {}",
                        spec.origins.join(", ")
                    ));
                }
                plan.ops.push(Op::LeveldbDelete {
                    dir: store.clone(),
                    keys: Vec::new(),
                    origins: spec.origins.clone(),
                });
            }
            for db in [profile.join("Network/Cookies"), profile.join("Cookies")] {
                if fsx::check_regular(&db)? {
                    plan_cookie_op(
                        &mut plan,
                        &db,
                        CookieFlavor::Chromium,
                        spec,
                        &mut cookie_names,
                    )?;
                }
            }
        }
        StoreKind::FirefoxLsng => {
            let profile = firefox_profile_of(&store).ok_or_else(|| layout_err("Firefox"))?;
            plan.store_path = profile.clone();
            let default = profile.join("storage/default");
            let mut dirs: Vec<(String, PathBuf)> = Vec::new();
            if let Ok(listing) = std::fs::read_dir(&default) {
                for ent in listing.flatten() {
                    let name = ent.file_name().to_string_lossy().into_owned();
                    for origin in &spec.origins {
                        let base = firefox_origin_dir(origin);
                        if name == base || name.starts_with(&format!("{base}^")) {
                            dirs.push((origin.clone(), ent.path()));
                        }
                    }
                }
            }
            dirs.sort();
            for (origin, dir) in dirs {
                let db = dir.join("ls/data.sqlite");
                if !fsx::check_regular(&db)? {
                    continue;
                }
                let present = stores::lsng_keys(&db)?;
                if present.is_empty() {
                    continue;
                }
                let mine = if db == store {
                    let items: Vec<LsItem> = crate::readers::sqlite::read_lsng(&db)
                        .map_err(|e| FixError::store(&db, e.reason))?
                        .into_iter()
                        .map(|(key, value)| LsItem {
                            origin: origin.clone(),
                            key,
                            value,
                            store_path: session.store_path.clone(),
                            kind: StoreKind::FirefoxLsng,
                        })
                        .collect();
                    session_keys_now(session, spec, &items)
                } else {
                    Vec::new()
                };
                for k in &present {
                    keys.insert(k.clone());
                    plan.steps.push(key_step(k, &origin, session, &mine));
                }
                plan.lock_paths.push(db.clone());
                plan.ops.push(Op::LsngDelete {
                    db,
                    origin,
                    keys: present,
                    all: true,
                });
            }
            let db = profile.join("cookies.sqlite");
            if fsx::check_regular(&db)? {
                plan_cookie_op(
                    &mut plan,
                    &db,
                    CookieFlavor::Firefox,
                    spec,
                    &mut cookie_names,
                )?;
            }
            plan.lock_paths.push(profile);
        }
    }
    if plan.ops.is_empty() {
        return Err(FixError::NothingToDo {
            path: plan.store_path.clone(),
            message: format!(
                "no {} cookies or Local Storage here any more; scan again",
                spec.app
            ),
        });
    }
    plan.steps.push(format!(
        "keep every other site's cookies and Local Storage in {}",
        where_(session)
    ));
    plan.keys = keys.into_iter().collect();
    plan.cookies = cookie_names.into_iter().collect();
    plan.files = exec::current_files(&plan)?;
    Ok(plan)
}

/// One plan line for a Local Storage key clear-site-data deletes, marking
/// the keys the patterns match for the chosen session.
fn key_step(key: &str, origin: &str, session: &Session, mine: &[String]) -> String {
    if mine.iter().any(|k| k == key) && origin == session.origin {
        format!(
            "delete Local Storage key {key} of {origin} (of the chosen session: {})",
            session_note(session)
        )
    } else {
        format!("delete Local Storage key {key} of {origin}")
    }
}

fn plan_cookie_op(
    plan: &mut Plan,
    db: &Path,
    flavor: CookieFlavor,
    spec: &AppSpec,
    names: &mut BTreeSet<String>,
) -> Result<(), FixError> {
    let domains = &spec.cookie_domains;
    let hits = stores::plan_cookies(db, flavor, domains)?;
    if hits.is_empty() {
        return Ok(());
    }
    for (host, name) in &hits {
        // What the cookie is to the session model (its value is never shown).
        let role = match spec.user_cookies.iter().find(|u| &u.name == name) {
            Some(u) if u.format == crate::probe::spec::UserCookieFormat::Plain => {
                " (names the active account)"
            }
            Some(_) => " (lists every signed-in account)",
            None if spec.session_cookies.contains(name) => " (the sign-in itself)",
            None => "",
        };
        plan.steps
            .push(format!("delete cookie {name} on {host}{role}"));
        names.insert(name.clone());
    }
    plan.lock_paths.push(db.to_path_buf());
    plan.ops.push(Op::CookiesDelete {
        db: db.to_path_buf(),
        flavor,
        domains: domains.to_vec(),
    });
    Ok(())
}

fn plan_reset_desktop(spec: &AppSpec, ctx: &FixContext) -> Result<Plan, FixError> {
    let bad = |message: String| FixError::BadParams {
        action: "reset-desktop-app".into(),
        param: "desktop".into(),
        message,
    };
    let desktop = spec
        .desktop
        .as_ref()
        .ok_or_else(|| bad("the flow's probe names no desktop app".into()))?;
    let folder = desktop.folder.as_str();
    if folder.is_empty() || folder.contains(['/', '\\']) || folder == "." || folder == ".." {
        return Err(bad(format!("`{folder}` is not a plain folder name")));
    }
    let base = ctx.home.roaming_app_data();
    let from = base.join(folder);
    let to = base.join(format!("{folder}.troubleshoot-reset-{}", ctx.run_id));
    fsx::check_under(&ctx.home.root, &from)?;
    match std::fs::symlink_metadata(&from) {
        Ok(m) if m.file_type().is_dir() => {}
        Ok(_) => {
            return Err(FixError::UnsafePath {
                path: from,
                reason: "not a plain folder (a symlink or a file); refusing to move it".into(),
            });
        }
        Err(_) => {
            return Err(FixError::NothingToDo {
                path: from,
                message: format!(
                    "the {} desktop app has no data folder here; nothing to reset",
                    spec.app
                ),
            });
        }
    }
    if std::fs::symlink_metadata(&to).is_ok() {
        return Err(FixError::NothingToDo {
            path: to,
            message: "already exists: this run reset the app before".into(),
        });
    }
    let mut plan = Plan::empty();
    plan.action = "reset-desktop-app".into();
    plan.owner = spec.app.clone();
    plan.owner_processes = if desktop.processes.is_empty() {
        vec![folder.to_string()]
    } else {
        desktop.processes.clone()
    };
    plan.store_path = from.clone();
    plan.lock_paths.push(from.clone());
    let partition = Path::new(&desktop.partition);
    if partition.is_absolute()
        || partition
            .components()
            .any(|c| !matches!(c, std::path::Component::Normal(_)))
    {
        return Err(bad(format!(
            "partition `{}` must be a relative path inside the app's folder",
            desktop.partition
        )));
    }
    plan.lock_paths
        .push(from.join(partition).join("Local Storage/leveldb"));
    plan.steps.push(format!(
        "move {} aside to {}",
        ctx.home.display(&from),
        ctx.home.display(&to)
    ));
    plan.steps.push(format!(
        "{} starts fresh, signed out of every workspace; `troubleshoot undo {}` moves the folder back",
        spec.app, ctx.run_id
    ));
    plan.moves.push((from.clone(), to.clone()));
    plan.ops.push(Op::MoveAside { from, to });
    Ok(plan)
}

/// Every path in a plan must lie under the home (after resolving symlinks)
/// and hold no `..`.
pub(crate) fn check_plan_paths(plan: &Plan, home: &Home) -> Result<(), FixError> {
    let mut paths: Vec<&Path> = vec![&plan.store_path];
    paths.extend(plan.files.iter().map(PathBuf::as_path));
    for op in &plan.ops {
        match op {
            Op::LeveldbDelete { dir, .. } => paths.push(dir),
            Op::LsngDelete { db, .. } | Op::CookiesDelete { db, .. } => paths.push(db),
            Op::MoveAside { from, to } => {
                paths.push(from);
                paths.push(to);
            }
        }
    }
    for p in paths {
        fsx::check_under(&home.root, p)?;
    }
    checks::check_stores(plan)
}

/// `Some(reason and what to do)` when the program owning the plan's store
/// runs or holds its lock: lock files always count (`SingletonLock`,
/// Firefox `lock`/`.parentlock`, LevelDB `LOCK`); the process list only
/// for the real home (not with `--root`).
pub fn owner_running(plan: &Plan, ctx: &FixContext) -> Option<String> {
    owner_running_in(plan, ctx.home)
}

pub(crate) fn owner_running_in(plan: &Plan, home: &Home) -> Option<String> {
    owner_running_except(plan, home, &[])
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
fn store_locks(plan: &Plan) -> Vec<(&Path, &'static str)> {
    let mut out: Vec<(&Path, &'static str)> = Vec::new();
    for op in &plan.ops {
        let lock = match op {
            Op::LeveldbDelete { dir, .. } if dir.join("CURRENT").is_file() => {
                Some((dir.as_path(), "LOCK"))
            }
            // Only where Firefox made one: taking the lock must not add a
            // file to the profile.
            Op::LsngDelete { db, .. } => db
                .ancestors()
                .nth(5)
                .filter(|p| p.join(".parentlock").is_file())
                .map(|p| (p, ".parentlock")),
            Op::CookiesDelete {
                db,
                flavor: stores::CookieFlavor::Firefox,
                ..
            } => db
                .parent()
                .filter(|p| p.join(".parentlock").is_file())
                .map(|p| (p, ".parentlock")),
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

/// [`hold_stores`] when `held` (taken by an earlier step of the same fix)
/// are already held: only the others are taken. Returns the new ones.
pub(crate) fn hold_more_stores(
    plan: &Plan,
    home: &Home,
    held: &[StoreLock],
) -> Result<Vec<StoreLock>, FixError> {
    let mut locks = Vec::new();
    for (dir, name) in store_locks(plan) {
        if held.iter().any(|l| l.dir() == dir) {
            continue;
        }
        match StoreLock::acquire_named(dir, name) {
            Ok(l) => locks.push(l),
            Err(LockError::Held { path }) => {
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

/// [`owner_running_in`], not counting the `LOCK` of the LevelDB folders in
/// `held` (this process holds those itself).
fn owner_running_except(plan: &Plan, home: &Home, held: &[&Path]) -> Option<String> {
    let hint = owner_hint(plan);
    for p in &plan.lock_paths {
        if let Some(r) = lock_evidence_except(home, p, held) {
            return Some(format!("{} is using its data ({r}); {hint}", plan.owner));
        }
    }
    if home.explicit_root {
        return None;
    }
    let list = ProcessList::snapshot();
    let owner = owner_of(home, &plan.store_path);
    process_evidence(&list, &owner, &plan.owner_processes)
        .map(|r| format!("{} is running ({r}); {hint}", plan.owner))
}
