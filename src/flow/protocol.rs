//! What the engine and its front-ends say to each other: the engine asks for
//! what it [`Need`]s next (a question, a probe, a fix, a re-probe, a rollback)
//! and is fed an [`Answer`], a probe's facts, a [`FixResult`]; a run ends with
//! a [`Finish`] and leaves its [`Visit`]s. The wizard, `flows test` and the
//! run record all speak these types; the state machine is in
//! [`engine`](super::engine).

use std::fmt;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::model::{AskKind, EndOutcome, Risk};

/// Steps the engine may take in a row without asking the user anything; a
/// flow that loops through checks stops here instead of spinning.
pub const STEP_BUDGET: usize = 200;

/// An option offered to the user.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Offer {
    pub id: String,
    pub label: String,
    /// For generated options: the item behind it (e.g. a session).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub item: Option<Value>,
}

/// A question, rendered for a front-end.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Question {
    pub id: String,
    pub kind: AskKind,
    pub prompt: String,
    pub help: Option<String>,
    pub options: Vec<Offer>,
    pub default: Option<Value>,
    /// The answer chooses what to act on (the flow's `chooses`).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub chooses: bool,
    /// For a guide: its title, numbered instructions and link.
    pub guide: Option<GuideText>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GuideText {
    pub title: String,
    pub steps: Vec<String>,
    pub url: Option<String>,
}

/// A probe to run; feed its facts back with [`Engine::probed`](super::engine::Engine::probed).
#[derive(Debug, Clone, PartialEq)]
pub struct ProbeCall {
    pub step: String,
    pub title: Option<String>,
    pub probe: String,
    pub params: Value,
    pub save_as: String,
}

/// A fix to plan and (with consent) apply; feed the result to [`Engine::fixed`](super::engine::Engine::fixed).
#[derive(Debug, Clone, PartialEq)]
pub struct FixCall {
    pub step: String,
    pub title: String,
    pub action: String,
    /// Parameters with fact names resolved to their values.
    pub params: Map<String, Value>,
    pub risk: Risk,
    pub changes: String,
    /// The check whose probe found what the fix changes, with that probe's
    /// parameters: what the app is and where it keeps its data.
    pub evidence: Option<Evidence>,
}

/// A fix step's evidence: which check, which probe, its parameters.
#[derive(Debug, Clone, PartialEq)]
pub struct Evidence {
    pub check: String,
    pub probe: String,
    pub params: Value,
}

/// What happened to a proposed fix.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "result", rename_all = "kebab-case")]
pub enum FixResult {
    /// Applied; the engine asks for fresh evidence to verify it.
    Applied,
    /// Could not be applied; nothing changed (or it was restored).
    Failed { reason: String },
    /// The owning program runs or holds its lock; nothing changed.
    Refused { reason: String },
    /// Stopped before changing anything for another reason (another run
    /// of the tool holds the lock, a full disk, a read-only or forbidden
    /// folder, an unsafe path): the run takes the `on_refused` edge, and
    /// an end step reached by it says this reason instead of its own text.
    Unchanged { reason: String },
    /// Failed after changing a store, and restoring it failed too: the run
    /// takes the `on_failure` edge, and an end step reached by it says what
    /// is where and the command that finishes the undo (not "restored").
    NotRestored { reason: String },
    /// The user answered No to applying it; nothing changed.
    Declined,
    /// `--dry-run`: planned and shown, not applied.
    DryRun,
}

/// What the engine needs next.
#[derive(Debug, Clone, PartialEq)]
pub enum Need {
    /// Show a conclusion or note to the user.
    Say {
        step: String,
        text: String,
    },
    Ask(Question),
    Probe(ProbeCall),
    Fix(FixCall),
    /// After an applied fix: re-run these probes and feed them to [`Engine::reprobed`](super::engine::Engine::reprobed).
    Reprobe {
        step: String,
        probes: Vec<ProbeCall>,
    },
    /// The fix's verify condition failed on fresh evidence: restore the backup,
    /// then call [`Engine::rolled_back`](super::engine::Engine::rolled_back).
    Rollback {
        step: String,
    },
    Finished(Finish),
}

/// How a run ended.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct Finish {
    /// The `end` step, or the fix step for a dry run (the wizard: the
    /// question or fix step it stopped at).
    pub step: String,
    pub outcome: Outcome,
    pub message: String,
    /// A fix failed verification and was rolled back during the run.
    pub rolled_back: bool,
}

/// How a run ended: the outcome of its `end` step, a dry run, a manual
/// guide nobody confirmed, or a cancel.
// The engine ends at an `end` step (from its `EndOutcome`) or at a dry-run
// fix; the wizard adds the ends the engine does not see. The exit code of
// each is the wizard's (`wizard::outcome`). The doc comments are the
// report schema's descriptions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum Outcome {
    /// An `end` step with outcome `resolved`.
    Resolved,
    /// An `end` step with outcome `unresolved` (declined, refused, failed…),
    /// or a scripted answer that leads back to its own question.
    Unresolved,
    /// An `end` step with outcome `escalate`: support is needed.
    Escalate,
    /// `--dry-run`: planned and shown, nothing changed.
    DryRun,
    /// A manual guide nobody confirmed (`--yes` never does).
    GuideNotConfirmed,
    /// Esc, Ctrl-C or a signal after a fix was applied: it stays applied
    /// (whether it was verified is in the record's fixes).
    CancelledAfterChange,
    /// Esc, Ctrl-C or a signal with nothing changed.
    Cancelled,
}

impl Outcome {
    /// The recorded word.
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Resolved => "resolved",
            Outcome::Unresolved => "unresolved",
            Outcome::Escalate => "escalate",
            Outcome::DryRun => "dry-run",
            Outcome::GuideNotConfirmed => "guide-not-confirmed",
            Outcome::CancelledAfterChange => "cancelled-after-change",
            Outcome::Cancelled => "cancelled",
        }
    }
}

impl fmt::Display for Outcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl From<EndOutcome> for Outcome {
    fn from(o: EndOutcome) -> Outcome {
        match o {
            EndOutcome::Resolved => Outcome::Resolved,
            EndOutcome::Unresolved => Outcome::Unresolved,
            EndOutcome::Escalate => Outcome::Escalate,
        }
    }
}

/// One visited step, for reports and flow tests.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct Visit {
    pub step: String,
    /// `ask`, `check`, `fix`, `guide` or `end`.
    pub kind: String,
    /// The answer, branch, or fix result that left this step.
    pub detail: Option<String>,
    /// Conclusion shown at this step, if any.
    pub explain: Option<String>,
    /// The question as it was asked (ask and guide steps; set by the
    /// wizard, absent in older records).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub question: Option<String>,
    /// The answer as it was shown: the chosen option's label, yes/no or
    /// the text typed (set by the wizard).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub answer: Option<String>,
    /// Milliseconds from entering the step to leaving it: a probe's run,
    /// the time taken to answer (set by the wizard; the engine has no clock).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub duration_ms: Option<u64>,
}

/// An answer fed to a question.
#[derive(Debug, Clone, PartialEq)]
pub enum Answer {
    /// Option id (or, for generated options, a value the flow lets it match).
    Choice(String),
    Bool(bool),
    Text(String),
}

impl Answer {
    /// From an answers-file value.
    pub fn from_json(v: &Value) -> Option<Answer> {
        match v {
            Value::Bool(b) => Some(Answer::Bool(*b)),
            Value::String(s) => Some(Answer::Choice(s.clone())),
            Value::Number(n) => Some(Answer::Choice(n.to_string())),
            _ => None,
        }
    }
}

#[derive(Debug, thiserror::Error, PartialEq)]
pub enum EngineError {
    #[error("answer {given:?} to question `{question}` is not valid; expected {expected}")]
    BadAnswer {
        question: String,
        given: String,
        expected: String,
    },
    #[error("question `{question}` has no options to choose from (fact `{fact}` is empty)")]
    NoOptions { question: String, fact: String },
    #[error(
        "the flow took {STEP_BUDGET} steps without asking anything; it loops (last step `{step}`)"
    )]
    Budget { step: String },
    #[error("the engine was fed {fed} while waiting for {waiting}")]
    Protocol { fed: &'static str, waiting: String },
    #[error("fix `{step}`: parameter `{param}` names fact `{fact}`, which is not set")]
    MissingParam {
        step: String,
        param: String,
        fact: String,
    },
}
