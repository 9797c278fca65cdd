//! Rendered bodies parked on disk between the Markdown stage and page rendering.
//!
//! Why: a build must render every document's Markdown before it writes any page (listings, series
//! pages and related posts need all of them), and the full bodies are most of what it then holds:
//! about three quarters of the heap at 10,000 posts, growing with every post. So `lanyard build` appends
//! each body to unlinked temporary files beside the output as soon as it is rendered, keeps only
//! where it went, and reads it back (one positioned read) when the post's page or a feed needs it. The
//! kernel's page cache keeps the round trip cheap, the files disappear with the process however it
//! ends, and the build's memory no longer grows with the length of the posts.
//!
//! How the bodies are written matters as much as where. A buffered write holds its file's lock
//! until it is done, and with one file and one write per body, the threads parking bodies spent
//! about a fifth of the writes' time waiting for each other (spinning on the lock). So bodies are
//! gathered in chunks of [`CHUNK`] bytes, written in one call each, and the chunks are spread over
//! [`FILES`] files. At 10,000 posts the writes and reads of the spill went from about 6% of the
//! build's CPU samples to 2% (4% with the files but not the chunks, 5.5–7% with the chunks but one
//! file, whose longer writes kept the other thread spinning longer). A chunk being filled is in
//! memory, so [`Spill::flush`] must run once every body is parked and before any is read; a read
//! before that is an error, never a wrong body.
//!
//! The dev server and `lanyard check` keep bodies in memory ([`Body::Html`]): they hold a site for
//! long, or render it once in memory anyway.

use std::borrow::Cow;
use std::fs::File;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

/// A rendered body, in memory or in the build's [`Spill`] files.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Body {
    Html(String),
    Spilled { file: u32, at: u64, len: usize },
}

/// The temporary files bodies are parked in: appended by many threads, read by many threads.
#[derive(Debug)]
pub struct Spill {
    files: Vec<Part>,
    /// Which file the next chunk (or large body) goes to, counted round the files.
    next: AtomicUsize,
    /// The folder the files were made in, for errors.
    dir: PathBuf,
    /// Chunks being filled that no thread holds right now; written by [`Spill::flush`].
    open: Mutex<Vec<Chunk>>,
    /// Chunks claimed and not yet written, held by a thread or in `open`.
    unwritten: AtomicUsize,
}

/// One of the files, and where the next chunk (or large body) in it goes.
#[derive(Debug)]
struct Part {
    file: File,
    end: Mutex<u64>,
}

/// Bodies parked together, to be written at `at` in `file` in one call.
#[derive(Debug)]
struct Chunk {
    file: u32,
    at: u64,
    bytes: Vec<u8>,
}

impl Spill {
    /// Unlinked temporary files in `dir` (the output's parent, so they are on the output's disk).
    pub fn new_in(dir: &Path) -> io::Result<Spill> {
        let part = |_| {
            let file = tempfile::tempfile_in(dir)?;
            Ok(Part {
                file,
                end: Mutex::new(0),
            })
        };
        Ok(Spill {
            files: (0..FILES).map(part).collect::<io::Result<_>>()?,
            next: AtomicUsize::new(0),
            dir: dir.to_path_buf(),
            open: Mutex::new(Vec::new()),
            unwritten: AtomicUsize::new(0),
        })
    }

    /// Park `html`; small bodies stay in memory, where a read would cost more than they weigh. The
    /// body can be read once [`Spill::flush`] has run.
    pub fn park(&self, html: String) -> io::Result<Body> {
        let len = html.len();
        if len < MIN_SPILLED {
            return Ok(Body::Html(html));
        }
        if len > CHUNK / 4 {
            let (file, at) = self.claim(len);
            write_at(&self.files[file as usize].file, html.as_bytes(), at)?;
            return Ok(Body::Spilled { file, at, len });
        }
        let mut chunk = match lock(&self.open).pop() {
            Some(chunk) if chunk.bytes.len() + len <= CHUNK => chunk,
            Some(full) => {
                self.write(full)?;
                self.new_chunk()
            }
            None => self.new_chunk(),
        };
        let (file, at) = (chunk.file, chunk.at + chunk.bytes.len() as u64);
        chunk.bytes.extend_from_slice(html.as_bytes());
        lock(&self.open).push(chunk);
        Ok(Body::Spilled { file, at, len })
    }

    /// Write the chunks still being filled. Call once every body is parked, before reading any.
    pub fn flush(&self) -> io::Result<()> {
        let chunks = std::mem::take(&mut *lock(&self.open));
        chunks.into_iter().try_for_each(|chunk| self.write(chunk))
    }

    /// The folder the (unlinked) files are in.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The text of a parked body.
    pub fn read(&self, file: u32, at: u64, len: usize) -> io::Result<String> {
        if self.unwritten.load(Ordering::Acquire) != 0 {
            return Err(io::Error::other(
                "a parked body was read before the spill file was flushed",
            ));
        }
        let part = self.files.get(file as usize).ok_or_else(|| {
            io::Error::other("a parked body names a spill file that does not exist")
        })?;
        let mut bytes = vec![0; len];
        read_at(&part.file, &mut bytes, at)?;
        String::from_utf8(bytes).map_err(|e| io::Error::new(io::ErrorKind::InvalidData, e))
    }

    /// Claim `len` bytes at the end of the next file in turn: which file, and where.
    fn claim(&self, len: usize) -> (u32, u64) {
        let file = self.next.fetch_add(1, Ordering::Relaxed) % self.files.len();
        let mut end = lock(&self.files[file].end);
        let at = *end;
        *end += len as u64;
        (file as u32, at)
    }

    fn new_chunk(&self) -> Chunk {
        self.unwritten.fetch_add(1, Ordering::AcqRel);
        let (file, at) = self.claim(CHUNK);
        Chunk {
            file,
            at,
            bytes: Vec::with_capacity(CHUNK),
        }
    }

    fn write(&self, chunk: Chunk) -> io::Result<()> {
        write_at(
            &self.files[chunk.file as usize].file,
            &chunk.bytes,
            chunk.at,
        )?;
        // A chunk that failed to be written stays counted, so its bodies can never be read as zeros.
        self.unwritten.fetch_sub(1, Ordering::AcqRel);
        Ok(())
    }
}

/// Files the bodies are spread over, chunk by chunk in turn: with four, two threads' writes rarely
/// meet on one file's lock.
const FILES: usize = 4;

/// Bodies parked together in one write. A chunk that ends up part-filled leaves a hole in the file,
/// which takes no disk space.
const CHUNK: usize = 256 * 1024;

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|e| e.into_inner())
}

/// Bodies shorter than this are not worth a system call each.
const MIN_SPILLED: usize = 1024;

/// The text of `body`, from memory or from `spill`.
pub fn text<'a>(body: &'a Body, spill: Option<&Spill>) -> io::Result<Cow<'a, str>> {
    match (body, spill) {
        (Body::Html(html), _) => Ok(Cow::Borrowed(html)),
        (Body::Spilled { file, at, len }, Some(spill)) => {
            spill.read(*file, *at, *len).map(Cow::Owned)
        }
        (Body::Spilled { .. }, None) => Err(io::Error::other(
            "a parked body was read without its spill file",
        )),
    }
}

#[cfg(unix)]
fn write_at(file: &File, bytes: &[u8], at: u64) -> io::Result<()> {
    std::os::unix::fs::FileExt::write_all_at(file, bytes, at)
}

#[cfg(unix)]
fn read_at(file: &File, bytes: &mut [u8], at: u64) -> io::Result<()> {
    std::os::unix::fs::FileExt::read_exact_at(file, bytes, at)
}

#[cfg(not(unix))]
fn write_at(mut file: &File, bytes: &[u8], at: u64) -> io::Result<()> {
    use std::io::{Seek, SeekFrom, Write};
    static LOCK: Mutex<()> = Mutex::new(());
    let _guard = LOCK.lock().unwrap_or_else(|e| e.into_inner());
    file.seek(SeekFrom::Start(at))?;
    file.write_all(bytes)
}

#[cfg(not(unix))]
fn read_at(mut file: &File, bytes: &mut [u8], at: u64) -> io::Result<()> {
    use std::io::{Read, Seek, SeekFrom};
    static LOCK: Mutex<()> = Mutex::new(());
    let _guard = LOCK.lock().unwrap_or_else(|e| e.into_inner());
    file.seek(SeekFrom::Start(at))?;
    file.read_exact(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rayon::prelude::*;

    #[test]
    fn bodies_come_back_as_they_went_from_many_threads() {
        let dir = tempfile::tempdir().unwrap();
        let spill = Spill::new_in(dir.path()).unwrap();
        let bodies: Vec<String> = (0..400)
            .map(|i| format!("<p>body {i} ünïcödé</p>").repeat(i % 7 * 40 + 1))
            .collect();
        let parked: Vec<Body> = bodies
            .par_iter()
            .map(|b| spill.park(b.clone()).unwrap())
            .collect();
        spill.flush().unwrap();
        assert!(parked.iter().any(|b| matches!(b, Body::Spilled { .. })));
        assert!(parked.iter().any(|b| matches!(b, Body::Html(_))));
        parked.par_iter().zip(&bodies).for_each(|(p, b)| {
            assert_eq!(text(p, Some(&spill)).unwrap(), b.as_str());
        });
        assert_eq!(
            std::fs::read_dir(dir.path()).unwrap().count(),
            0,
            "the files are unlinked"
        );
    }

    #[test]
    fn bodies_fill_chunks_and_large_ones_go_alone() {
        let dir = tempfile::tempdir().unwrap();
        let spill = Spill::new_in(dir.path()).unwrap();
        let sizes = [
            MIN_SPILLED,
            CHUNK / 4,
            CHUNK / 4 + 1,
            CHUNK / 3,
            CHUNK / 2,
            5000,
            CHUNK,
        ];
        let bodies: Vec<String> = (0..60)
            .map(|i| {
                let size = sizes[i % sizes.len()];
                let letter = char::from(b'a' + (i % 26) as u8);
                std::iter::repeat_n(letter, size).collect()
            })
            .collect();
        let parked: Vec<Body> = bodies
            .iter()
            .map(|b| spill.park(b.clone()).unwrap())
            .collect();
        spill.flush().unwrap();
        for (p, b) in parked.iter().zip(&bodies) {
            assert!(matches!(p, Body::Spilled { .. }));
            assert_eq!(text(p, Some(&spill)).unwrap(), b.as_str());
        }
    }

    #[test]
    fn reading_before_the_flush_is_an_error_not_a_wrong_body() {
        let dir = tempfile::tempdir().unwrap();
        let spill = Spill::new_in(dir.path()).unwrap();
        let body = spill.park("x".repeat(MIN_SPILLED)).unwrap();
        let err = text(&body, Some(&spill)).unwrap_err();
        assert!(err
            .to_string()
            .contains("before the spill file was flushed"));
        spill.flush().unwrap();
        assert_eq!(text(&body, Some(&spill)).unwrap(), "x".repeat(MIN_SPILLED));
    }

    #[test]
    fn a_spilled_body_without_its_file_is_an_error_not_a_panic() {
        let body = Body::Spilled {
            file: 0,
            at: 0,
            len: 10,
        };
        assert!(text(&body, None).is_err());
    }
}
