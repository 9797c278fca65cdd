//! `lanyard init DIR`: a new site, ready to build.

use std::path::PathBuf;

use chrono::Utc;
use clap::Args;

use super::print_diagnostics;
use crate::scaffold::{init::init, init::InitOptions, shown_path};

#[derive(Debug, Clone, Args)]
pub struct InitArgs {
    /// The folder to create the site in, new or empty (default: the --root folder)
    #[arg(value_name = "DIR")]
    pub dir: Option<PathBuf>,
    /// The folder DIR is relative to; without DIR, the folder to create the site in
    #[arg(long, value_name = "DIR", default_value = ".")]
    pub root: PathBuf,
    /// Also copy the default theme into themes/default/ to customise it
    #[arg(long)]
    pub theme_files: bool,
}

pub fn run(args: &InitArgs) -> i32 {
    let dir = match &args.dir {
        Some(dir) => shown_path(&args.root, dir),
        None => args.root.clone(),
    };
    match init(
        &dir,
        InitOptions {
            theme_files: args.theme_files,
        },
        Utc::now(),
    ) {
        Ok(files) => {
            let dir = dir.display();
            println!("Created a new site in {dir} ({} files).", files.len());
            println!("Next: edit {dir}/site.toml, then run `lanyard serve --root {dir}` or `lanyard build --root {dir}`.");
            0
        }
        Err(err) => {
            print_diagnostics(&err.diagnostics);
            1
        }
    }
}
