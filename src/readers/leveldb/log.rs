//! LevelDB's log format, shared by `.log` files and the `MANIFEST`.
//!
//! A log is a sequence of 32 KiB blocks. A record is split into fragments
//! (FULL, or FIRST, MIDDLE…, LAST), each with a 7-byte header: masked CRC32C
//! of type and payload (4 bytes), payload length (2), type (1). A block
//! tail shorter than a header is zero padding.
//!
//! The reader follows C++ LevelDB's `log::Reader` (`db/log_reader.cc`): a
//! fragment with a bad checksum or length drops the rest of its block and
//! is reported; a record cut off by the end of the file (the writer died
//! mid-write) is not damage but a torn tail, and is reported apart.
//! Blocks are read with a loop until full, so a short `read()` is never
//! mistaken for a damaged record.

use std::io::{self, Read};

use super::coding::masked_crc;

pub const BLOCK: usize = 32 * 1024;
pub const HEADER: usize = 7;

const ZERO: u8 = 0;
const FULL: u8 = 1;
const FIRST: u8 = 2;
const MIDDLE: u8 = 3;
const LAST: u8 = 4;

/// Bytes of a file that could not be read, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Damage {
    /// The file's name inside the store.
    pub file: String,
    pub offset: u64,
    pub bytes: u64,
    pub reason: String,
}

impl std::fmt::Display for Damage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{}: {} byte(s) at offset {} skipped ({})",
            self.file, self.bytes, self.offset, self.reason
        )
    }
}

/// One logical record and the file offset of its first fragment.
pub struct Record {
    pub offset: u64,
    pub data: Vec<u8>,
}

enum Phys {
    Fragment {
        kind: u8,
        start: u64,
    },
    /// A fragment that was dropped (reported or zero padding).
    Bad,
    Eof,
}

/// Reads the records of one log file, block by block.
pub struct LogReader<R> {
    src: R,
    file: String,
    block: Vec<u8>,
    /// Read position inside `block`.
    pos: usize,
    /// File offset of `block[0]`.
    block_start: u64,
    /// The last block was shorter than [`BLOCK`]: nothing follows it.
    eof: bool,
    fragment: Vec<u8>,
    pub damage: Vec<Damage>,
    /// Bytes at the end of the file that are an unfinished record
    /// (offset, length): what a crash mid-write leaves. Not damage.
    pub torn_tail: Option<(u64, u64)>,
    /// The offset just after the last fragment that was read whole.
    pub clean_end: u64,
    /// Cap on one logical record, so a damaged file cannot grow memory
    /// without bound (Chromium's largest batches are a few MB).
    max_record: usize,
}

impl<R: Read> LogReader<R> {
    pub fn new(src: R, file: impl Into<String>) -> LogReader<R> {
        LogReader {
            src,
            file: file.into(),
            block: Vec::with_capacity(BLOCK),
            pos: 0,
            block_start: 0,
            eof: false,
            fragment: Vec::new(),
            damage: Vec::new(),
            torn_tail: None,
            clean_end: 0,
            max_record: 256 << 20,
        }
    }

    fn report(&mut self, offset: u64, bytes: u64, reason: &str) {
        self.damage.push(Damage {
            file: self.file.clone(),
            offset,
            bytes,
            reason: reason.to_string(),
        });
    }

    /// Fill `block` with the next block: read until it is full or the file ends.
    fn next_block(&mut self) -> io::Result<()> {
        self.block_start += self.block.len() as u64;
        self.block.clear();
        self.pos = 0;
        let mut chunk = [0u8; 8192];
        while self.block.len() < BLOCK {
            let want = (BLOCK - self.block.len()).min(chunk.len());
            match self.src.read(&mut chunk[..want]) {
                Ok(0) => {
                    self.eof = true;
                    break;
                }
                Ok(n) => self.block.extend_from_slice(&chunk[..n]),
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
        Ok(())
    }

    fn physical(&mut self) -> io::Result<Phys> {
        loop {
            let left = self.block.len() - self.pos;
            if left < HEADER {
                if !self.eof {
                    // Trailer padding (or the very start): go to the next block.
                    self.next_block()?;
                    continue;
                }
                if left > 0 {
                    // A header cut off by the end of the file.
                    self.torn_tail = Some((self.block_start + self.pos as u64, left as u64));
                }
                self.pos = self.block.len();
                return Ok(Phys::Eof);
            }
            let start = self.block_start + self.pos as u64;
            let h = &self.block[self.pos..self.pos + HEADER];
            let crc = u32::from_le_bytes([h[0], h[1], h[2], h[3]]);
            let len = u16::from_le_bytes([h[4], h[5]]) as usize;
            let kind = h[6];
            if HEADER + len > left {
                self.pos = self.block.len();
                if self.eof {
                    // The writer died in the middle of this fragment.
                    self.torn_tail = Some((start, left as u64));
                    return Ok(Phys::Eof);
                }
                self.report(start, left as u64, "bad record length");
                return Ok(Phys::Bad);
            }
            if kind == ZERO && len == 0 {
                // Preallocated zeros (LevelDB's mmap writer): skip the block quietly.
                self.pos = self.block.len();
                return Ok(Phys::Bad);
            }
            let payload = &self.block[self.pos + HEADER..self.pos + HEADER + len];
            if masked_crc(kind, payload) != crc {
                self.pos = self.block.len();
                self.report(start, left as u64, "checksum mismatch");
                return Ok(Phys::Bad);
            }
            self.fragment.clear();
            self.fragment.extend_from_slice(payload);
            self.pos += HEADER + len;
            self.clean_end = self.block_start + self.pos as u64;
            return Ok(Phys::Fragment { kind, start });
        }
    }

    /// The next whole record, or `None` at the end of the file.
    pub fn next_record(&mut self) -> io::Result<Option<Record>> {
        let mut scratch: Vec<u8> = Vec::new();
        let mut in_record: Option<u64> = None;
        loop {
            match self.physical()? {
                Phys::Eof => {
                    if let Some(start) = in_record {
                        // FIRST without LAST at the end: an unfinished write.
                        let end = self.block_start + self.block.len() as u64;
                        self.torn_tail = Some((start, end - start));
                    }
                    return Ok(None);
                }
                Phys::Bad => {
                    if let Some(start) = in_record.take() {
                        self.report(start, scratch.len() as u64, "error in middle of record");
                        scratch.clear();
                    }
                }
                Phys::Fragment { kind, start } => match kind {
                    FULL => {
                        if let Some(s) = in_record {
                            self.report(s, scratch.len() as u64, "partial record without end");
                        }
                        return Ok(Some(Record {
                            offset: start,
                            data: std::mem::take(&mut self.fragment),
                        }));
                    }
                    FIRST => {
                        if let Some(s) = in_record {
                            self.report(s, scratch.len() as u64, "partial record without end");
                        }
                        scratch.clear();
                        scratch.extend_from_slice(&self.fragment);
                        in_record = Some(start);
                    }
                    MIDDLE | LAST => {
                        let Some(s) = in_record else {
                            let n = self.fragment.len() as u64;
                            self.report(start, n, "missing start of fragmented record");
                            continue;
                        };
                        if scratch.len() + self.fragment.len() > self.max_record {
                            self.report(s, scratch.len() as u64, "record too large");
                            in_record = None;
                            scratch.clear();
                            continue;
                        }
                        scratch.extend_from_slice(&self.fragment);
                        if kind == LAST {
                            return Ok(Some(Record {
                                offset: s,
                                data: scratch,
                            }));
                        }
                    }
                    _ => {
                        let n = self.fragment.len() + scratch.len();
                        self.report(start, n as u64, "unknown record type");
                        in_record = None;
                        scratch.clear();
                    }
                },
            }
        }
    }
}

/// The bytes that append `record` to a log whose length is `len`: fragments
/// laid out as LevelDB's `log::Writer` does (a block tail shorter than a
/// header is zero-filled).
pub fn encode_record(len: u64, record: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(record.len() + record.len() / BLOCK * HEADER + 64);
    let mut offset = (len % BLOCK as u64) as usize;
    let mut rest = record;
    let mut begin = true;
    loop {
        let left = BLOCK - offset;
        if left < HEADER {
            out.extend(std::iter::repeat_n(0u8, left));
            offset = 0;
            continue;
        }
        let avail = left - HEADER;
        let n = rest.len().min(avail);
        let end = n == rest.len();
        let kind = match (begin, end) {
            (true, true) => FULL,
            (true, false) => FIRST,
            (false, true) => LAST,
            (false, false) => MIDDLE,
        };
        let (frag, tail) = rest.split_at(n);
        out.extend_from_slice(&masked_crc(kind, frag).to_le_bytes());
        out.extend_from_slice(&(n as u16).to_le_bytes());
        out.push(kind);
        out.extend_from_slice(frag);
        offset += HEADER + n;
        rest = tail;
        begin = false;
        if end {
            return out;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A reader that returns at most 100 bytes per `read()`, as a pipe or a
    /// buffered reader may: blocks must still be read whole.
    struct Trickle<'a>(&'a [u8]);
    impl Read for Trickle<'_> {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            let n = buf.len().min(100).min(self.0.len());
            buf[..n].copy_from_slice(&self.0[..n]);
            self.0 = &self.0[n..];
            Ok(n)
        }
    }

    fn records(bytes: &[u8]) -> (Vec<Vec<u8>>, LogReader<Trickle<'_>>) {
        let mut r = LogReader::new(Trickle(bytes), "x.log");
        let mut out = Vec::new();
        while let Some(rec) = r.next_record().unwrap() {
            out.push(rec.data);
        }
        (out, r)
    }

    #[test]
    fn records_across_blocks_survive_short_reads() {
        let big: Vec<u8> = (0..200_000u32).map(|i| (i % 251) as u8).collect();
        let mut log = Vec::new();
        for r in [&b"a"[..], &big, &b"tail"[..]] {
            let enc = encode_record(log.len() as u64, r);
            log.extend(enc);
        }
        let (got, r) = records(&log);
        assert_eq!(got, vec![b"a".to_vec(), big, b"tail".to_vec()]);
        assert!(r.damage.is_empty() && r.torn_tail.is_none());
        assert_eq!(r.clean_end, log.len() as u64);
    }

    #[test]
    fn a_torn_last_record_is_not_damage_but_a_flipped_byte_is() {
        let mut log = encode_record(0, b"first");
        let second = encode_record(log.len() as u64, &[7u8; 50_000]);
        log.extend_from_slice(&second[..40_000]);
        let (got, r) = records(&log);
        assert_eq!(got, vec![b"first".to_vec()]);
        assert!(r.damage.is_empty());
        assert!(r.torn_tail.is_some());

        let mut log = encode_record(0, b"first");
        log.extend(encode_record(log.len() as u64, b"second"));
        log[HEADER + 2] ^= 1;
        let (got, r) = records(&log);
        assert!(got.is_empty(), "the rest of the block is dropped");
        assert_eq!(r.damage.len(), 1);
        assert_eq!(r.damage[0].reason, "checksum mismatch");
    }
}
