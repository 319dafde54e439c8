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
        Some(p) => Some(Format::from_path(p).ok_or_else(|| {
            Error::Usage(format!(
                "--report {}: use a .json, .md or .html file name",
                p.display()
            ))
        })?),
        None => None,
    };
    let (flow, text) = builtin::resolve(flow_name.as_deref().unwrap_or(DEFAULT_FLOW))?;
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
    let wizard = Wizard {
        flow: &flow,
        flow_text: &text,
        home: &home,
        state_dir: &state_dir,
        dry_run: args.dry_run,
        printer,
    };
    let (record, result) = wizard.run(&mut prompter);
    // A cancelled or mis-answered run still leaves its record, for support.
    if let Err(e) = report::save_record(&state_dir, &record) {
        printer.warn(&format!("could not save the run record: {e}"));
    }
    let code = result?;
    if let (Some(path), Some(format)) = (&args.report, report_format) {
        export(&record, path, format, args.include_names, printer)?;
    } else if prompter.interactive() {
        // Show what a report would hide before asking, so the user knows what they share.
        if let Ok(r) = report::redactions(&record, args.include_names)
            && !r.is_empty()
        {
            printer.blank();
            printer.plain(&format!("A report redacts by default: {}.", summarize(&r)));
        }
        if let Some(path) = prompter.offer_export()? {
            let format = Format::from_path(&path).unwrap_or(Format::Md);
            export(&record, &path, format, args.include_names, printer)?;
        }
    }
    Ok(code)
}

pub fn export(
    record: &report::RunRecord,
    path: &Path,
    format: Format,
    include_names: bool,
    printer: Printer,
) -> Result<()> {
    let redactions = report::export(record, path, Some(format), include_names)?;
    if !redactions.is_empty() {
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
