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

/// What `init` wrote.
#[derive(Debug, Clone, Default)]
pub struct Initialised {
    /// The files written, relative to the site folder.
    pub files: Vec<String>,
    /// Files of the sample that were there already and were kept as they are (a clone's `.gitignore`).
    pub kept: Vec<String>,
}

/// Write a new site into `dir` (created if missing, refused if it holds anything but hidden files and
/// a system's litter), dated `now`.
pub fn init(dir: &Path, opts: InitOptions, now: DateTime<Utc>) -> Result<Initialised> {
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
    // Only hidden files can be there already (see `refuse_non_empty`), and of the sample's files only
    // `.gitignore` is hidden: a fresh clone's own is kept, never overwritten.
    let (kept, files): (Vec<_>, Vec<_>) = files
        .into_iter()
        .partition(|(rel, _)| dir.join(rel).symlink_metadata().is_ok());
    for (rel, bytes) in &files {
        let path = dir.join(rel);
        write_new(&path, &path.display().to_string(), bytes)?;
    }
    Ok(Initialised {
        files: files.into_iter().map(|(rel, _)| rel).collect(),
        kept: kept.into_iter().map(|(rel, _)| rel).collect(),
    })
}

/// Refuse a file, or a folder with anything of the author's in it, naming what is there.
fn refuse_non_empty(dir: &Path) -> Result<()> {
    let shown = dir.display().to_string();
    if dir.is_file() {
        return Err(Error::new(
            shown,
            None,
            "is a file: lanyard init needs a new or empty folder",
        ));
    }
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            // A link to nothing: creating the folder would fail with a bare "File exists".
            if let Ok(target) = std::fs::read_link(dir) {
                return Err(Error::new(
                    shown,
                    None,
                    format!(
                        "is a symbolic link to `{}`, which does not exist: create that folder, or \
                         remove the link",
                        target.display()
                    ),
                ));
            }
            return Ok(());
        }
        Err(e) => return Err(Error::io(dir, "read the folder", &e)),
    };
    let mut own = Vec::new();
    for entry in entries {
        let name = entry
            .map_err(|e| Error::io(dir, "read the folder", &e))?
            .file_name()
            .to_string_lossy()
            .into_owned();
        if !is_hidden_or_litter(&name) {
            own.push(name);
        }
    }
    own.sort();
    match own.as_slice() {
        [] => Ok(()),
        [first, rest @ ..] => {
            let more = match rest.len() {
                0 => String::new(),
                n => format!(" and {n} more"),
            };
            Err(Error::new(
                shown,
                None,
                format!("is not empty (it has `{first}`{more}): lanyard init only writes into a new or empty folder (hidden files such as `.git` aside), so it never mixes with files you have"),
            ))
        }
    }
}

/// Entries a folder may hold and still count as empty for `init`: hidden ones (`.git` of a fresh
/// clone, `.DS_Store`), which Zola's `init` ignores too, and the litter Windows leaves.
fn is_hidden_or_litter(name: &str) -> bool {
    name.starts_with('.') || matches!(name, "Thumbs.db" | "desktop.ini")
}
