//! The run record: everything a run did, saved in the state folder for every
//! run and exported as a report. Secrets never enter it: probes read no
//! cookie values but the non-secret user-id cookies.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::flow::engine::{Finish, Visit};
use crate::probe::Warning;

/// Version of the record and JSON report format; bump on breaking changes.
pub const RECORD_SCHEMA: u32 = 1;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunRecord {
    pub schema: u32,
    pub tool_version: String,
    pub run_id: String,
    pub flow_id: String,
    pub flow_title: String,
    /// sha256 of the flow file's text, hex.
    pub flow_hash: String,
    /// RFC 3339, UTC.
    pub started_at: String,
    pub finished_at: String,
    pub layout: String,
    /// The home that was inspected (redacted to `~` in reports).
    pub root: String,
    pub dry_run: bool,
    /// Question id -> answer, as fed to the engine (replayable).
    pub answers: Map<String, Value>,
    /// Steps in order, with the branch/answer/result that left each.
    pub steps: Vec<Visit>,
    /// Conclusions shown to the user, with the evidence they cite.
    pub findings: Vec<Finding>,
    /// Every fact of the run (probe outputs, answers, selections).
    pub facts: Value,
    /// The facts as they were when the first fix was proposed: the evidence
    /// the diagnosis stood on, before any change (absent when no fix ran).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub facts_before_fix: Option<Value>,
    pub fixes: Vec<FixRecord>,
    pub outcome: Option<Finish>,
    pub exit_code: u8,
    pub warnings: Vec<Warning>,
    /// Set by `troubleshoot undo`: the run's fixes were undone.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub undo: Option<UndoRecord>,
}

/// When and how a run's fixes were undone.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UndoRecord {
    /// RFC 3339, UTC.
    pub at: String,
    /// `byte-identical` (files put back from the backup), `logical` (the
    /// exact inverse applied, keeping later writes) or `forced`.
    pub mode: String,
    /// How many fixes were undone.
    pub fixes: usize,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Finding {
    pub step: String,
    pub text: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FixRecord {
    pub step: String,
    pub action: String,
    pub title: String,
    pub risk: String,
    /// The plan as shown to the user: files, keys, cookie names, moves.
    pub plan: Value,
    /// `applied`, `verified`, `rolled-back`, `failed`, `refused`, `declined`, `dry-run`.
    pub result: String,
    pub reason: Option<String>,
    /// The backup in the state folder (`backups/<id>`), when one was taken.
    pub backup_id: Option<String>,
}
