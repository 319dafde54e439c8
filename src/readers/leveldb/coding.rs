//! LevelDB's byte-level encodings: varints, fixed-width integers and the
//! masked CRC32C that guards every log record and table block.

/// Read a varint (at most 64 bits) from the front of `b`; returns the value
/// and the bytes used, or `None` when `b` ends early or the varint is too long.
pub fn varint(b: &[u8]) -> Option<(u64, usize)> {
    let mut v: u64 = 0;
    for (i, &byte) in b.iter().enumerate().take(10) {
        v |= u64::from(byte & 0x7f) << (7 * i);
        if byte & 0x80 == 0 {
            return Some((v, i + 1));
        }
    }
    None
}

/// Append `v` as a varint.
pub fn put_varint(out: &mut Vec<u8>, mut v: u64) {
    while v >= 0x80 {
        out.push((v as u8) | 0x80);
        v >>= 7;
    }
    out.push(v as u8);
}

/// A cursor over a byte slice for the length-prefixed layouts of batches,
/// version edits and block entries. Every read checks bounds.
pub struct Cursor<'a> {
    pub b: &'a [u8],
}

impl<'a> Cursor<'a> {
    pub fn new(b: &'a [u8]) -> Cursor<'a> {
        Cursor { b }
    }

    pub fn is_empty(&self) -> bool {
        self.b.is_empty()
    }

    pub fn varint(&mut self) -> Option<u64> {
        let (v, n) = varint(self.b)?;
        self.b = &self.b[n..];
        Some(v)
    }

    pub fn bytes(&mut self, n: usize) -> Option<&'a [u8]> {
        if n > self.b.len() {
            return None;
        }
        let (head, rest) = self.b.split_at(n);
        self.b = rest;
        Some(head)
    }

    /// A varint length followed by that many bytes.
    pub fn prefixed(&mut self) -> Option<&'a [u8]> {
        let n = usize::try_from(self.varint()?).ok()?;
        self.bytes(n)
    }

    pub fn u8(&mut self) -> Option<u8> {
        Some(self.bytes(1)?[0])
    }

    pub fn u32(&mut self) -> Option<u32> {
        Some(u32::from_le_bytes(self.bytes(4)?.try_into().ok()?))
    }

    pub fn u64(&mut self) -> Option<u64> {
        Some(u64::from_le_bytes(self.bytes(8)?.try_into().ok()?))
    }
}

const MASK_DELTA: u32 = 0xa282_ead8;

fn mask(crc: u32) -> u32 {
    crc.rotate_right(15).wrapping_add(MASK_DELTA)
}

/// A log fragment's CRC: `mask(crc32c(type byte ++ payload))`. Masked
/// because a CRC of data that itself holds CRCs would otherwise be weak.
pub fn masked_crc(type_byte: u8, payload: &[u8]) -> u32 {
    mask(crc32c::crc32c_append(crc32c::crc32c(&[type_byte]), payload))
}

/// A table block's CRC: `mask(crc32c(contents ++ type byte))` (the type
/// byte comes after the contents, unlike in the log).
pub fn masked_block_crc(contents: &[u8], type_byte: u8) -> u32 {
    mask(crc32c::crc32c_append(
        crc32c::crc32c(contents),
        &[type_byte],
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn varints_round_trip_and_reject_truncation() {
        for v in [0u64, 1, 127, 128, 300, u32::MAX as u64, u64::MAX] {
            let mut b = Vec::new();
            put_varint(&mut b, v);
            assert_eq!(varint(&b), Some((v, b.len())));
            assert_eq!(varint(&b[..b.len() - 1]), None);
        }
    }

    #[test]
    fn crc32c_is_castagnoli() {
        // Known vector: CRC-32C of "123456789" is 0xe3069283. The masking is
        // proven by reading stores C++ LevelDB wrote (tests/it/leveldb.rs).
        assert_eq!(crc32c::crc32c(b"123456789"), 0xe306_9283);
    }
}
