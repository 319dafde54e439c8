//! A LevelDB environment that reads a store in place and never writes to it.
//!
//! LevelDB writes when it opens a store: it replays the `.log` into a new
//! log or table, writes a new `MANIFEST`, deletes obsolete files and takes
//! `LOCK`. Reading used to copy the folder first; this overlay instead reads
//! the real files, read-only, and keeps every write, rename, delete and lock
//! in memory ([`MemEnv`]), where it is thrown away with the handle. The real
//! folder is never opened for writing, so a scan cannot change a byte of it,
//! and nothing is copied.

use std::cell::RefCell;
use std::collections::HashSet;
use std::fs::File;
use std::io::{BufReader, Read, Write};
use std::path::{Path, PathBuf};

use rusty_leveldb::env::{Env, FileLock, Logger, RandomAccess};
use rusty_leveldb::{MemEnv, Result, Status, StatusCode};

#[derive(Default)]
pub struct OverlayEnv {
    /// Files written during this open (and copies of real files it changed).
    mem: MemEnv,
    /// Real files this open deleted or renamed away, as it sees them.
    hidden: RefCell<HashSet<PathBuf>>,
}

fn not_found(p: &Path) -> Status {
    Status::new(StatusCode::NotFound, &p.display().to_string())
}

impl OverlayEnv {
    pub fn new() -> OverlayEnv {
        OverlayEnv::default()
    }

    /// A real regular file this open still sees (not hidden, not shadowed).
    fn real(&self, p: &Path) -> bool {
        !self.hidden.borrow().contains(p) && p.is_file()
    }

    /// Bring a real file into memory before the open changes it (copy on write).
    fn pull(&self, p: &Path) -> Result<()> {
        if self.mem.exists(p)? || !self.real(p) {
            return Ok(());
        }
        let bytes = std::fs::read(p)?;
        let mut w = self.mem.open_writable_file(p)?;
        w.write_all(&bytes)?;
        w.flush()?;
        Ok(())
    }
}

impl Env for OverlayEnv {
    fn open_sequential_file(&self, p: &Path) -> Result<Box<dyn Read>> {
        if self.mem.exists(p)? {
            return self.mem.open_sequential_file(p);
        }
        if !self.real(p) {
            return Err(not_found(p));
        }
        Ok(Box::new(BufReader::new(File::open(p)?)))
    }

    fn open_random_access_file(&self, p: &Path) -> Result<Box<dyn RandomAccess>> {
        if self.mem.exists(p)? {
            return self.mem.open_random_access_file(p);
        }
        if !self.real(p) {
            return Err(not_found(p));
        }
        Ok(Box::new(File::open(p)?))
    }

    fn open_writable_file(&self, p: &Path) -> Result<Box<dyn Write>> {
        self.hidden.borrow_mut().remove(p);
        self.mem.open_writable_file(p)
    }

    fn open_appendable_file(&self, p: &Path) -> Result<Box<dyn Write>> {
        self.pull(p)?;
        self.mem.open_appendable_file(p)
    }

    fn exists(&self, p: &Path) -> Result<bool> {
        Ok(self.mem.exists(p)? || self.real(p))
    }

    fn children(&self, p: &Path) -> Result<Vec<PathBuf>> {
        let mut names: Vec<PathBuf> = Vec::new();
        if let Ok(dir) = std::fs::read_dir(p) {
            for e in dir.flatten() {
                let name = PathBuf::from(e.file_name());
                if !self.hidden.borrow().contains(&p.join(&name)) {
                    names.push(name);
                }
            }
        }
        for name in self.mem.children(p)? {
            if !names.contains(&name) {
                names.push(name);
            }
        }
        Ok(names)
    }

    fn size_of(&self, p: &Path) -> Result<usize> {
        if self.mem.exists(p)? {
            return self.mem.size_of(p);
        }
        if !self.real(p) {
            return Err(not_found(p));
        }
        Ok(std::fs::metadata(p)?.len() as usize)
    }

    fn delete(&self, p: &Path) -> Result<()> {
        let in_mem = self.mem.exists(p)?;
        let real = self.real(p);
        if in_mem {
            self.mem.delete(p)?;
        }
        if real {
            self.hidden.borrow_mut().insert(p.to_path_buf());
        }
        if in_mem || real {
            Ok(())
        } else {
            Err(not_found(p))
        }
    }

    fn mkdir(&self, _: &Path) -> Result<()> {
        Ok(())
    }

    fn rmdir(&self, _: &Path) -> Result<()> {
        Ok(())
    }

    fn rename(&self, from: &Path, to: &Path) -> Result<()> {
        self.pull(from)?;
        self.mem.rename(from, to)?;
        let mut hidden = self.hidden.borrow_mut();
        if from.is_file() {
            hidden.insert(from.to_path_buf());
        }
        // `to` now lives in memory, which shadows any real file of that name.
        hidden.remove(to);
        Ok(())
    }

    fn lock(&self, p: &Path) -> Result<FileLock> {
        // Never the real LOCK: the browser may hold it, and taking it would write.
        self.mem.lock(p)
    }

    fn unlock(&self, l: FileLock) -> Result<()> {
        self.mem.unlock(l)
    }

    fn new_logger(&self, _: &Path) -> Result<Logger> {
        Ok(Logger::new(Box::new(std::io::sink())))
    }

    fn micros(&self) -> u64 {
        self.mem.micros()
    }

    fn sleep_for(&self, micros: u32) {
        self.mem.sleep_for(micros)
    }
}
