//! Content hashes of source files, re-read only when a file may have changed.
//!
//! The incremental build keys everything on what files contain, not on when they changed, so a save that
//! writes the same bytes rebuilds nothing. To avoid reading every file on every rebuild, a hash is reused
//! while the file's size and modification time are unchanged — unless the file is "racy": modified so
//! close to the moment it was hashed that a second write within the same timestamp tick could have gone
//! unseen (the problem git's index solves the same way). Paths named by the watcher are always re-read.

use std::collections::hash_map::DefaultHasher;
use std::collections::HashMap;
use std::hash::Hasher;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use rayon::prelude::*;

/// A file younger than this when it was hashed is hashed again next time.
const RACY_WINDOW: Duration = Duration::from_secs(2);

#[derive(Debug, Clone, Copy)]
struct Stamp {
    len: u64,
    modified: SystemTime,
    hashed_at: SystemTime,
    hash: u64,
}

impl Stamp {
    fn still_valid(&self, meta: &std::fs::Metadata) -> bool {
        let Ok(modified) = meta.modified() else { return false };
        meta.len() == self.len && modified == self.modified && modified + RACY_WINDOW < self.hashed_at
    }
}

/// Path → content hash, with the stamp it was taken under.
#[derive(Debug, Default)]
pub struct FileHashes {
    stamps: HashMap<PathBuf, Stamp>,
}

impl FileHashes {
    /// Forget a path, so that its next lookup reads it.
    pub fn forget(&mut self, path: &Path) {
        self.stamps.remove(path);
    }

    /// Forget every path below `dir` too (a folder was renamed or removed).
    pub fn forget_below(&mut self, dir: &Path) {
        self.stamps.retain(|p, _| !p.starts_with(dir));
    }

    pub fn clear(&mut self) {
        self.stamps.clear();
    }

    /// Content hashes of `paths` (in parallel); `None` for a file that cannot be read.
    pub fn hash_all(&mut self, paths: &[&Path]) -> HashMap<PathBuf, Option<u64>> {
        let stamps = &self.stamps;
        let fresh: Vec<(&Path, Option<Stamp>, bool)> = paths
            .par_iter()
            .map(|&path| {
                let meta = std::fs::metadata(path).ok();
                match (stamps.get(path), &meta) {
                    (Some(s), Some(m)) if s.still_valid(m) => (path, Some(*s), false),
                    (_, Some(m)) => (path, stamp(path, m), true),
                    (_, None) => (path, None, true),
                }
            })
            .collect();
        let mut out = HashMap::with_capacity(fresh.len());
        for (path, stamp, changed) in fresh {
            match stamp {
                Some(s) if changed => {
                    self.stamps.insert(path.to_path_buf(), s);
                }
                None => {
                    self.stamps.remove(path);
                }
                _ => {}
            }
            out.insert(path.to_path_buf(), stamp.map(|s| s.hash));
        }
        out
    }

    /// Drop stamps of files that are no longer part of the site.
    pub fn retain(&mut self, keep: impl Fn(&Path) -> bool) {
        self.stamps.retain(|p, _| keep(p));
    }
}

fn stamp(path: &Path, meta: &std::fs::Metadata) -> Option<Stamp> {
    let hashed_at = SystemTime::now();
    let bytes = std::fs::read(path).ok()?;
    let mut h = DefaultHasher::new();
    h.write(&bytes);
    let modified = meta.modified().ok()?;
    // The size from the read, not the stat: the file may have changed in between.
    Some(Stamp { len: bytes.len() as u64, modified, hashed_at, hash: h.finish() })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_size_rewrite_within_a_tick_is_seen() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.md");
        std::fs::write(&path, "aaaa").unwrap();
        let mut hashes = FileHashes::default();
        let first = hashes.hash_all(&[&path])[&path];
        std::fs::write(&path, "bbbb").unwrap();
        let second = hashes.hash_all(&[&path])[&path];
        assert_ne!(first, second, "a racy file must be re-read even when size and mtime look unchanged");
    }

    #[test]
    fn missing_files_have_no_hash() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("gone.md");
        let mut hashes = FileHashes::default();
        assert_eq!(hashes.hash_all(&[&path])[&path], None);
    }
}
