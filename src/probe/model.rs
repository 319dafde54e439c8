//! The evidence a scan produces: `scan --json` (schema 1) and the facts a flow's
//! `check` steps branch on. Field names are part of the public contract.

use serde::{Deserialize, Serialize};

/// Schema version of [`ScanReport`] as printed by `scan --json`.
pub const SCAN_SCHEMA: u32 = 1;

/// Where a session lives.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Source {
    Browser,
    Desktop,
}

/// What kind of store holds a session; decides how a fix edits it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum StoreKind {
    /// Chromium-family or Electron Local Storage (LevelDB).
    ChromiumLeveldb,
    /// Firefox LSNG `data.sqlite` for one origin.
    FirefoxLsng,
}

/// One workspace entry in one store (a browser profile or the desktop app).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Session {
    pub source: Source,
    /// Display name of the browser ("Chrome", "Firefox") or the app ("Notion").
    pub browser: String,
    /// Profile display name ("Person 1"); for the desktop app, "app".
    pub profile: String,
    /// Stable id of the store's owner: "<browser-id>/<profile-dir>" or "desktop".
    pub store_id: String,
    /// The Local Storage folder or database holding the entry.
    pub store_path: String,
    pub store_kind: StoreKind,
    /// The origin whose Local Storage holds the keys.
    pub origin: String,
    pub workspace_id: String,
    pub workspace_name: Option<String>,
    pub user_id: Option<String>,
    /// Exact Local Storage keys of this workspace (what `remove-workspace-entry` deletes).
    pub keys: Vec<String>,
    /// Workspace entries in the same store (this one included).
    pub store_sessions: u32,
    /// Distinct accounts (user ids) in the same store; the article's session count.
    pub store_accounts: u32,
    /// Browser sync is on for this profile (always false for the desktop app).
    pub sync_enabled: bool,
    /// The owning program is running (or holds its lock).
    pub running: bool,
    /// Providers with a sign-in session in the same store ("google", "microsoft", "apple").
    pub linked_accounts: Vec<String>,
}

/// One browser profile, with or without Notion data.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BrowserProfile {
    pub browser: String,
    /// Machine id of the browser ("chrome", "edge", "firefox").
    pub browser_id: String,
    pub profile: String,
    /// Folder name of the profile ("Default", "Profile 1", "abcd.default-release").
    pub profile_dir: String,
    pub path: String,
    pub running: bool,
    pub sync_enabled: bool,
    /// Names (never values) of Notion cookies in this profile.
    pub notion_cookies: Vec<String>,
    /// Distinct Notion accounts (user ids) seen in this profile.
    pub accounts: u32,
    pub user_ids: Vec<String>,
    pub sessions: u32,
    pub linked_accounts: Vec<String>,
}

/// The Notion desktop app (Electron).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct DesktopApp {
    pub installed: bool,
    pub running: bool,
    pub data_dir: Option<String>,
    /// Bytes under the data folder.
    pub size_bytes: u64,
    pub sessions: u32,
    pub accounts: u32,
    pub user_ids: Vec<String>,
    pub notion_cookies: Vec<String>,
    pub linked_accounts: Vec<String>,
}

/// A store that could not be read, and why. The scan goes on without it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Warning {
    pub path: String,
    pub reason: String,
}

/// Everything a scan found. Serialised as `scan --json` and as a flow's facts.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ScanReport {
    pub schema: u32,
    pub layout: String,
    pub root: String,
    pub session_count: u32,
    pub sessions: Vec<Session>,
    pub browsers: Vec<BrowserProfile>,
    pub desktop_app: DesktopApp,
    /// Any profile or the app with sync on.
    pub any_sync: bool,
    /// Largest number of distinct accounts in one store.
    pub max_store_accounts: u32,
    pub warnings: Vec<Warning>,
}
