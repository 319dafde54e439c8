//! The evidence a scan produces: `scan --json` (schema 2) and the facts a flow's
//! `check` steps branch on. Field names are part of the public contract.
//! Accounts come first: a store's signed-in accounts (`account_sessions`,
//! `accounts`, `signed_in`), each with its workspaces; `sessions[]` is one
//! entry per workspace of an account, never one without an account.

use serde::{Deserialize, Serialize};

/// Schema version of [`ScanReport`] as printed by `scan --json`.
pub const SCAN_SCHEMA: u32 = 2;

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

/// One workspace of one account in one store (a browser profile or the
/// desktop app): what the flow offers to sign out of. An account whose
/// workspaces no evidence names has one entry with an empty `workspace_id`.
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
    /// The workspace's name where a local cache names it (the article's
    /// key value, the desktop app's `notion.db`); else null.
    pub workspace_name: Option<String>,
    /// The name, else the short id ("workspace 9431256832"), else a short
    /// form of the id ("workspace 7c9e6679"); "no workspace seen" for an
    /// account whose workspaces no evidence names. Never the raw id.
    #[serde(default)]
    pub workspace_label: String,
    /// The workspace's short id (`spaceIdToShortId`), where known.
    #[serde(default)]
    pub short_id: Option<String>,
    pub user_id: Option<String>,
    /// The account: its email, else its name, else a short form of its id.
    #[serde(default)]
    pub account_label: String,
    /// Labels of every workspace of this account in this store, this one
    /// included: Notion signs out per account, so these go together.
    #[serde(default)]
    pub account_workspace_labels: Vec<String>,
    /// The store holds a sign-in cookie (`token_v2`); null when its
    /// cookies could not be read.
    #[serde(default)]
    pub signed_in: Option<bool>,
    /// Names (never values) of the sign-in cookies present in the store.
    #[serde(default)]
    pub sign_in_cookies: Vec<String>,
    /// `<user_id>@<store_id>`: the account in this store, as the probe's
    /// `signed_in_accounts` fact lists it (empty without an account).
    #[serde(default)]
    pub account_key: String,
    /// Exact Local Storage keys of this workspace and account (what
    /// `remove-workspace-entry` deletes): every key a pattern matched.
    pub keys: Vec<String>,
    /// Where this entry was seen ("Local Storage keys LRU:KeyValueStore2:onAppStartPreference:<user>:<space>", "state.json tabs").
    #[serde(default)]
    pub sources: Vec<String>,
    /// Workspace entries in the same store (this one included).
    pub store_sessions: u32,
    /// Signed-in accounts in the same store, the article's session count;
    /// null when the evidence cannot tell (see `accounts_evidence`).
    pub store_accounts: Option<u32>,
    /// The store's account count with its sources, or why it is unknown:
    /// "2 accounts, from the notion_users cookie and Local Storage keys …".
    #[serde(default)]
    pub accounts_evidence: String,
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
    /// The `store_id` its sessions carry ("chrome/Default").
    #[serde(default)]
    pub store_id: String,
    pub path: String,
    pub running: bool,
    pub sync_enabled: bool,
    /// Names (never values) of the app's cookies in this profile (called
    /// `notion_cookies` in scan schema 1).
    #[serde(alias = "notion_cookies")]
    pub app_cookies: Vec<String>,
    /// Signed-in Notion accounts in this profile; null when the evidence
    /// cannot tell (`accounts_reason` says why).
    pub accounts: Option<u32>,
    #[serde(flatten)]
    pub account_facts: AccountFacts,
    pub user_ids: Vec<String>,
    pub sessions: u32,
    pub linked_accounts: Vec<String>,
}

/// How a store's account count was reached, and its sessions in the
/// article's sense: one signed-in account with the workspaces seen for it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct AccountFacts {
    /// A sign-in cookie (`token_v2`) is in the store; null when its cookies
    /// could not be read (`accounts_reason` says why).
    #[serde(default)]
    pub signed_in: Option<bool>,
    /// Names (never values) of the sign-in cookies present.
    #[serde(default)]
    pub sign_in_cookies: Vec<String>,
    /// Why `accounts` is null, or what it may miss ("at least").
    #[serde(default)]
    pub accounts_reason: Option<String>,
    /// What named the counted accounts ("notion_users cookie", "Local Storage keys LRU:LocalPreferenceStore3:<user>:…").
    #[serde(default)]
    pub accounts_sources: Vec<String>,
    /// One sentence: the count (or "unknown") with its sources and reason.
    #[serde(default)]
    pub accounts_evidence: String,
    /// One entry per signed-in account: its id, whether it is the active
    /// one, the workspaces seen for it, and where it was seen.
    #[serde(default)]
    pub account_sessions: Vec<AccountSession>,
    /// Accounts that used the store but are not known to be signed in
    /// there (`LRU:LocalPreferenceStore3:<user>:…` stays after sign-out);
    /// every account seen when `accounts` is null, so the flow can ask
    /// which of them are signed in.
    #[serde(default)]
    pub account_candidates: Vec<AccountCandidate>,
}

/// An account that used a store, with where it was seen.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AccountCandidate {
    pub user_id: String,
    /// Email, else name, else a short form of the id.
    pub label: String,
    #[serde(default)]
    pub sources: Vec<String>,
}

/// One signed-in account in one store, with the workspaces seen for it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AccountSession {
    /// Null for workspaces no evidence ties to an account ("account not
    /// known"): never a session of its own.
    pub user_id: Option<String>,
    /// The account's email and name where the store names them (`notion.db`).
    #[serde(default)]
    pub email: Option<String>,
    #[serde(default)]
    pub name: Option<String>,
    /// Email, else name, else a short form of the id; "account not known".
    #[serde(default)]
    pub label: String,
    /// Named by the cookie of the active account (or the current-user envelope).
    pub active: bool,
    pub workspaces: Vec<WorkspaceSeen>,
    pub sources: Vec<String>,
}

/// A workspace seen for an account: its id, and its name where a local cache names it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WorkspaceSeen {
    pub workspace_id: String,
    pub workspace_name: Option<String>,
    /// `spaceIdToShortId`'s short id, where known.
    #[serde(default)]
    pub short_id: Option<String>,
    /// The name, else the short id, else a short form of the id.
    #[serde(default)]
    pub label: String,
    /// Where this workspace was seen for this account.
    #[serde(default)]
    pub sources: Vec<String>,
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
    /// Signed-in accounts in the app; null when the evidence cannot tell.
    pub accounts: Option<u32>,
    #[serde(flatten)]
    pub account_facts: AccountFacts,
    pub user_ids: Vec<String>,
    /// Names (never values) of the app's cookies in the app's store.
    #[serde(alias = "notion_cookies")]
    pub app_cookies: Vec<String>,
    pub linked_accounts: Vec<String>,
}

/// A store that could not be read, and why. The scan goes on without it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[schemars(deny_unknown_fields)]
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
    /// Largest known number of accounts in one store (stores whose count is
    /// unknown do not count).
    pub max_store_accounts: u32,
    pub warnings: Vec<Warning>,
}
