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
    p.expect("You declined the fix, so nothing was changed.");
    p.expect("Export a diagnostic report");
    p.send("n\r");
    let code = p.finish();
    let text = p.text();
    assert_eq!(code, Some(1), "a declined fix leaves the problem:\n{text}");
    assert!(!text.contains("Close it"), "not a refusal:\n{text}");
    assert_eq!(text.matches("declined").count(), 1, "said once:\n{text}");
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
    p.expect("stays applied. To undo it:");
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

    let undo = command_after(&text, "stays applied. To undo it:");
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
            .any(|l| l.starts_with(run_id) && l.contains(" applied ")),
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

/// The command printed on the lines after the line ending in `intro`,
/// joined back as a shell reads it (a line ending in ` \` goes on).
fn command_after(text: &str, intro: &str) -> String {
    let mut lines = text.lines().skip_while(|l| !l.trim_end().ends_with(intro));
    assert!(lines.next().is_some(), "no {intro:?} in:\n{text}");
    let mut cmd = String::new();
    for l in lines {
        match l.trim().strip_suffix('\\') {
            Some(more) => cmd.push_str(more),
            None => {
                cmd.push_str(l.trim());
                break;
            }
        }
    }
    cmd.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Send `signal` to the wizard from outside (as `kill` does).
fn kill(p: &Pty, signal: &str) {
    let pid = p.s.get_process().pid().to_string();
    let o = Command::new("kill")
        .args([&format!("-{signal}"), &pid])
        .output()
        .unwrap();
    assert!(o.status.success(), "kill -{signal} {pid}: {o:?}");
}

/// SIGTERM or SIGINT from outside while a prompt is open ends the run as
/// Ctrl-C does: the terminal is restored, "Cancelled…" is printed on a line
/// of its own, the record and the `--report` are written, exit 128 + signal.
fn signal_at_a_prompt(signal: &str, code: i32) {
    let env = Env::new();
    one_workspace(&env);
    let report = env.state().with_file_name("signal-report.md");
    let report_arg = report.display().to_string();
    let mut p = Pty::new(&env, &["run", "--report", &report_arg]);
    p.expect("What do you want to do in Notion?");
    p.send("\r");
    p.expect("Which workspace is this about?");
    std::thread::sleep(Duration::from_millis(200));
    kill(&p, signal);
    p.expect("Cancelled; nothing was changed.");
    let got = p.finish();
    let raw = String::from_utf8_lossy(&p.seen).into_owned();
    assert_eq!(got, Some(code), "{}", p.text());
    assert!(
        p.on_a_line_of_its_own("Cancelled; nothing was changed."),
        "{raw:?}"
    );
    let restored = raw
        .rfind("\x1b[?2004l")
        .expect("bracketed paste turned off");
    assert!(
        restored < raw.find("Cancelled; nothing was changed.").unwrap(),
        "the terminal is restored before the message: {raw:?}"
    );
    assert!(raw.contains("\x1b[?25h"), "cursor shown again: {raw:?}");

    let r = only_record(&env);
    assert_eq!(r["exit_code"], code, "{r:#}");
    assert_eq!(r["outcome"]["outcome"], "cancelled", "{r:#}");
    assert_eq!(r["answers"]["goal"], "remove-one", "{r:#}");
    assert!(!r["finished_at"].as_str().unwrap().is_empty(), "{r:#}");
    let md = std::fs::read_to_string(&report).expect("--report written on a signal");
    assert!(md.contains("Cancelled; nothing was changed."), "{md}");
}

#[test]
fn sigterm_at_a_prompt_restores_the_terminal_and_keeps_the_record_and_report() {
    signal_at_a_prompt("TERM", 143);
}

#[test]
fn sigint_at_a_prompt_restores_the_terminal_and_keeps_the_record_and_report() {
    signal_at_a_prompt("INT", 130);
}

/// Ctrl-C (or SIGTERM) at "Apply this fix?": the record keeps the fix that
/// was proposed, as not applied, and the report says which.
fn cancel_at_the_confirmation(by_signal: bool) {
    let env = Env::new();
    one_workspace(&env);
    let before = tree_hashes(&env.home(), &[]);
    let mut p = walk_to_consent(&env);
    if by_signal {
        std::thread::sleep(Duration::from_millis(200));
        kill(&p, "TERM");
    } else {
        p.send_code(ControlCode::EndOfText);
    }
    p.expect("Cancelled; nothing was changed.");
    let code = p.finish();
    assert_eq!(
        code,
        Some(if by_signal { 143 } else { 130 }),
        "{}",
        p.text()
    );
    assert_eq!(before, tree_hashes(&env.home(), &[]));

    let r = only_record(&env);
    assert_eq!(r["fixes"].as_array().unwrap().len(), 1, "{r:#}");
    assert_eq!(r["fixes"][0]["result"], "cancelled", "{r:#}");
    assert_eq!(r["fixes"][0]["backup_id"], serde_json::Value::Null, "{r:#}");
    let title = r["fixes"][0]["title"].as_str().unwrap().to_string();
    let message = r["outcome"]["message"].as_str().unwrap();
    assert!(
        message.contains("was proposed and not applied") && message.contains(&title),
        "{message}"
    );
    let o = env.run("linux", &["report", r["run_id"].as_str().unwrap()]);
    let md = stdout(&o);
    assert!(!md.contains("No fix was proposed"), "{md}");
    assert!(md.contains("was proposed and not applied"), "{md}");
}

#[test]
fn ctrl_c_at_the_fix_confirmation_records_the_fix_proposed_and_not_applied() {
    cancel_at_the_confirmation(false);
}

#[test]
fn sigterm_at_the_fix_confirmation_records_the_fix_proposed_and_not_applied() {
    cancel_at_the_confirmation(true);
}

/// `troubleshoot demo` in a pty, with its state in the sandbox.
fn demo(env: &Env, args: &[&str]) -> Pty {
    let mut cmd = Command::new(BIN);
    cmd.env("NO_COLOR", "1")
        .env("TERM", "xterm-256color")
        .env("COLUMNS", "250")
        .env("HOME", env.dir.path())
        .env("TMPDIR", env.dir.path())
        .env_remove("TROUBLESHOOT_STATE_DIR")
        .arg("demo")
        .args(args);
    let mut s = Session::spawn(cmd).expect("spawn in a pty");
    s.set_expect_timeout(Some(Duration::from_secs(30)));
    Pty {
        s,
        seen: Vec::new(),
    }
}

/// The sandbox folders under `dir` (the demo's temporary folder).
fn sandboxes(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    std::fs::read_dir(dir)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .filter(|p| {
            p.file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with("troubleshoot-demo-"))
        })
        .collect()
}

/// `demo --keep` keeps its sandbox on every ending, Esc at the first
/// question included, and prints commands that work on it.
#[test]
fn demo_keep_is_honoured_on_esc() {
    let env = Env::new();
    let mut p = demo(&env, &["--keep"]);
    p.expect("What do you want to do in Notion?");
    p.send_code(ControlCode::Escape);
    p.expect("Kept the sandbox");
    let code = p.finish();
    let text = p.text();
    assert_eq!(code, Some(130), "{text}");
    let kept = sandboxes(env.dir.path());
    assert_eq!(kept.len(), 1, "the sandbox is kept: {kept:?}\n{text}");
    let runs = command_after(&text, "Kept the sandbox. Try, on it:");
    assert!(runs.starts_with("troubleshoot scan --root "), "{runs}");
    let args: Vec<&str> = runs.split_whitespace().skip(1).collect();
    let o = Command::new(BIN).args(&args).output().unwrap();
    assert_eq!(o.status.code(), Some(0), "{runs}: {}", stderr(&o));
    assert!(stdout(&o).contains("Acme Corp"), "{}", stdout(&o));
}

/// Esc at "Undo the fix now?" in the demo (no --keep): the fix stays
/// applied, so the sandbox is kept and its path printed with the undo
/// command, which works as printed.
#[test]
fn demo_keeps_a_sandbox_whose_fix_stays_applied() {
    let env = Env::new();
    let mut p = demo(&env, &[]);
    p.expect("What do you want to do in Notion?");
    p.send("\r");
    p.expect("Which workspace is this about?");
    p.send("\r");
    p.expect("How do you want to sign out of Acme Corp?");
    // Filtered to the way that changes the sandbox's store.
    p.send("Remove Notion");
    p.send("\r");
    p.expect("Apply this fix?");
    p.send("y\r");
    p.expect("Export a diagnostic report");
    p.send("n\r");
    p.expect("Undo the fix now");
    p.send_code(ControlCode::Escape);
    p.expect("so the sandbox is kept at");
    p.finish();
    let text = p.text();
    let kept = sandboxes(env.dir.path());
    assert_eq!(kept.len(), 1, "{text}");
    assert!(text.contains(&kept[0].display().to_string()), "{text}");
    // The line naming the kept sandbox ends in "To undo it:".
    let undo = command_after(&text, "To undo it:");
    assert!(
        undo.starts_with("troubleshoot undo --state-dir "),
        "{undo}\n{text}"
    );
    let args: Vec<&str> = undo.split_whitespace().skip(1).collect();
    let o = Command::new(BIN)
        .args(&args)
        .env_remove("TROUBLESHOOT_STATE_DIR")
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0), "{undo}: {}", stderr(&o));
}

/// The report prompt after a verified fix: its default is absolute; a path
/// in a missing folder is said at once and asked again (the run is not
/// lost); an existing file is replaced only when the user says so.
#[test]
fn the_report_prompt_checks_the_path_and_asks_again() {
    let env = Env::new();
    one_workspace(&env);
    let out = env.dir.path().join("reports");
    std::fs::create_dir_all(&out).unwrap();
    let existing = out.join("existing.md");
    std::fs::write(&existing, "keep me").unwrap();
    let mut p = walk_to_consent(&env);
    p.send("y\r");
    p.expect("Export a diagnostic report");
    p.send("y\r");
    p.expect("Save the report as");
    let cwd = std::env::current_dir().unwrap();
    p.expect(&cwd.join("troubleshoot-report.md").display().to_string());
    let missing = out.join("missing/r.md").display().to_string();
    p.send(&missing);
    p.send("\r");
    p.expect("does not exist");
    p.expect("Save the report as");
    // Ctrl-W and Ctrl-U edit as in a shell: a word, then the whole line.
    p.send(&format!("{}/junk", out.display()));
    p.send(" words\x17\x15");
    p.send(&existing.display().to_string());
    p.send("\r");
    p.expect("exists. Replace it?");
    p.send("n\r");
    p.expect("Save the report as");
    let fresh = out.join("fresh.html");
    // Ctrl-W takes back the last word typed ("wrong"), as the terminal does.
    p.send(&format!("{}/wrong\x17fresh.html", out.display()));
    p.send("\r");
    p.expect("Report written to");
    let code = p.finish();
    let text = p.text();
    assert_eq!(code, Some(0), "{text}");
    assert!(!text.contains("error:"), "{text}");
    assert!(text.contains("A report redacts by default:"), "{text}");
    assert!(
        !text.contains("Redacted:"),
        "the redactions are said once:\n{text}"
    );
    assert_eq!(std::fs::read_to_string(&existing).unwrap(), "keep me");
    let html = std::fs::read_to_string(&fresh).expect("the report was written");
    assert!(
        html.starts_with("<!DOCTYPE html>"),
        "{}",
        &html[..80.min(html.len())]
    );
    assert!(!out.join("missing").exists());
    assert!(!out.join("junk words").exists() && !out.join("wrong").exists());
}

/// SIGTERM during the demo: the sandbox goes as at any other ending with
/// nothing applied, or stays (its path printed) with --keep.
#[test]
fn a_signal_in_the_demo_deals_with_the_sandbox() {
    for keep in [false, true] {
        let env = Env::new();
        let args: &[&str] = if keep { &["--keep"] } else { &[] };
        let mut p = demo(&env, args);
        p.expect("What do you want to do in Notion?");
        std::thread::sleep(Duration::from_millis(200));
        kill(&p, "TERM");
        p.expect("Cancelled; nothing was changed.");
        let code = p.finish();
        let text = p.text();
        assert_eq!(code, Some(143), "{text}");
        let left = sandboxes(env.dir.path());
        if keep {
            assert_eq!(left.len(), 1, "{text}");
            assert!(
                text.contains(&format!("The sandbox is kept at {}.", left[0].display())),
                "{text}"
            );
        } else {
            assert_eq!(left, Vec::<std::path::PathBuf>::new(), "{text}");
        }
    }
}
