//! Mutation testing: how well a suite pins down a flow's edges.

use serde::Serialize;

use crate::flow::catalog::Catalog;
use crate::flow::model::{Flow, Step};
use crate::flow::validate;

use super::format::Suite;
use super::results::ScenarioResult;
use super::run::{run_scenario, run_suite};

/// The targets of a step's edges, in [`Step::edges`] order, for rewriting.
pub fn edge_targets_mut(step: &mut Step) -> Vec<&mut String> {
    match step {
        Step::Ask(a) => {
            let mut v: Vec<&mut String> = a.options.iter_mut().map(|c| &mut c.next).collect();
            if let Some(f) = &mut a.options_from {
                v.push(&mut f.next);
            }
            v.extend(a.yes.as_mut());
            v.extend(a.no.as_mut());
            v.extend(a.next.as_mut());
            v
        }
        Step::Check(c) => {
            let mut v: Vec<&mut String> = c.branches.iter_mut().map(|b| &mut b.next).collect();
            v.push(&mut c.otherwise);
            v
        }
        Step::Fix(f) => vec![
            &mut f.on_success,
            &mut f.on_failure,
            &mut f.on_refused,
            &mut f.on_declined,
        ],
        Step::Guide(g) => vec![&mut g.yes, &mut g.no],
        Step::End(_) => vec![],
    }
}

/// One redirected edge.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Mutant {
    pub step: String,
    pub edge: String,
    pub from: String,
    pub to: String,
}

impl std::fmt::Display for Mutant {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let l = if self.edge.is_empty() {
            String::new()
        } else {
            format!(" ({})", self.edge)
        };
        write!(f, "{}{l}: {} => {}", self.step, self.from, self.to)
    }
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct MutationReport {
    /// Mutants the validator accepts (those count).
    pub total: usize,
    pub killed: usize,
    /// Redirections `flows check` rejects (not counted).
    pub invalid: usize,
    pub survivors: Vec<Mutant>,
}

impl MutationReport {
    pub fn score(&self) -> f64 {
        if self.total == 0 {
            1.0
        } else {
            self.killed as f64 / self.total as f64
        }
    }
}

/// Redirect every edge of `flow` to every other step, keep the mutants the
/// validator accepts, and count those the suite catches (some scenario fails).
/// Scenarios that take the redirected edge run first and a mutant stops at its
/// first failing scenario; mutants are spread over the available cores.
pub fn mutation_test(flow: &Flow, suite: &Suite, catalog: &dyn Catalog) -> MutationReport {
    let ids: Vec<String> = flow.steps.iter().map(|s| s.id().to_string()).collect();
    let baseline = run_suite(flow, suite);
    let mut jobs: Vec<(usize, usize, String, String, String)> = Vec::new();
    for (i, step) in flow.steps.iter().enumerate() {
        for (k, (label, target)) in step.edges().into_iter().enumerate() {
            for to in ids.iter().filter(|t| *t != target) {
                jobs.push((i, k, label.clone(), target.to_string(), to.clone()));
            }
        }
    }
    let threads = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1)
        .clamp(1, 16);
    let chunk = jobs.len().div_ceil(threads).max(1);
    let parts: Vec<MutationReport> = std::thread::scope(|scope| {
        let handles: Vec<_> = jobs
            .chunks(chunk)
            .map(|part| {
                let baseline = &baseline;
                scope.spawn(move || {
                    let mut report = MutationReport::default();
                    for (i, k, label, from, to) in part {
                        let mut m = flow.clone();
                        *edge_targets_mut(&mut m.steps[*i])[*k] = to.clone();
                        if !validate::validate(&m, catalog).is_empty() {
                            report.invalid += 1;
                            continue;
                        }
                        report.total += 1;
                        let step = flow.steps[*i].id();
                        let takes = |r: &ScenarioResult| {
                            r.edges.iter().any(|(s, l)| s == step && l == label)
                        };
                        let first = baseline.scenarios.iter().zip(&suite.scenarios);
                        let order = first
                            .clone()
                            .filter(|(r, _)| takes(r))
                            .chain(first.filter(|(r, _)| !takes(r)));
                        let killed = order
                            .map(|(_, sc)| run_scenario(&m, suite, sc))
                            .any(|r| !r.passed);
                        if killed {
                            report.killed += 1;
                        } else {
                            report.survivors.push(Mutant {
                                step: step.to_string(),
                                edge: label.clone(),
                                from: from.clone(),
                                to: to.clone(),
                            });
                        }
                    }
                    report
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().unwrap_or_default())
            .collect()
    });
    let mut report = MutationReport::default();
    for p in parts {
        report.total += p.total;
        report.killed += p.killed;
        report.invalid += p.invalid;
        report.survivors.extend(p.survivors);
    }
    report
}
