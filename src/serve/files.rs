//! Content hashes of source files, read again only when they may have changed.
//!
//! The incremental build keys everything on what files contain, not on when they changed, so a save that
//! writes the same bytes rebuilds nothing, and a file that changes twice within one timestamp tick is still
//! seen. A hash is kept until the watcher names the file (or a folder above it), so a rebuild reads only
//! the files that changed instead of every file of a large site.
//!
//! When the watcher may have missed events (its queue overflowed), [`FileHashes::revalidate`] checks
//! every kept hash against the file's size and modification time, without opening the file — opening
//! thousands of files would itself flood the watcher. A file whose time is too close to the moment it was
//! hashed is read again anyway ("racy", as git's index calls it): a second write within the same timestamp
//! tick would leave size and time unchanged.

use std::collections::hash_map::DefaultHasher;
use std::collections::HashMap;
use std::hash::Hasher;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use rayon::prelude::*;

/// A file modified less than this before it was hashed is read again on revalidation.
const RACY_WINDOW: Duration = Duration::from_secs(2);

#[derive(Debug, Clone, Copy)]
struct Stamp {
    hash: u64,
    len: u64,
    modified: Option<SystemTime>,
    hashed_at: SystemTime,
}

impl Stamp {
    fn still_valid(&self, meta: &std::fs::Metadata) -> bool {
        match (self.modified, meta.modified().ok()) {
            (Some(then), Some(now)) => {
                meta.len() == self.len && now == then && then + RACY_WINDOW < self.hashed_at
            }
            _ => false,
        }
    }
}

/// Path → hash of its bytes.
#[derive(Debug, Default)]
pub struct FileHashes {
    known: HashMap<PathBuf, Stamp>,
}

impl FileHashes {
    /// Forget `path` and everything below it, so that their next lookup reads them.
    pub fn forget_below(&mut self, path: &Path) {
        if self.known.remove(path).is_none() && self.known.keys().any(|p| p.starts_with(path)) {
            self.known.retain(|p, _| !p.starts_with(path));
        }
    }

    /// Keep only the hashes whose file still has the size and time it was hashed with (see the module doc).
    pub fn revalidate(&mut self) {
        let stale: Vec<PathBuf> = self
            .known
            .par_iter()
            .filter(|(path, stamp)| !std::fs::metadata(path).is_ok_and(|m| stamp.still_valid(&m)))
            .map(|(path, _)| path.clone())
            .collect();
        for path in stale {
            self.known.remove(&path);
        }
    }

    /// The hashes of `paths`, reading (in parallel) those not known; `None` for a file that cannot be read.
    pub fn hash_all(&mut self, paths: &[&Path]) -> HashMap<PathBuf, Option<u64>> {
        let missing: Vec<&Path> = paths
            .iter()
            .copied()
            .filter(|p| !self.known.contains_key(*p))
            .collect();
        let read: Vec<(&Path, Option<Stamp>)> =
            missing.par_iter().map(|&p| (p, stamp(p))).collect();
        for (path, stamp) in read {
            if let Some(s) = stamp {
                self.known.insert(path.to_path_buf(), s);
            }
        }
        paths
            .iter()
            .map(|&p| (p.to_path_buf(), self.known.get(p).map(|s| s.hash)))
            .collect()
    }

    /// Drop the hashes of files that are no longer part of the site.
    pub fn retain(&mut self, keep: impl Fn(&Path) -> bool) {
        self.known.retain(|p, _| keep(p));
    }
}

fn stamp(path: &Path) -> Option<Stamp> {
    let hashed_at = SystemTime::now();
    let meta = std::fs::metadata(path).ok()?;
    let bytes = std::fs::read(path).ok()?;
    let mut h = DefaultHasher::new();
    h.write(&bytes);
    // The size as read: if the file changed between the stat and the read, the stamp will not match.
    Some(Stamp {
        hash: h.finish(),
        len: bytes.len() as u64,
        modified: meta.modified().ok(),
        hashed_at,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_forgotten_file_is_read_again_even_with_the_same_size_and_time() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.md");
        std::fs::write(&path, "aaaa").unwrap();
        let mut hashes = FileHashes::default();
        let first = hashes.hash_all(&[&path])[&path];
        std::fs::write(&path, "bbbb").unwrap();
        assert_eq!(
            hashes.hash_all(&[&path])[&path],
            first,
            "kept until the watcher names the file"
        );
        hashes.forget_below(dir.path());
        assert_ne!(hashes.hash_all(&[&path])[&path], first);
    }

    #[test]
    fn revalidation_rereads_a_racy_file_with_the_same_size() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.md");
        std::fs::write(&path, "aaaa").unwrap();
        let mut hashes = FileHashes::default();
        let first = hashes.hash_all(&[&path])[&path];
        std::fs::write(&path, "bbbb").unwrap();
        hashes.revalidate();
        assert_ne!(hashes.hash_all(&[&path])[&path], first);
    }

    #[test]
    fn missing_files_have_no_hash() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("gone.md");
        let mut hashes = FileHashes::default();
        assert_eq!(hashes.hash_all(&[&path])[&path], None);
    }
}
