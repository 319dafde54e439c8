//! OS layouts: where each browser and app keeps its data under a home folder.

use std::path::{Path, PathBuf};

pub use crate::os::Layout;

/// The home folder being inspected, in a layout.
#[derive(Debug, Clone)]
pub struct Home {
    pub root: PathBuf,
    pub layout: Layout,
    /// True when `--root` was given: "running" then comes from lock files only,
    /// because the process list belongs to this machine, not to that home.
    pub explicit_root: bool,
}

impl Home {
    pub fn new(root: impl Into<PathBuf>, layout: Layout, explicit_root: bool) -> Home {
        Home {
            root: root.into(),
            layout,
            explicit_root,
        }
    }

    /// `%LOCALAPPDATA%`, `~/Library/Application Support` or `~/.config`.
    pub fn local_app_data(&self) -> PathBuf {
        match self.layout {
            Layout::Linux => self.root.join(".config"),
            Layout::Macos => self.root.join("Library/Application Support"),
            Layout::Windows => self.root.join("AppData/Local"),
        }
    }

    /// `%APPDATA%`, `~/Library/Application Support` or `~/.config`.
    pub fn roaming_app_data(&self) -> PathBuf {
        match self.layout {
            Layout::Linux => self.root.join(".config"),
            Layout::Macos => self.root.join("Library/Application Support"),
            Layout::Windows => self.root.join("AppData/Roaming"),
        }
    }

    /// Replace the home prefix of a path with `~` for display and reports.
    pub fn display(&self, path: &Path) -> String {
        match path.strip_prefix(&self.root) {
            Ok(rest) if rest.as_os_str().is_empty() => "~".to_string(),
            Ok(rest) => format!("~/{}", rest.display()),
            Err(_) => path.display().to_string(),
        }
    }
}
