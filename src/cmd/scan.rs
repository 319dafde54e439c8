//! `troubleshoot scan [--flow ID|FILE] [--json]`: every fact the flow's
//! probes find, no questions, changes nothing.

use std::path::Path;

use crate::cli::{Global, ScanArgs};
use crate::error::exit;
use crate::flow::builtin;
use crate::flow::model::{Flow, Step};
use crate::probe::{self, AppSpec, ScanReport, Source, app_sessions};
use crate::sanitize::{self, LINE_MAX, shown, shown_path, terminal};
use crate::ui::Printer;
use crate::{Error, Result};

pub fn run(global: &Global, args: &ScanArgs, printer: Printer) -> Result<u8> {
    let registry = crate::registry::builtin();
    let (flow, _) = builtin::resolve(&args.flow, registry)?;
    let home = super::home(global)?;
    super::warn_interrupted(global, printer);
    // A flow whose only probe is the session scan keeps its readable
    // summary and its JSON (schema 1); any other runs each of its probes.
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
/// scan | grep Acme` finds the workspace); warnings go to stderr.
fn summary(report: &ScanReport, spec: &AppSpec, home: &probe::Home, printer: Printer) -> String {
    let mut out: Vec<String> = Vec::new();
    out.push(format!(
        "{} {} session(s) found in {} ({} layout)",
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
        let flags = if flags.is_empty() {
            String::new()
        } else {
            format!(" [{}]", flags.join(", "))
        };
        out.push(format!(
            "{}, profile {}: {} session(s), {} account(s){flags}",
            b.browser,
            shown(&b.profile),
            b.sessions,
            count(b.accounts)
        ));
        for s in report.sessions.iter().filter(|s| {
            s.source == Source::Browser
                && s.store_id.ends_with(&b.profile_dir)
                && s.browser == b.browser
        }) {
            out.push(format!(
                "  ● {} ({})",
                shown(s.workspace_name.as_deref().unwrap_or(&s.workspace_id)),
                shown(&s.workspace_id)
            ));
        }
    }
    let d = &report.desktop_app;
    if d.installed {
        let mut extra = String::new();
        if !d.linked_accounts.is_empty() {
            extra = format!(", linked: {}", shown(&d.linked_accounts.join(", ")));
        }
        out.push(format!(
            "{} desktop app: {} session(s), {} account(s){}{extra}",
            spec.app,
            d.sessions,
            count(d.accounts),
            if d.running { " [running]" } else { "" }
        ));
        for s in report
            .sessions
            .iter()
            .filter(|s| s.source == Source::Desktop)
        {
            out.push(format!(
                "  ● {} ({})",
                shown(s.workspace_name.as_deref().unwrap_or(&s.workspace_id)),
                shown(&s.workspace_id)
            ));
        }
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
    if printer.verbose() {
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

/// An account count, or "unknown" when the evidence cannot tell.
fn count(n: Option<u32>) -> String {
    n.map_or_else(|| "unknown".to_string(), |n| n.to_string())
}
