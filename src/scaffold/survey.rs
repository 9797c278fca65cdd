//! What `lanyard new` needs to know of the site it adds a post to.
//!
//! Every post and page counts, drafts and future posts included: each will be published some day, and
//! a new post must not take a part or an address that one of them has. Only the front matter is kept
//! (the bodies decide nothing here), so a large site costs `new` its parsing and no more.

use std::path::PathBuf;

use chrono::{DateTime, Utc};

use crate::config::Config;
use crate::content::{self, BuildOptions, Kind, Meta, SeriesSource};
use crate::error::{Diagnostics, Result};

/// The site's documents and series, as `new` sees them.
#[derive(Debug, Default)]
pub struct Survey {
    /// Front matter of every post, drafts and future posts included.
    pub posts: Vec<Meta>,
    /// Front matter of every page, drafts included.
    pub pages: Vec<Meta>,
    pub series: Vec<SeriesSource>,
    /// The site's `static/` files: (source, output path).
    pub statics: Vec<(PathBuf, String)>,
}

impl Survey {
    /// Read the site of `config`, as it stands at `now`.
    pub fn read(config: &Config, now: DateTime<Utc>, diags: &Diagnostics) -> Result<Survey> {
        let every = BuildOptions {
            drafts: true,
            future: true,
            now,
        };
        let content = content::load(config, &every, diags)?;
        let metas = content
            .posts
            .into_iter()
            .chain(content.pages)
            .map(|d| d.meta);
        let (posts, pages) = metas
            .chain(content.unpublished)
            .partition(|m| m.kind == Kind::Post);
        Ok(Survey {
            posts,
            pages,
            series: content.series,
            statics: content.statics,
        })
    }
}
