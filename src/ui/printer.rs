//! Everything the wizard says goes to stderr through here, styled with
//! owo-colors; stdout is reserved for the product (`--json`, reports).
//!
//! Every message is untrusted as a whole (it may quote a workspace name, a
//! profile folder, a path): controls, CR/LF and bidirectional overrides in
//! it are shown as visible escapes and a line is capped at
//! [`LINE_MAX`](crate::sanitize::LINE_MAX) characters
//! ([`crate::sanitize`]), before any color of our own is added. A message
//! of several lines is printed a line at a time by its caller.

use std::borrow::Cow;
use std::io::{IsTerminal, Write};

use owo_colors::{OwoColorize, Stream};

use crate::cli::ColorChoice;
use crate::sanitize::{LINE_MAX, terminal};

/// `s` safe for the terminal.
fn clean(s: &str) -> Cow<'_, str> {
    terminal(s, LINE_MAX)
}

/// How much the tool says: one setting for every command (`-q`, default,
/// `-v`), as uv's printer has it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default)]
pub enum Verbosity {
    /// `-q`: no progress or status lines; findings, questions, warnings,
    /// errors and results still show.
    Quiet,
    #[default]
    Default,
    /// `-v`: also every place looked at and why each was skipped.
    Verbose,
}

#[derive(Debug, Clone, Copy, Default)]
pub struct Printer {
    verbosity: Verbosity,
}

impl Printer {
    /// The verbosity every command follows.
    pub fn verbosity(&self) -> Verbosity {
        self.verbosity
    }

    pub fn verbose(&self) -> bool {
        self.verbosity == Verbosity::Verbose
    }

    /// The same printer at `verbosity`.
    pub fn with_verbosity(self, verbosity: Verbosity) -> Printer {
        Printer { verbosity }
    }

    /// Apply `--color`; `auto` follows the terminal and NO_COLOR.
    pub fn new(choice: ColorChoice) -> Printer {
        match choice {
            ColorChoice::Always => owo_colors::set_override(true),
            ColorChoice::Never => owo_colors::set_override(false),
            ColorChoice::Auto => {
                let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
                if no_color || !std::io::stderr().is_terminal() {
                    owo_colors::set_override(false);
                }
            }
        }
        Printer::default()
    }

    fn line(&self, s: &str) {
        let _ = writeln!(std::io::stderr().lock(), "{s}");
    }

    pub fn blank(&self) {
        self.line("");
    }

    pub fn heading(&self, s: &str) {
        let s = &*clean(s);
        self.line(&format!(
            "{}",
            s.if_supports_color(Stream::Stderr, |t| t.bold())
        ));
    }

    /// Progress and status; not under `-q`.
    pub fn status(&self, s: &str) {
        if self.verbosity == Verbosity::Quiet {
            return;
        }
        let s = &*clean(s);
        self.line(&format!(
            "{}",
            s.if_supports_color(Stream::Stderr, |t| t.dimmed())
        ));
    }

    /// A conclusion, with its evidence.
    pub fn finding(&self, s: &str) {
        let s = clean(s);
        let mark = "●"
            .if_supports_color(Stream::Stderr, |t| t.cyan())
            .to_string();
        self.line(&format!("{mark} {s}"));
    }

    pub fn warn(&self, s: &str) {
        let s = clean(s);
        let w = "warning:"
            .if_supports_color(Stream::Stderr, |t| t.yellow().bold().to_string())
            .to_string();
        self.line(&format!("{w} {s}"));
    }

    pub fn error(&self, s: &str) {
        let s = clean(s);
        let e = "error:"
            .if_supports_color(Stream::Stderr, |t| t.red().bold().to_string())
            .to_string();
        self.line(&format!("{e} {s}"));
    }

    pub fn hint(&self, s: &str) {
        let s = clean(s);
        let h = "hint:"
            .if_supports_color(Stream::Stderr, |t| t.green())
            .to_string();
        self.line(&format!("{h} {s}"));
    }

    pub fn success(&self, s: &str) {
        let s = clean(s);
        let m = "✔"
            .if_supports_color(Stream::Stderr, |t| t.green())
            .to_string();
        self.line(&format!("{m} {s}"));
    }

    pub fn failure(&self, s: &str) {
        let s = clean(s);
        let m = "✘"
            .if_supports_color(Stream::Stderr, |t| t.red())
            .to_string();
        self.line(&format!("{m} {s}"));
    }

    pub fn plain(&self, s: &str) {
        self.line(&clean(s));
    }
}
