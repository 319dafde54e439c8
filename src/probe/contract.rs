//! What a probe is to the rest of the program: a [`ProbeDef`] (id,
//! parameters, facts) that can also run. `crate::registry` lists the
//! probes the binary ships; the wizard, `scan` and `flows test` find them
//! there by id.

use serde_json::Value;

use super::{Home, Warning};
pub use crate::flow::catalog::{ProbeDef, ProbeInfo};

/// What one run of a probe found.
#[derive(Debug, Clone, PartialEq)]
pub struct ProbeRun {
    /// Stored under the check's `as`; the fields [`ProbeDef::facts`] names.
    pub facts: Value,
    /// Stores that could not be read: shown and recorded, never dropped.
    pub warnings: Vec<Warning>,
}

/// A probe that can run. It only reads: nothing under the home changes.
pub trait Probe: ProbeDef {
    /// Run with a check's parameters (already accepted by
    /// [`ProbeDef::check_params`]) against `home`. An error means the
    /// parameters were unusable; unreadable stores are warnings in the run.
    fn run(&self, params: &Value, home: &Home) -> Result<ProbeRun, String>;
}
