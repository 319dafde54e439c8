//! Text output and the `flows test` command.

use std::fmt::Write as _;

use crate::flow::protocol::Outcome;

use super::BUILTIN_TESTS;
use super::load::run_target;
use super::results::{Options, SuiteResult};

/// The text `troubleshoot flows test` prints for one test file.
pub fn render_text(r: &SuiteResult) -> String {
    let mut s = format!(
        "{}: flow `{}`, {} scenario(s)\n",
        r.file,
        r.flow,
        r.scenarios.len()
    );
    for sc in &r.scenarios {
        if sc.passed {
            let _ = writeln!(
                s,
                "  ok    {}  ({} steps, {} {})",
                sc.name,
                sc.path.len(),
                sc.end.as_deref().unwrap_or("-"),
                sc.outcome.map_or("-", Outcome::as_str)
            );
        } else {
            let _ = writeln!(s, "  FAIL  {}", sc.name);
            for f in &sc.failures {
                for (i, line) in f.lines().enumerate() {
                    let pad = if i == 0 { "      - " } else { "      " };
                    let _ = writeln!(s, "{pad}{line}");
                }
            }
        }
    }
    let c = &r.coverage;
    let _ = writeln!(
        s,
        "coverage: {}/{} steps, {}/{} ends, {}/{} edges",
        c.steps - c.uncovered_steps.len(),
        c.steps,
        c.ends - c.uncovered_ends.len(),
        c.ends,
        c.edges - c.uncovered_edges.len(),
        c.edges
    );
    let steps: Vec<&str> = c
        .uncovered_steps
        .iter()
        .filter(|id| !c.uncovered_ends.iter().any(|(e, _)| e == *id))
        .map(String::as_str)
        .collect();
    if !steps.is_empty() {
        let _ = writeln!(s, "  steps no scenario reaches: {}", steps.join(", "));
    }
    if !c.uncovered_ends.is_empty() {
        let ends: Vec<String> = c
            .uncovered_ends
            .iter()
            .map(|(id, o)| format!("{id} ({o})"))
            .collect();
        let _ = writeln!(s, "  ends no scenario reaches: {}", ends.join(", "));
    }
    if !c.uncovered_edges.is_empty() {
        let _ = writeln!(
            s,
            "  edges no scenario takes: {}",
            c.uncovered_edges.join(", ")
        );
    }
    let passed = r.scenarios.len() - r.failed();
    let mut verdict = format!("{passed} passed, {} failed", r.failed());
    if r.require_full_coverage && !c.full() {
        verdict.push_str("; coverage is not full (--require-full-coverage)");
    }
    let _ = writeln!(s, "{}: {verdict}", if r.passed() { "ok" } else { "FAILED" });
    s
}

/// Outcome of the whole command over several targets.
#[derive(Debug, Clone)]
pub struct CommandOutput {
    /// Everything to print (stderr or stdout, the caller decides).
    pub text: String,
    /// 0 all pass, 1 any scenario fails (or coverage when required), 2 a flow
    /// or test file is malformed or missing.
    pub exit_code: u8,
    pub results: Vec<SuiteResult>,
}

/// `troubleshoot flows test [FLOW|FILE]... [--require-full-coverage]`: with no
/// targets, every built-in flow. Every target is run; the worst exit code wins.
pub fn test_command(targets: &[String], opts: Options) -> CommandOutput {
    let all: Vec<String> = if targets.is_empty() {
        BUILTIN_TESTS
            .iter()
            .map(|(id, _, _)| id.to_string())
            .collect()
    } else {
        targets.to_vec()
    };
    let mut out = CommandOutput {
        text: String::new(),
        exit_code: 0,
        results: Vec::new(),
    };
    for t in &all {
        match run_target(t, opts) {
            Ok(results) => {
                for r in results {
                    out.text.push_str(&render_text(&r));
                    out.exit_code = out.exit_code.max(r.exit_code());
                    out.results.push(r);
                }
            }
            Err(e) => {
                let _ = writeln!(out.text, "{e}");
                out.exit_code = 2;
            }
        }
    }
    out
}
