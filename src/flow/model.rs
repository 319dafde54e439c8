//! The flow format: serde types that are also the source of `flows/schema.json`.
//! Unknown fields are errors everywhere, so a typo never silently does nothing.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// A troubleshooting flow: a graph of steps, run from the first one.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Flow {
    /// Optional pointer to the schema, for editors.
    #[serde(rename = "$schema", default, skip_serializing_if = "Option::is_none")]
    pub schema: Option<String>,
    /// Stable id, used on the command line (`troubleshoot run ID`).
    pub id: String,
    /// One line describing the problem this flow solves.
    pub title: String,
    #[serde(default)]
    pub description: String,
    /// Where to get help beyond this flow: shown in every report of a run
    /// of it, for the person the report is sent to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub support: Option<Support>,
    /// What the reports call the things the scan finds, in the app's words
    /// (e.g. `"session": "workspace session"`); each term left out keeps
    /// its neutral default. Recorded with every run.
    #[serde(default, skip_serializing_if = "Terms::is_default")]
    pub terms: Terms,
    /// Named parameter blocks (an app's store description, written once):
    /// a check takes one with `"params_from": "<name>"` instead of
    /// repeating it in `params`.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub shared: BTreeMap<String, Value>,
    /// Where every fix step goes when it does not say: its `on_*` edges
    /// left out are taken from here (and `on_refused` / `on_declined`,
    /// given nowhere, go where `on_failure` goes).
    #[serde(default, skip_serializing_if = "FixEdges::is_empty")]
    pub fix_defaults: FixEdges,
    /// Steps; the first one is where a run starts.
    pub steps: Vec<Step>,
}

/// The words a report uses for what a scan finds: its headings, table
/// columns, counts and pseudonyms say these, so a report of another app
/// needs no code. Give both forms of a noun.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(default, deny_unknown_fields)]
pub struct Terms {
    /// One item of the scan's `sessions`: what is signed in, in one
    /// browser profile or app ("workspace session").
    #[serde(deserialize_with = "term")]
    #[schemars(length(min = 1))]
    pub session: String,
    /// The plural of `session` ("workspace sessions").
    #[serde(deserialize_with = "term")]
    #[schemars(length(min = 1))]
    pub sessions: String,
    /// What a session is signed in to ("workspace", "team"); also the
    /// pseudonyms of its ids and names in reports (`workspace-1`,
    /// `Workspace 1`).
    #[serde(deserialize_with = "term")]
    #[schemars(length(min = 1))]
    pub workspace: String,
    /// Who is signed in ("account", "user").
    #[serde(deserialize_with = "term")]
    #[schemars(length(min = 1))]
    pub account: String,
    /// The plural of `account` ("accounts").
    #[serde(deserialize_with = "term")]
    #[schemars(length(min = 1))]
    pub accounts: String,
}

impl Default for Terms {
    /// Neutral words, for flows that name none and records made before
    /// terms were recorded.
    fn default() -> Terms {
        Terms {
            session: "session".into(),
            sessions: "sessions".into(),
            workspace: "workspace".into(),
            account: "account".into(),
            accounts: "accounts".into(),
        }
    }
}

impl Terms {
    pub fn is_default(&self) -> bool {
        *self == Terms::default()
    }
}

/// A term: words on one line, not blank (it stands in headings, table
/// columns and counts).
fn term<'de, D: serde::Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    let s = String::deserialize(d)?;
    if s.trim().is_empty() || s.chars().any(char::is_control) {
        return Err(serde::de::Error::custom(
            "a term is words on one line, not blank",
        ));
    }
    Ok(s)
}

/// A support page for the problem a flow solves.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Support {
    /// Who helps, e.g. "Notion Help Center".
    pub title: String,
    /// Their page (https).
    pub url: String,
}

/// The default edges of fix steps ([`Flow::fix_defaults`]).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct FixEdges {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub on_success: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub on_failure: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub on_refused: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub on_declined: Option<String>,
}

impl FixEdges {
    pub fn is_empty(&self) -> bool {
        *self == FixEdges::default()
    }
}

/// One step. Externally tagged: `{"ask": {...}}`, `{"check": {...}}`,
/// `{"branch": {...}}`, ... A `branch` is read as a check that runs no
/// probe (the engine, graphs and reports treat both alike); a `check`
/// without `probe` or `recheck` is still accepted, as older flows wrote it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(from = "RawStep", into = "RawStep")]
#[schemars(with = "RawStep")]
pub enum Step {
    Ask(Ask),
    Check(Check),
    Fix(Fix),
    Guide(Guide),
    End(End),
}

/// The wire form of [`Step`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase", deny_unknown_fields)]
#[schemars(rename = "Step")]
pub enum RawStep {
    Ask(Ask),
    /// Run a probe (or re-run one with `recheck`), then branch on facts.
    Check(Check),
    /// Branch on facts gathered earlier; runs nothing.
    Branch(BranchStep),
    Fix(Fix),
    Guide(Guide),
    End(End),
}

impl From<RawStep> for Step {
    fn from(raw: RawStep) -> Step {
        match raw {
            RawStep::Ask(s) => Step::Ask(s),
            RawStep::Check(s) => Step::Check(s),
            RawStep::Branch(b) => Step::Check(Check {
                id: b.id,
                title: b.title,
                probe: None,
                params: None,
                params_from: None,
                save_as: None,
                recheck: None,
                branches: b.branches,
                otherwise: b.otherwise,
                explain: b.explain,
                is_branch: true,
            }),
            RawStep::Fix(s) => Step::Fix(s),
            RawStep::Guide(s) => Step::Guide(s),
            RawStep::End(s) => Step::End(s),
        }
    }
}

impl From<Step> for RawStep {
    fn from(step: Step) -> RawStep {
        match step {
            Step::Ask(s) => RawStep::Ask(s),
            Step::Check(c) if c.is_branch => RawStep::Branch(BranchStep {
                id: c.id,
                title: c.title,
                branches: c.branches,
                otherwise: c.otherwise,
                explain: c.explain,
            }),
            Step::Check(s) => RawStep::Check(s),
            Step::Fix(s) => RawStep::Fix(s),
            Step::Guide(s) => RawStep::Guide(s),
            Step::End(s) => RawStep::End(s),
        }
    }
}

/// Branch on facts gathered earlier (by checks, answers and choices): the
/// first branch whose `when` holds is taken, else `otherwise`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct BranchStep {
    pub id: String,
    /// What is being decided, shown in graphs and reports.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// Branches in order; the first whose `when` holds is taken.
    #[serde(default)]
    pub branches: Vec<Branch>,
    /// The step when no branch holds.
    pub otherwise: String,
    /// Shown when no branch holds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub explain: Option<String>,
}

/// A question to the user. Its answer becomes the fact `answers.<id>`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Ask {
    /// Step id; also the question id in answers files.
    pub id: String,
    /// The question, may use `{fact.path}` placeholders.
    pub prompt: String,
    /// Extra help shown under the question.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub help: Option<String>,
    pub kind: AskKind,
    /// Fixed options of a `select`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub options: Vec<Choice>,
    /// Options generated from a list fact, one per item (e.g. per session).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub options_from: Option<OptionsFrom>,
    /// The answer `--yes` takes: an option id, a bool or a text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default: Option<Value>,
    /// The answer chooses what to act on (which account, workspace, store
    /// or fix): with more than one option on offer, `--yes` never answers
    /// it and a run without the answer stops (exit 2) naming it.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub chooses: bool,
    /// `confirm`: the step after "yes".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub yes: Option<String>,
    /// `confirm`: the step after "no".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub no: Option<String>,
    /// `text`: the step after any answer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum AskKind {
    Select,
    Confirm,
    Text,
}

/// A fixed option of a `select`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Choice {
    pub id: String,
    pub label: String,
    pub next: String,
    /// Offer this option only when the condition holds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub when: Option<Cond>,
}

/// Generate one option per item of a list fact.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct OptionsFrom {
    /// A fact holding a list of objects, e.g. `scan.sessions`.
    pub fact: String,
    /// Field of each item used as the option id (the answer), e.g. `workspace_id`.
    pub id: String,
    /// Label template over the item's fields, e.g. `{workspace_name} ({browser}, {profile})`.
    pub label: String,
    /// Other fields of the item an answer may also match (e.g. `workspace_name`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub match_also: Vec<String>,
    pub next: String,
}

/// Run a probe, store its facts under `as` (default: the step id), then branch.
/// With `recheck`, re-run an earlier check's probe. With neither it only
/// branches on facts gathered earlier: what a `branch` step says (and is
/// read as).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Check {
    pub id: String,
    /// What is being checked, shown while it runs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// A probe the binary ships, by id (`troubleshoot flows catalog` lists them).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub probe: Option<String>,
    /// The probe's parameters, typed per probe (`app-sessions` takes the
    /// key patterns, envelopes, cookies and desktop files to read).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub params: Option<Value>,
    /// The name of a block of the flow's `shared` parameters, taken as
    /// this check's `params` (give one or the other).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub params_from: Option<String>,
    /// Fact namespace for the probe's output; defaults to the step id.
    #[serde(rename = "as", default, skip_serializing_if = "Option::is_none")]
    pub save_as: Option<String>,
    /// Re-run the probe of this earlier check (same parameters, same fact
    /// namespace) to look at fresh evidence, e.g. after a guide's manual steps.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recheck: Option<String>,
    /// Branches in order; the first whose `when` holds is taken.
    #[serde(default)]
    pub branches: Vec<Branch>,
    /// The step when no branch holds.
    pub otherwise: String,
    /// Shown when no branch holds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub explain: Option<String>,
    /// Written as a `branch` step (kept so it is written back as one).
    #[serde(skip)]
    #[schemars(skip)]
    pub is_branch: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Branch {
    pub when: Cond,
    pub next: String,
    /// The conclusion to show, citing evidence with `{fact}` placeholders.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub explain: Option<String>,
}

#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum Risk {
    Info,
    Low,
    Medium,
    High,
}

impl Risk {
    pub fn as_str(self) -> &'static str {
        match self {
            Risk::Info => "info",
            Risk::Low => "low",
            Risk::Medium => "medium",
            Risk::High => "high",
        }
    }
}

impl std::fmt::Display for Risk {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Propose one vetted action from the fix registry.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Fix {
    pub id: String,
    pub title: String,
    /// An action the binary ships, by id (`troubleshoot flows catalog` lists them).
    pub action: String,
    /// The action's parameters (typed per action); strings may name facts.
    #[serde(default)]
    pub params: BTreeMap<String, Value>,
    /// The check whose probe found what this fix changes: its parameters
    /// (the app's origins, keys, processes) guide the action. Defaults to
    /// the flow's only check with a probe.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub evidence: Option<String>,
    pub risk: Risk,
    /// What the fix changes, in plain words.
    pub changes: String,
    /// Condition that must hold after the fix, on freshly probed facts.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub verify: Option<Cond>,
    /// Where to go when the fix was applied (and verified). Left out:
    /// the flow's `fix_defaults`.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub on_success: String,
    /// Where to go when the fix failed (or did not hold and was rolled
    /// back). Left out: the flow's `fix_defaults`.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub on_failure: String,
    /// Where to go when the fix is refused (the owner runs or holds its
    /// lock). Left out: the flow's `fix_defaults`, else `on_failure`.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub on_refused: String,
    /// Where to go when the user answers No to "Apply this fix?". Left
    /// out: the flow's `fix_defaults`, else `on_failure`.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub on_declined: String,
}

/// Manual steps, then a confirm ("Did that work?") whose answer is `answers.<id>`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Guide {
    pub id: String,
    pub title: String,
    /// Numbered instructions; may use `{fact}` placeholders.
    pub steps: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// The confirm question after the steps.
    pub prompt: String,
    /// The answer `--yes` takes (default true).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default: Option<bool>,
    pub yes: String,
    pub no: String,
}

// The outcome an `end` step declares; a run's outcome
// (`protocol::Outcome`) is one of these, or an end the engine does not
// declare (a dry run, a cancel). (A `//` comment: a doc comment would
// become the schema's description.)
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
#[schemars(rename = "Outcome")]
pub enum EndOutcome {
    Resolved,
    Unresolved,
    Escalate,
}

impl EndOutcome {
    pub fn name(self) -> &'static str {
        match self {
            EndOutcome::Resolved => "resolved",
            EndOutcome::Unresolved => "unresolved",
            EndOutcome::Escalate => "escalate",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct End {
    pub id: String,
    pub outcome: EndOutcome,
    pub message: String,
}

/// A condition over facts: `{"fact","op","value"}`, `{"all":[..]}`, `{"any":[..]}` or `{"not":..}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(try_from = "RawCond", into = "RawCond")]
#[schemars(with = "RawCond")]
pub enum Cond {
    /// `value_fact`, when set, names a fact whose value is compared instead
    /// of `value` (the chosen store's id against a list of stores).
    Test {
        fact: String,
        op: Op,
        value: Value,
        value_fact: Option<String>,
    },
    All(Vec<Cond>),
    Any(Vec<Cond>),
    Not(Box<Cond>),
}

/// Comparison operators.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Op {
    /// Equal (numbers compare by value).
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    /// The fact is one of the values in the list `value`.
    In,
    /// The fact (a list or string) contains `value`.
    Contains,
    /// The fact exists and is not null (`value` true) or does not (`value` false).
    Exists,
    /// The fact is a non-empty list, string or object, true, or non-zero (`value` true), or not.
    Truthy,
}

impl Op {
    pub const ALL: [Op; 10] = [
        Op::Eq,
        Op::Ne,
        Op::Lt,
        Op::Le,
        Op::Gt,
        Op::Ge,
        Op::In,
        Op::Contains,
        Op::Exists,
        Op::Truthy,
    ];
}

/// The wire form of [`Cond`]: exactly one of the shapes.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawCond {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fact: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub op: Option<Op>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<Value>,
    /// Compare with this fact's value (read when the condition is
    /// evaluated) instead of a literal `value`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value_fact: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub all: Option<Vec<RawCond>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub any: Option<Vec<RawCond>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub not: Option<Box<RawCond>>,
}

impl TryFrom<RawCond> for Cond {
    type Error = String;

    fn try_from(raw: RawCond) -> Result<Cond, String> {
        let shapes = [
            raw.fact.is_some()
                || raw.op.is_some()
                || raw.value.is_some()
                || raw.value_fact.is_some(),
            raw.all.is_some(),
            raw.any.is_some(),
            raw.not.is_some(),
        ];
        if shapes.iter().filter(|s| **s).count() != 1 {
            return Err(
                "a condition is exactly one of {\"fact\",\"op\",\"value\"}, {\"all\"}, {\"any\"} or {\"not\"}"
                    .into(),
            );
        }
        let list = |v: Vec<RawCond>| v.into_iter().map(Cond::try_from).collect::<Result<_, _>>();
        if let Some(all) = raw.all {
            return Ok(Cond::All(list(all)?));
        }
        if let Some(any) = raw.any {
            return Ok(Cond::Any(list(any)?));
        }
        if let Some(not) = raw.not {
            return Ok(Cond::Not(Box::new(Cond::try_from(*not)?)));
        }
        let fact = raw.fact.ok_or("a condition needs \"fact\"")?;
        let op = raw.op.ok_or("a condition needs \"op\"")?;
        let value = match (op, raw.value, &raw.value_fact) {
            (_, Some(_), Some(_)) => {
                return Err(format!(
                    "condition on `{fact}` has both \"value\" and \"value_fact\"; give one"
                ));
            }
            (Op::Exists | Op::Truthy, _, Some(_)) => {
                return Err(format!(
                    "condition on `{fact}`: \"value_fact\" only goes with a comparison, not `exists` or `truthy`"
                ));
            }
            (_, Some(v), None) => v,
            (_, None, Some(_)) => Value::Null,
            (Op::Exists | Op::Truthy, None, None) => Value::Bool(true),
            (_, None, None) => return Err(format!("condition on `{fact}` needs \"value\"")),
        };
        Ok(Cond::Test {
            fact,
            op,
            value,
            value_fact: raw.value_fact,
        })
    }
}

impl From<Cond> for RawCond {
    fn from(c: Cond) -> RawCond {
        match c {
            Cond::Test {
                fact,
                op,
                value,
                value_fact,
            } => RawCond {
                fact: Some(fact),
                op: Some(op),
                value: value_fact.is_none().then_some(value),
                value_fact,
                ..RawCond::default()
            },
            Cond::All(v) => RawCond {
                all: Some(v.into_iter().map(Into::into).collect()),
                ..RawCond::default()
            },
            Cond::Any(v) => RawCond {
                any: Some(v.into_iter().map(Into::into).collect()),
                ..RawCond::default()
            },
            Cond::Not(c) => RawCond {
                not: Some(Box::new((*c).into())),
                ..RawCond::default()
            },
        }
    }
}

impl Step {
    pub fn id(&self) -> &str {
        match self {
            Step::Ask(s) => &s.id,
            Step::Check(s) => &s.id,
            Step::Fix(s) => &s.id,
            Step::Guide(s) => &s.id,
            Step::End(s) => &s.id,
        }
    }

    pub fn kind(&self) -> &'static str {
        match self {
            Step::Ask(_) => "ask",
            Step::Check(_) => "check",
            Step::Fix(_) => "fix",
            Step::Guide(_) => "guide",
            Step::End(_) => "end",
        }
    }

    /// The key the step is written under (`branch` for a branch step,
    /// which [`Step::kind`] and records call a `check`): what error
    /// locations name.
    pub fn tag(&self) -> &'static str {
        match self {
            Step::Check(c) if c.is_branch => "branch",
            s => s.kind(),
        }
    }

    /// Every step this one can go to, with a label for graphs and messages.
    pub fn edges(&self) -> Vec<(String, &str)> {
        match self {
            Step::Ask(a) => {
                let mut v: Vec<(String, &str)> = a
                    .options
                    .iter()
                    .map(|c| (c.id.clone(), c.next.as_str()))
                    .collect();
                if let Some(f) = &a.options_from {
                    v.push((format!("each {}", f.fact), f.next.as_str()));
                }
                if let Some(n) = &a.yes {
                    v.push(("yes".into(), n));
                }
                if let Some(n) = &a.no {
                    v.push(("no".into(), n));
                }
                if let Some(n) = &a.next {
                    v.push(("".into(), n));
                }
                v
            }
            Step::Check(c) => {
                let mut v: Vec<(String, &str)> = c
                    .branches
                    .iter()
                    .enumerate()
                    .map(|(i, b)| (format!("branch {}", i + 1), b.next.as_str()))
                    .collect();
                v.push(("otherwise".into(), &c.otherwise));
                v
            }
            Step::Fix(f) => vec![
                ("success".into(), f.on_success.as_str()),
                ("failure".into(), f.on_failure.as_str()),
                ("refused".into(), f.on_refused.as_str()),
                ("declined".into(), f.on_declined.as_str()),
            ],
            Step::Guide(g) => vec![("yes".into(), g.yes.as_str()), ("no".into(), g.no.as_str())],
            Step::End(_) => vec![],
        }
    }
}

impl Flow {
    pub fn step(&self, id: &str) -> Option<&Step> {
        self.steps.iter().find(|s| s.id() == id)
    }

    /// The check a fix step's `evidence` names, or, when it names none, the
    /// flow's only check with a probe.
    pub fn evidence_of(&self, fix: &Fix) -> Option<&Check> {
        let mut probed = self.steps.iter().filter_map(|s| match s {
            Step::Check(c) if c.probe.is_some() => Some(c),
            _ => None,
        });
        match &fix.evidence {
            Some(id) => probed.find(|c| &c.id == id),
            None => match (probed.next(), probed.next()) {
                (Some(only), None) => Some(only),
                _ => None,
            },
        }
    }
}
