//! Vetted fixes: plan, backup, apply, verify, undo.
