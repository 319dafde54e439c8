//! Flow validation ("lint"): everything that can be known before a run.
//! Each problem carries the JSON path of the offending value.

use std::collections::{BTreeSet, HashMap, HashSet, VecDeque};

use serde_json::Value;

use super::catalog::{Catalog, ParamKind};
use super::error::Problem;
use super::facts::{ANSWERS, CHOSEN, SELECTED, placeholders};
use super::model::*;

struct Lint<'a> {
    flow: &'a Flow,
    catalog: &'a dyn Catalog,
    problems: Vec<Problem>,
    index: HashMap<&'a str, usize>,
}

impl Lint<'_> {
    fn push(&mut self, location: String, message: String) {
        self.problems.push(Problem { location, message });
    }
}

fn loc(i: usize, step: &Step, rest: &str) -> String {
    if rest.is_empty() {
        format!("steps[{i}].{}", step.tag())
    } else {
        format!("steps[{i}].{}.{rest}", step.tag())
    }
}

/// All problems in a parsed flow, with the probes and actions of `catalog`;
/// empty means valid.
pub fn validate(flow: &Flow, catalog: &dyn Catalog) -> Vec<Problem> {
    let mut lint = Lint {
        flow,
        catalog,
        problems: Vec::new(),
        index: HashMap::new(),
    };
    if flow.steps.is_empty() {
        lint.push("steps".into(), "a flow needs at least one step".into());
        return lint.problems;
    }
    if !valid_id(&flow.id) {
        lint.push(
            "id".into(),
            format!(
                "flow id `{}` must be lowercase letters, digits and dashes",
                flow.id
            ),
        );
    }
    if let Some(support) = &flow.support {
        // Shown as a link in every report: a web page, never a script or a file.
        let rest = support.url.strip_prefix("https://").unwrap_or("");
        if rest.is_empty()
            || rest
                .chars()
                .any(|c| c.is_whitespace() || c.is_control() || "\"'<>`".contains(c))
        {
            lint.push(
                "support.url".into(),
                format!("support url `{}` must be an https:// address", support.url),
            );
        }
        if support.title.trim().is_empty() {
            lint.push("support.title".into(), "support needs a title".into());
        }
    }
    for (i, step) in flow.steps.iter().enumerate() {
        let id = step.id();
        if !valid_id(id) {
            lint.push(
                loc(i, step, "id"),
                format!("step id `{id}` must be letters, digits, `-` or `_`"),
            );
        }
        if let Some(first) = lint.index.get(id) {
            let msg = format!("duplicate step id `{id}` (first used by steps[{first}])");
            lint.push(loc(i, step, "id"), msg);
        } else {
            lint.index.insert(id, i);
        }
    }
    for (i, step) in flow.steps.iter().enumerate() {
        shape(&mut lint, i, step);
        for (label, target) in step.edges() {
            if !lint.index.contains_key(target) {
                let what = if label.is_empty() {
                    String::new()
                } else {
                    format!(" ({label})")
                };
                lint.push(
                    loc(i, step, "next"),
                    format!("`next`{what} names step `{target}`, which does not exist"),
                );
            }
        }
    }
    if !lint.problems.is_empty() {
        return lint.problems;
    }
    graph(&mut lint);
    if lint.problems.is_empty() {
        facts(&mut lint);
    }
    lint.problems
}

/// Probe parameters that name places on disk must stay where the probe
/// puts them: `desktop.folder` and `desktop.partition` are joined to the
/// app-data folder, `desktop.state_file.path` and `desktop.database.path`
/// to the app's data folder, and `origins` become folder names, so none may be
/// absolute, name a drive, or climb out with `..`. (A flow names what to
/// look for, never a file.)
fn path_escapes(params: &Value) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let relative = |s: &str| -> Option<&'static str> {
        if s.starts_with('/') || s.starts_with('\\') {
            Some("is an absolute path")
        } else if s.contains(':') {
            Some("names a drive or a stream (`:`)")
        } else if s.split(['/', '\\']).any(|c| c == "..") {
            Some("climbs out with `..`")
        } else if s.contains('\0') {
            Some("contains a NUL byte")
        } else {
            None
        }
    };
    if let Some(d) = params.get("desktop") {
        for field in ["folder", "partition"] {
            if let Some(v) = d.get(field).and_then(Value::as_str)
                && let Some(why) = relative(v)
            {
                out.push((
                    format!("desktop.{field}"),
                    format!(
                        "`{v}` {why}; it must be a folder name relative to the app-data folder"
                    ),
                ));
            }
        }
        for (field, file) in [("state_file", "path"), ("database", "path")] {
            if let Some(v) = d
                .pointer(&format!("/{field}/{file}"))
                .and_then(Value::as_str)
            {
                let why = relative(v).or_else(|| v.trim().is_empty().then_some("is empty"));
                if let Some(why) = why {
                    out.push((
                        format!("desktop.{field}.{file}"),
                        format!("`{v}` {why}; it must be a file name inside the app's data folder"),
                    ));
                }
            }
        }
        if d.get("folder")
            .and_then(Value::as_str)
            .is_some_and(|v| v.trim().is_empty())
        {
            out.push((
                "desktop.folder".into(),
                "is empty; name the app's data folder".into(),
            ));
        }
    }
    if let Some(Value::Array(origins)) = params.get("origins") {
        for (n, o) in origins.iter().enumerate() {
            let Some(o) = o.as_str() else { continue };
            let host = o
                .strip_prefix("https://")
                .or_else(|| o.strip_prefix("http://"));
            let ok = host.is_some_and(|h| {
                !h.is_empty()
                    && !h.contains("..")
                    && h.chars().all(|c| {
                        c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | ':' | '[' | ']')
                    })
            });
            if !ok {
                out.push((
                    format!("origins[{n}]"),
                    format!("`{o}` is not a web origin (`https://host[:port]`, no path)"),
                ));
            }
        }
    }
    out
}

fn valid_id(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= 64
        && id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
}

/// Per-step shape rules serde cannot express.
fn shape(lint: &mut Lint, i: usize, step: &Step) {
    match step {
        Step::Ask(a) => {
            let mut bad = |field: &str, msg: String| lint.push(loc(i, step, field), msg);
            match a.kind {
                AskKind::Select => {
                    if a.options.is_empty() && a.options_from.is_none() {
                        bad(
                            "options",
                            "a select needs `options` or `options_from`".into(),
                        );
                    }
                    for f in ["yes", "no", "next"] {
                        let set = match f {
                            "yes" => a.yes.is_some(),
                            "no" => a.no.is_some(),
                            _ => a.next.is_some(),
                        };
                        if set {
                            bad(
                                f,
                                format!(
                                    "`{f}` is for confirm/text questions; a select's options say where to go"
                                ),
                            );
                        }
                    }
                    let mut seen = HashSet::new();
                    for (j, c) in a.options.iter().enumerate() {
                        if !seen.insert(c.id.as_str()) {
                            bad(
                                &format!("options[{j}].id"),
                                format!("duplicate option id `{}`", c.id),
                            );
                        }
                    }
                    match &a.default {
                        Some(Value::String(d))
                            if a.options_from.is_none()
                                && !a.options.iter().any(|c| &c.id == d) =>
                        {
                            bad(
                                "default",
                                format!("default `{d}` is not one of the option ids"),
                            )
                        }
                        Some(Value::String(_)) | None => {}
                        Some(_) => bad(
                            "default",
                            "a select's default is an option id (a string)".into(),
                        ),
                    }
                }
                AskKind::Confirm => {
                    if a.yes.is_none() || a.no.is_none() {
                        bad("yes", "a confirm needs both `yes` and `no`".into());
                    }
                    if !a.options.is_empty() || a.options_from.is_some() || a.next.is_some() {
                        bad(
                            "options",
                            "a confirm has `yes` and `no`, not options or `next`".into(),
                        );
                    }
                    if a.default.as_ref().is_some_and(|d| !d.is_boolean()) {
                        bad("default", "a confirm's default is true or false".into());
                    }
                }
                AskKind::Text => {
                    if a.next.is_none() {
                        bad("next", "a text question needs `next`".into());
                    }
                    if !a.options.is_empty()
                        || a.options_from.is_some()
                        || a.yes.is_some()
                        || a.no.is_some()
                    {
                        bad("options", "a text question has only `next`".into());
                    }
                    if a.default.as_ref().is_some_and(|d| !d.is_string()) {
                        bad("default", "a text question's default is a string".into());
                    }
                }
            }
        }
        Step::Check(c) if c.recheck.is_some() => {
            let target = c.recheck.as_deref().unwrap_or_default();
            if c.probe.is_some() || c.params.is_some() || c.save_as.is_some() {
                lint.push(
                    loc(i, step, "recheck"),
                    "`recheck` re-runs another check's probe; it takes no `probe`, `params` or `as`".into(),
                );
            }
            match lint.flow.step(target) {
                Some(Step::Check(t)) if t.probe.is_some() => {}
                Some(_) => lint.push(
                    loc(i, step, "recheck"),
                    format!("`recheck` names `{target}`, which is not a check with a probe"),
                ),
                None => lint.push(
                    loc(i, step, "recheck"),
                    format!("`recheck` names step `{target}`, which does not exist"),
                ),
            }
        }
        Step::Check(c) => match (&c.probe, &c.params) {
            (None, Some(_)) => {
                lint.push(loc(i, step, "params"), "`params` without a `probe`".into())
            }
            (None, None) => {
                if c.save_as.is_some() {
                    lint.push(loc(i, step, "as"), "`as` without a `probe`".into());
                }
            }
            (Some(p), params) => match lint.catalog.probe(p) {
                None => {
                    let known = lint.catalog.probe_ids();
                    lint.push(
                        loc(i, step, "probe"),
                        format!("unknown probe `{p}` (known: {})", known.join(", ")),
                    );
                }
                Some(def) => {
                    if let Err(e) = def.check_params(params.as_ref().unwrap_or(&Value::Null)) {
                        lint.push(
                            loc(i, step, "params"),
                            format!("wrong parameters for probe `{p}`: {e}"),
                        );
                    }
                    for (at, msg) in path_escapes(params.as_ref().unwrap_or(&Value::Null)) {
                        lint.push(loc(i, step, &format!("params.{at}")), msg);
                    }
                    let ns = c.save_as.as_deref().unwrap_or(&c.id);
                    if ns == ANSWERS || ns == SELECTED || ns == CHOSEN {
                        lint.push(
                            loc(i, step, "as"),
                            format!("`{ns}` is reserved for the engine"),
                        );
                    }
                }
            },
        },
        Step::Fix(f) => match lint.catalog.action(&f.action) {
            None => {
                let known = lint.catalog.action_ids();
                lint.push(
                    loc(i, step, "action"),
                    format!(
                        "unknown action `{}` (known: {})",
                        f.action,
                        known.join(", ")
                    ),
                );
            }
            Some(def) => {
                let wrong = evidence_problem(lint.flow, lint.catalog, f, def.evidence());
                if let Some(msg) = wrong {
                    lint.push(loc(i, step, "evidence"), msg);
                }
                for (name, value) in &f.params {
                    match def.params().iter().find(|p| p.name == name) {
                        None => lint.push(
                            loc(i, step, &format!("params.{name}")),
                            format!("action `{}` has no parameter `{name}`", f.action),
                        ),
                        Some(p) => match p.kind {
                            ParamKind::Fact if !value.is_string() => lint.push(
                                loc(i, step, &format!("params.{name}")),
                                format!("`{name}` must be a string naming a fact (e.g. \"selected.workspace\"), not {value}"),
                            ),
                            ParamKind::Fact => {}
                        },
                    }
                }
                for p in def.params().iter().filter(|p| p.required) {
                    if !f.params.contains_key(p.name) {
                        lint.push(
                            loc(i, step, "params"),
                            format!("action `{}` needs parameter `{}`", f.action, p.name),
                        );
                    }
                }
            }
        },
        Step::Guide(g) => {
            if g.steps.is_empty() {
                lint.push(
                    loc(i, step, "steps"),
                    "a guide needs at least one instruction".into(),
                );
            }
        }
        Step::End(_) => {}
    }
}

/// What is wrong with a fix step's `evidence` for an action that needs the
/// parameters of probe `wants` (or none).
fn evidence_problem(flow: &Flow, catalog: &dyn Catalog, f: &Fix, wants: &[&str]) -> Option<String> {
    if wants.is_empty() {
        return f.evidence.as_ref().map(|e| {
            format!(
                "action `{}` uses no probe's evidence; drop `evidence: {e}`",
                f.action
            )
        });
    }
    let needs = || wants.join("`, `");
    match (&f.evidence, flow.evidence_of(f)) {
        (_, Some(c)) => {
            let probe = c.probe.as_deref().unwrap_or_default();
            // An unknown probe is reported at its check already.
            let declared = catalog.probe(probe)?.facts();
            let missing: Vec<&str> = wants
                .iter()
                .copied()
                .filter(|w| !declared.contains(w))
                .collect();
            (!missing.is_empty()).then(|| {
                format!(
                    "action `{}` needs the facts `{}` from its evidence, but probe `{probe}` of check `{}` does not declare `{}`",
                    f.action,
                    needs(),
                    c.id,
                    missing.join("`, `")
                )
            })
        }
        (Some(e), None) => Some(format!(
            "`evidence` names `{e}`, which is not a check with a probe"
        )),
        (None, None) => Some(format!(
            "action `{}` needs the facts `{}` from a probe: name the check that ran it with `evidence`",
            f.action,
            needs()
        )),
    }
}

/// Reachability from the first step, and a way to an end from every step.
fn graph(lint: &mut Lint) {
    let flow = lint.flow;
    let mut seen = vec![false; flow.steps.len()];
    let mut queue = VecDeque::from([0usize]);
    seen[0] = true;
    while let Some(i) = queue.pop_front() {
        for (_, t) in flow.steps[i].edges() {
            let j = lint.index[t];
            if !seen[j] {
                seen[j] = true;
                queue.push_back(j);
            }
        }
    }
    // Steps from which some end is reachable: fixpoint over reversed edges.
    let mut ends: Vec<bool> = flow
        .steps
        .iter()
        .map(|s| matches!(s, Step::End(_)))
        .collect();
    loop {
        let mut changed = false;
        for (i, s) in flow.steps.iter().enumerate() {
            if !ends[i] && s.edges().iter().any(|(_, t)| ends[lint.index[t]]) {
                ends[i] = true;
                changed = true;
            }
        }
        if !changed {
            break;
        }
    }
    for (i, s) in flow.steps.iter().enumerate() {
        if !seen[i] {
            lint.push(
                loc(i, s, "id"),
                format!(
                    "step `{}` is unreachable from the first step `{}`",
                    s.id(),
                    flow.steps[0].id()
                ),
            );
        } else if !ends[i] {
            lint.push(
                loc(i, s, "id"),
                format!(
                    "no path from step `{}` reaches an `end` step (it can only loop)",
                    s.id()
                ),
            );
        }
    }
}

/// What a step adds to the facts for the steps after it.
fn produces(flow: &Flow, step: &Step) -> Vec<String> {
    match step {
        Step::Ask(a) => {
            let mut v = vec![format!("{ANSWERS}.{}", a.id)];
            if a.options_from.is_some() {
                v.push(format!("{SELECTED}.{}", a.id));
                v.push(format!("{CHOSEN}.{}", a.id));
            }
            v
        }
        Step::Guide(g) => vec![format!("{ANSWERS}.{}", g.id)],
        Step::Check(c) if c.probe.is_some() => {
            vec![c.save_as.clone().unwrap_or_else(|| c.id.clone())]
        }
        Step::Check(c) if c.recheck.is_some() => {
            match c.recheck.as_deref().and_then(|t| flow.step(t)) {
                Some(Step::Check(t)) => vec![t.save_as.clone().unwrap_or_else(|| t.id.clone())],
                _ => vec![],
            }
        }
        _ => vec![],
    }
}

/// Facts available on every path into each step (forward dataflow, meet = intersection).
fn available(lint: &Lint) -> Vec<Option<BTreeSet<String>>> {
    let flow = lint.flow;
    let mut avail: Vec<Option<BTreeSet<String>>> = vec![None; flow.steps.len()];
    avail[0] = Some(BTreeSet::new());
    loop {
        let mut changed = false;
        for (i, s) in flow.steps.iter().enumerate() {
            let Some(cur) = avail[i].clone() else {
                continue;
            };
            let mut out = cur;
            out.extend(produces(flow, s));
            for (_, t) in s.edges() {
                let j = lint.index[t];
                let merged = match &avail[j] {
                    None => out.clone(),
                    Some(prev) => prev.intersection(&out).cloned().collect(),
                };
                if avail[j].as_ref() != Some(&merged) {
                    // Sets only shrink after the first visit, so this terminates.
                    avail[j] = Some(merged);
                    changed = true;
                }
            }
        }
        if !changed {
            return avail;
        }
    }
}

/// Probe namespaces and their fields, for checking `ns.field...` references.
pub fn probe_namespaces(
    flow: &Flow,
    catalog: &dyn Catalog,
) -> HashMap<String, &'static [&'static str]> {
    flow.steps
        .iter()
        .filter_map(|s| match s {
            Step::Check(c) => {
                let def = catalog.probe(c.probe.as_deref()?)?;
                Some((
                    c.save_as.clone().unwrap_or_else(|| c.id.clone()),
                    def.facts(),
                ))
            }
            _ => None,
        })
        .collect()
}

fn cond_facts<'c>(c: &'c Cond, out: &mut Vec<&'c str>) {
    match c {
        Cond::Test {
            fact, value_fact, ..
        } => {
            out.push(fact);
            out.extend(value_fact.as_deref());
        }
        Cond::All(v) | Cond::Any(v) => v.iter().for_each(|c| cond_facts(c, out)),
        Cond::Not(c) => cond_facts(c, out),
    }
}

/// Every fact reference in a step: (json path, fact path, is_template).
fn references(step: &Step) -> Vec<(String, String)> {
    let mut refs: Vec<(String, String)> = Vec::new();
    let mut conds = |field: String, c: &Cond| {
        let mut v = Vec::new();
        cond_facts(c, &mut v);
        refs.extend(v.into_iter().map(|f| (field.clone(), f.to_string())));
    };
    let mut text_refs: Vec<(String, String)> = Vec::new();
    let mut texts = |field: &str, t: &str| {
        text_refs.extend(
            placeholders(t)
                .into_iter()
                .map(|p| (field.to_string(), p.to_string())),
        );
    };
    match step {
        Step::Ask(a) => {
            texts("prompt", &a.prompt);
            if let Some(h) = &a.help {
                texts("help", h);
            }
            for (j, c) in a.options.iter().enumerate() {
                texts(&format!("options[{j}].label"), &c.label);
                if let Some(w) = &c.when {
                    conds(format!("options[{j}].when"), w);
                }
            }
            if let Some(f) = &a.options_from {
                refs.push(("options_from.fact".into(), f.fact.clone()));
            }
        }
        Step::Check(c) => {
            for (j, b) in c.branches.iter().enumerate() {
                conds(format!("branches[{j}].when"), &b.when);
                if let Some(e) = &b.explain {
                    texts(&format!("branches[{j}].explain"), e);
                }
            }
            if let Some(e) = &c.explain {
                texts("explain", e);
            }
        }
        Step::Fix(f) => {
            texts("title", &f.title);
            texts("changes", &f.changes);
            for (k, v) in &f.params {
                if let Some(s) = v.as_str() {
                    refs.push((format!("params.{k}"), s.to_string()));
                }
            }
        }
        Step::Guide(g) => {
            texts("title", &g.title);
            texts("prompt", &g.prompt);
            for (j, s) in g.steps.iter().enumerate() {
                texts(&format!("steps[{j}]"), s);
            }
        }
        Step::End(e) => texts("message", &e.message),
    }
    refs.extend(text_refs);
    refs
}

fn facts(lint: &mut Lint) {
    let avail = available(lint);
    let namespaces = probe_namespaces(lint.flow, lint.catalog);
    let mut problems = Vec::new();
    for (i, step) in lint.flow.steps.iter().enumerate() {
        let Some(before) = &avail[i] else { continue };
        // A check's branches and explanations see the facts its own probe produced.
        let mut here = before.clone();
        if let Step::Check(_) = step {
            here.extend(produces(lint.flow, step));
        }
        let here = &here;
        // A fix's verify runs on re-probed facts, which are those before the fix.
        let mut refs = references(step);
        if let Step::Fix(f) = step
            && let Some(v) = &f.verify
        {
            let mut fs = Vec::new();
            cond_facts(v, &mut fs);
            refs.extend(
                fs.into_iter()
                    .map(|f| ("verify".to_string(), f.to_string())),
            );
        }
        for (field, fact) in refs {
            if let Some(msg) = unknown_fact(&fact, here, &namespaces, lint.flow) {
                problems.push(Problem {
                    location: loc(i, step, &field),
                    message: msg,
                });
            }
        }
    }
    lint.problems.extend(problems);
}

fn unknown_fact(
    fact: &str,
    here: &BTreeSet<String>,
    namespaces: &HashMap<String, &'static [&'static str]>,
    flow: &Flow,
) -> Option<String> {
    let mut parts = fact.split('.');
    let ns = parts.next().unwrap_or_default();
    let second = parts.next();
    if ns == ANSWERS || ns == SELECTED || ns == CHOSEN {
        let Some(q) = second else {
            return Some(format!("fact `{fact}` needs a question id (`{ns}.<id>`)"));
        };
        if here.contains(&format!("{ns}.{q}")) {
            return None;
        }
        let exists = flow.step(q).is_some();
        return Some(if exists {
            format!(
                "fact `{fact}` is not set on every path to this step (question `{q}` is not always asked before it)"
            )
        } else {
            format!("fact `{fact}` names question `{q}`, which does not exist")
        });
    }
    match namespaces.get(ns) {
        None => Some(format!(
            "fact `{fact}`: no check produces `{ns}` (facts come from a check's `as`, `answers.<id>` or `selected.<id>`)"
        )),
        Some(_) if !here.contains(ns) => Some(format!(
            "fact `{fact}` is used before the check that produces `{ns}` has run on every path"
        )),
        Some(fields) => match second {
            Some(f) if !fields.contains(&f) => Some(format!(
                "fact `{fact}`: the probe has no field `{f}` (it has: {})",
                fields.join(", ")
            )),
            _ => None,
        },
    }
}
