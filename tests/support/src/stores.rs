//! Low-level writers of real store formats: Chromium Local Storage LevelDB,
//! Chromium `Cookies`, Firefox `cookies.sqlite` and LSNG `data.sqlite`.

use std::io;
use std::path::Path;
use std::time::{SystemTime, UNIX_EPOCH};

use rusqlite::{Connection, params};
use rusty_leveldb::{DB, Options, WriteBatch};

use crate::encode::{ls_entry_key, ls_meta_key, ls_origin_meta, ls_string, seal_linux_v10};

pub(crate) fn other<E: std::fmt::Display>(what: &str, e: E) -> io::Error {
    io::Error::other(format!("{what}: {e}"))
}

fn now_unix_micros() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_micros() as i64)
        .unwrap_or(0)
}

/// Microseconds since 1601-01-01 (Chromium's cookie clock).
pub fn chromium_now() -> i64 {
    now_unix_micros() + 11_644_473_600_000_000
}

/// A cookie to plant.
#[derive(Debug, Clone)]
pub struct SampleCookie {
    pub host: String,
    pub name: String,
    pub value: String,
    /// Chromium: store the value encrypted, empty `value`, as Chromium does
    /// on Linux without a keyring: `v10` with its public key, the host's
    /// SHA-256 first (database version 24). False stores it in `value`.
    pub encrypted: bool,
}

/// How a sample LevelDB store is laid out on disk.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct LsLayout {
    /// Move everything into table files, as after Chromium's compaction;
    /// otherwise the data stays in the `.log`, as in a freshly used profile.
    pub compact: bool,
    /// Entries per write batch (one log record each); 0 = all in one, as a
    /// page that writes everything in one load.
    pub batch: usize,
}

/// Write Local Storage entries in Chromium's layout into the LevelDB at `dir`
/// (created if missing), with rusty-leveldb: an implementation that shares
/// no code with the reader under test.
pub fn write_chromium_ls(
    dir: &Path,
    entries: &[(String, String, String)],
    layout: LsLayout,
) -> io::Result<()> {
    std::fs::create_dir_all(dir)?;
    let opts = Options {
        create_if_missing: true,
        ..Options::default()
    };
    let mut db = DB::open(dir, opts).map_err(|e| other("open LevelDB", e))?;
    let mut batch = WriteBatch::default();
    batch.put(b"VERSION", b"1");
    let mut sizes: std::collections::BTreeMap<&str, u64> = Default::default();
    let per = if layout.batch == 0 {
        usize::MAX
    } else {
        layout.batch
    };
    let mut in_batch = 0;
    for (origin, key, value) in entries {
        let k = ls_entry_key(origin, key);
        let v = ls_string(value);
        *sizes.entry(origin.as_str()).or_default() += (key.len() + value.len()) as u64;
        batch.put(&k, &v);
        in_batch += 1;
        if in_batch >= per {
            db.write(std::mem::take(&mut batch), true)
                .map_err(|e| other("write LevelDB", e))?;
            in_batch = 0;
        }
    }
    let now = chromium_now();
    for (origin, size) in &sizes {
        batch.put(&ls_meta_key(origin), &ls_origin_meta(now, *size));
    }
    db.write(batch, true)
        .map_err(|e| other("write LevelDB", e))?;
    if layout.compact {
        db.compact_range(b"\x00", b"\xff\xff\xff\xff")
            .map_err(|e| other("compact LevelDB", e))?;
    }
    db.flush().map_err(|e| other("flush LevelDB", e))?;
    db.close().map_err(|e| other("close LevelDB", e))?;
    Ok(())
}

/// Chromium `Cookies` schema (meta version 24).
const CHROMIUM_COOKIES_SCHEMA: &str = "
CREATE TABLE meta(key LONGVARCHAR NOT NULL UNIQUE PRIMARY KEY, value LONGVARCHAR);
CREATE TABLE cookies(creation_utc INTEGER NOT NULL,host_key TEXT NOT NULL,top_frame_site_key TEXT NOT NULL,name TEXT NOT NULL,value TEXT NOT NULL,encrypted_value BLOB NOT NULL,path TEXT NOT NULL,expires_utc INTEGER NOT NULL,is_secure INTEGER NOT NULL,is_httponly INTEGER NOT NULL,last_access_utc INTEGER NOT NULL,has_expires INTEGER NOT NULL,is_persistent INTEGER NOT NULL,priority INTEGER NOT NULL,samesite INTEGER NOT NULL,source_scheme INTEGER NOT NULL,source_port INTEGER NOT NULL,last_update_utc INTEGER NOT NULL,source_type INTEGER NOT NULL,has_cross_site_ancestor INTEGER NOT NULL);
CREATE UNIQUE INDEX cookies_unique_index ON cookies(host_key, top_frame_site_key, has_cross_site_ancestor, name, path, source_scheme, source_port);
INSERT INTO meta VALUES('mmap_status','-1');
INSERT INTO meta VALUES('version','24');
INSERT INTO meta VALUES('last_compatible_version','24');
";

/// Create (or add to) a Chromium `Cookies` database at `path`.
pub fn write_chromium_cookies(path: &Path, cookies: &[SampleCookie]) -> io::Result<()> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    let fresh = !path.exists();
    let mut conn = Connection::open(path).map_err(|e| other("open Cookies", e))?;
    if fresh {
        conn.execute_batch(CHROMIUM_COOKIES_SCHEMA)
            .map_err(|e| other("Cookies schema", e))?;
    }
    let tx = conn.transaction().map_err(|e| other("Cookies", e))?;
    {
        let mut stmt = tx
            .prepare(
                "INSERT OR REPLACE INTO cookies (creation_utc, host_key, top_frame_site_key, name, value, \
                 encrypted_value, path, expires_utc, is_secure, is_httponly, last_access_utc, has_expires, \
                 is_persistent, priority, samesite, source_scheme, source_port, last_update_utc, source_type, \
                 has_cross_site_ancestor) VALUES (?1, ?2, '', ?3, ?4, ?5, '/', ?6, 1, ?7, ?1, 1, 1, 1, -1, 2, 443, ?1, 0, 0)",
            )
            .map_err(|e| other("Cookies", e))?;
        let now = chromium_now();
        for (i, c) in cookies.iter().enumerate() {
            let (value, enc): (&str, Vec<u8>) = if c.encrypted {
                ("", seal_linux_v10(&c.value, &c.host))
            } else {
                (c.value.as_str(), Vec::new())
            };
            let httponly = i64::from(c.name == "token_v2" || c.name.contains("SID"));
            stmt.execute(params![
                now + i as i64,
                c.host,
                c.name,
                value,
                enc,
                now + 31_536_000_000_000,
                httponly
            ])
            .map_err(|e| other("Cookies insert", e))?;
        }
    }
    tx.commit().map_err(|e| other("Cookies commit", e))?;
    Ok(())
}

/// Firefox `cookies.sqlite` schema (`user_version` 17).
const MOZ_COOKIES_SCHEMA: &str = "
CREATE TABLE moz_cookies (id INTEGER PRIMARY KEY, originAttributes TEXT NOT NULL DEFAULT '', name TEXT, value TEXT, host TEXT, path TEXT, expiry INTEGER, lastAccessed INTEGER, creationTime INTEGER, isSecure INTEGER, isHttpOnly INTEGER, inBrowserElement INTEGER DEFAULT 0, sameSite INTEGER DEFAULT 0, rawSameSite INTEGER DEFAULT 0, schemeMap INTEGER DEFAULT 0, isPartitionedAttributeSet INTEGER DEFAULT 0, CONSTRAINT moz_uniqueid UNIQUE (name, host, path, originAttributes));
PRAGMA user_version = 17;
";

/// Create a Firefox `cookies.sqlite` at `path`. With `leave_in_wal`, the
/// database is in WAL mode and `cookies` stay only in the `-wal` file (the
/// schema is checkpointed into the main file), as while Firefox runs or after
/// it was killed.
pub fn write_moz_cookies(
    path: &Path,
    cookies: &[SampleCookie],
    leave_in_wal: bool,
) -> io::Result<()> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    let mut conn = Connection::open(path).map_err(|e| other("open cookies.sqlite", e))?;
    conn.pragma_update(None, "journal_mode", "WAL")
        .map_err(|e| other("cookies.sqlite WAL", e))?;
    conn.execute_batch(MOZ_COOKIES_SCHEMA)
        .map_err(|e| other("cookies.sqlite schema", e))?;
    if leave_in_wal {
        conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))
            .map_err(|e| other("cookies.sqlite checkpoint", e))?;
        conn.pragma_update(None, "wal_autocheckpoint", 0)
            .map_err(|e| other("cookies.sqlite", e))?;
        conn.set_db_config(
            rusqlite::config::DbConfig::SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE,
            true,
        )
        .map_err(|e| other("cookies.sqlite", e))?;
    }
    let tx = conn.transaction().map_err(|e| other("cookies.sqlite", e))?;
    {
        let mut stmt = tx
            .prepare(
                "INSERT INTO moz_cookies (originAttributes, name, value, host, path, expiry, lastAccessed, \
                 creationTime, isSecure, isHttpOnly, inBrowserElement, sameSite, rawSameSite, schemeMap) \
                 VALUES ('', ?1, ?2, ?3, '/', ?4, ?5, ?5, 1, 0, 0, 0, 0, 2)",
            )
            .map_err(|e| other("cookies.sqlite", e))?;
        let now = now_unix_micros();
        for c in cookies {
            stmt.execute(params![
                c.name,
                c.value,
                c.host,
                now / 1_000_000 + 31_536_000,
                now
            ])
            .map_err(|e| other("cookies.sqlite insert", e))?;
        }
    }
    tx.commit().map_err(|e| other("cookies.sqlite commit", e))?;
    if !leave_in_wal {
        conn.pragma_update(None, "journal_mode", "DELETE")
            .map_err(|e| other("cookies.sqlite", e))?;
    }
    drop(conn);
    Ok(())
}

/// Firefox LSNG `data.sqlite` for one origin at `path` (values of 64 bytes
/// or more snappy-compressed when that makes them smaller).
pub fn write_lsng(path: &Path, origin: &str, entries: &[(String, String)]) -> io::Result<()> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    let mut conn = Connection::open(path).map_err(|e| other("open data.sqlite", e))?;
    conn.execute_batch(
        "CREATE TABLE IF NOT EXISTS database (origin TEXT NOT NULL, usage INTEGER NOT NULL DEFAULT 0, \
         last_vacuum_time INTEGER NOT NULL DEFAULT 0, last_analyze_time INTEGER NOT NULL DEFAULT 0, \
         last_vacuum_size INTEGER NOT NULL DEFAULT 0);
         CREATE TABLE IF NOT EXISTS data (key TEXT PRIMARY KEY, utf16_length INTEGER NOT NULL, \
         conversion_type INTEGER NOT NULL, compression_type INTEGER NOT NULL, \
         last_access_time INTEGER NOT NULL DEFAULT 0, value BLOB NOT NULL);
         PRAGMA user_version = 80;",
    )
    .map_err(|e| other("data.sqlite schema", e))?;
    let tx = conn.transaction().map_err(|e| other("data.sqlite", e))?;
    {
        let mut usage: i64 = 0;
        let mut stmt = tx
            .prepare(
                "INSERT OR REPLACE INTO data (key, utf16_length, conversion_type, compression_type, \
                 last_access_time, value) VALUES (?1, ?2, 1, ?3, 0, ?4)",
            )
            .map_err(|e| other("data.sqlite", e))?;
        for (key, value) in entries {
            let utf16_len = value.encode_utf16().count() as i64;
            usage += key.encode_utf16().count() as i64 + utf16_len;
            let mut blob = value.as_bytes().to_vec();
            let mut compression = 0;
            if blob.len() >= 64
                && let Ok(packed) = snap::raw::Encoder::new().compress_vec(&blob)
                && packed.len() < blob.len()
            {
                blob = packed;
                compression = 1;
            }
            stmt.execute(params![key, utf16_len, compression, blob])
                .map_err(|e| other("data.sqlite insert", e))?;
        }
        tx.execute("DELETE FROM database", [])
            .map_err(|e| other("data.sqlite", e))?;
        tx.execute(
            "INSERT INTO database (origin, usage) VALUES (?1, ?2)",
            params![origin, usage],
        )
        .map_err(|e| other("data.sqlite", e))?;
    }
    tx.commit().map_err(|e| other("data.sqlite commit", e))?;
    Ok(())
}
