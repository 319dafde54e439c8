//! The test file format (serde types, also the source of `flows/tests.schema.json`).

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::flow::engine::{Answer, FixResult};
use crate::flow::protocol::Outcome;

/// A flow's test file: named scenarios run through the engine.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(title = "troubleshoot flow tests")]
pub struct Suite {
    /// Optional pointer to the schema, for editors.
    #[serde(rename = "$schema", default, skip_serializing_if = "Option::is_none")]
    pub schema: Option<String>,
    /// Id of the flow under test.
    pub flow: String,
    /// Named fact sets that scenarios refer to by name (in `facts` or `after_fix`).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub fixtures: BTreeMap<String, Namespaces>,
    pub scenarios: Vec<Scenario>,
}

/// Probe outputs keyed by fact namespace (`scan`, ...).
pub type Namespaces = BTreeMap<String, Value>;

/// Inline facts, or the name of an entry in `fixtures`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(untagged)]
pub enum FactSet {
    Fixture(String),
    Inline(Namespaces),
}

impl Default for FactSet {
    fn default() -> FactSet {
        FactSet::Inline(Namespaces::new())
    }
}

/// One run of the flow.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Scenario {
    /// Unique within the file; printed on the pass/fail line.
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// What the probes report, per fact namespace (a check's `as`, default its id).
    #[serde(default)]
    pub facts: FactSet,
    /// Question or guide id -> option id, `true`/`false` or text; a list answers
    /// successive askings of the same question.
    #[serde(default)]
    pub answers: BTreeMap<String, AnswerSpec>,
    /// Fix step id -> what happened when it was proposed (default `applied`);
    /// a list for successive proposals.
    #[serde(default)]
    pub fix_results: BTreeMap<String, FixSpec>,
    /// Facts re-probed after an applied fix with a `verify` condition.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub after_fix: Option<FactSet>,
    /// Check step id -> the facts its probe reports there (a `recheck` after a
    /// guide, say); checks not listed report `facts`.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub probe_facts: BTreeMap<String, FactSet>,
    #[serde(default)]
    pub expect: Expect,
}

/// One answer, or one per asking.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(untagged)]
pub enum AnswerSpec {
    One(AnswerValue),
    Each(Vec<AnswerValue>),
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(untagged)]
pub enum AnswerValue {
    Bool(bool),
    Number(i64),
    Text(String),
}

impl AnswerValue {
    pub(crate) fn to_answer(&self) -> Answer {
        match self {
            AnswerValue::Bool(b) => Answer::Bool(*b),
            AnswerValue::Number(n) => Answer::Choice(n.to_string()),
            AnswerValue::Text(s) => Answer::Choice(s.clone()),
        }
    }
}

/// What happened to a proposed fix.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum FixOutcome {
    /// Applied; the flow's `verify` runs on `after_fix`.
    Applied,
    /// Could not be applied; nothing changed.
    Failed,
    /// Refused: the owning program runs or holds its lock.
    Refused,
    /// Declined by the user at "Apply this fix?".
    Declined,
    /// `--dry-run`: planned, not applied; the run ends there.
    DryRun,
}

impl FixOutcome {
    pub(crate) fn to_result(self) -> FixResult {
        match self {
            FixOutcome::Applied => FixResult::Applied,
            FixOutcome::Failed => FixResult::Failed {
                reason: "the scenario says it failed".into(),
            },
            FixOutcome::Refused => FixResult::Refused {
                reason: "the scenario says it was refused".into(),
            },
            FixOutcome::Declined => FixResult::Declined,
            FixOutcome::DryRun => FixResult::DryRun,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(untagged)]
pub enum FixSpec {
    One(FixOutcome),
    Each(Vec<FixOutcome>),
}

/// What must happen. Every field is optional; all given must hold.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Expect {
    /// Exactly the steps visited, in order (the `end` step included).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path: Option<Vec<String>>,
    /// These steps visited in this order, others may come between.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path_contains: Option<Vec<String>>,
    /// Steps never visited.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub avoids: Option<Vec<String>>,
    /// The `end` step the run finishes at.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub outcome: Option<ExpectOutcome>,
    /// The one fix proposed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fix: Option<ExpectFix>,
    /// Every fix proposed, in order (`[]`: none).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fixes: Option<Vec<ExpectFix>>,
    /// A fix failed verification and was rolled back.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rolled_back: Option<bool>,
    /// Substrings of the conclusions shown (check explanations) or the end message.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub says: Option<Vec<String>>,
    /// Question id -> the option ids offered the first time it is asked, in order.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub offered: Option<BTreeMap<String, Vec<String>>>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum ExpectOutcome {
    Resolved,
    Unresolved,
    Escalate,
    DryRun,
}

impl ExpectOutcome {
    /// The run outcome it expects.
    pub fn outcome(self) -> Outcome {
        match self {
            ExpectOutcome::Resolved => Outcome::Resolved,
            ExpectOutcome::Unresolved => Outcome::Unresolved,
            ExpectOutcome::Escalate => Outcome::Escalate,
            ExpectOutcome::DryRun => Outcome::DryRun,
        }
    }
}

/// A proposed fix: its step, and optionally its action, risk and parameters.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ExpectFix {
    pub step: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub action: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub risk: Option<crate::flow::model::Risk>,
    /// Resolved parameters, matched as a subset: objects may hold more keys.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub params: Option<Map<String, Value>>,
}

/// The JSON Schema of the test format, as written to `flows/tests.schema.json`.
pub fn schema_json() -> String {
    let schema = schemars::schema_for!(Suite);
    serde_json::to_string_pretty(&schema).unwrap_or_default() + "\n"
}
