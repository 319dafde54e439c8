//! `troubleshoot undo [RUN_ID] [--list] [--force]`.

use crate::Result;
use crate::cli::{Global, UndoArgs};
use crate::error::exit;
use crate::fix;
use crate::sanitize::{LINE_MAX, terminal};
use crate::ui::{Printer, stdout};

/// Version of the `undo --list --json` document.
pub const UNDO_LIST_SCHEMA: u32 = 1;

pub fn run(global: &Global, args: &UndoArgs, printer: Printer) -> Result<u8> {
    let state_dir = crate::state::resolve(global.state_dir.as_deref())?;
    if args.list {
        let entries = fix::list_undoable(&state_dir)?;
        if args.json {
            #[derive(serde::Serialize)]
            struct Doc<'a> {
                schema: u32,
                fixes: &'a [fix::JournalEntry],
            }
            let doc = Doc {
                schema: UNDO_LIST_SCHEMA,
                fixes: &entries,
            };
            let text = serde_json::to_string_pretty(&doc)
                .map_err(|e| crate::Error::State(format!("cannot encode the fixes: {e}")))?;
            stdout::line(&crate::sanitize::json_safe(text))?;
            return Ok(exit::OK);
        }
        if entries.is_empty() {
            printer.plain("No fixes to undo.");
        }
        let mut text = String::new();
        for e in entries {
            // Paths and messages come from the journal: shown, never raw.
            text.push_str(&terminal(&e.to_string(), LINE_MAX));
            text.push('\n');
        }
        stdout::write(text.as_bytes())?;
        return Ok(exit::OK);
    }
    // With --root the home is checked against the one the run recorded;
    // without, the journal's is used.
    let asked = match &global.root {
        Some(_) => Some(super::home(global)?),
        None => None,
    };
    // A signal during the undo lets it finish first (see `signals`).
    let deferred = crate::signals::Deferred::begin();
    let report = fix::undo(
        &state_dir,
        asked.as_ref(),
        args.run_id.as_deref(),
        args.force,
    );
    drop(deferred);
    if crate::signals::take_pending().is_some() {
        printer.plain("Interrupted: the undo was carried through first.");
    }
    let report = report?;
    // One line at a time: the printer shows a newline inside a line as an
    // escape (text from the journal must not fake lines).
    let text = report.to_string();
    let mut lines = text.lines();
    if let Some(first) = lines.next() {
        printer.success(first);
    }
    for line in lines {
        printer.plain(line);
    }
    // The run record (and every report made from it from now on) says so.
    match crate::report::record_undo(&state_dir, &report) {
        Ok(()) => {}
        // A run killed mid-fix saved no record: nothing to update.
        Err(
            crate::report::ReportError::NotFound { .. } | crate::report::ReportError::NoRuns { .. },
        ) => {}
        Err(e) => printer.warn(&format!(
            "the undo is done, but the run record could not say so: {e}"
        )),
    }
    Ok(exit::OK)
}
