//! The terminal front-end, with inquire. Esc and Ctrl-C cancel the run.

use std::borrow::Cow;
use std::io::Write;
use std::path::PathBuf;

use inquire::InquireError;
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
        Interactive
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

fn confirm(prompt: &str, default: bool, help: Option<&str>) -> Result<bool> {
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
            let _ = writeln!(err, "{}", clean(&g.title));
            for (i, s) in g.steps.iter().enumerate() {
                let _ = writeln!(err, "  {}. {}", i + 1, clean(s));
            }
            if let Some(u) = &g.url {
                let _ = writeln!(err, "  {}", clean(u));
            }
            let _ = writeln!(err);
        }
        // Option labels name workspaces and profiles from the stores.
        let prompt = clean(&q.prompt).into_owned();
        let help = q.help.as_deref().map(|h| clean(h).into_owned());
        match q.kind {
            AskKind::Select => {
                let labels: Vec<String> = q
                    .options
                    .iter()
                    .map(|o| clean(&o.label).into_owned())
                    .collect();
                let start = q
                    .default
                    .as_ref()
                    .and_then(Value::as_str)
                    .and_then(|d| q.options.iter().position(|o| o.id == d))
                    .unwrap_or(0);
                let mut s =
                    inquire::Select::new(&prompt, labels.clone()).with_starting_cursor(start);
                if let Some(h) = &help {
                    s = s.with_help_message(h);
                }
                let picked = s.raw_prompt().map_err(map_err)?;
                Ok(Answer::Choice(q.options[picked.index].id.clone()))
            }
            AskKind::Confirm => {
                let d = q.default.as_ref().and_then(Value::as_bool).unwrap_or(true);
                confirm(&prompt, d, help.as_deref()).map(Answer::Bool)
            }
            AskKind::Text => {
                let mut t = inquire::Text::new(&prompt);
                let d = q
                    .default
                    .as_ref()
                    .and_then(Value::as_str)
                    .map(str::to_string);
                if let Some(d) = &d {
                    t = t.with_default(d);
                }
                t.prompt().map(Answer::Text).map_err(map_err)
            }
        }
    }

    fn consent(&mut self, _step: &str, _title: &str) -> Result<bool> {
        confirm(
            "Apply this fix?",
            false,
            Some("A backup is taken first; `troubleshoot undo` restores it."),
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
        let path = inquire::Text::new("Save the report as:")
            .with_default("troubleshoot-report.md")
            .with_help_message(".md, .html or .json")
            .prompt()
            .map_err(map_err)?;
        Ok(Some(PathBuf::from(path)))
    }

    fn interactive(&self) -> bool {
        true
    }

    fn has_answer(&self, _q: &Question) -> bool {
        false
    }
}
