//! `troubleshoot undo [RUN_ID] [--list] [--force]`.

use crate::Result;
use crate::cli::{Global, UndoArgs};
use crate::error::exit;
use crate::fix;
use crate::ui::Printer;

pub fn run(global: &Global, args: &UndoArgs, printer: Printer) -> Result<u8> {
    let state_dir = crate::state::resolve(global.state_dir.as_deref())?;
    if args.list {
        let entries = fix::list_undoable(&state_dir)?;
        if entries.is_empty() {
            printer.plain("No fixes to undo.");
        }
        for e in entries {
            println!("{e}");
        }
        return Ok(exit::OK);
    }
    let home = super::home(global)?;
    let report = fix::undo(&state_dir, &home, args.run_id.as_deref(), args.force)?;
    printer.success(&report.to_string());
    Ok(exit::OK)
}
