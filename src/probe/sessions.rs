//! The session model: from one store's evidence (Local Storage entries,
//! cookies, and for the desktop app its `state.json` tabs and `notion.db`
//! names) to its accounts and workspace sessions.
//!
//! A *session* in the article's sense is one signed-in account in one store
//! (a browser profile or the desktop app), with the workspaces seen for it;
//! two workspaces of one account in one profile are one session. The scan
//! lists one entry per workspace of an account (`sessions[]`, what the flow
//! offers to sign out of) and, per store, the accounts with their
//! workspaces (`account_sessions`) and their count (`accounts`).
//!
//! Evidence, all named by the flow's parameters:
//! - key names matching a pattern (`currentSpace:{space}:{user}`) give a
//!   workspace, an account, or both; a pattern may read the workspace name
//!   and account from the value (the article's `notion:workspace:` keys);
//! - envelope pairs (`current-user-id` / `current-space-id`) give the
//!   account and the workspace it has open;
//! - the cookie listing every signed-in account (`notion_users`) and the
//!   active one (`notion_user_id`);
//! - the desktop app's open tabs (account and workspace per tab) and its
//!   cache of workspace names.
//!
//! The count is a number only when the evidence shows it: the listing
//! cookie, read, is the whole truth; without it, the distinct accounts the
//! evidence names. When the listing exists but cannot be read (encrypted
//! with a key that is not available) and fewer than two accounts are seen,
//! or when nothing names an account although the store is signed in, the
//! count is `None` with the reason, never 1 by default.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

use super::model::{AccountFacts, AccountSession, SignIn, StoreKind, WorkspaceSeen};
use super::pattern::normalize_id;
use super::spec::{AppSpec, UserCookieFormat};
use crate::readers::cookie_host;
use crate::readers::sqlite::CookieRow;

/// One Local Storage entry of a store, with where it lives.
#[derive(Debug, Clone)]
pub struct LsItem {
    pub origin: String,
    pub key: String,
    pub value: String,
    pub store_path: String,
    pub kind: StoreKind,
}

/// Where a store's Local Storage is, for sessions no key points at.
#[derive(Debug, Clone, PartialEq)]
pub struct DefaultStore {
    pub origin: String,
    pub store_path: String,
    pub kind: StoreKind,
}

/// What a store holds besides Local Storage and cookies (the desktop app's
/// own files), read by the caller.
#[derive(Debug, Clone, Default)]
pub struct StoreExtra {
    /// `(account, workspace)` of each open tab.
    pub tabs: Vec<(Option<String>, Option<String>)>,
    /// Label of where the tabs came from ("state.json tabs").
    pub tabs_source: String,
    /// Workspace names from a local cache, by workspace id.
    pub space_names: BTreeMap<String, String>,
    /// Label of that cache ("notion.db space names").
    pub names_source: String,
    /// The store's Local Storage, for sessions without keys.
    pub default_store: Option<DefaultStore>,
}

/// A session before the store's shared facts are attached.
#[derive(Debug, Clone, PartialEq)]
pub struct SessionDraft {
    pub origin: String,
    pub store_path: String,
    pub store_kind: StoreKind,
    pub workspace_id: String,
    pub workspace_name: Option<String>,
    pub user_id: Option<String>,
    pub keys: Vec<String>,
    pub sources: Vec<String>,
}

/// What one store (a browser profile or the desktop app) holds.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct StoreFacts {
    pub sessions: Vec<SessionDraft>,
    /// Every distinct account id seen, sorted.
    pub user_ids: Vec<String>,
    /// Signed-in accounts, when the evidence shows the number.
    pub accounts: Option<u32>,
    pub account_facts: AccountFacts,
    /// Names of Notion cookies, sorted, distinct.
    pub notion_cookies: Vec<String>,
    /// Providers with a sign-in cookie, in spec order.
    pub linked_accounts: Vec<String>,
    /// The sign-in cookies there; `signed_in` is whether there are any
    /// (the caller makes it unknown when a cookie database was unreadable).
    pub sign_in: SignIn,
}

fn hex(c: u8) -> Option<u8> {
    (c as char).to_digit(16).map(|d| d as u8)
}

/// Decode `%XX` escapes (and `+` as space is NOT applied: cookie values use `%20`).
pub fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%'
            && i + 2 < b.len()
            && let (Some(h), Some(l)) = (hex(b[i + 1]), hex(b[i + 2]))
        {
            out.push(h * 16 + l);
            i += 3;
            continue;
        }
        out.push(b[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Could `s` be an account or workspace id? Letters, digits, `-`, `_` and
/// `.`, at most 64 characters. Anything else (a token, a JSON blob, prose)
/// is never reported as an id.
pub fn plausible_id(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 64
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
}

/// User ids named by one user-id cookie value (only plausible ids, in
/// Notion's one spelling).
pub fn user_ids_from_cookie(value: &str, format: UserCookieFormat) -> Vec<String> {
    let value = value.trim();
    let raw: Vec<String> = match format {
        UserCookieFormat::Plain => {
            let v = percent_decode(value);
            vec![v.trim().trim_matches('"').to_string()]
        }
        UserCookieFormat::UrlencodedJsonList => {
            let decoded = percent_decode(value);
            let items = match serde_json::from_str::<Value>(&decoded) {
                Ok(Value::Array(a)) => a,
                Ok(Value::String(s)) => vec![Value::String(s)],
                _ => vec![],
            };
            items
                .into_iter()
                .filter_map(|it| match it {
                    Value::String(s) => Some(s),
                    Value::Object(o) => o
                        .get("id")
                        .or_else(|| o.get("user_id"))
                        .and_then(Value::as_str)
                        .map(str::to_string),
                    _ => None,
                })
                .collect()
        }
    };
    let mut out: Vec<String> = Vec::new();
    for id in raw.iter().map(|s| normalize_id(s)) {
        if plausible_id(&id) && !out.contains(&id) {
            out.push(id);
        }
    }
    out
}

/// A JSON string field of a value, or the value itself when it is not JSON.
fn field_or_plain(value: &str, field: &str) -> Option<String> {
    match serde_json::from_str::<Value>(value) {
        Ok(Value::Object(o)) => o.get(field).and_then(|v| match v {
            Value::String(s) => Some(s.clone()),
            Value::Number(n) => Some(n.to_string()),
            _ => None,
        }),
        Ok(Value::String(s)) => Some(s),
        Ok(Value::Number(n)) => Some(n.to_string()),
        Ok(_) => None,
        Err(_) => {
            let t = value.trim();
            if t.is_empty() {
                None
            } else {
                Some(t.to_string())
            }
        }
    }
    .filter(|s| !s.is_empty())
}

/// A string field of a JSON object value (no plain-text fallback).
fn object_field(value: &str, field: &str) -> Option<String> {
    match serde_json::from_str::<Value>(value) {
        Ok(Value::Object(o)) => o.get(field).and_then(Value::as_str).map(str::to_string),
        _ => None,
    }
    .filter(|s| !s.is_empty())
}

/// An id from Local Storage or the app's files: normalised; any text of at
/// most 128 characters without control characters (the article's ids are
/// free text, "ws-東京").
fn id_of(s: Option<String>) -> Option<String> {
    s.map(|s| normalize_id(&s))
        .filter(|s| !s.is_empty() && s.chars().count() <= 128 && !s.chars().any(char::is_control))
}

/// One piece of evidence for a workspace and/or an account.
#[derive(Debug, Clone)]
struct Hit {
    /// Where its key lives; `None` for evidence outside Local Storage.
    at: Option<DefaultStore>,
    space: Option<String>,
    user: Option<String>,
    /// The Local Storage key to delete with this workspace, if any.
    key: Option<String>,
    name: Option<String>,
    source: String,
    /// From the first envelope pair: the app's current account.
    current: bool,
    /// From a pattern whose value names the workspace: the article's
    /// per-workspace entries, which are sessions of their own.
    entry: bool,
}

/// An envelope's value and timestamp.
fn envelope(item: &LsItem, value_field: &str, ts_field: &str) -> Option<(String, f64)> {
    let v: Value = serde_json::from_str(&item.value).ok()?;
    let value = match v.get(value_field)? {
        Value::String(s) => s.clone(),
        Value::Number(n) => n.to_string(),
        _ => return None,
    };
    let ts = v.get(ts_field).and_then(Value::as_f64).unwrap_or(0.0);
    Some((value, ts))
}

/// The newest envelope stored under `key`, preferring `origin`.
fn newest<'a>(
    ls: &'a [LsItem],
    key: &str,
    value_field: &str,
    ts_field: &str,
    origin: Option<&str>,
) -> Option<(&'a LsItem, String)> {
    let mut best: Option<(&LsItem, String, (bool, f64))> = None;
    for item in ls.iter().filter(|i| i.key == key) {
        let Some((value, ts)) = envelope(item, value_field, ts_field) else {
            continue;
        };
        let rank = (origin == Some(item.origin.as_str()), ts);
        if best.as_ref().is_none_or(|(_, _, r)| rank > *r) {
            best = Some((item, value, rank));
        }
    }
    best.map(|(i, v, _)| (i, v))
}

fn at(item: &LsItem) -> DefaultStore {
    DefaultStore {
        origin: item.origin.clone(),
        store_path: item.store_path.clone(),
        kind: item.kind,
    }
}

fn push_unique(v: &mut Vec<String>, s: &str) {
    if !v.iter().any(|x| x == s) {
        v.push(s.to_string());
    }
}

/// The Local Storage evidence of one store, in item order.
fn ls_hits(spec: &AppSpec, ls: &[LsItem]) -> Vec<Hit> {
    let patterns = spec.all_key_patterns();
    let mut hits = Vec::new();
    for item in ls {
        for kp in &patterns {
            let Some(caps) = kp.pattern.matches(&item.key) else {
                continue;
            };
            let name = kp
                .name_field
                .as_deref()
                .and_then(|f| field_or_plain(&item.value, f));
            let user = caps.user.or_else(|| {
                kp.user_field
                    .as_deref()
                    .and_then(|f| id_of(object_field(&item.value, f)))
            });
            hits.push(Hit {
                at: Some(at(item)),
                space: id_of(caps.space),
                user: id_of(user),
                key: Some(item.key.clone()),
                name,
                source: format!("Local Storage keys {}", kp.pattern.shown()),
                current: false,
                entry: kp.name_field.is_some(),
            });
            break;
        }
    }
    for (n, pair) in spec.envelope_pairs().into_iter().enumerate() {
        let (vf, tf) = (pair.value_field.as_str(), pair.timestamp_field.as_str());
        let user = pair
            .user_key
            .as_deref()
            .and_then(|k| newest(ls, k, vf, tf, None));
        let space = pair
            .space_key
            .as_deref()
            .and_then(|k| newest(ls, k, vf, tf, user.as_ref().map(|(i, _)| i.origin.as_str())));
        let (user_id, space_id) = (
            id_of(user.as_ref().map(|(_, v)| v.clone())),
            id_of(space.as_ref().map(|(_, v)| v.clone())),
        );
        if user_id.is_none() && space_id.is_none() {
            continue;
        }
        let item = space.as_ref().or(user.as_ref()).map(|(i, _)| *i);
        hits.push(Hit {
            at: item.map(at),
            key: space
                .as_ref()
                .filter(|_| space_id.is_some())
                .map(|(i, _)| i.key.clone()),
            space: space_id,
            user: user_id,
            name: None,
            source: pair.label.clone(),
            current: n == 0,
            entry: false,
        });
    }
    hits
}

/// Workspace ids listed by the map envelopes (`spaceIdToShortId`), with the map's label.
fn map_spaces(spec: &AppSpec, ls: &[LsItem]) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for (key, vf) in spec.space_map_keys() {
        for item in ls.iter().filter(|i| i.key == key) {
            let Ok(v) = serde_json::from_str::<Value>(&item.value) else {
                continue;
            };
            if let Some(Value::Object(m)) = v.get(&vf) {
                for id in m.keys() {
                    let id = normalize_id(id);
                    if plausible_id(&id) {
                        out.push((id, format!("Local Storage {key}")));
                    }
                }
            }
        }
    }
    out
}

/// What the cookies say about accounts.
#[derive(Debug, Default)]
struct CookieAccounts {
    /// Every signed-in account, from a listing cookie that was read.
    listed: Option<Vec<String>>,
    listed_source: Vec<String>,
    /// The active account(s), from a plain user-id cookie.
    active: Vec<String>,
    active_source: Vec<String>,
    /// Listing cookies that exist but could not be read: (name, why).
    listing_unreadable: Vec<(String, String)>,
    /// Active-account cookies that exist but could not be read.
    active_unreadable: Vec<(String, String)>,
    /// A session cookie is present (signed in), by name.
    signed_in: Option<String>,
}

fn cookie_accounts(spec: &AppSpec, cookies: &[CookieRow]) -> CookieAccounts {
    let mut out = CookieAccounts::default();
    for c in cookies {
        if !cookie_host::on_any(&c.host, &spec.cookie_domains) {
            continue;
        }
        if spec.session_cookies.contains(&c.name) && out.signed_in.is_none() {
            out.signed_in = Some(c.name.clone());
        }
        let Some(uc) = spec.user_cookies.iter().find(|u| u.name == c.name) else {
            continue;
        };
        let label = format!("{} cookie", c.name);
        let listing = uc.format == UserCookieFormat::UrlencodedJsonList;
        match (&c.value, &c.unreadable) {
            (Some(v), _) => {
                let ids = user_ids_from_cookie(v, uc.format);
                if listing {
                    let l = out.listed.get_or_insert_with(Vec::new);
                    for id in &ids {
                        push_unique(l, id);
                    }
                    push_unique(&mut out.listed_source, &label);
                } else {
                    for id in &ids {
                        push_unique(&mut out.active, id);
                    }
                    if !ids.is_empty() {
                        push_unique(&mut out.active_source, &label);
                    }
                }
            }
            (None, Some(why)) => {
                let entry = (c.name.clone(), why.clone());
                let list = if listing {
                    &mut out.listing_unreadable
                } else {
                    &mut out.active_unreadable
                };
                if !list.contains(&entry) {
                    list.push(entry);
                }
            }
            (None, None) => {}
        }
    }
    out
}

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

fn and_list(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
    }
}

/// Apply the session model to one store.
pub fn analyze(
    spec: &AppSpec,
    ls: &[LsItem],
    cookies: &[CookieRow],
    extra: &StoreExtra,
) -> StoreFacts {
    let mut facts = StoreFacts::default();

    // Cookie names and linked accounts.
    let names: BTreeSet<String> = cookies
        .iter()
        .filter(|c| cookie_host::on_any(&c.host, &spec.cookie_domains))
        .map(|c| c.name.clone())
        .collect();
    facts.notion_cookies = names.into_iter().collect();
    facts.sign_in.sign_in_cookies = facts
        .notion_cookies
        .iter()
        .filter(|n| spec.session_cookies.contains(n))
        .cloned()
        .collect();
    facts.sign_in.signed_in = Some(!facts.sign_in.sign_in_cookies.is_empty());
    for la in &spec.linked_accounts {
        let hit = cookies.iter().any(|c| {
            cookie_host::on_any(&c.host, &la.cookie_domains) && la.cookie_names.contains(&c.name)
        });
        if hit && !facts.linked_accounts.contains(&la.provider) {
            facts.linked_accounts.push(la.provider.clone());
        }
    }
    let ca = cookie_accounts(spec, cookies);

    // Every piece of workspace / account evidence.
    let mut hits = ls_hits(spec, ls);
    for (user, space) in &extra.tabs {
        let (user, space) = (id_of(user.clone()), id_of(space.clone()));
        if user.is_some() || space.is_some() {
            hits.push(Hit {
                at: None,
                space,
                user,
                key: None,
                name: None,
                source: extra.tabs_source.clone(),
                current: false,
                entry: false,
            });
        }
    }
    let confirmed = map_spaces(spec, ls);

    // Accounts seen, the active one first, each with where it was seen.
    let mut seen: Vec<String> = Vec::new();
    let mut seen_by: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut note = |id: &str, source: &str, seen: &mut Vec<String>| {
        push_unique(seen, id);
        push_unique(seen_by.entry(id.to_string()).or_default(), source);
    };
    for id in &ca.active {
        for s in &ca.active_source {
            note(id, s, &mut seen);
        }
    }
    for id in ca.listed.iter().flatten() {
        for s in &ca.listed_source {
            note(id, s, &mut seen);
        }
    }
    for h in &hits {
        if let Some(u) = &h.user {
            note(u, &h.source, &mut seen);
        }
    }
    let active: Vec<String> = if ca.active.is_empty() {
        // Without the cookie, the first envelope pair names the current account.
        hits.iter()
            .find(|h| h.current)
            .and_then(|h| h.user.clone())
            .into_iter()
            .collect()
    } else {
        ca.active.clone()
    };

    // The count.
    let listed: Option<Vec<String>> = ca.listed.as_ref().map(|l| {
        let mut all = l.clone();
        for a in &ca.active {
            push_unique(&mut all, a);
        }
        all
    });
    let listed = listed.filter(|l| !l.is_empty());
    let counted: Vec<String> = listed.clone().unwrap_or_else(|| seen.clone());
    let mut sources: Vec<String> = Vec::new();
    for u in &counted {
        for s in seen_by.get(u).into_iter().flatten() {
            push_unique(&mut sources, s);
        }
    }
    // Cookie sources first: they are what Notion itself counts.
    sources.sort_by_key(|s| !s.ends_with(" cookie"));
    let unreadable = |list: &[(String, String)], what: &str| -> Option<String> {
        list.first()
            .map(|(name, why)| format!("the {name} cookie, {what}, is {why}"))
    };
    let listing_why = unreadable(
        &ca.listing_unreadable,
        "which lists every signed-in account",
    );
    let active_why = unreadable(&ca.active_unreadable, "which names the active account");
    let signed_in = ca.signed_in.is_some()
        || !ca.listing_unreadable.is_empty()
        || !ca.active_unreadable.is_empty()
        || !hits.is_empty();
    let (accounts, reason, at_least): (Option<usize>, Option<String>, bool) = if listed.is_some() {
        (Some(counted.len()), None, false)
    } else if let Some(why) = listing_why {
        if counted.len() >= 2 {
            (Some(counted.len()), Some(why), true)
        } else {
            (None, Some(why), false)
        }
    } else if !counted.is_empty() {
        (Some(counted.len()), None, false)
    } else if let Some(why) = active_why {
        (None, Some(why), false)
    } else if signed_in {
        let what = match &ca.signed_in {
            Some(c) => format!("the {c} cookie shows a signed-in session"),
            None => "Notion's keys are here".to_string(),
        };
        (
            None,
            Some(format!(
                "{what}, but no cookie, key or file names its account"
            )),
            false,
        )
    } else {
        (Some(0), None, false)
    };
    facts.accounts = accounts.map(|n| n as u32);
    let evidence = match (accounts, &reason) {
        (Some(0), _) => "no signed-in account".to_string(),
        (Some(n), None) => format!(
            "{}, from {}",
            plural(n, "account", "accounts"),
            and_list(&sources)
        ),
        (Some(n), Some(why)) if at_least => format!(
            "at least {}, from {}; {why}",
            plural(n, "account", "accounts"),
            and_list(&sources)
        ),
        (_, Some(why)) => {
            let mut s = format!("the number of accounts is unknown: {why}");
            if !counted.is_empty() {
                s.push_str(&format!(
                    "; {} seen, from {}",
                    plural(counted.len(), "account", "accounts"),
                    and_list(&sources)
                ));
            }
            s
        }
        (None, None) => "the number of accounts is unknown".to_string(),
    };
    facts.account_facts = AccountFacts {
        accounts_reason: reason,
        accounts_sources: sources,
        accounts_evidence: evidence,
        account_sessions: Vec::new(),
    };

    // Workspace sessions: one per workspace of an account, per origin.
    let single: Option<String> = match counted.as_slice() {
        [one] => Some(one.clone()),
        _ => None,
    };
    let fallback = extra.default_store.clone().or_else(|| ls.first().map(at));
    let mut drafts: Vec<SessionDraft> = Vec::new();
    for h in hits.iter().filter(|h| h.space.is_some()) {
        let space = h.space.clone().unwrap_or_default();
        let user = h.user.clone().or_else(|| single.clone());
        let existing = drafts.iter_mut().position(|d| {
            d.workspace_id == space
                && d.user_id == user
                && h.at
                    .as_ref()
                    .is_none_or(|a| a.origin == d.origin && a.store_path == d.store_path)
        });
        let i = match existing {
            Some(i) => i,
            None => {
                let Some(place) = h.at.clone().or_else(|| fallback.clone()) else {
                    continue;
                };
                drafts.push(SessionDraft {
                    origin: place.origin,
                    store_path: place.store_path,
                    store_kind: place.kind,
                    workspace_id: space.clone(),
                    workspace_name: None,
                    user_id: user,
                    keys: Vec::new(),
                    sources: Vec::new(),
                });
                drafts.len() - 1
            }
        };
        let d = &mut drafts[i];
        if let Some(k) = &h.key {
            push_unique(&mut d.keys, k);
        }
        push_unique(&mut d.sources, &h.source);
        if d.workspace_name.is_none() {
            d.workspace_name = h.name.clone();
        }
    }
    for d in drafts.iter_mut() {
        if d.workspace_name.is_none()
            && let Some(n) = extra.space_names.get(&d.workspace_id)
        {
            d.workspace_name = Some(n.clone());
            push_unique(&mut d.sources, &extra.names_source);
        }
        for (id, label) in &confirmed {
            if *id == d.workspace_id {
                push_unique(&mut d.sources, label);
            }
        }
    }
    // Accounts no workspace evidence names: one entry each, no workspace,
    // where the store shows a current Notion build (key names, envelopes,
    // the app's tabs). A store holding only the article's entries keeps
    // those entries as its sessions, and cookies alone name no workspace.
    // A readable listing cookie is the whole truth about who is signed in:
    // an account the store only remembers (its keys stay after sign-out)
    // has no session.
    let mut all_accounts = counted.clone();
    match &listed {
        Some(l) => drafts.retain(|d| d.user_id.as_ref().is_none_or(|u| l.contains(u))),
        None => {
            for u in &seen {
                push_unique(&mut all_accounts, u);
            }
        }
    }
    let current_build = hits.iter().any(|h| !h.entry);
    for u in &all_accounts {
        if !current_build
            || drafts
                .iter()
                .any(|d| d.user_id.as_deref() == Some(u.as_str()))
        {
            continue;
        }
        let Some(place) = fallback.clone() else {
            continue;
        };
        drafts.push(SessionDraft {
            origin: place.origin,
            store_path: place.store_path,
            store_kind: place.kind,
            workspace_id: String::new(),
            workspace_name: None,
            user_id: Some(u.clone()),
            keys: Vec::new(),
            sources: seen_by.get(u).cloned().unwrap_or_default(),
        });
    }
    // Signed in with nothing naming the account or a workspace: no entry
    // (there is nothing to choose or remove); the count says why it is unknown.
    // Accounts with their workspaces (the article's sessions).
    let mut account_sessions: Vec<AccountSession> = Vec::new();
    let owners: Vec<Option<String>> = all_accounts
        .iter()
        .cloned()
        .map(Some)
        .chain(drafts.iter().any(|d| d.user_id.is_none()).then_some(None))
        .collect();
    for owner in owners {
        let mine: Vec<&SessionDraft> = drafts.iter().filter(|d| d.user_id == owner).collect();
        let mut workspaces: Vec<WorkspaceSeen> = Vec::new();
        let mut srcs: Vec<String> = owner
            .as_ref()
            .and_then(|u| seen_by.get(u).cloned())
            .unwrap_or_default();
        for d in &mine {
            for s in &d.sources {
                push_unique(&mut srcs, s);
            }
            if !d.workspace_id.is_empty()
                && !workspaces.iter().any(|w| w.workspace_id == d.workspace_id)
            {
                workspaces.push(WorkspaceSeen {
                    workspace_id: d.workspace_id.clone(),
                    workspace_name: d.workspace_name.clone(),
                });
            }
        }
        srcs.retain(|s| !s.is_empty());
        account_sessions.push(AccountSession {
            active: owner.as_ref().is_some_and(|u| active.contains(u)),
            user_id: owner,
            workspaces,
            sources: srcs,
        });
    }
    facts.account_facts.account_sessions = account_sessions;

    let mut users: Vec<String> = all_accounts;
    users.sort();
    facts.user_ids = users;
    facts.sessions = drafts;
    facts
}

/// The Local Storage keys of one workspace session that the patterns match
/// in `ls` (the store as it is now): key names with that workspace (and that
/// account, when the name carries one), the article's entry of that
/// workspace, and an envelope pair's workspace envelope when it points at
/// that workspace for that account. What `remove-workspace-entry` deletes.
pub fn session_keys(
    spec: &AppSpec,
    ls: &[LsItem],
    workspace_id: &str,
    user_id: Option<&str>,
) -> Vec<String> {
    if workspace_id.is_empty() {
        return Vec::new();
    }
    let mut out = Vec::new();
    for h in ls_hits(spec, ls) {
        let same_space = h.space.as_deref() == Some(workspace_id);
        let same_user = match (&h.user, user_id) {
            (Some(u), Some(want)) => u == want,
            _ => true,
        };
        if same_space
            && same_user
            && let Some(k) = h.key
        {
            push_unique(&mut out, &k);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const U1: &str = "0f8fad5b-d9cb-469f-a165-70867728950e";
    const U2: &str = "1b4e28ba-2fa1-41d2-883f-0016d3cca427";
    const S1: &str = "7c9e6679-7425-40de-944b-e07fc1f90ae7";
    const S2: &str = "6fa459ea-ee8a-4ca4-894e-db77e160355e";

    /// The spec of the built-in `notion-signout` flow.
    fn notion() -> AppSpec {
        crate::probe::app_sessions::builtin_spec("notion-signout").unwrap()
    }

    fn item(key: &str, value: &str) -> LsItem {
        LsItem {
            origin: "https://www.notion.so".into(),
            key: key.into(),
            value: value.into(),
            store_path: "/s".into(),
            kind: StoreKind::ChromiumLeveldb,
        }
    }

    fn env(name: &str, value: &str) -> LsItem {
        item(
            &format!("LRU:KeyValueStore2:{name}"),
            &format!(
                r#"{{"id":"{name}","value":"{value}","timestamp":1700000000000,"important":true}}"#
            ),
        )
    }

    fn cookie(name: &str, value: Option<&str>) -> CookieRow {
        CookieRow {
            host: ".notion.so".into(),
            name: name.into(),
            value: value.map(str::to_string),
            unreadable: None,
        }
    }

    fn sealed(name: &str, why: &str) -> CookieRow {
        CookieRow {
            host: ".notion.so".into(),
            name: name.into(),
            value: None,
            unreadable: Some(why.into()),
        }
    }

    fn run(ls: &[LsItem], cookies: &[CookieRow]) -> StoreFacts {
        analyze(&notion(), ls, cookies, &StoreExtra::default())
    }

    #[test]
    fn two_workspaces_of_one_account_count_one() {
        let ls = vec![
            item("notion:workspace:a", r#"{"name":"A","user_id":"u1"}"#),
            item("notion:workspace:b", r#"{"name":"B","user_id":"u1"}"#),
            item("other", "x"),
        ];
        let f = run(&ls, &[cookie("token_v2", None)]);
        assert_eq!(f.sessions.len(), 2);
        assert_eq!(f.accounts, Some(1));
        assert_eq!(f.notion_cookies, vec!["token_v2"]);
        let a = &f.account_facts.account_sessions;
        assert_eq!(a.len(), 1);
        assert_eq!(a[0].workspaces.len(), 2);
        assert_eq!(
            f.account_facts.accounts_evidence,
            "1 account, from Local Storage keys notion:workspace:<space>"
        );
    }

    #[test]
    fn a_name_without_an_account_is_not_one_account() {
        let f = run(&[item("notion:workspace:a", "Acme")], &[]);
        assert_eq!(f.sessions[0].workspace_name.as_deref(), Some("Acme"));
        assert_eq!(f.sessions[0].user_id, None);
        assert_eq!(f.accounts, None);
        assert!(
            f.account_facts
                .accounts_reason
                .as_deref()
                .unwrap()
                .contains("no cookie, key or file names its account"),
            "{:?}",
            f.account_facts
        );
    }

    #[test]
    fn current_build_keys_of_two_accounts() {
        let ls = vec![
            env("current-user-id", U1),
            env("current-space-id", S1),
            env("lastVisitedRouteUserId", U2),
            env("lastVisitedRouteSpaceId", S2),
            item(&format!("currentSpace:{S1}:{U1}"), "{}"),
            item(&format!("notion-sidebar-sidebar-state-{S2}-{U2}"), "{}"),
            item(
                "LRU:KeyValueStore2:spaceIdToShortId",
                &format!(
                    r#"{{"id":"spaceIdToShortId","value":{{"{S1}":1,"{S2}":2}},"timestamp":1}}"#
                ),
            ),
        ];
        let f = run(&ls, &[]);
        assert_eq!(f.accounts, Some(2), "{f:#?}");
        assert_eq!(f.sessions.len(), 2);
        let s1 = f.sessions.iter().find(|s| s.workspace_id == S1).unwrap();
        assert_eq!(s1.user_id.as_deref(), Some(U1));
        assert_eq!(
            s1.keys,
            vec![
                format!("currentSpace:{S1}:{U1}"),
                "LRU:KeyValueStore2:current-space-id".to_string()
            ]
        );
        assert!(
            s1.sources
                .contains(&"Local Storage LRU:KeyValueStore2:spaceIdToShortId".to_string())
        );
        let active: Vec<_> = f
            .account_facts
            .account_sessions
            .iter()
            .filter(|a| a.active)
            .map(|a| a.user_id.clone())
            .collect();
        assert_eq!(active, vec![Some(U1.to_string())]);
        assert_eq!(
            session_keys(&notion(), &ls, S2, Some(U2)),
            vec![
                format!("notion-sidebar-sidebar-state-{S2}-{U2}"),
                "LRU:KeyValueStore2:lastVisitedRouteSpaceId".to_string()
            ]
        );
        assert!(session_keys(&notion(), &ls, S2, Some(U1)).is_empty());
    }

    #[test]
    fn the_listing_cookie_is_the_whole_truth() {
        let ls = vec![env("current-user-id", "u-aaa")];
        let users = "%5B%22u-aaa%22%2C%22u-bbb%22%5D";
        let f = run(&ls, &[cookie("notion_users", Some(users))]);
        assert_eq!(f.accounts, Some(2));
        assert_eq!(f.sessions.len(), 2);
        assert!(f.sessions.iter().all(|s| s.workspace_id.is_empty()));
        assert_eq!(
            f.account_facts.accounts_evidence,
            "2 accounts, from notion_users cookie and Local Storage LRU:KeyValueStore2:current-user-id, current-space-id"
        );
    }

    #[test]
    fn an_unreadable_listing_leaves_one_account_unknown() {
        let ls = vec![env("current-user-id", U1), env("current-space-id", S1)];
        let f = run(
            &ls,
            &[
                sealed(
                    "notion_users",
                    "encrypted with a key from the macOS Keychain",
                ),
                sealed(
                    "notion_user_id",
                    "encrypted with a key from the macOS Keychain",
                ),
                cookie("token_v2", None),
            ],
        );
        assert_eq!(f.accounts, None);
        assert_eq!(f.user_ids, vec![U1.to_string()]);
        let why = f.account_facts.accounts_reason.clone().unwrap();
        assert!(
            why.contains("notion_users cookie, which lists every signed-in account"),
            "{why}"
        );
        assert!(
            f.account_facts.accounts_evidence.contains("1 account seen"),
            "{}",
            f.account_facts.accounts_evidence
        );
        // Two accounts seen are enough to tell Sign out apart, said as "at least".
        let ls = vec![
            env("current-user-id", U1),
            item(&format!("currentSpace:{S2}:{U2}"), "{}"),
        ];
        let f = run(&ls, &[sealed("notion_users", "sealed")]);
        assert_eq!(f.accounts, Some(2));
        assert!(
            f.account_facts
                .accounts_evidence
                .starts_with("at least 2 accounts")
        );
    }

    #[test]
    fn signed_in_with_nothing_naming_the_account() {
        let f = run(&[], &[cookie("token_v2", None)]);
        assert_eq!(f.accounts, None);
        assert!(
            f.account_facts
                .accounts_evidence
                .contains("the token_v2 cookie shows a signed-in session"),
            "{}",
            f.account_facts.accounts_evidence
        );
        assert!(f.sessions.is_empty(), "nothing to choose or remove");
        let f = run(&[], &[cookie("notion_browser_id", None)]);
        assert_eq!(f.accounts, Some(0), "not signed in");
    }

    #[test]
    fn desktop_tabs_and_names() {
        let extra = StoreExtra {
            tabs: vec![
                (Some(U1.into()), Some(S1.into())),
                (Some(U2.into()), Some(S2.into())),
                (Some(U1.into()), Some(S1.into())),
            ],
            tabs_source: "state.json tabs".into(),
            space_names: [(S1.to_string(), "Acme".to_string())].into_iter().collect(),
            names_source: "notion.db space names".into(),
            default_store: Some(DefaultStore {
                origin: "https://www.notion.so".into(),
                store_path: "/p".into(),
                kind: StoreKind::ChromiumLeveldb,
            }),
        };
        let f = analyze(&notion(), &[], &[], &extra);
        assert_eq!(f.accounts, Some(2));
        assert_eq!(f.sessions.len(), 2);
        assert_eq!(f.sessions[0].workspace_name.as_deref(), Some("Acme"));
        assert_eq!(f.sessions[1].workspace_name, None);
        assert!(f.sessions.iter().all(|s| s.keys.is_empty()));
    }

    #[test]
    fn cookie_ids_must_look_like_ids() {
        let v = "%5B%22u-1%22%2C%22v02%3Auser_token_or_cookies%3Aabc%22%2C%7B%22id%22%3A%22u-2%22%7D%5D";
        assert_eq!(
            user_ids_from_cookie(v, UserCookieFormat::UrlencodedJsonList),
            vec!["u-1", "u-2"]
        );
        assert_eq!(
            user_ids_from_cookie("0F8FAD5BD9CB469FA16570867728950E", UserCookieFormat::Plain),
            vec![U1]
        );
    }

    #[test]
    fn percent_decoding() {
        assert_eq!(percent_decode("%5B%22a%22%5D"), "[\"a\"]");
        assert_eq!(percent_decode("100%"), "100%");
        assert_eq!(percent_decode("%E6%9D%B1"), "東");
    }
}
