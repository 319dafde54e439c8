//! The `MANIFEST`: which tables are live, which logs still hold data, and
//! the last sequence number, as a log of version edits (C++ LevelDB
//! `db/version_edit.cc`). `CURRENT` names the manifest in use.

use std::collections::BTreeSet;
use std::io::Read;

use super::coding::Cursor;
use super::log::{Damage, LogReader};

#[derive(Debug, Default)]
pub struct Manifest {
    pub comparator: Option<String>,
    pub log_number: u64,
    pub prev_log_number: u64,
    pub last_sequence: u64,
    /// Live tables: (level, file number).
    pub tables: BTreeSet<(u32, u64)>,
    pub damage: Vec<Damage>,
    /// Which of the fields C++ LevelDB requires were seen (it refuses to
    /// open a store whose manifest lacks one).
    seen_log_number: bool,
    seen_next_file: bool,
    seen_last_sequence: bool,
}

const COMPARATOR: u64 = 1;
const LOG_NUMBER: u64 = 2;
const NEXT_FILE: u64 = 3;
const LAST_SEQUENCE: u64 = 4;
const COMPACT_POINTER: u64 = 5;
const DELETED_FILE: u64 = 6;
const NEW_FILE: u64 = 7;
const PREV_LOG_NUMBER: u64 = 9;

impl Manifest {
    pub fn read(src: impl Read, name: &str) -> std::io::Result<Manifest> {
        let mut m = Manifest::default();
        let mut log = LogReader::new(src, name);
        while let Some(rec) = log.next_record()? {
            if m.apply(&rec.data).is_none() {
                m.damage.push(Damage {
                    file: name.to_string(),
                    offset: rec.offset,
                    bytes: rec.data.len() as u64,
                    reason: "malformed version edit".into(),
                });
            }
        }
        m.damage.append(&mut log.damage);
        // Unlike a log's crash tail (a write that was never acknowledged),
        // a cut MANIFEST changes which tables are live: say so.
        if let Some((offset, bytes)) = log.torn_tail {
            m.damage.push(Damage {
                file: name.to_string(),
                offset,
                bytes,
                reason:
                    "ends in an unfinished record; the store's last change of files is not applied"
                        .into(),
            });
        }
        Ok(m)
    }

    /// The first required field the manifest lacks, if any.
    pub fn missing(&self) -> Option<&'static str> {
        [
            (self.seen_next_file, "next file number"),
            (self.seen_log_number, "log number"),
            (self.seen_last_sequence, "last sequence number"),
        ]
        .into_iter()
        .find_map(|(seen, what)| (!seen).then_some(what))
    }

    fn apply(&mut self, edit: &[u8]) -> Option<()> {
        let mut c = Cursor::new(edit);
        while !c.is_empty() {
            match c.varint()? {
                COMPARATOR => {
                    self.comparator = Some(String::from_utf8_lossy(c.prefixed()?).into_owned())
                }
                LOG_NUMBER => {
                    self.log_number = c.varint()?;
                    self.seen_log_number = true;
                }
                PREV_LOG_NUMBER => self.prev_log_number = c.varint()?,
                NEXT_FILE => {
                    c.varint()?;
                    self.seen_next_file = true;
                }
                LAST_SEQUENCE => {
                    self.last_sequence = c.varint()?;
                    self.seen_last_sequence = true;
                }
                COMPACT_POINTER => {
                    c.varint()?;
                    c.prefixed()?;
                }
                DELETED_FILE => {
                    let level = u32::try_from(c.varint()?).ok()?;
                    let number = c.varint()?;
                    self.tables.remove(&(level, number));
                }
                NEW_FILE => {
                    let level = u32::try_from(c.varint()?).ok()?;
                    let number = c.varint()?;
                    let _size = c.varint()?;
                    c.prefixed()?;
                    c.prefixed()?;
                    self.tables.insert((level, number));
                }
                _ => return None,
            }
        }
        Some(())
    }
}
