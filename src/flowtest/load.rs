//! Loading test files, checking them against their flow, resolving targets.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::flow::builtin;
use crate::flow::catalog::Catalog;
use crate::flow::error::{FlowError, Problem};
use crate::flow::load::{load_bytes, load_file};
use crate::flow::model::Flow;
use crate::flow::validate;

use super::format::{FactSet, Namespaces, Suite};
use super::results::{Options, ScenarioError, SuiteResult};
use super::run::run_suite;
use super::{BUILTIN_TESTS, MAX_TESTS_BYTES};

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
    crate::flow::load::parse_json(name, bytes, "a test file").map_err(ScenarioError::Tests)
}

/// Everything in a test file that does not fit its flow: unknown step,
/// question, fix or fixture names, facts no check produces. Each problem
/// carries the JSON path of the offending value.
pub fn check_suite(flow: &Flow, suite: &Suite, catalog: &dyn Catalog) -> Vec<Problem> {
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
    let namespaces = validate::probe_namespaces(flow, catalog);
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

pub(crate) fn names<'a>(it: impl Iterator<Item = &'a String>) -> String {
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
pub fn resolve(target: &str, catalog: &dyn Catalog) -> Result<Vec<Target>, ScenarioError> {
    let path = Path::new(target);
    if !path.exists()
        && let Some((_, file, text)) = BUILTIN_TESTS.iter().find(|(id, _, _)| *id == target)
    {
        let (flow_file, flow_text) = builtin::find(target).ok_or_else(|| {
            ScenarioError::Tests(FlowError::one(file, "", "no built-in flow for these tests"))
        })?;
        let flow =
            load_bytes(flow_file, flow_text.as_bytes(), catalog).map_err(ScenarioError::Flow)?;
        return prepare(flow, file, text.as_bytes(), catalog).map(|t| vec![t]);
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
            .map(|f| from_tests_file(f, catalog))
            .collect::<Result<Vec<_>, _>>();
    }
    let s = path.to_string_lossy();
    if s.ends_with(".tests.json") {
        return from_tests_file(path, catalog).map(|t| vec![t]);
    }
    if path.exists() || s.ends_with(".json") || s.contains('/') {
        let flow = load_file(path, catalog).map_err(ScenarioError::Flow)?;
        let tests = beside(path, ".json", ".tests.json");
        let bytes = crate::bounded::read(&tests, crate::bounded::Kind::FlowTests).map_err(|e| {
            tests_err(
                &tests.display().to_string(),
                format!("cannot read the tests of flow `{}`: {e}", flow.id),
            )
        })?;
        return prepare(flow, &tests.display().to_string(), &bytes, catalog).map(|t| vec![t]);
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
pub fn builtin_targets(catalog: &dyn Catalog) -> Result<Vec<Target>, ScenarioError> {
    let mut out = Vec::new();
    for (id, _, _) in builtin::BUILTIN {
        out.extend(resolve(id, catalog)?);
    }
    Ok(out)
}

pub(crate) fn tests_err(file: &str, msg: String) -> ScenarioError {
    ScenarioError::Tests(FlowError::one(file, "", msg))
}

pub(crate) fn beside(path: &Path, from: &str, to: &str) -> PathBuf {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().to_string())
        .unwrap_or_default();
    let stem = name.strip_suffix(from).unwrap_or(&name);
    path.with_file_name(format!("{stem}{to}"))
}

pub(crate) fn from_tests_file(path: &Path, catalog: &dyn Catalog) -> Result<Target, ScenarioError> {
    let name = path.display().to_string();
    let bytes = crate::bounded::read(path, crate::bounded::Kind::FlowTests)
        .map_err(|e| tests_err(&name, format!("cannot read: {e}")))?;
    let suite = parse_suite(&name, &bytes)?;
    let flow_path = beside(path, ".tests.json", ".json");
    let flow = if flow_path.exists() {
        load_file(&flow_path, catalog).map_err(ScenarioError::Flow)?
    } else if let Some((file, text)) = builtin::find(&suite.flow) {
        load_bytes(file, text.as_bytes(), catalog).map_err(ScenarioError::Flow)?
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
    checked(flow, suite, &name, catalog)
}

pub(crate) fn prepare(
    flow: Flow,
    name: &str,
    bytes: &[u8],
    catalog: &dyn Catalog,
) -> Result<Target, ScenarioError> {
    let suite = parse_suite(name, bytes)?;
    checked(flow, suite, name, catalog)
}

pub(crate) fn checked(
    flow: Flow,
    suite: Suite,
    name: &str,
    catalog: &dyn Catalog,
) -> Result<Target, ScenarioError> {
    let problems = check_suite(&flow, &suite, catalog);
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
    Ok(resolve(target, opts.catalog)?
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
