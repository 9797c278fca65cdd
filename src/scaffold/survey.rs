//! What `lanyard new` needs to know of the site it adds a post to.
//!
//! Every post and page counts, drafts and future posts included: each will be published some day, and
//! a new post must not take a part or an address that one of them has. Unlike the build, which stops
//! at the files with errors, this reading keeps going: the files that read are kept, the ones that do
//! not are kept aside with what can still be read of them ([`Broken`]), and their errors are kept to
//! be shown, so that a typo in one post neither stops the author from starting the next nor surprises
//! them at the next build. Only the front matter is kept: the bodies decide nothing here.

use std::path::PathBuf;

use rayon::prelude::*;

use super::broken::Broken;
use crate::config::Config;
use crate::content::{self, Kind, Meta, SeriesSource, SourceFile};
use crate::error::{Diagnostic, Diagnostics, Result};

/// A series description with an error.
#[derive(Debug)]
pub struct BrokenSeries {
    /// The series id its file name gives.
    pub id: String,
    pub file: String,
    /// The line of its first error.
    pub line: Option<usize>,
    /// The title it still gives, as [`super::broken::series_title`] reads it.
    pub title: Option<Option<String>>,
}

/// The site's documents and series, as `new` sees them.
#[derive(Debug, Default)]
pub struct Survey {
    /// Front matter of every post that reads, drafts and future posts included.
    pub posts: Vec<Meta>,
    /// Front matter of every page that reads, drafts included.
    pub pages: Vec<Meta>,
    pub series: Vec<SeriesSource>,
    /// The site's `static/` files: (source, output path).
    pub statics: Vec<(PathBuf, String)>,
    /// Posts and pages with an error.
    pub broken: Vec<Broken>,
    /// Series descriptions with an error.
    pub broken_series: Vec<BrokenSeries>,
    /// Files and folders that could not be read at all.
    pub unreadable: Vec<String>,
    /// Every error of the site's files, as the build reports them.
    pub errors: Vec<Diagnostic>,
}

impl Survey {
    /// Read the site of `config`; the files' warnings go to `diags`, their errors into the survey.
    pub fn read(config: &Config, diags: &Diagnostics) -> Result<Survey> {
        let found = content::discover(&config.root, diags)?;
        let mut survey = Survey {
            statics: found.statics,
            unreadable: found.errors.iter().map(|d| d.file.clone()).collect(),
            ..Survey::default()
        };
        survey.errors.extend(found.errors);
        survey.read_documents(&found.posts, Kind::Post, config, diags);
        survey.read_documents(&found.pages, Kind::Page, config, diags);
        for file in &found.series {
            match content::read_series(file, diags) {
                Ok(series) => survey.series.push(series),
                Err(d) => {
                    survey.broken_series.push(BrokenSeries {
                        id: file.stem.clone(),
                        file: file.rel.clone(),
                        line: d.line,
                        title: super::broken::series_title(file),
                    });
                    survey.errors.push(d);
                }
            }
        }
        for (slug, dir, files) in &found.comment_dirs {
            if let Err(errors) = content::read_comment_folder(slug, dir, files, config, diags) {
                survey.errors.extend(errors);
            }
        }
        survey.errors.sort();
        survey.errors.dedup();
        Ok(survey)
    }

    fn read_documents(
        &mut self,
        files: &[SourceFile],
        kind: Kind,
        config: &Config,
        diags: &Diagnostics,
    ) {
        let read: Vec<_> = files
            .par_iter()
            .map(|file| match content::parse_doc(file, kind, config, diags) {
                Ok(doc) => Ok(doc.meta),
                Err(errors) => Err(Box::new((
                    Broken::read(file, kind, config, &errors),
                    errors,
                ))),
            })
            .collect();
        for r in read {
            match r {
                Ok(meta) if kind == Kind::Post => self.posts.push(meta),
                Ok(meta) => self.pages.push(meta),
                Err(failed) => {
                    let (broken, errors) = *failed;
                    self.broken.push(broken);
                    self.errors.extend(errors);
                }
            }
        }
    }

    /// The files and folders that could not be read below any of `folders`.
    pub fn unreadable_under<'a>(&'a self, folders: &'a [&str]) -> impl Iterator<Item = &'a str> {
        self.unreadable.iter().map(String::as_str).filter(|path| {
            folders.iter().any(|f| {
                path.strip_prefix(f)
                    .is_some_and(|rest| rest.is_empty() || rest.starts_with('/'))
            })
        })
    }
}
