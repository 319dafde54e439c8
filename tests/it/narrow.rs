//! The wizard in a terminal of 60 columns (issue 19): paragraphs wrap at
//! spaces with their indentation kept, so no word is split across lines;
//! every select shows its keys; an answered question is marked apart from
//! an open one without colors.

use std::process::Command;
use std::time::Duration;

use expectrl::{Eof, Expect, Session};
use troubleshoot::probe::Layout;

use crate::util::*;

const COLS: usize = 60;

/// `s` without CSI / OSC escape sequences; each carriage return or cursor
/// move starts a new piece, so what is left are the runs of text printed
/// on one row.
fn rows(s: &str) -> Vec<String> {
    let mut out = vec![String::new()];
    let mut it = s.chars().peekable();
    while let Some(c) = it.next() {
        match c {
            '\x1b' => {
                match it.next() {
                    Some('[') => {
                        for c in it.by_ref() {
                            if ('@'..='~').contains(&c) {
                                break;
                            }
                        }
                    }
                    Some(']') => {
                        while let Some(c) = it.next() {
                            if c == '\x07' || (c == '\x1b' && it.next_if_eq(&'\\').is_some()) {
                                break;
                            }
                        }
                    }
                    _ => {}
                }
                out.push(String::new());
            }
            '\r' | '\n' => out.push(String::new()),
            c => out.last_mut().unwrap().push(c),
        }
    }
    out.retain(|r| !r.trim().is_empty());
    out
}

fn width(s: &str) -> usize {
    // Every character the wizard prints is one column wide.
    s.chars().count()
}

#[test]
fn at_60_columns_no_word_is_split_and_every_select_shows_its_keys() {
    let env = Env::new();
    env.sample(Layout::Linux)
        .chromium_profile("chrome", "Default", "Person 1")
        .workspace(NOTION, "ws-acme", "Acme Corp", "u-1")
        .sync(true)
        .write()
        .unwrap();
    let mut cmd = Command::new(BIN);
    // The default state folder (under this HOME), so the undo command it
    // prints is short enough for the line.
    let user = env.dir.path().join("user");
    cmd.env("NO_COLOR", "1")
        .env("TERM", "xterm-256color")
        .env("COLUMNS", COLS.to_string())
        .env("LINES", "200")
        .env("HOME", &user)
        .env_remove("XDG_STATE_HOME")
        .env_remove("XDG_DATA_HOME")
        .env_remove("TROUBLESHOOT_STATE_DIR")
        .arg("--root")
        .arg(env.home())
        .args(["--layout", "linux"]);
    let mut s = Session::spawn(cmd).expect("spawn in a pty");
    s.get_process_mut()
        .set_window_size(COLS as u16, 200)
        .unwrap();
    s.set_expect_timeout(Some(Duration::from_secs(20)));
    let mut seen = Vec::new();
    let mut step = |s: &mut expectrl::session::OsSession, want: &str, keys: &str| {
        match s.expect(want) {
            Ok(c) => seen.extend_from_slice(c.as_bytes()),
            Err(e) => panic!(
                "expected {want:?} ({e}); the terminal showed:\n{}",
                rows(&String::from_utf8_lossy(&seen)).join("\n")
            ),
        }
        s.send(keys).unwrap();
    };
    step(&mut s, "What do you want to do in Notion?", "");
    step(&mut s, "type to filter", "every\r"); // filtered: sign out of every workspace
    step(&mut s, "Which workspace is this about?", "");
    step(&mut s, "type to filter", "\r");
    step(&mut s, "Did you log out of all accounts", "n\r");
    step(&mut s, "Apply this fix?", "y\r");
    step(&mut s, "Export a diagnostic report", "n\r");
    match s.expect(Eof) {
        Ok(c) => seen.extend_from_slice(c.as_bytes()),
        Err(e) => panic!("no end ({e})"),
    }
    let raw = String::from_utf8_lossy(&seen).into_owned();
    let rows = rows(&raw);
    let text = rows.join("\n");
    eprintln!("{text}");
    // The wizard leaves the last column free: a row that fills it was broken
    // by the terminal or the prompt library, mid-word.
    for r in &rows {
        // (A prompt's cursor is a space after what is typed.)
        let r = r.trim_end();
        assert!(
            width(r) < COLS,
            "a row of {} columns: {r:?}\n{text}",
            width(r)
        );
    }
    // Rows joined at spaces give back the sentences whole.
    let flat = rows.iter().map(|r| r.trim()).collect::<Vec<_>>().join(" ");
    for phrase in [
        "Notion disables Sign out for the last session in a browser profile or in the desktop app.",
        "Sign out of one workspace (its Sign out button is grayed out)",
        "A workspace I signed out of comes back after a refresh",
        "At the bottom of the menu, choose Log out all accounts and confirm. Every account and workspace there signs out.",
        "Fix: Remove Notion's sign-in data from Chrome, profile Person 1 (risk: medium)",
        "Backed up first:",
    ] {
        assert!(flat.contains(phrase), "`{phrase}` is broken in:\n{text}");
    }
    // The long paragraphs did wrap, with their indentation kept.
    let step1 = rows
        .iter()
        .position(|r| r.starts_with("  1. Open Notion (Chrome, profile Person 1)"))
        .unwrap_or_else(|| panic!("no guide step 1 in\n{text}"));
    assert!(
        rows[step1 + 1].starts_with("     ") && !rows[step1 + 1].starts_with("      "),
        "continuation under the text: {:?}",
        rows[step1 + 1]
    );
    // Every word of the guide's first step is whole.
    let joined: String = rows[step1..step1 + 3]
        .iter()
        .map(|r| r.trim())
        .collect::<Vec<_>>()
        .join(" ");
    assert!(
        joined.contains("click the workspace name at the top of the sidebar."),
        "{joined}"
    );
    // Answered questions carry their own mark.
    assert!(
        text.contains("✔ What do you want to do in Notion?"),
        "no answered mark:\n{text}"
    );
    assert!(
        text.contains("? What do you want to do in Notion?"),
        "{text}"
    );
    // The undo command is whole on a line of its own, as it must be typed.
    let at = rows
        .iter()
        .rposition(|r| r.trim() == "To undo it:")
        .unwrap_or_else(|| panic!("no undo command in\n{text}"));
    let undo = rows[at + 1]
        .strip_prefix("  troubleshoot undo ")
        .unwrap_or_else(|| panic!("no undo command line in\n{text}"));
    assert_eq!(undo.trim().len(), "20261201-235611-9363".len(), "{text}");
}

/// A scripted fix in a terminal of `cols` columns with a state folder named
/// on the command line: the undo command printed after "Applied." (broken
/// between arguments with ` \` where the line is too narrow), pasted into a
/// shell as it stands on the screen, undoes the fix.
fn undo_line_pasted_back_at(cols: usize) {
    let env = Env::new();
    env.sample(Layout::Linux)
        .chromium_profile("chrome", "Default", "Person 1")
        .workspace(NOTION, "ws-acme", "Acme Corp", "u-1")
        .write()
        .unwrap();
    let before = tree_hashes(&env.home(), &["LOCK"]);
    // Quoted as it is printed (a space), short enough for 40 columns.
    let state = env.dir.path().join("state dir");
    let mut cmd = Command::new(BIN);
    cmd.env("NO_COLOR", "1")
        .env("TERM", "xterm-256color")
        .env("COLUMNS", cols.to_string())
        .env_remove("TROUBLESHOOT_STATE_DIR")
        .arg("--root")
        .arg(env.home())
        .args(["--layout", "linux", "--state-dir"])
        .arg(&state)
        .args(["run", "--yes", "--answer", "goal=remove-one"])
        .args([
            "--answer",
            "workspace=ws-acme",
            "--answer",
            "method=clear-site",
        ]);
    let mut s = Session::spawn(cmd).expect("spawn in a pty");
    s.get_process_mut()
        .set_window_size(cols as u16, 200)
        .unwrap();
    s.set_expect_timeout(Some(Duration::from_secs(20)));
    let seen = s.expect(Eof).expect("the run ends");
    let raw = String::from_utf8_lossy(seen.as_bytes()).replace('\r', "");
    let lines: Vec<&str> = raw.lines().collect();
    let at = lines
        .iter()
        .position(|l| l.trim_end().ends_with("To undo it:"))
        .unwrap_or_else(|| panic!("no undo command at {cols} columns:\n{raw}"));
    let mut pasted = Vec::new();
    for l in &lines[at + 1..] {
        pasted.push(*l);
        if !l.ends_with(" \\") {
            break;
        }
    }
    for l in &pasted {
        assert!(
            width(l) < cols,
            "a row of {} columns at {cols}: {l:?}",
            width(l)
        );
    }
    if cols >= 100 {
        assert_eq!(pasted.len(), 1, "one line when it fits: {pasted:?}");
    } else {
        assert!(pasted.len() > 1, "broken between arguments: {pasted:?}");
    }
    assert_ne!(
        before,
        tree_hashes(&env.home(), &["LOCK"]),
        "the fix applied"
    );
    let o = Command::new("sh")
        .arg("-c")
        .arg(pasted.join("\n"))
        .env(
            "PATH",
            format!(
                "{}:{}",
                std::path::Path::new(BIN).parent().unwrap().display(),
                std::env::var("PATH").unwrap_or_default()
            ),
        )
        .env_remove("TROUBLESHOOT_STATE_DIR")
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0), "{pasted:?}: {}", stderr(&o));
    assert_eq!(
        before,
        tree_hashes(&env.home(), &["LOCK"]),
        "undone by the pasted lines"
    );
}

#[test]
fn the_undo_line_pasted_back_works_at_40_columns() {
    undo_line_pasted_back_at(40);
}

#[test]
fn the_undo_line_pasted_back_works_at_60_columns() {
    undo_line_pasted_back_at(60);
}

#[test]
fn the_undo_line_pasted_back_works_at_100_columns() {
    undo_line_pasted_back_at(100);
}

/// `runs` and `undo --list` at 60 columns: a header row, every row within
/// the width, cut columns ending in `…`, the run id whole.
#[test]
fn lists_fit_60_columns_with_a_header() {
    let env = Env::new();
    env.sample(Layout::Linux)
        .chromium_profile("chrome", "Default", "Person 1")
        .workspace(NOTION, "ws-acme", "Acme Corp", "u-1")
        .write()
        .unwrap();
    let o = env.run(
        "linux",
        &[
            "run",
            "--yes",
            "--answer",
            "goal=remove-one",
            "--answer",
            "workspace=ws-acme",
            "--answer",
            "method=clear-site",
        ],
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    for (args, header) in [(&["runs"][..], "RUN"), (&["undo", "--list"][..], "RUN")] {
        let mut cmd = Command::new(BIN);
        cmd.env("NO_COLOR", "1")
            .env("COLUMNS", COLS.to_string())
            .env_remove("TROUBLESHOOT_STATE_DIR")
            .arg("--state-dir")
            .arg(env.state())
            .args(args);
        let mut s = Session::spawn(cmd).expect("spawn in a pty");
        s.get_process_mut()
            .set_window_size(COLS as u16, 50)
            .unwrap();
        s.set_expect_timeout(Some(Duration::from_secs(20)));
        let out = s.expect(Eof).unwrap();
        let text = String::from_utf8_lossy(out.as_bytes()).replace('\r', "");
        let lines: Vec<&str> = text.lines().filter(|l| !l.trim().is_empty()).collect();
        assert!(lines[0].starts_with(header), "{args:?}: {text}");
        assert!(lines.len() >= 2, "{args:?}: {text}");
        for l in &lines {
            assert!(width(l) < COLS, "{args:?}: a row of {}: {l:?}", width(l));
        }
        assert!(
            lines[1].split_whitespace().next().unwrap().len() == "20261201-235611-9363".len(),
            "the run id whole: {text}"
        );
        if args[0] == "undo" {
            assert!(text.contains('…'), "the store path is cut: {text}");
        }
    }
}
