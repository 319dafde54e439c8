//! The sandbox home `troubleshoot demo` runs on, written in the real
//! formats: Chrome "Person 1" signed in to one Notion workspace, Acme Corp,
//! with browser sync on, and the Notion desktop app signed in through
//! Google to the same workspace.
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
const WORKSPACE: &str = "9f3c2a10-acme";
const USER: &str = "u-5e21-alex";

/// Write the demo's home under `root` in `layout`; returns it as a probe
/// sees it with `--root`.
pub fn demo_home_in(root: &Path, layout: Layout) -> io::Result<Home> {
    let home = Home::new(root, layout, true);
    let workspace = json!({"id": WORKSPACE, "name": "Acme Corp", "user_id": USER}).to_string();
    let entry = (format!("notion:workspace:{WORKSPACE}"), workspace);

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
    write_local_storage(
        &profile.join("Local Storage/leveldb"),
        NOTION,
        std::slice::from_ref(&entry),
    )?;
    let cookies = if layout == Layout::Windows {
        profile.join("Network/Cookies")
    } else {
        profile.join("Cookies")
    };
    write_cookies(
        &cookies,
        &[
            (".notion.so", "token_v2", "demo-secret-token", true),
            (".notion.so", "notion_user_id", USER, false),
            (
                "www.notion.so",
                "notion_browser_id",
                "demo-browser-id",
                true,
            ),
        ],
    )?;

    // The Notion desktop app, signed in through a linked Google account.
    let data = home.roaming_app_data().join("Notion");
    let partition = data.join("Partitions/notion");
    write_json(
        &data.join("Preferences"),
        &json!({"spellcheck": {"dictionaries": ["en-US"]}}),
    )?;
    write_json(
        &data.join("state.json"),
        &json!({"appState": {"isFirstLaunch": false}}),
    )?;
    write_local_storage(&partition.join("Local Storage/leveldb"), NOTION, &[entry])?;
    write_cookies(
        &partition.join("Cookies"),
        &[
            (".notion.so", "token_v2", "demo-desktop-secret", true),
            (".notion.so", "notion_user_id", USER, false),
            (".google.com", "SID", "google-secret-SID", true),
            (
                ".google.com",
                "__Secure-3PSID",
                "google-secret-__Secure-3PSID",
                true,
            ),
            (".google.com", "HSID", "google-secret-HSID", true),
        ],
    )?;
    Ok(home)
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

/// Local Storage entries of `origin`, as Chromium writes them: `VERSION`,
/// `_<origin>\x00<key>`, and `META:<origin>` (a protobuf with the
/// last-modified time and the size), in one batch in the log.
pub(crate) fn write_local_storage(
    dir: &Path,
    origin: &str,
    entries: &[(String, String)],
) -> io::Result<()> {
    std::fs::create_dir_all(dir)?;
    let opts = rusty_leveldb::Options {
        create_if_missing: true,
        ..rusty_leveldb::Options::default()
    };
    let mut db = rusty_leveldb::DB::open(dir, opts).map_err(|e| other("open LevelDB", e))?;
    let mut batch = rusty_leveldb::WriteBatch::default();
    batch.put(b"VERSION", b"1");
    let mut size = 0;
    for (key, value) in entries {
        let mut entry_key = format!("_{origin}\x00").into_bytes();
        entry_key.extend(latin1(key));
        batch.put(&entry_key, &latin1(value));
        size += key.len() + value.len();
    }
    let mut meta = vec![0x08];
    varint(chromium_now() as u64, &mut meta);
    meta.push(0x10);
    varint(size as u64, &mut meta);
    batch.put(format!("META:{origin}").as_bytes(), &meta);
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
