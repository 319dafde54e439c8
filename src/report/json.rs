//! The JSON report: the run record (redacted) plus a `redaction` summary and
//! the `report` view. Versioned by `schema` ([`RECORD_SCHEMA`]); described by
//! `docs/report.schema.json`, which [`schema_text`] derives from the types
//! that are serialised ([`RunRecord`] and what it holds, [`View`],
//! [`Redaction`]), so the schema cannot drift from the output. Fields keep
//! the record's order; object keys inside `answers` and `facts` are sorted,
//! so the same record always gives the same bytes.
//!
//! [`RECORD_SCHEMA`]: super::record::RECORD_SCHEMA

use schemars::JsonSchema;
use serde::Serialize;
use serde_json::Value;

use super::ReportError;
use super::pseudonyms::Redaction;
use super::record::RunRecord;
use super::view::View;

/// A troubleshoot run report: what one run of a diagnostic flow asked,
/// found, changed and concluded. Personal values are replaced by pseudonyms
/// (`workspace-1`, where "workspace" is the flow's `terms.workspace`;
/// `user-1`, `email-1`, home folder `~`) unless `redaction.names_included`.
/// A record saved in the state folder is the same document without
/// `redaction` and `report`.
#[derive(Serialize, JsonSchema)]
#[schemars(title = "troubleshoot run report", deny_unknown_fields)]
struct Export<'a> {
    #[serde(flatten)]
    record: &'a RunRecord,
    /// What was redacted. Present in exported reports; absent in records
    /// saved in the state folder.
    #[serde(skip_serializing_if = "Option::is_none")]
    redaction: Option<RedactionSummary>,
    /// What the Markdown and HTML reports show, as data (view version 2):
    /// the summary, findings, timeline in words, plans as sentences, the
    /// environment before and after, the host, the flow's graph with the
    /// path taken, the support page. Present in exported reports.
    #[serde(skip_serializing_if = "Option::is_none")]
    report: Option<View>,
}

/// Render a (redacted) record as pretty JSON, with a trailing newline.
pub fn render(
    record: &RunRecord,
    redactions: &[Redaction],
    include_names: bool,
) -> Result<String, ReportError> {
    let doc = Export {
        record,
        redaction: Some(RedactionSummary {
            names_included: include_names,
            redacted: redactions.to_vec(),
        }),
        report: Some(super::view::build(record, redactions, include_names)),
    };
    let mut text = serde_json::to_string_pretty(&doc).map_err(ReportError::Encode)?;
    text.push('\n');
    Ok(text)
}

/// What was redacted in this report.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct RedactionSummary {
    /// `--include-names`: workspace ids and names, user ids and e-mails were
    /// kept (the home folder is always `~`).
    pub names_included: bool,
    /// Each replaced value: its kind and pseudonym (never the original).
    pub redacted: Vec<Redaction>,
}

/// The JSON Schema of the report, as committed in `docs/report.schema.json`.
pub fn schema() -> Value {
    let schema = schemars::schema_for!(Export<'static>);
    serde_json::to_value(schema).unwrap_or(Value::Null)
}

/// [`schema`] as pretty text with a trailing newline.
pub fn schema_text() -> String {
    let mut s = serde_json::to_string_pretty(&schema()).unwrap_or_default();
    s.push('\n');
    s
}
