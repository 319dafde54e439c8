//! `flows test` over every shipped flow: its scenarios pass with full
//! coverage, the test-format schema is fresh, and a mutation test shows the
//! scenarios catch a redirected `next`.

use troubleshoot::flowtest::{self, Options};

/// Built-in flows and the test files beside them in the repository.
#[test]
fn every_shipped_flow_passes_its_scenarios_with_full_coverage() {
    let ids: Vec<&str> = troubleshoot::flow::builtin::BUILTIN
        .iter()
        .map(|(id, _, _)| *id)
        .collect();
    for id in &ids {
        assert!(
            flowtest::BUILTIN_TESTS.iter().any(|(t, _, _)| t == id),
            "built-in flow `{id}` has no embedded tests (flows/{id}.tests.json in flowtest::BUILTIN_TESTS)"
        );
    }
    let opts = Options {
        require_full_coverage: true,
        ..Options::new(troubleshoot::registry::builtin())
    };
    let out = flowtest::test_command(&[], opts);
    eprintln!("{}", out.text);
    assert_eq!(out.exit_code, 0, "{}", out.text);
    assert_eq!(out.results.len(), ids.len());
    for r in &out.results {
        assert!(r.coverage.full(), "{}", flowtest::render_text(r));
        assert!(
            r.coverage.uncovered_edges.is_empty(),
            "every edge of a shipped flow is taken by some scenario:\n{}",
            flowtest::render_text(r)
        );
    }
    // The repository copies run the same (flow file path form).
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/flows");
    let out = flowtest::test_command(&[dir.to_string()], opts);
    assert_eq!(out.exit_code, 0, "{}", out.text);
    let flow_path = format!("{dir}/notion-signout.json");
    let r = flowtest::run_file(&flow_path, opts).unwrap_or_else(|e| panic!("{e}"));
    assert!(r.passed(), "{}", flowtest::render_text(&r));
}

/// `UPDATE_SCHEMA=1 cargo test tests_schema_is_fresh`.
#[test]
fn tests_schema_is_fresh() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/flows/tests.schema.json");
    let want = flowtest::schema_json();
    if std::env::var_os("UPDATE_SCHEMA").is_some() {
        std::fs::write(path, &want).unwrap();
    }
    let have = std::fs::read_to_string(path).unwrap_or_default();
    assert!(
        have == want,
        "flows/tests.schema.json is stale: run `UPDATE_SCHEMA=1 cargo test tests_schema_is_fresh`"
    );
}

/// Redirect every edge of every shipped flow to every other step; of the
/// mutants `flows check` accepts, at least 90% must make a scenario fail.
#[test]
fn mutation_score_of_shipped_flows() {
    for t in flowtest::builtin_targets(troubleshoot::registry::builtin())
        .unwrap_or_else(|e| panic!("{e}"))
    {
        let started = std::time::Instant::now();
        let m = flowtest::mutation_test(&t.flow, &t.suite, troubleshoot::registry::builtin());
        eprintln!(
            "mutation score of `{}`: {}/{} killed ({:.1}%), {} invalid mutants skipped, {:.1?}",
            t.flow.id,
            m.killed,
            m.total,
            m.score() * 100.0,
            m.invalid,
            started.elapsed()
        );
        for s in &m.survivors {
            eprintln!("  survived: {s}");
        }
        assert!(m.total > 0, "no valid mutants of `{}`", t.flow.id);
        assert!(
            m.score() >= 0.9,
            "mutation score of `{}` is {}/{}; survivors:\n{}",
            t.flow.id,
            m.killed,
            m.total,
            m.survivors
                .iter()
                .map(|s| format!("  {s}"))
                .collect::<Vec<_>>()
                .join("\n")
        );
    }
}

fn shipped_suite() -> (troubleshoot::flow::Flow, flowtest::Suite) {
    let t = flowtest::resolve("notion-signout", troubleshoot::registry::builtin())
        .unwrap_or_else(|e| panic!("{e}"))
        .remove(0);
    (t.flow, t.suite)
}

#[test]
fn a_wrong_expectation_fails_with_a_marked_path_diff() {
    let (flow, mut suite) = shipped_suite();
    let sc = &mut suite.scenarios[0];
    let path = sc.expect.path.as_mut().unwrap();
    path[7] = "fix-clear-site".into();
    sc.expect.says = Some(vec!["no such sentence".into()]);
    let r = flowtest::run_suite(&flow, &suite);
    assert!(!r.passed());
    assert_eq!(r.exit_code(), 1);
    let text = flowtest::render_text(&r);
    assert!(text.contains("FAIL  log out of the only account"), "{text}");
    assert!(text.contains("path differs at step 8"), "{text}");
    assert!(
        text.lines().any(|l| l.trim_start().starts_with("> ")
            && l.contains("fix-clear-site")
            && l.contains("guide-log-out")),
        "{text}"
    );
    assert!(
        text.contains("expected the run to say \"no such sentence\""),
        "{text}"
    );
    let passed = suite.scenarios.len() - 1;
    assert!(
        text.contains(&format!("FAILED: {passed} passed, 1 failed")),
        "{text}"
    );
}

#[test]
fn a_missing_answer_names_the_question_and_its_options() {
    let (flow, mut suite) = shipped_suite();
    suite.scenarios[0].answers.remove("method");
    let r = flowtest::run_suite(&flow, &suite);
    let f = &r.scenarios[0].failures;
    assert!(
        f[0].contains("question `method`")
            && f[0].contains("offered: log-out, second-session, clear-site, sign-out-all"),
        "{f:?}"
    );
}

#[test]
fn coverage_lists_what_no_scenario_reaches() {
    let (flow, mut suite) = shipped_suite();
    suite
        .scenarios
        .retain(|s| !s.name.starts_with("nothing found"));
    let mut r = flowtest::run_suite(&flow, &suite);
    assert!(r.passed(), "coverage is only a failure when required");
    r.require_full_coverage = true;
    assert!(!r.passed());
    let text = flowtest::render_text(&r);
    assert!(
        text.contains(
            "steps no scenario reaches: where, web-route, guide-web, guide-web-all, guide-desktop\n"
        ),
        "{text}"
    );
    assert!(
        text.contains("ends no scenario reaches: end-guided (resolved), end-escalate (escalate)"),
        "{text}"
    );
    assert!(text.contains("scan (branch 1) -> where"), "{text}");
}

#[test]
fn malformed_test_files_are_located_and_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    let flow_src = concat!(env!("CARGO_MANIFEST_DIR"), "/flows/notion-signout.json");
    let flow = dir.path().join("mine.json");
    std::fs::copy(flow_src, &flow).unwrap();
    let tests = dir.path().join("mine.tests.json");
    let opts = Options::new(troubleshoot::registry::builtin());
    let run = |text: &str| {
        std::fs::write(&tests, text).unwrap();
        flowtest::test_command(&[flow.display().to_string()], opts)
    };
    // Syntax: line and column.
    let out = run("{\"flow\": \"notion-signout\",\n \"scenarios\": [ }");
    assert_eq!(out.exit_code, 2, "{}", out.text);
    assert!(out.text.contains("mine.tests.json:2:"), "{}", out.text);
    // Unknown field: its JSON path.
    let out = run(
        r#"{"flow": "notion-signout", "scenarios": [{"name": "x", "expect": {"ends": "end-guided"}}]}"#,
    );
    assert_eq!(out.exit_code, 2, "{}", out.text);
    assert!(out.text.contains("scenarios[0].expect"), "{}", out.text);
    assert!(out.text.contains("unknown field `ends`"), "{}", out.text);
    // Names the flow lacks: JSON paths of each.
    let out = run(
        r#"{"flow": "notion-signout", "scenarios": [{"name": "x", "facts": "nope",
            "answers": {"gaol": "remove-one"}, "expect": {"path": ["goal", "scna"], "end": "scan"}}]}"#,
    );
    assert_eq!(out.exit_code, 2, "{}", out.text);
    for want in [
        "scenarios[0].facts: no fixture named `nope`",
        "scenarios[0].answers.gaol: flow `notion-signout` has no question or guide `gaol`",
        "scenarios[0].expect.path[1]: flow `notion-signout` has no step `scna`",
        "scenarios[0].expect.end: flow `notion-signout` has no `end` step `scan`",
    ] {
        assert!(out.text.contains(want), "{want}\n{}", out.text);
    }
    // A fact field the probe does not produce (a typo would silently be false).
    let out = run(
        r#"{"flow": "notion-signout", "scenarios": [{"name": "x", "facts": {"scan": {"session_cnt": 0}}}]}"#,
    );
    assert!(
        out.text
            .contains("scenarios[0].facts.scan.session_cnt: the probe has no field"),
        "{}",
        out.text
    );
    // A passing file beside a flow file, and a failing one: 0 and 1.
    let out = run(
        r#"{"flow": "notion-signout", "scenarios": [{"name": "nothing", "facts": {"scan": {"session_count": 0}},
            "answers": {"goal": "remove-one", "where": "web", "guide-web": true}, "expect": {"end": "end-guided"}}]}"#,
    );
    assert_eq!(out.exit_code, 0, "{}", out.text);
    let out = flowtest::test_command(&[tests.display().to_string()], opts);
    assert_eq!(out.exit_code, 0, "{}", out.text);
    let strict = Options {
        require_full_coverage: true,
        ..Options::new(troubleshoot::registry::builtin())
    };
    let out = flowtest::test_command(&[tests.display().to_string()], strict);
    assert_eq!(out.exit_code, 1, "{}", out.text);
    // Missing tests beside a flow, unknown target: 2.
    std::fs::remove_file(&tests).unwrap();
    let out = flowtest::test_command(&[flow.display().to_string()], opts);
    assert_eq!(out.exit_code, 2, "{}", out.text);
    assert!(out.text.contains("mine.tests.json"), "{}", out.text);
    let out = flowtest::test_command(&["no-such-flow".into()], opts);
    assert_eq!(out.exit_code, 2, "{}", out.text);
}

#[test]
fn loops_and_engine_errors_fail_the_scenario_instead_of_hanging() {
    let (flow, mut suite) = shipped_suite();
    // The guide's "no" goes back to the method question; the same answers loop.
    let sc = &mut suite.scenarios[0];
    sc.answers.insert(
        "guide-log-out".into(),
        flowtest::AnswerSpec::One(flowtest::AnswerValue::Bool(false)),
    );
    let r = flowtest::run_suite(&flow, &suite);
    assert!(
        r.scenarios[0].failures[0].contains("was asked 16 times; the run loops"),
        "{:?}",
        r.scenarios[0].failures
    );
    // An option the flow hides for this session is refused by the engine.
    let (flow, mut suite) = shipped_suite();
    let desk = suite
        .scenarios
        .iter_mut()
        .find(|s| s.name.starts_with("desktop reset: the user declines"))
        .unwrap();
    desk.answers.insert(
        "method".into(),
        flowtest::AnswerSpec::One(flowtest::AnswerValue::Text("second-session".into())),
    );
    let r = flowtest::run_suite(&flow, &suite);
    let f = r.scenarios.iter().find(|s| !s.passed).unwrap();
    assert!(f.failures[0].contains("not valid"), "{:?}", f.failures);
}

/// Every text of a step other than the scan's parameters, by step id.
fn texts(flow: &serde_json::Value) -> Vec<(String, String)> {
    fn walk(v: &serde_json::Value, id: &str, out: &mut Vec<(String, String)>) {
        match v {
            serde_json::Value::String(s) => out.push((id.to_string(), s.clone())),
            serde_json::Value::Array(a) => a.iter().for_each(|x| walk(x, id, out)),
            serde_json::Value::Object(m) => {
                for (k, x) in m {
                    if !matches!(k.as_str(), "params" | "when" | "verify") {
                        walk(x, id, out);
                    }
                }
            }
            _ => {}
        }
    }
    let mut out = Vec::new();
    for step in flow["steps"].as_array().unwrap() {
        let (_, body) = step.as_object().unwrap().iter().next().unwrap();
        walk(body, body["id"].as_str().unwrap(), &mut out);
    }
    out
}

/// Words for people in the Notion flows (issue 25): no cookie or key name
/// in what a user reads (the exact names are in `-v`, the plans and the
/// report's evidence); no store shown as "profile app"; nothing about
/// browser sync on the desktop app's way; sync never named as a cause.
#[test]
fn the_notion_flows_speak_plainly() {
    let jargon = [
        "token_v2",
        "notion_users",
        "notion_user_id",
        "file_token",
        "LRU:",
        "currentSpace",
        "notion:workspace",
        "Local Storage key",
        "{selected.workspace.profile}",
        "{chosen.workspace.profile}",
        "accounts_evidence",
    ];
    for file in ["notion-signout.json", "notion-desktop-relogin.json"] {
        let path = format!("{}/flows/{file}", env!("CARGO_MANIFEST_DIR"));
        let flow: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
        for (id, text) in texts(&flow) {
            for j in jargon {
                assert!(!text.contains(j), "{file} `{id}` says `{j}`: {text}");
            }
            let lower = text.to_lowercase();
            for cause in [
                "sync can",
                "sync may",
                "turn off browser sync",
                "sync restore",
            ] {
                assert!(!lower.contains(cause), "{file} `{id}` blames sync: {text}");
            }
            let desktop_only = file == "notion-desktop-relogin.json"
                || [
                    "end-reset",
                    "end-linked",
                    "linked-check",
                    "guide-disconnect",
                    "fix-reset-desktop",
                ]
                .contains(&id.as_str());
            assert!(
                !(desktop_only && lower.contains("sync") && id != "guide-web"),
                "{file} `{id}` speaks of sync on the desktop app's way: {text}"
            );
        }
    }
}
