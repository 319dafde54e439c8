//! Run records and their exports: JSON, Markdown, HTML, redacted by default.
//!
//! Every run saves its [`RunRecord`] unredacted (it never holds secrets) in
//! `<state>/runs/<run_id>.json`, readable only by the user. Exports go through
//! [`render`]: the record is checked for secrets ([`check_no_secrets`]),
//! redacted ([`Redactor`]) and rendered.

pub mod host;
pub mod html;
pub mod json;
pub mod markdown;
pub mod pseudonyms;
pub mod record;
pub mod scan_fields;
pub mod secrets;
pub mod view;
pub mod words;

use std::fs;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

pub use pseudonyms::{Redaction, RedactionKind, Redactor};
pub use record::{
    Finding, FixRecord, FixStatus, Host, ProgramVersion, RECORD_SCHEMA, RunError, RunRecord,
    UndoRecord,
};
pub use secrets::check_no_secrets;

/// A report format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    /// Versioned JSON (`docs/report.schema.json`).
    Json,
    /// Markdown, for an issue tracker.
    #[value(alias = "markdown")]
    Md,
    /// One self-contained HTML page.
    #[value(alias = "htm")]
    Html,
}

impl Format {
    /// The format named by a file's extension: `.json`, `.md`/`.markdown`,
    /// `.html`/`.htm` (any case).
    /// `None` for any other extension (see [`ReportError::UnknownFormat`]).
    pub fn from_path(path: &Path) -> Option<Format> {
        let ext = path
            .extension()
            .and_then(|e| e.to_str())
            .map(str::to_ascii_lowercase);
        match ext.as_deref() {
            Some("json") => Some(Format::Json),
            Some("md" | "markdown") => Some(Format::Md),
            Some("html" | "htm") => Some(Format::Html),
            _ => None,
        }
    }

    pub fn extension(self) -> &'static str {
        match self {
            Format::Json => "json",
            Format::Md => "md",
            Format::Html => "html",
        }
    }
}

/// Why a report cannot be written to `path`, if it cannot: a name that
/// exists and is not a regular file (it would be replaced), an extension
/// that names no format, a folder that does not exist.
pub fn target_problem(path: &Path) -> Option<String> {
    if std::fs::metadata(path).is_ok_and(|m| !m.is_file()) {
        return Some(format!("{} is not a regular file", path.display()));
    }
    if Format::from_path(path).is_none() {
        return Some(format!(
            "{}: use a .json, .md or .html file name",
            path.display()
        ));
    }
    let parent = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    if !parent.is_dir() {
        return Some(format!("the folder {} does not exist", parent.display()));
    }
    None
}

impl std::fmt::Display for Format {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.extension())
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    #[error("{}: {source}", path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },

    #[error("{} is not a run record: {source}", path.display())]
    Parse {
        path: PathBuf,
        #[source]
        source: serde_json::Error,
    },

    #[error("cannot encode the run record: {0}")]
    Encode(#[source] serde_json::Error),

    #[error("no runs recorded in {}; run `troubleshoot` first", dir.display())]
    NoRuns { dir: PathBuf },

    #[error("no run `{id}` in {}; see the recorded runs with `troubleshoot runs`", dir.display())]
    NotFound { id: String, dir: PathBuf },

    #[error("run id `{id}` is ambiguous; it starts {}", matches.join(", "))]
    Ambiguous { id: String, matches: Vec<String> },

    #[error("`{0}` is not a run id (a run id is {rule})", rule = crate::run_id::RUN_ID_RULE)]
    BadRunId(String),

    /// A record or report file refused before parsing: not a regular file,
    /// or larger than a record can be.
    #[error("{}: {reason}", path.display())]
    Read {
        path: PathBuf,
        reason: crate::bounded::ReadError,
    },

    /// A record that parses but cannot be trusted: another schema, a run id
    /// that is not one (`../../x`), a file named for another run.
    #[error("{} is not a valid run record: {message}", path.display())]
    Invalid { path: PathBuf, message: String },

    /// Records exist but none can be read.
    #[error(
        "no readable run record in {}: {} cannot be read ({problem}); remove or fix it, or name another run",
        dir.display(),
        path.display()
    )]
    Unreadable {
        dir: PathBuf,
        path: PathBuf,
        problem: String,
    },

    #[error("cannot tell the report format of {}: name it .json, .md or .html, or pass --format", path.display())]
    UnknownFormat { path: PathBuf },

    /// The defensive secret check failed. A bug: secrets never enter a record.
    #[error(
        "refusing to write the report: the run record holds {what} at {path}; secrets must never enter a record, so this is a bug (nothing was written)"
    )]
    Secret { path: String, what: String },
}

fn io_err(path: &Path) -> impl FnOnce(std::io::Error) -> ReportError + '_ {
    move |source| ReportError::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// Render `record` as `format`, redacted unless `include_names`. Returns the
/// text and what was redacted (kind and pseudonym, never the value), to show
/// the user before an interactive export. Fails, writing nothing, when the
/// record holds anything that looks like a secret.
pub fn render(
    record: &RunRecord,
    format: Format,
    include_names: bool,
) -> Result<(String, Vec<Redaction>), ReportError> {
    // A record from a hostile store or a tampered file holds strings of any
    // length: each is capped before it reaches a report.
    let record = &*capped(record)?;
    let raw = serde_json::to_value(record).map_err(ReportError::Encode)?;
    check_no_secrets(&raw)?;
    let mut redactor = Redactor::new(record, include_names);
    let (redacted, redactions) = redactor.redact(record)?;
    let text = match format {
        Format::Json => {
            crate::sanitize::json_safe(json::render(&redacted, &redactions, include_names)?)
        }
        Format::Md => markdown::render(&redacted, &redactions, include_names),
        Format::Html => html::render(&redacted, &redactions, include_names),
    };
    Ok((text, redactions))
}

/// What [`render`] would redact in `record`, to show the user before an
/// interactive export (kind and pseudonym, never the value).
pub fn redactions(record: &RunRecord, include_names: bool) -> Result<Vec<Redaction>, ReportError> {
    let record = &*capped(record)?;
    Ok(Redactor::new(record, include_names).redact(record)?.1)
}

/// `record` with every string (and object key) capped at
/// [`STORED_MAX`](crate::sanitize::STORED_MAX) characters, each cut one
/// marked `…(N chars)`: a 10 MB workspace name quoted by thirty fields
/// makes a record of about 100 KB. Borrowed when nothing is that long (a
/// record capped in place with [`RunRecord::cap_strings`], or loaded from
/// a file, which was capped when saved); capping twice changes nothing.
pub fn capped(record: &RunRecord) -> Result<std::borrow::Cow<'_, RunRecord>, ReportError> {
    let max = crate::sanitize::STORED_MAX;
    if !record.needs_cap(max) {
        return Ok(std::borrow::Cow::Borrowed(record));
    }
    let mut owned = record.clone();
    owned.cap_strings(max);
    Ok(std::borrow::Cow::Owned(owned))
}

/// Render and write a report to `path` (format from its extension unless
/// given); the file is replaced atomically. Returns what was redacted.
pub fn export(
    record: &RunRecord,
    path: &Path,
    format: Option<Format>,
    include_names: bool,
) -> Result<Vec<Redaction>, ReportError> {
    let format = match format {
        Some(f) => f,
        None => Format::from_path(path).ok_or_else(|| ReportError::UnknownFormat {
            path: path.to_path_buf(),
        })?,
    };
    let (text, redactions) = render(record, format, include_names)?;
    write_atomic(path, text.as_bytes(), None)?;
    Ok(redactions)
}

fn write_atomic(path: &Path, bytes: &[u8], mode: Option<u32>) -> Result<(), ReportError> {
    // A report is meant to be shared; a saved record is the user's own.
    crate::fsx::replace_with_bytes(path, bytes, mode.unwrap_or(0o644)).map_err(fs_err)
}

fn fs_err(e: crate::fsx::FsError) -> ReportError {
    ReportError::Io {
        path: e.path,
        source: e.source,
    }
}

/// The folder holding saved run records.
pub fn runs_dir(state_dir: &Path) -> PathBuf {
    state_dir.join("runs")
}

fn check_run_id(id: &str) -> Result<(), ReportError> {
    if crate::run_id::is_run_id(id) {
        Ok(())
    } else {
        Err(ReportError::BadRunId(id.to_string()))
    }
}

/// Mark a run's record undone (time, how, how many fixes) after `undo`,
/// and each of its fixes that was undone.
pub fn record_undo(state_dir: &Path, undo: &crate::fix::UndoReport) -> Result<(), ReportError> {
    let mut record = load_record(state_dir, Some(&undo.run_id))?;
    let undone: Vec<&str> = undo.actions.iter().map(|a| a.backup_id.as_str()).collect();
    for f in &mut record.fixes {
        if f.backup_id.as_deref().is_some_and(|b| undone.contains(&b)) {
            f.result = FixStatus::Undone;
        }
    }
    record.undo = Some(UndoRecord {
        at: crate::clock::now(),
        mode: undo.mode.to_string(),
        fixes: undo.actions.len(),
    });
    save_record(state_dir, &record)?;
    Ok(())
}

/// Save `record` as `<state_dir>/runs/<run_id>.json` (mode 0600, written
/// atomically). Returns the path. Runs the secret check first.
pub fn save_record(state_dir: &Path, record: &RunRecord) -> Result<PathBuf, ReportError> {
    check_run_id(&record.run_id)?;
    let record = &*capped(record)?;
    let value = serde_json::to_value(record).map_err(ReportError::Encode)?;
    check_no_secrets(&value)?;
    let dir = runs_dir(state_dir);
    crate::fsx::private_dir(&dir).map_err(fs_err)?;
    let path = dir.join(format!("{}.json", record.run_id));
    let mut text = serde_json::to_string_pretty(record).map_err(ReportError::Encode)?;
    text.push('\n');
    let text = crate::sanitize::json_safe(text);
    write_atomic(&path, text.as_bytes(), Some(0o600))?;
    Ok(path)
}

/// Read a run record (or a JSON report, which is a record plus `redaction`)
/// from a file: a regular file of at most 16 MiB
/// ([`Kind::Record`](crate::bounded::Kind::Record)), of this version's
/// schema ([`RECORD_SCHEMA`]), whose run id is one (see [`check_run_id`]).
pub fn load_record_file(path: &Path) -> Result<RunRecord, ReportError> {
    let bytes = read_record_bytes(path)?;
    check_head(path, &bytes)?;
    serde_json::from_slice(&bytes).map_err(|source| ReportError::Parse {
        path: path.to_path_buf(),
        source,
    })
}

fn read_record_bytes(path: &Path) -> Result<Vec<u8>, ReportError> {
    crate::bounded::read(path, crate::bounded::Kind::Record).map_err(|e| match e {
        crate::bounded::ReadError::Io(source) => ReportError::Io {
            path: path.to_path_buf(),
            source,
        },
        reason => ReportError::Read {
            path: path.to_path_buf(),
            reason,
        },
    })
}

/// The fields checked before a record is trusted.
#[derive(Deserialize)]
struct Head {
    schema: Option<serde_json::Value>,
    run_id: Option<serde_json::Value>,
}

/// Check the schema version and the run id of a record's text. A text that
/// is not JSON at all is left to the full parse (which locates the error).
fn check_head(path: &Path, bytes: &[u8]) -> Result<(), ReportError> {
    let Ok(head) = serde_json::from_slice::<Head>(bytes) else {
        return Ok(());
    };
    let invalid = |message: String| ReportError::Invalid {
        path: path.to_path_buf(),
        message,
    };
    match head.schema {
        Some(v) if v.as_u64() == Some(u64::from(RECORD_SCHEMA)) => {}
        Some(v) => {
            let shown = crate::sanitize::cap(&v.to_string(), 40).into_owned();
            return Err(invalid(format!(
                "schema {shown}, while this version reads schema {RECORD_SCHEMA}"
            )));
        }
        None => return Err(invalid("it has no `schema`".into())),
    }
    match head.run_id {
        Some(serde_json::Value::String(id)) => {
            check_run_id(&id).map_err(|e| invalid(e.to_string()))
        }
        Some(_) => Err(invalid("`run_id` is not a string".into())),
        None => Err(invalid("it has no `run_id`".into())),
    }
}

/// Load a record from the runs folder: also the run it names must be the
/// one its file is named for (a record saved again goes to its own name).
fn load_saved_record(path: &Path) -> Result<RunRecord, ReportError> {
    let record = load_record_file(path)?;
    let stem = path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    if record.run_id != stem {
        return Err(ReportError::Invalid {
            path: path.to_path_buf(),
            message: format!(
                "it records run `{}`, not `{stem}`",
                crate::sanitize::cap(&record.run_id, 80)
            ),
        });
    }
    Ok(record)
}

/// A saved run, as listed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunSummary {
    pub run_id: String,
    pub flow_id: String,
    pub started_at: String,
    /// `resolved`, `unresolved`, `escalate`, `dry-run`; none when cancelled.
    pub outcome: Option<String>,
    /// An error stopped the run (its record has an `error`).
    #[serde(skip)]
    pub stopped: bool,
    pub exit_code: Option<u8>,
    pub path: PathBuf,
    /// Why the file could not be read, when it could not.
    pub problem: Option<String>,
}

/// Why a record cannot be listed, without repeating its path.
fn problem_of(e: &ReportError) -> String {
    match e {
        ReportError::Io { source, .. } => source.to_string(),
        ReportError::Read { reason, .. } => reason.to_string(),
        ReportError::Invalid { message, .. } => message.clone(),
        other => other.to_string(),
    }
}

#[derive(Deserialize)]
struct SummaryFields {
    run_id: String,
    #[serde(default)]
    flow_id: String,
    #[serde(default)]
    started_at: String,
    #[serde(default)]
    outcome: Option<OutcomeField>,
    #[serde(default)]
    exit_code: Option<u8>,
    #[serde(default)]
    error: Option<serde::de::IgnoredAny>,
}

#[derive(Deserialize)]
struct OutcomeField {
    outcome: String,
}

/// Saved runs, oldest first (by `started_at`, then `run_id`). Files that
/// cannot be read are listed with a `problem` and sorted first.
pub fn list_runs(state_dir: &Path) -> Result<Vec<RunSummary>, ReportError> {
    let dir = runs_dir(state_dir);
    let entries = match fs::read_dir(&dir) {
        Ok(e) => e,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(vec![]),
        Err(e) => return Err(io_err(&dir)(e)),
    };
    let mut runs = Vec::new();
    for entry in entries {
        let entry = entry.map_err(io_err(&dir))?;
        let path = entry.path();
        if path.extension().and_then(|e| e.to_str()) != Some("json") {
            continue;
        }
        let stem = path
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default();
        let parsed = read_record_bytes(&path)
            .and_then(|b| check_head(&path, &b).map(|()| b))
            .map_err(|e| problem_of(&e))
            .and_then(|b| serde_json::from_slice::<SummaryFields>(&b).map_err(|e| e.to_string()))
            .and_then(|s| {
                if s.run_id == stem {
                    Ok(s)
                } else {
                    Err(format!(
                        "it records run `{}`, not `{stem}`",
                        crate::sanitize::cap(&s.run_id, 80)
                    ))
                }
            });
        runs.push(match parsed {
            Ok(s) => RunSummary {
                run_id: s.run_id,
                flow_id: s.flow_id,
                started_at: s.started_at,
                outcome: s.outcome.map(|o| o.outcome),
                stopped: s.error.is_some(),
                exit_code: s.exit_code,
                path,
                problem: None,
            },
            Err(problem) => RunSummary {
                run_id: stem,
                flow_id: String::new(),
                started_at: String::new(),
                outcome: None,
                stopped: false,
                exit_code: None,
                path,
                problem: Some(problem),
            },
        });
    }
    runs.sort_by(|a, b| {
        (a.problem.is_none(), &a.started_at, &a.run_id).cmp(&(
            b.problem.is_none(),
            &b.started_at,
            &b.run_id,
        ))
    });
    Ok(runs)
}

/// Load a saved run: the latest with `None`; else by run id, a unique prefix
/// of one, or the path of a record or JSON report file.
pub fn load_record(state_dir: &Path, id: Option<&str>) -> Result<RunRecord, ReportError> {
    let dir = runs_dir(state_dir);
    let Some(id) = id else {
        let runs = list_runs(state_dir)?;
        if let Some(latest) = runs.iter().rev().find(|r| r.problem.is_none()) {
            return load_saved_record(&latest.path);
        }
        // Records that cannot be read are not "no runs": say which and why.
        return match runs.last() {
            Some(bad) => Err(ReportError::Unreadable {
                dir,
                path: bad.path.clone(),
                problem: bad.problem.clone().unwrap_or_default(),
            }),
            None => Err(ReportError::NoRuns { dir }),
        };
    };
    let as_path = Path::new(id);
    // A path given (anything but a missing file): read it, or say why not.
    if (id.contains(['/', '\\']) || id.ends_with(".json")) && as_path.symlink_metadata().is_ok() {
        return load_record_file(as_path);
    }
    check_run_id(id)?;
    let exact = dir.join(format!("{id}.json"));
    if exact.symlink_metadata().is_ok() {
        return load_saved_record(&exact);
    }
    let runs = list_runs(state_dir)?;
    let matches: Vec<&RunSummary> = runs.iter().filter(|r| r.run_id.starts_with(id)).collect();
    match matches.as_slice() {
        [one] => load_saved_record(&one.path),
        [] => Err(ReportError::NotFound {
            id: id.to_string(),
            dir,
        }),
        many => Err(ReportError::Ambiguous {
            id: id.to_string(),
            matches: many.iter().map(|r| r.run_id.clone()).collect(),
        }),
    }
}
