//! The built-in shared parameter blocks (`flows/shared.json`), apart from
//! the built-in flows so the loader can read them without a cycle.

use std::collections::BTreeMap;
use std::sync::LazyLock;

use serde_json::Value;

/// The file of the built-in shared parameter blocks.
pub const SHARED_FILE: &str = "flows/shared.json";

/// The built-in shared parameter blocks (`flows/shared.json`: one place for
/// each app's store description), by name. Any flow, built-in or a file,
/// takes one with `"params_from": "<name>"` when its own `shared` has no
/// block by that name.
pub fn shared() -> &'static BTreeMap<String, Value> {
    static SHARED: LazyLock<BTreeMap<String, Value>> = LazyLock::new(|| {
        // Embedded and checked by the tests; unreadable, it offers no block,
        // so each reference is an error naming the block, never a panic.
        let mut blocks: BTreeMap<String, Value> =
            serde_json::from_str(include_str!("../../flows/shared.json")).unwrap_or_default();
        blocks.remove("$comment");
        blocks
    });
    &SHARED
}
