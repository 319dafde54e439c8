//! A demo sandbox described as data: `flows/<id>.demo.json` beside a
//! built-in flow (embedded by `build.rs`) names the stores to write, with
//! made-up Local Storage entries and cookies, the lines that tell the user
//! what the sandbox holds, and the answers `demo --yes` gives. So another
//! app's demo is a file, not Rust. The default flow's sandbox stays the
//! hand-written [`crate::demo`] home.

use std::io;
use std::path::Path;

use serde::Deserialize;
use serde_json::{Value, json};

use crate::demo::{write_cookies, write_json, write_local_storage};
use crate::probe::browsers::Browser;
use crate::probe::{Home, Layout};

/// (flow id, file name, text) of every built-in demo sandbox.
pub const BUILTIN_DEMOS: &[(&str, &str, &str)] =
    include!(concat!(env!("OUT_DIR"), "/builtin_demos.rs"));

/// A sandbox home, as data.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DemoHome {
    #[serde(rename = "$comment", default)]
    _comment: Option<String>,
    /// What the sandbox holds, one line each, shown before the scan.
    pub about: Vec<String>,
    /// `question=option` answers `demo --yes` gives (it never answers
    /// questions with no default on its own).
    #[serde(default)]
    pub answers: Vec<String>,
    pub stores: Vec<DemoStore>,
}

/// One store of the sandbox.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DemoStore {
    /// `chrome` (profile `Default`) or `desktop` (an app's data folder).
    #[serde(rename = "in")]
    pub place: Place,
    /// The profile's display name (Chrome) or the data folder's name (desktop).
    pub name: String,
    #[serde(default)]
    pub local_storage: Vec<DemoEntry>,
    #[serde(default)]
    pub cookies: Vec<DemoCookie>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Place {
    Chrome,
    Desktop,
}

/// A Local Storage entry; a value that is not a string is stored as its JSON text.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DemoEntry {
    pub origin: String,
    pub key: String,
    pub value: Value,
}

/// A cookie, encrypted as Chromium does on Linux unless `encrypted` is false.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DemoCookie {
    pub host: String,
    pub name: String,
    pub value: String,
    #[serde(default = "yes")]
    pub encrypted: bool,
}

fn yes() -> bool {
    true
}

/// The demo sandbox of the built-in flow `flow`, if it has one.
pub fn demo_of(flow: &str) -> Option<Result<DemoHome, String>> {
    let (_, file, text) = BUILTIN_DEMOS.iter().find(|(id, _, _)| *id == flow)?;
    Some(serde_json::from_str(text).map_err(|e| format!("{file}: {e}")))
}

fn bad(what: String) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, what)
}

/// Write `demo`'s stores under `root` in `layout`.
pub fn write(root: &Path, layout: Layout, demo: &DemoHome) -> io::Result<Home> {
    let home = Home::new(root, layout, true);
    for store in &demo.stores {
        let mut by_origin: Vec<(String, Vec<(String, String)>)> = Vec::new();
        for e in &store.local_storage {
            let value = match &e.value {
                Value::String(s) => s.clone(),
                v => v.to_string(),
            };
            if !(e.key.is_ascii() && value.is_ascii() && e.origin.is_ascii()) {
                return Err(bad(format!("demo entry {}: only ASCII is written", e.key)));
            }
            match by_origin.iter_mut().find(|(o, _)| *o == e.origin) {
                Some((_, list)) => list.push((e.key.clone(), value)),
                None => by_origin.push((e.origin.clone(), vec![(e.key.clone(), value)])),
            }
        }
        let cookies: Vec<(&str, &str, &str, bool)> = store
            .cookies
            .iter()
            .map(|c| {
                (
                    c.host.as_str(),
                    c.name.as_str(),
                    c.value.as_str(),
                    c.encrypted,
                )
            })
            .collect();
        let dir = match store.place {
            Place::Chrome => chrome_profile(&home, &store.name)?,
            Place::Desktop => {
                if store.name.is_empty() || store.name.contains(['/', '\\', '.']) {
                    return Err(bad(format!("`{}` is not a plain folder name", store.name)));
                }
                let data = home.roaming_app_data().join(&store.name);
                write_json(
                    &data.join("Preferences"),
                    &json!({"spellcheck": {"dictionaries": ["en-US"]}}),
                )?;
                data
            }
        };
        let entries: Vec<(&str, String, String)> = by_origin
            .iter()
            .flat_map(|(origin, entries)| {
                entries
                    .iter()
                    .map(move |(k, v)| (origin.as_str(), k.clone(), v.clone()))
            })
            .collect();
        if !entries.is_empty() {
            write_local_storage(&dir.join("Local Storage/leveldb"), &entries)?;
        }
        let db = if store.place == Place::Chrome && layout == Layout::Windows {
            dir.join("Network/Cookies")
        } else {
            dir.join("Cookies")
        };
        write_cookies(&db, &cookies)?;
    }
    Ok(home)
}

/// Chrome's profile `Default` named `name` (sync off); returns its folder.
fn chrome_profile(home: &Home, name: &str) -> io::Result<std::path::PathBuf> {
    let udd = Browser::by_id("chrome")
        .and_then(|b| b.roots(home).into_iter().next())
        .ok_or_else(|| io::Error::other("no Chrome folder in this layout"))?;
    write_json(
        &udd.join("Local State"),
        &json!({"profile": {"info_cache": {"Default": {"name": name}}, "last_used": "Default"}}),
    )?;
    let profile = udd.join("Default");
    write_json(
        &profile.join("Preferences"),
        &json!({"profile": {"name": name, "exit_type": "Normal"}}),
    )?;
    Ok(profile)
}

/// What `troubleshoot demo` shows and answers for a flow's sandbox.
#[derive(Debug)]
pub struct Sandbox {
    pub about: Vec<String>,
    /// Given with `--yes`, and the line saying so.
    pub answers: Vec<String>,
    pub answers_note: String,
}

/// The flows `demo --flow` can run: the default flow and every flow with
/// a demo file.
pub fn demo_flows() -> Vec<&'static str> {
    let mut ids = vec![crate::flow::builtin::DEFAULT_FLOW];
    ids.extend(BUILTIN_DEMOS.iter().map(|(id, _, _)| *id));
    ids
}

/// Build the sandbox of `flow` under `root`; an error says what went wrong
/// (a flow without a sandbox names the ones that have one).
pub fn sandbox(flow: &str, root: &Path, layout: Layout) -> Result<Sandbox, String> {
    if flow == crate::flow::builtin::DEFAULT_FLOW {
        crate::demo::demo_home_in(root, layout)
            .map_err(|e| format!("building the sandbox home: {e}"))?;
        return Ok(Sandbox {
            about: vec![
                "It holds one Notion account, alex@example.com, with two workspaces (Acme Corp, Acme Labs),".into(),
                "signed in in Chrome (profile Person 1, browser sync on) and in the Notion desktop app,".into(),
                "which signs in through a linked Google account.".into(),
            ],
            // --yes never picks a target or does a manual step; in the
            // sandbox there is nobody to do Notion's own Log out, so the
            // demo names the sandbox's workspace in Chrome and the way that
            // changes the sandbox itself, and says so.
            answers: vec![
                format!("workspace={}@chrome/Default", crate::demo::WORKSPACES[0].0),
                "method=clear-site".into(),
            ],
            answers_note: "With --yes the demo picks Acme Corp in Chrome and clears Notion's sign-in data there (then undoes it).".into(),
        });
    }
    let demo = demo_of(flow).ok_or_else(|| {
        format!(
            "flow `{flow}` has no demo sandbox (demos: {})",
            demo_flows().join(", ")
        )
    })??;
    write(root, layout, &demo).map_err(|e| format!("building the sandbox home: {e}"))?;
    let answers_note = format!(
        "With --yes the demo gives the answers a user would: {}.",
        demo.answers.join(", ")
    );
    Ok(Sandbox {
        about: demo.about,
        answers: demo.answers,
        answers_note,
    })
}
