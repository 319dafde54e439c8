//! Unit tests of the author's shorthands: shared parameter blocks, default
//! fix edges, branch steps, `not`, and the one namespace of a choice.

use serde_json::{Value, json};

use super::engine::*;
use super::load::load_str;
use super::model::*;

fn params() -> Value {
    json!({"app": "X", "origins": ["https://x.test"], "cookie_domains": ["x.test"]})
}

fn load(flow: Value) -> Result<Flow, String> {
    load_str("t.json", &flow.to_string(), crate::registry::builtin()).map_err(|e| e.to_string())
}

fn end(id: &str) -> Value {
    json!({"end": {"id": id, "outcome": "resolved", "message": "done {chosen.ws.workspace_name}"}})
}

fn next_need(e: &mut Engine) -> Need {
    loop {
        match e.next().expect("engine") {
            Need::Say { .. } => continue,
            other => return other,
        }
    }
}

/// A flow written with every shorthand.
fn short() -> Value {
    json!({"id": "t", "title": "T",
    "shared": {"x-store": params()},
    "fix_defaults": {"on_failure": "failed", "on_declined": "declined"},
    "steps": [
        {"check": {"id": "scan", "probe": "app-sessions", "params_from": "x-store", "otherwise": "ws"}},
        {"ask": {"id": "ws", "prompt": "Which?", "kind": "select",
            "options_from": {"fact": "scan.sessions", "id": "workspace_id",
                             "label": "{workspace_name}", "next": "where"}}},
        {"branch": {"id": "where", "title": "Which store",
            "branches": [{"when": {"not": {"fact": "chosen.ws.browser", "op": "eq", "value": "Chrome"}},
                          "next": "failed"}],
            "otherwise": "fix"}},
        {"fix": {"id": "fix", "title": "Remove", "action": "remove-workspace-entry", "evidence": "scan",
            "params": {"session": "chosen.ws"}, "risk": "medium", "changes": "keys",
            "verify": {"fact": "chosen.ws.gone", "op": "eq", "value": true},
            "on_success": "ok"}},
        end("ok"), end("failed"), end("declined")
    ]})
}

#[test]
fn a_check_takes_its_parameters_from_a_shared_block() {
    let f = load(short()).unwrap_or_else(|e| panic!("{e}"));
    let Some(Step::Check(c)) = f.step("scan") else {
        panic!()
    };
    assert_eq!(c.params, Some(params()));
    // Its parameters are still checked by the probe, at the check.
    let mut bad = short();
    bad["shared"]["x-store"]["origins"] = json!("not a list");
    let e = load(bad).unwrap_err();
    assert!(
        e.contains("steps[0].check.params") && e.contains("app-sessions"),
        "{e}"
    );
}

#[test]
fn shared_blocks_that_are_missing_doubled_or_unused_are_named() {
    let mut unknown = short();
    unknown["steps"][0]["check"]["params_from"] = json!("y-store");
    let e = load(unknown).unwrap_err();
    assert!(
        e.contains("steps[0].check.params_from: no shared parameter block `y-store`")
            && e.contains("known: x-store"),
        "{e}"
    );
    let mut both = short();
    both["steps"][0]["check"]["params"] = params();
    let e = load(both).unwrap_err();
    assert!(e.contains("gives both `params` and `params_from`"), "{e}");
    let mut unused = short();
    unused["shared"]["z-store"] = params();
    let e = load(unused).unwrap_err();
    assert!(
        e.contains("shared.z-store: shared parameter block `z-store` is used by no check"),
        "{e}"
    );
}

#[test]
fn fix_edges_left_out_come_from_the_defaults_then_on_failure() {
    let f = load(short()).unwrap_or_else(|e| panic!("{e}"));
    let Some(Step::Fix(fix)) = f.step("fix") else {
        panic!()
    };
    assert_eq!(
        [
            &fix.on_success,
            &fix.on_failure,
            &fix.on_refused,
            &fix.on_declined
        ],
        ["ok", "failed", "failed", "declined"],
        "success its own, failure and declined the defaults, refused falls back to failure"
    );
    // Its own edge wins over the default.
    let mut own = short();
    own["steps"][3]["fix"]["on_refused"] = json!("declined");
    let f = load(own).unwrap_or_else(|e| panic!("{e}"));
    let Some(Step::Fix(fix)) = f.step("fix") else {
        panic!()
    };
    assert_eq!(fix.on_refused, "declined");
    // An edge given nowhere is an error at the fix.
    let mut none = short();
    none.as_object_mut().unwrap().remove("fix_defaults");
    let e = load(none).unwrap_err();
    assert!(
        e.contains("steps[3].fix.on_failure: fix `fix` has no `on_failure`"),
        "{e}"
    );
}

#[test]
fn a_branch_step_runs_nothing_and_is_written_back_as_one() {
    let f = load(short()).unwrap_or_else(|e| panic!("{e}"));
    let step = f.step("where").unwrap();
    assert_eq!((step.kind(), step.tag()), ("check", "branch"));
    let back = serde_json::to_value(step).unwrap();
    assert!(back.get("branch").is_some(), "{back}");
    assert!(super::graph::render(&f, super::graph::GraphFormat::Mermaid).contains("branch: where"));
    // A branch has no probe to run: a probe in it is a typo, refused.
    let mut bad = short();
    bad["steps"][2]["branch"]["probe"] = json!("app-sessions");
    let e = load(bad).unwrap_err();
    assert!(e.contains("unknown field `probe`"), "{e}");
    // Errors in a branch name it as written.
    let mut dangling = short();
    dangling["steps"][2]["branch"]["otherwise"] = json!("nowhere");
    let e = load(dangling).unwrap_err();
    assert!(e.contains("steps[2].branch"), "{e}");
}

fn sessions(ids: &[(&str, &str)]) -> Value {
    json!({"sessions": ids.iter().map(|(id, name)| json!({
        "workspace_id": id, "workspace_name": name, "browser": "Chrome", "store_id": "c/Default"}))
        .collect::<Vec<_>>()})
}

#[test]
fn the_chosen_item_is_refreshed_then_kept_as_last_seen_when_gone() {
    let f = load(short()).unwrap_or_else(|e| panic!("{e}"));
    let mut e = Engine::new(&f);
    next_need(&mut e);
    e.probed(sessions(&[("w1", "Acme"), ("w2", "Beta")]))
        .unwrap();
    next_need(&mut e);
    e.answer(Answer::Choice("w2".into())).unwrap();
    // `not` over the chosen item: it is in Chrome, so the branch goes on to the fix.
    let Need::Fix(call) = next_need(&mut e) else {
        panic!("the branch leads to the fix")
    };
    assert_eq!(call.params["session"]["workspace_id"], "w2");
    assert_eq!(e.facts().get("selected.ws"), e.facts().get("chosen.ws"));
    e.fixed(FixResult::Applied).unwrap();
    let Need::Reprobe { probes, .. } = next_need(&mut e) else {
        panic!()
    };
    e.reprobed(vec![(probes[0].clone(), sessions(&[("w1", "Acme")]))])
        .unwrap();
    assert_eq!(e.facts().get("chosen.ws.gone"), Some(json!(true)));
    assert_eq!(
        e.facts().get("chosen.ws.workspace_name"),
        Some(json!("Beta"))
    );
    assert_eq!(
        e.facts().get("selected.ws"),
        None,
        "the alias is gone with it"
    );
    let Need::Finished(fin) = next_need(&mut e) else {
        panic!()
    };
    assert_eq!(
        (fin.step.as_str(), fin.message.as_str()),
        ("ok", "done Beta")
    );
}

#[test]
fn the_built_in_shared_blocks_parse_and_each_serves_a_built_in_flow() {
    let text = include_str!("../../flows/shared.json");
    let raw: serde_json::Map<String, Value> = serde_json::from_str(text).unwrap();
    let blocks = super::shared::shared();
    assert_eq!(blocks.len() + 1, raw.len(), "every block but the comment");
    for name in blocks.keys() {
        let users: Vec<&str> = super::builtin::BUILTIN
            .iter()
            .filter(|(_, _, t)| t.contains(&format!("\"params_from\": \"{name}\"")))
            .map(|(id, _, _)| *id)
            .collect();
        assert!(!users.is_empty(), "no built-in flow takes `{name}`");
        for id in users {
            let (file, t) = super::builtin::find(id).unwrap();
            load_str(file, t, crate::registry::builtin()).unwrap_or_else(|e| panic!("{e}"));
        }
    }
    // A flow's own block by the same name wins over the built-in one.
    let mut own = short();
    own["shared"] = json!({"notion": params()});
    own["steps"][0]["check"]["params_from"] = json!("notion");
    let f = load(own).unwrap_or_else(|e| panic!("{e}"));
    let Some(Step::Check(c)) = f.step("scan") else {
        panic!()
    };
    assert_eq!(c.params, Some(params()));
}
