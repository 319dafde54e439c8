//! Shared helpers: run the built binary, build fixture homes, hash trees.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Output;

use assert_cmd::Command;
use sha2::{Digest, Sha256};
use testkit::SampleHome;
use troubleshoot::probe::Layout;

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

/// sha256 of every file under a folder (relative path -> hash), skipping `skip` names.
pub fn tree_hashes(root: &Path, skip: &[&str]) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for e in entries.flatten() {
            let p = e.path();
            let name = e.file_name().to_string_lossy().into_owned();
            let meta = std::fs::symlink_metadata(&p).unwrap();
            if skip.contains(&name.as_str()) {
                continue;
            }
            if meta.is_dir() {
                stack.push(p);
            } else if meta.is_file() {
                let bytes = std::fs::read(&p).unwrap();
                let rel = p.strip_prefix(root).unwrap().display().to_string();
                out.insert(
                    rel,
                    Sha256::digest(&bytes)
                        .iter()
                        .map(|b| format!("{b:02x}"))
                        .collect(),
                );
            } else {
                let rel = p.strip_prefix(root).unwrap().display().to_string();
                out.insert(rel, format!("link:{:?}", std::fs::read_link(&p).ok()));
            }
        }
    }
    out
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
