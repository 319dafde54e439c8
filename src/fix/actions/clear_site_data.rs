//! `clear-site-data`: remove the app's cookies and Local Storage for every
//! one of its origins in one browser profile: the flow's origins and every
//! other origin on its cookie domains the store holds (Notion's
//! `https://identity.notion.so` among them). Removing the sign-in cookie
//! signs out every account there; every other site's data and every other
//! profile stay as they are.

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
use crate::readers::cookie_host;

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
            let origins = site_origins(ldb_origins(&snap), spec);
            let raw = stores::ldb_targets(&snap, &[], &origins);
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
                        origins.join(", ")
                    ));
                }
                plan.ops.push(Op::LeveldbDelete {
                    dir: store.clone(),
                    keys: Vec::new(),
                    origins,
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
                let found: Vec<(String, PathBuf)> = listing
                    .flatten()
                    .filter_map(|ent| {
                        let name = ent.file_name().to_string_lossy().into_owned();
                        Some((firefox_dir_origin(&name)?, ent.path()))
                    })
                    .collect();
                let origins = site_origins(found.iter().map(|(o, _)| o.clone()).collect(), spec);
                dirs.extend(found.into_iter().filter(|(o, _)| origins.contains(o)));
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
        "keep every other site's cookies and Local Storage in {}, and every other profile as it is",
        where_(session)
    ));
    plan.steps.insert(0, who_signs_out(session, &spec.app));
    plan.keys = keys.into_iter().collect();
    plan.cookies = cookie_names.into_iter().collect();
    plan.files = current_files(&plan)?;
    Ok(plan)
}

/// The plan's first line: which accounts the clearing signs out. Notion
/// signs out per store, so every account there goes, not only the chosen
/// one.
fn who_signs_out(session: &Session, app: &str) -> String {
    let place = where_(session);
    let who = if session.account_label.is_empty() {
        "the chosen account".to_string()
    } else {
        session.account_label.clone()
    };
    match session.store_accounts {
        Some(0 | 1) => format!("sign out {who}, the only {app} account signed in in {place}"),
        Some(n) => format!("sign out all {n} {app} accounts signed in in {place}, not only {who}"),
        None => format!(
            "sign out every {app} account signed in in {place}, {who} included (how many, the evidence there does not say)"
        ),
    }
}

/// The origins a LevelDB Local Storage holds entries or bookkeeping for.
fn ldb_origins(snap: &stores::LdbSnapshot) -> BTreeSet<String> {
    snap.keys()
        .filter_map(|raw| match stores::decode_entry_key(raw) {
            Some((origin, _)) => Some(origin),
            None => {
                let s = std::str::from_utf8(raw).ok()?;
                let o = s
                    .strip_prefix("METAACCESS:")
                    .or_else(|| s.strip_prefix("META:"))?;
                Some(o.to_string())
            }
        })
        .collect()
}

/// The origin a Firefox `storage/default` folder name stands for:
/// `https+++identity.notion.so` -> `https://identity.notion.so`
/// (`^userContextId=…` suffixes dropped; a port stays after a `:`).
fn firefox_dir_origin(name: &str) -> Option<String> {
    let base = name.split('^').next()?;
    let (scheme, rest) = base.split_once("+++")?;
    let origin = match rest.rsplit_once('+') {
        Some((host, port)) if port.chars().all(|c| c.is_ascii_digit()) && !port.is_empty() => {
            format!("{scheme}://{host}:{port}")
        }
        _ => format!("{scheme}://{rest}"),
    };
    Some(origin)
}

/// The host of an origin (`https://identity.notion.so:443` ->
/// `identity.notion.so`).
fn origin_host(origin: &str) -> &str {
    let rest = origin.split_once("://").map_or(origin, |(_, r)| r);
    let rest = rest.split('/').next().unwrap_or(rest);
    rest.rsplit_once(':')
        .filter(|(_, p)| p.chars().all(|c| c.is_ascii_digit()))
        .map_or(rest, |(h, _)| h)
}

/// The app's origins among `present`: the flow's own, and every other
/// whose host lies on one of its cookie domains (so a Notion origin the
/// flow does not list, such as its identity origin, is cleared too),
/// sorted. Origins of other sites never are.
fn site_origins(present: BTreeSet<String>, spec: &AppSpec) -> Vec<String> {
    let mut out: BTreeSet<String> = spec.origins.iter().cloned().collect();
    out.extend(
        present
            .into_iter()
            .filter(|o| cookie_host::on_any(origin_host(o), &spec.cookie_domains)),
    );
    out.into_iter().collect()
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
            None if spec.session_cookies.contains(name) => " (a sign-in cookie)",
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn origins_on_the_cookie_domains_only() {
        let spec: AppSpec = serde_json::from_value(serde_json::json!({
            "app": "Notion",
            "origins": ["https://www.notion.so"],
            "cookie_domains": ["notion.so"],
        }))
        .unwrap();
        let present: BTreeSet<String> = [
            "https://identity.notion.so",
            "https://www.notion.so",
            "https://notnotion.so",
            "https://notion.so.evil.com",
            "https://example.com",
            "http://localhost:8080",
        ]
        .map(String::from)
        .into();
        assert_eq!(
            site_origins(present, &spec),
            ["https://identity.notion.so", "https://www.notion.so"]
        );
        assert_eq!(
            origin_host("https://identity.notion.so:443"),
            "identity.notion.so"
        );
        assert_eq!(
            firefox_dir_origin("https+++identity.notion.so^userContextId=2").as_deref(),
            Some("https://identity.notion.so")
        );
        assert_eq!(
            firefox_dir_origin("http+++localhost+8080").as_deref(),
            Some("http://localhost:8080")
        );
        assert_eq!(firefox_dir_origin("chrome"), None);
    }
}
