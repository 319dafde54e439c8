//! `troubleshoot demo`: the wizard on a sandbox home in a temporary folder,
//! then an undo, so a newcomer sees diagnosis, fix and undo without touching
//! their own data.

use std::io::IsTerminal;

use crate::cli::{DemoArgs, Global, RunArgs, ScanArgs, UndoArgs};
use crate::error::exit;
use crate::probe::Layout;
use crate::ui::Printer;
use crate::{Error, Result};

/// The `--state-dir` given on the command line (not the one
/// `TROUBLESHOOT_STATE_DIR` sets for every command: the demo's records stay
/// out of your own state folder unless you ask).
fn asked_state_dir(global: &Global) -> Option<std::path::PathBuf> {
    let from_env = std::env::var_os("TROUBLESHOOT_STATE_DIR")
        .filter(|v| !v.is_empty())
        .and_then(|v| std::path::absolute(v).ok());
    global
        .state_dir
        .clone()
        .filter(|d| from_env.as_ref() != Some(d))
}

pub fn run(global: &Global, args: &DemoArgs, printer: Printer) -> Result<u8> {
    if let Some(root) = &global.root {
        return Err(Error::Usage(format!(
            "--root {}: the demo builds its own sandbox home; to look at that home, run `troubleshoot scan --root {}` (or `troubleshoot run --root ...`)",
            root.display(),
            crate::state::shell_quote(&root.display().to_string())
        )));
    }
    let layout = global.layout.unwrap_or(Layout::Linux);
    let dir = tempfile::Builder::new()
        .prefix("troubleshoot-demo-")
        .tempdir()
        .map_err(|e| Error::io("creating the sandbox folder", e))?;
    let root = dir.path().join("home");
    std::fs::create_dir_all(&root).map_err(|e| Error::io("creating the sandbox home", e))?;
    let sandbox = crate::demo_data::sandbox(&args.flow, &root, layout).map_err(Error::Usage)?;
    let mut g = global.clone();
    g.root = Some(root.clone());
    g.layout = Some(layout);
    // The demo keeps its runs, backups and journal inside the sandbox too,
    // unless --state-dir names a folder for them.
    let own_state = asked_state_dir(global);
    g.state_dir = Some(
        own_state
            .clone()
            .unwrap_or_else(|| dir.path().join("state")),
    );

    printer.heading(
        "troubleshoot demo: a SANDBOX. Your own browsers and data are not read or touched.",
    );
    printer.plain(&format!(
        "Sandbox home: {} ({} layout)",
        root.display(),
        layout.name()
    ));
    if let Some(state) = &own_state {
        printer.plain(&format!(
            "Runs, backups and the undo journal go to {} (--state-dir).",
            state.display()
        ));
    }
    sandbox.about.iter().for_each(|line| printer.plain(line));
    printer.blank();
    let scan = ScanArgs {
        json: false,
        flow: args.flow.clone(),
    };
    super::scan::run(&g, &scan, printer)?;
    printer.blank();
    // --yes never answers for manual steps; in the sandbox there is nobody
    // to do them, so the demo answers its sync guide itself, and says so.
    let answer = if args.yes {
        printer.plain(&sandbox.answers_note);
        sandbox.answers.clone()
    } else {
        Vec::new()
    };
    let run = RunArgs {
        yes: args.yes,
        answer,
        // The sandbox is deleted at the end (unless --keep): printing an undo
        // command for it would be a command that cannot work.
        sandbox: !args.keep,
        flow: Some(args.flow.clone()),
        ..RunArgs::default()
    };
    let code = super::run::run(&g, &run, printer)?;

    let state = g.state_dir.clone().unwrap_or_default();
    let undoable = crate::fix::list_undoable(&state)
        .map(|l| !l.is_empty())
        .unwrap_or(false);
    if undoable {
        printer.blank();
        let undo = args.yes
            || (std::io::stdin().is_terminal()
                && inquire::Confirm::new(
                    "Undo the fix now and put the sandbox back byte for byte?",
                )
                .with_default(true)
                .prompt()
                .unwrap_or(false));
        if undo {
            super::undo::run(
                &g,
                &UndoArgs {
                    run_id: None,
                    list: false,
                    json: false,
                    force: false,
                },
                printer,
            )?;
            printer.plain("After the undo, the scan sees the workspace again:");
            super::scan::run(&g, &scan, printer)?;
        }
    }
    printer.blank();
    if args.keep {
        let kept = dir.keep();
        printer.plain("Kept the sandbox. Try, on it:");
        let state = own_state.unwrap_or_else(|| kept.join("state"));
        printer.plain(&format!(
            "  troubleshoot scan --root {} --layout {}",
            crate::state::shell_quote(&kept.join("home").display().to_string()),
            layout.name()
        ));
        printer.plain(&format!(
            "  troubleshoot runs --state-dir {}",
            crate::state::shell_quote(&state.display().to_string())
        ));
        printer.plain(&format!(
            "  troubleshoot undo --list --state-dir {}",
            crate::state::shell_quote(&state.display().to_string())
        ));
    } else {
        printer.status("The sandbox is deleted now (pass --keep to keep it). Run `troubleshoot` for your own machine.");
    }
    Ok(if code == exit::CANCELLED {
        exit::CANCELLED
    } else {
        code
    })
}
