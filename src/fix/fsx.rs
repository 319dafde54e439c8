//! File helpers for fixes: hashing, durable copies, atomic replacement,
//! owner-only permissions, and path safety. The steps the report takes too
//! (owner-only folders, durable and atomic writes) are [`crate::fsx`]'s,
//! re-exported here.

use std::fs::{self, File};
use std::io::{Read, Write};
use std::path::{Component, Path, PathBuf};

use sha2::{Digest, Sha256};

use super::error::FixError;
use crate::digest::hex;
pub use crate::fsx::{
    create_fresh, private_dir, remove_if_exists, rename_into_place, replace_with_bytes, set_mode,
    sync_dir, tmp_path, write_durable,
};

/// sha256 and size of a file: a regular file reached through no link at
/// its last name (a FIFO or `/dev/zero` in a backup's place is refused at
/// once, never read).
pub fn hash_file(path: &Path) -> Result<(String, u64), FixError> {
    let mut f = open_nofollow(path).map_err(|e| FixError::io(path, "read", e))?;
    let mut h = Sha256::new();
    let mut buf = vec![0u8; 64 * 1024];
    let mut size = 0u64;
    loop {
        let n = f
            .read(&mut buf)
            .map_err(|e| FixError::io(path, "read", e))?;
        if n == 0 {
            break;
        }
        size += n as u64;
        h.update(&buf[..n]);
    }
    Ok((hex(&h.finalize()), size))
}

/// sha256 of a file, or None when it does not exist.
pub fn hash_opt(path: &Path) -> Result<Option<String>, FixError> {
    match fs::symlink_metadata(path) {
        Ok(_) => Ok(Some(hash_file(path)?.0)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(FixError::io(path, "inspect", e)),
    }
}

/// Unix permission bits of a file (0 elsewhere).
pub fn mode_of(meta: &fs::Metadata) -> u32 {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        meta.permissions().mode() & 0o7777
    }
    #[cfg(not(unix))]
    {
        let _ = meta;
        0
    }
}

/// Open a file for reading without following a symlink at its last
/// component, and only if it is a regular file (a FIFO must not block).
pub fn open_nofollow(path: &Path) -> std::io::Result<File> {
    let mut o = fs::OpenOptions::new();
    o.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        o.custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK);
    }
    let f = o.open(path).map_err(|e| {
        #[cfg(unix)]
        if e.raw_os_error() == Some(libc::ELOOP) {
            return std::io::Error::other("it is a symbolic link; not followed");
        }
        e
    })?;
    let meta = f.metadata()?;
    if !meta.is_file() {
        return Err(std::io::Error::other(format!(
            "not a regular file (a {})",
            crate::bounded::type_name(meta.file_type())
        )));
    }
    Ok(f)
}

/// Refuse when any component of `path` below `root` (the path itself
/// included) is a symbolic link: a fix or undo never writes through one.
pub fn no_links_below(root: &Path, path: &Path) -> Result<(), FixError> {
    let mut p = path;
    while p != root && p.starts_with(root) {
        if fs::symlink_metadata(p).is_ok_and(|m| m.file_type().is_symlink()) {
            return Err(FixError::UnsafePath {
                path: path.to_path_buf(),
                reason: format!(
                    "{} is a symbolic link; refusing to write through it",
                    p.display()
                ),
            });
        }
        match p.parent() {
            Some(parent) => p = parent,
            None => break,
        }
    }
    Ok(())
}

/// Copy `from` to a new file `to` (mode `mode`), fsynced; returns the
/// sha256 and size of what was copied.
pub fn copy_durable(from: &Path, to: &Path, mode: u32) -> Result<(String, u64), FixError> {
    let mut src = open_nofollow(from).map_err(|e| FixError::io(from, "read", e))?;
    let mut dst = create_fresh(to, mode)?;
    let mut h = Sha256::new();
    let mut buf = vec![0u8; 64 * 1024];
    let mut size = 0u64;
    loop {
        let n = src
            .read(&mut buf)
            .map_err(|e| FixError::io(from, "read", e))?;
        if n == 0 {
            break;
        }
        size += n as u64;
        h.update(&buf[..n]);
        dst.write_all(&buf[..n])
            .map_err(|e| FixError::io(to, "write", e))?;
    }
    dst.sync_all().map_err(|e| FixError::io(to, "sync", e))?;
    drop(dst);
    set_mode(to, mode)?;
    Ok((hex(&h.finalize()), size))
}

/// Replace `target` atomically with the bytes of `source` (through a temp
/// file in the same folder and a rename), with permission bits `mode`.
pub fn replace_with_copy(source: &Path, target: &Path, mode: u32) -> Result<String, FixError> {
    let tmp = tmp_path(target);
    // A copy that fails midway (a full disk) is removed, never left in a store.
    let sha = copy_durable(source, &tmp, mode).and_then(|(sha, _)| {
        rename_into_place(&tmp, target)
            .map(|()| sha)
            .map_err(Into::into)
    });
    if sha.is_err() {
        let _ = remove_if_exists(&tmp);
    }
    sha
}

/// A path as UTF-8 (journal and manifest keep paths as text).
pub fn utf8(path: &Path) -> Result<&str, FixError> {
    path.to_str().ok_or_else(|| FixError::UnsafePath {
        path: path.to_path_buf(),
        reason: "the path is not valid UTF-8".into(),
    })
}

/// Refuse a path that is relative, contains `..`, is not valid UTF-8, or
/// resolves (following symlinks in the part that exists) outside `root`.
pub fn check_under(root: &Path, path: &Path) -> Result<(), FixError> {
    let unsafe_path = |reason: String| FixError::UnsafePath {
        path: path.to_path_buf(),
        reason,
    };
    utf8(path)?;
    if !path.is_absolute() {
        return Err(unsafe_path("the path is not absolute".into()));
    }
    if path.components().any(|c| matches!(c, Component::ParentDir)) {
        return Err(unsafe_path("the path contains `..`".into()));
    }
    let root_c = fs::canonicalize(root).map_err(|e| {
        unsafe_path(format!(
            "the home folder {} cannot be resolved: {e}",
            root.display()
        ))
    })?;
    // Resolve the longest existing ancestor; the rest is plain names.
    let mut existing = path.to_path_buf();
    let mut rest: Vec<std::ffi::OsString> = Vec::new();
    loop {
        match fs::canonicalize(&existing) {
            Ok(c) => {
                let mut full = c;
                for r in rest.iter().rev() {
                    full.push(r);
                }
                if !full.starts_with(&root_c) {
                    return Err(unsafe_path(format!(
                        "it resolves to {}, outside the home folder {}",
                        full.display(),
                        root.display()
                    )));
                }
                return Ok(());
            }
            Err(_) => {
                let Some(name) = existing.file_name().map(|n| n.to_os_string()) else {
                    return Err(unsafe_path("no part of the path exists".into()));
                };
                rest.push(name);
                if !existing.pop() {
                    return Err(unsafe_path("no part of the path exists".into()));
                }
            }
        }
    }
}

/// The regular files directly in `dir`, except `LOCK` (sorted). Symlinks
/// are refused: a fix never writes through a link.
pub fn leveldb_files(dir: &Path) -> Result<Vec<PathBuf>, FixError> {
    let mut out = Vec::new();
    let listing = fs::read_dir(dir).map_err(|e| FixError::io(dir, "list", e))?;
    for ent in listing {
        let ent = ent.map_err(|e| FixError::io(dir, "list", e))?;
        let name = ent.file_name();
        if name == "LOCK" {
            continue;
        }
        let ft = ent
            .file_type()
            .map_err(|e| FixError::io(ent.path(), "inspect", e))?;
        if ft.is_symlink() {
            return Err(FixError::UnsafePath {
                path: ent.path(),
                reason: "a symlink inside the store; refusing to write through it".into(),
            });
        }
        if ft.is_file() {
            let meta = ent
                .metadata()
                .map_err(|e| FixError::io(ent.path(), "inspect", e))?;
            refuse_hard_links(&ent.path(), &meta)?;
            out.push(ent.path());
        }
    }
    out.sort();
    Ok(out)
}

/// Refuse a store file with a second hard link: a write would change the
/// other name too (a file outside the home), and a restore by rename would
/// leave that other name with the fix's bytes for good.
pub fn refuse_hard_links(path: &Path, meta: &fs::Metadata) -> Result<(), FixError> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        if meta.nlink() > 1 {
            return Err(FixError::UnsafePath {
                path: path.to_path_buf(),
                reason: format!(
                    "it has {} hard links (another name, maybe outside the home, shares its bytes); a fix would change that file too",
                    meta.nlink()
                ),
            });
        }
    }
    #[cfg(not(unix))]
    let _ = (path, meta);
    Ok(())
}

/// Refuse when `path` exists and is not a regular file, or has a second
/// hard link.
pub fn check_regular(path: &Path) -> Result<bool, FixError> {
    match fs::symlink_metadata(path) {
        Ok(m) if m.file_type().is_file() => refuse_hard_links(path, &m).map(|()| true),
        Ok(m) if m.file_type().is_symlink() => Err(FixError::UnsafePath {
            path: path.to_path_buf(),
            reason: "it is a symlink; refusing to write through it".into(),
        }),
        Ok(_) => Err(FixError::UnsafePath {
            path: path.to_path_buf(),
            reason: "it is not a regular file".into(),
        }),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(false),
        Err(e) => Err(FixError::io(path, "inspect", e)),
    }
}

/// A run id usable in file names ([`crate::run_id::is_run_id`]).
pub fn check_run_id(run_id: &str) -> Result<(), FixError> {
    if crate::run_id::is_run_id(run_id) {
        Ok(())
    } else {
        Err(FixError::UnsafePath {
            path: PathBuf::from(run_id),
            reason: format!("a run id is {}", crate::run_id::RUN_ID_RULE),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_outside_the_home_are_refused() {
        let home = tempfile::tempdir().unwrap();
        let out = tempfile::tempdir().unwrap();
        let root = home.path();
        fs::create_dir_all(root.join("a")).unwrap();
        assert!(check_under(root, &root.join("a/b/c")).is_ok());
        assert!(check_under(root, &root.join("a/../a")).is_err());
        assert!(check_under(root, out.path()).is_err());
        #[cfg(unix)]
        {
            std::os::unix::fs::symlink(out.path(), root.join("link")).unwrap();
            assert!(check_under(root, &root.join("link/x")).is_err());
        }
    }

    #[test]
    fn run_ids_are_file_name_safe() {
        assert!(check_run_id("20260101-120000-abcd").is_ok());
        for bad in ["", "..", "a/b", "a b", "x\\y"] {
            assert!(check_run_id(bad).is_err(), "{bad}");
        }
    }
}
