//! The terminal front-end, with inquire. Esc and Ctrl-C cancel the run.

use std::borrow::Cow;
use std::io::Write;
use std::path::PathBuf;

use inquire::InquireError;
use inquire::ui::{Color, RenderConfig, Styled};
use serde_json::Value;

use crate::flow::engine::Question;
use crate::flow::{Answer, AskKind};
use crate::sanitize::{LINE_MAX, terminal};
use crate::ui::Prompter;
use crate::{Error, Result};

#[derive(Debug, Default)]
pub struct Interactive;

impl Interactive {
    pub fn new() -> Interactive {
        inquire::set_global_render_config(render_config());
        Interactive
    }
}

/// The keys a select takes, shown under every one of them.
pub const SELECT_KEYS: &str = "↑↓ to move, enter to select, type to filter";

/// inquire's look, following `--color`: a question still open starts with
/// `?`, an answered one with `✔`, with or without colors.
fn render_config() -> RenderConfig<'static> {
    let base = if crate::ui::Printer::colors() {
        RenderConfig::default_colored()
    } else {
        RenderConfig::empty()
    };
    let answered = if crate::ui::Printer::colors() {
        Styled::new("✔").with_fg(Color::LightGreen)
    } else {
        Styled::new("✔")
    };
    base.with_answered_prompt_prefix(answered)
}

/// Put the terminal back as a prompt found it (cooked mode, no bracketed
/// paste, cursor shown) and start a fresh line below the prompt: for a
/// signal that ends the run while a prompt is open, from the signal thread.
/// Harmless when no prompt is open.
pub fn restore_terminal() {
    use crossterm::{cursor, event, execute, terminal};
    let was_raw = terminal::is_raw_mode_enabled().unwrap_or(false);
    let _ = terminal::disable_raw_mode();
    if was_raw {
        let mut err = std::io::stderr();
        let _ = execute!(
            err,
            event::DisableBracketedPaste,
            cursor::Show,
            cursor::MoveToColumn(0),
            terminal::Clear(terminal::ClearType::FromCursorDown)
        );
    }
}

/// A line of text typed at the terminal. The terminal's own line editing
/// is used (canonical mode), so Ctrl-U, Ctrl-W and Backspace edit as in a
/// shell; Enter on an empty line takes `default`; Esc (then Enter) or
/// Ctrl-D cancels, and Ctrl-C ends the run as at every prompt.
fn read_text(prompt: &str, default: Option<&str>, help: Option<&str>) -> Result<String> {
    use std::io::BufRead;
    let mut err = std::io::stderr().lock();
    if let Some(h) = help {
        say(&mut err, h);
    }
    let shown = match default {
        Some(d) => format!("? {prompt} ({}) ", clean(d)),
        None => format!("? {prompt} "),
    };
    let _ = write!(err, "{shown}");
    let _ = err.flush();
    drop(err);
    let mut line = String::new();
    let n = std::io::stdin()
        .lock()
        .read_line(&mut line)
        .map_err(|e| Error::io("reading the answer", e))?;
    let line = line.trim_end_matches(['\n', '\r']);
    if n == 0 || line.contains('\x1b') {
        return Err(Error::Cancelled);
    }
    Ok(match (line.trim().is_empty(), default) {
        (true, Some(d)) => d.to_string(),
        _ => line.trim().to_string(),
    })
}

/// Write `text` on stderr wrapped to the terminal, indentation kept.
fn say(err: &mut impl Write, text: &str) {
    for l in crate::ui::wrap::wrap(text, 0) {
        let _ = writeln!(err, "{l}");
    }
}

/// Flow text that may quote store text, safe for the terminal.
fn clean(s: &str) -> Cow<'_, str> {
    terminal(s, LINE_MAX)
}

fn map_err(e: InquireError) -> Error {
    match e {
        InquireError::OperationCanceled | InquireError::OperationInterrupted => Error::Cancelled,
        InquireError::NotTTY => {
            Error::Usage("the wizard needs a terminal; use --answers or --answer ID=VALUE".into())
        }
        other => Error::Usage(format!("prompt failed: {other}")),
    }
}

/// A prompt wrapped for its line: `? ` before it, ` (y/N) `, what is typed
/// and the cursor after it.
fn prompt_text(prompt: &str) -> String {
    crate::ui::wrap::for_prompt(prompt, 2, 10, "  ")
}

/// Ask yes or no; `prompt` is wrapped here.
fn confirm(prompt: &str, default: bool, help: Option<&str>) -> Result<bool> {
    confirm_wrapped(&prompt_text(prompt), default, help)
}

/// Ask yes or no; `prompt` is already wrapped ([`prompt_text`]).
fn confirm_wrapped(prompt: &str, default: bool, help: Option<&str>) -> Result<bool> {
    let mut c = inquire::Confirm::new(prompt).with_default(default);
    if let Some(h) = help {
        c = c.with_help_message(h);
    }
    c.prompt().map_err(map_err)
}

impl Prompter for Interactive {
    fn ask(&mut self, q: &Question) -> Result<Answer> {
        if let Some(g) = &q.guide {
            // Like the printer's, these lines may quote store text.
            let mut err = std::io::stderr().lock();
            let _ = writeln!(err);
            say(&mut err, &clean(&g.title));
            for (i, s) in g.steps.iter().enumerate() {
                say(&mut err, &format!("  {}. {}", i + 1, clean(s)));
            }
            if let Some(u) = &g.url {
                say(&mut err, &format!("  {}", clean(u)));
            }
            let _ = writeln!(err);
        }
        // Option labels name workspaces and profiles from the stores.
        let prompt = prompt_text(&clean(&q.prompt));
        let help = q.help.as_deref().map(|h| clean(h).into_owned());
        match q.kind {
            AskKind::Select => {
                let full: Vec<String> = q
                    .options
                    .iter()
                    .map(|o| clean(&o.label).into_owned())
                    .collect();
                // Each label wrapped under its `> ` marker.
                let labels: Vec<String> = full
                    .iter()
                    .map(|l| crate::ui::wrap::for_prompt(l, 2, 0, "  "))
                    .collect();
                // The answer follows the prompt's last line.
                let after =
                    3 + textwrap::core::display_width(prompt.rsplit('\n').next().unwrap_or(""));
                let answer = move |o: inquire::list_option::ListOption<&String>| {
                    crate::ui::wrap::for_prompt(&full[o.index], after, 0, "  ")
                };
                let start = q
                    .default
                    .as_ref()
                    .and_then(Value::as_str)
                    .and_then(|d| q.options.iter().position(|o| o.id == d))
                    .unwrap_or(0);
                // The flow's help is a paragraph above the question, wrapped
                // like the rest; the prompt's own line keeps the keys.
                if let Some(h) = &help {
                    say(&mut std::io::stderr().lock(), h);
                }
                let s = inquire::Select::new(&prompt, labels.clone())
                    .with_starting_cursor(start)
                    .with_help_message(SELECT_KEYS)
                    .with_formatter(&answer);
                let picked = s.raw_prompt().map_err(map_err)?;
                Ok(Answer::Choice(q.options[picked.index].id.clone()))
            }
            AskKind::Confirm => {
                let d = q.default.as_ref().and_then(Value::as_bool).unwrap_or(true);
                if let Some(h) = &help {
                    say(&mut std::io::stderr().lock(), h);
                }
                confirm_wrapped(&prompt, d, None).map(Answer::Bool)
            }
            AskKind::Text => {
                let d = q.default.as_ref().and_then(Value::as_str);
                read_text(&prompt, d, help.as_deref()).map(Answer::Text)
            }
        }
    }

    fn consent(&mut self, _step: &str, _title: &str) -> Result<bool> {
        confirm(
            "Apply this fix?",
            false,
            Some("`troubleshoot undo` puts back what the fix changes."),
        )
    }

    fn retry_when_closed(&mut self, reason: &str) -> Result<bool> {
        confirm(
            &format!("{}. Close it, then check again?", clean(reason)),
            true,
            Some("Answer no to leave everything as it is."),
        )
    }

    fn offer_export(&mut self) -> Result<Option<PathBuf>> {
        if !confirm(
            "Export a diagnostic report to share with support?",
            false,
            Some("Names, ids and emails are redacted."),
        )? {
            return Ok(None);
        }
        // The default is absolute, so the message says where it goes.
        let default = std::path::absolute("troubleshoot-report.md")
            .unwrap_or_else(|_| PathBuf::from("troubleshoot-report.md"));
        let default = default.display().to_string();
        loop {
            // A path that cannot take the report is said at once and asked
            // again: the run is over, nothing should be lost to a typo.
            let typed = read_text(
                "Save the report as (.md, .html or .json):",
                Some(&default),
                None,
            )?;
            let path = std::path::absolute(&typed).unwrap_or_else(|_| PathBuf::from(&typed));
            if let Some(problem) = crate::report::target_problem(&path) {
                say(
                    &mut std::io::stderr().lock(),
                    &format!("  {}; try again.", clean(&problem)),
                );
                continue;
            }
            // An existing file is replaced only when the user says so.
            if path.is_file()
                && !confirm(
                    &format!("{} exists. Replace it?", clean(&path.display().to_string())),
                    false,
                    Some("Answer no to choose another name."),
                )?
            {
                continue;
            }
            return Ok(Some(path));
        }
    }

    fn interactive(&self) -> bool {
        true
    }

    fn has_answer(&self, _q: &Question) -> bool {
        false
    }
}
