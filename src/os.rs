//! The operating system as this tool sees it: the folder layout a home
//! follows, whether a process lives, this machine's name. A leaf module:
//! the readers, the probes and the signal handling all ask it.

use serde::{Deserialize, Serialize};

/// Which operating system's folder conventions to apply under the home.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum Layout {
    Linux,
    Macos,
    Windows,
}

impl Layout {
    /// The layout of the running OS.
    pub fn current() -> Layout {
        if cfg!(target_os = "windows") {
            Layout::Windows
        } else if cfg!(target_os = "macos") {
            Layout::Macos
        } else {
            Layout::Linux
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Layout::Linux => "linux",
            Layout::Macos => "macos",
            Layout::Windows => "windows",
        }
    }
}

/// True when a process with this id exists on this machine.
pub fn pid_alive(pid: i64) -> bool {
    if pid <= 0 || pid > i64::from(i32::MAX) {
        return false;
    }
    #[cfg(unix)]
    {
        // Signal 0 checks existence and permission without sending anything.
        use nix::sys::signal::kill;
        use nix::unistd::Pid;
        match kill(Pid::from_raw(pid as i32), None) {
            Ok(()) => true,
            Err(e) => e == nix::errno::Errno::EPERM,
        }
    }
    #[cfg(not(unix))]
    {
        let mut sys = match sysinfo::System::new() {
            Ok(s) => s,
            Err(_) => return false,
        };
        let p = sysinfo::Pid::from_u32(pid as u32);
        sys.refresh_processes(sysinfo::ProcessesToUpdate::Some(&[p]), true);
        sys.process(p).is_some()
    }
}

/// This machine's host name ("" when unknown).
pub fn this_hostname() -> String {
    #[cfg(unix)]
    {
        nix::unistd::gethostname()
            .map(|h| h.to_string_lossy().into_owned())
            .unwrap_or_default()
    }
    #[cfg(not(unix))]
    {
        sysinfo::System::host_name().unwrap_or_default()
    }
}
