//! The one way to stdout, the product (`--json`, reports, listings,
//! completions). Every write returns its error: a closed pipe
//! (`troubleshoot scan --json | head -1`) ends the command quietly with
//! exit 0, as ripgrep does; any other failure (a full disk) is an error
//! with exit 1. Nothing here panics, unlike `println!`.

use std::io::Write;

use crate::{Error, Result};

/// Write `bytes` to stdout and flush.
pub fn write(bytes: &[u8]) -> Result<()> {
    let mut out = std::io::stdout().lock();
    out.write_all(bytes)
        .and_then(|()| out.flush())
        .map_err(Error::Stdout)
}

/// Write `text` and a newline to stdout.
pub fn line(text: &str) -> Result<()> {
    let mut out = std::io::stdout().lock();
    out.write_all(text.as_bytes())
        .and_then(|()| out.write_all(b"\n"))
        .and_then(|()| out.flush())
        .map_err(Error::Stdout)
}

/// Whether `e` is a write to a reader that went away.
pub fn is_broken_pipe(e: &Error) -> bool {
    matches!(e, Error::Stdout(io) if io.kind() == std::io::ErrorKind::BrokenPipe)
}
