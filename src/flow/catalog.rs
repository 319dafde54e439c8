//! What flows may call, as the validator and the schema see it: a probe or a
//! fix action described by its id, parameters, facts and risk. The running
//! halves (`probe::Probe`, `fix::Action`) extend these traits, and
//! `crate::registry` lists the ones the binary ships; flows name them by id
//! and cannot run anything else.

use schemars::{Schema, SchemaGenerator};
use serde_json::Value;

use super::model::Risk;

/// A probe a `check` step may run, as flows see it.
pub trait ProbeDef: Send + Sync {
    /// The id flows name it by (`"probe": "app-sessions"`), defined once as a
    /// constant beside the probe.
    fn id(&self) -> &'static str;
    /// One line for `flows check` messages and the schema.
    fn summary(&self) -> &'static str;
    /// Top-level fields of the facts it produces (under the step's `as`).
    fn facts(&self) -> &'static [&'static str];
    /// Checks the parameters; an error names what is wrong and where.
    fn check_params(&self, params: &Value) -> Result<(), String>;
    /// The JSON Schema of its parameters (for `flows/schema.json`).
    fn params_schema(&self, generator: &mut SchemaGenerator) -> Schema;
}

/// How an action parameter is typed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ParamKind {
    /// A string naming a fact that holds one item of a probe's facts
    /// (`selected.workspace`).
    Fact,
}

/// One parameter of an action.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ParamDef {
    pub name: &'static str,
    pub kind: ParamKind,
    pub required: bool,
}

/// A fix action a `fix` step may propose, as flows see it.
pub trait ActionDef: Send + Sync {
    /// The id flows name it by (`"action": "clear-site-data"`).
    fn id(&self) -> &'static str;
    fn summary(&self) -> &'static str;
    /// The vetted risk: a flow may raise it, never lower it.
    fn risk(&self) -> Risk;
    fn params(&self) -> &'static [ParamDef];
    /// The probe whose parameters (what the app is, where it keeps its data)
    /// guide the action; the fix step's `evidence` names the check that ran
    /// it. `None`: the action needs no probe's parameters.
    fn evidence_probe(&self) -> Option<&'static str>;
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
