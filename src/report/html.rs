//! The HTML report: one self-contained page, from the [view](super::view).
//! Inline CSS and an inline SVG only; no script, no external image, font or
//! stylesheet (a Content-Security-Policy of `default-src 'none'` makes sure
//! of it in the browser); the one link is the flow's support page. The
//! outcome and a summary first, then the findings, the timeline, the fixes,
//! the environment before and after, where it ran, the flow with the path
//! taken, support, warnings and the run. Colored by status; it reads at
//! 390 px (tables stack, the picture scrolls in its own box) and prints
//! without clipping. Every piece of record text goes through [`escape`]
//! (written here rather than pulling in a crate for five replacements).

use std::fmt::Write;

use super::pseudonyms::Redaction;
use super::record::RunRecord;
use super::view::{self, Status};

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
html { -webkit-text-size-adjust: 100%; text-size-adjust: 100%; }
body { margin: 0 auto; max-width: 62rem; padding: 1.5rem; color: var(--fg); background: var(--bg);
  font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif;
  overflow-wrap: anywhere; }
h1 { font-size: 1.6rem; line-height: 1.25; margin: 0 0 .5rem; }
h2 { font-size: 1.2rem; margin: 2rem 0 .6rem; padding-bottom: .25rem; border-bottom: 1px solid var(--line); }
h3 { font-size: 1rem; margin: 1.2rem 0 .4rem; }
code { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: .9em;
  background: var(--soft); border: 1px solid var(--line); border-radius: 4px; padding: 0 .25em; }
/* A command wraps only between its arguments (each a nowrap span), and an
   argument wider than the line scrolls inside its box: never a break at a
   hyphen or inside a path, so a command copied from a phone still works. */
code.cmd { display: inline-block; max-width: 100%; overflow-x: auto; vertical-align: bottom;
  overflow-wrap: normal; word-break: normal; white-space: normal; }
code.cmd .arg { white-space: nowrap; }
a { color: var(--info); }
.banner { border-left: 6px solid; border-radius: 6px; padding: .8rem 1rem; margin: 1rem 0; }
.banner .badge { font-weight: 700; text-transform: uppercase; letter-spacing: .04em; font-size: .85rem; }
.banner p { margin: .3rem 0 0; }
.banner.ok { border-color: var(--ok); background: var(--ok-bg); } .ok .badge, .tag.ok { color: var(--ok); }
.banner.warn { border-color: var(--warn); background: var(--warn-bg); } .warn .badge, .tag.warn { color: var(--warn); }
.banner.bad { border-color: var(--bad); background: var(--bad-bg); } .bad .badge, .tag.bad { color: var(--bad); }
.banner.info { border-color: var(--info); background: var(--info-bg); } .info .badge, .tag.info { color: var(--info); }
.meta { color: var(--muted); }
dl.summary { margin: .6rem 0 0; }
dl.summary dt { font-weight: 700; margin-top: .5rem; }
dl.summary dd { margin: .1rem 0 0; }
ol.findings li { margin: .35rem 0; }
ul.evidence { margin: .1rem 0 .3rem; padding-left: 1.2rem; font-size: .9em; color: var(--muted); }
ol.timeline { list-style: none; margin: 0; padding: 0 0 0 .6rem; }
ol.timeline > li { position: relative; margin: 0; padding: 0 0 .9rem 1.1rem; border-left: 3px solid var(--line); }
ol.timeline > li:last-child { border-left-color: transparent; }
ol.timeline > li::before { content: ""; position: absolute; left: -8px; top: .3rem; width: 13px; height: 13px;
  border-radius: 50%; background: var(--bg); border: 3px solid var(--muted); }
ol.timeline > li.k-check::before { border-color: var(--info); }
ol.timeline > li.k-fix::before { border-color: var(--warn); }
ol.timeline > li.k-end::before { border-color: var(--fg); background: var(--fg); }
.kind { display: inline-block; font-size: .75rem; padding: 0 .4rem; border: 1px solid var(--line); border-radius: 1rem; color: var(--muted); }
.took { font-size: .8rem; color: var(--muted); }
.step-title { margin: .1rem 0; font-weight: 600; }
.step-line { margin: .1rem 0; }
.step-line b { color: var(--muted); font-weight: 600; }
.fix { border: 1px solid var(--line); border-left-width: 6px; border-radius: 6px; padding: .6rem 1rem; margin: .8rem 0; background: var(--bg); }
.fix.ok { border-left-color: var(--ok); } .fix.warn { border-left-color: var(--warn); }
.fix.bad { border-left-color: var(--bad); } .fix.info { border-left-color: var(--info); }
.fix h3 { margin-top: .2rem; }
.fix ul { margin: .2rem 0; padding-left: 1.2rem; }
.tag { font-size: .8rem; font-weight: 600; padding: 0 .45rem; border-radius: 1rem; border: 1px solid currentColor; }
dl.kv { display: grid; grid-template-columns: minmax(6rem, max-content) minmax(0, 1fr); gap: .2rem 1rem; margin: .4rem 0; }
dt { font-weight: 600; } dd { margin: 0; min-width: 0; }
.tw { overflow-x: auto; margin: .4rem 0 1rem; }
table { border-collapse: collapse; width: 100%; font-size: .88em; }
th, td { border: 1px solid var(--line); padding: .3rem .5rem; text-align: left; vertical-align: top; overflow-wrap: break-word; }
table.cmp { table-layout: fixed; }
table.cmp th:first-child { width: 26%; }
table.cmp td { overflow-wrap: anywhere; }
th { background: var(--soft); }
tr.changed td { background: var(--warn-bg); }
tr.changed td:first-child::after { content: " (changed)"; color: var(--muted); font-weight: 400; }
.graph { overflow-x: auto; border: 1px solid var(--line); border-radius: 6px; background: var(--soft); }
.graph svg { display: block; width: 100%; min-width: 36rem; height: auto; }
.graph .n rect, .graph .n polygon { fill: #fff; stroke: #8c959f; stroke-width: 1; }
.graph .n.v rect, .graph .n.v polygon { fill: var(--ok-bg); stroke: var(--ok); stroke-width: 2.5; }
.graph .n text { font: 11px system-ui, sans-serif; fill: var(--muted); }
.graph .n.v text { fill: var(--fg); font-weight: 600; }
.graph .e { fill: none; stroke: #afb8c1; stroke-width: 1; }
.graph .e.t { stroke: var(--ok); stroke-width: 3; }
.graph .el { font: 10px system-ui, sans-serif; fill: var(--ok); font-weight: 600; }
footer { margin-top: 2rem; color: var(--muted); font-size: .85em; }
@media (max-width: 40rem) {
  body { padding: .75rem; }
  h1 { font-size: 1.3rem; }
  dl.kv { grid-template-columns: minmax(0, 1fr); gap: 0; }
  dl.kv dd { margin-bottom: .4rem; }
  table.stack, table.stack tbody, table.stack tr, table.stack td { display: block; width: 100%; }
  table.stack thead { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); }
  table.stack tr { border: 1px solid var(--line); border-radius: 6px; margin: 0 0 .6rem; }
  table.stack td { border: 0; border-bottom: 1px solid var(--line); }
  table.stack td:last-child { border-bottom: 0; }
  table.stack td::before { content: attr(data-label); display: block; font-size: .78em; color: var(--muted); font-weight: 600; }
  tr.changed td:first-child::after { content: ""; }
}
@media print {
  body { max-width: none; padding: 0; font-size: 10.5pt; }
  * { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
  /* A heading stays with what follows it: the flow's heading and its
     graph move to the next page together rather than part. */
  h2, h3 { break-after: avoid; break-inside: avoid; }
  h2 + *, h3 + * { break-before: avoid; }
  section#flow { break-inside: avoid; }
  .fix, ol.timeline > li, tr, dl.summary { break-inside: avoid; }
  .graph, .tw { overflow: visible; }
  .graph { break-inside: avoid; }
  td { overflow-wrap: anywhere; }
  .graph svg { min-width: 0; }
  a { color: var(--fg); }
}
"#;

/// A command (or any code span) as `<code>`, each argument kept whole:
/// the line may break only at the spaces between them.
fn command(t: &str) -> String {
    let args: Vec<String> = crate::state::shell_words(t)
        .into_iter()
        .map(|a| format!("<span class=\"arg\">{}</span>", escape(a)))
        .collect();
    format!("<code class=\"cmd\">{}</code>", args.join(" "))
}

/// Text with its commands as `<code>` (see [`view::spans`]), escaped.
fn prose(s: &str) -> String {
    view::spans(s)
        .into_iter()
        .map(|(code, t)| if code { command(t) } else { escape(t) })
        .collect()
}

/// A table in a box that scrolls on its own if it must. `stack`: on a
/// narrow screen each row becomes a block, each cell labelled with its
/// column (for tables of many columns); else the columns keep fixed shares
/// of the width and long values wrap anywhere (a comparison).
fn table(out: &mut String, headers: &[String], rows: &[(Vec<String>, bool)], stack: bool) {
    let _ = write!(
        out,
        "<div class=\"tw\"><table class=\"{}\"><thead><tr>",
        if stack { "stack" } else { "cmp" }
    );
    for h in headers {
        let _ = write!(out, "<th scope=\"col\">{}</th>", escape(h));
    }
    out.push_str("</tr></thead><tbody>\n");
    for (row, changed) in rows {
        out.push_str(if *changed {
            "<tr class=\"changed\">"
        } else {
            "<tr>"
        });
        for (i, c) in row.iter().enumerate() {
            let label = headers.get(i).map(String::as_str).unwrap_or("");
            let _ = write!(
                out,
                "<td data-label=\"{}\">{}</td>",
                escape(label),
                escape(c)
            );
        }
        out.push_str("</tr>\n");
    }
    out.push_str("</tbody></table></div>\n");
}

fn kv(out: &mut String, rows: &[view::Row]) {
    out.push_str("<dl class=\"kv\">");
    for r in rows {
        let _ = write!(
            out,
            "<dt>{}</dt><dd>{}</dd>",
            escape(&r.label),
            prose(&r.value)
        );
    }
    out.push_str("</dl>\n");
}

/// Box width, height and gaps of the flow picture, in SVG units.
const NODE_W: f64 = 136.0;
const NODE_H: f64 = 30.0;
const GAP_X: f64 = 14.0;
const GAP_Y: f64 = 34.0;
const PAD: f64 = 16.0;

/// The flow as an inline SVG: the steps in rows by their distance from the
/// first, every edge, the path taken in green.
fn svg(out: &mut String, g: &view::GraphView) {
    let n = g.nodes.len();
    if n == 0 {
        return;
    }
    // The path taken is the spine: its steps in the order first visited,
    // one row each, in the first column.
    let mut spine: Vec<usize> = Vec::new();
    for i in &g.path {
        if *i < n && !spine.contains(i) {
            spine.push(*i);
        }
    }
    if spine.is_empty() {
        spine.push(0);
    }
    let mut level = vec![usize::MAX; n];
    for (k, &i) in spine.iter().enumerate() {
        level[i] = k;
    }
    // Every other step one row below the first step that leads to it.
    let mut queue: std::collections::VecDeque<usize> = spine.iter().copied().collect();
    while let Some(i) = queue.pop_front() {
        for e in g.edges.iter().filter(|e| e.from == i) {
            if e.to < n && level[e.to] == usize::MAX {
                level[e.to] = level[i] + 1;
                queue.push_back(e.to);
            }
        }
    }
    let deepest = level
        .iter()
        .filter(|l| **l != usize::MAX)
        .max()
        .copied()
        .unwrap_or(0);
    for l in level.iter_mut().filter(|l| **l == usize::MAX) {
        *l = deepest + 1;
    }
    let rows = level.iter().max().copied().unwrap_or(0) + 1;
    // Off the path, a row is ordered by where the steps that lead there are.
    let mut col = vec![0usize; n];
    let mut by_row: Vec<Vec<usize>> = vec![Vec::new(); rows];
    for (r, members_out) in by_row.iter_mut().enumerate() {
        let mut members: Vec<(f64, usize)> = (0..n)
            .filter(|&i| level[i] == r && !spine.contains(&i))
            .map(|i| {
                let parents: Vec<f64> = g
                    .edges
                    .iter()
                    .filter(|e| e.to == i && e.from < n && level[e.from] < r)
                    .map(|e| col[e.from] as f64)
                    .collect();
                let key = if parents.is_empty() {
                    i as f64
                } else {
                    parents.iter().sum::<f64>() / parents.len() as f64
                };
                (key, i)
            })
            .collect();
        members.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
        for (k, (_, i)) in members.iter().enumerate() {
            col[*i] = k + 1;
        }
        *members_out = members.into_iter().map(|(_, i)| i).collect();
    }
    let columns = by_row.iter().map(Vec::len).max().unwrap_or(0) as f64 + 1.0;
    let width = PAD * 2.0 + columns * NODE_W + (columns - 1.0) * GAP_X + 30.0;
    let height = PAD * 2.0 + rows as f64 * NODE_H + (rows as f64 - 1.0) * GAP_Y;
    let xy: Vec<(f64, f64)> = (0..n)
        .map(|i| {
            (
                PAD + col[i] as f64 * (NODE_W + GAP_X),
                PAD + level[i] as f64 * (NODE_H + GAP_Y),
            )
        })
        .collect();
    let visited = g.nodes.iter().filter(|v| v.visited).count();
    let _ = write!(
        out,
        "<svg viewBox=\"0 0 {width:.0} {height:.0}\" width=\"{width:.0}\" height=\"{height:.0}\" role=\"img\" aria-label=\"The flow's {n} steps; the {visited} the run went through are green\">\n\
         <defs><marker id=\"a\" viewBox=\"0 0 10 10\" refX=\"9\" refY=\"5\" markerWidth=\"7\" markerHeight=\"7\" orient=\"auto-start-reverse\"><path d=\"M0 0L10 5L0 10z\" fill=\"#afb8c1\"/></marker>\
         <marker id=\"at\" viewBox=\"0 0 10 10\" refX=\"9\" refY=\"5\" markerWidth=\"5\" markerHeight=\"5\" orient=\"auto-start-reverse\"><path d=\"M0 0L10 5L0 10z\" fill=\"#1a7f37\"/></marker></defs>\n"
    );
    // Untaken edges first, the path on top.
    let mut edges: Vec<&view::EdgeView> =
        g.edges.iter().filter(|e| e.from < n && e.to < n).collect();
    edges.sort_by_key(|e| e.taken);
    let mut seen: Vec<(usize, usize)> = Vec::new();
    for e in edges {
        if seen.contains(&(e.from, e.to)) && !e.taken {
            continue;
        }
        seen.push((e.from, e.to));
        let (ax, ay) = xy[e.from];
        let (bx, by) = xy[e.to];
        let d = if level[e.to] > level[e.from] {
            let (x1, y1) = (ax + NODE_W / 2.0, ay + NODE_H);
            let (x2, y2) = (bx + NODE_W / 2.0, by);
            let mid = (y1 + y2) / 2.0;
            format!("M{x1:.1} {y1:.1}C{x1:.1} {mid:.1} {x2:.1} {mid:.1} {x2:.1} {y2:.1}")
        } else {
            // Back to an earlier row (a loop) or along one: around the side.
            let (x1, y1) = (ax + NODE_W, ay + NODE_H / 2.0);
            let (x2, y2) = (bx + NODE_W, by + NODE_H / 2.0);
            let bulge = (x1.max(x2) + 28.0).min(width - 2.0);
            format!("M{x1:.1} {y1:.1}C{bulge:.1} {y1:.1} {bulge:.1} {y2:.1} {x2:.1} {y2:.1}")
        };
        let _ = writeln!(
            out,
            "<path class=\"e{}\" d=\"{d}\" marker-end=\"url(#{})\"/>",
            if e.taken { " t" } else { "" },
            if e.taken { "at" } else { "a" }
        );
        if e.taken && !e.label.is_empty() && level[e.to] > level[e.from] {
            let x = (ax + bx + NODE_W) / 2.0 + 4.0;
            let y = (ay + NODE_H + by) / 2.0 + 3.0;
            let _ = writeln!(
                out,
                "<text class=\"el\" x=\"{x:.1}\" y=\"{y:.1}\">{}</text>",
                escape(&short(&e.label, 22))
            );
        }
    }
    for (i, node) in g.nodes.iter().enumerate() {
        let (x, y) = xy[i];
        let shape = match node.kind.as_str() {
            "check" => {
                let (cy, h) = (y + NODE_H / 2.0, NODE_H / 2.0);
                format!(
                    "<polygon points=\"{:.1},{cy:.1} {:.1},{:.1} {:.1},{:.1} {:.1},{cy:.1} {:.1},{:.1} {:.1},{:.1}\"/>",
                    x,
                    x + h,
                    y,
                    x + NODE_W - h,
                    y,
                    x + NODE_W,
                    x + NODE_W - h,
                    y + NODE_H,
                    x + h,
                    y + NODE_H,
                )
            }
            kind => format!(
                "<rect x=\"{x:.1}\" y=\"{y:.1}\" width=\"{NODE_W}\" height=\"{NODE_H}\" rx=\"{}\"/>",
                match kind {
                    "end" => NODE_H / 2.0,
                    "ask" | "guide" => 8.0,
                    _ => 2.0,
                }
            ),
        };
        let _ = writeln!(
            out,
            "<g class=\"n{}\"><title>{}: {}</title>{shape}<text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\">{}</text></g>",
            if node.visited { " v" } else { "" },
            escape(&node.kind),
            escape(&node.text),
            x + NODE_W / 2.0,
            y + NODE_H / 2.0 + 4.0,
            escape(&short(&node.id, 21))
        );
    }
    out.push_str("</svg>\n");
}

fn short(s: &str, max: usize) -> String {
    let mut c = s.chars();
    let head: String = c.by_ref().take(max).collect();
    if c.next().is_some() {
        format!("{}…", head.chars().take(max - 1).collect::<String>())
    } else {
        head
    }
}

/// Render a (redacted) record as one HTML page.
pub fn render(r: &RunRecord, redactions: &[Redaction], include_names: bool) -> String {
    render_view(r, &view::build(r, redactions, include_names))
}

fn render_view(r: &RunRecord, v: &view::View) -> String {
    let status = Status::of(r);
    let mut out = String::new();
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <meta name=\"referrer\" content=\"no-referrer\">\n\
         <meta name=\"generator\" content=\"troubleshoot {}\">\n<title>{}</title>\n<style>{CSS}</style>\n</head>\n\
         <body class=\"status-{}\">\n",
        escape(&r.tool_version),
        escape(&v.title),
        status.tone()
    );

    // Header, the one outcome banner, and the summary.
    let _ = write!(
        out,
        "<header>\n<h1>{}</h1>\n<p class=\"meta\">Run <code>{}</code> · started {} · exit code {}</p>\n</header>\n\
         <section id=\"summary\">\n<div class=\"banner {}\" id=\"status\"><span class=\"badge\">{}</span><p>{}</p></div>\n<dl class=\"summary\">",
        escape(&v.title),
        escape(&r.run_id),
        escape(&r.started_at),
        r.exit_code,
        status.tone(),
        escape(&v.status.label),
        prose(&v.status.message)
    );
    for s in &v.summary {
        let _ = write!(
            out,
            "<dt>{}</dt><dd>{}</dd>",
            escape(&s.label),
            prose(&s.text)
        );
    }
    out.push_str("</dl>\n</section>\n");

    // Findings.
    out.push_str("<section id=\"findings\">\n<h2>Findings</h2>\n");
    if v.findings.is_empty() {
        out.push_str("<p class=\"meta\">No conclusions were shown in this run.</p>\n");
    } else {
        out.push_str("<ol class=\"findings\">\n");
        for f in &v.findings {
            let _ = write!(out, "<li>{}", prose(&f.text));
            if !f.evidence.is_empty() {
                out.push_str("<ul class=\"evidence\">");
                for e in &f.evidence {
                    let _ = write!(out, "<li>{}</li>", escape(e));
                }
                out.push_str("</ul>");
            }
            out.push_str("</li>\n");
        }
        out.push_str("</ol>\n");
    }
    out.push_str("</section>\n");

    // Timeline.
    out.push_str("<section id=\"timeline\">\n<h2>Timeline</h2>\n");
    if v.timeline.is_empty() {
        out.push_str("<p class=\"meta\">No steps were taken.</p>\n");
    } else {
        out.push_str("<ol class=\"timeline\">\n");
        for e in &v.timeline {
            let class = match e.kind.as_str() {
                "question" => "ask",
                "check" => "check",
                "fix" => "fix",
                "guide" => "guide",
                _ => "end",
            };
            let _ = write!(
                out,
                "<li class=\"k-{class}\"><span class=\"kind\">{}</span>",
                escape(&e.kind)
            );
            if let Some(t) = &e.took {
                let _ = write!(out, " <span class=\"took\">{}</span>", escape(t));
            }
            let _ = write!(out, "<p class=\"step-title\">{}</p>", prose(&e.title));
            if let Some(x) = &e.answer {
                let _ = write!(
                    out,
                    "<p class=\"step-line\"><b>Answer:</b> {}</p>",
                    prose(x)
                );
            }
            if let Some(x) = &e.found {
                let label = view::found_label(e)
                    .map(|l| format!("<b>{l}:</b> "))
                    .unwrap_or_default();
                let _ = write!(out, "<p class=\"step-line\">{label}{}</p>", prose(x));
            }
            if let Some(x) = &e.next {
                let _ = write!(out, "<p class=\"step-line\">{}</p>", prose(x));
            }
            out.push_str("</li>\n");
        }
        out.push_str("</ol>\n");
    }
    out.push_str("</section>\n");

    // Fixes.
    out.push_str("<section id=\"fixes\">\n<h2>Fixes</h2>\n");
    if v.fixes.is_empty() {
        out.push_str("<p class=\"meta\">No fix was proposed.</p>\n");
    }
    for f in &v.fixes {
        let _ = write!(
            out,
            "<div class=\"fix {}\"><h3>{} <span class=\"tag {}\">{}</span></h3><dl class=\"kv\"><dt>Risk</dt><dd>{}</dd>",
            escape(&f.tone),
            escape(&f.title),
            escape(&f.tone),
            escape(&f.result),
            escape(&f.risk)
        );
        if let Some(b) = &f.backup {
            let _ = write!(out, "<dt>Backup</dt><dd>{}</dd>", prose(b));
        }
        out.push_str("</dl><p class=\"step-line\"><b>Plan:</b></p>");
        if f.plan.is_empty() {
            out.push_str("<p class=\"meta\">none recorded</p>");
        } else {
            out.push_str("<ul class=\"plan\">");
            for s in &f.plan {
                let _ = write!(out, "<li>{}</li>", prose(s));
            }
            out.push_str("</ul>");
        }
        out.push_str("</div>\n");
    }
    out.push_str("</section>\n");

    // Environment, before and after side by side.
    let env = &v.environment;
    out.push_str("<section id=\"environment\">\n<h2>Environment</h2>\n");
    if let Some(note) = &env.note {
        let _ = writeln!(out, "<p class=\"meta\">{}</p>", escape(note));
    }
    let mut headers = vec!["What".to_string()];
    headers.extend(env.columns.iter().cloned());
    let scan_row: Vec<String> = std::iter::once("Scan".to_string())
        .chain(env.summary.iter().cloned())
        .collect();
    table(&mut out, &headers, &[(scan_row, false)], false);
    for s in &env.stores {
        let _ = writeln!(out, "<h3>{}</h3>", escape(&s.place));
        let rows: Vec<(Vec<String>, bool)> = s
            .rows
            .iter()
            .map(|row| {
                (
                    std::iter::once(row.label.clone())
                        .chain(row.values.iter().cloned())
                        .collect(),
                    row.changed,
                )
            })
            .collect();
        table(&mut out, &headers, &rows, false);
    }
    if let Some(t) = &env.sessions {
        let _ = writeln!(
            out,
            "<h3>{} ({})</h3>",
            escape(&env.sessions_title),
            escape(&env.columns[0].to_lowercase())
        );
        let rows: Vec<(Vec<String>, bool)> = t.rows.iter().map(|r| (r.clone(), false)).collect();
        table(&mut out, &t.headers, &rows, true);
    }
    out.push_str("</section>\n");

    out.push_str("<section id=\"host\">\n<h2>Where it ran</h2>\n");
    kv(&mut out, &v.host);
    out.push_str("</section>\n");

    if let Some(g) = &v.graph {
        out.push_str("<section id=\"flow\">\n<h2>The flow and the path taken</h2>\n<p class=\"meta\">Every step of the flow; the steps this run went through, and the moves between them, are green.</p>\n<div class=\"graph\">");
        svg(&mut out, g);
        out.push_str("</div>\n</section>\n");
    }

    if let Some(s) = &v.support {
        let _ = writeln!(
            out,
            "<section id=\"support\">\n<h2>Support</h2>\n<p>For help beyond this report: <a href=\"{}\" rel=\"noreferrer noopener\">{}</a> ({})</p>\n</section>",
            escape(&s.url),
            escape(&s.title),
            escape(&s.url)
        );
    }

    if !v.warnings.is_empty() {
        out.push_str("<section id=\"warnings\">\n<h2>Warnings</h2>\n<ul>");
        for w in &v.warnings {
            let _ = write!(out, "<li>{}</li>", escape(w));
        }
        out.push_str("</ul>\n</section>\n");
    }

    out.push_str("<section id=\"run\">\n<h2>Run</h2>\n");
    kv(&mut out, &v.run);
    out.push_str("</section>\n");

    let _ = write!(
        out,
        "<footer>troubleshoot {} · report schema {} · view {} · redaction {}</footer>\n</body>\n</html>\n",
        escape(&r.tool_version),
        r.schema,
        v.version,
        escape(&v.redaction)
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
