//! A LevelDB folder read as C++ LevelDB would recover it, without writing.
//!
//! `CURRENT` names the `MANIFEST`; the manifest lists the live tables and
//! the first log still holding data; every live `.log` is replayed after the
//! tables. Each key takes the version with the highest sequence number, so
//! overwrites and deletions land in the right order whatever file holds
//! them. Nothing is written, locked or copied: this reads files only.

use std::collections::BTreeMap;
use std::fs::{self, File};
use std::io::{self, BufReader, Read};
use std::path::{Path, PathBuf};

use super::coding::Cursor;
use super::log::{Damage, LogReader};
use super::manifest::Manifest;
use super::table::Table;
use crate::readers::StoreError;

/// Which keys to keep.
#[derive(Debug, Clone, Copy)]
pub enum Select<'a> {
    /// Every key of the store.
    All,
    /// Keys starting with one of these (none: only the bookkeeping).
    Prefixes(&'a [Vec<u8>]),
}

impl Select<'_> {
    fn wants(&self, key: &[u8]) -> bool {
        match self {
            Select::All => true,
            Select::Prefixes(ps) => ps.iter().any(|p| key.starts_with(p)),
        }
    }
}

/// The log LevelDB would append to next, as it was when read.
#[derive(Debug, Clone)]
pub struct LiveLog {
    pub path: PathBuf,
    pub len: u64,
    /// Unfinished bytes at its end (a crash mid-write): (offset, length).
    pub torn_tail: Option<(u64, u64)>,
    /// The offset after its last whole fragment.
    pub clean_end: u64,
}

/// What a read saw.
#[derive(Debug, Default)]
pub struct View {
    /// Live keys and their values, sorted.
    pub entries: BTreeMap<Vec<u8>, Vec<u8>>,
    /// What could not be read: each a warning.
    pub damage: Vec<Damage>,
    /// Unfinished records at the end of logs (file, offset, bytes): what a
    /// crash leaves, and what LevelDB itself drops without a word.
    pub torn_tails: Vec<(String, u64, u64)>,
    /// The highest sequence number in use.
    pub last_sequence: u64,
    pub live_log: Option<LiveLog>,
}

/// Open a file of the store for reading, never through a symlink, and only
/// if it is a regular file (a FIFO must not hang a read).
pub fn open_regular(path: &Path) -> io::Result<File> {
    let mut o = fs::OpenOptions::new();
    o.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        o.custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK);
    }
    let f = o.open(path)?;
    if !f.metadata()?.is_file() {
        return Err(io::Error::other("not a regular file"));
    }
    Ok(f)
}

/// Names LevelDB reads: `CURRENT`, `MANIFEST-*`, logs and tables.
pub fn is_store_file(name: &str) -> bool {
    name == "CURRENT"
        || name.starts_with("MANIFEST-")
        || [".log", ".ldb", ".sst"].iter().any(|x| name.ends_with(x))
}

fn file_number(name: &str, ext: &str) -> Option<u64> {
    let stem = name.strip_suffix(ext)?;
    if stem.is_empty() || !stem.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    stem.parse().ok()
}

/// One version of a key: its sequence number, and its value (None: deleted).
type Versions = BTreeMap<Vec<u8>, (u64, Option<Vec<u8>>)>;

fn keep(versions: &mut Versions, key: &[u8], seq: u64, value: Option<&[u8]>) {
    match versions.get_mut(key) {
        Some(v) if v.0 >= seq => {}
        Some(v) => *v = (seq, value.map(<[u8]>::to_vec)),
        None => {
            versions.insert(key.to_vec(), (seq, value.map(<[u8]>::to_vec)));
        }
    }
}

/// Read the store at `dir`, keeping the keys `select` names.
pub fn read(dir: &Path, select: Select<'_>) -> Result<View, StoreError> {
    let err = |reason: String| StoreError::new(dir, reason);
    let listing =
        fs::read_dir(dir).map_err(|e| err(format!("cannot list the LevelDB folder: {e}")))?;
    let mut names = Vec::new();
    for ent in listing {
        let ent = ent.map_err(|e| err(format!("cannot list the LevelDB folder: {e}")))?;
        let name = ent.file_name().to_string_lossy().into_owned();
        if !is_store_file(&name) {
            continue;
        }
        if !ent.file_type().is_ok_and(|t| t.is_file()) {
            // LevelDB would read through it, or fail; never follow it here.
            return Err(err(format!(
                "{name} is not a regular file (a folder, link or pipe)"
            )));
        }
        names.push(name);
    }
    let mut view = View::default();
    if !names.iter().any(|n| n == "CURRENT") {
        // A folder the browser created but never wrote to holds no entries.
        if names.iter().all(|n| n.starts_with("MANIFEST-")) {
            return Ok(view);
        }
        return Err(err("not a LevelDB: no CURRENT file".into()));
    }
    let mut current = String::new();
    open_regular(&dir.join("CURRENT"))
        .and_then(|f| f.take(4096).read_to_string(&mut current))
        .map_err(|e| err(format!("cannot read CURRENT: {e}")))?;
    let manifest_name = current.trim_end_matches('\n');
    if !manifest_name.starts_with("MANIFEST-") || manifest_name.contains(['/', '\\']) {
        return Err(err(
            "corrupt LevelDB: CURRENT does not name a MANIFEST".into()
        ));
    }
    let manifest = open_regular(&dir.join(manifest_name))
        .and_then(|f| Manifest::read(BufReader::new(f), manifest_name))
        .map_err(|e| err(format!("corrupt LevelDB: cannot read {manifest_name}: {e}")))?;
    if let Some(what) = manifest.missing() {
        return Err(err(format!(
            "corrupt LevelDB: {manifest_name} has no {what} (damaged, or not a LevelDB manifest)"
        )));
    }
    if let Some(c) = &manifest.comparator
        && c != "leveldb.BytewiseComparator"
    {
        return Err(err(format!("not a Local Storage LevelDB: comparator {c}")));
    }
    let mut m = manifest;
    view.damage.append(&mut m.damage);
    view.last_sequence = m.last_sequence;

    let mut versions = Versions::new();
    let prefixes: Vec<Vec<u8>> = match select {
        Select::All => vec![Vec::new()],
        Select::Prefixes(ps) => ps.to_vec(),
    };
    for &(_, number) in &m.tables {
        let found = [".ldb", ".sst"]
            .iter()
            .map(|x| format!("{number:06}{x}"))
            .find(|n| names.contains(n));
        let Some(name) = found else {
            view.damage.push(Damage {
                file: format!("{number:06}.ldb"),
                offset: 0,
                bytes: 0,
                reason: "listed in the MANIFEST but missing".into(),
            });
            continue;
        };
        let table = match open_regular(&dir.join(&name))
            .map_err(|e| e.to_string())
            .and_then(Table::open)
        {
            Ok(t) => t,
            Err(reason) => {
                let bytes = fs::metadata(dir.join(&name)).map_or(0, |m| m.len());
                view.damage.push(Damage {
                    file: name,
                    offset: 0,
                    bytes,
                    reason,
                });
                continue;
            }
        };
        for p in &prefixes {
            table.visit(
                p,
                &mut |e| {
                    let value = (e.kind == 1).then_some(e.value);
                    keep(&mut versions, e.user_key, e.seq, value);
                },
                &mut |offset, bytes, reason| {
                    view.damage.push(Damage {
                        file: name.clone(),
                        offset,
                        bytes,
                        reason,
                    })
                },
            );
        }
    }

    let mut logs: Vec<(u64, &String)> = names
        .iter()
        .filter_map(|n| Some((file_number(n, ".log")?, n)))
        .filter(|&(num, _)| {
            num >= m.log_number || (m.prev_log_number != 0 && num == m.prev_log_number)
        })
        .collect();
    logs.sort();
    for (_, name) in logs {
        let path = dir.join(name);
        let file = open_regular(&path).map_err(|e| err(format!("cannot read {name}: {e}")))?;
        let len = file.metadata().map_or(0, |m| m.len());
        let mut log = LogReader::new(BufReader::with_capacity(64 * 1024, file), name.as_str());
        while let Some(rec) = log
            .next_record()
            .map_err(|e| err(format!("cannot read {name}: {e}")))?
        {
            match replay_batch(&rec.data, &select, &mut versions) {
                Ok(last) => view.last_sequence = view.last_sequence.max(last),
                Err((last, reason)) => {
                    view.last_sequence = view.last_sequence.max(last);
                    view.damage.push(Damage {
                        file: name.clone(),
                        offset: rec.offset,
                        bytes: rec.data.len() as u64,
                        reason,
                    });
                }
            }
        }
        view.damage.append(&mut log.damage);
        if let Some((off, n)) = log.torn_tail {
            view.torn_tails.push((name.clone(), off, n));
        }
        view.live_log = Some(LiveLog {
            path,
            len,
            torn_tail: log.torn_tail,
            clean_end: log.clean_end,
        });
    }

    view.entries = versions
        .into_iter()
        .filter_map(|(k, (_, v))| Some((k, v?)))
        .collect();
    Ok(view)
}

const PUT: u8 = 1;
const DELETE: u8 = 0;

/// Apply one write batch (sequence u64, count u32, then tagged ops) as C++
/// LevelDB's recovery does: op `i` gets sequence `seq + i`; a malformed batch
/// keeps the ops before the fault. Returns the last sequence it used.
fn replay_batch(
    rec: &[u8],
    select: &Select<'_>,
    versions: &mut Versions,
) -> Result<u64, (u64, String)> {
    let mut c = Cursor::new(rec);
    let (Some(seq), Some(count)) = (c.u64(), c.u32()) else {
        return Err((0, "log record too small".into()));
    };
    let mut n: u64 = 0;
    while !c.is_empty() {
        let s = seq + n;
        let op = match c.u8() {
            Some(PUT) => c.prefixed().zip(c.prefixed()).map(|(k, v)| (k, Some(v))),
            Some(DELETE) => c.prefixed().map(|k| (k, None)),
            _ => None,
        };
        let Some((key, value)) = op else {
            return Err((s.saturating_sub(1), "malformed write batch".into()));
        };
        if select.wants(key) {
            keep(versions, key, s, value);
        }
        n += 1;
    }
    let last = (seq + n).saturating_sub(1);
    if n != u64::from(count) {
        return Err((last, "write batch has the wrong count".into()));
    }
    Ok(last)
}

/// Encode a write batch of `ops` starting at sequence `seq`.
pub fn encode_batch(seq: u64, ops: &[super::BatchOp]) -> Vec<u8> {
    use super::BatchOp;
    let mut out = Vec::new();
    out.extend_from_slice(&seq.to_le_bytes());
    out.extend_from_slice(&(ops.len() as u32).to_le_bytes());
    let prefixed = |out: &mut Vec<u8>, b: &[u8]| {
        super::coding::put_varint(out, b.len() as u64);
        out.extend_from_slice(b);
    };
    for op in ops {
        match op {
            BatchOp::Put(k, v) => {
                out.push(PUT);
                prefixed(&mut out, k);
                prefixed(&mut out, v);
            }
            BatchOp::Delete(k) => {
                out.push(DELETE);
                prefixed(&mut out, k);
            }
        }
    }
    out
}
