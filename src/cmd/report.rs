//! `troubleshoot report [RUN_ID] --format json|md|html [-o PATH]`.

use std::io::Write;

use crate::Result;
use crate::cli::{Global, ReportArgs};
use crate::error::exit;
use crate::report;
use crate::ui::Printer;

pub fn run(global: &Global, args: &ReportArgs, printer: Printer) -> Result<u8> {
    let state_dir = crate::state::resolve(global.state_dir.as_deref())?;
    let record = report::load_record(&state_dir, args.run_id.as_deref())?;
    match &args.output {
        Some(path) => super::run::export(&record, path, args.format, args.include_names, printer)?,
        None => {
            let (text, _) = report::render(&record, args.format, args.include_names)?;
            let _ = std::io::stdout().write_all(text.as_bytes());
        }
    }
    Ok(exit::OK)
}
