//! Reading the current output ahead of a rebuild's comparisons, when it is not in the page cache.
//!
//! Why: a rebuild compares every file it renders with the one already in the output folder and
//! writes only those that changed ([`super::StagingSink`]). When the output is in the page cache, a
//! comparison is a copy. When it is not (the first build of the day, or after the machine reclaimed
//! the cache), each comparison waits for the disk, one request at a time on each render thread, and a
//! rebuild of 10,000 unchanged posts took 1.9 s instead of 1.0 s.
//!
//! So a comparison first asks for the file from the page cache only ([`cached`], a read with
//! `RWF_NOWAIT`). Once [`MISSES`](crate::content::readahead::MISSES) files were not there, [`WARMERS`] threads go through the files the
//! render will compare, in about the order it will compare them, and ask the kernel to read each one
//! (`posix_fadvise(WILLNEED)`): the disk gets many requests at once, and a render thread mostly finds
//! its file read already (10,000 posts: 1.0 s instead of 1.9 s; 1.4 s instead of 2.8 s with the
//! input cold too). With a warm cache the threads never start working, since asking about files that
//! are already in memory costs three system calls a file for nothing. Timing the reads instead started
//! them on every warm rebuild (with both cores rendering, a preempted read takes as long as one from
//! the disk), and so did the first miss: a warm output often has a file or two whose pages the
//! machine has reclaimed.

use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::OnceLock;
use std::thread::Thread;

use crate::content::readahead::{missed_enough, will_need, OnDrop};

/// Threads that open files and ask for them to be read. They mostly wait on the disk.
const WARMERS: usize = 8;
/// Below this many files, a cold output costs too little to be worth the threads.
const SMALL: usize = 64;

/// The files of the current output that the render will compare, and the threads that read them ahead.
#[derive(Debug)]
pub struct Warm {
    previous: PathBuf,
    /// Relative paths, in about the order the render will compare them.
    paths: Vec<String>,
    next: AtomicUsize,
    misses: AtomicUsize,
    cold: AtomicBool,
    done: AtomicBool,
    threads: OnceLock<Vec<Thread>>,
}

impl Warm {
    /// `None` where there is nothing worth reading ahead.
    pub fn new(previous: PathBuf, paths: Vec<String>) -> Option<Warm> {
        (paths.len() >= SMALL).then(|| Warm {
            previous,
            paths,
            next: AtomicUsize::new(0),
            misses: AtomicUsize::new(0),
            cold: AtomicBool::new(false),
            done: AtomicBool::new(false),
            threads: OnceLock::new(),
        })
    }

    /// A file to compare was not in the page cache: after [`MISSES`](crate::content::readahead::MISSES)
    /// of them, start reading ahead.
    pub fn missed(&self) {
        if missed_enough(&self.misses) {
            self.cold.store(true, Ordering::Relaxed);
            self.wake();
        }
    }

    /// Whether the threads were started.
    #[cfg(test)]
    fn started(&self) -> bool {
        self.cold.load(Ordering::Relaxed)
    }

    /// Run `render` with the threads standing by, and stop them when it returns.
    pub fn during<R>(&self, render: impl FnOnce() -> R) -> R {
        let out = std::thread::scope(|s| {
            let threads = (0..WARMERS)
                .map(|_| s.spawn(|| self.work()).thread().clone())
                .collect();
            let _ = self.threads.set(threads);
            // The threads stop when the render is over, also if it panicked: the scope waits for them.
            let _stop = OnDrop(|| {
                self.done.store(true, Ordering::Relaxed);
                self.wake();
            });
            render()
        });
        if std::env::var_os("LANYARD_TIMINGS").is_some() {
            let asked = self.next.load(Ordering::Relaxed).min(self.paths.len());
            eprintln!("timing:   files of the current output read ahead: {asked}");
        }
        out
    }

    fn wake(&self) {
        for t in self.threads.get().into_iter().flatten() {
            t.unpark();
        }
    }

    /// Wait until the output turns out cold or the render is over; then open files until either
    /// every one was asked for or the render is over.
    fn work(&self) {
        while !self.cold.load(Ordering::Relaxed) {
            if self.done.load(Ordering::Relaxed) {
                return;
            }
            std::thread::park();
        }
        while !self.done.load(Ordering::Relaxed) {
            let i = self.next.fetch_add(1, Ordering::Relaxed);
            let Some(path) = self.paths.get(i) else {
                return;
            };
            will_need(&self.previous.join(path));
        }
    }
}

/// The `len` bytes of `file` if all of them are in the page cache, without waiting for the disk;
/// `None` if some are not (or the file is not `len` long, or this system cannot tell).
pub fn cached(file: &std::fs::File, len: usize) -> Option<Vec<u8>> {
    #[cfg(target_os = "linux")]
    {
        // One byte more than expected: a file that grew since it was measured reads longer.
        let mut bytes = vec![0; len + 1];
        let read = crate::content::readahead::read_cached(file, &mut bytes).ok()?;
        (read == len).then(|| {
            bytes.truncate(len);
            bytes
        })
    }
    #[cfg(not(target_os = "linux"))]
    {
        let _ = (file, len);
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::content::readahead::MISSES;

    #[test]
    fn a_few_misses_start_nothing_and_a_cold_output_is_read_ahead_whole() {
        let dir = tempfile::tempdir().unwrap();
        let paths: Vec<String> = (0..100).map(|i| format!("p{i}/index.html")).collect();
        for p in &paths {
            let file = dir.path().join(p);
            std::fs::create_dir_all(file.parent().unwrap()).unwrap();
            std::fs::write(file, p).unwrap();
        }
        let warm = Warm::new(dir.path().to_path_buf(), paths.clone()).unwrap();
        warm.during(|| {
            for _ in 1..MISSES {
                warm.missed();
            }
        });
        assert!(!warm.started());
        assert_eq!(warm.next.load(Ordering::Relaxed), 0, "no file was opened");

        let warm = Warm::new(dir.path().to_path_buf(), paths).unwrap();
        warm.during(|| {
            for _ in 0..MISSES {
                warm.missed();
            }
            // The render goes on until the warmers have asked for every file.
            while warm.next.load(Ordering::Relaxed) < 100 {
                std::thread::yield_now();
            }
        });
        assert!(warm.started());
        assert!(warm.next.load(Ordering::Relaxed) >= 100);
    }

    #[test]
    fn a_cached_file_reads_whole_and_one_of_a_wrong_length_does_not() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("a.html");
        std::fs::write(&file, b"<p>just written, so in the page cache</p>").unwrap();
        let len = std::fs::metadata(&file).unwrap().len() as usize;
        let open = std::fs::File::open(&file).unwrap();
        if cfg!(target_os = "linux") {
            assert_eq!(cached(&open, len).unwrap(), std::fs::read(&file).unwrap());
        }
        assert!(cached(&open, len - 1).is_none(), "longer than expected");
        assert!(cached(&open, len + 1).is_none(), "shorter than expected");
    }

    #[test]
    fn a_render_that_panics_stops_the_threads_instead_of_waiting_for_them() {
        let paths: Vec<String> = (0..SMALL).map(|i| format!("{i}.html")).collect();
        let warm = Warm::new(PathBuf::from("/nonexistent"), paths).unwrap();
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let caught = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                warm.during(|| panic!("a bug in a template filter"))
            }));
            let _ = tx.send(caught.is_err());
        });
        let panicked = rx.recv_timeout(std::time::Duration::from_secs(20));
        assert_eq!(panicked, Ok(true), "the panic came out, not a hang");
    }

    #[test]
    fn small_outputs_are_not_worth_it() {
        assert!(Warm::new(PathBuf::from("."), vec!["a.html".into(); SMALL - 1]).is_none());
    }
}
