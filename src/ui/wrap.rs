//! Paragraphs wrapped to the terminal (textwrap): at spaces only, so no word
//! is ever split across lines, with the indentation of a line (and the width
//! of a list marker such as `1. ` or `- `) kept on its continuation lines.
//! Only a terminal is wrapped: piped or redirected text keeps its lines.

use std::io::IsTerminal;

/// The width to wrap stderr to: `COLUMNS` when set (as the shell sets it),
/// else the terminal's; none when stderr is not a terminal.
pub fn columns() -> Option<usize> {
    if !std::io::stderr().is_terminal() {
        return None;
    }
    std::env::var("COLUMNS")
        .ok()
        .and_then(|v| v.trim().parse::<usize>().ok())
        .filter(|c| *c > 0)
        .or_else(|| terminal_size::terminal_size_of(std::io::stderr()).map(|(w, _)| w.0 as usize))
}

/// `text` as the lines to print on stderr, `used` columns of each line
/// already taken by a marker printed before it. The last column stays free:
/// a line that fills it makes some terminals break the next line early.
pub fn wrap(text: &str, used: usize) -> Vec<String> {
    match columns() {
        Some(cols) => wrap_to(text, cols.saturating_sub(used + 1)),
        None => vec![text.to_string()],
    }
}

/// A shell command to print after `indent` columns, as lines a shell reads
/// back as the same command: one line when it fits (or off a terminal),
/// else broken between arguments, never inside one, each line but the last
/// ending in ` \`. An argument wider than the terminal stays whole.
pub fn command_lines(cmd: &str, indent: usize) -> Vec<String> {
    match columns() {
        Some(cols) => command_lines_to(cmd, cols.saturating_sub(indent + 1)),
        None => vec![cmd.to_string()],
    }
}

/// [`command_lines`] at `width` columns.
pub fn command_lines_to(cmd: &str, width: usize) -> Vec<String> {
    if textwrap::core::display_width(cmd) <= width {
        return vec![cmd.to_string()];
    }
    const MORE: &str = " \\";
    const CONTINUED: &str = "    ";
    let mut lines: Vec<String> = Vec::new();
    let mut line = String::new();
    for arg in crate::state::shell_words(cmd) {
        let lead = if lines.is_empty() { "" } else { CONTINUED };
        let with = if line.is_empty() {
            format!("{lead}{arg}")
        } else {
            format!("{line} {arg}")
        };
        if line.is_empty() || textwrap::core::display_width(&with) + MORE.len() <= width {
            line = with;
        } else {
            lines.push(format!("{line}{MORE}"));
            line = format!("{CONTINUED}{arg}");
        }
    }
    lines.push(line);
    lines
}

/// `text` for a prompt line on which `first` columns are taken before it
/// and `reserve` must stay free after it, wrapped at spaces: the lines
/// joined with a newline and `indent` (the prompt library breaks a long
/// line anywhere, words included; a newline it keeps).
pub fn for_prompt(text: &str, first: usize, reserve: usize, indent: &str) -> String {
    let Some(cols) = columns() else {
        return text.to_string();
    };
    let width = cols.saturating_sub(reserve + 1).max(20);
    if first + textwrap::core::display_width(text) <= width {
        return text.to_string();
    }
    // Too little room left on the first line: start on the next one.
    if first + 12 > width {
        let rest = for_prompt(text, indent.len(), reserve, indent);
        return format!("\n{indent}{rest}");
    }
    // The first line starts `first` columns in: wrap behind a stand-in
    // indent of that width, then take it off.
    let lead = " ".repeat(first);
    let options = textwrap::Options::new(width)
        .break_words(false)
        .word_separator(textwrap::WordSeparator::AsciiSpace)
        .word_splitter(textwrap::WordSplitter::NoHyphenation)
        .initial_indent(&lead)
        .subsequent_indent(indent);
    let lines: Vec<String> = textwrap::wrap(text, options)
        .into_iter()
        .map(|l| l.into_owned())
        .collect();
    let mut out = String::new();
    for (i, l) in lines.iter().enumerate() {
        if i == 0 {
            out.push_str(l.strip_prefix(lead.as_str()).unwrap_or(l));
        } else {
            out.push('\n');
            out.push_str(l);
        }
    }
    out
}

/// The width of the hanging indent of `text`: its leading spaces and a list
/// marker after them (`1. `, `- `, `• `, `● `).
fn hang(text: &str) -> usize {
    let trimmed = text.trim_start_matches(' ');
    let lead = text.len() - trimmed.len();
    let digits = trimmed.chars().take_while(char::is_ascii_digit).count();
    let marker = if digits > 0 && trimmed[digits..].starts_with(". ") {
        digits + 2
    } else if ["- ", "• ", "● ", "* "]
        .iter()
        .any(|m| trimmed.starts_with(m))
    {
        2
    } else {
        0
    };
    lead + marker
}

/// A space inside a command: never a place to break.
const KEEP: char = '\u{a0}';

/// `text` with the spaces of each command it quotes (`troubleshoot …` up to
/// a backtick, a closing parenthesis, a sentence's end or the end) made
/// unbreakable: a command is copied as one piece, so it moves to a line of
/// its own rather than being cut.
fn keep_commands(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find("troubleshoot ") {
        let starts_word = at == 0 || rest[..at].ends_with([' ', '`', '(', '"']);
        out.push_str(&rest[..at]);
        let tail = &rest[at..];
        if !starts_word {
            out.push_str("troubleshoot ");
            rest = &tail["troubleshoot ".len()..];
            continue;
        }
        let end = [
            tail.find('`'),
            tail.find(')'),
            tail.find(". "),
            tail.find("; "),
        ]
        .into_iter()
        .flatten()
        .min()
        .unwrap_or(tail.len());
        out.push_str(&tail[..end].replace(' ', &KEEP.to_string()));
        rest = &tail[end..];
    }
    out.push_str(rest);
    out
}

/// `text` wrapped to `width` columns (at least 20), at spaces only.
pub fn wrap_to(text: &str, width: usize) -> Vec<String> {
    let width = width.max(20);
    if textwrap::core::display_width(text) <= width {
        return vec![text.to_string()];
    }
    let kept = keep_commands(text);
    let text = kept.as_str();
    let indent = " ".repeat(hang(text).min(width / 2));
    let options = textwrap::Options::new(width)
        .break_words(false)
        .word_separator(textwrap::WordSeparator::AsciiSpace)
        .word_splitter(textwrap::WordSplitter::NoHyphenation)
        .subsequent_indent(&indent);
    textwrap::wrap(text, options)
        .into_iter()
        .map(|l| l.replace(KEEP, " "))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_command_breaks_between_arguments_with_a_continuation() {
        let cmd = "troubleshoot undo 20261125-131848-f3b3 --state-dir '/tmp/a b/state-40'";
        assert_eq!(command_lines_to(cmd, 100), [cmd]);
        let lines = command_lines_to(cmd, 40);
        assert_eq!(
            lines,
            [
                "troubleshoot undo 20261125-131848-f3b3 \\",
                "    --state-dir '/tmp/a b/state-40'",
            ]
        );
        for l in &lines {
            assert!(l.chars().count() <= 40, "{l}");
        }
        // An argument wider than the line stays whole.
        let long = format!("troubleshoot undo x --state-dir /{}", "d".repeat(60));
        let lines = command_lines_to(&long, 30);
        assert_eq!(lines.last().unwrap().trim(), format!("/{}", "d".repeat(60)));
    }

    #[test]
    fn words_stay_whole_and_indentation_is_kept() {
        let text = "  1. In Chrome, open Settings > You and Google > Sync and Google services > Manage sync.";
        let lines = wrap_to(text, 40);
        assert_eq!(
            lines,
            [
                "  1. In Chrome, open Settings > You and",
                "     Google > Sync and Google services >",
                "     Manage sync.",
            ]
        );
        for l in &lines {
            assert!(textwrap::core::display_width(l) <= 40, "{l}");
        }
        // A word longer than the line stays whole on a line of its own.
        let long = format!("see {} now", "x".repeat(50));
        assert_eq!(wrap_to(&long, 30), ["see", &"x".repeat(50), "now"]);
        assert_eq!(wrap_to("short", 30), ["short"]);
        // A command is one piece, on a line of its own if need be.
        assert_eq!(
            wrap_to(
                "The fix stays applied; to undo it: troubleshoot undo 20261201-1 --state-dir /tmp/x",
                40
            ),
            [
                "The fix stays applied; to undo it:",
                "troubleshoot undo 20261201-1 --state-dir /tmp/x"
            ]
        );
        assert_eq!(
            wrap_to(
                "hint: `troubleshoot scan -v` lists every folder it looked in",
                24
            ),
            [
                "hint:",
                "`troubleshoot scan -v`",
                "lists every folder it",
                "looked in"
            ]
        );
        // A hyphen is not a place to break.
        assert_eq!(
            wrap_to("under ~/.config/google-chrome/Default/Local now", 30),
            ["under", "~/.config/google-chrome/Default/Local", "now"]
        );
        // Wide characters count as what they take on screen.
        assert_eq!(
            wrap_to("● Chrome, profile Person 1: one session", 24).len(),
            2
        );
    }
}
