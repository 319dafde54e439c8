//! File-system steps more than one room takes: owner-only folders, new
//! files written durably (fsynced, never through a link), atomic
//! replacement through a temp file beside the target, and folder fsync.
//! Each error names the step and the path ([`FsError`]); the fixes and the
//! report wrap it in their own error.

use std::fmt;
use std::fs::{self, File};
use std::io::{self, Write};
use std::path::{Path, PathBuf};

/// A file-system step that failed: on which path, doing what.
#[derive(Debug)]
pub struct FsError {
    pub path: PathBuf,
    /// "create", "write", "sync", "replace", ...
    pub op: &'static str,
    pub source: io::Error,
}

impl FsError {
    fn new<'a>(path: &'a Path, op: &'static str) -> impl FnOnce(io::Error) -> FsError + 'a {
        move |source| FsError {
            path: path.to_path_buf(),
            op,
            source,
        }
    }
}

impl fmt::Display for FsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}: cannot {}: {}",
            self.path.display(),
            self.op,
            self.source
        )
    }
}

impl std::error::Error for FsError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&self.source)
    }
}

/// Suffix of the temporary file next to a file being replaced atomically.
pub const TMP_SUFFIX: &str = ".troubleshoot-tmp";

/// The temp name used when replacing `path` atomically.
pub fn tmp_path(path: &Path) -> PathBuf {
    let mut name = path
        .file_name()
        .map(|n| n.to_os_string())
        .unwrap_or_default();
    name.push(TMP_SUFFIX);
    path.with_file_name(name)
}

/// Set the permission bits of `path` (Unix; nothing elsewhere).
pub fn set_mode(path: &Path, mode: u32) -> Result<(), FsError> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        // Permission bits only: never setuid, setgid or sticky.
        fs::set_permissions(path, fs::Permissions::from_mode(mode & 0o777))
            .map_err(FsError::new(path, "set permissions of"))
    }
    #[cfg(not(unix))]
    {
        let _ = (path, mode);
        Ok(())
    }
}

/// Create a folder (and parents) readable by the owner only (0700); a
/// folder that exists already is made owner-only. The folder itself is
/// opened without following a link and changed through that descriptor:
/// a symbolic link in its place (`backups` -> elsewhere) is refused, never
/// followed, so nothing outside is chmodded or written.
pub fn private_dir(path: &Path) -> Result<(), FsError> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt, PermissionsExt};
        if fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink()) {
            return Err(FsError::new(path, "use folder")(not_followed()));
        }
        fs::DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(path)
            .map_err(FsError::new(path, "create folder"))?;
        let dir = fs::OpenOptions::new()
            .read(true)
            .custom_flags(libc::O_NOFOLLOW | libc::O_DIRECTORY | libc::O_CLOEXEC)
            .open(path)
            .map_err(|e| {
                if e.raw_os_error() == Some(libc::ELOOP) {
                    FsError::new(path, "use folder")(not_followed())
                } else {
                    FsError::new(path, "open folder")(e)
                }
            })?;
        let meta = dir.metadata().map_err(FsError::new(path, "inspect"))?;
        if meta.permissions().mode() & 0o7777 != 0o700 {
            dir.set_permissions(fs::Permissions::from_mode(0o700))
                .map_err(FsError::new(path, "set permissions of"))?;
        }
        Ok(())
    }
    #[cfg(not(unix))]
    {
        fs::create_dir_all(path).map_err(FsError::new(path, "create folder"))?;
        Ok(())
    }
}

fn not_followed() -> io::Error {
    io::Error::other("it is a symbolic link; the state folder is never used through one")
}

/// [`check_state_file`] on a file already opened (without following a
/// link): its own type and link count, so a swap after the check is caught.
pub fn check_opened_state_file(path: &Path, file: &File) -> Result<(), FsError> {
    let meta = file.metadata().map_err(FsError::new(path, "inspect"))?;
    let refuse = |why: String| Err(FsError::new(path, "use")(io::Error::other(why)));
    if !meta.is_file() {
        return refuse(format!(
            "it is not a regular file (a {}); refusing to use it",
            crate::bounded::type_name(meta.file_type())
        ));
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        if meta.nlink() > 1 {
            return refuse(format!(
                "it has {} hard links; a state file is never shared with another name",
                meta.nlink()
            ));
        }
    }
    Ok(())
}

/// Whether a file of the state folder (the journal, the lock, a record)
/// exists, refusing what must never be opened there: a symbolic link (it
/// would be written through), a FIFO or device (it would block or never
/// end), a folder, or a file with a second hard link (a write would change
/// the other name too).
pub fn check_state_file(path: &Path) -> Result<bool, FsError> {
    let meta = match fs::symlink_metadata(path) {
        Ok(m) => m,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(false),
        Err(e) => return Err(FsError::new(path, "inspect")(e)),
    };
    let refuse = |why: String| Err(FsError::new(path, "use")(io::Error::other(why)));
    let t = meta.file_type();
    if t.is_symlink() {
        return refuse("it is a symbolic link; a state file is never used through one".into());
    }
    if !t.is_file() {
        return refuse(format!(
            "it is not a regular file (a {}); refusing to open it",
            crate::bounded::type_name(t)
        ));
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        if meta.nlink() > 1 {
            return refuse(format!(
                "it has {} hard links; a state file is never shared with another name",
                meta.nlink()
            ));
        }
    }
    Ok(true)
}

/// fsync a folder so renames and new entries in it are durable: kill
/// safety relies on it, so a failure is an error, not ignored.
pub fn sync_dir(dir: &Path) -> Result<(), FsError> {
    #[cfg(unix)]
    {
        let f = File::open(dir).map_err(FsError::new(dir, "open to sync"))?;
        f.sync_all().map_err(FsError::new(dir, "sync"))?;
    }
    #[cfg(not(unix))]
    let _ = dir;
    Ok(())
}

/// Remove a file if it exists; whether it did.
pub fn remove_if_exists(path: &Path) -> Result<bool, FsError> {
    match fs::remove_file(path) {
        Ok(()) => Ok(true),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(false),
        Err(e) => Err(FsError::new(path, "remove")(e)),
    }
}

/// Create `to` as a new file, never through a link: a stale file or link
/// of that name (a temp file a killed run left, or one planted there) is
/// removed first, then the file is created exclusively.
pub fn create_fresh(to: &Path, mode: u32) -> Result<File, FsError> {
    remove_if_exists(to)?;
    let mut opts = fs::OpenOptions::new();
    opts.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(mode & 0o777).custom_flags(libc::O_NOFOLLOW);
    }
    #[cfg(not(unix))]
    let _ = mode;
    opts.open(to).map_err(FsError::new(to, "create"))
}

/// Write `bytes` to a new file (see [`create_fresh`]), fsynced.
pub fn write_durable(to: &Path, bytes: &[u8], mode: u32) -> Result<(), FsError> {
    let mut f = create_fresh(to, mode)?;
    f.write_all(bytes).map_err(FsError::new(to, "write"))?;
    f.sync_all().map_err(FsError::new(to, "sync"))?;
    drop(f);
    set_mode(to, mode)
}

/// Rename the durable temp file `tmp` over `target`, then fsync the folder.
pub fn rename_into_place(tmp: &Path, target: &Path) -> Result<(), FsError> {
    fs::rename(tmp, target).map_err(FsError::new(target, "replace"))?;
    match target.parent() {
        Some(d) if !d.as_os_str().is_empty() => sync_dir(d),
        _ => sync_dir(Path::new(".")),
    }
}

/// Replace `target` atomically with `bytes` (permission bits `mode`):
/// written durably to [`tmp_path`] beside it, then renamed over it.
pub fn replace_with_bytes(target: &Path, bytes: &[u8], mode: u32) -> Result<(), FsError> {
    let tmp = tmp_path(target);
    let done = write_durable(&tmp, bytes, mode).and_then(|()| rename_into_place(&tmp, target));
    if done.is_err() {
        // A partial copy (a full disk) is never left beside the target.
        let _ = remove_if_exists(&tmp);
    }
    done
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replacing_leaves_the_new_bytes_and_no_temp_file() {
        let dir = tempfile::tempdir().unwrap();
        let f = dir.path().join("a.json");
        fs::write(&f, b"old").unwrap();
        fs::write(tmp_path(&f), b"stale temp").unwrap();
        replace_with_bytes(&f, b"new", 0o600).unwrap();
        assert_eq!(fs::read(&f).unwrap(), b"new");
        assert!(!tmp_path(&f).exists());
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = fs::metadata(&f).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode, 0o600);
            let p = dir.path().join("x/y");
            private_dir(&p).unwrap();
            let mode = fs::metadata(&p).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode, 0o700);
        }
    }
}
