//! `scan`: every browser profile and the desktop app under a home, the
//! sessions of the app the spec describes, sync, linked accounts and running
//! state. Read-only; an unreadable store becomes a warning and the scan goes
//! on. The probes share a context (`ctx.rs`); the reads they will ask for are planned
//! here and run ahead (`prefetch.rs`).

use std::path::{Path, PathBuf};

use super::browsers::{BROWSERS, Family};
use super::ctx::{Ctx, cookie_query};
use super::layout::Home;
use super::model::ScanReport;
use super::prefetch::{Job, Prefetch};
use super::spec::AppSpec;

/// Scan `home` for the app described by `spec`.
///
/// The probes run in order on this thread; the store reads they will ask
/// for (Local Storage and cookie databases, found by `plan`) run
/// ahead on up to `available_parallelism - 1` other threads, and this thread
/// helps while it waits. Results and warnings are the same, in the same
/// order, as with the reads done in place.
pub fn scan(home: &Home, spec: &AppSpec) -> ScanReport {
    let pre = plan(home, spec);
    let threads = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1)
        .min(8);
    let workers = threads.saturating_sub(1).min(pre.len());
    std::thread::scope(|s| {
        for _ in 0..workers {
            s.spawn(|| pre.work());
        }
        let mut ctx = Ctx::new(home, spec, Some(&pre));
        ctx.names = super::appcache::load(&mut ctx);
        for b in BROWSERS {
            match b.family {
                Family::Chromium => super::chromium::scan_browser(&mut ctx, b),
                Family::Firefox => super::firefox::scan_browser(&mut ctx, b),
            }
        }
        let desktop = super::desktop::scan_desktop(&mut ctx);
        pre.stop();
        ctx.finish(desktop)
    })
}

/// Sub-folders of `dir` holding `marker`, `Default` first, then by name.
fn folders_with(dir: &Path, marker: &str) -> Vec<PathBuf> {
    let Ok(rd) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut out: Vec<PathBuf> = rd
        .flatten()
        .filter(|e| e.file_type().map(|t| t.is_dir()).unwrap_or(false))
        .map(|e| e.path())
        .filter(|p| p.join(marker).symlink_metadata().is_ok())
        .collect();
    out.sort_by_key(|p| (p.file_name().is_none_or(|n| n != "Default"), p.clone()));
    out
}

/// The reads the probes will most likely ask for, in the order they ask:
/// Chromium-family profiles (folders with `Preferences`), Firefox
/// profiles (folders with `cookies.sqlite`), the desktop app.
fn plan(home: &Home, spec: &AppSpec) -> Prefetch {
    let mut jobs = Vec::new();
    let chromium_store = |jobs: &mut Vec<Job>, dir: &Path| {
        let ls = dir.join("Local Storage/leveldb");
        if ls.is_dir() {
            jobs.push(Job::Ls(ls));
        }
        for f in super::chromium::cookie_files(dir) {
            if f.is_file() {
                jobs.push(Job::Cookies(f, false));
            }
        }
    };
    for b in BROWSERS {
        for root in b.roots(home) {
            match b.family {
                Family::Chromium => {
                    for p in folders_with(&root, "Preferences") {
                        chromium_store(&mut jobs, &p);
                    }
                }
                Family::Firefox => {
                    for base in [root.clone(), root.join("Profiles")] {
                        for p in folders_with(&base, "cookies.sqlite") {
                            let f = p.join("cookies.sqlite");
                            if f.is_file() {
                                jobs.push(Job::Cookies(f, true));
                            }
                        }
                    }
                }
            }
        }
    }
    if let Some(d) = &spec.desktop {
        let data = home.roaming_app_data().join(&d.folder);
        let part = if d.partition.is_empty() {
            data
        } else {
            data.join(&d.partition)
        };
        chromium_store(&mut jobs, &part);
    }
    Prefetch::new(jobs, spec.origins.clone(), cookie_query(spec, home))
}
