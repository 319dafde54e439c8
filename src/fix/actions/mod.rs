//! The vetted actions, one file each: its [`ActionDef`](super::ActionDef)
//! and [`Action`](super::Action) impls, its id, and its planner.
//! `crate::registry` lists them.

pub mod clear_site_data;
pub mod remove_workspace_entry;
pub mod reset_desktop_app;
mod session;

pub use clear_site_data::ClearSiteData;
pub use remove_workspace_entry::RemoveWorkspaceEntry;
pub use reset_desktop_app::ResetDesktopApp;
