//! Flow graphs for `flows graph`: Mermaid for Markdown, DOT for Graphviz.

use super::model::{Flow, Step};

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum GraphFormat {
    Mermaid,
    Dot,
}

fn node_label(step: &Step) -> String {
    let text = match step {
        Step::Ask(a) => format!("ask: {}", a.id),
        Step::Check(c) => format!("{}: {}", step.tag(), c.id),
        Step::Fix(f) => format!("fix: {} ({})", f.id, f.action),
        Step::Guide(g) => format!("guide: {}", g.id),
        Step::End(e) => format!("end: {} ({})", e.id, e.outcome.name()),
    };
    text.replace('"', "'")
}

/// Every edge of the flow as (from, to, label), by step index, in step
/// order: what `flows graph` draws and the report's picture of the flow.
pub fn edge_list(flow: &Flow) -> Vec<(usize, usize, String)> {
    let index = |id: &str| flow.steps.iter().position(|s| s.id() == id).unwrap_or(0);
    flow.steps
        .iter()
        .enumerate()
        .flat_map(|(i, s)| {
            s.edges()
                .into_iter()
                .map(move |(label, t)| (i, index(t), label))
        })
        .collect()
}

/// Mermaid ids may not contain dashes in every renderer; map them to `s<index>`.
pub fn render(flow: &Flow, format: GraphFormat) -> String {
    let mut out = String::new();
    match format {
        GraphFormat::Mermaid => {
            out.push_str("flowchart TD\n");
            for (i, s) in flow.steps.iter().enumerate() {
                let label = node_label(s);
                let shape = match s {
                    Step::Ask(_) | Step::Guide(_) => format!("s{i}[/\"{label}\"/]"),
                    Step::Check(_) => format!("s{i}{{\"{label}\"}}"),
                    Step::Fix(_) => format!("s{i}[[\"{label}\"]]"),
                    Step::End(_) => format!("s{i}([\"{label}\"])"),
                };
                out.push_str(&format!("    {shape}\n"));
            }
            for (i, j, label) in edge_list(flow) {
                if label.is_empty() {
                    out.push_str(&format!("    s{i} --> s{j}\n"));
                } else {
                    out.push_str(&format!(
                        "    s{i} -->|\"{}\"| s{j}\n",
                        label.replace('"', "'")
                    ));
                }
            }
        }
        GraphFormat::Dot => {
            out.push_str(&format!("digraph \"{}\" {{\n    rankdir=TB;\n", flow.id));
            for (i, s) in flow.steps.iter().enumerate() {
                let shape = match s {
                    Step::Ask(_) | Step::Guide(_) => "parallelogram",
                    Step::Check(_) => "diamond",
                    Step::Fix(_) => "box3d",
                    Step::End(_) => "oval",
                };
                out.push_str(&format!(
                    "    s{i} [label=\"{}\", shape={shape}];\n",
                    node_label(s)
                ));
            }
            for (i, j, label) in edge_list(flow) {
                out.push_str(&format!(
                    "    s{i} -> s{j} [label=\"{}\"];\n",
                    label.replace('"', "'")
                ));
            }
            out.push_str("}\n");
        }
    }
    out
}
