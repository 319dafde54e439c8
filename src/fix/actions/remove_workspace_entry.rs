//! `remove-workspace-entry`: delete one workspace's Local Storage keys in
//! one store (Chromium LevelDB or Firefox LSNG), leaving every other key.

use super::session::{
    SESSION, lsng_items, owner_processes, session_keys_now, session_note, session_param,
    snapshot_items, store_path_of, where_,
};
use crate::fix::action::{Action, ActionDef, ActionInfo, evidence_spec};
use crate::fix::error::FixError;
use crate::fix::stores::{self, LsKey};
use crate::fix::watched::current_files;
use crate::fix::{FixContext, Op, Plan};
use crate::flow::engine::FixCall;
use crate::flow::model::Risk;
use crate::probe::{AppSpec, Session, StoreKind};

/// The id flows name this action by.
pub const ID: &str = "remove-workspace-entry";

/// The `remove-workspace-entry` action ([`ID`]).
pub struct RemoveWorkspaceEntry;

/// What the action is, for the validator, the schema and the registry.
pub const INFO: ActionInfo = ActionInfo {
    id: ID,
    summary: "delete one workspace's Local Storage keys in one store, leaving every other key",
    risk: Risk::Medium,
    params: &[SESSION],
    evidence: &["sessions"],
};

impl ActionDef for RemoveWorkspaceEntry {
    fn info(&self) -> &'static ActionInfo {
        &INFO
    }
}

impl Action for RemoveWorkspaceEntry {
    fn plan(&self, call: &FixCall, ctx: &FixContext) -> Result<Plan, FixError> {
        plan_remove_entry(&session_param(call)?, &evidence_spec(call)?, ctx)
    }
}

fn plan_remove_entry(
    session: &Session,
    spec: &AppSpec,
    ctx: &FixContext,
) -> Result<Plan, FixError> {
    if session.keys.is_empty() && session.workspace_id.is_empty() {
        return Err(FixError::BadParams {
            action: ID.into(),
            param: "session".into(),
            message: "this session names no workspace, so it has no Local Storage keys to remove"
                .into(),
        });
    }
    let store = store_path_of(session, ctx.home)?;
    let mut plan = Plan::empty();
    plan.owner = session.browser.clone();
    plan.owner_processes = owner_processes(session, spec);
    plan.store_path = store.clone();
    plan.lock_paths = vec![store.clone()];
    let found: Vec<String> = match session.store_kind {
        StoreKind::ChromiumLeveldb => {
            let snap = stores::ldb_snapshot(&store)?;
            let items = snapshot_items(&snap, &store, &session.origin);
            let keys = session_keys_now(session, spec, &items);
            // Each stored key by its bytes: two keys that display alike
            // (a lone surrogate) are two plan lines, never one.
            let wanted: Vec<LsKey> = keys
                .iter()
                .flat_map(|k| stores::ls_keys_of(&snap, &session.origin, k))
                .collect();
            let shown: Vec<String> = wanted.iter().map(LsKey::display).collect();
            plan.ops.push(Op::LeveldbDelete {
                dir: store.clone(),
                keys: wanted,
                origins: Vec::new(),
            });
            shown
        }
        StoreKind::FirefoxLsng => {
            let items = lsng_items(&store, &session.origin, &session.store_path)?;
            let keys = session_keys_now(session, spec, &items);
            plan.ops.push(Op::LsngDelete {
                db: store.clone(),
                origin: session.origin.clone(),
                keys: keys.clone(),
                all: false,
            });
            keys
        }
    };
    if found.is_empty() {
        let listed = if session.keys.is_empty() {
            "the flow's key patterns match none".to_string()
        } else {
            format!("none of its keys ({})", session.keys.join(", "))
        };
        return Err(FixError::NothingToDo {
            path: store,
            message: format!(
                "{listed} for {} in this store any more; scan again",
                session_note(session)
            ),
        });
    }
    for k in &found {
        plan.steps.push(format!(
            "delete Local Storage key {k} of {} in {} ({})",
            session.origin,
            where_(session),
            session_note(session)
        ));
    }
    plan.steps
        .push("keep every other key, of this origin and of every other".into());
    plan.keys = found;
    plan.files = current_files(&plan)?;
    Ok(plan)
}
