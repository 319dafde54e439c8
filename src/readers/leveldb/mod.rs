//! Chromium Local Storage (LevelDB, `<profile>/Local Storage/leveldb`).
//!
//! Layout: `VERSION`, `META:<origin>`, `METAACCESS:<origin>`, and one key per
//! entry, `_<origin>\x00<b><key>`, where `b` is 0x00 (UTF-16LE follows) or
//! 0x01 (Latin-1 follows). Values carry the same one-byte prefix.
//!
//! This module reads and writes LevelDB itself, file by file, rather than
//! through a LevelDB library: a library opens a store to recover it (it
//! writes a new log, manifest and tables and takes `LOCK`), which a probe
//! must never do, and its recovery stops without a word at the first record
//! it cannot read. Here every read is of the files only ([`store::read`]),
//! sees what C++ LevelDB's recovery sees (tables, then every live `.log`,
//! by sequence number), verifies every checksum and names what it skipped;
//! the one write ([`write_batch`]) appends a batch to the live log under
//! LevelDB's own `LOCK`. Tests prove both against C++ LevelDB (plyvel) and
//! real Chromium.

pub mod coding;
pub mod log;
pub mod manifest;
pub mod store;
pub mod table;
pub mod write;

use std::path::Path;

pub use log::Damage;
pub use store::{Select, View, read};
pub use write::{LockError, StoreLock, write_batch};

use super::StoreError;

/// One operation of a write batch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BatchOp {
    Put(Vec<u8>, Vec<u8>),
    Delete(Vec<u8>),
}

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

/// Decode a Local Storage string as Chromium stores it: 0x01 and Latin-1,
/// or 0x00 and UTF-16LE. Unknown prefixes decode as lossy UTF-8 of the
/// whole buffer.
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

/// Every entry of `origins` in a Local Storage LevelDB, and what could not
/// be read.
#[derive(Debug, Clone, Default)]
pub struct LsRead {
    pub entries: Vec<LsEntry>,
    /// Damaged parts of the store, each naming the file, the offset and how
    /// much was skipped: scan warnings.
    pub warnings: Vec<StoreError>,
}

/// Read every entry of `origins` from the Local Storage LevelDB at `dir`,
/// without writing to it. Tables are searched through their index for each
/// origin's prefix; every live log is replayed.
pub fn read_local_storage(dir: &Path, origins: &[String]) -> Result<LsRead, StoreError> {
    let prefixes: Vec<Vec<u8>> = origins.iter().map(|o| origin_prefix(o)).collect();
    let view = store::read(dir, Select::Prefixes(&prefixes))?;
    let mut entries = Vec::new();
    for (k, v) in &view.entries {
        let Some(origin) = origins
            .iter()
            .zip(&prefixes)
            .find_map(|(o, p)| k.starts_with(p).then_some(o))
        else {
            continue;
        };
        entries.push(LsEntry {
            origin: origin.clone(),
            key: decode_string(&k[origin_prefix(origin).len()..]),
            value: decode_string(v),
            raw_key: k.clone(),
        });
    }
    // Origins in the order asked, keys sorted within each (as the store is).
    entries.sort_by_key(|e| origins.iter().position(|o| *o == e.origin));
    Ok(LsRead {
        entries,
        warnings: damage_warnings(dir, &view.damage),
    })
}

/// One warning per damaged part of a store.
pub fn damage_warnings(dir: &Path, damage: &[Damage]) -> Vec<StoreError> {
    damage
        .iter()
        .map(|d| {
            StoreError::new(
                dir,
                format!("corrupt LevelDB: {d}; entries there are not counted"),
            )
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strings_decode_in_both_encodings() {
        assert_eq!(
            decode_string(b"\x01notion:workspace:abc"),
            "notion:workspace:abc"
        );
        assert_eq!(decode_string(b"\x01\xc9quipe"), "Équipe");
        assert_eq!(decode_string(b"\x00\x71\x67\xac\x4e"), "東京");
        assert_eq!(decode_string(b"\x01"), "");
        assert_eq!(decode_string(b"plain"), "plain");
    }
}
