//! Keys are bytes: two Local Storage keys that differ only in a lone UTF-16
//! surrogate (legal in JavaScript, stored as UTF-16LE) display alike, as
//! U+FFFD; plans, fixes, read-back and undo tell them apart by their
//! stored bytes.

use std::collections::BTreeMap;

use testkit::NOTION_WWW;
use troubleshoot::fix::{self, FixContext, Op};
use troubleshoot::flow::engine::{Evidence, FixCall};
use troubleshoot::flow::model::Risk;
use troubleshoot::probe::{Layout, Source, app_sessions};
use troubleshoot::readers::leveldb::{BatchOp, Select, StoreLock, read, write_batch};

use crate::util::Env;

const RUN: &str = "20261125-120000-keys";
const LDB: &str = ".config/google-chrome/Default/Local Storage/leveldb";

/// `_<origin>\x00\x00` then `key` in UTF-16LE, then one lone surrogate.
fn surrogate_key(key: &str, lone: u16) -> Vec<u8> {
    let mut raw = format!("_{NOTION_WWW}").into_bytes();
    raw.extend([0, 0]);
    for u in key.encode_utf16().chain([lone]) {
        raw.extend(u.to_le_bytes());
    }
    raw
}

fn entries(fx: &Env) -> BTreeMap<Vec<u8>, Vec<u8>> {
    read(&fx.home().join(LDB), Select::All).unwrap().entries
}

#[test]
fn keys_differing_in_a_lone_surrogate_are_told_apart_by_their_bytes() {
    let fx = Env::new();
    fx.sample(Layout::Linux)
        .chromium_profile("chrome", "Default", "Person 1")
        .workspace(NOTION_WWW, "ws-1", "Acme Corp", "u-1")
        .ls_key(NOTION_WWW, "theme", "dark")
        .write()
        .unwrap();
    // Two workspace keys the page wrote with a lone high and a lone low
    // surrogate at the end: both display as `notion:workspace:ws-9\u{FFFD}`.
    let (a, b) = (
        surrogate_key("notion:workspace:ws-9", 0xD800),
        surrogate_key("notion:workspace:ws-9", 0xDC00),
    );
    {
        let lock = StoreLock::acquire(&fx.home().join(LDB)).unwrap();
        write_batch(
            &lock,
            &[
                BatchOp::Put(a.clone(), b"\x01{\"name\":\"A\"}".to_vec()),
                BatchOp::Put(b.clone(), b"\x01{\"name\":\"B\"}".to_vec()),
            ],
        )
        .unwrap();
    }
    let original = entries(&fx);
    let home = fx.probe_home(Layout::Linux);
    let state = fx.state();
    let c = FixContext {
        home: &home,
        state_dir: &state,
        run_id: RUN,
    };
    let s = fx.session(Layout::Linux, Source::Browser, "Chrome", "ws-9\u{FFFD}");
    let mut params = serde_json::Map::new();
    params.insert("session".into(), serde_json::to_value(&s).unwrap());
    let call = FixCall {
        step: "fix".into(),
        title: "remove".into(),
        action: "remove-workspace-entry".into(),
        params,
        risk: Risk::Medium,
        changes: String::new(),
        evidence: Some(Evidence {
            check: "scan".into(),
            probe: app_sessions::ID.into(),
            params: serde_json::to_value(testkit::notion_spec()).unwrap(),
        }),
    };
    let plan = troubleshoot::registry::builtin().plan(&call, &c).unwrap();
    // The plan names each stored key, says the display replaced characters
    // and gives the bytes.
    let lines: Vec<&String> = plan
        .steps
        .iter()
        .filter(|l| l.starts_with("delete Local Storage key"))
        .collect();
    assert_eq!(lines.len(), 2, "{:#?}", plan.steps);
    for (line, raw) in lines.iter().zip([&a, &b]) {
        assert!(line.contains("U+FFFD"), "{line}");
        let hex: String = raw.iter().map(|x| format!("{x:02x}")).collect();
        assert!(line.contains(&hex), "{line}");
    }
    // A plan naming one of them by its bytes deletes that one only.
    let mut one = plan.clone();
    for op in &mut one.ops {
        if let Op::LeveldbDelete { keys, .. } = op {
            keys.retain(|k| k.raw.as_deref() == Some(a.as_slice()));
            assert_eq!(keys.len(), 1);
        }
    }
    let applied = fix::apply(&one, &c).unwrap();
    assert_eq!(applied.keys_removed, 1);
    let now = entries(&fx);
    assert!(!now.contains_key(&a), "the listed key is gone");
    assert_eq!(now.get(&b), original.get(&b), "the other key stays");
    let mut want = original.clone();
    want.remove(&a);
    assert!(now == want, "nothing else changed");
    // The undo puts back exactly that key.
    fix::undo(&state, Some(&home), None, false).unwrap();
    assert!(entries(&fx) == original);
}
