//! The second app, as data only: Slack's stores in the real shape (the
//! desktop app with three signed-in workspaces and one signed out long
//! ago, a Chrome profile with two, one shared with the desktop), scanned
//! with the built-in `slack-signout` flow in every layout, and signed out
//! in one store, checked with C++ LevelDB and sqlite3, then undone.

use std::path::Path;
use std::process::Command;

use serde_json::Value;
use testkit::slack::{self, D_COOKIE, Team};
use troubleshoot::probe::Layout;

use crate::util::{Env, stderr, stdout};

const ACME: Team = Team {
    id: "T0000ACME",
    name: "Acme Corp",
    user: "U00000A1",
};
const BETA: Team = Team {
    id: "T0000BETA",
    name: "Beta Labs",
    user: "U00000B1",
};
const GAMMA: Team = Team {
    id: "T000GAMMA",
    name: "Gamma Club",
    user: "U00000G1",
};
const OLD: Team = Team {
    id: "T00000OLD",
    name: "Old Days",
    user: "U00000O1",
};
const DELTA: Team = Team {
    id: "T000DELTA",
    name: "Delta Works",
    user: "U00000D1",
};

const LAYOUTS: [(Layout, &str); 3] = [
    (Layout::Linux, "linux"),
    (Layout::Macos, "macos"),
    (Layout::Windows, "windows"),
];

/// The acceptance home: desktop with Acme, Beta, Gamma signed in and Old
/// signed out long ago; Chrome profile "Work" with Beta and Delta.
fn slack_home(env: &Env, layout: Layout) {
    let home = env.sample(layout);
    slack::desktop(&home, &[ACME, BETA, GAMMA], &[OLD], BETA.id).unwrap();
    slack::browser_profile(
        &home,
        "chrome",
        "Profile 1",
        "Work",
        &[BETA, DELTA],
        DELTA.id,
    )
    .unwrap();
}

fn scan(env: &Env, layout: &str) -> Value {
    let o = env.run(layout, &["scan", "--flow", "slack-signout", "--json"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let text = stdout(&o);
    for secret in [D_COOKIE, "xoxc-", "xoxd-", "madeup-b", "madeup-x"] {
        assert!(!text.contains(secret), "{secret} printed: {text}");
    }
    let v: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(v["flow"], "slack-signout");
    v["probes"][0]["facts"].clone()
}

/// (store, team id, name, user) of every session a scan lists, sorted.
fn sessions(facts: &Value) -> Vec<(String, String, String, String)> {
    let mut out: Vec<_> = facts["sessions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            let f = |k: &str| s[k].as_str().unwrap_or_default().to_string();
            (
                f("store_id"),
                f("workspace_id"),
                f("workspace_name"),
                f("user_id"),
            )
        })
        .collect();
    out.sort();
    out
}

fn expected(store: &str, teams: &[Team]) -> Vec<(String, String, String, String)> {
    teams
        .iter()
        .map(|t| (store.into(), t.id.into(), t.name.into(), t.user.into()))
        .collect()
}

#[test]
fn scan_lists_exactly_the_signed_in_workspaces_of_each_store_in_every_layout() {
    for (layout, name) in LAYOUTS {
        let env = Env::new();
        slack_home(&env, layout);
        let facts = scan(&env, name);
        let mut want = expected("chrome/Profile 1", &[BETA, DELTA]);
        want.extend(expected("desktop", &[ACME, BETA, GAMMA]));
        want.sort();
        assert_eq!(sessions(&facts), want, "{name}: {facts:#}");
        assert_eq!(facts["session_count"], 5, "{name}");
        let text = facts.to_string();
        assert!(
            !text.contains(OLD.name) || text.contains("listed"),
            "{name}"
        );
        for s in facts["sessions"].as_array().unwrap() {
            assert_ne!(s["workspace_id"], OLD.id, "{name}: signed-out team listed");
            let active = s["workspace_id"]
                == if s["store_id"] == "desktop" {
                    BETA.id
                } else {
                    DELTA.id
                };
            assert_eq!(s["active"], active, "{name}: {s:#}");
        }
        assert_eq!(facts["store_count"], 2, "{name}");
        let desktop = facts["stores"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["store_id"] == "desktop")
            .unwrap();
        assert_eq!(desktop["listed"], serde_json::json!([OLD.name]), "{name}");
        assert_eq!(desktop["tokens"], 3, "{name}");
        assert_eq!(
            desktop["credential_cookies"],
            serde_json::json!(["d"]),
            "{name}"
        );
        assert_eq!(facts["desktop_app"]["installed"], true, "{name}");
    }
}

/// A token without the `d` cookie, or the cookie without a token, is no
/// sign-in; the store still shows what it holds.
#[test]
fn a_token_without_the_cookie_is_not_signed_in() {
    let env = Env::new();
    let home = env.sample(Layout::Linux);
    home.desktop_app("Slack")
        .partition("")
        .ls_key(
            slack::ORIGIN,
            slack::CONFIG_KEY,
            &slack::local_config(&[ACME], &[], ACME.id),
        )
        .cookie(slack::COOKIE_HOST, "b", "madeup-b")
        .write()
        .unwrap();
    home.chromium_profile("chrome", "Default", "Person 1")
        .cookie(slack::COOKIE_HOST, "d", D_COOKIE)
        .write()
        .unwrap();
    let facts = scan(&env, "linux");
    assert_eq!(facts["session_count"], 0, "{facts:#}");
    assert_eq!(facts["store_count"], 2, "{facts:#}");
}

/// Every `localConfig_v2` token and `d` cookie left in one store, read by
/// C++ LevelDB (plyvel) and sqlite3, not by our readers.
fn credentials_left(data: &Path, cookies: &Path) -> (usize, usize) {
    let script = r#"
import json, shutil, sqlite3, sys, tempfile, os
import plyvel
ls, cookies = sys.argv[1], sys.argv[2]
tokens = 0
if os.path.isdir(ls):
    tmp = tempfile.mkdtemp()
    shutil.copytree(ls, tmp + "/db")
    db = plyvel.DB(tmp + "/db")
    for k, v in db:
        if k.endswith(b"\x00\x01localConfig_v2"):
            text = v[1:].decode("latin-1") if v[:1] == b"\x01" else v[1:].decode("utf-16-le")
            teams = json.loads(text).get("teams", {})
            tokens += sum(1 for t in teams.values() if t.get("token"))
    db.close()
d = 0
if os.path.exists(cookies):
    c = sqlite3.connect(cookies)
    d = c.execute("select count(*) from cookies where name = 'd' and host_key like '%slack.com'").fetchone()[0]
print(tokens, d)
"#;
    let o = Command::new("/usr/bin/python3")
        .args(["-c", script])
        .arg(data.join("Local Storage/leveldb"))
        .arg(cookies)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let out = String::from_utf8_lossy(&o.stdout);
    let mut it = out.split_whitespace().map(|n| n.parse::<usize>().unwrap());
    (it.next().unwrap(), it.next().unwrap())
}

fn have_plyvel() -> bool {
    let ok = Command::new("/usr/bin/python3")
        .args(["-c", "import plyvel"])
        .status()
        .is_ok_and(|s| s.success());
    assert!(
        ok || std::env::var_os("CI").is_none(),
        "python3-plyvel missing under CI"
    );
    ok
}

#[test]
fn signing_out_of_one_store_leaves_no_token_and_no_d_cookie_and_undo_restores_it() {
    if !have_plyvel() {
        return;
    }
    for (layout, name) in LAYOUTS {
        let env = Env::new();
        slack_home(&env, layout);
        let home = env.probe_home(layout);
        let data = home.roaming_app_data().join("Slack");
        let chrome = env
            .sample(layout)
            .chromium_profile("chrome", "Profile 1", "Work");
        let profile = chrome.user_data_dir().unwrap().join("Profile 1");
        let chrome_cookies = if layout == Layout::Windows {
            profile.join("Network/Cookies")
        } else {
            profile.join("Cookies")
        };
        assert_eq!(
            credentials_left(&data, &data.join("Cookies")),
            (3, 1),
            "{name}"
        );
        let before = crate::util::tree_hashes(&data, &[]);
        let o = env.run(
            name,
            &[
                "run",
                "slack-signout",
                "--answer",
                "goal=store",
                "--answer",
                "store=desktop",
                "--answer",
                "method=local",
                "--yes",
            ],
        );
        assert_eq!(
            o.status.code(),
            Some(0),
            "{name}: {}{}",
            stdout(&o),
            stderr(&o)
        );
        assert_eq!(
            credentials_left(&data, &data.join("Cookies")),
            (0, 0),
            "{name}"
        );
        // The other store, and other sites in this one, are untouched.
        assert_eq!(
            credentials_left(&profile, &chrome_cookies),
            (2, 1),
            "{name}"
        );
        let facts = scan(&env, name);
        assert_eq!(
            sessions(&facts),
            expected("chrome/Profile 1", &[BETA, DELTA]),
            "{name}"
        );
        let o = env.run(name, &["undo"]);
        assert_eq!(
            o.status.code(),
            Some(0),
            "{name}: {}{}",
            stdout(&o),
            stderr(&o)
        );
        assert_eq!(
            credentials_left(&data, &data.join("Cookies")),
            (3, 1),
            "{name}"
        );
        assert_eq!(scan(&env, name)["session_count"], 5, "{name}");
        assert_eq!(
            crate::util::tree_hashes(&data, &[]),
            before,
            "{name}: not byte-identical"
        );
    }
}

/// Resetting the desktop app moves its folder aside (the store is gone,
/// verified), and undo moves it back; the browser's sign-in stays.
#[test]
fn resetting_the_desktop_app_is_verified_and_undone() {
    let env = Env::new();
    slack_home(&env, Layout::Linux);
    let data = env
        .probe_home(Layout::Linux)
        .roaming_app_data()
        .join("Slack");
    let before = crate::util::tree_hashes(&data, &[]);
    let o = env.run(
        "linux",
        &[
            "run",
            "slack-signout",
            "--answer",
            "goal=store",
            "--answer",
            "store=desktop",
            "--answer",
            "method=reset",
            "--yes",
        ],
    );
    assert_eq!(o.status.code(), Some(0), "{}{}", stdout(&o), stderr(&o));
    assert!(!data.exists(), "the data folder was not moved aside");
    assert_eq!(
        sessions(&scan(&env, "linux")),
        expected("chrome/Profile 1", &[BETA, DELTA])
    );
    let o = env.run("linux", &["undo"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(crate::util::tree_hashes(&data, &[]), before);
}

/// Snap and Flatpak installs keep their own data folder: each is a store.
#[test]
fn other_installs_are_stores_of_their_own() {
    let env = Env::new();
    let home = env.sample(Layout::Linux);
    let snap = env.home().join("snap/slack/current/.config/Slack");
    home.desktop_app("Slack")
        .partition("")
        .ls_key(
            slack::ORIGIN,
            slack::CONFIG_KEY,
            &slack::local_config(&[GAMMA], &[], GAMMA.id),
        )
        .cookie(slack::COOKIE_HOST, "d", D_COOKIE)
        .write()
        .unwrap();
    // The same store shape, moved where the Snap keeps it.
    std::fs::create_dir_all(snap.parent().unwrap()).unwrap();
    std::fs::rename(
        env.probe_home(Layout::Linux)
            .roaming_app_data()
            .join("Slack"),
        &snap,
    )
    .unwrap();
    let facts = scan(&env, "linux");
    assert_eq!(
        sessions(&facts),
        expected("desktop@snap", &[GAMMA]),
        "{facts:#}"
    );
}

/// A sign-in list that is not JSON is a warning naming the store, never
/// its content, and the other stores are still read.
#[test]
fn a_damaged_sign_in_list_is_a_warning_and_the_scan_goes_on() {
    let env = Env::new();
    let home = env.sample(Layout::Linux);
    home.desktop_app("Slack")
        .partition("")
        .ls_key(
            slack::ORIGIN,
            slack::CONFIG_KEY,
            "{\"teams\": xoxc-madeup-secret",
        )
        .cookie(slack::COOKIE_HOST, "d", D_COOKIE)
        .write()
        .unwrap();
    slack::browser_profile(&home, "chrome", "Default", "Person 1", &[ACME], ACME.id).unwrap();
    let facts = scan(&env, "linux");
    assert_eq!(
        sessions(&facts),
        expected("chrome/Default", &[ACME]),
        "{facts:#}"
    );
    let warnings = facts["warnings"].to_string();
    assert!(
        warnings.contains("localConfig_v2") && warnings.contains("not JSON"),
        "{warnings}"
    );
}

/// Wrong store descriptions are refused by `flows check`, naming the field.
#[test]
fn bad_store_descriptions_are_refused_naming_the_field() {
    let env = Env::new();
    let shared: Value = serde_json::from_str(include_str!("../../flows/shared.json")).unwrap();
    let flow: Value = serde_json::from_str(include_str!("../../flows/slack-signout.json")).unwrap();
    type Break = fn(&mut Value);
    let cases: [(&str, Break); 4] = [
        ("desktop.folder", |p| {
            p["desktop"]["folder"] = "../Slack".into()
        }),
        ("desktop.other_folders.linux", |p| {
            p["desktop"]["other_folders"]["linux"] = serde_json::json!(["/etc"])
        }),
        ("credential_cookies", |p| {
            p["credential_cookies"] = serde_json::json!([])
        }),
        ("sessions_key", |p| p["sessions_key"]["tokn"] = "x".into()),
    ];
    for (field, break_it) in cases {
        let mut params = shared["slack"].clone();
        break_it(&mut params);
        let mut f = flow.clone();
        let check = f["steps"][0]["check"].as_object_mut().unwrap();
        check.remove("params_from");
        check.insert("params".into(), params);
        let path = env.dir.path().join("bad.json");
        std::fs::write(&path, f.to_string()).unwrap();
        let o = env.run("linux", &["flows", "check", path.to_str().unwrap()]);
        assert_eq!(o.status.code(), Some(2), "{field}: {}", stderr(&o));
        assert!(stderr(&o).contains(field), "{field}: {}", stderr(&o));
    }
}

/// `demo --flow slack-signout` builds Slack's sandbox, signs out of the
/// desktop app and undoes it.
#[test]
fn the_demo_runs_the_slack_flow() {
    let o = Command::new(crate::util::BIN)
        .env("NO_COLOR", "1")
        .env_remove("TROUBLESHOOT_STATE_DIR")
        .args(["demo", "--flow", "slack-signout", "--yes"])
        .output()
        .unwrap();
    let out = format!("{}{}", stdout(&o), stderr(&o));
    assert_eq!(o.status.code(), Some(0), "{out}");
    for want in [
        "Slack desktop app: 2 signed-in sessions",
        "delete cookie d on .slack.com",
        "no workspace token and no d cookie are left there",
        "restored byte-identical",
    ] {
        assert!(out.contains(want), "{want}: {out}");
    }
    assert!(!out.contains("xoxc-") && !out.contains("xoxd-"), "{out}");
}

/// Slack's web app in Firefox: the same sign-in list in LSNG, the `d`
/// cookie in `cookies.sqlite`; signing out there removes both (checked
/// with sqlite3) and undo restores them.
#[test]
fn firefox_profiles_are_scanned_and_signed_out_too() {
    let env = Env::new();
    let home = env.sample(Layout::Linux);
    let mut ff = home
        .firefox_profile("abcd1234.default-release", "default-release")
        .ls_key(
            slack::ORIGIN,
            slack::CONFIG_KEY,
            &slack::local_config(&[ACME, BETA], &[OLD], ACME.id),
        )
        .ls_key(slack::ORIGIN, "activitySession_T0000ACME", "{}");
    for (name, value) in slack::cookies() {
        ff = ff.cookie(slack::COOKIE_HOST, name, value);
    }
    let profile = ff.write().unwrap();
    let store = "firefox/abcd1234.default-release";
    assert_eq!(
        sessions(&scan(&env, "linux")),
        expected(store, &[ACME, BETA])
    );
    let left = || {
        let o = Command::new("/usr/bin/python3")
            .args([
                "-c",
                "import sqlite3,sys,glob\n\
                 ls=sum(sqlite3.connect(p).execute(\"select count(*) from data where key='localConfig_v2'\").fetchone()[0] for p in glob.glob(sys.argv[1]+'/storage/default/*/ls/data.sqlite'))\n\
                 d=sqlite3.connect(sys.argv[1]+'/cookies.sqlite').execute(\"select count(*) from moz_cookies where name='d' and host like '%slack.com'\").fetchone()[0]\n\
                 print(ls, d)",
            ])
            .arg(&profile)
            .output()
            .unwrap();
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        String::from_utf8_lossy(&o.stdout).trim().to_string()
    };
    assert_eq!(left(), "1 1");
    let answer = format!("store={store}");
    let o = env.run(
        "linux",
        &[
            "run",
            "slack-signout",
            "--answer",
            "goal=store",
            "--answer",
            &answer,
            "--answer",
            "method=local",
            "--yes",
        ],
    );
    assert_eq!(o.status.code(), Some(0), "{}{}", stdout(&o), stderr(&o));
    assert_eq!(left(), "0 0");
    let o = env.run("linux", &["undo"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(left(), "1 1");
    assert_eq!(
        sessions(&scan(&env, "linux")),
        expected(store, &[ACME, BETA])
    );
}
