//! The Markdown report, written for an issue tracker (GitHub-flavoured),
//! from the [view](super::view): the outcome and a summary first, then the
//! findings with their evidence, the timeline in words, the fixes with their
//! plans as sentences, the environment before and after, where it ran, the
//! flow as a mermaid chart with the path taken, the support page, warnings
//! and the run. Every piece of record text goes through [`escape`] (commands
//! in backticks become code spans).

use std::fmt::Write;

use super::pseudonyms::Redaction;
use super::record::RunRecord;
use super::view::{self, Status, Table};

/// Escape text for inline Markdown: HTML-significant characters (`<` `>`
/// `&`) and Markdown-significant ones (`` \ ` * _ [ ] | ~ ``) get a
/// backslash, a leading list/heading/quote marker is neutralised,
/// and controls, line breaks included, and bidirectional overrides are
/// shown as visible escapes (`\n`, `\x1b`, `\u{202e}`, see
/// [`crate::sanitize`]) so a value can neither start a new block nor fake a
/// line.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 8);
    for (i, c) in s.chars().enumerate() {
        match c {
            // A backslash keeps the text readable as it is (`\<space\>`,
            // not `&lt;space&gt;`) and is no tag or entity when rendered.
            '<' | '>' | '&' | '\\' | '`' | '*' | '_' | '[' | ']' | '|' | '~' | '#' | '!' => {
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

/// Text with its commands as code spans (see [`view::spans`]); the rest
/// escaped. Not for table cells, where a code span could hold a `|`.
fn prose(s: &str) -> String {
    view::spans(s)
        .into_iter()
        .map(|(code, t)| if code { format!("`{t}`") } else { escape(t) })
        .collect()
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

fn kv_table(out: &mut String, rows: &[view::Row]) {
    out.push_str("| | |\n|---|---|\n");
    for r in rows {
        let _ = writeln!(out, "| **{}** | {} |", escape(&r.label), escape(&r.value));
    }
    out.push('\n');
}

/// A label for a mermaid node or edge: letters, digits and plain
/// punctuation only, so no flow text can end the block or the label.
fn mermaid_label(s: &str) -> String {
    let cleaned: String = s
        .chars()
        .map(|c| {
            if c.is_alphanumeric() || " ,.:()/?-_".contains(c) {
                c
            } else {
                ' '
            }
        })
        .collect();
    let cleaned = cleaned.split_whitespace().collect::<Vec<_>>().join(" ");
    let mut chars = cleaned.chars();
    let short: String = chars.by_ref().take(40).collect();
    if chars.next().is_some() {
        format!("{short}…")
    } else {
        short
    }
}

/// The flow as a mermaid flowchart, the path taken in green.
fn mermaid(out: &mut String, g: &view::GraphView) {
    out.push_str("```mermaid\nflowchart TD\n");
    for (i, n) in g.nodes.iter().enumerate() {
        let label = mermaid_label(&n.id);
        let shape = match n.kind.as_str() {
            "ask" | "guide" => format!("s{i}[/\"{label}\"/]"),
            "check" => format!("s{i}{{\"{label}\"}}"),
            "fix" => format!("s{i}[[\"{label}\"]]"),
            _ => format!("s{i}([\"{label}\"])"),
        };
        let _ = writeln!(out, "    {shape}");
    }
    let mut taken = Vec::new();
    for (k, e) in g.edges.iter().enumerate() {
        if e.taken {
            taken.push(k.to_string());
        }
        if e.label.is_empty() {
            let _ = writeln!(out, "    s{} --> s{}", e.from, e.to);
        } else {
            let _ = writeln!(
                out,
                "    s{} -->|\"{}\"| s{}",
                e.from,
                mermaid_label(&e.label),
                e.to
            );
        }
    }
    out.push_str("    classDef taken fill:#dafbe1,stroke:#1a7f37,stroke-width:2px\n");
    let visited: Vec<String> = g
        .nodes
        .iter()
        .enumerate()
        .filter(|(_, n)| n.visited)
        .map(|(i, _)| format!("s{i}"))
        .collect();
    if !visited.is_empty() {
        let _ = writeln!(out, "    class {} taken", visited.join(","));
    }
    if !taken.is_empty() {
        let _ = writeln!(
            out,
            "    linkStyle {} stroke:#1a7f37,stroke-width:3px",
            taken.join(",")
        );
    }
    out.push_str("```\n\n");
}

/// Render a (redacted) record as Markdown.
pub fn render(r: &RunRecord, redactions: &[Redaction], include_names: bool) -> String {
    render_view(r, &view::build(r, redactions, include_names))
}

fn render_view(r: &RunRecord, v: &view::View) -> String {
    let mut out = String::new();
    let status = Status::of(r);
    let _ = writeln!(out, "# {}\n", escape(&v.title));
    let _ = writeln!(
        out,
        "> {} **{}**: {}\n",
        status.emoji(),
        escape(&v.status.label),
        prose(&v.status.message)
    );
    for s in &v.summary {
        let _ = writeln!(out, "- **{}:** {}", escape(&s.label), prose(&s.text));
    }
    out.push('\n');
    let _ = writeln!(
        out,
        "Run {} of flow {}, started {}, exit code {}.\n",
        escape(&r.run_id),
        escape(&r.flow_id),
        escape(&r.started_at),
        r.exit_code
    );

    out.push_str("## Findings\n\n");
    if v.findings.is_empty() {
        out.push_str("No conclusions were shown in this run.\n\n");
    } else {
        for (i, f) in v.findings.iter().enumerate() {
            let _ = writeln!(out, "{}. {}", i + 1, prose(&f.text));
            for e in &f.evidence {
                let _ = writeln!(out, "   - {}", escape(e));
            }
        }
        out.push('\n');
    }

    out.push_str("## Timeline\n\n");
    if v.timeline.is_empty() {
        out.push_str("No steps were taken.\n\n");
    }
    for (i, e) in v.timeline.iter().enumerate() {
        let took = e
            .took
            .as_ref()
            .map(|t| format!(" ({})", escape(t)))
            .unwrap_or_default();
        let _ = writeln!(
            out,
            "{}. *{}*{took}: **{}**",
            i + 1,
            escape(&view_kind(&e.kind)),
            prose(&e.title)
        );
        if let Some(a) = &e.answer {
            let _ = writeln!(out, "   - Answer: {}", prose(a));
        }
        if let Some(f) = &e.found {
            match view::found_label(e) {
                Some(l) => {
                    let _ = writeln!(out, "   - {l}: {}", prose(f));
                }
                None => {
                    let _ = writeln!(out, "   - {}", prose(f));
                }
            }
        }
        if let Some(n) = &e.next {
            let _ = writeln!(out, "   - {}", prose(n));
        }
    }
    out.push('\n');

    out.push_str("## Fixes\n\n");
    if v.fixes.is_empty() {
        out.push_str("No fix was proposed.\n\n");
    }
    for (i, f) in v.fixes.iter().enumerate() {
        let icon = match f.tone.as_str() {
            "ok" => "✅",
            "info" => "🔎",
            "warn" => "⚠️",
            _ => "🛑",
        };
        let _ = writeln!(out, "### {}. {} {}\n", i + 1, icon, escape(&f.title));
        let _ = writeln!(out, "- **Result:** {}", prose(&f.result));
        let _ = writeln!(out, "- **Risk:** {}", escape(&f.risk));
        if let Some(b) = &f.backup {
            let _ = writeln!(out, "- **Backup:** {}", prose(b));
        }
        if f.plan.is_empty() {
            out.push_str("- **Plan:** none recorded\n");
        } else {
            out.push_str("- **Plan:**\n");
            for s in &f.plan {
                let _ = writeln!(out, "  - {}", prose(s));
            }
        }
        out.push('\n');
    }

    let env = &v.environment;
    out.push_str("## Environment\n\n");
    if let Some(note) = &env.note {
        let _ = writeln!(out, "*{}*\n", escape(note));
    }
    let mut headers = vec!["What".to_string()];
    headers.extend(env.columns.iter().cloned());
    table(
        &mut out,
        &Table {
            headers: headers.clone(),
            rows: vec![
                std::iter::once("Scan".to_string())
                    .chain(env.summary.iter().cloned())
                    .collect(),
            ],
        },
    );
    for s in &env.stores {
        let _ = writeln!(out, "### {}\n", escape(&s.place));
        let _ = writeln!(
            out,
            "| {} |\n|{}",
            headers
                .iter()
                .map(|h| escape(h))
                .collect::<Vec<_>>()
                .join(" | "),
            "---|".repeat(headers.len())
        );
        for row in &s.rows {
            let cells: Vec<String> = row
                .values
                .iter()
                .enumerate()
                .map(|(k, c)| {
                    // What the fix changed stands out.
                    if row.changed && k > 0 {
                        format!("**{}**", escape(c))
                    } else {
                        escape(c)
                    }
                })
                .collect();
            let _ = writeln!(out, "| {} | {} |", escape(&row.label), cells.join(" | "));
        }
        out.push('\n');
    }
    if let Some(t) = &env.sessions {
        let _ = writeln!(
            out,
            "### {} ({})\n",
            escape(&env.sessions_title),
            escape(&env.columns[0].to_lowercase())
        );
        table(&mut out, t);
    }

    out.push_str("## Where it ran\n\n");
    kv_table(&mut out, &v.host);

    if let Some(g) = &v.graph {
        out.push_str("## The flow and the path taken\n\n");
        out.push_str("Steps the run went through, and the moves between them, are green.\n\n");
        mermaid(&mut out, g);
    }

    if let Some(s) = &v.support {
        out.push_str("## Support\n\n");
        let _ = writeln!(
            out,
            "For help beyond this report: {}, {}\n",
            escape(&s.title),
            autolink(&s.url)
        );
    }

    if !v.warnings.is_empty() {
        out.push_str("## Warnings\n\n");
        for w in &v.warnings {
            let _ = writeln!(out, "- {}", escape(w));
        }
        out.push('\n');
    }

    out.push_str("## Run\n\n");
    kv_table(&mut out, &v.run);

    let _ = writeln!(
        out,
        "---\n<sub>troubleshoot {} · report schema {} · view {} · redaction {}</sub>",
        escape(&r.tool_version),
        r.schema,
        v.version,
        escape(&v.redaction)
    );
    out
}

/// `<url>` when the address is plain (an autolink takes no escapes), else
/// the address as escaped text.
fn autolink(url: &str) -> String {
    let plain = url.starts_with("https://")
        && url
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || ":/._~%?#&=+-".contains(c));
    if plain {
        format!("<{url}>")
    } else {
        escape(url)
    }
}

fn view_kind(kind: &str) -> String {
    let mut c = kind.chars();
    c.next()
        .map(|f| f.to_uppercase().chain(c).collect())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::escape;

    #[test]
    fn escapes_markup() {
        assert_eq!(
            escape("<script>alert(1)</script>"),
            r"\<script\>alert(1)\</script\>"
        );
        assert_eq!(
            escape("a|b `c` *d* _e_ [f](g) ~h"),
            r"a\|b \`c\` \*d\* \_e\_ \[f\](g) \~h"
        );
        assert_eq!(escape("- x\ny"), r"\- x\\ny");
        assert_eq!(escape("a\x1b[2J\r\0\u{202e}"), r"a\\x1b\[2J\\r\\0\\u{202e}");
        assert_eq!(escape("1. x"), r"1\. x");
        assert_eq!(escape("0.1.0"), "0.1.0");
        assert_eq!(escape("A & B"), r"A \& B");
        assert_eq!(
            escape("notion:workspace:<space>"),
            r"notion:workspace:\<space\>"
        );
    }
}
