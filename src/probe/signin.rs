//! The scan's sign-in lists: which stores are signed out, which accounts
//! are signed in where, which stores cannot tell. A fix's `verify` and a
//! re-check after a guide compare the chosen store or account with them
//! (`value_fact`), so "signed out" is read afresh from the stores, never
//! taken from what a fix did.

use serde_json::{Map, Value};

use super::{AccountFacts, ScanReport};

/// The desktop app's store id (its sessions carry it too).
pub const DESKTOP_STORE: &str = "desktop";

/// The facts these lists add to the probe's, by name.
pub const FACTS: &[&str] = &[
    "signed_out_stores",
    "signed_in_accounts",
    "unknown_account_stores",
    "running_stores",
];

struct Store<'r> {
    id: &'r str,
    accounts: Option<u32>,
    facts: &'r AccountFacts,
    running: bool,
}

fn stores(report: &ScanReport) -> Vec<Store<'_>> {
    let mut out: Vec<Store<'_>> = report
        .browsers
        .iter()
        .map(|b| Store {
            id: &b.store_id,
            accounts: b.accounts,
            facts: &b.account_facts,
            running: b.running,
        })
        .collect();
    let d = &report.desktop_app;
    out.push(Store {
        id: DESKTOP_STORE,
        accounts: d.accounts,
        facts: &d.account_facts,
        running: d.running,
    });
    out
}

/// `signed_out_stores`: store ids with no sign-in cookie (cookies read);
/// `signed_in_accounts`: `<user_id>@<store_id>` of every account the
/// evidence shows signed in (a sign-in cookie and a known account list);
/// `unknown_account_stores`: stores that may be signed in but whose
/// accounts the evidence cannot list (or whose cookies could not be
/// read); `running_stores`: stores whose owner runs (its last writes may
/// not be on disk yet).
pub fn lists(report: &ScanReport) -> Map<String, Value> {
    let mut out_ = Vec::new();
    let mut accounts = Vec::new();
    let mut unknown = Vec::new();
    let mut running = Vec::new();
    for s in stores(report) {
        if s.running {
            running.push(s.id.to_string());
        }
        match (s.facts.signed_in, s.accounts) {
            (Some(false), _) => out_.push(s.id.to_string()),
            (Some(true), Some(_)) => accounts.extend(
                s.facts
                    .account_sessions
                    .iter()
                    .filter_map(|a| a.user_id.as_ref())
                    .map(|u| format!("{u}@{}", s.id)),
            ),
            _ => unknown.push(s.id.to_string()),
        }
    }
    let mut m = Map::new();
    for (name, v) in FACTS.iter().zip([out_, accounts, unknown, running]) {
        m.insert(name.to_string(), Value::from(v));
    }
    m
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn store(id: &str, signed_in: Value, accounts: Value, users: &[&str], running: bool) -> Value {
        let (browser_id, dir) = id.split_once('/').unwrap_or((id, ""));
        json!({
            "store_id": id, "browser": "Chrome", "browser_id": browser_id, "profile": dir,
            "profile_dir": dir, "path": "/p", "running": running, "sync_enabled": false,
            "app_cookies": [], "accounts": accounts, "user_ids": users, "sessions": 0,
            "linked_accounts": [], "signed_in": signed_in, "sign_in_cookies": [],
            "account_sessions": users.iter().map(|u| json!({
                "user_id": u, "active": false, "workspaces": [], "sources": []
            })).collect::<Vec<_>>(),
        })
    }

    #[test]
    fn each_store_lands_in_the_list_its_evidence_says() {
        let report: ScanReport = serde_json::from_value(json!({
            "schema": 1, "layout": "linux", "root": "/h", "session_count": 0, "sessions": [],
            "browsers": [
                store("chrome/Default", json!(false), json!(0), &[], false),
                store("chrome/Profile 1", json!(true), json!(2), &["u-a", "u-b"], true),
                store("chrome/Profile 2", json!(true), Value::Null, &["u-c"], false),
                store("firefox/x.default", Value::Null, Value::Null, &[], false),
            ],
            "desktop_app": {"installed": false, "running": false, "data_dir": null,
                "size_bytes": 0, "sessions": 0, "accounts": 0, "user_ids": [],
                "app_cookies": [], "linked_accounts": [], "signed_in": false},
            "any_sync": false, "max_store_accounts": 2, "warnings": []
        }))
        .unwrap();
        let l = lists(&report);
        assert_eq!(l["signed_out_stores"], json!(["chrome/Default", "desktop"]));
        assert_eq!(
            l["signed_in_accounts"],
            json!(["u-a@chrome/Profile 1", "u-b@chrome/Profile 1"]),
            "an account is listed only where the store lists its accounts"
        );
        assert_eq!(
            l["unknown_account_stores"],
            json!(["chrome/Profile 2", "firefox/x.default"]),
            "signed in without a list, or cookies unreadable: never signed out"
        );
        assert_eq!(l["running_stores"], json!(["chrome/Profile 1"]));
    }
}
