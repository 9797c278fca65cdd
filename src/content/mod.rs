//! `content/` → validated source documents.
//!
//! In: the site folder and its [`Config`]. Out: [`Content`] — posts and pages with checked front matter and
//! their Markdown still raw ([`SourceDoc`]), series descriptions, comment folders and static files. The
//! walk lists folders in parallel and sorts what it finds, so the order is stable; files are read by
//! [`readahead`]'s threads, which wait on the disk, and parsed on rayon's pool as they arrive.
//! Drafts and future posts are dropped here unless asked for, so no later stage needs to know about them,
//! but their slugs are remembered so that their comment folders are not reported as orphans.
//! [`load_with`] hands each document that is built to a function of the caller's on the thread that
//! parsed it: the build renders it there, so the source text of ten thousand posts is never in memory at
//! once.

pub mod comments;
pub mod dates;
pub mod frontmatter;
pub(crate) mod readahead;
pub mod slug;
mod walk;

use std::collections::{BTreeMap, HashSet};
use std::path::{Path, PathBuf};

use chrono::{DateTime, FixedOffset, Utc};
use unicode_normalization::UnicodeNormalization;

use crate::config::Config;
use crate::error::{did_you_mean, Diagnostic, Diagnostics, Error, Result};
use crate::output::url_path_to_file;
use comments::Comment;
use frontmatter::{FrontMatter, SeriesFrontMatter, FRONT_MATTER_KEYS, SERIES_KEYS};
pub use walk::{discover, is_ignored_name, is_ignored_static_name, Discovered, SourceFile};

/// The highest part number a series may have, and so the highest `total` (a bound that keeps a series
/// page's "coming soon" list and the part numbers' arithmetic small).
pub const MAX_PARTS: i64 = 100_000;

/// What to include in a build.
#[derive(Debug, Clone, Copy)]
pub struct BuildOptions {
    pub drafts: bool,
    pub future: bool,
    /// The instant that separates published from future posts.
    pub now: DateTime<Utc>,
}

impl Default for BuildOptions {
    fn default() -> Self {
        BuildOptions {
            drafts: false,
            future: false,
            now: Utc::now(),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Kind {
    Post,
    Page,
}

/// A post's place in a numbered series.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SeriesRef {
    pub name: String,
    pub id: String,
    pub part: u32,
    pub line: usize,
}

/// Validated front matter of a post or page.
#[derive(Debug, Clone)]
pub struct Meta {
    pub kind: Kind,
    /// The source file relative to the site root, `/`-separated.
    pub file: String,
    pub title: String,
    pub slug: String,
    /// Always set for posts.
    pub date: Option<DateTime<FixedOffset>>,
    pub updated: Option<DateTime<FixedOffset>>,
    pub author: Option<String>,
    /// The line of the `author:` key (the front matter's first line without one).
    pub author_line: usize,
    /// The line of the `tags:` key (the front matter's first line without one).
    pub tags_line: usize,
    pub tags: Vec<String>,
    pub series: Option<SeriesRef>,
    pub summary: Option<String>,
    /// The file line of the `summary:` key (0 without one): links in it are reported there.
    pub summary_line: usize,
    pub draft: bool,
    /// Output files of the aliases (already checked to stay inside the output), with the alias as written.
    pub aliases: Vec<(String, String)>,
    pub aliases_line: usize,
    /// The line of the `slug:` key, or the front matter's first line when the slug comes from the
    /// file name: where an address clash is reported.
    pub slug_line: usize,
    pub comments: Vec<Comment>,
    pub extra: serde_json::Value,
    pub weight: i64,
    pub template: Option<String>,
    /// The line of the `template:` key (0 without one).
    pub template_line: usize,
    /// Files beside a folder post's `index.md`: (source, path relative to the post's folder).
    pub assets: Vec<(PathBuf, String)>,
    /// The file line where the Markdown body starts.
    pub body_line: usize,
}

/// A post or page whose Markdown is not rendered yet.
#[derive(Debug, Clone)]
pub struct SourceDoc {
    pub meta: Meta,
    pub body: String,
}

/// `content/series/<id>.md`.
#[derive(Debug, Clone)]
pub struct SeriesSource {
    pub id: String,
    pub file: String,
    pub title: Option<String>,
    pub total: Option<u32>,
    pub total_line: usize,
    pub description: String,
    /// The file line where the description (the Markdown body) starts.
    pub body_line: usize,
    pub extra: serde_json::Value,
}

/// `content/comments/<post-slug>/`.
#[derive(Debug, Clone)]
pub struct CommentFolder {
    pub slug: String,
    pub dir: String,
    pub comments: Vec<Comment>,
}

/// Everything read from `content/` and `static/`. Posts and pages are [`SourceDoc`]s, or whatever
/// [`load_with`] made of them.
#[derive(Debug)]
pub struct Content<D = SourceDoc> {
    pub posts: Vec<D>,
    pub pages: Vec<D>,
    /// Slugs of posts that exist but are not built (drafts, future posts).
    pub unpublished_slugs: HashSet<String>,
    /// Front matter of the posts and pages left out of this build (drafts, future posts), so that links
    /// to them can be told apart from links to nothing.
    pub unpublished: Vec<Meta>,
    pub series: Vec<SeriesSource>,
    pub comment_folders: Vec<CommentFolder>,
    /// The site's `static/` files: (source, output path).
    pub statics: Vec<(PathBuf, String)>,
}

impl<D> Default for Content<D> {
    fn default() -> Self {
        Content {
            posts: Vec::new(),
            pages: Vec::new(),
            unpublished_slugs: HashSet::new(),
            unpublished: Vec::new(),
            series: Vec::new(),
            comment_folders: Vec::new(),
            statics: Vec::new(),
        }
    }
}

/// What [`load_with`] does with each document that goes into the build, right after parsing it (on the
/// same thread, so its source text can be dropped at once): render it, say.
pub type Finish<'f, D> = dyn Fn(SourceDoc) -> std::result::Result<D, Vec<Diagnostic>> + Sync + 'f;

/// Read and validate the whole `content/` folder and `static/`.
pub fn load(config: &Config, opts: &BuildOptions, diags: &Diagnostics) -> Result<Content> {
    load_with(config, opts, diags, &|doc: SourceDoc| Ok(doc))
}

/// [`load`], handing each post and page that goes into the build to `finish` as soon as it is read.
pub fn load_with<D: Send>(
    config: &Config,
    opts: &BuildOptions,
    diags: &Diagnostics,
    finish: &Finish<'_, D>,
) -> Result<Content<D>> {
    // Listing thousands of comment folders is system calls on reader threads: it runs beside the
    // walk and parsing of the posts, which leave a core idle at times, instead of before them. This
    // runs on a pool worker that waits for the walk's thread at the end, so that thread must never
    // queue work on rayon's pool: it uses `readahead::map_io`, which does not.
    let (files, mut posts, mut pages, series, (comment_dirs, comment_errors)) =
        std::thread::scope(|s| {
            let comments = s.spawn(|| walk::discover_comments(&config.root, diags));
            let files = walk::discover_documents(&config.root, diags);
            let posts = parse_all(&files.posts, Kind::Post, config, opts, diags, finish);
            let pages = parse_all(&files.pages, Kind::Page, config, opts, diags, finish);
            let series = readahead::map_read(
                &files.series,
                |f| &f.path,
                |f, read| parse_series(f, read, diags),
            );
            let comments = comments
                .join()
                .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
            (files, posts, pages, series, comments)
        });
    let mut errors = files.errors;
    errors.extend(comment_errors);
    errors.append(&mut posts.errors);
    errors.append(&mut pages.errors);
    let folders = read_comment_folders(&comment_dirs, config, diags);
    let mut content = Content {
        statics: files.statics,
        ..Content::default()
    };
    for s in series {
        match s {
            Ok(s) => content.series.push(s),
            Err(d) => errors.push(d),
        }
    }
    for f in folders {
        match f {
            Ok(f) => content.comment_folders.push(f),
            Err(mut d) => errors.append(&mut d),
        }
    }
    if let Some(err) = Error::collect(errors) {
        return Err(err);
    }
    content.posts = posts.built;
    content.pages = pages.built;
    content
        .unpublished_slugs
        .extend(posts.left.iter().map(|meta| meta.slug.clone()));
    content.unpublished = posts.left;
    content.unpublished.append(&mut pages.left);
    Ok(content)
}

/// The documents of one kind read by [`load_with`], sorted out as they come back from the readers
/// (a document is some 800 bytes: each pass that moves ten thousand of them into a new list costs
/// milliseconds while the other core waits).
struct Parsed<D> {
    /// Finished, in the order of the files.
    built: Vec<D>,
    /// Left out of this build: drafts, future posts.
    left: Vec<Meta>,
    errors: Vec<Diagnostic>,
}

/// What reading one document gave.
enum Outcome<D> {
    Built(D),
    Left(Box<Meta>),
}

/// Whether a document goes into the build: posts by [`is_published`], pages unless they are drafts.
pub fn is_built(meta: &Meta, opts: &BuildOptions) -> bool {
    match meta.kind {
        Kind::Post => is_published(meta, opts),
        Kind::Page => opts.drafts || !meta.draft,
    }
}

/// Whether a post or page is built under `opts` (drafts and future posts are not, unless asked for).
pub fn is_published(meta: &Meta, opts: &BuildOptions) -> bool {
    let future = meta.date.is_some_and(|d| d.with_timezone(&Utc) > opts.now);
    (opts.drafts || !meta.draft) && (opts.future || !future)
}

fn parse_all<D: Send>(
    files: &[SourceFile],
    kind: Kind,
    config: &Config,
    opts: &BuildOptions,
    diags: &Diagnostics,
    finish: &Finish<'_, D>,
) -> Parsed<D> {
    let results = readahead::map_read(
        files,
        |f| &f.path,
        |f, read| {
            let doc = parse_source(f, read, kind, config, diags)?;
            if is_built(&doc.meta, opts) {
                finish(doc).map(Outcome::Built)
            } else {
                Ok(Outcome::Left(Box::new(doc.meta)))
            }
        },
    );
    let mut parsed = Parsed {
        built: Vec::with_capacity(results.len()),
        left: Vec::new(),
        errors: Vec::new(),
    };
    for r in results {
        match r {
            Ok(Outcome::Built(doc)) => parsed.built.push(doc),
            Ok(Outcome::Left(meta)) => parsed.left.push(*meta),
            Err(mut e) => parsed.errors.append(&mut e),
        }
    }
    parsed
}

/// Read one post or page.
pub fn parse_doc(
    file: &SourceFile,
    kind: Kind,
    config: &Config,
    diags: &Diagnostics,
) -> std::result::Result<SourceDoc, Vec<Diagnostic>> {
    parse_source(file, std::fs::read(&file.path), kind, config, diags)
}

/// [`parse_doc`] with the file already read (`read` is what reading it gave).
pub fn parse_source(
    file: &SourceFile,
    read: std::io::Result<Vec<u8>>,
    kind: Kind,
    config: &Config,
    diags: &Diagnostics,
) -> std::result::Result<SourceDoc, Vec<Diagnostic>> {
    let rel = file.rel.as_str();
    let one = |line: usize, msg: String| vec![Diagnostic::error(rel, Some(line), msg)];
    let bytes =
        read.map_err(|e| vec![Diagnostic::error(rel, None, format!("could not read: {e}"))])?;
    let text = frontmatter::normalize(&bytes).map_err(|(l, m)| one(l, m))?;
    let split = frontmatter::split(&text).map_err(|(l, m)| one(l, m))?;
    let Some(front) = split.front else {
        let what = if kind == Kind::Post {
            "`title:` and `date:`"
        } else {
            "`title:`"
        };
        // Hugo and Zola also read TOML between `+++` lines; lanyard reads YAML only.
        let toml = match text.trim_start().starts_with("+++") {
            true => " (front matter is YAML between `---` lines: TOML between `+++` lines is not read, so write `key: value` instead of `key = value`)",
            false => "",
        };
        return Err(one(
            1,
            format!(
                "no front matter: start the file with a `---` line, {what}, and another `---` line{toml}"
            ),
        ));
    };
    for (key, line) in frontmatter::keys(front, split.front_line).map_err(|(l, m)| one(l, m))? {
        if !FRONT_MATTER_KEYS.contains(&key.as_str()) {
            let value = value_on(front, line + 1 - split.front_line);
            if let Some(message) = hidden_elsewhere(&key, value, config) {
                return Err(one(line, message));
            }
            diags.warn(rel, Some(line), unknown_key(&key, value));
        }
    }
    let fm: FrontMatter =
        frontmatter::parse(front, split.front_line).map_err(|(l, m)| one(l, m))?;
    let meta = validate_meta(
        fm,
        front,
        split.front_line,
        split.body_line,
        file,
        kind,
        config,
        diags,
    )?;
    Ok(SourceDoc {
        meta,
        body: split.body.to_string(),
    })
}

/// The text after the colon on line `line` (1-based) of `front`.
fn value_on(front: &str, line: usize) -> &str {
    front
        .lines()
        .nth(line.saturating_sub(1))
        .and_then(|l| l.split_once(':'))
        .map_or("", |(_, v)| v)
}

/// The error for a Hugo date that kept a post hidden there: a `publishDate` still to come, or an
/// `expiryDate` already past. lanyard does not read them, so it would publish the post now; an error
/// is the one answer that cannot put a hidden post online. Other values stay unknown-key warnings.
fn hidden_elsewhere(key: &str, value: &str, config: &Config) -> Option<String> {
    let publish = match frontmatter::plain_key(key).as_str() {
        "publishdate" | "pubdate" => true,
        "expirydate" | "expirationdate" | "unpublishdate" => false,
        _ => return None,
    };
    let value = value.trim().trim_matches(['"', '\'']);
    let still_to_come = dates::parse(value, config.timezone).ok()? > chrono::Utc::now();
    match (publish, still_to_come) {
        (true, true) => Some(format!(
            "`{key}` {value} is still to come, so Hugo kept this post hidden, but lanyard does not read \
             it and would publish it now: make it the post's `date` (a post dated in the future is \
             built only with --future, or from that day)"
        )),
        (false, false) => Some(format!(
            "`{key}` {value} has passed, so Hugo no longer publishes this post, but lanyard does not read \
             it and would publish it again: remove the post, or add `draft: true`"
        )),
        _ => None,
    }
}

/// The warning for an unknown front matter key whose line holds `value` after its colon: what Hugo,
/// Jekyll and Zola call it points to lanyard's key, a misspelt key to the nearest known one.
fn unknown_key(key: &str, value: &str) -> String {
    if let Some((ours, note)) = frontmatter::known_elsewhere(key, value) {
        return format!(
            "unknown front matter key `{key}`: did you mean `{ours}`? ({note}; put other custom values under `extra:`)"
        );
    }
    match did_you_mean(key, FRONT_MATTER_KEYS) {
        Some(k) => format!("unknown front matter key `{key}` (did you mean `{k}`?)"),
        None => format!("unknown front matter key `{key}`: put custom values under `extra:`"),
    }
}

/// Lines of the front matter's keys, as file lines.
struct Lines<'a> {
    front: &'a str,
    start: usize,
}

impl Lines<'_> {
    fn of(&self, key: &str) -> usize {
        frontmatter::key_line(self.front, key).map_or(self.start, |l| l + self.start - 1)
    }
}

#[allow(clippy::too_many_arguments)]
fn validate_meta(
    fm: FrontMatter,
    front: &str,
    front_line: usize,
    body_line: usize,
    file: &SourceFile,
    kind: Kind,
    config: &Config,
    diags: &Diagnostics,
) -> std::result::Result<Meta, Vec<Diagnostic>> {
    let rel = file.rel.as_str();
    let lines = Lines {
        front,
        start: front_line,
    };
    let mut errors = Vec::new();
    let mut err =
        |key: &str, msg: String| errors.push(Diagnostic::error(rel, Some(lines.of(key)), msg));
    let title = fm.title.map(|t| t.0.trim().to_string()).unwrap_or_default();
    if title.is_empty() {
        err(
            "title",
            "missing `title`: add e.g. `title: \"My first tip\"` to the front matter".into(),
        );
    }
    let stem_date = file.stem_date.as_deref();
    let date = match (fm.date.as_ref(), stem_date) {
        (Some(d), _) => dates::parse(&d.0, config.timezone)
            .map_err(|m| err("date", format!("date {m}")))
            .ok(),
        (None, Some(d)) => dates::parse(d, config.timezone)
            .map_err(|m| {
                err(
                    "date",
                    format!("the date in the file name, {m}; or add a `date:` line"),
                )
            })
            .ok(),
        (None, None) if kind == Kind::Post => {
            let msg = match dates::bad_date_prefix(&file.stem) {
                Some(p) => format!(
                    "the file name starts with `{p}`, which is not a real date: fix the name, or add \
                     e.g. `date: 2024-03-05` to the front matter"
                ),
                None => "missing `date`: add e.g. `date: 2024-03-05` (or prefix the file name with the date)".into(),
            };
            err("title", msg);
            None
        }
        (None, None) => None,
    };
    let updated = fm.updated.as_ref().and_then(|d| {
        dates::parse(&d.0, config.timezone)
            .map_err(|m| err("updated", format!("updated {m}")))
            .ok()
    });
    if let (Some(date), Some(up)) = (date, updated) {
        if up < date {
            diags.warn(
                rel,
                Some(lines.of("updated")),
                "`updated` is earlier than `date`: feeds and the sitemap would say the post changed \
                 before it was published; fix one of the two",
            );
        }
    }
    let slug = match fm.slug.as_ref() {
        Some(s) => slug::explicit_slug(&s.0)
            .map_err(|m| err("slug", m))
            .unwrap_or_default(),
        None => {
            let derived = slug::slugify(&file.stem);
            if derived.is_empty() {
                err(
                    "title",
                    format!(
                        "cannot make a URL slug from the file name `{}`: add `slug: my-post`",
                        file.stem
                    ),
                );
            }
            derived
        }
    };
    let fm_keys: Vec<&'static str> = [
        ("series", fm.series.is_some()),
        ("part", fm.part.is_some()),
        ("tags", !fm.tags.0.is_empty()),
        ("comments", !fm.comments.is_empty()),
    ]
    .into_iter()
    .filter_map(|(key, present)| present.then_some(key))
    .collect();
    let series = series_ref(fm.series.as_ref(), fm.part, kind, &lines, &mut err);
    let aliases = fm
        .aliases
        .0
        .iter()
        .filter_map(|a| match url_path_to_file(a) {
            Ok(out) => {
                if is_feed_address(a) {
                    let message = format!(
                        "alias `{a}` looks like a feed's address, but an alias is an HTML redirect \
                         page, which feed readers do not follow: subscribers there get a page, not a \
                         feed; lanyard's feeds are at /rss.xml and /atom.xml"
                    );
                    diags.warn(rel, Some(lines.of("aliases")), message);
                }
                Some((out, a.clone()))
            }
            Err(m) => {
                err("aliases", format!("alias `{a}`: {m}"));
                None
            }
        })
        .collect();
    if fm
        .extra
        .as_ref()
        .is_some_and(|e| !e.is_object() && !e.is_null())
    {
        err(
            "extra",
            "`extra` must be a map of your own keys, e.g. `extra: { hero: \"pic.png\" }`".into(),
        );
    }
    let mut comments = Vec::new();
    if !fm.comments.is_empty() {
        // Each comment's own lines, when the list's entries were all found; else the `comments:` line.
        let mut found = frontmatter::comment_lines(front, front_line);
        if found.len() != fm.comments.len() {
            found = vec![frontmatter::CommentLines::at(lines.of("comments")); fm.comments.len()];
        }
        for (i, (raw, at)) in fm.comments.into_iter().zip(found).enumerate() {
            match comments::validate(raw, (i + 1).to_string(), rel, at, config.timezone, diags) {
                Ok(c) => comments.push(c),
                Err(d) => errors.push(d),
            }
        }
    }
    let summary = fm.summary.map(|s| s.0).filter(|s| !s.trim().is_empty());
    if kind == Kind::Page {
        warn_post_only_keys(&fm_keys, &lines, rel, diags);
    } else if fm.weight.is_some() {
        // Hugo sorts any list by `weight`; lanyard's posts go by date, so it would be lost without a word.
        let message =
            "`weight` orders pages in the menu; posts are listed by date, so it is not used \
                       here: remove it, or change the post's `date` to move it";
        diags.warn(rel, Some(lines.of("weight")), message);
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    let tags = clean_tags(fm.tags.0, || {
        let line = Some(lines.of("tags"));
        let hint = "remove it, or write the tag's name between the quotes";
        diags.warn(rel, line, format!("an empty tag is ignored: {hint}"));
    });
    // `tags: "liquid, jekyll"` (a list as Jekyll and Hugo users write one) is one tag by the spec,
    // which is seldom what was meant.
    for tag in tags.iter().filter(|t| t.contains(',')) {
        let list = tag.split(',').map(str::trim).collect::<Vec<_>>().join(", ");
        let message = format!(
            "the tag `{tag}` holds a comma, so it is one tag; for several, write a list: `tags: [{list}]`"
        );
        diags.warn(rel, Some(lines.of("tags")), message);
    }
    Ok(Meta {
        kind,
        file: rel.to_string(),
        title,
        slug,
        date,
        updated,
        author: fm
            .author
            .map(|a| a.0.trim().to_string())
            .filter(|a| !a.is_empty()),
        author_line: lines.of("author"),
        tags_line: lines.of("tags"),
        tags,
        series,
        summary_line: if summary.is_some() {
            lines.of("summary")
        } else {
            0
        },
        summary,
        draft: fm.draft || fm.published == Some(false),
        aliases,
        aliases_line: lines.of("aliases"),
        slug_line: if fm.slug.is_some() {
            lines.of("slug")
        } else {
            front_line
        },
        comments,
        extra: fm
            .extra
            .filter(|e| !e.is_null())
            .unwrap_or_else(|| serde_json::Value::Object(Default::default())),
        weight: fm.weight.map_or(0, |w| w.0),
        template_line: if fm.template.is_some() {
            lines.of("template")
        } else {
            0
        },
        template: fm.template.map(|t| t.0),
        assets: file.assets.clone(),
        body_line,
    })
}

/// A page with a post's keys: pages have no series, tags or comments, so the keys would be lost
/// without a word. One warning, at the first of them.
fn warn_post_only_keys(present: &[&'static str], lines: &Lines, rel: &str, diags: &Diagnostics) {
    let mut present = present.to_vec();
    present.sort_by_key(|key| lines.of(key));
    let Some(first) = present.first() else {
        return;
    };
    let keys: Vec<String> = present.iter().map(|k| format!("`{k}`")).collect();
    diags.warn(
        rel,
        Some(lines.of(first)),
        format!(
            "pages have no series, tags or comments, so {} {} not used: make it a post in content/posts/, or remove {}",
            keys.join(", "),
            if keys.len() == 1 { "is" } else { "are" },
            if keys.len() == 1 { "it" } else { "them" },
        ),
    );
}

fn series_ref(
    series: Option<&frontmatter::Text>,
    part: Option<frontmatter::Number>,
    kind: Kind,
    lines: &Lines,
    err: &mut impl FnMut(&str, String),
) -> Option<SeriesRef> {
    if kind == Kind::Page {
        return None;
    }
    match (series, part) {
        (None, None) => None,
        (None, Some(_)) => {
            err(
                "part",
                "`part` without `series`: add `series: \"Series name\"` or remove `part`".into(),
            );
            None
        }
        (Some(_), None) => {
            err(
                "series",
                "`series` without `part`: add `part: N` (the part number, from 1)".into(),
            );
            None
        }
        (Some(name), Some(part)) => {
            let name = name.0.trim().to_string();
            let id = slug::series_id(&name);
            if id.is_empty() {
                err(
                    "series",
                    format!("series name `{name}` has no letters or digits to make an id from"),
                );
                return None;
            }
            if id.len() > crate::output::MAX_NAME {
                err("series", too_long("series name", &id));
                return None;
            }
            if part.0 < 1 || part.0 > MAX_PARTS {
                let range = if part.0 < 1 {
                    "parts are numbered from 1".to_string()
                } else {
                    format!("parts are numbered from 1 to {MAX_PARTS}")
                };
                err("part", format!("part {} is out of range: {range}", part.0));
                return None;
            }
            Some(SeriesRef {
                name,
                id,
                part: part.0 as u32,
                line: lines.of("part"),
            })
        }
    }
}

/// Whether an alias is the address of a feed elsewhere (Jekyll's `/feed.xml`, Hugo's `/index.xml`).
fn is_feed_address(alias: &str) -> bool {
    let path = alias
        .split(['?', '#'])
        .next()
        .unwrap_or_default()
        .to_ascii_lowercase();
    [".xml", ".rss", ".atom", ".json"]
        .iter()
        .any(|ext| path.ends_with(ext))
        || path.trim_end_matches('/').ends_with("/feed")
}

/// Trim, normalize (NFC) and de-duplicate tags case-insensitively, keeping the first spelling. (Two
/// spellings of one slug in one post, `Go` and `GO!`, are merged when the site's tags are indexed.)
/// Blank tags are left out, and `on_blank` is called once if there were any.
fn clean_tags(tags: Vec<String>, mut on_blank: impl FnMut()) -> Vec<String> {
    let mut seen = HashSet::new();
    let mut blank = false;
    let tags = tags
        .into_iter()
        .map(|t| t.trim().nfc().collect::<String>())
        .filter(|t| {
            blank |= t.is_empty();
            !t.is_empty() && seen.insert(t.nfkc().collect::<String>().to_lowercase())
        })
        .collect();
    if blank {
        on_blank();
    }
    tags
}

/// The identity of a tag: its URL slug. "Networking", "networking" and "NETWORKING" are one tag, and
/// so are "Réseautage" and "reseautage", or "machine learning" and "Machine-Learning", as in Zola and
/// as series names are: two tags at one address would otherwise push one of them to `-2`, and an old
/// tag's address would move when a new post spells it differently.
/// The error for a tag or series whose folder name (`id`) is longer than a file system takes.
pub fn too_long(what: &str, id: &str) -> String {
    format!(
        "this {what} makes a folder name {}: shorten it",
        crate::output::too_long(id)
    )
}

pub fn tag_key(name: &str) -> String {
    slug::tag_slug(name)
}

/// Read `content/series/<id>.md`.
pub fn read_series(
    file: &SourceFile,
    diags: &Diagnostics,
) -> std::result::Result<SeriesSource, Diagnostic> {
    parse_series(file, std::fs::read(&file.path), diags)
}

/// [`read_series`] with the file already read (`read` is what reading it gave).
fn parse_series(
    file: &SourceFile,
    read: std::io::Result<Vec<u8>>,
    diags: &Diagnostics,
) -> std::result::Result<SeriesSource, Diagnostic> {
    let rel = file.rel.as_str();
    let bytes = read.map_err(|e| Diagnostic::error(rel, None, format!("could not read: {e}")))?;
    let text =
        frontmatter::normalize(&bytes).map_err(|(l, m)| Diagnostic::error(rel, Some(l), m))?;
    let split = frontmatter::split(&text).map_err(|(l, m)| Diagnostic::error(rel, Some(l), m))?;
    let (fm, total_line) = match split.front {
        None => (SeriesFrontMatter::default(), 1),
        Some(front) => {
            for (key, line) in frontmatter::keys(front, split.front_line)
                .map_err(|(l, m)| Diagnostic::error(rel, Some(l), m))?
            {
                if !SERIES_KEYS.contains(&key.as_str()) {
                    let hint = did_you_mean(&key, SERIES_KEYS)
                        .map(|k| format!(" (did you mean `{k}`?)"))
                        .unwrap_or_default();
                    diags.warn(rel, Some(line), format!("unknown series key `{key}`{hint}"));
                }
            }
            let fm: SeriesFrontMatter = frontmatter::parse(front, split.front_line)
                .map_err(|(l, m)| Diagnostic::error(rel, Some(l), m))?;
            let line =
                frontmatter::key_line(front, "total").map_or(1, |l| l + split.front_line - 1);
            (fm, line)
        }
    };
    let total = match fm.total {
        None => None,
        Some(n) if (1..=MAX_PARTS).contains(&n.0) => Some(n.0 as u32),
        Some(n) => {
            let message = if n.0 < 1 {
                format!("total {} must be at least 1", n.0)
            } else {
                format!(
                    "total {} is too large: a series can have at most {MAX_PARTS} parts",
                    n.0
                )
            };
            return Err(Diagnostic::error(rel, Some(total_line), message));
        }
    };
    Ok(SeriesSource {
        id: file.stem.clone(),
        file: rel.to_string(),
        title: fm
            .title
            .map(|t| t.0.trim().to_string())
            .filter(|t| !t.is_empty()),
        total,
        total_line,
        description: split.body.to_string(),
        body_line: split.body_line,
        extra: fm.extra.unwrap_or(serde_json::Value::Null),
    })
}

/// Read every comment file of one `content/comments/<slug>/` folder.
pub fn read_comment_folder(
    slug: &str,
    dir: &str,
    files: &[SourceFile],
    config: &Config,
    diags: &Diagnostics,
) -> std::result::Result<CommentFolder, Vec<Diagnostic>> {
    let read = files
        .iter()
        .map(|f| comments::read_file(&f.path, &f.rel, config.timezone, diags));
    comment_folder(slug, dir, read)
}

/// A comment folder from the outcome of reading each of its files.
fn comment_folder(
    slug: &str,
    dir: &str,
    read: impl Iterator<Item = std::result::Result<Comment, Diagnostic>>,
) -> std::result::Result<CommentFolder, Vec<Diagnostic>> {
    let mut comments = Vec::new();
    let mut errors = Vec::new();
    for r in read {
        match r {
            Ok(c) => comments.push(c),
            Err(d) => errors.push(d),
        }
    }
    if errors.is_empty() {
        Ok(CommentFolder {
            slug: slug.to_string(),
            dir: dir.to_string(),
            comments,
        })
    } else {
        Err(errors)
    }
}

/// Every comment folder, all their files read in one stream (a folder holds a few files; a site
/// thousands of folders).
fn read_comment_folders(
    dirs: &[(String, String, Vec<SourceFile>)],
    config: &Config,
    diags: &Diagnostics,
) -> Vec<std::result::Result<CommentFolder, Vec<Diagnostic>>> {
    let files: Vec<&SourceFile> = dirs.iter().flat_map(|(_, _, list)| list).collect();
    let tz = config.timezone;
    let mut read = readahead::map_read(
        &files,
        |f| &f.path,
        |f, bytes| comments::parse_file(&f.path, &f.rel, bytes, tz, diags),
    )
    .into_iter();
    dirs.iter()
        .map(|(slug, dir, list)| comment_folder(slug, dir, read.by_ref().take(list.len())))
        .collect()
}

/// Group comment files by their folder (used by the walker).
pub(crate) fn group_by_folder(
    files: Vec<(String, String, SourceFile)>,
) -> Vec<(String, String, Vec<SourceFile>)> {
    let mut map: BTreeMap<(String, String), Vec<SourceFile>> = BTreeMap::new();
    for (slug, dir, f) in files {
        map.entry((slug, dir)).or_default().push(f);
    }
    map.into_iter()
        .map(|((slug, dir), files)| (slug, dir, files))
        .collect()
}

/// `path` relative to `root`, `/`-separated, for messages.
pub fn rel_path(root: &Path, path: &Path) -> String {
    let rel = path.strip_prefix(root).unwrap_or(path);
    rel.to_string_lossy().replace('\\', "/")
}
