//! The evidence of one store: from its Local Storage entries, cookies and
//! (for the desktop app) `state.json` tabs and `notion.db` rows to the
//! hits, account ids and names the account model (`accounts.rs`) decides on.
//!
//! Evidence, all named by the flow's parameters:
//! - key names matching a pattern (the real user/space pair families such as
//!   `LRU:KeyValueStore2:onAppStartPreference:{user}:{space}`, and
//!   `LRU:LocalPreferenceStore3:{user}:{*}`, an account that used the
//!   store) give a workspace, an account, or both; a pattern may read the
//!   workspace name and account from the value (the article's
//!   `notion:workspace:` keys, recognised though no real store has them);
//! - envelope pairs (`lastVisitedRouteUserId` / `lastVisitedRouteSpaceId`)
//!   give an account and the workspace it has open; `spaceIdToShortId`
//!   gives workspace ids with their short ids;
//! - keys naming the signed-in account (`notion_user_id` of the identity
//!   origin);
//! - the cookies: sign-in (`token_v2`, names only), the listing of every
//!   signed-in account (`notion_users`) and the active one (`notion_user_id`);
//! - the desktop app's open and closed tabs, and `notion.db`'s accounts,
//!   memberships and names.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

pub use super::accounts::{DefaultStore, SessionDraft, StoreFacts};
use super::accounts::{Evidence, Hit, decide};
use super::model::StoreKind;
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

/// What a store holds besides Local Storage and cookies (the desktop app's
/// own files), read by the caller.
#[derive(Debug, Clone, Default)]
pub struct StoreExtra {
    /// `(account, workspace)` of each open tab.
    pub tabs: Vec<(Option<String>, Option<String>)>,
    /// Label of where the tabs came from ("state.json tabs").
    pub tabs_source: String,
    /// `(account, workspace)` of each recently closed tab.
    pub closed_tabs: Vec<(Option<String>, Option<String>)>,
    pub closed_source: String,
    /// Signed-in accounts of the app's cache (`user_root`), with its label.
    pub db_accounts: Vec<String>,
    pub db_accounts_source: String,
    /// `(account, workspace)` memberships of the app's cache (`space_user`).
    pub memberships: Vec<(String, String)>,
    pub memberships_source: String,
    /// Email and name of people, by account id (`notion_user`).
    pub people: BTreeMap<String, (Option<String>, Option<String>)>,
    /// Why the store's cookie database could not be read, if it could not.
    pub cookies_unreadable: Option<String>,
    /// Workspace names from a local cache, by workspace id.
    pub space_names: BTreeMap<String, String>,
    /// Label of that cache ("notion.db space names").
    pub names_source: String,
    /// The store's Local Storage, for sessions without keys.
    pub default_store: Option<DefaultStore>,
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
                short_id: None,
                source: format!("Local Storage keys {}", kp.pattern.shown()),
                current: false,
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
        // Name only the envelopes that are there.
        let found: Vec<String> = [(&pair.user_key, &user_id), (&pair.space_key, &space_id)]
            .into_iter()
            .filter(|(_, v)| v.is_some())
            .filter_map(|(k, _)| k.clone())
            .collect();
        hits.push(Hit {
            at: item.map(at),
            key: space
                .as_ref()
                .filter(|_| space_id.is_some())
                .map(|(i, _)| i.key.clone()),
            space: space_id,
            user: user_id,
            name: None,
            short_id: None,
            source: format!("Local Storage {}", found.join(", ")),
            current: n == 0,
        });
    }
    // A pair's workspace without its own account envelope goes with the
    // current account's envelope, its sibling (`current-user-id`).
    let current = hits.iter().find(|h| h.current).and_then(|h| h.user.clone());
    let space_keys: Vec<Option<String>> = spec
        .envelope_pairs()
        .into_iter()
        .map(|p| p.space_key)
        .collect();
    for h in hits.iter_mut() {
        if h.user.is_none() && h.space.is_some() && h.key.is_some() && space_keys.contains(&h.key) {
            h.user = current.clone();
        }
    }
    hits.extend(map_spaces(spec, ls));
    hits
}

/// Workspace ids listed by the map envelopes (`spaceIdToShortId`), each
/// with its short id: workspaces the page knows, of no named account.
fn map_spaces(spec: &AppSpec, ls: &[LsItem]) -> Vec<Hit> {
    let mut out = Vec::new();
    for (key, vf) in spec.space_map_keys() {
        for item in ls.iter().filter(|i| i.key == key) {
            let Ok(v) = serde_json::from_str::<Value>(&item.value) else {
                continue;
            };
            if let Some(Value::Object(m)) = v.get(&vf) {
                for (id, short) in m {
                    let id = normalize_id(id);
                    if !plausible_id(&id) {
                        continue;
                    }
                    let short_id = match short {
                        Value::String(s) if plausible_id(s) => Some(s.clone()),
                        Value::Number(n) => Some(n.to_string()),
                        _ => None,
                    };
                    out.push(Hit {
                        at: Some(at(item)),
                        space: Some(id),
                        short_id,
                        source: format!("Local Storage {key}"),
                        ..Hit::default()
                    });
                }
            }
        }
    }
    out
}

/// Accounts the account keys name (`notion_user_id` of the identity
/// origin), with where each was seen.
fn key_accounts(spec: &AppSpec, ls: &[LsItem]) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for ak in &spec.account_keys {
        for item in ls
            .iter()
            .filter(|i| i.origin == ak.origin && i.key == ak.key)
        {
            if let Some(id) =
                id_of(field_or_plain(&item.value, "value")).filter(|id| plausible_id(id))
            {
                out.push((id, format!("Local Storage {} of {}", ak.key, ak.origin)));
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
    /// Sign-in cookies present, by name.
    sign_in: Vec<String>,
}

fn cookie_accounts(spec: &AppSpec, cookies: &[CookieRow]) -> CookieAccounts {
    let mut out = CookieAccounts::default();
    for c in cookies {
        if !cookie_host::on_any(&c.host, &spec.cookie_domains) {
            continue;
        }
        if spec.session_cookies.contains(&c.name) {
            push_unique(&mut out.sign_in, &c.name);
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
                if listing && !out.listing_unreadable.contains(&entry) {
                    out.listing_unreadable.push(entry);
                }
            }
            (None, None) => {}
        }
    }
    out
}

/// Tabs of the app as hits.
fn tab_hits(tabs: &[(Option<String>, Option<String>)], source: &str) -> Vec<Hit> {
    tabs.iter()
        .map(|(u, sp)| (id_of(u.clone()), id_of(sp.clone())))
        .filter(|(u, sp)| u.is_some() || sp.is_some())
        .map(|(user, space)| Hit {
            space,
            user,
            source: source.to_string(),
            ..Hit::default()
        })
        .collect()
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
    facts.app_cookies = names.into_iter().collect();
    for la in &spec.linked_accounts {
        let hit = cookies.iter().any(|c| {
            cookie_host::on_any(&c.host, &la.cookie_domains) && la.cookie_names.contains(&c.name)
        });
        if hit && !facts.linked_accounts.contains(&la.provider) {
            facts.linked_accounts.push(la.provider.clone());
        }
    }
    let ca = cookie_accounts(spec, cookies);

    let mut hits = ls_hits(spec, ls);
    hits.extend(tab_hits(&extra.tabs, &extra.tabs_source));
    hits.extend(tab_hits(&extra.closed_tabs, &extra.closed_source));
    for (u, sp) in &extra.memberships {
        if let (Some(user), Some(space)) = (id_of(Some(u.clone())), id_of(Some(sp.clone()))) {
            hits.push(Hit {
                space: Some(space),
                user: Some(user),
                source: extra.memberships_source.clone(),
                ..Hit::default()
            });
        }
    }
    let mut proven: Vec<(String, String)> = Vec::new();
    for id in &ca.active {
        for s in &ca.active_source {
            proven.push((id.clone(), s.clone()));
        }
    }
    let keyed = key_accounts(spec, ls);
    let mut active = ca.active.clone();
    if active.is_empty() {
        // The identity origin's key names the account signed in last.
        active.extend(keyed.iter().map(|(id, _)| id.clone()).take(1));
    }
    proven.extend(keyed);
    for id in &extra.db_accounts {
        if let Some(id) = id_of(Some(id.clone())) {
            proven.push((id, extra.db_accounts_source.clone()));
        }
    }
    let ev = Evidence {
        hits,
        proven,
        listed: ca.listed,
        listed_source: and_list(&ca.listed_source),
        active,
        listing_unreadable: ca.listing_unreadable,
        sign_in_cookies: ca.sign_in,
        sign_in_name: spec
            .session_cookies
            .first()
            .cloned()
            .unwrap_or_else(|| "sign-in".into()),
        cookies_unreadable: extra.cookies_unreadable.clone(),
        space_names: extra.space_names.clone(),
        names_source: extra.names_source.clone(),
        people: extra
            .people
            .iter()
            .map(|(k, v)| (normalize_id(k), v.clone()))
            .collect(),
        fallback: extra.default_store.clone().or_else(|| ls.first().map(at)),
    };
    decide(&ev, &mut facts);
    facts
}

fn and_list(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
    }
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
#[path = "sessions_tests.rs"]
mod tests;
