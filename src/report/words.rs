//! Small helpers for the words reports are written in.

/// `s` with its first letter upper-case.
pub fn first_upper(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}

/// An outcome in the plain words people read (`runs`, reports): the
/// record's word is for scripts. `None` is a run that reached no outcome,
/// `stopped` when an error stopped it.
pub fn outcome_words(outcome: Option<&str>, stopped: bool) -> &'static str {
    match outcome {
        Some("resolved") => "resolved",
        Some("unresolved") => "problem remains",
        Some("escalate") => "needs support",
        Some("dry-run") => "dry run: nothing changed",
        Some("guide-not-confirmed") => "manual steps not confirmed",
        Some("cancelled") => "cancelled: nothing changed",
        Some("cancelled-after-change") => "cancelled: fix kept",
        Some(_) => "ended",
        None if stopped => "stopped by an error",
        None => "did not finish",
    }
}
