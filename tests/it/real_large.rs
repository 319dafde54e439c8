//! Real Chromium at real size (issue 14): headless Chromium writes Local
//! Storage through a page served by tests/real/server.py (driven by
//! tests/real/ls_ops.sh), over one or several browser runs on the same
//! profile. After every run `scan --json` must equal what the page itself
//! read back (workspace ids, names, user ids), with no warning; remove-entry
//! (the generic `remove-workspace-entry` action, through a test flow:
//! [`entry_flow`])
//! must verify, and Chromium reopening the store must see exactly that one key
//! gone. The ground truth is always the browser's page, never our writer.
//! Under CI a missing browser fails the test; locally it is skipped with a note.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::{Value, json};

use crate::util::*;

const PREFIX: &str = "notion:workspace:";
const WS_A: &str = "3f1c0a52-8d2e-4b7a-9c61-0e5d2f4a7b01";
const WS_B: &str = "a7e4b9d0-1c3f-4e28-b5a6-7d9c0e1f2a02";
const WS_C: &str = "5b2d8e61-f0a9-4c37-8e14-2a6b9c0d3e03";
const WS_D: &str = "c09f3a7e-6b15-4d82-a3c0-9e8f7d6c5b04";
const USER_1: &str = "0f8fad5b-d9cb-469f-a165-70867728950e";
const USER_2: &str = "9d3c6a1e-2b7f-4e05-8c4a-61f0b2d9e7a3";
/// Not Latin-1: Chromium stores this value as UTF-16, not one byte a character.
const GAMMA_UTF16: &str = "Gamma Équipe 東京 🚀";

fn have(tool: &str) -> bool {
    let found = Command::new("sh")
        .arg("-c")
        .arg(format!("command -v {tool}"))
        .output()
        .is_ok_and(|o| o.status.success());
    if !found {
        assert!(
            std::env::var_os("CI").is_none(),
            "{tool} is missing under CI: .ci/install-browsers.sh installs it"
        );
        eprintln!("skipping: {tool} not installed (run .ci/install-browsers.sh)");
    }
    found
}

fn tools() -> bool {
    have("chromium") && have("openssl") && have("python3")
}

/// id -> (name, user id)
type Workspaces = BTreeMap<String, (Option<String>, Option<String>)>;
type Items = BTreeMap<String, String>;

/// `["set", "notion:workspace:ID", {"name", "user_id"}]`
fn set_ws(id: &str, name: &str, user: &str) -> Value {
    let value = json!({"name": name, "user_id": user}).to_string();
    json!(["set", format!("{PREFIX}{id}"), value])
}

fn remove_ws(id: &str) -> Value {
    json!(["remove", format!("{PREFIX}{id}")])
}

fn sleep_ms(ms: u64) -> Value {
    json!(["sleep", ms])
}

/// `kind`: "random" (incompressible) or "text" (snappy-compressed tables).
fn fill(prefix: &str, count: usize, len: usize, tag: &str, kind: &str) -> Value {
    json!(["fill", prefix, count, len, tag, kind])
}

/// What one page load reported: every key and value before its ops (what
/// Chromium loaded from disk) and after them.
struct PageView {
    before: Items,
    items: Items,
}

fn items_of(v: &Value, field: &str) -> Items {
    v[field]
        .as_object()
        .unwrap_or_else(|| panic!("page report has no {field}"))
        .iter()
        .map(|(k, v)| (k.clone(), v.as_str().expect("string value").to_string()))
        .collect()
}

/// One real Chromium process on `env`'s profile: the ops page applies `ops`
/// and reports.
fn chromium_run(env: &Env, ops: &[Value], label: &str) -> PageView {
    chromium_run_exit(env, ops, label, 0)
}

/// [`chromium_run`] where ls_ops.sh must exit `code` (3: Chromium's LevelDB
/// logged corruption in its LOG, the report is still there).
fn chromium_run_exit(env: &Env, ops: &[Value], label: &str, code: i32) -> PageView {
    let udd = udd(&env.home());
    let name: String = label
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .collect();
    let ops_file = env.dir.path().join(format!("ops-{name}.json"));
    std::fs::write(&ops_file, serde_json::to_vec(ops).unwrap()).unwrap();
    let started = std::time::Instant::now();
    let o = Command::new("bash")
        .arg("tests/real/ls_ops.sh")
        .arg(&udd)
        .arg(&ops_file)
        .env("CAPTURE_TIMEOUT", "120")
        .output()
        .unwrap();
    assert_eq!(
        o.status.code(),
        Some(code),
        "{label}: ls_ops.sh: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    let v: Value = serde_json::from_slice(&o.stdout).expect("page report JSON");
    assert_eq!(v["mode"], "ops", "{label}");
    assert_eq!(v["origin"], NOTION, "{label}");
    assert_eq!(v["done"], ops.len(), "{label}: every op ran");
    let view = PageView {
        before: items_of(&v, "before"),
        items: items_of(&v, "items"),
    };
    eprintln!(
        "{label}: chromium run {:.1}s, page saw {} keys before and {} after",
        started.elapsed().as_secs_f64(),
        view.before.len(),
        view.items.len()
    );
    view
}

/// The notion:workspace: keys the page saw, with the fields of their values.
fn page_workspaces(items: &Items) -> Workspaces {
    items
        .iter()
        .filter_map(|(k, v)| {
            let id = k.strip_prefix(PREFIX)?;
            let o: Value = serde_json::from_str(v).expect("workspace value is JSON");
            let field = |f: &str| o[f].as_str().map(str::to_string);
            Some((id.to_string(), (field("name"), field("user_id"))))
        })
        .collect()
}

fn udd(home: &Path) -> PathBuf {
    home.join(".config/chromium")
}

fn store(home: &Path) -> PathBuf {
    udd(home).join("Default/Local Storage/leveldb")
}

/// `.log` and `.ldb` files of the store with their sizes, sorted by name.
fn store_files(home: &Path) -> Vec<(String, u64)> {
    let mut v: Vec<_> = std::fs::read_dir(store(home))
        .unwrap()
        .flatten()
        .map(|e| {
            let name = e.file_name().to_string_lossy().into_owned();
            (name, e.metadata().unwrap().len())
        })
        .filter(|(n, _)| n.ends_with(".log") || n.ends_with(".ldb"))
        .collect();
    v.sort();
    v
}

fn count(files: &[(String, u64)], ext: &str) -> usize {
    files.iter().filter(|(n, _)| n.ends_with(ext)).count()
}

/// Write batches in the store's `.log` files, decoded here (block framing,
/// batch header) independently of src/readers: (sequence, keys) per batch.
/// Only used to check that the test made Chromium commit what it meant to.
fn log_batches(home: &Path) -> Vec<(u64, Vec<Vec<u8>>)> {
    let mut out = Vec::new();
    for (name, _) in store_files(home) {
        if !name.ends_with(".log") {
            continue;
        }
        let b = std::fs::read(store(home).join(&name)).unwrap();
        let (mut off, mut cur) = (0usize, Vec::new());
        while off + 7 <= b.len() {
            let left = 32768 - off % 32768;
            if left < 7 {
                off += left;
                continue;
            }
            let len = u16::from_le_bytes([b[off + 4], b[off + 5]]) as usize;
            let kind = b[off + 6];
            if kind == 0 || off + 7 + len > b.len() {
                off += left;
                continue;
            }
            let data = &b[off + 7..off + 7 + len];
            off += 7 + len;
            match kind {
                1 => out.push(batch_keys(data)),
                2 => cur = data.to_vec(),
                3 => cur.extend_from_slice(data),
                4 => {
                    cur.extend_from_slice(data);
                    out.push(batch_keys(&cur));
                }
                _ => {}
            }
        }
    }
    out
}

fn batch_keys(r: &[u8]) -> (u64, Vec<Vec<u8>>) {
    let seq = u64::from_le_bytes(r[..8].try_into().unwrap());
    let n = u32::from_le_bytes(r[8..12].try_into().unwrap());
    let mut o = 12;
    let varint = |o: &mut usize| {
        let (mut v, mut shift) = (0usize, 0);
        loop {
            let c = r[*o];
            *o += 1;
            v |= ((c & 0x7f) as usize) << shift;
            shift += 7;
            if c < 0x80 {
                return v;
            }
        }
    };
    let mut keys = Vec::new();
    for _ in 0..n {
        let kind = r[o];
        o += 1;
        let kl = varint(&mut o);
        keys.push(r[o..o + kl].to_vec());
        o += kl;
        if kind == 1 {
            let vl = varint(&mut o);
            o += vl;
        }
    }
    (seq, keys)
}

fn max_log_seq(home: &Path) -> u64 {
    log_batches(home).iter().map(|(s, _)| *s).max().unwrap_or(0)
}

/// Batches committed after sequence `after` that touch a notion:workspace: key.
fn workspace_batches_after(home: &Path, after: u64) -> usize {
    log_batches(home)
        .iter()
        .filter(|(seq, keys)| {
            *seq > after
                && keys
                    .iter()
                    .any(|k| k.windows(PREFIX.len()).any(|w| w == PREFIX.as_bytes()))
        })
        .count()
}

/// `scan --json` on `env`'s home: exit 0, no warning, the store untouched;
/// returns the sessions as [`Workspaces`].
fn scan(env: &Env, label: &str) -> Workspaces {
    let (out, warnings) = scan_with_warnings(env, label);
    assert_eq!(warnings, json!([]), "{label}: {out:?}");
    out
}

/// Signed in: a `token_v2` cookie in the profile (the page is served from
/// a local server, so it cannot set Notion's own cookie). Without it the
/// profile is signed out and its workspaces are nobody's sessions.
fn sign_in(home: &Path) {
    let db = udd(home).join("Default/Cookies");
    let present = db.exists()
        && rusqlite::Connection::open(&db)
            .and_then(|c| {
                c.query_row(
                    "SELECT COUNT(*) FROM cookies WHERE name = 'token_v2'",
                    [],
                    |r| r.get::<_, i64>(0),
                )
            })
            .unwrap_or(0)
            > 0;
    if !present {
        let token = testkit::SampleCookie {
            host: ".www.notion.so".into(),
            name: "token_v2".into(),
            value: "sample".into(),
            encrypted: true,
        };
        testkit::stores::write_chromium_cookies(&db, &[token]).unwrap();
    }
}

/// `scan --json`: exit 0, the store untouched; the sessions and `warnings`.
fn scan_with_warnings(env: &Env, label: &str) -> (Workspaces, Value) {
    sign_in(&env.home());
    let before = tree_hashes(&store(&env.home()), &[]);
    let o = env.run("linux", &["scan", "--json"]);
    assert_eq!(o.status.code(), Some(0), "{label}: {}", stderr(&o));
    assert_eq!(
        tree_hashes(&store(&env.home()), &[]),
        before,
        "{label}: scan wrote to the store"
    );
    let v: Value = serde_json::from_slice(&o.stdout).unwrap();
    let mut out = Workspaces::new();
    for s in v["sessions"].as_array().unwrap() {
        assert_eq!(s["browser"], "Chromium", "{label}: {s:#}");
        let id = s["workspace_id"].as_str().unwrap().to_string();
        let field = |f: &str| s[f].as_str().map(str::to_string);
        let prev = out.insert(id.clone(), (field("workspace_name"), field("user_id")));
        assert!(prev.is_none(), "{label}: workspace {id} reported twice");
    }
    assert_eq!(v["session_count"], out.len(), "{label}");
    (out, v["warnings"].clone())
}

/// After a run: the scan equals the page's view of the notion:workspace: keys.
fn assert_scan_equals_page(env: &Env, view: &PageView, label: &str) {
    let files = store_files(&env.home());
    eprintln!(
        "{label}: store has {} .log + {} .ldb: {files:?}",
        count(&files, ".log"),
        count(&files, ".ldb")
    );
    let log = std::fs::read_to_string(store(&env.home()).join("LOG")).unwrap_or_default();
    let compactions: Vec<_> = log.lines().filter(|l| l.contains("Compact")).collect();
    if !compactions.is_empty() {
        eprintln!("{label}: Chromium's LevelDB LOG: {compactions:#?}");
    }
    let page = page_workspaces(&view.items);
    let scanned = scan(env, label);
    if scanned != page {
        // Tell a reader bug from a write Chromium never put on disk: what does
        // Chromium itself load from (a copy of) this store?
        let probe = copy_of(env);
        let reopened = chromium_run(&probe, &[], &format!("{label}: diagnose"));
        panic!(
            "{label}: scan differs from the page.\n scan:             {scanned:?}\n \
             page after run:   {page:?}\n Chromium reopened: {:?}",
            page_workspaces(&reopened.before)
        );
    }
}

/// A new [`Env`] whose home is a copy of `env`'s.
fn copy_of(env: &Env) -> Env {
    let probe = Env::new();
    let status = Command::new("cp")
        .arg("-a")
        .arg(format!("{}/.", env.home().display()))
        .arg(probe.home())
        .status()
        .unwrap();
    assert!(status.success());
    probe
}

/// The plant of step 1: 3 workspaces and 2,000 keys of 500 characters in one
/// load; `kind` of filler values as in [`fill`].
fn plant(kind: &str) -> Vec<Value> {
    vec![
        set_ws(WS_A, "Acme Corp", USER_1),
        set_ws(WS_B, "Beta Labs", USER_2),
        fill("filler:", 2000, 500, "plant", kind),
        set_ws(WS_C, "Gamma", USER_1),
    ]
}

fn plant_and_check(env: &Env, kind: &str) -> PageView {
    let view = chromium_run(env, &plant(kind), &format!("plant ({kind} fillers)"));
    assert!(view.before.is_empty(), "a new profile");
    assert_eq!(view.items.len(), 2003);
    assert_eq!(
        view.items
            .keys()
            .filter(|k| k.starts_with("filler:"))
            .count(),
        2000
    );
    assert!(
        view.items
            .iter()
            .filter(|(k, _)| k.starts_with("filler:"))
            .all(|(_, v)| v.len() == 500)
    );
    // Chromium left everything in one ~1 MB log, no table yet.
    let files = store_files(&env.home());
    assert_eq!(count(&files, ".ldb"), 0, "{files:?}");
    assert_eq!(count(&files, ".log"), 1, "{files:?}");
    let log = files[0].1;
    assert!(
        (1_000_000..2_000_000).contains(&log),
        "log of {log} bytes: {files:?}"
    );
    let page = page_workspaces(&view.items);
    let some = |s: &str| Some(s.to_string());
    let expected: Workspaces = [
        (WS_A.to_string(), (some("Acme Corp"), some(USER_1))),
        (WS_B.to_string(), (some("Beta Labs"), some(USER_2))),
        (WS_C.to_string(), (some("Gamma"), some(USER_1))),
    ]
    .into_iter()
    .collect();
    assert_eq!(page, expected, "the page read back the plant");
    assert_scan_equals_page(env, &view, &format!("plant ({kind} fillers)"));
    view
}

/// remove-entry on `ws` through the CLI, then Chromium reopens a copy of the
/// profile: its page sees exactly that key gone, every other key and value
/// as the page saw them last (`last`).
fn remove_entry_and_reopen(env: &Env, ws: &str, last: &Items) {
    let flow = entry_flow(env);
    let o = env.run_method("linux", Some(&flow), ws, "remove-entry", &["--yes"]);
    assert_eq!(
        o.status.code(),
        Some(0),
        "remove-entry verified, not rolled back: {}{}",
        stdout(&o),
        stderr(&o)
    );
    let mut expected = last.clone();
    assert!(expected.remove(&format!("{PREFIX}{ws}")).is_some());
    let after_fix = scan(env, "after remove-entry");
    assert_eq!(after_fix, page_workspaces(&expected), "scan after the fix");
    let files = store_files(&env.home());
    eprintln!("after remove-entry: store {files:?}");

    let probe = copy_of(env);
    let view = chromium_run(&probe, &[], "reopen after remove-entry");
    let gone: Vec<_> = last
        .keys()
        .filter(|k| !view.before.contains_key(*k))
        .collect();
    assert_eq!(gone, [&format!("{PREFIX}{ws}")], "exactly that key is gone");
    assert!(
        view.before == expected,
        "every other key and value is as the page saw it before the fix"
    );
    assert_eq!(view.items, view.before);
    assert_scan_equals_page(&probe, &view, "reopened after remove-entry");
}

/// Step 1 and 3 on the pure-log store: one ~1 MB `.log` written in one load.
#[test]
fn real_chromium_1mb_log_scan_then_remove_entry() {
    if !tools() {
        return;
    }
    let env = Env::new();
    let view = plant_and_check(&env, "random");
    remove_entry_and_reopen(&env, WS_B, &view.items);
}

/// Step 2 and 3: several runs with renames, deletes, re-adds and real time
/// between writes; after each, the scan equals the page.
#[test]
fn real_chromium_several_runs_scan_equals_page_then_remove_entry() {
    if !tools() {
        return;
    }
    let env = Env::new();
    // compressible fillers: once Chromium turns the log into a table, its
    // blocks are snappy-compressed
    let mut last = plant_and_check(&env, "text").items;

    let mut runs: Vec<(&str, Vec<Value>)> = vec![
        (
            "run 2: rename A, delete B, rename A again, seconds apart",
            vec![
                set_ws(WS_A, "Acme Corporation", USER_1),
                sleep_ms(2500),
                remove_ws(WS_B),
                sleep_ms(2500),
                set_ws(WS_A, "Acme Inc", USER_1),
            ],
        ),
        (
            "run 3: re-add B renamed, add D, overwrite 300 fillers",
            vec![
                set_ws(WS_B, "Beta Labs (restored)", USER_2),
                fill("filler:", 300, 500, "run3", "random"),
                set_ws(WS_D, "Delta", USER_2),
            ],
        ),
        (
            "run 4: rename C (UTF-16 name), delete and re-add D, rename B",
            vec![
                set_ws(WS_C, GAMMA_UTF16, USER_1),
                remove_ws(WS_D),
                set_ws(WS_D, "Delta Two", USER_1),
                set_ws(WS_B, "Beta", USER_2),
            ],
        ),
    ];
    for (i, (label, ops)) in runs.drain(..).enumerate() {
        let seq = max_log_seq(&env.home());
        let view = chromium_run(&env, &ops, label);
        assert!(
            view.before == last,
            "{label}: Chromium reloaded exactly what its page saw last run"
        );
        assert_scan_equals_page(&env, &view, label);
        let batches = workspace_batches_after(&env.home(), seq);
        eprintln!("{label}: {batches} new log batches touch workspace keys");
        if i == 0 {
            // ls_ops.sh: Chromium commits 1 s after a change
            assert!(
                batches >= 3,
                "{label}: writes seconds apart gave {batches} log batch(es)"
            );
        }
        last = view.items;
    }
    let some = |s: &str| Some(s.to_string());
    let expected: Workspaces = [
        (WS_A.to_string(), (some("Acme Inc"), some(USER_1))),
        (WS_B.to_string(), (some("Beta"), some(USER_2))),
        (WS_C.to_string(), (some(GAMMA_UTF16), some(USER_1))),
        (WS_D.to_string(), (some("Delta Two"), some(USER_1))),
    ]
    .into_iter()
    .collect();
    assert_eq!(page_workspaces(&last), expected, "the page's final view");

    // A was written in three versions over two runs, all now in tables:
    // remove it. Then C, whose UTF-16 value is in the live log over an older
    // one in a table.
    let files = store_files(&env.home());
    assert!(count(&files, ".ldb") >= 2, "{files:?}");
    remove_entry_and_reopen(&env, WS_A, &last);
    last.remove(&format!("{PREFIX}{WS_A}"));
    remove_entry_and_reopen(&env, WS_C, &last);
}

/// Step 4: about 30 MB written over six runs (each replaces ~5 MB of
/// fillers, pseudo-random and compressible in turn), so Chromium writes several `.ldb` tables and
/// compacts; workspace keys change along the way; the scan equals the page
/// after every run.
#[test]
fn real_chromium_30mb_over_runs_tables_and_compaction() {
    if !tools() {
        return;
    }
    let env = Env::new();
    let ws_changes: [Vec<Value>; 6] = [
        vec![
            set_ws(WS_A, "Acme Corp", USER_1),
            set_ws(WS_B, "Beta Labs", USER_2),
            set_ws(WS_C, "Gamma", USER_1),
        ],
        vec![set_ws(WS_A, "Acme Corporation", USER_1)],
        vec![remove_ws(WS_B)],
        vec![set_ws(WS_B, "Beta Labs (restored)", USER_2)],
        vec![set_ws(WS_D, "Delta", USER_2)],
        vec![set_ws(WS_C, "Gamma Group", USER_1), remove_ws(WS_A)],
    ];
    let mut last = Items::new();
    let mut max_ldb = 0;
    let mut written = 0usize;
    for (r, changes) in ws_changes.into_iter().enumerate() {
        let label = format!("30 MB run {}", r + 1);
        let (this, other) = (format!("big{}:", r % 2), format!("big{}:", (r + 1) % 2));
        let mut ops = vec![changes[0].clone()];
        ops.push(json!(["remove_prefix", other]));
        // alternate incompressible and snappy-compressed tables
        let kind = if r % 2 == 0 { "random" } else { "text" };
        ops.push(fill(&this, 5000, 1000, &format!("r{}", r + 1), kind));
        ops.extend(changes[1..].iter().cloned());
        written += 5000 * 1000;
        let view = chromium_run(&env, &ops, &label);
        assert!(
            view.before == last,
            "{label}: Chromium reloaded exactly what its page saw last run"
        );
        assert_eq!(
            view.items.keys().filter(|k| k.starts_with("big")).count(),
            5000
        );
        assert_scan_equals_page(&env, &view, &label);
        max_ldb = max_ldb.max(count(&store_files(&env.home()), ".ldb"));
        last = view.items;
    }
    eprintln!("30 MB: {written} characters of fillers written; at most {max_ldb} .ldb at once");
    assert!(
        max_ldb >= 2,
        "Chromium wrote several tables (max {max_ldb})"
    );
    let some = |s: &str| Some(s.to_string());
    let expected: Workspaces = [
        (
            WS_B.to_string(),
            (some("Beta Labs (restored)"), some(USER_2)),
        ),
        (WS_C.to_string(), (some("Gamma Group"), some(USER_1))),
        (WS_D.to_string(), (some("Delta"), some(USER_2))),
    ]
    .into_iter()
    .collect();
    assert_eq!(page_workspaces(&last), expected, "the page's final view");
}

/// The numbers in Chromium's LevelDB LOG lines "... dropping N bytes; Corruption: ...".
fn chromium_dropped_bytes(log: &str) -> Vec<u64> {
    let mut v: Vec<u64> = log
        .lines()
        .filter(|l| l.contains("Corruption"))
        .filter_map(|l| {
            let rest = &l[l.find("dropping ")? + "dropping ".len()..];
            rest.split(' ').next()?.parse().ok()
        })
        .collect();
    v.sort();
    v
}

/// The byte counts in the scan's warnings ("... N byte(s) at offset ...").
fn warned_bytes(warnings: &Value) -> Vec<u64> {
    let mut v: Vec<u64> = warnings
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|w| {
            let r = w["reason"].as_str()?;
            r[..r.find(" byte(s)")?].rsplit(' ').next()?.parse().ok()
        })
        .collect();
    v.sort();
    v
}

/// Cut the plant's log at `cut` (a crash tail), check that scan and Chromium
/// both see nothing and no warning, let Chromium append, then compare the
/// scan with what Chromium loads from a copy: the same workspaces, and one
/// warning per stretch C++ LevelDB logs as dropped, of the same size.
/// Returns (the appending page's items, Chromium's reloaded items).
fn torn_then_appended(planted: &Env, cut: u64, label: &str) -> (Items, Items) {
    let env = copy_of(planted);
    let files = store_files(&env.home());
    assert_eq!(files.len(), 1, "{files:?}");
    assert!(files[0].1 > cut + 32768, "{files:?}");
    std::fs::OpenOptions::new()
        .write(true)
        .open(store(&env.home()).join(&files[0].0))
        .unwrap()
        .set_len(cut)
        .unwrap();

    // torn last record: no warning; Chromium sees no key either
    assert_eq!(scan(&env, label), Workspaces::new());
    let probe = copy_of(&env);
    let view = chromium_run(&probe, &[], &format!("{label}: reopen"));
    assert!(view.before.is_empty(), "{:?}", view.before.keys());

    // Chromium appends to that log after the torn record
    let ops = [
        set_ws(WS_D, "Delta", USER_2),
        fill("more:", 50, 500, "after-tear", "random"),
    ];
    let appended = chromium_run(&env, &ops, &format!("{label}: append"));
    let chromium_log = std::fs::read_to_string(store(&env.home()).join("LOG")).unwrap();
    assert!(
        chromium_log.contains("Reusing old log"),
        "{label}: Chromium kept appending to the torn log: {chromium_log}"
    );
    let (scanned, warnings) = scan_with_warnings(&env, &format!("{label}: appended"));

    // Chromium reopening a copy: what it loads, and what its LevelDB dropped
    let probe = copy_of(&env);
    let reopened = chromium_run_exit(&probe, &[], &format!("{label}: reopen appended"), 3);
    let chromium_log = std::fs::read_to_string(store(&probe.home()).join("LOG")).unwrap();
    let dropped = chromium_dropped_bytes(&chromium_log);
    eprintln!("{label}: scan warnings {warnings:#}\nChromium's LOG: dropping {dropped:?} bytes");
    assert_eq!(
        scanned,
        page_workspaces(&reopened.before),
        "{label}: scan vs what Chromium loads"
    );
    assert!(!dropped.is_empty(), "{chromium_log}");
    assert_eq!(
        warned_bytes(&warnings),
        dropped,
        "{label}: scan warnings {warnings:#} vs Chromium's LOG {chromium_log}"
    );
    for w in warnings.as_array().unwrap() {
        let (path, reason) = (w["path"].as_str().unwrap(), w["reason"].as_str().unwrap());
        assert!(path.ends_with("Default/Local Storage/leveldb"), "{w:#}");
        assert!(reason.contains(&files[0].0), "{w:#}");
    }
    (appended.items, reopened.before)
}

/// A crash tail, then Chromium appends after it. Chromium itself tore its
/// log on exit in our runs (5 MB writes cut at 983,040 and at 1,556,480
/// bytes, mid-record); here such cuts are made on purpose in the 1 MB plant.
/// The torn last record is no warning; once Chromium has reopened and
/// appended after it ("Reusing old log"), the torn bytes sit in the middle of
/// the log and the scan must report exactly what C++ LevelDB drops.
#[test]
fn real_chromium_torn_log_tail_then_appended() {
    if !tools() {
        return;
    }
    let planted = Env::new();
    plant_and_check(&planted, "text");

    // Cut at a block boundary: Chromium's appended record starts a block,
    // one stretch is dropped ("partial record without end") and the new
    // keys are read.
    let (appended, reopened) = torn_then_appended(&planted, 30 * 32768, "cut at a block");
    assert!(reopened == appended, "Chromium reloads what it appended");

    // Cut mid-block: Chromium appends mid-block after the torn fragment, the
    // torn fragment's length runs into the new record, and C++ LevelDB drops
    // that whole block (checksum mismatch) and the rest of the new record:
    // Chromium loses its own appended write. The scan must agree.
    let (appended, reopened) = torn_then_appended(&planted, 30 * 32768 + 16384, "cut mid-block");
    eprintln!(
        "cut mid-block: the appending page saw {} keys, Chromium reloads {}",
        appended.len(),
        reopened.len()
    );
}

/// Issue 17: the fix, then Chromium reopens the profile in place and writes
/// other keys (what every user does to check the fix), then plain `undo`
/// exactly as the fix printed it. The undo must be logical: put back the
/// removed key with its value and keep every later write of the browser.
/// The ground truth is Chromium's page reopening the store once more.
#[test]
fn real_chromium_fix_browser_writes_then_plain_undo_keeps_both() {
    if !tools() {
        return;
    }
    let started = std::time::Instant::now();
    let env = Env::new();
    let plant = vec![
        set_ws(WS_A, "Acme Corp", USER_1),
        set_ws(WS_B, "Beta Labs", USER_2),
        set_ws(WS_C, "Gamma", USER_1),
        json!(["set", "theme", "dark"]),
        fill("filler:", 200, 300, "plant", "text"),
    ];
    let planted = chromium_run(&env, &plant, "plant").items;
    assert_eq!(planted.len(), 204);
    assert_scan_equals_page(
        &env,
        &PageView {
            before: Items::new(),
            items: planted.clone(),
        },
        "plant",
    );

    // The fix, scripted, on the profile Chromium wrote.
    let removed = format!("{PREFIX}{WS_B}");
    let flow = entry_flow(&env);
    let o = env.run_method("linux", Some(&flow), WS_B, "remove-entry", &["--yes"]);
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(0), "remove-entry verified: {err}");
    // The command on a line of its own, right under "Applied…".
    let printed = err
        .lines()
        .skip_while(|l| !(l.starts_with("✔ Applied.") && l.ends_with("To undo it:")))
        .nth(1)
        .unwrap_or_else(|| panic!("no undo command printed:\n{err}"))
        .trim()
        .to_string();
    assert!(printed.starts_with("troubleshoot undo "), "{printed}");
    assert!(
        printed.contains(&env.state().display().to_string()),
        "the state folder is named: {printed}"
    );
    let run_id = printed.split_whitespace().nth(2).unwrap().to_string();
    eprintln!("after the fix: store {:?}", store_files(&env.home()));

    // Chromium reopens the same profile (not a copy): it sees the fix, then
    // writes new keys, a new workspace and over an existing filler.
    let overwritten = "filler:000007";
    let between = vec![
        json!(["set", "later:opened-after-fix", "yes"]),
        json!(["set", overwritten, "written by the browser after the fix"]),
        set_ws(WS_D, "Delta", USER_2),
        fill("later:fill:", 20, 200, "between", "random"),
    ];
    let view = chromium_run(&env, &between, "browser writes after the fix");
    let mut after_fix = planted.clone();
    after_fix.remove(&removed);
    assert!(
        view.before == after_fix,
        "Chromium loads the fixed store: exactly {removed} gone"
    );
    let written: Items = view
        .items
        .iter()
        .filter(|(k, v)| view.before.get(*k) != Some(*v))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    assert_eq!(written.len(), 23, "{:?}", written.keys());
    assert_ne!(planted[overwritten], view.items[overwritten]);
    eprintln!(
        "after the browser's writes: store {:?}",
        store_files(&env.home())
    );

    // Plain undo, run exactly as printed, from another folder with no
    // environment set.
    let bin_dir = Path::new(BIN).parent().unwrap();
    let o = Command::new("sh")
        .arg("-c")
        .arg(&printed)
        .current_dir("/")
        .env_clear()
        .env("PATH", format!("{}:/usr/bin:/bin", bin_dir.display()))
        .env("HOME", env.dir.path().join("elsewhere"))
        .output()
        .unwrap();
    let undo_err = stderr(&o);
    eprintln!("undo: {undo_err}");
    assert_eq!(o.status.code(), Some(0), "plain undo: {undo_err}");
    assert!(
        undo_err.contains("the store had changed since the fix"),
        "a logical undo, and it says so: {undo_err}"
    );

    // Chromium reopens once more: every key of before the fix with its
    // value, and every key it wrote in between with its new value.
    let mut expected = planted.clone();
    expected.extend(written.clone());
    let reopened = chromium_run(&env, &[], "reopen after the undo");
    let missing: Vec<_> = expected
        .keys()
        .filter(|k| reopened.before.get(*k) != expected.get(*k))
        .collect();
    assert!(
        missing.is_empty(),
        "keys lost or changed by the undo: {missing:?}"
    );
    assert!(
        reopened.before == expected,
        "Chromium sees exactly the store before the fix plus its later writes; extra: {:?}",
        reopened
            .before
            .keys()
            .filter(|k| !expected.contains_key(*k))
            .collect::<Vec<_>>()
    );
    assert_eq!(reopened.before[&removed], planted[&removed]);
    assert_eq!(reopened.before[overwritten], written[overwritten]);
    assert_scan_equals_page(&env, &reopened, "after the undo");

    let o = env.run("linux", &["report", &run_id, "--format", "json"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let v: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["undo"]["mode"], "logical", "{v:#}");
    assert_eq!(v["fixes"][0]["result"], "undone", "{v:#}");
    eprintln!(
        "fix, browser writes, plain undo, reopen: {:.1}s",
        started.elapsed().as_secs_f64()
    );
}
