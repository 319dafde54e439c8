//! Folder moves: a rename, or across filesystems a durable copy then a
//! rename into place; and the names of the folders set aside meanwhile.

use std::fs;
use std::path::{Path, PathBuf};

use super::error::FixError;
use super::fsx;

/// `<name>.troubleshoot-<tag>-<time>` beside `p`: where a folder in the
/// way is kept.
pub(super) fn aside_name(p: &Path, tag: &str) -> PathBuf {
    let mut name = p.file_name().map(|n| n.to_os_string()).unwrap_or_default();
    name.push(format!(
        ".troubleshoot-{tag}-{}",
        crate::clock::now().replace(':', "")
    ));
    p.with_file_name(name)
}

/// `<to>.partial`: a cross-filesystem copy before it is renamed into place.
pub(super) fn partial_name(to: &Path) -> PathBuf {
    let mut name = to.file_name().map(|n| n.to_os_string()).unwrap_or_default();
    name.push(".partial");
    to.with_file_name(name)
}

/// Move a folder: a rename, or across filesystems a copy to `<to>.partial`,
/// a rename into place, then removal of the original.
pub(super) fn move_dir(from: &Path, to: &Path) -> Result<(), FixError> {
    match fs::rename(from, to) {
        Ok(()) => {
            if let Some(d) = to.parent() {
                fsx::sync_dir(d)?;
            }
            Ok(())
        }
        Err(e) if e.kind() == std::io::ErrorKind::CrossesDevices => {
            let partial = partial_name(to);
            copy_tree(from, &partial)?;
            fs::rename(&partial, to).map_err(|e| FixError::io(to, "finish the copy", e))?;
            fs::remove_dir_all(from).map_err(|e| FixError::io(from, "remove after copying", e))?;
            Ok(())
        }
        Err(e) => Err(FixError::io(from, format!("move to {}", to.display()), e)),
    }
}

fn copy_tree(from: &Path, to: &Path) -> Result<(), FixError> {
    fs::create_dir_all(to).map_err(|e| FixError::io(to, "create", e))?;
    let meta = fs::symlink_metadata(from).map_err(|e| FixError::io(from, "inspect", e))?;
    let _ = fsx::set_mode(to, fsx::mode_of(&meta));
    for ent in fs::read_dir(from).map_err(|e| FixError::io(from, "list", e))? {
        let ent = ent.map_err(|e| FixError::io(from, "list", e))?;
        let src = ent.path();
        let dst = to.join(ent.file_name());
        let ft = ent
            .file_type()
            .map_err(|e| FixError::io(&src, "inspect", e))?;
        if ft.is_dir() {
            copy_tree(&src, &dst)?;
        } else if ft.is_symlink() {
            #[cfg(unix)]
            {
                let target = fs::read_link(&src).map_err(|e| FixError::io(&src, "read link", e))?;
                std::os::unix::fs::symlink(target, &dst)
                    .map_err(|e| FixError::io(&dst, "create link", e))?;
            }
        } else {
            let m = ent
                .metadata()
                .map_err(|e| FixError::io(&src, "inspect", e))?;
            fsx::copy_durable(&src, &dst, fsx::mode_of(&m))?;
        }
    }
    fsx::sync_dir(to)?;
    Ok(())
}
