//! The test kit's own encodings (tests/support) against vectors from
//! outside both it and the readers: Chromium's published key, a value
//! sealed by Python's hashlib and `openssl enc`, and the byte layouts the
//! formats document. The readers are tested against the kit's stores
//! elsewhere; this keeps the kit honest on its own.

use serde_json::{Value, json};
use testkit::encode::{
    firefox_origin_dir, linux_v10_key, ls_entry_key, ls_meta_key, ls_origin_meta, ls_string,
    seal_linux_v10,
};
use testkit::notion::{envelope, notion_users};

fn unhex(s: &str) -> Vec<u8> {
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
        .collect()
}

#[test]
fn local_storage_strings_are_latin1_or_utf16le_with_their_prefix() {
    assert_eq!(ls_string(""), b"\x01");
    assert_eq!(ls_string("Équipe"), b"\x01\xc9quipe");
    assert_eq!(ls_string("東京"), b"\x00\x71\x67\xac\x4e");
    assert_eq!(ls_string("é東"), b"\x00\xe9\x00\x71\x67");
    assert_eq!(
        ls_entry_key("https://www.notion.so", "k"),
        b"_https://www.notion.so\x00\x01k"
    );
    assert_eq!(
        ls_meta_key("https://www.notion.so"),
        b"META:https://www.notion.so"
    );
    // Protobuf: field 1 = 300 (varint ac 02), field 2 = 5.
    assert_eq!(ls_origin_meta(300, 5), [0x08, 0xac, 0x02, 0x10, 0x05]);
}

#[test]
fn v10_sealing_matches_chromium_and_another_implementation() {
    // The well-known Linux key, as published by every cookie reader.
    assert_eq!(
        linux_v10_key(),
        [
            0xfd, 0x62, 0x1f, 0xe5, 0xa2, 0xb4, 0x02, 0x53, 0x9d, 0xfa, 0x14, 0x7c, 0xa9, 0x27,
            0x27, 0x78
        ]
    );
    // `u-1` for `.notion.so`, database version 24, sealed by Python's
    // hashlib (SHA-256 of the host, PBKDF2) and `openssl enc -aes-128-cbc`.
    assert_eq!(
        seal_linux_v10("u-1", ".notion.so"),
        unhex(
            "763130605c4540a4f44a1366df214635379e04b6665b3266bbadf4b5a4d5d31cb78e974cc69a6f9973e3e39ec11c9b0ed97942"
        )
    );
}

#[test]
fn firefox_origin_folders_replace_what_a_file_name_cannot_hold() {
    assert_eq!(
        firefox_origin_dir("https://www.notion.so"),
        "https+++www.notion.so"
    );
    assert_eq!(
        firefox_origin_dir("http://localhost:8080"),
        "http+++localhost+8080"
    );
}

#[test]
fn cookie_list_is_url_encoded_json() {
    assert_eq!(notion_users(&["u-1", "u-2"]), "%5B%22u-1%22%2C%22u-2%22%5D");
}

#[test]
fn envelopes_hold_id_value_timestamp_important() {
    let (k, v) = envelope("current-user-id", json!("u-1"));
    assert_eq!(k, "LRU:KeyValueStore2:current-user-id");
    let v: Value = serde_json::from_str(&v).unwrap();
    assert_eq!(v["id"], "current-user-id");
    assert_eq!(v["value"], "u-1");
    assert_eq!(v["important"], true);
    assert!(v["timestamp"].is_i64());
}
