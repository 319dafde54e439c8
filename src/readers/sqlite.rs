//! SQLite stores, read only: Chromium `Cookies`, Firefox `cookies.sqlite`,
//! Firefox LSNG `ls/data.sqlite`.
//!
//! A private copy ([`open_copy`]) holds the database with its `-wal` and
//! `-journal` (rows may still be only in the WAL) and is opened read-only;
//! [`read_cookies`] first tries the file in place, immutable, when a copy
//! would hold nothing more (see `read_in_place`). Cookie values
//! are never read, except for the user-id cookies the caller names; of
//! those, Chromium's Linux `v10` values are decrypted with its public key
//! (see [`super::cookie_crypto`]), every other encrypted value stays
//! unread and says why.

use std::path::Path;

use rusqlite::{Connection, OpenFlags, params_from_iter};

use super::cookie_crypto::{Protection, decrypt_linux_v10};
use super::cookie_host;
use super::{StoreError, copy_into_temp};
use crate::os::Layout;

/// An open private copy of an SQLite database; the copy is removed on drop.
pub struct SqliteCopy {
    // Field order matters: the connection closes before the folder goes.
    pub conn: Connection,
    _dir: crate::signals::TempCopy,
}

fn describe(e: &rusqlite::Error) -> String {
    describe_for(e, "SQLite database")
}

/// SQLite's own words for `e`, never the statement it came from.
fn message(e: &rusqlite::Error) -> String {
    match e {
        rusqlite::Error::SqliteFailure(_, Some(msg)) => msg.clone(),
        rusqlite::Error::SqliteFailure(f, None) => f.to_string(),
        rusqlite::Error::SqlInputError { msg, .. } => msg.clone(),
        other => other.to_string(),
    }
}

/// Why `what` (a database, a table) cannot be read, for a warning.
fn describe_for(e: &rusqlite::Error, what: &str) -> String {
    match e.sqlite_error_code() {
        Some(rusqlite::ErrorCode::NotADatabase) => "not an SQLite database".to_string(),
        Some(rusqlite::ErrorCode::DatabaseCorrupt) => {
            format!("corrupt SQLite database ({})", message(e))
        }
        Some(rusqlite::ErrorCode::DatabaseBusy) | Some(rusqlite::ErrorCode::DatabaseLocked) => {
            format!("database is locked ({})", message(e))
        }
        _ => format!("cannot read {what}: {}", message(e)),
    }
}

/// Copy `db` (with `-wal` and `-journal`) into a temp folder and open the copy.
pub fn open_copy(db: &Path) -> Result<SqliteCopy, StoreError> {
    let meta =
        std::fs::metadata(db).map_err(|e| StoreError::new(db, format!("cannot read: {e}")))?;
    if !meta.is_file() {
        return Err(StoreError::new(db, "not a file"));
    }
    let dir = db.parent().unwrap_or(Path::new("."));
    let name = db
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .ok_or_else(|| StoreError::new(db, "no file name"))?;
    let names = vec![
        name.clone(),
        format!("{name}-wal"),
        format!("{name}-journal"),
    ];
    let tmp = copy_into_temp(dir, &names, db)?;
    let copy = tmp.path().join(&name);
    let probe = |conn: &Connection| -> rusqlite::Result<i64> {
        conn.query_row("SELECT count(*) FROM sqlite_master", [], |r| r.get(0))
    };
    let ro = Connection::open_with_flags(
        &copy,
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    );
    let first_err = match ro {
        Ok(conn) => match probe(&conn) {
            Ok(_) => {
                return Ok(SqliteCopy { conn, _dir: tmp });
            }
            Err(e) => e,
        },
        Err(e) => e,
    };
    if first_err.sqlite_error_code() == Some(rusqlite::ErrorCode::NotADatabase) {
        return Err(StoreError::new(db, describe(&first_err)));
    }
    // A hot journal needs a rollback, which a read-only connection cannot do.
    // The copy is ours, so let SQLite recover it, then only query.
    let conn = Connection::open_with_flags(
        &copy,
        OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .map_err(|_| StoreError::new(db, describe(&first_err)))?;
    probe(&conn).map_err(|e| StoreError::new(db, describe(&e)))?;
    let _ = conn.pragma_update(None, "query_only", true);
    Ok(SqliteCopy { conn, _dir: tmp })
}

/// A zero-byte file is an empty database (SQLite creates it that way).
fn is_empty_file(db: &Path) -> bool {
    std::fs::metadata(db)
        .map(|m| m.is_file() && m.len() == 0)
        .unwrap_or(false)
}

/// Which browser's cookie database.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CookieSchema {
    /// Chromium `Cookies`: table `cookies` (`host_key`, `name`, `value`, `encrypted_value`...).
    Chromium,
    /// Firefox `cookies.sqlite`: table `moz_cookies` (`host`, `name`, `value`...).
    Firefox,
}

/// A cookie's host and name; `value` only for the names the caller asked for
/// (stored in clear, or decrypted from Chromium's Linux `v10`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CookieRow {
    pub host: String,
    pub name: String,
    pub value: Option<String>,
    /// Why an asked-for value could not be read ("encrypted with a key from
    /// the macOS Keychain (v10), which is not available to this tool").
    pub unreadable: Option<String>,
}

/// Escape `%`, `_` and `\` for a LIKE pattern with `ESCAPE '\'`.
fn like_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if matches!(c, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// What to read from a cookie database.
#[derive(Debug, Clone, Default)]
pub struct CookieQuery {
    /// Cookies on these domains (host-only `d`, domain `.d`, subdomains).
    pub domains: Vec<String>,
    /// Names whose value is read (the non-secret user-id cookies)...
    pub value_names: Vec<String>,
    /// ...and only on these domains. Every other value stays unread.
    pub value_domains: Vec<String>,
    /// The OS layout of the home, which decides how a Chromium value is
    /// encrypted; only Linux `v10` values are decrypted.
    pub layout: Option<Layout>,
}

/// The SQL prefilter of the cookie-host rule ([`cookie_host::on_domain`]):
/// `host LIKE ?d OR host LIKE ?'%.d'` for each domain, binding into
/// `params`. It selects every host the rule accepts (`LIKE` ignores ASCII
/// case as the rule does, and `%` takes leading dots); what it selects is
/// checked again with the rule.
fn host_condition(host: &str, domains: &[String], params: &mut Vec<String>) -> String {
    let mut conds = Vec::new();
    for d in domains {
        let d = like_escape(&cookie_host::normalized(d));
        if d.is_empty() {
            continue;
        }
        params.push(d.clone());
        let eq = params.len();
        params.push(format!("%.{d}"));
        let like = params.len();
        conds.push(format!(
            "{host} LIKE ?{eq} ESCAPE '\\' OR {host} LIKE ?{like} ESCAPE '\\'"
        ));
    }
    if conds.is_empty() {
        "0".to_string()
    } else {
        format!("({})", conds.join(" OR "))
    }
}

/// Cookies matching `query` from a cookie database: names and hosts, and
/// values only of the named cookies on the value domains.
pub fn read_cookies(
    db: &Path,
    schema: CookieSchema,
    query: &CookieQuery,
) -> Result<Vec<CookieRow>, StoreError> {
    if query.domains.is_empty() || is_empty_file(db) {
        return Ok(Vec::new());
    }
    // Fast path: read the file in place, without a copy, when a copy would
    // hold nothing more (no WAL, no journal) and the file did not change
    // while it was read. Anything else takes the copy path, which also gives
    // the usual error messages.
    if let Some(rows) = read_in_place(db, |conn| query_cookies(conn, schema, query)) {
        return Ok(rows);
    }
    let copy = open_copy(db)?;
    query_cookies(&copy.conn, schema, query).map_err(|e| StoreError::new(db, describe(&e)))
}

/// `(length, modification time)` of a file, `None` when it does not exist.
fn stamp(path: &Path) -> Option<(u64, Option<std::time::SystemTime>)> {
    std::fs::metadata(path)
        .ok()
        .map(|m| (m.len(), m.modified().ok()))
}

/// A non-empty `-wal` or `-journal` next to `db`: the file alone is not the
/// whole database.
fn has_side_files(db: &Path) -> bool {
    ["-wal", "-journal"].iter().any(|sfx| {
        let mut p = db.as_os_str().to_owned();
        p.push(sfx);
        std::fs::symlink_metadata(Path::new(&p))
            .map(|m| !m.is_file() || m.len() > 0)
            .unwrap_or(false)
    })
}

/// Run `f` on `db` opened in place, read-only and `immutable` (SQLite
/// takes no lock and writes nothing, not even a `-shm`). `None` when the
/// database has a WAL or journal, when it changed during the read, or on any
/// error: the caller then reads a private copy.
fn read_in_place<T>(db: &Path, f: impl FnOnce(&Connection) -> rusqlite::Result<T>) -> Option<T> {
    // Windows paths would need their own URI spelling: copy there.
    if cfg!(not(unix)) {
        return None;
    }
    let meta = std::fs::metadata(db).ok()?;
    if !meta.is_file() || has_side_files(db) {
        return None;
    }
    let before = stamp(db)?;
    let path = db.to_str()?;
    let mut uri = String::from("file:");
    for c in path.chars() {
        match c {
            '%' | '?' | '#' => uri.push_str(&format!("%{:02X}", c as u32)),
            c => uri.push(c),
        }
    }
    uri.push_str("?mode=ro&immutable=1");
    let conn = Connection::open_with_flags(
        &uri,
        OpenFlags::SQLITE_OPEN_READ_ONLY
            | OpenFlags::SQLITE_OPEN_NO_MUTEX
            | OpenFlags::SQLITE_OPEN_URI,
    )
    .ok()?;
    let out = f(&conn).ok()?;
    drop(conn);
    (stamp(db) == Some(before) && !has_side_files(db)).then_some(out)
}

/// The distinct hosts of a cookie table on `domains` (by
/// [`cookie_host::on_domain_bytes`]). Listing the hosts walks the host
/// index, much cheaper than evaluating the SQL prefilter on every row.
/// `None` when a host is not text (let SQL decide).
fn matching_hosts(
    conn: &Connection,
    table: &str,
    host: &str,
    domains: &[String],
) -> rusqlite::Result<Option<Vec<String>>> {
    let mut stmt = conn.prepare(&format!("SELECT DISTINCT {host} FROM {table}"))?;
    let mut rows = stmt.query([])?;
    let mut out = Vec::new();
    while let Some(r) = rows.next()? {
        let h = match r.get_ref(0)? {
            rusqlite::types::ValueRef::Text(t) => t,
            rusqlite::types::ValueRef::Null => continue,
            _ => return Ok(None),
        };
        if domains
            .iter()
            .any(|d| cookie_host::on_domain_bytes(h, d.as_bytes()))
        {
            let Ok(s) = std::str::from_utf8(h) else {
                return Ok(None);
            };
            out.push(s.to_string());
        }
    }
    Ok(Some(out))
}

/// Hosts bound one by one; beyond this many, the SQL conditions are used.
const MAX_HOST_PARAMS: usize = 500;

fn query_cookies(
    conn: &Connection,
    schema: CookieSchema,
    query: &CookieQuery,
) -> rusqlite::Result<Vec<CookieRow>> {
    let (table, host) = match schema {
        CookieSchema::Chromium => ("cookies", "host_key"),
        CookieSchema::Firefox => ("moz_cookies", "host"),
    };
    let mut params: Vec<String> = Vec::new();
    let wanted = !(query.value_names.is_empty() || query.value_domains.is_empty());
    // The rows whose value may be read: the named cookies on the value domains.
    let read_cond = if wanted {
        let marks: Vec<String> = query
            .value_names
            .iter()
            .map(|n| {
                params.push(n.clone());
                format!("?{}", params.len())
            })
            .collect();
        let on = host_condition(host, &query.value_domains, &mut params);
        Some(format!("name IN ({}) AND {on}", marks.join(", ")))
    } else {
        None
    };
    let value_expr = match &read_cond {
        Some(c) => format!("CASE WHEN {c} THEN value ELSE NULL END"),
        None => "NULL".to_string(),
    };
    // Chromium keeps the value encrypted in `encrypted_value`: the same
    // condition selects it, so no other cookie's ciphertext is even read.
    // Old Chromium schemas have no `encrypted_value`: their names, hosts
    // and plain values are read all the same.
    let has_encrypted = schema == CookieSchema::Chromium
        && conn
            .prepare("SELECT name FROM pragma_table_info('cookies') WHERE name = 'encrypted_value'")
            .and_then(|mut st| st.exists([]))
            .unwrap_or(false);
    let enc_expr = match (&read_cond, schema) {
        (Some(c), CookieSchema::Chromium) if has_encrypted => {
            format!("CASE WHEN {c} THEN encrypted_value ELSE NULL END")
        }
        _ => "NULL".to_string(),
    };
    let db_version: Option<i64> = if enc_expr == "NULL" {
        None
    } else {
        // `meta.value` is text in Chromium's schema; accept a number too.
        conn.query_row("SELECT value FROM meta WHERE key = 'version'", [], |r| {
            Ok(match r.get_ref(0)? {
                rusqlite::types::ValueRef::Integer(i) => Some(i),
                rusqlite::types::ValueRef::Text(t) => std::str::from_utf8(t)
                    .ok()
                    .and_then(|s| s.trim().parse().ok()),
                _ => None,
            })
        })
        .ok()
        .flatten()
    };
    // Rows in table order, as a full scan with the conditions returns them.
    let filter = match matching_hosts(conn, table, host, &query.domains) {
        Ok(Some(hosts)) if hosts.is_empty() => return Ok(Vec::new()),
        Ok(Some(hosts)) if hosts.len() <= MAX_HOST_PARAMS => {
            let marks: Vec<String> = hosts
                .into_iter()
                .map(|h| {
                    params.push(h);
                    format!("?{}", params.len())
                })
                .collect();
            format!("{host} IN ({}) ORDER BY rowid", marks.join(", "))
        }
        _ => host_condition(host, &query.domains, &mut params),
    };
    let sql = format!("SELECT {host}, name, {value_expr}, {enc_expr} FROM {table} WHERE {filter}");
    let mut stmt = conn.prepare(&sql)?;
    let mut out = Vec::new();
    let mut rows = stmt.query(params_from_iter(params.iter()))?;
    while let Some(r) = rows.next()? {
        let host: String = r.get::<_, Option<String>>(0)?.unwrap_or_default();
        // The SQL filter selected the rows; the rule has the last word.
        if !cookie_host::on_any(&host, &query.domains) {
            continue;
        }
        let name: String = r.get::<_, Option<String>>(1)?.unwrap_or_default();
        // Only the values asked for reach here (the SQL chose them); checked
        // again, as this is the one place a value is read or decrypted.
        let asked =
            query.value_names.contains(&name) && cookie_host::on_any(&host, &query.value_domains);
        let (value, unreadable) = if !asked {
            (None, None)
        } else {
            let value: Option<String> = r.get(2).ok().flatten();
            let encrypted: Option<Vec<u8>> = r.get(3).ok().flatten();
            match value.filter(|v| !v.is_empty()) {
                Some(v) => (Some(v), None),
                None => match encrypted.filter(|b| !b.is_empty()) {
                    Some(blob) => open_value(&blob, &host, db_version, query.layout),
                    None => (None, None),
                },
            }
        };
        out.push(CookieRow {
            host,
            name,
            value,
            unreadable,
        });
    }
    Ok(out)
}

/// The value of an encrypted user-id cookie, or why it stays unread.
fn open_value(
    blob: &[u8],
    host: &str,
    db_version: Option<i64>,
    layout: Option<Layout>,
) -> (Option<String>, Option<String>) {
    let Some(layout) = layout else {
        return (None, Some("encrypted; not read".into()));
    };
    match Protection::of(blob, layout) {
        Protection::LinuxPublic => match decrypt_linux_v10(blob, host, db_version) {
            Ok(v) if !v.is_empty() => (Some(v), None),
            Ok(_) => (None, None),
            Err(e) => (None, Some(format!("encrypted, and {e}"))),
        },
        other => (None, Some(other.reason().to_string())),
    }
}

/// `id -> name` of every row of `table` (the desktop app's `notion.db`
/// `space(id, name)`): see [`read_rows`].
pub fn read_names(
    db: &Path,
    table: &str,
    id: &str,
    name: &str,
) -> Result<std::collections::BTreeMap<String, String>, StoreError> {
    Ok(read_rows(db, table, &[id, name])?
        .into_iter()
        .filter_map(|mut r| {
            let v = r.pop().flatten()?;
            let k = r.pop().flatten()?;
            Some((k, v))
        })
        .collect())
}

/// The `columns` of every row of `table` as text (numbers spelled out,
/// empty text and anything else `None`), read in place when the file alone
/// is the whole database, else from a private copy with its `-wal` and
/// `-journal`. Identifiers come checked from the flow
/// ([`crate::probe::pattern::Ident`]) and are quoted; a missing table or
/// column is an error naming it, never the SQL.
pub fn read_rows(
    db: &Path,
    table: &str,
    columns: &[&str],
) -> Result<Vec<Vec<Option<String>>>, StoreError> {
    if is_empty_file(db) {
        return Ok(Vec::new());
    }
    let q = |conn: &Connection| -> rusqlite::Result<Vec<Vec<Option<String>>>> {
        let cols: Vec<String> = columns.iter().map(|c| format!("\"{c}\"")).collect();
        let sql = format!("SELECT {} FROM \"{table}\"", cols.join(", "));
        let mut stmt = conn.prepare(&sql)?;
        let mut rows = stmt.query([])?;
        let mut out = Vec::new();
        while let Some(r) = rows.next()? {
            let row = (0..columns.len())
                .map(|i| match r.get_ref(i).ok()? {
                    rusqlite::types::ValueRef::Text(t) if !t.is_empty() => {
                        Some(String::from_utf8_lossy(t).into_owned())
                    }
                    rusqlite::types::ValueRef::Integer(n) => Some(n.to_string()),
                    _ => None,
                })
                .collect();
            out.push(row);
        }
        Ok(out)
    };
    if let Some(rows) = read_in_place(db, q) {
        return Ok(rows);
    }
    let copy = open_copy(db)?;
    q(&copy.conn).map_err(|e| {
        let what = format!("table {table} ({})", columns.join(", "));
        StoreError::new(db, describe_for(&e, &what))
    })
}

/// Decode one LSNG value: `compression_type` 1 is raw snappy;
/// `conversion_type` 1 means the UTF-16 string was stored as UTF-8.
pub fn decode_lsng_value(
    blob: &[u8],
    conversion_type: i64,
    compression_type: i64,
) -> Result<String, String> {
    let raw = match compression_type {
        0 => blob.to_vec(),
        1 => snap::raw::Decoder::new()
            .decompress_vec(blob)
            .map_err(|e| format!("bad snappy data: {e}"))?,
        other => return Err(format!("unknown compression_type {other}")),
    };
    if conversion_type == 1 {
        return Ok(String::from_utf8_lossy(&raw).into_owned());
    }
    // No conversion: UTF-8 when it is valid, else UTF-16LE code units.
    match String::from_utf8(raw) {
        Ok(s) => Ok(s),
        Err(e) => {
            let raw = e.into_bytes();
            let units: Vec<u16> = raw
                .chunks_exact(2)
                .map(|c| u16::from_le_bytes([c[0], c[1]]))
                .collect();
            Ok(String::from_utf16_lossy(&units))
        }
    }
}

/// Firefox's storage folder name of an origin: `https://www.notion.so` ->
/// `https+++www.notion.so` (`:` and `/` become `+`).
pub fn firefox_origin_dir(origin: &str) -> String {
    origin.replace("://", "+++").replace([':', '/'], "+")
}

/// Every `(key, value)` of a Firefox LSNG `data.sqlite` (one origin).
pub fn read_lsng(db: &Path) -> Result<Vec<(String, String)>, StoreError> {
    if is_empty_file(db) {
        return Ok(Vec::new());
    }
    let copy = open_copy(db)?;
    let mut stmt = copy
        .conn
        .prepare("SELECT key, value, conversion_type, compression_type FROM data")
        .map_err(|e| StoreError::new(db, describe(&e)))?;
    let rows = stmt
        .query_map([], |r| {
            let key: String = r.get(0)?;
            let value: Vec<u8> = match r.get_ref(1)? {
                rusqlite::types::ValueRef::Blob(b) => b.to_vec(),
                rusqlite::types::ValueRef::Text(t) => t.to_vec(),
                _ => Vec::new(),
            };
            let conv: i64 = r.get::<_, Option<i64>>(2)?.unwrap_or(0);
            let comp: i64 = r.get::<_, Option<i64>>(3)?.unwrap_or(0);
            Ok((key, value, conv, comp))
        })
        .map_err(|e| StoreError::new(db, describe(&e)))?;
    let mut out = Vec::new();
    for row in rows {
        let (key, blob, conv, comp) = row.map_err(|e| StoreError::new(db, describe(&e)))?;
        let value = decode_lsng_value(&blob, conv, comp)
            .map_err(|e| StoreError::new(db, format!("key {key:?}: {e}")))?;
        out.push((key, value));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lsng_values_decode() {
        let long = "x".repeat(500);
        let packed = snap::raw::Encoder::new()
            .compress_vec(long.as_bytes())
            .unwrap();
        assert_eq!(decode_lsng_value(&packed, 1, 1).unwrap(), long);
        assert_eq!(decode_lsng_value(b"plain", 1, 0).unwrap(), "plain");
        assert!(decode_lsng_value(b"\xff\xff", 1, 1).is_err());
    }

    #[test]
    fn like_patterns_are_escaped() {
        assert_eq!(like_escape("a_b%c"), "a\\_b\\%c");
    }

    /// The SQL prefilter and the host list select what the rule does.
    #[test]
    fn cookie_queries_select_the_hosts_the_rule_accepts() {
        let hosts = [
            "notion.so",
            ".notion.so",
            "..notion.so",
            "www.notion.so",
            "NOTION.SO",
            "Www.Notion.So",
            "notnotion.so",
            "notion.so.evil.com",
            "notion_so",
            "so",
            "",
        ];
        let conn = Connection::open_in_memory().unwrap();
        conn.execute_batch("CREATE TABLE moz_cookies (host TEXT, name TEXT, value TEXT)")
            .unwrap();
        for h in hosts {
            conn.execute(
                "INSERT INTO moz_cookies VALUES (?1, 'n', 'v')",
                rusqlite::params![h],
            )
            .unwrap();
        }
        let domains = vec![".Notion.so".to_string(), "".to_string()];
        let want: Vec<&str> = hosts
            .iter()
            .copied()
            .filter(|h| cookie_host::on_any(h, &domains))
            .collect();
        assert_eq!(want.len(), 6);
        let mut params = Vec::new();
        let cond = host_condition("host", &domains, &mut params);
        let mut stmt = conn
            .prepare(&format!(
                "SELECT host FROM moz_cookies WHERE {cond} ORDER BY rowid"
            ))
            .unwrap();
        let by_sql: Vec<String> = stmt
            .query_map(params_from_iter(params.iter()), |r| r.get(0))
            .unwrap()
            .map(Result::unwrap)
            .collect();
        assert_eq!(by_sql, want);
        let mut by_list = matching_hosts(&conn, "moz_cookies", "host", &domains)
            .unwrap()
            .unwrap();
        by_list.sort();
        let mut sorted = want.clone();
        sorted.sort();
        assert_eq!(by_list, sorted);
        let query = CookieQuery {
            domains: domains.clone(),
            value_names: vec!["n".into()],
            value_domains: vec!["www.notion.so".into()],
            layout: None,
        };
        let rows = query_cookies(&conn, CookieSchema::Firefox, &query).unwrap();
        let got: Vec<(&str, Option<&str>)> = rows
            .iter()
            .map(|r| (r.host.as_str(), r.value.as_deref()))
            .collect();
        let expect: Vec<(&str, Option<&str>)> = want
            .iter()
            .map(|h| {
                let v = cookie_host::on_domain(h, "www.notion.so").then_some("v");
                (*h, v)
            })
            .collect();
        assert_eq!(got, expect);
    }
}
