//! Logical undo: the exact inverse of what a fix did, applied through the
//! same store layer, for a store its owner wrote to since (the browser
//! reopened the profile, as every user does to check the fix).
//!
//! A byte-identical restore would throw those later writes away. Instead
//! the original entries are read from the backup's copy of the store and
//! only what the fix removed is put back, and only where the store holds
//! nothing newer for it: removed Local Storage keys with their original
//! values, removed cookie rows, removed Firefox Local Storage rows (with
//! the origin's usage bookkeeping). Every other byte the browser wrote
//! stays. Nothing here deletes or overwrites a file.

use std::path::Path;

use super::backup;
use super::error::FixError;
use super::journal::{ActionRow, FileRow};
use super::stores::{self, columns, cookie_table, rows_by};
use super::{Op, fsx};
use crate::readers::cookie_host;
use crate::readers::leveldb::{self, BatchOp, Select, StoreLock};

/// Whether every op of a plan has a logical inverse (a folder moved aside
/// has none: the app may have made a new one, which is not ours to merge).
pub fn possible(ops: &[Op]) -> bool {
    ops.iter().all(|op| !matches!(op, Op::MoveAside { .. }))
}

/// The backup's copies of the files in `folder`, laid out under their own
/// names in a private temporary folder, so the original store can be read
/// as a store.
fn materialize(
    bdir: &Path,
    rows: &[FileRow],
    folder: &Path,
) -> Result<crate::signals::TempCopy, FixError> {
    let tmp = crate::signals::TempCopy::new()
        .map_err(|e| FixError::io(folder, "create a private temp folder", e))?;
    for r in rows {
        let (Some(rel), Some(name)) = (&r.backup, r.path.file_name()) else {
            continue;
        };
        if r.path.parent() != Some(folder) {
            continue;
        }
        fsx::copy_durable(&bdir.join(rel), &tmp.path().join(name), 0o600)?;
    }
    Ok(tmp)
}

/// For a fix that was interrupted (a `started` journal row): whether the
/// store's content is still what the backup holds, or what the fix makes of
/// it, and nothing else. Then nobody else wrote since, and putting the
/// backup's bytes back loses nothing; otherwise the logical undo runs.
pub fn only_ours(bdir: &Path, rows: &[FileRow], op: &Op) -> Result<bool, FixError> {
    match op {
        Op::LeveldbDelete { dir, keys, origins } => {
            let tmp = materialize(bdir, rows, dir)?;
            let before = leveldb::read(tmp.path(), Select::All)
                .map_err(|e| FixError::store(dir, format!("the backup copy: {}", e.reason)))?
                .entries;
            let now = stores::ldb_snapshot(dir)?;
            let mut after = before.clone();
            for k in stores::ldb_targets(&before, keys, origins) {
                after.remove(&k);
            }
            Ok(now == before || now == after)
        }
        Op::CookiesDelete {
            db,
            flavor,
            domains,
        } => {
            let (table, host, _) = cookie_table(*flavor);
            sql_only_ours(bdir, rows, db, table, host, |h| {
                cookie_host::on_any(h, domains)
            })
        }
        Op::LsngDelete { db, keys, all, .. } => sql_only_ours(bdir, rows, db, "data", "key", |k| {
            *all || keys.iter().any(|x| x == k)
        }),
        Op::MoveAside { .. } => Ok(false),
    }
}

/// [`only_ours`] for an SQLite table: its rows now are the backup's, or the
/// backup's without those `removed` selects by `key_col`.
fn sql_only_ours(
    bdir: &Path,
    rows: &[FileRow],
    db: &Path,
    table: &str,
    key_col: &str,
    removed: impl Fn(&str) -> bool,
) -> Result<bool, FixError> {
    let folder = db.parent().unwrap_or(Path::new("."));
    let tmp = materialize(bdir, rows, folder)?;
    let copy = tmp.path().join(db.file_name().unwrap_or_default());
    let read = |path: &Path| -> Result<Vec<(String, String)>, FixError> {
        let c =
            crate::readers::sqlite::open_copy(path).map_err(|e| FixError::store(path, e.reason))?;
        let cols =
            columns(&c.conn, table, &[]).map_err(|e| FixError::store(path, e.to_string()))?;
        let by = rows_by(&c.conn, table, &cols, key_col)
            .map_err(|e| FixError::store(path, e.to_string()))?;
        let mut out: Vec<(String, String)> = by
            .into_iter()
            .flat_map(|(k, list)| list.into_iter().map(move |r| (k.clone(), format!("{r:?}"))))
            .collect();
        out.sort();
        Ok(out)
    };
    if !copy.is_file() {
        return Ok(false);
    }
    let before = read(&copy)?;
    let now = if db.is_file() {
        read(db)?
    } else {
        return Ok(false);
    };
    let after: Vec<(String, String)> = before
        .iter()
        .filter(|(k, _)| !removed(k))
        .cloned()
        .collect();
    Ok(now == before || now == after)
}

/// What a logical undo put back.
#[derive(Debug, Default)]
pub struct PutBack {
    /// Local Storage keys and rows re-inserted.
    pub entries: usize,
    pub cookies: usize,
    /// Removed entries the browser had written again since (kept as it left them).
    pub newer_kept: usize,
}

/// Apply the inverse of `action` to its stores. The stores' own locks are
/// held by the caller (`locks`).
pub fn undo(
    state_dir: &Path,
    action: &ActionRow,
    rows: &[FileRow],
    locks: &[StoreLock],
) -> Result<PutBack, FixError> {
    let bdir = backup::backup_dir(state_dir, &action.backup_id);
    backup::verify(&bdir, rows)?;
    let mut done = PutBack::default();
    for op in &action.plan.ops {
        match op {
            Op::LeveldbDelete { dir, keys, origins } => {
                let tmp = materialize(&bdir, rows, dir)?;
                let view = leveldb::read(tmp.path(), Select::All)
                    .map_err(|e| FixError::store(dir, format!("the backup copy: {}", e.reason)))?;
                let original = view.entries;
                let removed = stores::ldb_targets(&original, keys, origins);
                let now = stores::ldb_snapshot(dir)?;
                let mut puts = Vec::new();
                for k in removed {
                    if now.contains_key(&k) {
                        done.newer_kept += 1;
                    } else if let Some(v) = original.get(&k) {
                        puts.push(BatchOp::Put(k, v.clone()));
                    }
                }
                if !puts.is_empty() {
                    let lock = locks.iter().find(|l| l.dir() == dir).ok_or_else(|| {
                        FixError::store(dir, "the store's LOCK is not held; not writing")
                    })?;
                    leveldb::write_batch(lock, &puts)
                        .map_err(|e| FixError::store(dir, e.reason))?;
                }
                // Read back: every key put back holds its original value, and
                // nothing the browser wrote since changed.
                let after = stores::ldb_snapshot(dir)?;
                for op in &puts {
                    if let BatchOp::Put(k, v) = op
                        && after.get(k) != Some(v)
                    {
                        return Err(FixError::store(
                            dir,
                            format!(
                                "read-back after the undo: {} is not back",
                                stores::show_raw_key(k)
                            ),
                        ));
                    }
                }
                for (k, v) in &now {
                    if after.get(k) != Some(v) {
                        return Err(FixError::store(
                            dir,
                            format!(
                                "read-back after the undo: {} changed",
                                stores::show_raw_key(k)
                            ),
                        ));
                    }
                }
                done.entries += puts.len();
            }
            Op::CookiesDelete {
                db,
                flavor,
                domains,
            } => {
                let folder = db.parent().unwrap_or(Path::new("."));
                let tmp = materialize(&bdir, rows, folder)?;
                let copy = tmp.path().join(db.file_name().unwrap_or_default());
                if !copy.is_file() {
                    continue; // the database did not exist before the fix
                }
                done.cookies += stores::reinsert_cookies(db, &copy, *flavor, domains)?;
            }
            Op::LsngDelete { db, keys, all, .. } => {
                let folder = db.parent().unwrap_or(Path::new("."));
                let tmp = materialize(&bdir, rows, folder)?;
                let copy = tmp.path().join(db.file_name().unwrap_or_default());
                if !copy.is_file() {
                    continue;
                }
                let (n, kept) = stores::reinsert_lsng(db, &copy, keys, *all)?;
                done.entries += n;
                done.newer_kept += kept;
            }
            Op::MoveAside { from, .. } => {
                return Err(FixError::Undo {
                    path: from.clone(),
                    message: "a folder moved aside has no logical undo".into(),
                });
            }
        }
    }
    Ok(done)
}

/// What a logical undo did, in words.
pub fn describe(put: &PutBack) -> String {
    let mut parts = Vec::new();
    if put.entries > 0 {
        let noun = if put.entries == 1 { "entry" } else { "entries" };
        parts.push(format!("{} {noun} put back", put.entries));
    }
    if put.cookies > 0 {
        parts.push(format!("{} cookie(s) put back", put.cookies));
    }
    if put.newer_kept > 0 {
        parts.push(format!(
            "{} written again by the browser since, kept as it left them",
            put.newer_kept
        ));
    }
    if parts.is_empty() {
        parts.push("nothing to put back".into());
    }
    parts.push("every later write of the browser kept".into());
    parts.join(", ")
}
