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
    // --yes never picks a target or does a manual step; in the sandbox
    // there is nobody to do Notion's own Log out, so the demo names the
    // sandbox's workspace in Chrome and the way that changes the sandbox
    // itself, and says so.
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
        sandbox_dir: Some((dir.path().to_path_buf(), args.keep)),
        flow: Some(args.flow.clone()),
        ..RunArgs::default()
    };
    // Whatever way the run ends (an outcome, Esc, an error), the sandbox is
    // dealt with below: undone or kept, never deleted with a fix in it.
    let result = super::run::run(&g, &run, printer).map_err(|e| match e {
        // The demo takes no --answer: say what it does take.
        Error::MissingAnswer { id, .. } => Error::MissingAnswer {
            id,
            hint: "the demo asks its questions in a terminal; run it in one, or pass --yes to let it answer them itself".into(),
        },
        other => other,
    });

    let state = g.state_dir.clone().unwrap_or_default();
    let undoable = || {
        crate::fix::list_undoable(&state)
            .map(|l| !l.is_empty())
            .unwrap_or(false)
    };
    let mut undo_failed = None;
    if undoable() {
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
            let undone = super::undo::run(
                &g,
                &UndoArgs {
                    run_id: None,
                    list: false,
                    json: false,
                    force: false,
                },
                printer,
            );
            match undone {
                Ok(_) => {
                    printer
                        .plain("After the undo, the scan sees the account signed in there again:");
                    super::scan::run(&g, &scan, printer)?;
                }
                Err(e) => undo_failed = Some(e),
            }
        }
    }
    // A fix still applied keeps the sandbox: deleting it would leave a
    // record of a fix nobody can undo.
    let applied = undoable();
    printer.blank();
    if args.keep || applied {
        let kept = dir.keep();
        let state = own_state.unwrap_or_else(|| kept.join("state"));
        let state_arg = crate::state::shell_quote(&state.display().to_string());
        if applied && !args.keep {
            printer.plain(&format!(
                "The fix stays applied in the sandbox, so the sandbox is kept at {}. To undo it:",
                kept.display()
            ));
            printer.command(&format!("troubleshoot undo --state-dir {state_arg}"));
        }
        printer.plain("Kept the sandbox. Try, on it:");
        printer.command(&format!(
            "troubleshoot scan --root {} --layout {}",
            crate::state::shell_quote(&kept.join("home").display().to_string()),
            layout.name()
        ));
        printer.command(&format!("troubleshoot runs --state-dir {state_arg}"));
        printer.command(&format!("troubleshoot undo --list --state-dir {state_arg}"));
    } else {
        printer.status("The sandbox is deleted now (pass --keep to keep it). Run `troubleshoot` for your own machine.");
    }
    if let Some(e) = undo_failed {
        return Err(e);
    }
    let code = result?;
    Ok(if code == exit::CANCELLED {
        exit::CANCELLED
    } else {
        code
    })
}
