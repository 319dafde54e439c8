//! The one integration test binary: the CLI run as a user would, on fixture
//! homes written in real formats.

mod util;

mod architecture;
mod cli;
mod examples;
mod fixes;
mod flow_tests;
mod fuzz;
mod help;
mod hostile;
mod inputs;
mod key_bytes;
mod kit;
mod leveldb;
mod narrow;
mod output;
mod probes;
mod pty;
mod real;
mod real_large;
mod reports;
mod robust;
mod runs;
mod signout;
mod slack;
mod state_hostile;
mod streams;
mod toy;
mod undo_resume;
