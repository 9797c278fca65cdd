//! The `lanyard` binary: parse the command line, run the command, exit with its code.

use clap::Parser;

fn main() {
    let cli = lanyard::cli::Cli::parse();
    std::process::exit(lanyard::cli::run(cli));
}
