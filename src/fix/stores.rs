//! The writes fixes make, store by store, each verified by reading back:
//! Chromium Local Storage (LevelDB: one batch appended to its log by
//! [`leveldb::write_batch`], under the store's `LOCK`), Firefox LSNG
//! `data.sqlite`, and cookie databases (Chromium `Cookies`, Firefox
//! `cookies.sqlite`), each SQLite change in one transaction.

use std::collections::{BTreeMap, BTreeSet};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};

use rusqlite::types::Value as SqlValue;
use rusqlite::{Connection, OpenFlags, TransactionBehavior};
use serde::{Deserialize, Serialize};

use super::error::FixError;
use super::fsx;
use crate::readers::cookie_host;
use crate::readers::leveldb::{self, BatchOp, Select, StoreLock, decode_string};
use crate::readers::sqlite::open_copy;

/// One Local Storage key of one origin.
///
/// `key` is for display only (decoded, characters that cannot be shown
/// replaced by U+FFFD). `raw` is the entry's stored LevelDB key,
/// `_<origin>\x00<encoding byte><key bytes>`: a fix, its read-back and its
/// undo match entries by these bytes, so two keys that differ only in a
/// lone UTF-16 surrogate (legal in JavaScript) are never taken for one.
/// Plans journaled before it existed have none and match by `key`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct LsKey {
    pub origin: String,
    pub key: String,
    #[serde(default, skip_serializing_if = "Option::is_none", with = "hex_bytes")]
    pub raw: Option<Vec<u8>>,
}

impl LsKey {
    /// The key as a plan line shows it: the decoded text, and when the
    /// decoding had to replace characters, a note with the stored bytes.
    pub fn display(&self) -> String {
        match &self.raw {
            Some(raw) if lossy_entry_key(raw) => format!(
                "{} (shown with U+FFFD for characters that cannot be shown; stored key bytes {})",
                self.key,
                crate::digest::hex(raw)
            ),
            _ => self.key.clone(),
        }
    }
}

/// `Option<Vec<u8>>` as a hex string in the journal's plan JSON.
mod hex_bytes {
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(v: &Option<Vec<u8>>, s: S) -> Result<S::Ok, S::Error> {
        match v {
            Some(b) => s.serialize_str(&crate::digest::hex(b)),
            None => s.serialize_none(),
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Vec<u8>>, D::Error> {
        let Some(text) = Option::<String>::deserialize(d)? else {
            return Ok(None);
        };
        if text.len() % 2 != 0 {
            return Err(serde::de::Error::custom("odd-length hex key"));
        }
        (0..text.len())
            .step_by(2)
            .map(|i| {
                text.get(i..i + 2)
                    .and_then(|h| u8::from_str_radix(h, 16).ok())
                    .ok_or_else(|| serde::de::Error::custom("a key's bytes are not hex"))
            })
            .collect::<Result<Vec<u8>, _>>()
            .map(Some)
    }
}

/// Whether decoding a raw Local Storage key for display replaced anything
/// (a lone surrogate or an odd byte in UTF-16, bytes that are not UTF-8).
pub fn lossy_entry_key(raw: &[u8]) -> bool {
    let Some(rest) = raw.strip_prefix(b"_") else {
        return false;
    };
    let Some(nul) = rest.iter().position(|&b| b == 0) else {
        return false;
    };
    match rest[nul + 1..].split_first() {
        Some((0, k)) => {
            let units: Vec<u16> = k
                .chunks(2)
                .map(|c| u16::from_le_bytes([c[0], *c.get(1).unwrap_or(&0)]))
                .collect();
            k.len() % 2 != 0 || String::from_utf16(&units).is_err()
        }
        Some((1, _)) => false,
        _ => std::str::from_utf8(&rest[nul + 1..]).is_err(),
    }
}

/// The stored keys of `origin` in `snap` that display as `key`, each as
/// its own [`LsKey`] with its bytes (two when, say, keys differ only in a
/// lone surrogate: the plan then lists both).
pub fn ls_keys_of(snap: &LdbSnapshot, origin: &str, key: &str) -> Vec<LsKey> {
    let prefix = crate::readers::leveldb::origin_prefix(origin);
    snap.keys()
        .filter(|raw| raw.starts_with(&prefix))
        .filter_map(|raw| {
            let (o, k) = decode_entry_key(raw)?;
            (o == origin && k == key).then(|| LsKey {
                origin: o,
                key: k,
                raw: Some(raw.clone()),
            })
        })
        .collect()
}

/// Which browser's cookie database.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum CookieFlavor {
    /// `Cookies`, table `cookies`, column `host_key`.
    Chromium,
    /// `cookies.sqlite`, table `moz_cookies`, column `host`.
    Firefox,
}

impl CookieFlavor {
    fn table(self) -> (&'static str, &'static str) {
        match self {
            CookieFlavor::Chromium => ("cookies", "host_key"),
            CookieFlavor::Firefox => ("moz_cookies", "host"),
        }
    }
}

/// Run a closure that calls into a storage library, turning a panic into an
/// error: a fix never panics, and a panic midway must still lead to restore.
fn guarded<T>(
    path: &Path,
    what: &str,
    f: impl FnOnce() -> Result<T, FixError>,
) -> Result<T, FixError> {
    match catch_unwind(AssertUnwindSafe(f)) {
        Ok(r) => r,
        // The panic's text may quote bytes of the store: it is never kept.
        Err(_) => Err(FixError::store(
            path,
            format!("{what} failed inside the storage library"),
        )),
    }
}

// ---------------------------------------------------------------- LevelDB

/// Every key of a LevelDB with its value, read in place by the same reader
/// the probes use (it never writes to the store). A store with damage is
/// refused: a fix must not plan on a partial view.
pub type LdbSnapshot = BTreeMap<Vec<u8>, Vec<u8>>;

pub fn ldb_snapshot(dir: &Path) -> Result<LdbSnapshot, FixError> {
    let view = leveldb::read(dir, Select::All).map_err(|e| FixError::store(dir, e.reason))?;
    if let Some(d) = view.damage.first() {
        return Err(FixError::store(
            dir,
            format!("corrupt LevelDB: {d}; a damaged store is not changed"),
        ));
    }
    Ok(view.entries)
}

/// Split a raw Local Storage key `_<origin>\x00<enc><key>` into origin and key.
pub fn decode_entry_key(raw: &[u8]) -> Option<(String, String)> {
    let rest = raw.strip_prefix(b"_")?;
    let nul = rest.iter().position(|&b| b == 0)?;
    let origin = std::str::from_utf8(&rest[..nul]).ok()?.to_string();
    let key = decode_string(&rest[nul + 1..]);
    Some((origin, key))
}

/// The raw keys to delete: entries whose (origin, key) is in `keys` (in
/// either encoding), and for each of `origins` every entry plus its
/// `META:` / `METAACCESS:` records.
pub fn ldb_targets(snap: &LdbSnapshot, keys: &[LsKey], origins: &[String]) -> Vec<Vec<u8>> {
    let metas: BTreeSet<Vec<u8>> = origins
        .iter()
        .flat_map(|o| {
            [
                format!("META:{o}").into_bytes(),
                format!("METAACCESS:{o}").into_bytes(),
            ]
        })
        .collect();
    // Keys that carry their stored bytes match by them alone; only plans
    // journaled before keys had bytes match by the decoded text.
    let exact: BTreeSet<&[u8]> = keys.iter().filter_map(|k| k.raw.as_deref()).collect();
    let wanted: BTreeSet<(&str, &str)> = keys
        .iter()
        .filter(|k| k.raw.is_none())
        .map(|k| (k.origin.as_str(), k.key.as_str()))
        .collect();
    snap.keys()
        .filter(|raw| {
            if metas.contains(*raw) || exact.contains(raw.as_slice()) {
                return true;
            }
            match decode_entry_key(raw) {
                Some((origin, key)) => {
                    origins.contains(&origin) || wanted.contains(&(origin.as_str(), key.as_str()))
                }
                None => false,
            }
        })
        .cloned()
        .collect()
}

/// A readable form of a raw key for messages.
pub fn show_raw_key(raw: &[u8]) -> String {
    match decode_entry_key(raw) {
        Some((o, k)) => format!("{k} in {o}"),
        None => String::from_utf8_lossy(raw).into_owned(),
    }
}

/// Delete `raw` keys from the LevelDB `lock` holds (one batch appended to
/// its log), then read the store back and check that exactly those keys are
/// gone and every other key holds the same value. Returns how many were
/// deleted.
pub fn ldb_delete(
    lock: &StoreLock,
    before: &LdbSnapshot,
    raw: &[Vec<u8>],
) -> Result<usize, FixError> {
    let dir = lock.dir();
    let ops: Vec<BatchOp> = raw.iter().map(|k| BatchOp::Delete(k.clone())).collect();
    leveldb::write_batch(lock, &ops).map_err(|e| FixError::store(dir, e.reason))?;
    let after = ldb_snapshot(dir)?;
    let gone: BTreeSet<&Vec<u8>> = raw.iter().collect();
    let mut problems = Vec::new();
    for (k, v) in before {
        match (gone.contains(k), after.get(k)) {
            (true, Some(_)) => problems.push(format!("{} is still there", show_raw_key(k))),
            (false, None) => problems.push(format!("{} disappeared", show_raw_key(k))),
            (false, Some(v2)) if v2 != v => problems.push(format!("{} changed", show_raw_key(k))),
            _ => {}
        }
    }
    for k in after.keys() {
        if !before.contains_key(k) {
            problems.push(format!("{} appeared", show_raw_key(k)));
        }
    }
    if !problems.is_empty() {
        problems.truncate(5);
        return Err(FixError::store(
            dir,
            format!(
                "read-back after the delete does not match: {}",
                problems.join("; ")
            ),
        ));
    }
    Ok(raw.len())
}

// ----------------------------------------------------------------- SQLite

fn sql_err(path: &Path, e: rusqlite::Error) -> FixError {
    let msg = match e.sqlite_error_code() {
        Some(rusqlite::ErrorCode::DatabaseBusy) | Some(rusqlite::ErrorCode::DatabaseLocked) => {
            format!("the database is locked by another program ({e}); close it and try again")
        }
        Some(rusqlite::ErrorCode::NotADatabase) => "not an SQLite database".to_string(),
        Some(rusqlite::ErrorCode::DatabaseCorrupt) => format!("corrupt SQLite database ({e})"),
        _ => format!("SQLite error: {e}"),
    };
    FixError::store(path, msg)
}

/// Open an existing database in place for writing (never creates one).
fn open_rw(db: &Path) -> Result<Connection, FixError> {
    if !fsx::check_regular(db)? {
        return Err(FixError::store(db, "the database does not exist"));
    }
    let conn = Connection::open_with_flags(
        db,
        OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .map_err(|e| sql_err(db, e))?;
    conn.busy_timeout(std::time::Duration::from_millis(500))
        .map_err(|e| sql_err(db, e))?;
    Ok(conn)
}

/// The SQLite files of a database: itself, `-journal`, `-wal`, `-shm`.
pub fn sqlite_files(db: &Path) -> Vec<PathBuf> {
    let name = db
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    vec![
        db.to_path_buf(),
        db.with_file_name(format!("{name}-journal")),
        db.with_file_name(format!("{name}-wal")),
        db.with_file_name(format!("{name}-shm")),
    ]
}

/// A cookie found by host: (rowid, host, name). Values are never read.
type CookieHit = (i64, String, String);

fn cookie_hits(
    conn: &Connection,
    db: &Path,
    flavor: CookieFlavor,
    domains: &[String],
) -> Result<(Vec<CookieHit>, i64), FixError> {
    let (table, host) = flavor.table();
    let mut stmt = conn
        .prepare(&format!("SELECT rowid, {host}, name FROM {table}"))
        .map_err(|e| sql_err(db, e))?;
    let rows = stmt
        .query_map([], |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, Option<String>>(1)?.unwrap_or_default(),
                r.get::<_, Option<String>>(2)?.unwrap_or_default(),
            ))
        })
        .map_err(|e| sql_err(db, e))?;
    let mut hits = Vec::new();
    let mut total = 0i64;
    for row in rows {
        let row = row.map_err(|e| sql_err(db, e))?;
        total += 1;
        if cookie_host::on_any(&row.1, domains) {
            hits.push(row);
        }
    }
    Ok((hits, total))
}

/// Cookies (host, name) on `domains` in a cookie database, read from a copy.
pub fn plan_cookies(
    db: &Path,
    flavor: CookieFlavor,
    domains: &[String],
) -> Result<Vec<(String, String)>, FixError> {
    let copy = open_copy(db).map_err(|e| FixError::store(db, e.reason))?;
    let (hits, _) = cookie_hits(&copy.conn, db, flavor, domains)?;
    Ok(hits.into_iter().map(|(_, h, n)| (h, n)).collect())
}

/// Delete the cookies on `domains` in one transaction, then read back:
/// none left on those domains, every other cookie still there.
pub fn delete_cookies(
    db: &Path,
    flavor: CookieFlavor,
    domains: &[String],
) -> Result<usize, FixError> {
    let (table, _) = flavor.table();
    let (deleted, total) = guarded(db, "deleting cookies", || {
        let mut conn = open_rw(db)?;
        let tx = conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(|e| sql_err(db, e))?;
        let (hits, total) = cookie_hits(&tx, db, flavor, domains)?;
        {
            let mut del = tx
                .prepare(&format!("DELETE FROM {table} WHERE rowid = ?1"))
                .map_err(|e| sql_err(db, e))?;
            for (rowid, _, _) in &hits {
                del.execute([rowid]).map_err(|e| sql_err(db, e))?;
            }
        }
        tx.commit().map_err(|e| sql_err(db, e))?;
        conn.close().map_err(|(_, e)| sql_err(db, e))?;
        Ok((hits.len(), total))
    })?;
    let copy = open_copy(db).map_err(|e| FixError::store(db, e.reason))?;
    let (left, now_total) = cookie_hits(&copy.conn, db, flavor, domains)?;
    if !left.is_empty() || now_total != total - deleted as i64 {
        return Err(FixError::store(
            db,
            format!(
                "read-back after the delete does not match: {} cookie(s) on the domains left, {now_total} in all (expected {})",
                left.len(),
                total - deleted as i64
            ),
        ));
    }
    Ok(deleted)
}

/// Keys of a Firefox LSNG `data.sqlite`, read from a copy.
pub fn lsng_keys(db: &Path) -> Result<Vec<String>, FixError> {
    let copy = open_copy(db).map_err(|e| FixError::store(db, e.reason))?;
    let mut stmt = copy
        .conn
        .prepare("SELECT key FROM data")
        .map_err(|e| sql_err(db, e))?;
    let rows = stmt
        .query_map([], |r| r.get::<_, String>(0))
        .map_err(|e| sql_err(db, e))?;
    let mut out = Vec::new();
    for r in rows {
        out.push(r.map_err(|e| sql_err(db, e))?);
    }
    Ok(out)
}

/// `ls/usage` next to an LSNG database: a 32-bit cookie then the usage as
/// a 64-bit integer, both big-endian (Firefox's binary stream).
pub const USAGE_COOKIE: u32 = 0x420a_420a;

pub fn usage_file(db: &Path) -> PathBuf {
    db.with_file_name("usage")
}

pub fn usage_journal(db: &Path) -> PathBuf {
    db.with_file_name("usage-journal")
}

/// The files an LSNG delete may change.
pub fn lsng_files(db: &Path) -> Vec<PathBuf> {
    let mut v = sqlite_files(db);
    v.push(usage_file(db));
    v.push(usage_journal(db));
    v
}

fn has_usage_column(conn: &Connection, db: &Path) -> Result<bool, FixError> {
    let mut stmt = conn
        .prepare("SELECT name FROM pragma_table_info('database')")
        .map_err(|e| sql_err(db, e))?;
    let cols = stmt
        .query_map([], |r| r.get::<_, String>(0))
        .map_err(|e| sql_err(db, e))?;
    for c in cols {
        if c.map_err(|e| sql_err(db, e))? == "usage" {
            return Ok(true);
        }
    }
    Ok(false)
}

/// Delete `keys` (or every key with `all`) from an LSNG `data.sqlite` in
/// one transaction, keeping Firefox's bookkeeping: `database.usage` (the
/// UTF-16 length of every key plus its value's `utf16_length`) is
/// recomputed in the same transaction and the `usage` cache file, when
/// present and well-formed, is rewritten atomically. Reads back after.
/// Firefox keeps an origin's Local Storage size in `database.usage` (the sum
/// of UTF-16 lengths of keys and values): recompute it after a change.
fn update_usage(tx: &Connection, db: &Path) -> Result<Option<i64>, FixError> {
    if !has_usage_column(tx, db)? {
        return Ok(None);
    }
    let mut sum = 0i64;
    {
        let mut stmt = tx
            .prepare("SELECT key, utf16_length FROM data")
            .map_err(|e| sql_err(db, e))?;
        let rows = stmt
            .query_map([], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, Option<i64>>(1)?.unwrap_or(0),
                ))
            })
            .map_err(|e| sql_err(db, e))?;
        for row in rows {
            let (k, len) = row.map_err(|e| sql_err(db, e))?;
            sum += k.encode_utf16().count() as i64 + len;
        }
    }
    tx.execute("UPDATE database SET usage = ?1", [sum])
        .map_err(|e| sql_err(db, e))?;
    Ok(Some(sum))
}

/// The `ls/usage` file beside `data.sqlite` mirrors `database.usage`.
fn write_usage_file(db: &Path, usage: Option<i64>) -> Result<(), FixError> {
    let Some(usage) = usage else { return Ok(()) };
    let uf = usage_file(db);
    if fsx::check_regular(&uf)? {
        let bytes = std::fs::read(&uf).map_err(|e| FixError::io(&uf, "read", e))?;
        if bytes.len() == 12 && bytes[..4] == USAGE_COOKIE.to_be_bytes() {
            let mode = std::fs::metadata(&uf)
                .map(|m| fsx::mode_of(&m))
                .unwrap_or(0o644);
            let mut new = USAGE_COOKIE.to_be_bytes().to_vec();
            new.extend_from_slice(&(usage as u64).to_be_bytes());
            fsx::replace_with_bytes(&uf, &new, mode)?;
        }
    }
    Ok(())
}

/// Put back the cookie rows on `domains` that `backup` (a copy of the
/// database before the fix) holds and `db` lacks, in one transaction; rows
/// the browser wrote again since win. Returns how many were put back.
pub fn reinsert_cookies(
    db: &Path,
    backup: &Path,
    flavor: CookieFlavor,
    domains: &[String],
) -> Result<usize, FixError> {
    let (table, host, skip) = cookie_table(flavor);
    let old = open_copy(backup).map_err(|e| FixError::store(backup, e.reason))?;
    let cols = columns(&old.conn, table, skip).map_err(|e| sql_err(backup, e))?;
    let rows = rows_by(&old.conn, table, &cols, host).map_err(|e| sql_err(backup, e))?;
    guarded(db, "putting cookies back", || {
        let mut conn = open_rw(db)?;
        let tx = conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(|e| sql_err(db, e))?;
        let quoted: Vec<String> = cols.iter().map(|c| format!("\"{c}\"")).collect();
        let marks: Vec<String> = (1..=cols.len()).map(|i| format!("?{i}")).collect();
        let mut n = 0;
        {
            let mut ins = tx
                .prepare(&format!(
                    "INSERT OR IGNORE INTO {table} ({}) VALUES ({})",
                    quoted.join(", "),
                    marks.join(", ")
                ))
                .map_err(|e| sql_err(db, e))?;
            for (h, list) in &rows {
                if !cookie_host::on_any(h, domains) {
                    continue;
                }
                for r in list {
                    n += ins
                        .execute(rusqlite::params_from_iter(r.iter()))
                        .map_err(|e| sql_err(db, e))?;
                }
            }
        }
        tx.commit().map_err(|e| sql_err(db, e))?;
        conn.close().map_err(|(_, e)| sql_err(db, e))?;
        Ok(n)
    })
}

/// Put back Firefox Local Storage rows (`keys`, or every row with `all`)
/// from `backup` that `db` lacks, and refresh the usage bookkeeping.
/// Returns (rows put back, rows the browser wrote again since).
pub fn reinsert_lsng(
    db: &Path,
    backup: &Path,
    keys: &[String],
    all: bool,
) -> Result<(usize, usize), FixError> {
    let old = open_copy(backup).map_err(|e| FixError::store(backup, e.reason))?;
    let cols = columns(&old.conn, "data", &[]).map_err(|e| sql_err(backup, e))?;
    let rows = rows_by(&old.conn, "data", &cols, "key").map_err(|e| sql_err(backup, e))?;
    let present: BTreeSet<String> = lsng_keys(db)?.into_iter().collect();
    let (n, kept, usage) = guarded(db, "putting Local Storage rows back", || {
        let mut conn = open_rw(db)?;
        let tx = conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(|e| sql_err(db, e))?;
        let quoted: Vec<String> = cols.iter().map(|c| format!("\"{c}\"")).collect();
        let marks: Vec<String> = (1..=cols.len()).map(|i| format!("?{i}")).collect();
        let (mut n, mut kept) = (0, 0);
        {
            let mut ins = tx
                .prepare(&format!(
                    "INSERT OR IGNORE INTO data ({}) VALUES ({})",
                    quoted.join(", "),
                    marks.join(", ")
                ))
                .map_err(|e| sql_err(db, e))?;
            for (k, list) in &rows {
                if !all && !keys.contains(k) {
                    continue;
                }
                if present.contains(k) {
                    kept += 1;
                    continue;
                }
                for r in list {
                    n += ins
                        .execute(rusqlite::params_from_iter(r.iter()))
                        .map_err(|e| sql_err(db, e))?;
                }
            }
        }
        let usage = update_usage(&tx, db)?;
        tx.commit().map_err(|e| sql_err(db, e))?;
        conn.close().map_err(|(_, e)| sql_err(db, e))?;
        Ok((n, kept, usage))
    })?;
    write_usage_file(db, usage)?;
    Ok((n, kept))
}

pub fn delete_lsng(db: &Path, keys: &[String], all: bool) -> Result<usize, FixError> {
    let (deleted, total, usage) = guarded(db, "deleting LSNG keys", || {
        let mut conn = open_rw(db)?;
        let tx = conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(|e| sql_err(db, e))?;
        let total: i64 = tx
            .query_row("SELECT count(*) FROM data", [], |r| r.get(0))
            .map_err(|e| sql_err(db, e))?;
        let deleted = if all {
            tx.execute("DELETE FROM data", [])
                .map_err(|e| sql_err(db, e))?
        } else {
            let mut n = 0;
            let mut del = tx
                .prepare("DELETE FROM data WHERE key = ?1")
                .map_err(|e| sql_err(db, e))?;
            for k in keys {
                n += del.execute([k]).map_err(|e| sql_err(db, e))?;
            }
            n
        };
        let usage = update_usage(&tx, db)?;
        tx.commit().map_err(|e| sql_err(db, e))?;
        conn.close().map_err(|(_, e)| sql_err(db, e))?;
        Ok((deleted, total, usage))
    })?;
    write_usage_file(db, usage)?;
    let left = lsng_keys(db)?;
    let expected = total - deleted as i64;
    let still: Vec<&String> = if all {
        left.iter().collect()
    } else {
        left.iter().filter(|k| keys.contains(k)).collect()
    };
    if !still.is_empty() || left.len() as i64 != expected {
        return Err(FixError::store(
            db,
            format!(
                "read-back after the delete does not match: {} target key(s) left, {} key(s) in all (expected {expected})",
                still.len(),
                left.len()
            ),
        ));
    }
    Ok(deleted)
}

/// A row of an SQLite table, as values in column order.
pub(crate) type SqlRow = Vec<SqlValue>;

/// The columns of `table` in `conn`, without `skip`.
pub(crate) fn columns(
    conn: &rusqlite::Connection,
    table: &str,
    skip: &[&str],
) -> rusqlite::Result<Vec<String>> {
    let mut stmt = conn.prepare(&format!("SELECT name FROM pragma_table_info('{table}')"))?;
    let names: Vec<String> = stmt
        .query_map([], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    Ok(names
        .into_iter()
        .filter(|n| !skip.contains(&n.as_str()))
        .collect())
}

/// Rows of `table` with the given `columns`, keyed by `key_col`'s text.
pub(crate) fn rows_by(
    conn: &rusqlite::Connection,
    table: &str,
    cols: &[String],
    key_col: &str,
) -> rusqlite::Result<BTreeMap<String, Vec<SqlRow>>> {
    let quoted: Vec<String> = cols.iter().map(|c| format!("\"{c}\"")).collect();
    let sql = format!("SELECT \"{key_col}\", {} FROM {table}", quoted.join(", "));
    let mut stmt = conn.prepare(&sql)?;
    let mut out: BTreeMap<String, Vec<SqlRow>> = BTreeMap::new();
    let mut rows = stmt.query([])?;
    while let Some(r) = rows.next()? {
        let key: Option<String> = r.get(0)?;
        let mut vals = Vec::with_capacity(cols.len());
        for i in 0..cols.len() {
            vals.push(r.get::<_, SqlValue>(i + 1)?);
        }
        out.entry(key.unwrap_or_default()).or_default().push(vals);
    }
    Ok(out)
}

/// Which cookie table columns identify a row (what a re-inserted row must
/// not collide with): the store's unique index columns.
pub(crate) fn cookie_table(
    flavor: CookieFlavor,
) -> (&'static str, &'static str, &'static [&'static str]) {
    match flavor {
        CookieFlavor::Chromium => ("cookies", "host_key", &[]),
        // Firefox's `id` is an INTEGER PRIMARY KEY the browser may have
        // reused since: let SQLite give re-inserted rows a new one.
        CookieFlavor::Firefox => ("moz_cookies", "host", &["id"]),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn raw_keys_decode_in_both_encodings() {
        let mut k = b"_https://www.notion.so\x00\x01notion:workspace:a".to_vec();
        assert_eq!(
            decode_entry_key(&k),
            Some(("https://www.notion.so".into(), "notion:workspace:a".into()))
        );
        k = b"_https://www.notion.so\x00\x00".to_vec();
        for u in "x東".encode_utf16() {
            k.extend_from_slice(&u.to_le_bytes());
        }
        assert_eq!(decode_entry_key(&k).unwrap().1, "x東");
        assert_eq!(decode_entry_key(b"META:https://www.notion.so"), None);
    }
}
