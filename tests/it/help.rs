//! Help, man page and demo flags (issue 19): global options under their own
//! heading, every command and argument described, examples on every
//! command, the man page complete and naming no page that does not exist,
//! `demo` honouring `--layout` and `--state-dir`.

use clap::CommandFactory;
use troubleshoot::cli::{Cli, GLOBAL};

use crate::util::*;

/// Every command below `cmd`, with its full name.
fn all(cmd: &clap::Command, prefix: &str, out: &mut Vec<(String, clap::Command)>) {
    for sub in cmd.get_subcommands() {
        if sub.get_name() == "help" {
            continue;
        }
        let name = format!("{prefix} {}", sub.get_name());
        out.push((name.clone(), sub.clone()));
        all(sub, &name, out);
    }
}

#[test]
fn every_command_and_argument_is_described_with_examples() {
    let mut root = Cli::command();
    root.build();
    let mut cmds = vec![("troubleshoot".to_string(), root.clone())];
    all(&root, "troubleshoot", &mut cmds);
    for (name, cmd) in &cmds {
        assert!(cmd.get_about().is_some(), "{name} has no description");
        let after = cmd
            .get_after_help()
            .map(|h| h.to_string())
            .unwrap_or_default();
        assert!(after.contains("Example"), "{name} has no examples");
        for a in cmd.get_arguments() {
            if ["help", "version"].contains(&a.get_id().as_str()) {
                continue;
            }
            assert!(
                a.get_help()
                    .is_some_and(|h| !h.to_string().trim().is_empty()),
                "{name}: argument `{}` is not described",
                a.get_id()
            );
            if a.is_global_set() {
                assert_eq!(a.get_help_heading(), Some(GLOBAL), "{name}: {}", a.get_id());
            }
        }
    }
}

#[test]
fn help_puts_global_options_apart_and_shows_no_empty_env_value() {
    for state in [None, Some(""), Some("/tmp/some-state")] {
        let mut c = std::process::Command::new(BIN);
        c.args(["scan", "--help"]);
        match state {
            Some(v) => c.env("TROUBLESHOOT_STATE_DIR", v),
            None => c.env_remove("TROUBLESHOOT_STATE_DIR"),
        };
        let o = c.output().unwrap();
        assert_eq!(o.status.code(), Some(0));
        let help = stdout(&o);
        let (own, global) = help
            .split_once("Global options:")
            .expect("a global heading");
        assert!(own.contains("--json"), "{help}");
        assert!(
            !own.contains("--state-dir") && global.contains("--state-dir"),
            "{help}"
        );
        assert!(
            global.contains("--verbose") && global.contains("--quiet"),
            "{help}"
        );
        let flat = help.split_whitespace().collect::<Vec<_>>().join(" ");
        assert!(flat.contains("[env: TROUBLESHOOT_STATE_DIR]"), "{help}");
        assert!(!flat.contains("TROUBLESHOOT_STATE_DIR="), "{help}");
    }
    let o = std::process::Command::new(BIN)
        .args(["flows", "list", "--help"])
        .output()
        .unwrap();
    assert!(
        stdout(&o).contains("troubleshoot flows list --json"),
        "{}",
        stdout(&o)
    );
}

#[test]
fn the_man_page_is_whole_and_names_no_other_page() {
    let o = std::process::Command::new(BIN).arg("man").output().unwrap();
    assert_eq!(o.status.code(), Some(0));
    let page = stdout(&o);
    for section in [
        ".SH NAME",
        ".SH SYNOPSIS",
        ".SH OPTIONS",
        ".SH \"GLOBAL OPTIONS\"",
        ".SH COMMANDS",
        ".SH EXAMPLES",
        ".SH ENVIRONMENT",
        ".SH FILES",
        ".SH \"EXIT STATUS\"",
    ] {
        assert!(page.contains(section), "no {section}");
    }
    for cmd in [
        "troubleshoot run",
        "troubleshoot flows graph",
        "troubleshoot runs",
    ] {
        assert!(page.contains(&cmd.replace('-', "\\-")), "no {cmd}");
    }
    // The title names this page; nothing else is referred to as a page.
    let refs = page.matches("(1)").count();
    assert_eq!(refs, 0, "a reference to another page:\n{page}");
    assert!(page.contains("TROUBLESHOOT_STATE_DIR") && page.contains("journal.sqlite"));
    // It renders without a warning.
    if std::path::Path::new("/usr/bin/groff").exists() {
        let mut child = std::process::Command::new("groff")
            .args(["-man", "-Tutf8", "-ww", "-z"])
            .stdin(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        use std::io::Write;
        child
            .stdin
            .take()
            .unwrap()
            .write_all(page.as_bytes())
            .unwrap();
        let out = child.wait_with_output().unwrap();
        assert!(
            out.stderr.is_empty(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

#[test]
fn demo_honours_layout_and_state_dir_and_refuses_root() {
    let env = Env::new();
    let state = env.dir.path().join("demo-state");
    let o = std::process::Command::new(BIN)
        .env_remove("TROUBLESHOOT_STATE_DIR")
        .env("NO_COLOR", "1")
        .args(["demo", "--yes", "--layout", "windows", "--state-dir"])
        .arg(&state)
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(stderr(&o).contains("(windows layout)"), "{}", stderr(&o));
    let runs: Vec<_> = std::fs::read_dir(state.join("runs"))
        .unwrap()
        .flatten()
        .collect();
    assert_eq!(runs.len(), 1);
    let r: serde_json::Value =
        serde_json::from_slice(&std::fs::read(runs[0].path()).unwrap()).unwrap();
    assert_eq!(r["layout"], "windows");
    assert!(r["undo"].is_object(), "the demo undid its fix: {r:#}");

    let o = std::process::Command::new(BIN)
        .args(["demo", "--root"])
        .arg(env.dir.path())
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("builds its own sandbox home"),
        "{}",
        stderr(&o)
    );
}
