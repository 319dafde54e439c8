//! `troubleshoot report [RUN_ID] --format json|md|html [-o PATH]`.

use crate::Result;
use crate::cli::{Global, ReportArgs};
use crate::error::exit;
use crate::report;
use crate::ui::{Printer, stdout};

pub fn run(global: &Global, args: &ReportArgs, printer: Printer) -> Result<u8> {
    // The output is checked before anything is read: a known format (from
    // --format or the extension) and an existing folder.
    let target = match &args.output {
        Some(path) => {
            super::run::check_output(path, "-o")?;
            let from_ext = super::run::report_target(path, "-o");
            let format = match (args.format, from_ext) {
                (Some(f), Err(_))
                    if path
                        .parent()
                        .is_none_or(|p| p.as_os_str().is_empty() || p.is_dir()) =>
                {
                    f
                }
                (Some(f), Ok(_)) => f,
                (_, Err(e)) => return Err(e),
                (None, Ok(f)) => f,
            };
            Some((path, format))
        }
        None => None,
    };
    let state_dir = crate::state::resolve(global.state_dir.as_deref())?;
    let record = report::load_record(&state_dir, args.run_id.as_deref())?;
    match target {
        Some((path, format)) => {
            super::run::export(&record, path, format, args.include_names, printer)?
        }
        None => {
            let format = args.format.unwrap_or(report::Format::Md);
            let (text, _) = report::render(&record, format, args.include_names)?;
            stdout::write(text.as_bytes())?;
        }
    }
    Ok(exit::OK)
}
