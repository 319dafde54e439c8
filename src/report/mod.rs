//! Run records and their exports: JSON, Markdown, HTML, redacted by default.

pub mod record;

pub use record::{Finding, FixRecord, RECORD_SCHEMA, RunRecord};
