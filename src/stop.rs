//! Stopping `lanyard build` on Ctrl-C (SIGINT), SIGTERM or SIGHUP without leaving a half-updated output.
//!
//! Why: a build renders into a staging folder, then moves the changed files into the output one rename
//! each ([`crate::output::Staging::commit`]). Ended by a signal's default action, a build left its
//! staging folder behind for good, and one ended while moving files left the output half old, half
//! new. So `build` handles these signals itself ([`install`]), and what one does depends on how far the
//! build got:
//!
//! - still reading the site, nothing on disk yet: the process exits at once;
//! - rendering into the staging folder: the build starts no more files ([`stopped`] is set), returns
//!   an error, and the staging folder goes with it, so the output is left as it was;
//! - moving files into the output, or reporting: the signal waits ([`deferred`]), so the output is
//!   wholly the new site.
//!
//! The process then exits with 128 + the signal's number, as a shell reports a process a signal ended.
//! The state is process-wide because signals are; without [`install`] (the dev server, `check`, tests)
//! nothing here ever fires.

use std::path::Path;
use std::sync::atomic::{AtomicI32, Ordering};
use std::sync::{Mutex, MutexGuard};

use signal_hook::consts::signal::{SIGHUP, SIGINT, SIGTERM};
use signal_hook::iterator::Signals;

use crate::error::Error;

/// How far the build is, which decides what a signal does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Phase {
    /// Nothing written: exit at once.
    Untouched,
    /// A staging folder exists: stop rendering and let the build remove it.
    Staged,
    /// The output is being updated, or the build is over: wait.
    Settled,
}

static PHASE: Mutex<Phase> = Mutex::new(Phase::Untouched);
/// The signal that stopped the build before it moved anything into place (0: none).
static STOPPED: AtomicI32 = AtomicI32::new(0);
/// The signal that came once the build was moving files into place or done (0: none).
static DEFERRED: AtomicI32 = AtomicI32::new(0);

fn phase() -> MutexGuard<'static, Phase> {
    PHASE.lock().unwrap_or_else(|e| e.into_inner())
}

/// Handle SIGINT, SIGTERM and SIGHUP for a build into `out` (named in the message of an early stop).
pub fn install(out: &Path) -> std::io::Result<()> {
    let mut signals = Signals::new([SIGINT, SIGTERM, SIGHUP])?;
    let out = out.to_path_buf();
    std::thread::Builder::new()
        .name("signals".into())
        .spawn(move || {
            for signal in signals.forever() {
                on_signal(signal, &out);
            }
        })?;
    Ok(())
}

fn on_signal(signal: i32, out: &Path) {
    // Held until the process exits, so the build cannot create its staging folder meanwhile.
    let phase = phase();
    match *phase {
        Phase::Untouched => {
            eprintln!("Stopped: {}.", crate::output::untouched(out));
            std::process::exit(exit_code(signal));
        }
        Phase::Staged => remember(&STOPPED, signal),
        Phase::Settled => remember(&DEFERRED, signal),
    }
}

/// Keep the first signal: that is the one the user sent; a second Ctrl-C changes nothing.
fn remember(slot: &AtomicI32, signal: i32) {
    let _ = slot.compare_exchange(0, signal, Ordering::SeqCst, Ordering::SeqCst);
}

/// The build is about to create its staging folder: from now on a signal stops it at its next file
/// instead of ending the process, so that the folder is removed.
pub fn staging() {
    *phase() = Phase::Staged;
}

/// Run `commit` (moving the new files into the output) unless a signal stopped the build. A signal
/// that comes while it runs, or after, only sets [`deferred`].
pub fn commit<T>(commit: impl FnOnce() -> crate::error::Result<T>) -> crate::error::Result<T> {
    {
        let mut phase = phase();
        if stopped().is_some() {
            return Err(error());
        }
        *phase = Phase::Settled;
    }
    commit()
}

/// The build is over, failed or not: a signal from now on only sets [`deferred`].
pub fn settle() {
    *phase() = Phase::Settled;
}

/// `Err` once a signal stopped the build, for the stages between rendering and moving into place.
pub fn check() -> crate::error::Result<()> {
    match stopped() {
        Some(_) => Err(error()),
        None => Ok(()),
    }
}

/// The signal that stopped the build before it changed the output.
pub fn stopped() -> Option<i32> {
    nonzero(STOPPED.load(Ordering::SeqCst))
}

/// The signal that came while the build was moving files into place, or after.
pub fn deferred() -> Option<i32> {
    nonzero(DEFERRED.load(Ordering::SeqCst))
}

fn nonzero(signal: i32) -> Option<i32> {
    (signal != 0).then_some(signal)
}

/// The error a stopped build returns. `build` prints its own line instead of this.
pub fn error() -> Error {
    Error::new(
        "lanyard build",
        None,
        "stopped by a signal before anything was moved into the output",
    )
}

/// The exit code of a process that `signal` stopped: 130 for SIGINT, 143 for SIGTERM, 129 for SIGHUP.
pub fn exit_code(signal: i32) -> i32 {
    128 + signal
}
