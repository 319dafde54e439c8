//! `troubleshoot run [FLOW]` (and the bare `troubleshoot`): the wizard.

use std::collections::BTreeMap;
use std::path::Path;

use serde_json::Value;

use crate::cli::{Global, RunArgs};
use crate::flow::builtin::{self, DEFAULT_FLOW};
use crate::report::{self, Format};
use crate::ui::scripted::{self, Scripted};
use crate::ui::{Printer, Prompter};
use crate::wizard::Wizard;
use crate::{Error, Result};

pub fn run(global: &Global, args: &RunArgs, printer: Printer) -> Result<u8> {
    let mut answers: BTreeMap<String, Value> = BTreeMap::new();
    let mut flow_name = args.flow.clone();
    let mut replay_chosen: BTreeMap<String, Value> = BTreeMap::new();
    let mut replay_hash: Option<String> = None;
    if let Some(path) = &args.from_report {
        let replay = report::load_record_file(path).map_err(|e| Error::Input {
            path: path.clone(),
            message: e.to_string(),
        })?;
        flow_name.get_or_insert(replay.flow_id.clone());
        replay_hash = Some(replay.flow_hash.clone());
        answers.extend(replay.answers.clone());
        if let Some(Value::Object(chosen)) = replay.facts.get("chosen") {
            replay_chosen.extend(chosen.clone());
        }
        printer.status(&format!(
            "Replaying the answers of run {} ({}).",
            replay.run_id, replay.flow_id
        ));
    }
    if let Some(path) = &args.answers {
        answers.extend(scripted::read_answers_file(path)?);
    }
    for a in &args.answer {
        let (k, v) = scripted::parse_answer_flag(a)?;
        answers.insert(k, v);
    }
    let report_format = match &args.report {
        Some(p) => Some(report_target(p, "--report")?),
        None => None,
    };
    let registry = crate::registry::builtin();
    let (flow, text) = builtin::resolve(flow_name.as_deref().unwrap_or(DEFAULT_FLOW), registry)?;
    // Answers a recorded run gave to questions this flow no longer has are
    // only a warning; a typo on the command line or in a file is an error.
    check_answer_ids(&flow, &answers, args.from_report.is_some(), printer)?;
    if let Some(hash) = replay_hash
        && hash != crate::digest::sha256_hex(text.as_bytes())
    {
        printer.warn(&format!(
            "flow `{}` changed since the recorded run; the answers may lead elsewhere",
            flow.id
        ));
    }
    let home = super::home(global)?;
    let state_dir = crate::state::resolve(global.state_dir.as_deref())?;
    super::warn_interrupted(global, printer);
    if !args.dry_run {
        prune_old(&state_dir, printer);
    }
    let mut prompter = Scripted::new(answers, args.yes).with_replay(replay_chosen);
    if prompter.interactive() {
        printer.heading(&flow.title);
        if global.root.is_some() {
            printer.status(&format!(
                "Inspecting {} ({} layout).",
                home.root.display(),
                home.layout.name()
            ));
        }
    }
    let report_to = args.report.clone().zip(report_format);
    let keep: crate::wizard::Keep = {
        let (state_dir, report_to, names) =
            (state_dir.clone(), report_to.clone(), args.include_names);
        let sandbox = args.sandbox_dir.clone();
        std::sync::Arc::new(move |record: &mut report::RunRecord| {
            if let Err(e) = keep_record(record, &state_dir, report_to.as_ref(), names, printer) {
                printer.error(&e.to_string());
            }
            // The demo's sandbox on a signal: as at its other endings.
            if let Some((dir, keep)) = &sandbox {
                let applied = record.fixes.iter().any(|f| f.result.in_effect());
                if *keep || applied {
                    printer.plain(&format!("The sandbox is kept at {}.", dir.display()));
                } else {
                    let _ = std::fs::remove_dir_all(dir);
                }
            }
        })
    };
    let wizard = Wizard {
        flow: &flow,
        registry,
        flow_text: &text,
        home: &home,
        state_dir: &state_dir,
        dry_run: args.dry_run,
        printer,
        undo_hint: !args.sandbox,
        keep: Some(keep),
    };
    let (mut record, result) = wizard.run(&mut prompter);
    keep_record(
        &mut record,
        &state_dir,
        report_to.as_ref(),
        args.include_names,
        printer,
    )?;
    let code = result?;
    if args.report.is_none() && prompter.interactive() {
        // Show what a report would hide before asking, so the user knows what they share.
        if let Ok(r) = report::redactions(&record, args.include_names)
            && !r.is_empty()
        {
            printer.blank();
            printer.plain(&format!("A report redacts by default: {}.", summarize(&r)));
        }
        // Esc, Ctrl-C or a signal at the report prompt ends the run as it
        // stands: whatever was applied stays applied (the wizard said so).
        let stays = record
            .fixes
            .iter()
            .rev()
            .find(|f| f.result.in_effect())
            .map(|f| f.title.clone())
            .filter(|_| !args.sandbox);
        let undo = crate::state::undo_command(&record.run_id, &state_dir);
        let left_as_is = move || {
            // On a line of its own: Ctrl-C leaves the cursor on the
            // prompt's help line (see app.rs).
            printer.blank();
            printer.plain("No report written.");
            if let Some(title) = &stays {
                printer.plain(&format!("The fix \"{title}\" stays applied. To undo it:"));
                printer.command(&undo);
            }
        };
        let on_signal = left_as_is.clone();
        crate::signals::set_ending(Some(Box::new(move |_| {
            crate::ui::interactive::restore_terminal();
            on_signal();
            i32::from(code)
        })));
        loop {
            match prompter.offer_export() {
                Ok(Some(path)) => {
                    let format = Format::from_path(&path).unwrap_or(Format::Md);
                    // A report that cannot be written is said, and asked
                    // again: the run it reports on is over and recorded.
                    // What it redacts was said just before the question.
                    match export_as(&record, &path, format, args.include_names, printer, false) {
                        Ok(()) => break,
                        Err(e) => printer.error(&e.to_string()),
                    }
                }
                Ok(None) => break,
                Err(Error::Cancelled) => {
                    left_as_is();
                    break;
                }
                Err(e) => {
                    crate::signals::set_ending(None);
                    return Err(e);
                }
            }
        }
        crate::signals::set_ending(None);
    }
    Ok(code)
}

/// Keep a finished run: its record in the state folder (a cancelled or
/// mis-answered run too, for support) and any `--report`, written for every
/// outcome, errors and cancellations too.
fn keep_record(
    record: &mut report::RunRecord,
    state_dir: &Path,
    report_to: Option<&(std::path::PathBuf, Format)>,
    include_names: bool,
    printer: Printer,
) -> Result<()> {
    // Strings from a hostile store are cut here, in place, once: the record
    // saved, exported and shown is the same small one.
    record.cap_strings(crate::sanitize::STORED_MAX);
    if let Err(e) = report::save_record(state_dir, record) {
        printer.warn(&format!("could not save the run record: {e}"));
    }
    if let Some((path, format)) = report_to {
        export(record, path, *format, include_names, printer)?;
    }
    Ok(())
}

/// Retention at the start of a run: old records and the backups of fixes
/// that are done with (see [`crate::retention`]). A failure is a warning:
/// it never stops a run.
fn prune_old(state_dir: &Path, printer: Printer) {
    match crate::retention::prune_default(state_dir) {
        Ok(p) if p.is_empty() => {}
        Ok(p) => printer.status(&format!(
            "Pruned {} run record(s) and {} backup(s) of undone fixes older than {} days (see `troubleshoot runs`).",
            p.records.len(),
            p.backups.len(),
            crate::retention::MAX_AGE_DAYS
        )),
        Err(e) => printer.warn(&format!("could not prune old runs: {e}")),
    }
}

/// Check a report path before anything runs: its format is known from the
/// extension and its folder exists (a fix must not be applied only for the
/// report to fail afterwards).
pub fn report_target(path: &Path, flag: &str) -> Result<Format> {
    check_output(path, flag)?;
    let format = Format::from_path(path).ok_or_else(|| {
        Error::Usage(format!(
            "{flag} {}: use a .json, .md or .html file name",
            path.display()
        ))
    })?;
    let parent = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    if !parent.is_dir() {
        return Err(Error::Usage(format!(
            "{flag} {}: the folder {} does not exist",
            path.display(),
            parent.display()
        )));
    }
    Ok(format)
}

/// A report replaces its file atomically (a new file renamed over it): a
/// device, FIFO or folder by that name is refused, never replaced.
pub fn check_output(path: &Path, flag: &str) -> Result<()> {
    match std::fs::metadata(path) {
        Ok(m) if !m.is_file() => Err(Error::Usage(format!(
            "{flag} {}: not a regular file; name a file to write, or leave out {flag} to write to stdout",
            path.display()
        ))),
        _ => Ok(()),
    }
}

/// Every answer must name a question of the flow: a typo would otherwise be
/// ignored and, with `--yes`, the default taken instead.
fn check_answer_ids(
    flow: &crate::flow::Flow,
    answers: &BTreeMap<String, Value>,
    replayed: bool,
    printer: Printer,
) -> Result<()> {
    use crate::flow::model::Step;
    let known: Vec<&str> = flow
        .steps
        .iter()
        .filter_map(|s| match s {
            Step::Ask(a) => Some(a.id.as_str()),
            Step::Guide(g) => Some(g.id.as_str()),
            _ => None,
        })
        .collect();
    let unknown: Vec<&String> = answers
        .keys()
        .filter(|k| !known.contains(&k.as_str()))
        .collect();
    if unknown.is_empty() {
        return Ok(());
    }
    let list = |v: &[&String]| {
        v.iter()
            .map(|s| format!("`{s}`"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    if replayed {
        printer.warn(&format!(
            "the recorded answers to {} are not questions of flow `{}` any more; ignored",
            list(&unknown),
            flow.id
        ));
        return Ok(());
    }
    let guesses: Vec<String> = unknown
        .iter()
        .filter_map(|u| {
            known
                .iter()
                .map(|k| (strsim::jaro_winkler(u, k), k))
                .filter(|(score, _)| *score > 0.8)
                .max_by(|a, b| a.0.total_cmp(&b.0))
                .map(|(_, k)| format!("did you mean `{k}` for `{u}`?"))
        })
        .collect();
    let mut message = format!(
        "unknown answer id {} for flow `{}`; its questions are {}",
        list(&unknown),
        flow.id,
        known
            .iter()
            .map(|k| format!("`{k}`"))
            .collect::<Vec<_>>()
            .join(", ")
    );
    if !guesses.is_empty() {
        message.push_str(&format!(" ({})", guesses.join(" ")));
    }
    Err(Error::Usage(message))
}

pub fn export(
    record: &report::RunRecord,
    path: &Path,
    format: Format,
    include_names: bool,
    printer: Printer,
) -> Result<()> {
    export_as(record, path, format, include_names, printer, true)
}

/// [`export`], saying what was redacted or not (`say_redactions`).
fn export_as(
    record: &report::RunRecord,
    path: &Path,
    format: Format,
    include_names: bool,
    printer: Printer,
    say_redactions: bool,
) -> Result<()> {
    // A path that cannot be written is a usage error (exit 2), as one that
    // was refused before the run.
    let redactions =
        report::export(record, path, Some(format), include_names).map_err(|e| match e {
            report::ReportError::Io { .. } => Error::Usage(format!(
                "cannot write the report to {}: {e}",
                path.display()
            )),
            other => other.into(),
        })?;
    if say_redactions && !redactions.is_empty() {
        printer.status(&format!("Redacted: {}", summarize(&redactions)));
    }
    printer.success(&format!("Report written to {}", path.display()));
    Ok(())
}

fn summarize(r: &[report::Redaction]) -> String {
    r.iter()
        .map(|x| x.to_string())
        .collect::<Vec<_>>()
        .join(", ")
}
