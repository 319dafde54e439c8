//! The JSON report: the run record (redacted) plus a `redaction` summary.
//! Versioned by `schema` ([`RECORD_SCHEMA`]); described by
//! `docs/report.schema.json`, generated from the mirror types below by
//! [`schema_text`]. Fields keep the record's order; object keys inside
//! `answers` and `facts` are sorted, so the same record always gives the same
//! bytes.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::ReportError;
use super::pseudonyms::Redaction;
use super::record::Host;
use super::record::{RECORD_SCHEMA, RunRecord};
use super::view::View;

#[derive(Serialize)]
struct Export<'a> {
    #[serde(flatten)]
    record: &'a RunRecord,
    redaction: RedactionDoc,
    report: View,
}

/// Render a (redacted) record as pretty JSON, with a trailing newline.
pub fn render(
    record: &RunRecord,
    redactions: &[Redaction],
    include_names: bool,
) -> Result<String, ReportError> {
    let doc = Export {
        record,
        redaction: RedactionDoc {
            names_included: include_names,
            redacted: redactions.to_vec(),
        },
        report: super::view::build(record, redactions, include_names),
    };
    let mut text = serde_json::to_string_pretty(&doc).map_err(ReportError::Encode)?;
    text.push('\n');
    Ok(text)
}

/// What was redacted in this report.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RedactionDoc {
    /// `--include-names`: workspace ids and names, user ids and e-mails were
    /// kept (the home folder is always `~`).
    pub names_included: bool,
    /// Each replaced value: its kind and pseudonym (never the original).
    pub redacted: Vec<Redaction>,
}

// The mirror types below describe the JSON report for the schema. They are
// checked against the real record in tests (`deny_unknown_fields` on both
// sides of a round trip), so they cannot drift silently.

/// A troubleshoot run report: what one run of a diagnostic flow asked, found,
/// changed and concluded. Personal values are replaced by pseudonyms
/// (`workspace-1`, `user-1`, `email-1`, home folder `~`) unless
/// `redaction.names_included`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(title = "troubleshoot run report")]
pub struct ReportDoc {
    /// Version of this format (bumped on breaking changes); currently 1.
    #[schemars(range(min = 1))]
    pub schema: u32,
    /// Version of troubleshoot that made the run.
    pub tool_version: String,
    /// Id of the run in the state folder (`troubleshoot report RUN_ID`).
    pub run_id: String,
    pub flow_id: String,
    pub flow_title: String,
    /// sha256 of the flow file's text, hex.
    pub flow_hash: String,
    /// RFC 3339, UTC.
    pub started_at: String,
    /// RFC 3339, UTC.
    pub finished_at: String,
    /// `linux`, `macos` or `windows`.
    pub layout: String,
    /// The home that was inspected (`~` in reports).
    pub root: String,
    pub dry_run: bool,
    /// Question id -> answer (option id, true/false or text); replayable with
    /// `run --from-report`.
    pub answers: Map<String, Value>,
    /// Visited steps in order.
    pub steps: Vec<VisitDoc>,
    /// Conclusions shown to the user.
    pub findings: Vec<FindingDoc>,
    /// Every fact of the run by namespace: probe outputs (`scan`: the
    /// `scan --json` document, with `evidence`), `answers`, `selected`.
    pub facts: Value,
    /// The facts when the first fix was proposed, before any change.
    #[serde(default)]
    pub facts_before_fix: Option<Value>,
    pub fixes: Vec<FixDoc>,
    /// How the run ended; null when it was cancelled or stopped by an error.
    pub outcome: Option<FinishDoc>,
    /// 0 resolved, 1 problem remains, 2 usage/input error, 3 fix rolled back, 130 cancelled.
    pub exit_code: u8,
    pub warnings: Vec<WarningDoc>,
    /// Set once `troubleshoot undo` undid the run's fixes.
    #[serde(default)]
    pub undo: Option<UndoDoc>,
    /// The command that undoes the run's fixes, as it must be typed; set
    /// when a fix was applied (absent in older records).
    #[serde(default)]
    pub undo_command: Option<String>,
    /// Where the run ran (absent in older records).
    #[serde(default)]
    pub host: Option<Host>,
    /// Present in exported reports; absent in records saved in the state folder.
    #[serde(default)]
    pub redaction: Option<RedactionDoc>,
    /// What the Markdown and HTML reports show, as data (view version 2):
    /// the summary, findings, timeline in words, plans as sentences, the
    /// environment before and after, the host, the flow's graph with the
    /// path taken, the support page. Present in exported reports.
    #[serde(default)]
    pub report: Option<View>,
}

/// One visited step.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct VisitDoc {
    pub step: String,
    /// `ask`, `check`, `fix`, `guide` or `end`.
    pub kind: String,
    /// The answer, branch, or fix result that left this step.
    pub detail: Option<String>,
    /// Conclusion shown at this step.
    pub explain: Option<String>,
    /// The question as asked (ask and guide steps).
    #[serde(default)]
    pub question: Option<String>,
    /// The answer as shown: the option's label, Yes/No, or the text.
    #[serde(default)]
    pub answer: Option<String>,
    /// Time spent at the step, in milliseconds.
    #[serde(default)]
    pub duration_ms: Option<u64>,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct FindingDoc {
    /// The step that concluded it.
    pub step: String,
    pub text: String,
}

/// A proposed fix and what became of it.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct FixDoc {
    pub step: String,
    /// Registry action id (`remove-workspace-entry`, `clear-site-data`, `reset-desktop-app`).
    pub action: String,
    pub title: String,
    /// `info`, `low`, `medium` or `high`.
    pub risk: String,
    /// The plan as shown to the user: files, keys, cookie names, moves.
    pub plan: Value,
    /// `applied`, `verified`, `rolled-back`, `failed`, `refused`, `declined`, `dry-run`.
    pub result: String,
    pub reason: Option<String>,
    /// The backup in the state folder (`backups/<id>`), when one was taken.
    pub backup_id: Option<String>,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct FinishDoc {
    /// The `end` step, or the fix step of a dry run.
    pub step: String,
    /// `resolved`, `unresolved`, `escalate`, `dry-run`, `guide-not-confirmed`
    /// or `cancelled-after-change`.
    pub outcome: String,
    pub message: String,
    /// A fix failed verification and was rolled back.
    pub rolled_back: bool,
}

/// When and how the run's fixes were undone.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct UndoDoc {
    /// RFC 3339, UTC.
    pub at: String,
    /// `byte-identical`, `logical` or `forced`.
    pub mode: String,
    pub fixes: usize,
}

/// A store that could not be read, and why.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct WarningDoc {
    pub path: String,
    pub reason: String,
}

/// The JSON Schema of the report, as committed in `docs/report.schema.json`.
pub fn schema() -> Value {
    let schema = schemars::schema_for!(ReportDoc);
    serde_json::to_value(schema).unwrap_or(Value::Null)
}

/// [`schema`] as pretty text with a trailing newline.
pub fn schema_text() -> String {
    let mut s = serde_json::to_string_pretty(&schema()).unwrap_or_default();
    s.push('\n');
    s
}

/// Parse an exported report (or saved record) strictly against the mirror
/// types: unknown or missing fields and a wrong `schema` are errors.
pub fn validate(text: &str) -> Result<ReportDoc, String> {
    let doc: ReportDoc = serde_json::from_str(text).map_err(|e| e.to_string())?;
    if doc.schema != RECORD_SCHEMA {
        return Err(format!(
            "schema {} (this build reads {RECORD_SCHEMA})",
            doc.schema
        ));
    }
    Ok(doc)
}
