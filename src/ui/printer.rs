//! Everything the wizard says goes to stderr through here, styled with
//! owo-colors; stdout is reserved for the product (`--json`, reports).

use std::io::{IsTerminal, Write};

use owo_colors::{OwoColorize, Stream};

use crate::cli::ColorChoice;

#[derive(Debug, Clone, Copy)]
pub struct Printer;

impl Printer {
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
        Printer
    }

    fn line(&self, s: &str) {
        let _ = writeln!(std::io::stderr().lock(), "{s}");
    }

    pub fn blank(&self) {
        self.line("");
    }

    pub fn heading(&self, s: &str) {
        self.line(&format!(
            "{}",
            s.if_supports_color(Stream::Stderr, |t| t.bold())
        ));
    }

    pub fn status(&self, s: &str) {
        self.line(&format!(
            "{}",
            s.if_supports_color(Stream::Stderr, |t| t.dimmed())
        ));
    }

    /// A conclusion, with its evidence.
    pub fn finding(&self, s: &str) {
        let mark = "●"
            .if_supports_color(Stream::Stderr, |t| t.cyan())
            .to_string();
        self.line(&format!("{mark} {s}"));
    }

    pub fn warn(&self, s: &str) {
        let w = "warning:"
            .if_supports_color(Stream::Stderr, |t| t.yellow().bold().to_string())
            .to_string();
        self.line(&format!("{w} {s}"));
    }

    pub fn error(&self, s: &str) {
        let e = "error:"
            .if_supports_color(Stream::Stderr, |t| t.red().bold().to_string())
            .to_string();
        self.line(&format!("{e} {s}"));
    }

    pub fn hint(&self, s: &str) {
        let h = "hint:"
            .if_supports_color(Stream::Stderr, |t| t.green())
            .to_string();
        self.line(&format!("{h} {s}"));
    }

    pub fn success(&self, s: &str) {
        let m = "✔"
            .if_supports_color(Stream::Stderr, |t| t.green())
            .to_string();
        self.line(&format!("{m} {s}"));
    }

    pub fn failure(&self, s: &str) {
        let m = "✘"
            .if_supports_color(Stream::Stderr, |t| t.red())
            .to_string();
        self.line(&format!("{m} {s}"));
    }

    pub fn plain(&self, s: &str) {
        self.line(s);
    }
}
