//! The `lanyard` binary: parse the command line, run the command, exit with its code.

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

use clap::Parser;

fn main() {
    let cli = lanyard::cli::Cli::parse();
    std::process::exit(lanyard::cli::run(cli));
}
