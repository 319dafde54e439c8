//! Bounded inputs (issue 18): a FIFO or `/dev/zero` as any input never
//! blocks or fills memory. The user's own inputs (answers files, flows,
//! flow tests, reports) exit 2 naming the file; a store's side files
//! (`Local State`, `Preferences`, `prefs.js`, `profiles.ini`,
//! `installs.ini`, `signedInUser.json`, `state.json`) are a scan warning
//! naming the file. Run records are validated when loaded.

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use troubleshoot::probe::Layout;

use crate::util::*;

/// How long an input that never ends may take to be refused.
const PROMPT: Duration = Duration::from_secs(1);

fn mkfifo(path: &Path) {
    let c = std::ffi::CString::new(path.as_os_str().as_encoded_bytes()).unwrap();
    // SAFETY: a valid NUL-terminated path.
    assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0, "{path:?}");
}

/// Run the binary on `env` with no stdin; fail if it runs longer than
/// `PROMPT` (a hang). Output goes to files, not pipes.
fn bounded(env: &Env, args: &[&str]) -> Output {
    let t = tempfile::tempdir().unwrap();
    let (out, err) = (t.path().join("out"), t.path().join("err"));
    let start = Instant::now();
    let mut child = Command::new(BIN)
        .env_remove("TROUBLESHOOT_STATE_DIR")
        .env("NO_COLOR", "1")
        .arg("--root")
        .arg(env.home())
        .args(["--layout", "linux", "--state-dir"])
        .arg(env.state())
        .args(args)
        .stdin(Stdio::null())
        .stdout(std::fs::File::create(&out).unwrap())
        .stderr(std::fs::File::create(&err).unwrap())
        .spawn()
        .unwrap();
    let status = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break s;
        }
        if start.elapsed() > PROMPT {
            let _ = child.kill();
            let _ = child.wait();
            panic!("{args:?}: still running after {PROMPT:?} (hang)");
        }
        std::thread::sleep(Duration::from_millis(5));
    };
    Output {
        status,
        stdout: std::fs::read(&out).unwrap(),
        stderr: std::fs::read(&err).unwrap(),
    }
}

/// The two endless inputs: `/dev/zero` and a FIFO nobody writes to (named
/// `name` in `dir`).
fn endless(dir: &Path, name: &str) -> [PathBuf; 2] {
    let fifo = dir.join(name);
    mkfifo(&fifo);
    [PathBuf::from("/dev/zero"), fifo]
}

fn assert_refused(o: &Output, what: &str, path: &Path) {
    let err = stderr(o);
    assert_eq!(o.status.code(), Some(2), "{what}: {err}");
    assert!(
        err.contains(&path.display().to_string()),
        "{what}: the message names {}: {err}",
        path.display()
    );
    assert!(!err.contains("panicked"), "{what}: {err}");
}

#[test]
fn endless_user_inputs_exit_2_at_once_naming_the_file() {
    let env = Env::new();
    env.sample(Layout::Linux)
        .chromium_profile("chrome", "Default", "Person 1")
        .workspace(NOTION, "ws-1", "Acme", "user-1")
        .write()
        .unwrap();
    let dir = env.dir.path();
    for (i, p) in endless(dir, "fifo").iter().enumerate() {
        let p = p.to_str().unwrap();
        let path = Path::new(p);
        for args in [
            vec!["run", "--answers", p, "--dry-run"],
            vec!["run", p, "--dry-run"],
            vec!["run", "--from-report", p, "--dry-run"],
            vec!["flows", "check", p],
            vec!["flows", "test", p],
            vec!["report", p],
            vec!["report", p, "--format", "html"],
        ] {
            let o = bounded(&env, &args);
            assert_refused(&o, &format!("{args:?}"), path);
            assert!(
                stderr(&o).contains("not a regular file"),
                "{args:?}: {}",
                stderr(&o)
            );
        }
        // A flow's tests file (beside it, or named) that never ends.
        let flow = dir.join(format!("f{i}.json"));
        std::fs::copy("flows/notion-signout.json", &flow).unwrap();
        let tests = dir.join(format!("f{i}.tests.json"));
        if i == 0 {
            std::os::unix::fs::symlink("/dev/zero", &tests).unwrap();
        } else {
            mkfifo(&tests);
        }
        for target in [&flow, &tests] {
            let o = bounded(&env, &["flows", "test", target.to_str().unwrap()]);
            assert_refused(&o, "flows test", &tests);
        }
    }
}

/// A recorded run to tamper with: its path and JSON.
fn recorded_run(env: &Env) -> (PathBuf, serde_json::Value) {
    let o = env.run_method("linux", None, "ws-1", "clear-site", &["--dry-run"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let path = std::fs::read_dir(env.state().join("runs"))
        .unwrap()
        .next()
        .unwrap()
        .unwrap()
        .path();
    let v = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
    (path, v)
}

fn one_workspace(env: &Env) {
    env.sample(Layout::Linux)
        .chromium_profile("chrome", "Default", "Person 1")
        .workspace(NOTION, "ws-1", "Acme", "user-1")
        .plain_cookie(".notion.so", "notion_user_id", "user-1")
        .write()
        .unwrap();
}

#[test]
fn a_report_naming_an_endless_flow_exits_2_at_once() {
    let env = Env::new();
    one_workspace(&env);
    let (_, mut v) = recorded_run(&env);
    for (i, p) in endless(env.dir.path(), "flow-fifo.json").iter().enumerate() {
        v["flow_id"] = serde_json::json!(p);
        let report = env.dir.path().join(format!("report{i}.json"));
        std::fs::write(&report, v.to_string()).unwrap();
        let o = bounded(
            &env,
            &[
                "run",
                "--from-report",
                report.to_str().unwrap(),
                "--dry-run",
            ],
        );
        assert_refused(&o, "a report's flow_id", p);
    }
}

#[test]
fn tampered_run_records_are_refused_with_a_reason() {
    let env = Env::new();
    one_workspace(&env);
    let (path, v) = recorded_run(&env);
    let id = v["run_id"].as_str().unwrap().to_string();
    let save = |v: &serde_json::Value| std::fs::write(&path, v.to_string()).unwrap();

    let mut bad = v.clone();
    bad["schema"] = serde_json::json!(999);
    save(&bad);
    for args in [vec!["report"], vec!["report", &id]] {
        let o = env.run("linux", &args);
        let err = stderr(&o);
        assert_eq!(o.status.code(), Some(2), "{err}");
        assert!(err.contains("schema 999"), "{err}");
        assert!(!err.contains("no runs recorded"), "{err}");
    }
    let o = env.run(
        "linux",
        &["run", "--from-report", path.to_str().unwrap(), "--dry-run"],
    );
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("schema 999"), "{}", stderr(&o));

    let mut bad = v.clone();
    bad["run_id"] = serde_json::json!("../../../etc/passwd");
    save(&bad);
    let o = env.run("linux", &["report", path.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("`../../../etc/passwd` is not a run id"),
        "{}",
        stderr(&o)
    );
    let o = env.run("linux", &["report"]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("is not a run id"), "{}", stderr(&o));

    // A record naming another run than its file: `undo` would save it
    // under the other name.
    let mut bad = v.clone();
    bad["run_id"] = serde_json::json!("20200101-000000-0000");
    save(&bad);
    let o = env.run("linux", &["report", &id]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("records run `20200101-000000-0000`"),
        "{}",
        stderr(&o)
    );

    // The only record, corrupt: said so, not "no runs recorded".
    std::fs::write(&path, b"{\"schema\": 1, \"run_id\": ").unwrap();
    let o = env.run("linux", &["report"]);
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(!err.contains("no runs recorded"), "{err}");
    assert!(
        err.contains("no readable run record") && err.contains(&path.display().to_string()),
        "{err}"
    );
    // The untouched record is read again.
    save(&v);
    let o = env.run("linux", &["report"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
}

/// `path` replaced by a FIFO (`fifo`) or a link to `/dev/zero`.
fn make_endless(path: &Path, fifo: bool) {
    let _ = std::fs::remove_file(path);
    if fifo {
        mkfifo(path);
    } else {
        std::os::unix::fs::symlink("/dev/zero", path).unwrap();
    }
}

#[test]
fn endless_store_side_files_are_warnings_naming_them() {
    for fifo in [true, false] {
        for file in [
            "Local State",
            "Preferences",
            "profiles.ini",
            "installs.ini",
            "prefs.js",
            "signedInUser.json",
            "state.json",
        ] {
            let env = Env::new();
            let s = env.sample(Layout::Linux);
            let chrome = s
                .chromium_profile("chrome", "Default", "Person 1")
                .workspace(NOTION, "ws-1", "Acme", "user-1")
                .write()
                .unwrap();
            let fox = s
                .firefox_profile("abcd1234.default-release", "default-release")
                .sync(true)
                .workspace(NOTION, "ws-2", "Fox", "user-2");
            let fox_root = fox.firefox_root();
            let fox = fox.write().unwrap();
            let app = s
                .desktop_app("Notion")
                .workspace("https://www.notion.so", "ws-3", "App", "user-3")
                .write()
                .unwrap();
            let target = match file {
                "Local State" => chrome.parent().unwrap().join(file),
                "Preferences" => chrome.join(file),
                "profiles.ini" | "installs.ini" => fox_root.join(file),
                "state.json" => app.join(file),
                _ => fox.join(file),
            };
            assert!(target.exists(), "{} was written", target.display());
            make_endless(&target, fifo);
            let o = bounded(&env, &["scan", "--json"]);
            assert_eq!(o.status.code(), Some(0), "{file}: {}", stderr(&o));
            let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
            let warned = v["warnings"].as_array().unwrap().iter().any(|w| {
                w["path"].as_str().is_some_and(|p| p.ends_with(file))
                    && w["reason"]
                        .as_str()
                        .is_some_and(|r| r.contains("not a regular file"))
            });
            assert!(warned, "{file} (fifo: {fifo}): {}", v["warnings"]);
        }
    }
}
