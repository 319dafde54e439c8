//! `troubleshoot demo`: the wizard on a sandbox home in a temporary folder.

use crate::cli::{DemoArgs, Global, RunArgs};
use crate::probe::Layout;
use crate::ui::Printer;
use crate::{Error, Result};

pub fn run(global: &Global, args: &DemoArgs, printer: Printer) -> Result<u8> {
    let dir = tempfile::Builder::new()
        .prefix("troubleshoot-demo-")
        .tempdir()
        .map_err(|e| Error::io("creating the sandbox folder", e))?;
    let root = dir.path().join("home");
    std::fs::create_dir_all(&root).map_err(|e| Error::io("creating the sandbox home", e))?;
    crate::sample::demo_home(&root)
        .map_err(|e| Error::State(format!("building the sandbox home: {e}")))?;
    printer.heading(
        "Demo: a SANDBOX home in a temporary folder. Your own browsers and data are not touched.",
    );
    printer.status(&format!("Sandbox: {}", root.display()));
    let mut g = global.clone();
    g.root = Some(root.clone());
    g.layout = Some(Layout::Linux);
    if g.state_dir.is_none() {
        g.state_dir = Some(dir.path().join("state"));
    }
    let code = super::run::run(&g, &RunArgs::default(), printer)?;
    printer.blank();
    printer.plain("Try next, on the same sandbox:");
    let sd = g
        .state_dir
        .as_ref()
        .map(|p| p.display().to_string())
        .unwrap_or_default();
    printer.plain(&format!(
        "  troubleshoot undo --root {} --state-dir {sd}",
        root.display()
    ));
    printer.plain(&format!(
        "  troubleshoot scan --root {} --layout linux",
        root.display()
    ));
    if args.keep {
        let kept = dir.keep();
        printer.status(&format!("Kept the sandbox at {}", kept.display()));
    } else {
        printer.status("The sandbox is removed now (pass --keep to keep it).");
    }
    Ok(code)
}
