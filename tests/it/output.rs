//! Output (issue 18): stdout goes through one sink. A reader that went
//! away (`troubleshoot scan --json | true`) ends the command quietly with
//! exit 0, as ripgrep does; a full disk (`/dev/full`) exits 1 with a
//! message; a report is never written over a device.

use std::process::{Command, Output, Stdio};
use std::time::Duration;

use troubleshoot::probe::Layout;

use crate::util::*;

/// A home with one session and one recorded run, so that every command
/// has something to print.
fn home_with_a_run() -> Env {
    let env = Env::new();
    env.sample(Layout::Linux)
        .chromium_profile("chrome", "Default", "Person 1")
        .workspace(NOTION, "ws-1", "Acme", "user-1")
        .write()
        .unwrap();
    let o = env.run_method("linux", None, "ws-1", "clear-site", &["--dry-run"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    env
}

/// Commands whose product is stdout.
const PRODUCERS: &[&[&str]] = &[
    &["scan", "--json"],
    &["flows", "list"],
    &["flows", "catalog"],
    &["flows", "catalog", "--json"],
    &["flows", "graph", "notion-signout"],
    &["report"],
    &["report", "--format", "html"],
    &["report", "--format", "json"],
    &["undo", "--list"],
    &["completions", "bash"],
    &["man"],
];

/// Run `args` on `env` with `stdout` as the child's stdout.
fn with_stdout(env: &Env, args: &[&str], stdout: Stdio) -> Output {
    let mut child = Command::new(BIN)
        .env_remove("TROUBLESHOOT_STATE_DIR")
        .env("NO_COLOR", "1")
        .arg("--root")
        .arg(env.home())
        .args(["--layout", "linux", "--state-dir"])
        .arg(env.state())
        .args(args)
        .stdin(Stdio::null())
        .stdout(stdout)
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let deadline = std::time::Instant::now() + Duration::from_secs(60);
    while child.try_wait().unwrap().is_none() {
        assert!(std::time::Instant::now() < deadline, "{args:?}: hang");
        std::thread::sleep(Duration::from_millis(5));
    }
    child.wait_with_output().unwrap()
}

#[test]
fn a_closed_pipe_ends_quietly_with_exit_0() {
    let env = home_with_a_run();
    for args in PRODUCERS {
        // The read end is closed before the child starts: its first write
        // fails with EPIPE (SIGPIPE is ignored by Rust programs).
        let (reader, writer) = std::io::pipe().unwrap();
        drop(reader);
        let o = with_stdout(&env, args, writer.into());
        let err = stderr(&o);
        assert_eq!(o.status.code(), Some(0), "{args:?}: {err}");
        assert!(!err.contains("panicked"), "{args:?}: {err}");
        assert!(!err.contains("error:"), "{args:?}: {err}");
    }
    // As a shell runs it.
    let cmd = format!(
        "{BIN} --root '{}' --layout linux --state-dir '{}' scan --json | true; echo \"exit=${{PIPESTATUS[0]}}\"",
        env.home().display(),
        env.state().display()
    );
    let o = Command::new("bash").args(["-c", &cmd]).output().unwrap();
    assert!(
        stdout(&o).contains("exit=0"),
        "{}{}",
        stdout(&o),
        stderr(&o)
    );
    assert!(!stderr(&o).contains("panicked"), "{}", stderr(&o));
}

#[test]
fn a_full_disk_exits_1_with_a_message() {
    let env = home_with_a_run();
    for args in PRODUCERS {
        if *args == ["undo", "--list"] {
            continue; // nothing to undo: it prints nothing on stdout
        }
        let full = std::fs::OpenOptions::new()
            .write(true)
            .open("/dev/full")
            .unwrap();
        let o = with_stdout(&env, args, full.into());
        let err = stderr(&o);
        assert_eq!(o.status.code(), Some(1), "{args:?}: {err}");
        assert!(
            err.contains("error: cannot write to standard output"),
            "{args:?}: {err}"
        );
        assert!(err.contains("No space left on device"), "{args:?}: {err}");
        assert!(!err.contains("panicked"), "{args:?}: {err}");
    }
}

#[test]
fn a_report_is_never_written_over_a_device() {
    let env = home_with_a_run();
    for args in [
        vec!["report", "--format", "md", "-o", "/dev/full"],
        vec!["report", "-o", "/dev/null"],
    ] {
        let o = env.run("linux", &args);
        let err = stderr(&o);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {err}");
        assert!(err.contains("not a regular file"), "{args:?}: {err}");
    }
    use std::os::unix::fs::FileTypeExt;
    assert!(
        std::fs::metadata("/dev/full")
            .unwrap()
            .file_type()
            .is_char_device()
    );
    let o = env.run_method(
        "linux",
        None,
        "ws-1",
        "clear-site",
        &["--dry-run", "--report", "/dev/full"],
    );
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
}
