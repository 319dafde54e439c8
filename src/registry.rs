//! The one list of what the binary can run: its probes and its fix actions.
//! Validation (`flows check`, and every command that loads a flow), the
//! schema, `flows catalog`, the wizard and `flows test` all look ids up
//! here, so a probe or an action is one file plus one line below. (`scan`
//! is the `app-sessions` probe's own command: it loads its flow against
//! this list, then prints that probe's report.)
//!
//! ```
//! use serde_json::{Value, json};
//! use troubleshoot::flow::catalog::{Catalog, ProbeDef, ProbeInfo};
//! use troubleshoot::probe::contract::{Probe, ProbeRun};
//! use troubleshoot::probe::Home;
//! use troubleshoot::registry::Registry;
//!
//! struct Clock;
//! const CLOCK: ProbeInfo = ProbeInfo { id: "clock", summary: "the time", facts: &["hour"] };
//! impl ProbeDef for Clock {
//!     fn info(&self) -> &'static ProbeInfo { &CLOCK }
//!     fn check_params(&self, p: &Value) -> Result<(), String> {
//!         if p.is_null() { Ok(()) } else { Err("takes no parameters".into()) }
//!     }
//!     fn params_schema(&self, g: &mut schemars::SchemaGenerator) -> schemars::Schema {
//!         g.subschema_for::<()>()
//!     }
//! }
//! impl Probe for Clock {
//!     fn run(&self, _: &Value, _: &Home) -> Result<ProbeRun, String> {
//!         Ok(ProbeRun { facts: json!({"hour": 12}), warnings: vec![] })
//!     }
//! }
//!
//! let registry = Registry::builtin().with_probe(Clock);
//! assert!(registry.probe("clock").is_some());
//! ```

use std::sync::LazyLock;

use crate::fix::{self, Action};
use crate::flow::catalog::{ActionDef, Catalog, ProbeDef};
use crate::flow::engine::FixCall;
use crate::probe::app_sessions::AppSessions;
use crate::probe::contract::Probe;

/// Probes and actions by id.
pub struct Registry {
    probes: Vec<Box<dyn Probe>>,
    actions: Vec<Box<dyn Action>>,
}

static BUILTIN: LazyLock<Registry> = LazyLock::new(Registry::builtin);

/// What the binary ships (built once).
pub fn builtin() -> &'static Registry {
    &BUILTIN
}

impl Registry {
    /// The shipped probes and actions: one line each.
    pub fn builtin() -> Registry {
        Registry {
            probes: vec![Box::new(AppSessions)],
            actions: vec![
                Box::new(fix::RemoveWorkspaceEntry),
                Box::new(fix::ClearSiteData),
                Box::new(fix::ResetDesktopApp),
            ],
        }
    }

    /// This registry plus `probe` (tests, and a binary built with more).
    /// A probe with an id already registered replaces it.
    pub fn with_probe(mut self, probe: impl Probe + 'static) -> Registry {
        self.probes.retain(|p| p.id() != probe.id());
        self.probes.push(Box::new(probe));
        self
    }

    /// This registry plus `action`; one with the same id is replaced.
    pub fn with_action(mut self, action: impl Action + 'static) -> Registry {
        self.actions.retain(|a| a.id() != action.id());
        self.actions.push(Box::new(action));
        self
    }

    /// The probe that runs for `id`.
    pub fn runnable_probe(&self, id: &str) -> Option<&dyn Probe> {
        self.probes.iter().find(|p| p.id() == id).map(|p| &**p)
    }

    /// The action that plans for `id`.
    pub fn runnable_action(&self, id: &str) -> Option<&dyn Action> {
        self.actions.iter().find(|a| a.id() == id).map(|a| &**a)
    }

    /// Plan `call` with its action ([`fix::plan`]); an id this registry
    /// does not have is [`fix::FixError::UnknownAction`].
    pub fn plan(&self, call: &FixCall, ctx: &fix::FixContext) -> Result<fix::Plan, fix::FixError> {
        let action =
            self.runnable_action(&call.action)
                .ok_or_else(|| fix::FixError::UnknownAction {
                    action: call.action.clone(),
                    known: self.action_ids().join(", "),
                })?;
        fix::plan(action, call, ctx)
    }
}

impl Catalog for Registry {
    fn probes(&self) -> Vec<&dyn ProbeDef> {
        self.probes.iter().map(|p| &**p as &dyn ProbeDef).collect()
    }

    fn actions(&self) -> Vec<&dyn ActionDef> {
        self.actions
            .iter()
            .map(|a| &**a as &dyn ActionDef)
            .collect()
    }
}
