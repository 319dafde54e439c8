//! The HTML report: one self-contained page. Inline CSS only; no script, no
//! external URL, image, font or stylesheet (a Content-Security-Policy of
//! `default-src 'none'` makes sure of it in the browser). Findings first,
//! then the timeline with evidence, fixes with plan and result, the outcome,
//! the environment and the run. Colored by status; printable. Every piece of
//! record text goes through [`escape`] (written here rather than pulling in a
//! crate for five replacements).

use std::fmt::Write;

use super::record::RunRecord;
use super::redact::Redaction;
use super::view::{self, Status, Table};

/// Escape text for HTML element content and quoted attribute values;
/// controls and bidirectional overrides become visible escapes.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            // Controls (CR and LF too), DEL and bidirectional overrides are
            // shown, as the terminal shows them: `\x1b`, `\n`, `\u{202e}`.
            c if crate::sanitize::is_unsafe(c) => {
                let _ = crate::sanitize::escape_into(c, &mut out);
            }
            _ => out.push(c),
        }
    }
    out
}

const CSS: &str = r#"
:root { --ok:#1a7f37; --ok-bg:#dafbe1; --warn:#9a6700; --warn-bg:#fff8c5; --bad:#cf222e; --bad-bg:#ffebe9;
  --info:#0969da; --info-bg:#ddf4ff; --fg:#1f2328; --muted:#59636e; --line:#d1d9e0; --bg:#ffffff; --soft:#f6f8fa; }
* { box-sizing: border-box; }
body { margin: 0 auto; max-width: 62rem; padding: 1.5rem; color: var(--fg); background: var(--bg);
  font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; }
h1 { font-size: 1.6rem; margin: 0 0 .5rem; }
h2 { font-size: 1.2rem; margin: 2rem 0 .6rem; padding-bottom: .25rem; border-bottom: 1px solid var(--line); }
h3 { font-size: 1rem; margin: 1.2rem 0 .4rem; }
code, .mono { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: .9em; overflow-wrap: anywhere; }
.banner { border-left: 6px solid; border-radius: 6px; padding: .8rem 1rem; margin: 1rem 0; }
.banner .badge { font-weight: 700; text-transform: uppercase; letter-spacing: .04em; font-size: .85rem; }
.banner p { margin: .3rem 0 0; }
.banner.ok { border-color: var(--ok); background: var(--ok-bg); } .ok .badge, .tag.ok { color: var(--ok); }
.banner.warn { border-color: var(--warn); background: var(--warn-bg); } .warn .badge, .tag.warn { color: var(--warn); }
.banner.bad { border-color: var(--bad); background: var(--bad-bg); } .bad .badge, .tag.bad { color: var(--bad); }
.banner.info { border-color: var(--info); background: var(--info-bg); } .info .badge, .tag.info { color: var(--info); }
.meta { color: var(--muted); }
ol.findings li { margin: .35rem 0; }
.step { color: var(--muted); font-size: .85em; }
ol.timeline { list-style: none; padding: 0; margin: 0; border-left: 3px solid var(--line); }
ol.timeline > li { position: relative; margin: 0 0 .8rem; padding: 0 0 0 1rem; }
ol.timeline > li::before { content: ""; position: absolute; left: -8px; top: .45rem; width: 13px; height: 13px;
  border-radius: 50%; background: var(--bg); border: 3px solid var(--muted); }
ol.timeline > li.k-check::before { border-color: var(--info); }
ol.timeline > li.k-fix::before { border-color: var(--warn); }
ol.timeline > li.k-end::before { border-color: var(--fg); background: var(--fg); }
.kind { display: inline-block; font-size: .75rem; padding: 0 .4rem; border: 1px solid var(--line); border-radius: 1rem; color: var(--muted); }
.detail { font-weight: 600; }
.explain { margin: .2rem 0; }
.evlabel { margin: .2rem 0 0; font-size: .8em; color: var(--muted); text-transform: uppercase; letter-spacing: .04em; }
ul.evidence { margin: .1rem 0 .3rem; padding-left: 1.2rem; font-size: .9em; color: var(--muted); }
.fix { border: 1px solid var(--line); border-left-width: 6px; border-radius: 6px; padding: .6rem 1rem; margin: .8rem 0; background: var(--bg); }
.fix.ok { border-left-color: var(--ok); } .fix.warn { border-left-color: var(--warn); }
.fix.bad { border-left-color: var(--bad); } .fix.info { border-left-color: var(--info); }
.fix h3 { margin-top: .2rem; }
.tag { font-size: .8rem; font-weight: 600; padding: 0 .45rem; border-radius: 1rem; border: 1px solid currentColor; white-space: nowrap; }
.fix dl, dl.kv { display: grid; grid-template-columns: max-content 1fr; gap: .2rem 1rem; margin: .4rem 0; }
dt { font-weight: 600; } dd { margin: 0; overflow-wrap: anywhere; }
ul.plan, ul.plan ul { margin: .2rem 0; padding-left: 1.2rem; }
table { border-collapse: collapse; width: 100%; margin: .4rem 0 1rem; font-size: .88em; }
th, td { border: 1px solid var(--line); padding: .3rem .5rem; text-align: left; vertical-align: top; overflow-wrap: break-word; }
th { background: var(--soft); }
footer { margin-top: 2rem; color: var(--muted); font-size: .85em; }
@media print {
  body { max-width: none; padding: 0; font-size: 10.5pt; }
  * { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
  h2 { break-after: avoid; }
  .fix, ol.timeline > li, tr { break-inside: avoid; }
}
"#;

fn table(out: &mut String, t: &Table) {
    out.push_str("<table><thead><tr>");
    for h in &t.headers {
        let _ = write!(out, "<th>{}</th>", escape(h));
    }
    out.push_str("</tr></thead><tbody>\n");
    for row in &t.rows {
        out.push_str("<tr>");
        for c in row {
            let _ = write!(out, "<td>{}</td>", escape(c));
        }
        out.push_str("</tr>\n");
    }
    out.push_str("</tbody></table>\n");
}

fn kv(out: &mut String, rows: &[(&str, String)]) {
    out.push_str("<dl class=\"kv\">");
    for (k, v) in rows {
        let _ = write!(out, "<dt>{}</dt><dd>{}</dd>", escape(k), escape(v));
    }
    out.push_str("</dl>\n");
}

fn plan(out: &mut String, lines: &[(usize, String)]) {
    let mut depth = 0usize;
    out.push_str("<ul class=\"plan\">");
    let mut open_li = false;
    for (d, line) in lines {
        while depth < *d {
            out.push_str("<ul>");
            depth += 1;
            open_li = false;
        }
        while depth > *d {
            if open_li {
                out.push_str("</li>");
            }
            out.push_str("</ul>");
            depth -= 1;
            open_li = true;
        }
        if open_li {
            out.push_str("</li>");
        }
        let _ = write!(out, "<li>{}", escape(line));
        open_li = true;
    }
    while depth > 0 {
        if open_li {
            out.push_str("</li>");
        }
        out.push_str("</ul>");
        depth -= 1;
        open_li = true;
    }
    if open_li {
        out.push_str("</li>");
    }
    out.push_str("</ul>\n");
}

/// Render a (redacted) record as one HTML page.
pub fn render(r: &RunRecord, redactions: &[Redaction], include_names: bool) -> String {
    let status = Status::of(r);
    let title = format!("Troubleshoot report: {}", r.flow_title);
    let mut out = String::new();
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <meta name=\"generator\" content=\"troubleshoot {}\">\n<title>{}</title>\n<style>{CSS}</style>\n</head>\n\
         <body class=\"status-{}\">\n",
        escape(&r.tool_version),
        escape(&title),
        status.tone()
    );

    // Header and outcome banner.
    let message = r
        .outcome
        .as_ref()
        .map(|o| o.message.clone())
        .unwrap_or_else(|| "The run ended before reaching an outcome.".into());
    let _ = write!(
        out,
        "<header>\n<h1>{}</h1>\n<p class=\"meta\">Run <code>{}</code> · {} · {} layout · exit code {}</p>\n\
         <div class=\"banner {}\" id=\"status\"><span class=\"badge\">{}</span><p>{}</p></div>\n</header>\n",
        escape(&title),
        escape(&r.run_id),
        escape(&r.started_at),
        escape(&r.layout),
        r.exit_code,
        status.tone(),
        escape(status.label()),
        escape(&message)
    );

    // Findings.
    out.push_str("<section id=\"findings\">\n<h2>Findings</h2>\n");
    if r.findings.is_empty() {
        out.push_str("<p class=\"meta\">No conclusions were shown in this run.</p>\n");
    } else {
        out.push_str("<ol class=\"findings\">\n");
        for f in &r.findings {
            let _ = writeln!(
                out,
                "<li>{} <span class=\"step\">(step <code>{}</code>)</span></li>",
                escape(&f.text),
                escape(&f.step)
            );
        }
        out.push_str("</ol>\n");
    }
    out.push_str("</section>\n");

    // Timeline.
    out.push_str("<section id=\"timeline\">\n<h2>Timeline</h2>\n");
    if r.steps.is_empty() {
        out.push_str("<p class=\"meta\">No steps were taken.</p>\n");
    } else {
        out.push_str("<ol class=\"timeline\">\n");
        for e in view::timeline(r) {
            let kind_class: String = e
                .kind
                .chars()
                .filter(|c| c.is_ascii_alphanumeric())
                .collect();
            let _ = write!(
                out,
                "<li class=\"k-{kind_class}\"><code>{}</code> <span class=\"kind\">{}</span>",
                escape(e.step),
                escape(e.kind)
            );
            if let Some(d) = e.detail {
                let _ = write!(out, " → <span class=\"detail\">{}</span>", escape(d));
            }
            if let Some(x) = e.explain {
                let _ = write!(out, "<p class=\"explain\">{}</p>", escape(x));
            }
            if !e.evidence.is_empty() {
                let _ = write!(
                    out,
                    "<p class=\"evlabel\">{}</p><ul class=\"evidence\">",
                    escape(view::evidence_label(r))
                );
                for ev in &e.evidence {
                    let _ = write!(out, "<li>{}</li>", escape(ev));
                }
                out.push_str("</ul>");
            }
            if let Some(f) = e.fix.map(|n| &r.fixes[n]) {
                let _ = write!(
                    out,
                    "<p class=\"explain\">Fix: {} → <span class=\"tag {}\">{}</span></p>",
                    escape(&f.title),
                    view::fix_tone(&f.result),
                    escape(&f.result)
                );
            }
            out.push_str("</li>\n");
        }
        out.push_str("</ol>\n");
    }
    out.push_str("</section>\n");

    // Fixes.
    out.push_str("<section id=\"fixes\">\n<h2>Fixes</h2>\n");
    if r.fixes.is_empty() {
        out.push_str("<p class=\"meta\">No fix was proposed.</p>\n");
    }
    for f in &r.fixes {
        let tone = view::fix_tone(&f.result);
        let _ = write!(
            out,
            "<div class=\"fix {tone}\"><h3>{} <span class=\"tag {tone}\">{}</span></h3><dl>",
            escape(&f.title),
            escape(&f.result)
        );
        let mut rows: Vec<(&str, String)> = vec![];
        if let Some(reason) = &f.reason {
            rows.push(("Reason", reason.clone()));
        }
        rows.push(("Action", format!("{} (risk: {})", f.action, f.risk)));
        rows.push(("Step", f.step.clone()));
        rows.push((
            "Backup",
            view::backup_line(r, f).unwrap_or_else(|| "none taken".into()),
        ));
        for (k, v) in rows {
            let _ = write!(out, "<dt>{}</dt><dd>{}</dd>", escape(k), escape(&v));
        }
        out.push_str("<dt>Plan</dt><dd>");
        let lines = view::plan_lines(&f.plan);
        if lines.is_empty() {
            out.push_str("none recorded");
        } else {
            plan(&mut out, &lines);
        }
        out.push_str("</dd></dl></div>\n");
    }
    out.push_str("</section>\n");

    // Outcome.
    out.push_str("<section id=\"outcome\">\n<h2>Outcome</h2>\n");
    match &r.outcome {
        Some(o) => {
            let _ = writeln!(
                out,
                "<div class=\"banner {}\"><span class=\"badge\">{}</span><p>{}</p><p class=\"meta\">Ended at step <code>{}</code>{}.</p></div>",
                status.tone(),
                escape(status.label()),
                escape(&o.message),
                escape(&o.step),
                if o.rolled_back {
                    "; a fix failed verification and was rolled back"
                } else {
                    ""
                }
            );
        }
        None => {
            let _ = writeln!(
                out,
                "<div class=\"banner {}\"><span class=\"badge\">{}</span><p>The run was cancelled or stopped by an error.</p></div>",
                status.tone(),
                escape(status.label())
            );
        }
    }
    out.push_str("</section>\n");

    // Environment.
    out.push_str("<section id=\"environment\">\n<h2>Environment</h2>\n");
    if let Some(note) = view::environment_note(r) {
        let _ = writeln!(out, "<p class=\"meta\">{}</p>", escape(note));
    }
    if let Some(s) = view::scan_summary(r) {
        let _ = writeln!(out, "<p>{}</p>", escape(&s));
    }
    if let Some(t) = view::sessions_table(r) {
        out.push_str("<h3>Workspace sessions</h3>\n");
        table(&mut out, &t);
    }
    if let Some(t) = view::browsers_table(r) {
        out.push_str("<h3>Browser profiles</h3>\n");
        table(&mut out, &t);
    }
    if let Some(rows) = view::desktop_rows(r) {
        out.push_str("<h3>Desktop app</h3>\n");
        kv(&mut out, &rows);
    }
    if !r.answers.is_empty() {
        out.push_str("<h3>Answers</h3>\n");
        let t = Table {
            headers: vec!["Question", "Answer"],
            rows: r
                .answers
                .iter()
                .map(|(q, a)| vec![q.clone(), view::text(a)])
                .collect(),
        };
        table(&mut out, &t);
    }
    out.push_str("</section>\n");

    let warnings = view::warnings(r);
    if !warnings.is_empty() {
        out.push_str("<section id=\"warnings\">\n<h2>Warnings</h2>\n<ul>");
        for w in &warnings {
            let _ = write!(out, "<li>{}</li>", escape(w));
        }
        out.push_str("</ul>\n</section>\n");
    }

    out.push_str("<section id=\"run\">\n<h2>Run</h2>\n");
    kv(&mut out, &view::summary(r, redactions, include_names));
    out.push_str("</section>\n");

    let _ = write!(
        out,
        "<footer>troubleshoot {} · report schema {} · redaction {}</footer>\n</body>\n</html>\n",
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
            escape(r#"<script>alert("x" & 'y')</script>"#),
            "&lt;script&gt;alert(&quot;x&quot; &amp; &#39;y&#39;)&lt;/script&gt;"
        );
    }
}
