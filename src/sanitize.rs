//! One sanitizer for untrusted text: workspace names and ids, user ids,
//! profile names and folder names, paths, anything read from a store or a
//! record, on its way to a terminal, a report or a saved record.
//!
//! - [`is_unsafe`] says which characters a terminal (or a reader of a
//!   report) could mistake for something else: C0 controls (NUL, ESC, CR,
//!   LF, …), DEL, C1 controls (U+0080–U+009F, `U+009B` is a CSI on some
//!   terminals), the bidirectional embeddings, overrides and isolates
//!   (U+202A–U+202E, U+2066–U+2069) and marks (U+200E, U+200F, U+061C),
//!   and the line and paragraph separators (U+2028, U+2029).
//! - On a terminal they are shown as visible escapes ([`escape_into`]):
//!   `\n`, `\r`, `\t`, `\0`, `\x1b`, `\x7f`, `\u{9b}`, `\u{202e}`. CR and LF
//!   included, so a name cannot print a line of its own.
//! - Length is capped ([`cap`]): the first characters, then an ellipsis and
//!   the full length, `…(10485760 chars)`. The cap is idempotent (a capped
//!   string is never capped again), so a record saved twice keeps the
//!   original length.
//! - In JSON, serde already escapes C0 controls; [`json_safe`] escapes the
//!   rest (DEL, C1, bidirectional controls) as `\uXXXX`.

use std::borrow::Cow;
use std::fmt;

use serde_json::Value;

/// Characters of one name, id or path shown on a terminal.
pub const DISPLAY_MAX: usize = 256;
/// Characters of one path shown on a terminal.
pub const PATH_MAX: usize = 1024;
/// Characters of one line printed on a terminal (a finding, a plan step, an
/// error), whatever it quotes.
pub const LINE_MAX: usize = 4096;
/// Characters of one string kept in a run record or `scan --json`.
pub const STORED_MAX: usize = 4096;

/// A character that must not reach a terminal raw.
pub fn is_unsafe(c: char) -> bool {
    matches!(c,
        '\0'..='\x1f'
        | '\x7f'..='\u{9f}'
        | '\u{061c}'
        | '\u{200e}'
        | '\u{200f}'
        | '\u{2028}'
        | '\u{2029}'
        | '\u{202a}'..='\u{202e}'
        | '\u{2066}'..='\u{2069}')
}

/// Write `c` as a visible escape: `\n`, `\r`, `\t`, `\0`, `\x1b` (C0 and
/// DEL), `\u{202e}` (the rest).
pub fn escape_into<W: fmt::Write>(c: char, out: &mut W) -> fmt::Result {
    match c {
        '\n' => out.write_str("\\n"),
        '\r' => out.write_str("\\r"),
        '\t' => out.write_str("\\t"),
        '\0' => out.write_str("\\0"),
        '\x01'..='\x1f' | '\x7f' => write!(out, "\\x{:02x}", c as u32),
        _ => write!(out, "\\u{{{:x}}}", c as u32),
    }
}

/// The marker that ends a capped string: `…(N chars)`.
fn marker(total: usize) -> String {
    format!("…({total} chars)")
}

/// Split `s` for a cap of `max` characters: `None` when it fits, else the
/// byte length of the part kept and the full length in characters.
fn cut(s: &str, max: usize) -> Option<(usize, usize)> {
    // Cheap exits: byte length bounds character count from above.
    if s.len() <= max {
        return None;
    }
    let mut chars = s.char_indices();
    // Fits if there is no character at index `max`.
    chars.nth(max)?;
    let total = s.chars().count();
    let keep = max.saturating_sub(marker(total).chars().count());
    let end = s.char_indices().nth(keep).map_or(s.len(), |(i, _)| i);
    Some((end, total))
}

/// `s` cut to at most `max` characters, ending with `…(N chars)` when cut.
/// Idempotent: the result is never longer than `max`.
pub fn cap(s: &str, max: usize) -> Cow<'_, str> {
    match cut(s, max) {
        None => Cow::Borrowed(s),
        Some((end, total)) => Cow::Owned(format!("{}{}", &s[..end], marker(total))),
    }
}

/// Whether `s` was cut by [`cap`] (ends with its marker).
pub fn is_capped(s: &str) -> bool {
    s.strip_suffix(" chars)")
        .and_then(|r| r.rsplit_once("…("))
        .is_some_and(|(_, n)| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
}

/// Untrusted text made safe for a terminal: controls and bidirectional
/// overrides as visible escapes, at most `max` characters of it (then
/// `…(N chars)`). Writes without allocating when used with `{}`.
#[derive(Debug, Clone, Copy)]
pub struct Shown<'a> {
    text: &'a str,
    max: usize,
}

/// `text` for a terminal, capped at [`DISPLAY_MAX`] characters: for names,
/// ids and paths inside a message.
pub fn shown(text: &str) -> Shown<'_> {
    Shown {
        text,
        max: DISPLAY_MAX,
    }
}

/// A path for a terminal, capped at [`PATH_MAX`] characters.
pub fn shown_path(text: &str) -> Shown<'_> {
    Shown {
        text,
        max: PATH_MAX,
    }
}

/// `text` for a terminal, capped at `max` characters.
pub fn shown_max(text: &str, max: usize) -> Shown<'_> {
    Shown { text, max }
}

impl fmt::Display for Shown<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (kept, rest) = match cut(self.text, self.max) {
            None => (self.text, None),
            Some((end, total)) => (&self.text[..end], Some(total)),
        };
        let mut start = 0;
        for (i, c) in kept.char_indices() {
            if is_unsafe(c) {
                f.write_str(&kept[start..i])?;
                escape_into(c, f)?;
                start = i + c.len_utf8();
            }
        }
        f.write_str(&kept[start..])?;
        if let Some(total) = rest {
            f.write_str(&marker(total))?;
        }
        Ok(())
    }
}

/// `text` for a terminal as a string, borrowed when it is already safe.
pub fn terminal(text: &str, max: usize) -> Cow<'_, str> {
    if !text.chars().any(is_unsafe) && cut(text, max).is_none() {
        return Cow::Borrowed(text);
    }
    Cow::Owned(shown_max(text, max).to_string())
}

/// Cap every string (and object key) of `v` at `max` characters; true if
/// any was cut.
pub fn cap_json(v: &mut Value, max: usize) -> bool {
    match v {
        Value::String(s) => cap_string(s, max),
        Value::Array(items) => items
            .iter_mut()
            .fold(false, |any, item| cap_json(item, max) | any),
        Value::Object(map) => {
            let mut any = false;
            if map.keys().any(|k| cut(k, max).is_some()) {
                let old = std::mem::take(map);
                for (k, v) in old {
                    let key = match cap(&k, max) {
                        Cow::Borrowed(_) => k,
                        Cow::Owned(c) => {
                            any = true;
                            c
                        }
                    };
                    map.insert(key, v);
                }
            }
            for item in map.values_mut() {
                any |= cap_json(item, max);
            }
            any
        }
        _ => false,
    }
}

/// Whether [`cap_json`] would cut anything in `v`.
pub fn json_needs_cap(v: &Value, max: usize) -> bool {
    match v {
        Value::String(s) => cut(s, max).is_some(),
        Value::Array(items) => items.iter().any(|i| json_needs_cap(i, max)),
        Value::Object(map) => map
            .iter()
            .any(|(k, v)| cut(k, max).is_some() || json_needs_cap(v, max)),
        _ => false,
    }
}

/// Cap `s` in place at `max` characters ([`cap`]); true if it was cut.
pub fn cap_string(s: &mut String, max: usize) -> bool {
    match cut(s, max) {
        None => false,
        Some((end, total)) => {
            s.truncate(end);
            s.push_str(&marker(total));
            true
        }
    }
}

/// Whether [`cap`] would cut `s`.
pub fn needs_cap(s: &str, max: usize) -> bool {
    cut(s, max).is_some()
}

/// JSON text with the unsafe characters serde leaves raw (DEL, C1 controls,
/// bidirectional controls, line separators) written as `\uXXXX`. Outside
/// strings JSON holds only ASCII punctuation, digits, letters and spaces,
/// so every such character is inside a string, where the escape is valid.
pub fn json_safe(text: String) -> String {
    if !text.chars().any(is_unsafe_in_json) {
        return text;
    }
    let mut out = String::with_capacity(text.len() + 16);
    for c in text.chars() {
        if is_unsafe_in_json(c) {
            out.push_str(&format!("\\u{:04x}", c as u32));
        } else {
            out.push(c);
        }
    }
    out
}

/// Unsafe characters serde_json writes raw: everything [`is_unsafe`] but
/// the C0 controls, which it escapes, and the whitespace of pretty output.
fn is_unsafe_in_json(c: char) -> bool {
    is_unsafe(c) && !matches!(c, '\0'..='\x1f')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn controls_become_visible() {
        let s = "a\x1b]0;pwned\x07b\r\n✔ Applied\0\x7f\u{9b}\u{202e}txt.exe\u{2066}";
        let out = shown(s).to_string();
        assert_eq!(
            out,
            "a\\x1b]0;pwned\\x07b\\r\\n✔ Applied\\0\\x7f\\u{9b}\\u{202e}txt.exe\\u{2066}"
        );
        assert!(!out.chars().any(is_unsafe));
        assert_eq!(terminal("plain", 10), Cow::Borrowed("plain"));
    }

    #[test]
    fn cap_keeps_the_length_and_is_idempotent() {
        let long = "x".repeat(10 * 1024 * 1024);
        let c = cap(&long, 256);
        assert!(c.ends_with("…(10485760 chars)"), "{}", &c[c.len() - 30..]);
        assert!(c.chars().count() <= 256);
        assert!(is_capped(&c));
        assert_eq!(cap(&c, 256), Cow::Borrowed(&*c));
        assert_eq!(cap("short", 256), Cow::Borrowed("short"));
        // Multi-byte characters are cut on a character boundary.
        let wide = "é".repeat(300);
        assert!(cap(&wide, 100).chars().count() <= 100);
        assert!(!is_capped("a…(b chars)"));
    }

    #[test]
    fn shown_caps_then_escapes() {
        let long = format!("{}{}", "\n".repeat(10), "y".repeat(1000));
        let out = shown_max(&long, 40).to_string();
        assert!(out.starts_with("\\n\\n"), "{out}");
        assert!(out.ends_with("…(1010 chars)"), "{out}");
        assert!(!out.contains('\n'));
    }

    #[test]
    fn json_escapes_what_serde_leaves_raw() {
        let text = serde_json::to_string(&"a\x1b\x7f\u{85}\u{202e}b").unwrap();
        let safe = json_safe(text);
        assert_eq!(safe, r#""a\u001b\u007f\u0085\u202eb""#);
        let back: String = serde_json::from_str(&safe).unwrap();
        assert_eq!(back, "a\x1b\x7f\u{85}\u{202e}b");
    }

    #[test]
    fn cap_json_reaches_keys_and_nested_strings() {
        let long = "n".repeat(5000);
        let mut v = serde_json::json!({ long.clone(): [long.clone(), 1, {"k": long}] });
        assert!(cap_json(&mut v, 100));
        let text = v.to_string();
        assert!(text.len() < 500, "{text}");
        assert!(!cap_json(&mut v, 100), "capping twice changes nothing");
    }
}
