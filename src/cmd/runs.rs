//! `troubleshoot runs [--json] [--prune [--older-than DAYS]]`: the recorded
//! runs with their outcome and where their fixes stand; pruning of old
//! records and of the backups of fixes that are done with
//! ([`crate::retention`]).

use std::time::{Duration, SystemTime};

use serde::Serialize;

use crate::cli::{Global, RunsArgs};
use crate::error::exit;
use crate::retention::{self, RunListing};
use crate::sanitize::{self, DISPLAY_MAX, shown_max};
use crate::ui::{Printer, stdout};
use crate::{Error, Result};

/// Version of the `runs --json` document.
pub const RUNS_SCHEMA: u32 = 1;

#[derive(Serialize)]
struct RunsDoc<'a> {
    schema: u32,
    runs: &'a [RunListing],
}

pub fn run(global: &Global, args: &RunsArgs, printer: Printer) -> Result<u8> {
    let state_dir = crate::state::resolve(global.state_dir.as_deref())?;
    if args.prune {
        let age = Duration::from_secs(args.older_than.saturating_mul(24 * 3600));
        let pruned = retention::prune(&state_dir, age, SystemTime::now())?;
        printer.status(&format!(
            "Pruned {} run record(s) and {} backup(s) of undone fixes older than {} day(s).",
            pruned.records.len(),
            pruned.backups.len(),
            args.older_than
        ));
    }
    let runs = retention::list(&state_dir)?;
    if args.json {
        let doc = RunsDoc {
            schema: RUNS_SCHEMA,
            runs: &runs,
        };
        let text = serde_json::to_string_pretty(&doc)
            .map_err(|e| Error::State(format!("cannot encode the runs: {e}")))?;
        return stdout::line(&sanitize::json_safe(text)).map(|()| exit::OK);
    }
    if runs.is_empty() {
        printer.plain(&format!(
            "No runs recorded in {}.",
            sanitize::shown_path(&crate::report::runs_dir(&state_dir).display().to_string())
        ));
        return Ok(exit::OK);
    }
    use crate::ui::table::{self, Column};
    let columns = [
        Column {
            header: "RUN",
            whole: true,
        },
        Column {
            header: "STARTED",
            whole: false,
        },
        Column {
            header: "FLOW",
            whole: false,
        },
        Column {
            header: "OUTCOME",
            whole: false,
        },
        Column {
            header: "FIX",
            whole: false,
        },
    ];
    // Every field comes from a file in the state folder: shown, never raw.
    let shown = |s: &str| shown_max(s, DISPLAY_MAX).to_string();
    let rows: Vec<Vec<String>> = runs
        .iter()
        .map(|r| {
            let s = &r.summary;
            match &s.problem {
                Some(p) => vec![
                    shown(&s.run_id),
                    String::new(),
                    String::new(),
                    format!("unreadable: {}", shown(p)),
                ],
                None => vec![
                    shown(&s.run_id),
                    shown(&s.started_at),
                    shown(&s.flow_id),
                    crate::report::words::outcome_words(s.outcome.as_deref(), s.stopped).into(),
                    r.fix.name().into(),
                ],
            }
        })
        .collect();
    let text = table::render(&columns, &rows, table::stdout_columns());
    stdout::write(text.as_bytes())?;
    Ok(exit::OK)
}
