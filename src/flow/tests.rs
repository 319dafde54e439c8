//! Unit tests of the flow format, validation and the engine.

use serde_json::{Value, json};

use super::engine::*;
use super::facts::Facts;
use super::load::{MAX_DEPTH, load_str, parse_bytes};
use super::model::*;
use super::schema::schema_json;

fn flow(steps: Value) -> Flow {
    let text = json!({"id": "t", "title": "T", "steps": steps}).to_string();
    load_str("t.json", &text, crate::registry::builtin()).unwrap_or_else(|e| panic!("{e}"))
}

fn problems(steps: Value) -> String {
    let text = json!({"id": "t", "title": "T", "steps": steps}).to_string();
    match load_str("t.json", &text, crate::registry::builtin()) {
        Ok(_) => String::new(),
        Err(e) => e.to_string(),
    }
}

fn end(id: &str) -> Value {
    json!({"end": {"id": id, "outcome": "resolved", "message": "done"}})
}

fn probe_params() -> Value {
    json!({"app": "X", "origins": ["https://x.test"], "cookie_domains": ["x.test"]})
}

fn next_need(e: &mut Engine) -> Need {
    loop {
        match e.next().expect("engine") {
            Need::Say { .. } => continue,
            other => return other,
        }
    }
}

#[test]
fn select_confirm_text_reach_an_end() {
    let f = flow(json!([
        {"ask": {"id": "q", "prompt": "Q?", "kind": "select", "options": [
            {"id": "a", "label": "A", "next": "c"}, {"id": "b", "label": "B", "next": "e2"}]}},
        {"ask": {"id": "c", "prompt": "Sure?", "kind": "confirm", "yes": "t", "no": "e2"}},
        {"ask": {"id": "t", "prompt": "Name?", "kind": "text", "next": "e1", "default": "x"}},
        {"end": {"id": "e1", "outcome": "resolved", "message": "done {answers.q}"}}, end("e2")
    ]));
    let mut e = Engine::new(&f);
    let Need::Ask(q) = next_need(&mut e) else {
        panic!()
    };
    assert_eq!(q.options.len(), 2);
    assert_eq!(q.default, Some(json!("a")), "first option is the default");
    e.answer(Answer::Choice("a".into())).unwrap();
    let Need::Ask(q) = next_need(&mut e) else {
        panic!()
    };
    assert_eq!(q.kind, AskKind::Confirm);
    e.answer(Answer::Bool(true)).unwrap();
    e.answer(Answer::Text("n".into())).unwrap_err(); // not waiting yet: next() not called
    let Need::Ask(q) = next_need(&mut e) else {
        panic!()
    };
    assert_eq!(q.kind, AskKind::Text);
    e.answer(Answer::Text("hello".into())).unwrap();
    let Need::Finished(fin) = next_need(&mut e) else {
        panic!()
    };
    assert_eq!(fin.step, "e1");
    assert_eq!(fin.outcome, Outcome::Resolved);
    assert_eq!(fin.message, "done a");
    let path: Vec<_> = e.visits().iter().map(|v| v.step.as_str()).collect();
    assert_eq!(path, ["q", "c", "t", "e1"]);
}

#[test]
fn bad_answers_are_errors_naming_choices() {
    let f = flow(json!([
        {"ask": {"id": "q", "prompt": "Q?", "kind": "select", "options": [{"id": "a", "label": "A", "next": "e"}]}},
        end("e")
    ]));
    let mut e = Engine::new(&f);
    next_need(&mut e);
    let err = e.answer(Answer::Choice("zzz".into())).unwrap_err();
    assert!(err.to_string().contains("one of: a"), "{err}");
}

#[test]
fn check_probes_then_branches_and_explains() {
    let f = flow(json!([
        {"check": {"id": "scan", "probe": "app-sessions", "params": probe_params(),
            "branches": [{"when": {"fact": "scan.session_count", "op": "gt", "value": 1}, "next": "many",
                          "explain": "{scan.session_count} sessions"}],
            "otherwise": "few", "explain": "only {scan.session_count}"}},
        end("many"), end("few")
    ]));
    for (count, want, said) in [(2, "many", "2 sessions"), (1, "few", "only 1")] {
        let mut e = Engine::new(&f);
        let Need::Probe(call) = e.next().unwrap() else {
            panic!()
        };
        assert_eq!(call.save_as, "scan");
        e.probed(json!({"session_count": count})).unwrap();
        let Need::Say { text, .. } = e.next().unwrap() else {
            panic!()
        };
        assert_eq!(text, said);
        let Need::Finished(fin) = e.next().unwrap() else {
            panic!()
        };
        assert_eq!(fin.step, want);
    }
}

fn session_flow() -> Flow {
    flow(json!([
        {"check": {"id": "scan", "probe": "app-sessions", "params": probe_params(), "otherwise": "ws"}},
        {"ask": {"id": "ws", "prompt": "Which?", "kind": "select",
            "options_from": {"fact": "scan.sessions", "id": "workspace_id", "label": "{workspace_name} ({browser})",
                             "match_also": ["workspace_name"], "next": "fix"}}},
        {"fix": {"id": "fix", "title": "Remove {selected.ws.workspace_name}", "action": "remove-workspace-entry",
            "params": {"session": "selected.ws"}, "risk": "medium", "changes": "keys",
            "verify": {"fact": "selected.ws", "op": "exists", "value": false},
            "on_success": "ok", "on_failure": "failed", "on_refused": "refused", "on_declined": "refused"}},
        end("ok"), end("failed"), end("refused")
    ]))
}

fn sessions(items: &[(&str, &str, &str)]) -> Value {
    json!({"sessions": items.iter().map(|(id, name, store)| json!({
        "workspace_id": id, "workspace_name": name, "browser": "Chrome", "store_id": store})).collect::<Vec<_>>()})
}

#[test]
fn generated_options_select_and_verify_removal() {
    let f = session_flow();
    let mut e = Engine::new(&f);
    next_need(&mut e);
    e.probed(sessions(&[
        ("w1", "Acme", "chrome/Default"),
        ("w2", "Beta", "chrome/Default"),
    ]))
    .unwrap();
    let Need::Ask(q) = next_need(&mut e) else {
        panic!()
    };
    assert_eq!(
        q.options
            .iter()
            .map(|o| o.label.as_str())
            .collect::<Vec<_>>(),
        ["Acme (Chrome)", "Beta (Chrome)"]
    );
    // An answer may name the workspace instead of its id (match_also), any case.
    e.answer(Answer::Choice("beta".into())).unwrap();
    assert_eq!(e.facts().get("selected.ws.workspace_id"), Some(json!("w2")));
    let Need::Fix(call) = next_need(&mut e) else {
        panic!()
    };
    assert_eq!(call.title, "Remove Beta");
    assert_eq!(call.params["session"]["workspace_id"], "w2");
    e.fixed(FixResult::Applied).unwrap();
    let Need::Reprobe { probes, .. } = next_need(&mut e) else {
        panic!()
    };
    assert_eq!(probes.len(), 1);
    // Fresh evidence: w2 is gone, so the selection disappears and verify holds.
    e.reprobed(vec![(
        probes[0].clone(),
        sessions(&[("w1", "Acme", "chrome/Default")]),
    )])
    .unwrap();
    let Need::Finished(fin) = next_need(&mut e) else {
        panic!()
    };
    assert_eq!((fin.step.as_str(), fin.rolled_back), ("ok", false));
}

#[test]
fn verify_failure_asks_for_rollback_then_goes_to_failure() {
    let f = session_flow();
    let mut e = Engine::new(&f);
    next_need(&mut e);
    let s = sessions(&[("w1", "Acme", "chrome/Default")]);
    e.probed(s.clone()).unwrap();
    next_need(&mut e);
    e.answer(Answer::Choice("w1".into())).unwrap();
    next_need(&mut e);
    e.fixed(FixResult::Applied).unwrap();
    let Need::Reprobe { probes, .. } = next_need(&mut e) else {
        panic!()
    };
    e.reprobed(vec![(probes[0].clone(), s)]).unwrap();
    assert!(matches!(next_need(&mut e), Need::Rollback { .. }));
    e.rolled_back().unwrap();
    let Need::Finished(fin) = next_need(&mut e) else {
        panic!()
    };
    assert_eq!((fin.step.as_str(), fin.rolled_back), ("failed", true));
}

#[test]
fn fix_refused_failed_and_dry_run() {
    let f = session_flow();
    for (result, want) in [
        (
            FixResult::Refused {
                reason: "Chrome runs".into(),
            },
            "refused",
        ),
        (
            FixResult::Failed {
                reason: "disk".into(),
            },
            "failed",
        ),
        (FixResult::DryRun, "fix"),
    ] {
        let mut e = Engine::new(&f);
        next_need(&mut e);
        e.probed(sessions(&[("w1", "Acme", "s")])).unwrap();
        next_need(&mut e);
        e.answer(Answer::Choice("w1".into())).unwrap();
        next_need(&mut e);
        e.fixed(result.clone()).unwrap();
        let Need::Finished(fin) = next_need(&mut e) else {
            panic!()
        };
        assert_eq!(fin.step, want, "{result:?}");
    }
}

/// A fix stopped before any change for a reason other than the owner
/// running takes the refused edge, and its end says that reason, not the
/// flow's words about the owner.
#[test]
fn fix_unchanged_ends_on_the_refused_edge_with_its_reason() {
    let f = session_flow();
    let mut e = Engine::new(&f);
    next_need(&mut e);
    e.probed(sessions(&[("w1", "Acme", "s")])).unwrap();
    next_need(&mut e);
    e.answer(Answer::Choice("w1".into())).unwrap();
    next_need(&mut e);
    e.fixed(FixResult::Unchanged {
        reason: "another troubleshoot run is changing things (pid 7)".into(),
    })
    .unwrap();
    let Need::Finished(fin) = next_need(&mut e) else {
        panic!()
    };
    assert_eq!(fin.step, "refused");
    assert!(
        fin.message
            .starts_with("Nothing was changed: another troubleshoot run"),
        "{}",
        fin.message
    );
    let mut e = Engine::new(&f);
    next_need(&mut e);
    e.probed(sessions(&[("w1", "Acme", "s")])).unwrap();
    next_need(&mut e);
    e.answer(Answer::Choice("w1".into())).unwrap();
    next_need(&mut e);
    e.fixed(FixResult::NotRestored {
        reason: "run: troubleshoot undo X".into(),
    })
    .unwrap();
    let Need::Finished(fin) = next_need(&mut e) else {
        panic!()
    };
    assert_eq!(fin.step, "failed");
    assert!(
        fin.message.contains("could not be rolled back") && fin.message.contains("undo X"),
        "{}",
        fin.message
    );
}

#[test]
fn duplicate_generated_ids_are_disambiguated_by_store() {
    let f = session_flow();
    let mut e = Engine::new(&f);
    next_need(&mut e);
    e.probed(sessions(&[
        ("w1", "Acme", "chrome/Default"),
        ("w1", "Acme", "edge/Default"),
    ]))
    .unwrap();
    let Need::Ask(q) = next_need(&mut e) else {
        panic!()
    };
    let ids: Vec<_> = q.options.iter().map(|o| o.id.as_str()).collect();
    assert_eq!(ids, ["w1@chrome/Default", "w1@edge/Default"]);
    let err = e.answer(Answer::Choice("Acme".into())).unwrap_err();
    assert!(err.to_string().contains("matches several"), "{err}");
    e.answer(Answer::Choice("w1@edge/Default".into())).unwrap();
    assert_eq!(
        e.facts().get("selected.ws.store_id"),
        Some(json!("edge/Default"))
    );
}

#[test]
fn guide_is_a_confirm_with_instructions() {
    let f = flow(json!([
        {"guide": {"id": "g", "title": "Do it", "steps": ["one", "two"], "prompt": "Done?", "yes": "a", "no": "b"}},
        end("a"), end("b")
    ]));
    let mut e = Engine::new(&f);
    let Need::Ask(q) = next_need(&mut e) else {
        panic!()
    };
    assert_eq!(q.guide.as_ref().unwrap().steps, ["one", "two"]);
    assert_eq!(q.default, Some(json!(true)));
    e.answer(Answer::Choice("no".into())).unwrap();
    let Need::Finished(fin) = next_need(&mut e) else {
        panic!()
    };
    assert_eq!(fin.step, "b");
    assert_eq!(e.facts().get("answers.g"), Some(json!(false)));
}

#[test]
fn options_with_when_are_offered_only_when_true() {
    let f = flow(json!([
        {"ask": {"id": "a", "prompt": "?", "kind": "confirm", "yes": "q", "no": "q"}},
        {"ask": {"id": "q", "prompt": "Q?", "kind": "select", "options": [
            {"id": "x", "label": "X", "next": "e", "when": {"fact": "answers.a", "op": "eq", "value": true}},
            {"id": "y", "label": "Y", "next": "e"}]}},
        end("e")
    ]));
    for (a, want) in [(true, vec!["x", "y"]), (false, vec!["y"])] {
        let mut e = Engine::new(&f);
        next_need(&mut e);
        e.answer(Answer::Bool(a)).unwrap();
        let Need::Ask(q) = next_need(&mut e) else {
            panic!()
        };
        assert_eq!(
            q.options.iter().map(|o| o.id.as_str()).collect::<Vec<_>>(),
            want
        );
        if !a {
            assert!(
                e.answer(Answer::Choice("x".into())).is_err(),
                "a hidden option cannot be chosen"
            );
        }
    }
}

#[test]
fn loops_without_asking_hit_the_step_budget() {
    let f = flow(json!([
        {"ask": {"id": "q", "prompt": "?", "kind": "confirm", "yes": "a", "no": "a"}},
        {"check": {"id": "a", "branches": [{"when": {"fact": "answers.q", "op": "eq", "value": "never"}, "next": "e"}], "otherwise": "b"}},
        {"check": {"id": "b", "otherwise": "a"}},
        end("e")
    ]));
    let mut e = Engine::new(&f);
    next_need(&mut e);
    e.answer(Answer::Bool(true)).unwrap();
    let err = loop {
        match e.next() {
            Ok(Need::Say { .. }) => continue,
            Ok(other) => panic!("expected the budget to stop the loop, got {other:?}"),
            Err(err) => break err,
        }
    };
    assert!(matches!(err, EngineError::Budget { .. }), "{err}");
}

#[test]
fn every_operator() {
    let mut facts = Facts::new();
    facts.set(
        "f",
        json!({"n": 2, "s": "abc", "l": ["x", "y"], "t": true, "z": 0, "e": [], "null": null}),
    );
    let t = |fact: &str, op: Op, value: Value| {
        facts.eval(&Cond::Test {
            fact: fact.into(),
            op,
            value,
            value_fact: None,
        })
    };
    assert!(t("f.n", Op::Eq, json!(2.0)));
    assert!(t("f.n", Op::Ne, json!(3)));
    assert!(t("f.missing", Op::Ne, json!(3)));
    assert!(t("f.n", Op::Lt, json!(3)) && !t("f.n", Op::Lt, json!(2)));
    assert!(t("f.n", Op::Le, json!(2)) && !t("f.n", Op::Le, json!(1)));
    assert!(t("f.n", Op::Gt, json!(1)) && !t("f.n", Op::Gt, json!(2)));
    assert!(t("f.n", Op::Ge, json!(2)) && !t("f.n", Op::Ge, json!(3)));
    assert!(
        !t("f.s", Op::Lt, json!(3)),
        "strings do not compare as numbers"
    );
    assert!(t("f.s", Op::In, json!(["abc", "d"])) && !t("f.s", Op::In, json!(["d"])));
    assert!(t("f.l", Op::Contains, json!("y")) && !t("f.l", Op::Contains, json!("q")));
    assert!(t("f.s", Op::Contains, json!("bc")));
    assert!(t("f.n", Op::Exists, json!(true)) && t("f.null", Op::Exists, json!(false)));
    assert!(t("f.missing", Op::Exists, json!(false)));
    assert!(
        t("f.t", Op::Truthy, json!(true))
            && t("f.z", Op::Truthy, json!(false))
            && t("f.e", Op::Truthy, json!(false))
    );
    assert!(t("f.l.len", Op::Eq, json!(2)) && t("f.l.0", Op::Eq, json!("x")));
    assert!(!t("f.missing", Op::Eq, json!(2)) && !t("f.missing", Op::Gt, json!(0)));
    let c = |v: Value| serde_json::from_value::<Cond>(v).unwrap();
    assert!(facts.eval(&c(
        json!({"all": [{"fact": "f.t", "op": "truthy"}, {"fact": "f.n", "op": "eq", "value": 2}]})
    )));
    assert!(!facts.eval(&c(
        json!({"all": [{"fact": "f.t", "op": "truthy"}, {"fact": "f.n", "op": "eq", "value": 3}]})
    )));
    assert!(facts.eval(&c(
        json!({"any": [{"fact": "f.z", "op": "truthy"}, {"fact": "f.n", "op": "eq", "value": 2}]})
    )));
    assert!(facts.eval(&c(json!({"not": {"fact": "f.z", "op": "truthy"}}))));
    assert_eq!(Op::ALL.len(), 10);
}

/// `value_fact` compares with another fact's value, read at evaluation:
/// the chosen store's id against the list of stores signed out now.
#[test]
fn a_condition_compares_with_another_fact() {
    let mut facts = Facts::new();
    facts.set(
        "scan",
        json!({"out": ["chrome/Default", "desktop"], "n": 2}),
    );
    facts.set(
        "chosen",
        json!({"w": {"store_id": "chrome/Default", "k": 2}}),
    );
    let c = |v: Value| serde_json::from_value::<Cond>(v).unwrap();
    let inside =
        c(json!({"fact": "scan.out", "op": "contains", "value_fact": "chosen.w.store_id"}));
    assert!(facts.eval(&inside));
    assert!(facts.eval(&c(
        json!({"fact": "scan.n", "op": "eq", "value_fact": "chosen.w.k"})
    )));
    facts.set("scan", json!({"out": ["desktop"], "n": 3}));
    assert!(!facts.eval(&inside), "read afresh, not when loaded");
    assert!(!facts.eval(&c(
        json!({"fact": "scan.n", "op": "eq", "value_fact": "chosen.w.k"})
    )));
    let missing = json!({"fact": "scan.out", "op": "contains", "value_fact": "chosen.nothing"});
    assert!(
        !facts.eval(&c(missing)),
        "a missing value fact fails the test"
    );
    // Exactly one of `value` and `value_fact`, and only with a comparison.
    for bad in [
        json!({"fact": "scan.n", "op": "eq", "value": 1, "value_fact": "chosen.w.k"}),
        json!({"fact": "scan.n", "op": "exists", "value_fact": "chosen.w.k"}),
    ] {
        assert!(serde_json::from_value::<Cond>(bad).is_err());
    }
    let raw = serde_json::to_value(&inside).unwrap();
    assert_eq!(
        raw,
        json!({"fact": "scan.out", "op": "contains", "value_fact": "chosen.w.store_id"})
    );
}

#[test]
fn templates_render_facts_and_literal_braces() {
    let mut facts = Facts::new();
    facts.set("a", json!({"n": 1, "l": ["x", "y"], "b": false}));
    assert_eq!(
        facts.render("{a.n} of {a.l}; {a.b}; {{lit}} {nope}"),
        "1 of x, y; no; {lit} ?"
    );
}

#[test]
fn validation_names_the_problem_and_place() {
    let e = problems(json!([{"ask": {"id": "q", "prompt": "?", "kind": "select",
        "options": [{"id": "a", "label": "A", "next": "ghost"}]}}, end("e")]));
    assert!(
        e.contains("names step `ghost`, which does not exist"),
        "{e}"
    );
    assert!(e.contains("steps[0].ask.next"), "{e}");

    let e = problems(json!([end("e"), end("e")]));
    assert!(e.contains("duplicate step id `e`"), "{e}");

    let e = problems(json!([end("e"), end("lonely")]));
    assert!(e.contains("step `lonely` is unreachable"), "{e}");

    let e = problems(
        json!([{"check": {"id": "a", "otherwise": "b"}}, {"check": {"id": "b", "otherwise": "a"}}]),
    );
    assert!(e.contains("no path from step `a` reaches an `end`"), "{e}");

    let e = problems(json!([{"check": {"id": "a", "probe": "rm-rf", "otherwise": "e"}}, end("e")]));
    assert!(e.contains("unknown probe `rm-rf`"), "{e}");

    let e = problems(
        json!([{"fix": {"id": "f", "title": "t", "action": "shell", "risk": "low", "changes": "",
        "on_success": "e", "on_failure": "e", "on_refused": "e", "on_declined": "e"}}, end("e")]),
    );
    assert!(e.contains("unknown action `shell`"), "{e}");

    let e = problems(
        json!([{"check": {"id": "a", "probe": "app-sessions", "params": {"app": 3}, "otherwise": "e"}}, end("e")]),
    );
    assert!(
        e.contains("wrong parameters for probe `app-sessions`") && e.contains("app"),
        "{e}"
    );

    let e = problems(
        json!([{"check": {"id": "a", "branches": [{"when": {"fact": "scan.session_count", "op": "eq", "value": 1}, "next": "e"}], "otherwise": "e"}}, end("e")]),
    );
    assert!(e.contains("no check produces `scan`"), "{e}");

    // A fact produced on only one path into a step.
    let e = problems(json!([
        {"ask": {"id": "q", "prompt": "?", "kind": "confirm", "yes": "s", "no": "c"}},
        {"check": {"id": "s", "probe": "app-sessions", "params": probe_params(), "otherwise": "c"}},
        {"check": {"id": "c", "branches": [{"when": {"fact": "s.session_count", "op": "eq", "value": 1}, "next": "e"}], "otherwise": "e"}},
        end("e")]));
    assert!(
        e.contains("before the check that produces `s` has run on every path"),
        "{e}"
    );

    let e = problems(
        json!([{"fix": {"id": "f", "title": "t", "action": "remove-workspace-entry", "risk": "low",
        "changes": "", "params": {"session": 5}, "on_success": "e", "on_failure": "e", "on_refused": "e", "on_declined": "e"}}, end("e")]),
    );
    assert!(
        e.contains("`session` must be a string naming a fact"),
        "{e}"
    );
}

/// A fix acts on what one check's probe found: `evidence` names it, or the
/// flow has exactly one check with a probe; the engine hands its parameters
/// to the action.
#[test]
fn a_fix_names_the_check_whose_evidence_it_acts_on() {
    let check = |id: &str, next: &str| json!({"check": {"id": id, "probe": "app-sessions", "params": probe_params(), "otherwise": next}});
    let fix = |evidence: Option<&str>| {
        let mut f = json!({"id": "f", "title": "t", "action": "reset-desktop-app", "risk": "high",
            "changes": "", "on_success": "e", "on_failure": "e", "on_refused": "e", "on_declined": "e"});
        if let Some(ev) = evidence {
            f["evidence"] = json!(ev);
        }
        json!({ "fix": f })
    };
    // One probed check: the default.
    let one = flow(json!([check("scan", "f"), fix(None), end("e")]));
    let mut engine = Engine::new(&one);
    let Need::Probe(call) = next_need(&mut engine) else {
        panic!("the check runs first")
    };
    engine.probed(json!({})).unwrap();
    let Need::Fix(fc) = next_need(&mut engine) else {
        panic!("then the fix")
    };
    let ev = fc.evidence.expect("the only check is the fix's evidence");
    assert_eq!(
        (ev.check.as_str(), ev.probe.as_str()),
        ("scan", "app-sessions")
    );
    assert_eq!(ev.params, call.params);

    // Two: the fix must say which.
    let e = problems(json!([
        check("a", "b"),
        check("b", "f"),
        fix(None),
        end("e")
    ]));
    assert!(
        e.contains("steps[2].fix.evidence")
            && e.contains("name the check that ran it with `evidence`"),
        "{e}"
    );
    assert_eq!(
        problems(json!([
            check("a", "b"),
            check("b", "f"),
            fix(Some("b")),
            end("e")
        ])),
        ""
    );
    // Not a check with a probe.
    let e = problems(json!([check("a", "f"), fix(Some("e")), end("e")]));
    assert!(
        e.contains("`evidence` names `e`, which is not a check with a probe"),
        "{e}"
    );
}

#[test]
fn unknown_fields_truncation_depth_and_garbage_are_located_errors() {
    let text = r#"{"id": "t", "title": "T", "steps": [{"end": {"id": "e", "outcome": "resolved", "message": "", "colour": 1}}]}"#;
    let e = load_str("t.json", text, crate::registry::builtin())
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("unknown field `colour`") && e.contains("t.json:1:"),
        "{e}"
    );

    let e = load_str("t.json", &text[..40], crate::registry::builtin())
        .unwrap_err()
        .to_string();
    assert!(e.contains("EOF") && e.contains("t.json:1:"), "{e}");

    let deep = "[".repeat(100_000);
    let e = parse_bytes("deep.json", deep.as_bytes())
        .unwrap_err()
        .to_string();
    assert!(
        e.contains(&format!("nested deeper than {MAX_DEPTH}")),
        "{e}"
    );

    let e = parse_bytes("bin.json", &[0xff, 0xfe, 0x00, 0x9c])
        .unwrap_err()
        .to_string();
    assert!(e.contains("not UTF-8"), "{e}");

    let big = format!("{{\"id\":\"{}\"}}", "x".repeat(2 * 1024 * 1024));
    let e = parse_bytes("big.json", big.as_bytes())
        .unwrap_err()
        .to_string();
    assert!(e.contains("limited to"), "{e}");
}

#[test]
fn shipped_flows_are_valid() {
    for (id, file, text) in super::builtin::BUILTIN {
        let f = load_str(file, text, crate::registry::builtin()).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(&f.id, id);
    }
}

/// `flows/schema.json` is generated from the types; regenerate with
/// `UPDATE_SCHEMA=1 cargo test schema_is_fresh`.
#[test]
fn schema_is_fresh() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/flows/schema.json");
    let want = schema_json(crate::registry::builtin());
    if std::env::var_os("UPDATE_SCHEMA").is_some() {
        std::fs::write(path, &want).unwrap();
    }
    let have = std::fs::read_to_string(path).unwrap_or_default();
    assert!(
        have == want,
        "flows/schema.json is stale: run `UPDATE_SCHEMA=1 cargo test schema_is_fresh`"
    );
}

fn scan_check(params: Value) -> String {
    problems(json!([
        {"check": {"id": "a", "probe": "app-sessions", "params": params, "otherwise": "e"}},
        end("e")
    ]))
}

#[test]
fn bad_evidence_sources_are_flow_errors_with_their_path() {
    let with = |field: &str, v: Value| {
        let mut p = probe_params();
        p[field] = v;
        p
    };
    let e = scan_check(with(
        "key_patterns",
        json!([{"pattern": "currentSpace:{spaceid}"}]),
    ));
    assert!(
        e.contains("key_patterns[0].pattern") && e.contains("unknown capture `{spaceid}`"),
        "{e}"
    );
    let e = scan_check(with("key_patterns", json!([{"pattern": "no-capture"}])));
    assert!(e.contains("captures nothing"), "{e}");
    let e = scan_check(with(
        "envelopes",
        json!({"prefix": "LRU:KeyValueStore2:", "pairs": [{}]}),
    ));
    assert!(e.contains("envelopes.pairs[0]"), "{e}");
    // A secret can never be named as a cookie whose value is read.
    let e = scan_check(with(
        "user_cookies",
        json!([{"name": "token_v2", "format": "plain"}]),
    ));
    assert!(
        e.contains("user_cookies[0].name") && e.contains("looks like a token"),
        "{e}"
    );
    let mut p = with(
        "user_cookies",
        json!([{"name": "notion_session", "format": "plain"}]),
    );
    p["session_cookies"] = json!(["notion_session"]);
    assert!(scan_check(p).contains("is also a session cookie"));
    let desktop = |extra: Value| {
        let mut d = json!({"folder": "Notion", "processes": ["Notion"]});
        for (k, v) in extra.as_object().unwrap() {
            d[k] = v.clone();
        }
        with("desktop", d)
    };
    let e = scan_check(desktop(json!({"database": {"path": "notion.db",
        "spaces": {"table": "space; DROP TABLE space", "id": "id", "name": "name"}}})));
    assert!(
        e.contains("desktop.database.spaces.table") && e.contains("not a table or column name"),
        "{e}"
    );
    let e = scan_check(desktop(json!({"state_file": {"path": "../../.ssh/id_rsa",
        "tabs": "a[]", "user": "u", "space": "s"}})));
    assert!(
        e.contains("desktop.state_file.path") && e.contains("climbs out"),
        "{e}"
    );
    let e = scan_check(desktop(json!({"state_file": {"path": "state.json",
        "tabs": "a[0]", "user": "u", "space": "s"}})));
    assert!(e.contains("desktop.state_file.tabs"), "{e}");
    // The shipped shapes pass.
    let ok = scan_check(with(
        "key_patterns",
        json!([{"pattern": "notion:workspace:{space:text}", "name_field": "name", "user_field": "user_id"},
               {"pattern": "notion-sidebar-sidebar-state-{space}-{user}"}]),
    ));
    assert_eq!(ok, "");
}

/// A flow's support page is shown as a link in every report: only an
/// https address passes.
#[test]
fn support_must_be_an_https_page() {
    let base = |support: Value| {
        let mut f = serde_json::json!({
            "id": "x", "title": "X",
            "steps": [{"end": {"id": "done", "outcome": "resolved", "message": "ok"}}]
        });
        f["support"] = support;
        load_str("x.json", &f.to_string(), crate::registry::builtin())
    };
    assert!(base(serde_json::json!({"title": "Help", "url": "https://example.org/help"})).is_ok());
    for bad in [
        "javascript:alert(1)",
        "http://example.org",
        "https://a b",
        "file:///etc/passwd",
        "https://x\"onmouseover",
    ] {
        let e = base(serde_json::json!({"title": "Help", "url": bad})).unwrap_err();
        assert!(e.to_string().contains("support.url"), "{bad}: {e}");
    }
}
