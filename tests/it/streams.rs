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
    assert_eq!(ids, ["notion-signout", "notion-desktop-relogin"]);
    assert_eq!(
        v["flows"][0]["support"]["url"],
        "https://www.notion.so/help"
    );
    let o = env.run("linux", &["flows", "list"]);
    assert!(stdout(&o).contains("notion-signout"), "{}", stdout(&o));
}
