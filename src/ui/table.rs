//! Listings for people (`runs`, `undo --list`): a header row, columns
//! padded to their widest cell, and, on a terminal narrower than the
//! table, the widest cut columns shortened with an ellipsis. Columns
//! marked whole (a run id to copy) are never cut. Off a terminal the rows
//! keep every character.

use std::io::IsTerminal;

use textwrap::core::display_width;

/// A column: its header, and whether a cell may be cut.
pub struct Column {
    pub header: &'static str,
    pub whole: bool,
}

/// The width of stdout when it is a terminal (`COLUMNS` when set).
pub fn stdout_columns() -> Option<usize> {
    if !std::io::stdout().is_terminal() {
        return None;
    }
    std::env::var("COLUMNS")
        .ok()
        .and_then(|v| v.trim().parse::<usize>().ok())
        .filter(|c| *c > 0)
        .or_else(|| terminal_size::terminal_size_of(std::io::stdout()).map(|(w, _)| w.0 as usize))
}

/// `rows` (already safe for the terminal) under a header, fitted to
/// `width` columns when given.
pub fn render(columns: &[Column], rows: &[Vec<String>], width: Option<usize>) -> String {
    const GAP: usize = 2;
    let mut widths: Vec<usize> = columns.iter().map(|c| display_width(c.header)).collect();
    for r in rows {
        for (w, cell) in widths.iter_mut().zip(r) {
            *w = (*w).max(display_width(cell));
        }
    }
    if let Some(width) = width {
        // The last column of a terminal stays free (see `wrap`).
        let room = width.saturating_sub(1);
        let total = |w: &[usize]| w.iter().sum::<usize>() + GAP * w.len().saturating_sub(1);
        while total(&widths) > room {
            let widest = widths
                .iter()
                .enumerate()
                .filter(|(i, w)| {
                    !columns[*i].whole && **w > display_width(columns[*i].header).max(6)
                })
                .max_by_key(|(_, w)| **w)
                .map(|(i, _)| i);
            match widest {
                Some(i) => widths[i] -= 1,
                None => break,
            }
        }
    }
    let mut out = String::new();
    let header: Vec<String> = columns.iter().map(|c| c.header.to_string()).collect();
    for r in std::iter::once(&header).chain(rows) {
        let n = r.len().min(widths.len());
        for (i, cell) in r.iter().take(n).enumerate() {
            let cell = fit(cell, widths[i]);
            out.push_str(&cell);
            if i + 1 < n {
                let pad = widths[i] - display_width(cell.as_str()) + GAP;
                out.push_str(&" ".repeat(pad));
            }
        }
        out.push('\n');
    }
    out
}

/// `s` cut to `width` columns, ending in `…` when cut.
fn fit(s: &str, width: usize) -> String {
    if display_width(s) <= width {
        return s.to_string();
    }
    let mut out = String::new();
    for c in s.chars() {
        if display_width(out.as_str()) + display_width(c.encode_utf8(&mut [0; 4])) + 1 > width {
            break;
        }
        out.push(c);
    }
    out.push('…');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cols() -> [Column; 3] {
        [
            Column {
                header: "RUN",
                whole: true,
            },
            Column {
                header: "FLOW",
                whole: false,
            },
            Column {
                header: "OUTCOME",
                whole: false,
            },
        ]
    }

    #[test]
    fn a_header_and_padded_columns_off_a_terminal() {
        let rows = vec![vec![
            "20261125-1".into(),
            "notion-signout".into(),
            "resolved".into(),
        ]];
        let t = render(&cols(), &rows, None);
        assert_eq!(
            t,
            "RUN         FLOW            OUTCOME\n20261125-1  notion-signout  resolved\n"
        );
    }

    #[test]
    fn narrow_terminals_cut_the_widest_cut_column_with_an_ellipsis() {
        let rows = vec![vec![
            "20261125-131848-f3b3".into(),
            "notion-desktop-relogin".into(),
            "cancelled: nothing changed".into(),
        ]];
        let t = render(&cols(), &rows, Some(60));
        for l in t.lines() {
            assert!(display_width(l) < 60, "{l}");
        }
        assert!(
            t.contains("20261125-131848-f3b3"),
            "the id stays whole:\n{t}"
        );
        assert!(t.contains('…'), "{t}");
        assert!(t.starts_with("RUN "), "{t}");
    }
}
