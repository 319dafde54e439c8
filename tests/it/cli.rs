//! The command line: flows check/graph/list, scripted runs, exit codes.

use std::path::Path;
use std::time::{Duration, Instant};

use troubleshoot::probe::Layout;

use crate::util::*;

const WS1: &str = "2f8e1c0a-1111-4c2b-9a57-0d6c3c9e0a01";
const WS2: &str = "2f8e1c0a-2222-4c2b-9a57-0d6c3c9e0a02";
const USER: &str = "a7d1b7e2-3333-4e55-8f0e-6b1d2c3e4f50";

fn write(env: &Env, name: &str, text: &str) -> String {
    let p = env.dir.path().join(name);
    std::fs::write(&p, text).unwrap();
    p.display().to_string()
}

#[test]
fn shipped_flow_checks_lists_and_graphs() {
    let env = Env::new();
    let o = env.run(
        "linux",
        &[
            "flows",
            "check",
            "flows/notion-signout.json",
            "notion-signout",
        ],
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let o = env.run("linux", &["flows", "list"]);
    assert!(stdout(&o).contains("notion-signout"), "{}", stdout(&o));
    let o = env.run(
        "linux",
        &["flows", "graph", "notion-signout", "--format", "mermaid"],
    );
    let g = stdout(&o);
    assert!(g.starts_with("flowchart TD\n"), "{g}");
    assert!(
        g.contains("fix: fix-clear-site (clear-site-data)") && g.contains("-->|"),
        "{g}"
    );
    let o = env.run(
        "linux",
        &["flows", "graph", "notion-signout", "--format", "dot"],
    );
    assert!(stdout(&o).starts_with("digraph \"notion-signout\""));
}

/// `flows catalog` shows flow authors every probe and action the shipped
/// flows use, with the facts, risk and parameters `flows check` holds them to.
#[test]
fn flows_catalog_lists_what_the_shipped_flows_call() {
    let env = Env::new();
    let o = env.run("linux", &["flows", "catalog", "--json"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let doc: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(doc["schema"], 1);
    let text = env.run("linux", &["flows", "catalog"]);
    let text = stdout(&text);
    for file in [
        "flows/notion-signout.json",
        "flows/notion-desktop-relogin.json",
    ] {
        let flow: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(file).unwrap()).unwrap();
        for step in flow["steps"].as_array().unwrap() {
            if let Some(p) = step["check"]["probe"].as_str() {
                let probe = doc["probes"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .find(|x| x["id"] == p);
                let probe = probe.unwrap_or_else(|| panic!("{file}: probe {p} not in {doc}"));
                assert!(
                    probe["facts"]
                        .as_array()
                        .unwrap()
                        .contains(&"sessions".into())
                );
                assert!(text.contains(&format!("  {p}\n")), "{text}");
            }
            if let Some(a) = step["fix"]["action"].as_str() {
                let action = doc["actions"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .find(|x| x["id"] == a);
                let action = action.unwrap_or_else(|| panic!("{file}: action {a} not in {doc}"));
                let risk = action["risk"].as_str().unwrap();
                assert!(
                    ["info", "low", "medium", "high"].contains(&risk),
                    "{action}"
                );
                assert!(text.contains(&format!("  {a} (risk {risk})\n")), "{text}");
                for p in step["fix"]["params"].as_object().into_iter().flatten() {
                    let known = action["params"].as_array().unwrap();
                    assert!(
                        known.iter().any(|k| k["name"] == p.0.as_str()),
                        "{a}: {p:?}"
                    );
                }
            }
        }
    }
}

#[test]
fn bad_flows_exit_2_with_a_located_message() {
    let env = Env::new();
    let good = std::fs::read_to_string("flows/notion-signout.json").unwrap();
    let dangling = good.replacen("\"next\": \"scan\"", "\"next\": \"scann\"", 1);
    let duplicate = good.replacen("\"id\": \"route\"", "\"id\": \"diagnose\"", 1);
    let unknown = good.replacen(
        "\"kind\": \"select\"",
        "\"kind\": \"select\", \"colour\": \"red\"",
        1,
    );
    let truncated = &good[..good.len() / 2];
    let cases: Vec<(&str, Vec<u8>, &str)> = vec![
        (
            "dangling.json",
            dangling.into_bytes(),
            "names step `scann`, which does not exist",
        ),
        (
            "duplicate.json",
            duplicate.into_bytes(),
            "duplicate step id `diagnose`",
        ),
        (
            "unknown.json",
            unknown.into_bytes(),
            "unknown field `colour`",
        ),
        (
            "truncated.json",
            truncated.as_bytes().to_vec(),
            "EOF while parsing",
        ),
        (
            "deep.json",
            "[".repeat(100_000).into_bytes(),
            "nested deeper than",
        ),
        (
            "garbage.json",
            (0..4096u32)
                .map(|i| (i.wrapping_mul(2654435761) >> 13) as u8)
                .collect(),
            "garbage.json:",
        ),
    ];
    for (name, bytes, want) in cases {
        let p = env.dir.path().join(name);
        std::fs::write(&p, &bytes).unwrap();
        let o = env.run("linux", &["flows", "check", p.to_str().unwrap()]);
        let err = stderr(&o);
        assert_eq!(o.status.code(), Some(2), "{name}: {err}");
        assert!(err.contains(want), "{name}: want {want:?} in {err}");
        assert!(err.contains(name), "{name}: message names the file: {err}");
        assert!(!err.contains("panicked"), "{name}: {err}");
    }
}

fn two_workspaces_one_account(env: &Env) {
    env.sample(Layout::Linux)
        .chromium_profile("chrome", "Default", "Person 1")
        .workspace(NOTION, WS1, "Acme Corp", USER)
        .workspace(NOTION, WS2, "Acme Labs", USER)
        .write()
        .unwrap();
}

#[test]
fn dry_run_explains_one_account_counts_as_one_session_and_changes_nothing() {
    let env = Env::new();
    two_workspaces_one_account(&env);
    let before = tree_hashes(&env.home(), &[]);
    let answers = write(
        &env,
        "a.json",
        &format!(r#"{{"goal":"remove-one","workspace":"{WS1}","method":"second-session"}}"#),
    );
    // Issue 3's acceptance command, exactly: no --yes.
    let o = env.run(
        "linux",
        &["run", "notion-signout", "--answers", &answers, "--dry-run"],
    );
    let err = stderr(&o);
    assert!(
        err.contains(
            "Chrome, profile Person 1: 1 account: account a7d1b7e2 (Acme Corp, Acme Labs)"
        ),
        "{err}"
    );
    assert!(
        err.contains("Notion signs out per account, not per workspace"),
        "{err}"
    );
    assert!(
        err.contains("Sign in to a second account to unlock Sign out"),
        "the guide is shown: {err}"
    );
    assert!(
        err.contains("Dry run: follow the steps above by hand"),
        "{err}"
    );
    assert_eq!(o.status.code(), Some(0), "{err}");
    assert_eq!(
        before,
        tree_hashes(&env.home(), &[]),
        "no byte under the home changed"
    );
}

#[test]
fn dry_run_of_remove_entry_shows_the_plan_and_changes_nothing() {
    let env = Env::new();
    two_workspaces_one_account(&env);
    let before = tree_hashes(&env.home(), &[]);
    let o = env.run_method("linux", None, "Acme Labs", "clear-site", &["--dry-run"]);
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(0), "{err}");
    assert!(
        err.contains(&format!("notion:workspace:{WS2}")),
        "the plan names the key: {err}"
    );
    assert!(err.contains("Dry run"), "{err}");
    assert_eq!(before, tree_hashes(&env.home(), &[]));
}

#[test]
fn missing_answer_without_a_terminal_exits_2_at_once_naming_the_question() {
    let env = Env::new();
    two_workspaces_one_account(&env);
    let start = Instant::now();
    let o = env
        .cmd("linux", &["run", "--answer", "goal=remove-one"])
        .write_stdin("")
        .output()
        .unwrap();
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(err.contains("question `workspace` has no answer"), "{err}");
    assert!(
        err.contains("--answer workspace="),
        "hint says how to supply it: {err}"
    );
    assert!(start.elapsed() < Duration::from_secs(20), "never hangs");
}

/// `--yes` consents; it never chooses which workspace to change: with two
/// candidates and no answer the run stops with exit 2 naming the question,
/// and nothing is changed.
#[test]
fn yes_never_picks_the_workspace_among_two() {
    let env = Env::new();
    two_workspaces_one_account(&env);
    let before = tree_hashes(&env.home(), &[]);
    let o = env
        .cmd("linux", &["run", "--yes"])
        .write_stdin("")
        .output()
        .unwrap();
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(err.contains("question `workspace` has no answer"), "{err}");
    assert!(
        err.contains("--yes does not answer it") && err.contains("--answer workspace="),
        "{err}"
    );
    assert!(!err.contains("Applied"), "{err}");
    assert_eq!(before, tree_hashes(&env.home(), &[]), "nothing changed");
}

/// `--yes` never picks the fix either: with one workspace the target is
/// clear, but the `method` question (marked `chooses` in the flow) offers
/// several ways to sign out, so a run without its answer stops with exit 2
/// naming it and listing the choices, and nothing is changed.
#[test]
fn yes_never_picks_the_method_with_one_workspace() {
    let env = Env::new();
    env.sample(Layout::Linux)
        .chromium_profile("chrome", "Default", "Person 1")
        .workspace(NOTION, WS1, "Acme Corp", USER)
        .write()
        .unwrap();
    let before = tree_hashes(&env.home(), &[]);
    let o = env
        .cmd("linux", &["run", "--yes"])
        .write_stdin("")
        .output()
        .unwrap();
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(err.contains("question `method` has no answer"), "{err}");
    assert!(
        err.contains("--yes does not answer it") && err.contains("--answer method="),
        "{err}"
    );
    assert!(
        err.contains("one of: log-out, second-session, clear-site, sign-out-all"),
        "the choices on offer (no reset-app for a browser): {err}"
    );
    assert!(!err.contains("Applied"), "{err}");
    assert_eq!(before, tree_hashes(&env.home(), &[]), "nothing changed");
    // Answered, the same run goes on.
    let o = env
        .cmd(
            "linux",
            &["run", "--yes", "--dry-run", "--answer", "method=log-out"],
        )
        .write_stdin("")
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
}

#[test]
fn bad_answers_and_usage_errors_exit_2() {
    let env = Env::new();
    two_workspaces_one_account(&env);
    let o = env.run("linux", &["run", "--answer", "goal=explode"]);
    assert_eq!(o.status.code(), Some(2));
    // The options by id, each with its label (names are accepted too).
    assert!(
        stderr(&o).contains("one of: remove-one (Sign out of one workspace")
            && stderr(&o).contains(", sign-out-all (Sign out of every workspace)"),
        "{}",
        stderr(&o)
    );
    let bad = write(&env, "bad.json", "[1,2");
    let o = env.run("linux", &["run", "--answers", &bad]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("bad.json"), "{}", stderr(&o));
    let o = env.run("linux", &["run", "--answer", "noequals"]);
    assert_eq!(o.status.code(), Some(2));
    let o = env.run("linux", &["run", "no-such-flow"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("built-in: notion-signout"),
        "{}",
        stderr(&o)
    );
    let o = env.run("linux", &["frobnicate"]);
    assert_eq!(o.status.code(), Some(2));
}

#[test]
fn nothing_found_still_guides() {
    let env = Env::new();
    let o = env.run(
        "linux",
        &[
            "run",
            "--answer",
            "goal=remove-one",
            "--answer",
            "where=desktop",
            "--yes",
        ],
    );
    let err = stderr(&o);
    assert!(err.contains("No signed-in Notion account found"), "{err}");
    assert!(err.contains("Reset App Data"), "{err}");
    // --yes consents to fixes; it never says "I did it" for manual steps.
    assert!(err.contains("Not confirmed"), "{err}");
    assert!(err.contains("--answer guide-desktop=true"), "{err}");
    assert_eq!(o.status.code(), Some(1), "{err}");
    // Answered for, the guide is confirmed.
    let o = env.run(
        "linux",
        &[
            "run",
            "--answer",
            "goal=remove-one",
            "--answer",
            "where=desktop",
            "--answer",
            "guide-desktop=true",
        ],
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
}

#[test]
fn global_flags_work_after_the_subcommand_and_help_teaches() {
    let env = Env::new();
    let o = assert_cmd::Command::new(BIN)
        .args(["scan", "--json", "--layout", "macos", "--root"])
        .arg(env.home())
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(
        v["schema"], 2,
        "scan schema 2: app_cookies, not notion_cookies"
    );
    assert_eq!(v["layout"], "macos");
    let o = assert_cmd::Command::new(BIN)
        .args(["run", "--help"])
        .output()
        .unwrap();
    assert!(stdout(&o).contains("Examples:"), "{}", stdout(&o));
    for shell in ["bash", "zsh", "fish", "powershell"] {
        let o = assert_cmd::Command::new(BIN)
            .args(["completions", shell])
            .output()
            .unwrap();
        assert_eq!(o.status.code(), Some(0));
        assert!(stdout(&o).contains("troubleshoot"));
    }
    let o = assert_cmd::Command::new(BIN).arg("man").output().unwrap();
    assert!(stdout(&o).contains(".TH troubleshoot"), "{}", stdout(&o));
}

#[test]
fn transcript_of_a_scripted_dry_run() {
    let env = Env::new();
    two_workspaces_one_account(&env);
    let o = env.run_method("linux", None, WS2, "clear-site", &["--dry-run"]);
    let text = format!(
        "{}\n[exit status: {}]",
        stderr(&o),
        o.status.code().unwrap_or(-1)
    );
    insta::assert_snapshot!(text);
}

/// Issue 5's acceptance, end to end through the binary: clearing Notion's
/// data in a profile removes every Notion key there and no other site's.
#[test]
fn clearing_applies_verifies_and_undo_restores_byte_identical() {
    let env = Env::new();
    let profile = env
        .sample(Layout::Linux)
        .chromium_profile("chrome", "Default", "Person 1")
        .workspace(NOTION, WS1, "Acme Corp", USER)
        .ls_key(NOTION, "theme", "dark")
        .ls_key("https://example.com", "decoy", "keep me")
        .write()
        .unwrap();
    let before = tree_hashes(&env.home(), &["LOCK"]);
    let o = env.run_method("linux", None, WS1, "clear-site", &["--yes"]);
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(0), "{err}");
    let ls = profile.join("Local Storage/leveldb");
    let left = troubleshoot::readers::leveldb::read_local_storage(
        &ls,
        &[NOTION.into(), "https://example.com".into()],
    )
    .unwrap();
    let keys: Vec<_> = left.entries.iter().map(|e| e.key.as_str()).collect();
    assert_eq!(keys, ["decoy"], "only the other site's key is left");
    let o = env.run("linux", &["scan", "--json"]);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["session_count"], 0);
    let o = env.run("linux", &["undo"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(
        before,
        tree_hashes(&env.home(), &["LOCK"]),
        "undo restores every file byte for byte"
    );
}

#[test]
fn a_live_singleton_lock_refuses_and_changes_nothing() {
    let env = Env::new();
    env.sample(Layout::Linux)
        .chromium_profile("chrome", "Default", "Person 1")
        .workspace(NOTION, WS1, "Acme Corp", USER)
        .singleton_lock(std::process::id())
        .write()
        .unwrap();
    let before = tree_hashes(&env.home(), &[]);
    let o = env.run_method("linux", None, WS1, "clear-site", &["--yes"]);
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(1), "{err}");
    assert!(err.contains("Chrome"), "names the program: {err}");
    assert_eq!(before, tree_hashes(&env.home(), &[]));
    // "run `troubleshoot` again" keeps the home and state folder this run used.
    let again = format!(
        "`troubleshoot --root {} --layout linux --state-dir {}`",
        env.home().display(),
        env.state().display()
    );
    assert!(err.contains(&again), "{again} in:\n{err}");
}

/// A redacted report replays on the same machine: same path, same outcome.
#[test]
fn replay_from_a_redacted_report_reaches_the_same_outcome() {
    let env = Env::new();
    let s = env.sample(Layout::Linux);
    s.chromium_profile("chrome", "Default", "Person 1")
        .workspace(NOTION, WS1, "Acme Corp", USER)
        .write()
        .unwrap();
    s.chromium_profile("chrome", "Profile 1", "Work")
        .workspace(
            NOTION,
            WS2,
            "Beta Inc",
            "b0b0b0b0-4444-4e55-8f0e-6b1d2c3e4f50",
        )
        .write()
        .unwrap();
    let report = env.dir.path().join("r.json");
    let o = env.run_method(
        "linux",
        None,
        "Beta Inc",
        "clear-site",
        &["--yes", "--report", report.to_str().unwrap()],
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let text = std::fs::read_to_string(&report).unwrap();
    assert!(
        !text.contains(WS2) && !text.contains("Beta Inc"),
        "the report is redacted"
    );
    let first: serde_json::Value = serde_json::from_str(&text).unwrap();
    // The report keeps the evidence the diagnosis stood on, from before the fix.
    assert_eq!(first["facts_before_fix"]["scan"]["session_count"], 2);
    assert_eq!(first["facts"]["scan"]["session_count"], 1);
    assert_eq!(env.run("linux", &["undo"]).status.code(), Some(0));

    let o = env.run(
        "linux",
        &["run", "--from-report", report.to_str().unwrap(), "--yes"],
    );
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(0), "{err}");
    assert!(!err.contains("changed since"), "same flow: {err}");
    assert!(
        err.contains("no Notion sign-in data is left in Chrome, profile Work"),
        "the same workspace was picked: {err}"
    );
    let o = env.run("linux", &["report", "--format", "json"]);
    let second: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let path = |v: &serde_json::Value| {
        v["steps"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["step"].clone())
            .collect::<Vec<_>>()
    };
    assert_eq!(path(&first), path(&second));
    assert_eq!(first["outcome"]["step"], second["outcome"]["step"]);
}

/// `--yes` never answers a manual guide: the run ends "not confirmed" at
/// the first guide, lists its steps, exits 1 and still writes `--report`.
#[test]
fn yes_does_not_confirm_a_guide_and_the_report_is_written() {
    let env = Env::new();
    two_workspaces_one_account(&env);
    let report = env.dir.path().join("r.json");
    let r = report.to_str().unwrap();
    let o = env.run_method(
        "linux",
        None,
        WS1,
        "second-session",
        &["--yes", "--report", r],
    );
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(1), "{err}");
    assert_eq!(err.matches("Not confirmed").count(), 1, "{err}");
    assert!(err.contains("  1. "), "the guide's steps are listed: {err}");
    let v: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&report).unwrap()).unwrap();
    assert_eq!(v["outcome"]["outcome"], "guide-not-confirmed", "{v:#}");
    assert_eq!(v["exit_code"], 1);
}

/// A scripted answer that leads back to its own question ends the run there,
/// with that outcome (exit 1), not after rounds of the same guide.
#[test]
fn a_scripted_loop_ends_at_the_first_repeat() {
    let env = Env::new();
    two_workspaces_one_account(&env);
    let o = env.run_method(
        "linux",
        None,
        WS1,
        "second-session",
        &["--answer", "guide-second-session=false"],
    );
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(1), "{err}");
    assert!(
        err.contains("method=second-session leads back to the same question"),
        "{err}"
    );
    assert_eq!(
        err.matches("Sign in to a second account to unlock Sign out")
            .count(),
        1,
        "{err}"
    );
}

/// Answers are checked against the flow's questions before anything runs.
#[test]
fn an_unknown_answer_id_is_exit_2_with_did_you_mean() {
    let env = Env::new();
    two_workspaces_one_account(&env);
    let before = tree_hashes(&env.home(), &[]);
    let o = env.run("linux", &["run", "--answer", "gaol=remove-one", "--yes"]);
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(
        err.contains("`gaol`") && err.contains("did you mean `goal`"),
        "{err}"
    );
    assert_eq!(tree_hashes(&env.home(), &[]), before, "nothing ran");
}

/// A --report into a missing folder is refused before any change.
#[test]
fn a_report_into_a_missing_folder_is_exit_2_before_any_change() {
    let env = Env::new();
    two_workspaces_one_account(&env);
    let before = tree_hashes(&env.home(), &[]);
    let o = env.run_method(
        "linux",
        None,
        WS1,
        "clear-site",
        &["--yes", "--report", "no/such/dir/r.md"],
    );
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(err.contains("does not exist"), "{err}");
    assert_eq!(tree_hashes(&env.home(), &[]), before, "nothing changed");
    assert!(!env.state().join("backups").exists());
}

/// Output to a pipe has no escape codes even without NO_COLOR; --color always forces them.
#[test]
fn no_escape_codes_unless_asked() {
    let env = Env::new();
    let run = |color: &str| {
        assert_cmd::Command::new(BIN)
            .env_remove("NO_COLOR")
            .args(["--color", color, "--state-dir"])
            .arg(env.state())
            .arg("report")
            .output()
            .unwrap()
    };
    let o = run("auto");
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).starts_with("error: no runs recorded"),
        "{:?}",
        stderr(&o)
    );
    assert!(!stderr(&o).contains('\u{1b}'));
    assert!(stderr(&run("always")).contains('\u{1b}'));
}

/// A Windows home inspected with --root: Chromium's `lockfile` means the
/// browser runs, so the fix refuses and nothing changes.
#[test]
fn a_windows_lockfile_refuses_the_fix() {
    let env = Env::new();
    let profile = env
        .sample(Layout::Windows)
        .chromium_profile("chrome", "Default", "Person 1")
        .workspace(NOTION, WS1, "Acme Corp", USER)
        .write()
        .unwrap();
    std::fs::write(profile.parent().unwrap().join("lockfile"), b"").unwrap();
    let before = tree_hashes(&env.home(), &[]);
    let o = env.run_method("windows", None, WS1, "clear-site", &["--yes"]);
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(1), "{err}");
    assert!(err.contains("lockfile"), "{err}");
    assert_eq!(before, tree_hashes(&env.home(), &[]));
}

/// Sign Out of All did not work: clear Notion's site data in that profile
/// only, then undo it.
#[test]
fn sign_out_of_all_clears_site_data_in_one_profile_and_undo_restores_it() {
    let env = Env::new();
    let s = env.sample(Layout::Linux);
    s.chromium_profile("chrome", "Default", "Person 1")
        .workspace(NOTION, WS1, "Acme Corp", USER)
        .cookie(".notion.so", "token_v2", "SECRET-token")
        .cookie(".example.com", "keep", "me")
        .ls_key("https://example.com", "decoy", "keep me")
        .write()
        .unwrap();
    s.chromium_profile("chrome", "Profile 1", "Work")
        .workspace(NOTION, WS2, "Beta Inc", USER)
        .write()
        .unwrap();
    let before = tree_hashes(&env.home(), &["LOCK"]);
    let o = env.run(
        "linux",
        &[
            "run",
            "--answer",
            "goal=sign-out-all",
            "--answer",
            &format!("workspace={WS1}"),
            "--answer",
            "guide-sign-out-all=false",
            "--yes",
        ],
    );
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(0), "{err}");
    assert!(
        err.contains("Checked afresh: no Notion sign-in data is left in Chrome, profile Person 1"),
        "{err}"
    );
    let o = env.run("linux", &["scan", "--json"]);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let left: Vec<_> = v["sessions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["workspace_id"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(left, [WS2], "only the other profile keeps its session");
    let default = v["browsers"]
        .as_array()
        .unwrap()
        .iter()
        .find(|b| b["profile_dir"] == "Default")
        .unwrap();
    assert_eq!(default["app_cookies"].as_array().unwrap().len(), 0);
    assert_eq!(env.run("linux", &["undo"]).status.code(), Some(0));
    assert_eq!(before, tree_hashes(&env.home(), &["LOCK"]));
}

/// A fix whose verify condition fails on fresh evidence is rolled back from
/// its backup: exit 3, and the store is byte-identical to before.
#[test]
fn verify_failure_rolls_back_and_exits_3() {
    let env = Env::new();
    env.sample(Layout::Linux)
        .chromium_profile("chrome", "Default", "Person 1")
        .workspace(NOTION, WS1, "Acme Corp", USER)
        .ls_key(NOTION, "theme", "dark")
        .write()
        .unwrap();
    let shipped = std::fs::read_to_string("flows/notion-signout.json").unwrap();
    let strict = shipped.replacen(
        r#""verify": {
          "fact": "scan.signed_out_stores",
          "op": "contains",
          "value_fact": "chosen.workspace.store_id"
        },
        "on_success": "end-cleared""#,
        r#""verify": { "fact": "scan.session_count", "op": "eq", "value": 99 },
        "on_success": "end-cleared""#,
        1,
    );
    assert_ne!(
        strict, shipped,
        "the test edits the clear-site verify condition"
    );
    let flow = write(&env, "strict.json", &strict);
    let before = tree_hashes(&env.home(), &["LOCK"]);
    let o = env.run_method("linux", Some(&flow), WS1, "clear-site", &["--yes"]);
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(3), "{err}");
    assert!(err.contains("restoring the backup"), "{err}");
    assert_eq!(
        before,
        tree_hashes(&env.home(), &["LOCK"]),
        "rolled back byte for byte"
    );
    let o = env.run("linux", &["report", "--format", "json"]);
    let r: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(r["fixes"][0]["result"], "rolled-back");
    assert_eq!(r["exit_code"], 3);
}

/// A fix run with a relative `--root` and `--state-dir` works, and the undo
/// command it prints, run exactly as printed from another folder with no
/// environment set, restores the home; the record then says so, and a
/// second undo says when it was undone.
#[test]
fn the_printed_undo_command_works_as_printed_and_is_recorded() {
    let env = Env::new();
    two_workspaces_one_account(&env);
    let before = tree_hashes(&env.home(), &["LOCK"]);
    let o = assert_cmd::Command::new(BIN)
        .current_dir(env.dir.path())
        .env_remove("TROUBLESHOOT_STATE_DIR")
        .env("NO_COLOR", "1")
        .args([
            "--root",
            "home",
            "--layout",
            "linux",
            "--state-dir",
            "state",
        ])
        .args(["run", "--answer", "goal=remove-one"])
        .args(["--answer", &format!("workspace={WS1}")])
        .args(["--answer", "method=clear-site", "--yes"])
        .output()
        .unwrap();
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(0), "{err}");
    assert_ne!(
        tree_hashes(&env.home(), &["LOCK"]),
        before,
        "the fix changed nothing"
    );
    // The command on a line of its own, right under "Applied…".
    let printed = err
        .lines()
        .skip_while(|l| !(l.starts_with("✔ Applied.") && l.ends_with("To undo it:")))
        .nth(1)
        .unwrap_or_else(|| panic!("no undo command printed:\n{err}"))
        .trim()
        .to_string();
    assert!(printed.starts_with("troubleshoot undo "), "{printed}");
    assert!(
        printed.contains(&env.state().display().to_string()),
        "the state folder is named, absolute: {printed}"
    );
    let run_id = printed.split_whitespace().nth(2).unwrap().to_string();
    // A different --root than the run's is an error naming the run's.
    let other = env.dir.path().join("other");
    std::fs::create_dir_all(&other).unwrap();
    let o = assert_cmd::Command::new(BIN)
        .args(["undo", &run_id, "--root"])
        .arg(&other)
        .arg("--state-dir")
        .arg(env.state())
        .output()
        .unwrap();
    assert_ne!(o.status.code(), Some(0));
    assert!(
        stderr(&o).contains(&format!("inspected {}", env.home().display())),
        "{}",
        stderr(&o)
    );
    let bin_dir = Path::new(BIN).parent().unwrap();
    let undo = |cmd: &str| {
        std::process::Command::new("sh")
            .arg("-c")
            .arg(cmd)
            .current_dir("/")
            .env_clear()
            .env("PATH", format!("{}:/usr/bin:/bin", bin_dir.display()))
            .env("HOME", env.dir.path().join("elsewhere"))
            .output()
            .unwrap()
    };
    let o = undo(&printed);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(
        tree_hashes(&env.home(), &["LOCK"]),
        before,
        "undo restored the home"
    );

    // Nothing to undo is an answer, not a failure.
    let o = undo(&printed);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(stderr(&o).contains("already undone at"), "{}", stderr(&o));

    let o = env.run("linux", &["report", &run_id, "--format", "json"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["undo"]["mode"], "byte-identical", "{v:#}");
    assert_eq!(v["fixes"][0]["result"], "undone");
    let o = env.run("linux", &["report", &run_id, "--format", "md"]);
    assert!(stdout(&o).contains("undone at"), "{}", stdout(&o));
}

/// On macOS and Windows layouts under `--root` the cookie listing every
/// account is sealed: `scan --json` says `accounts: null` with the reason
/// (never 1), and the wizard asks `ask-accounts` instead of assuming; a
/// script that does not answer it stops with exit 2 naming it.
#[test]
fn sealed_account_count_is_null_and_the_wizard_asks() {
    use testkit::NOTION_WWW;
    use testkit::notion::{NotionLocalStorage, notion_users};
    const U2: &str = "1b4e28ba-2fa1-41d2-883f-0016d3cca427";
    for (layout, key) in [("macos", "macOS Keychain"), ("windows", "Windows DPAPI")] {
        let env = Env::new();
        let l = if layout == "macos" {
            Layout::Macos
        } else {
            Layout::Windows
        };
        env.sample(l)
            .chromium_profile("chrome", "Default", "Person 1")
            .workspace_of(NOTION_WWW, USER, WS1)
            .last_visited(NOTION_WWW, USER, WS1)
            .envelope(NOTION_WWW, "current-user-id", serde_json::json!(USER))
            // A second account used this profile: the sealed list must tell.
            .account_used(NOTION_WWW, U2)
            .cookie(".notion.so", "notion_users", &notion_users(&[USER, U2]))
            .cookie(".notion.so", "token_v2", "SECRET-sealed-cli")
            .write()
            .unwrap();
        let o = env.run(layout, &["scan", "--json"]);
        assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
        assert!(!stdout(&o).contains("SECRET"));
        let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
        let b = &v["browsers"][0];
        assert!(b["accounts"].is_null(), "{layout}: {b:#}");
        assert!(
            b["accounts_reason"].as_str().unwrap().contains(key),
            "{b:#}"
        );
        let mut ids = vec![USER, U2];
        ids.sort();
        assert_eq!(b["user_ids"], serde_json::json!(ids));
        let cands: Vec<&str> = b["account_candidates"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["user_id"].as_str().unwrap())
            .collect();
        assert_eq!(cands, vec![USER, U2], "the active one first");
        assert!(v["sessions"][0]["store_accounts"].is_null());

        // The scripted wizard needs the answer: it names the question.
        let o = env.run_method(layout, None, WS1, "clear-site", &["--dry-run"]);
        assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
        assert!(stderr(&o).contains("ask-accounts"), "{}", stderr(&o));
        // Answered: one account, so this is the only session; the plan names both keys.
        let o = env.run_method(
            layout,
            None,
            WS1,
            "clear-site",
            &["--answer", "ask-accounts=false", "--dry-run"],
        );
        let err = stderr(&o);
        assert_eq!(o.status.code(), Some(0), "{err}");
        assert!(
            err.contains(
                "Notion's sign-in data there does not say how many accounts are signed in"
            ),
            "{err}"
        );
        assert!(
            !err.contains(key),
            "no cookie names in the first explanation: {err}"
        );
        assert!(
            err.contains("seen: account a7d1b7e2 (workspace 2f8e1c0a), account 1b4e28ba"),
            "{err}"
        );
        assert!(!err.contains("SECRET"));
    }
}

/// Workspace names from the desktop app's `notion.db` are facts like any
/// other name: a report shows pseudonyms unless `--include-names`; the
/// accounts' names and e-mails (`notion_user`) label the scan's accounts
/// and never reach a default report.
#[test]
fn desktop_workspace_names_reach_reports_only_with_include_names() {
    use testkit::notion::{NotionDb, NotionState};
    const U2: &str = "1b4e28ba-2fa1-41d2-883f-0016d3cca427";
    let env = Env::new();
    let data = env
        .sample(Layout::Macos)
        .desktop_app("Notion")
        .plain_cookie(".www.notion.so", "token_v2", "SECRET-desktop")
        .plain_cookie(
            ".www.notion.so",
            "notion_users",
            &testkit::notion::notion_users_plain(&[USER, U2]),
        )
        .write()
        .unwrap();
    NotionState::new()
        .tab(USER, WS1)
        .tab(U2, WS2)
        .write(&data)
        .unwrap();
    NotionDb::new()
        .space(WS1, "Zephyr Studio")
        .space(WS2, "Quokka Labs")
        .user(USER, "Ada Lovelace", "ada@example.com")
        .write(&data)
        .unwrap();
    let o = env.run("macos", &["scan", "--json"]);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["desktop_app"]["accounts"], 2, "{:#}", v["desktop_app"]);
    // The scan names the account by its email, as the app's cache does.
    assert_eq!(
        v["desktop_app"]["account_sessions"][0]["label"],
        "ada@example.com"
    );
    assert!(!stdout(&o).contains("SECRET"));
    let o = env.run(
        "macos",
        &[
            "run",
            "--answer",
            "goal=remove-one",
            "--answer",
            "workspace=Quokka Labs",
            "--answer",
            "method=sign-out-all",
            "--answer",
            "guide-sign-out-all=true",
            // The app still holds its sign-in data (the fixture cannot
            // log out), so the run goes on to reset the sandbox's app.
            "--answer",
            "ask-linked=false",
            "--yes",
        ],
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let o = env.run("macos", &["report", "--format", "md"]);
    let md = stdout(&o);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    for personal in ["Quokka Labs", "Zephyr Studio", WS1, WS2, USER, U2] {
        assert!(
            !md.contains(personal),
            "{personal} in the redacted report:\n{md}"
        );
    }
    let o = env.run("macos", &["report", "--format", "md", "--include-names"]);
    let md = stdout(&o);
    assert!(md.contains("Quokka Labs"), "{md}");
    // Emails and people's names stay out of the default report.
    let o = env.run("macos", &["report", "--format", "md"]);
    let md = stdout(&o);
    assert!(
        !md.contains("Ada Lovelace") && !md.contains("ada@example.com"),
        "{md}"
    );
}

/// One exit-code table for every command: an unknown or malformed run id is
/// 2 for `undo` as for `report`; "nothing to undo" says so and exits 0; a
/// report path that cannot be used is 2.
#[test]
fn exit_codes_follow_one_table() {
    let env = Env::new();
    two_workspaces_one_account(&env);
    let code = |args: &[&str]| {
        let o = env.run("linux", args);
        (o.status.code(), stderr(&o))
    };
    let (c, err) = code(&["undo"]);
    assert_eq!(c, Some(0), "{err}");
    assert!(err.starts_with("Nothing to undo"), "{err}");
    assert!(!err.contains("error:"), "{err}");
    for id in ["20200101-000000-dead", "not an id"] {
        let (c, err) = code(&["undo", id]);
        assert_eq!(c, Some(2), "undo {id}: {err}");
        let (c, err) = code(&["report", id]);
        assert_eq!(c, Some(2), "report {id}: {err}");
    }
    // A run that changed nothing has nothing to undo.
    let o = env.run(
        "linux",
        &[
            "run",
            "--answer",
            &format!("workspace={WS1}"),
            "--answer",
            "method=log-out",
            "--yes",
            "--dry-run",
        ],
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let id = std::fs::read_dir(env.state().join("runs"))
        .unwrap()
        .flatten()
        .map(|e| e.path().file_stem().unwrap().to_string_lossy().into_owned())
        .next()
        .unwrap();
    let (c, err) = code(&["undo", &id]);
    assert_eq!(c, Some(0), "{err}");
    assert!(err.contains("Nothing to undo"), "{err}");
    let folder = env.dir.path().join("a-folder");
    std::fs::create_dir_all(&folder).unwrap();
    let missing = env.dir.path().join("missing/r.md");
    for out in [
        format!("{}/", folder.display()),
        missing.display().to_string(),
    ] {
        let (c, err) = code(&["report", &id, "-o", &out]);
        assert_eq!(c, Some(2), "report -o {out}: {err}");
    }
}

/// Completions are dynamic: the registration script calls the binary back
/// (`COMPLETE=<shell>`), which offers the built-in flow ids after `run`,
/// this state folder's run ids after `undo` and `report`, and question ids
/// with their answers after `--answer`.
#[test]
fn completions_offer_flow_ids_run_ids_and_answers() {
    let env = Env::new();
    two_workspaces_one_account(&env);
    let script = stdout(&env.run("linux", &["completions", "bash"]));
    assert!(script.contains("COMPLETE=\"bash\""), "{script}");
    let o = env.run(
        "linux",
        &[
            "run",
            "--answer",
            &format!("workspace={WS1}"),
            "--answer",
            "method=log-out",
            "--yes",
            "--dry-run",
        ],
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let run_id = std::fs::read_dir(env.state().join("runs"))
        .unwrap()
        .flatten()
        .map(|e| e.path().file_stem().unwrap().to_string_lossy().into_owned())
        .next()
        .unwrap();
    let complete = |words: &[&str]| {
        let o = std::process::Command::new(BIN)
            .env("COMPLETE", "fish")
            .env("TROUBLESHOOT_STATE_DIR", env.state())
            .arg("--")
            .arg("troubleshoot")
            .args(words)
            .output()
            .unwrap();
        assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
        stdout(&o)
    };
    let flows = complete(&["run", ""]);
    assert!(
        flows.lines().any(|l| l.starts_with("notion-signout\t")),
        "{flows}"
    );
    assert!(flows.contains("notion-desktop-relogin"), "{flows}");
    for verb in ["undo", "report"] {
        let runs = complete(&[verb, ""]);
        assert!(
            runs.lines()
                .any(|l| l.starts_with(&format!("{run_id}\t"))
                    && l.contains("dry run: nothing changed")),
            "{verb}: {runs}"
        );
    }
    let answers = complete(&["run", "--answer", "go"]);
    assert!(
        answers
            .lines()
            .any(|l| l.starts_with("goal=sign-out-all\t")),
        "{answers}"
    );
    assert!(!answers.contains("method="), "{answers}");
}

/// Hints where a command line is nearly right: a subcommand's flag given
/// before it; a home that looks like another OS layout; `flows check` with
/// no argument (every built-in flow) or a glob that brings tests and schema
/// files (skipped, not reported broken).
#[test]
fn hints_for_nearly_right_command_lines() {
    let o = assert_cmd::Command::new(BIN)
        .arg("--dry-run")
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains(
            "hint: `--dry-run` is an option of `troubleshoot run`: try `troubleshoot run --dry-run`"
        ),
        "{}",
        stderr(&o)
    );

    let env = Env::new();
    env.sample(Layout::Macos)
        .chromium_profile("chrome", "Default", "Person 1")
        .workspace(NOTION, WS1, "Acme Corp", USER)
        .write()
        .unwrap();
    let o = env.run("linux", &["scan"]);
    let (out, err) = (stdout(&o), stderr(&o));
    assert!(
        out.starts_with(&format!(
            "0 Notion workspace session(s) of signed-in accounts found in {} (linux layout)",
            env.home().display()
        )),
        "the home named, not `~`: {out}"
    );
    assert!(
        err.contains("hint: this home looks like a macos home; try --layout macos"),
        "{err}"
    );
    let o = env.run("macos", &["scan"]);
    assert!(
        stdout(&o).starts_with("1 Notion workspace session(s) of signed-in accounts found in"),
        "{}",
        stdout(&o)
    );
    assert!(!stderr(&o).contains("looks like"), "{}", stderr(&o));

    let o = assert_cmd::Command::new(BIN)
        .args(["flows", "check"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(stderr(&o).contains("notion-signout: ok"), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("notion-desktop-relogin: ok"),
        "{}",
        stderr(&o)
    );
    let flows = Path::new(env!("CARGO_MANIFEST_DIR")).join("flows");
    let mut files: Vec<String> = std::fs::read_dir(&flows)
        .unwrap()
        .flatten()
        .map(|e| e.path().display().to_string())
        .filter(|p| p.ends_with(".json"))
        .collect();
    files.sort();
    let o = assert_cmd::Command::new(BIN)
        .args(["flows", "check"])
        .args(&files)
        .output()
        .unwrap();
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(0), "{err}");
    assert!(err.contains("notion-signout.tests.json: skipped"), "{err}");
    assert!(err.contains("schema.json: skipped"), "{err}");
    assert!(err.contains("shared.json: skipped"), "{err}");
    assert!(err.contains("slack-signout.demo.json: skipped"), "{err}");
    assert!(!err.contains("error:"), "{err}");
}
