//! The sandbox home `troubleshoot demo` runs on, written in the real
//! formats and the real shape of Notion's data (the key families, cookies
//! and files real Notion builds write; made-up ids): one Notion account,
//! alex@example.com, with two workspaces, Acme Corp and Acme Labs, signed
//! in in Chrome "Person 1" (browser sync on) and in the Notion desktop
//! app, which signs in through a linked Google account.
//!
//! Its writers are its own and as small as the demo needs: LevelDB through
//! rusty-leveldb (an independent implementation), SQLite through rusqlite,
//! and Chromium's Local Storage encoding and Linux `v10` cookie encryption
//! spelled out here. Nothing is shared with the readers in
//! [`crate::readers`], so the demo also shows that the readers read stores
//! they did not write. Test and benchmark homes come from the dev-only crate
//! in `tests/support`, not from here.

use std::io;
use std::path::Path;
use std::time::{SystemTime, UNIX_EPOCH};

use rusqlite::{Connection, params};
use serde_json::{Value, json};

use crate::probe::browsers::Browser;
use crate::probe::{Home, Layout};

const NOTION: &str = "https://www.notion.so";
const IDENTITY: &str = "https://identity.notion.so";
/// Another site, whose data every fix leaves alone.
const OTHER_SITE: &str = "https://example.com";
/// Acme Corp and Acme Labs, the account's two workspaces.
pub const WORKSPACES: [(&str, &str); 2] = [
    ("9f3c2a10-5b7e-4d21-8c3a-6e0f1b2d3a01", "Acme Corp"),
    ("9f3c2a10-5b7e-4d21-8c3a-6e0f1b2d3a02", "Acme Labs"),
];
const USER: &str = "5e21a7c3-4b9d-4f10-9e2a-7c8d9e0fa1e5";
const EMAIL: &str = "alex@example.com";

/// Local Storage as Notion writes it for one signed-in account: the
/// `LRU:KeyValueStore2:` envelopes (last visited route, workspace short
/// ids), per-account preferences, user/space pairs, and the identity
/// origin's `notion_user_id`; plus another site's key.
fn notion_local_storage() -> Vec<(&'static str, String, String)> {
    let envelope = |name: &str, value: Value| {
        (
            NOTION,
            format!("LRU:KeyValueStore2:{name}"),
            json!({"id": name, "value": value, "timestamp": 1_700_000_000_000i64, "important": true})
                .to_string(),
        )
    };
    let (acme, labs) = (WORKSPACES[0].0, WORKSPACES[1].0);
    vec![
        envelope("lastVisitedRouteUserId", json!(USER)),
        envelope("lastVisitedRouteSpaceId", json!(acme)),
        envelope("spaceIdToShortId", json!({acme: 1, labs: 2})),
        envelope(
            &format!("onAppStartPreference:{USER}:{acme}"),
            json!("lastVisited"),
        ),
        envelope(
            &format!("onAppStartPreference:{USER}:{labs}"),
            json!("lastVisited"),
        ),
        envelope(&format!("searchFrecency:{labs}:{USER}:0"), json!({})),
        (
            NOTION,
            format!("LRU:LocalPreferenceStore3:{USER}:sidebarWidth"),
            "240".into(),
        ),
        (IDENTITY, "notion_user_id".into(), USER.into()),
        (OTHER_SITE, "theme".into(), "dark".into()),
    ]
}

/// Write the demo's home under `root` in `layout`; returns it as a probe
/// sees it with `--root`.
pub fn demo_home_in(root: &Path, layout: Layout) -> io::Result<Home> {
    let home = Home::new(root, layout, true);
    let ls = notion_local_storage();
    let users = format!("%5B%22{USER}%22%5D");

    // Chrome, profile "Person 1" (folder Default), signed in with sync on.
    let udd = Browser::by_id("chrome")
        .and_then(|b| b.roots(&home).into_iter().next())
        .ok_or_else(|| io::Error::other("no Chrome folder in this layout"))?;
    let profile = udd.join("Default");
    write_json(
        &udd.join("Local State"),
        &json!({"profile": {
            "info_cache": {"Default": {
                "name": "Person 1",
                "is_using_default_name": false,
                "active_time": 1_700_000_000.0,
                "user_name": "person@example.com",
            }},
            "last_used": "Default",
        }}),
    )?;
    write_json(
        &profile.join("Preferences"),
        &json!({
            "profile": {"name": "Person 1", "exit_type": "Normal"},
            "sync": {"has_setup_completed": true},
            "google": {"services": {"consented_to_sync": true}},
            "account_info": [{
                "account_id": "108000000000000000001",
                "email": "person@example.com",
                "gaia": "108000000000000000001",
                "full_name": "Sample Person",
            }],
        }),
    )?;
    write_local_storage(&profile.join("Local Storage/leveldb"), &ls)?;
    let cookies = if layout == Layout::Windows {
        profile.join("Network/Cookies")
    } else {
        profile.join("Cookies")
    };
    write_cookies(
        &cookies,
        &[
            (".www.notion.so", "token_v2", "demo-secret-token", true),
            (".www.notion.so", "notion_user_id", USER, true),
            (".www.notion.so", "notion_users", &users, true),
            (".notion.so", "file_token", "demo-secret-file-token", true),
            (".notion.so", "p_sync_session", "demo-secret-sync", true),
            (".example.com", "session", "demo-other-site", true),
        ],
    )?;

    // The Notion desktop app (Electron: cookie values in plain text),
    // signed in through a linked Google account.
    let data = home.roaming_app_data().join("Notion");
    let partition = data.join("Partitions/notion");
    write_json(
        &data.join("Preferences"),
        &json!({"spellcheck": {"dictionaries": ["en-US"]}}),
    )?;
    let tab =
        |space: &str| json!({"appStoreState": {"currentUserId": USER, "currentSpaceId": space}});
    write_json(
        &data.join("state.json"),
        &json!({"appState": {"isFirstLaunch": false}, "history": {
            "appRestorationState": {"windows": [{"tabs": [tab(WORKSPACES[0].0), tab(WORKSPACES[1].0)]}]},
            "closeEvents": [],
        }}),
    )?;
    write_notion_db(&data.join("notion.db"))?;
    write_local_storage(&partition.join("Local Storage/leveldb"), &ls)?;
    let users_plain = format!("[\"{USER}\"]");
    write_cookies(
        &partition.join("Cookies"),
        &[
            (".www.notion.so", "token_v2", "demo-desktop-secret", false),
            (".www.notion.so", "notion_user_id", USER, false),
            (".www.notion.so", "notion_users", &users_plain, false),
            (".notion.so", "file_token", "demo-desktop-file-token", false),
            (".google.com", "SID", "google-secret-SID", false),
            (
                ".google.com",
                "__Secure-3PSID",
                "google-secret-__Secure-3PSID",
                false,
            ),
            (".google.com", "HSID", "google-secret-HSID", false),
        ],
    )?;
    Ok(home)
}

/// The desktop app's `notion.db` in the shape real builds write: a
/// `user_root` row per signed-in account, `space_user` pairs, `space`
/// names and `notion_user` names.
fn write_notion_db(path: &Path) -> io::Result<()> {
    let conn = Connection::open(path).map_err(|e| other("open notion.db", e))?;
    conn.execute_batch(
        "CREATE TABLE user_root(id TEXT PRIMARY KEY);
         CREATE TABLE space_user(user_id TEXT, space_id TEXT);
         CREATE TABLE space(id TEXT PRIMARY KEY, name TEXT);
         CREATE TABLE notion_user(id TEXT PRIMARY KEY, email TEXT, name TEXT);",
    )
    .map_err(|e| other("notion.db schema", e))?;
    conn.execute("INSERT INTO user_root VALUES (?1)", [USER])
        .map_err(|e| other("notion.db", e))?;
    conn.execute(
        "INSERT INTO notion_user VALUES (?1, ?2, 'Alex Sample')",
        [USER, EMAIL],
    )
    .map_err(|e| other("notion.db", e))?;
    for (id, name) in WORKSPACES {
        conn.execute("INSERT INTO space VALUES (?1, ?2)", [id, name])
            .map_err(|e| other("notion.db", e))?;
        conn.execute("INSERT INTO space_user VALUES (?1, ?2)", [USER, id])
            .map_err(|e| other("notion.db", e))?;
    }
    Ok(())
}

fn other<E: std::fmt::Display>(what: &str, e: E) -> io::Error {
    io::Error::other(format!("{what}: {e}"))
}

pub(crate) fn write_json(path: &Path, v: &Value) -> io::Result<()> {
    if let Some(d) = path.parent() {
        std::fs::create_dir_all(d)?;
    }
    std::fs::write(path, v.to_string())
}

/// Microseconds since 1601-01-01 (Chromium's clock).
fn chromium_now() -> i64 {
    let unix = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_micros() as i64);
    unix + 11_644_473_600_000_000
}

/// Chromium's Local Storage string: 0x01 and Latin-1 (the demo's strings
/// are ASCII, so Chromium never picks its other form, 0x00 and UTF-16LE).
fn latin1(s: &str) -> Vec<u8> {
    debug_assert!(s.is_ascii());
    let mut out = vec![1];
    out.extend_from_slice(s.as_bytes());
    out
}

/// Local Storage entries `(origin, key, value)` as Chromium writes them:
/// `VERSION`, `_<origin>\x00<key>`, and per origin `META:<origin>` (a
/// protobuf with the last-modified time and the size), in one batch in the
/// log.
pub(crate) fn write_local_storage(
    dir: &Path,
    entries: &[(&str, String, String)],
) -> io::Result<()> {
    std::fs::create_dir_all(dir)?;
    let opts = rusty_leveldb::Options {
        create_if_missing: true,
        ..rusty_leveldb::Options::default()
    };
    let mut db = rusty_leveldb::DB::open(dir, opts).map_err(|e| other("open LevelDB", e))?;
    let mut batch = rusty_leveldb::WriteBatch::default();
    batch.put(b"VERSION", b"1");
    let mut sizes: std::collections::BTreeMap<&str, usize> = Default::default();
    for (origin, key, value) in entries {
        let mut entry_key = format!("_{origin}\x00").into_bytes();
        entry_key.extend(latin1(key));
        batch.put(&entry_key, &latin1(value));
        *sizes.entry(origin).or_default() += key.len() + value.len();
    }
    for (origin, size) in sizes {
        let mut meta = vec![0x08];
        varint(chromium_now() as u64, &mut meta);
        meta.push(0x10);
        varint(size as u64, &mut meta);
        batch.put(format!("META:{origin}").as_bytes(), &meta);
    }
    db.write(batch, true)
        .map_err(|e| other("write LevelDB", e))?;
    db.flush().map_err(|e| other("flush LevelDB", e))?;
    db.close().map_err(|e| other("close LevelDB", e))
}

fn varint(mut v: u64, out: &mut Vec<u8>) {
    while v >= 0x80 {
        out.push((v as u8) | 0x80);
        v >>= 7;
    }
    out.push(v as u8);
}

/// A Chromium `Cookies` database (schema version 24) with `(host, name,
/// value, encrypted)` rows; encrypted values as Chromium on Linux without
/// a keyring stores them.
pub(crate) fn write_cookies(path: &Path, cookies: &[(&str, &str, &str, bool)]) -> io::Result<()> {
    if let Some(d) = path.parent() {
        std::fs::create_dir_all(d)?;
    }
    let mut conn = Connection::open(path).map_err(|e| other("open Cookies", e))?;
    let tx = conn.transaction().map_err(|e| other("Cookies", e))?;
    tx.execute_batch(
        "CREATE TABLE meta(key LONGVARCHAR NOT NULL UNIQUE PRIMARY KEY, value LONGVARCHAR);
         CREATE TABLE cookies(creation_utc INTEGER NOT NULL,host_key TEXT NOT NULL,top_frame_site_key TEXT NOT NULL,name TEXT NOT NULL,value TEXT NOT NULL,encrypted_value BLOB NOT NULL,path TEXT NOT NULL,expires_utc INTEGER NOT NULL,is_secure INTEGER NOT NULL,is_httponly INTEGER NOT NULL,last_access_utc INTEGER NOT NULL,has_expires INTEGER NOT NULL,is_persistent INTEGER NOT NULL,priority INTEGER NOT NULL,samesite INTEGER NOT NULL,source_scheme INTEGER NOT NULL,source_port INTEGER NOT NULL,last_update_utc INTEGER NOT NULL,source_type INTEGER NOT NULL,has_cross_site_ancestor INTEGER NOT NULL);
         CREATE UNIQUE INDEX cookies_unique_index ON cookies(host_key, top_frame_site_key, has_cross_site_ancestor, name, path, source_scheme, source_port);
         INSERT INTO meta VALUES('mmap_status','-1');
         INSERT INTO meta VALUES('version','24');
         INSERT INTO meta VALUES('last_compatible_version','24');",
    )
    .map_err(|e| other("Cookies schema", e))?;
    let now = chromium_now();
    for (i, (host, name, value, encrypted)) in cookies.iter().enumerate() {
        let (plain, sealed) = if *encrypted {
            ("", seal_v10(value, host))
        } else {
            (*value, Vec::new())
        };
        let httponly = i64::from(*name == "token_v2" || name.contains("SID"));
        tx.execute(
            "INSERT INTO cookies VALUES (?1, ?2, '', ?3, ?4, ?5, '/', ?6, 1, ?7, ?1, 1, 1, 1, -1, 2, 443, ?1, 0, 0)",
            params![now + i as i64, host, name, plain, sealed, now + 31_536_000_000_000, httponly],
        )
        .map_err(|e| other("Cookies insert", e))?;
    }
    tx.commit().map_err(|e| other("Cookies commit", e))
}

/// Chromium's Linux `v10` value without a keyring: AES-128-CBC with the
/// key PBKDF2-HMAC-SHA1("peanuts", "saltysalt", 1 iteration), an IV of 16
/// spaces and PKCS#7 padding, over SHA-256 of the host and the value.
fn seal_v10(value: &str, host: &str) -> Vec<u8> {
    use aes::cipher::block_padding::Pkcs7;
    use aes::cipher::{BlockModeEncrypt, KeyIvInit};
    use sha2::Digest;

    let mut key = [0u8; 16];
    pbkdf2::pbkdf2_hmac::<sha1::Sha1>(b"peanuts", b"saltysalt", 1, &mut key);
    let mut buf = sha2::Sha256::digest(host.as_bytes()).to_vec();
    buf.extend_from_slice(value.as_bytes());
    let len = buf.len();
    buf.resize(len + 16 - len % 16, 0);
    let mut out = b"v10".to_vec();
    if let Ok(ct) = cbc::Encryptor::<aes::Aes128>::new(&key.into(), &[b' '; 16].into())
        .encrypt_padded::<Pkcs7>(&mut buf, len)
    {
        out.extend_from_slice(ct);
    }
    out
}
