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
    assert_eq!(hits, ["    ● Acme Corp"], "{out}");
    assert!(
        out.contains("Chrome, profile Person 2: signed in, 1 account\n  account user-2"),
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
    let o = env.run_method("linux", None, "ws-acme", "clear-site", &["--yes"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));

    let o = env.run("linux", &["undo", "--list"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(stdout(&o).contains("clear-site-data"), "{}", stdout(&o));

    let o = env.run("linux", &["undo", "--list", "--json"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let v: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["schema"], 1);
    let fixes = v["fixes"].as_array().unwrap();
    assert_eq!(fixes.len(), 1, "{v:#}");
    assert_eq!(fixes[0]["action"], "clear-site-data");
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
    let o = env.run_method("linux", None, "ws-acme", "clear-site", &["--dry-run"]);
    assert!(
        stderr(&o).contains("Looking for Notion's sign-in data"),
        "{}",
        stderr(&o)
    );
    let o = env.run_method("linux", None, "ws-acme", "clear-site", &["--dry-run", "-q"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let err = stderr(&o);
    assert!(!err.contains("Looking for Notion's sign-in data"), "{err}");
    assert!(err.contains("Fix: Remove Notion's sign-in data"), "{err}");
    let o = env.run("linux", &["-q", "-v", "scan"]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
}

/// The readable scan of issue 23's four stores, in every layout: per
/// store its sign-in state and accounts first (the active one marked),
/// each account's workspaces under it, the signed-out profile's old
/// account as "used before"; no blank line, no id printed as a name; `-v`
/// shows the evidence of each conclusion.
#[test]
fn the_readable_scan_shows_accounts_first() {
    use testkit::notion::ids::*;
    for (layout, name) in [
        (Layout::Linux, "linux"),
        (Layout::Macos, "macos"),
        (Layout::Windows, "windows"),
    ] {
        let env = Env::new();
        testkit::notion::sample_machine(&env.sample(layout)).unwrap();
        let o = env.run(name, &["scan"]);
        assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
        let out = stdout(&o);
        let work = if layout == Layout::Linux {
            "Chrome, profile Work: signed in, 2 accounts
  Ben Example (active)
    ● Side Gig
  ada@example.com
    ● Acme Corp
"
        } else {
            "Chrome, profile Work: signed in, number of accounts unknown
  why: the number of accounts is unknown: the notion_users cookie, which lists every signed-in account, is"
        };
        assert!(out.contains(work), "{layout:?}\n{out}");
        for want in [
            "Chrome, profile Person 1: signed in, 1 account
  account c0c0c0c0 (active)
    ● workspace 4040404041
    ● workspace 4040404042
    ● workspace 4040404043
",
            "Chrome, profile Old: signed out
  used before, not signed in: account d0d0d0d0
",
            "Notion desktop app: signed in, 2 accounts
  ada@example.com (active)
    ● Acme Corp
    ● Acme Labs
  Ben Example
    ● Side Gig
",
        ] {
            assert!(out.contains(want), "{layout:?}: {want}\n{out}");
        }
        assert!(!out.contains("\n\n"), "no blank line: {out}");
        for id in [ACCOUNT_A, ACCOUNT_B, ACCOUNT_C, ACME_CORP, SIDE_GIG, C_ONE] {
            assert!(!out.contains(id), "{id} printed: {out}");
        }
        let v = stdout(&env.run(name, &["scan", "-v"]));
        assert!(
            v.contains("Notion desktop app: signed in, 2 accounts\n  evidence: 2 accounts, from notion_user_id cookie, notion_users cookie"),
            "{v}"
        );
        assert!(v.contains("    ● Acme Labs\n      from: "), "{v}");
        assert!(v.contains("state.json closed tabs"), "{v}");
    }
}
