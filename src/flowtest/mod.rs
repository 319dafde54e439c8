//! `flows test`: named scenarios beside each flow (`flows/<id>.tests.json`),
//! run through the real [`Engine`](crate::flow::Engine) with probes and fixes
//! replaced by the scenario's facts and results. Nothing on the machine is
//! read or changed; only the test files and flows are read.
//!
//! # Format
//!
//! ```json
//! {
//!   "$schema": "./tests.schema.json",
//!   "flow": "notion-signout",
//!   "fixtures": { "chrome-one": { "scan": { "session_count": 1, "sessions": [ ... ] } } },
//!   "scenarios": [{
//!     "name": "clear Notion's sign-in data in the only profile",
//!     "facts": "chrome-one",
//!     "answers": { "goal": "remove-one", "workspace": "ws-acme", "method": "clear-site" },
//!     "fix_results": { "fix-clear-site": "applied" },
//!     "after_fix": { "scan": { "session_count": 0, "sessions": [], "signed_out_stores": ["chrome/Default"] } },
//!     "expect": { "path": ["goal", "scan", ...], "end": "end-cleared", "outcome": "resolved" }
//!   }]
//! }
//! ```
//!
//! - `facts`: probe output per fact namespace (a check's `as`, default its id),
//!   inline or the name of an entry in `fixtures`. Only the fields the flow
//!   reads are needed. A check whose namespace is missing fails the scenario.
//! - `answers`: question (or guide) id to an option id, `true`/`false` or
//!   text; a list answers successive askings of the same question. A question
//!   without an answer fails the scenario, naming it and what was offered.
//! - `fix_results`: fix step id to `applied` (default), `failed`, `refused`, `declined`
//!   or `dry-run`; a list for successive proposals.
//! - `after_fix`: the facts re-probed after an applied fix that has a
//!   `verify` condition (required when that happens; inline or a fixture).
//! - `probe_facts`: check step id to the facts its probe reports there, for
//!   checks that look again (a `recheck` after a guide); others get `facts`.
//! - `expect` (all optional, all must hold): `path` (exact visited step ids),
//!   `path_contains` (a subsequence), `avoids` (never visited), `end` (the
//!   `end` step), `outcome` (`resolved|unresolved|escalate|dry-run`), `fix`
//!   (the one fix proposed: `step`, `action`, `risk`, `params` matched as a
//!   subset) or `fixes` (every fix proposed, in order; `[]` for none),
//!   `rolled_back`, `says` (substrings of the conclusions shown and the end
//!   message), `offered` (question id to the option ids offered, in order, the
//!   first time it is asked).

mod format;
mod load;
mod mutation;
mod render;
mod results;
mod run;

pub use format::*;
pub use load::*;
pub use mutation::*;
pub use render::*;
pub use results::*;
pub use run::*;

/// Test files of the built-in flows, embedded so the installed binary can run
/// them: (flow id, file name, text), for every id in `flows/builtin.txt`
/// (`build.rs`).
pub const BUILTIN_TESTS: &[(&str, &str, &str)] =
    include!(concat!(env!("OUT_DIR"), "/builtin_tests.rs"));

/// Largest test file accepted (the bounded read's limit for flow tests).
pub const MAX_TESTS_BYTES: usize = crate::bounded::Kind::FlowTests.limit() as usize;

/// Needs (questions, probes, fixes, ...) a scenario may take before it is
/// declared a loop.
pub const MAX_NEEDS: usize = 1000;

/// Times one question may be asked (or one check probed) in a scenario before
/// the run is declared a loop.
pub const MAX_REPEATS: usize = 16;
