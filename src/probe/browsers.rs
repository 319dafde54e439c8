//! The browsers a scan knows, where each keeps its data per OS layout, and the
//! names its processes run under.

use std::path::PathBuf;

use super::layout::{Home, Layout};

/// Store format family of a browser.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Family {
    Chromium,
    Firefox,
}

/// One known browser.
#[derive(Debug, Clone, Copy)]
pub struct Browser {
    /// Machine id ("chrome", "edge", "firefox").
    pub id: &'static str,
    /// Display name ("Chrome").
    pub name: &'static str,
    pub family: Family,
    /// User data folders relative to `local_app_data` (Chromium) or
    /// `roaming_app_data` (Firefox), per layout; `~/` means relative to the
    /// home (Linux snap and flatpak installs). The first is the usual one.
    linux: &'static [&'static str],
    macos: &'static [&'static str],
    windows: &'static [&'static str],
    /// Process names (as shown by the OS; Linux truncates to 15 characters).
    pub processes: &'static [&'static str],
    /// Fragments of executable paths that identify the browser
    /// (lowercase, `/` separators).
    pub exe_hints: &'static [&'static str],
}

/// Every browser the probes look for.
pub const BROWSERS: &[Browser] = &[
    Browser {
        id: "chrome",
        name: "Chrome",
        family: Family::Chromium,
        linux: &[
            "google-chrome",
            "~/.var/app/com.google.Chrome/config/google-chrome",
        ],
        macos: &["Google/Chrome"],
        windows: &["Google/Chrome/User Data"],
        processes: &["chrome", "Google Chrome", "chrome.exe"],
        exe_hints: &[
            "/opt/google/chrome/",
            "google chrome.app/",
            "/google/chrome/application/",
        ],
    },
    Browser {
        id: "chromium",
        name: "Chromium",
        family: Family::Chromium,
        linux: &[
            "chromium",
            "~/snap/chromium/common/chromium",
            "~/.var/app/org.chromium.Chromium/config/chromium",
        ],
        macos: &["Chromium"],
        windows: &["Chromium/User Data"],
        processes: &["chromium", "chromium-browser", "Chromium", "chromium.exe"],
        exe_hints: &["/usr/lib/chromium/", "/chromium-browser/", "chromium.app/"],
    },
    Browser {
        id: "edge",
        name: "Edge",
        family: Family::Chromium,
        linux: &[
            "microsoft-edge",
            "~/.var/app/com.microsoft.Edge/config/microsoft-edge",
        ],
        macos: &["Microsoft Edge"],
        windows: &["Microsoft/Edge/User Data"],
        processes: &["msedge", "Microsoft Edge", "msedge.exe"],
        exe_hints: &[
            "/opt/microsoft/msedge/",
            "microsoft edge.app/",
            "/microsoft/edge/application/",
        ],
    },
    Browser {
        id: "brave",
        name: "Brave",
        family: Family::Chromium,
        linux: &[
            "BraveSoftware/Brave-Browser",
            "~/snap/brave/current/.config/BraveSoftware/Brave-Browser",
            "~/.var/app/com.brave.Browser/config/BraveSoftware/Brave-Browser",
        ],
        macos: &["BraveSoftware/Brave-Browser"],
        windows: &["BraveSoftware/Brave-Browser/User Data"],
        processes: &["brave", "Brave Browser", "brave.exe"],
        exe_hints: &[
            "/brave.com/brave/",
            "brave browser.app/",
            "/bravesoftware/brave-browser/",
        ],
    },
    Browser {
        id: "vivaldi",
        name: "Vivaldi",
        family: Family::Chromium,
        linux: &["vivaldi", "~/.var/app/com.vivaldi.Vivaldi/config/vivaldi"],
        macos: &["Vivaldi"],
        windows: &["Vivaldi/User Data"],
        processes: &["vivaldi-bin", "vivaldi", "Vivaldi", "vivaldi.exe"],
        exe_hints: &["/opt/vivaldi/", "vivaldi.app/", "/vivaldi/application/"],
    },
    Browser {
        id: "firefox",
        name: "Firefox",
        family: Family::Firefox,
        // Relative to the home (Linux) or the roaming app data folder.
        linux: &[
            "~/.mozilla/firefox",
            "~/.config/mozilla/firefox",
            "~/snap/firefox/common/.mozilla/firefox",
            "~/.var/app/org.mozilla.firefox/.mozilla/firefox",
        ],
        macos: &["Firefox"],
        windows: &["Mozilla/Firefox"],
        processes: &[
            "firefox",
            "firefox-esr",
            "firefox-bin",
            "firefox.exe",
            "Firefox",
        ],
        exe_hints: &["/usr/lib/firefox", "/firefox.app/", "/mozilla firefox/"],
    },
];

impl Browser {
    /// Look a browser up by id.
    pub fn by_id(id: &str) -> Option<&'static Browser> {
        BROWSERS.iter().find(|b| b.id == id)
    }

    /// Candidate data roots under `home`: the Chromium "User Data" folder, or
    /// the Firefox folder holding `profiles.ini`.
    pub fn roots(&self, home: &Home) -> Vec<PathBuf> {
        let rel = match home.layout {
            Layout::Linux => self.linux,
            Layout::Macos => self.macos,
            Layout::Windows => self.windows,
        };
        let base = match self.family {
            Family::Chromium => home.local_app_data(),
            Family::Firefox => home.roaming_app_data(),
        };
        rel.iter()
            .map(|r| match r.strip_prefix("~/") {
                Some(from_home) => home.root.join(from_home),
                None => base.join(r),
            })
            .collect()
    }

    /// Suffix of a store id for a non-default install ("@snap", "@flatpak").
    pub fn install_tag(root: &std::path::Path, home: &Home) -> &'static str {
        let rel = root.strip_prefix(&home.root).unwrap_or(root);
        let rel = rel.to_string_lossy();
        if rel.starts_with("snap/") {
            "@snap"
        } else if rel.starts_with(".var/app/") {
            "@flatpak"
        } else {
            ""
        }
    }
}
