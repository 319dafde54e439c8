//! An undo you can run twice: whatever stopped an undo (SIGKILL, a torn
//! `.log` tail it refuses), running it again finishes it in the mode it
//! started, and keeps every write the browser (C++ LevelDB, plyvel) made
//! in between; a fix interrupted before its first write is undone by
//! leaving the store alone.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};
use std::time::{Duration, Instant};

use testkit::{NOTION_WWW, SampleHome};
use troubleshoot::fix::{self, FixContext, FixError, UndoMode};
use troubleshoot::flow::engine::{Evidence, FixCall};
use troubleshoot::flow::model::Risk;
use troubleshoot::probe::{Home, Layout, app_sessions, scan};
use troubleshoot::readers::leveldb::{Select, read};

use crate::util::copy_tree;

const RUN: &str = "20261125-120000-undo";
const HOME_VAR: &str = "TROUBLESHOOT_TEST_UNDO_HOME";
const STATE_VAR: &str = "TROUBLESHOOT_TEST_UNDO_STATE";
const LDB: &str = ".config/google-chrome/Default/Local Storage/leveldb";

/// A Chrome profile with the Notion workspace, other Notion keys, keys of
/// other sites and Notion cookies: small, so a loop of a hundred is quick.
fn template(root: &Path) {
    let h = SampleHome::new(root, Layout::Linux);
    let mut p = h
        .chromium_profile("chrome", "Default", "Person 1")
        .workspace(NOTION_WWW, "ws-1", "Acme Corp", "u-1")
        .ls_key(NOTION_WWW, "theme", "dark")
        .cookie(".notion.so", "token_v2", "secret")
        .cookie(".example.com", "sid", "other");
    for i in 0..300 {
        p = p.ls_key(
            &format!("https://site{}.example", i % 20),
            &format!("k{i}"),
            &"v".repeat(100),
        );
    }
    p.batch(50).write().unwrap();
}

fn call(action: &str, session: &troubleshoot::probe::Session) -> FixCall {
    let mut params = serde_json::Map::new();
    params.insert("session".into(), serde_json::to_value(session).unwrap());
    FixCall {
        step: format!("fix-{action}"),
        title: action.into(),
        action: action.into(),
        params,
        risk: Risk::Medium,
        changes: String::new(),
        evidence: Some(Evidence {
            check: "scan".into(),
            probe: app_sessions::ID.into(),
            params: serde_json::to_value(testkit::notion_spec()).unwrap(),
        }),
    }
}

/// Apply `action` in-process to the home at `root`.
fn apply(root: &Path, state: &Path, action: &str) {
    let home = Home::new(root.to_path_buf(), Layout::Linux, true);
    let s = scan(&home, testkit::notion_spec())
        .sessions
        .into_iter()
        .find(|s| s.workspace_id == "ws-1")
        .expect("the workspace session");
    let c = FixContext {
        home: &home,
        state_dir: state,
        run_id: RUN,
    };
    let plan = troubleshoot::registry::builtin()
        .plan(&call(action, &s), &c)
        .unwrap();
    fix::apply(&plan, &c).unwrap();
}

fn entries(dir: &Path) -> BTreeMap<Vec<u8>, Vec<u8>> {
    let v = read(dir, Select::All).unwrap();
    assert!(v.damage.is_empty(), "{:?}", v.damage);
    v.entries
}

fn home_of(root: &Path) -> Home {
    Home::new(root.to_path_buf(), Layout::Linux, true)
}

/// The browser: one long-lived `/usr/bin/python3` with C++ LevelDB
/// (plyvel) that opens a store, writes or deletes, and closes it, as
/// Chromium does on its next start. None (with a note) when plyvel is
/// missing outside CI.
struct Browser {
    child: Child,
    stdin: ChildStdin,
    stdout: BufReader<ChildStdout>,
}

const BROWSER_PY: &str = r#"
import sys, plyvel
for line in sys.stdin:
    op, d, k, v = line.rstrip("\n").split("\t")
    try:
        db = plyvel.DB(d, paranoid_checks=False)
        if op == "put":
            db.put(bytes.fromhex(k), bytes.fromhex(v))
        elif op == "del":
            db.delete(bytes.fromhex(k))
        db.close()
        print("ok", flush=True)
    except Exception as e:
        print("error " + str(e).replace("\n", " "), flush=True)
"#;

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

impl Browser {
    fn start() -> Option<Browser> {
        let probe = Command::new("/usr/bin/python3")
            .args(["-c", "import plyvel"])
            .output()
            .expect("run /usr/bin/python3");
        if !probe.status.success() {
            assert!(
                std::env::var_os("CI").is_none(),
                "python3-plyvel is missing under CI"
            );
            eprintln!("skipping: python3-plyvel not installed");
            return None;
        }
        let mut child = Command::new("/usr/bin/python3")
            .args(["-u", "-c", BROWSER_PY])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .unwrap();
        let stdin = child.stdin.take().unwrap();
        let stdout = BufReader::new(child.stdout.take().unwrap());
        Some(Browser {
            child,
            stdin,
            stdout,
        })
    }

    fn send(&mut self, op: &str, dir: &Path, key: &[u8], value: &[u8]) {
        writeln!(
            self.stdin,
            "{op}\t{}\t{}\t{}",
            dir.display(),
            hex(key),
            hex(value)
        )
        .unwrap();
        let mut line = String::new();
        self.stdout.read_line(&mut line).unwrap();
        assert_eq!(line.trim(), "ok", "the browser could not {op} in {dir:?}");
    }

    fn put(&mut self, dir: &Path, key: &[u8], value: &[u8]) {
        self.send("put", dir, key, value);
    }

    fn delete(&mut self, dir: &Path, key: &[u8]) {
        self.send("del", dir, key, b"");
    }

    /// Open the store and close it again (LevelDB recovers its log).
    fn open_close(&mut self, dir: &Path) {
        self.send("open", dir, b"", b"");
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Run by the kill loop in a child process (the test binary re-invoked).
#[test]
#[ignore = "helper run by killed_undos_rerun_keep_every_browser_write in a child process"]
fn undo_child() {
    let (Ok(root), Ok(state)) = (std::env::var(HOME_VAR), std::env::var(STATE_VAR)) else {
        return;
    };
    let home = home_of(Path::new(&root));
    fix::undo(Path::new(&state), Some(&home), None, false).unwrap();
    println!("UNDO-CHILD-DONE");
}

fn spawn_undo(root: &Path, state: &Path) -> Child {
    let exe = if Path::new("/proc/self/exe").exists() {
        PathBuf::from("/proc/self/exe")
    } else {
        std::env::current_exe().unwrap()
    };
    Command::new(exe)
        .args([
            "--exact",
            "undo_resume::undo_child",
            "--ignored",
            "--nocapture",
            "--test-threads=1",
        ])
        .env(HOME_VAR, root)
        .env(STATE_VAR, state)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap()
}

/// Tiny xorshift: random delays without a crate; the seed is printed.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
}

/// 100 undos killed at random moments, the browser writing between the
/// kill and the rerun (and, every other time, before the first undo too,
/// so the killed undo was a logical one): the rerun must keep every
/// browser write and put back every key the fix removed.
#[cfg(unix)]
#[test]
fn killed_undos_rerun_keep_every_browser_write() {
    let Some(mut browser) = Browser::start() else {
        return;
    };
    let base = tempfile::tempdir().unwrap();
    let tpl = base.path().join("template");
    template(&tpl);
    let original = entries(&tpl.join(LDB));
    // Calibrate: how long a whole undo child takes.
    let (root, state) = (base.path().join("cal"), base.path().join("cal-state"));
    copy_tree(&tpl, &root);
    apply(&root, &state, "remove-workspace-entry");
    let t = Instant::now();
    let st = spawn_undo(&root, &state).wait().unwrap();
    assert!(st.success(), "calibration undo failed");
    let full = t.elapsed();
    let seed = std::env::var("TROUBLESHOOT_KILL_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap()
                .as_nanos() as u64
                | 1
        });
    eprintln!("undo kill loop: seed {seed} (TROUBLESHOOT_KILL_SEED), full undo {full:?}");
    let mut rng = Rng(seed);
    let span = full.as_micros() as u64 + 1;
    // Each action applied once, at the paths every iteration uses (the
    // journal names them): an iteration starts from a copy of it.
    let (root, state) = (
        base.path().join("work/home"),
        base.path().join("work/state"),
    );
    let mut golden = Vec::new();
    for action in ["remove-workspace-entry", "clear-site-data"] {
        let _ = std::fs::remove_dir_all(base.path().join("work"));
        copy_tree(&tpl, &root);
        apply(&root, &state, action);
        let g = base.path().join(format!("golden-{action}"));
        copy_tree(&root, &g.join("home"));
        copy_tree(&state, &g.join("state"));
        golden.push((action, g));
    }
    let (mut before, mut mid, mut after) = (0, 0, 0);
    let started = Instant::now();
    let ldb = root.join(LDB);
    for i in 0..100 {
        let (action, g) = &golden[(i / 2) % 2];
        let _ = std::fs::remove_dir_all(base.path().join("work"));
        copy_tree(&g.join("home"), &root);
        copy_tree(&g.join("state"), &state);
        let mut want = original.clone();
        if i % 2 == 1 {
            let k = testkit::encode::ls_entry_key(NOTION_WWW, &format!("before-undo-{i}"));
            browser.put(&ldb, &k, b"\x01before");
            want.insert(k, b"\x01before".to_vec());
        }
        let mut child = spawn_undo(&root, &state);
        // Most of a child's time is its start: aim at the second half.
        let delay = Duration::from_micros(span / 2 + rng.next() % (span / 2 + 1));
        std::thread::sleep(delay);
        let _ = child.kill(); // SIGKILL
        let _ = child.wait();
        match fix::list_undoable(&state)
            .unwrap()
            .first()
            .map(|e| e.status)
        {
            Some(fix::JournalStatus::Undoing) => mid += 1,
            Some(_) => before += 1,
            None => after += 1,
        }
        let k = testkit::encode::ls_entry_key(NOTION_WWW, &format!("between-{i}"));
        browser.put(&ldb, &k, b"\x01between");
        want.insert(k, b"\x01between".to_vec());
        match fix::undo(&state, Some(&home_of(&root)), None, false) {
            Ok(_) | Err(FixError::AlreadyUndone { .. }) | Err(FixError::NothingToUndo { .. }) => {}
            Err(e) => panic!("iteration {i} (seed {seed}, delay {delay:?}): the rerun failed: {e}"),
        }
        assert!(
            entries(&ldb) == want,
            "iteration {i} ({action}, seed {seed}, delay {delay:?}): the rerun lost a browser write or did not put the fix's keys back"
        );
    }
    eprintln!(
        "undo kill loop: seed {seed}: {before} killed before the undo began, {mid} mid-undo, {after} after it ended; {:?}",
        started.elapsed()
    );
    assert!(
        mid > 0,
        "no kill landed while the undo ran (seed {seed}); the loop proves nothing"
    );
}

/// Append the start of a record that never finished to the live `.log`:
/// what a browser killed mid-write leaves.
fn tear_log_tail(ldb: &Path) {
    let mut logs: Vec<PathBuf> = std::fs::read_dir(ldb)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "log"))
        .collect();
    logs.sort();
    let log = logs.last().expect("a live log").clone();
    let mut f = std::fs::OpenOptions::new().append(true).open(&log).unwrap();
    // A full header (crc, length 500, type FULL) and 20 of the 500 bytes.
    let mut torn = vec![0u8; 4];
    torn.extend_from_slice(&500u16.to_le_bytes());
    torn.push(1);
    torn.extend_from_slice(&[0x55; 20]);
    f.write_all(&torn).unwrap();
}

/// An undo refused for a torn `.log` tail stays `undoing` in its logical
/// mode; once the browser has opened and closed the store, the rerun
/// finishes that logical undo and keeps what the browser wrote.
#[cfg(unix)]
#[test]
fn torn_tail_refusal_then_rerun_keeps_the_browser_write() {
    let Some(mut browser) = Browser::start() else {
        return;
    };
    let base = tempfile::tempdir().unwrap();
    let root = base.path().join("home");
    let state = base.path().join("state");
    template(&root);
    let original = entries(&root.join(LDB));
    apply(&root, &state, "remove-workspace-entry");
    let ldb = root.join(LDB);
    let later = testkit::encode::ls_entry_key(NOTION_WWW, "written-later");
    browser.put(&ldb, &later, b"\x01later");
    tear_log_tail(&ldb);
    let err = fix::undo(&state, Some(&home_of(&root)), None, false).unwrap_err();
    let msg = err.to_string();
    assert!(
        msg.contains("open and close it once") || msg.contains("unfinished record"),
        "{msg}"
    );
    let row = fix::list_undoable(&state).unwrap();
    assert_eq!(row.len(), 1, "the undo stays to be finished");
    browser.open_close(&ldb);
    let report = fix::undo(&state, Some(&home_of(&root)), None, false).unwrap();
    assert_eq!(report.mode, UndoMode::Logical, "{report}");
    let mut want = original;
    want.insert(later, b"\x01later".to_vec());
    assert!(
        entries(&ldb) == want,
        "the rerun must finish the logical undo, keeping the browser's write"
    );
    assert!(fix::list_undoable(&state).unwrap().is_empty());
}

/// What a fix killed after its journal row says `started` but before it
/// wrote leaves: the store exactly as the backup holds it, the row
/// `started` in phase `backed-up`, no hashes after.
fn as_if_killed_before_write(state: &Path) {
    let conn = rusqlite::Connection::open(state.join("journal.sqlite")).unwrap();
    let (id, backup_id): (i64, String) = conn
        .query_row("SELECT id, backup_id FROM actions", [], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })
        .unwrap();
    let rows: Vec<(String, Option<String>)> = conn
        .prepare("SELECT path, backup FROM files WHERE action_id = ?1")
        .unwrap()
        .query_map([id], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    for (path, backup) in rows {
        match backup {
            Some(rel) => {
                let copy = state.join("backups").join(&backup_id).join(rel);
                std::fs::copy(copy, &path).unwrap();
            }
            None => {
                let _ = std::fs::remove_file(&path);
            }
        }
    }
    conn.execute(
        "UPDATE actions SET status = 'started', phase = 'backed-up', finished_at = NULL",
        [],
    )
    .unwrap();
    conn.execute(
        "UPDATE files SET after_sha256 = NULL, after_size = NULL",
        [],
    )
    .unwrap();
}

/// A fix interrupted before its first write, after which the browser
/// removed the key itself: undo leaves the store alone (it must not put
/// back what the fix never removed), and the journal says why.
#[cfg(unix)]
#[test]
fn undo_of_a_fix_interrupted_before_its_write_changes_nothing() {
    let Some(mut browser) = Browser::start() else {
        return;
    };
    let base = tempfile::tempdir().unwrap();
    let root = base.path().join("home");
    let state = base.path().join("state");
    template(&root);
    apply(&root, &state, "remove-workspace-entry");
    as_if_killed_before_write(&state);
    let ldb = root.join(LDB);
    let target = testkit::encode::ls_entry_key(NOTION_WWW, "notion:workspace:ws-1");
    assert!(entries(&ldb).contains_key(&target), "the fixture's key");
    browser.delete(&ldb, &target);
    let other = testkit::encode::ls_entry_key(NOTION_WWW, "other-later");
    browser.put(&ldb, &other, b"\x01x");
    let before = entries(&ldb);
    let report = fix::undo(&state, Some(&home_of(&root)), None, false).unwrap();
    assert_eq!(report.mode, UndoMode::NothingWritten, "{report}");
    assert!(report.to_string().contains("before it wrote"), "{report}");
    assert!(
        entries(&ldb) == before,
        "undo must not put back a key the fix never removed"
    );
    let conn = rusqlite::Connection::open(state.join("journal.sqlite")).unwrap();
    let (status, message): (String, String) = conn
        .query_row("SELECT status, message FROM actions", [], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })
        .unwrap();
    assert_eq!(
        (status.as_str(), message.as_str()),
        ("undone", "nothing-written")
    );
}
