//! The one list of what the binary can run: its probes and its fix actions.
//! Nothing below the command line fetches it: `run` hands it to the
//! [`Wizard`](crate::wizard::Wizard), `flows test` to its
//! [`Options`](crate::flowtest::Options), `scan` to
//! [`scan_flow`](crate::registry::scan_flow), and every command that loads a
//! flow validates against it. So a binary (or a test) built with more
//! probes and actions runs them everywhere: a probe or an action is one
//! type plus one line below.
//!
//! A probe's parameters are a type ([`ProbeParams`]): validation and the
//! schema are derived from it. An action says which facts it needs from its
//! evidence ([`ActionInfo::evidence`](crate::flow::catalog::ActionInfo)),
//! and takes them from any probe that declares them.
//!
//! ```
//! use serde_json::json;
//! use troubleshoot::flow::catalog::{Catalog, ProbeInfo};
//! use troubleshoot::probe::contract::ProbeRun;
//! use troubleshoot::probe::Home;
//! use troubleshoot::registry::{ProbeParams, Registry, TypedProbe};
//!
//! #[derive(serde::Deserialize, schemars::JsonSchema)]
//! #[serde(deny_unknown_fields)]
//! struct ClockParams { zone: String }
//! impl ProbeParams for ClockParams {}
//!
//! struct Clock;
//! const CLOCK: ProbeInfo = ProbeInfo { id: "clock", summary: "the time", facts: &["hour"] };
//! impl TypedProbe for Clock {
//!     type Params = ClockParams;
//!     fn info(&self) -> &'static ProbeInfo { &CLOCK }
//!     fn run(&self, p: &ClockParams, _: &Home) -> Result<ProbeRun, String> {
//!         Ok(ProbeRun { facts: json!({"hour": 12, "zone": p.zone}), warnings: vec![] })
//!     }
//! }
//!
//! let registry = Registry::builtin().with_typed_probe(Clock);
//! let clock = registry.probe("clock").unwrap();
//! assert!(clock.check_params(&json!({"zone": "UTC"})).is_ok());
//! assert!(clock.check_params(&json!({"zone": 1})).unwrap_err().contains("zone"));
//! ```

use std::sync::LazyLock;

use schemars::{JsonSchema, Schema, SchemaGenerator};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::fix::{self, Action};
use crate::flow::catalog::{ActionDef, Catalog, ProbeDef, ProbeInfo};
use crate::flow::engine::FixCall;
use crate::flow::model::{Flow, Step};
use crate::probe::Home;
use crate::probe::app_sessions::AppSessions;
use crate::probe::contract::{Probe, ProbeRun};
use crate::probe::keyed_sessions::KeyedSessions;

/// A probe's parameters as a type: `flows check` validates a check's
/// `params` by deserializing them into it (unknown fields refused when the
/// type says `deny_unknown_fields`), then [`ProbeParams::check`];
/// `flows/schema.json` describes them from its `JsonSchema`. Nothing is
/// written twice.
pub trait ProbeParams: DeserializeOwned + JsonSchema {
    /// What serde cannot say (a path stays under the home). Default: nothing.
    fn check(&self) -> Result<(), String> {
        Ok(())
    }
}

/// The unit type: a probe that takes no parameters (`params` left out).
impl ProbeParams for () {}

/// A probe written against its typed parameters; [`Registry::with_typed_probe`]
/// registers it, deriving [`ProbeDef::check_params`] and
/// [`ProbeDef::params_schema`] from [`TypedProbe::Params`].
pub trait TypedProbe: Send + Sync + 'static {
    type Params: ProbeParams;
    fn info(&self) -> &'static ProbeInfo;
    /// Run with parameters already parsed and checked.
    fn run(&self, params: &Self::Params, home: &Home) -> Result<ProbeRun, String>;
}

/// Parse and check a probe's parameters; an error names the path of the
/// wrong value (`at folder: invalid type: ...`).
pub fn parse_params<P: ProbeParams>(params: &Value) -> Result<P, String> {
    let p: P = serde_path_to_error::deserialize(params.clone()).map_err(|e| {
        match e.path().to_string().as_str() {
            "." | "" => e.into_inner().to_string(),
            path => format!("at {path}: {}", e.into_inner()),
        }
    })?;
    p.check()?;
    Ok(p)
}

/// A [`TypedProbe`] as the untyped [`Probe`] the engine calls.
struct Typed<T>(T);

impl<T: TypedProbe> ProbeDef for Typed<T> {
    fn info(&self) -> &'static ProbeInfo {
        self.0.info()
    }
    fn check_params(&self, params: &Value) -> Result<(), String> {
        parse_params::<T::Params>(params).map(drop)
    }
    fn params_schema(&self, generator: &mut SchemaGenerator) -> Schema {
        generator.subschema_for::<T::Params>()
    }
}

impl<T: TypedProbe> Probe for Typed<T> {
    fn run(&self, params: &Value, home: &Home) -> Result<ProbeRun, String> {
        self.0.run(&parse_params(params)?, home)
    }
}

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
            probes: vec![Box::new(AppSessions), Box::new(KeyedSessions)],
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

    /// This registry plus a probe written against typed parameters
    /// ([`TypedProbe`]); one with the same id is replaced.
    pub fn with_typed_probe(self, probe: impl TypedProbe) -> Registry {
        self.with_probe(Typed(probe))
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

/// What one probe of a flow found in a scan.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Scanned {
    /// The check that runs it.
    pub check: String,
    pub probe: String,
    /// The fact namespace its facts go under in a run (the check's `as`).
    #[serde(rename = "as")]
    pub save_as: String,
    pub facts: Value,
    pub warnings: Vec<crate::probe::Warning>,
}

/// Run every probe `flow`'s checks name (once per fact namespace, in step
/// order; a `recheck` runs nothing new) against `home`, with their
/// parameters, asking nothing and changing nothing: what `troubleshoot scan
/// --flow` shows. A probe `registry` lacks, or parameters it refuses, is an
/// error naming the check.
pub fn scan_flow(flow: &Flow, registry: &Registry, home: &Home) -> Result<Vec<Scanned>, String> {
    let mut out: Vec<Scanned> = Vec::new();
    for step in &flow.steps {
        let Step::Check(c) = step else { continue };
        let Some(id) = &c.probe else { continue };
        let save_as = c.save_as.clone().unwrap_or_else(|| c.id.clone());
        if out.iter().any(|s| s.save_as == save_as) {
            continue;
        }
        let probe = registry
            .runnable_probe(id)
            .ok_or_else(|| format!("check `{}`: unknown probe `{id}`", c.id))?;
        let params = c.params.clone().unwrap_or(Value::Null);
        let run = probe
            .run(&params, home)
            .map_err(|e| format!("check `{}`: probe `{id}` parameters: {e}", c.id))?;
        out.push(Scanned {
            check: c.id.clone(),
            probe: id.clone(),
            save_as,
            facts: run.facts,
            warnings: run.warnings,
        });
    }
    Ok(out)
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
