//! Parse the command line, dispatch to a command, print errors with hints,
//! and turn the result into an exit code.

use clap::Parser;

use crate::Error;
use crate::cli::{Cli, Command, FlowsCommand, RunArgs};
use crate::cmd;
use crate::error::exit;
use crate::ui::Printer;

/// Run with the process's arguments; returns the exit code.
pub fn main() -> u8 {
    // `COMPLETE=bash troubleshoot …`, as the registration script
    // (`troubleshoot completions SHELL`) calls it: complete and exit.
    clap_complete::CompleteEnv::with_factory(<Cli as clap::CommandFactory>::command).complete();
    run_with(std::env::args_os())
}

pub fn run_with<I, T>(args: I) -> u8
where
    I: IntoIterator<Item = T>,
    T: Into<std::ffi::OsString> + Clone,
{
    let cli = match Cli::try_parse_from(args) {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            if let Some(hint) = subcommand_flag_hint(&e) {
                Printer::new(crate::ui::ColorChoice::Auto).hint(&hint);
            }
            return match e.kind() {
                clap::error::ErrorKind::DisplayHelp | clap::error::ErrorKind::DisplayVersion => {
                    exit::OK
                }
                _ => exit::USAGE,
            };
        }
    };
    let printer = Printer::new(cli.global.color).with_verbosity(cli.global.verbosity());
    let global = cli.global.clone();
    let result = match cli.command {
        None => cmd::run::run(&global, &RunArgs::default(), printer),
        Some(Command::Run(args)) => cmd::run::run(&global, &args, printer),
        Some(Command::Scan(args)) => cmd::scan::run(&global, &args, printer),
        Some(Command::Flows(FlowsCommand::List { json })) => cmd::flows::list(json),
        Some(Command::Flows(FlowsCommand::Catalog { json })) => cmd::flows::catalog(json),
        Some(Command::Flows(FlowsCommand::Check { files })) => cmd::flows::check(&files, printer),
        Some(Command::Flows(FlowsCommand::Graph { flow, format })) => {
            cmd::flows::graph(&flow, format)
        }
        Some(Command::Flows(FlowsCommand::Test {
            targets,
            require_full_coverage,
        })) => cmd::flows::test(&targets, require_full_coverage),
        Some(Command::Undo(args)) => cmd::undo::run(&global, &args, printer),
        Some(Command::Report(args)) => cmd::report::run(&global, &args, printer),
        Some(Command::Runs(args)) => cmd::runs::run(&global, &args, printer),
        Some(Command::Demo(args)) => cmd::demo::run(&global, &args, printer),
        Some(Command::Completions { shell }) => cmd::completions::completions(shell),
        Some(Command::Man) => cmd::completions::man(),
    };
    match result {
        Ok(code) => code,
        // The reader of stdout went away (`| head`): it has what it wanted.
        Err(e) if crate::ui::stdout::is_broken_pipe(&e) => exit::OK,
        Err(e) => {
            report_error(&printer, &e);
            e.exit_code()
        }
    }
}

/// A flag given before the subcommand it belongs to (`troubleshoot
/// --dry-run`): which commands take it, and the command line to use.
fn subcommand_flag_hint(e: &clap::Error) -> Option<String> {
    use clap::error::{ContextKind, ContextValue};
    if e.kind() != clap::error::ErrorKind::UnknownArgument {
        return None;
    }
    let Some(ContextValue::String(arg)) = e.get(ContextKind::InvalidArg) else {
        return None;
    };
    let flag = arg.split('=').next().unwrap_or(arg);
    let long = flag.strip_prefix("--")?;
    let root = <Cli as clap::CommandFactory>::command();
    let takers: Vec<String> = root
        .get_subcommands()
        .flat_map(|c| {
            let mut found = Vec::new();
            let own = |c: &clap::Command| {
                c.get_arguments()
                    .any(|a| a.get_long() == Some(long) && !a.is_global_set())
            };
            if own(c) {
                found.push(c.get_name().to_string());
            }
            for sub in c.get_subcommands() {
                if own(sub) {
                    found.push(format!("{} {}", c.get_name(), sub.get_name()));
                }
            }
            found
        })
        .collect();
    match takers.as_slice() {
        [] => None,
        [one] => Some(format!(
            "`{flag}` is an option of `troubleshoot {one}`: try `troubleshoot {one} {arg}`"
        )),
        many => Some(format!(
            "`{flag}` is an option of {}",
            many.iter()
                .map(|c| format!("`troubleshoot {c}`"))
                .collect::<Vec<_>>()
                .join(", ")
        )),
    }
}

fn report_error(printer: &Printer, e: &Error) {
    match e {
        Error::Cancelled => {
            // Ctrl-C leaves the cursor at the start of the prompt's help
            // line when the prompt is at the bottom of the screen (Esc ends
            // the prompt with "<canceled>"): start a line of our own, or the
            // message overwrites the help text.
            printer.blank();
            printer.plain("Cancelled; nothing was changed.");
        }
        // One problem per line, each line sanitized by the printer.
        Error::Flow(f) => {
            for line in f.to_string().lines() {
                printer.error(line);
            }
            if let Some(h) = e.hint() {
                printer.hint(&h);
            }
        }
        _ => {
            let message = e.to_string();
            printer.error(&message);
            // A cause the message already quotes is not said twice.
            let mut source = std::error::Error::source(e);
            while let Some(s) = source {
                let cause = s.to_string();
                if !message.contains(&cause) {
                    printer.plain(&format!("  Caused by: {cause}"));
                }
                source = s.source();
            }
            if let Some(h) = e.hint() {
                printer.hint(&h);
            }
        }
    }
}
