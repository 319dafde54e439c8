//! Where a run ran, for its record: the operating system (name and version,
//! from sysinfo, which reads `/etc/os-release` on Linux), the architecture,
//! and the versions of the programs whose data the scan read, from their own
//! files:
//!
//! - Chromium browsers: the `Last Version` file of the user data folder,
//!   else the profile's `Preferences` (`extensions.last_chrome_version`);
//! - Firefox: the profile's `compatibility.ini` (`LastVersion=128.5.0_…`);
//! - the desktop app: its bundle's `Info.plist` (macOS layout), where found.
//!
//! Each file is read only when it is a regular file (never through a link)
//! of bounded size, and a version is kept only when it looks like one, so a
//! hostile home cannot put prose or a path into the record this way.

use std::io::Read;
use std::path::{Path, PathBuf};

use serde_json::Value;

use super::record::{Host, ProgramVersion};
use crate::probe::{Home, Layout};

/// The largest file read for a version (a `Preferences` file is the biggest).
const MAX_READ: u64 = 8 << 20;

/// The host of this run, and the versions of the browsers and desktop app
/// the session evidence `scan` (the `app-sessions` probe's facts, under
/// whatever namespace the flow gave them; `None` when it did not run)
/// names; `app` is the desktop app's name (the probe's `app`).
pub fn collect(home: &Home, scan: Option<&Value>, app: &str) -> Host {
    let clean = |s: Result<String, sysinfo::Error>| {
        s.ok()
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty())
    };
    let os = clean(sysinfo::System::name()).unwrap_or_else(|| std::env::consts::OS.to_string());
    let mut host = Host {
        os,
        os_version: clean(sysinfo::System::os_version()),
        kernel: clean(sysinfo::System::kernel_version()),
        arch: std::env::consts::ARCH.to_string(),
        browsers: Vec::new(),
        desktop_app: None,
    };
    let Some(scan) = scan else {
        return host;
    };
    for b in scan
        .get("browsers")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let str_of = |k: &str| b.get(k).and_then(Value::as_str).unwrap_or("");
        let (name, id, path) = (str_of("browser"), str_of("browser_id"), str_of("path"));
        if name.is_empty() || path.is_empty() {
            continue;
        }
        let v = if id == "firefox" {
            firefox_version(Path::new(path))
        } else {
            chromium_version(Path::new(path))
        };
        let entry = ProgramVersion {
            name: name.to_string(),
            version: v.as_ref().map(|(v, _)| v.clone()),
            source: v.map_or_else(
                || "no file of its profile names its version".to_string(),
                |(_, s)| s.to_string(),
            ),
        };
        // One line per browser and version, however many profiles share it.
        if !host
            .browsers
            .iter()
            .any(|e| e.name == entry.name && e.version == entry.version)
        {
            host.browsers.push(entry);
        }
    }
    // A browser with a known version needs no "unknown" line beside it.
    let known: Vec<String> = host
        .browsers
        .iter()
        .filter(|e| e.version.is_some())
        .map(|e| e.name.clone())
        .collect();
    host.browsers
        .retain(|e| e.version.is_some() || !known.contains(&e.name));
    if let Some(d) = scan.get("desktop_app")
        && d.get("installed").and_then(Value::as_bool) == Some(true)
    {
        let found = desktop_version(home, app);
        host.desktop_app = Some(ProgramVersion {
            name: format!("{app} desktop app"),
            version: found.as_ref().map(|(v, _)| v.clone()),
            source: found.map_or_else(
                || "no file of the app names its version".to_string(),
                |(_, s)| s,
            ),
        });
    }
    host
}

/// A regular file's text (not through a link), at most [`MAX_READ`] bytes.
fn read_small(path: &Path) -> Option<String> {
    let meta = std::fs::symlink_metadata(path).ok()?;
    if !meta.is_file() || meta.len() > MAX_READ {
        return None;
    }
    let mut text = String::new();
    std::fs::File::open(path)
        .ok()?
        .take(MAX_READ)
        .read_to_string(&mut text)
        .ok()?;
    Some(text)
}

/// `s` when it looks like a version: digits first, then digits, letters and
/// `.` `-` `+` `_`, at most 40 characters.
fn version_like(s: &str) -> Option<String> {
    let s = s.trim();
    let ok = !s.is_empty()
        && s.len() <= 40
        && s.starts_with(|c: char| c.is_ascii_digit())
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || ".-+_".contains(c));
    ok.then(|| s.to_string())
}

fn chromium_version(profile: &Path) -> Option<(String, &'static str)> {
    if let Some(v) = profile
        .parent()
        .and_then(|dir| read_small(&dir.join("Last Version")))
        .and_then(|t| t.lines().next().and_then(version_like))
    {
        return Some((v, "its Last Version file"));
    }
    let prefs: Value = serde_json::from_str(&read_small(&profile.join("Preferences"))?).ok()?;
    prefs
        .pointer("/extensions/last_chrome_version")
        .and_then(Value::as_str)
        .and_then(version_like)
        .map(|v| (v, "the profile's Preferences"))
}

fn firefox_version(profile: &Path) -> Option<(String, &'static str)> {
    let text = read_small(&profile.join("compatibility.ini"))?;
    text.lines()
        .filter_map(|l| l.trim().strip_prefix("LastVersion="))
        // `128.5.0_20241118123456/20241118123456`: the version, then the build.
        .find_map(|v| version_like(v.split(['_', '/']).next().unwrap_or("")))
        .map(|v| (v, "the profile's compatibility.ini"))
}

/// The desktop app's version from its bundle, where the layout has one.
fn desktop_version(home: &Home, app: &str) -> Option<(String, String)> {
    if home.layout != Layout::Macos {
        return None;
    }
    let bundle = format!("Applications/{app}.app/Contents/Info.plist");
    let mut places: Vec<PathBuf> = vec![home.root.join(&bundle)];
    if !home.explicit_root && cfg!(target_os = "macos") {
        places.push(Path::new("/").join(&bundle));
    }
    places.iter().find_map(|p| {
        plist_string(&read_small(p)?, "CFBundleShortVersionString")
            .and_then(|v| version_like(&v))
            .map(|v| (v, format!("{app}.app's Info.plist")))
    })
}

/// The `<string>` after `<key>KEY</key>` in an XML property list.
fn plist_string(text: &str, key: &str) -> Option<String> {
    let at = text.find(&format!("<key>{key}</key>"))?;
    let rest = &text[at..];
    let start = rest.find("<string>")? + "<string>".len();
    let end = rest[start..].find("</string>")?;
    Some(rest[start..start + end].to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_are_read_from_the_programs_files() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        let chrome = root.join(".config/google-chrome");
        std::fs::create_dir_all(chrome.join("Default")).unwrap();
        std::fs::create_dir_all(chrome.join("Profile 1")).unwrap();
        std::fs::write(chrome.join("Last Version"), "131.0.6778.85\n").unwrap();
        let edge = root.join(".config/microsoft-edge/Default");
        std::fs::create_dir_all(&edge).unwrap();
        std::fs::write(
            edge.join("Preferences"),
            r#"{"extensions":{"last_chrome_version":"130.0.2849.80"}}"#,
        )
        .unwrap();
        let brave = root.join(".config/BraveSoftware/Brave-Browser/Default");
        std::fs::create_dir_all(&brave).unwrap();
        std::fs::write(brave.join("../Last Version"), "<b>hello</b> /etc/passwd").unwrap();
        let ff = root.join(".mozilla/firefox/x.default-release");
        std::fs::create_dir_all(&ff).unwrap();
        std::fs::write(
            ff.join("compatibility.ini"),
            "[Compatibility]\nLastVersion=128.5.0_20241118123456/20241118123456\nLastOSABI=Linux_x86_64-gcc3\n",
        )
        .unwrap();
        let b = |name: &str, id: &str, path: &Path| serde_json::json!({"browser": name, "browser_id": id, "path": path.display().to_string()});
        let facts = serde_json::json!({"scan": {
            "browsers": [
                b("Chrome", "chrome", &chrome.join("Default")),
                b("Chrome", "chrome", &chrome.join("Profile 1")),
                b("Edge", "edge", &edge),
                b("Brave", "brave", &brave),
                b("Firefox", "firefox", &ff),
            ],
            "desktop_app": {"installed": true},
            "sessions": [],
        }});
        let home = Home::new(root, Layout::Linux, true);
        let host = collect(&home, facts.get("scan"), "Notion");
        assert!(!host.os.is_empty() && !host.arch.is_empty());
        let got: Vec<(&str, Option<&str>)> = host
            .browsers
            .iter()
            .map(|e| (e.name.as_str(), e.version.as_deref()))
            .collect();
        assert_eq!(
            got,
            [
                ("Chrome", Some("131.0.6778.85")),
                ("Edge", Some("130.0.2849.80")),
                ("Brave", None),
                ("Firefox", Some("128.5.0")),
            ]
        );
        let app = host.desktop_app.unwrap();
        assert_eq!(app.name, "Notion desktop app");
        assert_eq!(app.version, None);

        // A macOS home: the app bundle's Info.plist.
        let plist = root.join("Applications/Notion.app/Contents");
        std::fs::create_dir_all(&plist).unwrap();
        std::fs::write(
            plist.join("Info.plist"),
            "<plist><dict><key>CFBundleName</key><string>Notion</string>\n<key>CFBundleShortVersionString</key>\n<string>4.5.0</string></dict></plist>",
        )
        .unwrap();
        let mac = Home::new(root, Layout::Macos, true);
        let app = collect(&mac, facts.get("scan"), "Notion")
            .desktop_app
            .unwrap();
        assert_eq!(app.version.as_deref(), Some("4.5.0"));
    }

    #[test]
    #[cfg(unix)]
    fn a_link_is_not_followed() {
        let dir = tempfile::tempdir().unwrap();
        let profile = dir.path().join("chrome/Default");
        std::fs::create_dir_all(&profile).unwrap();
        std::fs::write(dir.path().join("elsewhere"), "1.2.3").unwrap();
        std::os::unix::fs::symlink(
            dir.path().join("elsewhere"),
            dir.path().join("chrome/Last Version"),
        )
        .unwrap();
        assert_eq!(chromium_version(&profile), None);
    }
}
