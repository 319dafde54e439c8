//! Fixes on fixture homes in real formats (Chromium LevelDB and Cookies,
//! Firefox LSNG and cookies.sqlite, the desktop app): plan, refusal while
//! the owner runs, apply, read-back, rollback, undo, the state lock, and a
//! SIGKILL loop during apply.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::util::{Env, copy_tree, cpp_leveldb_put, tree_hashes};
use serde_json::{Map, Value};
use testkit::{NOTION_APP, NOTION_WWW, SampleHome};
use troubleshoot::fix::{self, FixContext, FixError};
use troubleshoot::flow::engine::{Evidence, FixCall};
use troubleshoot::flow::model::Risk;
use troubleshoot::probe::{Home, Layout, Session, Source, app_sessions, scan};
use troubleshoot::readers::leveldb::read_local_storage;
use troubleshoot::readers::sqlite::{CookieQuery, CookieSchema, read_cookies, read_lsng};

const DECOY_ORIGIN: &str = "https://example.com";
const RUN: &str = "20261125-120000-abcd";

fn call(action: &str, session: Option<&Session>) -> FixCall {
    let mut params = Map::new();
    if let Some(s) = session {
        params.insert("session".into(), serde_json::to_value(s).unwrap());
    }
    FixCall {
        step: format!("fix-{action}"),
        title: action.into(),
        action: action.into(),
        params,
        risk: Risk::Medium,
        changes: String::new(),
        evidence: Some(Evidence {
            check: "scan".into(),
            probe: app_sessions::ID.into(),
            params: serde_json::to_value(testkit::notion_spec()).unwrap(),
        }),
    }
}

/// Plan `call` with the registry's action for it, as the wizard does.
fn plan_fix(call: &FixCall, ctx: &FixContext) -> Result<fix::Plan, FixError> {
    troubleshoot::registry::builtin().plan(call, ctx)
}

/// The keys of `origin`, but the `filler-*` keys that only give the store
/// its size (they are counted: see [`FILLERS`]).
fn ls_keys(dir: &Path, origin: &str) -> Vec<String> {
    let all = read_local_storage(dir, &[origin.to_string()])
        .unwrap()
        .entries;
    let fillers = all.iter().filter(|e| e.key.starts_with("filler-")).count();
    assert!(
        fillers == 0 || fillers == FILLERS,
        "{fillers} filler keys of {origin}, want {FILLERS}"
    );
    let mut k: Vec<String> = all
        .into_iter()
        .map(|e| e.key)
        .filter(|k| !k.starts_with("filler-"))
        .collect();
    k.sort();
    k
}

/// Filler keys in the Chrome profiles of these tests.
const FILLERS: usize = 2000;

fn chrome_home(fx: &Env, lock_pid: Option<u32>) -> PathBuf {
    let mut p = fx
        .sample(Layout::Linux)
        .chromium_profile("chrome", "Default", "Person 1")
        .workspace(NOTION_WWW, "ws-1", "Acme Corp", "u-1")
        .ls_key(NOTION_WWW, "theme", "dark")
        .ls_key(DECOY_ORIGIN, "notion:workspace:ws-1", "decoy")
        // A store of real size: one ~1 MB log record across 32 KiB blocks.
        .filler(DECOY_ORIGIN, FILLERS, 500)
        .cookie(".notion.so", "token_v2", "secret")
        .plain_cookie(".notion.so", "notion_user_id", "u-1")
        .cookie(".example.com", "sid", "other-site");
    if let Some(pid) = lock_pid {
        p = p.singleton_lock(pid);
    }
    p.write().unwrap()
}

fn ctx<'a>(home: &'a Home, state: &'a Path) -> FixContext<'a> {
    FixContext {
        home,
        state_dir: state,
        run_id: RUN,
    }
}

#[test]
fn refused_while_chrome_holds_a_live_singleton_lock_and_nothing_changes() {
    let fx = Env::new();
    chrome_home(&fx, Some(std::process::id()));
    let home = fx.probe_home(Layout::Linux);
    let state = fx.state();
    let before = tree_hashes(&fx.home(), &["LOCK"]);
    let s = fx.session(Layout::Linux, Source::Browser, "Chrome", "ws-1");
    let c = ctx(&home, &state);
    let plan = plan_fix(&call("remove-workspace-entry", Some(&s)), &c).unwrap();
    let reason = fix::owner_running(&plan, &c).expect("Chrome holds its SingletonLock");
    assert!(
        reason.contains("Chrome") && reason.contains("SingletonLock"),
        "{reason}"
    );
    assert!(reason.contains("close every Chrome window"), "{reason}");
    let err = fix::apply(&plan, &c).unwrap_err();
    assert!(matches!(err, FixError::OwnerRunning { .. }), "{err}");
    // Every byte of the home as it was (LOCK files included, none were made).
    assert_eq!(tree_hashes(&fx.home(), &["LOCK"]), before);
    assert!(!state.join("backups").join(RUN).exists());
    assert!(fix::list_undoable(&state).unwrap().is_empty());
}

#[test]
fn remove_entry_in_chrome_removes_only_the_target_and_undo_is_byte_identical() {
    let fx = Env::new();
    let profile = chrome_home(&fx, None);
    let home = fx.probe_home(Layout::Linux);
    let state = fx.state();
    let before = tree_hashes(&profile, &["LOCK"]);
    let s = fx.session(Layout::Linux, Source::Browser, "Chrome", "ws-1");
    let c = ctx(&home, &state);
    let plan = plan_fix(&call("remove-workspace-entry", Some(&s)), &c).unwrap();
    assert_eq!(plan.keys, vec!["notion:workspace:ws-1".to_string()]);
    assert_eq!(plan.owner, "Chrome");
    assert!(plan.files.iter().any(|f| f.ends_with("CURRENT")));
    assert!(plan.files.iter().all(|f| !f.ends_with("LOCK")));
    let j = plan.to_json(&home);
    assert!(j["store_path"].as_str().unwrap().starts_with("~/"), "{j}");
    // Planning reads only.
    assert_eq!(tree_hashes(&profile, &["LOCK"]), before);

    let applied = fix::apply(&plan, &c).unwrap();
    assert_eq!(applied.keys_removed, 1);
    let ldb = PathBuf::from(&s.store_path);
    assert_eq!(ls_keys(&ldb, NOTION_WWW), vec!["theme".to_string()]);
    assert_eq!(
        ls_keys(&ldb, DECOY_ORIGIN),
        vec!["notion:workspace:ws-1".to_string()]
    );
    // The workspace's session is gone; its account's token_v2 is still
    // there, so the account stays signed in (Local Storage holds no
    // credential) with no workspace of its own left.
    let now = fx.sessions(Layout::Linux);
    assert!(now.iter().all(|x| x.workspace_id != "ws-1"), "{now:#?}");
    let [left] = &now[..] else {
        panic!("one account session left: {now:#?}")
    };
    assert_eq!(left.user_id.as_deref(), Some("u-1"));
    assert_eq!(left.signed_in, Some(true));
    assert_eq!(left.sign_in_cookies, vec!["token_v2".to_string()]);
    assert!(
        left.workspace_id.is_empty() && left.keys.is_empty(),
        "{left:#?}"
    );

    // Backup: manifest with sha256, owner-only permissions.
    let bdir = state.join("backups").join(&applied.backup_id);
    let manifest: Value =
        serde_json::from_slice(&std::fs::read(bdir.join("manifest.json")).unwrap()).unwrap();
    let files = manifest["files"].as_array().unwrap();
    assert!(!files.is_empty());
    assert!(
        files
            .iter()
            .all(|f| f["sha256"].as_str().unwrap().len() == 64)
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(&bdir), 0o700);
        assert_eq!(mode(&bdir.join("manifest.json")), 0o600);
        assert_eq!(mode(&state.join("journal.sqlite")), 0o600);
    }

    let list = fix::list_undoable(&state).unwrap();
    assert_eq!(list.len(), 1);
    assert_eq!(list[0].run_id, RUN);
    let report = fix::undo(&state, Some(&home), None, false).unwrap();
    assert_eq!(report.run_id, RUN);
    assert_eq!(
        tree_hashes(&profile, &["LOCK"]),
        before,
        "undo restores the profile byte for byte"
    );
    assert_eq!(
        fx.session(Layout::Linux, Source::Browser, "Chrome", "ws-1")
            .workspace_id,
        "ws-1"
    );
    assert!(fix::list_undoable(&state).unwrap().is_empty());
    assert!(matches!(
        fix::undo(&state, Some(&home), None, false).unwrap_err(),
        FixError::NothingToUndo { .. }
    ));
}

#[test]
fn remove_entry_finds_utf16_keys_in_compacted_tables() {
    let fx = Env::new();
    let profile = fx
        .sample(Layout::Linux)
        .chromium_profile("chrome", "Default", "Person 1")
        .workspace(NOTION_WWW, "ws-東京", "Tokyo", "u-1")
        .workspace(NOTION_WWW, "ws-2", "Other", "u-1")
        .ls_key(DECOY_ORIGIN, "notion:workspace:ws-東京", "decoy")
        .compact(true)
        .write()
        .unwrap();
    let home = fx.probe_home(Layout::Linux);
    let state = fx.state();
    let before = tree_hashes(&profile, &["LOCK"]);
    let s = fx.session(Layout::Linux, Source::Browser, "Chrome", "ws-東京");
    let c = ctx(&home, &state);
    let plan = plan_fix(&call("remove-workspace-entry", Some(&s)), &c).unwrap();
    assert_eq!(plan.keys, vec!["notion:workspace:ws-東京".to_string()]);
    fix::apply(&plan, &c).unwrap();
    let ldb = PathBuf::from(&s.store_path);
    assert_eq!(
        ls_keys(&ldb, NOTION_WWW),
        vec!["notion:workspace:ws-2".to_string()]
    );
    assert_eq!(ls_keys(&ldb, DECOY_ORIGIN).len(), 1);
    fix::undo(&state, Some(&home), Some(RUN), false).unwrap();
    assert_eq!(tree_hashes(&profile, &["LOCK"]), before);
}

fn firefox_home(fx: &Env) -> PathBuf {
    fx.sample(Layout::Linux)
        .firefox_profile("abcd1234.default-release", "default-release")
        .workspace(NOTION_WWW, "ws-1", "Acme Corp", "u-1")
        .ls_key(NOTION_WWW, "theme", "dark")
        .ls_key(NOTION_WWW, "big", &"x".repeat(300))
        .ls_key(DECOY_ORIGIN, "notion:workspace:ws-1", "decoy")
        .cookie(".notion.so", "token_v2", "secret")
        .cookie("www.notion.so", "notion_browser_id", "b")
        .cookie(".example.com", "sid", "other")
        // Cookies only in cookies.sqlite-wal, as after Firefox was killed.
        .cookies_in_wal(true)
        .write()
        .unwrap()
}

fn lsng_usage(db: &Path) -> (i64, i64) {
    let conn =
        rusqlite::Connection::open_with_flags(db, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
            .unwrap();
    let usage: i64 = conn
        .query_row("SELECT usage FROM database", [], |r| r.get(0))
        .unwrap();
    let mut stmt = conn.prepare("SELECT key, utf16_length FROM data").unwrap();
    let sum: i64 = stmt
        .query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?)))
        .unwrap()
        .map(|r| {
            let (k, n) = r.unwrap();
            k.encode_utf16().count() as i64 + n
        })
        .sum();
    (usage, sum)
}

#[test]
fn remove_entry_in_firefox_lsng_keeps_other_keys_and_usage_bookkeeping() {
    let fx = Env::new();
    let profile = firefox_home(&fx);
    let home = fx.probe_home(Layout::Linux);
    let state = fx.state();
    // Firefox's usage cache file next to the database.
    let s = fx.session(Layout::Linux, Source::Browser, "Firefox", "ws-1");
    let db = PathBuf::from(&s.store_path);
    let (usage0, _) = lsng_usage(&db);
    let mut usage_file = 0x420a_420au32.to_be_bytes().to_vec();
    usage_file.extend_from_slice(&(usage0 as u64).to_be_bytes());
    std::fs::write(db.with_file_name("usage"), &usage_file).unwrap();
    let before = tree_hashes(&profile, &["LOCK"]);

    let c = ctx(&home, &state);
    let plan = plan_fix(&call("remove-workspace-entry", Some(&s)), &c).unwrap();
    assert_eq!(plan.keys, vec!["notion:workspace:ws-1".to_string()]);
    assert_eq!(plan.owner, "Firefox");
    fix::apply(&plan, &c).unwrap();
    let mut keys: Vec<String> = read_lsng(&db)
        .unwrap()
        .into_iter()
        .map(|(k, _)| k)
        .collect();
    keys.sort();
    assert_eq!(keys, vec!["big".to_string(), "theme".to_string()]);
    let decoy_db = profile.join("storage/default/https+++example.com/ls/data.sqlite");
    assert_eq!(read_lsng(&decoy_db).unwrap().len(), 1);
    let (usage, sum) = lsng_usage(&db);
    assert_eq!(usage, sum, "database.usage matches the rows left");
    assert!(usage < usage0);
    let uf = std::fs::read(db.with_file_name("usage")).unwrap();
    assert_eq!(uf.len(), 12);
    assert_eq!(
        u64::from_be_bytes(uf[4..].try_into().unwrap()) as i64,
        usage
    );

    fix::undo(&state, Some(&home), None, false).unwrap();
    assert_eq!(tree_hashes(&profile, &["LOCK"]), before);
}

#[test]
fn remove_entry_in_the_desktop_app_and_undo() {
    let fx = Env::new();
    let data = fx
        .sample(Layout::Linux)
        .desktop_app("Notion")
        .workspace(NOTION_WWW, "ws-1", "Acme Corp", "u-1")
        .ls_key(NOTION_WWW, "theme", "dark")
        .ls_key(
            NOTION_APP,
            "notion:workspace:ws-1",
            "decoy in the other origin",
        )
        .cookie(".notion.so", "token_v2", "secret")
        .write()
        .unwrap();
    let home = fx.probe_home(Layout::Linux);
    let state = fx.state();
    let before = tree_hashes(&data, &["LOCK"]);
    let s = fx
        .sessions(Layout::Linux)
        .into_iter()
        .find(|s| s.source == Source::Desktop && s.origin == NOTION_WWW)
        .unwrap();
    let c = ctx(&home, &state);
    let plan = plan_fix(&call("remove-workspace-entry", Some(&s)), &c).unwrap();
    assert_eq!(plan.owner, "Notion");
    fix::apply(&plan, &c).unwrap();
    let ldb = PathBuf::from(&s.store_path);
    assert_eq!(ls_keys(&ldb, NOTION_WWW), vec!["theme".to_string()]);
    assert_eq!(
        ls_keys(&ldb, NOTION_APP),
        vec!["notion:workspace:ws-1".to_string()]
    );
    fix::undo(&state, Some(&home), None, false).unwrap();
    assert_eq!(tree_hashes(&data, &["LOCK"]), before);
}

#[test]
fn desktop_app_refused_while_its_singleton_lock_is_live() {
    let fx = Env::new();
    let data = fx
        .sample(Layout::Linux)
        .desktop_app("Notion")
        .workspace(NOTION_WWW, "ws-1", "Acme Corp", "u-1")
        .singleton_lock(std::process::id())
        .write()
        .unwrap();
    let home = fx.probe_home(Layout::Linux);
    let state = fx.state();
    let before = tree_hashes(&data, &["LOCK"]);
    let c = ctx(&home, &state);
    for action in ["reset-desktop-app", "remove-workspace-entry"] {
        let s = fx.session(Layout::Linux, Source::Desktop, "Notion", "ws-1");
        let plan = plan_fix(&call(action, Some(&s)), &c).unwrap();
        let reason = fix::owner_running(&plan, &c).expect("the app runs");
        assert!(reason.contains("quit Notion"), "{reason}");
        assert!(fix::apply(&plan, &c).unwrap_err().is_owner_running());
    }
    assert_eq!(tree_hashes(&data, &["LOCK"]), before);
}

#[test]
fn rollback_after_a_failed_verify_restores_byte_identical() {
    let fx = Env::new();
    let profile = chrome_home(&fx, None);
    let home = fx.probe_home(Layout::Linux);
    let state = fx.state();
    let before = tree_hashes(&profile, &["LOCK"]);
    let s = fx.session(Layout::Linux, Source::Browser, "Chrome", "ws-1");
    let c = ctx(&home, &state);
    let plan = plan_fix(&call("remove-workspace-entry", Some(&s)), &c).unwrap();
    let applied = fix::apply(&plan, &c).unwrap();
    assert_ne!(tree_hashes(&profile, &["LOCK"]), before);
    fix::rollback(&applied, &c).unwrap();
    assert_eq!(tree_hashes(&profile, &["LOCK"]), before);
    assert!(
        fix::list_undoable(&state).unwrap().is_empty(),
        "a rolled-back fix has nothing to undo"
    );
    // Idempotent.
    fix::rollback(&applied, &c).unwrap();
}

#[test]
fn clear_site_data_in_chrome_removes_app_cookies_and_storage_only() {
    let fx = Env::new();
    let profile = fx
        .sample(Layout::Linux)
        .chromium_profile("chrome", "Default", "Person 1")
        .workspace(NOTION_WWW, "ws-1", "Acme Corp", "u-1")
        .ls_key(
            NOTION_APP,
            "LRU:KeyValueStore2:current-user-id",
            "{\"value\":\"u-1\"}",
        )
        .ls_key(DECOY_ORIGIN, "notion:workspace:ws-1", "decoy")
        .cookie(".notion.so", "token_v2", "secret")
        .cookie("www.notion.so", "notion_browser_id", "b")
        .cookie(".app.notion.com", "token_v2", "secret2")
        .cookie(".example.com", "sid", "other")
        .cookie(".notnotion.so", "sid", "other")
        .write()
        .unwrap();
    let home = fx.probe_home(Layout::Linux);
    let state = fx.state();
    let before = tree_hashes(&profile, &["LOCK"]);
    let s = fx.session(Layout::Linux, Source::Browser, "Chrome", "ws-1");
    let c = ctx(&home, &state);
    let plan = plan_fix(&call("clear-site-data", Some(&s)), &c).unwrap();
    assert_eq!(
        plan.cookies,
        vec!["notion_browser_id".to_string(), "token_v2".to_string()]
    );
    assert_eq!(plan.store_path, profile);
    fix::apply(&plan, &c).unwrap();
    let ldb = PathBuf::from(&s.store_path);
    assert!(ls_keys(&ldb, NOTION_WWW).is_empty());
    assert!(ls_keys(&ldb, NOTION_APP).is_empty());
    assert_eq!(ls_keys(&ldb, DECOY_ORIGIN).len(), 1);
    let all = read_cookies(
        &profile.join("Cookies"),
        CookieSchema::Chromium,
        &CookieQuery {
            domains: vec![
                "example.com".into(),
                "notnotion.so".into(),
                "notion.so".into(),
                "notion.com".into(),
            ],
            ..Default::default()
        },
    )
    .unwrap();
    let mut hosts: Vec<String> = all.iter().map(|c| c.host.clone()).collect();
    hosts.sort();
    assert_eq!(
        hosts,
        vec![".example.com".to_string(), ".notnotion.so".to_string()]
    );
    fix::undo(&state, Some(&home), None, false).unwrap();
    assert_eq!(tree_hashes(&profile, &["LOCK"]), before);
}

#[test]
fn clear_site_data_in_firefox_and_undo() {
    let fx = Env::new();
    let profile = firefox_home(&fx);
    let home = fx.probe_home(Layout::Linux);
    let state = fx.state();
    let before = tree_hashes(&profile, &["LOCK"]);
    let s = fx.session(Layout::Linux, Source::Browser, "Firefox", "ws-1");
    let c = ctx(&home, &state);
    let plan = plan_fix(&call("clear-site-data", Some(&s)), &c).unwrap();
    fix::apply(&plan, &c).unwrap();
    assert!(read_lsng(&PathBuf::from(&s.store_path)).unwrap().is_empty());
    let decoy_db = profile.join("storage/default/https+++example.com/ls/data.sqlite");
    assert_eq!(read_lsng(&decoy_db).unwrap().len(), 1);
    let left = read_cookies(
        &profile.join("cookies.sqlite"),
        CookieSchema::Firefox,
        &CookieQuery {
            domains: vec!["example.com".into(), "notion.so".into()],
            ..Default::default()
        },
    )
    .unwrap();
    assert_eq!(left.len(), 1);
    assert_eq!(left[0].host, ".example.com");
    assert!(
        before.keys().any(|k| k.ends_with("cookies.sqlite-wal")),
        "the fixture keeps cookies in the WAL: {:?}",
        before.keys()
    );
    fix::undo(&state, Some(&home), None, false).unwrap();
    assert_eq!(tree_hashes(&profile, &["LOCK"]), before);
}

#[test]
fn reset_desktop_app_moves_the_folder_aside_and_undo_moves_it_back() {
    let fx = Env::new();
    let data = fx
        .sample(Layout::Linux)
        .desktop_app("Notion")
        .workspace(NOTION_WWW, "ws-1", "Acme Corp", "u-1")
        .cookie(".notion.so", "token_v2", "secret")
        .write()
        .unwrap();
    let home = fx.probe_home(Layout::Linux);
    let state = fx.state();
    let before = tree_hashes(&data, &["LOCK"]);
    let c = ctx(&home, &state);
    let plan = plan_fix(&call("reset-desktop-app", None), &c).unwrap();
    assert_eq!(plan.risk, Risk::High);
    let aside = data.with_file_name(format!("Notion.troubleshoot-reset-{RUN}"));
    assert_eq!(plan.moves, vec![(data.clone(), aside.clone())]);
    fix::apply(&plan, &c).unwrap();
    assert!(!data.exists());
    assert_eq!(tree_hashes(&aside, &["LOCK"]), before);
    assert_eq!(scan(&home, testkit::notion_spec()).desktop_app.sessions, 0);

    fix::undo(&state, Some(&home), None, false).unwrap();
    assert!(!aside.exists());
    assert_eq!(tree_hashes(&data, &["LOCK"]), before);
}

#[test]
fn undo_of_a_reset_refuses_when_the_app_made_a_new_folder_unless_forced() {
    let fx = Env::new();
    let data = fx
        .sample(Layout::Linux)
        .desktop_app("Notion")
        .workspace(NOTION_WWW, "ws-1", "Acme Corp", "u-1")
        .write()
        .unwrap();
    let home = fx.probe_home(Layout::Linux);
    let state = fx.state();
    let before = tree_hashes(&data, &["LOCK"]);
    let c = ctx(&home, &state);
    let plan = plan_fix(&call("reset-desktop-app", None), &c).unwrap();
    fix::apply(&plan, &c).unwrap();
    std::fs::create_dir_all(&data).unwrap();
    std::fs::write(data.join("new-start.json"), "{}").unwrap();
    let err = fix::undo(&state, Some(&home), None, false).unwrap_err();
    assert!(matches!(err, FixError::ChangedSince { .. }), "{err}");
    let report = fix::undo(&state, Some(&home), None, true).unwrap();
    assert_eq!(tree_hashes(&data, &["LOCK"]), before);
    // The folder that was in the way is kept, not deleted.
    let kept = &report.actions[0].set_aside[0];
    assert!(kept.join("new-start.json").is_file());
}

/// The browser reopened the profile after the fix and wrote to its store:
/// plain undo puts back exactly what the fix removed and keeps the
/// browser's later write (a logical undo); `--force` restores the bytes.
#[test]
fn undo_after_the_browser_wrote_puts_back_the_removed_keys_and_keeps_its_writes() {
    let fx = Env::new();
    let profile = chrome_home(&fx, None);
    let home = fx.probe_home(Layout::Linux);
    let state = fx.state();
    let s = fx.session(Layout::Linux, Source::Browser, "Chrome", "ws-1");
    let c = ctx(&home, &state);
    let ldb = PathBuf::from(&s.store_path);
    let before = read_local_storage(&ldb, &[NOTION_WWW.to_string()])
        .unwrap()
        .entries;
    let plan = plan_fix(&call("remove-workspace-entry", Some(&s)), &c).unwrap();
    fix::apply(&plan, &c).unwrap();
    assert_eq!(ls_keys(&ldb, NOTION_WWW), vec!["theme".to_string()]);
    // C++ LevelDB opens the store (recovering our batch) and writes a key.
    let later = testkit::encode::ls_entry_key(NOTION_WWW, "written-later");
    if !cpp_leveldb_put(&ldb, &later, b"\x01by the browser") {
        return;
    }
    let report = fix::undo(&state, Some(&home), None, false).unwrap();
    assert_eq!(report.mode, fix::UndoMode::Logical, "{report}");
    assert!(report.to_string().contains("1 entry put back"), "{report}");
    let now = read_local_storage(&ldb, &[NOTION_WWW.to_string()])
        .unwrap()
        .entries;
    let mut want = before.clone();
    want.push(troubleshoot::readers::leveldb::LsEntry {
        origin: NOTION_WWW.into(),
        key: "written-later".into(),
        value: "by the browser".into(),
        raw_key: later.clone(),
    });
    want.sort_by(|a, b| a.raw_key.cmp(&b.raw_key));
    let mut now_sorted = now.clone();
    now_sorted.sort_by(|a, b| a.raw_key.cmp(&b.raw_key));
    assert!(
        now_sorted == want,
        "every key of before, plus the browser's"
    );
    assert_eq!(
        ls_keys(&ldb, DECOY_ORIGIN),
        vec!["notion:workspace:ws-1".to_string()]
    );
    // Undone is undone: nothing left to undo.
    let err = fix::undo(&state, Some(&home), None, false).unwrap_err();
    assert!(
        matches!(
            err,
            FixError::NothingToUndo { .. } | FixError::AlreadyUndone { .. }
        ),
        "{err}"
    );
    let _ = profile;
}

/// A store damaged since the fix is not written to: plain undo refuses and
/// changes nothing; `--force` restores the backup's bytes.
#[test]
fn undo_of_a_store_damaged_since_refuses_unless_forced() {
    let fx = Env::new();
    let profile = chrome_home(&fx, None);
    let home = fx.probe_home(Layout::Linux);
    let state = fx.state();
    let before = tree_hashes(&profile, &["LOCK"]);
    let s = fx.session(Layout::Linux, Source::Browser, "Chrome", "ws-1");
    let c = ctx(&home, &state);
    let plan = plan_fix(&call("remove-workspace-entry", Some(&s)), &c).unwrap();
    fix::apply(&plan, &c).unwrap();
    let ldb = PathBuf::from(&s.store_path);
    std::fs::write(ldb.join("000999.log"), b"written later").unwrap();
    let after_browser = tree_hashes(&profile, &["LOCK"]);
    let err = fix::undo(&state, Some(&home), None, false).unwrap_err();
    assert!(err.to_string().contains("000999.log"), "{err}");
    assert_eq!(
        tree_hashes(&profile, &["LOCK"]),
        after_browser,
        "a refused undo changes nothing"
    );
    fix::undo(&state, Some(&home), None, true).unwrap();
    assert_eq!(tree_hashes(&profile, &["LOCK"]), before);
}

#[test]
fn undo_refuses_while_the_owner_runs() {
    let fx = Env::new();
    let profile = chrome_home(&fx, None);
    let home = fx.probe_home(Layout::Linux);
    let state = fx.state();
    let s = fx.session(Layout::Linux, Source::Browser, "Chrome", "ws-1");
    let c = ctx(&home, &state);
    let plan = plan_fix(&call("remove-workspace-entry", Some(&s)), &c).unwrap();
    fix::apply(&plan, &c).unwrap();
    let udd = profile.parent().unwrap();
    let host = testkit::encode::hostname();
    #[cfg(unix)]
    std::os::unix::fs::symlink(
        format!("{host}-{}", std::process::id()),
        udd.join("SingletonLock"),
    )
    .unwrap();
    let snapshot = tree_hashes(&profile, &["LOCK"]);
    let err = fix::undo(&state, Some(&home), None, false).unwrap_err();
    assert!(err.is_owner_running(), "{err}");
    assert_eq!(tree_hashes(&profile, &["LOCK"]), snapshot);
    std::fs::remove_file(udd.join("SingletonLock")).unwrap();
    fix::undo(&state, Some(&home), None, false).unwrap();
}

#[test]
fn a_second_writer_is_told_who_holds_the_state_lock() {
    let fx = Env::new();
    let profile = chrome_home(&fx, None);
    let home = fx.probe_home(Layout::Linux);
    let state = fx.state();
    let before = tree_hashes(&profile, &["LOCK"]);
    let s = fx.session(Layout::Linux, Source::Browser, "Chrome", "ws-1");
    let c = ctx(&home, &state);
    let plan = plan_fix(&call("remove-workspace-entry", Some(&s)), &c).unwrap();
    std::fs::create_dir_all(&state).unwrap();
    let lock = std::fs::OpenOptions::new()
        .create(true)
        .truncate(true)
        .write(true)
        .open(state.join("lock"))
        .unwrap();
    std::fs::write(state.join("lock"), "pid 4242 run other-run since now\n").unwrap();
    #[cfg(unix)]
    {
        use std::os::fd::AsRawFd;
        assert_eq!(
            unsafe { libc::flock(lock.as_raw_fd(), libc::LOCK_EX | libc::LOCK_NB) },
            0
        );
    }
    let err = fix::apply(&plan, &c).unwrap_err();
    assert!(matches!(err, FixError::Busy { .. }), "{err}");
    assert!(err.to_string().contains("pid 4242 run other-run"), "{err}");
    assert_eq!(tree_hashes(&profile, &["LOCK"]), before);
    drop(lock);
    fix::apply(&plan, &c).unwrap();
}

/// An action id the registry does not know is an error, never the
/// destructive reset; the risk is the vetted one, a flow can only raise it.
#[test]
fn unknown_actions_are_refused_and_risk_is_the_vetted_one() {
    let fx = Env::new();
    chrome_home(&fx, None);
    let home = fx.probe_home(Layout::Linux);
    let state = fx.state();
    let c = ctx(&home, &state);
    let s = fx.session(Layout::Linux, Source::Browser, "Chrome", "ws-1");
    let err = plan_fix(&call("reset-everything", Some(&s)), &c).unwrap_err();
    assert!(matches!(err, FixError::UnknownAction { .. }), "{err}");
    let mut low = call("remove-workspace-entry", Some(&s));
    low.risk = Risk::Low;
    assert_eq!(plan_fix(&low, &c).unwrap().risk, Risk::Medium);
    let mut high = call("remove-workspace-entry", Some(&s));
    high.risk = Risk::High;
    assert_eq!(plan_fix(&high, &c).unwrap().risk, Risk::High);
}

#[test]
fn store_paths_outside_the_home_are_refused() {
    let fx = Env::new();
    chrome_home(&fx, None);
    let home = fx.probe_home(Layout::Linux);
    let state = fx.state();
    let c = ctx(&home, &state);
    let s = fx.session(Layout::Linux, Source::Browser, "Chrome", "ws-1");

    let mut dotdot = s.clone();
    dotdot.store_path = format!(
        "{}/../home/.config/google-chrome/Default/Local Storage/leveldb",
        fx.home().display()
    );
    let err = plan_fix(&call("remove-workspace-entry", Some(&dotdot)), &c).unwrap_err();
    assert!(matches!(err, FixError::UnsafePath { .. }), "{err}");

    // A symlink inside the home pointing at a store outside it.
    let outside = tempfile::tempdir().unwrap();
    let other = SampleHome::new(outside.path(), Layout::Linux);
    other
        .chromium_profile("chrome", "Default", "P")
        .workspace(NOTION_WWW, "ws-1", "A", "u")
        .write()
        .unwrap();
    #[cfg(unix)]
    {
        std::os::unix::fs::symlink(outside.path().join(".config"), fx.home().join("elsewhere"))
            .unwrap();
        let mut linked = s.clone();
        linked.store_path = fx
            .home()
            .join("elsewhere/google-chrome/Default/Local Storage/leveldb")
            .display()
            .to_string();
        let err = plan_fix(&call("remove-workspace-entry", Some(&linked)), &c).unwrap_err();
        assert!(matches!(err, FixError::UnsafePath { .. }), "{err}");
    }
    let err = plan_fix(&call("delete-everything", Some(&s)), &c).unwrap_err();
    assert!(matches!(err, FixError::UnknownAction { .. }), "{err}");
    let err = plan_fix(&call("remove-workspace-entry", None), &c).unwrap_err();
    assert!(matches!(err, FixError::BadParams { .. }), "{err}");
}

#[test]
fn a_corrupt_journal_is_a_clear_error_and_backups_are_kept() {
    let fx = Env::new();
    chrome_home(&fx, None);
    let home = fx.probe_home(Layout::Linux);
    let state = fx.state();
    let s = fx.session(Layout::Linux, Source::Browser, "Chrome", "ws-1");
    let c = ctx(&home, &state);
    let plan = plan_fix(&call("remove-workspace-entry", Some(&s)), &c).unwrap();
    let applied = fix::apply(&plan, &c).unwrap();
    std::fs::write(
        state.join("journal.sqlite"),
        b"this is not a database, it was damaged",
    )
    .unwrap();
    let err = fix::undo(&state, Some(&home), None, false).unwrap_err();
    assert!(matches!(err, FixError::Journal { .. }), "{err}");
    assert!(err.to_string().contains("manifest.json"), "{err}");
    assert!(fix::list_undoable(&state).is_err());
    assert!(
        state
            .join("backups")
            .join(&applied.backup_id)
            .join("manifest.json")
            .is_file()
    );
}

// ------------------------------------------------------------ SIGKILL loop

const KILL_HOME: &str = "TROUBLESHOOT_TEST_KILL_HOME";
const KILL_STATE: &str = "TROUBLESHOOT_TEST_KILL_STATE";
const KILL_MODE: &str = "TROUBLESHOOT_TEST_KILL_MODE";

/// A Chrome profile big enough that apply takes a while: the workspace,
/// another key of the same origin, a decoy, many keys of other sites and
/// of Notion in a log of Chromium's size (many batches, past 32 KiB
/// blocks), plus Notion cookies.
fn kill_template(root: &Path) {
    let h = SampleHome::new(root, Layout::Linux);
    let mut p = h
        .chromium_profile("chrome", "Default", "Person 1")
        .workspace(NOTION_WWW, "ws-1", "Acme Corp", "u-1")
        .ls_key(NOTION_WWW, "theme", "dark")
        .ls_key(DECOY_ORIGIN, "notion:workspace:ws-1", "decoy")
        .cookie(".notion.so", "token_v2", "secret")
        .cookie(".example.com", "sid", "other");
    for i in 0..3000 {
        p = p.ls_key(
            &format!("https://site{}.example", i % 50),
            &format!("k{i}"),
            &"v".repeat(200),
        );
    }
    p.filler(NOTION_WWW, FILLERS, 300)
        .batch(250)
        .write()
        .unwrap();
}

/// Run by the kill loop in a child process (the test binary re-invoked):
/// apply `clear-site-data` (LevelDB and Cookies) to the home it is given.
#[test]
#[ignore = "helper run by the sigkill_* tests in a child process"]
fn kill_child_applies_a_fix() {
    let (Ok(root), Ok(state)) = (std::env::var(KILL_HOME), std::env::var(KILL_STATE)) else {
        return;
    };
    let spec = testkit::notion_spec();
    let home = Home::new(PathBuf::from(&root), Layout::Linux, true);
    let state = PathBuf::from(state);
    if std::env::var(KILL_MODE).as_deref() == Ok("undo") {
        fix::undo(&state, Some(&home), None, false).unwrap();
        println!("KILL-CHILD-UNDONE");
        return;
    }
    let s = scan(&home, spec)
        .sessions
        .into_iter()
        .find(|s| s.workspace_id == "ws-1")
        .expect("session");
    let c = FixContext {
        home: &home,
        state_dir: &state,
        run_id: RUN,
    };
    let action = if std::process::id().is_multiple_of(2) {
        "clear-site-data"
    } else {
        "remove-workspace-entry"
    };
    let plan = plan_fix(&call(action, Some(&s)), &c).unwrap();
    fix::apply(&plan, &c).unwrap();
    println!("KILL-CHILD-APPLIED");
}

fn spawn_child(root: &Path, state: &Path) -> std::process::Child {
    spawn_child_mode(root, state, "apply")
}

fn spawn_child_mode(root: &Path, state: &Path, mode: &str) -> std::process::Child {
    // `/proc/self/exe` still works when a concurrent build replaced the
    // test binary on disk while this test runs.
    let exe = if Path::new("/proc/self/exe").exists() {
        PathBuf::from("/proc/self/exe")
    } else {
        std::env::current_exe().unwrap()
    };
    Command::new(exe)
        .env(KILL_MODE, mode)
        .args([
            "--exact",
            "fixes::kill_child_applies_a_fix",
            "--ignored",
            "--nocapture",
            "--test-threads=1",
        ])
        .env(KILL_HOME, root)
        .env(KILL_STATE, state)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap()
}

/// Poll until `<state>/backups` exists (the child is about to write) or the
/// child exits; returns when it appeared, from now.
fn wait_for_backup(state: &Path, child: &mut std::process::Child) -> Option<Duration> {
    let t = Instant::now();
    let dir = state.join("backups");
    while t.elapsed() < Duration::from_secs(30) {
        if dir.exists() {
            return Some(t.elapsed());
        }
        if let Ok(Some(_)) = child.try_wait() {
            return None;
        }
        std::thread::sleep(Duration::from_micros(200));
    }
    None
}

/// Tiny xorshift: random delays without a crate; the seed is printed.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
}

#[cfg(unix)]
#[test]
fn sigkill_during_apply_leaves_original_or_undoable_store() {
    let base = tempfile::tempdir().unwrap();
    let template = base.path().join("template");
    kill_template(&template);
    let profile_rel = ".config/google-chrome/Default";
    let original = tree_hashes(&template.join(profile_rel), &["LOCK"]);

    // Calibrate: how long a whole child run takes, and how long its write
    // phase (from the backup folder appearing to the end) lasts.
    let mut full = Duration::ZERO;
    let mut phase = Duration::ZERO;
    for i in 0..2 {
        let root = base.path().join(format!("cal-{i}"));
        let state = base.path().join(format!("cal-state-{i}"));
        copy_tree(&template, &root);
        let t = Instant::now();
        let mut child = spawn_child(&root, &state);
        let seen = wait_for_backup(&state, &mut child);
        let out = child.wait_with_output().unwrap();
        full = full.max(t.elapsed());
        phase = phase.max(t.elapsed() - seen.unwrap_or(Duration::ZERO));
        assert!(
            String::from_utf8_lossy(&out.stdout).contains("KILL-CHILD-APPLIED"),
            "calibration run failed"
        );
    }
    let seed = std::env::var("TROUBLESHOOT_KILL_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap()
                .as_nanos() as u64
                | 1
        });
    eprintln!("kill loop: seed {seed}, full run {full:?}, write phase {phase:?}");
    let mut rng = Rng(seed);
    let (mut untouched, mut mid, mut done, mut later_writes) = (0, 0, 0, 0);
    for i in 0..50 {
        let root = base.path().join(format!("run-{i}"));
        let state = base.path().join(format!("state-{i}"));
        copy_tree(&template, &root);
        let mut child = spawn_child(&root, &state);
        // Even iterations: a random moment of the whole run. Odd ones: a
        // random moment once the backup folder appears, so that many kills
        // land while the store is being written.
        let delay = if i % 2 == 0 {
            let d = Duration::from_micros(rng.next() % (full.as_micros() as u64 + 1));
            std::thread::sleep(d);
            d
        } else {
            let seen = wait_for_backup(&state, &mut child).unwrap_or(Duration::ZERO);
            let d = Duration::from_micros(rng.next() % (phase.as_micros() as u64 + 1));
            std::thread::sleep(d);
            seen + d
        };
        let _ = child.kill(); // SIGKILL
        let _ = child.wait();
        let profile = root.join(profile_rel);
        let home = Home::new(root.clone(), Layout::Linux, true);
        let pending = fix::list_undoable(&state)
            .unwrap_or_else(|e| panic!("iteration {i} (delay {delay:?}): {e}"));
        if pending.is_empty() {
            assert_eq!(
                tree_hashes(&profile, &["LOCK"]),
                original,
                "iteration {i} (delay {delay:?}): no fix journaled, store must be original"
            );
            untouched += 1;
            continue;
        }
        if pending[0].status == fix::JournalStatus::Applied {
            done += 1;
        } else {
            mid += 1;
        }
        if pending[0].status == fix::JournalStatus::Started && mid == 1 {
            // The next scan says a fix was interrupted and how to undo it.
            let o = std::process::Command::new(crate::util::BIN)
                .args(["scan", "--layout", "linux", "--root"])
                .arg(&root)
                .arg("--state-dir")
                .arg(&state)
                .output()
                .unwrap();
            let err = String::from_utf8_lossy(&o.stderr);
            assert!(
                err.contains("was interrupted") && err.contains("troubleshoot undo"),
                "{err}"
            );
        }
        // Every fourth journaled kill: the browser opens the profile and
        // writes before the undo. Undo must never lose that write, and must
        // put back everything the fix removed.
        let ldb = profile.join("Local Storage/leveldb");
        let later = testkit::encode::ls_entry_key(NOTION_WWW, "written-later");
        let browser_wrote = (mid + done) % 4 == 1 && cpp_leveldb_put(&ldb, &later, b"\x01later");
        fix::undo(&state, Some(&home), None, false).unwrap_or_else(|e| {
            panic!(
                "iteration {i} (delay {delay:?}, status {}): undo failed: {e}",
                pending[0].status
            )
        });
        if browser_wrote {
            later_writes += 1;
            let now = leveldb_entries(&ldb);
            let mut want =
                leveldb_entries(&template.join(profile_rel).join("Local Storage/leveldb"));
            want.insert(later.clone(), b"\x01later".to_vec());
            assert!(
                now == want,
                "iteration {i} (status {}): after the browser wrote, undo must keep its write and put back the rest",
                pending[0].status
            );
            continue;
        }
        assert_eq!(
            tree_hashes(&profile, &["LOCK"]),
            original,
            "iteration {i} (delay {delay:?}, status {}): undo must restore exactly",
            pending[0].status
        );
    }
    eprintln!(
        "kill loop: {untouched} before any change, {mid} mid-apply, {done} after apply; {later_writes} undone after a later browser write"
    );
    assert!(
        mid > 0,
        "no kill landed while the store was being written (seed {seed})"
    );
}

/// Every key and value of a LevelDB (Local Storage), read as the scan does.
fn leveldb_entries(dir: &Path) -> std::collections::BTreeMap<Vec<u8>, Vec<u8>> {
    troubleshoot::readers::leveldb::read(dir, troubleshoot::readers::leveldb::Select::All)
        .unwrap()
        .entries
}

/// A copy of the kill template with `action` applied in-process.
#[cfg(unix)]
fn applied_copy(template: &Path, root: &Path, state: &Path, action: &str) {
    copy_tree(template, root);
    let spec = testkit::notion_spec();
    let home = Home::new(root.to_path_buf(), Layout::Linux, true);
    let s = scan(&home, spec)
        .sessions
        .into_iter()
        .find(|s| s.workspace_id == "ws-1")
        .unwrap();
    let c = FixContext {
        home: &home,
        state_dir: state,
        run_id: RUN,
    };
    let plan = plan_fix(&call(action, Some(&s)), &c).unwrap();
    fix::apply(&plan, &c).unwrap();
}

/// Kill an undo midway, then undo again: the store comes back exactly.
#[cfg(unix)]
#[test]
fn sigkill_during_undo_then_undo_again_restores_exactly() {
    let base = tempfile::tempdir().unwrap();
    let template = base.path().join("template");
    kill_template(&template);
    let profile_rel = ".config/google-chrome/Default";
    let original = tree_hashes(&template.join(profile_rel), &["LOCK"]);
    // Calibrate: a whole undo child run.
    let (root, state) = (base.path().join("cal"), base.path().join("cal-state"));
    applied_copy(&template, &root, &state, "clear-site-data");
    let t = Instant::now();
    let out = spawn_child_mode(&root, &state, "undo")
        .wait_with_output()
        .unwrap();
    let full = t.elapsed();
    assert!(String::from_utf8_lossy(&out.stdout).contains("KILL-CHILD-UNDONE"));
    let seed = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos() as u64
        | 1;
    let mut rng = Rng(seed);
    let span = full.as_micros() as u64 + 1;
    let (mut before, mut mid, mut finished) = (0, 0, 0);
    for i in 0..20 {
        let root = base.path().join(format!("u-run-{i}"));
        let state = base.path().join(format!("u-state-{i}"));
        let action = if i % 2 == 0 {
            "clear-site-data"
        } else {
            "remove-workspace-entry"
        };
        applied_copy(&template, &root, &state, action);
        let home = Home::new(root.clone(), Layout::Linux, true);
        let mut child = spawn_child_mode(&root, &state, "undo");
        let delay = Duration::from_micros(rng.next() % span);
        std::thread::sleep(delay);
        let _ = child.kill();
        let _ = child.wait();
        match fix::list_undoable(&state)
            .unwrap()
            .first()
            .map(|e| e.status)
        {
            None => finished += 1,
            Some(fix::JournalStatus::Undoing) => mid += 1,
            Some(_) => before += 1,
        }
        match fix::undo(&state, Some(&home), None, false) {
            Ok(_) | Err(FixError::NothingToUndo { .. }) => {}
            Err(e) => panic!("iteration {i} (seed {seed}, delay {delay:?}): {e}"),
        }
        assert_eq!(
            tree_hashes(&root.join(profile_rel), &["LOCK"]),
            original,
            "iteration {i} (seed {seed}, delay {delay:?})"
        );
    }
    eprintln!(
        "undo kill loop: seed {seed}, full run {full:?}: {before} before, {mid} mid-undo, {finished} finished"
    );
}

#[test]
fn refused_while_firefox_holds_its_profile_lock() {
    let fx = Env::new();
    let profile = fx
        .sample(Layout::Linux)
        .firefox_profile("abcd1234.default-release", "default-release")
        .workspace(NOTION_WWW, "ws-1", "Acme Corp", "u-1")
        .lock(std::process::id())
        .write()
        .unwrap();
    let home = fx.probe_home(Layout::Linux);
    let state = fx.state();
    let before = tree_hashes(&profile, &["LOCK"]);
    let s = fx.session(Layout::Linux, Source::Browser, "Firefox", "ws-1");
    let c = ctx(&home, &state);
    for action in ["remove-workspace-entry", "clear-site-data"] {
        let plan = plan_fix(&call(action, Some(&s)), &c).unwrap();
        let reason = fix::owner_running(&plan, &c).expect("Firefox runs");
        assert!(
            reason.contains("Firefox") && reason.contains("lock"),
            "{reason}"
        );
        assert!(fix::apply(&plan, &c).unwrap_err().is_owner_running());
    }
    assert_eq!(tree_hashes(&profile, &["LOCK"]), before);
}

#[test]
fn applied_reports_what_changed_without_values() {
    let fx = Env::new();
    chrome_home(&fx, None);
    let home = fx.probe_home(Layout::Linux);
    let state = fx.state();
    let s = fx.session(Layout::Linux, Source::Browser, "Chrome", "ws-1");
    let c = ctx(&home, &state);
    let plan = plan_fix(&call("clear-site-data", Some(&s)), &c).unwrap();
    let j = plan.to_json(&home).to_string();
    assert!(!j.contains("secret"), "no cookie values in a plan: {j}");
    let applied = fix::apply(&plan, &c).unwrap();
    assert_eq!(applied.cookies_removed, 2);
    let j = applied.to_json(&home);
    assert_eq!(j["backup_id"], RUN);
    assert!(!j.to_string().contains("secret"));
    assert!(!applied.changed.is_empty() || !applied.created.is_empty());
    // A second fix in the same run gets its own backup; undo RUN undoes both.
    let entries = fix::list_undoable(&state).unwrap();
    assert_eq!(entries.len(), 1);
    assert!(entries[0].to_string().contains("clear-site-data"));
}

/// A journal emptied (or replaced by an empty database) while backups remain:
/// undo says where the backups are instead of "nothing to undo".
#[test]
fn empty_journal_beside_backups_points_at_the_backups() {
    let env = crate::util::Env::new();
    env.sample(troubleshoot::probe::Layout::Linux)
        .chromium_profile("chrome", "Default", "Person 1")
        .workspace(crate::util::NOTION, "ws-1", "Acme", "u-1")
        .write()
        .unwrap();
    let o = env.run(
        "linux",
        &[
            "run",
            "--answer",
            "goal=remove-one",
            "--answer",
            "workspace=ws-1",
            "--answer",
            "method=clear-site",
            "--yes",
        ],
    );
    assert_eq!(o.status.code(), Some(0), "{}", crate::util::stderr(&o));
    std::fs::write(env.state().join("journal.sqlite"), b"").unwrap();
    let o = env.run("linux", &["undo"]);
    let err = crate::util::stderr(&o);
    assert_eq!(o.status.code(), Some(1), "{err}");
    assert!(
        err.contains("backups are kept in") && err.contains("manifest.json"),
        "{err}"
    );
    assert!(
        env.state()
            .join("backups")
            .read_dir()
            .unwrap()
            .next()
            .is_some(),
        "no backup deleted"
    );
}

/// A journal someone else wrote to: a file row pointing outside the home,
/// a backup copy outside the backup folder, a mode beyond permission bits.
/// Each is refused with the reason, with and without --force, and nothing
/// outside the store changes.
#[test]
fn tampered_journal_rows_are_refused_with_and_without_force() {
    type Tamper = fn(&rusqlite::Connection, &Path);
    let cases: [(&str, Tamper); 4] = [
        ("path outside the home", |j, victim| {
            j.execute(
                "UPDATE files SET path = ?1 WHERE path LIKE '%.log'",
                [victim.to_str().unwrap()],
            )
            .unwrap();
        }),
        ("path of another file of the home", |j, _| {
            j.execute(
                "UPDATE files SET path = replace(path, 'Local Storage/leveldb', 'Local Storage') WHERE path LIKE '%.log'",
                [],
            )
            .unwrap();
        }),
        ("backup outside its folder", |j, _| {
            j.execute(
                "UPDATE files SET backup = '../../../victim' WHERE path LIKE '%.log'",
                [],
            )
            .unwrap();
        }),
        ("mode beyond permission bits", |j, _| {
            j.execute("UPDATE files SET mode = 4095 WHERE path LIKE '%.log'", [])
                .unwrap();
        }),
    ];
    for (what, tamper) in cases {
        for force in [false, true] {
            let fx = Env::new();
            let profile = chrome_home(&fx, None);
            let home = fx.probe_home(Layout::Linux);
            let state = fx.state();
            let victim = fx.dir.path().join("victim");
            std::fs::write(&victim, b"precious").unwrap();
            let s = fx.session(Layout::Linux, Source::Browser, "Chrome", "ws-1");
            let c = ctx(&home, &state);
            let plan = plan_fix(&call("remove-workspace-entry", Some(&s)), &c).unwrap();
            fix::apply(&plan, &c).unwrap();
            let after_fix = tree_hashes(&profile, &["LOCK"]);
            let j = rusqlite::Connection::open(state.join("journal.sqlite")).unwrap();
            tamper(&j, &victim);
            drop(j);
            let err = fix::undo(&state, Some(&home), None, force).unwrap_err();
            assert!(
                matches!(err, FixError::UnsafePath { .. } | FixError::Backup { .. }),
                "{what} (force {force}): {err}"
            );
            assert_eq!(std::fs::read(&victim).unwrap(), b"precious", "{what}");
            assert_eq!(
                tree_hashes(&profile, &["LOCK"]),
                after_fix,
                "{what}: nothing changed"
            );
        }
    }
}

/// A symlinked LOCK, Cookies or leveldb folder in a hostile home: the fix
/// refuses and the link's target is untouched.
#[cfg(unix)]
#[test]
fn symlinks_in_a_store_never_let_a_write_leave_it() {
    use std::os::unix::fs::symlink;
    type Plant = fn(&Path, &Path);
    let cases: [(&str, &str, Plant); 3] = [
        ("LOCK", "remove-workspace-entry", |profile, victim| {
            let lock = profile.join("Local Storage/leveldb/LOCK");
            let _ = std::fs::remove_file(&lock);
            symlink(victim, &lock).unwrap();
        }),
        ("Cookies", "clear-site-data", |profile, victim| {
            let cookies = profile.join("Cookies");
            std::fs::copy(&cookies, victim).unwrap();
            std::fs::remove_file(&cookies).unwrap();
            symlink(victim, &cookies).unwrap();
        }),
        (
            "leveldb folder",
            "remove-workspace-entry",
            |profile, victim| {
                let ldb = profile.join("Local Storage/leveldb");
                std::fs::remove_file(victim).unwrap();
                std::fs::rename(&ldb, victim).unwrap();
                symlink(victim, &ldb).unwrap();
            },
        ),
    ];
    for (what, action, plant) in cases {
        let fx = Env::new();
        let profile = chrome_home(&fx, None);
        let home = fx.probe_home(Layout::Linux);
        let state = fx.state();
        let s = fx.session(Layout::Linux, Source::Browser, "Chrome", "ws-1");
        let c = ctx(&home, &state);
        let plan = plan_fix(&call(action, Some(&s)), &c).unwrap();
        // The victim sits inside the home, so only the link checks stop it.
        let victim = fx.home().join("victim");
        std::fs::write(&victim, b"precious").unwrap();
        plant(&profile, &victim);
        let before = tree_hashes(&fx.home(), &[]);
        let err = fix::apply(&plan, &c).unwrap_err();
        assert!(
            err.to_string().contains("link") || err.to_string().contains("symlink"),
            "{what}: {err}"
        );
        assert_eq!(
            tree_hashes(&fx.home(), &[]),
            before,
            "{what}: nothing changed"
        );
    }
}

/// SIGINT or SIGTERM while the binary writes a store: the atomic step
/// finishes or rolls back first, then the run says which, and exits 130
/// only when nothing stays changed. No private temp copy is left behind.
#[cfg(unix)]
#[test]
fn a_signal_during_a_fix_lets_the_write_finish_and_tells_the_truth() {
    let base = tempfile::tempdir().unwrap();
    let template = base.path().join("template");
    kill_template(&template);
    let profile_rel = ".config/google-chrome/Default";
    let original = tree_hashes(&template.join(profile_rel), &["LOCK"]);
    let mut seen = std::collections::BTreeSet::new();
    for (i, sig) in ["INT", "TERM", "INT", "TERM", "INT", "TERM"]
        .iter()
        .enumerate()
    {
        let root = base.path().join(format!("run-{i}"));
        let state = base.path().join(format!("state-{i}"));
        copy_tree(&template, &root);
        let mut child = Command::new(crate::util::BIN)
            .args(["--root"])
            .arg(&root)
            .args(["--layout", "linux", "--state-dir"])
            .arg(&state)
            .args([
                "run",
                "--answer",
                "goal=remove-one",
                "--answer",
                "workspace=ws-1",
            ])
            .args(["--answer", "method=clear-site", "--yes"])
            .env("NO_COLOR", "1")
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        // Half the time the moment the backup appears (mid-write), half a
        // little later (verify).
        let _ = wait_for_backup(&state, &mut child);
        std::thread::sleep(Duration::from_millis(if i % 2 == 0 { 0 } else { 40 }));
        let _ = Command::new("kill")
            .args([&format!("-{sig}"), &child.id().to_string()])
            .status();
        let out = child.wait_with_output().unwrap();
        let code = out.status.code();
        let err = String::from_utf8_lossy(&out.stderr).into_owned();
        assert!(!err.contains("panicked"), "{err}");
        let profile = root.join(profile_rel);
        let pending = fix::list_undoable(&state).unwrap();
        let applied = pending
            .iter()
            .any(|e| e.status == fix::JournalStatus::Applied);
        assert!(
            pending
                .iter()
                .all(|e| e.status != fix::JournalStatus::Started),
            "the write finished or rolled back before the exit: {pending:?}\n{err}"
        );
        match code {
            Some(130) | Some(143) => {
                assert!(!applied, "exit {code:?} with a fix applied:\n{err}");
                assert_eq!(
                    tree_hashes(&profile, &["LOCK"]),
                    original,
                    "exit {code:?} changed the store"
                );
            }
            Some(0) | Some(1) => {
                if applied {
                    assert!(
                        err.contains("stays applied") || err.contains("is gone"),
                        "{err}"
                    );
                    assert!(err.contains("troubleshoot undo"), "{err}");
                    let home = Home::new(root.clone(), Layout::Linux, true);
                    fix::undo(&state, Some(&home), None, false).unwrap();
                    assert_eq!(tree_hashes(&profile, &["LOCK"]), original);
                }
            }
            other => panic!("exit {other:?}:\n{err}"),
        }
        seen.insert((code, applied));
    }
    eprintln!("signal outcomes (exit, applied): {seen:?}");
    // No private temp copy of this test's runs is left in $TMPDIR.
    let left: Vec<_> = std::fs::read_dir(std::env::temp_dir())
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(troubleshoot::signals::TEMP_PREFIX))
        .filter(|n| {
            n.trim_start_matches(troubleshoot::signals::TEMP_PREFIX)
                .split('-')
                .next()
                .and_then(|p| p.parse::<i64>().ok())
                .is_some_and(|pid| !troubleshoot::probe::running::pid_alive(pid))
        })
        .collect();
    assert!(left.is_empty(), "temp copies left behind: {left:?}");
}

/// Current-build keys (the families DESIGN.md lists from real stores):
/// remove-workspace-entry deletes every key the patterns match for the
/// chosen account and workspace (the pair families, the
/// `lastVisitedRouteSpaceId` envelope pointing at it, and a `BlockFrecency`
/// key written after the scan), keeps the other account's and workspace's
/// keys and the account-wide preferences, names the workspace by its label
/// (never "workspace workspace …", never the raw id) and verifies on a fresh
/// scan; clear-site-data lists the chosen session's keys and what each
/// cookie is. Undo is byte-identical.
#[test]
fn fixes_follow_the_session_model_of_current_builds() {
    use testkit::encode::{ls_entry_key, ls_string};
    use testkit::notion::{NotionLocalStorage, notion_users};
    use troubleshoot::readers::leveldb::{BatchOp, StoreLock, write_batch};
    const U1: &str = "0f8fad5b-d9cb-469f-a165-70867728950e";
    const U2: &str = "1b4e28ba-2fa1-41d2-883f-0016d3cca427";
    const S1: &str = "7c9e6679-7425-40de-944b-e07fc1f90ae7";
    const S2: &str = "6fa459ea-ee8a-4ca4-894e-db77e160355e";
    let lps = |user: &str, rest: &str| format!("LRU:LocalPreferenceStore3:{user}:{rest}");
    // The keys `workspace_of(user, space)` writes.
    let pair_keys = |user: &str, space: &str| {
        vec![
            format!("LRU:KeyValueStore2:onAppStartPreference:{user}:{space}"),
            format!("LRU:KeyValueStore2:searchFrecency:{space}:{user}:0"),
            format!("LRU:KeyValueStore2:userSignals:{space}:{user}:0"),
            format!("BlockFrecency:{user}:{space}:version"),
            format!("BlockFrecency:{user}:{space}:3:keys"),
            lps(user, &format!("UserSharedPagesInSpace:{user}:{space}")),
            lps(user, &format!("SubscriptionData:{space}:v2")),
            lps(user, &format!("{space}:analytics_session")),
        ]
    };
    let fx = Env::new();
    let profile = fx
        .sample(Layout::Linux)
        .chromium_profile("chrome", "Default", "Person 1")
        .envelope(NOTION_WWW, "current-user-id", serde_json::json!(U1))
        .last_visited(NOTION_WWW, U1, S1)
        .account_used(NOTION_WWW, U1)
        .account_used(NOTION_WWW, U2)
        .workspace_of(NOTION_WWW, U1, S1)
        .workspace_of(NOTION_WWW, U1, S2)
        .workspace_of(NOTION_WWW, U2, S1)
        .workspace_of(NOTION_WWW, U2, S2)
        .ls_key(NOTION_WWW, "theme", "dark")
        .ls_key(
            DECOY_ORIGIN,
            &format!("LRU:KeyValueStore2:onAppStartPreference:{U1}:{S1}"),
            "decoy",
        )
        .cookie("www.notion.so", "notion_user_id", U1)
        .cookie(".notion.so", "notion_users", &notion_users(&[U1, U2]))
        .cookie(".www.notion.so", "token_v2", "SECRET-fix-token")
        .write()
        .unwrap();
    let home = fx.probe_home(Layout::Linux);
    let state = fx.state();
    let all = fx.sessions(Layout::Linux);
    let s = all
        .iter()
        .find(|s| s.workspace_id == S1 && s.user_id.as_deref() == Some(U1))
        .cloned()
        .unwrap_or_else(|| panic!("no session of {S1} for {U1}: {all:#?}"));
    assert_eq!(s.store_accounts, Some(2));
    // No store names the workspace: its label is a short form, not the id.
    assert!(!s.workspace_label.is_empty() && !s.workspace_label.contains(S1));
    // Notion writes a frecency key of the same session after the scan.
    let late = format!("BlockFrecency:{U1}:{S1}:3:late");
    let ldb = PathBuf::from(&s.store_path);
    {
        let lock = StoreLock::acquire(&ldb).unwrap();
        write_batch(
            &lock,
            &[BatchOp::Put(
                ls_entry_key(NOTION_WWW, &late),
                ls_string("[]"),
            )],
        )
        .unwrap();
    }
    let before = tree_hashes(&profile, &["LOCK"]);
    let c = ctx(&home, &state);
    let plan = plan_fix(&call("remove-workspace-entry", Some(&s)), &c).unwrap();
    let mut want = pair_keys(U1, S1);
    want.push(late);
    want.push("LRU:KeyValueStore2:lastVisitedRouteSpaceId".to_string());
    want.sort();
    assert_eq!(plan.keys, want);
    // The account by its label ("account 0f8fad5b"), never its raw id.
    assert!(
        s.account_label.starts_with("account "),
        "{}",
        s.account_label
    );
    let note = format!("({} of {})", s.workspace_label, s.account_label);
    assert!(
        plan.steps[..want.len()].iter().all(|l| l.ends_with(&note)),
        "{note}: {:?}",
        plan.steps
    );
    assert!(
        plan.steps
            .iter()
            .all(|l| !l.contains("workspace workspace") && !l.contains(&format!("({S1}"))),
        "{:?}",
        plan.steps
    );
    fix::apply(&plan, &c).unwrap();
    let left = ls_keys(&ldb, NOTION_WWW);
    let mut kept: Vec<String> = [(U1, S2), (U2, S1), (U2, S2)]
        .iter()
        .flat_map(|(u, sp)| pair_keys(u, sp))
        .collect();
    for u in [U1, U2] {
        for name in [
            "userSessionCount",
            "sourceInitialPage",
            "SearchShowFilterBar",
        ] {
            kept.push(lps(u, name));
        }
    }
    kept.extend([
        "LRU:KeyValueStore2:current-user-id".to_string(),
        "LRU:KeyValueStore2:lastVisitedRouteUserId".to_string(),
        "theme".to_string(),
    ]);
    kept.sort();
    assert_eq!(left, kept);
    assert_eq!(ls_keys(&ldb, DECOY_ORIGIN).len(), 1);
    // Fresh evidence: that session is gone, U2's session of S1 and U1's
    // of S2 remain.
    let now = fx.sessions(Layout::Linux);
    assert!(
        !now.iter()
            .any(|x| x.workspace_id == S1 && x.user_id.as_deref() == Some(U1))
    );
    for (ws, u) in [(S1, U2), (S2, U1)] {
        assert!(
            now.iter()
                .any(|x| x.workspace_id == ws && x.user_id.as_deref() == Some(u)),
            "{ws} {u}: {now:#?}"
        );
    }
    fix::undo(&state, Some(&home), Some(RUN), false).unwrap();
    assert_eq!(
        tree_hashes(&profile, &["LOCK"]),
        before,
        "undo is byte-identical"
    );

    // clear-site-data names the chosen session's keys and each cookie's role.
    let s = fx
        .sessions(Layout::Linux)
        .into_iter()
        .find(|s| s.workspace_id == S2 && s.user_id.as_deref() == Some(U2))
        .unwrap();
    let plan = plan_fix(&call("clear-site-data", Some(&s)), &c).unwrap();
    let steps = plan.steps.join("\n");
    // Each of the chosen session's keys, named by the workspace's label.
    let chosen = format!("{} of {})", s.workspace_label, s.account_label);
    for k in pair_keys(U2, S2) {
        let line = format!("delete Local Storage key {k} of {NOTION_WWW} (of the chosen session: ");
        assert!(
            plan.steps
                .iter()
                .any(|l| l.starts_with(&line) && l.ends_with(&chosen)),
            "{k}: {steps}"
        );
    }
    assert!(!steps.contains(&format!(": workspace {S2}")), "{steps}");
    assert!(
        steps.contains("delete cookie notion_users on .notion.so (lists every signed-in account)"),
        "{steps}"
    );
    assert!(
        steps.contains("delete cookie notion_user_id on www.notion.so (names the active account)"),
        "{steps}"
    );
    assert!(
        steps.contains("delete cookie token_v2 on .www.notion.so (a sign-in cookie)"),
        "{steps}"
    );
    assert!(!steps.contains("SECRET"));
    assert!(
        !serde_json::to_string(&plan.to_json(&home))
            .unwrap()
            .contains("SECRET")
    );
}
