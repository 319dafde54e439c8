//! The report's view model: everything the JSON (`report`), Markdown and
//! HTML reports show, built once from a (redacted) record and, for a
//! built-in flow, the flow itself (its questions, option labels, branch
//! conditions, graph and support page). Plain sentences and plain strings
//! here; each format escapes them.
//!
//! What it says, in order: a summary (what was wrong, what was done, the
//! state now, how to undo), the findings with their evidence, the timeline
//! (each question with the answer's label, what each check found and which
//! way it went and why, each fix's result, with the time each step took),
//! the fix plans as sentences, the environment before and after the fix side
//! by side, where the run ran, the flow's graph with the path taken, the
//! support page, warnings and the run's details.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::pseudonyms::Redaction;
use super::record::{FixRecord, FixStatus, RunRecord, flow_of};
use super::scan_fields::{APP_COOKIES, WORKSPACE_ID, WORKSPACE_LABEL, WORKSPACE_NAME};
use super::words::first_upper;
use crate::flow::facts::{Facts, display, lookup, render_with};
use crate::flow::model::{AskKind, Cond, Flow, Op, Step, Terms};

/// Version of the view: 2 is the first report with one (version 1 was the
/// record alone).
pub const VIEW_VERSION: u32 = 2;

/// How the run ended, for the badge and colors.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    Resolved,
    Unresolved,
    Escalate,
    /// A fix failed and was rolled back.
    Failed,
    DryRun,
    /// Cancelled with nothing changed.
    Incomplete,
    /// No outcome: stopped by an error (the record's `error`).
    Stopped,
    /// The run's fixes were undone afterwards (`troubleshoot undo`).
    Undone,
}

impl Status {
    pub fn of(r: &RunRecord) -> Status {
        let rolled_back = r.outcome.as_ref().is_some_and(|o| o.rolled_back) || r.exit_code == 3;
        match r.outcome.as_ref().map(|o| o.outcome.as_str()) {
            _ if r.undo.is_some() => Status::Undone,
            _ if rolled_back => Status::Failed,
            Some("resolved") => Status::Resolved,
            Some("unresolved") => Status::Unresolved,
            Some("escalate") => Status::Escalate,
            Some("dry-run") => Status::DryRun,
            Some("cancelled") => Status::Incomplete,
            Some(_) => Status::Unresolved,
            None if r.error.is_some() => Status::Stopped,
            None => Status::Incomplete,
        }
    }

    pub fn key(self) -> &'static str {
        match self {
            Status::Resolved => "resolved",
            Status::Unresolved => "unresolved",
            Status::Escalate => "escalate",
            Status::Failed => "rolled-back",
            Status::DryRun => "dry-run",
            Status::Incomplete => "incomplete",
            Status::Stopped => "error",
            Status::Undone => "undone",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Status::Resolved => "Resolved",
            Status::Unresolved => "Unresolved",
            Status::Escalate => "Needs support",
            Status::Failed => "Fix failed, rolled back",
            Status::DryRun => "Dry run, nothing changed",
            Status::Incomplete => "Did not finish",
            Status::Stopped => "Stopped by an error",
            Status::Undone => "Fix undone: the store is back as before",
        }
    }

    pub fn emoji(self) -> &'static str {
        match self {
            Status::Resolved => "✅",
            Status::Unresolved => "⚠️",
            Status::Escalate | Status::Failed => "🛑",
            Status::DryRun => "🔎",
            Status::Incomplete => "⏹️",
            Status::Stopped => "🛑",
            Status::Undone => "↩️",
        }
    }

    /// CSS class: `ok`, `warn`, `bad`, `info`.
    pub fn tone(self) -> &'static str {
        match self {
            Status::Resolved => "ok",
            Status::Unresolved | Status::Incomplete => "warn",
            Status::Escalate | Status::Failed | Status::Stopped => "bad",
            Status::DryRun | Status::Undone => "info",
        }
    }
}

/// The report's view of one run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct View {
    /// [`VIEW_VERSION`].
    pub version: u32,
    pub title: String,
    pub status: StatusView,
    /// What was wrong, what was done, the state now, how to undo.
    pub summary: Vec<Sentence>,
    /// The exact command that undoes the run's fixes, when one stays applied.
    pub undo_command: Option<String>,
    pub findings: Vec<FindingView>,
    pub timeline: Vec<StepView>,
    pub fixes: Vec<FixView>,
    pub environment: EnvironmentView,
    /// Where the run ran: operating system, tool, browser and app versions.
    pub host: Vec<Row>,
    /// The flow's graph with the path taken (built-in flows only).
    pub graph: Option<GraphView>,
    pub support: Option<SupportView>,
    pub warnings: Vec<String>,
    /// The run's details: id, flow, times, mode, exit code, redaction.
    pub run: Vec<Row>,
    pub redaction: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct StatusView {
    /// `resolved`, `unresolved`, `escalate`, `rolled-back`, `dry-run`,
    /// `incomplete` or `undone`.
    pub key: String,
    pub label: String,
    /// The outcome's message.
    pub message: String,
}

/// A labelled sentence of the summary.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Sentence {
    pub label: String,
    pub text: String,
}

/// A label and a value.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Row {
    pub label: String,
    pub value: String,
}

fn row(label: &str, value: impl Into<String>) -> Row {
    Row {
        label: label.into(),
        value: value.into(),
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct FindingView {
    pub text: String,
    /// What the evidence showed, one line per store.
    pub evidence: Vec<String>,
}

/// One visited step, in plain words.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct StepView {
    /// `question`, `check`, `fix`, `guide` or `end`.
    pub kind: String,
    /// The question, what was checked, the fix, the guide, or how it ended.
    pub title: String,
    /// The answer, as the option's label (questions and guides).
    pub answer: Option<String>,
    /// What a check found (its conclusion).
    pub found: Option<String>,
    /// Where the run went from here and why (checks), or what became of a fix.
    pub next: Option<String>,
    /// Index into `fixes` of the fix proposed at this step.
    pub fix: Option<usize>,
    /// The time the step took, in words; absent in older records.
    pub took: Option<String>,
    pub duration_ms: Option<u64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct FixView {
    pub title: String,
    /// What became of it, in words.
    pub result: String,
    /// `ok`, `info`, `warn` or `bad`.
    pub tone: String,
    pub risk: String,
    /// The plan, one sentence per change.
    pub plan: Vec<String>,
    /// The backup, and how to undo it or when it was undone.
    pub backup: Option<String>,
}

/// The environment as the scans saw it, before and after the fix.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct EnvironmentView {
    /// The column headings: `["Before the fix", "After the fix"]`, or one.
    pub columns: Vec<String>,
    pub note: Option<String>,
    /// One line per column summing up its scan.
    pub summary: Vec<String>,
    /// Per store (browser profile, desktop app): what each scan saw.
    pub stores: Vec<StoreView>,
    /// The sessions the diagnosis stood on, one row per session.
    pub sessions: Option<Table>,
    /// The heading of `sessions`, in the flow's words ("Workspace sessions").
    pub sessions_title: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct StoreView {
    /// "Chrome, profile Person 1", "<app> desktop app".
    pub place: String,
    pub rows: Vec<CompareRow>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CompareRow {
    pub label: String,
    /// One value per column.
    pub values: Vec<String>,
    /// The values differ between the columns.
    pub changed: bool,
}

/// A table: headers and rows of plain text.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Table {
    pub headers: Vec<String>,
    pub rows: Vec<Vec<String>>,
}

/// The flow's steps and edges, with the path the run took.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct GraphView {
    pub nodes: Vec<NodeView>,
    pub edges: Vec<EdgeView>,
    /// The steps the run went through, in order (indexes into `nodes`).
    pub path: Vec<usize>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct NodeView {
    /// The step id.
    pub id: String,
    /// `ask`, `check`, `fix`, `guide` or `end`.
    pub kind: String,
    /// The step in words (question, check title, fix title, ...).
    pub text: String,
    /// The run went through this step.
    pub visited: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct EdgeView {
    /// Index into `nodes`.
    pub from: usize,
    pub to: usize,
    /// The option or outcome that takes it (empty for a check's cases).
    pub label: String,
    /// The run took this edge.
    pub taken: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SupportView {
    pub title: String,
    pub url: String,
}

/// Build the view of a (redacted) record.
pub fn build(r: &RunRecord, redactions: &[Redaction], include_names: bool) -> View {
    let flow = flow_of(r);
    let ctx = Ctx::new(r, flow.as_ref());
    let status = Status::of(r);
    let fixes: Vec<FixView> = r.fixes.iter().map(|f| fix_view(r, f)).collect();
    View {
        version: VIEW_VERSION,
        title: format!("Troubleshoot report: {}", r.flow_title),
        status: StatusView {
            key: status.key().into(),
            label: status.label().into(),
            message: match (&r.undo, &r.outcome) {
                (Some(u), Some(o)) => format!(
                    "Undone at {}. The run had ended with: {}",
                    u.at,
                    sentence(&o.message)
                ),
                (_, Some(o)) => o.message.clone(),
                (_, None) => unfinished(r, false),
            },
        },
        summary: summary(&ctx),
        undo_command: undo_command(r),
        findings: findings(&ctx),
        timeline: timeline(&ctx),
        fixes,
        environment: environment(r),
        host: host_rows(r),
        graph: flow.as_ref().map(|f| graph(&ctx, f)),
        support: flow
            .as_ref()
            .and_then(|f| f.support.as_ref())
            .map(|s| SupportView {
                title: s.title.clone(),
                url: s.url.clone(),
            }),
        warnings: warnings(r),
        run: run_rows(r, redactions, include_names),
        redaction: redaction_line(redactions, include_names),
    }
}

/// What the texts of one record are rendered with.
struct Ctx<'a> {
    r: &'a RunRecord,
    flow: Option<&'a Flow>,
    /// The facts before the first fix (the diagnosis), and at the end.
    before: Map<String, Value>,
    after: Map<String, Value>,
    /// Index of the first fix visit: steps before it read `before`.
    first_fix: usize,
}

impl<'a> Ctx<'a> {
    fn new(r: &'a RunRecord, flow: Option<&'a Flow>) -> Ctx<'a> {
        let obj = |v: &Value| v.as_object().cloned().unwrap_or_default();
        let after = obj(&r.facts);
        let before = r
            .facts_before_fix
            .as_ref()
            .map(obj)
            .unwrap_or(after.clone());
        let first_fix = r
            .steps
            .iter()
            .position(|v| v.kind == "fix")
            .unwrap_or(r.steps.len());
        Ctx {
            r,
            flow,
            before,
            after,
            first_fix,
        }
    }

    /// The facts as they stood at visit `i` (the nearest snapshot).
    fn facts_at(&self, i: usize) -> (&Map<String, Value>, &Map<String, Value>) {
        if i < self.first_fix {
            (&self.before, &self.after)
        } else {
            (&self.after, &self.before)
        }
    }

    fn get(&self, i: usize, path: &str) -> Option<Value> {
        let (a, b) = self.facts_at(i);
        lookup(a, path).or_else(|| lookup(b, path))
    }

    fn render(&self, i: usize, template: &str) -> String {
        render_with(template, |p| self.get(i, p))
    }

    fn eval(&self, i: usize, cond: &Cond) -> bool {
        Facts(self.facts_at(i).0.clone()).eval(cond)
    }

    fn step(&self, id: &str) -> Option<&'a Step> {
        self.flow.and_then(|f| f.step(id))
    }
}

fn sentence(s: &str) -> String {
    let s = first_upper(s.trim());
    if s.ends_with(['.', '!', '?', ':']) {
        s
    } else {
        format!("{s}.")
    }
}

fn quoted(s: &str) -> String {
    format!("“{}”", s.trim())
}

fn yes_no_word(b: bool) -> &'static str {
    if b { "Yes" } else { "No" }
}

// ---------------------------------------------------------------- summary

fn applied(f: &FixRecord) -> bool {
    f.result.in_effect()
}

fn changed_anything(r: &RunRecord) -> bool {
    r.fixes
        .iter()
        .any(|f| f.result.in_effect() || f.result == FixStatus::Undone)
}

fn undo_command(r: &RunRecord) -> Option<String> {
    (r.undo.is_none() && r.fixes.iter().any(applied)).then(|| {
        r.undo_command
            .clone()
            .unwrap_or_else(|| format!("troubleshoot undo {}", r.run_id))
    })
}

/// Findings of checks that reason on evidence already gathered (no probe of
/// their own) before the first fix: the diagnosis.
fn diagnosis(ctx: &Ctx) -> Vec<String> {
    let r = ctx.r;
    let fix_at = r
        .steps
        .iter()
        .position(|v| v.kind == "fix" || v.kind == "guide")
        .unwrap_or(r.steps.len());
    let diagnosing: Vec<&str> = r.steps[..fix_at]
        .iter()
        .filter(|v| v.kind == "check")
        .filter(|v| match ctx.step(&v.step) {
            Some(Step::Check(c)) => c.probe.is_none() && c.recheck.is_none(),
            _ => false,
        })
        .map(|v| v.step.as_str())
        .collect();
    let mut out: Vec<String> = r
        .findings
        .iter()
        .filter(|f| diagnosing.contains(&f.step.as_str()))
        .map(|f| f.text.clone())
        .collect();
    if out.is_empty() {
        out = r.findings.iter().take(2).map(|f| f.text.clone()).collect();
    }
    out
}

fn summary(ctx: &Ctx) -> Vec<Sentence> {
    let r = ctx.r;
    let mut out = Vec::new();
    let wrong = diagnosis(ctx);
    out.push(Sentence {
        label: "What was wrong".into(),
        text: if wrong.is_empty() {
            "The run did not get as far as a diagnosis.".into()
        } else {
            wrong
                .iter()
                .map(|s| sentence(s))
                .collect::<Vec<_>>()
                .join(" ")
        },
    });

    let mut done: Vec<String> = r.fixes.iter().map(fix_done).collect();
    for (i, v) in r.steps.iter().enumerate() {
        if v.kind == "guide" {
            let (title, prompt) = match ctx.step(&v.step) {
                Some(Step::Guide(g)) => (ctx.render(i, &g.title), Some(ctx.render(i, &g.prompt))),
                _ => (v.step.clone(), None),
            };
            let answer = v
                .answer
                .clone()
                .unwrap_or_else(|| yes_no_word(v.detail.as_deref() == Some("yes")).to_string());
            done.push(format!(
                "You followed the guide {} and answered {} to {}.",
                quoted(&title),
                quoted(&answer),
                quoted(
                    v.question
                        .as_deref()
                        .or(prompt.as_deref())
                        .unwrap_or("Did that work?")
                )
            ));
        }
    }
    if done.is_empty() {
        done.push("No fix was applied and nothing on this machine was changed.".into());
    } else if !changed_anything(r) {
        done.push("Nothing on this machine was changed.".into());
    }
    out.push(Sentence {
        label: "What was done".into(),
        text: done.join(" "),
    });

    let mut now = match (&r.undo, &r.outcome) {
        (Some(u), _) => format!(
            "The fix was undone at {} ({}): the store is as it was before the fix.",
            u.at,
            undo_mode_words(&u.mode)
        ),
        (None, Some(o)) => sentence(&o.message),
        (None, None) => unfinished(r, true),
    };
    if r.undo.is_none()
        && r.facts_before_fix.is_some()
        && r.fixes.iter().any(applied)
        && let Some(s) = scan_summary(&r.facts, r.evidence_ns(), &r.terms)
    {
        now.push_str(&format!(" The scan after the fix found {s}"));
    }
    out.push(Sentence {
        label: "The state now".into(),
        text: now,
    });

    out.push(Sentence {
        label: "How to undo".into(),
        text: match undo_command(r) {
            Some(cmd) => format!("Run `{cmd}` on this machine: it puts back exactly what the fix changed, from its backup."),
            None if r.undo.is_some() => "Already undone.".into(),
            None if r.fixes.iter().any(|f| f.result == FixStatus::RolledBack) => {
                "Nothing to undo: the backup was restored during the run.".into()
            }
            None => "Nothing to undo: nothing was changed.".into(),
        },
    });
    out
}

/// How a run without an outcome ended: the error (after "Stopped by an
/// error: " when `lead`), with the question and the answer it concerns and
/// what to do, or a cancel.
fn unfinished(r: &RunRecord, lead: bool) -> String {
    let Some(e) = &r.error else {
        return "The run ended before reaching an outcome (cancelled).".into();
    };
    let mut s = sentence(&e.message);
    if lead {
        s = format!("Stopped by an error: {s}");
    }
    match (&e.question, &e.answer) {
        (Some(q), Some(a)) => {
            let given = match a {
                Value::String(t) => format!("\"{t}\""),
                other => other.to_string(),
            };
            if !e.message.contains(&given) {
                s.push_str(&format!(" The answer given to question {q} was {given}."));
            }
        }
        (Some(q), None) if !e.message.contains(q.as_str()) => {
            s.push_str(&format!(" It stopped at question {q}."));
        }
        _ => {}
    }
    if let Some(h) = &e.hint {
        s.push_str(&format!(" What to do: {}", sentence(h)));
    }
    s
}

fn undo_mode_words(mode: &str) -> &str {
    match mode {
        "byte-identical" => "files put back byte for byte",
        "logical" => "the exact inverse applied, keeping later changes",
        "forced" => "forced",
        other => other,
    }
}

/// What became of a fix, as one sentence for the summary.
fn fix_done(f: &FixRecord) -> String {
    let t = quoted(&f.title);
    match f.result {
        FixStatus::Verified => format!("The fix {t} was applied and a fresh scan confirmed it."),
        FixStatus::Applied => format!("The fix {t} was applied (not verified by a fresh scan)."),
        FixStatus::Undone => format!("The fix {t} was applied, and undone later."),
        FixStatus::RolledBack => format!(
            "The fix {t} was applied but did not hold on a fresh scan, so its backup was restored."
        ),
        FixStatus::Failed => format!(
            "The fix {t} failed{}; anything it changed was restored.",
            reason_suffix(f)
        ),
        FixStatus::Refused => format!("The fix {t} was not applied{}.", reason_suffix(f)),
        FixStatus::Declined => {
            format!("The fix {t} was proposed and declined, so it was not applied.")
        }
        FixStatus::DryRun => format!("The fix {t} was planned but not applied (dry run)."),
        FixStatus::Cancelled => format!(
            "The fix {t} was proposed and not applied: the run was cancelled at its confirmation."
        ),
    }
}

fn reason_suffix(f: &FixRecord) -> String {
    f.reason
        .as_ref()
        .map(|r| format!(": {}", r.trim_end_matches('.')))
        .unwrap_or_default()
}

// ---------------------------------------------------------------- findings

/// Evidence strings under `value` (a string, a list, or an object of them).
fn evidence_items(v: &Value) -> Vec<String> {
    match v {
        Value::Null => vec![],
        Value::String(s) => vec![s.clone()],
        Value::Array(a) => a.iter().flat_map(evidence_items).collect(),
        Value::Object(m) => m
            .iter()
            .flat_map(|(k, v)| {
                evidence_items(v)
                    .into_iter()
                    .map(|s| format!("{k}: {s}"))
                    .collect::<Vec<_>>()
            })
            .collect(),
        other => vec![text(other)],
    }
}

fn findings(ctx: &Ctx) -> Vec<FindingView> {
    let r = ctx.r;
    let mut shown: Vec<&str> = Vec::new();
    r.findings
        .iter()
        .map(|f| {
            // The evidence a probe left, under the first finding of its step.
            let ns = match ctx.step(&f.step) {
                Some(Step::Check(c)) => c.save_as.clone().unwrap_or_else(|| c.id.clone()),
                _ => f.step.clone(),
            };
            let evidence = if shown.contains(&f.step.as_str()) {
                vec![]
            } else {
                shown.push(&f.step);
                ctx.before
                    .get(&ns)
                    .and_then(|n| n.get("evidence"))
                    .map(evidence_items)
                    .unwrap_or_default()
            };
            FindingView {
                text: f.text.clone(),
                evidence,
            }
        })
        .collect()
}

// ---------------------------------------------------------------- timeline

/// The label before what a step found: none when the text says it itself
/// ("Found 2 sessions"), "Outcome" for the end.
pub fn found_label(step: &StepView) -> Option<&'static str> {
    let text = step.found.as_deref().unwrap_or("");
    if step.kind == "end" {
        Some("Outcome")
    } else if text.starts_with("Found ") || text.starts_with("No ") {
        None
    } else {
        Some("Found")
    }
}

fn kind_word(kind: &str) -> &str {
    match kind {
        "ask" => "question",
        other => other,
    }
}

/// Milliseconds in words: "0.3 s", "12 s", "2 min 5 s".
pub fn took(ms: u64) -> String {
    if ms < 10_000 {
        format!("{:.1} s", ms as f64 / 1000.0)
    } else if ms < 60_000 {
        format!("{} s", ms / 1000)
    } else {
        let s = ms / 1000;
        format!("{} min {} s", s / 60, s % 60)
    }
}

fn timeline(ctx: &Ctx) -> Vec<StepView> {
    let r = ctx.r;
    let mut used = vec![false; r.fixes.len()];
    r.steps
        .iter()
        .enumerate()
        .map(|(i, v)| {
            let step = ctx.step(&v.step);
            let fix = (v.kind == "fix")
                .then(|| {
                    let n = r
                        .fixes
                        .iter()
                        .enumerate()
                        .position(|(n, f)| !used[n] && f.step == v.step)?;
                    used[n] = true;
                    Some(n)
                })
                .flatten();
            let mut view = StepView {
                kind: kind_word(&v.kind).into(),
                title: step_title(ctx, i, step, &v.step, fix),
                answer: None,
                found: None,
                next: None,
                fix,
                took: v.duration_ms.map(took),
                duration_ms: v.duration_ms,
            };
            match v.kind.as_str() {
                "ask" | "guide" => {
                    if let Some(q) = &v.question
                        && v.kind == "ask"
                    {
                        view.title = q.clone();
                    }
                    view.answer = Some(
                        v.answer
                            .clone()
                            .unwrap_or_else(|| answer_words(ctx, i, step, v.detail.as_deref())),
                    );
                    if v.kind == "guide" {
                        let q = v.question.clone().or_else(|| match step {
                            Some(Step::Guide(g)) => Some(ctx.render(i, &g.prompt)),
                            _ => None,
                        });
                        if let Some(q) = q {
                            view.answer =
                                Some(format!("{} {}", q, view.answer.take().unwrap_or_default()));
                        }
                    }
                }
                "check" => {
                    view.found = v.explain.clone();
                    view.next = check_next(ctx, i, step, v.detail.as_deref());
                }
                "fix" => {
                    view.next = Some(fix_result_words(
                        v.detail.as_deref(),
                        fix.map(|n| &r.fixes[n]),
                    ))
                }
                "end" => {
                    view.found = r
                        .outcome
                        .as_ref()
                        .filter(|o| o.step == v.step)
                        .map(|o| o.message.clone())
                }
                _ => {}
            }
            view
        })
        .collect()
}

fn step_title(ctx: &Ctx, i: usize, step: Option<&Step>, id: &str, fix: Option<usize>) -> String {
    if let Some(n) = fix {
        return format!("Fix: {}", ctx.r.fixes[n].title);
    }
    match step {
        Some(Step::Ask(a)) => ctx.render(i, &a.prompt),
        Some(Step::Guide(g)) => format!("Guide: {}", ctx.render(i, &g.title)),
        Some(Step::Check(c)) => match &c.title {
            Some(t) => ctx.render(i, t),
            None => check_words(ctx, i, c),
        },
        Some(Step::Fix(f)) => format!("Fix: {}", ctx.render(i, &f.title)),
        Some(Step::End(e)) => format!("The run ended: {}", outcome_words(e.outcome.name())),
        None => format!("Step {id}"),
    }
}

fn outcome_words(o: &str) -> &str {
    match o {
        "resolved" => "resolved",
        "unresolved" => "not resolved",
        "escalate" => "needs support",
        "dry-run" => "dry run",
        other => other,
    }
}

/// What a check without a title looks at, from the facts its cases test:
/// "the chosen workspace (browser sync)", "your answer to “…”".
fn check_subject(ctx: &Ctx, i: usize, c: &crate::flow::model::Check) -> String {
    let mut facts: Vec<String> = Vec::new();
    for b in &c.branches {
        cond_facts(&b.when, &mut facts);
    }
    // Facts of one subject read as the subject and its fields.
    let mut subjects: Vec<(String, Vec<String>)> = Vec::new();
    for f in &facts {
        let phrase = fact_phrase(ctx, i, f);
        let (subject, field) = match phrase.split_once("'s ") {
            Some((s, f)) if !s.contains('“') => (s.to_string(), Some(f.to_string())),
            _ => (phrase.clone(), None),
        };
        match subjects.iter_mut().find(|(s, _)| *s == subject) {
            Some((_, fields)) => fields.extend(field),
            None => subjects.push((subject, field.into_iter().collect())),
        }
    }
    let parts: Vec<String> = subjects
        .into_iter()
        .map(|(s, fields)| {
            let fields = dedup(fields);
            if fields.is_empty() {
                s
            } else {
                format!("{s} ({})", fields.join(", "))
            }
        })
        .collect();
    if parts.is_empty() {
        "the facts gathered so far".into()
    } else {
        parts.join(" and ")
    }
}

fn check_words(ctx: &Ctx, i: usize, c: &crate::flow::model::Check) -> String {
    format!("Checked {}", check_subject(ctx, i, c))
}

fn dedup(v: Vec<String>) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for s in v {
        if !out.contains(&s) {
            out.push(s);
        }
    }
    out
}

fn cond_facts(c: &Cond, out: &mut Vec<String>) {
    match c {
        Cond::Test {
            fact, value_fact, ..
        } => {
            out.push(fact.clone());
            out.extend(value_fact.clone());
        }
        Cond::All(v) | Cond::Any(v) => v.iter().for_each(|c| cond_facts(c, out)),
        Cond::Not(c) => cond_facts(c, out),
    }
}

/// The answer in words when the record did not keep them: the option's
/// label from the flow, Yes or No, or the text.
fn answer_words(ctx: &Ctx, i: usize, step: Option<&Step>, detail: Option<&str>) -> String {
    let Some(d) = detail else {
        return "no answer".into();
    };
    match step {
        Some(Step::Ask(a)) if a.kind == AskKind::Select => {
            if let Some(c) = a.options.iter().find(|c| c.id == d) {
                return ctx.render(i, &c.label);
            }
            if let Some(from) = &a.options_from
                && let Some(Value::Array(items)) = ctx.get(i, &from.fact)
            {
                let (base, store) = match d.split_once('@') {
                    Some((b, s)) => (b, Some(s)),
                    None => (d.split('#').next().unwrap_or(d), None),
                };
                let hit = items.iter().find(|it| {
                    it.get(&from.id).map(display).as_deref() == Some(base)
                        && store
                            .is_none_or(|s| it.get("store_id").and_then(Value::as_str) == Some(s))
                });
                if let Some(Value::Object(m)) = hit {
                    return render_with(&from.label, |p| lookup(m, p));
                }
            }
            d.to_string()
        }
        Some(Step::Ask(a)) if a.kind == AskKind::Confirm => yes_no_word(d == "yes").to_string(),
        Some(Step::Guide(_)) => yes_no_word(d == "yes").to_string(),
        _ => match d {
            "yes" => "Yes".into(),
            "no" => "No".into(),
            other => other.to_string(),
        },
    }
}

/// Where a check went and why: "Next: …, because …".
fn check_next(ctx: &Ctx, i: usize, step: Option<&Step>, detail: Option<&str>) -> Option<String> {
    let Some(Step::Check(c)) = step else {
        return None;
    };
    let taken = detail
        .and_then(|d| d.strip_prefix("branch "))
        .and_then(|n| n.parse::<usize>().ok())
        .and_then(|n| c.branches.get(n.checked_sub(1)?));
    let (target, why) = match taken {
        Some(b) => (&b.next, Some(describe(ctx, i, &b.when, true))),
        None => {
            let why = (!c.branches.is_empty()).then(|| {
                let failed = dedup(
                    c.branches
                        .iter()
                        .map(|b| describe(ctx, i, &b.when, false))
                        .collect(),
                );
                if failed.len() == 1 {
                    failed.join("")
                } else {
                    format!("none of the other cases held: {}", failed.join("; "))
                }
            });
            (&c.otherwise, why)
        }
    };
    let to = target_words(ctx, i, target);
    Some(match why {
        Some(w) => format!("Next: {to}, because {w}."),
        None => format!("Next: {to}."),
    })
}

/// A step as the destination of a move: "the question “…”".
fn target_words(ctx: &Ctx, i: usize, id: &str) -> String {
    match ctx.step(id) {
        Some(Step::Ask(a)) => format!("the question {}", quoted(&ctx.render(i, &a.prompt))),
        Some(Step::Guide(g)) => format!("the guide {}", quoted(&ctx.render(i, &g.title))),
        Some(Step::Check(c)) => match &c.title {
            Some(t) => quoted(&ctx.render(i, t)),
            None => {
                let subject = check_subject(ctx, i, c);
                // The subject alone: its fields are in that step's own line.
                let subject = match subject.split_once(" (") {
                    Some((s, _)) if !subject.contains(" and ") => s.to_string(),
                    _ => subject,
                };
                format!("a check of {subject}")
            }
        },
        Some(Step::Fix(f)) => format!("the fix {}", quoted(&ctx.render(i, &f.title))),
        Some(Step::End(e)) => format!("the end ({})", outcome_words(e.outcome.name())),
        None => format!("step {id}"),
    }
}

/// Words for a fact path: "your answer to “…”", "the chosen workspace's
/// browser sync", "the scan's number of sessions".
fn fact_phrase(ctx: &Ctx, i: usize, path: &str) -> String {
    let parts: Vec<&str> = path.split('.').collect();
    let field = |rest: &[&str]| {
        // "number of workspaces of its account", not "… of the number".
        let (rest, count) = match rest {
            [head @ .., "len"] if !head.is_empty() => (head, "number of "),
            _ => (rest, ""),
        };
        let words = rest
            .iter()
            .map(|p| field_words(p, &ctx.r.terms))
            .collect::<Vec<_>>()
            .join(" of the ");
        format!("{count}{words}")
    };
    match parts.as_slice() {
        ["answers", q, ..] => match ctx.step(q) {
            Some(Step::Ask(a)) => format!("your answer to {}", quoted(&ctx.render(i, &a.prompt))),
            Some(Step::Guide(g)) => format!("your answer to {}", quoted(&ctx.render(i, &g.prompt))),
            _ => format!("your answer to {}", words(q)),
        },
        ["selected" | "chosen", q] => format!("the chosen {}", words(q)),
        ["selected" | "chosen", q, rest @ ..] => {
            format!("the chosen {}'s {}", words(q), field(rest))
        }
        [ns] => format!("the {}", words(ns)),
        [ns, rest @ ..] => format!("the {}'s {}", words(ns), field(rest)),
        [] => "a fact".into(),
    }
}

fn words(id: &str) -> String {
    id.replace(['_', '-'], " ")
}

fn field_words(f: &str, t: &Terms) -> String {
    match f {
        "session_count" => format!("number of {}", t.sessions),
        "store_sessions" => format!("number of {} in its store", t.sessions),
        "store_accounts" => format!("number of {} in its store", t.accounts),
        "sync_enabled" => "browser sync".into(),
        "linked_accounts" => "linked sign-ins".into(),
        "any_sync" => "browser sync in any profile".into(),
        "max_store_accounts" => format!("largest number of {} in one store", t.accounts),
        "source" => "kind of store".into(),
        "len" => "number".into(),
        "account_workspace_labels" => format!("workspaces of its {}", t.account),
        "signed_in" => "sign-in".into(),
        "signed_out_stores" => "stores without a sign-in".into(),
        "signed_in_accounts" => format!("signed-in {}", t.accounts),
        "unknown_account_stores" => format!("stores whose {} it cannot list", t.accounts),
        "running_stores" => "stores whose program runs".into(),
        "account_key" => t.account.clone(),
        "store_id" => "store".into(),
        other => words(other),
    }
}

/// A condition's value in words: an option's label for answers, on/off for
/// switches, "the desktop app" for a store kind.
fn value_words(ctx: &Ctx, i: usize, fact: &str, v: &Value) -> String {
    let parts: Vec<&str> = fact.split('.').collect();
    if let ["answers", q] = parts.as_slice()
        && let (Some(Step::Ask(a)), Some(s)) = (ctx.step(q), v.as_str())
        && let Some(c) = a.options.iter().find(|c| c.id == s)
    {
        return quoted(&ctx.render(i, &c.label));
    }
    let last = parts.last().copied().unwrap_or("");
    match (last, v) {
        (l, Value::Bool(b)) if l.contains("sync") || l.contains("enabled") => {
            if *b { "on" } else { "off" }.into()
        }
        ("source", Value::String(s)) if s == "desktop" => "the desktop app".into(),
        ("source", Value::String(s)) if s == "browser" => "a browser profile".into(),
        (_, Value::Array(a)) => a
            .iter()
            .map(|x| value_words(ctx, i, fact, x))
            .collect::<Vec<_>>()
            .join(", "),
        (_, other) => display(other),
    }
}

/// A condition in words, as it held (`holds`) or failed at visit `i`.
fn describe(ctx: &Ctx, i: usize, c: &Cond, holds: bool) -> String {
    match c {
        Cond::All(v) if holds => v
            .iter()
            .map(|c| describe(ctx, i, c, true))
            .collect::<Vec<_>>()
            .join(" and "),
        // Not all held: name those that failed.
        Cond::All(v) => {
            let failed: Vec<String> = v
                .iter()
                .filter(|c| !ctx.eval(i, c))
                .map(|c| describe(ctx, i, c, false))
                .collect();
            if failed.is_empty() {
                v.iter()
                    .map(|c| describe(ctx, i, c, false))
                    .collect::<Vec<_>>()
                    .join(" or ")
            } else {
                failed.join(" and ")
            }
        }
        Cond::Any(v) if holds => {
            let held: Vec<String> = v
                .iter()
                .filter(|c| ctx.eval(i, c))
                .map(|c| describe(ctx, i, c, true))
                .collect();
            if held.is_empty() {
                v.iter()
                    .map(|c| describe(ctx, i, c, true))
                    .collect::<Vec<_>>()
                    .join(" or ")
            } else {
                held.join(" and ")
            }
        }
        Cond::Any(v) => v
            .iter()
            .map(|c| describe(ctx, i, c, false))
            .collect::<Vec<_>>()
            .join(" and "),
        Cond::Not(c) => describe(ctx, i, c, !holds),
        Cond::Test {
            fact,
            op,
            value,
            value_fact,
        } => {
            let looked_up = value_fact
                .as_ref()
                .map(|vf| ctx.get(i, vf).unwrap_or_default());
            let value = looked_up.as_ref().unwrap_or(value);
            let p = fact_phrase(ctx, i, fact);
            let v = value_words(ctx, i, fact, value);
            let actual = ctx.get(i, fact).filter(|a| !a.is_null());
            let is = |a: &Value| format!(" (it is {})", value_words(ctx, i, fact, a));
            // The value is only quoted when the snapshot at hand agrees with
            // the way the case went (a later scan may have changed it).
            let agrees = crate::flow::facts::compare(actual.as_ref(), *op, value) == holds;
            let note = actual
                .as_ref()
                .filter(|_| agrees)
                .map(is)
                .unwrap_or_default();
            let want = value.as_bool().unwrap_or(true);
            match (op, holds) {
                (Op::Eq, true) | (Op::Ne, false) => format!("{p} is {v}"),
                (Op::Eq, false) | (Op::Ne, true) => format!("{p} is not {v}{note}"),
                (Op::Lt, true) => format!("{p} is less than {v}{note}"),
                (Op::Lt, false) => format!("{p} is not less than {v}{note}"),
                (Op::Le, true) => format!("{p} is at most {v}{note}"),
                (Op::Le, false) => format!("{p} is more than {v}{note}"),
                (Op::Gt, true) => format!("{p} is more than {v}{note}"),
                (Op::Gt, false) => format!("{p} is not more than {v}{note}"),
                (Op::Ge, true) => format!("{p} is at least {v}{note}"),
                (Op::Ge, false) => format!("{p} is less than {v}{note}"),
                (Op::In, true) => format!("{p} is one of {v}{note}"),
                (Op::In, false) => format!("{p} is none of {v}{note}"),
                (Op::Contains, true) => format!("{p} includes {v}"),
                (Op::Contains, false) => format!("{p} does not include {v}"),
                (Op::Exists, h) => {
                    let found = h == want;
                    let chosen = fact.starts_with("selected.") && fact.matches('.').count() == 1;
                    match (found, chosen) {
                        (true, true) => format!("{p} is still there"),
                        (false, true) => format!("{p} is gone"),
                        (true, false) => format!("{p} is known{note}"),
                        (false, false) => format!("{p} is not known"),
                    }
                }
                (Op::Truthy, h) => {
                    if h == want {
                        match &actual {
                            Some(a) => format!("{p}: {}", value_words(ctx, i, fact, a)),
                            None => format!("{p} is set"),
                        }
                    } else {
                        format!("{p}: none")
                    }
                }
            }
        }
    }
}

fn fix_result_words(detail: Option<&str>, fix: Option<&FixRecord>) -> String {
    let d = detail.unwrap_or("");
    let mut s = match d {
        "applied, verified" => "Applied, and a fresh scan confirmed it.".to_string(),
        "applied" => "Applied.".to_string(),
        "declined" => "Declined: nothing was changed.".to_string(),
        "dry-run" => "Dry run: planned, not applied.".to_string(),
        "verify failed, rolled back" => {
            "Applied, but it did not hold on a fresh scan: the backup was restored.".to_string()
        }
        d if d.starts_with("failed: ") => format!("Failed: {}", sentence(&d["failed: ".len()..])),
        d if d.starts_with("refused: ") => {
            format!("Not applied: {}", sentence(&d["refused: ".len()..]))
        }
        other => sentence(other),
    };
    if fix.is_some_and(|f| f.result == FixStatus::Undone) {
        s.push_str(" Undone later with `troubleshoot undo`.");
    }
    s
}

// ---------------------------------------------------------------- fixes

/// Tone of a fix result.
pub fn fix_tone(result: FixStatus) -> &'static str {
    match result {
        FixStatus::Applied | FixStatus::Verified => "ok",
        FixStatus::DryRun | FixStatus::Undone => "info",
        FixStatus::Refused | FixStatus::Declined | FixStatus::Cancelled => "warn",
        FixStatus::RolledBack | FixStatus::Failed => "bad",
    }
}

fn result_label(result: FixStatus) -> String {
    match result {
        FixStatus::Verified => "applied and verified",
        FixStatus::Applied => "applied",
        FixStatus::Undone => "applied, then undone",
        FixStatus::RolledBack => "rolled back",
        FixStatus::Failed => "failed",
        FixStatus::Refused => "refused",
        FixStatus::Declined => "declined",
        FixStatus::DryRun => "dry run: not applied",
        FixStatus::Cancelled => "cancelled at the confirmation: not applied",
    }
    .to_string()
}

fn fix_view(r: &RunRecord, f: &FixRecord) -> FixView {
    let mut result = result_label(f.result);
    if let Some(reason) = &f.reason {
        result.push_str(&format!(": {reason}"));
    }
    FixView {
        title: f.title.clone(),
        result,
        tone: fix_tone(f.result).into(),
        risk: f.risk.to_string(),
        plan: plan_sentences(&f.plan),
        backup: backup_line(r, f),
    }
}

fn strings(v: Option<&Value>) -> Vec<String> {
    match v {
        Some(Value::Array(a)) => a
            .iter()
            .map(|x| match x {
                Value::String(s) => s.clone(),
                Value::Object(m) => m
                    .get("path")
                    .or_else(|| m.get("from"))
                    .map(text)
                    .unwrap_or_else(|| x.to_string()),
                other => text(other),
            })
            .collect(),
        Some(Value::String(s)) => vec![s.clone()],
        _ => vec![],
    }
}

fn count(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// A fix's plan in sentences: its steps, what is backed up first, what it
/// waits for. Empty lists say nothing.
pub fn plan_sentences(plan: &Value) -> Vec<String> {
    let Some(m) = plan.as_object() else {
        return match plan {
            Value::Null => vec![],
            other => vec![sentence(&text(other))],
        };
    };
    let mut out: Vec<String> = strings(m.get("steps"))
        .iter()
        .map(|s| sentence(s))
        .collect();
    let store = m
        .get("store_path")
        .or_else(|| m.get("store"))
        .and_then(Value::as_str);
    if out.is_empty() {
        // No steps recorded: say the changes from the lists.
        let keys = strings(m.get("keys"));
        if !keys.is_empty() {
            out.push(format!(
                "Delete the Local Storage {} {}{}.",
                if keys.len() == 1 { "key" } else { "keys" },
                keys.join(", "),
                store.map(|s| format!(" in {s}")).unwrap_or_default()
            ));
        }
        let cookies = strings(m.get("cookies"));
        if !cookies.is_empty() {
            out.push(format!("Delete the cookies named {}.", cookies.join(", ")));
        }
        if let Some(Value::Array(moves)) = m.get("moves") {
            for mv in moves {
                if let Some([from, to]) = mv.as_array().map(Vec::as_slice) {
                    out.push(format!("Move {} aside to {}.", text(from), text(to)));
                }
            }
        }
    }
    let files = strings(m.get("files").or_else(|| m.get("backup")));
    if !files.is_empty() {
        let names: Vec<String> = files
            .iter()
            .map(|f| match store.and_then(|s| f.strip_prefix(s)) {
                Some(rest) => rest.trim_start_matches(['/', '\\']).to_string(),
                None => f.clone(),
            })
            .collect();
        out.push(match store {
            Some(s) => format!(
                "Back up {} of {s} first: {}.",
                count(files.len(), "file", "files"),
                names.join(", ")
            ),
            None => format!(
                "Back up {} first: {}.",
                count(files.len(), "file", "files"),
                names.join(", ")
            ),
        });
    }
    if let Some(owner) = m
        .get("owner")
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty())
    {
        out.push(format!(
            "Refuse to change anything while {owner} is running or holds the store's lock."
        ));
    } else if let Some(w) = m.get("refuses_while").and_then(Value::as_str) {
        out.push(format!("Refuse to change anything while {w}."));
    }
    out
}

/// "undone at <time> (byte-identical)".
pub fn undo_line(u: &crate::report::UndoRecord) -> String {
    format!("undone at {} ({})", u.at, undo_mode_words(&u.mode))
}

/// The fix's backup, with how to undo it (or when it was undone).
fn backup_line(r: &RunRecord, f: &FixRecord) -> Option<String> {
    f.backup_id.as_ref().map(|b| match &r.undo {
        Some(u) if f.result == FixStatus::Undone => format!("Backup {b}, {}.", undo_line(u)),
        _ if f.result == FixStatus::RolledBack => format!("Backup {b}, restored during the run."),
        _ => format!(
            "Backup {b}; undo with `{}`.",
            r.undo_command
                .clone()
                .unwrap_or_else(|| format!("troubleshoot undo {}", r.run_id))
        ),
    })
}

// ---------------------------------------------------------------- environment

/// A JSON value as one line of text.
pub fn text(v: &Value) -> String {
    match v {
        Value::Null => "—".into(),
        Value::String(s) => s.clone(),
        Value::Bool(b) => yes_no(*b).into(),
        Value::Number(n) => n.to_string(),
        Value::Array(a) if a.is_empty() => "none".into(),
        Value::Array(a) => a.iter().map(text).collect::<Vec<_>>().join(", "),
        Value::Object(_) => v.to_string(),
    }
}

pub fn yes_no(b: bool) -> &'static str {
    if b { "yes" } else { "no" }
}

fn field(v: &Value, key: &str) -> String {
    v.get(key).map(text).unwrap_or_else(|| "—".into())
}

/// The session evidence in `facts`: the namespace `ns` the record says the
/// `app-sessions` probe filled ([`RunRecord::evidence_ns`]), whatever the
/// flow named its check.
fn scan_of<'v>(facts: &'v Value, ns: &str) -> Option<&'v Value> {
    facts.get(ns).filter(|s| s.is_object())
}

/// One line summing up a scan ("2 workspace sessions across …").
fn scan_summary(facts: &Value, ns: &str, terms: &Terms) -> Option<String> {
    let s = scan_of(facts, ns)?;
    let sessions = s.get("session_count").and_then(Value::as_u64).unwrap_or(0);
    let browsers = s
        .get("browsers")
        .and_then(Value::as_array)
        .map_or(0, Vec::len);
    let desktop = s
        .pointer("/desktop_app/installed")
        .and_then(Value::as_bool)
        .unwrap_or(false);
    let sync = s.get("any_sync").and_then(Value::as_bool).unwrap_or(false);
    Some(format!(
        "{} across {}{}; browser sync {}.",
        count(sessions as usize, &terms.session, &terms.sessions),
        count(browsers, "browser profile", "browser profiles"),
        if desktop { " and the desktop app" } else { "" },
        if sync {
            "on in at least one profile"
        } else {
            "off"
        },
    ))
}

/// A store as one scan saw it: (id, place, rows of label and value).
type StoreRows = (String, String, Vec<(String, String)>);

/// The stores a scan saw, each with its rows of values.
fn stores_of(facts: &Value, ns: &str, terms: &Terms) -> Vec<StoreRows> {
    let Some(s) = scan_of(facts, ns) else {
        return vec![];
    };
    let sessions: &[Value] = s
        .get("sessions")
        .and_then(Value::as_array)
        .map_or(&[], Vec::as_slice);
    let workspaces = |pred: &dyn Fn(&Value) -> bool| {
        let names: Vec<String> = sessions
            .iter()
            .filter(|x| pred(x))
            .map(|x| {
                x.get(WORKSPACE_LABEL)
                    .or_else(|| x.get(WORKSPACE_NAME))
                    .or_else(|| x.get(WORKSPACE_ID))
                    .map(text)
                    .unwrap_or_default()
            })
            .collect();
        if names.is_empty() {
            "0".to_string()
        } else {
            format!("{} ({})", names.len(), names.join(", "))
        }
    };
    let accounts = |v: &Value| match v.get("accounts") {
        Some(Value::Number(n)) => n.to_string(),
        _ => "unknown".into(),
    };
    let sessions_label = first_upper(&terms.sessions);
    let accounts_label = first_upper(&terms.accounts);
    let mut out = Vec::new();
    for b in s
        .get("browsers")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let id = format!("{}/{}", field(b, "browser_id"), field(b, "profile_dir"));
        let place = format!("{}, profile {}", field(b, "browser"), field(b, "profile"));
        let rows = vec![
            (
                sessions_label.clone(),
                workspaces(&|x| x.get("store_id").and_then(Value::as_str) == Some(id.as_str())),
            ),
            (accounts_label.clone(), accounts(b)),
            (
                "Browser sync".into(),
                if b.get("sync_enabled").and_then(Value::as_bool) == Some(true) {
                    "on".into()
                } else {
                    "off".into()
                },
            ),
            ("Running".into(), field(b, "running")),
            ("Linked sign-ins".into(), field(b, "linked_accounts")),
            ("Cookies (names)".into(), field(b, APP_COOKIES)),
            ("Folder".into(), field(b, "path")),
        ];
        out.push((id, place, rows));
    }
    if let Some(d) = s.get("desktop_app") {
        let installed = d.get("installed").and_then(Value::as_bool).unwrap_or(false);
        let rows = if installed {
            vec![
                (
                    sessions_label.clone(),
                    workspaces(&|x| x.get("source").and_then(Value::as_str) == Some("desktop")),
                ),
                (accounts_label.clone(), accounts(d)),
                ("Running".into(), field(d, "running")),
                ("Linked sign-ins".into(), field(d, "linked_accounts")),
                ("Cookies (names)".into(), field(d, APP_COOKIES)),
                ("Folder".into(), field(d, "data_dir")),
                (
                    "Size".into(),
                    d.get("size_bytes")
                        .and_then(Value::as_u64)
                        .map(bytes)
                        .unwrap_or_else(|| "—".into()),
                ),
            ]
        } else {
            vec![("Installed".into(), "no".to_string())]
        };
        let app = sessions
            .iter()
            .find(|x| x.get("source").and_then(Value::as_str) == Some("desktop"))
            .and_then(|x| x.get("browser").and_then(Value::as_str))
            .map_or_else(|| "Desktop app".to_string(), |a| format!("{a} desktop app"));
        out.push(("desktop".into(), app, rows));
    }
    out
}

fn environment(r: &RunRecord) -> EnvironmentView {
    let fixed = r.fixes.iter().any(|f| {
        matches!(
            f.result,
            FixStatus::Applied | FixStatus::Verified | FixStatus::RolledBack | FixStatus::Undone
        )
    });
    let (columns, snapshots, note): (Vec<String>, Vec<&Value>, Option<String>) =
        match (&r.facts_before_fix, fixed) {
            (Some(before), true) => (
                vec![
                    "Before the fix".into(),
                    if r.undo.is_some() {
                        "After the fix (before the undo)".into()
                    } else {
                        "After the fix".into()
                    },
                ],
                vec![before, &r.facts],
                None,
            ),
            (None, true) => (
                vec!["After the fix".into()],
                vec![&r.facts],
                Some("This record kept no scan from before the fix: these values are from the last scan of the run, after the fix.".into()),
            ),
            (before, false) => (
                vec!["Found".into()],
                vec![before.as_ref().unwrap_or(&r.facts)],
                None,
            ),
        };
    let summary = snapshots
        .iter()
        .map(|f| scan_summary(f, r.evidence_ns(), &r.terms).unwrap_or_else(|| "No scan.".into()))
        .collect();
    // Every store any scan saw, in the order first seen.
    let per: Vec<Vec<StoreRows>> = snapshots
        .iter()
        .map(|f| stores_of(f, r.evidence_ns(), &r.terms))
        .collect();
    let mut ids: Vec<(String, String)> = Vec::new();
    for stores in &per {
        for (id, place, _) in stores {
            if !ids.iter().any(|(i, _)| i == id) {
                ids.push((id.clone(), place.clone()));
            }
        }
    }
    let stores = ids
        .into_iter()
        .map(|(id, place)| {
            let mut labels: Vec<&str> = Vec::new();
            for stores in &per {
                if let Some((_, _, rows)) = stores.iter().find(|(i, _, _)| *i == id) {
                    for (l, _) in rows {
                        if !labels.contains(&l.as_str()) {
                            labels.push(l);
                        }
                    }
                }
            }
            let rows = labels
                .into_iter()
                .map(|l| {
                    let values: Vec<String> = per
                        .iter()
                        .map(|stores| {
                            stores.iter().find(|(i, _, _)| *i == id).map_or(
                                "not found".to_string(),
                                |(_, _, rows)| {
                                    rows.iter()
                                        .find(|(k, _)| *k == l)
                                        .map_or("—".into(), |(_, v)| v.clone())
                                },
                            )
                        })
                        .collect();
                    let changed = values.windows(2).any(|w| w[0] != w[1]);
                    CompareRow {
                        label: l.into(),
                        values,
                        changed,
                    }
                })
                .collect();
            StoreView { place, rows }
        })
        .collect();
    EnvironmentView {
        columns,
        note,
        summary,
        stores,
        sessions: sessions_table(snapshots[0], r.evidence_ns(), &r.terms),
        sessions_title: first_upper(&r.terms.sessions),
    }
}

fn sessions_table(facts: &Value, ns: &str, terms: &Terms) -> Option<Table> {
    let sessions = scan_of(facts, ns)?.get("sessions")?.as_array()?;
    if sessions.is_empty() {
        return None;
    }
    let rows = sessions
        .iter()
        .map(|s| {
            let where_ = match s.get("source").and_then(Value::as_str) {
                Some("desktop") => format!("{} desktop app", field(s, "browser")),
                _ => format!("{}, profile {}", field(s, "browser"), field(s, "profile")),
            };
            let id = field(s, WORKSPACE_ID);
            let workspace = match s.get(WORKSPACE_NAME).and_then(Value::as_str) {
                Some(name) if name != id => format!("{name} ({id})"),
                _ => id,
            };
            let accounts = match s.get("store_accounts") {
                Some(Value::Number(n)) => n.to_string(),
                _ => "unknown".into(),
            };
            vec![
                where_,
                workspace,
                field(s, "user_id"),
                field(s, "store_sessions"),
                accounts,
                if s.get("sync_enabled").and_then(Value::as_bool) == Some(true) {
                    "on".into()
                } else {
                    "off".into()
                },
                field(s, "linked_accounts"),
            ]
        })
        .collect();
    Some(Table {
        headers: vec![
            "Where".into(),
            first_upper(&terms.workspace),
            first_upper(&terms.account),
            format!("{} in its store", first_upper(&terms.sessions)),
            format!("{} in its store", first_upper(&terms.accounts)),
            "Browser sync".into(),
            "Linked sign-ins".into(),
        ],
        rows,
    })
}

fn bytes(n: u64) -> String {
    const UNITS: [&str; 4] = ["KiB", "MiB", "GiB", "TiB"];
    if n < 1024 {
        return format!("{n} B");
    }
    let mut v = n as f64;
    let mut unit = "B";
    for u in UNITS {
        if v < 1024.0 {
            break;
        }
        v /= 1024.0;
        unit = u;
    }
    format!("{v:.1} {unit}")
}

// ---------------------------------------------------------------- host, run

fn host_rows(r: &RunRecord) -> Vec<Row> {
    let mut rows = Vec::new();
    match &r.host {
        Some(h) => {
            let mut os = h.os.clone();
            if let Some(v) = &h.os_version {
                os.push(' ');
                os.push_str(v);
            }
            let mut extra = Vec::new();
            if let Some(k) = &h.kernel {
                extra.push(format!("kernel {k}"));
            }
            extra.push(h.arch.clone());
            rows.push(row(
                "Operating system",
                format!("{os} ({})", extra.join(", ")),
            ));
        }
        None => rows.push(row(
            "Operating system",
            "not recorded (a record from an older version)",
        )),
    }
    rows.push(row("Tool", format!("troubleshoot {}", r.tool_version)));
    rows.push(row(
        "Home inspected",
        format!("{} ({} folder layout)", r.root, r.layout),
    ));
    if let Some(h) = &r.host {
        for p in h.browsers.iter().chain(&h.desktop_app) {
            rows.push(row(
                &p.name,
                match &p.version {
                    Some(v) => format!("{v} (from {})", p.source),
                    None => format!("version unknown ({})", p.source),
                },
            ));
        }
    }
    rows
}

fn run_rows(r: &RunRecord, redactions: &[Redaction], include_names: bool) -> Vec<Row> {
    let mut rows = vec![
        row("Run", r.run_id.clone()),
        row("Flow", format!("{} ({})", r.flow_title, r.flow_id)),
        row("Flow sha256", r.flow_hash.clone()),
        row("Started", r.started_at.clone()),
        row("Finished", r.finished_at.clone()),
    ];
    if let Some(d) = duration(&r.started_at, &r.finished_at) {
        rows.push(row("Duration", d));
    }
    rows.push(row(
        "Mode",
        if r.dry_run {
            "dry run (nothing changed)"
        } else {
            "fixes allowed (with consent)"
        },
    ));
    rows.push(row(
        "Exit code",
        format!("{} ({})", r.exit_code, exit_meaning(r.exit_code)),
    ));
    if let Some(u) = &r.undo {
        rows.push(row("Undone", undo_line(u)));
    }
    rows.push(row("Redaction", redaction_line(redactions, include_names)));
    rows
}

pub fn redaction_line(redactions: &[Redaction], include_names: bool) -> String {
    let n: usize = redactions.len();
    if include_names {
        "off: names, ids and e-mails included on request; home folder shown as ~".into()
    } else if n == 0 {
        "on: nothing personal found".into()
    } else {
        let mut kinds: Vec<String> = Vec::new();
        let mut last = None;
        for r in redactions {
            if last != Some(r.kind) {
                let count = redactions.iter().filter(|x| x.kind == r.kind).count();
                let label = if r.label.is_empty() {
                    r.kind.label(&Terms::default())
                } else {
                    r.label.clone()
                };
                kinds.push(format!("{count} {}", plural(&label, count)));
                last = Some(r.kind);
            }
        }
        format!("on: {} replaced by pseudonyms", kinds.join(", "))
    }
}

fn plural(label: &str, n: usize) -> String {
    if n == 1 || label == "home folder" {
        label.to_string()
    } else if let Some(stem) = label.strip_suffix("ss") {
        format!("{stem}sses")
    } else {
        format!("{label}s")
    }
}

fn exit_meaning(code: u8) -> &'static str {
    match code {
        0 => "resolved or nothing wrong",
        1 => "problem remains",
        2 => "usage, flow or input error",
        3 => "a fix failed and was rolled back",
        130 => "cancelled",
        _ => "unknown",
    }
}

fn duration(start: &str, end: &str) -> Option<String> {
    let a = humantime::parse_rfc3339_weak(start).ok()?;
    let b = humantime::parse_rfc3339_weak(end).ok()?;
    let d = b.duration_since(a).ok()?;
    Some(humantime::format_duration(std::time::Duration::from_secs(d.as_secs())).to_string())
}

/// Warnings of the run and of its scan, without duplicates.
fn warnings(r: &RunRecord) -> Vec<String> {
    let mut out: Vec<String> = r
        .warnings
        .iter()
        .map(|w| format!("{}: {}", w.path, w.reason))
        .collect();
    let scan = r.facts_before_fix.as_ref().unwrap_or(&r.facts);
    if let Some(list) = scan_of(scan, r.evidence_ns())
        .and_then(|s| s.get("warnings"))
        .and_then(Value::as_array)
    {
        for w in list {
            let line = format!("{}: {}", field(w, "path"), field(w, "reason"));
            if !out.contains(&line) {
                out.push(line);
            }
        }
    }
    out
}

// ---------------------------------------------------------------- graph

fn graph(ctx: &Ctx, flow: &Flow) -> GraphView {
    let r = ctx.r;
    let end = r.steps.len();
    let visited: Vec<&str> = r.steps.iter().map(|v| v.step.as_str()).collect();
    let nodes = flow
        .steps
        .iter()
        .map(|s| NodeView {
            id: s.id().to_string(),
            kind: s.kind().to_string(),
            text: match s {
                Step::Ask(a) => ctx.render(end, &a.prompt),
                Step::Check(c) => match &c.title {
                    Some(t) => ctx.render(end, t),
                    None => check_words(ctx, end, c),
                },
                Step::Fix(f) => ctx.render(end, &f.title),
                Step::Guide(g) => ctx.render(end, &g.title),
                Step::End(e) => format!("end: {}", outcome_words(e.outcome.name())),
            },
            visited: visited.contains(&s.id()),
        })
        .collect();
    let index = |id: &str| flow.steps.iter().position(|s| s.id() == id);
    let all = crate::flow::graph::edge_list(flow);
    // The edge each move took: among the edges between the two steps, the
    // one whose label the visit's detail names (an option, yes/no, a case,
    // a fix outcome).
    let mut taken = vec![false; all.len()];
    for w in r.steps.windows(2) {
        let (Some(a), Some(b)) = (index(&w[0].step), index(&w[1].step)) else {
            continue;
        };
        let d = w[0].detail.as_deref().unwrap_or("");
        let want = match w[0].kind.as_str() {
            "fix" if d.starts_with("applied") => "success",
            "fix" if d.starts_with("refused") => "refused",
            "fix" if d == "declined" => "declined",
            "fix" => "failure",
            _ => d,
        };
        let between: Vec<usize> = (0..all.len())
            .filter(|&k| all[k].0 == a && all[k].1 == b)
            .collect();
        let pick = between
            .iter()
            .find(|&&k| all[k].2 == want)
            .or_else(|| between.iter().find(|&&k| all[k].2.starts_with("each ")))
            .or(between.first());
        if let Some(&k) = pick {
            taken[k] = true;
        }
    }
    let mut edges: Vec<EdgeView> = Vec::new();
    for (k, (from, to, label)) in all.into_iter().enumerate() {
        // A check's cases are conditions, drawn without words.
        let label = if matches!(flow.steps[from], Step::Check(_)) || label.starts_with("each ") {
            String::new()
        } else {
            label
        };
        // Two cases leading to the same step are one line in the picture.
        match edges
            .iter_mut()
            .find(|e| e.from == from && e.to == to && e.label == label)
        {
            Some(e) => e.taken |= taken[k],
            None => edges.push(EdgeView {
                from,
                to,
                label,
                taken: taken[k],
            }),
        }
    }
    let path = r.steps.iter().filter_map(|v| index(&v.step)).collect();
    GraphView { nodes, edges, path }
}

// ---------------------------------------------------------------- inline code

/// `s` cut into text and code: a pair of backticks around a command
/// (`troubleshoot …` or an option `--…` of plain shell characters) is code,
/// shown as such by each format; any other backtick is text.
pub fn spans(s: &str) -> Vec<(bool, &str)> {
    let mut out = Vec::new();
    let mut rest = s;
    let mut text_start = 0usize;
    let base = s.as_ptr() as usize;
    while let Some(open) = rest.find('`') {
        let after = &rest[open + 1..];
        let Some(close) = after.find('`') else { break };
        let inner = &after[..close];
        let at = rest.as_ptr() as usize - base + open;
        if command_like(inner) {
            if at > text_start {
                out.push((false, &s[text_start..at]));
            }
            out.push((true, inner));
            text_start = at + 1 + close + 1;
            rest = &s[text_start..];
        } else {
            rest = &rest[open + 1..];
        }
    }
    if text_start < s.len() {
        out.push((false, &s[text_start..]));
    }
    out
}

/// Whether a backticked span is a command. `<` and `>` are allowed for the
/// placeholder a redacted report puts for the state folder
/// (`--state-dir '<state folder>'`); the HTML escapes them.
fn command_like(s: &str) -> bool {
    (s.starts_with("troubleshoot") || s.starts_with("--"))
        && s.len() <= 300
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || " ._/:=@,+-'~\\<>".contains(c))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_redacted_undo_command_is_code() {
        let cmd = "troubleshoot undo x --state-dir '<state folder>'";
        assert_eq!(
            spans(&format!("Run `{cmd}` on this machine")),
            [(false, "Run "), (true, cmd), (false, " on this machine")]
        );
    }

    #[test]
    fn commands_in_backticks_are_code() {
        assert_eq!(
            spans("Run `troubleshoot undo x --state-dir /tmp/a` now"),
            [
                (false, "Run "),
                (true, "troubleshoot undo x --state-dir /tmp/a"),
                (false, " now")
            ]
        );
        assert_eq!(spans("a `<b>` c"), [(false, "a `<b>` c")]);
        assert_eq!(
            spans("`x` then `troubleshoot`"),
            [(false, "`x` then "), (true, "troubleshoot")]
        );
        assert_eq!(spans("odd ` tick"), [(false, "odd ` tick")]);
    }

    #[test]
    fn durations_read_as_words() {
        assert_eq!(took(340), "0.3 s");
        assert_eq!(took(12_400), "12 s");
        assert_eq!(took(125_000), "2 min 5 s");
    }
}
