//! `troubleshoot`: a diagnostic wizard. The troubleshooting knowledge lives in
//! data (`flows/*.json`); this library is the generic engine, the evidence
//! probes, the safe fixes and the reports around it.

// POSIX calls go through `nix` and std; nothing here needs `unsafe`.
#![forbid(unsafe_code)]

pub mod bounded;
pub mod clock;
pub mod demo;
pub mod demo_data;
pub mod digest;
pub mod error;
pub mod fix;
pub mod flow;
pub mod flowtest;
pub mod fsx;
pub mod os;
pub mod probe;
pub mod readers;
pub mod registry;
pub mod report;
pub mod retention;
pub mod run_id;
pub mod sanitize;
pub mod signals;

pub use error::{Error, Result};
pub mod app;
pub mod cli;
pub mod cmd;
pub mod state;
pub mod ui;
pub mod wizard;
