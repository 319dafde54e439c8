//! Store reads planned ahead of the probes (`scan` plans them): each runs
//! once, on whichever thread claims it first, and a probe asking for one
//! gets its result, helping with other reads while it waits.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicBool, Ordering};

use crate::readers::StoreError;
use crate::readers::leveldb::{LsRead, read_local_storage};
use crate::readers::sqlite::{CookieQuery, CookieRow, CookieSchema, read_cookies};

/// One store read.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(super) enum Job {
    Ls(PathBuf),
    /// A cookie database; `true` for Firefox's schema.
    Cookies(PathBuf, bool),
}

#[derive(Debug, Clone)]
pub(super) enum Done {
    Ls(Result<LsRead, StoreError>),
    Cookies(Result<Vec<CookieRow>, StoreError>),
}

/// Store reads planned ahead of the probes, each run once by whichever
/// thread claims it first.
pub(super) struct Prefetch {
    jobs: Vec<Job>,
    index: HashMap<Job, usize>,
    claimed: Vec<AtomicBool>,
    results: Vec<OnceLock<Done>>,
    stop: AtomicBool,
    origins: Vec<String>,
    query: CookieQuery,
}

impl Prefetch {
    /// The reads, each once, in the order given.
    pub(super) fn new(mut jobs: Vec<Job>, origins: Vec<String>, query: CookieQuery) -> Prefetch {
        let mut index = HashMap::new();
        jobs.retain(|j| {
            let fresh = !index.contains_key(j);
            if fresh {
                index.insert(j.clone(), index.len());
            }
            fresh
        });
        let n = jobs.len();
        Prefetch {
            jobs,
            index,
            claimed: (0..n).map(|_| AtomicBool::new(false)).collect(),
            results: (0..n).map(|_| OnceLock::new()).collect(),
            stop: AtomicBool::new(false),
            origins,
            query,
        }
    }

    /// How many reads are planned.
    pub(super) fn len(&self) -> usize {
        self.jobs.len()
    }

    /// Reads nobody asked for (a folder that looked like a profile) stop.
    pub(super) fn stop(&self) {
        self.stop.store(true, Ordering::Relaxed);
    }

    fn claim(&self, i: usize) -> bool {
        !self.claimed[i].swap(true, Ordering::AcqRel)
    }

    fn run(&self, i: usize) {
        let done = match &self.jobs[i] {
            Job::Ls(dir) => Done::Ls(read_local_storage(dir, &self.origins)),
            Job::Cookies(f, firefox) => {
                let schema = if *firefox {
                    CookieSchema::Firefox
                } else {
                    CookieSchema::Chromium
                };
                Done::Cookies(read_cookies(f, schema, &self.query))
            }
        };
        let _ = self.results[i].set(done);
    }

    /// Run the next unclaimed job; false when none is left.
    fn run_next(&self) -> bool {
        for i in 0..self.jobs.len() {
            if self.stop.load(Ordering::Relaxed) {
                return false;
            }
            if self.claim(i) {
                self.run(i);
                return true;
            }
        }
        false
    }

    /// Run reads until none is left (a worker thread).
    pub(super) fn work(&self) {
        while self.run_next() {}
    }

    /// The result of `job` if it was planned: run it now if nobody has,
    /// else help with other jobs until it is done.
    pub(super) fn take(&self, job: &Job) -> Option<Done> {
        let i = *self.index.get(job)?;
        if self.claim(i) {
            self.run(i);
        }
        loop {
            if let Some(d) = self.results[i].get() {
                return Some(d.clone());
            }
            if !self.run_next() {
                return Some(self.results[i].wait().clone());
            }
        }
    }
}
