//! What to look for, as data: the parameters of the `app-sessions` probe.
//! A flow names the origins, key patterns, cookie names, app folders and
//! process names; the probe code knows only browsers and store formats.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

pub use super::pattern::{Capture, Captures, Ident, JsonPath, Pattern};

/// Parameters of the `app-sessions` probe.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AppSpec {
    /// Display name of the app ("Notion").
    pub app: String,
    /// Web origins whose Local Storage is read, e.g. "https://www.notion.so".
    pub origins: Vec<String>,
    /// Cookie domains (without a leading dot); host-only and domain cookies on
    /// these hosts and their subdomains count.
    pub cookie_domains: Vec<String>,
    /// Local Storage key names that carry a workspace and/or an account id,
    /// with named captures: `currentSpace:{space}:{user}`. One pattern may
    /// also read the workspace name and user id from the key's JSON value
    /// (the article's `notion:workspace:{space:text}`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub key_patterns: Vec<KeyPattern>,
    /// Older shorthand for a key pattern: `prefix` followed by the workspace
    /// id (`{"prefix": "notion:workspace:"}` is the pattern
    /// `notion:workspace:{space:text}` with `name_field` and `user_field`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub workspace_keys: Vec<WorkspaceKey>,
    /// Local Storage values wrapped in envelopes (`LRU:KeyValueStore2:<name>`
    /// holding `{"id", "value", "timestamp", "important"}`) that name the
    /// current account and workspace.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub envelopes: Option<Envelopes>,
    /// Older shorthand for one envelope pair, with whole key names.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub current_build: Option<CurrentBuild>,
    /// Cookies whose (non-secret) value names accounts. These are the only
    /// cookie values ever read, and the only ones decrypted (Chromium's Linux
    /// `v10`); every other value stays unread.
    #[serde(default)]
    pub user_cookies: Vec<UserCookie>,
    /// Cookies whose presence means signed in (`token_v2`): secrets, so only
    /// their names are read, never their values. A store holding none of
    /// them is signed out, whatever its Local Storage remembers.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub session_cookies: Vec<String>,
    /// Local Storage keys whose plain value is the id of a signed-in
    /// account (`notion_user_id` of `https://identity.notion.so`). Key
    /// patterns and envelopes only name accounts that used the store.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub account_keys: Vec<AccountKey>,
    /// The desktop (Electron) app, if there is one.
    #[serde(default)]
    pub desktop: Option<DesktopSpec>,
    /// Identity providers whose sign-in cookies mean a linked account.
    #[serde(default)]
    pub linked_accounts: Vec<LinkedAccount>,
}

/// A Local Storage key name pattern with named captures.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct KeyPattern {
    /// The key name: literal text and captures `{space}` (a workspace id)
    /// and `{user}` (an account id). A capture matches a Notion id (a UUID,
    /// with or without dashes) unless written `{space:text}`, which matches
    /// any non-empty text (as short as the rest of the pattern allows).
    pub pattern: Pattern,
    /// The key's value names the workspace: this field of its JSON object,
    /// or the whole value when it is a plain string.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name_field: Option<String>,
    /// The key's value names the account: this field of its JSON object.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_field: Option<String>,
}

/// A Local Storage key of one origin whose value is an account id.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AccountKey {
    pub origin: String,
    pub key: String,
}

/// A key pattern: the older `prefix` + workspace id form.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct WorkspaceKey {
    /// e.g. "notion:workspace:"
    pub prefix: String,
    /// JSON field of the value holding the workspace name (else the value is the name).
    #[serde(default = "default_name_field")]
    pub name_field: String,
    /// JSON field of the value holding the user id.
    #[serde(default = "default_user_field")]
    pub user_field: String,
}

fn default_name_field() -> String {
    "name".into()
}
fn default_user_field() -> String {
    "user_id".into()
}

/// Envelopes: Local Storage keys `<prefix><name>` whose value is a JSON
/// object holding the real value in `value_field`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Envelopes {
    /// Key prefix, e.g. "LRU:KeyValueStore2:".
    pub prefix: String,
    /// Field of the envelope holding the value ("value").
    #[serde(default = "default_value_field")]
    pub value_field: String,
    /// Field of the envelope holding when it was written, in milliseconds
    /// ("timestamp"): the newest envelope wins when several origins hold one.
    #[serde(default = "default_timestamp_field")]
    pub timestamp_field: String,
    /// Envelopes naming an account and the workspace it has open, by name
    /// after the prefix: `{"user": "current-user-id", "space": "current-space-id"}`.
    /// The first pair names the app's current (active) account.
    #[serde(default)]
    pub pairs: Vec<EnvelopePair>,
    /// Envelopes whose value is an object keyed by workspace id
    /// ("spaceIdToShortId"). They confirm workspace ids seen elsewhere; on
    /// their own they name no account.
    #[serde(default)]
    pub space_maps: Vec<String>,
}

fn default_timestamp_field() -> String {
    "timestamp".into()
}

/// An account envelope and the workspace envelope that goes with it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct EnvelopePair {
    /// Envelope whose value is an account id ("current-user-id").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user: Option<String>,
    /// Envelope whose value is a workspace id ("current-space-id").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub space: Option<String>,
}

/// Keys of a current Notion build (`LRU:KeyValueStore2:*`, JSON with `.value`):
/// one envelope pair named by whole keys.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CurrentBuild {
    /// Key whose `.value` is the current user id.
    pub user_key: String,
    /// Key whose `.value` is the last visited workspace id.
    pub space_key: String,
    /// JSON field holding the value inside those keys.
    #[serde(default = "default_value_field")]
    pub value_field: String,
}

fn default_value_field() -> String {
    "value".into()
}

/// A cookie whose value names accounts.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct UserCookie {
    pub name: String,
    pub format: UserCookieFormat,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum UserCookieFormat {
    /// The value is one user id.
    Plain,
    /// The value is a URL-encoded JSON list of user ids.
    UrlencodedJsonList,
}

/// Where the desktop app keeps its data, per OS, relative to the usual base folder.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DesktopSpec {
    /// Folder name under the OS's app-data folder ("Notion").
    pub folder: String,
    /// Subfolder holding the session partition ("Partitions/notion"); may be empty.
    #[serde(default)]
    pub partition: String,
    /// Process names of the app.
    pub processes: Vec<String>,
    /// The app's window state: the account and workspace of every open tab.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub state_file: Option<StateFile>,
    /// The app's local SQLite cache, which names workspaces.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub database: Option<DesktopDatabase>,
}

/// A JSON file of the desktop app listing open tabs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct StateFile {
    /// File name inside the app's data folder ("state.json").
    pub path: String,
    /// Where the tabs are: dotted fields, `[]` for every item of a list
    /// ("history.appRestorationState.windows[].tabs[].appStoreState").
    pub tabs: JsonPath,
    /// Field of each tab holding the account id ("currentUserId").
    pub user: JsonPath,
    /// Field of each tab holding the workspace id ("currentSpaceId").
    pub space: JsonPath,
    /// Where the recently closed tabs are, with the same fields
    /// ("history.closeEvents[].appStoreState").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub closed: Option<JsonPath>,
}

/// An SQLite database of the desktop app (read from a private copy, with
/// its `-wal` and `-journal`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DesktopDatabase {
    /// File name inside the app's data folder ("notion.db").
    pub path: String,
    /// The table naming workspaces: `{"table": "space", "id": "id", "name": "name"}`.
    pub spaces: NameTable,
    /// The table with a row per signed-in account (`user_root`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub accounts: Option<IdTable>,
    /// The table pairing accounts with their workspaces
    /// (`space_user(user_id, space_id)`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub memberships: Option<PairTable>,
    /// The table naming people (`notion_user(id, email, name)`); it lists
    /// collaborators too, so it only names accounts other evidence shows.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub users: Option<UserTable>,
}

/// A table whose id column lists accounts.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct IdTable {
    pub table: Ident,
    pub id: Ident,
}

/// A table pairing an account with a workspace.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PairTable {
    pub table: Ident,
    pub user: Ident,
    pub space: Ident,
}

/// A table naming people: id, email, name.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct UserTable {
    pub table: Ident,
    pub id: Ident,
    pub email: Ident,
    pub name: Ident,
}

/// A table with an id column and a name column.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct NameTable {
    pub table: Ident,
    pub id: Ident,
    pub name: Ident,
}

/// An identity provider whose session in a store means the account is linked.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct LinkedAccount {
    /// "google", "microsoft", "apple"
    pub provider: String,
    /// Cookie domains of the provider's sign-in.
    pub cookie_domains: Vec<String>,
    /// Cookie names that mean signed in (any of them).
    pub cookie_names: Vec<String>,
}

/// One envelope pair with whole key names (from [`Envelopes`] or the older
/// [`CurrentBuild`]).
#[derive(Debug, Clone, PartialEq)]
pub struct EnvelopeKeys {
    pub user_key: Option<String>,
    pub space_key: Option<String>,
    pub value_field: String,
    pub timestamp_field: String,
    /// Where it was seen, for evidence: "Local Storage LRU:KeyValueStore2:current-user-id, current-space-id".
    pub label: String,
}

impl AppSpec {
    /// Every key pattern: `key_patterns`, then the older `workspace_keys`.
    pub fn all_key_patterns(&self) -> Vec<KeyPattern> {
        let mut out = self.key_patterns.clone();
        for wk in &self.workspace_keys {
            // A prefix with braces cannot be a pattern; `check` says so.
            if let Ok(pattern) = Pattern::parse(&format!("{}{{space:text}}", wk.prefix)) {
                out.push(KeyPattern {
                    pattern,
                    name_field: Some(wk.name_field.clone()),
                    user_field: Some(wk.user_field.clone()),
                });
            }
        }
        out
    }

    /// Every envelope pair with whole key names.
    pub fn envelope_pairs(&self) -> Vec<EnvelopeKeys> {
        let mut out = Vec::new();
        if let Some(e) = &self.envelopes {
            for p in &e.pairs {
                let names: Vec<&str> = [p.user.as_deref(), p.space.as_deref()]
                    .into_iter()
                    .flatten()
                    .collect();
                out.push(EnvelopeKeys {
                    user_key: p.user.as_ref().map(|u| format!("{}{u}", e.prefix)),
                    space_key: p.space.as_ref().map(|s| format!("{}{s}", e.prefix)),
                    value_field: e.value_field.clone(),
                    timestamp_field: e.timestamp_field.clone(),
                    label: format!("Local Storage {}{}", e.prefix, names.join(", ")),
                });
            }
        }
        if let Some(cb) = &self.current_build {
            out.push(EnvelopeKeys {
                user_key: Some(cb.user_key.clone()),
                space_key: Some(cb.space_key.clone()),
                value_field: cb.value_field.clone(),
                timestamp_field: default_timestamp_field(),
                label: format!("Local Storage {}, {}", cb.user_key, cb.space_key),
            });
        }
        out
    }

    /// Whole key names of the workspace-map envelopes, with their value field.
    pub fn space_map_keys(&self) -> Vec<(String, String)> {
        self.envelopes
            .iter()
            .flat_map(|e| {
                e.space_maps
                    .iter()
                    .map(|m| (format!("{}{m}", e.prefix), e.value_field.clone()))
            })
            .collect()
    }

    /// Rules the types cannot say: a problem per line, with its JSON path.
    pub fn check(&self) -> Result<(), String> {
        let mut problems = Vec::new();
        for (i, wk) in self.workspace_keys.iter().enumerate() {
            if let Err(e) = Pattern::parse(&format!("{}{{space:text}}", wk.prefix)) {
                problems.push(format!("at workspace_keys[{i}].prefix: {e}"));
            }
        }
        for (i, kp) in self.key_patterns.iter().enumerate() {
            if !kp.pattern.captures(Capture::Space)
                && !kp.pattern.captures(Capture::User)
                && kp.user_field.is_none()
            {
                problems.push(format!("at key_patterns[{i}].pattern: it captures nothing"));
            }
        }
        if let Some(e) = &self.envelopes {
            if e.prefix.is_empty() {
                problems.push("at envelopes.prefix: must not be empty".into());
            }
            for (i, p) in e.pairs.iter().enumerate() {
                if p.user.is_none() && p.space.is_none() {
                    problems.push(format!(
                        "at envelopes.pairs[{i}]: name a `user` envelope, a `space` envelope or both"
                    ));
                }
            }
        }
        for (i, uc) in self.user_cookies.iter().enumerate() {
            // The only values ever read (and decrypted) are the user-id
            // cookies: a secret must never be named here.
            if self.session_cookies.contains(&uc.name) {
                problems.push(format!(
                    "at user_cookies[{i}].name: `{}` is also a session cookie, a secret whose value is never read",
                    uc.name
                ));
            } else if uc.name.to_ascii_lowercase().contains("token") {
                problems.push(format!(
                    "at user_cookies[{i}].name: `{}` looks like a token; only cookies naming accounts may be read",
                    uc.name
                ));
            }
        }
        if problems.is_empty() {
            Ok(())
        } else {
            Err(problems.join("; "))
        }
    }
}
