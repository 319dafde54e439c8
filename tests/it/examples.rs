//! Every command the README's `sh` examples and the man page's EXAMPLES
//! show, run as printed against the demo's sandbox home (issue 25): the
//! sandbox is the user's home (`HOME`), so no flag is added to a command.
//! A command that asks questions with no answers given runs in a
//! pseudo-terminal taking every default. The examples are read from the
//! files, so the test follows whatever they become.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use expectrl::{Eof, Expect, Session};
use troubleshoot::probe::Layout;

use crate::util::*;

/// The commands of the README's `sh` code blocks, in order, comments cut,
/// with what the build needs (`cargo …`) left out.
fn readme_commands() -> Vec<String> {
    let text =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md")).unwrap();
    let mut out: Vec<String> = Vec::new();
    let mut in_sh = false;
    let mut open_quote = false;
    for line in text.lines() {
        let t = line.trim();
        if t.starts_with("```") {
            in_sh = !in_sh && t == "```sh";
            continue;
        }
        if !in_sh {
            continue;
        }
        // A quoted argument may go on over lines (an answers file).
        if open_quote {
            let last = out.last_mut().unwrap();
            last.push('\n');
            last.push_str(line);
        } else if t.starts_with("troubleshoot") || t.starts_with("echo ") {
            out.push(cut_comment(t));
        } else {
            continue;
        }
        open_quote = out.last().unwrap().matches('\'').count() % 2 == 1;
    }
    out
}

/// The commands of the man page's EXAMPLES: the text before the
/// two-space gap that starts each line's explanation.
fn man_commands() -> Vec<String> {
    let o = Command::new(BIN).arg("man").output().unwrap();
    let page = String::from_utf8(o.stdout).unwrap();
    let section = page
        .split(".SH EXAMPLES")
        .nth(1)
        .and_then(|s| s.split(".fi").next())
        .expect("an EXAMPLES section");
    section
        .lines()
        .map(|l| l.replace("\\-", "-").replace("\\\\", "\\"))
        .map(|l| l.trim().to_string())
        .filter(|l| l.starts_with("troubleshoot"))
        .map(|l| l.split("  ").next().unwrap().trim().to_string())
        .collect()
}

/// `line` without a trailing `# comment` (outside quotes).
fn cut_comment(line: &str) -> String {
    let mut quote = None;
    for (i, c) in line.char_indices() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (None, '\'' | '"') => quote = Some(c),
            (None, '#') if line[..i].ends_with(' ') => return line[..i].trim().to_string(),
            _ => {}
        }
    }
    line.trim().to_string()
}

/// Whether `cmd` asks a person: the wizard (or the demo) with nothing to
/// answer its questions.
fn asks(cmd: &str) -> bool {
    let words: Vec<&str> = cmd.split_whitespace().collect();
    let verb = words.get(1).copied().unwrap_or("");
    let scripted = words
        .iter()
        .any(|w| *w == "--yes" || w.starts_with("--answer"));
    matches!(verb, "" | "run" | "demo") && !scripted
}

struct Sandbox {
    _dir: tempfile::TempDir,
    home: PathBuf,
    work: PathBuf,
}

impl Sandbox {
    fn new() -> Sandbox {
        let dir = tempfile::tempdir().unwrap();
        let home = dir.path().join("home");
        std::fs::create_dir_all(&home).unwrap();
        troubleshoot::demo::demo_home_in(&home, Layout::Linux).unwrap();
        let work = dir.path().join("work");
        std::fs::create_dir_all(&work).unwrap();
        Sandbox {
            _dir: dir,
            home,
            work,
        }
    }

    fn command(&self, program: &str) -> Command {
        let bin_dir = Path::new(BIN).parent().unwrap();
        let mut c = Command::new(program);
        c.current_dir(&self.work)
            .env("HOME", &self.home)
            .env("TMPDIR", &self.work)
            .env(
                "PATH",
                format!("{}:{}", bin_dir.display(), std::env::var("PATH").unwrap()),
            )
            .env("NO_COLOR", "1")
            .env("COLUMNS", "200")
            .env_remove("XDG_STATE_HOME")
            .env_remove("XDG_DATA_HOME")
            .env_remove("XDG_CONFIG_HOME")
            .env_remove("TROUBLESHOOT_STATE_DIR");
        c
    }

    /// Run `cmd` as printed; its exit code and what it said.
    fn run(&self, cmd: &str) -> (Option<i32>, String) {
        if !asks(cmd) {
            let o = self
                .command("sh")
                .args(["-c", cmd])
                .stdin(std::process::Stdio::null())
                .output()
                .unwrap();
            return (o.status.code(), format!("{}{}", stdout(&o), stderr(&o)));
        }
        let mut c = self.command("sh");
        c.args(["-c", cmd]);
        let mut s = Session::spawn(c).expect("spawn in a pty");
        s.set_expect_timeout(Some(Duration::from_millis(400)));
        let start = Instant::now();
        let mut seen = Vec::new();
        // Every default: Enter at each prompt until the command ends; a
        // list asked again (the wizard says the way chosen did not work:
        // "Choose another way") gets the next option, as a person would.
        let mut sent_at = 0;
        loop {
            assert!(
                start.elapsed() < Duration::from_secs(90),
                "`{cmd}` did not end:\n{}",
                String::from_utf8_lossy(&seen)
            );
            match s.expect(Eof) {
                Ok(c) => {
                    seen.extend_from_slice(c.as_bytes());
                    break;
                }
                Err(expectrl::Error::ExpectTimeout) => {
                    let mut buf = [0u8; 65536];
                    if let Ok(n) = s.try_read(&mut buf) {
                        seen.extend_from_slice(&buf[..n]);
                    }
                    let text = String::from_utf8_lossy(&seen);
                    let downs = times_answered_before(&text[sent_at.min(text.len())..], &text);
                    sent_at = text.len();
                    let _ = s.send(format!("{}\r", "\x1b[B".repeat(downs)));
                }
                Err(e) => panic!("`{cmd}`: {e}"),
            }
        }
        let code = {
            let status = format!("{:?}", s.get_process().wait().ok());
            status
                .rsplit(", ")
                .next()
                .and_then(|c| c.trim_end_matches(')').parse().ok())
        };
        (code, String::from_utf8_lossy(&seen).into_owned())
    }
}

/// How many times the list question pending at the end of `fresh` (what
/// the terminal showed since the last key) was answered before in `all`:
/// the prompt library draws a pending question as `? PROMPT  ` and an
/// answered one as `✔ PROMPT ANSWER`. 0 for no list pending.
fn times_answered_before(fresh: &str, all: &str) -> usize {
    let Some(at) = fresh.rfind("\x1b[?25l? ") else {
        return 0;
    };
    let pending = &fresh[at + "\x1b[?25l? ".len()..];
    if !pending.contains("to move, enter to select") || pending.contains("✔ ") {
        return 0;
    }
    let prompt = pending.split("  ").next().unwrap_or("");
    if prompt.is_empty() {
        return 0;
    }
    all.matches(&format!("✔ {prompt} ")).count()
}

/// What an example may end with: 0, or 1 for the wizard taking every
/// default (it declines the fix, so the problem remains), never a usage
/// or input error.
fn check(cmd: &str, code: Option<i32>, said: &str) {
    let ok = match code {
        Some(0) => true,
        Some(1) => asks(cmd),
        _ => false,
    };
    assert!(ok, "`{cmd}` exited {code:?}:\n{said}");
    assert!(!said.contains("error:"), "`{cmd}` said an error:\n{said}");
}

#[test]
fn every_readme_example_works_on_the_demo_sandbox() {
    let commands = readme_commands();
    assert!(commands.len() >= 10, "the README's examples: {commands:?}");
    let sandbox = Sandbox::new();
    for cmd in &commands {
        let (code, said) = sandbox.run(cmd);
        eprintln!("$ {cmd}\n  exit {code:?}");
        check(cmd, code, &said);
    }
    // What the text says the examples leave behind.
    assert!(sandbox.work.join("report.html").is_file());
    assert!(sandbox.work.join("run.md").is_file());
}

#[test]
fn every_man_page_example_works_on_the_demo_sandbox() {
    let commands = man_commands();
    assert!(commands.len() >= 5, "the man page's examples: {commands:?}");
    let sandbox = Sandbox::new();
    // `run --answers a.json` reads the README's answers file.
    let echo = readme_commands()
        .into_iter()
        .find(|c| c.starts_with("echo ") && c.contains("> answers.json"))
        .expect("the README's answers file");
    let made = sandbox
        .command("sh")
        .args(["-c", &echo.replace("answers.json", "a.json")])
        .output()
        .unwrap();
    assert!(made.status.success());
    for cmd in &commands {
        let (code, said) = sandbox.run(cmd);
        eprintln!("$ {cmd}\n  exit {code:?}");
        check(cmd, code, &said);
    }
}
