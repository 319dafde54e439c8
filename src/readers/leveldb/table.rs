//! LevelDB tables (`.ldb`, `.sst`): sorted blocks of internal keys.
//!
//! Layout (C++ LevelDB `table/format.cc`): data blocks, a filter and a
//! metaindex block, an index block, and a 48-byte footer holding the
//! index's handle and the magic number. Every block is followed by a type
//! byte (0 raw, 1 snappy) and the masked CRC32C of contents and type, which
//! is always verified here. A block entry is (shared key bytes, unshared
//! bytes, value length, key delta, value); a restart array ends the block.
//!
//! Blocks are read with positioned reads as needed, never the whole file.

use std::fs::File;

use super::coding::{Cursor, masked_block_crc};

const FOOTER: usize = 48;
const MAGIC: u64 = 0xdb47_7524_8b80_fb57;
const TRAILER: usize = 5;

#[derive(Debug, Clone, Copy)]
struct Handle {
    offset: u64,
    size: u64,
}

impl Handle {
    fn parse(c: &mut Cursor<'_>) -> Option<Handle> {
        Some(Handle {
            offset: c.varint()?,
            size: c.varint()?,
        })
    }
}

/// One entry of a table: an internal key split into its parts.
pub struct TableEntry<'a> {
    pub user_key: &'a [u8],
    pub seq: u64,
    /// 1 = value, 0 = deletion.
    pub kind: u8,
    pub value: &'a [u8],
}

pub struct Table {
    file: File,
    len: u64,
    /// (last user key of the block or a separator after it, block handle).
    index: Vec<(Vec<u8>, Handle)>,
}

/// Split an internal key (user key + 8-byte tag of seq << 8 | kind).
fn split_internal(k: &[u8]) -> Option<(&[u8], u64, u8)> {
    if k.len() < 8 {
        return None;
    }
    let (user, tag) = k.split_at(k.len() - 8);
    let tag = u64::from_le_bytes(tag.try_into().ok()?);
    Some((user, tag >> 8, (tag & 0xff) as u8))
}

#[cfg(unix)]
fn read_at(f: &File, buf: &mut [u8], offset: u64) -> std::io::Result<()> {
    std::os::unix::fs::FileExt::read_exact_at(f, buf, offset)
}

#[cfg(windows)]
fn read_at(f: &File, mut buf: &mut [u8], mut offset: u64) -> std::io::Result<()> {
    use std::os::windows::fs::FileExt;
    while !buf.is_empty() {
        match f.seek_read(buf, offset)? {
            0 => return Err(std::io::ErrorKind::UnexpectedEof.into()),
            n => {
                buf = &mut buf[n..];
                offset += n as u64;
            }
        }
    }
    Ok(())
}

/// The entries of a block's contents, in order, with their full keys.
/// Stops with an error at the first malformed entry.
pub fn block_entries(block: &[u8], mut f: impl FnMut(&[u8], &[u8]) -> bool) -> Result<(), String> {
    if block.len() < 4 {
        return Err("block too short".into());
    }
    let restarts = u32::from_le_bytes(block[block.len() - 4..].try_into().unwrap()) as usize;
    let end = restarts
        .checked_mul(4)
        .and_then(|n| block.len().checked_sub(4 + n))
        .ok_or("bad restart count")?;
    let mut c = Cursor::new(&block[..end]);
    let mut key: Vec<u8> = Vec::new();
    while !c.is_empty() {
        let bad = || "bad block entry".to_string();
        let shared = c.varint().ok_or_else(bad)? as usize;
        let unshared = c.varint().ok_or_else(bad)? as usize;
        let vlen = c.varint().ok_or_else(bad)? as usize;
        if shared > key.len() {
            return Err(bad());
        }
        key.truncate(shared);
        key.extend_from_slice(c.bytes(unshared).ok_or_else(bad)?);
        let value = c.bytes(vlen).ok_or_else(bad)?;
        if !f(&key, value) {
            break;
        }
    }
    Ok(())
}

impl Table {
    /// Open a table: read its footer and index block (both checked).
    pub fn open(file: File) -> Result<Table, String> {
        let len = file
            .metadata()
            .map_err(|e| format!("cannot stat: {e}"))?
            .len();
        if len < FOOTER as u64 {
            return Err("truncated (no table footer)".into());
        }
        let mut footer = [0u8; FOOTER];
        read_at(&file, &mut footer, len - FOOTER as u64)
            .map_err(|e| format!("cannot read the footer: {e}"))?;
        if u64::from_le_bytes(footer[40..].try_into().unwrap()) != MAGIC {
            return Err("truncated or damaged (bad table magic number)".into());
        }
        let mut c = Cursor::new(&footer[..40]);
        let _metaindex = Handle::parse(&mut c).ok_or("bad footer")?;
        let index_handle = Handle::parse(&mut c).ok_or("bad footer")?;
        let mut t = Table {
            file,
            len,
            index: Vec::new(),
        };
        let block = t
            .block(index_handle)
            .map_err(|e| format!("index block: {e}"))?;
        let mut index = Vec::new();
        let mut bad = false;
        block_entries(&block, |k, v| {
            match (split_internal(k), Handle::parse(&mut Cursor::new(v))) {
                (Some((user, _, _)), Some(h)) => index.push((user.to_vec(), h)),
                _ => bad = true,
            }
            !bad
        })
        .map_err(|e| format!("index block: {e}"))?;
        if bad {
            return Err("index block: bad entry".into());
        }
        t.index = index;
        Ok(t)
    }

    /// Read a block and check its CRC; decompress snappy.
    fn block(&self, h: Handle) -> Result<Vec<u8>, String> {
        let size = usize::try_from(h.size).map_err(|_| "bad block handle")?;
        if h.offset
            .checked_add(h.size + TRAILER as u64)
            .is_none_or(|end| end > self.len)
        {
            return Err("block handle points past the end of the file".into());
        }
        let mut buf = vec![0u8; size + TRAILER];
        read_at(&self.file, &mut buf, h.offset).map_err(|e| format!("cannot read: {e}"))?;
        let kind = buf[size];
        let crc = u32::from_le_bytes(buf[size + 1..].try_into().unwrap());
        if masked_block_crc(&buf[..size], kind) != crc {
            return Err("checksum mismatch".into());
        }
        buf.truncate(size);
        match kind {
            0 => Ok(buf),
            1 => snap::raw::Decoder::new()
                .decompress_vec(&buf)
                .map_err(|e| format!("bad snappy data: {e}")),
            k => Err(format!("unknown compression type {k}")),
        }
    }

    /// Visit every entry whose user key starts with `prefix` (all entries
    /// for an empty prefix), seeking through the index. A damaged data
    /// block is skipped and reported through `damage` (offset, size, why).
    pub fn visit(
        &self,
        prefix: &[u8],
        f: &mut dyn FnMut(TableEntry<'_>),
        damage: &mut dyn FnMut(u64, u64, String),
    ) {
        // Each index key is >= every key of its block: the first block that
        // can hold `prefix` is the first whose index key is not below it.
        let first = self.index.partition_point(|(k, _)| k.as_slice() < prefix);
        for (_, h) in &self.index[first..] {
            let block = match self.block(*h) {
                Ok(b) => b,
                Err(e) => {
                    damage(
                        h.offset,
                        h.size + TRAILER as u64,
                        format!("data block: {e}"),
                    );
                    continue;
                }
            };
            let mut past = false;
            let r = block_entries(&block, |k, v| {
                let Some((user, seq, kind)) = split_internal(k) else {
                    return true;
                };
                if user.starts_with(prefix) {
                    f(TableEntry {
                        user_key: user,
                        seq,
                        kind,
                        value: v,
                    });
                } else if user > prefix {
                    past = true;
                    return false;
                }
                true
            });
            if let Err(e) = r {
                damage(
                    h.offset,
                    h.size + TRAILER as u64,
                    format!("data block: {e}"),
                );
            }
            if past {
                break;
            }
        }
    }
}
