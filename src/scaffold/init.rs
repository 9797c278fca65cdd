//! `lanyard init`: a new site that builds at once.
//!
//! The sample is small on purpose (a post, a series part and a reader comment) but touches each part
//! of the content contract, so an author learns the layout by editing it rather than by reading about
//! it. Its `site.toml` comments every key. The theme stays built in unless asked for: a site that does
//! not copy the theme gets its fixes with each new lanyard.

use std::path::Path;

use chrono::{DateTime, Utc};

use super::write_new;
use crate::error::{Error, Result};
use crate::render::theme::embedded_files;

const SITE_TOML: &str = include_str!("sample/site.toml");
const POST: &str = include_str!("sample/post.md");
const SERIES_PART: &str = include_str!("sample/series-part.md");
const COMMENT: &str = include_str!("sample/comment.yaml");

/// What `init` may add to the sample.
#[derive(Debug, Clone, Copy, Default)]
pub struct InitOptions {
    /// Also write the default theme into `themes/default/`.
    pub theme_files: bool,
}

/// Write a new site into `dir` (created if missing, refused if not empty), dated `now`. Returns the
/// files written, relative to `dir`.
pub fn init(dir: &Path, opts: InitOptions, now: DateTime<Utc>) -> Result<Vec<String>> {
    refuse_non_empty(dir)?;
    let date = now.format("%Y-%m-%d").to_string();
    let dated = |text: &str| text.replace("{{DATE}}", &date);
    let mut files: Vec<(String, Vec<u8>)> = vec![
        ("site.toml".into(), SITE_TOML.into()),
        (
            format!("content/posts/{date}-write-down-one-detail.md"),
            dated(POST).into_bytes(),
        ),
        (
            format!("content/posts/{date}-start-with-who-you-already-know.md"),
            dated(SERIES_PART).into_bytes(),
        ),
        (
            "content/comments/write-down-one-detail/001-priya.yaml".into(),
            dated(COMMENT).into_bytes(),
        ),
        (".gitignore".into(), b"public/\n".to_vec()),
    ];
    if opts.theme_files {
        files.extend(
            embedded_files()
                .iter()
                .map(|(rel, bytes)| (format!("themes/default/{rel}"), bytes.to_vec())),
        );
    }
    for (rel, bytes) in &files {
        let path = dir.join(rel);
        write_new(&path, &path.display().to_string(), bytes)?;
    }
    Ok(files.into_iter().map(|(rel, _)| rel).collect())
}

fn refuse_non_empty(dir: &Path) -> Result<()> {
    let shown = dir.display().to_string();
    if dir.is_file() {
        return Err(Error::new(
            shown,
            None,
            "is a file: lanyard init needs a new or empty folder",
        ));
    }
    let mut entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(Error::io(dir, "read the folder", &e)),
    };
    if entries.next().is_some() {
        return Err(Error::new(shown, None, "is not empty: lanyard init only writes into a new or empty folder, so it never mixes with files you have"));
    }
    Ok(())
}
