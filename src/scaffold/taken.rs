//! Whether a new post would write a file that something else in the site writes.
//!
//! The build lists every file it will write before it writes any, and refuses two writers for one
//! file. `new` asks that same planner ([`render::outputs`]) rather than keeping a list of its own, so
//! nothing the build writes is missed: other posts' and pages' addresses, aliases, `static/` files, and
//! the pages lanyard makes itself (`/tags/`, `/archive/`, `/series/…`, feeds, `page/N/`, `404.html`…).
//! It plans the site twice, as it is and with the new post, drafts and future posts included; a file
//! that has more writers in the second plan than in the first, and more than one, is one the new post
//! would share, through its own address or through a page it brings (its tag's, its series', one more
//! page of the home listing). Clashes the site already has are the build's to report, not `new`'s.
//! The same is asked of the published posts alone: a draft may bring a page now (page 2 of the
//! listing) that an alias also writes, a clash of the drafts' plan, which the new post would bring
//! into today's build.

use std::collections::{HashMap, HashSet};

use rayon::prelude::*;

use super::survey::Survey;
use crate::config::Config;
use crate::content::{Meta, SeriesSource, SourceDoc};
use crate::error::{Diagnostic, Diagnostics, Error, Lint, Result};
use crate::markdown::Highlighter;
use crate::render::{self, theme::Theme, Job, Planned, CLASH_FIX};
use crate::site::{self, Doc, Indexes, Site};

/// The site's theme, to plan with. A template with an error is another file's, added to `errors`:
/// the files a theme writes itself are its assets, which are read without the templates.
pub fn theme(config: &Config, errors: &mut Vec<Diagnostic>) -> Result<Theme> {
    Theme::load(config).or_else(|err| {
        errors.extend(err.diagnostics);
        Theme::assets_only(config)
    })
}

/// Refuse the post `new` (its front matter, as the build will read it) if it would write a file that
/// another source writes. Returns the files it would add to the site.
pub fn refuse_taken_files(
    config: &Config,
    survey: &Survey,
    theme: &Theme,
    new: &Meta,
) -> Result<Vec<String>> {
    // Drafts and future posts count, since they will be published; but a page they bring now (one
    // more page of a listing, their tag's) may hide, in that plan, a clash the published site gets
    // only with the new post. So both plans are asked.
    let (mut errors, files) = clashes(config, survey, theme, new, Every::Source)?;
    let now = chrono::Utc::now();
    let all_published = survey
        .posts
        .iter()
        .chain(&survey.pages)
        .all(|m| published(m, now));
    let (published, _) = match all_published {
        true => (Vec::new(), Vec::new()),
        false => clashes(config, survey, theme, new, Every::Published)?,
    };
    for e in published {
        if !errors.iter().any(|d| d.message == e.message) {
            errors.push(e);
        }
    }
    match Error::collect(errors) {
        Some(err) => Err(err),
        None => Ok(files),
    }
}

/// The collisions the site of `survey` gets only once its drafts and future posts are published,
/// through the pages they bring (a tag's page, one more page of a listing, a series page) and not
/// through their own addresses, which the build reports itself (see `site::warn_hidden_clashes`).
/// `check` reports them.
pub fn unpublished_clashes(config: &Config, survey: &Survey, theme: &Theme) -> Vec<Diagnostic> {
    let now = chrono::Utc::now();
    let hidden: Vec<&str> = survey
        .posts
        .iter()
        .chain(&survey.pages)
        .filter(|m| !published(m, now))
        .map(|m| m.file.as_str())
        .collect();
    if hidden.is_empty() {
        return Vec::new();
    }
    let clashes_of = |which| plan(config, survey, None, theme, which).map(|p| render::clashes(&p));
    let (Ok(every), Ok(today)) = (clashes_of(Every::Source), clashes_of(Every::Published)) else {
        return Vec::new();
    };
    let own = |d: &Diagnostic| hidden.iter().any(|f| d.file == *f || d.message.contains(f));
    every
        .into_iter()
        .filter(|d| !today.iter().any(|t| t.message == d.message) && !own(d))
        .map(|d| {
            let message = format!(
                "once the drafts and future posts are published (`build --drafts --future`, or the day they come due): {}",
                d.message
            );
            Diagnostic::warning(&d.file, d.line, message).with_lint(Lint::HiddenClash)
        })
        .collect()
}

/// Whether a plain `build` at `now` publishes `meta`, as the build decides it.
fn published(meta: &Meta, now: chrono::DateTime<chrono::Utc>) -> bool {
    let plain = crate::content::BuildOptions {
        drafts: false,
        future: false,
        now,
    };
    crate::content::is_built(meta, &plain)
}

/// Which posts and pages a plan takes.
#[derive(Clone, Copy, PartialEq)]
enum Every {
    /// Every one that reads, drafts and future posts included.
    Source,
    /// Those a plain `build` publishes today.
    Published,
}

/// The clashes the post `new` adds to the plan of `which` sources, and the files it adds.
fn clashes(
    config: &Config,
    survey: &Survey,
    theme: &Theme,
    new: &Meta,
    which: Every,
) -> Result<(Vec<Diagnostic>, Vec<String>)> {
    let before = plan(config, survey, None, theme, which)?;
    let after = plan(config, survey, Some(new), theme, which)?;
    let added = added(&before, &after);
    let mut writers: HashMap<&str, Vec<usize>> = HashMap::new();
    for (i, p) in after.iter().enumerate() {
        writers.entry(p.out.as_str()).or_default().push(i);
    }
    let new_path = site::doc_path(new, config);
    let mut reported = HashSet::new();
    let mut errors = Vec::new();
    for (i, mine) in after.iter().enumerate().filter(|(i, _)| added[*i]) {
        let others = &writers[mine.out.as_str()];
        // Another writer of the file: one the site had before, else another the post brings.
        let other = others
            .iter()
            .find(|&&j| !added[j])
            .or_else(|| others.iter().find(|&&j| j != i));
        if let Some(&j) = other.filter(|_| reported.insert(mine.out.as_str())) {
            errors.push(clash(&new.file, &new_path, mine, &after[j]));
        }
    }
    errors.extend(folder_clashes(new, &new_path, &after, &added));
    let files = after
        .iter()
        .zip(added)
        .filter(|(_, a)| *a)
        .map(|(p, _)| p.out.clone())
        .collect();
    Ok((errors, files))
}

/// What the build would write for the site of `survey`, with `new` among its posts.
fn plan(
    config: &Config,
    survey: &Survey,
    new: Option<&Meta>,
    theme: &Theme,
    which: Every,
) -> Result<Vec<Planned>> {
    let now = chrono::Utc::now();
    let taken = |m: &&Meta| which == Every::Source || published(m, now);
    let highlighter = Highlighter::new();
    let doc = |meta: &Meta| front_matter_only(meta, config, &highlighter);
    let docs = |metas: Vec<&Meta>| -> Result<Vec<Doc>> {
        let made: std::result::Result<Vec<Doc>, Vec<Diagnostic>> =
            metas.into_par_iter().map(doc).collect();
        made.map_err(Error::from)
    };
    let mut posts = docs(survey.posts.iter().filter(taken).chain(new).collect())?;
    let mut pages = docs(survey.pages.iter().filter(taken).collect())?;
    site::sort_docs(&mut posts, &mut pages);
    let ix = index(&mut posts, &survey.series, config, &highlighter);
    let site = Site::from_parts(
        config.clone(),
        posts,
        pages,
        ix,
        survey.statics.clone(),
        Vec::new(),
    );
    Ok(render::outputs(&site, theme))
}

/// A document made from its front matter alone, with an empty body: where it is written and what it
/// is listed under do not depend on the body.
fn front_matter_only(
    meta: &Meta,
    config: &Config,
    highlighter: &Highlighter,
) -> std::result::Result<Doc, Vec<Diagnostic>> {
    let source = SourceDoc {
        meta: meta.clone(),
        body: String::new(),
    };
    site::finish(source, config, highlighter, None)
}

/// The site's indexes. A series mistake (two posts claiming one part, a part above `total`) or a tag
/// too long for a folder name is another file's, and the build's to report: the posts it names are
/// planned outside their series (which still has its page), or, when they are in none, without their
/// tags. Each round takes a series or the tags from at least one post, and indexing fails on nothing
/// else, so the loop ends.
fn index(
    posts: &mut [Doc],
    series: &[SeriesSource],
    config: &Config,
    highlighter: &Highlighter,
) -> Indexes {
    loop {
        let quiet = Diagnostics::new();
        let err = match site::index(posts, series.to_vec(), config, highlighter, &quiet) {
            Ok(ix) => return ix,
            Err(err) => err,
        };
        let named: HashSet<&str> = err.diagnostics.iter().map(|d| d.file.as_str()).collect();
        let mut moved = false;
        for post in posts.iter_mut() {
            if named.contains(post.meta.file.as_str()) {
                if post.meta.series.take().is_some() {
                    moved = true;
                } else if !post.meta.tags.is_empty() {
                    post.meta.tags.clear();
                    moved = true;
                }
            }
        }
        if !moved {
            for post in posts.iter_mut() {
                post.meta.series = None;
                post.meta.tags.clear();
            }
        }
    }
}

/// The new post's files that need as a folder what another source writes as a file
/// (`static/posts/foo` and the post `foo`), or that write as a file what another needs as a folder.
/// Once per folder.
fn folder_clashes(
    new: &Meta,
    new_path: &str,
    after: &[Planned],
    added: &[bool],
) -> Vec<Diagnostic> {
    let files: HashMap<&str, usize> = after
        .iter()
        .enumerate()
        .map(|(i, p)| (p.out.as_str(), i))
        .collect();
    let mut reported = HashSet::new();
    let mut errors = Vec::new();
    for (needs, file, folder) in render::folder_conflicts(after, &files) {
        // One side the new post's, the other the site's (clashes the site has are the build's).
        let (mine, other) = match (added[needs], added[file]) {
            (true, false) => (&after[needs], &after[file]),
            (false, true) => (&after[file], &after[needs]),
            _ => continue,
        };
        if !reported.insert(folder) {
            continue;
        }
        let other = other.place();
        let message = match mine.source == new.file {
            true => format!(
                "not written: its address {new_path} and {other} both need `{folder}`, one as a file and one as a folder; pick another title"
            ),
            false => format!(
                "not written: with this post, {} and {other} would both need `{folder}`, one as a file and one as a folder: {CLASH_FIX}",
                mine.source
            ),
        };
        errors.push(Diagnostic::error(&new.file, None, message));
    }
    errors
}

/// For each entry of `after`, whether it is new: not in `before` (as many times), by file and writer.
fn added(before: &[Planned], after: &[Planned]) -> Vec<bool> {
    let mut had: HashMap<(&str, &str), usize> = HashMap::new();
    for p in before {
        *had.entry((&p.out, &p.source)).or_default() += 1;
    }
    after
        .iter()
        .map(
            |p| match had.get_mut(&(p.out.as_str(), p.source.as_str())) {
                Some(n) if *n > 0 => {
                    *n -= 1;
                    false
                }
                _ => true,
            },
        )
        .collect()
}

/// The error for the new post's `mine` and the `other` writer of the same file.
fn clash(file: &str, new_path: &str, mine: &Planned, other: &Planned) -> Diagnostic {
    let message = match (mine.source == file, &other.job) {
        (true, Job::Post(_) | Job::Page(_)) => {
            let what = if matches!(other.job, Job::Page(_)) {
                "page"
            } else {
                "post"
            };
            format!(
                "not written: the {what} {} already has the address {new_path}; pick another title",
                other.source
            )
        }
        (true, _) => format!(
            "not written: its address {new_path} writes `{}`, which {} also writes; pick another title",
            mine.out,
            other.place()
        ),
        (false, _) => format!(
            "not written: with this post, {} would write `{}`, which {} also writes: {CLASH_FIX}",
            mine.source,
            mine.out,
            other.place()
        ),
    };
    Diagnostic::error(file, None, message)
}
