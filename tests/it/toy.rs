//! A probe and a fix action the binary does not ship, added the way a new
//! one is: a type implementing the trait, and one registry line each
//! (`with_typed_probe`, `with_action`; in the product, one line in
//! `Registry::builtin`). Validation, the flow schema, `flows test`, the
//! wizard, the scan of a flow, the report and the fix executor (backup,
//! apply, undo) then know them with no other edit: each is handed the
//! registry, none fetches the built-in one.

use std::collections::BTreeMap;
use std::path::Path;

use serde::Deserialize;
use serde_json::{Value, json};
use troubleshoot::fix::{self, Action, ActionDef, FixContext, FixError, Op, Plan};
use troubleshoot::flow::catalog::{ActionInfo, ProbeInfo};
use troubleshoot::flow::engine::FixCall;
use troubleshoot::flow::model::Risk;
use troubleshoot::flow::schema::schema_json;
use troubleshoot::flowtest::{self, Options};
use troubleshoot::probe::{Home, Layout, ProbeRun};
use troubleshoot::registry::{ProbeParams, Registry, TypedProbe, parse_params};

/// Parameters of the toy probe: a folder under the home. Validation and
/// the schema come from this type (`ProbeParams`), nowhere else.
#[derive(Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
struct CacheParams {
    /// Relative to the home.
    folder: String,
}

impl ProbeParams for CacheParams {
    fn check(&self) -> Result<(), String> {
        let f = &self.folder;
        if f.is_empty() || f.starts_with('/') || f.contains("..") {
            return Err(format!("`folder` must stay under the home, not `{f}`"));
        }
        Ok(())
    }
}

/// Toy probe: is there a `cache` folder in `folder`?
struct StaleCache;

const STALE_CACHE: ProbeInfo = ProbeInfo {
    id: "toy-stale-cache",
    summary: "whether a cache folder exists",
    facts: &["stale"],
};

impl TypedProbe for StaleCache {
    type Params = CacheParams;
    fn info(&self) -> &'static ProbeInfo {
        &STALE_CACHE
    }
    fn run(&self, p: &CacheParams, home: &Home) -> Result<ProbeRun, String> {
        let stale = home.root.join(&p.folder).join("cache").is_dir();
        Ok(ProbeRun {
            facts: json!({ "stale": stale }),
            warnings: vec![],
        })
    }
}

/// Toy action: move the cache folder aside.
struct MoveCacheAside;

const MOVE_CACHE_ASIDE: ActionInfo = ActionInfo {
    id: "toy-move-cache-aside",
    summary: "move a cache folder aside",
    risk: Risk::Low,
    params: &[],
    evidence: &["stale"],
};

impl ActionDef for MoveCacheAside {
    fn info(&self) -> &'static ActionInfo {
        &MOVE_CACHE_ASIDE
    }
}

impl Action for MoveCacheAside {
    fn plan(&self, call: &FixCall, ctx: &FixContext) -> Result<Plan, FixError> {
        let ev = call
            .evidence
            .as_ref()
            .expect("the engine attaches the evidence");
        let p = parse_params::<CacheParams>(&ev.params).map_err(|message| FixError::BadParams {
            action: call.action.clone(),
            param: "evidence".into(),
            message,
        })?;
        let from = ctx.home.root.join(&p.folder).join("cache");
        let to = ctx.home.root.join(&p.folder).join("cache.aside");
        let mut plan = Plan::empty();
        plan.owner = "the toy app".into();
        plan.store_path = from.clone();
        plan.steps = vec![format!("move {} aside", from.display())];
        plan.moves = vec![(from.clone(), to.clone())];
        plan.ops = vec![Op::MoveAside { from, to }];
        Ok(plan)
    }
}

/// The two registry lines.
fn registry() -> Registry {
    Registry::builtin()
        .with_typed_probe(StaleCache)
        .with_action(MoveCacheAside)
}

const FLOW: &str = r#"{
  "id": "toy-cache",
  "title": "Toy: a stale cache",
  "fix_defaults": { "on_failure": "stuck" },
  "steps": [
    { "check": { "id": "look", "probe": "toy-stale-cache", "params": { "folder": ".toy" },
        "branches": [ { "when": { "fact": "look.stale", "op": "eq", "value": true }, "next": "fix",
                        "explain": "A stale cache is there." } ],
        "otherwise": "clean" } },
    { "fix": { "id": "fix", "title": "Move the cache aside", "action": "toy-move-cache-aside",
        "risk": "low", "changes": "Moves ~/.toy/cache aside.",
        "verify": { "fact": "look.stale", "op": "eq", "value": false },
        "on_success": "clean" } },
    { "end": { "id": "clean", "outcome": "resolved", "message": "No stale cache." } },
    { "end": { "id": "stuck", "outcome": "unresolved", "message": "The cache is still there." } }
  ]
}"#;

const TESTS: &str = r#"{
  "flow": "toy-cache",
  "scenarios": [
    { "name": "stale, moved aside", "facts": { "look": { "stale": true } },
      "after_fix": { "look": { "stale": false } },
      "expect": { "path": ["look", "fix", "clean"], "outcome": "resolved" } },
    { "name": "clean already", "facts": { "look": { "stale": false } },
      "expect": { "path": ["look", "clean"], "outcome": "resolved" } }
  ]
}"#;

#[test]
fn flows_check_knows_the_toy_probe_and_action_only_once_registered() {
    let r = registry();
    troubleshoot::flow::load_str("toy.json", FLOW, &r).unwrap_or_else(|e| panic!("{e}"));
    let e = troubleshoot::flow::load_str("toy.json", FLOW, troubleshoot::registry::builtin())
        .unwrap_err()
        .to_string();
    assert!(e.contains("unknown probe `toy-stale-cache`"), "{e}");
    assert!(e.contains("unknown action `toy-move-cache-aside`"), "{e}");
    // Its parameters are checked by the probe itself.
    let bad = FLOW.replace(r#""folder": ".toy""#, r#""folder": "../etc""#);
    let e = troubleshoot::flow::load_str("toy.json", &bad, &r)
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("wrong parameters for probe `toy-stale-cache`"),
        "{e}"
    );
    assert!(e.contains("must stay under the home"), "{e}");
}

#[test]
fn the_flow_schema_lists_the_toy_ids_and_parameters() {
    let schema: Value = serde_json::from_str(&schema_json(&registry())).unwrap();
    let defs = &schema["$defs"];
    let probes = &defs["Check"]["properties"]["probe"]["enum"];
    assert!(
        probes
            .as_array()
            .unwrap()
            .contains(&json!("toy-stale-cache")),
        "{probes}"
    );
    assert!(
        probes.as_array().unwrap().contains(&json!("app-sessions")),
        "{probes}"
    );
    let actions = &defs["Fix"]["properties"]["action"]["enum"];
    assert!(
        actions
            .as_array()
            .unwrap()
            .contains(&json!("toy-move-cache-aside")),
        "{actions}"
    );
    assert_eq!(
        defs["CacheParams"]["properties"]["folder"]["type"], "string",
        "the toy's parameter type is in the schema"
    );
    let shipped: Value =
        serde_json::from_str(&schema_json(troubleshoot::registry::builtin())).unwrap();
    assert!(!shipped.to_string().contains("toy-stale-cache"));
}

#[test]
fn flows_test_runs_the_toy_flow_scenarios() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("toy-cache.json"), FLOW).unwrap();
    let tests = dir.path().join("toy-cache.tests.json");
    std::fs::write(&tests, TESTS).unwrap();
    let r = registry();
    let opts = Options::new(&r);
    let result = flowtest::run_file(&tests, opts).unwrap_or_else(|e| panic!("{e}"));
    assert!(result.passed(), "{}", flowtest::render_text(&result));
    assert_eq!(result.scenarios.len(), 2);
    // Without the registry lines the same files are refused.
    let e = flowtest::run_file(&tests, Options::new(troubleshoot::registry::builtin()))
        .unwrap_err()
        .to_string();
    assert!(e.contains("unknown probe `toy-stale-cache`"), "{e}");
}

fn probe_facts(r: &Registry, home: &Home) -> Value {
    let p = r.runnable_probe("toy-stale-cache").unwrap();
    p.run(&json!({"folder": ".toy"}), home).unwrap().facts
}

#[test]
fn the_toy_action_is_backed_up_applied_and_undone_by_the_shared_executor() {
    let root = tempfile::tempdir().unwrap();
    let state = tempfile::tempdir().unwrap();
    let cache = root.path().join(".toy/cache");
    std::fs::create_dir_all(&cache).unwrap();
    std::fs::write(cache.join("blob"), b"cached bytes").unwrap();
    let home = Home::new(root.path(), Layout::Linux, true);
    let r = registry();
    assert_eq!(probe_facts(&r, &home), json!({"stale": true}));

    // The call the engine makes for the fix step: its evidence is the check.
    let flow = troubleshoot::flow::load_str("toy.json", FLOW, &r).unwrap();
    let mut engine = troubleshoot::flow::Engine::new(&flow);
    let troubleshoot::flow::Need::Probe(probe) = engine.next().unwrap() else {
        panic!("the toy flow starts with its check")
    };
    assert_eq!(probe.probe, "toy-stale-cache");
    assert_eq!(probe.params, json!({"folder": ".toy"}));
    engine.probed(probe_facts(&r, &home)).unwrap();
    let call = loop {
        match engine.next().unwrap() {
            troubleshoot::flow::Need::Fix(call) => break call,
            troubleshoot::flow::Need::Say { .. } => continue,
            other => panic!("expected the fix, got {other:?}"),
        }
    };
    assert_eq!(
        call.evidence.as_ref().map(|e| e.check.as_str()),
        Some("look")
    );

    let ctx = FixContext {
        home: &home,
        state_dir: state.path(),
        run_id: "20261202T000000Z-toy1",
    };
    let action = r.runnable_action(&call.action).unwrap();
    let plan = fix::plan(action, &call, &ctx).unwrap();
    assert_eq!(plan.risk, Risk::Low);
    let applied = fix::apply(&plan, &ctx).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(probe_facts(&r, &home), json!({"stale": false}));
    assert!(root.path().join(".toy/cache.aside/blob").is_file());

    let undone = fix::undo(state.path(), Some(&home), Some(ctx.run_id), false)
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(!undone.to_string().is_empty(), "{applied:?}");
    assert_eq!(probe_facts(&r, &home), json!({"stale": true}));
    assert_eq!(std::fs::read(cache.join("blob")).unwrap(), b"cached bytes");
    assert!(!Path::new(&root.path().join(".toy/cache.aside")).exists());
}

/// A home with a stale toy cache, and its state folder.
fn stale_home() -> (tempfile::TempDir, tempfile::TempDir, Home) {
    let root = tempfile::tempdir().unwrap();
    let state = tempfile::tempdir().unwrap();
    let cache = root.path().join(".toy/cache");
    std::fs::create_dir_all(&cache).unwrap();
    std::fs::write(cache.join("blob"), b"cached bytes").unwrap();
    let home = Home::new(root.path(), Layout::Linux, true);
    (root, state, home)
}

#[test]
fn scan_runs_the_toy_flow_probes_with_their_parameters() {
    let (root, _state, home) = stale_home();
    let r = registry();
    let flow = troubleshoot::flow::load_str("toy.json", FLOW, &r).unwrap();
    let scanned = troubleshoot::registry::scan_flow(&flow, &r, &home).unwrap();
    assert_eq!(scanned.len(), 1);
    assert_eq!(
        (scanned[0].check.as_str(), scanned[0].probe.as_str()),
        ("look", "toy-stale-cache")
    );
    assert_eq!(scanned[0].facts, json!({"stale": true}));
    std::fs::remove_dir_all(root.path().join(".toy/cache")).unwrap();
    let scanned = troubleshoot::registry::scan_flow(&flow, &r, &home).unwrap();
    assert_eq!(scanned[0].facts, json!({"stale": false}));
    // The built-in registry does not know the toy probe: an error naming it.
    let e = troubleshoot::registry::scan_flow(&flow, troubleshoot::registry::builtin(), &home)
        .unwrap_err();
    assert!(
        e.contains("check `look`: unknown probe `toy-stale-cache`"),
        "{e}"
    );
}

#[test]
fn the_wizard_runs_the_toy_flow_and_its_report_tells_the_fix() {
    let (root, state, home) = stale_home();
    let r = registry();
    let flow = troubleshoot::flow::load_str("toy.json", FLOW, &r).unwrap();
    let wizard = troubleshoot::wizard::Wizard {
        flow: &flow,
        registry: &r,
        flow_text: FLOW,
        home: &home,
        state_dir: state.path(),
        dry_run: false,
        printer: troubleshoot::ui::Printer::new(troubleshoot::ui::printer::ColorChoice::Never),
        undo_hint: false,
        keep: None,
    };
    // `--yes`: consent to the low-risk fix, no other question.
    let mut prompter = troubleshoot::ui::scripted::Scripted::new(BTreeMap::new(), true);
    let (record, result) = wizard.run(&mut prompter);
    assert_eq!(result.unwrap_or_else(|e| panic!("{e}")), 0);
    let outcome = record.outcome.as_ref().unwrap();
    assert_eq!(outcome.step, "clean");
    assert!(root.path().join(".toy/cache.aside/blob").is_file());
    assert!(!root.path().join(".toy/cache").exists());
    // The record knows which probe filled which facts, whatever the check's name.
    assert_eq!(
        record.probes.get("look").map(String::as_str),
        Some("toy-stale-cache")
    );
    assert_eq!(
        record.facts["look"],
        json!({"stale": false}),
        "fresh evidence after the fix"
    );
    assert_eq!(record.fixes.len(), 1);
    assert_eq!(
        record.fixes[0].result,
        troubleshoot::report::FixStatus::Verified
    );
    let path: Vec<&str> = record.steps.iter().map(|v| v.step.as_str()).collect();
    assert_eq!(path, ["look", "fix", "clean"]);

    // The report of that run: the flow is not built in, and needs not be.
    let (md, _) = troubleshoot::report::render(&record, troubleshoot::report::Format::Md, false)
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(md.contains("Move the cache aside"), "{md}");
    assert!(md.contains("Toy: a stale cache"), "{md}");
    let (js, _) = troubleshoot::report::render(&record, troubleshoot::report::Format::Json, false)
        .unwrap_or_else(|e| panic!("{e}"));
    let js: Value = serde_json::from_str(&js).unwrap();
    assert_eq!(js["probes"], json!({"look": "toy-stale-cache"}));
    assert_eq!(js["fixes"][0]["action"], "toy-move-cache-aside");

    // And undo puts the cache back.
    troubleshoot::fix::undo(state.path(), Some(&home), Some(&record.run_id), false)
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        std::fs::read(root.path().join(".toy/cache/blob")).unwrap(),
        b"cached bytes"
    );
}

/// The shipped flow with its `app-sessions` check called `look` instead of
/// `scan` (its id, every reference and every fact path).
fn renamed_shipped_flow() -> String {
    include_str!("../../flows/notion-signout.json")
        .replace("\"scan\"", "\"look\"")
        .replace("\"scan.", "\"look.")
        .replace("{scan.", "{look.")
}

#[test]
fn scan_and_the_report_find_the_evidence_by_probe_not_by_the_check_name() {
    use crate::util::{Env, NOTION};
    const WS: &str = "2f8e1c0a-1111-4c2b-9a57-0d6c3c9e0a01";
    let env = Env::new();
    env.sample(Layout::Linux)
        .chromium_profile("chrome", "Default", "Person 1")
        .workspace(
            NOTION,
            WS,
            "Acme Corp",
            "a7d1b7e2-3333-4e55-8f0e-6b1d2c3e4f50",
        )
        .write()
        .unwrap();
    let renamed = env.dir.path().join("renamed.json");
    std::fs::write(&renamed, renamed_shipped_flow()).unwrap();
    let renamed = renamed.to_str().unwrap();

    // `scan --flow FILE` takes the probe of that flow, whatever its check is called.
    let o = env.run("linux", &["scan", "--flow", renamed, "--json"]);
    assert!(o.status.success(), "{}", crate::util::stderr(&o));
    let scan: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(scan["session_count"], 1, "{scan}");

    // A run of each flow: the same environment table in the two reports.
    let mut env_rows = Vec::new();
    for (name, flow) in [("shipped", None), ("renamed", Some(renamed))] {
        let report = env.dir.path().join(format!("{name}.json"));
        let args = ["--dry-run", "--report", report.to_str().unwrap()];
        let o = env.run_method("linux", flow, WS, "remove-entry", &args);
        let doc: Value = serde_json::from_str(&std::fs::read_to_string(&report).unwrap())
            .unwrap_or_else(|e| panic!("{name}: {e}: {}", crate::util::stderr(&o)));
        let ns = if flow.is_some() { "look" } else { "scan" };
        assert_eq!(doc["probes"], json!({ ns: "app-sessions" }), "{name}");
        env_rows.push(doc["report"]["environment"].clone());
    }
    assert_eq!(env_rows[0], env_rows[1]);
    assert!(
        env_rows[1].to_string().contains("Chrome"),
        "the renamed flow's report shows the store: {}",
        env_rows[1]
    );
}

/// Another probe of sessions (here the shipped one under another id): it
/// declares `sessions`, so the per-session actions take their evidence from
/// it as they do from `app-sessions`.
struct OtherSessions;

const OTHER_SESSIONS: ProbeInfo = ProbeInfo {
    id: "other-sessions",
    summary: "sessions, found another way",
    facts: troubleshoot::probe::app_sessions::FACTS,
};

impl troubleshoot::probe::ProbeDef for OtherSessions {
    fn info(&self) -> &'static ProbeInfo {
        &OTHER_SESSIONS
    }
    fn check_params(&self, params: &Value) -> Result<(), String> {
        troubleshoot::probe::app_sessions::AppSessions.check_params(params)
    }
    fn params_schema(&self, g: &mut schemars::SchemaGenerator) -> schemars::Schema {
        troubleshoot::probe::app_sessions::AppSessions.params_schema(g)
    }
}

impl troubleshoot::probe::Probe for OtherSessions {
    fn run(&self, params: &Value, home: &Home) -> Result<ProbeRun, String> {
        troubleshoot::probe::app_sessions::AppSessions.run(params, home)
    }
}

/// A flow whose fix removes a workspace entry found by the probe `probe`.
fn removal_flow(probe: &str, params: &str) -> String {
    format!(
        r#"{{ "id": "t", "title": "T", "fix_defaults": {{ "on_failure": "end" }}, "steps": [
  {{ "check": {{ "id": "look", "probe": "{probe}", {params}, "otherwise": "ws" }} }},
  {{ "ask": {{ "id": "ws", "prompt": "Which?", "kind": "select",
      "options_from": {{ "fact": "look.sessions", "id": "workspace_id", "label": "{{workspace_name}}", "next": "fix" }} }} }},
  {{ "fix": {{ "id": "fix", "title": "Remove", "action": "remove-workspace-entry", "evidence": "look",
      "params": {{ "session": "chosen.ws" }}, "risk": "medium", "changes": "keys", "on_success": "end" }} }},
  {{ "end": {{ "id": "end", "outcome": "resolved", "message": "done" }} }} ] }}"#
    )
}

#[test]
fn an_action_takes_its_evidence_from_any_probe_declaring_the_facts_it_needs() {
    let r = registry().with_probe(OtherSessions);
    let other = removal_flow("other-sessions", r#""params_from": "notion""#);
    let flow = troubleshoot::flow::load_str("t.json", &other, &r).unwrap_or_else(|e| panic!("{e}"));
    // The plan reads the store description of that check, whatever its probe.
    const WS: &str = "2f8e1c0a-1111-4c2b-9a57-0d6c3c9e0a01";
    let env = crate::util::Env::new();
    env.sample(Layout::Linux)
        .chromium_profile("chrome", "Default", "Person 1")
        .workspace(
            crate::util::NOTION,
            WS,
            "Acme Corp",
            "a7d1b7e2-3333-4e55-8f0e-6b1d2c3e4f50",
        )
        .write()
        .unwrap();
    let home = env.probe_home(Layout::Linux);
    let mut engine = troubleshoot::flow::Engine::new(&flow);
    let troubleshoot::flow::Need::Probe(call) = engine.next().unwrap() else {
        panic!()
    };
    let run = r
        .runnable_probe(&call.probe)
        .unwrap()
        .run(&call.params, &home)
        .unwrap();
    assert_eq!(run.facts["session_count"], 1);
    engine.probed(run.facts).unwrap();
    let mut next = || loop {
        match engine.next().unwrap() {
            troubleshoot::flow::Need::Say { .. } => continue,
            other => break other,
        }
    };
    let troubleshoot::flow::Need::Ask(_) = next() else {
        panic!("the question")
    };
    engine
        .answer(troubleshoot::flow::Answer::Choice(WS.into()))
        .unwrap();
    let fix_call = loop {
        match engine.next().unwrap() {
            troubleshoot::flow::Need::Fix(c) => break c,
            troubleshoot::flow::Need::Say { .. } => continue,
            other => panic!("expected the fix, got {other:?}"),
        }
    };
    assert_eq!(fix_call.evidence.as_ref().unwrap().probe, "other-sessions");
    let state = tempfile::tempdir().unwrap();
    let ctx = FixContext {
        home: &home,
        state_dir: state.path(),
        run_id: "20261202T000000Z-toy2",
    };
    let plan = r.plan(&fix_call, &ctx).unwrap_or_else(|e| panic!("{e}"));
    assert!(!plan.ops.is_empty(), "{plan:?}");
    // The toy probe declares no `sessions`: refused, naming what is missing.
    let toy = removal_flow("toy-stale-cache", r#""params": { "folder": ".toy" }"#);
    let e = troubleshoot::flow::load_str("t.json", &toy, &r)
        .unwrap_err()
        .to_string();
    assert!(
        e.contains(
            "action `remove-workspace-entry` needs the facts `sessions` from its evidence, but probe `toy-stale-cache` of check `look` does not declare `sessions`"
        ),
        "{e}"
    );
}
