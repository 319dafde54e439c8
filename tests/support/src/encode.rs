//! The byte encodings of the sample stores, written here from the formats'
//! own descriptions and sharing no code with the readers under test (a bug
//! in both a reader and the writer of its fixtures would otherwise pass
//! every test). LevelDB itself is written by rusty-leveldb, SQLite by
//! rusqlite; what goes inside is spelled out below.

use aes::cipher::block_padding::Pkcs7;
use aes::cipher::{BlockModeEncrypt, KeyIvInit};
use sha2::Digest;

/// A Local Storage string as Chromium stores it in LevelDB (keys and
/// values alike): the byte 0x01 and the string in Latin-1 when every
/// character is below U+0100, else 0x00 and the string in UTF-16LE.
pub fn ls_string(s: &str) -> Vec<u8> {
    let latin1: Option<Vec<u8>> = s.chars().map(|c| u8::try_from(c).ok()).collect();
    match latin1 {
        Some(bytes) => [&[1u8][..], &bytes].concat(),
        None => {
            let mut out = vec![0u8];
            for unit in s.encode_utf16() {
                out.extend_from_slice(&unit.to_le_bytes());
            }
            out
        }
    }
}

/// The LevelDB key of Local Storage entry `key` of `origin`: `_`, the
/// origin, a 0x00 byte, then the key as [`ls_string`].
pub fn ls_entry_key(origin: &str, key: &str) -> Vec<u8> {
    let mut out = format!("_{origin}").into_bytes();
    out.push(0);
    out.extend(ls_string(key));
    out
}

/// The LevelDB key of an origin's metadata: `META:<origin>`.
pub fn ls_meta_key(origin: &str) -> Vec<u8> {
    format!("META:{origin}").into_bytes()
}

/// The value of `META:<origin>`: protobuf `LocalStorageOriginMetaData {
/// int64 last_modified = 1; uint64 size_bytes = 2; }`.
pub fn ls_origin_meta(last_modified: i64, size: u64) -> Vec<u8> {
    fn varint(mut v: u64, out: &mut Vec<u8>) {
        loop {
            let low = (v & 0x7f) as u8;
            v >>= 7;
            if v == 0 {
                out.push(low);
                return;
            }
            out.push(low | 0x80);
        }
    }
    let mut out = vec![0x08]; // field 1, varint
    varint(last_modified as u64, &mut out);
    out.push(0x10); // field 2, varint
    varint(size, &mut out);
    out
}

/// Chromium's cookie key on Linux without a keyring (or with
/// `--password-store=basic`): PBKDF2-HMAC-SHA1 of "peanuts", salt
/// "saltysalt", one iteration, 16 bytes.
pub fn linux_v10_key() -> [u8; 16] {
    let mut key = [0u8; 16];
    pbkdf2::pbkdf2_hmac::<sha1::Sha1>(b"peanuts", b"saltysalt", 1, &mut key);
    key
}

/// A cookie value sealed as Chromium on Linux without a keyring stores it
/// in a database of version 24: `v10`, then AES-128-CBC with
/// [`linux_v10_key`], an IV of 16 spaces and PKCS#7 padding, over the
/// SHA-256 of the cookie's host followed by the value.
pub fn seal_linux_v10(value: &str, host: &str) -> Vec<u8> {
    let mut plain = sha2::Sha256::digest(host.as_bytes()).to_vec();
    plain.extend_from_slice(value.as_bytes());
    let len = plain.len();
    // PKCS#7 always adds 1 to 16 bytes.
    plain.resize((len / 16 + 1) * 16, 0);
    let sealed = cbc::Encryptor::<aes::Aes128>::new(&linux_v10_key().into(), &[b' '; 16].into())
        .encrypt_padded::<Pkcs7>(&mut plain, len)
        .expect("the buffer has room for the padding");
    [&b"v10"[..], sealed].concat()
}

/// The folder Firefox keeps an origin's storage in, under
/// `storage/default`: the origin with every character that cannot be in
/// a file name (`:`, `/`, `\`, `*`, `?`, `"`, `<`, `>`, `|` and the
/// controls) as `+`, so `https://www.notion.so` is `https+++www.notion.so`.
pub fn firefox_origin_dir(origin: &str) -> String {
    origin
        .chars()
        .map(|c| {
            if c.is_control() || ":/\\*?\"<>|".contains(c) {
                '+'
            } else {
                c
            }
        })
        .collect()
}

/// This machine's host name, as a browser writes it into `SingletonLock`.
pub fn hostname() -> String {
    #[cfg(unix)]
    {
        nix::unistd::gethostname()
            .map(|h| h.to_string_lossy().into_owned())
            .unwrap_or_default()
    }
    #[cfg(not(unix))]
    {
        sysinfo::System::host_name().unwrap_or_default()
    }
}
