//! `troubleshoot scan [--json]`: every fact, no questions, changes nothing.

use std::path::Path;

use crate::cli::{Global, ScanArgs};
use crate::error::exit;
use crate::flow::builtin;
use crate::probe::{self, AccountFacts, AppSpec, ScanReport, app_sessions};
use crate::sanitize::{self, LINE_MAX, shown, shown_path, terminal};
use crate::ui::Printer;
use crate::{Error, Result};

pub fn run(global: &Global, args: &ScanArgs, printer: Printer) -> Result<u8> {
    let (flow, _) = builtin::resolve(&args.flow, crate::registry::builtin())?;
    let spec = app_sessions::spec_of(&flow)?;
    let home = super::home(global)?;
    super::warn_interrupted(global, printer);
    let report =
        crate::ui::progress::with_spinner("Scanning browser profiles and the desktop app", || {
            probe::scan(&home, &spec)
        });
    if args.json {
        crate::ui::stdout::line(&json_text(&report)?)?;
    } else {
        let text = summary(&report, &spec, &home, printer);
        crate::ui::stdout::write(text.as_bytes())?;
    }
    Ok(exit::OK)
}

/// The scan as pretty JSON: every string capped at
/// [`STORED_MAX`](crate::sanitize::STORED_MAX) characters (a 10 MB workspace
/// name is cut, with its length), and the controls serde leaves raw escaped.
pub fn json_text(report: &ScanReport) -> Result<String> {
    let encode = |e: serde_json::Error| Error::State(format!("cannot encode the scan: {e}"));
    let mut value = serde_json::to_value(report).map_err(encode)?;
    let text = if sanitize::cap_json(&mut value, sanitize::STORED_MAX) {
        // Back through the type, so the fields keep their order.
        let capped: ScanReport = serde_json::from_value(value).map_err(encode)?;
        serde_json::to_string_pretty(&capped).map_err(encode)?
    } else {
        serde_json::to_string_pretty(report).map_err(encode)?
    };
    Ok(sanitize::json_safe(text))
}

/// The readable scan, for stdout (it is the command's product: `troubleshoot
/// scan | grep Acme` finds the workspace); warnings go to stderr. Per
/// store: whether it is signed in, its accounts (the active one marked),
/// each account's workspaces, and with `-v` the evidence of each.
fn summary(report: &ScanReport, spec: &AppSpec, home: &probe::Home, printer: Printer) -> String {
    let mut out: Vec<String> = Vec::new();
    out.push(format!(
        "{} {} workspace session(s) of signed-in accounts found in {} ({} layout)",
        report.session_count,
        spec.app,
        shown_path(&home.display(&home.root)),
        report.layout
    ));
    if report.browsers.is_empty() {
        out.push(
            "No browser profiles found (looked for Chrome, Chromium, Edge, Brave, Vivaldi and Firefox)."
                .into(),
        );
        if !printer.verbose() {
            printer.hint(&format!(
            "`troubleshoot scan -v` lists every folder it looked in; another home or OS layout: --root DIR --layout {}",
            if home.layout == probe::Layout::Linux { "macos|windows" } else { "linux|macos|windows" }
        ));
        }
    }
    let verbose = printer.verbose();
    for b in &report.browsers {
        let mut flags = Vec::new();
        if b.sync_enabled {
            flags.push("sync on".to_string());
        }
        if b.running {
            flags.push("running".to_string());
        }
        if !b.linked_accounts.is_empty() {
            flags.push(format!("linked: {}", shown(&b.linked_accounts.join(", "))));
        }
        let place = format!("{}, profile {}", b.browser, shown(&b.profile));
        store_lines(
            &mut out,
            &place,
            b.accounts,
            &b.account_facts,
            &flags,
            verbose,
        );
    }
    let d = &report.desktop_app;
    if d.installed {
        let mut flags = Vec::new();
        if d.running {
            flags.push("running".to_string());
        }
        if !d.linked_accounts.is_empty() {
            flags.push(format!("linked: {}", shown(&d.linked_accounts.join(", "))));
        }
        let place = format!("{} desktop app", spec.app);
        store_lines(
            &mut out,
            &place,
            d.accounts,
            &d.account_facts,
            &flags,
            verbose,
        );
    } else {
        out.push(format!("{} desktop app: not installed", spec.app));
    }
    for w in &report.warnings {
        printer.warn(&format!(
            "{}: {}",
            shown_path(&home.display(Path::new(&w.path))),
            w.reason
        ));
    }
    if verbose {
        out.extend(super::looked::checklist(report, spec, home));
    }
    let mut text = String::new();
    for line in out {
        // Names and paths come from the home: shown, never raw.
        text.push_str(&terminal(&line, LINE_MAX));
        text.push('\n');
    }
    text
}

/// One store: its sign-in state and count, then each account with its
/// workspaces, then the accounts that only used it. Labels are names,
/// emails or short forms of ids, never a raw id as a name; `-v` adds the
/// evidence under each conclusion.
fn store_lines(
    out: &mut Vec<String>,
    place: &str,
    accounts: Option<u32>,
    f: &AccountFacts,
    flags: &[String],
    verbose: bool,
) {
    let flags = if flags.is_empty() {
        String::new()
    } else {
        format!(" [{}]", flags.join(", "))
    };
    let state = match (f.signed_in, accounts) {
        (Some(false), _) => "signed out".to_string(),
        (None, _) => "sign-in unknown, the cookies could not be read".to_string(),
        (Some(true), Some(n)) => format!("signed in, {n} account{}", if n == 1 { "" } else { "s" }),
        (Some(true), None) => "signed in, number of accounts unknown".to_string(),
    };
    out.push(format!("{place}: {state}{flags}"));
    if accounts.is_none() || verbose {
        let what = if accounts.is_none() {
            "why"
        } else {
            "evidence"
        };
        // The evidence is the tool's own words and the flow's patterns;
        // every line is made terminal-safe below.
        out.push(format!("  {what}: {}", f.accounts_evidence));
    }
    for a in &f.account_sessions {
        let active = if a.active { " (active)" } else { "" };
        out.push(format!("  {}{active}", shown(&a.label)));
        if verbose && !a.sources.is_empty() {
            out.push(format!("    from: {}", probe::sources_text(&a.sources)));
        }
        if a.workspaces.is_empty() {
            out.push("    (no workspace seen)".to_string());
        }
        for w in &a.workspaces {
            out.push(format!("    ● {}", shown(&w.label)));
            if verbose && !w.sources.is_empty() {
                out.push(format!("      from: {}", probe::sources_text(&w.sources)));
            }
        }
    }
    if !f.account_candidates.is_empty() && accounts.is_some() {
        let labels: Vec<&str> = f
            .account_candidates
            .iter()
            .map(|c| c.label.as_str())
            .collect();
        out.push(format!(
            "  used before, not signed in: {}",
            shown(&labels.join(", "))
        ));
    }
}
