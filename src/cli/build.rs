//! `lanyard build`: render the site into the output folder.

use std::path::PathBuf;

use clap::Args;

use super::{print_diagnostics, RootArg};
use crate::content::BuildOptions;
use crate::error::Diagnostics;
use crate::output;
use crate::pipeline::{self, Overrides};

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
    let diags = Diagnostics::new();
    let result = pipeline::build(root, &out, &opts, &overrides, &diags);
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
                output::untouched(&out)
            );
            1
        }
    }
}
