//! Content hashes of source files, read again only when the watcher says a file changed.
//!
//! The incremental build keys everything on what files contain, not on when they changed, so a save that
//! writes the same bytes rebuilds nothing, and a file that changes twice within one timestamp tick is still
//! seen. A hash is kept until the watcher names the file (or a folder above it) or asks for everything —
//! which it does when it may have missed events — so a rebuild reads only the files that changed, instead
//! of reading, or even stat-ing, every file of a large site.

use std::collections::hash_map::DefaultHasher;
use std::collections::HashMap;
use std::hash::Hasher;
use std::path::{Path, PathBuf};

use rayon::prelude::*;

/// Path → hash of its bytes.
#[derive(Debug, Default)]
pub struct FileHashes {
    known: HashMap<PathBuf, u64>,
}

impl FileHashes {
    /// Forget `path` and everything below it, so that their next lookup reads them.
    pub fn forget_below(&mut self, path: &Path) {
        if self.known.remove(path).is_none() && self.known.keys().any(|p| p.starts_with(path)) {
            self.known.retain(|p, _| !p.starts_with(path));
        }
    }

    pub fn clear(&mut self) {
        self.known.clear();
    }

    /// The hashes of `paths`, reading (in parallel) those not known; `None` for a file that cannot be read.
    pub fn hash_all(&mut self, paths: &[&Path]) -> HashMap<PathBuf, Option<u64>> {
        let missing: Vec<&Path> = paths.iter().copied().filter(|p| !self.known.contains_key(*p)).collect();
        let read: Vec<(&Path, Option<u64>)> = missing.par_iter().map(|&p| (p, hash_file(p))).collect();
        for (path, hash) in read {
            if let Some(h) = hash {
                self.known.insert(path.to_path_buf(), h);
            }
        }
        paths.iter().map(|&p| (p.to_path_buf(), self.known.get(p).copied())).collect()
    }

    /// Drop the hashes of files that are no longer part of the site.
    pub fn retain(&mut self, keep: impl Fn(&Path) -> bool) {
        self.known.retain(|p, _| keep(p));
    }
}

fn hash_file(path: &Path) -> Option<u64> {
    let bytes = std::fs::read(path).ok()?;
    let mut h = DefaultHasher::new();
    h.write(&bytes);
    Some(h.finish())
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
        assert_eq!(hashes.hash_all(&[&path])[&path], first, "kept until the watcher names the file");
        hashes.forget_below(dir.path());
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
