//! The interactive wizard in a real pseudo-terminal (expectrl).

use std::process::Command;
use std::time::Duration;

use expectrl::{ControlCode, Eof, Expect, Session};
use troubleshoot::probe::Layout;

use crate::util::*;

const WS: &str = "5b0c7d1e-aaaa-4c2b-9a57-0d6c3c9e0a01";

fn spawn(env: &Env, args: &[&str]) -> expectrl::session::OsSession {
    let mut cmd = Command::new(BIN);
    cmd.env("NO_COLOR", "1")
        .env("TERM", "xterm-256color")
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
fn wizard_asks_explains_and_a_declined_fix_changes_nothing() {
    let env = Env::new();
    one_workspace(&env);
    let before = tree_hashes(&env.home(), &[]);
    let mut s = spawn(&env, &[]);
    s.expect("What do you want to do in Notion?").unwrap();
    s.send("\r").unwrap();
    s.expect("Which workspace session is this about?").unwrap();
    s.send("\r").unwrap();
    s.expect("How do you want to sign out of Acme Corp?")
        .unwrap();
    s.send("\r").unwrap(); // the default: remove-entry
    s.expect("Apply this fix?").unwrap();
    s.send("n\r").unwrap();
    s.expect("Export a diagnostic report").unwrap();
    s.send("n\r").unwrap();
    s.expect(Eof).unwrap();
    assert_eq!(
        exit_code(&s),
        Some(1),
        "a declined fix leaves the problem: exit 1"
    );
    assert_eq!(before, tree_hashes(&env.home(), &[]));
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
    s.expect("Which workspace session is this about?").unwrap();
    s.send(ControlCode::Escape).unwrap();
    s.expect(Eof).unwrap();
    assert_eq!(exit_code(&s), Some(130));
    assert_eq!(before, tree_hashes(&env.home(), &[]));
}
