//! Front-ends: how questions reach the user (a terminal, an answers file, or
//! both) and how findings are printed.

pub mod interactive;
pub mod printer;
pub mod progress;
pub mod scripted;
pub mod stdout;
pub mod table;
pub mod wrap;

use crate::Result;
use crate::flow::Answer;
use crate::flow::engine::Question;

pub use printer::{ColorChoice, Printer, Verbosity};

/// Something that can answer the engine's questions and give consent.
pub trait Prompter {
    /// Answer a question; `Error::Cancelled` on Esc/Ctrl-C, `Error::MissingAnswer`
    /// when nobody can answer.
    fn ask(&mut self, q: &Question) -> Result<Answer>;
    /// Consent to apply a fix whose plan was just shown.
    fn consent(&mut self, step: &str, title: &str) -> Result<bool>;
    /// The owner of a store runs: ask whether to check again after closing it.
    fn retry_when_closed(&mut self, reason: &str) -> Result<bool>;
    /// Offer to export a report at the end; Some(path) to export.
    fn offer_export(&mut self) -> Result<Option<std::path::PathBuf>>;
    /// Whether a person is answering (decides spinners and export offers).
    fn interactive(&self) -> bool;
    /// Whether an answers file or `--answer` holds the answer to `q`.
    fn has_answer(&self, q: &Question) -> bool;
    /// `--yes`: consent to fixes and take defaults (never "I did it" for a guide).
    fn assumes_yes(&self) -> bool {
        false
    }
}
