//! What flows may call, as the validator and the schema see it: a probe or a
//! fix action described by its id, parameters, facts and risk. The running
//! halves (`probe::Probe`, `fix::Action`) extend these traits, and
//! `crate::registry` lists the ones the binary ships; flows name them by id
//! and cannot run anything else.

use schemars::{Schema, SchemaGenerator};
use serde::Serialize;
use serde_json::Value;

use super::model::Risk;

/// What a probe is, as data: a `const` beside the probe.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct ProbeInfo {
    /// The id flows name it by (`"probe": "app-sessions"`).
    pub id: &'static str,
    /// One line for `flows check` messages and the schema.
    pub summary: &'static str,
    /// Top-level fields of the facts it produces (under the step's `as`).
    pub facts: &'static [&'static str],
}

/// A probe a `check` step may run, as flows see it.
pub trait ProbeDef: Send + Sync {
    fn info(&self) -> &'static ProbeInfo;
    /// Checks the parameters; an error names what is wrong and where.
    fn check_params(&self, params: &Value) -> Result<(), String>;
    /// The JSON Schema of its parameters (for `flows/schema.json`).
    fn params_schema(&self, generator: &mut SchemaGenerator) -> Schema;

    fn id(&self) -> &'static str {
        self.info().id
    }
    fn summary(&self) -> &'static str {
        self.info().summary
    }
    fn facts(&self) -> &'static [&'static str] {
        self.info().facts
    }
}

/// How an action parameter is typed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ParamKind {
    /// A string naming a fact that holds one item of a probe's facts
    /// (`selected.workspace`).
    Fact,
}

/// One parameter of an action.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct ParamDef {
    pub name: &'static str,
    pub kind: ParamKind,
    pub required: bool,
}

/// What a fix action is, as data: a `const` beside the action.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct ActionInfo {
    /// The id flows name it by (`"action": "clear-site-data"`).
    pub id: &'static str,
    pub summary: &'static str,
    /// The vetted risk: a flow may raise it, never lower it.
    pub risk: Risk,
    pub params: &'static [ParamDef],
    /// The facts the action needs from its evidence: the fix step's
    /// `evidence` names a check whose probe declares every one of them
    /// ([`ProbeInfo::facts`]), whatever that probe's id; the action is
    /// guided by that check's parameters (what the app is, where it keeps
    /// its data). Empty: the action needs no probe's evidence.
    pub evidence: &'static [&'static str],
}

/// A fix action a `fix` step may propose, as flows see it.
pub trait ActionDef: Send + Sync {
    fn info(&self) -> &'static ActionInfo;

    fn id(&self) -> &'static str {
        self.info().id
    }
    fn summary(&self) -> &'static str {
        self.info().summary
    }
    fn risk(&self) -> Risk {
        self.info().risk
    }
    fn params(&self) -> &'static [ParamDef] {
        self.info().params
    }
    fn evidence(&self) -> &'static [&'static str] {
        self.info().evidence
    }
}

/// The probes and actions a flow may name.
pub trait Catalog: Sync {
    fn probes(&self) -> Vec<&dyn ProbeDef>;
    fn actions(&self) -> Vec<&dyn ActionDef>;

    fn probe(&self, id: &str) -> Option<&dyn ProbeDef> {
        self.probes().into_iter().find(|p| p.id() == id)
    }

    fn action(&self, id: &str) -> Option<&dyn ActionDef> {
        self.actions().into_iter().find(|a| a.id() == id)
    }

    fn probe_ids(&self) -> Vec<&'static str> {
        self.probes().iter().map(|p| p.id()).collect()
    }

    fn action_ids(&self) -> Vec<&'static str> {
        self.actions().iter().map(|a| a.id()).collect()
    }
}
