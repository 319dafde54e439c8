//! What is wrong with a flow: each problem with where it is (a `line:column`
//! or a JSON path), and the file it is in.

use std::fmt;

/// One thing wrong with a flow, and where.
#[derive(Debug, Clone, PartialEq)]
pub struct Problem {
    /// `line:column` or a JSON path like `steps[3].ask.options[0].next`.
    pub location: String,
    pub message: String,
}

/// A flow that cannot be used, with every problem found.
#[derive(Debug, Clone)]
pub struct FlowError {
    pub file: String,
    pub problems: Vec<Problem>,
}

impl FlowError {
    pub fn one(file: &str, location: impl Into<String>, message: impl Into<String>) -> FlowError {
        FlowError {
            file: file.to_string(),
            problems: vec![Problem {
                location: location.into(),
                message: message.into(),
            }],
        }
    }

    pub fn hint(&self) -> Option<String> {
        Some("`troubleshoot flows check FILE` lists every problem; flows/README.md documents the format".into())
    }
}

impl fmt::Display for FlowError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, p) in self.problems.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            if p.location.is_empty() {
                write!(f, "{}: {}", self.file, p.message)?;
            } else {
                write!(f, "{}:{}: {}", self.file, p.location, p.message)?;
            }
        }
        Ok(())
    }
}

impl std::error::Error for FlowError {}
