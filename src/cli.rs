//! The command line, declared with clap. Flags validate; commands act.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};
use clap_complete::engine::{ArgValueCandidates, CompletionCandidate};

use crate::flow::graph::GraphFormat;
use crate::probe::Layout;
use crate::report::Format;
use crate::ui::{ColorChoice, Verbosity};

/// The heading of the options every command takes.
pub const GLOBAL: &str = "Global options";

const EXAMPLES: &str = "\
Examples:
  troubleshoot                              Start the wizard (Notion: Sign out is grayed out)
  troubleshoot scan                         Show every Notion session found, change nothing
  troubleshoot run --dry-run                Walk the wizard; show fixes without applying them
  troubleshoot run --answers a.json --yes   Run unattended from an answers file
  troubleshoot undo                         Put back what the last fix changed
  troubleshoot report --format md -o r.md   Export the last run for support (redacted)
  troubleshoot demo                         Try it all on a sandbox home

Exit codes: 0 resolved or nothing wrong, 1 problem remains, 2 usage/flow/input
error, 3 a fix failed and was rolled back, 130 cancelled.";

/// A diagnostic wizard: it asks a few questions, reads the real evidence on
/// this machine, explains what it found, and applies safe, undoable fixes.
#[derive(Debug, Parser)]
#[command(name = "troubleshoot", version, after_help = EXAMPLES)]
pub struct Cli {
    #[command(flatten)]
    pub global: Global,
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Clone, Args)]
pub struct Global {
    /// Home folder to inspect instead of yours ("running" then comes from lock files only)
    #[arg(long, global = true, value_name = "DIR", value_parser = absolute_path, help_heading = GLOBAL)]
    pub root: Option<PathBuf>,
    /// Folder conventions of this OS under the home [default: this OS]
    #[arg(long, global = true, value_enum, help_heading = GLOBAL)]
    pub layout: Option<Layout>,
    /// Where runs, backups and the undo journal are kept
    #[arg(
        long,
        global = true,
        value_name = "DIR",
        env = "TROUBLESHOOT_STATE_DIR",
        hide_env_values = true,
        value_parser = absolute_path,
        help_heading = GLOBAL
    )]
    pub state_dir: Option<PathBuf>,
    /// When to use colors (NO_COLOR is honoured with `auto`)
    #[arg(long, global = true, value_enum, default_value_t = ColorChoice::Auto, help_heading = GLOBAL)]
    pub color: ColorChoice,
    /// Say less: no progress or status lines (findings, questions, warnings and errors still show)
    #[arg(long, short = 'q', global = true, conflicts_with = "verbose", help_heading = GLOBAL)]
    pub quiet: bool,
    /// Say more: `scan -v` lists every place it looked and why each was skipped
    #[arg(long, short = 'v', global = true, help_heading = GLOBAL)]
    pub verbose: bool,
}

impl Global {
    /// `-q`, `-v` or neither, as one setting.
    pub fn verbosity(&self) -> Verbosity {
        match (self.quiet, self.verbose) {
            (true, _) => Verbosity::Quiet,
            (_, true) => Verbosity::Verbose,
            _ => Verbosity::Default,
        }
    }
}

/// A folder argument made absolute against the current folder when parsed:
/// fixes, the journal and printed commands must not depend on where the
/// tool was started.
fn absolute_path(s: &str) -> Result<PathBuf, String> {
    if s.is_empty() {
        return Err("empty path".into());
    }
    std::path::absolute(s).map_err(|e| format!("cannot make {s} absolute: {e}"))
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run a flow: the interactive wizard, or scripted with answers
    #[command(after_help = "Examples:
  troubleshoot run
  troubleshoot run notion-signout --answer goal=remove-one --answer workspace=\"Acme Corp@chrome\" --dry-run
  troubleshoot run ./my-flow.json --answers answers.json --yes --report run.html
  troubleshoot run --from-report shared-report.json --dry-run

An answers file is a JSON object from question id to option id, true/false or
text, e.g. {\"goal\": \"remove-one\", \"workspace\": \"<id or name>\", \"method\": \"clear-site\"}.")]
    Run(RunArgs),
    /// Show every session found (browsers, profiles, desktop app); changes nothing
    #[command(after_help = "Examples:
  troubleshoot scan
  troubleshoot scan --json | jq '.sessions[].workspace_name'
  troubleshoot scan --root /mnt/old-home --layout windows")]
    Scan(ScanArgs),
    /// List flows and what they can call; check, draw and test them
    #[command(
        subcommand,
        after_help = "Examples:
  troubleshoot flows list
  troubleshoot flows check flows/*.json
  troubleshoot flows test --require-full-coverage
  troubleshoot flows graph notion-signout --format dot | dot -Tsvg > flow.svg"
    )]
    Flows(FlowsCommand),
    /// Put back exactly what a fix changed, from its backup
    #[command(after_help = "Examples:
  troubleshoot undo            Undo the last fix
  troubleshoot undo --list     List the fixes that can be undone
  troubleshoot undo --list --json
  troubleshoot undo RUN_ID --force")]
    Undo(UndoArgs),
    /// Export a run as a report for support (redacted by default)
    #[command(after_help = "Examples:
  troubleshoot report                       The last run as Markdown on stdout
  troubleshoot report --format html -o report.html
  troubleshoot report RUN_ID --format json --include-names")]
    Report(ReportArgs),
    /// List recorded runs and where their fixes stand; prune old ones
    #[command(after_help = "Examples:
  troubleshoot runs                         Every recorded run: id, time, flow, outcome, fix
  troubleshoot runs --json
  troubleshoot runs --prune                 Delete records and backups of undone fixes older than 30 days

Backups hold byte copies of browser cookie databases and Local Storage.
`run` prunes at its start what is older than 30 days: run records (not
those of a fix that can still be undone) and the backups of fixes that
were undone, rolled back or failed.")]
    Runs(RunsArgs),
    /// Try the wizard on a sandbox home in a temporary folder: diagnose, fix, undo
    #[command(after_help = "Examples:\n  troubleshoot demo\n  troubleshoot demo --yes --keep")]
    Demo(DemoArgs),
    /// Print shell completions
    #[command(
        after_help = "Example:\n  troubleshoot completions bash > ~/.local/share/bash-completion/completions/troubleshoot"
    )]
    Completions {
        /// The shell to complete for
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Print the man page (roff)
    #[command(after_help = "Example:\n  troubleshoot man | man -l -")]
    Man,
}

#[derive(Debug, Clone, Args, Default)]
pub struct RunArgs {
    /// A built-in flow id or a path to a flow file [default: notion-signout]
    #[arg(add = ArgValueCandidates::new(flow_ids))]
    pub flow: Option<String>,
    /// JSON object of answers: question id -> option id, true/false or text
    #[arg(long, value_name = "FILE")]
    pub answers: Option<PathBuf>,
    /// One answer, ID=VALUE (repeatable; wins over --answers)
    #[arg(long = "answer", value_name = "ID=VALUE", add = ArgValueCandidates::new(answer_values))]
    pub answer: Vec<String>,
    /// Consent to fixes and take the default of every unanswered question,
    /// except one choosing among several workspaces, accounts, stores or fixes
    #[arg(long, short = 'y')]
    pub yes: bool,
    /// Show each fix's plan; change nothing
    #[arg(long)]
    pub dry_run: bool,
    /// Also export the run as a report (format from the extension: .json, .md, .html)
    #[arg(long, value_name = "PATH")]
    pub report: Option<PathBuf>,
    /// Keep workspace names, ids and emails in the --report
    #[arg(long)]
    pub include_names: bool,
    /// Replay the answers recorded in a JSON report
    #[arg(long, value_name = "FILE")]
    pub from_report: Option<PathBuf>,
    /// Set by `demo`: the home is a sandbox deleted at the end, so no undo
    /// command is printed for it.
    #[arg(skip)]
    pub sandbox: bool,
    /// Set by `demo`: the sandbox folder, and whether `--keep` keeps it. A
    /// signal that ends the run removes it, unless it is kept or a fix
    /// stays applied in it (then its path is printed).
    #[arg(skip)]
    pub sandbox_dir: Option<(PathBuf, bool)>,
}

#[derive(Debug, Clone, Args)]
pub struct ScanArgs {
    /// Print the scan as JSON (schema 1) on stdout
    #[arg(long)]
    pub json: bool,
    /// The flow (built-in id or file) whose probes run, with its parameters
    #[arg(long, value_name = "FLOW", default_value = "notion-signout")]
    pub flow: String,
}

#[derive(Debug, Subcommand)]
pub enum FlowsCommand {
    /// List the built-in flows
    #[command(after_help = "Examples:
  troubleshoot flows list
  troubleshoot flows list --json | jq -r '.flows[].id'")]
    List {
        /// Print the list as JSON on stdout
        #[arg(long)]
        json: bool,
    },
    /// List what a flow can call: every probe (a check's `probe`) and fix action (a fix's `action`)
    #[command(after_help = "Examples:
  troubleshoot flows catalog
  troubleshoot flows catalog --json | jq -r '.actions[] | \"\\(.id) \\(.risk)\"'")]
    Catalog {
        /// Print the catalog as JSON on stdout
        #[arg(long)]
        json: bool,
    },
    /// Validate flow files; exit 2 if any is bad, naming file, place and problem
    #[command(
        after_help = "Examples:\n  troubleshoot flows check                 Every built-in flow\n  troubleshoot flows check flows/*.json    Its tests and schema files are skipped"
    )]
    Check {
        /// Flow files or built-in flow ids to validate [default: every built-in flow]
        #[arg(value_name = "FLOW", add = ArgValueCandidates::new(flow_ids))]
        files: Vec<String>,
    },
    /// Run a flow's test scenarios through the engine (nothing on the machine is read or changed)
    #[command(after_help = "Examples:
  troubleshoot flows test                      Every built-in flow
  troubleshoot flows test flows/notion-signout.json --require-full-coverage
  troubleshoot flows test my-flow.tests.json

Exit codes: 0 all scenarios pass, 1 one fails (or coverage is short with
--require-full-coverage), 2 a malformed flow or test file.")]
    Test {
        /// Built-in flow id, flow file, *.tests.json or folder [default: every built-in flow]
        #[arg(value_name = "FLOW|FILE")]
        targets: Vec<String>,
        /// Fail when some step, end or edge is reached by no scenario
        #[arg(long)]
        require_full_coverage: bool,
    },
    /// Draw a flow as a graph
    #[command(
        after_help = "Example:\n  troubleshoot flows graph notion-signout --format dot | dot -Tsvg > flow.svg"
    )]
    Graph {
        /// A built-in flow id or a path to a flow file
        #[arg(add = ArgValueCandidates::new(flow_ids))]
        flow: String,
        /// Graph language: Mermaid (for Markdown) or DOT (for Graphviz)
        #[arg(long, value_enum, default_value_t = GraphFormat::Mermaid)]
        format: GraphFormat,
    },
}

#[derive(Debug, Clone, Args)]
pub struct UndoArgs {
    /// The run whose fix to undo [default: the last one]
    #[arg(add = ArgValueCandidates::new(run_ids))]
    pub run_id: Option<String>,
    /// List the fixes that can be undone
    #[arg(long)]
    pub list: bool,
    /// With --list: print the list as JSON on stdout
    #[arg(long, requires = "list")]
    pub json: bool,
    /// Restore even if the files changed since the fix
    #[arg(long)]
    pub force: bool,
}

#[derive(Debug, Clone, Args)]
pub struct RunsArgs {
    /// Print the runs as JSON (schema 1) on stdout
    #[arg(long)]
    pub json: bool,
    /// First delete run records and backups of undone fixes older than --older-than
    #[arg(long)]
    pub prune: bool,
    /// The age in days beyond which --prune deletes
    #[arg(long, value_name = "DAYS", default_value_t = crate::retention::MAX_AGE_DAYS, requires = "prune")]
    pub older_than: u64,
}

#[derive(Debug, Clone, Args)]
pub struct ReportArgs {
    /// The run to export [default: the last one]
    #[arg(add = ArgValueCandidates::new(run_ids))]
    pub run_id: Option<String>,
    /// Report format [default: from the -o extension, else md]
    #[arg(long, value_enum)]
    pub format: Option<Format>,
    /// Write to this file instead of stdout
    #[arg(long, short = 'o', value_name = "PATH")]
    pub output: Option<PathBuf>,
    /// Keep workspace names, ids and emails (secrets are never recorded)
    #[arg(long)]
    pub include_names: bool,
}

#[derive(Debug, Clone, Args)]
pub struct DemoArgs {
    /// Take every default, apply the fix and undo it, without questions
    #[arg(long, short = 'y')]
    pub yes: bool,
    /// The built-in flow to demonstrate, on its own sandbox
    #[arg(long, value_name = "FLOW", default_value = "notion-signout")]
    pub flow: String,
    /// Keep the sandbox folder after the demo
    #[arg(long)]
    pub keep: bool,
}

/// Completion candidates: the built-in flow ids, with their titles.
fn flow_ids() -> Vec<CompletionCandidate> {
    crate::flow::builtin::BUILTIN
        .iter()
        .map(|(id, file, text)| {
            let title =
                crate::flow::load::load_bytes(file, text.as_bytes(), crate::registry::builtin())
                    .map(|f| f.title)
                    .unwrap_or_default();
            CompletionCandidate::new(*id).help(Some(title.into()))
        })
        .collect()
}

/// Completion candidates: the recorded runs of the state folder
/// (`TROUBLESHOOT_STATE_DIR` or the default), newest first, with their flow
/// and outcome.
fn run_ids() -> Vec<CompletionCandidate> {
    let from_env = std::env::var_os("TROUBLESHOOT_STATE_DIR")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from);
    let Ok(state) = crate::state::resolve(from_env.as_deref()) else {
        return Vec::new();
    };
    let mut runs = crate::report::list_runs(&state).unwrap_or_default();
    runs.retain(|r| r.problem.is_none());
    runs.reverse();
    runs.into_iter()
        .map(|r| {
            let words = crate::report::words::outcome_words(r.outcome.as_deref(), r.stopped);
            CompletionCandidate::new(r.run_id).help(Some(
                format!("{} {}: {words}", r.started_at, r.flow_id).into(),
            ))
        })
        .collect()
}

/// Completion candidates for `--answer`: `ID=` for every question of the
/// default flow, and `ID=VALUE` for its fixed options and yes/no answers.
fn answer_values() -> Vec<CompletionCandidate> {
    use crate::flow::model::{AskKind, Step};
    let Some((file, text)) = crate::flow::builtin::find(crate::flow::builtin::DEFAULT_FLOW) else {
        return Vec::new();
    };
    let Ok(flow) = crate::flow::load::load_bytes(file, text.as_bytes(), crate::registry::builtin())
    else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for step in &flow.steps {
        match step {
            Step::Ask(a) => {
                out.push(
                    CompletionCandidate::new(format!("{}=", a.id))
                        .help(Some(a.prompt.clone().into())),
                );
                match a.kind {
                    AskKind::Select => out.extend(a.options.iter().map(|o| {
                        CompletionCandidate::new(format!("{}={}", a.id, o.id))
                            .help(Some(o.label.clone().into()))
                    })),
                    AskKind::Confirm => out.extend(
                        ["true", "false"]
                            .map(|v| CompletionCandidate::new(format!("{}={v}", a.id))),
                    ),
                    AskKind::Text => {}
                }
            }
            Step::Guide(g) => out.extend(["true", "false"].map(|v| {
                CompletionCandidate::new(format!("{}={v}", g.id)).help(Some(g.title.clone().into()))
            })),
            _ => {}
        }
    }
    out
}
