//! Everything the wizard says goes to stderr through here, styled with
//! owo-colors and wrapped to the terminal's width at spaces
//! ([`super::wrap`]); stdout is reserved for the product (`--json`,
//! reports, listings).
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

/// `--color`: whether messages are styled (`auto`: when stderr is a
/// terminal and `NO_COLOR` is not set).
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

/// The color decision of [`Printer::new`].
static COLORS: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

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
        let on = match choice {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto => {
                let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
                !no_color && std::io::stderr().is_terminal()
            }
        };
        match choice {
            ColorChoice::Always | ColorChoice::Never => owo_colors::set_override(on),
            ColorChoice::Auto if !on => owo_colors::set_override(false),
            ColorChoice::Auto => {}
        }
        COLORS.store(on, std::sync::atomic::Ordering::Relaxed);
        Printer::default()
    }

    /// Whether `--color` (or `auto`) decided on colors for stderr; the
    /// prompts follow it too.
    pub fn colors() -> bool {
        COLORS.load(std::sync::atomic::Ordering::Relaxed)
    }

    fn line(&self, s: &str) {
        let _ = writeln!(std::io::stderr().lock(), "{s}");
    }

    /// `body` (already safe) wrapped to the terminal, each line styled by
    /// `style`.
    fn styled(&self, body: &str, style: impl Fn(&str) -> String) {
        for l in super::wrap::wrap(body, 0) {
            self.line(&style(&l));
        }
    }

    /// `mark` (shown as `styled_mark`), a space and `body` (already safe),
    /// wrapped to the terminal with the continuation lines under the body.
    fn marked(&self, mark: &str, styled_mark: &str, body: &str) {
        let used = textwrap::core::display_width(mark) + 1;
        for (i, l) in super::wrap::wrap(body, used).iter().enumerate() {
            if i == 0 {
                self.line(&format!("{styled_mark} {l}"));
            } else {
                self.line(&format!("{}{l}", " ".repeat(used)));
            }
        }
    }

    pub fn blank(&self) {
        self.line("");
    }

    pub fn heading(&self, s: &str) {
        self.styled(&clean(s), |l| {
            l.if_supports_color(Stream::Stderr, |t| t.bold())
                .to_string()
        });
    }

    /// Progress and status; not under `-q`.
    pub fn status(&self, s: &str) {
        if self.verbosity == Verbosity::Quiet {
            return;
        }
        self.styled(&clean(s), |l| {
            l.if_supports_color(Stream::Stderr, |t| t.dimmed())
                .to_string()
        });
    }

    /// A conclusion, with its evidence.
    pub fn finding(&self, s: &str) {
        let mark = "●"
            .if_supports_color(Stream::Stderr, |t| t.cyan())
            .to_string();
        self.marked("●", &mark, &clean(s));
    }

    pub fn warn(&self, s: &str) {
        let w = "warning:"
            .if_supports_color(Stream::Stderr, |t| t.yellow().bold().to_string())
            .to_string();
        self.marked("warning:", &w, &clean(s));
    }

    pub fn error(&self, s: &str) {
        let e = "error:"
            .if_supports_color(Stream::Stderr, |t| t.red().bold().to_string())
            .to_string();
        self.marked("error:", &e, &clean(s));
    }

    pub fn hint(&self, s: &str) {
        let h = "hint:"
            .if_supports_color(Stream::Stderr, |t| t.green())
            .to_string();
        self.marked("hint:", &h, &clean(s));
    }

    pub fn success(&self, s: &str) {
        let m = "✔"
            .if_supports_color(Stream::Stderr, |t| t.green())
            .to_string();
        self.marked("✔", &m, &clean(s));
    }

    pub fn failure(&self, s: &str) {
        let m = "✘"
            .if_supports_color(Stream::Stderr, |t| t.red())
            .to_string();
        self.marked("✘", &m, &clean(s));
    }

    /// A command the user may copy, on lines of its own, indented: never
    /// wrapped inside an argument (see [`super::wrap::command_lines`]).
    pub fn command(&self, cmd: &str) {
        for l in super::wrap::command_lines(&clean(cmd), 2) {
            self.line(&format!("  {l}"));
        }
    }

    pub fn plain(&self, s: &str) {
        self.styled(&clean(s), str::to_string);
    }
}
