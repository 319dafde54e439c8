//! Hostile text from a store (issue 18): terminal escapes, CR/LF fake
//! lines, NUL and bidirectional overrides in workspace names and ids, user
//! ids, profile names and profile folder names never reach a terminal or a
//! report raw; a 10 MB name gives small output and a small run record.

use std::process::Output;

use troubleshoot::probe::Layout;

use crate::util::*;

/// An OSC title sequence, a screen clear, a fake line of our own, NUL and
/// a right-to-left override, all in one.
const EVIL: &str =
    "\x1b]0;pwned\x07\x1b[2J\r\n✔ Applied. Backup FAKE (undo: rm -rf ~)\0\u{202e}gpj.exe";
/// The same without NUL (no file name or argument can hold one).
const EVIL_NO_NUL: &str =
    "\x1b]0;pwned\x07\x1b[2J\r\n✔ Applied. Backup FAKE (undo: rm -rf ~)\u{202e}gpj.exe";
/// Ids with control characters are not ids to the probe (and user ids are
/// letters, digits and `-`): a bidirectional override is what passes.
const WS_ID: &str = "2f8e1c0a-1111-4c2b-9a57-\u{202e}0d6c3c9e0a01\u{2066}";
const USER: &str = "a7d1b7e2-3333-4e55-8f0e-6b1d2c3e4f50";

/// A character that must not appear raw in output: everything the
/// sanitizer escapes but the line feeds that end our own lines.
fn raw_unsafe(text: &str) -> Vec<(usize, char)> {
    text.char_indices()
        .filter(|&(_, c)| c != '\n' && troubleshoot::sanitize::is_unsafe(c))
        .take(5)
        .collect()
}

fn assert_clean(what: &str, text: &str) {
    let bad = raw_unsafe(text);
    assert!(
        bad.is_empty(),
        "{what}: raw control characters {bad:?} in:\n{text}"
    );
    assert!(
        !text
            .lines()
            .any(|l| l.trim_start().starts_with("✔ Applied. Backup FAKE")),
        "{what}: a fake line was printed:\n{text}"
    );
}

fn assert_output_clean(what: &str, o: &Output) {
    assert!(!stderr(o).contains("panicked"), "{what}: {}", stderr(o));
    assert_clean(&format!("{what} stdout"), &stdout(o));
    assert_clean(&format!("{what} stderr"), &stderr(o));
}

/// Chrome with a hostile profile folder, profile name, workspace (id, name,
/// user id), and a plain second workspace of the same account.
fn hostile_home(env: &Env) -> String {
    let dir = format!("Profile 1{EVIL_NO_NUL}");
    let display = format!("Person{EVIL}");
    let name = format!("Acme{EVIL}");
    env.sample(Layout::Linux)
        .chromium_profile("chrome", &dir, &display)
        .workspace(NOTION, WS_ID, &name, USER)
        .workspace(
            NOTION,
            "2f8e1c0a-2222-4c2b-9a57-0d6c3c9e0a02",
            "Acme Labs",
            USER,
        )
        .write()
        .unwrap();
    dir
}

#[test]
fn hostile_names_never_reach_the_terminal_raw() {
    let env = Env::new();
    hostile_home(&env);

    let o = env.run("linux", &["scan"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_output_clean("scan", &o);
    // The readable scan is the product: on stdout.
    let err = stdout(&o);
    assert!(
        err.contains("\\x1b]0;pwned\\x07\\x1b[2J\\r\\n✔ Applied. Backup FAKE"),
        "the name is shown with visible escapes: {err}"
    );
    assert!(err.contains("\\u{202e}gpj.exe"), "{err}");
    assert!(err.contains("\\0"), "NUL is shown: {err}");

    let o = env.run("linux", &["scan", "--json"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_output_clean("scan --json", &o);
    // JSON escapes keep the exact text for a program.
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let names: Vec<&str> = v["sessions"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|s| s["workspace_name"].as_str())
        .collect();
    assert!(names.contains(&format!("Acme{EVIL}").as_str()), "{names:?}");
    assert!(
        v["browsers"][0]["profile_dir"]
            .as_str()
            .is_some_and(|d| d.contains('\u{202e}')),
        "{v}"
    );

    let o = env.run_method("linux", None, WS_ID, "clear-site", &["--dry-run"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_output_clean("run --dry-run", &o);
    assert!(stderr(&o).contains("Dry run"), "{}", stderr(&o));
}

#[test]
fn hostile_names_in_undo_list_and_reports_are_escaped() {
    let env = Env::new();
    hostile_home(&env);
    let o = env.run_method("linux", None, WS_ID, "clear-site", &["--yes"]);
    assert_output_clean("run --yes", &o);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));

    let o = env.run("linux", &["undo", "--list"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_output_clean("undo --list", &o);
    assert!(
        stdout(&o).contains("Profile 1\\x1b]0;pwned"),
        "the folder is shown escaped: {}",
        stdout(&o)
    );

    for format in ["md", "html", "json"] {
        for names in [false, true] {
            let mut args = vec!["report", "--format", format];
            if names {
                args.push("--include-names");
            }
            let o = env.run("linux", &args);
            assert_eq!(o.status.code(), Some(0), "{format}: {}", stderr(&o));
            assert_output_clean(&format!("report {format} names={names}"), &o);
            if format == "json" {
                serde_json::from_slice::<serde_json::Value>(&o.stdout).unwrap();
            } else if names {
                assert!(
                    stdout(&o).contains("x1b") && stdout(&o).contains("pwned"),
                    "{format}: the name is there, escaped: {}",
                    stdout(&o)
                );
            }
        }
    }
    // Written reports too.
    for ext in ["md", "html"] {
        let path = env.dir.path().join(format!("r.{ext}"));
        let o = env.run(
            "linux",
            &["report", "--include-names", "-o", path.to_str().unwrap()],
        );
        assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
        assert_clean(ext, &std::fs::read_to_string(&path).unwrap());
    }
    // The saved record holds no raw control either (JSON escapes).
    for e in std::fs::read_dir(env.state().join("runs")).unwrap() {
        let text = std::fs::read_to_string(e.unwrap().path()).unwrap();
        assert_clean("record", &text);
    }
}

fn total(o: &Output) -> usize {
    o.stdout.len() + o.stderr.len()
}

#[test]
fn a_10_mb_name_gives_small_output_and_a_small_record() {
    let env = Env::new();
    let huge = "N".repeat(10 * 1024 * 1024);
    let ws = "2f8e1c0a-1111-4c2b-9a57-0d6c3c9e0a01";
    env.sample(Layout::Linux)
        .chromium_profile("chrome", "Default", "Person 1")
        .workspace(NOTION, ws, &huge, "a7d1b7e2-3333-4e55-8f0e-6b1d2c3e4f50")
        .write()
        .unwrap();
    const SMALL: usize = 64 * 1024;

    let o = env.run("linux", &["scan"]);
    assert_eq!(o.status.code(), Some(0), "{}", &stderr(&o)[..2000]);
    eprintln!("scan: {} bytes", total(&o));
    assert!(total(&o) < SMALL, "scan printed {} bytes", total(&o));
    assert!(
        stdout(&o).contains("…(10485760 chars)"),
        "the length is told"
    );

    let o = env.run("linux", &["scan", "--json"]);
    assert_eq!(o.status.code(), Some(0));
    eprintln!("scan --json: {} bytes", total(&o));
    assert!(total(&o) < SMALL, "scan --json printed {} bytes", total(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert!(
        v["sessions"][0]["workspace_name"]
            .as_str()
            .unwrap()
            .ends_with("…(10485760 chars)"),
        "capped, with the length"
    );

    let o = env.run_method("linux", None, ws, "clear-site", &["--dry-run"]);
    assert_eq!(o.status.code(), Some(0), "{}", &stderr(&o)[..2000]);
    eprintln!("run --dry-run: {} bytes", total(&o));
    assert!(
        total(&o) < SMALL,
        "run --dry-run printed {} bytes",
        total(&o)
    );

    let o = env.run_method("linux", None, ws, "clear-site", &["--yes"]);
    assert_eq!(o.status.code(), Some(0), "{}", &stderr(&o)[..2000]);
    eprintln!("run --yes: {} bytes", total(&o));
    assert!(total(&o) < SMALL, "run --yes printed {} bytes", total(&o));
    let mut records = 0;
    for e in std::fs::read_dir(env.state().join("runs")).unwrap() {
        let path = e.unwrap().path();
        let len = std::fs::metadata(&path).unwrap().len();
        eprintln!("record {}: {len} bytes", path.display());
        assert!(len < 256 * 1024, "{} is {len} bytes", path.display());
        records += 1;
    }
    assert_eq!(records, 2);
    for format in ["md", "html", "json"] {
        let o = env.run("linux", &["report", "--include-names", "--format", format]);
        assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
        eprintln!("report {format}: {} bytes", total(&o));
        assert!(total(&o) < 256 * 1024, "{format}: {} bytes", total(&o));
    }
    let o = env.run("linux", &["undo"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(total(&o) < SMALL);
}

#[test]
fn a_profile_folder_named_after_its_owner_is_redacted_like_a_profile_name() {
    let env = Env::new();
    env.sample(Layout::Linux)
        .chromium_profile("chrome", "Jane Doe", "Person 1")
        .workspace(
            NOTION,
            "2f8e1c0a-1111-4c2b-9a57-0d6c3c9e0a01",
            "Acme",
            "a7d1b7e2-3333-4e55-8f0e-6b1d2c3e4f50",
        )
        .write()
        .unwrap();
    let o = env.run_method(
        "linux",
        None,
        "2f8e1c0a-1111-4c2b-9a57-0d6c3c9e0a01",
        "clear-site",
        &["--dry-run"],
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    for format in ["md", "html", "json"] {
        let o = env.run("linux", &["report", "--format", format]);
        assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
        let out = stdout(&o);
        assert!(!out.contains("Jane Doe"), "{format}: {out}");
        assert!(out.contains("profile-name-1"), "{format}: {out}");
        let o = env.run("linux", &["report", "--format", format, "--include-names"]);
        assert!(stdout(&o).contains("Jane Doe"), "{format}");
    }
}
