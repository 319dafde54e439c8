//! What a fix will do: the [`Plan`] an action computes, made of [`Op`]s the
//! executor knows, and the [`FixContext`] it runs in. `fix::plan` (in
//! `action.rs`) is the one way to get a plan (the common checks every
//! action's plan passes).

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use super::stores::{CookieFlavor, LsKey};
use crate::flow::model::Risk;
use crate::probe::Home;

/// Everything a fix needs to know about where it runs.
#[derive(Debug, Clone, Copy)]
pub struct FixContext<'a> {
    pub home: &'a Home,
    /// The state folder: journal, backups, lock.
    pub state_dir: &'a Path,
    /// Id of this run; names the backup and is what `undo RUN_ID` takes.
    pub run_id: &'a str,
}

/// One machine step of a plan.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "kebab-case")]
pub enum Op {
    /// Delete Local Storage entries from a Chromium LevelDB folder: the
    /// listed keys, and for each of `origins` every entry plus its
    /// `META:`/`METAACCESS:` records.
    LeveldbDelete {
        dir: PathBuf,
        keys: Vec<LsKey>,
        origins: Vec<String>,
    },
    /// Delete keys (or, with `all`, every key) from a Firefox LSNG database.
    LsngDelete {
        db: PathBuf,
        origin: String,
        keys: Vec<String>,
        all: bool,
    },
    /// Delete the cookies on `domains` from a cookie database.
    CookiesDelete {
        db: PathBuf,
        flavor: CookieFlavor,
        domains: Vec<String>,
    },
    /// Rename a folder aside.
    MoveAside { from: PathBuf, to: PathBuf },
}

/// What a fix will do, computed before anything changes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Plan {
    pub action: String,
    pub risk: Risk,
    /// The program that must be closed ("Chrome", "Notion").
    pub owner: String,
    /// The store (a LevelDB folder, a database, a profile or app folder).
    pub store_path: PathBuf,
    /// Human lines, one per change.
    pub steps: Vec<String>,
    /// Every file that may change (each is backed up first).
    pub files: Vec<PathBuf>,
    /// Local Storage keys to delete.
    pub keys: Vec<String>,
    /// Names (never values) of cookies to delete.
    pub cookies: Vec<String>,
    /// Folders to move (from, to).
    pub moves: Vec<(PathBuf, PathBuf)>,
    /// The machine form of the steps.
    pub ops: Vec<Op>,
    /// Process names of the owner besides the browser table's (the desktop app's).
    pub owner_processes: Vec<String>,
    /// Folders and files whose lock files show the owner has the store open.
    pub lock_paths: Vec<PathBuf>,
}

impl Plan {
    /// A plan that changes nothing yet; an action fills it in.
    pub fn empty() -> Plan {
        Plan {
            action: String::new(),
            risk: Risk::Info,
            owner: String::new(),
            store_path: PathBuf::new(),
            steps: Vec::new(),
            files: Vec::new(),
            keys: Vec::new(),
            cookies: Vec::new(),
            moves: Vec::new(),
            ops: Vec::new(),
            owner_processes: Vec::new(),
            lock_paths: Vec::new(),
        }
    }

    /// The plan for reports and `--dry-run`, paths shown with `~`.
    pub fn to_json(&self, home: &Home) -> Value {
        json!({
            "action": self.action,
            "risk": self.risk,
            "owner": self.owner,
            "store_path": home.display(&self.store_path),
            "steps": self.steps,
            "files": self.files.iter().map(|f| home.display(f)).collect::<Vec<_>>(),
            "keys": self.keys,
            "cookies": self.cookies,
            "moves": self.moves.iter().map(|(a, b)| json!({"from": home.display(a), "to": home.display(b)})).collect::<Vec<_>>(),
        })
    }

    /// The owner is an app (not a browser): it has its own process names.
    pub(super) fn owner_is_app(&self) -> bool {
        !self.owner_processes.is_empty()
    }
}
