//! The account model: from one store's evidence to its signed-in accounts,
//! each account's workspaces, and the workspace sessions the flow offers.
//!
//! What real Notion writes decides the rules (read off two real desktop
//! data folders and a signed-out Chromium profile; see DESIGN.md):
//! - signed in means a credential: a sign-in cookie (`token_v2`). Its name
//!   and host are readable on every OS, even when its value is encrypted.
//! - which accounts: the cookie listing every signed-in account
//!   (`notion_users`) is the whole truth when it can be read; the active
//!   account's cookie, the identity origin's key and `notion.db`'s
//!   `user_root` name signed-in accounts too.
//! - key families, envelopes, tabs and `space_user` rows name accounts
//!   that *used* the store: they stay after a sign-out, so they are
//!   candidates, never proof. A sign-in cookie and exactly one account
//!   ever seen is one account; several candidates and no readable list is
//!   unknown (`None`), with the candidates named so the flow can ask.
//! - a workspace belongs to the account its evidence names, else to the
//!   account already holding it, else to the store's only account, else
//!   to "account not known", which is never a session.

use std::collections::BTreeMap;

use super::model::{AccountCandidate, AccountFacts, AccountSession, StoreKind, WorkspaceSeen};

/// Where a store's Local Storage is, for sessions no key points at.
#[derive(Debug, Clone, PartialEq)]
pub struct DefaultStore {
    pub origin: String,
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
    pub short_id: Option<String>,
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
    pub app_cookies: Vec<String>,
    /// Providers with a sign-in cookie, in spec order.
    pub linked_accounts: Vec<String>,
}

/// One piece of evidence for a workspace and/or an account.
#[derive(Debug, Clone, Default)]
pub(super) struct Hit {
    /// Where its key lives; `None` for evidence outside Local Storage.
    pub at: Option<DefaultStore>,
    pub space: Option<String>,
    pub user: Option<String>,
    /// The Local Storage key that goes with this workspace, if any.
    pub key: Option<String>,
    /// The workspace's name, when the evidence carries it.
    pub name: Option<String>,
    /// The workspace's short id (`spaceIdToShortId`).
    pub short_id: Option<String>,
    pub source: String,
    /// From the first envelope pair: the app's current account.
    pub current: bool,
}

/// Everything one store shows, gathered by `sessions::analyze`.
#[derive(Debug, Default)]
pub(super) struct Evidence {
    pub hits: Vec<Hit>,
    /// Accounts named by what only a signed-in store holds, with where:
    /// the active-account cookie, the identity key, `user_root`.
    pub proven: Vec<(String, String)>,
    /// Every signed-in account, from a listing cookie that was read.
    pub listed: Option<Vec<String>>,
    pub listed_source: String,
    /// The active account(s).
    pub active: Vec<String>,
    /// Listing cookies that exist but could not be read: (name, why).
    pub listing_unreadable: Vec<(String, String)>,
    /// Names of the sign-in cookies present.
    pub sign_in_cookies: Vec<String>,
    /// The spec's first sign-in cookie name, for prose ("token_v2").
    pub sign_in_name: String,
    /// Why the store's cookies could not be read, if they could not.
    pub cookies_unreadable: Option<String>,
    /// Names of workspaces (`notion.db` `space`), with the cache's label.
    pub space_names: BTreeMap<String, String>,
    pub names_source: String,
    /// Email and name of people (`notion.db` `notion_user`).
    pub people: BTreeMap<String, (Option<String>, Option<String>)>,
    pub fallback: Option<DefaultStore>,
}

fn push_unique(v: &mut Vec<String>, s: &str) {
    if !s.is_empty() && !v.iter().any(|x| x == s) {
        v.push(s.to_string());
    }
}

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// Sources as prose: cookies first, the key families of one kind of
/// store in one phrase ("Local Storage keys A, B and C").
fn and_list(items: &[String]) -> String {
    const KEYS: &str = "Local Storage keys ";
    let mut phrases: Vec<String> = items
        .iter()
        .filter(|s| !s.starts_with(KEYS))
        .cloned()
        .collect();
    let families: Vec<&str> = items.iter().filter_map(|s| s.strip_prefix(KEYS)).collect();
    match families.as_slice() {
        [] => {}
        [one] => phrases.push(format!("{KEYS}{one}")),
        [rest @ .., last] => phrases.push(format!("{KEYS}{}, {last}", rest.join(", "))),
    }
    match phrases.as_slice() {
        [] => String::new(),
        [one] => one.clone(),
        [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
    }
}

/// [`and_list`] for `scan -v`: one line's worth of where a conclusion came from.
pub fn sources_text(items: &[String]) -> String {
    and_list(items)
}

/// The first eight characters of an id: how a person tells ids apart.
pub fn short_form(id: &str) -> String {
    id.chars().take(8).collect()
}

/// A workspace as prose: its name, else its short id, else a short form of
/// its id; never the raw id as if it were a name.
pub fn workspace_label(id: &str, name: Option<&str>, short_id: Option<&str>) -> String {
    match (name, short_id) {
        (Some(n), _) if !n.trim().is_empty() => n.to_string(),
        (_, Some(s)) => format!("workspace {s}"),
        _ if id.is_empty() => "no workspace seen".to_string(),
        _ => format!("workspace {}", short_form(id)),
    }
}

/// An account as prose: its email, else its name, else a short form of its id.
pub fn account_label(id: &str, email: Option<&str>, name: Option<&str>) -> String {
    email
        .filter(|e| !e.trim().is_empty())
        .or(name.filter(|n| !n.trim().is_empty()))
        .map(str::to_string)
        .unwrap_or_else(|| format!("account {}", short_form(id)))
}

/// A workspace gathered for one owner.
#[derive(Debug, Clone, Default)]
struct Space {
    id: String,
    name: Option<String>,
    short_id: Option<String>,
    keys: Vec<String>,
    sources: Vec<String>,
    at: Option<DefaultStore>,
}

/// The count, its reason, and the accounts the store offers as sessions.
struct Count {
    accounts: Option<u32>,
    reason: Option<String>,
    offered: Vec<String>,
    evidence: String,
    sources: Vec<String>,
}

/// Accounts seen, in order (the active one first), with where each was seen.
fn accounts_seen(ev: &Evidence) -> (Vec<String>, BTreeMap<String, Vec<String>>) {
    let mut seen: Vec<String> = Vec::new();
    let mut by: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut note = |id: &str, source: &str| {
        push_unique(&mut seen, id);
        push_unique(by.entry(id.to_string()).or_default(), source);
    };
    for (id, src) in &ev.proven {
        note(id, src);
    }
    for id in ev.listed.iter().flatten() {
        note(id, &ev.listed_source);
    }
    for h in &ev.hits {
        if let Some(u) = &h.user {
            note(u, &h.source);
        }
    }
    (seen, by)
}

fn sources_of(ids: &[String], by: &BTreeMap<String, Vec<String>>) -> Vec<String> {
    let mut out = Vec::new();
    for u in ids {
        for s in by.get(u).into_iter().flatten() {
            push_unique(&mut out, s);
        }
    }
    // Cookie sources first: they are what Notion itself counts.
    out.sort_by_key(|s| !s.ends_with(" cookie"));
    out
}

/// The rule of issue 23: a number only when the evidence shows it.
fn count(ev: &Evidence, seen: &[String], by: &BTreeMap<String, Vec<String>>) -> Count {
    let cookie = &ev.sign_in_name;
    let signed_in = signed_in(ev);
    let listed = ev.listed.clone().filter(|l| !l.is_empty()).map(|mut l| {
        for a in &ev.active {
            push_unique(&mut l, a);
        }
        l
    });
    let seen_part = |what: &str| -> String {
        if seen.is_empty() {
            String::new()
        } else {
            format!(
                "; {} {what}, from {}",
                plural(seen.len(), "account", "accounts"),
                and_list(&sources_of(seen, by))
            )
        }
    };
    // Unknown, with every account seen offered as a candidate.
    let unknown = |why: String| Count {
        accounts: None,
        evidence: format!(
            "the number of accounts is unknown: {why}{}",
            seen_part("used this store")
        ),
        reason: Some(why),
        offered: seen.to_vec(),
        sources: sources_of(seen, by),
    };
    match signed_in {
        Some(false) => Count {
            accounts: Some(0),
            reason: None,
            offered: Vec::new(),
            evidence: format!(
                "no signed-in account: no sign-in cookie ({cookie}){}",
                seen_part("used this store before")
            ),
            sources: Vec::new(),
        },
        None => {
            let why = format!(
                "the cookies could not be read ({})",
                ev.cookies_unreadable.clone().unwrap_or_default()
            );
            unknown(why)
        }
        Some(true) => {
            if let Some(l) = listed {
                let offered: Vec<String> = seen.iter().filter(|u| l.contains(u)).cloned().collect();
                let sources = sources_of(&offered, by);
                return Count {
                    accounts: Some(offered.len() as u32),
                    reason: None,
                    evidence: format!(
                        "{}, from {}",
                        plural(offered.len(), "account", "accounts"),
                        and_list(&sources)
                    ),
                    offered,
                    sources,
                };
            }
            match seen {
                [one] => {
                    let sources = sources_of(seen, by);
                    Count {
                        accounts: Some(1),
                        reason: None,
                        evidence: format!(
                            "1 account: a sign-in cookie ({cookie}) and exactly one account ever seen here, from {}",
                            and_list(&sources)
                        ),
                        offered: vec![one.clone()],
                        sources,
                    }
                }
                [] => {
                    let why = format!(
                        "the {cookie} cookie shows a signed-in session, but no cookie, key or file names its account"
                    );
                    Count {
                        accounts: None,
                        evidence: format!("the number of accounts is unknown: {why}"),
                        reason: Some(why),
                        offered: Vec::new(),
                        sources: Vec::new(),
                    }
                }
                _ => {
                    let why = match ev.listing_unreadable.first() {
                        Some((name, why)) => format!(
                            "the {name} cookie, which lists every signed-in account, is {why}"
                        ),
                        None => "nothing here lists which of them are signed in".to_string(),
                    };
                    unknown(why)
                }
            }
        }
    }
}

/// Signed in: a sign-in cookie is there; unknown when none was seen
/// because the cookies could not be read.
pub(super) fn signed_in(ev: &Evidence) -> Option<bool> {
    if !ev.sign_in_cookies.is_empty() {
        Some(true)
    } else if ev.cookies_unreadable.is_some() {
        None
    } else {
        Some(false)
    }
}

/// Workspaces per owner (`None` = account not known), in evidence order.
fn attribute(ev: &Evidence, seen: &[String]) -> Vec<(Option<String>, Vec<Space>)> {
    let single = match seen {
        [one] => Some(one.clone()),
        _ => None,
    };
    let mut owners: Vec<(Option<String>, Vec<Space>)> = Vec::new();
    // Hits naming their account first, so a space-only hit finds its owner.
    let (named, unnamed): (Vec<&Hit>, Vec<&Hit>) = ev
        .hits
        .iter()
        .filter(|h| h.space.is_some())
        .partition(|h| h.user.is_some());
    let add = |owner: Option<String>, h: &Hit, owners: &mut Vec<(Option<String>, Vec<Space>)>| {
        let space = h.space.clone().unwrap_or_default();
        let i = match owners.iter().position(|(o, _)| *o == owner) {
            Some(i) => i,
            None => {
                owners.push((owner, Vec::new()));
                owners.len() - 1
            }
        };
        let list = &mut owners[i].1;
        let j = match list.iter().position(|s| s.id == space) {
            Some(j) => j,
            None => {
                list.push(Space {
                    id: space,
                    ..Space::default()
                });
                list.len() - 1
            }
        };
        let s = &mut list[j];
        if let Some(k) = &h.key {
            push_unique(&mut s.keys, k);
        }
        push_unique(&mut s.sources, &h.source);
        if s.name.is_none() {
            s.name = h.name.clone();
        }
        if s.short_id.is_none() {
            s.short_id = h.short_id.clone();
        }
        if s.at.is_none() {
            s.at = h.at.clone();
        }
    };
    for h in named {
        add(h.user.clone(), h, &mut owners);
    }
    for h in unnamed {
        let space = h.space.as_deref().unwrap_or_default();
        let holders: Vec<Option<String>> = owners
            .iter()
            .filter(|(o, list)| o.is_some() && list.iter().any(|s| s.id == space))
            .map(|(o, _)| o.clone())
            .collect();
        if holders.is_empty() {
            add(single.clone(), h, &mut owners);
        } else {
            for o in holders {
                add(o, h, &mut owners);
            }
        }
    }
    for (_, list) in owners.iter_mut() {
        for s in list.iter_mut() {
            if s.name.is_none()
                && let Some(n) = ev.space_names.get(&s.id)
            {
                s.name = Some(n.clone());
                push_unique(&mut s.sources, &ev.names_source);
            }
        }
    }
    owners
}

fn seen_of(s: &Space) -> WorkspaceSeen {
    WorkspaceSeen {
        workspace_id: s.id.clone(),
        workspace_name: s.name.clone(),
        short_id: s.short_id.clone(),
        label: workspace_label(&s.id, s.name.as_deref(), s.short_id.as_deref()),
        sources: s.sources.clone(),
    }
}

/// Apply the account model to one store's evidence.
pub(super) fn decide(ev: &Evidence, facts: &mut StoreFacts) {
    let active: Vec<String> = if !ev.active.is_empty() {
        ev.active.clone()
    } else {
        ev.hits
            .iter()
            .find(|h| h.current)
            .and_then(|h| h.user.clone())
            .into_iter()
            .collect()
    };
    let (mut seen, by) = accounts_seen(ev);
    // The active account first: it is the one the store shows.
    seen.sort_by_key(|u| !active.contains(u));
    let c = count(ev, &seen, &by);
    let owners = attribute(ev, &seen);
    let people = |u: &str| ev.people.get(u).cloned().unwrap_or((None, None));
    let label_of = |u: &str| {
        let (e, n) = people(u);
        account_label(u, e.as_deref(), n.as_deref())
    };
    let spaces_of = |u: Option<&str>| -> Vec<Space> {
        owners
            .iter()
            .find(|(o, _)| o.as_deref() == u)
            .map(|(_, l)| l.clone())
            .unwrap_or_default()
    };
    let mut account_sessions = Vec::new();
    let mut drafts = Vec::new();
    for u in &c.offered {
        let spaces = spaces_of(Some(u));
        let (email, name) = people(u);
        let mut srcs = by.get(u).cloned().unwrap_or_default();
        for s in &spaces {
            for x in &s.sources {
                push_unique(&mut srcs, x);
            }
        }
        account_sessions.push(AccountSession {
            user_id: Some(u.clone()),
            label: label_of(u),
            email,
            name,
            active: active.contains(u),
            workspaces: spaces.iter().map(seen_of).collect(),
            sources: srcs,
        });
        let empty = [Space::default()];
        let list: &[Space] = if spaces.is_empty() { &empty } else { &spaces };
        for s in list {
            let Some(place) = s.at.clone().or_else(|| ev.fallback.clone()) else {
                continue;
            };
            let mut sources = s.sources.clone();
            if s.id.is_empty() {
                sources = by.get(u).cloned().unwrap_or_default();
            }
            drafts.push(SessionDraft {
                origin: place.origin,
                store_path: place.store_path,
                store_kind: place.kind,
                workspace_id: s.id.clone(),
                workspace_name: s.name.clone(),
                short_id: s.short_id.clone(),
                user_id: Some(u.clone()),
                keys: s.keys.clone(),
                sources,
            });
        }
    }
    // Workspaces no evidence ties to an account: listed, never a session.
    let orphans = spaces_of(None);
    if !orphans.is_empty() && c.accounts != Some(0) {
        let mut srcs = Vec::new();
        for s in &orphans {
            for x in &s.sources {
                push_unique(&mut srcs, x);
            }
        }
        account_sessions.push(AccountSession {
            user_id: None,
            email: None,
            name: None,
            label: "account not known".to_string(),
            active: false,
            workspaces: orphans.iter().map(seen_of).collect(),
            sources: srcs,
        });
    }
    let known = c.accounts.is_some();
    let candidates: Vec<AccountCandidate> = seen
        .iter()
        .filter(|u| !known || !c.offered.contains(u))
        .map(|u| AccountCandidate {
            user_id: u.clone(),
            label: label_of(u),
            sources: by.get(u).cloned().unwrap_or_default(),
        })
        .collect();
    let mut users = seen.clone();
    users.sort();
    facts.accounts = c.accounts;
    facts.user_ids = users;
    facts.sessions = drafts;
    facts.account_facts = AccountFacts {
        signed_in: signed_in(ev),
        sign_in_cookies: ev.sign_in_cookies.clone(),
        accounts_reason: c.reason,
        accounts_sources: c.sources,
        accounts_evidence: c.evidence,
        account_sessions,
        account_candidates: candidates,
    };
}
