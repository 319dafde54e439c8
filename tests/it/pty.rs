//! The interactive wizard in a real pseudo-terminal (expectrl).

use std::process::Command;
use std::time::Duration;

use expectrl::{ControlCode, Eof, Expect, Session};
use troubleshoot::probe::Layout;

use crate::util::*;

const WS: &str = "5b0c7d1e-aaaa-4c2b-9a57-0d6c3c9e0a01";

fn spawn(env: &Env, args: &[&str]) -> expectrl::session::OsSession {
    let mut cmd = Command::new(BIN);
    // Wide: these tests read messages whole; `narrow` tests the wrapping.
    cmd.env("NO_COLOR", "1")
        .env("TERM", "xterm-256color")
        .env("COLUMNS", "250")
        .env_remove("TROUBLESHOOT_STATE_DIR")
        .arg("--root")
        .arg(env.home())
        .arg("--layout")
        .arg("linux")
        .arg("--state-dir")
        .arg(env.state())
        .args(args);
    let mut s = Session::spawn(cmd).expect("spawn in a pty");
    s.set_expect_timeout(Some(Duration::from_secs(20)));
    s
}

/// Exit code of the child, from ptyprocess's wait status.
fn exit_code(s: &expectrl::session::OsSession) -> Option<i32> {
    let status = format!("{:?}", s.get_process().wait().ok()?);
    // "Exited(Pid(123), 130)"
    status
        .strip_prefix("Exited(")?
        .rsplit(", ")
        .next()?
        .trim_end_matches(')')
        .parse()
        .ok()
}

fn one_workspace(env: &Env) {
    env.sample(Layout::Linux)
        .chromium_profile("chrome", "Default", "Person 1")
        .workspace(NOTION, WS, "Acme Corp", "u-1")
        .write()
        .unwrap();
}

#[test]
fn ctrl_c_at_the_first_question_exits_130() {
    let env = Env::new();
    one_workspace(&env);
    let mut s = spawn(&env, &[]);
    s.expect("What do you want to do in Notion?").unwrap();
    s.send(ControlCode::EndOfText).unwrap();
    s.expect(Eof).unwrap();
    assert_eq!(exit_code(&s), Some(130));
}

#[test]
fn esc_later_in_the_run_exits_130_with_nothing_applied() {
    let env = Env::new();
    one_workspace(&env);
    let before = tree_hashes(&env.home(), &[]);
    let mut s = spawn(&env, &[]);
    s.expect("What do you want to do in Notion?").unwrap();
    s.send("\r").unwrap();
    s.expect("Which workspace is this about?").unwrap();
    s.send(ControlCode::Escape).unwrap();
    s.expect(Eof).unwrap();
    assert_eq!(exit_code(&s), Some(130));
    assert_eq!(before, tree_hashes(&env.home(), &[]));
}

/// A session whose every byte of output is kept, so a failed expectation
/// shows the whole transcript and the test can look at all of it at the end.
pub(crate) struct Pty {
    s: expectrl::session::OsSession,
    seen: Vec<u8>,
}

impl Pty {
    pub(crate) fn new(env: &Env, args: &[&str]) -> Pty {
        Pty {
            s: spawn(env, args),
            seen: Vec::new(),
        }
    }

    pub(crate) fn expect(&mut self, needle: &str) {
        match self.s.expect(needle) {
            Ok(c) => self.seen.extend_from_slice(c.as_bytes()),
            Err(e) => panic!(
                "expected {needle:?} ({e}); the terminal showed:\n{}",
                self.text()
            ),
        }
    }

    pub(crate) fn send(&mut self, keys: &str) {
        self.s.send(keys).unwrap();
    }

    pub(crate) fn send_code(&mut self, code: ControlCode) {
        self.s.send(code).unwrap();
    }

    /// Read to the end; the exit code.
    pub(crate) fn finish(&mut self) -> Option<i32> {
        match self.s.expect(Eof) {
            Ok(c) => self.seen.extend_from_slice(c.as_bytes()),
            Err(e) => panic!("no end of output ({e}):\n{}", self.text()),
        }
        let code = exit_code(&self.s);
        eprintln!("exit {code:?}; the terminal showed:\n{}", self.text());
        code
    }

    /// Whether `message` starts a line of its own on the terminal. After
    /// Ctrl-C, inquire leaves the cursor at the start of its help line when
    /// the prompt is at the bottom of the screen (it moves down, which does
    /// not scroll): a message printed there without a line feed first
    /// overwrites that line ("Cancelled; nothing was changed.ype to filter]").
    fn on_a_line_of_its_own(&self, message: &str) -> bool {
        let raw = String::from_utf8_lossy(&self.seen);
        raw.match_indices(message)
            .all(|(i, _)| strip_escapes(&raw[..i]).ends_with('\n'))
            && raw.contains(message)
    }

    /// The transcript without terminal escape sequences.
    pub(crate) fn text(&self) -> String {
        strip_escapes(&String::from_utf8_lossy(&self.seen))
    }
}

/// `s` without CSI / OSC escape sequences and carriage returns.
fn strip_escapes(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut it = s.chars().peekable();
    while let Some(c) = it.next() {
        match c {
            '\x1b' => match it.next() {
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
            },
            '\r' => {}
            c => out.push(c),
        }
    }
    out
}

/// The one run record in `<state>/runs/`.
fn only_record(env: &Env) -> serde_json::Value {
    let runs: Vec<_> = std::fs::read_dir(env.state().join("runs"))
        .expect("a runs folder")
        .flatten()
        .map(|e| e.path())
        .collect();
    assert_eq!(runs.len(), 1, "one run record: {runs:?}");
    let text = std::fs::read_to_string(&runs[0]).unwrap();
    let v: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(
        runs[0].file_name().unwrap().to_string_lossy(),
        format!("{}.json", v["run_id"].as_str().unwrap()),
        "the record is named by its run id"
    );
    v
}

/// Walk the wizard on [`one_workspace`] to "Apply this fix?" with the
/// defaults (remove one workspace, Acme Corp), then clearing Notion's
/// sign-in data in that profile.
fn walk_to_consent(env: &Env) -> Pty {
    let mut p = Pty::new(env, &[]);
    p.expect("What do you want to do in Notion?");
    p.send("\r");
    p.expect("Which workspace is this about?");
    p.send("\r");
    p.expect("How do you want to sign out of Acme Corp?");
    // Filtered to the one way that changes the store: clear Notion's
    // sign-in data in that profile.
    p.send("Remove Notion");
    p.send("\r");
    p.expect("Fix: ");
    p.expect("Apply this fix?");
    p
}

/// Answering No at "Apply this fix?" is an outcome of its own: the wizard
/// says it was declined (not that a program is running), changes nothing,
/// exits 1 and records the fix as declined.
#[test]
fn declining_the_fix_says_so_changes_nothing_and_is_recorded() {
    let env = Env::new();
    one_workspace(&env);
    let before = tree_hashes(&env.home(), &[]);
    let mut p = walk_to_consent(&env);
    p.send("n\r");
    p.expect("Declined: nothing was changed.");
    p.expect("You declined the fix, so nothing was changed.");
    p.expect("Export a diagnostic report");
    p.send("n\r");
    let code = p.finish();
    let text = p.text();
    assert_eq!(code, Some(1), "a declined fix leaves the problem:\n{text}");
    assert!(!text.contains("Close it"), "not a refusal:\n{text}");
    assert!(!text.contains("Applied."), "{text}");
    assert!(
        !text.contains("(undo:") && !text.contains("to undo it"),
        "nothing to undo:\n{text}"
    );
    assert_eq!(before, tree_hashes(&env.home(), &[]), "home byte-identical");

    let r = only_record(&env);
    assert_eq!(r["fixes"].as_array().unwrap().len(), 1, "{r:#}");
    assert_eq!(r["fixes"][0]["result"], "declined", "{r:#}");
    assert_eq!(r["fixes"][0]["backup_id"], serde_json::Value::Null, "{r:#}");
    assert_eq!(r["outcome"]["step"], "end-declined", "{r:#}");
    assert_eq!(r["exit_code"], 1, "{r:#}");
    assert!(r["undo"].is_null(), "{r:#}");
    let o = env.run("linux", &["undo", "--list"]);
    assert_eq!(stdout(&o), "", "the journal holds no fix: {}", stderr(&o));
}

/// Apply and verify the fix, then press `key` at the report prompt: the run
/// ends as it stands. The fix stays applied and the wizard says so, naming
/// the undo command; the exit is the fix's (0), not 130; the journal still
/// lists it applied and the named command undoes it.
fn cancel_at_the_report_prompt_after_a_verified_fix(key: ControlCode) {
    let env = Env::new();
    one_workspace(&env);
    let before = tree_hashes(&env.home(), &[]);
    let mut p = walk_to_consent(&env);
    p.send("y\r");
    p.expect("Applied. Backup ");
    p.expect("Checking the result against fresh evidence");
    p.expect("Export a diagnostic report");
    p.send_code(key);
    p.expect("No report written.");
    p.expect("stays applied; to undo it: troubleshoot undo ");
    let code = p.finish();
    let text = p.text();
    assert_eq!(code, Some(0), "{key:?} after a verified fix:\n{text}");
    assert!(p.on_a_line_of_its_own("No report written."), "{:?}", p.seen);
    assert!(
        !text.contains("nothing was changed"),
        "{key:?} must not claim nothing changed:\n{text}"
    );
    assert_ne!(before, tree_hashes(&env.home(), &[]), "the fix stayed");

    let r = only_record(&env);
    let run_id = r["run_id"].as_str().unwrap();
    assert_eq!(r["fixes"][0]["result"], "verified", "{r:#}");
    assert_eq!(r["outcome"]["outcome"], "resolved", "{r:#}");
    assert_eq!(r["exit_code"], 0, "{r:#}");

    let undo = text
        .lines()
        .find_map(|l| l.split("to undo it: ").nth(1))
        .expect("the undo command")
        .trim()
        .to_string();
    assert_eq!(
        undo,
        format!(
            "troubleshoot undo {run_id} --state-dir {}",
            env.state().display()
        ),
        "{text}"
    );
    let o = env.run("linux", &["undo", "--list"]);
    let list = stdout(&o);
    assert!(
        list.lines()
            .any(|l| l.starts_with(run_id) && l.contains("(applied,")),
        "undo --list shows the fix applied:\n{list}{}",
        stderr(&o)
    );
    // The command as named, with no --root: the journal knows the home.
    let args: Vec<&str> = undo.split_whitespace().skip(1).collect();
    let o = std::process::Command::new(BIN)
        .args(&args)
        .env_remove("TROUBLESHOOT_STATE_DIR")
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(before, tree_hashes(&env.home(), &[]), "undo restored it");
}

#[test]
fn ctrl_c_at_the_report_prompt_after_a_verified_fix_keeps_it_and_names_the_undo() {
    cancel_at_the_report_prompt_after_a_verified_fix(ControlCode::EndOfText);
}

#[test]
fn esc_at_the_report_prompt_after_a_verified_fix_keeps_it_and_names_the_undo() {
    cancel_at_the_report_prompt_after_a_verified_fix(ControlCode::Escape);
}

/// Ctrl-C at a question after the scan, before any change: exit 130 and
/// "nothing was changed"; the record says so and holds no fix.
#[test]
fn ctrl_c_at_a_question_before_any_change_exits_130_nothing_changed() {
    let env = Env::new();
    one_workspace(&env);
    let before = tree_hashes(&env.home(), &[]);
    let mut p = Pty::new(&env, &[]);
    p.expect("What do you want to do in Notion?");
    p.send("\r");
    p.expect("Which workspace is this about?");
    p.send("\r");
    p.expect("How do you want to sign out of Acme Corp?");
    p.send_code(ControlCode::EndOfText);
    p.expect("nothing was changed");
    let code = p.finish();
    let text = p.text();
    assert_eq!(code, Some(130), "{text}");
    assert!(
        p.on_a_line_of_its_own("Cancelled; nothing was changed."),
        "{:?}",
        String::from_utf8_lossy(&p.seen)
    );
    assert!(!text.contains("stays applied"), "{text}");
    assert!(!text.contains("to undo it"), "{text}");
    assert_eq!(before, tree_hashes(&env.home(), &[]));

    let r = only_record(&env);
    assert_eq!(r["fixes"], serde_json::json!([]), "{r:#}");
    assert_eq!(r["exit_code"], 130, "{r:#}");
    assert_eq!(r["answers"]["goal"], "remove-one", "{r:#}");
    assert!(r["answers"].get("method").is_none(), "{r:#}");
}
