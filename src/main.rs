//! The `lanyard` binary: parse the command line, run the command, exit with its code.

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

use clap::Parser;
use lanyard::cli::{Cli, Command};

fn main() {
    let cli = Cli::parse();
    let batch = matches!(cli.command, Command::Build(_) | Command::Check(_));
    if batch && std::env::var_os("MIMALLOC_PURGE_DELAY").is_none() {
        keep_freed_memory();
    }
    std::process::exit(lanyard::cli::run(cli));
}

/// `mi_option_purge_delay` in mimalloc's `mi_option_e`. mimalloc keeps option numbers stable across
/// releases (retired options stay in the enum as `deprecated_…`), and its Rust bindings have no name for
/// this one.
const MI_OPTION_PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;

/// By default mimalloc hands pages back to the kernel 10 ms after they fall empty. A build allocates and
/// frees in waves (read, render, write), so each wave faulted the same memory back in, zeroed, often as
/// 2 MB pages: 6% of a 10,000-post build's CPU time in a profile, 11,000 page faults (1,900 without).
/// A build is short-lived, so it keeps what it freed and reuses it (peak memory grows by about 10%);
/// the dev server, which runs for hours, keeps the default. `MIMALLOC_PURGE_DELAY` in the environment
/// still wins.
fn keep_freed_memory() {
    // SAFETY: `mi_option_set` only stores an integer option; -1 means "never purge".
    unsafe { libmimalloc_sys::mi_option_set(MI_OPTION_PURGE_DELAY, -1) }
}
