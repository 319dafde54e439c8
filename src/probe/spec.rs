//! What to look for, as data: the parameters of the `app-sessions` probe.
//! A flow names the origins, key patterns, cookie names, app folders and
//! process names; the probe code knows only browsers and store formats.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

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
    /// Local Storage keys in the article's convention: one key per workspace.
    #[serde(default)]
    pub workspace_keys: Vec<WorkspaceKey>,
    /// Signals of a current build signed in without per-workspace keys.
    #[serde(default)]
    pub current_build: Option<CurrentBuild>,
    /// Cookies whose (non-secret) value lists the signed-in user ids.
    #[serde(default)]
    pub user_cookies: Vec<UserCookie>,
    /// The desktop (Electron) app, if there is one.
    #[serde(default)]
    pub desktop: Option<DesktopSpec>,
    /// Identity providers whose sign-in cookies mean a linked account.
    #[serde(default)]
    pub linked_accounts: Vec<LinkedAccount>,
}

/// A key pattern: `prefix` followed by the workspace id.
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

/// Keys of a current Notion build (`LRU:KeyValueStore2:*`, JSON with `.value`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CurrentBuild {
    /// Key whose `.value` is the current user id; its presence means signed in.
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

impl AppSpec {
    /// The Notion parameters of the `notion-signout` flow: both origins and
    /// cookie domains, the article's `notion:workspace:` keys, the current
    /// build's `LRU:KeyValueStore2:*` keys, the user-id cookies, the desktop
    /// app and the Google / Microsoft / Apple sign-in cookies. Flows carry
    /// their own copy; this one serves tests, the demo and benchmarks.
    pub fn notion() -> AppSpec {
        AppSpec {
            app: "Notion".into(),
            origins: vec![
                "https://www.notion.so".into(),
                "https://app.notion.com".into(),
            ],
            cookie_domains: vec!["notion.so".into(), "notion.com".into()],
            workspace_keys: vec![WorkspaceKey {
                prefix: "notion:workspace:".into(),
                name_field: default_name_field(),
                user_field: default_user_field(),
            }],
            current_build: Some(CurrentBuild {
                user_key: "LRU:KeyValueStore2:current-user-id".into(),
                space_key: "LRU:KeyValueStore2:lastVisitedRouteSpaceId".into(),
                value_field: default_value_field(),
            }),
            user_cookies: vec![
                UserCookie {
                    name: "notion_users".into(),
                    format: UserCookieFormat::UrlencodedJsonList,
                },
                UserCookie {
                    name: "notion_user_id".into(),
                    format: UserCookieFormat::Plain,
                },
            ],
            desktop: Some(DesktopSpec {
                folder: "Notion".into(),
                partition: "Partitions/notion".into(),
                processes: vec!["Notion".into(), "Notion.exe".into(), "Notion Helper".into()],
            }),
            linked_accounts: vec![
                LinkedAccount {
                    provider: "google".into(),
                    cookie_domains: vec!["google.com".into(), "accounts.google.com".into()],
                    cookie_names: vec![
                        "SID".into(),
                        "__Secure-1PSID".into(),
                        "__Secure-3PSID".into(),
                        "LSID".into(),
                    ],
                },
                LinkedAccount {
                    provider: "microsoft".into(),
                    cookie_domains: vec![
                        "login.microsoftonline.com".into(),
                        "login.live.com".into(),
                    ],
                    cookie_names: vec![
                        "ESTSAUTH".into(),
                        "ESTSAUTHPERSISTENT".into(),
                        "MSPAuth".into(),
                    ],
                },
                LinkedAccount {
                    provider: "apple".into(),
                    cookie_domains: vec!["appleid.apple.com".into(), "idmsa.apple.com".into()],
                    cookie_names: vec!["myacinfo".into()],
                },
            ],
        }
    }
}
