//! What current Notion builds leave on disk, as sample data in the real
//! formats, in the shapes read off two real Notion desktop data folders
//! (Notion 4.17, 2025) with made-up ids:
//! - Local Storage of `https://www.notion.so`: the user/space pair families
//!   (`LRU:KeyValueStore2:onAppStartPreference:<user>:<space>`,
//!   `…:searchFrecency:<space>:<user>:0`, `…:userSignals:<space>:<user>:0`,
//!   `BlockFrecency:<user>:<space>:…`, `LRU:LocalPreferenceStore3:<user>:…`
//!   with `UserSharedPagesInSpace`, `SubscriptionData` and
//!   `analytics_session`), the envelopes `LRU:KeyValueStore2:<name>` =
//!   `{"id", "value", "timestamp", "important"}` (`current-user-id`,
//!   `lastVisitedRouteUserId` / `lastVisitedRouteSpaceId`,
//!   `spaceIdToShortId`), and `LRU:LocalPreferenceStore3:guest:…` once
//!   signed out;
//! - Local Storage of `https://identity.notion.so`: `notion_user_id`;
//! - cookies `token_v2` (the sign-in), `notion_user_id`, `notion_users`
//!   (plain JSON in the desktop app, URL-encoded in browsers);
//! - the desktop app's `state.json` (open tabs and `closeEvents`) and
//!   `notion.db` (`user_root`, `space_user`, `space`, `notion_user`).
//!
//! [`sample_machine`] builds the four stores of issue 23 in any layout.
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

/// The origin holding the signed-in account's id.
pub const NOTION_IDENTITY: &str = "https://identity.notion.so";

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

/// The `notion_users` cookie value of the desktop app: a plain JSON list.
pub fn notion_users_plain(users: &[&str]) -> String {
    Value::from(users.to_vec()).to_string()
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

    /// An account that used this store: `LRU:LocalPreferenceStore3:<user>:…`
    /// preference keys (they stay after a sign-out).
    fn account_used(self, origin: &str, user: &str) -> Self {
        let mut s = self;
        for name in [
            "userSessionCount",
            "sourceInitialPage",
            "SearchShowFilterBar",
        ] {
            let id = format!("LocalPreferenceStore3:{user}:{name}");
            let v =
                json!({"id": id, "value": 1, "timestamp": SAMPLE_TIMESTAMP, "important": false});
            s = s.put(origin, &format!("LRU:{id}"), &v.to_string());
        }
        s
    }

    /// The keys of a signed-out page: `LRU:LocalPreferenceStore3:guest:…`.
    fn guest_keys(self, origin: &str) -> Self {
        self.put(
            origin,
            "LRU:LocalPreferenceStore3:guest:forkPageTemplate",
            "{}",
        )
        .put(
            origin,
            "LRU:LocalPreferenceStore3:guest:queryParamsRedirect",
            "{}",
        )
    }

    /// One workspace of an account, as the real pair families name it.
    fn workspace_of(self, origin: &str, user: &str, space: &str) -> Self {
        let e = |name: &str| envelope(name, json!({"lastUpdatedTime": SAMPLE_TIMESTAMP}));
        let (k1, v1) = e(&format!("onAppStartPreference:{user}:{space}"));
        let (k2, v2) = e(&format!("searchFrecency:{space}:{user}:0"));
        let (k3, v3) = e(&format!("userSignals:{space}:{user}:0"));
        let lps = |rest: &str| format!("LRU:LocalPreferenceStore3:{user}:{rest}");
        self.put(origin, &k1, &v1)
            .put(origin, &k2, &v2)
            .put(origin, &k3, &v3)
            .put(
                origin,
                &format!("BlockFrecency:{user}:{space}:version"),
                "3",
            )
            .put(
                origin,
                &format!("BlockFrecency:{user}:{space}:3:keys"),
                "[]",
            )
            .put(
                origin,
                &lps(&format!("UserSharedPagesInSpace:{user}:{space}")),
                "{}",
            )
            .put(origin, &lps(&format!("SubscriptionData:{space}:v2")), "{}")
            .put(origin, &lps(&format!("{space}:analytics_session")), "{}")
    }

    /// The identity origin's `notion_user_id`: the signed-in account.
    fn identity_user(self, user: &str) -> Self {
        self.put(NOTION_IDENTITY, "notion_user_id", user)
    }

    /// `spaceIdToShortId` with the given short ids (strings, as Notion writes).
    fn short_ids<A: AsRef<str>, B: AsRef<str>>(self, origin: &str, spaces: &[(A, B)]) -> Self {
        let map: serde_json::Map<String, Value> = spaces
            .iter()
            .map(|(s, n)| (s.as_ref().to_string(), json!(n.as_ref())))
            .collect();
        self.envelope(origin, "spaceIdToShortId", Value::Object(map))
    }

    /// `currentSpace:<space>:<user>`: a pattern the scan still recognises,
    /// though no real store shows it.
    fn current_space(self, origin: &str, space: &str, user: &str) -> Self {
        self.put(
            origin,
            &current_space_key(space, user),
            &json!({"spaceViewId": format!("view-{space}")}).to_string(),
        )
    }

    /// `notion-sidebar-sidebar-state-<space>-<user>`: recognised, never seen
    /// in a real store.
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

/// Entries `(origin, key, value)` to write with [`crate::stores::write_chromium_ls`].
impl NotionLocalStorage for Vec<(String, String, String)> {
    fn put(mut self, origin: &str, key: &str, value: &str) -> Self {
        self.push((origin.into(), key.into(), value.into()));
        self
    }
}

/// A made-up Notion id (a UUID) for `kind` (`0x0a` accounts, `0x05`
/// workspaces) and `n`.
pub fn sample_id(kind: u8, n: usize) -> String {
    format!("{kind:02x}{n:06x}-0000-4000-8000-{n:012x}")
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
    /// Recently closed tabs (`history.closeEvents`), `(user, space)`.
    closed: Vec<(String, String)>,
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

    /// A recently closed tab: a `history.closeEvents[]` entry.
    pub fn closed_tab(mut self, user: &str, space: &str) -> NotionState {
        self.closed.push((user.to_string(), space.to_string()));
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
        state["history"]["appRestorationState"] = json!({"windows": windows, "tabSpaces": []});
        let closed: Vec<Value> = self
            .closed
            .iter()
            .enumerate()
            .map(|(i, (user, space))| {
                json!({
                    "type": "single-tab",
                    "tabId": format!("closed-{i}"),
                    "url": "https://www.notion.so/",
                    "index": 0,
                    "windowId": "window-0",
                    "appStoreState": {"currentUserId": user, "currentSpaceId": space},
                })
            })
            .collect();
        if !closed.is_empty() {
            state["history"]["closeEvents"] = Value::Array(closed);
        }
        write_json(&path, &state)
    }
}

/// The desktop app's `notion.db`: `space(id, name, …)` and
/// `notion_user(id, name, email, …)` (which lists collaborators too).
#[derive(Debug, Clone, Default)]
pub struct NotionDb {
    spaces: Vec<(String, String)>,
    users: Vec<(String, String, String)>,
    roots: Vec<String>,
    members: Vec<(String, String)>,
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

    /// A signed-in account: a `user_root` row.
    pub fn signed_in(mut self, user: &str) -> NotionDb {
        self.roots.push(user.into());
        self
    }

    /// A membership: a `space_user(user_id, space_id)` row (its id is
    /// `<user>|<space>`, as Notion writes it).
    pub fn member(mut self, user: &str, space: &str) -> NotionDb {
        self.members.push((user.into(), space.into()));
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
             profile_photo TEXT, version INTEGER);
             CREATE TABLE IF NOT EXISTS user_root (id TEXT PRIMARY KEY, version INTEGER, \
             space_views TEXT, left_spaces TEXT, meta_user_id TEXT, meta_role TEXT);
             CREATE TABLE IF NOT EXISTS space_user (id TEXT PRIMARY KEY, version INTEGER, \
             user_id TEXT, space_id TEXT, membership_type TEXT, meta_user_id TEXT, meta_role TEXT);",
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
        for id in &self.roots {
            tx.execute(
                "INSERT OR REPLACE INTO user_root (id, version, meta_user_id, meta_role) \
                 VALUES (?1, 1, ?1, 'editor')",
                params![id],
            )
            .map_err(|e| other("notion.db insert", e))?;
        }
        for (user, space) in &self.members {
            tx.execute(
                "INSERT OR REPLACE INTO space_user (id, version, user_id, space_id, membership_type, \
                 meta_user_id, meta_role) VALUES (?1 || '|' || ?2, 1, ?1, ?2, 'member', ?1, 'editor')",
                params![user, space],
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

/// Made-up ids of [`sample_machine`]'s accounts and workspaces.
pub mod ids {
    /// Account A (ada@example.com): Acme Corp and Acme Labs.
    pub const ACCOUNT_A: &str = "a0a0a0a0-1111-4aaa-8aaa-00000000000a";
    /// Account B (Ben Example): Side Gig.
    pub const ACCOUNT_B: &str = "b0b0b0b0-2222-4bbb-8bbb-00000000000b";
    /// Account C, the one account of Chrome's "Person 1": three workspaces.
    pub const ACCOUNT_C: &str = "c0c0c0c0-3333-4ccc-8ccc-00000000000c";
    /// Account D, which once used the signed-out profile.
    pub const ACCOUNT_D: &str = "d0d0d0d0-4444-4ddd-8ddd-00000000000d";
    /// A collaborator `notion_user` lists, who never signed in here.
    pub const COLLABORATOR: &str = "e0e0e0e0-5555-4eee-8eee-00000000000e";
    pub const ACME_CORP: &str = "5a000001-aaaa-4aaa-9aaa-0000000000a1";
    pub const ACME_LABS: &str = "5a000002-aaaa-4aaa-9aaa-0000000000a2";
    pub const SIDE_GIG: &str = "5b000001-bbbb-4bbb-9bbb-0000000000b1";
    pub const C_ONE: &str = "5c000001-cccc-4ccc-9ccc-0000000000c1";
    pub const C_TWO: &str = "5c000002-cccc-4ccc-9ccc-0000000000c2";
    pub const C_THREE: &str = "5c000003-cccc-4ccc-9ccc-0000000000c3";
    pub const D_OLD: &str = "5d000001-dddd-4ddd-9ddd-0000000000d1";
    /// Short ids (`spaceIdToShortId`).
    pub const SHORT: &[(&str, &str)] = &[
        (ACME_CORP, "1010101010"),
        (ACME_LABS, "2020202020"),
        (SIDE_GIG, "3030303030"),
        (C_ONE, "4040404041"),
        (C_TWO, "4040404042"),
        (C_THREE, "4040404043"),
        (D_OLD, "5050505050"),
    ];
}

fn short_of(spaces: &[&str]) -> Vec<(&'static str, &'static str)> {
    ids::SHORT
        .iter()
        .filter(|(s, _)| spaces.contains(s))
        .copied()
        .collect()
}

/// The four stores of issue 23, in the shape real Notion writes, with
/// made-up ids ([`ids`]), in `home`'s layout:
/// - the desktop app: accounts A {Acme Corp, Acme Labs} and B {Side Gig},
///   plain-text cookies, `notion.db` with `user_root`, `space_user`,
///   `space` and `notion_user` (a collaborator too), `state.json` tabs and
///   a close event (Acme Labs);
/// - Chrome "Person 1" (`Default`): account C with three workspaces;
/// - Chrome "Work" (`Profile 1`): accounts A {Acme Corp} and B {Side Gig}
///   (workspaces shared with the app), B active;
/// - Chrome "Old" (`Profile 2`): signed out, with account D's preference
///   and pair keys and the guest keys.
///
/// Browser cookie values are sealed as `v10`, which only the Linux layout
/// reads: on macOS and Windows they are as unreadable as the real ones.
pub fn sample_machine(home: &super::SampleHome) -> io::Result<()> {
    use super::NOTION_WWW as WWW;
    use ids::*;
    let w = WWW;
    // The desktop app.
    let data = home
        .desktop_app("Notion")
        .identity_user(ACCOUNT_A)
        .account_used(w, ACCOUNT_A)
        .account_used(w, ACCOUNT_B)
        .workspace_of(w, ACCOUNT_A, ACME_CORP)
        .workspace_of(w, ACCOUNT_A, ACME_LABS)
        .workspace_of(w, ACCOUNT_B, SIDE_GIG)
        .envelope(w, "current-user-id", json!(ACCOUNT_A))
        .last_visited(w, ACCOUNT_A, ACME_CORP)
        .short_ids(w, &short_of(&[ACME_CORP, ACME_LABS, SIDE_GIG]))
        .plain_cookie(".www.notion.so", "token_v2", "v02%3Asample")
        .plain_cookie(".www.notion.so", "notion_user_id", ACCOUNT_A)
        .plain_cookie(
            ".www.notion.so",
            "notion_users",
            &notion_users_plain(&[ACCOUNT_A, ACCOUNT_B]),
        )
        .plain_cookie(".notion.so", "file_token", "sample")
        .plain_cookie(".www.notion.so", "notion_browser_id", "sample")
        .write()?;
    NotionState::new()
        .tab(ACCOUNT_A, ACME_CORP)
        .tab(ACCOUNT_B, SIDE_GIG)
        .closed_tab(ACCOUNT_A, ACME_LABS)
        .write(&data)?;
    NotionDb::new()
        .signed_in(ACCOUNT_A)
        .signed_in(ACCOUNT_B)
        .member(ACCOUNT_A, ACME_CORP)
        .member(ACCOUNT_A, ACME_LABS)
        .member(ACCOUNT_B, SIDE_GIG)
        .space(ACME_CORP, "Acme Corp")
        .space(ACME_LABS, "Acme Labs")
        .space(SIDE_GIG, "Side Gig")
        .user(ACCOUNT_A, "Ada Example", "ada@example.com")
        .user(ACCOUNT_B, "Ben Example", "")
        .user(COLLABORATOR, "Cy Collaborator", "cy@example.com")
        .write(&data)?;
    let windows = home.home().layout == troubleshoot::probe::Layout::Windows;
    // Chrome, Person 1: one account, three workspaces.
    home.chromium_profile("chrome", "Default", "Person 1")
        .network_cookies(windows)
        .identity_user(ACCOUNT_C)
        .account_used(w, ACCOUNT_C)
        .workspace_of(w, ACCOUNT_C, C_ONE)
        .workspace_of(w, ACCOUNT_C, C_TWO)
        .workspace_of(w, ACCOUNT_C, C_THREE)
        .envelope(w, "current-user-id", json!(ACCOUNT_C))
        .last_visited(w, ACCOUNT_C, C_TWO)
        .short_ids(w, &short_of(&[C_ONE, C_TWO, C_THREE]))
        .sign_in_cookie()
        .cookie(".www.notion.so", "notion_user_id", ACCOUNT_C)
        .cookie(
            ".www.notion.so",
            "notion_users",
            &notion_users(&[ACCOUNT_C]),
        )
        .write()?;
    // Chrome, Work: two accounts.
    home.chromium_profile("chrome", "Profile 1", "Work")
        .network_cookies(windows)
        .identity_user(ACCOUNT_B)
        .account_used(w, ACCOUNT_A)
        .account_used(w, ACCOUNT_B)
        .workspace_of(w, ACCOUNT_A, ACME_CORP)
        .workspace_of(w, ACCOUNT_B, SIDE_GIG)
        .envelope(w, "current-user-id", json!(ACCOUNT_B))
        .last_visited(w, ACCOUNT_B, SIDE_GIG)
        .short_ids(w, &short_of(&[ACME_CORP, SIDE_GIG]))
        .sign_in_cookie()
        .cookie(".www.notion.so", "notion_user_id", ACCOUNT_B)
        .cookie(
            ".www.notion.so",
            "notion_users",
            &notion_users(&[ACCOUNT_A, ACCOUNT_B]),
        )
        .write()?;
    // Chrome, Old: signed out; an old account's keys stay.
    home.chromium_profile("chrome", "Profile 2", "Old")
        .network_cookies(windows)
        .account_used(w, ACCOUNT_D)
        .workspace_of(w, ACCOUNT_D, D_OLD)
        .guest_keys(w)
        .short_ids(w, &short_of(&[D_OLD]))
        .cookie(".www.notion.so", "notion_browser_id", "sample")
        .write()?;
    Ok(())
}
