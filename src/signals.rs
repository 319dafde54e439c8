//! SIGINT and SIGTERM, handled so the tool tells the truth and leaves no
//! secrets behind.
//!
//! One watcher thread (started on first use) receives both signals. While
//! a store is being written ([`Deferred`]), a signal only marks the write
//! interrupted: the atomic step finishes (or rolls back) and the caller
//! says what happened. Otherwise the process ends at once, with 130 or 143,
//! after removing every private temporary copy still registered
//! ([`TempCopy`]): copies of cookie databases hold tokens.
//!
//! A run can arm an [`Ending`] ([`set_ending`]): a signal outside a write
//! then runs it (restore the terminal, say "Cancelled…", keep the run
//! record) and exits with the code it returns. A signal from outside (`kill`)
//! while a prompt is open comes this way too; Ctrl-C typed at a prompt
//! reaches the prompt as a key (the terminal is in raw mode there).

use std::path::{Path, PathBuf};
use std::sync::{Mutex, Once};

#[derive(Default)]
struct State {
    /// Writes in progress that a signal must not cut short.
    deferring: usize,
    /// A signal arrived while deferring (its number).
    pending: Option<i32>,
    /// Private temporary folders to remove if the process is ended.
    temps: Vec<PathBuf>,
    /// What to say, and the exit code, if a signal ends the process now
    /// (set once a change was made: it is then not "nothing was changed").
    note: Option<(String, i32)>,
    /// What ends the run on a signal, when armed.
    ending: Option<Ending>,
    /// An ending is running: no write may start any more.
    ending_started: bool,
}

/// Ends a run on a signal (its number): says what happened, keeps what
/// must be kept, and returns the exit code.
pub type Ending = Box<dyn FnOnce(i32) -> i32 + Send>;

static STATE: Mutex<State> = Mutex::new(State {
    deferring: 0,
    pending: None,
    temps: Vec::new(),
    note: None,
    ending: None,
    ending_started: false,
});
static WATCHER: Once = Once::new();

fn state() -> std::sync::MutexGuard<'static, State> {
    STATE.lock().unwrap_or_else(|p| p.into_inner())
}

/// Start the watcher thread (once). Without it (registration failed, or
/// not Unix) the default dispositions stay: nothing is worse than before.
pub fn install() {
    WATCHER.call_once(|| {
        #[cfg(unix)]
        {
            use signal_hook::consts::{SIGINT, SIGTERM};
            let Ok(mut signals) = signal_hook::iterator::Signals::new([SIGINT, SIGTERM]) else {
                return;
            };
            let _ = std::thread::Builder::new()
                .name("signals".into())
                .spawn(move || {
                    for sig in signals.forever() {
                        let mut st = state();
                        if st.deferring > 0 {
                            st.pending = Some(sig);
                            continue;
                        }
                        for t in st.temps.drain(..) {
                            let _ = std::fs::remove_dir_all(&t);
                        }
                        let note = st.note.take();
                        if let Some(ending) = st.ending.take() {
                            st.ending_started = true;
                            drop(st);
                            let code = ending(sig);
                            std::process::exit(code);
                        }
                        drop(st);
                        // Ctrl-C in a terminal echoes ^C without a newline.
                        eprintln!();
                        match note {
                            Some((message, code)) => {
                                eprintln!("{message}");
                                std::process::exit(code);
                            }
                            None => std::process::exit(128 + sig),
                        }
                    }
                });
        }
    });
}

/// A write that a signal must not interrupt midway. While it lives, SIGINT
/// and SIGTERM are only recorded; [`Deferred::interrupted`] tells whether
/// one came.
pub struct Deferred {
    _private: (),
}

impl Deferred {
    pub fn begin() -> Deferred {
        install();
        let mut st = state();
        if st.ending_started {
            // A signal is ending the run, which says nothing was changed:
            // no write starts now; the process exits in a moment.
            drop(st);
            loop {
                std::thread::park();
            }
        }
        st.deferring += 1;
        drop(st);
        Deferred { _private: () }
    }

    /// Whether a signal arrived during this (or an overlapping) write.
    pub fn interrupted(&self) -> bool {
        state().pending.is_some()
    }
}

impl Drop for Deferred {
    fn drop(&mut self) {
        let mut st = state();
        st.deferring = st.deferring.saturating_sub(1);
    }
}

/// What a signal that ends the process from now on says, and its exit
/// code (None: "cancelled", 128 + the signal).
pub fn on_interrupt(note: Option<(String, i32)>) {
    install();
    state().note = note;
}

/// Arm (or, with None, disarm) what ends the run on a signal outside a
/// write; it replaces any [`on_interrupt`] note while armed.
pub fn set_ending(ending: Option<Ending>) {
    install();
    state().ending = ending;
}

/// Take a signal recorded during a write (so the caller can end the run
/// truthfully): its number.
pub fn take_pending() -> Option<i32> {
    state().pending.take()
}

/// A private temporary folder (0700, files 0600 by whoever fills it),
/// removed when dropped and also when the process is ended by a signal.
/// Its name carries the process id, so copies a killed run left behind are
/// swept by the next run (`sweep_stale`).
pub struct TempCopy {
    dir: tempfile::TempDir,
}

pub const TEMP_PREFIX: &str = "troubleshoot-copy-";

impl TempCopy {
    pub fn new() -> std::io::Result<TempCopy> {
        install();
        let prefix = format!("{TEMP_PREFIX}{}-", std::process::id());
        let mut b = tempfile::Builder::new();
        b.prefix(&prefix);
        // Owner-only from the `mkdir` itself: a run killed at any moment
        // never leaves a copy of cookies readable by others.
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            b.permissions(std::fs::Permissions::from_mode(0o700));
        }
        let dir = b.tempdir()?;
        state().temps.push(dir.path().to_path_buf());
        let copy = TempCopy { dir };
        sweep_stale(copy.path());
        Ok(copy)
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }
}

impl Drop for TempCopy {
    fn drop(&mut self) {
        let p = self.dir.path().to_path_buf();
        state().temps.retain(|t| *t != p);
    }
}

/// Remove temporary copies that runs killed with SIGKILL left behind
/// (their process is gone, and they belong to this user, like `mine`).
/// Once per process.
fn sweep_stale(mine: &Path) {
    static SWEPT: Once = Once::new();
    SWEPT.call_once(|| {
        let owner = std::fs::metadata(mine).ok().map(|m| owner_of(&m));
        let Ok(listing) = std::fs::read_dir(std::env::temp_dir()) else {
            return;
        };
        for e in listing.flatten() {
            let name = e.file_name().to_string_lossy().into_owned();
            let Some(rest) = name.strip_prefix(TEMP_PREFIX) else {
                continue;
            };
            let Some(pid) = rest.split('-').next().and_then(|p| p.parse::<i64>().ok()) else {
                continue;
            };
            let same_owner = e
                .metadata()
                .is_ok_and(|m| Some(owner_of(&m)) == owner && m.is_dir());
            if same_owner && pid != i64::from(std::process::id()) && !crate::os::pid_alive(pid) {
                let _ = std::fs::remove_dir_all(e.path());
            }
        }
    });
}

#[cfg(unix)]
fn owner_of(m: &std::fs::Metadata) -> u32 {
    std::os::unix::fs::MetadataExt::uid(m)
}

#[cfg(not(unix))]
fn owner_of(_: &std::fs::Metadata) -> u32 {
    0
}
