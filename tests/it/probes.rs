//! Evidence probes against sample homes written in real formats, for every
//! OS layout.

use std::collections::BTreeMap;
use std::path::Path;

use testkit::{NOTION_APP, NOTION_WWW, SampleHome};

use crate::util::tree_hashes;
use troubleshoot::probe::{Layout, ScanReport, Session, scan};

const LAYOUTS: [Layout; 3] = [Layout::Linux, Layout::Macos, Layout::Windows];

fn scan_home(h: &SampleHome) -> ScanReport {
    scan(&h.home(), testkit::notion_spec())
}

/// (browser, profile, workspace id, name, user id) of a session.
type Planted = (String, String, String, Option<String>, Option<String>);

/// [`Planted`] of each session, sorted.
fn planted(r: &ScanReport) -> Vec<Planted> {
    let mut v: Vec<_> = r
        .sessions
        .iter()
        .map(|s: &Session| {
            (
                s.browser.clone(),
                s.profile.clone(),
                s.workspace_id.clone(),
                s.workspace_name.clone(),
                s.user_id.clone(),
            )
        })
        .collect();
    v.sort();
    v
}

fn row(b: &str, p: &str, id: &str, name: &str, user: &str) -> Planted {
    (
        b.into(),
        p.into(),
        id.into(),
        Some(name.into()),
        Some(user.into()),
    )
}

fn tmp() -> tempfile::TempDir {
    tempfile::tempdir().expect("temp dir")
}

/// One account with one workspace, in the real shape, in every layout.
#[test]
fn one_profile_one_workspace_every_layout() {
    use testkit::notion::NotionLocalStorage;
    let (user, ws) = (
        "0a0a0a0a-aaaa-4aaa-8aaa-0000000000aa",
        "05050505-1111-4111-8111-000000000111",
    );
    for layout in LAYOUTS {
        let t = tmp();
        let h = SampleHome::new(t.path(), layout);
        h.chromium_profile("chrome", "Default", "Person 1")
            .network_cookies(layout == Layout::Windows)
            .workspace_of(NOTION_WWW, user, ws)
            .short_ids(NOTION_WWW, &[(ws, "4242")])
            .cookie(".notion.so", "token_v2", "secret-token-value")
            .write()
            .unwrap();
        let r = scan_home(&h);
        assert_eq!(r.session_count, 1, "{layout:?}: {r:#?}");
        let s = &r.sessions[0];
        assert_eq!(
            (s.workspace_id.as_str(), s.user_id.as_deref()),
            (ws, Some(user))
        );
        assert_eq!(s.workspace_label, "workspace 4242");
        assert_eq!(s.store_id, "chrome/Default");
        assert!(s.keys.contains(&format!(
            "LRU:KeyValueStore2:onAppStartPreference:{user}:{ws}"
        )));
        assert_eq!(s.keys.len(), 8, "{:?}", s.keys);
        assert_eq!((s.store_sessions, s.store_accounts), (1, Some(1)));
        assert!(!s.sync_enabled);
        assert!(!s.running);
        assert_eq!(r.browsers.len(), 1);
        assert_eq!(r.browsers[0].app_cookies, vec!["token_v2".to_string()]);
        assert!(Path::new(&s.store_path).is_absolute());
        assert!(r.warnings.is_empty(), "{layout:?}: {:?}", r.warnings);
        assert!(!r.desktop_app.installed);
    }
}

/// The article's second case, in the real shape: two workspaces of one
/// account in one store are one account (one session), in Chrome and
/// Firefox, in every layout.
#[test]
fn two_workspaces_of_one_account_count_as_one_account() {
    use testkit::notion::NotionLocalStorage;
    let id = |k: u8, n: usize| testkit::notion::sample_id(k, n);
    for layout in LAYOUTS {
        let t = tmp();
        let h = SampleHome::new(t.path(), layout);
        h.chromium_profile("chrome", "Default", "Person 1")
            .network_cookies(layout == Layout::Windows)
            .workspace_of(NOTION_WWW, &id(0x0a, 1), &id(0x05, 1))
            .workspace_of(NOTION_WWW, &id(0x0a, 1), &id(0x05, 2))
            .sign_in_cookie()
            .write()
            .unwrap();
        h.firefox_profile("k3x9.default-release", "default-release")
            .workspace_of(NOTION_WWW, &id(0x0a, 2), &id(0x05, 3))
            .workspace_of(NOTION_WWW, &id(0x0a, 2), &id(0x05, 4))
            .sign_in_cookie()
            .write()
            .unwrap();
        let r = scan_home(&h);
        assert_eq!(r.session_count, 4, "{layout:?}: {r:#?}");
        for s in &r.sessions {
            assert_eq!(
                (s.store_sessions, s.store_accounts),
                (2, Some(1)),
                "{layout:?} {s:?}"
            );
            assert_eq!(s.account_workspace_labels.len(), 2);
        }
        assert!(
            r.browsers
                .iter()
                .all(|b| b.accounts == Some(1) && b.sessions == 2)
        );
        assert_eq!(r.max_store_accounts, 1);
        assert!(r.warnings.is_empty(), "{layout:?}: {:?}", r.warnings);
    }
}

#[test]
fn sync_on_in_chrome_and_firefox() {
    for layout in LAYOUTS {
        let t = tmp();
        let h = SampleHome::new(t.path(), layout);
        h.chromium_profile("chrome", "Default", "Synced")
            .workspace(NOTION_WWW, "ws-1", "One", "user-1")
            .sync(true)
            .write()
            .unwrap();
        h.chromium_profile("chrome", "Profile 1", "Local only")
            .workspace(NOTION_WWW, "ws-1", "One", "user-1")
            .write()
            .unwrap();
        h.firefox_profile("abcd.default-release", "default-release")
            .workspace(NOTION_WWW, "ws-1", "One", "user-1")
            .sync(true)
            .write()
            .unwrap();
        let r = scan_home(&h);
        let sync: BTreeMap<String, bool> = r
            .browsers
            .iter()
            .map(|b| (format!("{}/{}", b.browser_id, b.profile), b.sync_enabled))
            .collect();
        assert_eq!(
            sync.get("chrome/Synced"),
            Some(&true),
            "{layout:?} {sync:?}"
        );
        assert_eq!(sync.get("chrome/Local only"), Some(&false));
        assert_eq!(sync.get("firefox/default-release"), Some(&true));
        assert!(r.any_sync);
        for s in &r.sessions {
            assert_eq!(s.sync_enabled, s.profile != "Local only", "{s:?}");
        }
    }
}

#[test]
fn chrome_second_profile_on_app_origin_with_non_latin_name() {
    for layout in LAYOUTS {
        let t = tmp();
        let h = SampleHome::new(t.path(), layout);
        h.chromium_profile("chrome", "Default", "Person 1")
            .workspace(NOTION_WWW, "ws-acme", "Acme Corp", "user-1")
            .write()
            .unwrap();
        h.chromium_profile("chrome", "Profile 2", "Travail")
            .workspace(NOTION_APP, "ws-tokyo", "Équipe 東京", "user-2")
            .write()
            .unwrap();
        let r = scan_home(&h);
        assert_eq!(
            planted(&r),
            vec![
                row("Chrome", "Person 1", "ws-acme", "Acme Corp", "user-1"),
                row("Chrome", "Travail", "ws-tokyo", "Équipe 東京", "user-2"),
            ],
            "{layout:?}"
        );
        let tokyo = r
            .sessions
            .iter()
            .find(|s| s.workspace_id == "ws-tokyo")
            .unwrap();
        assert_eq!(tokyo.origin, NOTION_APP);
        assert_eq!(tokyo.store_id, "chrome/Profile 2");
        assert_eq!(r.browsers.len(), 2);
    }
}

#[test]
fn edge_brave_vivaldi_chromium_profiles() {
    for layout in LAYOUTS {
        let t = tmp();
        let h = SampleHome::new(t.path(), layout);
        for (id, ws) in [
            ("edge", "ws-e"),
            ("brave", "ws-b"),
            ("vivaldi", "ws-v"),
            ("chromium", "ws-c"),
        ] {
            h.chromium_profile(id, "Default", "Profile 1")
                .workspace(NOTION_WWW, ws, "Work", "user-1")
                .write()
                .unwrap();
        }
        let r = scan_home(&h);
        let mut got: Vec<(String, String)> = r
            .sessions
            .iter()
            .map(|s| (s.browser.clone(), s.workspace_id.clone()))
            .collect();
        got.sort();
        assert_eq!(
            got,
            vec![
                ("Brave".to_string(), "ws-b".to_string()),
                ("Chromium".to_string(), "ws-c".to_string()),
                ("Edge".to_string(), "ws-e".to_string()),
                ("Vivaldi".to_string(), "ws-v".to_string()),
            ],
            "{layout:?}"
        );
    }
}

#[test]
fn local_storage_compacted_and_in_log_both_read() {
    let t = tmp();
    let h = SampleHome::new(t.path(), Layout::Linux);
    h.chromium_profile("chrome", "Default", "Logged")
        .workspace(NOTION_WWW, "ws-log", "In log", "user-1")
        .write()
        .unwrap();
    h.chromium_profile("chrome", "Profile 1", "Compacted")
        .workspace(NOTION_WWW, "ws-ldb", "In table", "user-1")
        .compact(true)
        .write()
        .unwrap();
    let udd = t.path().join(".config/google-chrome");
    let has = |dir: &str, ext: &str| {
        std::fs::read_dir(udd.join(dir).join("Local Storage/leveldb"))
            .unwrap()
            .flatten()
            .any(|e| {
                e.file_name().to_string_lossy().ends_with(ext) && e.metadata().unwrap().len() > 0
            })
    };
    assert!(
        has("Profile 1", ".ldb"),
        "compacted profile has a table file"
    );
    assert!(
        !has("Default", ".ldb"),
        "fresh profile keeps data in the log"
    );
    let r = scan_home(&h);
    let mut ids: Vec<_> = r.sessions.iter().map(|s| s.workspace_id.clone()).collect();
    ids.sort();
    assert_eq!(ids, vec!["ws-ldb", "ws-log"]);
}

#[test]
fn firefox_cookies_only_in_wal() {
    for layout in LAYOUTS {
        let t = tmp();
        let h = SampleHome::new(t.path(), layout);
        let profile = h
            .firefox_profile("w4l.default-release", "default-release")
            .cookie(".notion.so", "token_v2", "wal-secret-token")
            .cookie(".notion.so", "notion_user_id", "user-wal")
            .cookies_in_wal(true)
            .write()
            .unwrap();
        let wal = profile.join("cookies.sqlite-wal");
        assert!(
            wal.metadata().map(|m| m.len() > 0).unwrap_or(false),
            "rows are in the WAL"
        );
        let r = scan_home(&h);
        let b = &r.browsers[0];
        assert_eq!(b.browser_id, "firefox");
        assert_eq!(
            b.app_cookies,
            vec!["notion_user_id".to_string(), "token_v2".to_string()],
            "{layout:?}"
        );
        assert_eq!(b.user_ids, vec!["user-wal".to_string()]);
        assert_eq!(b.accounts, Some(1));
        assert!(r.warnings.is_empty(), "{:?}", r.warnings);
        assert!(wal.exists(), "the scan left the WAL alone");
    }
}

#[test]
fn firefox_xdg_folder_and_installs_ini() {
    let t = tmp();
    let h = SampleHome::new(t.path(), Layout::Linux);
    h.firefox_profile("aaa.default", "default")
        .workspace(NOTION_WWW, "ws-1", "Classic", "user-1")
        .write()
        .unwrap();
    h.firefox_profile("bbb.default-release", "xdg")
        .xdg(true)
        .workspace(NOTION_WWW, "ws-2", "Xdg", "user-2")
        .write()
        .unwrap();
    h.firefox_profile("ccc.dev-edition", "ignored")
        .only_in_installs_ini()
        .workspace(NOTION_WWW, "ws-3", "Installs only", "user-3")
        .write()
        .unwrap();
    let r = scan_home(&h);
    let mut ids: Vec<_> = r.sessions.iter().map(|s| s.workspace_id.clone()).collect();
    ids.sort();
    assert_eq!(ids, vec!["ws-1", "ws-2", "ws-3"]);
    assert_eq!(r.browsers.len(), 3);
}

#[test]
fn firefox_long_values_are_snappy_compressed() {
    let t = tmp();
    let h = SampleHome::new(t.path(), Layout::Macos);
    let long_name = "Research & Development ".repeat(8);
    let long_name = long_name.trim();
    let profile = h
        .firefox_profile("snap.default-release", "default-release")
        .workspace(NOTION_WWW, "ws-long", long_name, "user-1")
        .write()
        .unwrap();
    let db = profile.join("storage/default/https+++www.notion.so/ls/data.sqlite");
    let conn = rusqlite::Connection::open(&db).unwrap();
    let comp: i64 = conn
        .query_row("SELECT compression_type FROM data", [], |r| r.get(0))
        .unwrap();
    drop(conn);
    assert_eq!(comp, 1);
    let r = scan_home(&h);
    assert_eq!(r.sessions[0].workspace_name.as_deref(), Some(long_name));
    assert_eq!(
        r.sessions[0].store_kind,
        troubleshoot::probe::StoreKind::FirefoxLsng
    );
}

#[test]
fn desktop_app_signed_in_through_google() {
    for layout in LAYOUTS {
        let t = tmp();
        let h = SampleHome::new(t.path(), layout);
        let data = h
            .desktop_app("Notion")
            .workspace(NOTION_WWW, "ws-desk", "Desk Co", "user-9")
            .cookie(".notion.so", "token_v2", "desk-secret")
            .google_account()
            .write()
            .unwrap();
        let r = scan_home(&h);
        let d = &r.desktop_app;
        assert!(d.installed, "{layout:?}");
        assert!(!d.running);
        assert_eq!(d.data_dir.as_deref(), Some(data.to_string_lossy().as_ref()));
        assert!(d.size_bytes > 0);
        assert_eq!((d.sessions, d.accounts), (1, Some(1)));
        assert_eq!(d.linked_accounts, vec!["google".to_string()]);
        assert_eq!(
            planted(&r),
            vec![row("Notion", "app", "ws-desk", "Desk Co", "user-9")]
        );
        let s = &r.sessions[0];
        assert_eq!(s.source, troubleshoot::probe::Source::Desktop);
        assert_eq!(s.linked_accounts, vec!["google".to_string()]);
        assert!(r.browsers.is_empty());
    }
}

/// The listing cookie is the whole truth: an account it lists that no key
/// names is a session with no workspace; the workspace the last visited
/// route names goes with its sibling account envelope.
#[test]
fn current_build_sessions_from_user_cookies() {
    use testkit::notion::NotionLocalStorage;
    let (ua, ub, sp) = (
        "0a0a0a0a-aaaa-4aaa-8aaa-0000000000aa",
        "0b0b0b0b-bbbb-4bbb-8bbb-0000000000bb",
        "05050505-1111-4111-8111-000000000111",
    );
    let t = tmp();
    let h = SampleHome::new(t.path(), Layout::Linux);
    h.chromium_profile("chrome", "Default", "Person 1")
        .envelope(NOTION_WWW, "current-user-id", serde_json::json!(ua))
        .last_visited(NOTION_WWW, ua, sp)
        .plain_cookie(
            ".notion.so",
            "notion_users",
            &testkit::notion::notion_users(&[ua, ub]),
        )
        .cookie(".notion.so", "token_v2", "secret")
        .write()
        .unwrap();
    let r = scan_home(&h);
    assert_eq!(r.session_count, 2, "{r:#?}");
    let first = &r.sessions[0];
    assert_eq!(first.workspace_id, sp);
    assert_eq!(first.user_id.as_deref(), Some(ua));
    assert_eq!(first.store_accounts, Some(2));
    assert_eq!(r.sessions[1].user_id.as_deref(), Some(ub));
    assert_eq!(r.sessions[1].workspace_label, "no workspace seen");
    assert_eq!(r.browsers[0].accounts, Some(2));
}

#[test]
fn running_from_lock_files() {
    let t = tmp();
    let h = SampleHome::new(t.path(), Layout::Linux);
    let me = std::process::id();
    h.chromium_profile("chrome", "Default", "Person 1")
        .workspace(NOTION_WWW, "ws-1", "One", "user-1")
        .singleton_lock(me)
        .write()
        .unwrap();
    h.firefox_profile("run.default", "default")
        .workspace(NOTION_WWW, "ws-2", "Two", "user-1")
        .lock(me)
        .write()
        .unwrap();
    h.firefox_profile("stale.default", "stale")
        .workspace(NOTION_WWW, "ws-3", "Three", "user-1")
        .lock(u32::MAX - 7)
        .write()
        .unwrap();
    let r = scan_home(&h);
    let running: BTreeMap<String, bool> = r
        .browsers
        .iter()
        .map(|b| (b.profile.clone(), b.running))
        .collect();
    assert_eq!(running.get("Person 1"), Some(&true));
    assert_eq!(running.get("default"), Some(&true));
    assert_eq!(running.get("stale"), Some(&false));
    let home = h.home();
    let udd = t
        .path()
        .join(".config/google-chrome/Default/Local Storage/leveldb");
    let why = troubleshoot::probe::running::store_in_use(&home, &udd).expect("in use");
    assert!(why.starts_with("Chrome"), "{why}");
}

#[test]
fn corrupt_stores_are_one_warning_each_and_healthy_profile_found() {
    for layout in LAYOUTS {
        let t = tmp();
        let h = SampleHome::new(t.path(), layout);
        // Healthy.
        h.chromium_profile("chrome", "Default", "Healthy")
            .workspace(NOTION_WWW, "ws-ok", "Fine", "user-1")
            .write()
            .unwrap();
        // Garbage Cookies.
        let bad_cookies = h
            .chromium_profile("chrome", "Profile 1", "Bad cookies")
            .write()
            .unwrap();
        for f in ["Cookies", "Network/Cookies"] {
            let p = bad_cookies.join(f);
            if p.exists() {
                std::fs::write(&p, b"this is not sqlite at all, just garbage bytes.....").unwrap();
            }
        }
        // LevelDB CURRENT naming a missing manifest.
        let bad_ldb = h
            .chromium_profile("chrome", "Profile 2", "Bad leveldb")
            .workspace(NOTION_WWW, "ws-lost", "Lost", "user-2")
            .write()
            .unwrap();
        std::fs::write(
            bad_ldb.join("Local Storage/leveldb/CURRENT"),
            b"MANIFEST-999999\n",
        )
        .unwrap();
        // Invalid Preferences.
        let bad_prefs = h
            .chromium_profile("chrome", "Profile 3", "Bad prefs")
            .write()
            .unwrap();
        std::fs::write(bad_prefs.join("Preferences"), b"{\"sync\": ").unwrap();
        // Invalid Local State (Edge): its Default profile is still found.
        let edge = h
            .chromium_profile("edge", "Default", "Edge person")
            .workspace(NOTION_WWW, "ws-edge", "Edgy", "user-3")
            .write()
            .unwrap();
        std::fs::write(edge.parent().unwrap().join("Local State"), b"not json").unwrap();
        // Random bytes as cookies.sqlite.
        let ff = h
            .firefox_profile("rnd.default-release", "random")
            .write()
            .unwrap();
        let noise: Vec<u8> = (0..4096u32)
            .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
            .collect();
        std::fs::write(ff.join("cookies.sqlite"), noise).unwrap();

        let r = scan_home(&h);
        let mut ids: Vec<_> = r.sessions.iter().map(|s| s.workspace_id.clone()).collect();
        ids.sort();
        assert_eq!(ids, vec!["ws-edge", "ws-ok"], "{layout:?}");
        let warned = |needle: &str| {
            r.warnings
                .iter()
                .filter(|w| w.path.contains(needle))
                .count()
        };
        assert_eq!(r.warnings.len(), 5, "{layout:?}: {:#?}", r.warnings);
        assert_eq!(warned("Profile 1"), 1);
        assert_eq!(warned("Profile 2"), 1);
        assert_eq!(warned("Profile 3"), 1);
        assert_eq!(warned("Local State"), 1);
        assert_eq!(warned("cookies.sqlite"), 1);
        assert!(
            r.warnings.iter().all(|w| w.path.starts_with('~')),
            "{:?}",
            r.warnings
        );
        assert_eq!(r.browsers.len(), 6, "every profile is listed");
    }
}

#[test]
fn scan_is_read_only() {
    for layout in LAYOUTS {
        let t = tmp();
        let h = SampleHome::new(t.path(), layout);
        h.chromium_profile("chrome", "Default", "Person 1")
            .workspace(NOTION_WWW, "ws-1", "One", "user-1")
            .cookie(".notion.so", "token_v2", "x")
            .sync(true)
            .write()
            .unwrap();
        h.chromium_profile("edge", "Default", "E")
            .workspace(NOTION_APP, "ws-2", "Two", "user-2")
            .compact(true)
            .write()
            .unwrap();
        h.firefox_profile("ro.default-release", "default-release")
            .workspace(NOTION_WWW, "ws-3", "Three", "user-3")
            .cookie(".notion.so", "token_v2", "y")
            .cookies_in_wal(true)
            .write()
            .unwrap();
        h.desktop_app("Notion")
            .workspace(NOTION_WWW, "ws-4", "Four", "user-4")
            .google_account()
            .write()
            .unwrap();
        let before = tree_hashes(t.path(), &[]);
        let r = scan_home(&h);
        assert_eq!(r.session_count, 4);
        let after = tree_hashes(t.path(), &[]);
        assert_eq!(
            before.keys().collect::<Vec<_>>(),
            after.keys().collect::<Vec<_>>(),
            "{layout:?}"
        );
        assert!(before == after, "{layout:?}: a file changed");
    }
}

#[test]
fn planted_cookie_values_never_appear_in_the_report() {
    let t = tmp();
    let h = SampleHome::new(t.path(), Layout::Linux);
    h.chromium_profile("chrome", "Default", "Person 1")
        .workspace(NOTION_WWW, "ws-1", "One", "user-1")
        .cookie(".notion.so", "token_v2", "SECRET-chrome-token-4242")
        .plain_cookie(".notion.so", "notion_browser_id", "SECRET-plain-browser-id")
        .write()
        .unwrap();
    h.firefox_profile("s.default", "default")
        .cookie(".notion.so", "token_v2", "SECRET-firefox-token-4242")
        .cookie("www.notion.so", "file_token", "SECRET-file-token")
        .google_account()
        .write()
        .unwrap();
    h.desktop_app("Notion")
        .plain_cookie(".notion.so", "token_v2", "SECRET-desktop-token")
        .google_account()
        .write()
        .unwrap();
    let r = scan_home(&h);
    let json = serde_json::to_string(&r).unwrap();
    assert!(!json.contains("SECRET"), "{json}");
    assert!(!json.contains("google-secret"), "{json}");
    assert!(json.contains("token_v2"));
}

#[test]
fn demo_and_bench_homes_scan() {
    let t = tmp();
    let home = troubleshoot::demo::demo_home_in(t.path(), Layout::Linux).unwrap();
    let r = scan(&home, testkit::notion_spec());
    // One account signed in in Chrome and in the app, with its two workspaces.
    assert!(r.any_sync);
    assert!(r.desktop_app.installed);
    assert_eq!(r.desktop_app.linked_accounts, vec!["google".to_string()]);
    assert_eq!(r.desktop_app.accounts, Some(1));
    assert_eq!(r.desktop_app.account_facts.signed_in, Some(true));
    let chrome = &r.browsers[0];
    assert_eq!(
        (chrome.accounts, chrome.account_facts.signed_in),
        (Some(1), Some(true))
    );
    // The demo also plants file_token and p_sync_session (secrets, as in a
    // real Notion store), but the sign-in is token_v2 alone: the spec's
    // session_cookies.
    assert_eq!(chrome.account_facts.sign_in_cookies, ["token_v2"]);
    let mut app: Vec<_> = r
        .sessions
        .iter()
        .filter(|s| s.store_id == "desktop")
        .map(|s| s.workspace_name.clone().unwrap_or_default())
        .collect();
    app.sort();
    assert_eq!(app, ["Acme Corp", "Acme Labs"]);
    assert!(
        r.sessions.iter().all(|s| s.user_id.is_some()),
        "no session without an account"
    );
    // The demo's own `v10` sealing and the reader's decryption agree.
    let cookies = home.root.join(".config/google-chrome/Default/Cookies");
    let blob: Vec<u8> = rusqlite::Connection::open(cookies)
        .unwrap()
        .query_row(
            "SELECT encrypted_value FROM cookies WHERE name = 'token_v2'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(
        troubleshoot::readers::cookie_crypto::decrypt_linux_v10(&blob, ".www.notion.so", Some(24))
            .unwrap(),
        "demo-secret-token"
    );

    let t = tmp();
    let home = testkit::bench_home(t.path(), 3, 500, 500).unwrap();
    let r = scan(&home, testkit::notion_spec());
    assert!(r.warnings.is_empty(), "{:?}", r.warnings);
    assert_eq!(
        r.session_count, 6,
        "two workspaces of one account per profile"
    );
    assert_eq!(r.browsers.len(), 3);
    assert!(r.browsers.iter().all(|b| b.app_cookies.len() == 5));
    assert!(r.browsers.iter().all(|b| b.accounts == Some(1)));
    // The log profile's short ids were rewritten last: the newest wins.
    let labels: Vec<_> = r
        .sessions
        .iter()
        .filter(|s| s.store_id.ends_with("Profile 1"))
        .map(|s| s.workspace_label.as_str())
        .collect();
    assert_eq!(labels, vec!["workspace 2000001", "workspace 2000011"]);
}

#[test]
fn delete_keys_removes_one_workspace_and_keeps_the_rest() {
    use troubleshoot::readers::leveldb::{BatchOp, StoreLock, read_local_storage, write_batch};
    let t = tmp();
    let h = SampleHome::new(t.path(), Layout::Linux);
    let profile = h
        .chromium_profile("chrome", "Default", "Person 1")
        .workspace(NOTION_WWW, "ws-keep", "Keep", "user-1")
        .workspace(NOTION_WWW, "ws-drop", "Drop", "user-1")
        .ls_key(NOTION_WWW, "theme", "dark")
        .ls_key(
            "https://example.com",
            "notion:workspace:ws-drop",
            "other origin",
        )
        .write()
        .unwrap();
    let r = scan_home(&h);
    let drop = r
        .sessions
        .iter()
        .find(|s| s.workspace_id == "ws-drop")
        .unwrap();
    let ldb = Path::new(&drop.store_path);
    let origins = vec![NOTION_WWW.to_string()];
    let raw: Vec<Vec<u8>> = read_local_storage(ldb, &origins)
        .unwrap()
        .entries
        .into_iter()
        .filter(|e| drop.keys.contains(&e.key))
        .map(|e| e.raw_key)
        .collect();
    assert_eq!(raw.len(), 1);
    let lock = StoreLock::acquire(ldb).unwrap();
    let ops: Vec<BatchOp> = raw.iter().cloned().map(BatchOp::Delete).collect();
    write_batch(&lock, &ops).unwrap();
    std::mem::drop(lock);
    let left: Vec<String> = read_local_storage(ldb, &origins)
        .unwrap()
        .entries
        .into_iter()
        .map(|e| e.key)
        .collect();
    assert_eq!(left, vec!["notion:workspace:ws-keep", "theme"]);
    let other = read_local_storage(ldb, &["https://example.com".to_string()]).unwrap();
    assert_eq!(other.entries.len(), 1, "other origins untouched");
    let r = scan_home(&h);
    assert_eq!(r.session_count, 1);
    assert_eq!(r.sessions[0].workspace_id, "ws-keep");
    assert!(profile.join("Local Storage/leveldb/CURRENT").is_file());
}

#[test]
fn desktop_app_running_from_singleton_lock() {
    let t = tmp();
    let h = SampleHome::new(t.path(), Layout::Macos);
    h.desktop_app("Notion")
        .workspace(NOTION_WWW, "ws-1", "One", "user-1")
        .singleton_lock(std::process::id())
        .write()
        .unwrap();
    let r = scan_home(&h);
    assert!(r.desktop_app.running);
    assert!(r.sessions[0].running);
}

/// A LevelDB `LOCK` held with fcntl by another process (as Chromium holds
/// it) marks the profile running. Needs python3 to hold the lock.
#[cfg(unix)]
#[test]
fn leveldb_lock_held_by_another_process_means_running() {
    use std::io::{BufRead, BufReader};
    use std::process::{Command, Stdio};
    let t = tmp();
    let h = SampleHome::new(t.path(), Layout::Linux);
    let profile = h
        .chromium_profile("chromium", "Default", "Person 1")
        .workspace(NOTION_WWW, "ws-1", "One", "user-1")
        .write()
        .unwrap();
    let lock = profile.join("Local Storage/leveldb/LOCK");
    assert!(lock.is_file());
    assert!(!scan_home(&h).browsers[0].running);
    let child = Command::new("python3")
        .args([
            "-c",
            "import fcntl,sys,time\nf=open(sys.argv[1],'r+')\nfcntl.lockf(f,fcntl.LOCK_EX)\nprint('locked',flush=True)\ntime.sleep(60)",
        ])
        .arg(&lock)
        .stdout(Stdio::piped())
        .spawn();
    let Ok(mut child) = child else {
        eprintln!("python3 not available; skipping");
        return;
    };
    let mut line = String::new();
    let out = child.stdout.take().unwrap();
    BufReader::new(out).read_line(&mut line).unwrap();
    assert_eq!(line.trim(), "locked");
    let r = scan_home(&h);
    let why = troubleshoot::probe::running::leveldb_lock_held(lock.parent().unwrap());
    let _ = child.kill();
    let _ = child.wait();
    assert!(r.browsers[0].running, "{r:#?}");
    assert!(r.sessions[0].running);
    assert!(why.unwrap().contains(&format!("process {}", child.id())));
}

#[test]
fn chromium_cookies_with_hot_journal_are_read() {
    // A crash mid-transaction leaves `Cookies-journal` (a hot journal): the
    // reader must roll it back in its copy, not fail and not touch the home.
    let t = tmp();
    let h = SampleHome::new(t.path(), Layout::Linux);
    let profile = h
        .chromium_profile("chrome", "Default", "Person 1")
        .cookie(".notion.so", "token_v2", "secret")
        .write()
        .unwrap();
    let db = profile.join("Cookies");
    let scratch = tmp();
    let work = scratch.path().join("Cookies");
    std::fs::copy(&db, &work).unwrap();
    let conn = rusqlite::Connection::open(&work).unwrap();
    conn.execute_batch(
        "PRAGMA journal_mode=DELETE; PRAGMA cache_size=1; BEGIN IMMEDIATE;
         DELETE FROM cookies;
         WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i+1 FROM n WHERE i < 3000)
         INSERT INTO cookies SELECT 0, 'x'||i||'.example', '', 'c', '', x'00', '/', 0,0,0,0,0,0,0,0,0,0,0,0,0 FROM n;",
    )
    .unwrap();
    let journal = scratch.path().join("Cookies-journal");
    assert!(journal.exists(), "transaction spilled to the journal");
    std::fs::copy(&work, &db).unwrap();
    std::fs::copy(&journal, profile.join("Cookies-journal")).unwrap();
    drop(conn);
    let before = tree_hashes(t.path(), &[]);
    let r = scan_home(&h);
    assert!(r.warnings.is_empty(), "{:?}", r.warnings);
    assert_eq!(r.browsers[0].app_cookies, vec!["token_v2".to_string()]);
    assert!(before == tree_hashes(t.path(), &[]));
}

#[test]
fn linux_snap_and_flatpak_installs() {
    let t = tmp();
    let h = SampleHome::new(t.path(), Layout::Linux);
    h.chromium_profile("chromium", "Default", "Snap person")
        .workspace(NOTION_WWW, "ws-snap", "Snap", "user-1")
        .write()
        .unwrap();
    h.firefox_profile("flat.default-release", "default-release")
        .workspace(NOTION_WWW, "ws-flat", "Flat", "user-2")
        .write()
        .unwrap();
    let snap = t.path().join("snap/chromium/common");
    std::fs::create_dir_all(&snap).unwrap();
    std::fs::rename(t.path().join(".config/chromium"), snap.join("chromium")).unwrap();
    let flat = t.path().join(".var/app/org.mozilla.firefox");
    std::fs::create_dir_all(&flat).unwrap();
    std::fs::rename(t.path().join(".mozilla"), flat.join(".mozilla")).unwrap();
    // A native Chromium profile too: store ids stay distinct.
    h.chromium_profile("chromium", "Default", "Native person")
        .workspace(NOTION_WWW, "ws-native", "Native", "user-3")
        .write()
        .unwrap();
    let r = scan_home(&h);
    let mut got: Vec<(String, String)> = r
        .sessions
        .iter()
        .map(|s| (s.store_id.clone(), s.workspace_id.clone()))
        .collect();
    got.sort();
    assert_eq!(
        got,
        vec![
            ("chromium/Default".to_string(), "ws-native".to_string()),
            ("chromium@snap/Default".to_string(), "ws-snap".to_string()),
            (
                "firefox/flat.default-release".to_string(),
                "ws-flat".to_string()
            ),
        ]
    );
}

/// `troubleshoot scan --json --root H --layout L` prints what the library
/// finds: the planted sessions, sync, the desktop app; exit 0 even with
/// broken stores; no cookie value in the output.
#[test]
fn scan_json_cli_lists_planted_sessions() {
    for layout in LAYOUTS {
        let t = tmp();
        let h = SampleHome::new(t.path(), layout);
        h.chromium_profile("chrome", "Default", "Person 1")
            .workspace(NOTION_WWW, "ws-a", "Alpha", "user-1")
            .cookie(".notion.so", "token_v2", "SECRET-cli-token")
            .sync(true)
            .write()
            .unwrap();
        h.chromium_profile("chrome", "Profile 1", "Zweit")
            .workspace(NOTION_APP, "ws-b", "Équipe 東京", "user-2")
            .write()
            .unwrap();
        h.chromium_profile("edge", "Default", "Edge")
            .workspace(NOTION_WWW, "ws-e", "Edge Co", "user-3")
            .write()
            .unwrap();
        h.firefox_profile("cli.default-release", "default-release")
            .cookie(".notion.so", "token_v2", "SECRET-cli-ff")
            .cookies_in_wal(true)
            .workspace(NOTION_WWW, "ws-f", "Fox", "user-4")
            .write()
            .unwrap();
        h.desktop_app("Notion")
            .workspace(NOTION_WWW, "ws-d", "Desk", "user-5")
            .google_account()
            .write()
            .unwrap();
        let broken = h
            .chromium_profile("chrome", "Profile 2", "Broken")
            .write()
            .unwrap();
        std::fs::write(broken.join("Preferences"), b"{").unwrap();

        let out = std::process::Command::new(env!("CARGO_BIN_EXE_troubleshoot"))
            .args(["scan", "--json", "--root"])
            .arg(t.path())
            .args(["--layout", layout.name()])
            .env("NO_COLOR", "1")
            .output()
            .unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert_eq!(
            out.status.code(),
            Some(0),
            "{layout:?}: {stdout}\n{}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(!stdout.contains("SECRET"), "{stdout}");
        let v: serde_json::Value = serde_json::from_str(&stdout).expect("scan --json prints JSON");
        assert_eq!(v["schema"], troubleshoot::probe::SCAN_SCHEMA);
        assert_eq!(v["session_count"], 5, "{layout:?}");
        let mut got: Vec<(String, String, String, String, String)> = v["sessions"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| {
                let f = |k: &str| s[k].as_str().unwrap_or_default().to_string();
                (
                    f("browser"),
                    f("profile"),
                    f("workspace_id"),
                    f("workspace_name"),
                    f("user_id"),
                )
            })
            .collect();
        got.sort();
        let want = |b: &str, p: &str, id: &str, n: &str, u: &str| {
            (
                b.to_string(),
                p.to_string(),
                id.to_string(),
                n.to_string(),
                u.to_string(),
            )
        };
        assert_eq!(
            got,
            vec![
                want("Chrome", "Person 1", "ws-a", "Alpha", "user-1"),
                want("Chrome", "Zweit", "ws-b", "Équipe 東京", "user-2"),
                want("Edge", "Edge", "ws-e", "Edge Co", "user-3"),
                want("Firefox", "default-release", "ws-f", "Fox", "user-4"),
                want("Notion", "app", "ws-d", "Desk", "user-5"),
            ],
            "{layout:?}"
        );
        let sync: BTreeMap<String, bool> = v["browsers"]
            .as_array()
            .unwrap()
            .iter()
            .map(|b| {
                (
                    format!(
                        "{}/{}",
                        b["browser_id"].as_str().unwrap(),
                        b["profile"].as_str().unwrap()
                    ),
                    b["sync_enabled"].as_bool().unwrap(),
                )
            })
            .collect();
        assert_eq!(sync.len(), 5, "every profile listed: {sync:?}");
        assert!(sync["chrome/Person 1"]);
        assert!(!sync["chrome/Zweit"]);
        assert_eq!(v["desktop_app"]["installed"], true);
        assert_eq!(
            v["desktop_app"]["linked_accounts"],
            serde_json::json!(["google"])
        );
        assert_eq!(
            v["warnings"].as_array().unwrap().len(),
            1,
            "{}",
            v["warnings"]
        );
    }
}

// ---------------------------------------------------------------------------
// What current Notion builds store: accounts and workspaces (issue 16).

const U1: &str = "0f8fad5b-d9cb-469f-a165-70867728950e";
const U2: &str = "1b4e28ba-2fa1-41d2-883f-0016d3cca427";
const S1: &str = "7c9e6679-7425-40de-944b-e07fc1f90ae7";
const S2: &str = "6fa459ea-ee8a-4ca4-894e-db77e160355e";
const S3: &str = "16fd2706-8baf-433b-82eb-8c7fada847da";

fn workspace_ids_of(r: &ScanReport, store: &str) -> Vec<String> {
    let mut v: Vec<String> = r
        .sessions
        .iter()
        .filter(|s| s.store_id == store && !s.workspace_id.is_empty())
        .map(|s| s.workspace_id.clone())
        .collect();
    v.sort();
    v.dedup();
    v
}

fn sorted(v: &[&str]) -> Vec<String> {
    let mut v: Vec<String> = v.iter().map(|s| s.to_string()).collect();
    v.sort();
    v
}

/// The desktop app in all three layouts, in the real shape: Electron keeps
/// its cookie values in clear, so `notion_users` is read everywhere; the
/// workspaces come from the pair families, `space_user` and the tabs, their
/// names from `notion.db` (rows still in its WAL on one layout), and the
/// collaborator `notion_user` lists is nobody's account.
#[test]
fn desktop_app_two_accounts_named_from_notion_db_every_layout() {
    use testkit::notion::{NotionDb, NotionLocalStorage, NotionState, notion_users_plain};
    for layout in LAYOUTS {
        let t = tmp();
        let h = SampleHome::new(t.path(), layout);
        let data = h
            .desktop_app("Notion")
            .identity_user(U1)
            .account_used(NOTION_WWW, U1)
            .workspace_of(NOTION_WWW, U1, S1)
            .last_visited(NOTION_WWW, U1, S1)
            .plain_cookie(".www.notion.so", "notion_user_id", U1)
            .plain_cookie(
                ".www.notion.so",
                "notion_users",
                &notion_users_plain(&[U1, U2]),
            )
            .plain_cookie(".www.notion.so", "token_v2", "SECRET-desktop-token")
            .write()
            .unwrap();
        NotionState::new()
            .tab(U1, S1)
            .window()
            .tab(U2, S3)
            .write(&data)
            .unwrap();
        NotionDb::new()
            .signed_in(U1)
            .signed_in(U2)
            .member(U1, S2)
            .space(S1, "Acme Corp")
            .space(S2, "Beta Labs")
            .space(S3, "Gamma")
            .user(U1, "Ada", "ada@example.com")
            .user(U2, "Grace", "grace@example.com")
            .user(
                "c0ffee00-0000-4000-8000-000000000001",
                "A collaborator",
                "c@example.com",
            )
            .in_wal(layout == Layout::Windows)
            .write(&data)
            .unwrap();
        if layout == Layout::Windows {
            assert!(data.join("notion.db-wal").metadata().unwrap().len() > 0);
        }
        let before = tree_hashes(t.path(), &[]);
        let r = scan_home(&h);
        assert!(
            before == tree_hashes(t.path(), &[]),
            "{layout:?}: the scan wrote"
        );
        let d = &r.desktop_app;
        assert_eq!(d.accounts, Some(2), "{layout:?}: {d:#?}");
        assert_eq!(d.user_ids, sorted(&[U1, U2]));
        assert!(r.warnings.is_empty(), "{layout:?}: {:?}", r.warnings);
        let mut named: Vec<(String, Option<String>, Option<String>)> = r
            .sessions
            .iter()
            .map(|s| {
                (
                    s.workspace_id.clone(),
                    s.workspace_name.clone(),
                    s.user_id.clone(),
                )
            })
            .collect();
        named.sort();
        let want =
            |s: &str, n: &str, u: &str| (s.to_string(), Some(n.to_string()), Some(u.to_string()));
        let mut expected = vec![
            want(S1, "Acme Corp", U1),
            want(S2, "Beta Labs", U1),
            want(S3, "Gamma", U2),
        ];
        expected.sort();
        assert_eq!(named, expected, "{layout:?}");
        let accts = &d.account_facts.account_sessions;
        let labels: Vec<_> = accts.iter().map(|a| a.label.as_str()).collect();
        assert_eq!(labels, vec!["ada@example.com", "grace@example.com"]);
        let acme = r.sessions.iter().find(|s| s.workspace_id == S1).unwrap();
        assert!(acme.keys.contains(&format!(
            "LRU:KeyValueStore2:onAppStartPreference:{U1}:{S1}"
        )));
        assert!(
            acme.keys
                .contains(&"LRU:KeyValueStore2:lastVisitedRouteSpaceId".to_string())
        );
        assert!(acme.sources.contains(&"state.json tabs".to_string()));
        assert!(acme.sources.contains(&"notion.db space names".to_string()));
        assert_eq!(
            acme.account_workspace_labels,
            vec!["Acme Corp", "Beta Labs"]
        );
        let ev = &d.account_facts.accounts_evidence;
        assert!(d.account_facts.accounts_reason.is_none(), "{ev}");
        assert!(
            ev.starts_with("2 accounts, from notion_user_id cookie, notion_users cookie"),
            "{ev}"
        );
        let json = serde_json::to_string(&r).unwrap();
        assert!(!json.contains("SECRET"), "{json}");
    }
}

/// A Chrome profile of a current build, read under `--root` in each
/// layout. One account ever seen next to a `token_v2` cookie is one
/// account on every OS; with a second account's keys, Linux decrypts the
/// `v10` listing (2 accounts) while macOS (Keychain) and Windows (DPAPI)
/// cannot, so the count is null with the reason and both candidates,
/// never 1 or 3.
#[test]
fn sealed_cookie_listing_leaves_the_count_unknown_on_macos_and_windows() {
    use testkit::notion::{NotionLocalStorage, notion_users};
    for layout in LAYOUTS {
        let t = tmp();
        let h = SampleHome::new(t.path(), layout);
        h.chromium_profile("chrome", "Default", "Person 1")
            .network_cookies(layout == Layout::Windows)
            .account_used(NOTION_WWW, U1)
            .workspace_of(NOTION_WWW, U1, S1)
            .last_visited(NOTION_WWW, U1, S1)
            .cookie("www.notion.so", "notion_user_id", U1)
            .cookie(".notion.so", "notion_users", &notion_users(&[U1]))
            .cookie(".notion.so", "token_v2", "SECRET-sealed-token")
            .write()
            .unwrap();
        h.chromium_profile("chrome", "Profile 1", "Two")
            .network_cookies(layout == Layout::Windows)
            .account_used(NOTION_WWW, U1)
            .account_used(NOTION_WWW, U2)
            .workspace_of(NOTION_WWW, U1, S1)
            .workspace_of(NOTION_WWW, U2, S2)
            .envelope(NOTION_WWW, "current-user-id", serde_json::json!(U2))
            .cookie("www.notion.so", "notion_user_id", U2)
            .cookie(".notion.so", "notion_users", &notion_users(&[U1, U2]))
            .cookie(".notion.so", "token_v2", "SECRET-sealed-token")
            .write()
            .unwrap();
        let r = scan_home(&h);
        let (one, two) = (&r.browsers[0], &r.browsers[1]);
        assert_eq!(one.accounts, Some(1), "{layout:?}: {one:#?}");
        let s = r.sessions.iter().find(|s| s.workspace_id == S1).unwrap();
        assert_eq!(s.user_id.as_deref(), Some(U1));
        assert_eq!(s.store_accounts, Some(1));
        match layout {
            Layout::Linux => {
                assert_eq!(two.accounts, Some(2));
                assert!(two.account_facts.account_candidates.is_empty());
            }
            _ => {
                assert_eq!(two.accounts, None, "{layout:?}");
                let why = two.account_facts.accounts_reason.clone().unwrap();
                let key = if layout == Layout::Macos {
                    "macOS Keychain"
                } else {
                    "Windows DPAPI"
                };
                assert!(
                    why.contains("notion_users cookie") && why.contains(key),
                    "{why}"
                );
                let c: Vec<_> = two
                    .account_facts
                    .account_candidates
                    .iter()
                    .map(|c| c.user_id.as_str())
                    .collect();
                assert_eq!(c, vec![U2, U1]);
            }
        }
        // Either way, each account's workspace is offered under it.
        assert_eq!(workspace_ids_of(&r, "chrome/Profile 1"), sorted(&[S1, S2]));
        assert!(!serde_json::to_string(&r).unwrap().contains("SECRET"));
    }
}

/// Linux `v11` (keyring) and `v20` (app-bound) values stay unread, each
/// with its reason; a profile whose listing is `v10` counts what it lists,
/// and a listed account no key names has a session with no workspace.
#[test]
fn keyring_and_app_bound_cookies_are_never_read() {
    use testkit::notion::{NotionLocalStorage, Seal, notion_users, seal_cookie};
    for (seal, why) in [
        (Seal::LinuxKeyring, "desktop keyring (v11)"),
        (
            Seal::AppBound,
            "app-bound encryption (v20), which this tool never reads",
        ),
    ] {
        let t = tmp();
        let h = SampleHome::new(t.path(), Layout::Linux);
        let p = h
            .chromium_profile("chrome", "Default", "Person 1")
            .workspace_of(NOTION_WWW, U1, S1)
            .account_used(NOTION_WWW, U2)
            .sign_in_cookie()
            .cookie(".notion.so", "notion_users", &notion_users(&[U1, U2]))
            .write()
            .unwrap();
        seal_cookie(&p.join("Cookies"), "notion_users", seal).unwrap();
        let r = scan_home(&h);
        let b = &r.browsers[0];
        assert_eq!(b.accounts, None, "{seal:?}");
        let reason = b.account_facts.accounts_reason.clone().unwrap();
        assert!(reason.contains(why), "{reason}");
    }
    let t = tmp();
    let h = SampleHome::new(t.path(), Layout::Linux);
    h.chromium_profile("chrome", "Profile 1", "Second")
        .workspace_of(NOTION_WWW, U1, S1)
        .sign_in_cookie()
        .cookie(".notion.so", "notion_users", &notion_users(&[U1, U2]))
        .write()
        .unwrap();
    let r = scan_home(&h);
    let b = &r.browsers[0];
    assert_eq!(b.accounts, Some(2), "{b:#?}");
    assert_eq!(b.user_ids, sorted(&[U1, U2]));
    assert_eq!(
        workspace_ids_of(&r, "chrome/Profile 1"),
        vec![S1.to_string()]
    );
    let lone = r
        .sessions
        .iter()
        .find(|s| s.user_id.as_deref() == Some(U2))
        .unwrap();
    assert!(lone.workspace_id.is_empty());
    assert_eq!(lone.workspace_label, "no workspace seen");
}

/// Two accounts and three workspaces from the real pair families alone;
/// a workspace seen only by `lastVisitedRouteSpaceId` goes with its
/// sibling `lastVisitedRouteUserId`; the Firefox profile the same from
/// plain cookies.
#[test]
fn key_names_of_two_accounts_and_three_workspaces() {
    use testkit::notion::{NotionLocalStorage, notion_users};
    let t = tmp();
    let h = SampleHome::new(t.path(), Layout::Linux);
    h.chromium_profile("chrome", "Default", "Person 1")
        .envelope(NOTION_WWW, "current-user-id", serde_json::json!(U1))
        .last_visited(NOTION_WWW, U2, S3)
        .workspace_of(NOTION_WWW, U1, S1)
        .workspace_of(NOTION_WWW, U1, S2)
        .account_used(NOTION_WWW, U2)
        .short_ids(NOTION_WWW, &[(S1, "11"), (S2, "22"), (S3, "33")])
        .sign_in_cookie()
        .cookie(".notion.so", "notion_users", &notion_users(&[U1, U2]))
        .write()
        .unwrap();
    h.firefox_profile("acct.default-release", "default-release")
        .workspace_of(NOTION_WWW, U1, S1)
        .workspace_of(NOTION_WWW, U2, S3)
        .sign_in_cookie()
        .cookie(".notion.so", "notion_users", &notion_users(&[U1, U2]))
        .cookie("www.notion.so", "notion_user_id", U1)
        .write()
        .unwrap();
    let r = scan_home(&h);
    let chrome = r
        .browsers
        .iter()
        .find(|b| b.browser_id == "chrome")
        .unwrap();
    assert_eq!(chrome.accounts, Some(2), "{chrome:#?}");
    assert_eq!(chrome.user_ids, sorted(&[U1, U2]));
    assert_eq!(
        workspace_ids_of(&r, "chrome/Default"),
        sorted(&[S1, S2, S3])
    );
    let accts = &chrome.account_facts.account_sessions;
    let of = |u: &str| {
        let mut w: Vec<String> = accts
            .iter()
            .find(|a| a.user_id.as_deref() == Some(u))
            .unwrap()
            .workspaces
            .iter()
            .map(|w| w.label.clone())
            .collect();
        w.sort();
        w
    };
    assert_eq!(of(U1), vec!["workspace 11", "workspace 22"]);
    assert_eq!(of(U2), vec!["workspace 33"]);
    assert!(
        accts
            .iter()
            .any(|a| a.active && a.user_id.as_deref() == Some(U1))
    );
    let fx = r
        .browsers
        .iter()
        .find(|b| b.browser_id == "firefox")
        .unwrap();
    assert_eq!(fx.accounts, Some(2));
    assert_eq!(
        fx.account_facts.accounts_evidence,
        "2 accounts, from notion_user_id cookie, notion_users cookie and Local Storage keys \
         LRU:KeyValueStore2:onAppStartPreference:<user>:<space>, \
         LRU:KeyValueStore2:searchFrecency:<space>:<user>:0, \
         LRU:KeyValueStore2:userSignals:<space>:<user>:0, BlockFrecency:<user>:<space>:…, \
         LRU:LocalPreferenceStore3:<user>:UserSharedPagesInSpace:…:<space>, \
         LRU:LocalPreferenceStore3:<user>:SubscriptionData:<space>:v2, \
         LRU:LocalPreferenceStore3:<user>:<space>:analytics_session"
    );
    assert_eq!(
        workspace_ids_of(&r, "firefox/acct.default-release"),
        sorted(&[S1, S3])
    );
}

/// The cookie reader decrypts only the cookies it is asked to (the user-id
/// cookies); every other `v10` value, `token_v2` and `file_token` first,
/// is not even selected.
#[test]
fn only_the_user_id_cookies_are_decrypted() {
    use testkit::notion::notion_users;
    use troubleshoot::readers::sqlite::{CookieQuery, CookieSchema, read_cookies};
    let t = tmp();
    let h = SampleHome::new(t.path(), Layout::Linux);
    let p = h
        .chromium_profile("chrome", "Default", "Person 1")
        .cookie(".notion.so", "notion_users", &notion_users(&[U1, U2]))
        .cookie("www.notion.so", "notion_user_id", U1)
        .cookie(".notion.so", "token_v2", "SECRET-v10-token")
        .cookie(".notion.so", "file_token", "SECRET-v10-file")
        .cookie(".google.com", "SID", "SECRET-v10-google")
        .write()
        .unwrap();
    let rows = read_cookies(
        &p.join("Cookies"),
        CookieSchema::Chromium,
        &CookieQuery {
            domains: vec!["notion.so".into(), "google.com".into()],
            value_names: vec!["notion_users".into(), "notion_user_id".into()],
            value_domains: vec!["notion.so".into()],
            layout: Some(Layout::Linux),
        },
    )
    .unwrap();
    assert_eq!(rows.len(), 5);
    for r in &rows {
        match r.name.as_str() {
            "notion_users" => {
                assert_eq!(r.value.as_deref(), Some(notion_users(&[U1, U2]).as_str()))
            }
            "notion_user_id" => assert_eq!(r.value.as_deref(), Some(U1)),
            _ => assert_eq!((&r.value, &r.unreadable), (&None, &None), "{r:?}"),
        }
    }
    assert!(!format!("{rows:?}").contains("SECRET"));
}

/// The cookie reader (its SQL prefilter, the host list and the one host
/// rule) against system SQLite through Debian's `/usr/bin/python3`, a
/// library and a host test that share nothing with it, on a database of
/// real size (60,000 cookies, several MiB) whose hosts mix case, leading
/// dots and look-alikes of the cookie domains.
#[test]
fn cookie_reader_agrees_with_system_sqlite3_on_a_large_database() {
    use troubleshoot::readers::sqlite::{CookieQuery, CookieSchema, read_cookies};
    let t = tempfile::tempdir().unwrap();
    let db = t.path().join("Cookies");
    let hosts = [
        ".notion.so",
        "www.notion.so",
        "NOTION.SO",
        "..Www.Notion.So",
        "notnotion.so",
        "notion.so.evil.example",
        "notion_so",
        ".accounts.google.com",
        "google.com.example",
        "app.notion.com",
    ];
    let cookies: Vec<testkit::SampleCookie> = (0..60_000)
        .map(|i| testkit::SampleCookie {
            host: if i % 7 == 0 {
                hosts[i % hosts.len()].to_string()
            } else {
                format!(".site{}.example", i % 997)
            },
            name: format!("c{i}"),
            value: format!("value-{i}-{}", "x".repeat(i % 40)),
            encrypted: false,
        })
        .collect();
    testkit::stores::write_chromium_cookies(&db, &cookies).unwrap();
    assert!(
        std::fs::metadata(&db).unwrap().len() > 4 << 20,
        "a real-size database"
    );
    let domains = vec![
        "notion.so".to_string(),
        ".notion.com".to_string(),
        "accounts.google.com".to_string(),
    ];
    let query = CookieQuery {
        domains: domains.clone(),
        value_names: vec![],
        value_domains: vec![],
        layout: None,
    };
    let mut ours: Vec<String> = read_cookies(&db, CookieSchema::Chromium, &query)
        .unwrap()
        .into_iter()
        .map(|r| format!("{}\t{}", r.host, r.name))
        .collect();
    ours.sort();

    let Some(theirs) = sqlite3_cookie_hosts(&db, &domains) else {
        return;
    };
    assert!(theirs.len() > 4000, "{} rows", theirs.len());
    assert_eq!(ours.len(), theirs.len());
    assert_eq!(ours, theirs);
}

/// `host\tname` of every cookie on `domains` (or their subdomains), sorted,
/// as system SQLite through Debian's `/usr/bin/python3` reads them (None
/// when that Python is missing outside CI).
fn sqlite3_cookie_hosts(db: &Path, domains: &[String]) -> Option<Vec<String>> {
    let script = r#"
import sqlite3, sys
domains = [d.lower().lstrip('.') for d in sys.argv[2:]]
con = sqlite3.connect('file:' + sys.argv[1] + '?mode=ro&immutable=1', uri=True)
out = []
for host, name in con.execute('SELECT host_key, name FROM cookies'):
    h = (host or '').lower().lstrip('.')
    if any(h == d or h.endswith('.' + d) for d in domains):
        out.append(host + '\t' + name)
print('\n'.join(sorted(out)))
"#;
    let o = python3(&[script.as_ref(), db.as_os_str()], domains)?;
    let mut theirs: Vec<String> = String::from_utf8(o)
        .unwrap()
        .lines()
        .filter(|l| !l.is_empty())
        .map(str::to_string)
        .collect();
    theirs.sort();
    Some(theirs)
}

/// Runs `/usr/bin/python3 -c SCRIPT ARGS… EXTRA…` and returns its stdout;
/// None (skip) when that Python is missing outside CI, a failure otherwise.
fn python3(args: &[&std::ffi::OsStr], extra: &[String]) -> Option<Vec<u8>> {
    let o = match std::process::Command::new("/usr/bin/python3")
        .arg("-c")
        .args(args)
        .args(extra)
        .output()
    {
        Ok(o) => o,
        Err(e) => {
            assert!(
                std::env::var_os("CI").is_none(),
                "no /usr/bin/python3 under CI: {e}"
            );
            eprintln!("skipping: no /usr/bin/python3 ({e})");
            return None;
        }
    };
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    Some(o.stdout)
}

/// An old Chromium cookie schema (no `encrypted_value`, values in clear),
/// written by system SQLite from a real-size database (60,000 cookies):
/// the reader lists the same cookies on the cookie domains as system
/// SQLite does.
#[test]
fn old_schema_cookie_reader_agrees_with_system_sqlite3() {
    use troubleshoot::readers::sqlite::{CookieQuery, CookieSchema, read_cookies};
    let t = tempfile::tempdir().unwrap();
    let new = t.path().join("New");
    let cookies: Vec<testkit::SampleCookie> = (0..60_000)
        .map(|i| testkit::SampleCookie {
            host: match i % 5 {
                0 => ".www.notion.so".to_string(),
                1 => "NOTION.SO".to_string(),
                2 => "notnotion.so".to_string(),
                _ => format!(".site{}.example", i % 997),
            },
            name: format!("c{i}"),
            value: format!("value-{i}"),
            encrypted: false,
        })
        .collect();
    testkit::stores::write_chromium_cookies(&new, &cookies).unwrap();
    let db = t.path().join("Cookies");
    let downgrade = r#"
import sqlite3, sys
src = sqlite3.connect(sys.argv[1]); dst = sqlite3.connect(sys.argv[2])
dst.executescript("""
CREATE TABLE meta(key LONGVARCHAR NOT NULL UNIQUE PRIMARY KEY, value LONGVARCHAR);
INSERT INTO meta VALUES('version','7');
CREATE TABLE cookies (creation_utc INTEGER NOT NULL UNIQUE PRIMARY KEY, host_key TEXT NOT NULL,
  name TEXT NOT NULL, value TEXT NOT NULL, path TEXT NOT NULL, expires_utc INTEGER NOT NULL,
  secure INTEGER NOT NULL, httponly INTEGER NOT NULL, last_access_utc INTEGER NOT NULL);
""")
rows = src.execute("SELECT rowid, host_key, name, value, path, 0, 1, 1, 0 FROM cookies")
dst.executemany("INSERT INTO cookies VALUES (?,?,?,?,?,?,?,?,?)", rows)
dst.commit()
"#;
    if python3(&[downgrade.as_ref(), new.as_os_str(), db.as_os_str()], &[]).is_none() {
        return;
    }
    assert!(
        std::fs::metadata(&db).unwrap().len() > 2 << 20,
        "a real-size database"
    );
    let domains = vec!["notion.so".to_string()];
    let query = CookieQuery {
        domains: domains.clone(),
        // A value to read, as for `notion_users`: the query then names
        // the value columns the old schema has, and only those.
        value_names: vec!["c0".to_string()],
        value_domains: domains.clone(),
        layout: None,
    };
    let mut ours: Vec<String> = read_cookies(&db, CookieSchema::Chromium, &query)
        .unwrap()
        .into_iter()
        .map(|r| format!("{}\t{}", r.host, r.name))
        .collect();
    ours.sort();
    let Some(theirs) = sqlite3_cookie_hosts(&db, &domains) else {
        return;
    };
    assert_eq!(theirs.len(), 24_000, "two hosts of five are notion.so's");
    assert_eq!(ours, theirs);
}

/// Per store of [`testkit::notion::sample_machine`]: (store, accounts,
/// [(account label, [workspace labels])]) as the scan reports them.
type StoreView = (String, Option<u32>, Vec<(String, Vec<String>)>);

fn store_views(r: &ScanReport) -> Vec<StoreView> {
    let view = |name: String, n: Option<u32>, f: &troubleshoot::probe::AccountFacts| {
        let accts = f
            .account_sessions
            .iter()
            .map(|a| {
                (
                    a.label.clone(),
                    a.workspaces.iter().map(|w| w.label.clone()).collect(),
                )
            })
            .collect();
        (name, n, accts)
    };
    let mut out: Vec<StoreView> = r
        .browsers
        .iter()
        .map(|b| view(b.profile.clone(), b.accounts, &b.account_facts))
        .collect();
    let d = &r.desktop_app;
    out.push(view("app".into(), d.accounts, &d.account_facts));
    out
}

fn acct(label: &str, ws: &[&str]) -> (String, Vec<String>) {
    (label.into(), ws.iter().map(|s| s.to_string()).collect())
}

/// Issue 23's acceptance, on the four stores in the real shape, in every
/// layout: each store's signed-in accounts and each account's workspaces
/// are exact; on macOS and Windows (sealed cookie values) the two-account
/// profile is unknown, never 1 or 3; the signed-out profile has 0; no
/// session without an account; no id printed as a name.
#[test]
fn the_four_stores_in_the_real_shape_every_layout() {
    use testkit::notion::ids::*;
    for layout in LAYOUTS {
        let t = tmp();
        let h = SampleHome::new(t.path(), layout);
        testkit::notion::sample_machine(&h).unwrap();
        let r = scan_home(&h);
        assert!(r.warnings.is_empty(), "{layout:?}: {:?}", r.warnings);
        let sealed = layout != Layout::Linux;
        // The active account (B) first; names from the app's notion.db,
        // since an id is the same account or workspace in every store.
        let two = [
            acct("Ben Example", &["Side Gig"]),
            acct("ada@example.com", &["Acme Corp"]),
        ];
        let want: Vec<StoreView> = vec![
            (
                "Person 1".into(),
                Some(1),
                vec![acct(
                    "account c0c0c0c0",
                    &[
                        "workspace 4040404041",
                        "workspace 4040404042",
                        "workspace 4040404043",
                    ],
                )],
            ),
            (
                "Work".into(),
                if sealed { None } else { Some(2) },
                two.to_vec(),
            ),
            ("Old".into(), Some(0), vec![]),
            (
                "app".into(),
                Some(2),
                vec![
                    acct("ada@example.com", &["Acme Corp", "Acme Labs"]),
                    acct("Ben Example", &["Side Gig"]),
                ],
            ),
        ];
        assert_eq!(store_views(&r), want, "{layout:?}");
        // Signed in means a sign-in cookie; the old profile has none.
        let signed: Vec<_> = r
            .browsers
            .iter()
            .map(|b| b.account_facts.signed_in)
            .collect();
        assert_eq!(
            signed,
            vec![Some(true), Some(true), Some(false)],
            "{layout:?}"
        );
        assert_eq!(
            r.desktop_app.account_facts.sign_in_cookies,
            vec!["token_v2"]
        );
        let old = &r.browsers[2].account_facts;
        assert_eq!(old.account_candidates.len(), 1);
        assert_eq!(old.account_candidates[0].user_id, ACCOUNT_D);
        if sealed {
            let work = &r.browsers[1].account_facts;
            let c: Vec<_> = work
                .account_candidates
                .iter()
                .map(|c| c.user_id.as_str())
                .collect();
            assert_eq!(
                c,
                vec![ACCOUNT_B, ACCOUNT_A],
                "{layout:?}: the active one first"
            );
            assert!(
                work.accounts_reason
                    .as_deref()
                    .unwrap()
                    .contains("notion_users")
            );
        }
        // Sessions: one per workspace of an account; none without one.
        assert_eq!(r.session_count, 3 + 2 + 3, "{layout:?}");
        for s in &r.sessions {
            assert!(s.user_id.is_some(), "{s:?}");
            assert!(!s.account_label.is_empty());
            assert!(!s.workspace_label.contains(&s.workspace_id), "{s:?}");
        }
        let labs = r
            .sessions
            .iter()
            .find(|s| s.workspace_id == ACME_CORP && s.store_id == "desktop")
            .unwrap();
        assert_eq!(
            labs.account_workspace_labels,
            vec!["Acme Corp", "Acme Labs"]
        );
        assert_eq!(labs.short_id.as_deref(), Some("1010101010"));
        assert_eq!(labs.signed_in, Some(true));
        // The collaborator notion.db lists is nobody's account here.
        assert!(!r.desktop_app.user_ids.contains(&COLLABORATOR.to_string()));
    }
}

/// Unknown is not zero (issue 23): a Cookies database that cannot be read
/// leaves the sign-in and the count unknown, with the reason, while the
/// Local Storage candidates still count; an old schema without
/// `encrypted_value` is read for what it holds (names, hosts, plain
/// values); no warning carries SQL.
#[test]
fn unreadable_cookies_are_unknown_and_old_schemas_are_read() {
    use testkit::notion::NotionLocalStorage;
    for layout in LAYOUTS {
        let t = tmp();
        let h = SampleHome::new(t.path(), layout);
        let p = h
            .chromium_profile("chrome", "Default", "Person 1")
            .account_used(NOTION_WWW, U1)
            .workspace_of(NOTION_WWW, U1, S1)
            .sign_in_cookie()
            .write()
            .unwrap();
        let cookies = if layout == Layout::Windows {
            // The builder's default place on this layout.
            let n = p.join("Network/Cookies");
            if n.exists() { n } else { p.join("Cookies") }
        } else {
            p.join("Cookies")
        };
        // Truncated: the header survives, the pages do not.
        let bytes = std::fs::read(&cookies).unwrap();
        std::fs::write(&cookies, &bytes[..1024.min(bytes.len())]).unwrap();
        let r = scan_home(&h);
        let b = &r.browsers[0];
        assert_eq!(b.accounts, None, "{layout:?}: {b:#?}");
        assert_eq!(b.account_facts.signed_in, None);
        let why = b.account_facts.accounts_reason.clone().unwrap();
        assert!(why.starts_with("the cookies could not be read ("), "{why}");
        assert_eq!(b.account_facts.account_candidates.len(), 1);
        assert_eq!(b.account_facts.account_candidates[0].user_id, U1);
        assert_eq!(r.sessions.len(), 1, "the candidate's workspace is offered");
        assert_eq!(r.sessions[0].signed_in, None);
        assert_eq!(r.max_store_accounts, 0, "unknown never counts as a number");
        assert_eq!(r.warnings.len(), 1, "{:?}", r.warnings);
        assert!(!r.warnings[0].reason.contains("SELECT"), "{:?}", r.warnings);
    }
    // An old Chromium schema: no `encrypted_value`, values in clear.
    let t = tmp();
    let h = SampleHome::new(t.path(), Layout::Linux);
    let p = h
        .chromium_profile("chrome", "Default", "Person 1")
        .workspace_of(NOTION_WWW, U1, S1)
        .write()
        .unwrap();
    let db = p.join("Cookies");
    std::fs::remove_file(&db).unwrap();
    let c = rusqlite::Connection::open(&db).unwrap();
    c.execute_batch(&format!(
        "CREATE TABLE meta(key LONGVARCHAR NOT NULL UNIQUE PRIMARY KEY, value LONGVARCHAR);
         INSERT INTO meta VALUES('version','7');
         CREATE TABLE cookies (creation_utc INTEGER NOT NULL UNIQUE PRIMARY KEY, host_key TEXT NOT NULL,
           name TEXT NOT NULL, value TEXT NOT NULL, path TEXT NOT NULL, expires_utc INTEGER NOT NULL,
           secure INTEGER NOT NULL, httponly INTEGER NOT NULL, last_access_utc INTEGER NOT NULL);
         INSERT INTO cookies VALUES (1, '.www.notion.so', 'token_v2', 'SECRET-old', '/', 0, 1, 1, 0);
         INSERT INTO cookies VALUES (2, '.www.notion.so', 'notion_users', '%5B%22{U1}%22%5D', '/', 0, 1, 0, 0);"
    ))
    .unwrap();
    drop(c);
    let r = scan_home(&h);
    assert!(r.warnings.is_empty(), "{:?}", r.warnings);
    let b = &r.browsers[0];
    assert_eq!(b.account_facts.sign_in_cookies, vec!["token_v2"]);
    assert_eq!(b.accounts, Some(1), "{b:#?}");
    assert!(!serde_json::to_string(&r).unwrap().contains("SECRET"));
}
