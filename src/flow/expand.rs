//! The author's shorthands, spelled out right after parsing so everything
//! past the loader (validation, the engine, `scan`, graphs, reports) sees
//! one form: a check's `params_from` becomes its `params` (a copy of the
//! flow's own `shared` block by that name, else of the built-in one in
//! `flows/shared.json`), and a fix's `on_*` edges left out are filled
//! from the flow's `fix_defaults` (`on_refused` and `on_declined` given
//! nowhere go where `on_failure` goes). `branch` steps are read as checks
//! without a probe by the model itself.

use std::collections::BTreeSet;

use super::error::Problem;
use super::model::{Flow, Step};

/// Spell out `flow`'s shorthands in place; every problem found, with its
/// JSON path (an unknown shared block, both `params` and `params_from`, a
/// shared block no check uses, a fix edge given nowhere).
pub fn expand(flow: &mut Flow) -> Vec<Problem> {
    let mut problems = Vec::new();
    let mut push = |location: String, message: String| problems.push(Problem { location, message });
    let mut used = BTreeSet::new();
    let defaults = flow.fix_defaults.clone();
    for (i, step) in flow.steps.iter_mut().enumerate() {
        match step {
            Step::Check(c) => {
                let Some(name) = &c.params_from else { continue };
                let at = format!("steps[{i}].check.params_from");
                if c.params.is_some() {
                    push(
                        at,
                        format!(
                            "check `{}` gives both `params` and `params_from`; keep one",
                            c.id
                        ),
                    );
                    continue;
                }
                let library = super::shared::shared();
                match flow.shared.get(name).or_else(|| library.get(name)) {
                    Some(block) => {
                        used.insert(name.clone());
                        c.params = Some(block.clone());
                    }
                    None => {
                        let known: Vec<&str> = flow
                            .shared
                            .keys()
                            .chain(library.keys())
                            .map(String::as_str)
                            .collect();
                        push(
                            at,
                            format!(
                                "no shared parameter block `{name}` in the flow's `shared` or {} (known: {})",
                                super::shared::SHARED_FILE,
                                if known.is_empty() {
                                    "none".to_string()
                                } else {
                                    known.join(", ")
                                }
                            ),
                        );
                    }
                }
            }
            Step::Fix(f) => {
                let fill = |edge: &mut String, default: &Option<String>| {
                    if edge.is_empty()
                        && let Some(d) = default
                    {
                        edge.clone_from(d);
                    }
                };
                fill(&mut f.on_success, &defaults.on_success);
                fill(&mut f.on_failure, &defaults.on_failure);
                fill(&mut f.on_refused, &defaults.on_refused);
                fill(&mut f.on_declined, &defaults.on_declined);
                let failure = Some(f.on_failure.clone()).filter(|s| !s.is_empty());
                fill(&mut f.on_refused, &failure);
                fill(&mut f.on_declined, &failure);
                for (name, edge) in [("on_success", &f.on_success), ("on_failure", &f.on_failure)] {
                    if edge.is_empty() {
                        push(
                            format!("steps[{i}].fix.{name}"),
                            format!(
                                "fix `{}` has no `{name}`: give it, or the flow's `fix_defaults.{name}`",
                                f.id
                            ),
                        );
                    }
                }
            }
            _ => {}
        }
    }
    for name in flow.shared.keys().filter(|n| !used.contains(*n)) {
        push(
            format!("shared.{name}"),
            format!("shared parameter block `{name}` is used by no check's `params_from`"),
        );
    }
    problems
}
