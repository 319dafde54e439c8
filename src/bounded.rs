//! Bounded reads of files the tool does not own: the user's inputs (answers
//! files, flows, flow tests, reports) and the side files of browser stores
//! (`Local State`, `Preferences`, `prefs.js`, `profiles.ini`, …).
//!
//! A FIFO or a device (`/dev/zero`) must never block or fill memory, so
//! [`read`] opens without blocking (`O_NONBLOCK`, `O_NOCTTY`), refuses
//! anything but a regular file by the opened file's own type (no race with
//! a swap after a check), and reads at most the limit of its [`Kind`].

use std::fmt;
use std::io::Read;
use std::path::Path;

const KIB: u64 = 1024;
const MIB: u64 = 1024 * KIB;

/// What is read, which decides how much may be read (see the README).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// `--answers FILE`.
    Answers,
    /// A flow file (`run FILE`, `flows check`, `flows test`).
    Flow,
    /// A flow's `*.tests.json`.
    FlowTests,
    /// A run record or JSON report (`--from-report`, `report`).
    Record,
    /// A Chromium `Local State` or `Preferences`.
    ChromiumJson,
    /// Firefox's `prefs.js`.
    FirefoxPrefs,
    /// Firefox's `profiles.ini` or `installs.ini`.
    FirefoxIni,
    /// Firefox's `signedInUser.json`.
    FirefoxAccount,
    /// The desktop app's state file (`state.json`).
    AppState,
}

impl Kind {
    /// The most bytes read for this kind.
    pub const fn limit(self) -> u64 {
        match self {
            Kind::Answers => MIB,
            Kind::Flow => MIB,
            Kind::FlowTests => 4 * MIB,
            Kind::Record => 16 * MIB,
            Kind::ChromiumJson => 16 * MIB,
            Kind::FirefoxPrefs => 16 * MIB,
            Kind::FirefoxIni => MIB,
            Kind::FirefoxAccount => MIB,
            Kind::AppState => 16 * MIB,
        }
    }

    fn name(self) -> &'static str {
        match self {
            Kind::Answers => "an answers file",
            Kind::Flow => "a flow",
            Kind::FlowTests => "a flow's tests",
            Kind::Record => "a run record or report",
            Kind::ChromiumJson => "a browser settings file",
            Kind::FirefoxPrefs => "prefs.js",
            Kind::FirefoxIni => "a profile list",
            Kind::FirefoxAccount => "an account file",
            Kind::AppState => "the app's state file",
        }
    }
}

/// Why a bounded read failed. Displayed without the path (the caller names
/// the file).
#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    #[error("not a regular file (a {0}); only regular files are read")]
    NotRegular(&'static str),

    #[error("larger than {} ({}), the limit for {}", human(*limit), limit, kind.name())]
    TooLarge { limit: u64, kind: Kind },

    #[error("{0}")]
    Io(#[source] std::io::Error),
}

impl ReadError {
    /// The file is not there (or is a dangling link).
    pub fn is_not_found(&self) -> bool {
        matches!(self, ReadError::Io(e) if e.kind() == std::io::ErrorKind::NotFound)
    }

    /// Refused for what the file is (not a regular file, too large), not for
    /// an I/O failure.
    pub fn is_refusal(&self) -> bool {
        !matches!(self, ReadError::Io(_))
    }
}

fn human(bytes: u64) -> String {
    if bytes >= MIB && bytes.is_multiple_of(MIB) {
        format!("{} MiB", bytes / MIB)
    } else if bytes >= KIB && bytes.is_multiple_of(KIB) {
        format!("{} KiB", bytes / KIB)
    } else {
        format!("{bytes} bytes")
    }
}

/// What a file that is not a regular file is, in words ("FIFO", ...).
pub fn type_name(t: std::fs::FileType) -> &'static str {
    file_type_name(t)
}

fn file_type_name(t: std::fs::FileType) -> &'static str {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if t.is_fifo() {
            return "FIFO";
        }
        if t.is_char_device() {
            return "character device";
        }
        if t.is_block_device() {
            return "block device";
        }
        if t.is_socket() {
            return "socket";
        }
    }
    if t.is_dir() {
        "folder"
    } else if t.is_symlink() {
        "symbolic link"
    } else {
        "special file"
    }
}

fn open(path: &Path) -> std::io::Result<std::fs::File> {
    let mut options = std::fs::OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        // A FIFO opens at once instead of waiting for a writer; a terminal
        // does not become the controlling one.
        options.custom_flags(libc::O_NONBLOCK | libc::O_NOCTTY);
    }
    #[cfg(not(unix))]
    {
        // Without O_NONBLOCK, check the type before opening.
        let meta = std::fs::metadata(path)?;
        if !meta.is_file() {
            return Err(std::io::Error::other(format!(
                "not a regular file (a {})",
                file_type_name(meta.file_type())
            )));
        }
    }
    options.open(path)
}

/// Read the whole of `path` if it is a regular file (symlinks followed) of
/// at most `kind.limit()` bytes.
pub fn read(path: &Path, kind: Kind) -> Result<Vec<u8>, ReadError> {
    let file = open(path).map_err(ReadError::Io)?;
    let meta = file.metadata().map_err(ReadError::Io)?;
    if !meta.is_file() {
        return Err(ReadError::NotRegular(file_type_name(meta.file_type())));
    }
    let limit = kind.limit();
    if meta.len() > limit {
        return Err(ReadError::TooLarge { limit, kind });
    }
    // The size can change while reading (a file still being written):
    // never more than the limit, whatever the metadata said.
    let mut bytes = Vec::with_capacity(meta.len() as usize);
    file.take(limit + 1)
        .read_to_end(&mut bytes)
        .map_err(ReadError::Io)?;
    if bytes.len() as u64 > limit {
        return Err(ReadError::TooLarge { limit, kind });
    }
    Ok(bytes)
}

/// [`read`] as UTF-8 text.
pub fn read_string(path: &Path, kind: Kind) -> Result<String, ReadError> {
    String::from_utf8(read(path, kind)?).map_err(|_| {
        ReadError::Io(std::io::Error::new(
            std::io::ErrorKind::InvalidData,
            "not UTF-8 text",
        ))
    })
}

impl fmt::Display for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg(unix)]
    #[test]
    fn refuses_devices_and_fifos_at_once() {
        let e = read(Path::new("/dev/zero"), Kind::Answers).unwrap_err();
        assert!(e.to_string().contains("character device"), "{e}");
        let dir = tempfile::tempdir().unwrap();
        let fifo = dir.path().join("fifo");
        let made = std::process::Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap();
        assert!(made.success());
        let e = read(&fifo, Kind::Record).unwrap_err();
        assert!(e.to_string().contains("FIFO"), "{e}");
        let e = read(dir.path(), Kind::Record).unwrap_err();
        assert!(e.to_string().contains("folder"), "{e}");
    }

    #[test]
    fn reads_up_to_the_limit() {
        let dir = tempfile::tempdir().unwrap();
        let f = dir.path().join("a.json");
        std::fs::write(&f, vec![b' '; Kind::Answers.limit() as usize]).unwrap();
        assert_eq!(read(&f, Kind::Answers).unwrap().len() as u64, MIB);
        std::fs::write(&f, vec![b' '; Kind::Answers.limit() as usize + 1]).unwrap();
        let e = read(&f, Kind::Answers).unwrap_err();
        assert_eq!(
            e.to_string(),
            "larger than 1 MiB (1048576), the limit for an answers file"
        );
        assert!(
            read(&dir.path().join("none"), Kind::Answers)
                .unwrap_err()
                .is_not_found()
        );
    }
}
