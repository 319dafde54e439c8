//! How a run ends, and the exit code of each end. The type is the engine
//! protocol's [`Outcome`] (the run record keeps its word); what each end
//! means for the exit code is the wizard's, so the wizard, the run record
//! and the reports cannot disagree.

pub use crate::flow::protocol::Outcome;

use crate::error::exit;

impl Outcome {
    /// The exit code (README "Exit codes"). A rollback during the run makes
    /// any outcome exit 3; a cancel after a fix was applied exits by what the
    /// fix achieved: 0 when it was verified, 1 when not.
    pub fn exit_code(self, rolled_back: bool, fix_verified: bool) -> u8 {
        if rolled_back {
            return exit::ROLLED_BACK;
        }
        match self {
            Outcome::Resolved | Outcome::DryRun => exit::OK,
            Outcome::CancelledAfterChange if fix_verified => exit::OK,
            Outcome::Cancelled => exit::CANCELLED,
            Outcome::Unresolved
            | Outcome::Escalate
            | Outcome::GuideNotConfirmed
            | Outcome::CancelledAfterChange => exit::UNRESOLVED,
        }
    }

    /// Whether the end reads as success on the terminal.
    pub fn is_success(self) -> bool {
        self == Outcome::Resolved
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_round_trip_and_codes_match_the_readme() {
        let all = [
            (Outcome::Resolved, false, 0),
            (Outcome::Unresolved, false, 1),
            (Outcome::Escalate, false, 1),
            (Outcome::DryRun, false, 0),
            (Outcome::GuideNotConfirmed, false, 1),
            (Outcome::CancelledAfterChange, true, 0),
            (Outcome::CancelledAfterChange, false, 1),
            (Outcome::Cancelled, false, 130),
        ];
        for (o, verified, code) in all {
            let word = serde_json::to_value(o).unwrap();
            assert_eq!(word, o.as_str(), "{o:?}");
            assert_eq!(o.to_string(), o.as_str());
            assert_eq!(serde_json::from_value::<Outcome>(word).unwrap(), o);
            assert_eq!(o.exit_code(false, verified), code, "{o:?}");
            assert_eq!(o.exit_code(true, verified), 3);
        }
    }
}
