//! The `app-sessions` probe: every session of a web or desktop app in every
//! browser profile and the desktop app, with sync, linked accounts and
//! running state (the `scan --json` document), plus the evidence sentences
//! conclusions cite.

use schemars::{Schema, SchemaGenerator};
use serde_json::Value;

use super::contract::{Probe, ProbeDef, ProbeInfo, ProbeRun};
use super::{AppSpec, Home, ScanReport, Source};
use crate::flow::builtin;
use crate::flow::load::parse_bytes;
use crate::flow::{Flow, FlowError, Step};

/// The id flows name this probe by.
pub const ID: &str = "app-sessions";

/// Its facts: the fields of `scan --json`, plus `evidence`.
pub const FACTS: &[&str] = &[
    "schema",
    "layout",
    "root",
    "session_count",
    "sessions",
    "browsers",
    "desktop_app",
    "any_sync",
    "max_store_accounts",
    "warnings",
    "evidence",
    // super::signin::FACTS, which a const cannot concatenate:
    "signed_out_stores",
    "signed_in_accounts",
    "unknown_account_stores",
    "running_stores",
];

/// What the probe is, for the validator, the schema and the registry.
pub const INFO: ProbeInfo = ProbeInfo {
    id: ID,
    summary: "sessions of a web/desktop app in every browser profile and the desktop app, with sync, linked accounts and running state",
    facts: FACTS,
};

pub struct AppSessions;

impl ProbeDef for AppSessions {
    fn info(&self) -> &'static ProbeInfo {
        &INFO
    }

    fn check_params(&self, params: &Value) -> Result<(), String> {
        parse_spec(params)?.check()
    }

    fn params_schema(&self, generator: &mut SchemaGenerator) -> Schema {
        generator.subschema_for::<AppSpec>()
    }
}

impl Probe for AppSessions {
    fn run(&self, params: &Value, home: &Home) -> Result<ProbeRun, String> {
        let spec = parse_spec(params)?;
        let report = super::scan(home, &spec);
        Ok(ProbeRun {
            facts: facts_of(&report, &spec),
            warnings: report.warnings,
        })
    }
}

/// The parameters of `flow`'s first `app-sessions` check: what `scan`
/// looks for with that flow.
pub fn spec_of(flow: &Flow) -> Result<AppSpec, FlowError> {
    let (i, params) = flow
        .steps
        .iter()
        .enumerate()
        .find_map(|(i, s)| match s {
            Step::Check(c) if c.probe.as_deref() == Some(ID) => Some((i, c.params.clone())),
            _ => None,
        })
        .ok_or_else(|| {
            FlowError::one(
                &flow.id,
                "steps",
                format!("the flow has no {ID} check to scan with"),
            )
        })?;
    parse_spec(&params.unwrap_or(Value::Null))
        .map_err(|e| FlowError::one(&flow.id, format!("steps[{i}].check.params"), e))
}

/// The `app-sessions` parameters of the built-in flow `id`: the one source
/// of the spec the tests and benchmarks scan with, too.
pub fn builtin_spec(id: &str) -> Result<AppSpec, FlowError> {
    let (file, text) =
        builtin::find(id).ok_or_else(|| FlowError::one(id, "", "no built-in flow by that name"))?;
    spec_of(&parse_bytes(file, text.as_bytes())?)
}

/// The parameters of an `app-sessions` check; an error names the path of
/// the wrong value.
pub fn parse_spec(params: &Value) -> Result<AppSpec, String> {
    serde_path_to_error::deserialize::<_, AppSpec>(params.clone()).map_err(|e| {
        match e.path().to_string().as_str() {
            "." | "" => e.into_inner().to_string(),
            p => format!("at {p}: {}", e.into_inner()),
        }
    })
}

fn plural(n: u32, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

fn store_label(s: &super::Session, app: &str) -> String {
    match s.source {
        Source::Desktop => format!("{app} desktop app"),
        Source::Browser => format!("{}, profile {}", s.browser, s.profile),
    }
}

/// One sentence per store with sessions, e.g.
/// "Chrome, profile Person 1: 1 workspace session (Acme Corp)".
fn evidence(report: &ScanReport, app: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut seen: Vec<&str> = Vec::new();
    for s in &report.sessions {
        if seen.contains(&s.store_id.as_str()) {
            continue;
        }
        seen.push(&s.store_id);
        out.push(store_sentence(report, s, app));
    }
    let empty = report.browsers.iter().filter(|b| b.sessions == 0).count() as u32;
    if empty > 0 {
        let what = if out.is_empty() {
            ("browser profile", "browser profiles")
        } else {
            ("other browser profile", "other browser profiles")
        };
        out.push(format!(
            "{} without {app} sessions",
            plural(empty, what.0, what.1)
        ));
    } else if out.is_empty() {
        out.push("no browser profiles found".into());
    }
    if !report.desktop_app.installed {
        out.push(format!("{app} desktop app not found"));
    }
    if !report.warnings.is_empty() {
        out.push(plural(
            report.warnings.len() as u32,
            "store could not be read",
            "stores could not be read",
        ));
    }
    out
}

/// One store, accounts first: "Chrome, profile Work: 2 accounts:
/// ada@example.com (Acme Corp, Acme Labs), Ben (Side Gig)". Labels are
/// names, emails or short ids, never a raw id as a name.
fn store_sentence(report: &ScanReport, s: &super::Session, app: &str) -> String {
    let facts = match s.source {
        Source::Desktop => Some(&report.desktop_app.account_facts),
        Source::Browser => report
            .browsers
            .iter()
            .find(|b| b.store_id == s.store_id)
            .map(|b| &b.account_facts),
    };
    let accounts: Vec<String> = facts
        .map(|f| {
            f.account_sessions
                .iter()
                .filter(|a| a.user_id.is_some())
                .map(|a| {
                    let ws: Vec<&str> = a.workspaces.iter().map(|w| w.label.as_str()).collect();
                    if ws.is_empty() {
                        a.label.clone()
                    } else {
                        format!("{} ({})", a.label, ws.join(", "))
                    }
                })
                .collect()
        })
        .unwrap_or_default();
    let mut line = match s.store_accounts {
        Some(n) => format!(
            "{}: {}: {}",
            store_label(s, app),
            plural(n, "account", "accounts"),
            accounts.join(", ")
        ),
        None => format!(
            "{}: number of accounts unknown, seen: {}",
            store_label(s, app),
            accounts.join(", ")
        ),
    };
    if s.sync_enabled {
        line.push_str(", browser sync on");
    }
    if !s.linked_accounts.is_empty() {
        line.push_str(&format!(", linked {} sign-in", s.linked_accounts.join("/")));
    }
    if s.running {
        line.push_str(", running now");
    }
    line
}

/// Labels of the accounts seen in store `store_id` that the evidence
/// cannot tell signed in or not (`account_candidates`): what the flow
/// names when it asks which accounts are signed in there.
fn candidate_labels(report: &ScanReport, store_id: &str) -> Vec<String> {
    let facts = if store_id == super::signin::DESKTOP_STORE {
        Some(&report.desktop_app.account_facts)
    } else {
        report
            .browsers
            .iter()
            .find(|b| b.store_id == store_id)
            .map(|b| &b.account_facts)
    };
    facts
        .map(|f| {
            f.account_candidates
                .iter()
                .map(|c| c.label.clone())
                .collect()
        })
        .unwrap_or_default()
}

/// The report as facts, with `evidence` (list) on the scan and on each
/// session, and on each session its `place` and its store's
/// `account_candidate_labels`.
fn facts_of(report: &ScanReport, spec: &AppSpec) -> Value {
    let mut v = serde_json::to_value(report).unwrap_or(Value::Null);
    if let Some(obj) = v.as_object_mut() {
        obj.insert("evidence".into(), Value::from(evidence(report, &spec.app)));
        obj.extend(super::signin::lists(report));
        if let Some(Value::Array(sessions)) = obj.get_mut("sessions") {
            for (item, s) in sessions.iter_mut().zip(&report.sessions) {
                if let Some(o) = item.as_object_mut() {
                    o.insert(
                        "evidence".into(),
                        Value::from(store_sentence(report, s, &spec.app)),
                    );
                    o.insert("place".into(), Value::from(store_label(s, &spec.app)));
                    o.insert(
                        "account_candidate_labels".into(),
                        Value::from(candidate_labels(report, &s.store_id)),
                    );
                }
            }
        }
    }
    v
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The evidence sources are data, loaded from the flows (tests, the demo's
    /// scan and benches take the `notion-signout` flow's through
    /// `builtin_spec`), and both Notion flows look at the same evidence.
    #[test]
    fn shipped_flows_carry_the_notion_evidence_sources() {
        let notion = builtin_spec("notion-signout").unwrap();
        assert_eq!(notion.app, "Notion");
        assert!(notion.desktop.is_some() && !notion.linked_accounts.is_empty());
        for (id, file, text) in builtin::BUILTIN {
            let f = crate::flow::load_str(file, text, crate::registry::builtin())
                .unwrap_or_else(|e| panic!("{e}"));
            for step in &f.steps {
                if let Step::Check(c) = step
                    && c.probe.as_deref() == Some(ID)
                {
                    let spec: AppSpec =
                        serde_json::from_value(c.params.clone().unwrap_or_default()).unwrap();
                    assert_eq!(spec, notion, "{id}: {file}");
                }
            }
            // Flows of other apps run other probes and have no spec here.
            if let Ok(spec) = builtin_spec(id) {
                assert_eq!(spec, notion, "{id}");
            }
        }
        assert!(builtin_spec("notion-desktop-relogin").is_ok());
        assert!(builtin_spec("no-such-flow").is_err());
    }

    #[test]
    fn the_sign_in_lists_are_among_the_facts() {
        for f in super::super::signin::FACTS {
            assert!(FACTS.contains(f), "{f}");
        }
    }
}
