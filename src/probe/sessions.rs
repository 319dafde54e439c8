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
    facts.notion_cookies = names.into_iter().collect();
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

    fn keys_of_account(user: &str, spaces: &[&str]) -> Vec<LsItem> {
        let mut ls = vec![
            item(
                &format!("LRU:LocalPreferenceStore3:{user}:userSessionCount"),
                "{}",
            ),
            item("LRU:LocalPreferenceStore3:guest:forkPageTemplate", "{}"),
        ];
        for (i, sp) in spaces.iter().enumerate() {
            let key = match i % 3 {
                0 => format!("LRU:KeyValueStore2:onAppStartPreference:{user}:{sp}"),
                1 => format!("LRU:KeyValueStore2:searchFrecency:{sp}:{user}:0"),
                _ => format!("BlockFrecency:{user}:{sp}:version"),
            };
            ls.push(item(&key, "{}"));
        }
        ls
    }

    fn short_ids(spaces: &[(&str, &str)]) -> LsItem {
        let map: serde_json::Map<String, Value> = spaces
            .iter()
            .map(|(s, n)| ((*s).to_string(), Value::from(*n)))
            .collect();
        item(
            "LRU:KeyValueStore2:spaceIdToShortId",
            &serde_json::json!({"id": "x", "value": map, "timestamp": 1}).to_string(),
        )
    }

    const S3: &str = "9b2c1f04-5d6e-4f70-8a91-b2c3d4e5f601";

    #[test]
    fn one_account_with_three_workspaces_from_the_pair_families() {
        let mut ls = keys_of_account(U1, &[S1, S2, S3]);
        ls.push(env("lastVisitedRouteUserId", U1));
        ls.push(env("lastVisitedRouteSpaceId", S1));
        ls.push(short_ids(&[(S1, "111"), (S2, "222"), (S3, "333")]));
        // Encrypted on macOS: the names are there, the values are not.
        let f = run(
            &ls,
            &[
                cookie("token_v2", None),
                sealed(
                    "notion_users",
                    "encrypted with a key from the macOS Keychain",
                ),
            ],
        );
        assert_eq!(f.accounts, Some(1), "{:#?}", f.account_facts);
        assert_eq!(f.account_facts.signed_in, Some(true));
        assert_eq!(f.account_facts.sign_in_cookies, vec!["token_v2"]);
        let ws: Vec<_> = f.sessions.iter().map(|s| s.workspace_id.as_str()).collect();
        assert_eq!(ws, vec![S1, S2, S3]);
        assert!(f.sessions.iter().all(|s| s.user_id.as_deref() == Some(U1)));
        let a = &f.account_facts.account_sessions;
        assert_eq!(a.len(), 1);
        let labels: Vec<_> = a[0].workspaces.iter().map(|w| w.label.as_str()).collect();
        assert_eq!(
            labels,
            vec!["workspace 111", "workspace 222", "workspace 333"]
        );
        assert_eq!(a[0].label, "account 0f8fad5b");
        assert!(
            f.account_facts.accounts_evidence.starts_with(
                "1 account: a sign-in cookie (token_v2) and exactly one account ever seen here"
            ),
            "{}",
            f.account_facts.accounts_evidence
        );
        assert!(f.account_facts.account_candidates.is_empty());
    }

    #[test]
    fn two_accounts_behind_a_sealed_list_are_unknown_not_one_or_three() {
        let mut ls = keys_of_account(U1, &[S1]);
        ls.extend(keys_of_account(U2, &[S2]));
        ls.push(env("current-user-id", U1));
        ls.push(env("lastVisitedRouteUserId", U1));
        ls.push(env("lastVisitedRouteSpaceId", S1));
        let sealed_list = sealed("notion_users", "encrypted with a key from Windows DPAPI");
        let f = run(&ls, &[cookie("token_v2", None), sealed_list]);
        assert_eq!(f.accounts, None);
        assert!(
            f.account_facts
                .accounts_reason
                .as_deref()
                .unwrap()
                .contains(
                    "the notion_users cookie, which lists every signed-in account, is encrypted"
                )
        );
        let cands: Vec<_> = f
            .account_facts
            .account_candidates
            .iter()
            .map(|c| c.user_id.as_str())
            .collect();
        assert_eq!(cands, vec![U1, U2]);
        assert_eq!(f.sessions.len(), 2);
        assert!(f.sessions.iter().all(|s| s.user_id.is_some()));
        // Read on Linux, the list is the whole truth.
        let users = "%5B%22".to_string() + U1 + "%22%2C%22" + U2 + "%22%5D";
        let f = run(
            &ls,
            &[
                cookie("token_v2", None),
                cookie("notion_users", Some(&users)),
            ],
        );
        assert_eq!(f.accounts, Some(2));
        assert!(f.account_facts.account_candidates.is_empty());
        let active: Vec<_> = f
            .account_facts
            .account_sessions
            .iter()
            .filter(|a| a.active)
            .map(|a| a.user_id.clone())
            .collect();
        assert_eq!(active, vec![Some(U1.to_string())]);
    }

    #[test]
    fn signed_out_with_an_old_accounts_keys_is_zero() {
        let mut ls = keys_of_account(U1, &[S1, S2]);
        ls.push(env("current-user-id", U1));
        let f = run(&ls, &[cookie("notion_browser_id", None)]);
        assert_eq!(f.accounts, Some(0));
        assert_eq!(f.account_facts.signed_in, Some(false));
        assert!(f.sessions.is_empty());
        assert!(f.account_facts.account_sessions.is_empty());
        assert_eq!(f.account_facts.account_candidates.len(), 1);
        assert!(
            f.account_facts
                .accounts_evidence
                .starts_with("no signed-in account: no sign-in cookie (token_v2); 1 account used this store before"),
            "{}",
            f.account_facts.accounts_evidence
        );
    }

    #[test]
    fn unreadable_cookies_are_unknown_not_zero() {
        let ls = keys_of_account(U1, &[S1]);
        let extra = StoreExtra {
            cookies_unreadable: Some("not an SQLite database".into()),
            ..StoreExtra::default()
        };
        let f = analyze(&notion(), &ls, &[], &extra);
        assert_eq!(f.accounts, None);
        assert_eq!(f.account_facts.signed_in, None);
        assert_eq!(
            f.account_facts.accounts_reason.as_deref(),
            Some("the cookies could not be read (not an SQLite database)")
        );
        assert_eq!(f.account_facts.account_candidates.len(), 1);
        assert_eq!(f.sessions.len(), 1, "the candidate can still be chosen");
    }

    #[test]
    fn a_workspace_of_no_named_account_is_never_a_session() {
        let mut ls = keys_of_account(U1, &[S1]);
        ls.extend(keys_of_account(U2, &[S2]));
        ls.push(short_ids(&[(S1, "1"), (S2, "2"), (S3, "3")]));
        let users = "%5B%22".to_string() + U1 + "%22%2C%22" + U2 + "%22%5D";
        let f = run(
            &ls,
            &[
                cookie("token_v2", None),
                cookie("notion_users", Some(&users)),
            ],
        );
        assert_eq!(f.accounts, Some(2));
        assert_eq!(f.sessions.len(), 2);
        let a = &f.account_facts.account_sessions;
        assert_eq!(a.len(), 3);
        assert_eq!(a[2].user_id, None);
        assert_eq!(a[2].label, "account not known");
        assert_eq!(a[2].workspaces[0].workspace_id, S3);
        // The known ones took their short ids from the map.
        assert_eq!(a[0].workspaces[0].short_id.as_deref(), Some("1"));
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
    }

    #[test]
    fn desktop_cache_names_accounts_and_workspaces() {
        let extra = StoreExtra {
            tabs: vec![(Some(U1.into()), Some(S1.into()))],
            tabs_source: "state.json tabs".into(),
            closed_tabs: vec![(Some(U2.into()), Some(S3.into()))],
            closed_source: "state.json closed tabs".into(),
            db_accounts: vec![U1.into(), U2.into()],
            db_accounts_source: "notion.db user_root".into(),
            memberships: vec![(U1.into(), S2.into()), (U2.into(), S3.into())],
            memberships_source: "notion.db space_user".into(),
            people: [(U1.to_string(), (Some("ada@example.com".to_string()), None))]
                .into_iter()
                .collect(),
            space_names: [(S1.to_string(), "Acme".to_string())].into_iter().collect(),
            names_source: "notion.db space names".into(),
            default_store: Some(DefaultStore {
                origin: "https://www.notion.so".into(),
                store_path: "/p".into(),
                kind: StoreKind::ChromiumLeveldb,
            }),
            ..StoreExtra::default()
        };
        let users = format!("[\"{U1}\",\"{U2}\"]");
        let f = analyze(
            &notion(),
            &[],
            &[
                cookie("token_v2", None),
                cookie("notion_users", Some(&users)),
            ],
            &extra,
        );
        assert_eq!(f.accounts, Some(2));
        assert_eq!(f.sessions.len(), 3);
        let a = &f.account_facts.account_sessions;
        assert_eq!(a[0].label, "ada@example.com");
        assert_eq!(a[1].label, "account 1b4e28ba");
        let w: Vec<_> = a[0].workspaces.iter().map(|w| w.label.as_str()).collect();
        assert_eq!(w, vec!["Acme", "workspace 6fa459ea"]);
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
