//! `troubleshoot completions SHELL` and `troubleshoot man`.

use clap::CommandFactory;

use crate::cli::Cli;
use crate::error::exit;
use crate::ui::stdout;
use crate::{Error, Result};

/// The shell's registration script for dynamic completions: the shell
/// calls `COMPLETE=<shell> troubleshoot -- …` at each TAB, so flow ids
/// (after `run`, `flows graph`), run ids (after `undo`, `report`) and
/// question ids with their answers (after `--answer`) come from this
/// binary and this machine's state folder.
pub fn completions(shell: clap_complete::Shell) -> Result<u8> {
    let name = shell.to_string();
    let shells = clap_complete::env::Shells::builtins();
    let completer = shells
        .completer(&name)
        .ok_or_else(|| Error::Usage(format!("no completions for shell {name}")))?;
    let mut out = Vec::new();
    completer
        .write_registration(
            "COMPLETE",
            "troubleshoot",
            "troubleshoot",
            "troubleshoot",
            &mut out,
        )
        .map_err(|e| Error::io("writing the completions", e))?;
    stdout::write(&out)?;
    Ok(exit::OK)
}

/// Text for roff: backslashes and dashes escaped, no line taken for a
/// request.
fn roff(s: &str) -> String {
    let t = s.replace('\\', "\\e").replace('-', "\\-");
    t.lines()
        .map(|l| {
            if l.starts_with(['.', '\'']) {
                format!("\\&{l}")
            } else {
                l.to_string()
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// A command's own arguments (not the global ones), as `.TP` items.
fn arguments(out: &mut String, cmd: &clap::Command) {
    for a in cmd.get_arguments() {
        if a.is_hide_set() || a.is_global_set() || a.get_id() == "help" || a.get_id() == "version" {
            continue;
        }
        let mut name = match (a.get_short(), a.get_long()) {
            (Some(s), Some(l)) => format!("\\fB\\-{s}\\fR, \\fB\\-\\-{}\\fR", roff(l)),
            (None, Some(l)) => format!("\\fB\\-\\-{}\\fR", roff(l)),
            (Some(s), None) => format!("\\fB\\-{s}\\fR"),
            (None, None) => String::new(),
        };
        let takes_value = a.get_num_args().is_some_and(|n| n.takes_values());
        if takes_value {
            let value = a
                .get_value_names()
                .and_then(|v| v.first())
                .map_or_else(|| a.get_id().to_string().to_uppercase(), |v| v.to_string());
            if !name.is_empty() {
                name.push(' ');
            }
            name.push_str(&format!("\\fI{}\\fR", roff(&value)));
        }
        let help = a.get_help().map(|h| h.to_string()).unwrap_or_default();
        out.push_str(&format!(".TP\n{name}\n{}\n", roff(&help)));
    }
}

/// Every command of `cmd` (and their subcommands), described in place:
/// there is one page, and it names no other.
fn commands(out: &mut String, cmd: &clap::Command, prefix: &str) {
    for sub in cmd.get_subcommands() {
        if sub.is_hide_set() || sub.get_name() == "help" {
            continue;
        }
        let name = format!("{prefix} {}", sub.get_name());
        if sub.has_subcommands() {
            commands(out, sub, &name);
            continue;
        }
        let about = sub.get_about().map(|a| a.to_string()).unwrap_or_default();
        let args: Vec<String> = sub
            .get_positionals()
            .map(|p| {
                let v = p
                    .get_value_names()
                    .and_then(|v| v.first())
                    .map_or_else(|| p.get_id().to_string().to_uppercase(), |v| v.to_string());
                if p.is_required_set() {
                    format!("<{v}>")
                } else {
                    format!("[{v}]")
                }
            })
            .collect();
        out.push_str(&format!(
            ".SS \"{}\"\n{}\n.PP\n",
            roff(&format!("{name} [OPTIONS] {}", args.join(" "))).trim_end(),
            roff(&about)
        ));
        let mut own = String::new();
        arguments(&mut own, sub);
        out.push_str(&own);
        if let Some(after) = sub.get_after_help() {
            out.push_str(&format!(".PP\n.nf\n{}\n.fi\n", roff(&after.to_string())));
        }
    }
}

const ENVIRONMENT: &str = "\
.TP
\\fBTROUBLESHOOT_STATE_DIR\\fR
The state folder, when \\fB\\-\\-state\\-dir\\fR is not given.
.TP
\\fBNO_COLOR\\fR
Set and not empty: no colors with \\fB\\-\\-color auto\\fR.
.TP
\\fBCOLUMNS\\fR
The width to wrap the wizard's text to on a terminal (else the terminal's own).
.TP
\\fBHOME\\fR, \\fBXDG_STATE_HOME\\fR
Where your home and the default state folder are.
";

const FILES: &str = "\
.TP
\\fI~/.local/state/troubleshoot\\fR (Linux), \\fI~/Library/Application Support/troubleshoot\\fR (macOS), \\fI%LOCALAPPDATA%\\\\troubleshoot\\fR (Windows)
The default state folder (owner only).
.TP
\\fIstate/runs/RUN_ID.json\\fR
The record of every run: what it asked, found, changed and concluded (never a secret); \\fBtroubleshoot report\\fR exports it.
.TP
\\fIstate/backups/RUN_ID/\\fR
The byte copies a fix takes before it writes, with their sha256 manifest.
.TP
\\fIstate/journal.sqlite\\fR
The undo journal: every fix, its backup and what became of it; \\fBtroubleshoot undo\\fR reads it.
";

const EXIT_STATUS: &str = "\
.TP
\\fB0\\fR
Resolved, nothing wrong, a dry run, or the command did its job.
.TP
\\fB1\\fR
The problem remains (a fix was refused, declined or failed).
.TP
\\fB2\\fR
Usage, flow or input error (a bad flag, flow, answers file, a missing answer).
.TP
\\fB3\\fR
A fix failed verification and was rolled back.
.TP
\\fB130\\fR, \\fB143\\fR
Cancelled (Esc or Ctrl\\-C, SIGTERM) with nothing changed.
";

pub fn man() -> Result<u8> {
    let mut cmd = Cli::command();
    cmd.build();
    let page = clap_mangen::Man::new(cmd.clone());
    let mut out = Vec::new();
    let render = |out: &mut Vec<u8>| -> std::io::Result<()> {
        page.render_title(out)?;
        page.render_name_section(out)?;
        page.render_synopsis_section(out)?;
        page.render_description_section(out)?;
        page.render_options_section(out)?;
        let mut text = String::from(".SH COMMANDS\n");
        commands(&mut text, &cmd, "troubleshoot");
        text.push_str(".SH EXAMPLES\n.nf\n");
        let examples = cmd
            .get_after_help()
            .map(|a| a.to_string())
            .unwrap_or_default();
        // The root's examples, without the exit codes (a section of their own).
        let examples = examples
            .split("\n\nExit codes")
            .next()
            .unwrap_or_default()
            .trim_start_matches("Examples:\n");
        text.push_str(&roff(examples));
        text.push_str("\n.fi\n.SH ENVIRONMENT\n");
        text.push_str(ENVIRONMENT);
        text.push_str(".SH FILES\n");
        text.push_str(FILES);
        text.push_str(".SH \"EXIT STATUS\"\n");
        text.push_str(EXIT_STATUS);
        out.extend_from_slice(text.as_bytes());
        page.render_version_section(out)
    };
    render(&mut out).map_err(|e| Error::io("rendering the man page", e))?;
    stdout::write(&out)?;
    Ok(exit::OK)
}
