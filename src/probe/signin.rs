//! The scan's sign-in lists: which stores are signed out, which accounts
//! are signed in where, which stores cannot tell. A fix's `verify` and a
//! re-check after a guide compare the chosen store or account with them
//! (`value_fact`), so "signed out" is read afresh from the stores, never
//! taken from what a fix did.

use serde_json::{Map, Value};

use super::{AccountFacts, ScanReport, SignIn};

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
    sign_in: &'r SignIn,
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
            sign_in: &b.sign_in,
            accounts: b.accounts,
            facts: &b.account_facts,
            running: b.running,
        })
        .collect();
    let d = &report.desktop_app;
    out.push(Store {
        id: DESKTOP_STORE,
        sign_in: &d.sign_in,
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
        match (s.sign_in.signed_in, s.accounts) {
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
