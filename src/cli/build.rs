//! `lanyard build`: render the site into the output folder.
//!
//! Only `build` handles SIGINT, SIGTERM and SIGHUP ([`crate::stop`]): it is the one command that
//! changes a folder on disk over many steps. `serve` stops through tokio, `check` writes nothing.

use std::path::{Path, PathBuf};

use clap::Args;

use super::{print_diagnostics, RootArg};
use crate::content::BuildOptions;
use crate::error::Diagnostics;
use crate::output;
use crate::pipeline::{self, Overrides};
use crate::stop;

#[derive(Debug, Clone, Args)]
pub struct BuildArgs {
    #[command(flatten)]
    pub root: RootArg,
    /// Output folder (default: public/ inside the site folder)
    #[arg(short = 'o', long = "output", value_name = "DIR")]
    pub output: Option<PathBuf>,
    /// Include posts marked `draft: true`
    #[arg(long)]
    pub drafts: bool,
    /// Include posts dated in the future
    #[arg(long)]
    pub future: bool,
    /// Use this base URL instead of site.toml's (for previews and staging)
    #[arg(long, value_name = "URL", value_parser = super::base_url_arg)]
    pub base_url: Option<String>,
}

pub fn run(args: &BuildArgs) -> i32 {
    let root = &args.root.root;
    let out = args.output.clone().unwrap_or_else(|| root.join("public"));
    let opts = BuildOptions {
        drafts: args.drafts,
        future: args.future,
        ..BuildOptions::default()
    };
    let overrides = Overrides {
        base_url: args.base_url.clone(),
    };
    if let Err(e) = stop::install(&out) {
        eprintln!(
            "warning: Ctrl-C will not stop this build cleanly (could not handle signals: {e})"
        );
    }
    let diags = Diagnostics::new();
    let result = pipeline::build(root, &out, &opts, &overrides, &diags);
    stop::settle();
    if let Some(signal) = stop::stopped() {
        // The staging folder is gone and the output untouched; the warnings found so far would only
        // bury that.
        eprintln!("Stopped: {}.", output::untouched(&out));
        return stop::exit_code(signal);
    }
    let code = report(result, &out, &diags);
    match stop::deferred() {
        Some(signal) => {
            if code == 0 {
                eprintln!(
                    "Stopped once the new site was wholly in place in {}.",
                    out.display()
                );
            }
            stop::exit_code(signal)
        }
        None => code,
    }
}

/// Print what the build found and its closing line; the exit code.
fn report(
    result: crate::error::Result<(pipeline::Report, pipeline::Loaded)>,
    out: &Path,
    diags: &Diagnostics,
) -> i32 {
    print_diagnostics(&diags.take());
    match result {
        Ok((report, site)) => {
            // The process ends right after this: the kernel takes the site's memory back faster
            // than freeing it allocation by allocation would (see `pipeline::build`).
            std::mem::forget(site);
            println!(
                "Built {} pages ({} post{}, {} files) into {} in {:.2}s",
                report.stats.pages,
                report.posts,
                if report.posts == 1 { "" } else { "s" },
                report.stats.files,
                out.display(),
                report.elapsed.as_secs_f64()
            );
            0
        }
        Err(err) => {
            print_diagnostics(&err.diagnostics);
            let n = err.diagnostics.len();
            eprintln!(
                "Build failed with {n} error{}; {}.",
                if n == 1 { "" } else { "s" },
                output::left_by(out, &err)
            );
            1
        }
    }
}
