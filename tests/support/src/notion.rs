//! What current Notion builds leave on disk, as sample data in the real
//! formats: Local Storage envelopes (`LRU:KeyValueStore2:<name>` holding
//! `{"id", "value", "timestamp", "important"}`), key names carrying a
//! workspace and an account (`currentSpace:<space>:<user>`,
//! `notion-sidebar-sidebar-state-<space>-<user>`), the `notion_users` /
//! `notion_user_id` cookie values, and the desktop app's `state.json` tabs
//! and `notion.db` (SQLite, tables `space` and `notion_user`).
//!
//! ```no_run
//! use troubleshoot::probe::Layout;
//! use testkit::{NOTION_WWW, SampleHome};
//! use testkit::notion::{NotionDb, NotionLocalStorage, NotionState, notion_users};
//! let home = SampleHome::new("/tmp/h", Layout::Macos);
//! let data = home
//!     .desktop_app("Notion")
//!     .current_user(NOTION_WWW, "u-1", "s-1")
//!     .cookie(".notion.so", "notion_users", &notion_users(&["u-1", "u-2"]))
//!     .write()
//!     .unwrap();
//! NotionState::new().tab("u-1", "s-1").tab("u-2", "s-2").write(&data).unwrap();
//! NotionDb::new().space("s-1", "Acme").space("s-2", "Beta").write(&data).unwrap();
//! ```

use std::io;
use std::path::Path;

use rusqlite::{Connection, params};
use serde_json::{Value, json};

use super::stores::other;
use super::{ChromiumProfile, DesktopApp, FirefoxProfile, read_json, write_json};

/// Prefix of Notion's Local Storage envelopes.
pub const ENVELOPE_PREFIX: &str = "LRU:KeyValueStore2:";

/// When sample envelopes were written (milliseconds since 1970).
pub const SAMPLE_TIMESTAMP: i64 = 1_700_000_000_000;

/// An envelope `LRU:KeyValueStore2:<name>` holding `value`: (key, JSON value).
pub fn envelope(name: &str, value: Value) -> (String, String) {
    (
        format!("{ENVELOPE_PREFIX}{name}"),
        json!({"id": name, "value": value, "timestamp": SAMPLE_TIMESTAMP, "important": true})
            .to_string(),
    )
}

/// The key name Notion keeps per workspace of an account.
pub fn current_space_key(space: &str, user: &str) -> String {
    format!("currentSpace:{space}:{user}")
}

/// The sidebar state key of a workspace of an account.
pub fn sidebar_key(space: &str, user: &str) -> String {
    format!("notion-sidebar-sidebar-state-{space}-{user}")
}

/// The `notion_users` cookie value: a URL-encoded JSON list of user ids.
pub fn notion_users(users: &[&str]) -> String {
    let list = Value::from(users.to_vec()).to_string();
    let mut out = String::new();
    for b in list.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Local Storage as current Notion builds write it, for every store builder.
pub trait NotionLocalStorage: Sized {
    /// Any Local Storage key (the builder's own `ls_key`).
    fn put(self, origin: &str, key: &str, value: &str) -> Self;

    /// An envelope `LRU:KeyValueStore2:<name>` with `value`.
    fn envelope(self, origin: &str, name: &str, value: Value) -> Self {
        let (k, v) = envelope(name, value);
        self.put(origin, &k, &v)
    }

    /// The app's current account and workspace: `current-user-id` and
    /// `current-space-id` envelopes.
    fn current_user(self, origin: &str, user: &str, space: &str) -> Self {
        self.envelope(origin, "current-user-id", json!(user))
            .envelope(origin, "current-space-id", json!(space))
    }

    /// The last visited route: `lastVisitedRouteUserId` and `lastVisitedRouteSpaceId`.
    fn last_visited(self, origin: &str, user: &str, space: &str) -> Self {
        self.envelope(origin, "lastVisitedRouteUserId", json!(user))
            .envelope(origin, "lastVisitedRouteSpaceId", json!(space))
    }

    /// `spaceIdToShortId`: every workspace the page knows, with a short id.
    fn space_map(self, origin: &str, spaces: &[&str]) -> Self {
        let map: serde_json::Map<String, Value> = spaces
            .iter()
            .enumerate()
            .map(|(i, s)| ((*s).to_string(), json!(i + 1)))
            .collect();
        self.envelope(origin, "spaceIdToShortId", Value::Object(map))
    }

    /// `currentSpace:<space>:<user>`, as Notion writes per workspace visited.
    fn current_space(self, origin: &str, space: &str, user: &str) -> Self {
        self.put(
            origin,
            &current_space_key(space, user),
            &json!({"spaceViewId": format!("view-{space}")}).to_string(),
        )
    }

    /// `notion-sidebar-sidebar-state-<space>-<user>`.
    fn sidebar_state(self, origin: &str, space: &str, user: &str) -> Self {
        self.put(
            origin,
            &sidebar_key(space, user),
            &json!({"expanded": true, "width": 240}).to_string(),
        )
    }
}

impl NotionLocalStorage for ChromiumProfile {
    fn put(self, origin: &str, key: &str, value: &str) -> Self {
        self.ls_key(origin, key, value)
    }
}

impl NotionLocalStorage for FirefoxProfile {
    fn put(self, origin: &str, key: &str, value: &str) -> Self {
        self.ls_key(origin, key, value)
    }
}

impl NotionLocalStorage for DesktopApp {
    fn put(self, origin: &str, key: &str, value: &str) -> Self {
        self.ls_key(origin, key, value)
    }
}

/// The desktop app's `state.json`: windows with tabs, each tab's
/// `appStoreState` naming its account and workspace.
#[derive(Debug, Clone, Default)]
pub struct NotionState {
    /// Windows, each a list of `(user, space)` tabs.
    windows: Vec<Vec<(String, String)>>,
}

impl NotionState {
    pub fn new() -> NotionState {
        NotionState::default()
    }

    /// A tab in the last window (the first window when there is none).
    pub fn tab(mut self, user: &str, space: &str) -> NotionState {
        if self.windows.is_empty() {
            self.windows.push(Vec::new());
        }
        if let Some(w) = self.windows.last_mut() {
            w.push((user.to_string(), space.to_string()));
        }
        self
    }

    /// Start another window.
    pub fn window(mut self) -> NotionState {
        self.windows.push(Vec::new());
        self
    }

    /// Write (or merge into) `<data_dir>/state.json`.
    pub fn write(&self, data_dir: &Path) -> io::Result<()> {
        let path = data_dir.join("state.json");
        let mut state = read_json(&path);
        let windows: Vec<Value> = self
            .windows
            .iter()
            .enumerate()
            .map(|(w, tabs)| {
                json!({
                    "windowId": format!("window-{w}"),
                    "bounds": {"x": 0, "y": 0, "width": 1280, "height": 800},
                    "tabs": tabs.iter().enumerate().map(|(t, (user, space))| json!({
                        "tabId": format!("tab-{w}-{t}"),
                        "appStoreState": {
                            "currentUserId": user,
                            "currentSpaceId": space,
                            "currentPageId": format!("page-{space}"),
                        },
                    })).collect::<Vec<_>>(),
                })
            })
            .collect();
        state["history"]["appRestorationState"] = json!({"windows": windows});
        write_json(&path, &state)
    }
}

/// The desktop app's `notion.db`: `space(id, name, …)` and
/// `notion_user(id, name, email, …)` (which lists collaborators too).
#[derive(Debug, Clone, Default)]
pub struct NotionDb {
    spaces: Vec<(String, String)>,
    users: Vec<(String, String, String)>,
    in_wal: bool,
}

impl NotionDb {
    pub fn new() -> NotionDb {
        NotionDb::default()
    }

    pub fn space(mut self, id: &str, name: &str) -> NotionDb {
        self.spaces.push((id.into(), name.into()));
        self
    }

    pub fn user(mut self, id: &str, name: &str, email: &str) -> NotionDb {
        self.users.push((id.into(), name.into(), email.into()));
        self
    }

    /// Leave the rows only in `notion.db-wal`, as while the app runs.
    pub fn in_wal(mut self, on: bool) -> NotionDb {
        self.in_wal = on;
        self
    }

    /// Write `<data_dir>/notion.db`.
    pub fn write(&self, data_dir: &Path) -> io::Result<()> {
        std::fs::create_dir_all(data_dir)?;
        let path = data_dir.join("notion.db");
        let mut conn = Connection::open(&path).map_err(|e| other("open notion.db", e))?;
        conn.pragma_update(None, "journal_mode", "WAL")
            .map_err(|e| other("notion.db WAL", e))?;
        conn.execute_batch(
            "CREATE TABLE IF NOT EXISTS space (id TEXT PRIMARY KEY, name TEXT, icon TEXT, \
             plan_type TEXT, created_time INTEGER, version INTEGER);
             CREATE TABLE IF NOT EXISTS notion_user (id TEXT PRIMARY KEY, name TEXT, email TEXT, \
             profile_photo TEXT, version INTEGER);",
        )
        .map_err(|e| other("notion.db schema", e))?;
        if self.in_wal {
            conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))
                .map_err(|e| other("notion.db checkpoint", e))?;
            conn.pragma_update(None, "wal_autocheckpoint", 0)
                .map_err(|e| other("notion.db", e))?;
            conn.set_db_config(
                rusqlite::config::DbConfig::SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE,
                true,
            )
            .map_err(|e| other("notion.db", e))?;
        }
        let tx = conn.transaction().map_err(|e| other("notion.db", e))?;
        for (id, name) in &self.spaces {
            tx.execute(
                "INSERT OR REPLACE INTO space (id, name, plan_type, created_time, version) \
                 VALUES (?1, ?2, 'personal', 1700000000000, 1)",
                params![id, name],
            )
            .map_err(|e| other("notion.db insert", e))?;
        }
        for (id, name, email) in &self.users {
            tx.execute(
                "INSERT OR REPLACE INTO notion_user (id, name, email, version) VALUES (?1, ?2, ?3, 1)",
                params![id, name, email],
            )
            .map_err(|e| other("notion.db insert", e))?;
        }
        tx.commit().map_err(|e| other("notion.db commit", e))?;
        if !self.in_wal {
            conn.pragma_update(None, "journal_mode", "DELETE")
                .map_err(|e| other("notion.db", e))?;
        }
        Ok(())
    }
}

/// How a sample cookie value is sealed, besides Linux `v10` (what
/// [`ChromiumProfile::cookie`] writes).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Seal {
    /// Linux `v11`: a key from the desktop keyring.
    LinuxKeyring,
    /// `v20`: app-bound encryption.
    AppBound,
}

/// Re-seal the stored value of cookie `name` in the Chromium `Cookies`
/// database at `db`: an opaque blob with the seal's prefix, as a browser
/// with that key writes it (the plain value is not in it).
pub fn seal_cookie(db: &Path, name: &str, seal: Seal) -> io::Result<()> {
    let prefix: &[u8] = match seal {
        Seal::LinuxKeyring => b"v11",
        Seal::AppBound => b"v20",
    };
    let conn = Connection::open(db).map_err(|e| other("open Cookies", e))?;
    let mut blob = prefix.to_vec();
    blob.extend((0..48u32).map(|i| (i.wrapping_mul(2_654_435_761) >> 11) as u8));
    conn.execute(
        "UPDATE cookies SET value = '', encrypted_value = ?1 WHERE name = ?2",
        params![blob, name],
    )
    .map_err(|e| other("Cookies update", e))?;
    Ok(())
}
