//! Flow tests: named scenarios beside each flow (`flows/<id>.tests.json`), run
//! through the real [`Engine`] with probes and fixes replaced by the scenario's
//! facts and results. Nothing on the machine is read or changed.
//!
//! # Format
//!
//! ```json
//! {
//!   "$schema": "./tests.schema.json",
//!   "flow": "notion-signout",
//!   "fixtures": { "chrome-one": { "scan": { "session_count": 1, "sessions": [ ... ] } } },
//!   "scenarios": [{
//!     "name": "remove the entry of the only session",
//!     "facts": "chrome-one",
//!     "answers": { "goal": "remove-one", "workspace": "ws-acme", "method": "remove-entry" },
//!     "fix_results": { "fix-remove-entry": "applied" },
//!     "after_fix": { "scan": { "session_count": 0, "sessions": [] } },
//!     "expect": { "path": ["goal", "scan", ...], "end": "end-removed", "outcome": "resolved" }
//!   }]
//! }
//! ```
//!
//! - `facts`: probe output per fact namespace (a check's `as`, default its id),
//!   inline or the name of an entry in `fixtures`. Only the fields the flow
//!   reads are needed. A check whose namespace is missing fails the scenario.
//! - `answers`: question (or guide) id to an option id, `true`/`false` or
//!   text; a list answers successive askings of the same question. A question
//!   without an answer fails the scenario, naming it and what was offered.
//! - `fix_results`: fix step id to `applied` (default), `failed`, `refused`
//!   or `dry-run`; a list for successive proposals.
//! - `after_fix`: the facts re-probed after an applied fix that has a
//!   `verify` condition (required when that happens; inline or a fixture).
//! - `probe_facts`: check step id to the facts its probe reports there, for
//!   checks that look again (a `recheck` after a guide); others get `facts`.
//! - `expect` (all optional, all must hold): `path` (exact visited step ids),
//!   `path_contains` (a subsequence), `avoids` (never visited), `end` (the
//!   `end` step), `outcome` (`resolved|unresolved|escalate|dry-run`), `fix`
//!   (the one fix proposed: `step`, `action`, `risk`, `params` matched as a
//!   subset) or `fixes` (every fix proposed, in order; `[]` for none),
//!   `rolled_back`, `says` (substrings of the conclusions shown and the end
//!   message), `offered` (question id to the option ids offered, in order, the
//!   first time it is asked).

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::builtin::BUILTIN;
use super::engine::{Answer, Engine, FixCall, FixResult, Need};
use super::load::{FlowError, Problem, load_bytes, load_file};
use super::model::{Flow, Step};
use super::validate;

/// Test files of the built-in flows, embedded so the installed binary can run
/// them: (flow id, file name, text).
pub const BUILTIN_TESTS: &[(&str, &str, &str)] = &[
    (
        "notion-signout",
        "flows/notion-signout.tests.json",
        include_str!("../../flows/notion-signout.tests.json"),
    ),
    (
        "notion-desktop-relogin",
        "flows/notion-desktop-relogin.tests.json",
        include_str!("../../flows/notion-desktop-relogin.tests.json"),
    ),
];

/// Largest test file accepted.
pub const MAX_TESTS_BYTES: usize = 4 * 1024 * 1024;

/// Needs (questions, probes, fixes, ...) a scenario may take before it is
/// declared a loop.
pub const MAX_NEEDS: usize = 1000;

/// Times one question may be asked (or one check probed) in a scenario before
/// the run is declared a loop.
pub const MAX_REPEATS: usize = 16;

// ---------------------------------------------------------------------------
// The test file format.

/// A flow's test file: named scenarios run through the engine.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(title = "troubleshoot flow tests")]
pub struct Suite {
    /// Optional pointer to the schema, for editors.
    #[serde(rename = "$schema", default, skip_serializing_if = "Option::is_none")]
    pub schema: Option<String>,
    /// Id of the flow under test.
    pub flow: String,
    /// Named fact sets that scenarios refer to by name (in `facts` or `after_fix`).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub fixtures: BTreeMap<String, Namespaces>,
    pub scenarios: Vec<Scenario>,
}

/// Probe outputs keyed by fact namespace (`scan`, ...).
pub type Namespaces = BTreeMap<String, Value>;

/// Inline facts, or the name of an entry in `fixtures`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(untagged)]
pub enum FactSet {
    Fixture(String),
    Inline(Namespaces),
}

impl Default for FactSet {
    fn default() -> FactSet {
        FactSet::Inline(Namespaces::new())
    }
}

/// One run of the flow.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Scenario {
    /// Unique within the file; printed on the pass/fail line.
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// What the probes report, per fact namespace (a check's `as`, default its id).
    #[serde(default)]
    pub facts: FactSet,
    /// Question or guide id -> option id, `true`/`false` or text; a list answers
    /// successive askings of the same question.
    #[serde(default)]
    pub answers: BTreeMap<String, AnswerSpec>,
    /// Fix step id -> what happened when it was proposed (default `applied`);
    /// a list for successive proposals.
    #[serde(default)]
    pub fix_results: BTreeMap<String, FixSpec>,
    /// Facts re-probed after an applied fix with a `verify` condition.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub after_fix: Option<FactSet>,
    /// Check step id -> the facts its probe reports there (a `recheck` after a
    /// guide, say); checks not listed report `facts`.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub probe_facts: BTreeMap<String, FactSet>,
    #[serde(default)]
    pub expect: Expect,
}

/// One answer, or one per asking.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(untagged)]
pub enum AnswerSpec {
    One(AnswerValue),
    Each(Vec<AnswerValue>),
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(untagged)]
pub enum AnswerValue {
    Bool(bool),
    Number(i64),
    Text(String),
}

impl AnswerValue {
    fn to_answer(&self) -> Answer {
        match self {
            AnswerValue::Bool(b) => Answer::Bool(*b),
            AnswerValue::Number(n) => Answer::Choice(n.to_string()),
            AnswerValue::Text(s) => Answer::Choice(s.clone()),
        }
    }
}

/// What happened to a proposed fix.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum FixOutcome {
    /// Applied; the flow's `verify` runs on `after_fix`.
    Applied,
    /// Could not be applied; nothing changed.
    Failed,
    /// Refused (the owning program runs) or declined by the user.
    Refused,
    /// `--dry-run`: planned, not applied; the run ends there.
    DryRun,
}

impl FixOutcome {
    fn to_result(self) -> FixResult {
        match self {
            FixOutcome::Applied => FixResult::Applied,
            FixOutcome::Failed => FixResult::Failed {
                reason: "the scenario says it failed".into(),
            },
            FixOutcome::Refused => FixResult::Refused {
                reason: "the scenario says it was refused".into(),
            },
            FixOutcome::DryRun => FixResult::DryRun,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(untagged)]
pub enum FixSpec {
    One(FixOutcome),
    Each(Vec<FixOutcome>),
}

/// What must happen. Every field is optional; all given must hold.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Expect {
    /// Exactly the steps visited, in order (the `end` step included).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path: Option<Vec<String>>,
    /// These steps visited in this order, others may come between.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path_contains: Option<Vec<String>>,
    /// Steps never visited.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub avoids: Option<Vec<String>>,
    /// The `end` step the run finishes at.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub outcome: Option<ExpectOutcome>,
    /// The one fix proposed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fix: Option<ExpectFix>,
    /// Every fix proposed, in order (`[]`: none).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fixes: Option<Vec<ExpectFix>>,
    /// A fix failed verification and was rolled back.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rolled_back: Option<bool>,
    /// Substrings of the conclusions shown (check explanations) or the end message.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub says: Option<Vec<String>>,
    /// Question id -> the option ids offered the first time it is asked, in order.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub offered: Option<BTreeMap<String, Vec<String>>>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum ExpectOutcome {
    Resolved,
    Unresolved,
    Escalate,
    DryRun,
}

impl ExpectOutcome {
    pub fn name(self) -> &'static str {
        match self {
            ExpectOutcome::Resolved => "resolved",
            ExpectOutcome::Unresolved => "unresolved",
            ExpectOutcome::Escalate => "escalate",
            ExpectOutcome::DryRun => "dry-run",
        }
    }
}

/// A proposed fix: its step, and optionally its action, risk and parameters.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ExpectFix {
    pub step: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub action: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub risk: Option<super::model::Risk>,
    /// Resolved parameters, matched as a subset: objects may hold more keys.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub params: Option<Map<String, Value>>,
}

/// The JSON Schema of the test format, as written to `flows/tests.schema.json`.
pub fn schema_json() -> String {
    let schema = schemars::schema_for!(Suite);
    serde_json::to_string_pretty(&schema).unwrap_or_default() + "\n"
}

// ---------------------------------------------------------------------------
// Results.

/// Why tests could not run: the flow or the test file is malformed or missing
/// (exit 2). Every error names the file and where in it.
#[derive(Debug, Clone, thiserror::Error)]
pub enum ScenarioError {
    /// The flow under test does not load.
    #[error("{0}")]
    Flow(FlowError),
    /// The test file is missing, malformed, or names things the flow lacks.
    #[error("{0}")]
    Tests(FlowError),
}

impl ScenarioError {
    pub fn problems(&self) -> &FlowError {
        match self {
            ScenarioError::Flow(e) | ScenarioError::Tests(e) => e,
        }
    }
}

/// How one scenario went.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ScenarioResult {
    pub name: String,
    pub passed: bool,
    /// Readable reasons, possibly several lines each (path diffs).
    pub failures: Vec<String>,
    /// Steps visited, in order.
    pub path: Vec<String>,
    /// The step the run finished at, if it finished.
    pub end: Option<String>,
    pub outcome: Option<String>,
    /// Edges taken: (step id, edge label as in `Step::edges`).
    #[serde(skip)]
    pub edges: Vec<(String, String)>,
}

/// What no scenario reached.
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
pub struct Coverage {
    pub steps: usize,
    pub ends: usize,
    pub edges: usize,
    pub uncovered_steps: Vec<String>,
    /// `end` steps no scenario reached, with their outcome.
    pub uncovered_ends: Vec<(String, String)>,
    /// Edges no scenario took: `step (label) -> target`.
    pub uncovered_edges: Vec<String>,
}

impl Coverage {
    pub fn full(&self) -> bool {
        self.uncovered_steps.is_empty() && self.uncovered_ends.is_empty()
    }
}

/// How a test file went.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SuiteResult {
    /// The test file (or `flows/<id>.tests.json` for a built-in).
    pub file: String,
    pub flow: String,
    pub scenarios: Vec<ScenarioResult>,
    pub coverage: Coverage,
    /// Uncovered steps or ends count as a failure.
    pub require_full_coverage: bool,
}

impl SuiteResult {
    pub fn failed(&self) -> usize {
        self.scenarios.iter().filter(|s| !s.passed).count()
    }

    pub fn passed(&self) -> bool {
        self.failed() == 0 && (!self.require_full_coverage || self.coverage.full())
    }

    /// 0 all pass (and coverage is full when required), 1 otherwise.
    pub fn exit_code(&self) -> u8 {
        if self.passed() { 0 } else { 1 }
    }
}

/// Options of `troubleshoot flows test`.
#[derive(Debug, Clone, Copy, Default)]
pub struct Options {
    pub require_full_coverage: bool,
}

// ---------------------------------------------------------------------------
// Loading and resolving.

/// Parse a test file (no checks against the flow yet), locating any error.
pub fn parse_suite(name: &str, bytes: &[u8]) -> Result<Suite, ScenarioError> {
    let err = |loc: String, msg: String| ScenarioError::Tests(FlowError::one(name, loc, msg));
    if bytes.len() > MAX_TESTS_BYTES {
        return Err(err(
            String::new(),
            format!(
                "file is {} bytes; test files are limited to {MAX_TESTS_BYTES} bytes",
                bytes.len()
            ),
        ));
    }
    super::load::parse_json(name, bytes, "a test file").map_err(ScenarioError::Tests)
}

/// Everything in a test file that does not fit its flow: unknown step,
/// question, fix or fixture names, facts no check produces. Each problem
/// carries the JSON path of the offending value.
pub fn check_suite(flow: &Flow, suite: &Suite) -> Vec<Problem> {
    let mut out = Vec::new();
    let mut push = |location: String, message: String| out.push(Problem { location, message });
    if suite.flow != flow.id {
        push(
            "flow".into(),
            format!(
                "tests are for flow `{}`, but the flow is `{}`",
                suite.flow, flow.id
            ),
        );
    }
    let namespaces = super::validate::probe_namespaces(flow);
    let check_ns = |at: &str, set: &Namespaces, push: &mut dyn FnMut(String, String)| {
        for (ns, value) in set {
            match namespaces.get(ns) {
                None => push(
                    format!("{at}.{ns}"),
                    format!(
                        "no check of flow `{}` produces facts `{ns}` (it has: {})",
                        flow.id,
                        names(namespaces.keys())
                    ),
                ),
                Some(fields) => {
                    if let Value::Object(m) = value {
                        for k in m.keys() {
                            if !fields.contains(&k.as_str()) {
                                push(
                                    format!("{at}.{ns}.{k}"),
                                    format!(
                                        "the probe has no field `{k}` (it has: {})",
                                        fields.join(", ")
                                    ),
                                );
                            }
                        }
                    } else {
                        push(format!("{at}.{ns}"), "probe facts are a JSON object".into());
                    }
                }
            }
        }
    };
    for (name, set) in &suite.fixtures {
        check_ns(&format!("fixtures.{name}"), set, &mut push);
    }
    let check_set = |at: &str, set: &FactSet, push: &mut dyn FnMut(String, String)| match set {
        FactSet::Fixture(n) if !suite.fixtures.contains_key(n) => push(
            at.to_string(),
            format!(
                "no fixture named `{n}` (fixtures: {})",
                names(suite.fixtures.keys())
            ),
        ),
        FactSet::Fixture(_) => {}
        FactSet::Inline(m) => check_ns(at, m, push),
    };
    let step_kind = |id: &str| flow.step(id).map(|s| s.kind());
    let mut seen = BTreeSet::new();
    for (i, sc) in suite.scenarios.iter().enumerate() {
        let at = |rest: &str| format!("scenarios[{i}].{rest}");
        if sc.name.trim().is_empty() {
            push(at("name"), "a scenario needs a name".into());
        } else if !seen.insert(sc.name.as_str()) {
            push(at("name"), format!("duplicate scenario name `{}`", sc.name));
        }
        check_set(&at("facts"), &sc.facts, &mut push);
        if let Some(a) = &sc.after_fix {
            check_set(&at("after_fix"), a, &mut push);
        }
        for (step, set) in &sc.probe_facts {
            check_set(&at(&format!("probe_facts.{step}")), set, &mut push);
            if step_kind(step) != Some("check") {
                push(
                    at(&format!("probe_facts.{step}")),
                    format!("flow `{}` has no check `{step}`", flow.id),
                );
            }
        }
        for q in sc.answers.keys() {
            if !matches!(step_kind(q), Some("ask" | "guide")) {
                push(
                    at(&format!("answers.{q}")),
                    format!("flow `{}` has no question or guide `{q}`", flow.id),
                );
            }
        }
        for f in sc.fix_results.keys() {
            if step_kind(f) != Some("fix") {
                push(
                    at(&format!("fix_results.{f}")),
                    format!("flow `{}` has no fix step `{f}`", flow.id),
                );
            }
        }
        let e = &sc.expect;
        let lists = [
            ("path", &e.path),
            ("path_contains", &e.path_contains),
            ("avoids", &e.avoids),
        ];
        for (field, list) in lists {
            for (j, id) in list.iter().flatten().enumerate() {
                if step_kind(id).is_none() {
                    push(
                        at(&format!("expect.{field}[{j}]")),
                        format!("flow `{}` has no step `{id}`", flow.id),
                    );
                }
            }
        }
        if let Some(end) = &e.end
            && step_kind(end) != Some("end")
        {
            push(
                at("expect.end"),
                format!("flow `{}` has no `end` step `{end}`", flow.id),
            );
        }
        if e.fix.is_some() && e.fixes.is_some() {
            push(
                at("expect.fix"),
                "give `fix` (the one fix) or `fixes` (all of them), not both".into(),
            );
        }
        let fixes = e.fix.iter().map(|f| ("fix".to_string(), f)).chain(
            e.fixes
                .iter()
                .flatten()
                .enumerate()
                .map(|(j, f)| (format!("fixes[{j}]"), f)),
        );
        for (field, f) in fixes {
            if step_kind(&f.step) != Some("fix") {
                push(
                    at(&format!("expect.{field}.step")),
                    format!("flow `{}` has no fix step `{}`", flow.id, f.step),
                );
            }
        }
        for q in e.offered.iter().flat_map(|m| m.keys()) {
            if step_kind(q) != Some("ask") {
                push(
                    at(&format!("expect.offered.{q}")),
                    format!("flow `{}` has no question `{q}`", flow.id),
                );
            }
        }
    }
    out
}

fn names<'a>(it: impl Iterator<Item = &'a String>) -> String {
    let v: Vec<&str> = it.map(String::as_str).collect();
    if v.is_empty() {
        "none".into()
    } else {
        v.join(", ")
    }
}

/// A flow and its tests, ready to run.
pub struct Target {
    pub flow: Flow,
    pub suite: Suite,
    /// Display name of the test file.
    pub file: String,
}

/// Resolve `[FLOW|FILE]`: a built-in flow id (its embedded tests), a flow file
/// (`<stem>.tests.json` beside it), a test file (`*.tests.json`; its flow is
/// `<stem>.json` beside it, else the built-in flow it names) or a folder (every
/// `*.tests.json` in it).
pub fn resolve(target: &str) -> Result<Vec<Target>, ScenarioError> {
    let path = Path::new(target);
    if !path.exists()
        && let Some((_, file, text)) = BUILTIN_TESTS.iter().find(|(id, _, _)| *id == target)
    {
        let (_, flow_file, flow_text) = BUILTIN
            .iter()
            .find(|(id, _, _)| *id == target)
            .ok_or_else(|| {
                ScenarioError::Tests(FlowError::one(file, "", "no built-in flow for these tests"))
            })?;
        let flow = load_bytes(flow_file, flow_text.as_bytes()).map_err(ScenarioError::Flow)?;
        return prepare(flow, file, text.as_bytes()).map(|t| vec![t]);
    }
    if path.is_dir() {
        let mut files: Vec<PathBuf> = std::fs::read_dir(path)
            .map_err(|e| tests_err(target, format!("cannot read folder: {e}")))?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.to_string_lossy().ends_with(".tests.json"))
            .collect();
        files.sort();
        if files.is_empty() {
            return Err(tests_err(
                target,
                "no *.tests.json files in this folder".into(),
            ));
        }
        return files
            .iter()
            .map(|f| from_tests_file(f))
            .collect::<Result<Vec<_>, _>>();
    }
    let s = path.to_string_lossy();
    if s.ends_with(".tests.json") {
        return from_tests_file(path).map(|t| vec![t]);
    }
    if path.exists() || s.ends_with(".json") || s.contains('/') {
        let flow = load_file(path).map_err(ScenarioError::Flow)?;
        let tests = beside(path, ".json", ".tests.json");
        let bytes = std::fs::read(&tests).map_err(|e| {
            tests_err(
                &tests.display().to_string(),
                format!("cannot read the tests of flow `{}`: {e}", flow.id),
            )
        })?;
        return prepare(flow, &tests.display().to_string(), &bytes).map(|t| vec![t]);
    }
    let known: Vec<&str> = BUILTIN_TESTS.iter().map(|(id, _, _)| *id).collect();
    Err(tests_err(
        target,
        format!(
            "no built-in flow with tests or file by that name (built-in: {})",
            known.join(", ")
        ),
    ))
}

/// Every built-in flow with its embedded tests.
pub fn builtin_targets() -> Result<Vec<Target>, ScenarioError> {
    let mut out = Vec::new();
    for (id, _, _) in BUILTIN {
        out.extend(resolve(id)?);
    }
    Ok(out)
}

fn tests_err(file: &str, msg: String) -> ScenarioError {
    ScenarioError::Tests(FlowError::one(file, "", msg))
}

fn beside(path: &Path, from: &str, to: &str) -> PathBuf {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().to_string())
        .unwrap_or_default();
    let stem = name.strip_suffix(from).unwrap_or(&name);
    path.with_file_name(format!("{stem}{to}"))
}

fn from_tests_file(path: &Path) -> Result<Target, ScenarioError> {
    let name = path.display().to_string();
    let bytes = std::fs::read(path).map_err(|e| tests_err(&name, format!("cannot read: {e}")))?;
    let suite = parse_suite(&name, &bytes)?;
    let flow_path = beside(path, ".tests.json", ".json");
    let flow = if flow_path.exists() {
        load_file(&flow_path).map_err(ScenarioError::Flow)?
    } else if let Some((_, file, text)) = BUILTIN.iter().find(|(id, _, _)| *id == suite.flow) {
        load_bytes(file, text.as_bytes()).map_err(ScenarioError::Flow)?
    } else {
        return Err(ScenarioError::Tests(FlowError::one(
            &name,
            "flow",
            format!(
                "flow `{}` is neither beside this file ({}) nor built in",
                suite.flow,
                flow_path.display()
            ),
        )));
    };
    checked(flow, suite, &name)
}

fn prepare(flow: Flow, name: &str, bytes: &[u8]) -> Result<Target, ScenarioError> {
    let suite = parse_suite(name, bytes)?;
    checked(flow, suite, name)
}

fn checked(flow: Flow, suite: Suite, name: &str) -> Result<Target, ScenarioError> {
    let problems = check_suite(&flow, &suite);
    if !problems.is_empty() {
        return Err(ScenarioError::Tests(FlowError {
            file: name.to_string(),
            problems,
        }));
    }
    Ok(Target {
        flow,
        suite,
        file: name.to_string(),
    })
}

/// Run the tests of one `[FLOW|FILE]` (several for a folder).
pub fn run_target(target: &str, opts: Options) -> Result<Vec<SuiteResult>, ScenarioError> {
    Ok(resolve(target)?
        .iter()
        .map(|t| {
            let mut r = run_suite(&t.flow, &t.suite);
            r.file = t.file.clone();
            r.require_full_coverage = opts.require_full_coverage;
            r
        })
        .collect())
}

/// Run the tests of one file or flow; see [`resolve`].
pub fn run_file(path: impl AsRef<Path>, opts: Options) -> Result<SuiteResult, ScenarioError> {
    let name = path.as_ref().display().to_string();
    let mut v = run_target(&name, opts)?;
    if v.len() != 1 {
        return Err(tests_err(
            &name,
            "expected one test file, found a folder".into(),
        ));
    }
    Ok(v.remove(0))
}

// ---------------------------------------------------------------------------
// Running.

/// Run every scenario of a suite through the engine over `flow`. Pure: no I/O.
pub fn run_suite(flow: &Flow, suite: &Suite) -> SuiteResult {
    let scenarios: Vec<ScenarioResult> = suite
        .scenarios
        .iter()
        .map(|sc| run_scenario(flow, suite, sc))
        .collect();
    let coverage = coverage(flow, &scenarios);
    SuiteResult {
        file: format!("flows/{}.tests.json", suite.flow),
        flow: flow.id.clone(),
        scenarios,
        coverage,
        require_full_coverage: false,
    }
}

fn facts_of<'s>(suite: &'s Suite, set: &'s FactSet) -> Option<&'s Namespaces> {
    match set {
        FactSet::Inline(m) => Some(m),
        FactSet::Fixture(n) => suite.fixtures.get(n),
    }
}

fn nth<T: Clone>(one: Option<&T>, each: Option<&Vec<T>>, n: usize) -> Result<Option<T>, usize> {
    match (one, each) {
        (Some(v), _) => Ok(Some(v.clone())),
        (_, Some(list)) => list.get(n).cloned().map(Some).ok_or(list.len()),
        _ => Ok(None),
    }
}

fn ordinal(n: usize) -> String {
    let suffix = match (n % 10, n % 100) {
        (1, 11) | (2, 12) | (3, 13) => "th",
        (1, _) => "st",
        (2, _) => "nd",
        (3, _) => "rd",
        _ => "th",
    };
    format!("{n}{suffix}")
}

/// Run one scenario.
pub fn run_scenario(flow: &Flow, suite: &Suite, sc: &Scenario) -> ScenarioResult {
    let empty = Namespaces::new();
    let facts = facts_of(suite, &sc.facts).unwrap_or(&empty);
    let after = sc.after_fix.as_ref().and_then(|a| facts_of(suite, a));
    let mut engine = Engine::new(flow);
    let mut failures: Vec<String> = Vec::new();
    let mut said: Vec<String> = Vec::new();
    let mut fixes: Vec<FixCall> = Vec::new();
    let mut asked: BTreeMap<String, usize> = BTreeMap::new();
    let mut proposed: BTreeMap<String, usize> = BTreeMap::new();
    let mut probed: BTreeMap<String, usize> = BTreeMap::new();
    let mut offered: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut finish = None;
    let mut needs = 0;
    loop {
        needs += 1;
        if needs > MAX_NEEDS {
            failures.push(format!(
                "the run did not finish after {MAX_NEEDS} steps; it loops (last steps: {})",
                tail(&engine)
            ));
            break;
        }
        let need = match engine.next() {
            Ok(n) => n,
            Err(e) => {
                failures.push(format!("the engine stopped: {e}"));
                break;
            }
        };
        let fed = match need {
            Need::Say { text, .. } => {
                said.push(text);
                Ok(())
            }
            Need::Ask(q) => {
                let ids: Vec<String> = q.options.iter().map(|o| o.id.clone()).collect();
                offered.entry(q.id.clone()).or_insert_with(|| ids.clone());
                let n = asked.entry(q.id.clone()).or_default();
                let k = *n;
                *n += 1;
                if k >= MAX_REPEATS {
                    failures.push(format!(
                        "question `{}` was asked {MAX_REPEATS} times; the run loops (last steps: {})",
                        q.id,
                        tail(&engine)
                    ));
                    break;
                }
                let spec = sc.answers.get(&q.id);
                let pick = match spec {
                    Some(AnswerSpec::One(v)) => nth(Some(v), None, k),
                    Some(AnswerSpec::Each(l)) => nth(None, Some(l), k),
                    None => Ok(None),
                };
                let what = if ids.is_empty() {
                    String::new()
                } else {
                    format!("; offered: {}", ids.join(", "))
                };
                match pick {
                    Ok(Some(a)) => engine.answer(a.to_answer()),
                    Ok(None) => {
                        failures.push(format!(
                            "question `{}` (\"{}\") has no answer in the scenario{what}",
                            q.id, q.prompt
                        ));
                        break;
                    }
                    Err(len) => {
                        failures.push(format!(
                            "question `{}` is asked a {} time, but the scenario gives {len} answer(s){what}",
                            q.id,
                            ordinal(k + 1)
                        ));
                        break;
                    }
                }
            }
            Need::Probe(call) => match sc
                .probe_facts
                .get(&call.step)
                .and_then(|set| facts_of(suite, set))
                .unwrap_or(facts)
                .get(&call.save_as)
            {
                Some(_) if bump(&mut probed, &call.step) >= MAX_REPEATS => {
                    failures.push(format!(
                        "check `{}` ran its probe {MAX_REPEATS} times; the run loops (last steps: {})",
                        call.step,
                        tail(&engine)
                    ));
                    break;
                }
                Some(v) => engine.probed(v.clone()),
                None => {
                    failures.push(format!(
                        "check `{}` runs probe `{}` into `{}`, but the scenario's facts have no `{}`",
                        call.step, call.probe, call.save_as, call.save_as
                    ));
                    break;
                }
            },
            Need::Fix(call) => {
                let n = proposed.entry(call.step.clone()).or_default();
                let k = *n;
                *n += 1;
                let pick = match sc.fix_results.get(&call.step) {
                    Some(FixSpec::One(v)) => nth(Some(v), None, k),
                    Some(FixSpec::Each(l)) => nth(None, Some(l), k),
                    None => Ok(Some(FixOutcome::Applied)),
                };
                let step = call.step.clone();
                fixes.push(call);
                match pick {
                    Ok(r) => engine.fixed(r.unwrap_or(FixOutcome::Applied).to_result()),
                    Err(len) => {
                        failures.push(format!(
                            "fix `{step}` is proposed a {} time, but `fix_results` gives {len} result(s)",
                            ordinal(k + 1)
                        ));
                        break;
                    }
                }
            }
            Need::Reprobe { step, probes } => {
                let Some(after) = after else {
                    failures.push(format!(
                        "fix `{step}` was applied and its `verify` needs fresh facts: add `after_fix`"
                    ));
                    break;
                };
                let mut fresh = Vec::new();
                let mut missing = None;
                for p in probes {
                    match after.get(&p.save_as) {
                        Some(v) => fresh.push((p, v.clone())),
                        None => missing = Some(p.save_as),
                    }
                }
                if let Some(ns) = missing {
                    failures.push(format!(
                        "fix `{step}` re-probes `{ns}`, but `after_fix` has no `{ns}`"
                    ));
                    break;
                }
                engine.reprobed(fresh)
            }
            Need::Rollback { .. } => engine.rolled_back(),
            Need::Finished(f) => {
                finish = Some(f);
                break;
            }
        };
        if let Err(e) = fed {
            failures.push(format!("the engine refused: {e}"));
            break;
        }
    }
    let path: Vec<String> = engine.visits().iter().map(|v| v.step.clone()).collect();
    let edges = taken_edges(flow, &engine);
    if let Some(f) = &finish {
        said.push(f.message.clone());
    }
    compare(
        &sc.expect,
        &path,
        finish.as_ref(),
        &fixes,
        &said,
        &offered,
        &mut failures,
    );
    ScenarioResult {
        name: sc.name.clone(),
        passed: failures.is_empty(),
        failures,
        end: finish.as_ref().map(|f| f.step.clone()),
        outcome: finish.as_ref().map(|f| f.outcome.clone()),
        path,
        edges,
    }
}

/// Count one more occurrence of `key`; returns the count before.
fn bump(counts: &mut BTreeMap<String, usize>, key: &str) -> usize {
    let n = counts.entry(key.to_string()).or_default();
    *n += 1;
    *n - 1
}

fn tail(engine: &Engine) -> String {
    let v = engine.visits();
    let from = v.len().saturating_sub(8);
    v[from..]
        .iter()
        .map(|v| v.step.as_str())
        .collect::<Vec<_>>()
        .join(" -> ")
}

/// Which edge of each visited step the run left by.
fn taken_edges(flow: &Flow, engine: &Engine) -> Vec<(String, String)> {
    let visits = engine.visits();
    let mut out = Vec::new();
    for pair in visits.windows(2) {
        let (from, to) = (&pair[0], &pair[1]);
        let Some(step) = flow.step(&from.step) else {
            continue;
        };
        let candidates: Vec<(String, &str)> = step
            .edges()
            .into_iter()
            .filter(|(_, t)| *t == to.step)
            .collect();
        let detail = from.detail.clone().unwrap_or_default();
        let label = match candidates.as_slice() {
            [] => continue,
            [(label, _)] => label.clone(),
            many => {
                let want = edge_label(step, &detail);
                match many.iter().find(|(l, _)| *l == want) {
                    Some((l, _)) => l.clone(),
                    None => continue,
                }
            }
        };
        out.push((from.step.clone(), label));
    }
    out
}

/// The edge label a visit's detail stands for.
fn edge_label(step: &Step, detail: &str) -> String {
    match step {
        Step::Ask(a) => {
            if a.options.iter().any(|c| c.id == detail) {
                detail.to_string()
            } else if let Some(f) = &a.options_from
                && a.yes.is_none()
                && a.next.is_none()
            {
                format!("each {}", f.fact)
            } else if a.next.is_some() {
                String::new()
            } else {
                detail.to_string()
            }
        }
        Step::Fix(_) => {
            if detail.starts_with("refused") {
                "refused".into()
            } else if detail.starts_with("applied") {
                "success".into()
            } else {
                "failure".into()
            }
        }
        _ => detail.to_string(),
    }
}

#[allow(clippy::too_many_arguments)]
fn compare(
    e: &Expect,
    path: &[String],
    finish: Option<&super::engine::Finish>,
    fixes: &[FixCall],
    said: &[String],
    offered: &BTreeMap<String, Vec<String>>,
    failures: &mut Vec<String>,
) {
    if finish.is_none() && failures.is_empty() {
        failures.push("the run did not finish".into());
    }
    if let Some(want) = &e.path
        && want.as_slice() != path
    {
        failures.push(path_diff(want, path));
    }
    if let Some(want) = &e.path_contains
        && let Some(msg) = subsequence(want, path)
    {
        failures.push(msg);
    }
    for id in e.avoids.iter().flatten() {
        if let Some(i) = path.iter().position(|p| p == id) {
            failures.push(format!(
                "step `{id}` must not be visited, but it is (step {} of the path: {})",
                i + 1,
                path.join(" -> ")
            ));
        }
    }
    let got_end = finish.map(|f| f.step.as_str());
    if let Some(want) = &e.end
        && got_end != Some(want.as_str())
    {
        failures.push(format!(
            "expected to end at `{want}`, {}",
            match got_end {
                Some(g) => format!("ended at `{g}`"),
                None => "did not finish".into(),
            }
        ));
    }
    if let Some(want) = e.outcome {
        let got = finish.map(|f| f.outcome.as_str());
        if got != Some(want.name()) {
            failures.push(format!(
                "expected outcome `{}`, {}",
                want.name(),
                match got {
                    Some(g) => format!("got `{g}`"),
                    None => "the run did not finish".into(),
                }
            ));
        }
    }
    if let Some(want) = e.rolled_back {
        let got = finish.is_some_and(|f| f.rolled_back);
        if got != want {
            failures.push(if want {
                "expected a fix to be rolled back, none was".into()
            } else {
                "a fix was rolled back, none should have been".into()
            });
        }
    }
    let want_fixes: Option<Vec<&ExpectFix>> = match (&e.fix, &e.fixes) {
        (Some(f), _) => Some(vec![f]),
        (None, Some(v)) => Some(v.iter().collect()),
        _ => None,
    };
    if let Some(want) = want_fixes {
        let got: Vec<&str> = fixes.iter().map(|f| f.step.as_str()).collect();
        if want.len() != fixes.len() {
            failures.push(format!(
                "expected {} fix(es) proposed ({}), got {} ({})",
                want.len(),
                list(want.iter().map(|f| f.step.as_str())),
                fixes.len(),
                list(got.iter().copied())
            ));
        } else {
            for (w, g) in want.iter().zip(fixes) {
                if let Some(msg) = fix_mismatch(w, g) {
                    failures.push(msg);
                }
            }
        }
    }
    for s in e.says.iter().flatten() {
        if !said.iter().any(|t| t.contains(s.as_str())) {
            let shown = if said.is_empty() {
                "nothing was shown".to_string()
            } else {
                format!(
                    "shown:\n{}",
                    said.iter()
                        .map(|t| format!("    | {t}"))
                        .collect::<Vec<_>>()
                        .join("\n")
                )
            };
            failures.push(format!("expected the run to say \"{s}\"; {shown}"));
        }
    }
    for (q, want) in e.offered.iter().flatten() {
        match offered.get(q) {
            None => failures.push(format!(
                "expected question `{q}` to offer {}, but it was not asked",
                list(want.iter().map(String::as_str))
            )),
            Some(got) if got != want => failures.push(format!(
                "question `{q}` offered {}, expected {}",
                list(got.iter().map(String::as_str)),
                list(want.iter().map(String::as_str))
            )),
            Some(_) => {}
        }
    }
}

fn list<'a>(it: impl Iterator<Item = &'a str>) -> String {
    let v: Vec<&str> = it.collect();
    if v.is_empty() {
        "none".into()
    } else {
        v.join(", ")
    }
}

fn fix_mismatch(want: &ExpectFix, got: &FixCall) -> Option<String> {
    let mut why = Vec::new();
    if want.step != got.step {
        why.push(format!("step `{}`, expected `{}`", got.step, want.step));
    }
    if let Some(a) = &want.action
        && *a != got.action
    {
        why.push(format!("action `{}`, expected `{a}`", got.action));
    }
    if let Some(r) = want.risk
        && r != got.risk
    {
        why.push(format!("risk {:?}, expected {r:?}", got.risk).to_lowercase());
    }
    if let Some(p) = &want.params {
        let want_v = Value::Object(p.clone());
        let got_v = Value::Object(got.params.clone());
        if let Some(at) = subset(&want_v, &got_v, "params") {
            why.push(at);
        }
    }
    if why.is_empty() {
        None
    } else {
        Some(format!(
            "fix `{}` proposed with {}",
            got.step,
            why.join("; ")
        ))
    }
}

/// `want` is contained in `got` (objects may hold more keys); where not, say where.
fn subset(want: &Value, got: &Value, at: &str) -> Option<String> {
    match (want, got) {
        (Value::Object(w), Value::Object(g)) => w.iter().find_map(|(k, wv)| match g.get(k) {
            None => Some(format!("{at}.{k} missing (expected {wv})")),
            Some(gv) => subset(wv, gv, &format!("{at}.{k}")),
        }),
        (w, g) if w == g => None,
        (Value::Number(_), Value::Number(_)) if want.as_f64() == got.as_f64() => None,
        _ => Some(format!("{at} is {got}, expected {want}")),
    }
}

fn subsequence(want: &[String], path: &[String]) -> Option<String> {
    let mut at = 0;
    for (i, w) in want.iter().enumerate() {
        match path[at..].iter().position(|p| p == w) {
            Some(j) => at += j + 1,
            None => {
                let after = if i == 0 {
                    "anywhere".to_string()
                } else {
                    format!("after `{}` (step {at} of the path)", want[i - 1])
                };
                return Some(format!(
                    "expected the path to contain {} in order; `{w}` is not visited {after}\n      actual path: {}",
                    want.join(" -> "),
                    path.join(" -> ")
                ));
            }
        }
    }
    None
}

/// Expected and actual paths side by side, the first divergence marked `>`.
pub fn path_diff(want: &[String], got: &[String]) -> String {
    let first = want
        .iter()
        .zip(got)
        .position(|(w, g)| w != g)
        .unwrap_or(want.len().min(got.len()));
    let width = want.iter().map(String::len).max().unwrap_or(0).max(8);
    let mut s = format!(
        "path differs at step {} (first divergence marked >):\n      {:>3}  {:<width$}  actual",
        first + 1,
        "#",
        "expected"
    );
    for i in 0..want.len().max(got.len()) {
        let w = want.get(i).map(String::as_str).unwrap_or("-");
        let g = got.get(i).map(String::as_str).unwrap_or("-");
        let mark = if i == first {
            '>'
        } else if w != g {
            '!'
        } else {
            ' '
        };
        let _ = write!(s, "\n    {mark} {:>3}  {w:<width$}  {g}", i + 1);
    }
    s
}

fn coverage(flow: &Flow, results: &[ScenarioResult]) -> Coverage {
    let visited: BTreeSet<&str> = results
        .iter()
        .flat_map(|r| r.path.iter().map(String::as_str))
        .collect();
    let taken: BTreeSet<(&str, &str)> = results
        .iter()
        .flat_map(|r| r.edges.iter().map(|(s, l)| (s.as_str(), l.as_str())))
        .collect();
    let mut c = Coverage::default();
    for s in &flow.steps {
        c.steps += 1;
        if !visited.contains(s.id()) {
            c.uncovered_steps.push(s.id().to_string());
        }
        if let Step::End(e) = s {
            c.ends += 1;
            if !visited.contains(e.id.as_str()) {
                c.uncovered_ends
                    .push((e.id.clone(), e.outcome.name().to_string()));
            }
        }
        for (label, target) in s.edges() {
            c.edges += 1;
            if !taken.contains(&(s.id(), label.as_str())) {
                let l = if label.is_empty() {
                    String::new()
                } else {
                    format!(" ({label})")
                };
                c.uncovered_edges.push(format!("{}{l} -> {target}", s.id()));
            }
        }
    }
    c
}

// ---------------------------------------------------------------------------
// Output.

/// The text `troubleshoot flows test` prints for one test file.
pub fn render_text(r: &SuiteResult) -> String {
    let mut s = format!(
        "{}: flow `{}`, {} scenario(s)\n",
        r.file,
        r.flow,
        r.scenarios.len()
    );
    for sc in &r.scenarios {
        if sc.passed {
            let _ = writeln!(
                s,
                "  ok    {}  ({} steps, {} {})",
                sc.name,
                sc.path.len(),
                sc.end.as_deref().unwrap_or("-"),
                sc.outcome.as_deref().unwrap_or("-")
            );
        } else {
            let _ = writeln!(s, "  FAIL  {}", sc.name);
            for f in &sc.failures {
                for (i, line) in f.lines().enumerate() {
                    let pad = if i == 0 { "      - " } else { "      " };
                    let _ = writeln!(s, "{pad}{line}");
                }
            }
        }
    }
    let c = &r.coverage;
    let _ = writeln!(
        s,
        "coverage: {}/{} steps, {}/{} ends, {}/{} edges",
        c.steps - c.uncovered_steps.len(),
        c.steps,
        c.ends - c.uncovered_ends.len(),
        c.ends,
        c.edges - c.uncovered_edges.len(),
        c.edges
    );
    let steps: Vec<&str> = c
        .uncovered_steps
        .iter()
        .filter(|id| !c.uncovered_ends.iter().any(|(e, _)| e == *id))
        .map(String::as_str)
        .collect();
    if !steps.is_empty() {
        let _ = writeln!(s, "  steps no scenario reaches: {}", steps.join(", "));
    }
    if !c.uncovered_ends.is_empty() {
        let ends: Vec<String> = c
            .uncovered_ends
            .iter()
            .map(|(id, o)| format!("{id} ({o})"))
            .collect();
        let _ = writeln!(s, "  ends no scenario reaches: {}", ends.join(", "));
    }
    if !c.uncovered_edges.is_empty() {
        let _ = writeln!(
            s,
            "  edges no scenario takes: {}",
            c.uncovered_edges.join(", ")
        );
    }
    let passed = r.scenarios.len() - r.failed();
    let mut verdict = format!("{passed} passed, {} failed", r.failed());
    if r.require_full_coverage && !c.full() {
        verdict.push_str("; coverage is not full (--require-full-coverage)");
    }
    let _ = writeln!(s, "{}: {verdict}", if r.passed() { "ok" } else { "FAILED" });
    s
}

/// Outcome of the whole command over several targets.
#[derive(Debug, Clone)]
pub struct CommandOutput {
    /// Everything to print (stderr or stdout, the caller decides).
    pub text: String,
    /// 0 all pass, 1 any scenario fails (or coverage when required), 2 a flow
    /// or test file is malformed or missing.
    pub exit_code: u8,
    pub results: Vec<SuiteResult>,
}

/// `troubleshoot flows test [FLOW|FILE]... [--require-full-coverage]`: with no
/// targets, every built-in flow. Every target is run; the worst exit code wins.
pub fn test_command(targets: &[String], opts: Options) -> CommandOutput {
    let all: Vec<String> = if targets.is_empty() {
        BUILTIN_TESTS
            .iter()
            .map(|(id, _, _)| id.to_string())
            .collect()
    } else {
        targets.to_vec()
    };
    let mut out = CommandOutput {
        text: String::new(),
        exit_code: 0,
        results: Vec::new(),
    };
    for t in &all {
        match run_target(t, opts) {
            Ok(results) => {
                for r in results {
                    out.text.push_str(&render_text(&r));
                    out.exit_code = out.exit_code.max(r.exit_code());
                    out.results.push(r);
                }
            }
            Err(e) => {
                let _ = writeln!(out.text, "{e}");
                out.exit_code = 2;
            }
        }
    }
    out
}

// ---------------------------------------------------------------------------
// Mutation testing: how well a suite pins down a flow's edges.

/// The targets of a step's edges, in [`Step::edges`] order, for rewriting.
pub fn edge_targets_mut(step: &mut Step) -> Vec<&mut String> {
    match step {
        Step::Ask(a) => {
            let mut v: Vec<&mut String> = a.options.iter_mut().map(|c| &mut c.next).collect();
            if let Some(f) = &mut a.options_from {
                v.push(&mut f.next);
            }
            v.extend(a.yes.as_mut());
            v.extend(a.no.as_mut());
            v.extend(a.next.as_mut());
            v
        }
        Step::Check(c) => {
            let mut v: Vec<&mut String> = c.branches.iter_mut().map(|b| &mut b.next).collect();
            v.push(&mut c.otherwise);
            v
        }
        Step::Fix(f) => vec![&mut f.on_success, &mut f.on_failure, &mut f.on_refused],
        Step::Guide(g) => vec![&mut g.yes, &mut g.no],
        Step::End(_) => vec![],
    }
}

/// One redirected edge.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Mutant {
    pub step: String,
    pub edge: String,
    pub from: String,
    pub to: String,
}

impl std::fmt::Display for Mutant {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let l = if self.edge.is_empty() {
            String::new()
        } else {
            format!(" ({})", self.edge)
        };
        write!(f, "{}{l}: {} => {}", self.step, self.from, self.to)
    }
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct MutationReport {
    /// Mutants the validator accepts (those count).
    pub total: usize,
    pub killed: usize,
    /// Redirections `flows check` rejects (not counted).
    pub invalid: usize,
    pub survivors: Vec<Mutant>,
}

impl MutationReport {
    pub fn score(&self) -> f64 {
        if self.total == 0 {
            1.0
        } else {
            self.killed as f64 / self.total as f64
        }
    }
}

/// Redirect every edge of `flow` to every other step, keep the mutants the
/// validator accepts, and count those the suite catches (some scenario fails).
/// Scenarios that take the redirected edge run first and a mutant stops at its
/// first failing scenario; mutants are spread over the available cores.
pub fn mutation_test(flow: &Flow, suite: &Suite) -> MutationReport {
    let ids: Vec<String> = flow.steps.iter().map(|s| s.id().to_string()).collect();
    let baseline = run_suite(flow, suite);
    let mut jobs: Vec<(usize, usize, String, String, String)> = Vec::new();
    for (i, step) in flow.steps.iter().enumerate() {
        for (k, (label, target)) in step.edges().into_iter().enumerate() {
            for to in ids.iter().filter(|t| *t != target) {
                jobs.push((i, k, label.clone(), target.to_string(), to.clone()));
            }
        }
    }
    let threads = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1)
        .clamp(1, 16);
    let chunk = jobs.len().div_ceil(threads).max(1);
    let parts: Vec<MutationReport> = std::thread::scope(|scope| {
        let handles: Vec<_> = jobs
            .chunks(chunk)
            .map(|part| {
                let baseline = &baseline;
                scope.spawn(move || {
                    let mut report = MutationReport::default();
                    for (i, k, label, from, to) in part {
                        let mut m = flow.clone();
                        *edge_targets_mut(&mut m.steps[*i])[*k] = to.clone();
                        if !validate::validate(&m).is_empty() {
                            report.invalid += 1;
                            continue;
                        }
                        report.total += 1;
                        let step = flow.steps[*i].id();
                        let takes = |r: &ScenarioResult| {
                            r.edges.iter().any(|(s, l)| s == step && l == label)
                        };
                        let first = baseline.scenarios.iter().zip(&suite.scenarios);
                        let order = first
                            .clone()
                            .filter(|(r, _)| takes(r))
                            .chain(first.filter(|(r, _)| !takes(r)));
                        let killed = order
                            .map(|(_, sc)| run_scenario(&m, suite, sc))
                            .any(|r| !r.passed);
                        if killed {
                            report.killed += 1;
                        } else {
                            report.survivors.push(Mutant {
                                step: step.to_string(),
                                edge: label.clone(),
                                from: from.clone(),
                                to: to.clone(),
                            });
                        }
                    }
                    report
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().unwrap_or_default())
            .collect()
    });
    let mut report = MutationReport::default();
    for p in parts {
        report.total += p.total;
        report.killed += p.killed;
        report.invalid += p.invalid;
        report.survivors.extend(p.survivors);
    }
    report
}
