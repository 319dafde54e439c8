//! The state folder: run records, backups and the undo journal. A leaf:
//! the fixes and the records use it, it uses none of them.

use std::path::{Path, PathBuf};

/// The platform has no state folder and none was given (a usage error).
#[derive(Debug, thiserror::Error)]
#[error("cannot find a state folder; pass --state-dir DIR")]
pub struct NoStateFolder;

/// `--state-dir`, else `TROUBLESHOOT_STATE_DIR` (clap reads it), else the
/// platform's state folder (`~/.local/state/troubleshoot` on Linux).
pub fn resolve(flag: Option<&Path>) -> Result<PathBuf, NoStateFolder> {
    if let Some(p) = flag {
        return Ok(p.to_path_buf());
    }
    dirs::state_dir()
        .or_else(dirs::data_local_dir)
        .map(|d| d.join("troubleshoot"))
        .ok_or(NoStateFolder)
}

/// The command that undoes `run_id`, exactly as it must be typed from any
/// folder with no environment set: the state folder is named unless it is
/// the default one (the journal holds the home and layout).
pub fn undo_command(run_id: &str, state_dir: &Path) -> String {
    let default = resolve(None).ok();
    if default.as_deref() == Some(state_dir) {
        format!("troubleshoot undo {run_id}")
    } else {
        format!(
            "troubleshoot undo {run_id} --state-dir {}",
            shell_quote(&state_dir.display().to_string())
        )
    }
}

/// The arguments of a command line as typed: split at spaces outside
/// quotes, each kept with its quotes.
pub fn shell_words(cmd: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let (mut start, mut quote) = (None, None::<char>);
    for (i, c) in cmd.char_indices() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), _) => {}
            (None, '\'' | '"') => {
                quote = Some(c);
                start.get_or_insert(i);
            }
            (None, ' ') => {
                if let Some(s) = start.take() {
                    out.push(&cmd[s..i]);
                }
            }
            (None, _) => {
                start.get_or_insert(i);
            }
        }
    }
    if let Some(s) = start {
        out.push(&cmd[s..]);
    }
    out
}

/// `s` quoted for a POSIX shell when it holds anything but plain characters.
pub fn shell_quote(s: &str) -> String {
    if !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || "/._-+:=@,".contains(c))
    {
        s.to_string()
    } else {
        format!("'{}'", s.replace('\'', "'\\''"))
    }
}
