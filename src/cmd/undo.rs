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
            return Ok(exit::OK);
        }
        use crate::ui::table::{self, Column};
        let columns = [
            // The run id holds its start time; the owner and start stay in --json.
            Column {
                header: "RUN",
                whole: true,
            },
            Column {
                header: "STATE",
                whole: false,
            },
            Column {
                header: "ACTION",
                whole: false,
            },
            Column {
                header: "FILES",
                whole: false,
            },
            Column {
                header: "STORE",
                whole: false,
            },
        ];
        // Paths and messages come from the journal: shown, never raw.
        let shown = |s: &str| terminal(s, LINE_MAX).into_owned();
        let rows: Vec<Vec<String>> = entries
            .iter()
            .map(|e| {
                let mut state = e.status.to_string();
                if let Some(m) = &e.message {
                    state.push_str(&format!(": {m}"));
                }
                vec![
                    shown(&e.run_id),
                    shown(&state),
                    shown(&e.action),
                    e.files.to_string(),
                    shown(&e.store_path.display().to_string()),
                ]
            })
            .collect();
        stdout::write(table::render(&columns, &rows, table::stdout_columns()).as_bytes())?;
        return Ok(exit::OK);
    }
    // With --root the home is checked against the one the run recorded;
    // without, the journal's is used.
    let asked = match &global.root {
        Some(_) => Some(super::home(global)?),
        None => None,
    };
    // An id that cannot name a run is a usage error, as in `report`.
    if let Some(id) = args.run_id.as_deref()
        && !crate::run_id::is_run_id(id)
    {
        return Err(crate::Error::Usage(format!(
            "`{}` is no run id: a run id is {}; see the recorded runs with `troubleshoot runs`",
            crate::sanitize::terminal(id, crate::sanitize::DISPLAY_MAX),
            crate::run_id::RUN_ID_RULE
        )));
    }
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
    let report = match report {
        Ok(r) => r,
        Err(e) => return nothing_to_undo(&state_dir, e, printer),
    };
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

/// "Nothing to undo" is an answer, not a failure (exit 0); an id that names
/// no recorded run is a usage error (exit 2, as `report` says it); any other
/// error stays one.
fn nothing_to_undo(state_dir: &std::path::Path, e: fix::FixError, printer: Printer) -> Result<u8> {
    use crate::Error;
    match e {
        fix::FixError::NothingToUndo { run_id: None } => {
            printer.plain(
                "Nothing to undo: no fix of a recorded run is applied (see `troubleshoot runs`).",
            );
            Ok(exit::OK)
        }
        fix::FixError::NothingToUndo { run_id: Some(id) } => {
            let recorded = crate::report::runs_dir(state_dir)
                .join(format!("{id}.json"))
                .is_file();
            if !recorded {
                return Err(Error::Usage(format!(
                    "no run `{id}` in {}; see the recorded runs with `troubleshoot runs`",
                    crate::report::runs_dir(state_dir).display()
                )));
            }
            printer.plain(&format!("Nothing to undo: run {id} applied no fix."));
            Ok(exit::OK)
        }
        fix::FixError::AlreadyUndone { run_id, at } => {
            printer.plain(&format!(
                "Nothing to undo: run {run_id} was already undone at {at}."
            ));
            Ok(exit::OK)
        }
        other => Err(other.into()),
    }
}
