//! `lanyard new post`: a new post file with its front matter filled in.

use chrono::Utc;
use clap::{Args, Subcommand};

use super::print_diagnostics;
use crate::error::Diagnostics;
use crate::scaffold::{self, NewPost};

#[derive(Debug, Clone, Args)]
pub struct NewArgs {
    #[command(subcommand)]
    pub what: NewWhat,
    /// The site folder (the one with site.toml), before or after the subcommand
    #[arg(long, global = true, value_name = "DIR", default_value = ".", value_parser = super::existing_folder)]
    pub root: std::path::PathBuf,
}

#[derive(Debug, Clone, Subcommand)]
pub enum NewWhat {
    /// Write content/posts/<date>-<slug>.md, dated today
    #[command(
        after_help = "Examples:\n  lanyard new post \"Ask the second question\"\n  lanyard new post \"Tip 23: Say thank you twice\" --series \"66 Tips For Better Networking\"\n  lanyard new post \"Notes from the mixer\" --tags events,introverts --draft\n\nWith --series, the post gets the next free part: one above the highest part of that series,\ncounting drafts and future posts. The series is matched by its name, in any case, or by its id."
    )]
    Post(NewPostArgs),
}

#[derive(Debug, Clone, Args)]
pub struct NewPostArgs {
    /// The post's title (quote it)
    #[arg(value_parser = super::title_arg)]
    pub title: String,
    /// Add the post to this series (its name or id), as the next free part
    #[arg(long, value_name = "NAME", value_parser = super::series_arg)]
    pub series: Option<String>,
    /// Tags, separated by commas
    #[arg(long, value_name = "A,B", value_delimiter = ',')]
    pub tags: Vec<String>,
    /// Mark the post `draft: true` (built only with --drafts)
    #[arg(long)]
    pub draft: bool,
}

pub fn run(args: &NewArgs) -> i32 {
    let root = &args.root;
    let NewWhat::Post(args) = &args.what;
    let request = NewPost {
        title: args.title.clone(),
        series: args.series.clone(),
        tags: args.tags.clone(),
        draft: args.draft,
    };
    let diags = Diagnostics::new();
    let result = scaffold::new_post(root, &request, Utc::now(), &diags);
    print_diagnostics(&diags.take());
    match result {
        Ok(created) => {
            for note in &created.notes {
                eprintln!("note: {note}");
            }
            println!("{}", scaffold::shown_path(root, &created.file).display());
            0
        }
        Err(err) => {
            print_diagnostics(&err.diagnostics);
            eprintln!("No post was written.");
            1
        }
    }
}
