//! A spinner for work that takes a while, shown only on a terminal and only
//! once the work has taken longer than [`DELAY`], so fast scans stay quiet.

use std::io::IsTerminal;
use std::sync::mpsc;
use std::time::Duration;

use indicatif::{ProgressBar, ProgressStyle};

/// How long work may run before a spinner appears.
pub const DELAY: Duration = Duration::from_millis(200);

/// Run `work`, showing `message` with a spinner if it outlasts [`DELAY`] and
/// stderr is a terminal.
pub fn with_spinner<T: Send>(message: &str, work: impl FnOnce() -> T + Send) -> T {
    if !std::io::stderr().is_terminal() {
        return work();
    }
    std::thread::scope(|scope| {
        let (tx, rx) = mpsc::channel::<()>();
        let handle = scope.spawn(move || {
            let out = work();
            let _ = tx.send(());
            out
        });
        if rx.recv_timeout(DELAY).is_err() {
            let bar = ProgressBar::new_spinner();
            if let Ok(style) = ProgressStyle::with_template("{spinner} {msg}") {
                bar.set_style(style);
            }
            bar.set_message(message.to_string());
            bar.enable_steady_tick(Duration::from_millis(80));
            let _ = rx.recv();
            bar.finish_and_clear();
        }
        // A panic in the work is a bug; surface it as the same panic.
        handle
            .join()
            .unwrap_or_else(|e| std::panic::resume_unwind(e))
    })
}
