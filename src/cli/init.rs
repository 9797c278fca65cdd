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
        Ok(done) => {
            for kept in &done.kept {
                eprintln!("note: kept the {kept} that was there; add `public/` to it so the built site is not committed");
            }
            // A control character in the folder's name is shown as an escape, never sent to the
            // terminal (it could set the title or move the cursor).
            // A relative path that starts with `-` would be read as an option: it gets `./`.
            let shown = |path: &std::path::Path| {
                let text = path.display().to_string();
                let text = match text.starts_with('-') {
                    true => format!("./{text}"),
                    false => text,
                };
                crate::error::printable(&shell_quote(&text)).into_owned()
            };
            println!(
                "Created a new site in {} ({} files).",
                crate::error::printable(&dir.display().to_string()),
                done.files.len()
            );
            let config = shown(&dir.join("site.toml"));
            let root = shown(&dir);
            println!("Next: edit {config}, then run `lanyard serve --root {root}` or `lanyard build --root {root}`.");
            0
        }
        Err(err) => {
            print_diagnostics(&err.diagnostics);
            1
        }
    }
}

/// `text` as one word of a POSIX shell: as it is when it holds only characters no shell treats
/// specially, else in single quotes (an embedded `'` as `'\''`), so the hint can be pasted as it is.
fn shell_quote(text: &str) -> String {
    let plain = |c: char| c.is_ascii_alphanumeric() || "_@%+=:,./-".contains(c);
    if !text.is_empty() && text.chars().all(plain) {
        text.to_string()
    } else {
        format!("'{}'", text.replace('\'', "'\\''"))
    }
}

#[cfg(test)]
mod tests {
    use super::shell_quote;

    #[test]
    fn paths_are_quoted_only_when_a_shell_needs_it() {
        assert_eq!(shell_quote("my-site"), "my-site");
        assert_eq!(shell_quote("./a/b_c.d"), "./a/b_c.d");
        assert_eq!(shell_quote("sp ace/é"), "'sp ace/é'");
        assert_eq!(shell_quote("it's"), "'it'\\''s'");
        assert_eq!(shell_quote("$HOME"), "'$HOME'");
        assert_eq!(shell_quote(""), "''");
    }
}
