//! `lanyard check`: build in memory, lint, report; exit 1 on any error.

use std::time::Duration;

use clap::Args;

use super::{print_diagnostics, RootArg};
use crate::error::{Diagnostics, Severity};
use crate::lint::{self, external, CheckOptions};

#[derive(Debug, Clone, Args)]
pub struct CheckArgs {
    #[command(flatten)]
    pub root: RootArg,
    /// Also check links to other sites (needs the network)
    #[arg(long)]
    pub external: bool,
    /// With --external: seconds to wait for each outside link (1 to 600)
    #[arg(long, value_name = "SECS", default_value_t = 10, requires = "external", allow_negative_numbers = true, value_parser = clap::value_parser!(i64).range(1..=600))]
    pub timeout: i64,
    /// With --external: how many outside links to check at once (1 to 64)
    #[arg(long, value_name = "N", default_value_t = 8, requires = "external", allow_negative_numbers = true, value_parser = clap::value_parser!(u16).range(1..=64))]
    pub concurrency: u16,
}

pub fn run(args: &CheckArgs) -> i32 {
    let external = args.external.then(|| external::Options {
        timeout: Duration::from_secs(args.timeout.unsigned_abs()),
        concurrency: usize::from(args.concurrency),
    });
    let diags = Diagnostics::new();
    let result = lint::check(&args.root.root, &CheckOptions { external }, &diags);
    let mut items = lint::rate_for_check(diags.take());
    if let Err(err) = &result {
        items.extend(err.diagnostics.iter().cloned());
    }
    print_diagnostics(&items);
    let errors = items
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .count();
    let warnings = items.len() - errors;
    let counts = format!(
        "{} and {}",
        plural(errors, "error"),
        plural(warnings, "warning")
    );
    match result {
        Ok(s) => {
            let outside = if args.external {
                format!(", {}", plural(s.outside_links, "outside link"))
            } else {
                String::new()
            };
            let checked = format!(
                "{}, {}{outside} and {}",
                plural(s.pages, "page"),
                plural(s.internal_links, "internal link"),
                plural(s.feeds, "feed")
            );
            if errors == 0 {
                println!("Checked {checked}: {counts}.");
                0
            } else {
                eprintln!("Check failed with {counts} (checked {checked}).");
                1
            }
        }
        Err(_) => {
            eprintln!("Check failed with {counts}: the site does not build.");
            1
        }
    }
}

fn plural(n: usize, word: &str) -> String {
    format!("{n} {word}{}", if n == 1 { "" } else { "s" })
}
