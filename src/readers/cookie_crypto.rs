//! Chromium cookie values: which encryption a stored value uses, and the one
//! scheme this tool decrypts.
//!
//! Chromium stores a cookie's value encrypted in `encrypted_value`, with a
//! three-byte version prefix:
//! - Linux `v10`: AES-128-CBC with a fixed, public key (PBKDF2-HMAC-SHA1 of
//!   "peanuts", salt "saltysalt", 1 iteration, 16 bytes), IV of 16 spaces,
//!   PKCS#7 padding. Chromium writes it without a keyring or with
//!   `--password-store=basic`. Decrypted here.
//! - Linux `v11`: the same cipher with a key kept in the desktop keyring.
//! - macOS `v10`: the same cipher with a key from the Keychain.
//! - Windows `v10`/`v11`: AES-256-GCM with a key wrapped by DPAPI in
//!   `Local State`; `v20`: app-bound encryption (Chrome 127 and later).
//!
//! Since cookie database version 24 the plaintext starts with the 32-byte
//! SHA-256 of the cookie's `host_key`; the decryptor checks it, which also
//! proves the key was right.
//!
//! Only the caller decides *which* values reach [`decrypt_linux_v10`]: the
//! cookie reader passes only the non-secret user-id cookies the flow names
//! (`notion_users`, `notion_user_id`), never `token_v2`, `file_token` or any
//! other value.

use aes::cipher::block_padding::Pkcs7;
use aes::cipher::{BlockModeDecrypt, KeyIvInit};
use sha2::{Digest, Sha256};

use crate::os::Layout;

type Aes128CbcDec = cbc::Decryptor<aes::Aes128>;

/// Chromium's IV for cookie values: 16 spaces.
const IV: [u8; 16] = [b' '; 16];

/// Cookie database version from which the plaintext starts with SHA-256(host).
pub const HOST_HASH_VERSION: i64 = 24;

/// Why a stored value could not be decrypted.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CookieCryptoError {
    #[error("the value does not start with `v10`")]
    NotV10,
    #[error("the value is not whole AES blocks ({0} bytes after the prefix)")]
    BadLength(usize),
    #[error("the value does not decrypt with Chromium's public Linux key (bad padding)")]
    BadPadding,
    #[error("the decrypted value does not start with the SHA-256 of its host {host}")]
    HostHashMismatch { host: String },
    #[error("the decrypted value is not text")]
    NotText,
}

/// How a stored Chromium cookie value is protected, for a home in `layout`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Protection {
    /// Linux `v10`: the public key; decryptable anywhere.
    LinuxPublic,
    /// Linux `v11`: a key in the desktop keyring.
    LinuxKeyring,
    /// macOS `v10`: a key in the Keychain.
    MacKeychain,
    /// Windows `v10`/`v11`, or a bare DPAPI blob: a key protected by DPAPI.
    WindowsDpapi,
    /// `v20`: app-bound encryption; never read.
    AppBound,
    /// Something else.
    Unknown,
}

impl Protection {
    /// Classify a stored value by its prefix and the home's OS layout.
    pub fn of(blob: &[u8], layout: Layout) -> Protection {
        let prefix = blob.get(..3).unwrap_or_default();
        match (prefix, layout) {
            (b"v20", _) => Protection::AppBound,
            (b"v10", Layout::Linux) => Protection::LinuxPublic,
            (b"v11", Layout::Linux) => Protection::LinuxKeyring,
            (b"v10", Layout::Macos) => Protection::MacKeychain,
            (b"v10" | b"v11", Layout::Windows) => Protection::WindowsDpapi,
            // DPAPI blobs start with the version 1 and a provider GUID.
            (_, Layout::Windows) if blob.starts_with(&[1, 0, 0, 0, 0xd0, 0x8c, 0x9d, 0xdf]) => {
                Protection::WindowsDpapi
            }
            _ => Protection::Unknown,
        }
    }

    /// Why a value protected this way is not read (for everything but
    /// [`Protection::LinuxPublic`], which is).
    pub fn reason(self) -> &'static str {
        match self {
            Protection::LinuxPublic => "encrypted with Chromium's public Linux key (v10)",
            Protection::LinuxKeyring => {
                "encrypted with a key from the desktop keyring (v11), which is not available to this tool"
            }
            Protection::MacKeychain => {
                "encrypted with a key from the macOS Keychain (v10), which is not available to this tool"
            }
            Protection::WindowsDpapi => {
                "encrypted with a Windows DPAPI-protected key (AES-256-GCM), which is not available to this tool"
            }
            Protection::AppBound => {
                "encrypted with app-bound encryption (v20), which this tool never reads"
            }
            Protection::Unknown => "encrypted in a format this tool does not know",
        }
    }
}

/// The AES-128 key of Linux `v10` values: PBKDF2-HMAC-SHA1("peanuts",
/// "saltysalt", 1 iteration, 16 bytes).
fn linux_v10_key() -> [u8; 16] {
    let mut key = [0u8; 16];
    pbkdf2::pbkdf2_hmac::<sha1::Sha1>(b"peanuts", b"saltysalt", 1, &mut key);
    key
}

/// Decrypt a Linux `v10` value of a cookie on `host` from a database of
/// `db_version` (the `meta` table's `version`; from 24 on the plaintext
/// starts with SHA-256 of the host, checked and removed).
pub fn decrypt_linux_v10(
    blob: &[u8],
    host: &str,
    db_version: Option<i64>,
) -> Result<String, CookieCryptoError> {
    let body = blob.strip_prefix(b"v10").ok_or(CookieCryptoError::NotV10)?;
    if body.is_empty() || body.len() % 16 != 0 {
        return Err(CookieCryptoError::BadLength(body.len()));
    }
    let key = linux_v10_key();
    let mut buf = body.to_vec();
    let plain = Aes128CbcDec::new(&key.into(), &IV.into())
        .decrypt_padded::<Pkcs7>(&mut buf)
        .map_err(|_| CookieCryptoError::BadPadding)?;
    let plain = if db_version.unwrap_or(0) >= HOST_HASH_VERSION {
        let hash = Sha256::digest(host.as_bytes());
        match plain.strip_prefix(hash.as_slice()) {
            Some(rest) => rest,
            None => {
                buf.fill(0);
                return Err(CookieCryptoError::HostHashMismatch {
                    host: host.to_string(),
                });
            }
        }
    } else {
        plain
    };
    let out = std::str::from_utf8(plain)
        .map(str::to_string)
        .map_err(|_| CookieCryptoError::NotText);
    buf.fill(0);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_is_chromiums() {
        // The well-known Linux key, as published by every cookie reader.
        assert_eq!(
            linux_v10_key(),
            [
                0xfd, 0x62, 0x1f, 0xe5, 0xa2, 0xb4, 0x02, 0x53, 0x9d, 0xfa, 0x14, 0x7c, 0xa9, 0x27,
                0x27, 0x78
            ]
        );
    }

    /// Values sealed by another implementation (Python's hashlib and the
    /// `openssl enc -aes-128-cbc` command): `["u-1","u-2"]` for `.notion.so`
    /// as database versions 23 and 24 store it, and `u-1` as version 24.
    const SEALED_23: &str = "76313022a1e3b0674cb9be0dfe90ea7f4d75dc";
    const SEALED_24: &str = "763130605c4540a4f44a1366df214635379e04b6665b3266bbadf4b5a4d5d31cb78e97826075dce9a4995152379fb507b41b66";
    const SEALED_U1: &str = "763130605c4540a4f44a1366df214635379e04b6665b3266bbadf4b5a4d5d31cb78e974cc69a6f9973e3e39ec11c9b0ed97942";

    fn unhex(s: &str) -> Vec<u8> {
        (0..s.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
            .collect()
    }

    #[test]
    fn opens_values_sealed_with_and_without_host_hash() {
        for (version, hex) in [(23, SEALED_23), (24, SEALED_24)] {
            assert_eq!(
                decrypt_linux_v10(&unhex(hex), ".notion.so", Some(version)).unwrap(),
                "[\"u-1\",\"u-2\"]"
            );
        }
    }

    #[test]
    fn wrong_host_or_garbage_is_an_error_not_a_value() {
        let blob = unhex(SEALED_U1);
        assert_eq!(
            decrypt_linux_v10(&blob, ".notion.so", Some(24)).unwrap(),
            "u-1"
        );
        assert_eq!(
            decrypt_linux_v10(&blob, "www.notion.so", Some(24)),
            Err(CookieCryptoError::HostHashMismatch {
                host: "www.notion.so".into()
            })
        );
        assert_eq!(
            decrypt_linux_v10(b"v10abc", "h", Some(24)),
            Err(CookieCryptoError::BadLength(3))
        );
        assert_eq!(
            decrypt_linux_v10(b"v11abc", "h", Some(24)),
            Err(CookieCryptoError::NotV10)
        );
        let mut garbage = b"v10".to_vec();
        garbage.extend((0..32u8).map(|i| i.wrapping_mul(37)));
        assert!(decrypt_linux_v10(&garbage, "h", Some(24)).is_err());
    }

    #[test]
    fn protection_by_prefix_and_layout() {
        assert_eq!(
            Protection::of(b"v10xxxx", Layout::Linux),
            Protection::LinuxPublic
        );
        assert_eq!(
            Protection::of(b"v11xxxx", Layout::Linux),
            Protection::LinuxKeyring
        );
        assert_eq!(
            Protection::of(b"v10xxxx", Layout::Macos),
            Protection::MacKeychain
        );
        assert_eq!(
            Protection::of(b"v10xxxx", Layout::Windows),
            Protection::WindowsDpapi
        );
        for l in [Layout::Linux, Layout::Macos, Layout::Windows] {
            assert_eq!(Protection::of(b"v20xxxx", l), Protection::AppBound);
        }
        assert_eq!(Protection::of(b"", Layout::Linux), Protection::Unknown);
    }
}
