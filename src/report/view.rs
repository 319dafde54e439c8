//! What the Markdown and HTML reports show, taken from a (redacted) record:
//! status, summary rows, environment tables, timeline entries with evidence,
//! fixes with their plans. Plain strings here; each format escapes them.

use serde_json::Value;

use super::record::{FixRecord, RunRecord};
use super::redact::Redaction;

/// How the run ended, for the badge and colors.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    Resolved,
    Unresolved,
    Escalate,
    /// A fix failed and was rolled back.
    Failed,
    DryRun,
    /// No outcome: cancelled or stopped by an error.
    Incomplete,
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
            None => Status::Incomplete,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Status::Resolved => "Resolved",
            Status::Unresolved => "Unresolved",
            Status::Escalate => "Needs support (escalate)",
            Status::Failed => "Fix failed, rolled back",
            Status::DryRun => "Dry run, nothing changed",
            Status::Incomplete => "Did not finish",
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
            Status::Undone => "↩️",
        }
    }

    /// CSS class: `ok`, `warn`, `bad`, `info`.
    pub fn tone(self) -> &'static str {
        match self {
            Status::Resolved => "ok",
            Status::Unresolved | Status::Incomplete => "warn",
            Status::Escalate | Status::Failed => "bad",
            Status::DryRun | Status::Undone => "info",
        }
    }
}

/// Tone of a fix result.
pub fn fix_tone(result: &str) -> &'static str {
    match result {
        "applied" | "verified" => "ok",
        "dry-run" | "undone" => "info",
        "refused" | "declined" => "warn",
        _ => "bad",
    }
}

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

/// Evidence strings under `value` (a string, a list, or an object of them).
fn evidence_items(v: &Value) -> Vec<String> {
    match v {
        Value::Null => vec![],
        Value::String(s) => vec![s.clone()],
        Value::Array(a) => a.iter().flat_map(evidence_items).collect(),
        Value::Object(m) => m
            .iter()
            .flat_map(|(k, v)| match v {
                Value::String(s) => vec![format!("{k}: {s}")],
                other => evidence_items(other)
                    .into_iter()
                    .map(|s| format!("{k}: {s}"))
                    .collect(),
            })
            .collect(),
        other => vec![text(other)],
    }
}

/// Evidence a check step's probe left (the facts it saved under its step id).
pub fn evidence(r: &RunRecord, step: &str) -> Vec<String> {
    diagnosis_facts(r)
        .get(step)
        .and_then(|ns| ns.get("evidence"))
        .map(evidence_items)
        .unwrap_or_default()
}

/// The facts the diagnosis stood on: the snapshot taken before the first
/// fix when there is one, else the run's facts.
fn diagnosis_facts(r: &RunRecord) -> &Value {
    r.facts_before_fix.as_ref().unwrap_or(&r.facts)
}

/// The facts shown are the last probe's: without a snapshot from before the
/// fix, they show the state after it.
pub fn facts_after_fix(r: &RunRecord) -> bool {
    r.facts_before_fix.is_none()
        && r.fixes
            .iter()
            .any(|f| matches!(f.result.as_str(), "applied" | "verified" | "rolled-back"))
}

/// Label of evidence lists.
pub fn evidence_label(r: &RunRecord) -> &'static str {
    if facts_after_fix(r) {
        "Evidence (from the last scan, after the fix)"
    } else {
        "Evidence"
    }
}

/// A note above the environment tables, when they show the state after a fix.
pub fn environment_note(r: &RunRecord) -> Option<&'static str> {
    facts_after_fix(r).then_some("As found by the last scan of the run, after the fix was applied.")
}

/// Key/value rows describing the run.
pub fn summary(
    r: &RunRecord,
    redactions: &[Redaction],
    include_names: bool,
) -> Vec<(&'static str, String)> {
    let mut rows = vec![
        ("Run", r.run_id.clone()),
        ("Flow", format!("{} ({})", r.flow_title, r.flow_id)),
        ("Flow sha256", r.flow_hash.clone()),
        ("Tool", format!("troubleshoot {}", r.tool_version)),
        ("Started", r.started_at.clone()),
        ("Finished", r.finished_at.clone()),
    ];
    if let Some(d) = duration(&r.started_at, &r.finished_at) {
        rows.push(("Duration", d));
    }
    rows.push(("OS layout", r.layout.clone()));
    rows.push(("Home inspected", r.root.clone()));
    rows.push((
        "Mode",
        if r.dry_run {
            "dry run (nothing changed)".into()
        } else {
            "fixes allowed (with consent)".into()
        },
    ));
    rows.push((
        "Exit code",
        format!("{} ({})", r.exit_code, exit_meaning(r.exit_code)),
    ));
    if let Some(u) = &r.undo {
        rows.push(("Undone", undo_line(u)));
    }
    rows.push(("Redaction", redaction_line(redactions, include_names)));
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
                kinds.push(format!("{count} {}", plural(r.kind.label(), count)));
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

/// A table: headers and rows of plain text.
pub struct Table {
    pub headers: Vec<&'static str>,
    pub rows: Vec<Vec<String>>,
}

fn scan(r: &RunRecord) -> Option<&Value> {
    diagnosis_facts(r).get("scan").filter(|s| s.is_object())
}

/// One line summing up the scan.
pub fn scan_summary(r: &RunRecord) -> Option<String> {
    let s = scan(r)?;
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
    let max = s
        .get("max_store_accounts")
        .and_then(Value::as_u64)
        .unwrap_or(0);
    Some(format!(
        "{sessions} workspace session{} across {browsers} browser profile{}{}; browser sync {}; at most {max} account{} in one store.",
        if sessions == 1 { "" } else { "s" },
        if browsers == 1 { "" } else { "s" },
        if desktop { " and the desktop app" } else { "" },
        if sync {
            "on in at least one profile"
        } else {
            "off"
        },
        if max == 1 { "" } else { "s" },
    ))
}

pub fn sessions_table(r: &RunRecord) -> Option<Table> {
    let sessions = scan(r)?.get("sessions")?.as_array()?;
    if sessions.is_empty() {
        return None;
    }
    let rows = sessions
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let source = s.get("source").and_then(Value::as_str).unwrap_or("");
            let browser = field(s, "browser");
            let where_ = if source == "desktop" {
                format!("{browser} desktop app")
            } else {
                browser
            };
            let id = field(s, "workspace_id");
            let workspace = match s.get("workspace_name").and_then(Value::as_str) {
                Some(name) if name != id => format!("{name} ({id})"),
                _ => id,
            };
            vec![
                (i + 1).to_string(),
                where_,
                field(s, "profile"),
                workspace,
                field(s, "user_id"),
                field(s, "store_sessions"),
                field(s, "store_accounts"),
                field(s, "sync_enabled"),
                field(s, "running"),
                field(s, "linked_accounts"),
            ]
        })
        .collect();
    Some(Table {
        headers: vec![
            "#",
            "Where",
            "Profile",
            "Workspace",
            "Account",
            "Sessions in store",
            "Accounts in store",
            "Sync",
            "Running",
            "Linked accounts",
        ],
        rows,
    })
}

pub fn browsers_table(r: &RunRecord) -> Option<Table> {
    let browsers = scan(r)?.get("browsers")?.as_array()?;
    if browsers.is_empty() {
        return None;
    }
    let rows = browsers
        .iter()
        .map(|b| {
            vec![
                field(b, "browser"),
                format!("{} ({})", field(b, "profile"), field(b, "profile_dir")),
                field(b, "path"),
                field(b, "running"),
                field(b, "sync_enabled"),
                field(b, "notion_cookies"),
                field(b, "sessions"),
                field(b, "accounts"),
                field(b, "linked_accounts"),
            ]
        })
        .collect();
    Some(Table {
        headers: vec![
            "Browser",
            "Profile",
            "Folder",
            "Running",
            "Sync",
            "Notion cookies (names)",
            "Sessions",
            "Accounts",
            "Linked accounts",
        ],
        rows,
    })
}

pub fn desktop_rows(r: &RunRecord) -> Option<Vec<(&'static str, String)>> {
    let d = scan(r)?.get("desktop_app")?;
    let installed = d.get("installed").and_then(Value::as_bool).unwrap_or(false);
    if !installed {
        return Some(vec![("Installed", "no".into())]);
    }
    let size = d.get("size_bytes").and_then(Value::as_u64).map(bytes);
    Some(vec![
        ("Installed", "yes".into()),
        ("Running", field(d, "running")),
        ("Data folder", field(d, "data_dir")),
        ("Size", size.unwrap_or_else(|| "—".into())),
        ("Sessions", field(d, "sessions")),
        ("Accounts", field(d, "accounts")),
        ("Notion cookies (names)", field(d, "notion_cookies")),
        ("Linked accounts", field(d, "linked_accounts")),
    ])
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

/// Warnings of the run and of its scan, without duplicates.
pub fn warnings(r: &RunRecord) -> Vec<String> {
    let mut out: Vec<String> = r
        .warnings
        .iter()
        .map(|w| format!("{}: {}", w.path, w.reason))
        .collect();
    if let Some(list) = scan(r)
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

/// One visited step.
pub struct Entry<'a> {
    pub step: &'a str,
    pub kind: &'a str,
    pub detail: Option<&'a str>,
    pub explain: Option<&'a str>,
    pub evidence: Vec<String>,
    /// Index into `record.fixes` of the fix proposed at this step.
    pub fix: Option<usize>,
}

pub fn timeline(r: &RunRecord) -> Vec<Entry<'_>> {
    let mut used = vec![false; r.fixes.len()];
    r.steps
        .iter()
        .map(|v| {
            let fix = if v.kind == "fix" {
                let i = r
                    .fixes
                    .iter()
                    .enumerate()
                    .position(|(i, f)| !used[i] && f.step == v.step);
                if let Some(i) = i {
                    used[i] = true;
                }
                i
            } else {
                None
            };
            Entry {
                step: &v.step,
                kind: &v.kind,
                detail: v.detail.as_deref(),
                explain: v.explain.as_deref(),
                evidence: if v.kind == "check" {
                    evidence(r, &v.step)
                } else {
                    vec![]
                },
                fix,
            }
        })
        .collect()
}

/// A fix's plan as indented lines (depth, text).
pub fn plan_lines(plan: &Value) -> Vec<(usize, String)> {
    let mut out = Vec::new();
    plan_into(plan, 0, &mut out);
    out
}

fn plan_into(v: &Value, depth: usize, out: &mut Vec<(usize, String)>) {
    match v {
        Value::Null => {}
        Value::Object(m) => {
            for (k, val) in m {
                match val {
                    Value::Object(_) => {
                        out.push((depth, format!("{k}:")));
                        plan_into(val, depth + 1, out);
                    }
                    Value::Array(a)
                        if a.iter().any(|x| x.is_object() || x.is_array()) || a.len() > 3 =>
                    {
                        out.push((depth, format!("{k}:")));
                        plan_into(val, depth + 1, out);
                    }
                    other => out.push((depth, format!("{k}: {}", text(other)))),
                }
            }
        }
        Value::Array(a) => {
            for x in a {
                match x {
                    // A flat object (a file and its hash) reads best on one line.
                    Value::Object(m) if m.values().all(|v| !v.is_object() && !v.is_array()) => {
                        let line: Vec<String> =
                            m.iter().map(|(k, v)| format!("{k}: {}", text(v))).collect();
                        out.push((depth, line.join(", ")));
                    }
                    Value::Object(_) | Value::Array(_) => {
                        let before = out.len();
                        plan_into(x, depth, out);
                        // Mark the start of each item so items stay apart.
                        if let Some(first) = out.get_mut(before) {
                            first.1 = format!("• {}", first.1);
                        }
                    }
                    other => out.push((depth, text(other))),
                }
            }
        }
        other => out.push((depth, text(other))),
    }
}

/// "undone at <time> (byte-identical)".
pub fn undo_line(u: &crate::report::UndoRecord) -> String {
    format!("undone at {} ({})", u.at, u.mode)
}

/// The fix's backup, with how to undo it (or when it was undone).
pub fn backup_line(r: &RunRecord, f: &FixRecord) -> Option<String> {
    f.backup_id.as_ref().map(|b| match &r.undo {
        Some(u) if f.result == "undone" => format!("{b} ({})", undo_line(u)),
        _ => format!("{b} (undo with: troubleshoot undo {})", r.run_id),
    })
}
