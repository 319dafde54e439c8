//! One module per command.

pub mod completions;
pub mod demo;
pub mod flows;
pub mod looked;
pub mod report;
pub mod run;
pub mod runs;
pub mod scan;
pub mod undo;

use crate::cli::Global;
use crate::fix::JournalStatus;
use crate::probe::{Home, Layout};
use crate::{Error, Result};

/// Warn about fixes a killed or crashed run left half-done (a `started` or
/// `undoing` journal row), naming the command that puts the store back.
pub fn warn_interrupted(global: &Global, printer: crate::ui::Printer) {
    let Ok(state_dir) = crate::state::resolve(global.state_dir.as_deref()) else {
        return;
    };
    let Ok(entries) = crate::fix::list_undoable(&state_dir) else {
        return;
    };
    for e in entries
        .iter()
        .filter(|e| matches!(e.status, JournalStatus::Started | JournalStatus::Undoing))
    {
        let what = if e.status == JournalStatus::Started {
            "fix"
        } else {
            "undo"
        };
        printer.warn(&format!(
            "the {what} of run {} on {} was interrupted and may have left the store half-changed; put it back with: {}",
            e.run_id,
            e.store_path.display(),
            crate::state::undo_command(&e.run_id, &state_dir)
        ));
    }
}

/// The home to inspect: `--root` in `--layout`, else the real home.
pub fn home(global: &Global) -> Result<Home> {
    let layout = global.layout.unwrap_or_else(Layout::current);
    match &global.root {
        Some(root) => {
            if !root.is_dir() {
                return Err(Error::Usage(format!(
                    "--root {}: not a folder",
                    root.display()
                )));
            }
            Ok(Home::new(root.clone(), layout, true))
        }
        None => {
            let root = dirs::home_dir().ok_or_else(|| {
                Error::Usage("cannot find your home folder; pass --root DIR".into())
            })?;
            Ok(Home::new(root, layout, false))
        }
    }
}
