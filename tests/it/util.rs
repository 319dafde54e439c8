//! Shared helpers: run the built binary, build fixture homes, scan them,
//! hash and copy trees.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Output;

use assert_cmd::Command;
use sha2::{Digest, Sha256};
use testkit::SampleHome;
use troubleshoot::probe::{Home, Layout, Session, Source, scan};

pub const BIN: &str = env!("CARGO_BIN_EXE_troubleshoot");
pub const NOTION: &str = "https://www.notion.so";

/// A temp folder with a home and a state folder inside.
pub struct Env {
    pub dir: tempfile::TempDir,
}

impl Env {
    pub fn new() -> Env {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("home")).unwrap();
        Env { dir }
    }

    pub fn home(&self) -> PathBuf {
        self.dir.path().join("home")
    }

    pub fn state(&self) -> PathBuf {
        self.dir.path().join("state")
    }

    pub fn sample(&self, layout: Layout) -> SampleHome {
        SampleHome::new(self.home(), layout)
    }

    /// The home as a probe sees it with `--root` in `layout`.
    pub fn probe_home(&self, layout: Layout) -> Home {
        Home::new(self.home(), layout, true)
    }

    /// Every session a scan with the built-in flow's spec finds.
    pub fn sessions(&self, layout: Layout) -> Vec<Session> {
        scan(&self.probe_home(layout), testkit::notion_spec()).sessions
    }

    /// The session of `browser` (from `source`) in `workspace`; panics,
    /// listing what the scan found, when there is none.
    pub fn session(
        &self,
        layout: Layout,
        source: Source,
        browser: &str,
        workspace: &str,
    ) -> Session {
        let all = self.sessions(layout);
        all.iter()
            .find(|s| s.source == source && s.browser == browser && s.workspace_id == workspace)
            .cloned()
            .unwrap_or_else(|| panic!("no {browser} session for {workspace}: {all:#?}"))
    }

    /// `troubleshoot --root HOME --state-dir STATE ARGS...` with no terminal.
    pub fn cmd(&self, layout: &str, args: &[&str]) -> Command {
        let mut c = Command::new(BIN);
        c.env_remove("TROUBLESHOOT_STATE_DIR")
            .env("NO_COLOR", "1")
            .arg("--root")
            .arg(self.home())
            .arg("--layout")
            .arg(layout)
            .arg("--state-dir")
            .arg(self.state())
            .args(args)
            .timeout(std::time::Duration::from_secs(60));
        c
    }

    pub fn run(&self, layout: &str, args: &[&str]) -> Output {
        self.cmd(layout, args).output().unwrap()
    }

    /// `run [FLOW] --answer goal=remove-one --answer workspace=W
    /// --answer method=M EXTRA...`: the notion-signout path most tests take.
    pub fn run_method(
        &self,
        layout: &str,
        flow: Option<&str>,
        workspace: &str,
        method: &str,
        extra: &[&str],
    ) -> Output {
        let ws = format!("workspace={workspace}");
        let m = format!("method={method}");
        let mut args = vec!["run"];
        args.extend(flow);
        args.extend([
            "--answer",
            "goal=remove-one",
            "--answer",
            &ws,
            "--answer",
            &m,
        ]);
        args.extend(extra);
        self.run(layout, &args)
    }
}

pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// Everything under `root` (relative path -> what is there): a file's
/// sha256, a symlink's target, `dir` for a folder; entries named in `skip`
/// (and what is under them) left out. Equal maps: nothing was written,
/// created, removed or relinked.
pub fn tree_hashes(root: &Path, skip: &[&str]) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for e in entries.flatten() {
            let p = e.path();
            if skip.contains(&e.file_name().to_string_lossy().as_ref()) {
                continue;
            }
            let rel = p.strip_prefix(root).unwrap().to_string_lossy().into_owned();
            let meta = std::fs::symlink_metadata(&p).unwrap();
            let what = if meta.file_type().is_symlink() {
                format!("-> {}", std::fs::read_link(&p).unwrap().display())
            } else if meta.is_dir() {
                stack.push(p);
                "dir".to_string()
            } else {
                let digest = Sha256::digest(std::fs::read(&p).unwrap());
                digest.iter().map(|b| format!("{b:02x}")).collect()
            };
            out.insert(rel, what);
        }
    }
    out
}

/// Copy everything under `from` into `to` (created if missing): files with
/// their permissions, symlinks as symlinks, folders recursively.
pub fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap().flatten() {
        let (src, dst) = (e.path(), to.join(e.file_name()));
        let t = e.file_type().unwrap();
        if t.is_symlink() {
            #[cfg(unix)]
            std::os::unix::fs::symlink(std::fs::read_link(&src).unwrap(), &dst).unwrap();
        } else if t.is_dir() {
            copy_tree(&src, &dst);
        } else {
            std::fs::copy(&src, &dst).unwrap();
        }
    }
}

/// Open the LevelDB at `dir` with C++ LevelDB (Debian's python3-plyvel),
/// as the browser would on its next start, put `key` = `value` and close:
/// a later write by someone else than troubleshoot. False (with a note)
/// when plyvel is missing outside CI.
pub fn cpp_leveldb_put(dir: &Path, key: &[u8], value: &[u8]) -> bool {
    let hex = |b: &[u8]| b.iter().map(|x| format!("{x:02x}")).collect::<String>();
    let o = std::process::Command::new("/usr/bin/python3")
        .args([
            "-c",
            "import plyvel,sys; db=plyvel.DB(sys.argv[1], paranoid_checks=True); db.put(bytes.fromhex(sys.argv[2]), bytes.fromhex(sys.argv[3])); db.close()",
        ])
        .arg(dir)
        .arg(hex(key))
        .arg(hex(value))
        .output();
    match o {
        Ok(o) if o.status.success() => true,
        Ok(o) if String::from_utf8_lossy(&o.stderr).contains("No module named 'plyvel'") => {
            assert!(
                std::env::var_os("CI").is_none(),
                "python3-plyvel is missing under CI"
            );
            eprintln!("skipping: python3-plyvel not installed");
            false
        }
        Ok(o) => panic!("plyvel put failed: {}", String::from_utf8_lossy(&o.stderr)),
        Err(e) => panic!("cannot run /usr/bin/python3: {e}"),
    }
}

/// A flow file (written into `env`) that removes one workspace's Local
/// Storage keys with the generic `remove-workspace-entry` action, for the
/// tests of that action's precision on real stores: the shipped Notion
/// flow no longer offers it (Local Storage holds no Notion credential, so
/// removing keys signs nobody out). Its questions are the shipped flow's
/// `goal`, `workspace` and `method` (`remove-entry`), so
/// [`Env::run_method`] drives it; its scan is the shipped flow's.
pub fn entry_flow(env: &Env) -> String {
    // The shipped flow's scan takes its store description from
    // flows/shared.json (`"params_from": "notion"`); a flow file outside
    // flows/ inlines the same block.
    let shared: serde_json::Value =
        serde_json::from_str(include_str!("../../flows/shared.json")).unwrap();
    let scan = shared["notion"].clone();
    assert!(
        scan.is_object(),
        "flows/shared.json has no \"notion\" block"
    );
    let end = |id: &str, outcome: &str| serde_json::json!({"end": {"id": id, "outcome": outcome, "message": id}});
    let flow = serde_json::json!({
        "id": "entry-removal",
        "title": "Remove one workspace's Local Storage keys",
        "steps": [
            {"ask": {"id": "goal", "prompt": "Goal?", "kind": "select", "options": [
                {"id": "remove-one", "label": "Remove one", "next": "scan"}]}},
            {"check": {"id": "scan", "probe": "app-sessions", "params": scan,
                "branches": [{"when": {"fact": "scan.session_count", "op": "eq", "value": 0}, "next": "end-none"}],
                "otherwise": "workspace"}},
            {"ask": {"id": "workspace", "prompt": "Which?", "kind": "select", "options_from": {
                "fact": "scan.sessions", "id": "workspace_id", "label": "{workspace_label}",
                "match_also": ["workspace_name"], "next": "method"}}},
            {"ask": {"id": "method", "prompt": "How?", "kind": "select", "options": [
                {"id": "remove-entry", "label": "Remove its keys", "next": "fix-remove-entry"}]}},
            {"fix": {"id": "fix-remove-entry", "title": "Remove the keys of {selected.workspace.workspace_label}",
                "action": "remove-workspace-entry", "params": {"session": "selected.workspace"},
                "risk": "medium", "changes": "Deletes this workspace's Local Storage keys.",
                "verify": {"any": [
                    {"fact": "selected.workspace", "op": "exists", "value": false},
                    {"fact": "selected.workspace.keys", "op": "truthy", "value": false}]},
                "on_success": "end-removed", "on_failure": "end-failed",
                "on_refused": "end-failed", "on_declined": "end-failed"}},
            end("end-removed", "resolved"),
            end("end-failed", "unresolved"),
            end("end-none", "unresolved"),
        ]
    });
    let path = env.dir.path().join("entry-removal.json");
    std::fs::write(&path, serde_json::to_string_pretty(&flow).unwrap()).unwrap();
    path.to_string_lossy().into_owned()
}
