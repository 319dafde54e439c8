//! The Markdown report, written for an issue tracker (GitHub-flavoured):
//! title, outcome line, findings first, then the run, the environment, the
//! answers, the timeline with evidence, fixes with plan, result and backup,
//! warnings. Every piece of record text goes through [`escape`].

use std::fmt::Write;

use super::record::RunRecord;
use super::redact::Redaction;
use super::view::{self, Status, Table};

/// Escape text for inline Markdown: HTML-significant characters become
/// entities (`<` `>` `&`), Markdown-significant ones get a backslash
/// (`` \ ` * _ [ ] | ~ ``), a leading list/heading/quote marker is neutralised,
/// and controls, line breaks included, and bidirectional overrides are
/// shown as visible escapes (`\n`, `\x1b`, `\u{202e}`, see
/// [`crate::sanitize`]) so a value can neither start a new block nor fake a
/// line.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 8);
    for (i, c) in s.chars().enumerate() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '\\' | '`' | '*' | '_' | '[' | ']' | '|' | '~' | '#' | '!' => {
                out.push('\\');
                out.push(c);
            }
            // Controls (CR and LF too), DEL and bidirectional overrides are
            // shown, as the terminal shows them: `\x1b`, `\n`, `\u{202e}`.
            c if crate::sanitize::is_unsafe(c) => {
                let mut e = String::new();
                let _ = crate::sanitize::escape_into(c, &mut e);
                out.push_str(&e.replace('\\', "\\\\"));
            }
            '-' | '+' | '=' if i == 0 => {
                out.push('\\');
                out.push(c);
            }
            _ => out.push(c),
        }
    }
    // "1. text" at the start would become an ordered list.
    if let Some(dot) = out.find(['.', ')'])
        && dot > 0
        && out[..dot].chars().all(|c| c.is_ascii_digit())
        && out[dot + 1..]
            .chars()
            .next()
            .is_none_or(char::is_whitespace)
    {
        out.insert(dot, '\\');
    }
    out
}

fn table(out: &mut String, t: &Table) {
    let _ = writeln!(
        out,
        "| {} |",
        t.headers
            .iter()
            .map(|h| escape(h))
            .collect::<Vec<_>>()
            .join(" | ")
    );
    let _ = writeln!(out, "|{}", "---|".repeat(t.headers.len()));
    for row in &t.rows {
        let cells: Vec<String> = row.iter().map(|c| escape(c)).collect();
        let _ = writeln!(out, "| {} |", cells.join(" | "));
    }
    out.push('\n');
}

fn kv_table(out: &mut String, rows: &[(&str, String)]) {
    out.push_str("| | |\n|---|---|\n");
    for (k, v) in rows {
        let _ = writeln!(out, "| **{}** | {} |", escape(k), escape(v));
    }
    out.push('\n');
}

/// Render a (redacted) record as Markdown.
pub fn render(r: &RunRecord, redactions: &[Redaction], include_names: bool) -> String {
    let mut out = String::new();
    let status = Status::of(r);
    let _ = writeln!(out, "# Troubleshoot report: {}\n", escape(&r.flow_title));
    let message = r
        .outcome
        .as_ref()
        .map(|o| escape(&o.message))
        .unwrap_or_else(|| "The run ended before reaching an outcome.".into());
    let _ = writeln!(
        out,
        "> {} **{}**: {}\n",
        status.emoji(),
        status.label(),
        message
    );
    let _ = writeln!(
        out,
        "Run {} of flow {} on {}, {}, ended {}, exit code {}.\n",
        escape(&r.run_id),
        escape(&r.flow_id),
        escape(&r.layout),
        escape(&r.started_at),
        match &r.outcome {
            Some(o) => format!("at step {}", escape(&o.step)),
            None => "without an outcome (cancelled or stopped by an error)".into(),
        },
        r.exit_code
    );

    out.push_str("## Findings\n\n");
    if r.findings.is_empty() {
        out.push_str("No conclusions were shown in this run.\n\n");
    } else {
        for (i, f) in r.findings.iter().enumerate() {
            let _ = writeln!(
                out,
                "{}. {} *(step {})*",
                i + 1,
                escape(&f.text),
                escape(&f.step)
            );
        }
        out.push('\n');
    }

    out.push_str("## Environment\n\n");
    if let Some(note) = view::environment_note(r) {
        let _ = writeln!(out, "*{}*\n", escape(note));
    }
    if let Some(s) = view::scan_summary(r) {
        let _ = writeln!(out, "{}\n", escape(&s));
    }
    if let Some(t) = view::sessions_table(r) {
        out.push_str("### Workspace sessions\n\n");
        table(&mut out, &t);
    }
    if let Some(t) = view::browsers_table(r) {
        out.push_str("### Browser profiles\n\n");
        table(&mut out, &t);
    }
    if let Some(rows) = view::desktop_rows(r) {
        out.push_str("### Desktop app\n\n");
        kv_table(&mut out, &rows);
    }
    out.push_str("### Run\n\n");
    kv_table(&mut out, &view::summary(r, redactions, include_names));

    if !r.answers.is_empty() {
        out.push_str("## Answers\n\n| Question | Answer |\n|---|---|\n");
        for (q, a) in &r.answers {
            let _ = writeln!(out, "| {} | {} |", escape(q), escape(&view::text(a)));
        }
        out.push('\n');
    }

    out.push_str("## Timeline\n\n");
    if r.steps.is_empty() {
        out.push_str("No steps were taken.\n\n");
    }
    for (i, e) in view::timeline(r).iter().enumerate() {
        let _ = write!(
            out,
            "{}. **{}** ({})",
            i + 1,
            escape(e.step),
            escape(e.kind)
        );
        if let Some(d) = e.detail {
            let _ = write!(out, " → {}", escape(d));
        }
        out.push('\n');
        if let Some(x) = e.explain {
            let _ = writeln!(out, "   - Conclusion: {}", escape(x));
        }
        if !e.evidence.is_empty() {
            let _ = writeln!(out, "   - {}:", escape(view::evidence_label(r)));
            for ev in &e.evidence {
                let _ = writeln!(out, "     - {}", escape(ev));
            }
        }
        if let Some(f) = e.fix.map(|n| &r.fixes[n]) {
            let _ = writeln!(
                out,
                "   - Fix: {} → {} (see Fixes)",
                escape(&f.title),
                escape(&f.result)
            );
        }
    }
    out.push('\n');

    out.push_str("## Fixes\n\n");
    if r.fixes.is_empty() {
        out.push_str("No fix was proposed.\n\n");
    }
    for (i, f) in r.fixes.iter().enumerate() {
        let icon = match view::fix_tone(&f.result) {
            "ok" => "✅",
            "info" => "🔎",
            "warn" => "⚠️",
            _ => "🛑",
        };
        let _ = writeln!(out, "### {}. {} {}\n", i + 1, icon, escape(&f.title));
        let _ = writeln!(out, "- **Result:** {}", escape(&f.result));
        if let Some(reason) = &f.reason {
            let _ = writeln!(out, "- **Reason:** {}", escape(reason));
        }
        let _ = writeln!(
            out,
            "- **Action:** {} (risk: {})",
            escape(&f.action),
            escape(&f.risk)
        );
        let _ = writeln!(out, "- **Step:** {}", escape(&f.step));
        match view::backup_line(r, f) {
            Some(b) => {
                let _ = writeln!(out, "- **Backup:** {}", escape(&b));
            }
            None => out.push_str("- **Backup:** none taken\n"),
        }
        let plan = view::plan_lines(&f.plan);
        if plan.is_empty() {
            out.push_str("- **Plan:** none recorded\n");
        } else {
            out.push_str("- **Plan:**\n");
            for (depth, line) in plan {
                let _ = writeln!(out, "{}- {}", "  ".repeat(depth + 1), escape(&line));
            }
        }
        out.push('\n');
    }

    let warnings = view::warnings(r);
    if !warnings.is_empty() {
        out.push_str("## Warnings\n\n");
        for w in &warnings {
            let _ = writeln!(out, "- {}", escape(w));
        }
        out.push('\n');
    }

    let _ = writeln!(
        out,
        "---\n<sub>troubleshoot {} · report schema {} · redaction {}</sub>",
        escape(&r.tool_version),
        r.schema,
        escape(&view::redaction_line(redactions, include_names))
    );
    out
}

#[cfg(test)]
mod tests {
    use super::escape;

    #[test]
    fn escapes_markup() {
        assert_eq!(
            escape("<script>alert(1)</script>"),
            "&lt;script&gt;alert(1)&lt;/script&gt;"
        );
        assert_eq!(
            escape("a|b `c` *d* _e_ [f](g) ~h"),
            r"a\|b \`c\` \*d\* \_e\_ \[f\](g) \~h"
        );
        assert_eq!(escape("- x\ny"), r"\- x\\ny");
        assert_eq!(escape("a\x1b[2J\r\0\u{202e}"), r"a\\x1b\[2J\\r\\0\\u{202e}");
        assert_eq!(escape("1. x"), r"1\. x");
        assert_eq!(escape("0.1.0"), "0.1.0");
        assert_eq!(escape("A & B"), "A &amp; B");
    }
}
