//! Run ids: what one may be, and how a new one is made. A leaf module: the
//! state folder, the fixes and the reports all name files after run ids.

use std::time::SystemTime;

/// What a run id may be, in words: it names files in the state folder
/// (`runs/<id>.json`, the backups and journal rows of its fixes), so it must
/// be a safe file name on every platform.
pub const RUN_ID_RULE: &str = "1 to 128 letters, digits, `-`, `_` and `.`, not starting with `.`";

/// Whether `id` is a run id ([`RUN_ID_RULE`]): ASCII letters, digits, `-`,
/// `_` and `.` only (no `/`, `\`, `:` or space: nothing a path could be
/// built from), at most 128 of them, and no leading `.` (so never `.`,
/// `..` or a hidden file). Every id [`new_run_id`] makes is one.
pub fn is_run_id(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= 128
        && !id.starts_with('.')
        && id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
}

/// A run id that sorts by time: `20261125-124501-1a2b`.
pub fn new_run_id() -> String {
    let t = crate::clock::now();
    let digits: String = t.chars().filter(|c| c.is_ascii_digit()).take(14).collect();
    let nanos = SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0);
    let tag = (nanos ^ std::process::id()) & 0xffff;
    format!(
        "{}-{}-{tag:04x}",
        &digits[..8.min(digits.len())],
        &digits[8.min(digits.len())..]
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn run_ids_are_safe_file_names() {
        assert!(is_run_id(&new_run_id()));
        for ok in ["20260101-120000-abcd", "a.b", "x_y-z", &"a".repeat(128)] {
            assert!(is_run_id(ok), "{ok}");
        }
        let long = "a".repeat(129);
        for bad in [
            "", ".", "..", ".hidden", "a/b", "a\\b", "a b", "a:b", "é", &long,
        ] {
            assert!(!is_run_id(bad), "{bad}");
        }
    }
}
