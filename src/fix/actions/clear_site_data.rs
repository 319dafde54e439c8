//! `clear-site-data`: remove the app's cookies and Local Storage for its
//! origins in one browser profile (or the desktop app), which signs out of
//! every account there; every other site's data stays.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use super::session::{
    SESSION, lsng_items, owner_processes, session_keys_now, session_note, session_param,
    snapshot_items, store_path_of, where_,
};
use crate::fix::action::{Action, ActionDef, ActionInfo, evidence_spec};
use crate::fix::error::FixError;
use crate::fix::stores::{self, CookieFlavor};
use crate::fix::watched::current_files;
use crate::fix::{FixContext, Op, Plan, fsx};
use crate::flow::engine::FixCall;
use crate::flow::model::Risk;
use crate::probe::{AppSpec, Session, StoreKind};
use crate::readers::sqlite::firefox_origin_dir;

/// The id flows name this action by.
pub const ID: &str = "clear-site-data";

/// The `clear-site-data` action ([`ID`]).
pub struct ClearSiteData;

/// What the action is, for the validator, the schema and the registry.
pub const INFO: ActionInfo = ActionInfo {
    id: ID,
    summary: "remove the app's cookies and Local Storage for its origins in one profile (sign out of all there)",
    risk: Risk::Medium,
    params: &[SESSION],
    evidence: &["sessions"],
};

impl ActionDef for ClearSiteData {
    fn info(&self) -> &'static ActionInfo {
        &INFO
    }
}

impl Action for ClearSiteData {
    fn plan(&self, call: &FixCall, ctx: &FixContext) -> Result<Plan, FixError> {
        plan_clear_site(&session_param(call)?, &evidence_spec(call)?, ctx)
    }
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
                    let items = lsng_items(&db, &origin, &session.store_path)?;
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
    plan.files = current_files(&plan)?;
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
