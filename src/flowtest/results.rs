//! What running a suite reports.

use serde::Serialize;

use crate::flow::catalog::Catalog;
use crate::flow::error::FlowError;
use crate::flow::protocol::Outcome;

/// Why tests could not run: the flow or the test file is malformed or missing
/// (exit 2). Every error names the file and where in it.
#[derive(Debug, Clone, thiserror::Error)]
pub enum ScenarioError {
    /// The flow under test does not load.
    #[error("{0}")]
    Flow(FlowError),
    /// The test file is missing, malformed, or names things the flow lacks.
    #[error("{0}")]
    Tests(FlowError),
}

impl ScenarioError {
    pub fn problems(&self) -> &FlowError {
        match self {
            ScenarioError::Flow(e) | ScenarioError::Tests(e) => e,
        }
    }
}

/// How one scenario went.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ScenarioResult {
    pub name: String,
    pub passed: bool,
    /// Readable reasons, possibly several lines each (path diffs).
    pub failures: Vec<String>,
    /// Steps visited, in order.
    pub path: Vec<String>,
    /// The step the run finished at, if it finished.
    pub end: Option<String>,
    pub outcome: Option<Outcome>,
    /// Edges taken: (step id, edge label as in `Step::edges`).
    #[serde(skip)]
    pub edges: Vec<(String, String)>,
}

/// What no scenario reached.
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
pub struct Coverage {
    pub steps: usize,
    pub ends: usize,
    pub edges: usize,
    pub uncovered_steps: Vec<String>,
    /// `end` steps no scenario reached, with their outcome.
    pub uncovered_ends: Vec<(String, String)>,
    /// Edges no scenario took: `step (label) -> target`.
    pub uncovered_edges: Vec<String>,
}

impl Coverage {
    pub fn full(&self) -> bool {
        self.uncovered_steps.is_empty() && self.uncovered_ends.is_empty()
    }
}

/// How a test file went.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SuiteResult {
    /// The test file (or `flows/<id>.tests.json` for a built-in).
    pub file: String,
    pub flow: String,
    pub scenarios: Vec<ScenarioResult>,
    pub coverage: Coverage,
    /// Uncovered steps or ends count as a failure.
    pub require_full_coverage: bool,
}

impl SuiteResult {
    pub fn failed(&self) -> usize {
        self.scenarios.iter().filter(|s| !s.passed).count()
    }

    pub fn passed(&self) -> bool {
        self.failed() == 0 && (!self.require_full_coverage || self.coverage.full())
    }

    /// 0 all pass (and coverage is full when required), 1 otherwise.
    pub fn exit_code(&self) -> u8 {
        if self.passed() { 0 } else { 1 }
    }
}

/// Options of `troubleshoot flows test`.
#[derive(Clone, Copy)]
pub struct Options<'a> {
    pub require_full_coverage: bool,
    /// The probes and actions flows are checked against.
    pub catalog: &'a dyn Catalog,
}

impl<'a> Options<'a> {
    /// Against `catalog`: the binary's (`crate::registry::builtin()`, which
    /// the `flows test` command passes) or a test's with more.
    pub fn new(catalog: &'a dyn Catalog) -> Options<'a> {
        Options {
            require_full_coverage: false,
            catalog,
        }
    }
}
