//! stdout is data, stderr is talk (issue 19): the readable scan, `undo
//! --list` and `flows list` are the product and go to stdout, so a pipe
//! finds them; each list also comes as JSON.

use serde_json::Value;
use troubleshoot::probe::Layout;

use crate::util::*;

fn two_stores(env: &Env) {
    let s = env.sample(Layout::Linux);
    s.chromium_profile("chrome", "Default", "Person 1")
        .workspace(NOTION, "ws-acme", "Acme Corp", "user-1")
        .write()
        .unwrap();
    s.chromium_profile("chrome", "Profile 1", "Person 2")
        .workspace(NOTION, "ws-side", "Side Project", "user-2")
        .write()
        .unwrap();
}

#[test]
fn the_readable_scan_is_on_stdout_so_grep_finds_a_workspace() {
    let env = Env::new();
    two_stores(&env);
    let o = env.run("linux", &["scan"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let out = stdout(&o);
    let hits: Vec<&str> = out.lines().filter(|l| l.contains("Acme Corp")).collect();
    assert_eq!(hits, ["  ● Acme Corp (ws-acme)"], "{out}");
    assert!(
        out.contains("Chrome, profile Person 2: 1 session(s)"),
        "{out}"
    );
    assert!(
        !stderr(&o).contains("Acme"),
        "talk only on stderr: {}",
        stderr(&o)
    );
}

#[test]
fn undo_list_and_flows_list_are_data_and_come_as_json() {
    let env = Env::new();
    two_stores(&env);
    let o = env.run_method("linux", None, "ws-acme", "remove-entry", &["--yes"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));

    let o = env.run("linux", &["undo", "--list"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(
        stdout(&o).contains("remove-workspace-entry"),
        "{}",
        stdout(&o)
    );

    let o = env.run("linux", &["undo", "--list", "--json"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let v: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["schema"], 1);
    let fixes = v["fixes"].as_array().unwrap();
    assert_eq!(fixes.len(), 1, "{v:#}");
    assert_eq!(fixes[0]["action"], "remove-workspace-entry");
    assert_eq!(fixes[0]["status"], "applied");
    assert!(stdout(&o).starts_with("{\n  \"schema\": 1,"));

    // --json is a way of listing.
    let o = env.run("linux", &["undo", "--json"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("--list"), "{}", stderr(&o));

    let o = env.run("linux", &["flows", "list", "--json"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let v: Value = serde_json::from_slice(&o.stdout).unwrap();
    let ids: Vec<&str> = v["flows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["id"].as_str().unwrap())
        .collect();
    assert_eq!(
        ids,
        ["notion-signout", "notion-desktop-relogin", "slack-signout"]
    );
    assert_eq!(
        v["flows"][0]["support"]["url"],
        "https://www.notion.so/help"
    );
    let o = env.run("linux", &["flows", "list"]);
    assert!(stdout(&o).contains("notion-signout"), "{}", stdout(&o));
}

/// `scan -v` on an empty home lists every browser folder it tried, each
/// marked as not there.
#[test]
fn scan_verbose_on_an_empty_home_lists_the_folders_it_tried() {
    let env = Env::new();
    std::fs::create_dir_all(env.home()).unwrap();
    let o = env.run("linux", &["scan"]);
    assert!(stderr(&o).contains("scan -v"), "{}", stderr(&o));
    let o = env.run("linux", &["scan", "-v"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let out = stdout(&o);
    for folder in [
        "· ~/.config/google-chrome: not there",
        "· ~/.config/chromium: not there",
        "· ~/.config/microsoft-edge: not there",
        "· ~/.config/BraveSoftware/Brave-Browser: not there",
        "· ~/.config/vivaldi: not there",
        "· ~/.mozilla/firefox: not there",
        "· ~/.config/Notion: not there",
    ] {
        assert!(out.contains(folder), "no `{folder}` in\n{out}");
    }
    // The same on a Windows layout, in its folders.
    let o = env.run("windows", &["scan", "--verbose"]);
    assert!(
        stdout(&o).contains("· ~/AppData/Local/Google/Chrome/User Data: not there"),
        "{}",
        stdout(&o)
    );
}

/// Each profile is a line of the checklist: found and read, found without
/// the app's data, unreadable with the reason, or a folder the browser does
/// not list.
#[test]
fn scan_verbose_marks_each_profile_and_store() {
    let env = Env::new();
    let s = env.sample(Layout::Linux);
    s.chromium_profile("chrome", "Default", "Person 1")
        .workspace(NOTION, "ws-acme", "Acme Corp", "user-1")
        .write()
        .unwrap();
    s.chromium_profile("chrome", "Profile 1", "Person 2")
        .workspace(NOTION, "ws-side", "Side", "user-2")
        .write()
        .unwrap();
    // Person 2's cookie database is not a database.
    let cookies = env.home().join(".config/google-chrome/Profile 1/Cookies");
    std::fs::write(&cookies, b"not sqlite at all, not at all").unwrap();
    // A folder shaped like a profile that Local State does not list.
    std::fs::create_dir_all(env.home().join(".config/google-chrome/Profile 9")).unwrap();
    let o = env.run("linux", &["scan", "-v"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let out = stdout(&o);
    let line = |start: &str| {
        out.lines()
            .find(|l| l.trim_start().starts_with(start))
            .unwrap_or_else(|| panic!("no line starting `{start}` in\n{out}"))
            .to_string()
    };
    assert!(
        line("✓ ~/.config/google-chrome:").contains("2 profile(s)"),
        "{out}"
    );
    assert!(
        line("✓ profile Person 1 (Default)").contains("1 session(s)"),
        "{out}"
    );
    assert!(
        line("✗ profile Person 2 (Profile 1)").contains("account"),
        "{out}"
    );
    assert!(
        line("✗ Cookies: ~/.config/google-chrome/Profile 1/Cookies").contains("unreadable"),
        "{out}"
    );
    assert!(
        line("! ~/.config/google-chrome/Profile 9").contains("skipped"),
        "{out}"
    );
    assert!(
        line("✓ Local Storage: ~/.config/google-chrome/Default/Local Storage/leveldb")
            .contains("(read)"),
        "{out}"
    );
}

/// `-q` drops the progress lines and keeps what matters; `-q -v` is a
/// usage error.
#[test]
fn quiet_drops_progress_and_conflicts_with_verbose() {
    let env = Env::new();
    two_stores(&env);
    let o = env.run_method("linux", None, "ws-acme", "remove-entry", &["--dry-run"]);
    assert!(
        stderr(&o).contains("Looking for Notion sessions"),
        "{}",
        stderr(&o)
    );
    let o = env.run_method(
        "linux",
        None,
        "ws-acme",
        "remove-entry",
        &["--dry-run", "-q"],
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let err = stderr(&o);
    assert!(!err.contains("Looking for Notion sessions"), "{err}");
    assert!(err.contains("Fix: Remove the local session entry"), "{err}");
    let o = env.run("linux", &["-q", "-v", "scan"]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
}
