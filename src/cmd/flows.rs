//! `troubleshoot flows list|check|graph`.

use std::io::Write;

use crate::Result;
use crate::error::exit;
use crate::flow::builtin::{self, BUILTIN};
use crate::flow::graph::{self, GraphFormat};
use crate::sanitize::{LINE_MAX, terminal};
use crate::ui::{Printer, stdout};

/// Version of the `flows list --json` document.
pub const FLOWS_SCHEMA: u32 = 1;

pub fn list(json: bool) -> Result<u8> {
    if json {
        #[derive(serde::Serialize)]
        struct Entry {
            id: &'static str,
            title: Option<String>,
            description: Option<String>,
            steps: Option<usize>,
            support: Option<crate::flow::model::Support>,
            /// Why the built-in flow does not load (a build defect).
            problem: Option<String>,
        }
        #[derive(serde::Serialize)]
        struct Doc {
            schema: u32,
            flows: Vec<Entry>,
        }
        let flows = BUILTIN
            .iter()
            .map(|(id, file, text)| {
                match crate::flow::load_str(file, text, crate::registry::builtin()) {
                    Ok(flow) => Entry {
                        id,
                        title: Some(flow.title),
                        description: Some(flow.description),
                        steps: Some(flow.steps.len()),
                        support: flow.support,
                        problem: None,
                    },
                    Err(e) => Entry {
                        id,
                        title: None,
                        description: None,
                        steps: None,
                        support: None,
                        problem: Some(e.to_string()),
                    },
                }
            })
            .collect();
        let doc = Doc {
            schema: FLOWS_SCHEMA,
            flows,
        };
        let text = serde_json::to_string_pretty(&doc)
            .map_err(|e| crate::Error::State(format!("cannot encode the flows: {e}")))?;
        stdout::line(&crate::sanitize::json_safe(text))?;
        return Ok(exit::OK);
    }
    let mut text = String::new();
    for (id, file, flow) in BUILTIN {
        let line = match crate::flow::load_str(file, flow, crate::registry::builtin()) {
            Ok(flow) => format!("{id:<24} {}", flow.title),
            Err(e) => format!("{id:<24} (invalid: {e})"),
        };
        text.push_str(&terminal(&line, LINE_MAX));
        text.push('\n');
    }
    stdout::write(text.as_bytes())?;
    Ok(exit::OK)
}

/// Version of the `flows catalog --json` document.
pub const CATALOG_SCHEMA: u32 = 1;

/// `flows catalog`: the registry's probes and actions, for flow authors.
pub fn catalog(json: bool) -> Result<u8> {
    use crate::flow::catalog::{ActionInfo, Catalog, ParamKind, ProbeInfo};
    let registry = crate::registry::builtin();
    let probes: Vec<&ProbeInfo> = registry.probes().iter().map(|p| p.info()).collect();
    let actions: Vec<&ActionInfo> = registry.actions().iter().map(|a| a.info()).collect();
    if json {
        #[derive(serde::Serialize)]
        struct Doc<'a> {
            schema: u32,
            probes: &'a [&'a ProbeInfo],
            actions: &'a [&'a ActionInfo],
        }
        let doc = Doc {
            schema: CATALOG_SCHEMA,
            probes: &probes,
            actions: &actions,
        };
        let text = serde_json::to_string_pretty(&doc)
            .map_err(|e| crate::Error::State(format!("cannot encode the catalog: {e}")))?;
        stdout::line(&crate::sanitize::json_safe(text))?;
        return Ok(exit::OK);
    }
    let mut lines = vec![
        "Probes (a check's \"probe\"; its facts go under the check's id or `as`):".to_string(),
    ];
    for p in &probes {
        lines.push(format!("  {}", p.id));
        lines.push(format!("      {}", p.summary));
        lines.push(format!("      facts: {}", p.facts.join(", ")));
    }
    lines.push(String::new());
    lines.push("Actions (a fix's \"action\"; a flow may raise the risk, never lower it):".into());
    for a in &actions {
        lines.push(format!("  {} (risk {})", a.id, a.risk));
        lines.push(format!("      {}", a.summary));
        let params: Vec<String> = a
            .params
            .iter()
            .map(|p| {
                let kind = match p.kind {
                    ParamKind::Fact => "a fact's name",
                };
                let need = if p.required { "required" } else { "optional" };
                format!("{} ({kind}, {need})", p.name)
            })
            .collect();
        if !params.is_empty() {
            lines.push(format!("      params: {}", params.join("; ")));
        }
        if !a.evidence.is_empty() {
            lines.push(format!(
                "      evidence: a check whose probe declares `{}`",
                a.evidence.join("`, `")
            ));
        }
    }
    let mut text = String::new();
    for l in lines {
        text.push_str(&terminal(&l, LINE_MAX));
        text.push('\n');
    }
    stdout::write(text.as_bytes())?;
    Ok(exit::OK)
}

/// Validate every file; report all of them, exit 2 if any is bad.
/// What a file beside the flows is, when it is not a flow: scenarios
/// (`*.tests.json`), a JSON Schema (`schema.json`, `*.schema.json`) or
/// the shared parameter blocks (`shared.json`, built in and checked by
/// the crate's tests).
fn not_a_flow(f: &str) -> Option<&'static str> {
    let name = std::path::Path::new(f)
        .file_name()
        .map(|n| n.to_string_lossy().to_lowercase())
        .unwrap_or_default();
    if name.ends_with(".tests.json") {
        Some("test scenarios, not a flow (`troubleshoot flows test` runs them)")
    } else if name == "schema.json" || name.ends_with(".schema.json") {
        Some("a JSON Schema for editors, not a flow")
    } else if name == "shared.json" {
        Some("shared parameter blocks (a check's \"params_from\"), not a flow")
    } else if name.ends_with(".demo.json") {
        Some("a demo sandbox (`troubleshoot demo --flow` builds it), not a flow")
    } else {
        None
    }
}

/// `flows check [FLOW…]`: every built-in flow when none is named; the
/// tests, schema, shared-blocks and demo files a glob such as `flows/*.json`
/// brings are skipped.
pub fn check(files: &[String], printer: Printer) -> Result<u8> {
    let mut bad = 0;
    let builtins: Vec<String>;
    let files = if files.is_empty() {
        builtins = BUILTIN.iter().map(|(id, _, _)| id.to_string()).collect();
        &builtins[..]
    } else {
        files
    };
    for f in files {
        if let Some(what) = not_a_flow(f) {
            printer.status(&format!("{f}: skipped: {what}"));
            continue;
        }
        match builtin::resolve(f, crate::registry::builtin()) {
            Ok((flow, _)) => printer.success(&format!(
                "{f}: ok ({} steps, flow `{}`)",
                flow.steps.len(),
                flow.id
            )),
            Err(e) => {
                bad += 1;
                for line in e.to_string().lines() {
                    printer.error(line);
                }
            }
        }
    }
    if bad > 0 {
        printer.hint("flows/README.md documents the format; flows/schema.json helps editors");
        return Ok(exit::USAGE);
    }
    Ok(exit::OK)
}

pub fn graph(flow: &str, format: GraphFormat) -> Result<u8> {
    let (flow, _) = builtin::resolve(flow, crate::registry::builtin())?;
    stdout::write(graph::render(&flow, format).as_bytes())?;
    Ok(exit::OK)
}

/// Run scenarios; their text goes to stderr like every non-JSON output.
pub fn test(targets: &[String], require_full_coverage: bool) -> Result<u8> {
    let options = crate::flowtest::Options {
        require_full_coverage,
        ..crate::flowtest::Options::new(crate::registry::builtin())
    };
    let out = crate::flowtest::test_command(targets, options);
    // Like every status message, a closed stderr is not worth failing for
    // (the exit code says the result); `eprint!` would panic.
    let _ = std::io::stderr().write_all(out.text.as_bytes());
    Ok(out.exit_code)
}
