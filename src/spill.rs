//! Rendered bodies parked on disk between the Markdown stage and page rendering.
//!
//! Why: a build must render every document's Markdown before it writes any page (listings, series
//! pages and related posts need all of them), and the full bodies are most of what it then holds:
//! about three quarters of the heap at 10,000 posts, growing with every post. So `lanyard build` appends
//! each body to one unlinked temporary file beside the output as soon as it is rendered, keeps only
//! where it went, and reads it back (one positioned read) when the post's page or a feed needs it. The
//! kernel's page cache keeps the round trip cheap, the file disappears with the process however it
//! ends, and the build's memory no longer grows with the length of the posts.
//!
//! The dev server and `lanyard check` keep bodies in memory ([`Body::Html`]): they hold a site for
//! long, or render it once in memory anyway.

use std::borrow::Cow;
use std::fs::File;
use std::io;
use std::path::Path;
use std::sync::Mutex;

/// A rendered body, in memory or in the build's [`Spill`] file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Body {
    Html(String),
    Spilled { at: u64, len: usize },
}

/// The temporary file bodies are parked in: appended by many threads, read by many threads.
#[derive(Debug)]
pub struct Spill {
    file: File,
    end: Mutex<u64>,
}

impl Spill {
    /// An unlinked temporary file in `dir` (the output's parent, so it is on the output's disk).
    pub fn new_in(dir: &Path) -> io::Result<Spill> {
        Ok(Spill {
            file: tempfile::tempfile_in(dir)?,
            end: Mutex::new(0),
        })
    }

    /// Park `html`; small bodies stay in memory, where a read would cost more than they weigh.
    pub fn park(&self, html: String) -> io::Result<Body> {
        if html.len() < MIN_SPILLED {
            return Ok(Body::Html(html));
        }
        let at = {
            let mut end = self.end.lock().unwrap_or_else(|e| e.into_inner());
            let at = *end;
            *end += html.len() as u64;
            at
        };
        write_at(&self.file, html.as_bytes(), at)?;
        Ok(Body::Spilled {
            at,
            len: html.len(),
        })
    }

    /// The text of a parked body.
    pub fn read(&self, at: u64, len: usize) -> io::Result<String> {
        let mut bytes = vec![0; len];
        read_at(&self.file, &mut bytes, at)?;
        String::from_utf8(bytes).map_err(|e| io::Error::new(io::ErrorKind::InvalidData, e))
    }
}

/// Bodies shorter than this are not worth a system call each.
const MIN_SPILLED: usize = 1024;

/// The text of `body`, from memory or from `spill`.
pub fn text<'a>(body: &'a Body, spill: Option<&Spill>) -> io::Result<Cow<'a, str>> {
    match (body, spill) {
        (Body::Html(html), _) => Ok(Cow::Borrowed(html)),
        (Body::Spilled { at, len }, Some(spill)) => spill.read(*at, *len).map(Cow::Owned),
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
        assert!(parked.iter().any(|b| matches!(b, Body::Spilled { .. })));
        assert!(parked.iter().any(|b| matches!(b, Body::Html(_))));
        parked.par_iter().zip(&bodies).for_each(|(p, b)| {
            assert_eq!(text(p, Some(&spill)).unwrap(), b.as_str());
        });
        assert_eq!(
            std::fs::read_dir(dir.path()).unwrap().count(),
            0,
            "the file is unlinked"
        );
    }

    #[test]
    fn a_spilled_body_without_its_file_is_an_error_not_a_panic() {
        let body = Body::Spilled { at: 0, len: 10 };
        assert!(text(&body, None).is_err());
    }
}
