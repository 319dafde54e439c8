//! What a fix action is: an [`ActionDef`] (id, parameters, risk) that can
//! plan. `crate::registry` lists the actions the binary ships.
//!
//! An action only plans. Applying, verifying, rolling back and undoing are
//! the same for every action, because a [`Plan`] is made of [`Op`]s the
//! executor knows how to back up, apply, read back and invert; so a new
//! action cannot skip the backup or the journal.
//!
//! [`Op`]: super::Op

use super::checks::check_plan_paths;
use super::{FixContext, FixError, Plan, fsx};
pub use crate::flow::catalog::{ActionDef, ActionInfo};
use crate::flow::engine::FixCall;
use crate::probe::AppSpec;

/// A fix action that can plan.
pub trait Action: ActionDef {
    /// Exactly what `call` will touch (its parameters resolved to facts, its
    /// evidence attached), reading only. The common checks (run id, paths
    /// under the home, the vetted risk) are [`plan`]'s.
    fn plan(&self, call: &FixCall, ctx: &FixContext) -> Result<Plan, FixError>;
}

/// The app's store description ([`AppSpec`]: its origins, keys, desktop
/// files) in the parameters of the check a fix step's `evidence` names.
/// Any probe may have run it: validation made sure that probe declares the
/// facts the action needs; the parameters must still read as a store
/// description, or the plan is refused naming the check.
pub fn evidence_spec(call: &FixCall) -> Result<AppSpec, FixError> {
    let bad = |message: String| FixError::BadParams {
        action: call.action.clone(),
        param: "evidence".into(),
        message,
    };
    let ev = call.evidence.as_ref().ok_or_else(|| {
        bad("missing: the fix step names no check whose probe found what it changes".into())
    })?;
    // Either probe's store description will do: `app-sessions` parameters,
    // or `keyed-sessions` ones, which name the same origins and folders.
    crate::probe::app_sessions::parse_spec(&ev.params)
        .or_else(|e| crate::probe::keyed_spec::store_spec_of(&ev.params).map_err(|_| e))
        .map_err(|e| {
            bad(format!(
                "check `{}` (probe `{}`) has no app store description in its parameters: {e}",
                ev.check, ev.probe
            ))
        })
}

/// Compute exactly what `call` will touch with `action` (the registry's
/// entry for `call.action`). Reads only: LevelDB in place, SQLite through
/// private copies.
pub fn plan(action: &dyn Action, call: &FixCall, ctx: &FixContext) -> Result<Plan, FixError> {
    fsx::check_run_id(ctx.run_id)?;
    let mut plan = action.plan(call, ctx)?;
    plan.action = action.id().to_string();
    // The vetted action's risk; a flow may raise it, never lower it.
    plan.risk = action.risk().max(call.risk);
    check_plan_paths(&plan, ctx.home)?;
    Ok(plan)
}
