//! Chromium Local Storage (LevelDB, `<profile>/Local Storage/leveldb`).
//!
//! Layout: `VERSION`, `META:<origin>`, `METAACCESS:<origin>`, and one key per
//! entry, `_<origin>\x00<b><key>`, where `b` is 0x00 (UTF-16LE follows) or
//! 0x01 (Latin-1 follows). Values carry the same one-byte prefix.
//!
//! Reading opens the store in place through [`OverlayEnv`]: LevelDB writes on
//! open (log recovery, a new manifest, `LOCK`), and the real store must not
//! change, so every write stays in memory while every read comes from the
//! real files, read-only. Data still in the `.log` file is recovered into the
//! memtable and seen like compacted data.

use std::path::Path;
use std::rc::Rc;

use rusty_leveldb::{DB, LdbIterator, Options, WriteBatch};

use super::overlay_env::OverlayEnv;
use super::{StoreError, catch_panic};

/// One Local Storage entry of one origin.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LsEntry {
    pub origin: String,
    pub key: String,
    pub value: String,
    /// The exact LevelDB key (what a fix deletes).
    pub raw_key: Vec<u8>,
}

/// The LevelDB key prefix of every entry of `origin`: `_<origin>\x00`.
pub fn origin_prefix(origin: &str) -> Vec<u8> {
    let mut p = Vec::with_capacity(origin.len() + 2);
    p.push(b'_');
    p.extend_from_slice(origin.as_bytes());
    p.push(0);
    p
}

/// Encode a string the way Chromium does: 0x01 + Latin-1 when every
/// character is below 256, else 0x00 + UTF-16LE.
pub fn encode_string(s: &str) -> Vec<u8> {
    if s.chars().all(|c| (c as u32) < 256) {
        let mut out = Vec::with_capacity(s.len() + 1);
        out.push(1);
        out.extend(s.chars().map(|c| c as u32 as u8));
        out
    } else {
        let mut out = Vec::with_capacity(s.len() * 2 + 1);
        out.push(0);
        for u in s.encode_utf16() {
            out.extend_from_slice(&u.to_le_bytes());
        }
        out
    }
}

/// Decode a prefixed Local Storage string (see [`encode_string`]). Unknown
/// prefixes decode as lossy UTF-8 of the whole buffer.
pub fn decode_string(b: &[u8]) -> String {
    match b.split_first() {
        Some((0, rest)) => {
            let units: Vec<u16> = rest
                .chunks_exact(2)
                .map(|c| u16::from_le_bytes([c[0], c[1]]))
                .collect();
            String::from_utf16_lossy(&units)
        }
        Some((1, rest)) => rest.iter().map(|&c| c as char).collect(),
        _ => String::from_utf8_lossy(b).into_owned(),
    }
}

/// The full LevelDB key of `key` under `origin`.
pub fn entry_key(origin: &str, key: &str) -> Vec<u8> {
    let mut k = origin_prefix(origin);
    k.extend_from_slice(&encode_string(key));
    k
}

fn ldb_err(path: &Path, e: rusty_leveldb::Status) -> StoreError {
    let what = match e.code {
        rusty_leveldb::StatusCode::Corruption => "corrupt LevelDB",
        rusty_leveldb::StatusCode::LockError => "LevelDB is locked",
        rusty_leveldb::StatusCode::NotFound => "LevelDB file missing",
        rusty_leveldb::StatusCode::InvalidArgument => "not a LevelDB",
        _ => "cannot open LevelDB",
    };
    StoreError::new(path, format!("{what}: {}", e.err))
}

fn read_options() -> Options {
    Options {
        create_if_missing: false,
        paranoid_checks: false,
        ..Options::default()
    }
}

/// Read every entry of `origins` from the Local Storage LevelDB at `dir`,
/// without writing to it. Seeks to each origin's prefix; never scans the
/// whole store.
pub fn read_local_storage(dir: &Path, origins: &[String]) -> Result<Vec<LsEntry>, StoreError> {
    let listing = std::fs::read_dir(dir)
        .map_err(|e| StoreError::new(dir, format!("cannot list the LevelDB folder: {e}")))?;
    let mut names = Vec::new();
    for ent in listing.flatten() {
        let name = ent.file_name().to_string_lossy().into_owned();
        let is_file = ent.file_type().map(|t| t.is_file()).unwrap_or(false);
        if name == "LOCK" {
            continue;
        }
        if is_file {
            names.push(name);
        } else if is_store_file(&name) {
            // LevelDB would skip it without a word and hide its entries.
            return Err(StoreError::new(
                dir,
                format!("{name} is not a regular file (a folder, link or pipe)"),
            ));
        }
    }
    if !names.iter().any(|n| n == "CURRENT") {
        // A folder the browser created but never wrote to holds no entries.
        if !names
            .iter()
            .any(|n| n.ends_with(".log") || n.ends_with(".ldb") || n.ends_with(".sst"))
        {
            return Ok(Vec::new());
        }
        return Err(StoreError::new(dir, "not a LevelDB: no CURRENT file"));
    }
    // rusty-leveldb skips a table it cannot read without an error, so a
    // truncated table would silently hide its entries: check each footer.
    for n in names
        .iter()
        .filter(|n| n.ends_with(".ldb") || n.ends_with(".sst"))
    {
        if !table_footer_intact(&dir.join(n)) {
            return Err(StoreError::new(
                dir,
                format!("corrupt LevelDB: table {n} is truncated or damaged (no table footer)"),
            ));
        }
    }
    // Name files relative to the store in messages.
    let prefix = format!("{}/", dir.display());
    let err = |e: rusty_leveldb::Status| {
        let mut se = ldb_err(dir, e);
        se.reason = se.reason.replace(&prefix, "");
        se
    };
    // The library panics on some damaged files (see `catch_panic`): the
    // whole read runs inside the guard and a panic becomes a warning.
    match catch_panic(|| read_in_place(dir, origins)) {
        Ok(Ok(out)) => Ok(out),
        Ok(Err(e)) => Err(err(e)),
        // The panic message may quote bytes of the store; it is not shown.
        Err(_) => Err(StoreError::new(
            dir,
            "corrupt LevelDB: a damaged file stopped the reader",
        )),
    }
}

/// Names LevelDB reads: `CURRENT`, `MANIFEST-*`, logs and tables.
fn is_store_file(name: &str) -> bool {
    name == "CURRENT"
        || name.starts_with("MANIFEST-")
        || [".log", ".ldb", ".sst"].iter().any(|x| name.ends_with(x))
}

/// Every LevelDB table ends with a 48-byte footer whose last 8 bytes are
/// the magic number 0xdb4775248b80fb57 (little-endian).
fn table_footer_intact(path: &Path) -> bool {
    const MAGIC: [u8; 8] = 0xdb47_7524_8b80_fb57u64.to_le_bytes();
    const FOOTER: u64 = 48;
    use std::io::{Read, Seek, SeekFrom};
    let Ok(mut f) = std::fs::File::open(path) else {
        return false;
    };
    let Ok(len) = f.metadata().map(|m| m.len()) else {
        return false;
    };
    let mut tail = [0u8; 8];
    len >= FOOTER
        && f.seek(SeekFrom::Start(len - 8)).is_ok()
        && f.read_exact(&mut tail).is_ok()
        && tail == MAGIC
}

/// Read `origins` from the store at `dir`; its files are only read.
fn read_in_place(dir: &Path, origins: &[String]) -> Result<Vec<LsEntry>, rusty_leveldb::Status> {
    let options = Options {
        env: Rc::new(Box::new(OverlayEnv::new())),
        ..read_options()
    };
    let mut db = DB::open(dir, options)?;
    let mut out = Vec::new();
    {
        let mut it = db.new_iter()?;
        for origin in origins {
            let prefix = origin_prefix(origin);
            it.seek(&prefix);
            while it.valid() {
                let Some((k, v)) = it.current() else { break };
                if !k.starts_with(&prefix) {
                    break;
                }
                out.push(LsEntry {
                    origin: origin.clone(),
                    key: decode_string(&k[prefix.len()..]),
                    value: decode_string(&v),
                    raw_key: k.to_vec(),
                });
                if !it.advance() {
                    break;
                }
            }
        }
    }
    drop(db);
    Ok(out)
}

/// Delete `raw_keys` from the LevelDB at `dir`, IN PLACE (only when its owner
/// is closed: check `probe::running::store_in_use` first). Reopens the store
/// afterwards and verifies that none of the keys is left. Returns how many of
/// the keys existed.
pub fn delete_keys(dir: &Path, raw_keys: &[Vec<u8>]) -> Result<usize, StoreError> {
    if !dir.join("CURRENT").is_file() {
        return Err(StoreError::new(dir, "not a LevelDB: no CURRENT file"));
    }
    // A damaged store can make the library panic (see `catch_panic`); the
    // caller restores its backup on any error, so a panic becomes one.
    catch_panic(|| delete_keys_in(dir, raw_keys)).unwrap_or_else(|_| {
        Err(StoreError::new(
            dir,
            "corrupt LevelDB: a damaged file stopped the writer",
        ))
    })
}

fn delete_keys_in(dir: &Path, raw_keys: &[Vec<u8>]) -> Result<usize, StoreError> {
    let existed = {
        let mut db = DB::open(dir, read_options()).map_err(|e| ldb_err(dir, e))?;
        let mut existed = 0;
        let mut batch = WriteBatch::default();
        for k in raw_keys {
            if db.get(k).is_some() {
                existed += 1;
            }
            batch.delete(k);
        }
        db.write(batch, true).map_err(|e| ldb_err(dir, e))?;
        db.flush().map_err(|e| ldb_err(dir, e))?;
        db.close().map_err(|e| ldb_err(dir, e))?;
        existed
    };
    let mut db = DB::open(dir, read_options()).map_err(|e| ldb_err(dir, e))?;
    let left = raw_keys.iter().filter(|k| db.get(k).is_some()).count();
    db.close().map_err(|e| ldb_err(dir, e))?;
    if left > 0 {
        return Err(StoreError::new(
            dir,
            format!("{left} key(s) still present after delete"),
        ));
    }
    Ok(existed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strings_round_trip_in_both_encodings() {
        for s in ["notion:workspace:abc", "Équipe", "Équipe 東京", ""] {
            assert_eq!(decode_string(&encode_string(s)), s);
        }
        assert_eq!(encode_string("é")[0], 1);
        assert_eq!(encode_string("東")[0], 0);
    }
}
