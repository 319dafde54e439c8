//! `reset-desktop-app`: move the desktop app's data folder aside, as the
//! app's own Reset App Data does; undo moves it back.

use std::path::Path;

use crate::fix::action::{Action, ActionDef, ActionInfo, evidence_spec};
use crate::fix::error::FixError;
use crate::fix::{FixContext, Op, Plan, fsx};
use crate::flow::engine::FixCall;
use crate::flow::model::Risk;
use crate::probe::AppSpec;

/// The id flows name this action by.
pub const ID: &str = "reset-desktop-app";

/// The `reset-desktop-app` action ([`ID`]).
pub struct ResetDesktopApp;

/// What the action is, for the validator, the schema and the registry.
pub const INFO: ActionInfo = ActionInfo {
    id: ID,
    summary: "move the desktop app's data folder aside, like the app's Reset App Data",
    risk: Risk::High,
    params: &[],
    evidence: &["desktop_app"],
};

impl ActionDef for ResetDesktopApp {
    fn info(&self) -> &'static ActionInfo {
        &INFO
    }
}

impl Action for ResetDesktopApp {
    fn plan(&self, call: &FixCall, ctx: &FixContext) -> Result<Plan, FixError> {
        plan_reset_desktop(&evidence_spec(call)?, ctx)
    }
}

fn plan_reset_desktop(spec: &AppSpec, ctx: &FixContext) -> Result<Plan, FixError> {
    let bad = |message: String| FixError::BadParams {
        action: ID.into(),
        param: "desktop".into(),
        message,
    };
    let desktop = spec
        .desktop
        .as_ref()
        .ok_or_else(|| bad("the flow's probe names no desktop app".into()))?;
    let folder = desktop.folder.as_str();
    if folder.is_empty() || folder.contains(['/', '\\']) || folder == "." || folder == ".." {
        return Err(bad(format!("`{folder}` is not a plain folder name")));
    }
    let base = ctx.home.roaming_app_data();
    let from = base.join(folder);
    let to = base.join(format!("{folder}.troubleshoot-reset-{}", ctx.run_id));
    fsx::check_under(&ctx.home.root, &from)?;
    match std::fs::symlink_metadata(&from) {
        Ok(m) if m.file_type().is_dir() => {}
        Ok(_) => {
            return Err(FixError::UnsafePath {
                path: from,
                reason: "not a plain folder (a symlink or a file); refusing to move it".into(),
            });
        }
        Err(_) => {
            return Err(FixError::NothingToDo {
                path: from,
                message: format!(
                    "the {} desktop app has no data folder here; nothing to reset",
                    spec.app
                ),
            });
        }
    }
    if std::fs::symlink_metadata(&to).is_ok() {
        return Err(FixError::NothingToDo {
            path: to,
            message: "already exists: this run reset the app before".into(),
        });
    }
    let mut plan = Plan::empty();
    plan.owner = spec.app.clone();
    plan.owner_processes = if desktop.processes.is_empty() {
        vec![folder.to_string()]
    } else {
        desktop.processes.clone()
    };
    plan.store_path = from.clone();
    plan.lock_paths.push(from.clone());
    let partition = Path::new(&desktop.partition);
    if partition.is_absolute()
        || partition
            .components()
            .any(|c| !matches!(c, std::path::Component::Normal(_)))
    {
        return Err(bad(format!(
            "partition `{}` must be a relative path inside the app's folder",
            desktop.partition
        )));
    }
    plan.lock_paths
        .push(from.join(partition).join("Local Storage/leveldb"));
    plan.steps.push(format!(
        "move {} aside to {}",
        ctx.home.display(&from),
        ctx.home.display(&to)
    ));
    plan.steps.push(format!(
        "{} starts fresh, signed out of every account; `troubleshoot undo {}` moves the folder back",
        spec.app, ctx.run_id
    ));
    plan.moves.push((from.clone(), to.clone()));
    plan.ops.push(Op::MoveAside { from, to });
    Ok(plan)
}
