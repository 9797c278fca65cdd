//! Reading thousands of small files without waiting on the disk one file at a time.
//!
//! Why: a site is thousands of files of a few kilobytes. When they are in the page cache, reading them
//! is a copy and the cores are the limit. When they are not — the first build of the day, or any build
//! after the machine has reclaimed the cache (some hosts reclaim pages idle for half a minute) — each
//! read waits for the disk, and with one reader per core the disk sees one or two requests at a time.
//! Running the CPU work on sixteen threads as well, as lanyard once did, kept the disk busy but put eight
//! threads on each core: a cold read of ten thousand posts cost 1.7 s of user time instead of 1.0 s. So
//! blocking reads go to [`READERS`] plain threads that mostly wait, many requests in flight at once,
//! while the parsing of what they read stays on rayon's pool, one thread per core. A bounded queue
//! between them keeps the files read ahead to a few hundred ([`AHEAD`] queued, plus one batch per
//! reader). Small inputs skip the threads: starting them would cost more than it saves.
//!
//! When the files turn out not to be cached, one more thread runs ahead of the readers, up to
//! [`PREFETCH`] files, asking the kernel to start reading each one (`posix_fadvise(WILLNEED)`): the disk
//! then has far more than sixteen requests to work on, and a reader mostly finds its file read already.
//! A cold read of ten thousand posts took 12% less time. With a warm cache the thread never starts,
//! since asking about files that are already in memory costs three system calls a file for nothing.
//!
//! A reader tells a cold file by asking for its first bytes from the page cache only (a read with
//! `RWF_NOWAIT`, as `output::warm` does): after [`MISSES`] files were not there, the prefetching thread
//! starts. This is the same test whatever the machine is doing: timing the reads, as lanyard once did,
//! takes a read whose thread lost its core (sixteen readers and the rayon pool share two cores) for one
//! that waited on the disk.

use std::io::{self, Read};
use std::ops::Range;
use std::path::Path;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{mpsc, Mutex};
use std::time::Duration;

use rayon::prelude::*;

/// Threads that wait on the disk. Enough to keep a virtual or solid-state disk's queue busy.
const READERS: usize = 16;
/// Files read but not yet handed to the CPU work.
const AHEAD: usize = 256;
/// Files a reader reads before handing them over: one wake-up of a waiting thread per batch, not per
/// file, which is most of what the hand-over costs when the files are cached.
const BATCH: usize = 8;

/// How far ahead of the readers the prefetching thread asks for files.
const PREFETCH: usize = 2048;
/// Files found outside the page cache before reading ahead starts (here and in `output::warm`): a
/// cold folder reaches this within milliseconds, a warm one with a few reclaimed pages does not.
pub(crate) const MISSES: usize = 32;

/// Count one more file found outside the page cache in `misses`: `true` for the one that reaches
/// [`MISSES`], once.
pub(crate) fn missed_enough(misses: &AtomicUsize) -> bool {
    misses.fetch_add(1, Ordering::Relaxed) + 1 == MISSES
}

/// Read into `buf` what of the file's start is in the page cache, without waiting for the disk
/// (`preadv2` with `RWF_NOWAIT`): `Err(AGAIN)` when none of it is; other errors where the file
/// system cannot tell.
#[cfg(target_os = "linux")]
pub(crate) fn read_cached(file: &std::fs::File, buf: &mut [u8]) -> rustix::io::Result<usize> {
    use rustix::io::{preadv2, ReadWriteFlags};
    preadv2(
        file,
        &mut [io::IoSliceMut::new(buf)],
        0,
        ReadWriteFlags::NOWAIT,
    )
}

/// The first index of a run of files and what reading each gave.
type Batch = (usize, Vec<io::Result<Vec<u8>>>);
/// Below this many items the work runs on rayon's pool directly.
const SMALL: usize = 64;
/// [`map_io`] gives each thread at least this many items, and runs this many or fewer on the calling
/// thread: starting a thread costs about as much as listing a cached folder.
const FEW: usize = 4;

/// `work(item, contents of path(item))` for every item, in order, each file read on a reader thread
/// and `work` run on rayon's pool as soon as its file is read.
pub fn map_read<I, T, P, W>(items: &[I], path: P, work: W) -> Vec<T>
where
    I: Sync,
    T: Send,
    P: Fn(&I) -> &Path + Sync,
    W: Fn(&I, io::Result<Vec<u8>>) -> T + Sync,
{
    if items.len() < SMALL {
        return items
            .par_iter()
            .map(|item| work(item, read_file(path(item)).0))
            .collect();
    }
    map_read_ahead(items, path, work).0
}

/// [`map_read`] on the reader threads, and how many files the prefetching thread asked for.
fn map_read_ahead<I, T, P, W>(items: &[I], path: P, work: W) -> (Vec<T>, usize)
where
    I: Sync,
    T: Send,
    P: Fn(&I) -> &Path + Sync,
    W: Fn(&I, io::Result<Vec<u8>>) -> T + Sync,
{
    let (next, misses) = (AtomicUsize::new(0), AtomicUsize::new(0));
    let (cold, done) = (AtomicBool::new(false), AtomicBool::new(false));
    let (parts, asked) = std::thread::scope(|s| {
        let prefetching = s.spawn(|| prefetch(items, &path, &next, &cold, &done));
        let prefetcher = prefetching.thread().clone();
        let (tx, rx) = mpsc::sync_channel::<Batch>(AHEAD / BATCH);
        for _ in 0..READERS {
            let (tx, prefetcher) = (tx.clone(), prefetcher.clone());
            let (next, path, cold, misses) = (&next, &path, &cold, &misses);
            s.spawn(move || {
                read_batches(items, path, next, &tx, || {
                    if missed_enough(misses) {
                        cold.store(true, Ordering::Relaxed);
                        prefetcher.unpark();
                    }
                })
            });
        }
        drop(tx);
        // The prefetcher stops when the work is over, also if it panicked: the scope waits for it.
        let stop = OnDrop(|| {
            done.store(true, Ordering::Relaxed);
            prefetcher.unpark();
        });
        let rx = Mutex::new(rx);
        let parts = consume(&rx, |(start, read), done| {
            let indexed = (start..).zip(read);
            done.extend(indexed.map(|(i, bytes)| (i, work(&items[i], bytes))));
        });
        drop(stop);
        let asked = prefetching
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
        (parts, asked)
    });
    if std::env::var_os("LANYARD_TIMINGS").is_some() {
        eprintln!("timing:   input files read ahead: {asked}");
    }
    (in_order(items.len(), parts), asked)
}

/// Runs its closure when dropped, on the way out of a panic too: a thread parked inside a scope is
/// released even when the work beside it panics (here and in `output::warm`).
pub(crate) struct OnDrop<F: FnMut()>(pub(crate) F);

impl<F: FnMut()> Drop for OnDrop<F> {
    fn drop(&mut self) {
        (self.0)()
    }
}

/// One reader: claim batches of files until none is left, read them and send what each read gave;
/// `missed()` for each file whose first bytes were not in the page cache.
fn read_batches<I, P: Fn(&I) -> &Path>(
    items: &[I],
    path: &P,
    next: &AtomicUsize,
    tx: &mpsc::SyncSender<Batch>,
    missed: impl Fn(),
) {
    while let Some(range) = claim(next, items.len(), BATCH) {
        let start = range.start;
        let read: Vec<_> = items[range]
            .iter()
            .map(|item| {
                let (bytes, cached) = read_file(path(item));
                if !cached {
                    missed();
                }
                bytes
            })
            .collect();
        if tx.send((start, read)).is_err() {
            return;
        }
    }
}

/// A whole file, and whether its first bytes were in the page cache (`true` where this system cannot
/// tell). `fs::read` first asks for the file's size (`statx`) to size its buffer: one more system call
/// per file, and a site's files are small enough for a buffer of [`FIRST_READ`]; a larger one grows as
/// it is read.
fn read_file(path: &Path) -> (io::Result<Vec<u8>>, bool) {
    let file = match std::fs::File::open(path) {
        Ok(file) => file,
        Err(e) => return (Err(e), true),
    };
    let mut bytes = Vec::with_capacity(FIRST_READ);
    let cached = first_bytes_cached(&file, &mut bytes);
    let rest = At {
        file: &file,
        at: bytes.len() as u64,
    }
    .read_to_end(&mut bytes);
    (rest.map(|_| bytes), cached)
}

/// Read what of the file's start is in the page cache into `bytes` (empty), without waiting for the
/// disk: `false` if none of it was there.
#[cfg(target_os = "linux")]
fn first_bytes_cached(file: &std::fs::File, bytes: &mut Vec<u8>) -> bool {
    bytes.resize(FIRST_READ, 0);
    let read = read_cached(file, bytes);
    bytes.truncate(*read.as_ref().unwrap_or(&0));
    // Any other error (a file system that cannot tell) counts as cached: the blocking read that
    // follows reports real errors.
    read != Err(rustix::io::Errno::AGAIN)
}

#[cfg(not(target_os = "linux"))]
fn first_bytes_cached(_file: &std::fs::File, _bytes: &mut Vec<u8>) -> bool {
    true
}

/// Reads a file from an offset on, without moving the file's own position (`pread`): the first bytes
/// were read with an offset already, and a seek would cost a system call.
struct At<'a> {
    file: &'a std::fs::File,
    at: u64,
}

impl Read for At<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = read_at(self.file, buf, self.at)?;
        self.at += n as u64;
        Ok(n)
    }
}

#[cfg(unix)]
fn read_at(file: &std::fs::File, buf: &mut [u8], at: u64) -> io::Result<usize> {
    std::os::unix::fs::FileExt::read_at(file, buf, at)
}

#[cfg(windows)]
fn read_at(file: &std::fs::File, buf: &mut [u8], at: u64) -> io::Result<usize> {
    std::os::windows::fs::FileExt::seek_read(file, buf, at)
}

/// The buffer a file is first read into: most posts and comments fit.
const FIRST_READ: usize = 16 * 1024;

/// Once the readers find the files uncached (`cold`), ask the kernel to start reading each file up to
/// [`PREFETCH`] ahead of the readers' `next`, until every file was asked for or the reading is `done`.
/// How many files it asked for.
fn prefetch<I, P: Fn(&I) -> &Path>(
    items: &[I],
    path: &P,
    next: &AtomicUsize,
    cold: &AtomicBool,
    done: &AtomicBool,
) -> usize {
    while !cold.load(Ordering::Relaxed) {
        if done.load(Ordering::Relaxed) {
            return 0;
        }
        std::thread::park();
    }
    for (i, item) in items.iter().enumerate() {
        while i > next.load(Ordering::Relaxed) + PREFETCH && !done.load(Ordering::Relaxed) {
            std::thread::sleep(Duration::from_micros(500));
        }
        if done.load(Ordering::Relaxed) {
            return i;
        }
        will_need(path(item));
    }
    items.len()
}

/// Ask the kernel to start reading the file at `path` into the page cache, without waiting for it.
pub(crate) fn will_need(path: &Path) {
    if let Ok(file) = std::fs::File::open(path) {
        let _ = rustix::fs::fadvise(&file, 0, None, rustix::fs::Advice::WillNeed);
    }
}

/// `f(item)` for every item, in order, on up to [`READERS`] threads: for blocking calls such as listing
/// a folder, with no CPU work worth a core of its own.
///
/// It never uses rayon's pool, at any size. The comment folders are walked with it on a thread of
/// their own while a pool worker parses the posts and then waits for that thread
/// ([`super::load_with`]). Were the walk to queue work on the pool, it would wait for a worker that
/// is waiting for it: with one core (one worker), every build hung.
pub fn map_io<I, T, F>(items: &[I], f: F) -> Vec<T>
where
    I: Sync,
    T: Send,
    F: Fn(&I) -> T + Sync,
{
    if items.len() <= FEW {
        return items.iter().map(&f).collect();
    }
    let next = AtomicUsize::new(0);
    let parts = std::thread::scope(|s| {
        let handles: Vec<_> = (0..READERS.min(items.len().div_ceil(FEW)))
            .map(|_| {
                let (next, f) = (&next, &f);
                s.spawn(move || {
                    let mut done = Vec::new();
                    while let Some(range) = claim(next, items.len(), 1) {
                        done.push((range.start, f(&items[range.start])));
                    }
                    done
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| {
                h.join()
                    .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
            })
            .collect()
    });
    in_order(items.len(), parts)
}

/// The next `n` indices not yet taken (fewer at the end), if any are left.
fn claim(next: &AtomicUsize, len: usize, n: usize) -> Option<Range<usize>> {
    let i = next.fetch_add(n, Ordering::Relaxed);
    (i < len).then(|| i..(i + n).min(len))
}

/// Drain `rx` on every thread of rayon's pool, `f` adding what it makes of each message to the
/// thread's results; each thread's results come back apart.
fn consume<M: Send, T: Send>(
    rx: &Mutex<mpsc::Receiver<M>>,
    f: impl Fn(M, &mut Vec<(usize, T)>) + Sync,
) -> Vec<Vec<(usize, T)>> {
    let threads = rayon::current_num_threads();
    (0..threads)
        .into_par_iter()
        .map(|_| {
            let mut done = Vec::new();
            loop {
                let message = rx.lock().unwrap_or_else(|e| e.into_inner()).recv();
                match message {
                    Ok(m) => f(m, &mut done),
                    Err(mpsc::RecvError) => return done,
                }
            }
        })
        .collect()
}

/// Indexed results from several threads, back in index order. Each result is put in its place rather
/// than sorted there: a parsed post is some 800 bytes, and sorting ten thousand of them moved each
/// many times (5 ms at 10,000 posts, on one core while the other waited).
fn in_order<T>(len: usize, parts: Vec<Vec<(usize, T)>>) -> Vec<T> {
    let mut slots: Vec<Option<T>> = Vec::with_capacity(len);
    slots.resize_with(len, || None);
    for (i, item) in parts.into_iter().flatten() {
        slots[i] = Some(item);
    }
    slots.into_iter().flatten().collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn map_read_keeps_order_and_reports_each_error() {
        let dir = tempfile::tempdir().unwrap();
        let names: Vec<String> = (0..300).map(|i| format!("f{i:03}")).collect();
        for (i, name) in names.iter().enumerate() {
            if i % 7 != 3 {
                std::fs::write(dir.path().join(name), name).unwrap();
            }
        }
        let paths: Vec<_> = names.iter().map(|n| dir.path().join(n)).collect();
        let got = map_read(
            &paths,
            |p| p.as_path(),
            |p, bytes| {
                let name = p.file_name().unwrap().to_str().unwrap().to_string();
                (name, bytes.ok().map(|b| String::from_utf8(b).unwrap()))
            },
        );
        assert_eq!(got.len(), names.len());
        for (i, (name, text)) in got.iter().enumerate() {
            assert_eq!(name, &names[i]);
            let expected = (i % 7 != 3).then(|| names[i].clone());
            assert_eq!(text, &expected, "item {i}");
        }
    }

    #[test]
    fn work_that_panics_comes_out_as_a_panic_not_a_hang() {
        let paths: Vec<std::path::PathBuf> = (0..200)
            .map(|i| format!("/nonexistent/{i}").into())
            .collect();
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            let caught = std::panic::catch_unwind(|| {
                map_read(
                    &paths,
                    |p| p.as_path(),
                    |p, _| {
                        assert!(!p.ends_with("100"), "a bug in the parser");
                    },
                )
            });
            let _ = tx.send(caught.is_err());
        });
        let panicked = rx.recv_timeout(Duration::from_secs(20));
        assert_eq!(panicked, Ok(true));
    }

    /// Files of `i` repeated `i + 1` times, written to disk and, with `evict`, dropped from the page
    /// cache; whether they were dropped (some file systems keep every file in memory).
    fn numbered_files(dir: &Path, n: usize, evict: bool) -> (Vec<std::path::PathBuf>, bool) {
        let paths: Vec<_> = (0..n).map(|i| dir.join(format!("{i:04}"))).collect();
        for (i, path) in paths.iter().enumerate() {
            let file = std::fs::File::create(path).unwrap();
            std::io::Write::write_all(&mut &file, format!("{i}").repeat(i + 1).as_bytes()).unwrap();
            if evict {
                file.sync_all().unwrap();
                let _ = rustix::fs::fadvise(&file, 0, None, rustix::fs::Advice::DontNeed);
            }
        }
        let probe = std::fs::File::open(&paths[n - 1]).unwrap();
        let dropped = !first_bytes_cached(&probe, &mut Vec::new());
        (paths, dropped)
    }

    fn assert_whole_and_in_order(got: &[Vec<u8>]) {
        for (i, bytes) in got.iter().enumerate() {
            assert_eq!(bytes, format!("{i}").repeat(i + 1).as_bytes(), "file {i}");
        }
    }

    // Files dropped from the page cache: the readers find them missing from it, the prefetching
    // thread starts, and every file still comes back whole and in order.
    #[test]
    fn map_read_reads_uncached_files_whole_and_in_order() {
        let dir = tempfile::tempdir().unwrap();
        let (paths, dropped) = numbered_files(dir.path(), 400, true);
        let (got, asked) = map_read_ahead(&paths, |p| p.as_path(), |_, bytes| bytes.unwrap());
        assert_whole_and_in_order(&got);
        if dropped {
            assert!(asked > 0, "the prefetching thread started");
        }
    }

    // Files just written are in the page cache: none is opened a second time to be read ahead.
    #[test]
    fn cached_files_start_no_prefetching() {
        let dir = tempfile::tempdir().unwrap();
        let (paths, _) = numbered_files(dir.path(), 400, false);
        let (got, asked) = map_read_ahead(&paths, |p| p.as_path(), |_, bytes| bytes.unwrap());
        assert_whole_and_in_order(&got);
        assert_eq!(asked, 0);
    }

    #[test]
    fn a_file_larger_than_the_first_read_comes_back_whole() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("big.md");
        let text: Vec<u8> = (0..FIRST_READ * 3 + 17).map(|i| (i % 251) as u8).collect();
        std::fs::write(&path, &text).unwrap();
        assert_eq!(read_file(&path).0.unwrap(), text);
        std::fs::write(&path, b"").unwrap();
        assert_eq!(read_file(&path).0.unwrap(), b"");
        assert!(read_file(&dir.path().join("missing.md")).0.is_err());
    }

    #[test]
    fn map_io_keeps_order_small_and_large() {
        for n in [0, FEW, FEW + 1, SMALL, 1000] {
            let items: Vec<usize> = (0..n).collect();
            assert_eq!(
                map_io(&items, |i| i * 2),
                items.iter().map(|i| i * 2).collect::<Vec<_>>()
            );
        }
    }
}
