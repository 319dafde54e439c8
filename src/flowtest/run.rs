//! Running scenarios through the engine and comparing with expectations.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

use serde_json::Value;

use crate::flow::engine::{Engine, FixCall, Need};
use crate::flow::model::{Flow, Step};

use super::format::{
    AnswerSpec, Expect, ExpectFix, FactSet, FixOutcome, FixSpec, Namespaces, Scenario, Suite,
};
use super::results::{Coverage, ScenarioResult, SuiteResult};
use super::{MAX_NEEDS, MAX_REPEATS};

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

pub(crate) fn facts_of<'s>(suite: &'s Suite, set: &'s FactSet) -> Option<&'s Namespaces> {
    match set {
        FactSet::Inline(m) => Some(m),
        FactSet::Fixture(n) => suite.fixtures.get(n),
    }
}

pub(crate) fn nth<T: Clone>(
    one: Option<&T>,
    each: Option<&Vec<T>>,
    n: usize,
) -> Result<Option<T>, usize> {
    match (one, each) {
        (Some(v), _) => Ok(Some(v.clone())),
        (_, Some(list)) => list.get(n).cloned().map(Some).ok_or(list.len()),
        _ => Ok(None),
    }
}

pub(crate) fn ordinal(n: usize) -> String {
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
        outcome: finish.as_ref().map(|f| f.outcome),
        path,
        edges,
    }
}

/// Count one more occurrence of `key`; returns the count before.
pub(crate) fn bump(counts: &mut BTreeMap<String, usize>, key: &str) -> usize {
    let n = counts.entry(key.to_string()).or_default();
    *n += 1;
    *n - 1
}

pub(crate) fn tail(engine: &Engine) -> String {
    let v = engine.visits();
    let from = v.len().saturating_sub(8);
    v[from..]
        .iter()
        .map(|v| v.step.as_str())
        .collect::<Vec<_>>()
        .join(" -> ")
}

/// Which edge of each visited step the run left by.
pub(crate) fn taken_edges(flow: &Flow, engine: &Engine) -> Vec<(String, String)> {
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
pub(crate) fn edge_label(step: &Step, detail: &str) -> String {
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
            } else if detail.starts_with("declined") {
                "declined".into()
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
pub(crate) fn compare(
    e: &Expect,
    path: &[String],
    finish: Option<&crate::flow::engine::Finish>,
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
        let got = finish.map(|f| f.outcome);
        if got != Some(want.outcome()) {
            failures.push(format!(
                "expected outcome `{}`, {}",
                want.outcome(),
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

pub(crate) fn list<'a>(it: impl Iterator<Item = &'a str>) -> String {
    let v: Vec<&str> = it.collect();
    if v.is_empty() {
        "none".into()
    } else {
        v.join(", ")
    }
}

pub(crate) fn fix_mismatch(want: &ExpectFix, got: &FixCall) -> Option<String> {
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
pub(crate) fn subset(want: &Value, got: &Value, at: &str) -> Option<String> {
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

pub(crate) fn subsequence(want: &[String], path: &[String]) -> Option<String> {
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

pub(crate) fn coverage(flow: &Flow, results: &[ScenarioResult]) -> Coverage {
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
