//! Vetted fixes: plan, backup, apply, verify, undo.
//!
//! An action (a file in `actions/`, a line in `crate::registry`) only
//! plans: [`plan`] computes exactly what it will touch, reading only. The
//! rest is the same for every action, because a [`Plan`] is made of [`Op`]s
//! the executor knows. [`owner_running`] says whether the program owning
//! the store runs or holds its lock. [`apply`] takes the state-folder lock
//! and the stores' own locks, re-checks the owner, backs up every file that
//! may change (sha256 manifest, owner-only), journals the action as
//! `started`, applies it (an SQLite transaction, a LevelDB batch appended
//! under the store's `LOCK`, a folder by rename), reads the store back, and
//! journals the files' hashes after. If anything fails midway the backup is
//! restored at once. [`rollback`] restores after a failed `verify`;
//! [`undo`] puts the store back later, byte for byte when nothing else
//! wrote to it since, else by the fix's exact inverse; it refuses while the
//! owner runs, and when a change since cannot be kept (unless forced).
//!
//! Kill safety: the backup is complete and fsynced, and the journal row
//! `started` committed, before the store is touched; so a run killed at
//! any moment leaves either the original store or one `undo` restores
//! byte for byte.
//!
//! Paths come only from the session the scan found and the parameters of
//! the check a fix step names as its evidence, and every one is refused
//! unless it lies under the home after resolving symlinks and holds no `..`.

mod action;
mod actions;
mod apply;
mod backup;
mod checks;
mod error;
mod folders;
mod fsx;
mod inverse;
mod journal;
mod lock;
mod owner;
mod plan;
mod restore;
mod stores;
mod undo;
mod watched;

pub use action::{Action, ActionDef, ActionInfo, evidence_spec, plan};
pub use actions::{
    ClearSiteData, RemoveWorkspaceEntry, ResetDesktopApp, clear_site_data, remove_workspace_entry,
    reset_desktop_app,
};
pub use apply::{Applied, StoreHold, apply, apply_held};
pub use error::FixError;
pub use journal::Status as JournalStatus;
pub use owner::owner_running;
pub use plan::{FixContext, Op, Plan};
pub use restore::UndoneAction;
pub use stores::{CookieFlavor, LsKey};
pub use undo::{JournalEntry, UndoMode, UndoReport, list_undoable, rollback, rollback_held, undo};
