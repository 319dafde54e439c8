//! `troubleshoot scan [--flow ID|FILE] [--json]`: every fact the flow's
//! probes find, no questions, changes nothing.

use std::path::Path;

use crate::cli::{Global, ScanArgs};
use crate::error::exit;
use crate::flow::builtin;
use crate::flow::model::{Flow, Step};
use crate::probe::{self, AccountFacts, AppSpec, ScanReport, app_sessions};
use crate::sanitize::{self, LINE_MAX, shown, shown_path, terminal};
use crate::ui::Printer;
use crate::{Error, Result};

pub fn run(global: &Global, args: &ScanArgs, printer: Printer) -> Result<u8> {
    let registry = crate::registry::builtin();
    let (flow, _) = builtin::resolve(&args.flow, registry)?;
    let home = super::home(global)?;
    super::warn_interrupted(global, printer);
    // A flow whose only probe is the session scan keeps its readable
    // summary and its JSON (schema 2); any other runs each of its probes.
    if !only_sessions(&flow) {
        return run_probes(&flow, registry, &home, args.json, printer);
    }
    let spec = app_sessions::spec_of(&flow)?;
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

/// True when every probe `flow` runs is the `app-sessions` probe.
fn only_sessions(flow: &Flow) -> bool {
    flow.steps.iter().all(|s| match s {
        Step::Check(c) => c.probe.as_deref().is_none_or(|p| p == app_sessions::ID),
        _ => true,
    })
}

/// Every probe of `flow`, run once: `{"flow": id, "probes": [{check, probe,
/// as, facts, warnings}]}` as JSON, or each probe's facts as indented JSON
/// under a line naming it; warnings go to stderr.
fn run_probes(
    flow: &Flow,
    registry: &crate::registry::Registry,
    home: &probe::Home,
    json: bool,
    printer: Printer,
) -> Result<u8> {
    let scanned = crate::ui::progress::with_spinner("Running the flow's probes", || {
        crate::registry::scan_flow(flow, registry, home)
    })
    .map_err(|e| Error::Usage(format!("flow `{}`: {e}", flow.id)))?;
    let encode = |e: serde_json::Error| Error::State(format!("cannot encode the scan: {e}"));
    if json {
        let mut value = serde_json::json!({"flow": flow.id, "probes": scanned});
        sanitize::cap_json(&mut value, sanitize::STORED_MAX);
        let text = serde_json::to_string_pretty(&value).map_err(encode)?;
        crate::ui::stdout::line(&sanitize::json_safe(text))?;
        return Ok(exit::OK);
    }
    let mut text = String::new();
    for s in &scanned {
        let head = format!("{} (probe {}):", s.check, s.probe);
        text.push_str(&terminal(&head, LINE_MAX));
        text.push('\n');
        let mut facts = s.facts.clone();
        sanitize::cap_json(&mut facts, sanitize::STORED_MAX);
        // A probe that sums up what it found in `evidence` sentences is
        // shown by them; any other by its facts.
        let lines: Vec<String> = match facts.get("evidence").and_then(|e| e.as_array()) {
            Some(ev) => ev
                .iter()
                .filter_map(|l| l.as_str().map(|l| format!("- {l}")))
                .chain(["(--json for every fact)".to_string()])
                .collect(),
            None => serde_json::to_string_pretty(&facts)
                .map_err(encode)?
                .lines()
                .map(str::to_string)
                .collect(),
        };
        for line in lines {
            // Facts come from the home: shown, never raw.
            text.push_str(&terminal(&format!("  {line}"), LINE_MAX));
            text.push('\n');
        }
        for w in &s.warnings {
            printer.warn(&format!(
                "{}: {}",
                shown_path(&home.display(Path::new(&w.path))),
                w.reason
            ));
        }
    }
    crate::ui::stdout::write(text.as_bytes())?;
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
        // `~` is your home; another one (--root) is named.
        if home.explicit_root {
            shown_path(&home.root.display().to_string()).to_string()
        } else {
            shown_path(&home.display(&home.root)).to_string()
        },
        report.layout
    ));
    if report.session_count == 0
        && let Some(other) = looks_like(home)
    {
        printer.hint(&format!(
            "this home looks like a {} home; try --layout {}",
            other.name(),
            other.name()
        ));
    }
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

/// The layout `home` looks like when it is not the one asked for: the
/// folders each OS keeps its applications' data in.
fn looks_like(home: &probe::Home) -> Option<probe::Layout> {
    use probe::Layout;
    let has = |p: &str| home.root.join(p).is_dir();
    let seen = if has("Library/Application Support") {
        Layout::Macos
    } else if has("AppData/Local") || has("AppData/Roaming") {
        Layout::Windows
    } else if has(".config") || has(".mozilla") {
        Layout::Linux
    } else {
        return None;
    };
    (seen != home.layout).then_some(seen)
}
