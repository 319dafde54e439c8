//! `troubleshoot completions SHELL` and `troubleshoot man`.

use std::io::Write;

use clap::CommandFactory;

use crate::cli::Cli;
use crate::error::exit;
use crate::{Error, Result};

pub fn completions(shell: clap_complete::Shell) -> Result<u8> {
    let mut cmd = Cli::command();
    clap_complete::generate(shell, &mut cmd, "troubleshoot", &mut std::io::stdout());
    Ok(exit::OK)
}

pub fn man() -> Result<u8> {
    let mut out = Vec::new();
    clap_mangen::Man::new(Cli::command())
        .render(&mut out)
        .map_err(|e| Error::io("rendering the man page", e))?;
    let _ = std::io::stdout().write_all(&out);
    Ok(exit::OK)
}
