//! `troubleshoot completions SHELL` and `troubleshoot man`.

use clap::CommandFactory;

use crate::cli::Cli;
use crate::error::exit;
use crate::ui::stdout;
use crate::{Error, Result};

pub fn completions(shell: clap_complete::Shell) -> Result<u8> {
    let mut cmd = Cli::command();
    // Rendered in memory first: the generators panic on a write error.
    let mut out = Vec::new();
    clap_complete::generate(shell, &mut cmd, "troubleshoot", &mut out);
    stdout::write(&out)?;
    Ok(exit::OK)
}

pub fn man() -> Result<u8> {
    let mut out = Vec::new();
    clap_mangen::Man::new(Cli::command())
        .render(&mut out)
        .map_err(|e| Error::io("rendering the man page", e))?;
    stdout::write(&out)?;
    Ok(exit::OK)
}
