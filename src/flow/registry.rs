//! What flows may call: the probes and fix actions the binary ships, their
//! parameter types and the facts they produce. Flows name these by id; they
//! cannot run anything else.

use serde_json::Value;

use super::model::Risk;

/// A probe a `check` step may run.
pub struct ProbeDef {
    pub id: &'static str,
    pub summary: &'static str,
    /// Top-level fields of the facts it produces (under the step's `as`).
    pub facts: &'static [&'static str],
    /// Checks the parameters; an error names what is wrong.
    pub check_params: fn(&Value) -> Result<(), String>,
}

/// How an action parameter is typed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ParamKind {
    /// A string naming a fact that holds one session object (`selected.workspace`).
    SessionFact,
}

pub struct ParamDef {
    pub name: &'static str,
    pub kind: ParamKind,
    pub required: bool,
}

/// A fix action a `fix` step may propose.
pub struct ActionDef {
    pub id: &'static str,
    pub kind: ActionKind,
    /// The vetted risk: a flow may raise it, never lower it.
    pub risk: Risk,
    pub summary: &'static str,
    pub params: &'static [ParamDef],
}

/// Facts of the `app-sessions` probe: the fields of `scan --json`.
pub const SCAN_FACTS: &[&str] = &[
    "schema",
    "layout",
    "root",
    "session_count",
    "sessions",
    "browsers",
    "desktop_app",
    "any_sync",
    "max_store_accounts",
    "warnings",
    "evidence",
];

fn check_app_spec(v: &Value) -> Result<(), String> {
    serde_path_to_error::deserialize::<_, crate::probe::AppSpec>(v.clone())
        .map_err(|e| match e.path().to_string().as_str() {
            "." | "" => e.into_inner().to_string(),
            p => format!("at {p}: {}", e.into_inner()),
        })?
        .check()
}

pub const PROBES: &[ProbeDef] = &[ProbeDef {
    id: "app-sessions",
    summary: "sessions of a web/desktop app in every browser profile and the desktop app, with sync, linked accounts and running state",
    facts: SCAN_FACTS,
    check_params: check_app_spec,
}];

const SESSION: ParamDef = ParamDef {
    name: "session",
    kind: ParamKind::SessionFact,
    required: true,
};

/// The vetted actions, one variant each: the fix planner matches on this
/// exhaustively, so an id can never fall through to another action.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ActionKind {
    RemoveWorkspaceEntry,
    ClearSiteData,
    ResetDesktopApp,
}

pub const ACTIONS: &[ActionDef] = &[
    ActionDef {
        id: "remove-workspace-entry",
        kind: ActionKind::RemoveWorkspaceEntry,
        risk: Risk::Medium,
        summary: "delete one workspace's Local Storage keys in one store, leaving every other key",
        params: &[SESSION],
    },
    ActionDef {
        id: "clear-site-data",
        kind: ActionKind::ClearSiteData,
        risk: Risk::Medium,
        summary: "remove the app's cookies and Local Storage for its origins in one profile (sign out of all there)",
        params: &[SESSION],
    },
    ActionDef {
        id: "reset-desktop-app",
        kind: ActionKind::ResetDesktopApp,
        risk: Risk::High,
        summary: "move the desktop app's data folder aside, like the app's Reset App Data",
        params: &[],
    },
];

pub fn probe(id: &str) -> Option<&'static ProbeDef> {
    PROBES.iter().find(|p| p.id == id)
}

pub fn action(id: &str) -> Option<&'static ActionDef> {
    ACTIONS.iter().find(|a| a.id == id)
}
