//! How a run ended: one type, with the word recorded for it and its exit
//! code, so the wizard, the run record and the reports cannot disagree.

use crate::error::exit;

/// The outcome of a run, as recorded in `outcome.outcome`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// An `end` step with outcome `resolved`.
    Resolved,
    /// An `end` step with outcome `unresolved` (declined, refused, failed…).
    Unresolved,
    /// An `end` step with outcome `escalate`: support is needed.
    Escalate,
    /// `--dry-run`: planned and shown, nothing changed.
    DryRun,
    /// A manual guide nobody confirmed (`--yes` never does).
    GuideNotConfirmed,
    /// Esc, Ctrl-C or a signal after a fix was applied: it stays applied.
    CancelledAfterChange { verified: bool },
    /// Esc, Ctrl-C or a signal with nothing changed.
    Cancelled,
}

impl Outcome {
    /// The recorded word.
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Resolved => "resolved",
            Outcome::Unresolved => "unresolved",
            Outcome::Escalate => "escalate",
            Outcome::DryRun => "dry-run",
            Outcome::GuideNotConfirmed => "guide-not-confirmed",
            Outcome::CancelledAfterChange { .. } => "cancelled-after-change",
            Outcome::Cancelled => "cancelled",
        }
    }

    /// Read a recorded word back (an unknown word counts as unresolved).
    pub fn parse(s: &str, verified: bool) -> Outcome {
        match s {
            "resolved" => Outcome::Resolved,
            "escalate" => Outcome::Escalate,
            "dry-run" => Outcome::DryRun,
            "guide-not-confirmed" => Outcome::GuideNotConfirmed,
            "cancelled-after-change" => Outcome::CancelledAfterChange { verified },
            "cancelled" => Outcome::Cancelled,
            _ => Outcome::Unresolved,
        }
    }

    /// The exit code (README "Exit codes"); a rollback during the run
    /// makes any outcome exit 3.
    pub fn exit_code(self, rolled_back: bool) -> u8 {
        if rolled_back {
            return exit::ROLLED_BACK;
        }
        match self {
            Outcome::Resolved | Outcome::DryRun => exit::OK,
            Outcome::CancelledAfterChange { verified: true } => exit::OK,
            Outcome::Cancelled => exit::CANCELLED,
            Outcome::Unresolved
            | Outcome::Escalate
            | Outcome::GuideNotConfirmed
            | Outcome::CancelledAfterChange { verified: false } => exit::UNRESOLVED,
        }
    }

    /// Whether the end reads as success on the terminal.
    pub fn is_success(self) -> bool {
        matches!(
            self,
            Outcome::Resolved | Outcome::CancelledAfterChange { verified: true }
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_round_trip_and_codes_match_the_readme() {
        let all = [
            (Outcome::Resolved, 0),
            (Outcome::Unresolved, 1),
            (Outcome::Escalate, 1),
            (Outcome::DryRun, 0),
            (Outcome::GuideNotConfirmed, 1),
            (Outcome::CancelledAfterChange { verified: true }, 0),
            (Outcome::CancelledAfterChange { verified: false }, 1),
            (Outcome::Cancelled, 130),
        ];
        for (o, code) in all {
            let verified = matches!(o, Outcome::CancelledAfterChange { verified: true });
            assert_eq!(Outcome::parse(o.as_str(), verified), o);
            assert_eq!(o.exit_code(false), code, "{o:?}");
            assert_eq!(o.exit_code(true), 3);
        }
    }
}
