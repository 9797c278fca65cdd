//! What can still be read of a post or page that has an error, and whether it matters to `new`.
//!
//! Hugo, Zola and Jekyll write a new post whatever state the other files are in, and so does `new`:
//! an author with a typo in one post can still start the next one. But `new` also promises that what
//! it writes builds, so a file with an error matters when it hides what `new` must know — whether the
//! new post would share a file with it, and, with `--series`, the parts of that series. A wrong `date:`
//! hides neither: the file's slug, aliases and part still read, and are used; nor does a title with a
//! stray `: ` that makes the YAML invalid, as each key is read on its own. A `slug:`, `aliases:`,
//! `series:` or `part:` that does not read hides what it would say, and `new` refuses rather than guess
//! when that is what it must know.

use std::collections::HashSet;

use chrono::{DateTime, FixedOffset};

use super::survey::Survey;
use crate::config::{Config, PermalinkPart};
use crate::content::frontmatter::{self, FrontMatter};
use crate::content::{dates, slug, Kind, SourceFile, MAX_PARTS};
use crate::error::{Diagnostic, Error, Result};
use crate::output::url_path_to_file;
use crate::site::post_path;

/// A post or page with an error.
#[derive(Debug, Clone)]
pub struct Broken {
    pub file: String,
    pub kind: Kind,
    /// The line of its first error.
    pub line: Option<usize>,
    /// What its front matter still says; `None` when even its keys cannot be told apart, so that
    /// nothing is known of it.
    pub readable: Option<Readable>,
}

/// What a file with an error still says about where it writes and which part it is.
#[derive(Debug, Clone)]
pub struct Readable {
    /// Its slug, unless the slug is what is wrong.
    pub slug: Option<String>,
    /// Its own page's file, when its slug reads and, for a permalink with a date, its date does.
    pub page: Option<String>,
    /// Its aliases' files, unless one of them is what is wrong.
    pub aliases: Option<Vec<String>>,
    pub series: Membership,
}

/// Whether a file with an error is a part of a series.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Membership {
    None,
    /// Of the series `id`, named `name`; with its part and the part's line, unless the part is wrong.
    Part {
        id: String,
        name: String,
        part: Option<(u32, usize)>,
    },
    /// Its `series:` or `part:` is what is wrong.
    Unknown,
}

impl Broken {
    /// Read what can be read of `file`, whose errors are `errors`.
    pub fn read(file: &SourceFile, kind: Kind, config: &Config, errors: &[Diagnostic]) -> Broken {
        Broken {
            file: file.rel.clone(),
            kind,
            line: errors.iter().find_map(|d| d.line),
            readable: readable(file, kind, config),
        }
    }
}

fn readable(file: &SourceFile, kind: Kind, config: &Config) -> Option<Readable> {
    let bytes = std::fs::read(&file.path).ok()?;
    let text = frontmatter::normalize(&bytes).ok()?;
    let split = frontmatter::split(&text).ok()?;
    let (fm, lost) = match split.front {
        Some(front) => salvage(front)?,
        None => (FrontMatter::default(), Vec::new()),
    };
    let lost = |key: &str| lost.iter().any(|k| k == key);
    let slug = match &fm.slug {
        _ if lost("slug") => None,
        Some(s) => slug::explicit_slug(&s.0).ok(),
        None => Some(slug::slugify(&file.stem)).filter(|s| !s.is_empty()),
    };
    let date = match &fm.date {
        _ if lost("date") => None,
        Some(d) => dates::parse(&d.0, config.timezone).ok(),
        None => file
            .stem_date
            .as_deref()
            .and_then(|d| dates::parse(d, config.timezone).ok()),
    };
    let aliases = match lost("aliases") {
        true => None,
        false => fm
            .aliases
            .0
            .iter()
            .map(|a| url_path_to_file(a).ok())
            .collect(),
    };
    let part_line = split.front.and_then(|f| frontmatter::key_line(f, "part"));
    let part_line = part_line.map_or(0, |l| l + split.front_line - 1);
    let series = match (lost("series"), lost("part")) {
        (true, _) => Membership::Unknown,
        (false, part_lost) => membership(&fm, kind, part_line, part_lost),
    };
    Some(Readable {
        page: slug
            .as_deref()
            .and_then(|s| page_file(kind, s, date.as_ref(), config)),
        slug,
        aliases,
        series,
    })
}

/// The `title` a series description with an error still gives: `Some(None)` when it reads and has
/// none, `None` when the title (or the whole front matter) is what does not read.
pub fn series_title(file: &SourceFile) -> Option<Option<String>> {
    let bytes = std::fs::read(&file.path).ok()?;
    let text = frontmatter::normalize(&bytes).ok()?;
    let split = frontmatter::split(&text).ok()?;
    let (fm, lost) = match split.front {
        Some(front) => salvage(front)?,
        None => return Some(None),
    };
    if lost.iter().any(|k| k == "title") {
        return None;
    }
    Some(fm.title.map(|t| t.0.trim().to_string()))
}

/// The front matter `front` with every top-level key whose value does not read on its own left out
/// (a `title:` with a stray `: ` in it, a map where a list belongs), and the keys left out. A key
/// given twice is left out too: which of the two is meant is not known. `None` when the keys
/// themselves cannot be told apart.
fn salvage(front: &str) -> Option<(FrontMatter, Vec<String>)> {
    if let Ok(fm) = frontmatter::parse::<FrontMatter>(front, 1) {
        return Some((fm, Vec::new()));
    }
    let keys = frontmatter::keys(front, 1).ok()?;
    let lines: Vec<&str> = front.lines().collect();
    let mut kept = String::new();
    let mut lost = Vec::new();
    for (i, (key, line)) in keys.iter().enumerate() {
        let end = keys.get(i + 1).map_or(lines.len() + 1, |(_, next)| *next);
        let block = lines.get(line - 1..end - 1)?.join("\n") + "\n";
        let twice = keys.iter().filter(|(k, _)| k == key).count() > 1;
        if twice || frontmatter::parse::<FrontMatter>(&block, 1).is_err() {
            lost.push(key.clone());
        } else {
            kept.push_str(&block);
        }
    }
    let fm = frontmatter::parse::<FrontMatter>(&kept, 1).ok()?;
    Some((fm, lost))
}

/// The file of a document's own page, if it can be told without its date or with the date it has.
fn page_file(
    kind: Kind,
    slug: &str,
    date: Option<&DateTime<FixedOffset>>,
    config: &Config,
) -> Option<String> {
    let path = match (kind, date) {
        (Kind::Page, _) => format!("/{slug}/"),
        (Kind::Post, Some(date)) => post_path(slug, date, config),
        (Kind::Post, None) if !has_date(config) => post_path(slug, &Default::default(), config),
        (Kind::Post, None) => return None,
    };
    url_path_to_file(&path).ok()
}

/// Whether post addresses hold their date (`/:year/:slug/`).
fn has_date(config: &Config) -> bool {
    config.permalink.iter().any(|p| {
        matches!(
            p,
            PermalinkPart::Year | PermalinkPart::Month | PermalinkPart::Day
        )
    })
}

/// Which part of which series a post's readable front matter makes it; `part_lost` when its `part:`
/// does not read.
fn membership(fm: &FrontMatter, kind: Kind, part_line: usize, part_lost: bool) -> Membership {
    if kind == Kind::Page {
        return Membership::None;
    }
    match (&fm.series, &fm.part) {
        (None, None) if !part_lost => Membership::None,
        (None, _) => Membership::Unknown,
        (Some(name), part) => {
            let name = name.0.trim().to_string();
            let id = slug::series_id(&name);
            if id.is_empty() {
                return Membership::Unknown;
            }
            let part = part
                .as_ref()
                .filter(|p| (1..=MAX_PARTS).contains(&p.0))
                .map(|p| (p.0 as u32, part_line));
            Membership::Part { id, name, part }
        }
    }
}

/// What to do once the error is fixed.
const FIX: &str = "fix it (its error is shown above), then run `lanyard new post` again";

/// Refuse the new post `file` (slug `slug`, adding the files `added`) when a file with an error
/// writes one of those files, or might once fixed.
pub fn refuse_possible_clash(
    survey: &Survey,
    file: &str,
    slug: &str,
    added: &[String],
) -> Result<()> {
    let added: HashSet<&str> = added.iter().map(String::as_str).collect();
    let mut errors = Vec::new();
    for path in survey.unreadable_under(&["content/posts", "content/pages"]) {
        let why = format!("could not be read, so lanyard cannot tell whether the new post would take its address: {FIX}");
        errors.push(Diagnostic::error(path, None, why));
    }
    for broken in &survey.broken {
        let unknown = |what: &str| {
            let why = format!("has an error that hides {what}, so lanyard cannot tell whether the new post would take it: {FIX}");
            Diagnostic::error(&broken.file, broken.line, why)
        };
        let Some(r) = &broken.readable else {
            errors.push(unknown("where it writes"));
            continue;
        };
        if r.aliases.is_none() {
            errors.push(unknown("where its aliases write"));
        }
        match (&r.page, &r.slug) {
            (Some(_), _) => {}
            (None, None) => errors.push(unknown("its address")),
            (None, Some(s)) if s == slug => errors.push(unknown(
                "its address (its slug is the new post's, and its date does not read)",
            )),
            (None, Some(_)) => {}
        }
        let mut writes = r.page.iter().chain(r.aliases.iter().flatten());
        if let Some(out) = writes.find(|o| added.contains(o.as_str())) {
            let why = format!("not written: it would write `{out}`, which {} also writes (that file has an error, shown above); pick another title", broken.file);
            errors.push(Diagnostic::error(file, None, why));
        }
    }
    Error::collect(errors).map_or(Ok(()), Err)
}

/// A part of a series held by a file with an error.
#[derive(Debug, Clone)]
pub struct BrokenPart {
    pub part: u32,
    /// The series' name as that file writes it.
    pub name: String,
    pub file: String,
    pub line: usize,
}

/// The parts of series `id` (asked for as `name`; `found` when the files without errors know it) that
/// files with errors hold. Refused when a file with an error might be a part of it and its part does
/// not read, or when a series description with an error might be its own (its `total` is unknown).
pub fn parts_of(survey: &Survey, id: &str, name: &str, found: bool) -> Result<Vec<BrokenPart>> {
    let mut parts = Vec::new();
    let mut errors = Vec::new();
    for path in survey.unreadable_under(&["content/posts", "content/series"]) {
        let why = format!("could not be read, so lanyard cannot tell whether it is a part of series `{name}`: {FIX}");
        errors.push(Diagnostic::error(path, None, why));
    }
    for super::survey::BrokenSeries {
        id: series_id,
        file,
        line,
        title,
    } in &survey.broken_series
    {
        // A series that no file without errors names may be the one whose description has its title,
        // unless that title still reads and is another.
        let another = title
            .as_ref()
            .is_some_and(|t| t.as_ref().is_none_or(|t| !t.eq_ignore_ascii_case(name)));
        let same_title = matches!(title, Some(Some(t)) if t.eq_ignore_ascii_case(name));
        let why = if series_id == id || (!found && same_title) {
            format!("this description of series `{name}` has an error, so its planned `total` is unknown: {FIX}")
        } else if !found && !another {
            format!("this series description has an error, so lanyard cannot tell whether its title is `{name}`: {FIX}")
        } else {
            continue;
        };
        errors.push(Diagnostic::error(file, *line, why));
    }
    for broken in survey.broken.iter().filter(|b| b.kind == Kind::Post) {
        let membership = broken
            .readable
            .as_ref()
            .map_or(&Membership::Unknown, |r| &r.series);
        match membership {
            Membership::None => {}
            Membership::Part { id: other, .. } if other != id => {}
            Membership::Part {
                part: Some((part, line)),
                name,
                ..
            } => parts.push(BrokenPart {
                part: *part,
                name: name.clone(),
                file: broken.file.clone(),
                line: *line,
            }),
            Membership::Part { part: None, .. } => {
                let why = format!("this part of series `{name}` has an error in its part number, so the next part is unknown: {FIX}");
                errors.push(Diagnostic::error(&broken.file, broken.line, why));
            }
            Membership::Unknown => {
                let why = format!("has an error that hides whether it is a part of series `{name}`, so the next part is unknown: {FIX}");
                errors.push(Diagnostic::error(&broken.file, broken.line, why));
            }
        }
    }
    match Error::collect(errors) {
        Some(err) => Err(err),
        None => Ok(parts),
    }
}
