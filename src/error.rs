//! Errors as types, each with the context a user needs, and the one place that
//! maps them to exit codes (documented in the README).

use std::path::PathBuf;

/// Exit codes: the command-line contract.
pub mod exit {
    /// Resolved, nothing wrong, or the command did its job.
    pub const OK: u8 = 0;
    /// The problem remains.
    pub const UNRESOLVED: u8 = 1;
    /// Usage, flow or input error.
    pub const USAGE: u8 = 2;
    /// A fix failed and was rolled back.
    pub const ROLLED_BACK: u8 = 3;
    /// Cancelled (Esc or Ctrl-C).
    pub const CANCELLED: u8 = 130;
}

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("{0}")]
    Flow(#[from] crate::flow::FlowError),

    #[error("{0}")]
    Usage(String),

    #[error("question `{id}` has no answer")]
    MissingAnswer { id: String, hint: String },

    #[error("cancelled; nothing was changed")]
    Cancelled,

    /// A scripted answer led back to its own question: answering the same
    /// way again cannot lead anywhere new, so the run ends there.
    #[error("question `{id}` came back with the same scripted answer `{answer}`")]
    ScriptLoop { id: String, answer: String },

    #[error("{context}: {source}")]
    Io {
        context: String,
        #[source]
        source: std::io::Error,
    },

    #[error("{path}: {message}")]
    Input { path: PathBuf, message: String },

    #[error("{0}")]
    Fix(String),

    #[error(transparent)]
    FixFailed(#[from] crate::fix::FixError),

    #[error(transparent)]
    Report(#[from] crate::report::ReportError),

    #[error(transparent)]
    Retention(#[from] crate::retention::RetentionError),

    #[error("{0}")]
    State(String),

    /// Writing the product to stdout failed. A closed pipe (`| head`) is
    /// not reported: the reader has what it wanted (exit 0).
    #[error("cannot write to standard output")]
    Stdout(#[source] std::io::Error),
}

impl Error {
    pub fn io(context: impl Into<String>, source: std::io::Error) -> Error {
        Error::Io {
            context: context.into(),
            source,
        }
    }

    pub fn exit_code(&self) -> u8 {
        match self {
            Error::Cancelled => exit::CANCELLED,
            Error::Stdout(e) if e.kind() == std::io::ErrorKind::BrokenPipe => exit::OK,
            Error::Stdout(_) => exit::UNRESOLVED,
            Error::Fix(_)
            | Error::FixFailed(_)
            | Error::State(_)
            | Error::Io { .. }
            | Error::Retention(_) => exit::UNRESOLVED,
            // A run that is not there, or a file that is not a record: input errors.
            Error::Report(
                crate::report::ReportError::Io { .. } | crate::report::ReportError::Encode(_),
            ) => exit::UNRESOLVED,
            _ => exit::USAGE,
        }
    }

    /// A `hint:` line telling the user what to do next, where there is one.
    pub fn hint(&self) -> Option<String> {
        match self {
            Error::MissingAnswer { hint, .. } => Some(hint.clone()),
            Error::Flow(e) => e.hint(),
            _ => None,
        }
    }
}

impl From<crate::state::NoStateFolder> for Error {
    fn from(e: crate::state::NoStateFolder) -> Error {
        Error::Usage(e.to_string())
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;
