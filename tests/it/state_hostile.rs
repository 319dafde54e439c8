//! A state folder nobody can turn against the user: links, FIFOs, devices
//! and hard links in the state folder or in a store, a journal naming `/`
//! as its home, a partial backup, another run holding a store's lock, the
//! temp folder's mode and the state folder's path in a redacted report.
//! Every hostile input ends within seconds (each command runs with a
//! deadline) with a clear refusal, and nothing outside changes.

use std::fs;
use std::io::{BufRead, BufReader};
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use testkit::NOTION_WWW;
use troubleshoot::fix::{self, FixContext, FixError};
use troubleshoot::flow::engine::{Evidence, FixCall};
use troubleshoot::flow::model::Risk;
use troubleshoot::probe::{Home, Layout, Session, Source, app_sessions};

use crate::util::{BIN, Env, tree_hashes};

const RUN: &str = "20261125-120000-hstl";

fn chrome(fx: &Env) {
    fx.sample(Layout::Linux)
        .chromium_profile("chrome", "Default", "Person 1")
        .workspace(NOTION_WWW, "ws-1", "Acme Corp", "u-1")
        .workspace(NOTION_WWW, "ws-2", "Beta Inc", "u-1")
        .ls_key(NOTION_WWW, "theme", "dark")
        .cookie(".notion.so", "token_v2", "secret")
        .cookie(".example.com", "sid", "other")
        .write()
        .unwrap();
}

fn firefox(fx: &Env) {
    fx.sample(Layout::Linux)
        .firefox_profile("abcd1234.default-release", "default-release")
        .workspace(NOTION_WWW, "ws-1", "Acme Corp", "u-1")
        .ls_key(NOTION_WWW, "theme", "dark")
        .cookie(".notion.so", "token_v2", "secret")
        .cookie(".example.com", "sid", "other")
        .write()
        .unwrap();
}

fn call(action: &str, session: &Session) -> FixCall {
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

fn plan(
    home: &Home,
    state: &Path,
    action: &str,
    s: &Session,
) -> Result<troubleshoot::fix::Plan, FixError> {
    let c = FixContext {
        home,
        state_dir: state,
        run_id: RUN,
    };
    troubleshoot::registry::builtin().plan(&call(action, s), &c)
}

/// Run the CLI on `fx`'s home and state folder; a run still going after
/// `secs` is killed and fails the test (a hang).
fn cli(fx: &Env, state: &Path, args: &[&str], secs: u64) -> Output {
    let t = tempfile::tempdir().unwrap();
    let (out, err) = (t.path().join("out"), t.path().join("err"));
    let mut child = Command::new(BIN)
        .arg("--root")
        .arg(fx.home())
        .args(["--layout", "linux", "--state-dir"])
        .arg(state)
        .args(args)
        .env_remove("TROUBLESHOOT_STATE_DIR")
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .stdout(fs::File::create(&out).unwrap())
        .stderr(fs::File::create(&err).unwrap())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(secs);
    let status = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break s;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!("{args:?}: still running after {secs} s (hang)");
        }
        std::thread::sleep(Duration::from_millis(5));
    };
    Output {
        status,
        stdout: fs::read(&out).unwrap(),
        stderr: fs::read(&err).unwrap(),
    }
}

const FIX: &[&str] = &[
    "run",
    "--answer",
    "goal=remove-one",
    "--answer",
    "workspace=ws-1",
    "--answer",
    "method=clear-site",
    "--yes",
];

fn text(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn mode(p: &Path) -> u32 {
    fs::symlink_metadata(p).unwrap().permissions().mode() & 0o7777
}

fn mkfifo(p: &Path) {
    let st = Command::new("mkfifo").arg(p).status().unwrap();
    assert!(st.success(), "mkfifo {p:?}");
}

/// A character device like `/dev/zero` (1, 5) at `p`, when this user may
/// make one (root); false otherwise.
fn mkzero(p: &Path) -> bool {
    Command::new("mknod")
        .arg(p)
        .args(["c", "1", "5"])
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

/// `<state>/lock`, `journal.sqlite`, `backups/` or `runs/` a symbolic link
/// to a file or folder outside: the fix is refused before any change, and
/// the target keeps its bytes, its mode and its (empty) listing.
#[test]
fn state_folder_links_are_refused_never_followed() {
    for name in ["lock", "journal.sqlite", "backups", "runs"] {
        let fx = Env::new();
        chrome(&fx);
        let state = fx.state();
        fs::create_dir_all(&state).unwrap();
        let outside = fx.dir.path().join("outside");
        let folder = name == "backups" || name == "runs";
        if folder {
            fs::create_dir(&outside).unwrap();
        } else {
            fs::write(&outside, b"precious bytes").unwrap();
        }
        fs::set_permissions(&outside, fs::Permissions::from_mode(0o755)).unwrap();
        std::os::unix::fs::symlink(&outside, state.join(name)).unwrap();
        let store = tree_hashes(&fx.home(), &["LOCK"]);
        let o = cli(&fx, &state, FIX, 30);
        let err = text(&o);
        // The fix refuses; a `runs` link only costs the run record (a
        // warning), the fix itself is kept.
        if name != "runs" {
            assert_ne!(o.status.code(), Some(0), "{name}: {err}");
        }
        assert!(err.contains("symbolic link"), "{name}: {err}");
        assert_eq!(mode(&outside), 0o755, "{name}: the target was chmodded");
        if folder {
            assert_eq!(
                fs::read_dir(&outside).unwrap().count(),
                0,
                "{name}: something was written through the link"
            );
        } else {
            assert_eq!(fs::read(&outside).unwrap(), b"precious bytes", "{name}");
        }
        if name != "runs" {
            assert_eq!(
                tree_hashes(&fx.home(), &["LOCK"]),
                store,
                "{name}: refused before any change"
            );
        }
        // `undo` and `runs` refuse the same way, and never hang.
        for args in [&["undo"][..], &["runs"][..]] {
            let o = cli(&fx, &state, args, 10);
            assert!(
                matches!(o.status.code(), Some(0..=2)),
                "{name} {args:?}: {}",
                text(&o)
            );
        }
        if !folder {
            assert_eq!(fs::read(&outside).unwrap(), b"precious bytes", "{name}");
        }
    }
}

/// A FIFO as the journal or as the lock: `runs`, `undo` and a fix end
/// within seconds with a refusal naming it (exit 1 or 2), never holding a
/// store's lock for ever.
#[test]
fn fifo_state_files_never_hang() {
    for (name, kind) in [
        ("journal.sqlite", "FIFO"),
        ("lock", "FIFO"),
        ("journal.sqlite-journal", "FIFO"),
        ("journal.sqlite", "character device"),
    ] {
        let fx = Env::new();
        chrome(&fx);
        let state = fx.state();
        fs::create_dir_all(&state).unwrap();
        if kind == "FIFO" {
            mkfifo(&state.join(name));
        } else if !mkzero(&state.join(name)) {
            eprintln!("skipping the device case: mknod needs root");
            continue;
        }
        for args in [&["runs"][..], &["undo"][..], FIX] {
            let t = Instant::now();
            let o = cli(&fx, &state, args, 15);
            let err = text(&o);
            if args == ["runs"] && name != "journal.sqlite" {
                continue; // `runs` opens neither the lock nor a side file
            }
            assert!(
                matches!(o.status.code(), Some(1 | 2)),
                "{name} {args:?}: {err}"
            );
            assert!(err.contains(kind), "{name} {args:?}: {err}");
            assert!(t.elapsed() < Duration::from_secs(10), "{name} {args:?}");
        }
    }
}

fn backup_copies(state: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for b in fs::read_dir(state.join("backups")).unwrap().flatten() {
        for f in fs::read_dir(b.path().join("files")).unwrap().flatten() {
            out.push(f.path());
        }
    }
    out.sort();
    out
}

/// A backup copy replaced by a FIFO or a link to `/dev/zero`: `undo` ends
/// within seconds, refusing (exit 1), and the store is left as the fix
/// left it.
#[test]
fn backup_copies_replaced_by_a_fifo_or_dev_zero_never_hang_undo() {
    for how in ["fifo", "dev-zero", "device"] {
        let fx = Env::new();
        chrome(&fx);
        let state = fx.state();
        let o = cli(&fx, &state, FIX, 60);
        assert_eq!(o.status.code(), Some(0), "{}", text(&o));
        let copies = backup_copies(&state);
        assert!(!copies.is_empty());
        for c in &copies {
            fs::remove_file(c).unwrap();
            match how {
                "fifo" => mkfifo(c),
                "device" => {
                    if !mkzero(c) {
                        eprintln!("skipping the device case: mknod needs root");
                        return;
                    }
                }
                _ => std::os::unix::fs::symlink("/dev/zero", c).unwrap(),
            }
        }
        let fixed = tree_hashes(&fx.home(), &["LOCK"]);
        for args in [&["undo"][..], &["undo", "--force"][..]] {
            let o = cli(&fx, &state, args, 10);
            let err = text(&o);
            assert_eq!(o.status.code(), Some(1), "{how} {args:?}: {err}");
            assert!(
                err.contains("FIFO")
                    || err.contains("symbolic link")
                    || err.contains("character device"),
                "{how} {args:?}: {err}"
            );
            assert_eq!(tree_hashes(&fx.home(), &["LOCK"]), fixed, "{how}");
        }
    }
}

/// A journal whose home is `/`, or a folder holding the home (so every
/// path passes the under-the-home check), disagreeing with the run record:
/// undo is refused with and without --force, and the store keeps the fix.
#[test]
fn a_journal_home_of_root_or_not_the_recorded_one_is_refused() {
    for home in ["/", "parent"] {
        let fx = Env::new();
        chrome(&fx);
        let state = fx.state();
        let o = cli(&fx, &state, FIX, 60);
        assert_eq!(o.status.code(), Some(0), "{}", text(&o));
        let forged = match home {
            "/" => "/".to_string(),
            _ => fx.dir.path().display().to_string(),
        };
        let j = rusqlite::Connection::open(state.join("journal.sqlite")).unwrap();
        j.execute("UPDATE runs SET home = ?1", [&forged]).unwrap();
        drop(j);
        let fixed = tree_hashes(&fx.home(), &["LOCK"]);
        for args in [&["undo"][..], &["undo", "--force"][..]] {
            // No --root: undo takes the journal's home.
            let mut child = Command::new(BIN)
                .args(["--state-dir"])
                .arg(&state)
                .args(args)
                .env_remove("TROUBLESHOOT_STATE_DIR")
                .stdout(Stdio::null())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap();
            let deadline = Instant::now() + Duration::from_secs(15);
            while child.try_wait().unwrap().is_none() {
                assert!(Instant::now() < deadline, "undo hangs");
                std::thread::sleep(Duration::from_millis(5));
            }
            let o = child.wait_with_output().unwrap();
            let err = text(&o);
            assert_eq!(o.status.code(), Some(1), "{home} {args:?}: {err}");
            assert!(err.contains("the journal's home"), "{home} {args:?}: {err}");
            assert_eq!(tree_hashes(&fx.home(), &["LOCK"]), fixed, "{home}");
        }
    }
}

/// A store file with a second hard link outside the home (Chrome's live
/// `.log` and `Cookies`, Firefox's `data.sqlite` and `cookies.sqlite`): the
/// plan is refused, saying why, and the outside file never changes.
#[test]
fn hard_linked_store_files_are_refused_at_plan_time() {
    let cases: [(&str, &str, &str); 4] = [
        ("chrome", "remove-workspace-entry", "log"),
        ("chrome", "clear-site-data", "Cookies"),
        ("firefox", "remove-workspace-entry", "data.sqlite"),
        ("firefox", "clear-site-data", "cookies.sqlite"),
    ];
    for (browser, action, file) in cases {
        let fx = Env::new();
        let s = if browser == "chrome" {
            chrome(&fx);
            fx.session(Layout::Linux, Source::Browser, "Chrome", "ws-1")
        } else {
            firefox(&fx);
            fx.session(Layout::Linux, Source::Browser, "Firefox", "ws-1")
        };
        let target = find(&fx.home(), file);
        let outside = fx.dir.path().join("outside-link");
        fs::hard_link(&target, &outside).unwrap();
        let before = fs::read(&outside).unwrap();
        let home = fx.probe_home(Layout::Linux);
        let err = plan(&home, &fx.state(), action, &s).unwrap_err();
        let msg = err.to_string();
        assert!(
            msg.contains("hard links") && msg.contains(target.to_str().unwrap()),
            "{browser} {action} {file}: {msg}"
        );
        assert_eq!(fs::read(&outside).unwrap(), before, "{browser} {file}");
        assert_eq!(fs::metadata(&outside).unwrap().nlink(), 2);
    }
}

/// The first file under `root` whose name is `name` (or, for "log", the
/// live LevelDB log).
fn find(root: &Path, name: &str) -> PathBuf {
    let mut stack = vec![root.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in fs::read_dir(&d).unwrap().flatten() {
            let p = e.path();
            if e.file_type().unwrap().is_dir() {
                stack.push(p);
            } else if p.file_name().is_some_and(|n| n == name)
                || (name == "log" && p.extension().is_some_and(|x| x == "log"))
            {
                return p;
            }
        }
    }
    panic!("no {name} under {root:?}");
}

/// A run killed while copying its backup leaves `.<id>.partial-<pid>/`
/// with no manifest (and no journal row): nothing had changed, so `undo`
/// sweeps it and says there is nothing to undo, never "restore by hand".
#[test]
fn a_partial_backup_is_swept_not_offered_for_a_manual_restore() {
    let fx = Env::new();
    chrome(&fx);
    let state = fx.state();
    let partial = state.join(format!("backups/.{RUN}.partial-4242/files"));
    fs::create_dir_all(&partial).unwrap();
    fs::write(partial.join("0000-000003.log"), b"half a copy").unwrap();
    let o = cli(&fx, &state, &["undo"], 10);
    let err = text(&o);
    assert!(err.to_lowercase().contains("nothing to undo"), "{err}");
    assert!(
        !err.contains("by hand") && !err.contains("backups are kept"),
        "{err}"
    );
    assert!(
        !partial.parent().unwrap().exists(),
        "the partial backup is swept"
    );
}

const HOLD_HOME: &str = "TROUBLESHOOT_TEST_HOLD_HOME";
const HOLD_STATE: &str = "TROUBLESHOOT_TEST_HOLD_STATE";

/// Run in a child by the lock race test: apply a fix (to `ws-2`) and keep
/// holding the store's lock, as a run does through its verify re-scan,
/// until stdin closes.
#[test]
#[ignore = "helper run by another_run_holding_the_store_lock_is_named in a child process"]
fn hold_child() {
    let (Ok(root), Ok(state)) = (std::env::var(HOLD_HOME), std::env::var(HOLD_STATE)) else {
        return;
    };
    let home = Home::new(PathBuf::from(root), Layout::Linux, true);
    let s = troubleshoot::probe::scan(&home, testkit::notion_spec())
        .sessions
        .into_iter()
        .find(|s| s.workspace_id == "ws-2")
        .unwrap();
    let c = FixContext {
        home: &home,
        state_dir: Path::new(&state),
        run_id: "20261125-130000-hold",
    };
    let p = troubleshoot::registry::builtin()
        .plan(&call("remove-workspace-entry", &s), &c)
        .unwrap();
    let (_applied, held) = fix::apply_held(&p, &c).unwrap();
    println!("HELD");
    let mut line = String::new();
    let _ = std::io::stdin().read_line(&mut line);
    drop(held);
}

/// Another troubleshoot run (another state folder) holds the store's lock:
/// the fix is refused before any change, naming that run (its pid), not
/// "Chrome is using its data".
#[test]
fn another_run_holding_the_store_lock_is_named() {
    let fx = Env::new();
    chrome(&fx);
    let exe = if Path::new("/proc/self/exe").exists() {
        PathBuf::from("/proc/self/exe")
    } else {
        std::env::current_exe().unwrap()
    };
    let other_state = fx.dir.path().join("other-state");
    let mut child = Command::new(exe)
        .args([
            "--exact",
            "state_hostile::hold_child",
            "--ignored",
            "--nocapture",
            "--test-threads=1",
        ])
        .env(HOLD_HOME, fx.home())
        .env(HOLD_STATE, &other_state)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut out = BufReader::new(child.stdout.take().unwrap());
    let mut line = String::new();
    while !line.contains("HELD") {
        line.clear();
        assert!(out.read_line(&mut line).unwrap() > 0, "the holder died");
    }
    let pid = child.id().to_string();
    let home = fx.probe_home(Layout::Linux);
    let s = fx.session(Layout::Linux, Source::Browser, "Chrome", "ws-1");
    let before = tree_hashes(&fx.home(), &["LOCK"]);
    let p = plan(&home, &fx.state(), "remove-workspace-entry", &s).unwrap();
    let c = FixContext {
        home: &home,
        state_dir: &fx.state(),
        run_id: RUN,
    };
    // Not the browser: the owner check does not blame Chrome.
    assert_eq!(fix::owner_running(&p, &c), None);
    let err = fix::apply(&p, &c).unwrap_err();
    let msg = err.to_string();
    assert!(
        msg.contains("another troubleshoot run") && msg.contains(&pid),
        "{msg}"
    );
    assert!(!msg.contains("Chrome is using"), "{msg}");
    assert!(err.changed_nothing());
    assert_eq!(tree_hashes(&fx.home(), &["LOCK"]), before);
    // Through the wizard: the run ends saying nothing changed and why,
    // never "restored from the backup" or "needs support".
    let o = cli(&fx, &fx.state(), FIX, 60);
    let out = format!("{}{}", text(&o), String::from_utf8_lossy(&o.stdout));
    assert_eq!(o.status.code(), Some(1), "{out}");
    assert!(
        out.contains("Nothing was changed") && out.contains("another troubleshoot run"),
        "{out}"
    );
    assert!(
        !out.contains("restored from the backup") && !out.contains("support"),
        "{out}"
    );
    assert!(!out.contains("Chrome is using"), "{out}");
    assert_eq!(tree_hashes(&fx.home(), &["LOCK"]), before);
    drop(child.stdin.take());
    let _ = child.wait();
}

const TEMP_DIR_VAR: &str = "TROUBLESHOOT_TEST_TEMPS";

/// Run in a child with `TMPDIR` set: make and drop many private temp folders.
#[test]
#[ignore = "helper run by temp_folders_are_never_readable_by_others in a child process"]
fn temp_child() {
    if std::env::var_os(TEMP_DIR_VAR).is_none() {
        return;
    }
    for _ in 0..3000 {
        drop(troubleshoot::signals::TempCopy::new().unwrap());
    }
}

/// The `troubleshoot-copy-*` temp folders (they hold cookie copies) are
/// owner-only from the moment they exist: a watcher listing the temp
/// folder while thousands are made never sees one with any other mode.
#[test]
fn temp_folders_are_never_readable_by_others() {
    let tmp = tempfile::tempdir().unwrap();
    let exe = if Path::new("/proc/self/exe").exists() {
        PathBuf::from("/proc/self/exe")
    } else {
        std::env::current_exe().unwrap()
    };
    let mut child = Command::new(exe)
        .args([
            "--exact",
            "state_hostile::temp_child",
            "--ignored",
            "--test-threads=1",
        ])
        .env(TEMP_DIR_VAR, "1")
        .env("TMPDIR", tmp.path())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(60);
    let (mut seen, mut open) = (0usize, Vec::new());
    loop {
        for e in fs::read_dir(tmp.path()).unwrap().flatten() {
            if let Ok(m) = e.metadata()
                && m.is_dir()
            {
                seen += 1;
                let mode = m.permissions().mode() & 0o777;
                if mode != 0o700 {
                    open.push(format!("{:?} {mode:o}", e.file_name()));
                }
            }
        }
        if child.try_wait().unwrap().is_some() {
            break;
        }
        assert!(Instant::now() < deadline, "the temp child hangs");
    }
    assert!(seen > 0, "the watcher saw no temp folder at all");
    assert!(
        open.is_empty(),
        "temp folders seen readable by others: {open:?}"
    );
}

/// A redacted report names a `--state-dir` outside the home (a user name
/// in it) as `<state folder>`; `--include-names` keeps it.
#[test]
fn a_redacted_report_hides_the_state_folder() {
    let fx = Env::new();
    chrome(&fx);
    let state = fx.dir.path().join("srv-alice-private-state");
    let o = cli(&fx, &state, FIX, 60);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let o = cli(&fx, &state, &["report", "--format", "md"], 30);
    let md = String::from_utf8_lossy(&o.stdout);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    assert!(
        md.contains("state folder&gt;")
            || md.contains("<state folder>")
            || md.contains(r"\<state folder\>"),
        "{md}"
    );
    assert!(!md.contains("srv-alice-private-state"), "{md}");
    let o = cli(
        &fx,
        &state,
        &["report", "--format", "md", "--include-names"],
        30,
    );
    let md = String::from_utf8_lossy(&o.stdout);
    assert!(md.contains("srv-alice-private-state"), "{md}");
}
