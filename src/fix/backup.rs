//! Backups: `<state_dir>/backups/<backup_id>/` with `manifest.json` and a
//! copy of every file a fix may change, owner-only. The folder is built
//! under a temporary name, fsynced, then renamed into place, so a backup
//! that exists is complete.

use std::fs;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::error::FixError;
use super::fsx;
use super::journal::FileRow;

pub const MANIFEST: &str = "manifest.json";

pub fn backups_root(state_dir: &Path) -> PathBuf {
    state_dir.join("backups")
}

pub fn backup_dir(state_dir: &Path, backup_id: &str) -> PathBuf {
    backups_root(state_dir).join(backup_id)
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ManifestFile {
    /// Where the file lives in the home.
    pub path: String,
    /// The copy, relative to the backup folder.
    pub backup: String,
    pub sha256: String,
    pub size: u64,
    /// Unix permission bits.
    pub mode: u32,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Manifest {
    pub schema: u32,
    pub run_id: String,
    pub backup_id: String,
    pub action: String,
    pub created_at: String,
    pub store_path: String,
    pub files: Vec<ManifestFile>,
    /// Folders moved by the fix (from, to): undo moves them back.
    pub moves: Vec<(String, String)>,
}

/// A complete backup on disk.
#[derive(Debug, Clone)]
pub struct BackupSet {
    pub dir: PathBuf,
    pub files: Vec<FileRow>,
}

/// Copy `files` into a new backup folder `backup_id` and write its manifest.
pub fn create(
    state_dir: &Path,
    backup_id: &str,
    run_id: &str,
    action: &str,
    store_path: &Path,
    files: &[PathBuf],
    moves: &[(PathBuf, PathBuf)],
) -> Result<BackupSet, FixError> {
    let root = backups_root(state_dir);
    fsx::private_dir(&root)?;
    let dir = root.join(backup_id);
    if fs::symlink_metadata(&dir).is_ok() {
        return Err(FixError::Backup {
            path: dir,
            message: "a backup with this id already exists".into(),
        });
    }
    sweep_partials(state_dir)?;
    let partial = root.join(format!(".{backup_id}.partial-{}", std::process::id()));
    let result = fill(
        &partial, backup_id, run_id, action, store_path, files, moves,
    );
    let rows = match result {
        Ok(rows) => rows,
        Err(e) => {
            let _ = fs::remove_dir_all(&partial);
            return Err(e);
        }
    };
    fs::rename(&partial, &dir).map_err(|e| FixError::io(&dir, "finish the backup folder", e))?;
    fsx::sync_dir(&root)?;
    Ok(BackupSet { dir, files: rows })
}

fn fill(
    partial: &Path,
    backup_id: &str,
    run_id: &str,
    action: &str,
    store_path: &Path,
    files: &[PathBuf],
    moves: &[(PathBuf, PathBuf)],
) -> Result<Vec<FileRow>, FixError> {
    let data = partial.join("files");
    fsx::private_dir(&data)?;
    let mut rows = Vec::new();
    let mut entries = Vec::new();
    for (i, f) in files.iter().enumerate() {
        let meta = fs::symlink_metadata(f).map_err(|e| FixError::io(f, "inspect", e))?;
        if !meta.file_type().is_file() {
            return Err(FixError::UnsafePath {
                path: f.clone(),
                reason: "not a regular file; refusing to back it up".into(),
            });
        }
        let name = f
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let rel = format!("files/{i:04}-{name}");
        let (sha, size) = fsx::copy_durable(f, &partial.join(&rel), 0o600)?;
        let mode = fsx::mode_of(&meta);
        entries.push(ManifestFile {
            path: fsx::utf8(f)?.to_string(),
            backup: rel.clone(),
            sha256: sha.clone(),
            size,
            mode,
        });
        rows.push(FileRow {
            path: f.clone(),
            backup: Some(rel),
            before_sha256: Some(sha),
            before_size: Some(size),
            mode: Some(mode),
            after_sha256: None,
            after_size: None,
        });
    }
    let manifest = Manifest {
        schema: 1,
        run_id: run_id.to_string(),
        backup_id: backup_id.to_string(),
        action: action.to_string(),
        created_at: crate::clock::now(),
        store_path: store_path.to_string_lossy().into_owned(),
        files: entries,
        moves: moves
            .iter()
            .map(|(a, b)| {
                (
                    a.to_string_lossy().into_owned(),
                    b.to_string_lossy().into_owned(),
                )
            })
            .collect(),
    };
    let text = serde_json::to_vec_pretty(&manifest).map_err(|e| FixError::Backup {
        path: partial.to_path_buf(),
        message: e.to_string(),
    })?;
    fsx::write_durable(&partial.join(MANIFEST), &text, 0o600)?;
    fsx::sync_dir(&data)?;
    fsx::sync_dir(partial)?;
    Ok(rows)
}

/// Whether `name` (an entry of `backups/`) is a backup being built:
/// `.<backup_id>.partial-<pid>`.
fn is_partial(name: &str) -> bool {
    name.starts_with('.') && name.contains(".partial-")
}

/// Remove the partial backups runs killed while copying left behind. Only
/// called under the state lock, so none is being built: each has no
/// manifest and the run that made it never touched the store (the backup
/// is complete before the first write), so it holds nothing to restore.
pub fn sweep_partials(state_dir: &Path) -> Result<Vec<PathBuf>, FixError> {
    let root = backups_root(state_dir);
    let list = match fs::read_dir(&root) {
        Ok(l) => l,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(FixError::io(&root, "list", e)),
    };
    let mut swept = Vec::new();
    for ent in list.flatten() {
        if !is_partial(&ent.file_name().to_string_lossy()) {
            continue;
        }
        let p = ent.path();
        // A link is removed as a link (never followed).
        let gone = match ent.file_type() {
            Ok(t) if t.is_dir() => fs::remove_dir_all(&p),
            _ => fs::remove_file(&p),
        };
        gone.map_err(|e| FixError::io(&p, "remove a partial backup a killed run left", e))?;
        swept.push(p);
    }
    Ok(swept)
}

/// Check every copy in a backup against its recorded sha256 before it is
/// used to restore anything. The folder and its `files/` are real folders
/// (no link), each copy a regular file read through no link.
pub fn verify(dir: &Path, rows: &[FileRow]) -> Result<(), FixError> {
    let real_dir = |p: &Path| fs::symlink_metadata(p).is_ok_and(|m| m.is_dir());
    if !real_dir(dir) {
        let message = if fs::symlink_metadata(dir).is_ok() {
            "the backup folder is a link or not a folder; refusing to restore from it"
        } else {
            "the backup folder is missing"
        };
        return Err(FixError::Backup {
            path: dir.to_path_buf(),
            message: message.into(),
        });
    }
    let files = dir.join("files");
    if fs::symlink_metadata(&files).is_ok() && !real_dir(&files) {
        return Err(FixError::Backup {
            path: files,
            message: "a link or not a folder; refusing to restore from it".into(),
        });
    }
    for r in rows {
        let (Some(rel), Some(want)) = (&r.backup, &r.before_sha256) else {
            continue;
        };
        let copy = dir.join(rel);
        let (got, _) = fsx::hash_file(&copy).map_err(|e| FixError::Backup {
            path: copy.clone(),
            message: format!("cannot read the backup copy ({e})"),
        })?;
        if &got != want {
            return Err(FixError::Backup {
                path: copy,
                message: format!(
                    "the backup copy of {} does not match its sha256 (damaged backup); nothing was restored",
                    r.path.display()
                ),
            });
        }
    }
    Ok(())
}
