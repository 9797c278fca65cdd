//! The command line: one file per command, each an args struct beside its `run`.
//!
//! Commands return a [`crate::error::Result`]; `main` only prints and picks the exit code (0 success,
//! 1 content or template errors, 2 a wrong command line — clap's own code for usage errors; a build a
//! signal stopped exits 128 + its number, see [`crate::stop`]).

pub mod build;
pub mod check;
pub mod init;
pub mod new;
pub mod serve;

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

use crate::error::{Diagnostic, Severity};

#[derive(Debug, Parser)]
#[command(
    name = "lanyard",
    version,
    about = "A fast static-site generator for publications: numbered series, reader comments, feeds."
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Build the site into public/ (or -o DIR)
    #[command(
        after_help = "Examples:\n  lanyard build\n  lanyard build --root my-site -o /tmp/out --drafts\n  lanyard build --base-url https://staging.example.com"
    )]
    Build(build::BuildArgs),
    /// Build in memory and report broken links and anchors, series gaps, orphan comments and bad feeds
    #[command(
        after_help = "Examples:\n  lanyard check\n  lanyard check --root my-site\n  lanyard check --external --timeout 5 --concurrency 4\n\nExit code 0 when there are only warnings, 1 when there is an error."
    )]
    Check(check::CheckArgs),
    /// Write a new post, its front matter filled in (next free part of a series)
    #[command(
        after_help = "Examples:\n  lanyard new post \"Ask the second question\"\n  lanyard new post \"Say thank you twice\" --series \"66 Tips For Better Networking\" --tags gratitude"
    )]
    New(new::NewArgs),
    /// Create a new site in DIR, with a sample post, series part and comment
    #[command(
        after_help = "Examples:\n  lanyard init my-site\n  lanyard init my-site --theme-files\n  cd my-site && lanyard build"
    )]
    Init(init::InitArgs),
    /// Serve the site from memory on 127.0.0.1; with --watch, rebuild and reload on every save
    #[command(
        after_help = "Examples:\n  lanyard serve --watch\n  lanyard serve --watch --port 0 --drafts\n  lanyard serve --root my-site --bind 0.0.0.0 --port 8080"
    )]
    Serve(serve::ServeArgs),
}

/// Options every command shares.
#[derive(Debug, Clone, Args)]
pub struct RootArg {
    /// The site folder (the one with site.toml)
    #[arg(long, value_name = "DIR", default_value = ".", value_parser = existing_folder)]
    pub root: PathBuf,
}

/// `--root`: a folder that exists. A wrong path is a mistake on the command line (exit 2), not in the
/// site.
fn existing_folder(arg: &str) -> Result<PathBuf, String> {
    let path = PathBuf::from(arg);
    match std::fs::metadata(&path) {
        Ok(m) if m.is_dir() => Ok(path),
        Ok(_) => Err("this is a file; give the site's folder (the one with site.toml)".into()),
        Err(e) => Err(format!("cannot open this folder: {e}")),
    }
}

/// `--base-url`: checked as site.toml's `base_url` is, so that a wrong value is a usage error
/// (exit 2) instead of a content error.
pub fn base_url_arg(arg: &str) -> Result<String, String> {
    crate::config::validate_base_url(arg).map(|_| arg.to_string())
}

/// The title of `new post`: it must say something, and have a letter or digit to make a file name of.
pub fn title_arg(arg: &str) -> Result<String, String> {
    naming_arg(
        arg,
        crate::content::slug::slugify,
        "must not be empty",
        "a file name",
    )
}

/// A `--series` value: a name or id with letters or digits, which a series id is made of.
pub fn series_arg(arg: &str) -> Result<String, String> {
    let empty = "must not be empty: give the series' name or id";
    naming_arg(arg, crate::content::slug::series_id, empty, "a series id")
}

/// `arg`, if it is not blank and `make` turns it into a non-empty name (what it makes: `made`).
fn naming_arg(
    arg: &str,
    make: fn(&str) -> String,
    empty: &str,
    made: &str,
) -> Result<String, String> {
    if arg.trim().is_empty() {
        Err(empty.into())
    } else if make(arg.trim()).is_empty() {
        Err(format!("needs a few letters or digits to make {made} from"))
    } else {
        Ok(arg.to_string())
    }
}

/// Print diagnostics to stderr, warnings first.
pub fn print_diagnostics(items: &[Diagnostic]) {
    let mut sorted: Vec<&Diagnostic> = items.iter().collect();
    sorted.sort_by_key(|d| d.severity == Severity::Error);
    for d in sorted {
        eprintln!("{d}");
    }
}

/// Run the parsed command; returns the exit code.
pub fn run(cli: Cli) -> i32 {
    // Rendering runs on rayon's threads; see RENDER_STACK. If the pool cannot be made this way (it
    // already exists), the default one still renders, with smaller stacks.
    let _ = rayon::ThreadPoolBuilder::new()
        .stack_size(crate::RENDER_STACK)
        .build_global();
    match cli.command {
        Command::Build(args) => build::run(&args),
        Command::Check(args) => check::run(&args),
        Command::New(args) => new::run(&args),
        Command::Init(args) => init::run(&args),
        Command::Serve(args) => serve::run(&args),
    }
}
