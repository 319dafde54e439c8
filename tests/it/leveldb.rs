//! The LevelDB layer (src/readers/leveldb) against C++ LevelDB.
//!
//! Every store here is written by C++ LevelDB itself, through Debian's
//! python3-plyvel (tests/support/leveldb_ref.py), never by our own code: one
//! batch over 1 MB, hundreds of small batches, a log over 4 MB, a MANIFEST
//! over 8 KiB, tables on several levels, and overwrites and deletions split
//! between tables and the log. The reader must see exactly what C++ LevelDB
//! sees, write nothing, and name what it cannot read; the writer's batches
//! must be replayed by C++ LevelDB, under the lock C++ LevelDB takes.
//!
//! Under CI (`CI` set) a missing plyvel fails; locally it skips with a note.
//! `.ci/install-browsers.sh` installs it.

use std::collections::{BTreeMap, BTreeSet};
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use testkit::encode::ls_entry_key;
use troubleshoot::readers::leveldb::{
    self, BatchOp, LockError, Select, StoreLock, View, origin_prefix, read_local_storage,
    write_batch,
};

use crate::util::tree_hashes;

const PY: &str = "/usr/bin/python3";
const REF: &str = "tests/support/leveldb_ref.py";
const WWW: &str = "https://www.notion.so";
const APP: &str = "https://app.notion.com";

const KINDS: [&str; 6] = [
    "one-batch-1mb",
    "small-batches",
    "log-4mb",
    "manifest-8k",
    "levels",
    "overwrites-deletes",
];

type Pairs = BTreeMap<Vec<u8>, Vec<u8>>;

fn have_plyvel() -> bool {
    let ok = Command::new(PY)
        .args(["-c", "import plyvel"])
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if !ok {
        assert!(
            std::env::var_os("CI").is_none(),
            "python3-plyvel is missing under CI: .ci/install-browsers.sh installs it"
        );
        eprintln!("skipping: python3-plyvel not installed (run .ci/install-browsers.sh)");
    }
    ok
}

fn unhex(s: &str) -> Vec<u8> {
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
        .collect()
}

fn reference(args: &[&str]) -> serde_json::Value {
    let o = Command::new(PY).arg(REF).args(args).output().unwrap();
    assert!(
        o.status.success(),
        "leveldb_ref.py {args:?}: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    serde_json::from_slice(&o.stdout).unwrap()
}

fn pairs(v: &serde_json::Value) -> Vec<(Vec<u8>, Vec<u8>)> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|p| (unhex(p[0].as_str().unwrap()), unhex(p[1].as_str().unwrap())))
        .collect()
}

/// A store of `kind` written by C++ LevelDB, and every pair it ever held.
struct RefStore {
    _tmp: tempfile::TempDir,
    dir: PathBuf,
    history: BTreeSet<(Vec<u8>, Vec<u8>)>,
}

fn build(kind: &str) -> RefStore {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("leveldb");
    let v = reference(&["build", kind, dir.to_str().unwrap()]);
    RefStore {
        _tmp: tmp,
        dir,
        history: pairs(&v["history"]).into_iter().collect(),
    }
}

/// What C++ LevelDB reads from (a copy of) `dir`.
fn cpp_entries(dir: &Path) -> Pairs {
    pairs(&reference(&["dump", dir.to_str().unwrap()])["entries"])
        .into_iter()
        .collect()
}

fn cpp_entries_lenient(dir: &Path) -> Pairs {
    pairs(&reference(&["dump-lenient", dir.to_str().unwrap()])["entries"])
        .into_iter()
        .collect()
}

fn read_all(dir: &Path) -> View {
    leveldb::read(dir, Select::All).unwrap()
}

fn describe(a: &Pairs, b: &Pairs) -> String {
    let only_a: Vec<String> = a
        .keys()
        .filter(|k| !b.contains_key(*k))
        .take(3)
        .map(|k| String::from_utf8_lossy(k).into_owned())
        .collect();
    let only_b: Vec<String> = b
        .keys()
        .filter(|k| !a.contains_key(*k))
        .take(3)
        .map(|k| String::from_utf8_lossy(k).into_owned())
        .collect();
    let differ = a
        .iter()
        .filter(|(k, v)| b.get(*k).is_some_and(|w| w != *v))
        .count();
    format!(
        "ours {} keys, C++ {} keys; only ours {only_a:?}; only C++ {only_b:?}; {differ} values differ",
        a.len(),
        b.len()
    )
}

#[test]
fn reader_equals_cpp_leveldb_on_every_store_kind() {
    if !have_plyvel() {
        return;
    }
    for kind in KINDS {
        let s = build(kind);
        let before = tree_hashes(&s.dir, &[]);
        let view = read_all(&s.dir);
        assert!(view.damage.is_empty(), "{kind}: {:?}", view.damage);
        assert!(view.torn_tails.is_empty(), "{kind}: {:?}", view.torn_tails);
        let cpp = cpp_entries(&s.dir);
        assert!(cpp.len() > 3, "{kind}: C++ sees {} keys", cpp.len());
        assert!(
            view.entries == cpp,
            "{kind}: {}",
            describe(&view.entries, &cpp)
        );

        // The Local Storage read of the Notion origins: the same entries,
        // decoded, by prefix.
        let origins = vec![WWW.to_string(), APP.to_string()];
        let ls = read_local_storage(&s.dir, &origins).unwrap();
        assert!(ls.warnings.is_empty(), "{kind}: {:?}", ls.warnings);
        let want: BTreeSet<&Vec<u8>> = cpp
            .keys()
            .filter(|k| origins.iter().any(|o| k.starts_with(&origin_prefix(o))))
            .collect();
        let got: BTreeSet<&Vec<u8>> = ls.entries.iter().map(|e| &e.raw_key).collect();
        assert_eq!(got, want, "{kind}: Notion origin keys");
        for e in &ls.entries {
            let v = &cpp[&e.raw_key];
            assert_eq!(
                leveldb::decode_string(v),
                e.value,
                "{kind}: value of {}",
                e.key
            );
        }

        // Reading wrote nothing: not a byte, not a file, not even LOCK.
        assert_eq!(
            tree_hashes(&s.dir, &[]),
            before,
            "{kind}: the store changed"
        );
    }
}

#[test]
fn the_one_batch_store_is_one_log_record_across_many_blocks() {
    if !have_plyvel() {
        return;
    }
    // The shape that broke the old reader: no table, one ~1 MB log.
    let s = build("one-batch-1mb");
    let logs: Vec<u64> = std::fs::read_dir(&s.dir)
        .unwrap()
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().ends_with(".log"))
        .map(|e| e.metadata().unwrap().len())
        .collect();
    assert!(logs.len() == 1 && logs[0] > 1_000_000, "{logs:?}");
    let ls = read_local_storage(&s.dir, &[WWW.to_string()]).unwrap();
    let ws: Vec<&str> = ls
        .entries
        .iter()
        .filter(|e| e.key.starts_with("notion:workspace:"))
        .map(|e| e.value.as_str())
        .collect();
    assert_eq!(ws.len(), 3, "{ws:?}");
    assert!(ws.iter().any(|v| v.contains("Équipe 東京")), "{ws:?}");
    assert_eq!(ls.entries.len(), 2003);
}

#[test]
fn the_writer_appends_a_batch_cpp_leveldb_replays() {
    if !have_plyvel() {
        return;
    }
    for kind in KINDS {
        let s = build(kind);
        let mut want = cpp_entries(&s.dir);
        // Delete the first Notion key there is, and a key that never
        // existed; put a new key and overwrite the last Notion key.
        let notion: Vec<Vec<u8>> = want
            .keys()
            .filter(|k| k.starts_with(&origin_prefix(WWW)))
            .cloned()
            .collect();
        let (first, last) = (notion[0].clone(), notion[notion.len() - 1].clone());
        let added = ls_entry_key(WWW, "written-by-troubleshoot");
        let ops = vec![
            BatchOp::Delete(first.clone()),
            BatchOp::Delete(ls_entry_key(WWW, "never-there")),
            BatchOp::Put(added.clone(), b"\x01new".to_vec()),
            BatchOp::Put(last.clone(), b"\x01overwritten".to_vec()),
        ];
        let lock = StoreLock::acquire(&s.dir).unwrap();
        write_batch(&lock, &ops).unwrap();
        drop(lock);
        want.remove(&first);
        want.insert(added, b"\x01new".to_vec());
        want.insert(last, b"\x01overwritten".to_vec());
        let cpp = cpp_entries(&s.dir);
        assert!(
            cpp == want,
            "{kind}: C++ after our write: {}",
            describe(&cpp, &want)
        );
        let ours = read_all(&s.dir);
        assert!(ours.damage.is_empty(), "{kind}: {:?}", ours.damage);
        assert!(
            ours.entries == want,
            "{kind}: {}",
            describe(&ours.entries, &want)
        );
    }
}

#[test]
fn the_writer_holds_leveldbs_own_lock_and_respects_it() {
    if !have_plyvel() {
        return;
    }
    let s = build("small-batches");
    let try_lock = || {
        let o = Command::new(PY)
            .args([REF, "lock-try", s.dir.to_str().unwrap()])
            .output()
            .unwrap();
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        String::from_utf8_lossy(&o.stdout).into_owned()
    };
    let lock = StoreLock::acquire(&s.dir).unwrap();
    // Another process, as Chromium's LevelDB would: its fcntl lock fails,
    // and C++ LevelDB refuses to open the store.
    assert_eq!(try_lock(), "locked\nrefused\n");
    drop(lock);
    assert_eq!(try_lock(), "free\nopened\n");

    // And the other way round: while C++ LevelDB has the store open, our
    // writer cannot take it.
    let mut child = Command::new(PY)
        .args([
            "-c",
            "import plyvel,sys,time; db=plyvel.DB(sys.argv[1]); print('open', flush=True); time.sleep(60)",
            s.dir.to_str().unwrap(),
        ])
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    assert_eq!(line, "open\n");
    let r = StoreLock::acquire(&s.dir);
    let _ = child.kill();
    let _ = child.wait();
    assert!(matches!(r, Err(LockError::Held { .. })), "{r:?}");
}

#[test]
fn a_symlinked_lock_is_never_followed() {
    if !have_plyvel() {
        return;
    }
    let s = build("small-batches");
    let victim = s.dir.parent().unwrap().join("victim");
    std::fs::write(&victim, b"precious").unwrap();
    std::fs::remove_file(s.dir.join("LOCK")).unwrap();
    #[cfg(unix)]
    std::os::unix::fs::symlink(&victim, s.dir.join("LOCK")).unwrap();
    let r = StoreLock::acquire(&s.dir);
    assert!(
        matches!(&r, Err(LockError::Other { message, .. }) if message.contains("symbolic link")),
        "{r:?}"
    );
    assert_eq!(std::fs::read(&victim).unwrap(), b"precious");
}

/// The largest live table of a store (C++ LevelDB may leave the output of
/// an unfinished compaction behind; no reader reads that).
fn largest_table(dir: &Path) -> PathBuf {
    let current = std::fs::read_to_string(dir.join("CURRENT")).unwrap();
    let f = std::fs::File::open(dir.join(current.trim_end())).unwrap();
    let m = leveldb::manifest::Manifest::read(f, "MANIFEST").unwrap();
    m.tables
        .iter()
        .map(|(_, n)| dir.join(format!("{n:06}.ldb")))
        .max_by_key(|p| std::fs::metadata(p).unwrap().len())
        .unwrap()
}

#[test]
fn a_damaged_table_block_is_a_warning_and_loses_nothing_else() {
    if !have_plyvel() {
        return;
    }
    let s = build("levels");
    let original = read_all(&s.dir);
    let origins = vec![WWW.to_string(), APP.to_string()];
    let notion = |k: &Vec<u8>| origins.iter().any(|o| k.starts_with(&origin_prefix(o)));
    let table = largest_table(&s.dir);
    let name = table.file_name().unwrap().to_string_lossy().into_owned();
    let pristine = std::fs::read(&table).unwrap();
    // Flip a byte in successive data blocks until one holding Notion keys is hit.
    let mut hit = false;
    for at in (pristine.len() / 10..pristine.len() * 9 / 10).step_by(5000) {
        let mut bytes = pristine.clone();
        bytes[at] ^= 0x40;
        std::fs::write(&table, &bytes).unwrap();
        let view = read_all(&s.dir);
        assert!(
            view.damage
                .iter()
                .any(|d| d.file == name && d.reason.contains("checksum mismatch")),
            "{name}, flipped at {at}: {:?}",
            view.damage
        );
        for (k, v) in &view.entries {
            assert!(
                s.history.contains(&(k.clone(), v.clone())),
                "invented {k:?}"
            );
        }
        let lost_notion = original
            .entries
            .keys()
            .any(|k| notion(k) && !view.entries.contains_key(k));
        let ls = read_local_storage(&s.dir, &origins).unwrap();
        if lost_notion {
            assert!(
                ls.warnings.iter().any(|w| w.reason.contains(&name)),
                "Notion keys lost without a warning: {:?}",
                ls.warnings
            );
            hit = true;
            break;
        }
    }
    assert!(hit, "no flip reached a block with Notion keys");
}

#[test]
fn a_missing_table_is_a_warning() {
    if !have_plyvel() {
        return;
    }
    let s = build("levels");
    let table = largest_table(&s.dir);
    let name = table.file_name().unwrap().to_string_lossy().into_owned();
    std::fs::remove_file(&table).unwrap();
    let view = read_all(&s.dir);
    assert!(
        view.damage
            .iter()
            .any(|d| d.file == name && d.reason.contains("missing")),
        "{:?}",
        view.damage
    );
}

fn the_log(dir: &Path) -> PathBuf {
    std::fs::read_dir(dir)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "log"))
        .max()
        .unwrap()
}

#[test]
fn a_torn_log_tail_is_no_warning_and_a_flipped_log_byte_is_one() {
    if !have_plyvel() {
        return;
    }
    // A crash mid-write: the last record is cut off. C++ LevelDB drops it
    // without a word (even with paranoid checks), and so do we.
    let s = build("one-batch-1mb");
    let log = the_log(&s.dir);
    let len = std::fs::metadata(&log).unwrap().len();
    let f = std::fs::OpenOptions::new().write(true).open(&log).unwrap();
    f.set_len(len - 1000).unwrap();
    drop(f);
    let view = read_all(&s.dir);
    assert!(view.damage.is_empty(), "{:?}", view.damage);
    assert_eq!(view.torn_tails.len(), 1);
    assert!(view.entries == cpp_entries(&s.dir));

    // A flipped byte inside the log: the block is dropped and reported, and
    // what is left equals what C++ LevelDB recovers.
    let s = build("small-batches");
    let log = the_log(&s.dir);
    let mut bytes = std::fs::read(&log).unwrap();
    bytes[40_000] ^= 0x01;
    std::fs::write(&log, &bytes).unwrap();
    let view = read_all(&s.dir);
    assert!(
        view.damage
            .iter()
            .any(|d| d.reason == "checksum mismatch" && d.bytes > 0),
        "{:?}",
        view.damage
    );
    let cpp = cpp_entries_lenient(&s.dir);
    assert!(view.entries == cpp, "{}", describe(&view.entries, &cpp));
}

/// A tiny deterministic generator (xorshift), so failures reproduce.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

#[test]
fn mutated_stores_never_invent_data_and_every_loss_is_reported() {
    if !have_plyvel() {
        return;
    }
    let cases: usize = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(120);
    for kind in ["small-batches", "levels", "overwrites-deletes"] {
        let s = build(kind);
        let original = read_all(&s.dir);
        assert!(original.entries == cpp_entries(&s.dir), "{kind}: unmutated");
        let files: Vec<(String, Vec<u8>)> = std::fs::read_dir(&s.dir)
            .unwrap()
            .flatten()
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .filter(|n| leveldb::store::is_store_file(n))
            .map(|n| {
                let b = std::fs::read(s.dir.join(&n)).unwrap();
                (n, b)
            })
            .collect();
        let mut rng = Rng(0x9e37_79b9_7f4a_7c15 ^ kind.len() as u64);
        let mut lossy = 0;
        for case in 0..cases {
            let (name, orig) = &files[rng.below(files.len())];
            let mut bytes = orig.clone();
            let what = match rng.below(4) {
                0 | 1 => {
                    let i = rng.below(bytes.len().max(1));
                    if let Some(b) = bytes.get_mut(i) {
                        *b ^= 1 << rng.below(8);
                    }
                    format!("bit flip at {i}")
                }
                2 => {
                    let n = rng.below(bytes.len().max(1));
                    bytes.truncate(n);
                    format!("truncated to {n}")
                }
                _ => {
                    let i = rng.below(bytes.len().max(1));
                    let n = (rng.below(64) + 1).min(bytes.len() - i.min(bytes.len()));
                    bytes.drain(i..i + n);
                    format!("{n} bytes cut at {i}")
                }
            };
            std::fs::write(s.dir.join(name), &bytes).unwrap();
            let ctx = format!("{kind} case {case}: {name} {what}");
            match leveldb::read(&s.dir, Select::All) {
                Ok(v) => {
                    for (k, val) in &v.entries {
                        assert!(
                            s.history.contains(&(k.clone(), val.clone())),
                            "{ctx}: a pair the store never held: {}",
                            String::from_utf8_lossy(k)
                        );
                    }
                    if v.entries != original.entries {
                        lossy += 1;
                        // A log cut exactly between two records is just a
                        // shorter log: no reader can tell, C++ LevelDB
                        // included. Only then may a loss pass unreported.
                        let silent = v.damage.is_empty() && v.torn_tails.is_empty();
                        assert!(
                            !silent || cpp_entries_lenient(&s.dir) == v.entries,
                            "{ctx}: data changed without a warning: {}",
                            describe(&v.entries, &original.entries)
                        );
                    }
                }
                // The whole store unreadable: the scan shows it as a warning.
                Err(e) => assert!(!e.reason.is_empty(), "{ctx}"),
            }
            std::fs::write(s.dir.join(name), orig).unwrap();
        }
        assert!(
            lossy > 0,
            "{kind}: no mutant lost data; the test tests nothing"
        );
    }
}
