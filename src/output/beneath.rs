//! Opening a file of the current output without following symbolic links.
//!
//! Why: a rebuild reads the current output to skip the files that did not change, then moves the
//! changed ones in and deletes what the site no longer produces. A folder of the output that is a
//! symbolic link (`public/tags -> /srv/shared`) would have the build compare, write and delete
//! through it, outside the output: files the author keeps elsewhere were deleted, and files the
//! build skipped as unchanged were lost when the link went. So the output's own files are opened
//! with no link allowed anywhere on the way (`openat2` with `RESOLVE_NO_SYMLINKS`, one system call
//! as `open` is, relative to the output folder opened once); a file behind a link counts as changed,
//! and the commit replaces the link with a real folder. Where `openat2` is missing (Linux before 5.6,
//! other systems), each folder on the way is checked with `lstat` first.

use std::fs::File;
use std::path::Path;

/// Why a file of the output could not be opened as its own.
#[derive(Debug, PartialEq, Eq)]
pub enum Closed {
    /// A symbolic link is on the way (the file itself or a folder above it).
    Linked,
    /// Missing, unreadable or anything else: the file is written anew.
    Other,
}

/// The current output folder, opened once (following a link at the folder itself: a link to where
/// the site is published is the author's choice).
#[derive(Debug)]
pub struct Output {
    path: std::path::PathBuf,
    #[cfg(target_os = "linux")]
    dir: Option<rustix::fd::OwnedFd>,
}

impl Output {
    pub fn new(path: &Path) -> Output {
        Output {
            path: path.to_path_buf(),
            #[cfg(target_os = "linux")]
            dir: rustix::fs::open(
                path,
                rustix::fs::OFlags::RDONLY
                    | rustix::fs::OFlags::DIRECTORY
                    | rustix::fs::OFlags::CLOEXEC,
                rustix::fs::Mode::empty(),
            )
            .ok(),
        }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Open `rel` in the output for reading if no symbolic link is on the way.
    pub fn open(&self, rel: &str) -> Result<File, Closed> {
        #[cfg(target_os = "linux")]
        if let Some(dir) = &self.dir {
            use rustix::fs::{openat2, Mode, OFlags, ResolveFlags};
            match openat2(
                dir,
                rel,
                OFlags::RDONLY | OFlags::CLOEXEC,
                Mode::empty(),
                ResolveFlags::NO_SYMLINKS | ResolveFlags::BENEATH,
            ) {
                Ok(fd) => return Ok(File::from(fd)),
                Err(rustix::io::Errno::LOOP | rustix::io::Errno::XDEV) => {
                    return Err(Closed::Linked)
                }
                Err(rustix::io::Errno::NOSYS | rustix::io::Errno::PERM) => {}
                Err(_) => return Err(Closed::Other),
            }
        }
        match linked(&self.path, rel) {
            true => Err(Closed::Linked),
            false => File::open(self.path.join(rel)).map_err(|_| Closed::Other),
        }
    }
}

/// Whether `rel` or a folder of it below `out` is a symbolic link.
fn linked(out: &Path, rel: &str) -> bool {
    let mut at = out.to_path_buf();
    for segment in rel.split('/') {
        at.push(segment);
        match std::fs::symlink_metadata(&at) {
            Ok(m) if m.file_type().is_symlink() => return true,
            Ok(_) => {}
            Err(_) => return false,
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn files_behind_links_are_not_the_outputs_own() {
        let dir = tempfile::tempdir().unwrap();
        let (out, elsewhere) = (dir.path().join("out"), dir.path().join("elsewhere"));
        std::fs::create_dir_all(out.join("posts/a")).unwrap();
        std::fs::create_dir_all(&elsewhere).unwrap();
        std::fs::write(out.join("posts/a/index.html"), "a").unwrap();
        std::fs::write(elsewhere.join("index.html"), "kept").unwrap();
        #[cfg(unix)]
        {
            std::os::unix::fs::symlink(&elsewhere, out.join("tags")).unwrap();
            std::os::unix::fs::symlink(elsewhere.join("index.html"), out.join("feed.xml")).unwrap();
            let output = Output::new(&out);
            assert_eq!(output.open("tags/index.html").err(), Some(Closed::Linked));
            assert_eq!(output.open("feed.xml").err(), Some(Closed::Linked));
            assert!(linked(&out, "tags/index.html"), "the fallback sees it too");
            assert!(!linked(&out, "posts/a/index.html"));
            // A link to the output itself is fine.
            let link = dir.path().join("public");
            std::os::unix::fs::symlink(&out, &link).unwrap();
            let output = Output::new(&link);
            assert!(output.open("posts/a/index.html").is_ok());
            assert_eq!(output.open("tags/index.html").err(), Some(Closed::Linked));
        }
        let output = Output::new(&out);
        assert!(output.open("posts/a/index.html").is_ok());
        assert_eq!(output.open("posts/b/index.html").err(), Some(Closed::Other));
    }
}
