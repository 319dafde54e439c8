//! The session model: from one store's Local Storage entries and cookies to
//! its workspace sessions, accounts, Notion cookie names and linked accounts.
//!
//! Rule (DESIGN.md): where a store holds entries in the article's convention
//! (`workspace_keys`), those are its sessions, one per workspace id and
//! origin. Where it holds none but has the current build's `user_key`, it has
//! one session per signed-in account: the accounts come from the user-id
//! cookies (and the current user from `user_key`), the current account's
//! workspace from `space_key`; other accounts' workspaces are unknown (empty
//! id). A store's accounts are its distinct user ids; a store with sessions
//! but no user id counts as one account.

use std::collections::BTreeSet;

use serde_json::Value;

use super::model::StoreKind;
use super::spec::{AppSpec, UserCookieFormat};
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
}

/// What one store (a browser profile or the desktop app) holds.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct StoreFacts {
    pub sessions: Vec<SessionDraft>,
    /// Distinct user ids, sorted.
    pub user_ids: Vec<String>,
    pub accounts: u32,
    /// Names of Notion cookies, sorted, distinct.
    pub notion_cookies: Vec<String>,
    /// Providers with a sign-in cookie, in spec order.
    pub linked_accounts: Vec<String>,
}

fn host_matches(host: &str, domain: &str) -> bool {
    let host = host.trim_start_matches('.').to_ascii_lowercase();
    let domain = domain.trim_start_matches('.').to_ascii_lowercase();
    host == domain || host.ends_with(&format!(".{domain}"))
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

/// User ids named by one user-id cookie value.
pub fn user_ids_from_cookie(value: &str, format: UserCookieFormat) -> Vec<String> {
    let value = value.trim();
    match format {
        UserCookieFormat::Plain => {
            let v = percent_decode(value);
            let v = v.trim().trim_matches('"').to_string();
            if v.is_empty() { vec![] } else { vec![v] }
        }
        UserCookieFormat::UrlencodedJsonList => {
            let decoded = percent_decode(value);
            let parsed: Value = match serde_json::from_str(&decoded) {
                Ok(v) => v,
                Err(_) => return vec![],
            };
            let items = match parsed {
                Value::Array(a) => a,
                Value::String(s) => vec![Value::String(s)],
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
                .filter(|s| !s.is_empty())
                .collect()
        }
    }
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

/// Apply the session model to one store.
pub fn analyze(spec: &AppSpec, ls: &[LsItem], cookies: &[CookieRow]) -> StoreFacts {
    let mut facts = StoreFacts::default();
    let mut users: BTreeSet<String> = BTreeSet::new();

    // Notion cookies and user ids from the user-id cookies.
    let mut names = BTreeSet::new();
    let mut cookie_users: Vec<String> = Vec::new();
    for c in cookies {
        if !spec.cookie_domains.iter().any(|d| host_matches(&c.host, d)) {
            continue;
        }
        names.insert(c.name.clone());
        if let Some(uc) = spec.user_cookies.iter().find(|u| u.name == c.name)
            && let Some(v) = &c.value
        {
            for id in user_ids_from_cookie(v, uc.format) {
                if !cookie_users.contains(&id) {
                    cookie_users.push(id);
                }
            }
        }
    }
    facts.notion_cookies = names.into_iter().collect();
    for la in &spec.linked_accounts {
        let hit = cookies.iter().any(|c| {
            la.cookie_domains.iter().any(|d| host_matches(&c.host, d))
                && la.cookie_names.contains(&c.name)
        });
        if hit && !facts.linked_accounts.contains(&la.provider) {
            facts.linked_accounts.push(la.provider.clone());
        }
    }

    // The article's convention: one session per workspace key.
    for item in ls {
        for wk in &spec.workspace_keys {
            let Some(id) = item.key.strip_prefix(wk.prefix.as_str()) else {
                continue;
            };
            if id.is_empty() {
                continue;
            }
            let (name, user) = match serde_json::from_str::<Value>(&item.value) {
                Ok(Value::Object(_)) => (
                    field_or_plain(&item.value, &wk.name_field),
                    field_or_plain(&item.value, &wk.user_field),
                ),
                _ => (field_or_plain(&item.value, &wk.name_field), None),
            };
            if let Some(existing) = facts.sessions.iter_mut().find(|s| {
                s.workspace_id == id && s.origin == item.origin && s.store_path == item.store_path
            }) {
                if !existing.keys.contains(&item.key) {
                    existing.keys.push(item.key.clone());
                }
                if existing.workspace_name.is_none() {
                    existing.workspace_name = name;
                }
                if existing.user_id.is_none() {
                    existing.user_id = user;
                }
            } else {
                facts.sessions.push(SessionDraft {
                    origin: item.origin.clone(),
                    store_path: item.store_path.clone(),
                    store_kind: item.kind,
                    workspace_id: id.to_string(),
                    workspace_name: name,
                    user_id: user,
                    keys: vec![item.key.clone()],
                });
            }
            break;
        }
    }
    for s in &facts.sessions {
        if let Some(u) = &s.user_id {
            users.insert(u.clone());
        }
    }

    if facts.sessions.is_empty()
        && let Some(cb) = &spec.current_build
        && let Some(user_item) = ls.iter().find(|i| i.key == cb.user_key)
    {
        let current = field_or_plain(&user_item.value, &cb.value_field);
        let space = ls
            .iter()
            .find(|i| i.key == cb.space_key && i.origin == user_item.origin)
            .or_else(|| ls.iter().find(|i| i.key == cb.space_key))
            .and_then(|i| field_or_plain(&i.value, &cb.value_field));
        let mut accounts: Vec<String> = Vec::new();
        if let Some(c) = &current {
            accounts.push(c.clone());
        }
        for u in &cookie_users {
            if !accounts.contains(u) {
                accounts.push(u.clone());
            }
        }
        let cached_name = |ws: &str| -> Option<String> {
            // A name only where a local cache holds it: an article-style
            // entry or a `LRU:KeyValueStore2:` key naming the workspace.
            ls.iter()
                .filter(|i| i.key.contains(ws) && i.key != cb.space_key)
                .find_map(|i| match serde_json::from_str::<Value>(&i.value) {
                    Ok(Value::Object(o)) => o
                        .get(&cb.value_field)
                        .and_then(|v| v.get("name"))
                        .or_else(|| o.get("name"))
                        .and_then(Value::as_str)
                        .map(str::to_string),
                    _ => None,
                })
        };
        if accounts.is_empty() {
            accounts.push(String::new());
        }
        for (i, acct) in accounts.iter().enumerate() {
            let ws = if i == 0 && current.is_some() {
                space.clone().unwrap_or_default()
            } else {
                String::new()
            };
            let name = if ws.is_empty() {
                None
            } else {
                cached_name(&ws).or_else(|| Some(ws.clone()))
            };
            facts.sessions.push(SessionDraft {
                origin: user_item.origin.clone(),
                store_path: user_item.store_path.clone(),
                store_kind: user_item.kind,
                workspace_id: ws,
                workspace_name: name,
                user_id: (!acct.is_empty()).then(|| acct.clone()),
                keys: Vec::new(),
            });
        }
    }
    for u in &cookie_users {
        users.insert(u.clone());
    }
    for s in &facts.sessions {
        if let Some(u) = &s.user_id {
            users.insert(u.clone());
        }
    }
    if users.len() == 1
        && let Some(only) = users.iter().next()
    {
        for s in facts.sessions.iter_mut() {
            if s.user_id.is_none() {
                s.user_id = Some(only.clone());
            }
        }
    }
    facts.user_ids = users.into_iter().collect();
    facts.accounts = facts.user_ids.len() as u32;
    if facts.accounts == 0 && !facts.sessions.is_empty() {
        facts.accounts = 1;
    }
    facts
}

#[cfg(test)]
mod tests {
    use super::*;

    fn item(key: &str, value: &str) -> LsItem {
        LsItem {
            origin: "https://www.notion.so".into(),
            key: key.into(),
            value: value.into(),
            store_path: "/s".into(),
            kind: StoreKind::ChromiumLeveldb,
        }
    }

    fn cookie(name: &str, value: Option<&str>) -> CookieRow {
        CookieRow {
            host: ".notion.so".into(),
            name: name.into(),
            value: value.map(str::to_string),
        }
    }

    #[test]
    fn two_workspaces_of_one_account_count_one() {
        let spec = AppSpec::notion();
        let ls = vec![
            item("notion:workspace:a", r#"{"name":"A","user_id":"u1"}"#),
            item("notion:workspace:b", r#"{"name":"B","user_id":"u1"}"#),
            item("other", "x"),
        ];
        let f = analyze(&spec, &ls, &[cookie("token_v2", None)]);
        assert_eq!(f.sessions.len(), 2);
        assert_eq!(f.accounts, 1);
        assert_eq!(f.notion_cookies, vec!["token_v2"]);
    }

    #[test]
    fn plain_string_value_is_the_name() {
        let spec = AppSpec::notion();
        let f = analyze(&spec, &[item("notion:workspace:a", "Acme")], &[]);
        assert_eq!(f.sessions[0].workspace_name.as_deref(), Some("Acme"));
        assert_eq!(f.accounts, 1);
        assert_eq!(f.sessions[0].user_id, None);
    }

    #[test]
    fn current_build_one_session_per_account() {
        let spec = AppSpec::notion();
        let ls = vec![
            item(
                "LRU:KeyValueStore2:current-user-id",
                r#"{"id":"x","value":"u1","timestamp":1}"#,
            ),
            item(
                "LRU:KeyValueStore2:lastVisitedRouteSpaceId",
                r#"{"id":"y","value":"sp1","timestamp":1}"#,
            ),
        ];
        let users = "%5B%22u1%22%2C%22u2%22%5D";
        let f = analyze(&spec, &ls, &[cookie("notion_users", Some(users))]);
        assert_eq!(f.sessions.len(), 2);
        assert_eq!(f.sessions[0].workspace_id, "sp1");
        assert_eq!(f.sessions[0].user_id.as_deref(), Some("u1"));
        assert_eq!(f.sessions[1].user_id.as_deref(), Some("u2"));
        assert_eq!(f.accounts, 2);
    }

    #[test]
    fn percent_decoding() {
        assert_eq!(percent_decode("%5B%22a%22%5D"), "[\"a\"]");
        assert_eq!(percent_decode("100%"), "100%");
        assert_eq!(percent_decode("%E6%9D%B1"), "東");
    }
}
