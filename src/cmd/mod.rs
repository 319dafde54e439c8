//! One module per command.

pub mod completions;
pub mod demo;
pub mod flows;
pub mod report;
pub mod run;
pub mod scan;
pub mod undo;

use crate::cli::Global;
use crate::probe::{Home, Layout};
use crate::{Error, Result};

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
