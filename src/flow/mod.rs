//! Flows: the data that describes a troubleshooting wizard, how it is loaded,
//! validated, drawn and run.

pub mod builtin;
pub mod catalog;
pub mod engine;
pub mod error;
pub mod expand;
pub mod facts;
pub mod graph;
pub mod load;
pub mod model;
pub mod protocol;
pub mod schema;
pub mod shared;
pub mod validate;

#[cfg(test)]
mod tests;
#[cfg(test)]
mod tests_short;

pub use engine::{Answer, Engine, FixResult, Need};
pub use error::{FlowError, Problem};
pub use facts::Facts;
pub use load::{load_file, load_str};
pub use model::*;
pub use schema::schema_json;
