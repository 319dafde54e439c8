//! Every way the notion-signout flow signs out, run through the CLI on
//! stores in the real shape (the key families and cookies real Notion
//! writes, made-up ids), and each ending checked against the store read
//! independently: sqlite3 through `/usr/bin/python3` for cookies, C++
//! LevelDB (python3-plyvel) for Local Storage. A run that ends resolved
//! leaves the target account with no sign-in credential there; a run that
//! cannot achieve that ends unresolved or asks, and says why.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use expectrl::ControlCode;

use crate::pty::Pty;
use crate::util::{Env, stderr};
use testkit::NOTION_WWW;
use testkit::notion::{NotionLocalStorage, Seal, notion_users, seal_cookie};
use troubleshoot::probe::Layout;

const PY: &str = "/usr/bin/python3";
const IDENTITY: &str = "https://identity.notion.so";
const DECOY: &str = "https://example.com";
const ADA: &str = "3f2a1c4e-5b6d-4e7f-8a9b-0c1d2e3fa0a1";
const BOB: &str = "7b8c9d0e-1f2a-4b3c-9d4e-5f6a7b8cb0b2";
const ACME: &str = "9e8d7c6b-5a49-4382-a716-05f4e3d2ac01";
const LABS: &str = "1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b1a62";
const GIG: &str = "c0ffee00-1234-4abc-8def-0123456789a1";

/// `python3 -c SCRIPT ARGS...`: its stdout, asserting it succeeded.
fn py(script: &str, args: &[&str]) -> String {
    let o = Command::new(PY)
        .arg("-c")
        .arg(script)
        .args(args)
        .output()
        .unwrap();
    assert!(
        o.status.success(),
        "python: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// `(host, name)` of every cookie in a Chromium (`cookies`) or Firefox
/// (`moz_cookies`) database, read by system SQLite, never by the tool.
fn cookies(db: &Path) -> Vec<(String, String)> {
    let out = py(
        "import sqlite3, sys, json\n\
         c = sqlite3.connect('file:' + sys.argv[1] + '?immutable=1', uri=True)\n\
         t = [r[0] for r in c.execute(\"select name from sqlite_master where type='table'\")]\n\
         q = 'select host, name from moz_cookies' if 'moz_cookies' in t else 'select host_key, name from cookies'\n\
         print(json.dumps(sorted(c.execute(q).fetchall())))",
        &[&db.to_string_lossy()],
    );
    serde_json::from_str::<Vec<(String, String)>>(&out).unwrap()
}

/// The value of cookie `name` in an Electron Cookies database (plain
/// `value`, as the desktop app writes it); read by system SQLite.
fn plain_cookie(db: &Path, name: &str) -> Option<String> {
    let out = py(
        "import sqlite3, sys, json\n\
         c = sqlite3.connect('file:' + sys.argv[1] + '?immutable=1', uri=True)\n\
         r = c.execute('select value from cookies where name = ?', (sys.argv[2],)).fetchone()\n\
         print(json.dumps(r[0] if r else None))",
        &[&db.to_string_lossy(), name],
    );
    serde_json::from_str(&out).unwrap()
}

fn on_notion(host: &str) -> bool {
    let h = host.trim_start_matches('.');
    h == "notion.so" || h.ends_with(".notion.so")
}

fn sign_in_cookies(db: &Path) -> Vec<String> {
    cookies(db)
        .into_iter()
        .filter(|(h, n)| on_notion(h) && n == "token_v2")
        .map(|(_, n)| n)
        .collect()
}

fn have_plyvel() -> bool {
    let ok = Command::new(PY)
        .args(["-c", "import plyvel"])
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if !ok {
        assert!(
            std::env::var_os("CI").is_none(),
            "python3-plyvel is missing under CI: .ci/install-browsers.sh installs it"
        );
        eprintln!("skipping the LevelDB check: python3-plyvel not installed");
    }
    ok
}

/// The origins a Local Storage LevelDB holds data or bookkeeping for, read
/// by C++ LevelDB on a copy (opening a LevelDB may write to it).
fn ldb_origins(dir: &Path) -> Vec<String> {
    let tmp = tempfile::tempdir().unwrap();
    let copy = tmp.path().join("leveldb");
    std::fs::create_dir_all(&copy).unwrap();
    for e in std::fs::read_dir(dir).unwrap() {
        let e = e.unwrap();
        std::fs::copy(e.path(), copy.join(e.file_name())).unwrap();
    }
    let out = py(
        "import plyvel, sys, json\n\
         db = plyvel.DB(sys.argv[1])\n\
         out = set()\n\
         for k, _ in db:\n\
         \x20   if k.startswith(b'_'):\n\
         \x20       out.add(k[1:].split(b'\\x00', 1)[0].decode('latin-1'))\n\
         \x20   elif k.startswith(b'META'):\n\
         \x20       out.add(k.split(b':', 1)[1].decode('latin-1'))\n\
         print(json.dumps(sorted(out)))",
        &[&copy.to_string_lossy()],
    );
    serde_json::from_str(&out).unwrap()
}

/// Notion's Local Storage as a signed-in account leaves it: the route
/// envelopes, the workspace map, per-account preference keys, a user/space
/// pair and the identity origin's `notion_user_id`.
fn notion_ls<S: NotionLocalStorage>(s: S, user: &str, spaces: &[&str]) -> S {
    account_ls(s.space_map(NOTION_WWW, spaces), user, spaces)
}

/// [`notion_ls`] without the workspace map: for a store several accounts
/// used, whose one `spaceIdToShortId` map holds the workspaces of all.
fn account_ls<S: NotionLocalStorage>(s: S, user: &str, spaces: &[&str]) -> S {
    let mut s = s
        .last_visited(NOTION_WWW, user, spaces[0])
        .put(
            NOTION_WWW,
            &format!("LRU:LocalPreferenceStore3:{user}:sidebarWidth"),
            "240",
        )
        .put(IDENTITY, "notion_user_id", user);
    for sp in spaces {
        s = s.put(
            NOTION_WWW,
            &format!("LRU:KeyValueStore2:onAppStartPreference:{user}:{sp}"),
            "{\"value\":\"lastVisited\"}",
        );
    }
    s
}

/// A Chrome home: profile `Profile 1` ("Work", account ada with Acme Corp
/// and Acme Labs) and `Default` ("Home", account bob with Side Gig), each
/// with another site's cookie and Local Storage beside Notion's.
fn chrome_home(env: &Env, layout: Layout, sync: bool) -> (PathBuf, PathBuf) {
    let home = env.sample(layout);
    let work = notion_ls(
        home.chromium_profile("chrome", "Profile 1", "Work"),
        ADA,
        &[ACME, LABS],
    )
    .ls_key(DECOY, "theme", "dark")
    .cookie(".www.notion.so", "token_v2", "v2-secret-ada")
    .cookie(".www.notion.so", "notion_user_id", ADA)
    .cookie(".www.notion.so", "notion_users", &notion_users(&[ADA]))
    .cookie(".notion.so", "file_token", "ft-secret")
    .cookie(".notion.so", "p_sync_session", "ps-secret")
    .cookie(".example.com", "sid", "decoy")
    .sync(sync)
    .write()
    .unwrap();
    let other = notion_ls(
        home.chromium_profile("chrome", "Default", "Home"),
        BOB,
        &[GIG],
    )
    .cookie(".www.notion.so", "token_v2", "v2-secret-bob")
    .cookie(".www.notion.so", "notion_user_id", BOB)
    .cookie(".www.notion.so", "notion_users", &notion_users(&[BOB]))
    .write()
    .unwrap();
    (work, other)
}

fn cookie_db(profile: &Path) -> PathBuf {
    let net = profile.join("Network/Cookies");
    if net.exists() {
        net
    } else {
        profile.join("Cookies")
    }
}

fn run(env: &Env, layout: &str, answers: &[&str]) -> (i32, String) {
    let mut args = vec!["run"];
    for a in answers {
        args.extend(["--answer", a]);
    }
    args.push("--yes");
    let o = env.run(layout, &args);
    (o.status.code().unwrap_or(-1), stderr(&o))
}

/// Method 2 done truthfully: Notion's cookies and Local Storage go for
/// every Notion origin of that one profile (identity included); the other
/// site and the other profile keep theirs; the run says so only after
/// reading the store again.
#[test]
fn clearing_signs_the_profile_out_and_touches_nothing_else() {
    for layout in [Layout::Linux, Layout::Windows] {
        let env = Env::new();
        let (work, other) = chrome_home(&env, layout, false);
        let db = cookie_db(&work);
        assert_eq!(sign_in_cookies(&db), ["token_v2"]);
        let ws = format!("workspace={ACME}");
        let (code, err) = run(
            &env,
            layout.name(),
            &["goal=remove-one", &ws, "method=clear-site"],
        );
        assert_eq!(code, 0, "{err}");
        assert!(
            err.contains("Checked afresh: no Notion sign-in data is left in Chrome, profile Work"),
            "{err}"
        );
        let left = cookies(&db);
        assert!(
            left.iter().all(|(h, _)| !on_notion(h)),
            "Notion cookies left: {left:?}"
        );
        assert!(
            left.contains(&(".example.com".into(), "sid".into())),
            "{left:?}"
        );
        assert_eq!(
            sign_in_cookies(&cookie_db(&other)),
            ["token_v2"],
            "the other profile"
        );
        if have_plyvel() {
            let origins = ldb_origins(&work.join("Local Storage/leveldb"));
            assert_eq!(origins, [DECOY], "{layout:?}");
            let kept = ldb_origins(&other.join("Local Storage/leveldb"));
            assert!(kept.iter().any(|o| o == IDENTITY), "{kept:?}");
        }
    }
}

/// The same in Firefox: cookies.sqlite and every Notion origin's LSNG
/// database.
#[test]
fn clearing_in_firefox() {
    let env = Env::new();
    let home = env.sample(Layout::Linux);
    let profile = notion_ls(
        home.firefox_profile("x1y2z3ab.default-release", "default-release"),
        ADA,
        &[ACME],
    )
    .ls_key(DECOY, "theme", "dark")
    .cookie(".www.notion.so", "token_v2", "v2-secret")
    .cookie(".www.notion.so", "notion_user_id", ADA)
    .cookie(".example.com", "sid", "decoy")
    .write()
    .unwrap();
    let ws = format!("workspace={ACME}");
    let (code, err) = run(
        &env,
        "linux",
        &["goal=remove-one", &ws, "method=clear-site"],
    );
    assert_eq!(code, 0, "{err}");
    let left = cookies(&profile.join("cookies.sqlite"));
    assert!(left.iter().all(|(h, _)| !on_notion(h)), "{left:?}");
    assert!(left.iter().any(|(h, _)| h == ".example.com"), "{left:?}");
    for origin in ["https+++www.notion.so", "https+++identity.notion.so"] {
        let db = profile
            .join("storage/default")
            .join(origin)
            .join("ls/data.sqlite");
        let rows = py(
            "import sqlite3, sys\n\
             c = sqlite3.connect('file:' + sys.argv[1] + '?immutable=1', uri=True)\n\
             print(c.execute('select count(*) from data').fetchone()[0])",
            &[&db.to_string_lossy()],
        );
        assert_eq!(rows.trim(), "0", "{origin}");
    }
    let decoy = profile.join("storage/default/https+++example.com/ls/data.sqlite");
    assert!(decoy.exists());
}

/// Method 3: the desktop reset ends resolved only when the app's store
/// holds no sign-in cookie any more; the folder is kept aside for undo.
#[test]
fn the_desktop_reset_leaves_no_sign_in_in_the_app() {
    let env = Env::new();
    let home = env.sample(Layout::Linux);
    let data = notion_ls(home.desktop_app("Notion"), ADA, &[ACME, LABS])
        .plain_cookie(".www.notion.so", "token_v2", "v2-secret")
        .plain_cookie(".www.notion.so", "notion_user_id", ADA)
        .plain_cookie(".www.notion.so", "notion_users", &format!("[\"{ADA}\"]"))
        .write()
        .unwrap();
    let db = data.join("Partitions/notion/Cookies");
    assert_eq!(sign_in_cookies(&db), ["token_v2"]);
    let ws = format!("workspace={ACME}");
    let (code, err) = run(
        &env,
        "linux",
        &[
            "goal=remove-one",
            &ws,
            "method=reset-app",
            "ask-linked=false",
        ],
    );
    assert_eq!(code, 0, "{err}");
    assert!(
        err.contains("no Notion sign-in data is left in the app"),
        "{err}"
    );
    assert!(
        !err.contains("sync"),
        "desktop outcomes say nothing of browser sync: {err}"
    );
    assert!(!err.contains("profile app"), "{err}");
    assert!(!db.exists(), "the app's store holds no cookie database");
    let aside: Vec<PathBuf> = std::fs::read_dir(data.parent().unwrap())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.to_string_lossy().contains("Notion.troubleshoot-reset-"))
        .collect();
    assert_eq!(aside.len(), 1, "{aside:?}");
    assert_eq!(
        sign_in_cookies(&aside[0].join("Partitions/notion/Cookies")),
        ["token_v2"]
    );
}

/// Method 1 (Notion's account menu): saying "done" is not enough. When
/// the store still lists the account, the run says so and does not end
/// resolved; once Notion has removed it from the store (simulated as
/// Notion writes it: the listing cookie without that account), it ends
/// resolved and the other account stays signed in.
#[test]
fn logging_out_of_one_account_is_checked_in_the_store() {
    let env = Env::new();
    let home = env.sample(Layout::Linux);
    let data = account_ls(
        account_ls(home.desktop_app("Notion"), BOB, &[GIG]),
        ADA,
        &[ACME, LABS],
    )
    .space_map(NOTION_WWW, &[ACME, LABS, GIG])
    .plain_cookie(".www.notion.so", "token_v2", "v2-secret")
    .plain_cookie(".www.notion.so", "notion_user_id", ADA)
    .plain_cookie(
        ".www.notion.so",
        "notion_users",
        &format!("[\"{ADA}\",\"{BOB}\"]"),
    )
    .write()
    .unwrap();
    let db = data.join("Partitions/notion/Cookies");
    let ws = format!("workspace={ACME}");
    let answers = [
        "goal=remove-one",
        &ws,
        "method=log-out",
        "guide-log-out=true",
    ];

    // Not logged out: still listed, so not resolved, and said why.
    let (code, err) = run(&env, "linux", &answers);
    assert_eq!(code, 1, "{err}");
    assert!(
        err.contains(
            "is still signed in in Notion desktop app: Notion's sign-in data there still lists it"
        ),
        "{err}"
    );
    assert!(!err.contains("is signed out"), "{err}");
    assert!(plain_cookie(&db, "notion_users").unwrap().contains(ADA));

    // In the wizard, Notion logs ada out while the guide is open (as
    // Notion writes it: the listing keeps only bob), then the re-check.
    let mut p = Pty::new(&env, &[]);
    p.expect("What do you want to do in Notion?");
    p.send("\r");
    // Labels are names or short ids, never raw ids (Side Gig is
    // "workspace 3" here): the filter takes what the list shows.
    p.expect("Which workspace is this about?");
    p.expect("workspace 3 (Notion desktop app)");
    p.send("workspace 1 (Notion desktop app)");
    p.send("\r");
    p.expect("How do you want to sign out of workspace 1?");
    p.send("\r"); // the default: Notion's account menu
    p.expect("Did you log out and quit Notion?");
    py(
        "import sqlite3, sys\n\
         c = sqlite3.connect(sys.argv[1])\n\
         c.execute('update cookies set value = ? where name = ?', ('[\"' + sys.argv[2] + '\"]', 'notion_users'))\n\
         c.execute('update cookies set value = ? where name = ?', (sys.argv[2], 'notion_user_id'))\n\
         c.commit()",
        &[&db.to_string_lossy(), BOB],
    );
    p.send("y\r");
    p.expect("Export a diagnostic report");
    p.send("n\r");
    let code = p.finish();
    let err = p.text();
    assert_eq!(code, Some(0), "{err}");
    assert!(err.contains("is signed out in Notion desktop app"), "{err}");
    assert!(err.contains("Other accounts there stay signed in"), "{err}");
    let listed = plain_cookie(&db, "notion_users").unwrap();
    assert!(!listed.contains(ADA) && listed.contains(BOB), "{listed}");
}

/// Where the store cannot say which accounts are signed in (a macOS
/// profile two accounts used: cookie values sealed with the Keychain key,
/// so `notion_users` cannot be read), the count is unknown, the wizard
/// asks naming both candidates, and the re-check says so and asks; the
/// answer is recorded as the user's, not as a verified sign-out.
#[test]
fn when_the_store_cannot_tell_the_run_asks() {
    let env = Env::new();
    let home = env.sample(Layout::Macos);
    let profile = account_ls(
        account_ls(
            home.chromium_profile("chrome", "Default", "Person 1"),
            BOB,
            &[GIG],
        ),
        ADA,
        &[ACME],
    )
    .space_map(NOTION_WWW, &[ACME, GIG])
    .cookie(".www.notion.so", "token_v2", "v2-secret")
    .cookie(".www.notion.so", "notion_users", &notion_users(&[ADA, BOB]))
    .write()
    .unwrap();

    // Two accounts used the profile and the listing is sealed: unknown,
    // never 1 or 2, with both named as candidates.
    let o = env.run("macos", &["scan", "--json"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let scan: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let store = &scan["browsers"][0];
    assert_eq!(store["signed_in"], true, "{store}");
    assert!(store["accounts"].is_null(), "{store}");
    let mut seen: Vec<&str> = store["account_candidates"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|c| c["user_id"].as_str())
        .collect();
    seen.sort_unstable();
    assert_eq!(seen, [ADA, BOB], "{store}");

    let ws = format!("workspace={ACME}");
    let base = [
        "goal=remove-one",
        ws.as_str(),
        "ask-accounts=true",
        "method=log-out",
        "guide-log-out=true",
    ];
    let (code, err) = run(
        &env,
        "macos",
        &[&base[..], &["ask-still-listed=false"]].concat(),
    );
    assert_eq!(code, 1, "{err}");
    assert!(
        err.contains("does not say how many accounts are signed in, so the wizard asks"),
        "{err}"
    );
    assert!(
        err.contains("does not say which accounts, so the scan cannot confirm"),
        "{err}"
    );
    let (code, err) = run(
        &env,
        "macos",
        &[&base[..], &["ask-still-listed=true"]].concat(),
    );
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("The scan could not confirm it"), "{err}");
    assert_eq!(sign_in_cookies(&cookie_db(&profile)), ["token_v2"]);
}

/// The wizard's question where the count is unknown names the accounts
/// that used the store (a Linux profile whose `notion_users` is sealed
/// with the desktop keyring's key, `v11`, which the scan never reads).
#[test]
fn the_unknown_count_question_names_the_candidates() {
    let env = Env::new();
    let home = env.sample(Layout::Linux);
    let profile = account_ls(
        account_ls(
            home.chromium_profile("chrome", "Default", "Person 1"),
            BOB,
            &[GIG],
        ),
        ADA,
        &[ACME],
    )
    .space_map(NOTION_WWW, &[ACME, GIG])
    .cookie(".www.notion.so", "token_v2", "v2-secret")
    .cookie(".www.notion.so", "notion_users", &notion_users(&[ADA, BOB]))
    .write()
    .unwrap();
    seal_cookie(&cookie_db(&profile), "notion_users", Seal::LinuxKeyring).unwrap();
    let mut p = Pty::new(&env, &[]);
    p.expect("What do you want to do in Notion?");
    p.send("\r");
    p.expect("Which workspace is this about?");
    p.expect("workspace 2 (Chrome, profile Person 1)");
    p.send("workspace 1 (Chrome, profile Person 1)");
    p.send("\r");
    p.expect("does not say how many accounts are signed in, so the wizard asks");
    p.expect("These Notion accounts used Chrome, profile Person 1: ");
    p.expect("(y/N)");
    p.send_code(ControlCode::EndOfText);
    let code = p.finish();
    let text = p.text();
    assert_eq!(code, Some(130), "{text}");
    // The terminal wraps the question at its width: read it unwrapped.
    let flat: String = text.chars().filter(|c| !matches!(c, '\r' | '\n')).collect();
    let asked = flat
        .split("These Notion accounts used Chrome, profile Person 1: ")
        .nth(1)
        .and_then(|t| t.split_once(". Are you signed in to more than one of them there?"))
        .map(|(names, _)| names)
        .unwrap_or_default();
    let mut named: Vec<&str> = asked.split(", ").collect();
    named.sort_unstable();
    assert_eq!(named, ["account 3f2a1c4e", "account 7b8c9d0e"], "{text}");
}

/// "Log out of all accounts" said done while nothing changed: the re-check
/// sees the sign-in still there and goes on to clear it, verified.
#[test]
fn sign_out_of_all_is_not_taken_on_trust() {
    let env = Env::new();
    let (work, other) = chrome_home(&env, Layout::Linux, false);
    let ws = format!("workspace={ACME}");
    let (code, err) = run(
        &env,
        "linux",
        &["goal=sign-out-all", &ws, "guide-sign-out-all=true"],
    );
    assert_eq!(code, 0, "{err}");
    assert!(
        err.contains("Notion's sign-in data is still in Chrome, profile Work"),
        "{err}"
    );
    assert!(sign_in_cookies(&cookie_db(&work)).is_empty());
    assert_eq!(sign_in_cookies(&cookie_db(&other)), ["token_v2"]);
}

/// A workspace that comes back: the sign-in cookie is the cause; browser
/// sync is shown as a fact with what it carries, never as the cause.
#[test]
fn a_return_is_explained_from_the_sign_in_data() {
    let env = Env::new();
    let (work, _) = chrome_home(&env, Layout::Linux, true);
    let ws = format!("workspace={ACME}");
    let (code, err) = run(&env, "linux", &["goal=came-back", &ws, "method=clear-site"]);
    assert_eq!(code, 0, "{err}");
    assert!(
        err.contains("Chrome, profile Work still holds Notion's sign-in data"),
        "{err}"
    );
    assert!(
        err.contains("Sync carries bookmarks, passwords, history, open tabs, settings and autofill, never cookies or site data"),
        "{err}"
    );
    for wrong in [
        "Turn off browser sync",
        "Sync can restore",
        "sync may bring",
    ] {
        assert!(
            !err.to_lowercase().contains(&wrong.to_lowercase()),
            "{wrong}: {err}"
        );
    }
    assert!(sign_in_cookies(&cookie_db(&work)).is_empty());
}

/// The only account logs out through Notion's menu while the guide is
/// open (Notion then drops its sign-in cookies, as a signed-out real
/// profile shows): the re-check finds no sign-in left and says so.
#[test]
fn logging_out_of_the_only_account_leaves_the_store_signed_out() {
    let env = Env::new();
    let (work, _) = chrome_home(&env, Layout::Linux, false);
    let db = cookie_db(&work);
    let mut p = Pty::new(&env, &[]);
    p.expect("What do you want to do in Notion?");
    p.send("\r");
    // Both profiles have a "workspace 1": the place tells them apart.
    p.expect("Which workspace is this about?");
    p.expect("workspace 1 (Chrome, profile Home)");
    p.send("workspace 1 (Chrome, profile Work)");
    p.send("\r");
    p.expect("How do you want to sign out of workspace 1?");
    p.send("\r"); // the default: Notion's account menu
    p.expect("Did you log out and quit Chrome?");
    py(
        "import sqlite3, sys\n\
         c = sqlite3.connect(sys.argv[1])\n\
         c.execute(\"delete from cookies where name in ('token_v2', 'notion_users', 'notion_user_id', 'file_token', 'p_sync_session')\")\n\
         c.commit()",
        &[&db.to_string_lossy()],
    );
    p.send("y\r");
    p.expect("Export a diagnostic report");
    p.send("n\r");
    let code = p.finish();
    let text = p.text();
    assert_eq!(code, Some(0), "{text}");
    assert!(
        text.contains("No Notion sign-in data is left in Chrome, profile Work"),
        "{text}"
    );
    assert!(sign_in_cookies(&db).is_empty());
}

/// A browser still open at the re-check may not have written its
/// sign-out: the run says so and does not conclude.
#[test]
fn a_browser_still_open_is_not_checked_as_signed_out() {
    let env = Env::new();
    let home = env.sample(Layout::Linux);
    notion_ls(
        home.chromium_profile("chrome", "Default", "Person 1"),
        ADA,
        &[ACME],
    )
    .cookie(".www.notion.so", "token_v2", "v2-secret")
    .cookie(".www.notion.so", "notion_users", &notion_users(&[ADA]))
    .singleton_lock(std::process::id())
    .write()
    .unwrap();
    let ws = format!("workspace={ACME}");
    let (code, err) = run(
        &env,
        "linux",
        &[
            "goal=remove-one",
            &ws,
            "method=log-out",
            "guide-log-out=true",
            "guide-quit=false",
        ],
    );
    assert_eq!(code, 1, "{err}");
    assert!(
        err.contains(
            "Chrome, profile Person 1 is still open, so its sign-out may not be written to disk yet"
        ),
        "{err}"
    );
    assert!(err.contains("Not checked"), "{err}");
}

/// A cookie database that cannot be read cannot show the sign-in gone:
/// the run does not end resolved, and says why.
#[test]
fn an_unreadable_cookie_database_never_ends_resolved() {
    let env = Env::new();
    let (work, _) = chrome_home(&env, Layout::Linux, false);
    let db = cookie_db(&work);
    std::fs::write(
        &db,
        b"not a database at all, and long enough to look like one",
    )
    .unwrap();
    let ws = format!("workspace={ACME}");
    let (code, err) = run(
        &env,
        "linux",
        &["goal=remove-one", &ws, "method=clear-site"],
    );
    assert_eq!(code, 1, "{err}");
    assert!(!err.contains("Checked afresh"), "{err}");
    assert!(
        err.contains("Cookies: not an SQLite database"),
        "says why: {err}"
    );
    assert!(
        err.contains("could not confirm that Notion's sign-in data is gone"),
        "{err}"
    );
}
