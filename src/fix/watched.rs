//! The files a plan may change: listed before the backup, hashed after the
//! write, and listed again by undo (a file the fix created is removed).

use std::collections::BTreeSet;
use std::path::PathBuf;

use super::error::FixError;
use super::plan::{Op, Plan};
use super::{fsx, stores};

/// The files an op may change: (folders whose every file but `LOCK`
/// counts, single files).
fn watched(plan: &Plan) -> (Vec<PathBuf>, Vec<PathBuf>) {
    let mut dirs = Vec::new();
    let mut files = Vec::new();
    for op in &plan.ops {
        match op {
            Op::LeveldbDelete { dir, .. } => dirs.push(dir.clone()),
            Op::LsngDelete { db, .. } => files.extend(stores::lsng_files(db)),
            Op::CookiesDelete { db, .. } => files.extend(stores::sqlite_files(db)),
            Op::MoveAside { .. } => {}
        }
    }
    let tmps: Vec<PathBuf> = files.iter().map(|f| fsx::tmp_path(f)).collect();
    files.extend(tmps);
    dirs.sort();
    dirs.dedup();
    files.sort();
    files.dedup();
    (dirs, files)
}

/// The watched files that exist now (refusing symlinks).
pub(crate) fn current_files(plan: &Plan) -> Result<Vec<PathBuf>, FixError> {
    let (dirs, files) = watched(plan);
    let mut out = BTreeSet::new();
    for d in &dirs {
        if d.is_dir() {
            out.extend(fsx::leveldb_files(d)?);
        }
    }
    for f in files {
        if fsx::check_regular(&f)? {
            out.insert(f);
        }
    }
    Ok(out.into_iter().collect())
}

/// A file and its (sha256, size), None when absent.
pub(super) type FileState = (PathBuf, Option<(String, u64)>);

pub(super) fn current_state(plan: &Plan, known: &[PathBuf]) -> Result<Vec<FileState>, FixError> {
    let mut paths: BTreeSet<PathBuf> = current_files(plan)?.into_iter().collect();
    paths.extend(known.iter().cloned());
    let mut out = Vec::new();
    for p in paths {
        let st = if fsx::check_regular(&p)? {
            Some(fsx::hash_file(&p)?)
        } else {
            None
        };
        out.push((p, st));
    }
    Ok(out)
}
