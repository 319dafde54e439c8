//! What a write trusts: nothing it has not checked.
//!
//! Every plan, when it is made and again before apply, rollback and undo
//! write, must name only paths under the home and stores of the shapes its
//! ops write ([`check_plan_paths`]).
//!
//! The journal lives in the state folder, which someone else may have
//! written to. Before a single byte is restored, every file row is
//! recomputed from the plan (a row must name a file the plan's op can
//! change, in the store, under the home, reached through no symbolic
//! link), every backup copy must lie inside its run's backup folder, and a
//! recorded mode may only hold permission bits. A row that fails refuses
//! the undo with the reason, with or without `--force`.

use std::path::{Component, Path, PathBuf};

use super::error::FixError;
use super::journal::FileRow;
use super::stores;
use super::{Op, Plan, fsx};
use crate::probe::Home;

fn tampered(path: &Path, reason: impl Into<String>) -> FixError {
    FixError::UnsafePath {
        path: path.to_path_buf(),
        reason: format!(
            "the journal row does not match the fix's plan: {}",
            reason.into()
        ),
    }
}

/// Every path in a plan must lie under the home (after resolving symlinks)
/// and hold no `..`.
pub(crate) fn check_plan_paths(plan: &Plan, home: &Home) -> Result<(), FixError> {
    let mut paths: Vec<&Path> = vec![&plan.store_path];
    paths.extend(plan.files.iter().map(PathBuf::as_path));
    for op in &plan.ops {
        match op {
            Op::LeveldbDelete { dir, .. } => paths.push(dir),
            Op::LsngDelete { db, .. } | Op::CookiesDelete { db, .. } => paths.push(db),
            Op::MoveAside { from, to } => {
                paths.push(from);
                paths.push(to);
            }
        }
    }
    for p in paths {
        fsx::check_under(&home.root, p)?;
    }
    check_stores(plan)?;
    // Every file the fix may write is a regular file with one name: a
    // symlink or a second hard link is refused here, so the plan says why.
    super::watched::current_files(plan)?;
    Ok(())
}

/// The plan's stores have the shapes its actions write: a Local Storage
/// LevelDB folder, a cookie database, a Firefox `ls/data.sqlite`.
fn check_op_shape(op: &Op) -> Result<(), FixError> {
    let name = |p: &Path| {
        p.file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default()
    };
    match op {
        Op::LeveldbDelete { dir, .. } if dir.ends_with("Local Storage/leveldb") => Ok(()),
        Op::LeveldbDelete { dir, .. } => Err(tampered(dir, "not a Local Storage LevelDB folder")),
        Op::CookiesDelete { db, .. }
            if ["Cookies", "cookies.sqlite"].contains(&name(db).as_str()) =>
        {
            Ok(())
        }
        Op::CookiesDelete { db, .. } => Err(tampered(db, "not a cookie database")),
        Op::LsngDelete { db, .. }
            if name(db) == "data.sqlite" && db.parent().is_some_and(|p| p.ends_with("ls")) =>
        {
            Ok(())
        }
        Op::LsngDelete { db, .. } => Err(tampered(db, "not a Firefox Local Storage database")),
        Op::MoveAside { .. } => Ok(()),
    }
}

/// Whether the plan's ops can change the file at `path`.
fn planned(plan: &Plan, path: &Path) -> bool {
    plan.ops.iter().any(|op| match op {
        // Every file of the folder is backed up, but LOCK (LevelDB's own).
        Op::LeveldbDelete { dir, .. } => {
            path.parent() == Some(dir.as_path()) && path.file_name().is_some_and(|n| n != "LOCK")
        }
        Op::CookiesDelete { db, .. } => stores::sqlite_files(db)
            .iter()
            .any(|f| f == path || fsx::tmp_path(f) == path),
        Op::LsngDelete { db, .. } => {
            let usage = stores::usage_file(db);
            stores::lsng_files(db)
                .iter()
                .chain(std::iter::once(&usage))
                .any(|f| f == path || fsx::tmp_path(f) == path)
        }
        Op::MoveAside { .. } => false,
    })
}

/// The profile (or app partition) folder holding an op's store: from
/// there down, no component may be a link.
fn profile_of(op: &Op) -> Option<&Path> {
    match op {
        // <profile>/Local Storage/leveldb
        Op::LeveldbDelete { dir, .. } => dir.parent()?.parent(),
        // <profile>/Cookies or <profile>/Network/Cookies; <profile>/cookies.sqlite
        Op::CookiesDelete { db, .. } => {
            let parent = db.parent()?;
            if parent.ends_with("Network") {
                parent.parent()
            } else {
                Some(parent)
            }
        }
        // <profile>/storage/default/<origin>/ls/data.sqlite
        Op::LsngDelete { db, .. } => db.ancestors().nth(5),
        Op::MoveAside { .. } => None,
    }
}

/// Every store of the plan has its action's shape and is reached through
/// no symbolic link below its profile folder (`Local Storage`, `leveldb`,
/// `Network`, `storage`, the files themselves).
pub fn check_stores(plan: &Plan) -> Result<(), FixError> {
    for op in &plan.ops {
        check_op_shape(op)?;
        let store = match op {
            Op::LeveldbDelete { dir, .. } => dir.as_path(),
            Op::CookiesDelete { db, .. } | Op::LsngDelete { db, .. } => db.as_path(),
            Op::MoveAside { .. } => continue,
        };
        if let Some(p) = profile_of(op) {
            fsx::no_links_below(p, store)?;
        }
    }
    Ok(())
}

/// Check a journaled action's plan and file rows before undo or rollback
/// touches anything.
pub fn check_rows(plan: &Plan, rows: &[FileRow], home: &Home) -> Result<(), FixError> {
    check_stores(plan)?;
    for r in rows {
        fsx::check_under(&home.root, &r.path)?;
        if !planned(plan, &r.path) {
            return Err(tampered(&r.path, "no op of the plan changes this file"));
        }
        if let Some(p) = plan
            .ops
            .iter()
            .find_map(|op| profile_of(op).filter(|p| r.path.starts_with(p)))
        {
            fsx::no_links_below(p, &r.path)?;
        }
        if let Some(rel) = &r.backup {
            let rel_path = Path::new(rel);
            let plain = rel_path.components().count() == 2
                && rel_path
                    .components()
                    .all(|c| matches!(c, Component::Normal(_)))
                && rel.starts_with("files/");
            if !plain {
                return Err(tampered(
                    &r.path,
                    format!("its backup copy {rel:?} is not a file of the backup folder"),
                ));
            }
        }
        if let Some(m) = r.mode
            && m & !0o777 != 0
        {
            return Err(tampered(
                &r.path,
                format!("mode {m:o} holds more than permission bits"),
            ));
        }
    }
    Ok(())
}
