//! Property tests ("bounded fuzzing"): nothing a flow file or a store holds
//! may make the library panic. Errors are fine; panics never.
//!
//! Targets:
//! - flow loader + validator + engine: arbitrary bytes, byte mutations of the
//!   shipped `flows/notion-signout.json`, and JSON-aware mutations of it (swap
//!   step ids, drop fields, retarget `next`, deep nesting, type changes, path
//!   escapes). Every mutant that loads is driven through the engine with
//!   arbitrary answers, facts and fix results until it finishes or errors,
//!   within a bounded number of calls.
//! - store readers: byte mutations of every file of a sample home written in
//!   real formats (LevelDB `CURRENT`, `MANIFEST-*`, `.log`, `.ldb`; SQLite
//!   `Cookies`, `cookies.sqlite`, LSNG `data.sqlite`; `Local State`,
//!   `Preferences`, `profiles.ini`, `installs.ini`, `prefs.js`), then a full
//!   `probe::scan`, which must return (with warnings), never panic. Plus
//!   arbitrary bytes straight into each reader.
//!
//! The bounded run (a few thousand cases in all, well under a minute in a
//! debug build on two cores) is part of `cargo test`. For a longer run, raise
//! the per-target case count, e.g.:
//!
//! ```sh
//! PROPTEST_CASES=20000 cargo test --release --test integration fuzz:: -- --nocapture
//! ```
//!
//! `PROPTEST_CASES` replaces every target's default count here. Failing
//! inputs are not persisted to files; proptest prints the minimal failing
//! input (shrunk) in the test failure.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use proptest::prelude::*;
use proptest::test_runner::{Config, TestCaseError, TestRunner};
use serde_json::{Value, json};
use testkit::{NOTION_APP, NOTION_WWW, SampleHome};
use troubleshoot::flow::engine::{Answer, FixResult, Need};
use troubleshoot::flow::graph::{GraphFormat, render};
use troubleshoot::flow::load::{load_bytes, load_str, parse_bytes};
use troubleshoot::flow::{Engine, Flow};
use troubleshoot::probe::{Layout, ScanReport, scan};
use troubleshoot::readers::leveldb::read_local_storage;
use troubleshoot::readers::sqlite::{CookieQuery, CookieSchema, read_cookies, read_lsng};

const SHIPPED: &str = include_str!("../../flows/notion-signout.json");

/// Most calls the engine driver makes on one flow before it gives up (a
/// flow that neither finishes nor errors by then is a bug in itself).
const MAX_ENGINE_CALLS: usize = 3000;

/// Cases for one target: `PROPTEST_CASES` when set, else `default`.
fn cases(default: u32) -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(default)
}

fn runner(default_cases: u32) -> TestRunner {
    TestRunner::new(Config {
        cases: cases(default_cases),
        failure_persistence: None,
        // Shrinking a scan case is slow; a failure is already a bug.
        max_shrink_iters: 200,
        ..Config::default()
    })
}

// ---------------------------------------------------------------------------
// Byte mutations
// ---------------------------------------------------------------------------

#[derive(Debug, Clone)]
enum ByteMut {
    Flip { at: usize, bit: u8 },
    Set { at: usize, byte: u8 },
    Insert { at: usize, bytes: Vec<u8> },
    Delete { at: usize, len: usize },
    Truncate { at: usize },
    Duplicate { at: usize, len: usize },
    Zero { at: usize, len: usize },
}

fn byte_mut() -> impl Strategy<Value = ByteMut> {
    let at = any::<usize>();
    prop_oneof![
        4 => (at, 0u8..8).prop_map(|(at, bit)| ByteMut::Flip { at, bit }),
        2 => (at, any::<u8>()).prop_map(|(at, byte)| ByteMut::Set { at, byte }),
        1 => (at, prop::collection::vec(any::<u8>(), 1..16))
            .prop_map(|(at, bytes)| ByteMut::Insert { at, bytes }),
        1 => (at, 1usize..64).prop_map(|(at, len)| ByteMut::Delete { at, len }),
        1 => at.prop_map(|at| ByteMut::Truncate { at }),
        1 => (at, 1usize..256).prop_map(|(at, len)| ByteMut::Duplicate { at, len }),
        1 => (at, 1usize..512).prop_map(|(at, len)| ByteMut::Zero { at, len }),
    ]
}

fn byte_muts(max: usize) -> impl Strategy<Value = Vec<ByteMut>> {
    prop::collection::vec(byte_mut(), 1..=max)
}

fn apply_byte_muts(data: &mut Vec<u8>, muts: &[ByteMut]) {
    for m in muts {
        let n = data.len();
        let pos = |at: usize| if n == 0 { 0 } else { at % n };
        match m {
            ByteMut::Flip { at, bit } if n > 0 => data[pos(*at)] ^= 1 << bit,
            ByteMut::Set { at, byte } if n > 0 => data[pos(*at)] = *byte,
            ByteMut::Insert { at, bytes } => {
                let p = if n == 0 { 0 } else { at % (n + 1) };
                data.splice(p..p, bytes.iter().copied());
            }
            ByteMut::Delete { at, len } if n > 0 => {
                let p = pos(*at);
                data.drain(p..(p + len).min(n));
            }
            ByteMut::Truncate { at } => data.truncate(if n == 0 { 0 } else { at % n }),
            ByteMut::Duplicate { at, len } if n > 0 => {
                let p = pos(*at);
                let chunk: Vec<u8> = data[p..(p + len).min(n)].to_vec();
                data.splice(p..p, chunk);
            }
            ByteMut::Zero { at, len } if n > 0 => {
                let p = pos(*at);
                for b in &mut data[p..(p + len).min(n)] {
                    *b = 0;
                }
            }
            _ => {}
        }
    }
}

// ---------------------------------------------------------------------------
// Engine driver
// ---------------------------------------------------------------------------

/// A tiny deterministic generator for the driver's choices (seeded by
/// proptest, so a failing case replays exactly).
struct Choices(u64);

impl Choices {
    fn next(&mut self) -> u64 {
        // xorshift64*
        let mut x = self.0.max(1);
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            (self.next() % n as u64) as usize
        }
    }

    fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> Option<&'a T> {
        if items.is_empty() {
            None
        } else {
            Some(&items[self.below(items.len())])
        }
    }
}

/// Realistic probe facts: the scan of a sample home with two sessions in
/// one profile and one in the desktop app, shaped as the wizard feeds them.
fn realistic_facts() -> &'static [Value] {
    static FACTS: OnceLock<Vec<Value>> = OnceLock::new();
    FACTS.get_or_init(|| {
        let t = tempfile::tempdir().unwrap();
        let h = SampleHome::new(t.path(), Layout::Linux);
        h.chromium_profile("chrome", "Default", "Person 1")
            .workspace(NOTION_WWW, "ws-acme", "Acme Corp", "user-1")
            .workspace(NOTION_WWW, "ws-beta", "Beta", "user-1")
            .sync(true)
            .write()
            .unwrap();
        h.desktop_app("Notion")
            .workspace(NOTION_APP, "ws-acme", "Acme Corp", "user-1")
            .google_account()
            .write()
            .unwrap();
        let full = as_facts(&scan(&h.home(), testkit::notion_spec()));
        let empty_home = tempfile::tempdir().unwrap();
        let empty = as_facts(&scan(
            &SampleHome::new(empty_home.path(), Layout::Linux).home(),
            testkit::notion_spec(),
        ));
        // The same scan with one session gone (what a verify usually wants).
        let mut one_less = full.clone();
        if let Some(Value::Array(s)) = one_less.get_mut("sessions") {
            s.remove(0);
            let n = s.len();
            one_less["session_count"] = json!(n);
        }
        vec![full, empty, one_less]
    })
}

fn as_facts(r: &ScanReport) -> Value {
    let mut v = serde_json::to_value(r).unwrap();
    v["evidence"] = json!(["Chrome, profile Person 1: 2 workspace sessions"]);
    v
}

/// Arbitrary facts built from names flows use, nested a little.
fn random_facts(c: &mut Choices, depth: usize) -> Value {
    const KEYS: &[&str] = &[
        "session_count",
        "sessions",
        "browsers",
        "desktop_app",
        "any_sync",
        "max_store_accounts",
        "warnings",
        "evidence",
        "workspace_id",
        "workspace_name",
        "store_id",
        "store_accounts",
        "sync_enabled",
        "linked_accounts",
        "installed",
        "running",
        "accounts",
    ];
    match c.below(if depth == 0 { 5 } else { 7 }) {
        0 => Value::Null,
        1 => json!(c.chance(50)),
        2 => json!(c.next() as i64 % 5 - 1),
        3 => json!(format!("s{}", c.below(4))),
        4 => json!(f64::from(c.below(1000) as u32) / 7.0),
        5 => Value::Array(
            (0..c.below(4))
                .map(|_| random_facts(c, depth - 1))
                .collect(),
        ),
        _ => {
            let mut m = serde_json::Map::new();
            for _ in 0..c.below(6) {
                let k = c.pick(KEYS).copied().unwrap_or("x");
                m.insert(k.to_string(), random_facts(c, depth - 1));
            }
            Value::Object(m)
        }
    }
}

fn facts_for(c: &mut Choices) -> Value {
    if c.chance(75) {
        c.pick(realistic_facts()).cloned().unwrap_or(Value::Null)
    } else {
        random_facts(c, 3)
    }
}

fn random_answer(c: &mut Choices, offered: &[String]) -> Answer {
    match c.below(10) {
        0..=5 => match c.pick(offered) {
            Some(id) => Answer::Choice(id.clone()),
            None => Answer::Bool(c.chance(50)),
        },
        6 => Answer::Bool(c.chance(50)),
        7 => Answer::Text(
            [
                "yes",
                "no",
                "Acme Corp",
                "acme corp",
                "",
                "ws-acme",
                "\u{0}\u{ffff}",
            ][c.below(7)]
            .to_string(),
        ),
        8 => Answer::Choice(format!("{}", c.next())),
        _ => Answer::Text("x".repeat(c.below(3000))),
    }
}

fn random_fix_result(c: &mut Choices) -> FixResult {
    match c.below(6) {
        0..=2 => FixResult::Applied,
        3 => FixResult::Failed {
            reason: "fuzz".into(),
        },
        4 => FixResult::Refused {
            reason: "fuzz".into(),
        },
        _ => FixResult::DryRun,
    }
}

/// Drive `flow` with arbitrary answers, facts and fix results until it
/// finishes or errors. Now and then feeds the wrong thing (the engine must
/// refuse it, not panic). Returns how the run ended, for statistics.
fn drive(flow: &Flow, seed: u64) -> &'static str {
    let mut c = Choices(seed ^ 0x9E37_79B9_7F4A_7C15);
    let mut e = Engine::new(flow);
    for _ in 0..MAX_ENGINE_CALLS {
        if c.chance(3) {
            // Out of protocol: any feed at any time is an error, never a panic.
            let _ = match c.below(5) {
                0 => e.answer(Answer::Bool(true)),
                1 => e.probed(Value::Null),
                2 => e.fixed(FixResult::Applied),
                3 => e.reprobed(vec![]),
                _ => e.rolled_back(),
            };
        }
        let need = match e.next() {
            Ok(n) => n,
            Err(_) => return "error",
        };
        let fed = match need {
            Need::Say { .. } => Ok(()),
            Need::Ask(q) => {
                let mut offered: Vec<String> = q.options.iter().map(|o| o.id.clone()).collect();
                if let Some(Value::String(d)) = &q.default {
                    offered.push(d.clone());
                }
                e.answer(random_answer(&mut c, &offered))
            }
            Need::Probe(_) => e.probed(facts_for(&mut c)),
            Need::Fix(_) => e.fixed(random_fix_result(&mut c)),
            Need::Reprobe { probes, .. } => {
                let results = probes.into_iter().map(|p| (p, facts_for(&mut c))).collect();
                e.reprobed(results)
            }
            Need::Rollback { .. } => e.rolled_back(),
            Need::Finished(_) => return "finished",
        };
        if fed.is_err() {
            // A bad answer leaves the question pending: try again, usually
            // with a good one. Anything else ends the run.
            continue;
        }
    }
    // The engine's step budget and the driver's answers guarantee an end
    // long before this; reaching it means the engine spins.
    "bounded"
}

/// Load, and when valid, graph and drive. Never panics (that is the test).
fn exercise_flow(bytes: &[u8], seed: u64) -> Result<(), TestCaseError> {
    let _ = parse_bytes("fuzz.json", bytes);
    if let Ok(flow) = load_bytes("fuzz.json", bytes, troubleshoot::registry::builtin()) {
        let _ = render(&flow, GraphFormat::Mermaid);
        let _ = render(&flow, GraphFormat::Dot);
        let end = drive(&flow, seed);
        prop_assert_ne!(end, "bounded", "engine neither finished nor errored");
    }
    Ok(())
}

#[test]
fn shipped_flows_drive_to_an_end_under_random_input() {
    for (id, file, text) in troubleshoot::flow::builtin::BUILTIN {
        let flow =
            load_str(file, text, troubleshoot::registry::builtin()).expect("shipped flow loads");
        let (mut finished, mut errors) = (0, 0);
        for seed in 0..cases(300) as u64 {
            let end = drive(&flow, seed);
            assert_ne!(end, "bounded", "{id}: seed {seed}");
            finished += usize::from(end == "finished");
            errors += usize::from(end == "error");
        }
        eprintln!("{id}: random drives: {finished} finished, {errors} ended on an engine error");
        // The driver mostly answers well, so runs reach an end step.
        assert!(finished > 0, "{id}: no random run finished");
    }
}

#[test]
fn flow_loader_arbitrary_bytes() {
    let strat = (
        prop_oneof![
            prop::collection::vec(any::<u8>(), 0..512),
            // JSON-ish noise gets further into the parser.
            prop::collection::vec(
                prop::sample::select(b"{}[]\":,0123456789.-eEtrufalsn \\\n".to_vec()),
                0..512
            ),
        ],
        any::<u64>(),
    );
    runner(400)
        .run(&strat, |(bytes, seed)| exercise_flow(&bytes, seed))
        .unwrap();
}

#[test]
fn flow_loader_byte_mutations_of_shipped_flow() {
    let strat = (byte_muts(6), any::<u64>());
    runner(400)
        .run(&strat, |(muts, seed)| {
            let mut bytes = SHIPPED.as_bytes().to_vec();
            apply_byte_muts(&mut bytes, &muts);
            exercise_flow(&bytes, seed)
        })
        .unwrap();
}

// ---------------------------------------------------------------------------
// JSON-aware flow mutations
// ---------------------------------------------------------------------------

#[derive(Debug, Clone)]
enum JsonMut {
    SwapIds(usize, usize),
    DropField(usize, usize),
    Retarget(usize, usize),
    Nest(usize, usize),
    Retype(usize, u8),
    DuplicateStep(usize),
    RemoveStep(usize),
    MoveStep(usize, usize),
    /// Replace a string with an escape attempt or an odd value.
    Poison(usize, usize),
}

fn json_mut() -> impl Strategy<Value = JsonMut> {
    let i = any::<usize>();
    prop_oneof![
        1 => (i, i).prop_map(|(a, b)| JsonMut::SwapIds(a, b)),
        3 => (i, i).prop_map(|(a, b)| JsonMut::DropField(a, b)),
        3 => (i, i).prop_map(|(a, b)| JsonMut::Retarget(a, b)),
        1 => (i, 1usize..100).prop_map(|(a, d)| JsonMut::Nest(a, d)),
        2 => (i, any::<u8>()).prop_map(|(a, k)| JsonMut::Retype(a, k)),
        1 => i.prop_map(JsonMut::DuplicateStep),
        1 => i.prop_map(JsonMut::RemoveStep),
        1 => (i, i).prop_map(|(a, b)| JsonMut::MoveStep(a, b)),
        2 => (i, i).prop_map(|(a, b)| JsonMut::Poison(a, b)),
    ]
}

/// JSON pointers of every node under `v`.
fn pointers(v: &Value, at: String, out: &mut Vec<String>) {
    match v {
        Value::Object(m) => {
            for (k, c) in m {
                let p = format!("{at}/{}", k.replace('~', "~0").replace('/', "~1"));
                out.push(p.clone());
                pointers(c, p, out);
            }
        }
        Value::Array(a) => {
            for (i, c) in a.iter().enumerate() {
                let p = format!("{at}/{i}");
                out.push(p.clone());
                pointers(c, p, out);
            }
        }
        _ => {}
    }
}

const TARGET_FIELDS: &[&str] = &[
    "next",
    "otherwise",
    "yes",
    "no",
    "on_success",
    "on_failure",
    "on_refused",
];

const POISON: &[&str] = &[
    "../../../etc/passwd",
    "/etc/shadow",
    "..",
    "C:\\Windows\\System32",
    "$(rm -rf /)",
    "`id`",
    "file:///etc/passwd",
    "\u{0}",
    "{scan.sessions}",
    "{",
    "scan.session_count",
    "selected.workspace",
    "answers.goal",
    "",
    "🦀🦀🦀",
];

fn step_ids(flow: &Value) -> Vec<String> {
    flow["steps"]
        .as_array()
        .map(|s| {
            s.iter()
                .filter_map(|st| {
                    st.as_object()
                        .and_then(|o| o.values().next())
                        .and_then(|b| b.get("id"))
                        .and_then(Value::as_str)
                        .map(str::to_string)
                })
                .collect()
        })
        .unwrap_or_default()
}

fn step_body_mut(flow: &mut Value, i: usize) -> Option<&mut Value> {
    let steps = flow.get_mut("steps")?.as_array_mut()?;
    let n = steps.len();
    if n == 0 {
        return None;
    }
    steps[i % n].as_object_mut()?.values_mut().next()
}

fn apply_json_mut(flow: &mut Value, m: &JsonMut) {
    let ids = step_ids(flow);
    let mut ptrs = Vec::new();
    pointers(flow, String::new(), &mut ptrs);
    let node = |i: usize| ptrs.get(i % ptrs.len().max(1)).cloned().unwrap_or_default();
    match m {
        JsonMut::SwapIds(a, b) => {
            let (ia, ib) = (
                step_body_mut(flow, *a).and_then(|s| s.get("id").cloned()),
                step_body_mut(flow, *b).and_then(|s| s.get("id").cloned()),
            );
            if let (Some(ia), Some(ib)) = (ia, ib) {
                if let Some(s) = step_body_mut(flow, *a) {
                    s["id"] = ib;
                }
                if let Some(s) = step_body_mut(flow, *b) {
                    s["id"] = ia;
                }
            }
        }
        JsonMut::DropField(a, b) => {
            let p = node(*a);
            if let Some(Value::Object(o)) = flow.pointer_mut(&p) {
                let keys: Vec<String> = o.keys().cloned().collect();
                if !keys.is_empty() {
                    o.remove(&keys[b % keys.len()]);
                }
            }
        }
        JsonMut::Retarget(a, b) => {
            let targets: Vec<&String> = ptrs
                .iter()
                .filter(|p| TARGET_FIELDS.iter().any(|f| p.ends_with(&format!("/{f}"))))
                .collect();
            if let Some(p) = targets.get(a % targets.len().max(1)).map(|p| p.to_string()) {
                let to = if b % 5 == 0 || ids.is_empty() {
                    format!("nowhere-{b}")
                } else {
                    ids[b % ids.len()].clone()
                };
                if let Some(v) = flow.pointer_mut(&p) {
                    *v = Value::String(to);
                }
            }
        }
        JsonMut::Nest(a, depth) => {
            let p = node(*a);
            if let Some(v) = flow.pointer_mut(&p) {
                let mut inner = v.take();
                for d in 0..*depth {
                    inner = if d % 2 == 0 {
                        json!([inner])
                    } else {
                        json!({ "all": inner })
                    };
                }
                *v = inner;
            }
        }
        JsonMut::Retype(a, k) => {
            let p = node(*a);
            if let Some(v) = flow.pointer_mut(&p) {
                *v = match k % 7 {
                    0 => Value::Null,
                    1 => json!(true),
                    2 => json!(-1),
                    3 => json!(1e308),
                    4 => json!("x"),
                    5 => json!([]),
                    _ => json!({}),
                };
            }
        }
        JsonMut::DuplicateStep(a) => {
            if let Some(steps) = flow.get_mut("steps").and_then(Value::as_array_mut)
                && !steps.is_empty()
            {
                let s = steps[a % steps.len()].clone();
                steps.push(s);
            }
        }
        JsonMut::RemoveStep(a) => {
            if let Some(steps) = flow.get_mut("steps").and_then(Value::as_array_mut)
                && !steps.is_empty()
            {
                let n = steps.len();
                steps.remove(a % n);
            }
        }
        JsonMut::MoveStep(a, b) => {
            if let Some(steps) = flow.get_mut("steps").and_then(Value::as_array_mut)
                && !steps.is_empty()
            {
                let n = steps.len();
                let s = steps.remove(a % n);
                steps.insert(b % n, s);
            }
        }
        JsonMut::Poison(a, b) => {
            let strings: Vec<&String> = ptrs
                .iter()
                .filter(|p| flow.pointer(p).is_some_and(Value::is_string))
                .collect();
            if let Some(p) = strings.get(a % strings.len().max(1)).map(|p| p.to_string())
                && let Some(v) = flow.pointer_mut(&p)
            {
                *v = Value::String(POISON[b % POISON.len()].to_string());
            }
        }
    }
}

#[test]
fn flow_json_mutations_of_shipped_flow() {
    let base: Value = serde_json::from_str(SHIPPED).unwrap();
    let strat = (prop::collection::vec(json_mut(), 1..5), any::<u64>());
    let valid = std::cell::Cell::new(0u32);
    let total = std::cell::Cell::new(0u32);
    runner(600)
        .run(&strat, |(muts, seed)| {
            let mut v = base.clone();
            for m in &muts {
                apply_json_mut(&mut v, m);
            }
            let text = serde_json::to_string_pretty(&v).unwrap();
            total.set(total.get() + 1);
            valid.set(
                valid.get()
                    + u32::from(
                        load_str("fuzz.json", &text, troubleshoot::registry::builtin()).is_ok(),
                    ),
            );
            exercise_flow(text.as_bytes(), seed)
        })
        .unwrap();
    // Some mutants must stay valid, or the engine half of this target is idle.
    eprintln!(
        "flow JSON mutants: {} cases, {} valid and driven",
        total.get(),
        valid.get()
    );
    assert!(
        valid.get() > 0,
        "no JSON mutant of the shipped flow was valid ({} cases)",
        total.get()
    );
}

#[test]
fn flow_path_escapes_in_parameters_are_rejected() {
    // A check may only name registry probes with typed parameters; a flow
    // cannot smuggle a file name or a command in. Every string parameter of
    // the scan step poisoned in turn must either still be a plain parameter
    // the typed spec accepts, or be rejected; never run.
    let base: Value = serde_json::from_str(SHIPPED).unwrap();
    for bad in ["../../../../etc", "/etc/passwd", "..\\..\\Windows"] {
        for field in ["folder", "partition"] {
            let mut v = base.clone();
            let scan = v["steps"]
                .as_array_mut()
                .unwrap()
                .iter_mut()
                .find_map(|s| s.get_mut("check"))
                .unwrap();
            scan["params"]["desktop"][field] = json!(bad);
            let text = serde_json::to_string(&v).unwrap();
            let r = load_str("escape.json", &text, troubleshoot::registry::builtin());
            assert!(
                r.is_err(),
                "desktop.{field} = {bad:?} was accepted by validation"
            );
        }
    }
}

// ---------------------------------------------------------------------------
// Store readers
// ---------------------------------------------------------------------------

/// A home with every store kind, written once: Chrome with a compacted
/// LevelDB (`.ldb` table) and one with data only in the `.log`, Firefox with
/// LSNG and cookies in the WAL, and the desktop app.
struct Pristine {
    _dir: tempfile::TempDir,
    home: SampleHome,
    files: Vec<(PathBuf, Vec<u8>)>,
}

fn build_pristine() -> Pristine {
    let dir = tempfile::tempdir().unwrap();
    let home = SampleHome::new(dir.path().join("home"), Layout::Linux);
    home.chromium_profile("chrome", "Default", "Person 1")
        .workspace(NOTION_WWW, "ws-acme", "Acme Corp", "user-1")
        .ls_key(
            NOTION_WWW,
            "LRU:KeyValueStore2:current-user-id",
            "{\"value\":\"user-1\"}",
        )
        .cookie(".notion.so", "token_v2", "secret")
        .plain_cookie(".notion.so", "notion_user_id", "user-1")
        .google_account()
        .sync(true)
        .compact(true)
        .write()
        .unwrap();
    home.chromium_profile("chrome", "Profile 1", "Work")
        .workspace(NOTION_APP, "ws-beta", "Beta", "user-2")
        .plain_cookie(
            ".notion.so",
            "notion_users",
            "%5B%22user-2%22%2C%22user-3%22%5D",
        )
        .write()
        .unwrap();
    home.firefox_profile("abcd1234.default-release", "default-release")
        .workspace(NOTION_WWW, "ws-ff", "Firefox WS", "user-4")
        .ls_key(NOTION_WWW, "long", &"x".repeat(300))
        .cookie(".notion.so", "notion_user_id", "user-4")
        .cookie(".notion.so", "token_v2", "secret")
        .cookies_in_wal(true)
        .sync(true)
        .write()
        .unwrap();
    home.desktop_app("Notion")
        .workspace(NOTION_WWW, "ws-acme", "Acme Corp", "user-1")
        .plain_cookie(".notion.so", "notion_user_id", "user-1")
        .google_account()
        .write()
        .unwrap();
    let mut files = Vec::new();
    let mut stack = vec![home.root.clone()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap().flatten() {
            let p = e.path();
            let t = e.file_type().unwrap();
            if t.is_dir() {
                stack.push(p);
            } else if t.is_file() && e.file_name() != "LOCK" && e.file_name() != "LOG" {
                let bytes = std::fs::read(&p).unwrap();
                files.push((p, bytes));
            }
        }
    }
    files.sort();
    Pristine {
        _dir: dir,
        home,
        files,
    }
}

fn must_have(files: &[(PathBuf, Vec<u8>)], what: &str, f: impl Fn(&str) -> bool) {
    assert!(
        files
            .iter()
            .any(|(p, _)| f(&p.file_name().unwrap().to_string_lossy())),
        "sample home has no {what} file to mutate"
    );
}

#[test]
fn scan_survives_mutated_stores() {
    let p = build_pristine();
    let names = |f: &dyn Fn(&str) -> bool| must_have(&p.files, "", f);
    for (what, f) in [
        (
            "CURRENT",
            &(|n: &str| n == "CURRENT") as &dyn Fn(&str) -> bool,
        ),
        ("MANIFEST", &|n: &str| n.starts_with("MANIFEST-")),
        (".log", &|n: &str| n.ends_with(".log")),
        (".ldb", &|n: &str| n.ends_with(".ldb")),
        ("Cookies", &|n: &str| n == "Cookies"),
        ("cookies.sqlite", &|n: &str| n == "cookies.sqlite"),
        ("cookies.sqlite-wal", &|n: &str| n == "cookies.sqlite-wal"),
        ("data.sqlite", &|n: &str| n == "data.sqlite"),
        ("Local State", &|n: &str| n == "Local State"),
        ("Preferences", &|n: &str| n == "Preferences"),
        ("profiles.ini", &|n: &str| n == "profiles.ini"),
        ("installs.ini", &|n: &str| n == "installs.ini"),
        ("prefs.js", &|n: &str| n == "prefs.js"),
    ] {
        let _ = what;
        names(f);
    }
    let spec = testkit::notion_spec();
    let healthy = scan(&p.home.home(), spec);
    assert!(healthy.warnings.is_empty(), "{:?}", healthy.warnings);
    // Four workspaces, and the listed account no key names.
    assert_eq!(healthy.session_count, 5, "{:?}", healthy.sessions);

    let n_files = p.files.len();
    // Several files at once now and then: a whole store corrupt.
    let strat = prop::collection::vec((0..n_files, byte_muts(4)), 1..3);
    runner(500)
        .run(&strat, |edits| {
            for (i, muts) in &edits {
                let (path, orig) = &p.files[*i];
                let mut bytes = std::fs::read(path).unwrap_or_else(|_| orig.clone());
                apply_byte_muts(&mut bytes, muts);
                std::fs::write(path, &bytes).unwrap();
            }
            let report = scan(&p.home.home(), spec);
            // Restore before asserting, so a failure does not poison shrinking.
            for (i, _) in &edits {
                let (path, orig) = &p.files[*i];
                std::fs::write(path, orig).unwrap();
            }
            prop_assert!(report.session_count as usize == report.sessions.len());
            for w in &report.warnings {
                prop_assert!(!w.path.is_empty() && !w.reason.is_empty(), "{w:?}");
            }
            Ok(())
        })
        .unwrap();
    // The readers never wrote to the stores they read.
    for (path, orig) in &p.files {
        assert_eq!(&std::fs::read(path).unwrap(), orig, "{}", path.display());
    }
}

/// A fresh folder holding `files` (name, bytes).
fn folder_with(files: &[(&str, Vec<u8>)]) -> tempfile::TempDir {
    let d = tempfile::tempdir().unwrap();
    for (name, bytes) in files {
        std::fs::write(d.path().join(name), bytes).unwrap();
    }
    d
}

fn file_named<'a>(p: &'a Pristine, under: &str, name: &str) -> &'a (PathBuf, Vec<u8>) {
    p.files
        .iter()
        .find(|(path, _)| {
            path.to_string_lossy().contains(under)
                && path
                    .file_name()
                    .is_some_and(|n| n.to_string_lossy() == name)
        })
        .unwrap_or_else(|| panic!("no {under}/{name} in the sample home"))
}

#[test]
fn leveldb_reader_arbitrary_files() {
    // Straight into the reader: a LevelDB folder whose files are arbitrary
    // bytes or mutations of a real store's (both the .log and .ldb shapes).
    let p = build_pristine();
    let ldb_dir = |under: &str| -> Vec<(String, Vec<u8>)> {
        p.files
            .iter()
            .filter(|(path, _)| path.to_string_lossy().contains(under))
            .filter(|(path, _)| path.parent().is_some_and(|d| d.ends_with("leveldb")))
            .map(|(path, b)| {
                (
                    path.file_name().unwrap().to_string_lossy().into_owned(),
                    b.clone(),
                )
            })
            .collect()
    };
    let stores = [ldb_dir("/Default/"), ldb_dir("/Profile 1/")];
    assert!(stores.iter().all(|s| s.len() >= 3), "{stores:?}");
    let origins = vec![NOTION_WWW.to_string(), NOTION_APP.to_string()];
    let strat = (
        0..2usize,
        any::<usize>(),
        prop_oneof![
            3 => byte_muts(8).prop_map(Ok),
            1 => prop::collection::vec(any::<u8>(), 0..4096).prop_map(Err),
        ],
    );
    runner(500)
        .run(&strat, |(store, which, change)| {
            let mut files = stores[store].clone();
            let i = which % files.len();
            match change {
                Ok(muts) => apply_byte_muts(&mut files[i].1, &muts),
                Err(raw) => files[i].1 = raw,
            }
            let refs: Vec<(&str, Vec<u8>)> =
                files.iter().map(|(n, b)| (n.as_str(), b.clone())).collect();
            let d = folder_with(&refs);
            let _ = read_local_storage(d.path(), &origins);
            Ok(())
        })
        .unwrap();
}

#[test]
fn sqlite_readers_arbitrary_files() {
    let p = build_pristine();
    let chromium = file_named(&p, "/Default/", "Cookies").1.clone();
    let moz = file_named(&p, "abcd1234", "cookies.sqlite").1.clone();
    let moz_wal = file_named(&p, "abcd1234", "cookies.sqlite-wal").1.clone();
    let lsng = file_named(&p, "abcd1234", "data.sqlite").1.clone();
    let query = CookieQuery {
        domains: vec!["notion.so".into(), "google.com".into()],
        value_names: vec!["notion_user_id".into(), "notion_users".into()],
        value_domains: vec!["notion.so".into()],
        // Mutated `v10` values go through the decryptor too.
        layout: Some(Layout::Linux),
    };
    let strat = (
        0..4usize,
        prop_oneof![
            4 => byte_muts(8).prop_map(Ok),
            1 => prop::collection::vec(any::<u8>(), 0..2048).prop_map(Err),
        ],
    );
    runner(500)
        .run(&strat, |(kind, change)| {
            let mut base = match kind {
                0 => chromium.clone(),
                1 | 2 => moz.clone(),
                _ => lsng.clone(),
            };
            let mut wal = moz_wal.clone();
            let target = if kind == 2 { &mut wal } else { &mut base };
            match change {
                Ok(muts) => apply_byte_muts(target, &muts),
                Err(raw) => *target = raw,
            }
            match kind {
                0 => {
                    let d = folder_with(&[("Cookies", base)]);
                    let _ = read_cookies(&d.path().join("Cookies"), CookieSchema::Chromium, &query);
                }
                1 | 2 => {
                    let d = folder_with(&[("cookies.sqlite", base), ("cookies.sqlite-wal", wal)]);
                    let _ = read_cookies(
                        &d.path().join("cookies.sqlite"),
                        CookieSchema::Firefox,
                        &query,
                    );
                }
                _ => {
                    let d = folder_with(&[("data.sqlite", base)]);
                    let _ = read_lsng(&d.path().join("data.sqlite"));
                }
            }
            Ok(())
        })
        .unwrap();
}

/// Profile lists and preferences as arbitrary text: `Local State`,
/// `Preferences`, `profiles.ini`, `installs.ini`, `prefs.js`,
/// `signedInUser.json` replaced wholesale, then a scan.
#[test]
fn scan_survives_arbitrary_profile_text() {
    let p = build_pristine();
    let targets: Vec<&(PathBuf, Vec<u8>)> = p
        .files
        .iter()
        .filter(|(path, _)| {
            let n = path.file_name().unwrap().to_string_lossy();
            matches!(
                n.as_ref(),
                "Local State"
                    | "Preferences"
                    | "profiles.ini"
                    | "installs.ini"
                    | "prefs.js"
                    | "signedInUser.json"
            )
        })
        .collect();
    assert!(targets.len() >= 6, "{}", targets.len());
    let text = prop_oneof![
        // Structured-looking text.
        "(\\[Profile[0-9]\\]\n|Path=[a-z./\\\\]{0,20}\n|IsRelative=[01x]\n|Name=.{0,10}\n|Default=[a-z./]{0,12}\n|\\{\"profile\":\\{\"info_cache\":\\{\"[A-Za-z ./]{0,12}\":\\{\"name\":[0-9\"a-z\\[\\]{}]{0,8}\\}\\}\\}\\}|user_pref\\(\"services.sync.username\", \"[a-z\"]{0,5}\"\\);\n){0,8}"
            .prop_map(String::into_bytes),
        prop::collection::vec(any::<u8>(), 0..1024),
        any::<String>().prop_map(String::into_bytes),
    ];
    let strat = (0..targets.len(), text);
    let spec = testkit::notion_spec();
    runner(300)
        .run(&strat, |(i, bytes)| {
            let (path, orig) = targets[i];
            std::fs::write(path, &bytes).unwrap();
            let r = scan(&p.home.home(), spec);
            std::fs::write(path, orig).unwrap();
            prop_assert!(r.session_count as usize == r.sessions.len());
            Ok(())
        })
        .unwrap();
}

/// Helper for the robustness tests: the path of the first file named
/// `name` under `under` in a folder.
pub fn find_file(root: &Path, under: &str, name: &str) -> Option<PathBuf> {
    let mut stack = vec![root.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).ok()?.flatten() {
            let p = e.path();
            if e.file_type().ok()?.is_dir() {
                stack.push(p);
            } else if p.to_string_lossy().contains(under) && e.file_name().to_string_lossy() == name
            {
                return Some(p);
            }
        }
    }
    None
}
