//! Read-only evidence: browsers, profiles, the desktop app, sync, linked
//! accounts and whether each program runs. Probes never write under the home.

mod accounts;
pub mod app_sessions;
mod appcache;
pub mod browsers;
pub mod chromium;
pub mod contract;
pub mod ctx;
pub mod desktop;
pub mod firefox;
pub mod keyed_sessions;
pub mod keyed_spec;
pub mod layout;
pub mod model;
pub mod pattern;
mod prefetch;
pub mod running;
pub mod scan;
pub mod sessions;
pub mod signin;
pub mod spec;

pub use accounts::sources_text;
pub use contract::{Probe, ProbeDef, ProbeInfo, ProbeRun};
pub use layout::{Home, Layout};
pub use model::*;
pub use scan::scan;
pub use spec::AppSpec;
