//! The parameters of the `keyed-sessions` probe: an app whose Local Storage
//! holds one JSON key listing every signed-in session as an object keyed
//! by session id, each with a credential field, and whose cookie store
//! holds one credential cookie for all of them. All data: the probe code
//! knows browsers and store formats, never an app.

use std::path::{Component, Path};

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use super::spec::AppSpec;

/// Parameters of the `keyed-sessions` probe.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct KeyedSpec {
    /// Display name of the app.
    pub app: String,
    /// Web origins whose Local Storage holds the sessions key.
    pub origins: Vec<String>,
    /// Cookie domains (without a leading dot); host-only and domain
    /// cookies on these hosts and their subdomains count.
    pub cookie_domains: Vec<String>,
    /// Cookies whose presence on those domains means the store holds the
    /// sign-in credential. Secrets: only their names are read, never values.
    pub credential_cookies: Vec<String>,
    /// The Local Storage key listing the sessions.
    pub sessions_key: SessionsKey,
    /// The desktop (Electron) app, if there is one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub desktop: Option<DesktopStores>,
}

/// A Local Storage key whose JSON value holds an object keyed by session
/// id; an entry is signed in when its credential field is present and not
/// empty (and the store holds a credential cookie).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SessionsKey {
    /// The key name.
    pub key: String,
    /// Dotted path, inside the key's JSON value, of the object keyed by
    /// session id.
    pub object: String,
    /// Field of an entry naming the session (its workspace name).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name_field: Option<String>,
    /// Field of an entry holding the account id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_field: Option<String>,
    /// Field of an entry holding the session's address (shown, never a secret).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url_field: Option<String>,
    /// Field of an entry that holds its credential: present and not empty
    /// means signed in. Its value is never copied into the facts.
    pub credential_field: String,
    /// Dotted path of the id of the active session.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub active: Option<String>,
    /// Dotted paths of other objects keyed by session id whose entries are
    /// sessions known but not signed in (ended, expired).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub listed: Vec<String>,
}

/// Where the desktop app keeps its data.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DesktopStores {
    /// Folder name under the OS's roaming app-data folder (`~/.config`,
    /// `~/Library/Application Support`, `%APPDATA%`).
    pub folder: String,
    /// Subfolder holding Local Storage and cookies; empty for the folder itself.
    #[serde(default)]
    pub partition: String,
    /// Process names of the app.
    pub processes: Vec<String>,
    /// Other installs' data folders, relative to the home, per layout
    /// (Snap, Flatpak, the Mac App Store, the Microsoft Store).
    #[serde(default, skip_serializing_if = "OtherFolders::is_empty")]
    pub other_folders: OtherFolders,
}

/// Data folders of other installs, relative to the home, per OS layout.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct OtherFolders {
    #[serde(default)]
    pub linux: Vec<String>,
    #[serde(default)]
    pub macos: Vec<String>,
    #[serde(default)]
    pub windows: Vec<String>,
}

impl OtherFolders {
    fn is_empty(&self) -> bool {
        self.linux.is_empty() && self.macos.is_empty() && self.windows.is_empty()
    }
}

/// A relative path that stays inside its base: no root, no `..`.
fn plain_relative(p: &str) -> bool {
    !p.is_empty()
        && Path::new(p)
            .components()
            .all(|c| matches!(c, Component::Normal(_)))
}

impl KeyedSpec {
    /// What serde cannot say: paths stay inside their base, lists are not empty.
    pub fn check(&self) -> Result<(), String> {
        let mut problems = Vec::new();
        if self.origins.is_empty() {
            problems.push("at origins: name at least one origin".to_string());
        }
        if self.credential_cookies.is_empty() {
            problems.push("at credential_cookies: name at least one cookie".to_string());
        }
        let k = &self.sessions_key;
        if k.key.is_empty() {
            problems.push("at sessions_key.key: must not be empty".into());
        }
        if k.credential_field.is_empty() {
            problems.push("at sessions_key.credential_field: must not be empty".into());
        }
        for (at, path) in [("object", &k.object)]
            .into_iter()
            .chain(k.listed.iter().map(|l| ("listed", l)))
            .chain(k.active.iter().map(|a| ("active", a)))
        {
            if path.is_empty() || path.split('.').any(str::is_empty) {
                problems.push(format!(
                    "at sessions_key.{at}: `{path}` is not a dotted path"
                ));
            }
        }
        if let Some(d) = &self.desktop {
            if !plain_relative(&d.folder) || d.folder.contains(['/', '\\']) {
                problems.push(format!(
                    "at desktop.folder: `{}` is not a plain folder name",
                    d.folder
                ));
            }
            if !d.partition.is_empty() && !plain_relative(&d.partition) {
                problems.push(format!(
                    "at desktop.partition: `{}` must be a relative path inside the app's folder",
                    d.partition
                ));
            }
            let o = &d.other_folders;
            for (layout, list) in [
                ("linux", &o.linux),
                ("macos", &o.macos),
                ("windows", &o.windows),
            ] {
                for p in list.iter().filter(|p| !plain_relative(p)) {
                    problems.push(format!(
                        "at desktop.other_folders.{layout}: `{p}` must be a relative path inside the home"
                    ));
                }
            }
        }
        if problems.is_empty() {
            Ok(())
        } else {
            Err(problems.join("; "))
        }
    }
}

impl KeyedSpec {
    /// The same stores in the shape the store-changing actions plan with
    /// ([`AppSpec`]: origins, cookie domains, the desktop folder), so an
    /// action takes its evidence from this probe as from `app-sessions`.
    pub fn store_spec(&self) -> Result<AppSpec, String> {
        let mut v = json!({
            "app": self.app,
            "origins": self.origins,
            "cookie_domains": self.cookie_domains,
            "session_cookies": self.credential_cookies,
        });
        if let Some(d) = &self.desktop {
            v["desktop"] = json!({
                "folder": d.folder,
                "partition": d.partition,
                "processes": d.processes,
            });
        }
        serde_json::from_value(v).map_err(|e| e.to_string())
    }
}

/// Parse and check `keyed-sessions` parameters; an error names the path
/// of the wrong value (`at sessions_key.key: ...`).
pub fn parse(params: &Value) -> Result<KeyedSpec, String> {
    let spec: KeyedSpec =
        serde_path_to_error::deserialize(params.clone()).map_err(|e| {
            match e.path().to_string().as_str() {
                "." | "" => e.into_inner().to_string(),
                path => format!("at {path}: {}", e.into_inner()),
            }
        })?;
    spec.check()?;
    Ok(spec)
}

/// The store description in `keyed-sessions` parameters, for an action
/// whose evidence that probe found; an error names the wrong value.
pub fn store_spec_of(params: &Value) -> Result<AppSpec, String> {
    parse(params)?.store_spec()
}

/// The value at a dotted path of `v` ("teams", "a.b").
pub(super) fn dig<'v>(v: &'v Value, path: &str) -> Option<&'v Value> {
    path.split('.').try_fold(v, |v, part| v.get(part))
}
