//! `scan -v`: every place the scan looked, as a checklist in the manner of
//! `flutter doctor`: each browser's data folders in this layout, each
//! profile and its stores (Local Storage, cookies), and the desktop app's
//! folder and files, each marked
//!
//! - `✓` found and read,
//! - `!` found with a warning (no data of the app there yet, a profile
//!   folder the browser does not list),
//! - `✗` unreadable (the scan's warning says why),
//! - `·` not there (skipped).
//!
//! The places come from the same tables the probes use
//! ([`BROWSERS`](crate::probe::browsers::BROWSERS), the flow's
//! `app-sessions` parameters); what was found comes from the scan report.

use std::path::{Path, PathBuf};

use crate::probe::browsers::{BROWSERS, Family};
use crate::probe::{AppSpec, Home, ScanReport};
use crate::readers::sqlite::firefox_origin_dir;
use crate::sanitize::shown_path;

pub const FOUND: &str = "✓";
pub const WARN: &str = "!";
pub const UNREADABLE: &str = "✗";
pub const ABSENT: &str = "·";

/// The checklist, as lines of text (for stdout, after the summary).
pub fn checklist(report: &ScanReport, spec: &AppSpec, home: &Home) -> Vec<String> {
    let shown = |p: &Path| shown_path(&home.display(p)).to_string();
    let mut out = vec![
        String::new(),
        format!(
            "Where the scan looked ({} layout; {FOUND} found, {WARN} warning, {UNREADABLE} unreadable, {ABSENT} not there):",
            report.layout
        ),
    ];
    let mut used = vec![false; report.warnings.len()];
    // The warnings about one path or anything under it (a warning names
    // its path as shown, `~/…`).
    let mut warned = |p: &Path| -> Vec<String> {
        let at = home.display(p);
        let mut hits = Vec::new();
        for (i, w) in report.warnings.iter().enumerate() {
            if Path::new(&w.path).starts_with(&at) {
                used[i] = true;
                hits.push(format!("{}: {}", shown_path(&w.path), w.reason));
            }
        }
        hits
    };
    let store = |out: &mut Vec<String>, what: &str, path: &Path, warnings: &[String]| {
        let exists = path.symlink_metadata().is_ok();
        let bad = warnings.iter().any(|w| w.starts_with(&shown(path)));
        let (mark, state) = match (exists, bad) {
            (_, true) => (UNREADABLE, "unreadable"),
            (true, false) => (FOUND, "read"),
            (false, false) => (ABSENT, "not there"),
        };
        out.push(format!("      {mark} {what}: {} ({state})", shown(path)));
    };
    for b in BROWSERS {
        out.push(format!("  {}", b.name));
        for root in b.roots(home) {
            if !root.is_dir() {
                out.push(format!("    {ABSENT} {}: not there", shown(&root)));
                continue;
            }
            let profiles: Vec<_> = report
                .browsers
                .iter()
                .filter(|p| p.browser_id == b.id && Path::new(&p.path).starts_with(&root))
                .collect();
            out.push(format!(
                "    {FOUND} {}: {} profile(s)",
                shown(&root),
                profiles.len()
            ));
            for p in &profiles {
                let dir = PathBuf::from(&p.path);
                let warnings = warned(&dir);
                let (ls, cookies): (Vec<PathBuf>, Vec<PathBuf>) = match b.family {
                    Family::Chromium => (
                        vec![dir.join("Local Storage/leveldb")],
                        crate::probe::chromium::cookie_files(&dir),
                    ),
                    Family::Firefox => (
                        spec.origins
                            .iter()
                            .map(|o| {
                                dir.join("storage/default")
                                    .join(firefox_origin_dir(o))
                                    .join("ls/data.sqlite")
                            })
                            .collect(),
                        vec![dir.join("cookies.sqlite")],
                    ),
                };
                let any_ls = ls.iter().any(|l| l.exists());
                let mark = if !warnings.is_empty() {
                    UNREADABLE
                } else if !any_ls {
                    WARN
                } else {
                    FOUND
                };
                let mut line = format!(
                    "    {mark} profile {} ({}): {} session(s), {} account(s)",
                    crate::sanitize::shown(&p.profile),
                    crate::sanitize::shown(&p.profile_dir),
                    p.sessions,
                    p.accounts
                        .map_or_else(|| "unknown".to_string(), |n| n.to_string())
                );
                if !any_ls {
                    line.push_str(&format!("; no {} data in Local Storage yet", spec.app));
                }
                out.push(line);
                for l in &ls {
                    store(&mut out, "Local Storage", l, &warnings);
                }
                for c in &cookies {
                    store(&mut out, "Cookies", c, &warnings);
                }
                for w in &warnings {
                    out.push(format!("      {UNREADABLE} {w}"));
                }
            }
            if b.family == Family::Chromium {
                // Profile folders on disk the browser does not list.
                let listed: Vec<&str> = profiles.iter().map(|p| p.profile_dir.as_str()).collect();
                let mut extra: Vec<String> = std::fs::read_dir(&root)
                    .into_iter()
                    .flatten()
                    .flatten()
                    .filter(|e| e.file_type().map(|t| t.is_dir()).unwrap_or(false))
                    .map(|e| e.file_name().to_string_lossy().into_owned())
                    .filter(|n| n == "Default" || n.starts_with("Profile "))
                    .filter(|n| !listed.contains(&n.as_str()))
                    .collect();
                extra.sort();
                for n in extra {
                    out.push(format!(
                        "    {WARN} {}: skipped, not a profile the browser lists in Local State",
                        shown(&root.join(&n))
                    ));
                }
            }
        }
    }
    if let Some(d) = &spec.desktop {
        out.push(format!("  {} desktop app", spec.app));
        let data = home.roaming_app_data().join(&d.folder);
        if !data.is_dir() {
            out.push(format!("    {ABSENT} {}: not there", shown(&data)));
        } else {
            let warnings = warned(&data);
            let app = &report.desktop_app;
            let mark = if warnings.is_empty() {
                FOUND
            } else {
                UNREADABLE
            };
            out.push(format!(
                "    {mark} {}: {} session(s), {} account(s){}",
                shown(&data),
                app.sessions,
                app.accounts
                    .map_or_else(|| "unknown".to_string(), |n| n.to_string()),
                if app.running { ", running" } else { "" }
            ));
            let part = if d.partition.is_empty() {
                data.clone()
            } else {
                data.join(&d.partition)
            };
            store(
                &mut out,
                "Local Storage",
                &part.join("Local Storage/leveldb"),
                &warnings,
            );
            for c in crate::probe::chromium::cookie_files(&part) {
                store(&mut out, "Cookies", &c, &warnings);
            }
            if let Some(f) = &d.state_file {
                store(
                    &mut out,
                    "Open and closed tabs",
                    &data.join(&f.path),
                    &warnings,
                );
            }
            if let Some(db) = &d.database {
                store(
                    &mut out,
                    "Accounts, workspaces and names",
                    &data.join(&db.path),
                    &warnings,
                );
            }
            for w in &warnings {
                out.push(format!("      {UNREADABLE} {w}"));
            }
        }
    }
    let rest: Vec<String> = report
        .warnings
        .iter()
        .zip(&used)
        .filter(|(_, u)| !**u)
        .map(|(w, _)| format!("  {UNREADABLE} {}: {}", shown_path(&w.path), w.reason))
        .collect();
    if !rest.is_empty() {
        out.push("  Elsewhere".into());
        out.extend(rest);
    }
    out
}
