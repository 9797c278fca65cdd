//! Source documents → [`Site`]: rendered posts and every index over them, built once, read-only after.
//!
//! Markdown is rendered here (in parallel), then the indexes the templates need are computed in one pass
//! each: tags, series, authors, years, chronological neighbours and related posts. Indexes hold positions
//! into `Site::posts` rather than copies, so a listing page borrows what it shows and no page ever clones
//! the post list. Site-wide validation (series parts, comment folders, replies) lives here because it
//! needs every post at once.

use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, Datelike, FixedOffset};
use rayon::prelude::*;
use serde::Serialize;

use crate::config::{Config, PermalinkPart};
use crate::content::comments::Comment;
use crate::content::{self, slug, Content, Kind, Meta, SeriesSource, SourceDoc};
use crate::error::{Diagnostic, Diagnostics, Error, Lint, Result};
use crate::i18n::Strings;
use crate::markdown::{self, Highlighter, LinkRef, TocEntry};
use crate::spill::{self, Body, Spill};

/// Reading speed used for `reading_time`, in words per minute.
const WORDS_PER_MINUTE: usize = 200;
/// Replies deeper than this are shown at this depth.
const MAX_THREAD_DEPTH: usize = 6;
/// Related posts are looked for among this many neighbours of each shared tag, which keeps the cost linear.
const RELATED_WINDOW: usize = 64;

/// One comment of a rendered thread.
#[derive(Debug, Clone, Serialize)]
pub struct ThreadComment {
    pub id: String,
    pub anchor: String,
    pub author: String,
    pub url: Option<String>,
    pub date: String,
    pub date_display: String,
    pub body_html: String,
    pub replies: Vec<ThreadComment>,
    /// For a reply shown flat below the last nesting level, away from the comment it answers: that
    /// comment. `None` everywhere else, where the nesting shows it.
    pub reply_to: Option<ReplyTo>,
}

/// The comment a reply answers, as a flat reply names it.
#[derive(Debug, Clone, Serialize)]
pub struct ReplyTo {
    pub author: String,
    pub anchor: String,
}

/// A post or page with its Markdown rendered.
#[derive(Debug, Clone)]
pub struct Doc {
    pub meta: Meta,
    /// Root-relative URL path (`/posts/2024/x/`).
    pub path: String,
    /// The output file (`posts/2024/x/index.html`).
    pub out_file: String,
    /// What every listing of the document shows, formatted once rather than at each of its many
    /// appearances: its absolute URL, its date (RFC 3339 and for display), its update date (RFC 3339).
    pub url: String,
    pub date_rfc3339: Option<String>,
    pub date_display: String,
    pub updated_rfc3339: Option<String>,
    /// The full body; parked on disk during `lanyard build` (see [`crate::spill`]).
    pub content_html: Body,
    pub summary_html: String,
    pub has_more: bool,
    pub toc: Vec<TocEntry>,
    pub word_count: usize,
    pub reading_time: usize,
    pub heading_ids: Vec<String>,
    pub links: Vec<LinkRef>,
    pub images_without_alt: Vec<usize>,
    /// Another generator's template syntax in the body, at file lines (see [`crate::lint::links`]).
    pub template_syntax: Vec<markdown::TemplateSyntax>,
    pub comments: Vec<ThreadComment>,
    pub comment_count: usize,
    /// Links in the comments' Markdown, each with the comment's file and line (the line of the comment,
    /// not of the link: comment bodies sit inside YAML, so a link's own line is looked up when reported).
    pub comment_links: Vec<CommentLink>,
}

/// A link written in a reader's comment.
#[derive(Debug, Clone)]
pub struct CommentLink {
    pub file: String,
    pub line: usize,
    pub link: LinkRef,
}

impl Doc {
    pub fn date(&self) -> Option<&DateTime<FixedOffset>> {
        self.meta.date.as_ref()
    }
}

#[derive(Debug, Clone)]
pub struct Tag {
    pub name: String,
    pub slug: String,
    pub path: String,
    /// Newest first.
    pub posts: Vec<usize>,
}

#[derive(Debug, Clone)]
pub struct Series {
    pub id: String,
    pub title: String,
    pub path: String,
    pub total: Option<u32>,
    pub description_html: String,
    /// The description's file (`content/series/<id>.md`), if the series has one.
    pub file: Option<String>,
    /// Links in the description, with their lines in `file`.
    pub description_links: Vec<LinkRef>,
    pub extra: serde_json::Value,
    /// part number → post index
    pub parts: BTreeMap<u32, usize>,
}

impl Series {
    /// "M" in "Part N of M": the planned total, else the highest published part.
    pub fn shown_total(&self) -> u32 {
        self.total
            .unwrap_or_else(|| self.parts.keys().next_back().copied().unwrap_or(0))
    }
}

#[derive(Debug, Clone)]
pub struct Author {
    pub id: String,
    pub name: String,
    pub url: Option<String>,
    pub path: String,
    pub posts: Vec<usize>,
}

/// The whole site, indexed.
#[derive(Debug)]
pub struct Site {
    pub config: Config,
    /// Newest first.
    pub posts: Vec<Doc>,
    /// By weight, then title.
    pub pages: Vec<Doc>,
    /// Tags, series, authors, years and the per-post links into them.
    pub ix: Indexes,
    pub statics: Vec<(std::path::PathBuf, String)>,
    /// Posts and pages left out of this build (drafts, future posts), for the link checker.
    pub unpublished: Vec<Meta>,
    /// Where parked bodies are, when they are parked.
    pub spill: Option<Spill>,
}

/// Every index of a [`Site`], apart from the documents they point into.
///
/// Split out so that the dev server can keep its rendered documents across rebuilds: it sorts and
/// indexes borrowed documents, and only moves them into a `Site` once indexing has succeeded.
#[derive(Debug, Clone)]
pub struct Indexes {
    /// By name.
    pub tags: Vec<Tag>,
    /// By title.
    pub series: Vec<Series>,
    pub authors: Vec<Author>,
    /// Newest year first; posts newest first.
    pub years: Vec<(i32, Vec<usize>)>,
    pub post_tags: Vec<Vec<usize>>,
    pub post_author: Vec<Option<usize>>,
    pub post_series: Vec<Option<usize>>,
    pub related: Vec<Vec<usize>>,
}

/// Index everything read from `content/`, whose documents [`finish`] has rendered: attach each post's
/// comment folder, thread and render the comments, sort, index.
pub fn assemble(
    config: Config,
    content: Content<Doc>,
    highlighter: &Highlighter,
    diags: &Diagnostics,
    spill: Option<Spill>,
) -> Result<Site> {
    let Content {
        mut posts,
        mut pages,
        series,
        statics,
        comment_folders,
        unpublished_slugs,
        unpublished,
    } = content;
    attach_comment_files(&mut posts, comment_folders, &unpublished_slugs, diags);
    posts
        .par_iter_mut()
        .chain(pages.par_iter_mut())
        .for_each(|doc| thread_comments(doc, &config.strings, diags));
    sort_docs(&mut posts, &mut pages);
    warn_hidden_clashes(&posts, &pages, &unpublished, &series, &config, diags);
    let indexes = index(&posts, series, &config, highlighter, diags)?;
    let mut site = Site::from_parts(config, posts, pages, indexes, statics, unpublished);
    site.spill = spill;
    Ok(site)
}

/// Report the drafts and future posts that this build leaves out but that will make it fail once they
/// are in it: a series part that another post claims, a part above the series' `total`, or an output
/// file (the page itself or an alias) that another document writes. Without this, `build` succeeds
/// today and `build --future` (or the day the post comes due) fails.
///
/// The maps hold only the left-out documents (usually a handful); the built ones are looked up in them
/// in one pass, so the cost is linear in the number of posts and nothing when nothing is left out.
pub(crate) fn warn_hidden_clashes(
    posts: &[Doc],
    pages: &[Doc],
    hidden: &[Meta],
    series: &[SeriesSource],
    config: &Config,
    diags: &Diagnostics,
) {
    use std::collections::hash_map::Entry;
    if hidden.is_empty() {
        return;
    }
    const PART_FIX: &str = "give one of them another part";
    // `clash` says what `meta` shares with `other`; `other_hidden` is set when `other` is left out too.
    let report = |meta: &Meta,
                  line: Option<usize>,
                  clash: String,
                  other: &Meta,
                  other_hidden: bool,
                  fix: &str| {
        let this = if meta.kind == Kind::Page {
            "page"
        } else {
            "post"
        };
        let why = why_hidden(meta);
        let message = if other_hidden {
            format!(
                "{clash}; this {this} is {why} and {} is {}, so this build leaves both out, but the build will fail once both are published: {fix}",
                other.file,
                why_hidden(other)
            )
        } else {
            format!(
                "{clash}; this {this} is {why}, so this build leaves it out, but the build will fail once it is published: {fix}"
            )
        };
        diags.push(Diagnostic::warning(&meta.file, line, message).with_lint(Lint::HiddenClash));
    };
    let part_clash = |r: &content::SeriesRef, other: &Meta| {
        format!(
            "part {} of series `{}` is also claimed by {}",
            r.part, r.name, other.file
        )
    };
    let totals: HashMap<&str, (u32, &str)> = series
        .iter()
        .filter_map(|s| Some((s.id.as_str(), (s.total?, s.file.as_str()))))
        .collect();
    // The left-out documents' parts, and their output files with how each is written (`Some(alias)`
    // for an alias).
    let mut parts: HashMap<(&str, u32), &Meta> = HashMap::new();
    let mut outputs: HashMap<String, (&Meta, Option<&str>)> = HashMap::new();
    let out_clash = |out: &str, alias: Option<&str>, other: &Meta| match alias {
        None => format!("writes `{out}`, which {} also writes", other.file),
        Some(a) => format!(
            "alias `{a}` writes `{out}`, which {} also writes",
            other.file
        ),
    };
    for meta in hidden {
        if let Some(r) = &meta.series {
            if let Some(&(total, file)) = totals.get(r.id.as_str()).filter(|t| r.part > t.0) {
                let message = format!(
                    "part {} is above the series total of {total} (set in {file}); this post is {}, so this build leaves it out, but the build will fail once it is published: raise `total` or fix `part`",
                    r.part,
                    why_hidden(meta)
                );
                diags.push(
                    Diagnostic::warning(&meta.file, Some(r.line), message)
                        .with_lint(Lint::HiddenClash),
                );
            }
            match parts.entry((r.id.as_str(), r.part)) {
                Entry::Occupied(first) => {
                    let first = *first.get();
                    report(
                        meta,
                        Some(r.line),
                        part_clash(r, first),
                        first,
                        true,
                        PART_FIX,
                    );
                }
                Entry::Vacant(slot) => {
                    slot.insert(meta);
                }
            }
        }
        let own = crate::output::url_path_to_file(&doc_path(meta, config))
            .ok()
            .map(|out| (out, None));
        let aliases = meta
            .aliases
            .iter()
            .map(|(out, alias)| (out.clone(), Some(alias.as_str())));
        for (out, alias) in own.into_iter().chain(aliases) {
            let line = Some(out_line(meta, alias));
            match outputs.entry(out) {
                Entry::Occupied(slot) => {
                    let (first, _) = *slot.get();
                    let clash = out_clash(slot.key(), alias, first);
                    report(meta, line, clash, first, true, crate::render::CLASH_FIX);
                }
                Entry::Vacant(slot) => {
                    slot.insert((meta, alias));
                }
            }
        }
    }
    for doc in posts {
        if let Some(r) = &doc.meta.series {
            if let Some(&meta) = parts.get(&(r.id.as_str(), r.part)) {
                let line = meta.series.as_ref().map(|h| h.line);
                report(
                    meta,
                    line,
                    part_clash(r, &doc.meta),
                    &doc.meta,
                    false,
                    PART_FIX,
                );
            }
        }
    }
    for doc in posts.iter().chain(pages) {
        let written = std::iter::once(doc.out_file.as_str())
            .chain(doc.meta.aliases.iter().map(|(out, _)| out.as_str()));
        for out in written {
            if let Some(&(meta, alias)) = outputs.get(out) {
                let line = Some(out_line(meta, alias));
                let clash = out_clash(out, alias, &doc.meta);
                report(
                    meta,
                    line,
                    clash,
                    &doc.meta,
                    false,
                    crate::render::CLASH_FIX,
                );
            }
        }
    }
}

/// The line that decides where a document writes: its `aliases:` line for an alias, else its `slug:`.
fn out_line(meta: &Meta, alias: Option<&str>) -> usize {
    alias.map_or(meta.slug_line, |_| meta.aliases_line)
}

/// Why a document is left out of a build: "a draft", "dated in the future (2099-01-02)", or both.
fn why_hidden(meta: &Meta) -> String {
    let future = meta
        .date
        .filter(|d| d.with_timezone(&chrono::Utc) > chrono::Utc::now())
        .map(|d| d.format("%Y-%m-%d").to_string());
    match (meta.draft, future) {
        (true, None) => "a draft".to_string(),
        (false, Some(d)) => format!("dated in the future ({d})"),
        (true, Some(d)) => format!("a draft dated in the future ({d})"),
        (false, None) => "not published yet".to_string(),
    }
}

/// What the build does with each document as soon as it is read ([`content::load_with`]): render its
/// Markdown and, with `spill`, park the body there, so neither its source nor its HTML stays in memory.
/// Comments are attached later, in [`assemble`], once every post's slug is known.
pub fn finish(
    doc: SourceDoc,
    config: &Config,
    highlighter: &Highlighter,
    spill: Option<&Spill>,
) -> std::result::Result<Doc, Vec<Diagnostic>> {
    let mut doc = render_body(doc, config, highlighter);
    if let (Some(spill), Body::Html(html)) = (spill, &mut doc.content_html) {
        doc.content_html = spill.park(std::mem::take(html)).map_err(|e| {
            vec![Diagnostic::error(
                &doc.meta.file,
                None,
                format!("could not park the rendered page in a temporary file: {e}"),
            )]
        })?;
    }
    Ok(doc)
}

/// Posts newest first (ties by title, then path); pages by weight, then title.
pub fn sort_docs(posts: &mut [Doc], pages: &mut [Doc]) {
    sort_moving_once(posts, post_order);
    sort_moving_once(pages, page_order);
}

/// The order of posts: newest first, then by title (see [`collate`]), then by path.
pub fn post_order(a: &Doc, b: &Doc) -> std::cmp::Ordering {
    b.date()
        .cmp(&a.date())
        .then_with(|| collate(&a.meta.title, &b.meta.title))
        .then_with(|| a.path.cmp(&b.path))
}

/// Names in the order a reader looks for them: case and accents aside (`Élan` between `Echo` and
/// `Fox`, not after `zeta`), then as written, so that every build sorts alike. A language's own
/// alphabet (Swedish `Ä` after `Z`) is beyond it. Compares without allocating: post order calls it
/// for every tie.
pub fn collate(a: &str, b: &str) -> std::cmp::Ordering {
    fn folded(s: &str) -> impl Iterator<Item = char> + '_ {
        use unicode_normalization::{char::is_combining_mark, UnicodeNormalization};
        s.nfd()
            .filter(|c| !is_combining_mark(*c))
            .flat_map(char::to_lowercase)
    }
    folded(a).cmp(folded(b)).then_with(|| a.cmp(b))
}

/// The order of pages: by weight, then by title (a stable sort keeps ties in walk order). As in Hugo, a
/// page without a weight (or weight 0) comes after every weighted one, so weighting one page does not
/// push it behind all the others.
pub fn page_order(a: &Doc, b: &Doc) -> std::cmp::Ordering {
    let key = |d: &Doc| (d.meta.weight == 0, d.meta.weight);
    key(a)
        .cmp(&key(b))
        .then_with(|| a.meta.title.cmp(&b.meta.title))
}

/// A stable sort that moves each document at most once: a document is some 800 bytes, and sorting
/// them in place moved ten thousand of them many times over while the other core waited (5–7 ms at
/// 10,000 posts). The positions are sorted instead, then the documents are put where they belong.
fn sort_moving_once(docs: &mut [Doc], cmp: impl Fn(&Doc, &Doc) -> std::cmp::Ordering) {
    let mut order: Vec<usize> = (0..docs.len()).collect();
    order.sort_by(|&a, &b| cmp(&docs[a], &docs[b]));
    apply_order(docs, order);
}

/// Rearrange `items` so that position `i` holds what was at `order[i]` (`order` is a permutation),
/// following each cycle of the permutation with swaps.
fn apply_order<T>(items: &mut [T], mut order: Vec<usize>) {
    for start in 0..items.len() {
        let mut at = start;
        // `order[at] == at` marks a position already filled.
        while order[at] != start {
            let from = order[at];
            items.swap(at, from);
            order[at] = at;
            at = from;
        }
        order[at] = at;
    }
}

/// Every index over posts already in [`sort_docs`] order.
pub fn index(
    posts: &[Doc],
    series: Vec<SeriesSource>,
    config: &Config,
    highlighter: &Highlighter,
    diags: &Diagnostics,
) -> Result<Indexes> {
    // Independent of each other: tags and related posts on one side, the rest on the other.
    let (tagged, (series, (authors, post_author), years)) = rayon::join(
        || -> Result<_> {
            let (tags, post_tags) = index_tags(posts)?;
            let related = related_posts(posts, &tags, &post_tags, config.related_posts);
            Ok(((tags, post_tags), related))
        },
        || {
            (
                index_series(posts, series, highlighter, diags),
                index_authors(posts, config, diags),
                index_years(posts),
            )
        },
    );
    let ((tags, post_tags), related) = tagged?;
    let (series, post_series) = series?;
    Ok(Indexes {
        tags,
        series,
        authors,
        years,
        post_tags,
        post_author,
        post_series,
        related,
    })
}

impl Site {
    /// A site from sorted documents and the indexes computed over them.
    pub fn from_parts(
        config: Config,
        posts: Vec<Doc>,
        pages: Vec<Doc>,
        ix: Indexes,
        statics: Vec<(std::path::PathBuf, String)>,
        unpublished: Vec<Meta>,
    ) -> Site {
        Site {
            config,
            posts,
            pages,
            ix,
            statics,
            unpublished,
            spill: None,
        }
    }

    /// The name post `i`'s byline shows: a configured author's `name`, else the name as the post
    /// writes it (two posts by "Bob Smith" and "bob smith" share an author page, each keeping its own
    /// spelling).
    pub fn author_name(&self, i: usize) -> Option<&str> {
        let a = &self.ix.authors[self.ix.post_author[i]?];
        // An entry of `[authors]` has its id as its key; any other author, a slug no entry has.
        match self.config.authors.contains_key(&a.id) {
            true => Some(&a.name),
            false => self.posts[i].meta.author.as_deref().or(Some(&a.name)),
        }
    }

    /// The full body of `doc`, read back if it was parked.
    pub fn body<'a>(&self, doc: &'a Doc) -> std::io::Result<Cow<'a, str>> {
        spill::text(&doc.content_html, self.spill.as_ref())
    }

    /// The parts back: (posts, pages, indexes), for callers that keep documents across builds.
    pub fn into_parts(self) -> (Vec<Doc>, Vec<Doc>, Indexes) {
        (self.posts, self.pages, self.ix)
    }
}

/// Move each comment folder's comments into its post; folders whose post is not in the build are
/// reported (unless the post exists but is a draft or dated in the future).
fn attach_comment_files(
    posts: &mut [Doc],
    folders: Vec<content::CommentFolder>,
    unpublished: &std::collections::HashSet<String>,
    diags: &Diagnostics,
) {
    let by_slug: HashMap<String, usize> = posts
        .iter()
        .enumerate()
        .map(|(i, p)| (p.meta.slug.clone(), i))
        .collect();
    for folder in folders {
        match by_slug.get(&folder.slug) {
            Some(&i) => posts[i].meta.comments.extend(folder.comments),
            None if unpublished.contains(&folder.slug) => {}
            None => {
                let message = format!(
                    "comment folder for a post that does not exist: no post has the slug `{}`",
                    folder.slug
                );
                diags.push(
                    Diagnostic::warning(&folder.dir, None, message).with_lint(Lint::OrphanComments),
                );
            }
        }
    }
}

/// Render one document with its comments; `files` are the comments of its `content/comments/<slug>/`
/// folder. (The dev server renders document by document; the build uses [`finish`] and [`assemble`].)
pub fn render_doc(
    doc: SourceDoc,
    config: &Config,
    highlighter: &Highlighter,
    files: &[Comment],
    diags: &Diagnostics,
) -> Doc {
    let mut doc = render_body(doc, config, highlighter);
    doc.meta.comments.extend(files.iter().cloned());
    thread_comments(&mut doc, &config.strings, diags);
    doc
}

/// Render a document's Markdown. Its comments stay in `meta.comments` for [`thread_comments`].
fn render_body(doc: SourceDoc, config: &Config, highlighter: &Highlighter) -> Doc {
    let SourceDoc { meta, body } = doc;
    let rendered = markdown::render(&body, highlighter);
    drop(body);
    let mut summary_links = Vec::new();
    let summary_html = match &meta.summary {
        Some(s) => {
            let summary = markdown::render(s, highlighter);
            summary_links = summary.links;
            summary.html
        }
        None => rendered
            .more_html
            .clone()
            .unwrap_or_else(|| rendered.first_paragraph_html.clone()),
    };
    let has_more = summary_html.trim().len() < rendered.html.trim().len();
    let path = doc_path(&meta, config);
    let summary_html = listing_html(&summary_html, config, &path);
    let out_file = crate::output::url_path_to_file(&path).unwrap_or_else(|_| "index.html".into());
    let body_line = meta.body_line;
    let mut links = at_file_lines(rendered.links, body_line);
    // The summary sits in the front matter: its links are reported at the `summary:` line.
    links.extend(summary_links.into_iter().map(|l| LinkRef {
        line: meta.summary_line,
        ..l
    }));
    Doc {
        url: config.absolute(&path),
        date_rfc3339: meta.date.map(|d| d.to_rfc3339()),
        date_display: meta
            .date
            .map(|d| config.strings.date(&d))
            .unwrap_or_default(),
        updated_rfc3339: meta.updated.map(|d| d.to_rfc3339()),
        path,
        out_file,
        summary_html,
        has_more,
        content_html: Body::Html(rendered.html),
        toc: rendered.toc,
        word_count: rendered.word_count,
        reading_time: rendered.word_count.div_ceil(WORDS_PER_MINUTE).max(1),
        heading_ids: rendered.heading_ids,
        links,
        images_without_alt: rendered
            .images_without_alt
            .iter()
            .map(|l| l + body_line - 1)
            .collect(),
        template_syntax: rendered
            .template_syntax
            .into_iter()
            .map(|t| markdown::TemplateSyntax {
                line: t.line + body_line - 1,
                ..t
            })
            .collect(),
        comments: Vec::new(),
        comment_count: 0,
        comment_links: Vec::new(),
        meta,
    }
}

/// Thread the comments gathered in `meta.comments` (the front matter's, then the comment folder's),
/// oldest first, and render them.
fn thread_comments(doc: &mut Doc, strings: &Strings, diags: &Diagnostics) {
    let mut all: Vec<Comment> = std::mem::take(&mut doc.meta.comments);
    all.sort_by(|a, b| {
        a.date
            .cmp(&b.date)
            .then_with(|| a.file.cmp(&b.file))
            .then_with(|| a.id.cmp(&b.id))
    });
    doc.comment_count = all.len();
    let (bodies, links): (Vec<String>, Vec<Vec<markdown::LinkRef>>) = all
        .par_iter()
        .map(|c| markdown::render_comment_with_links(&c.body))
        .unzip();
    doc.comment_links = all
        .iter()
        .zip(links)
        .flat_map(|(c, links)| {
            links.into_iter().map(|link| CommentLink {
                file: c.file.clone(),
                line: c.line,
                link,
            })
        })
        .collect();
    doc.comments = thread(all, bodies, &doc.meta.file, strings, diags);
}

/// A summary made fit to stand on another page: links and images resolve against the post's own URL
/// (so `pic.png` in a folder post and `#section` still work on the home page), and heading ids and
/// anchor links are dropped, so ten summaries on one listing never repeat an id.
pub fn listing_html(html: &str, config: &Config, path: &str) -> String {
    let resolved = crate::feeds::absolutize(html, &config.base_url, &config.absolute(path));
    let mut out = String::with_capacity(resolved.len());
    let mut rest = resolved.as_str();
    loop {
        let anchor = rest.find("<a class=\"anchor\"");
        let id = rest.find(" id=\"");
        match (anchor, id) {
            (Some(a), i) if i.is_none_or(|i| a < i) => {
                out.push_str(rest[..a].trim_end_matches(' '));
                rest = rest[a..]
                    .find("</a>")
                    .map_or("", |end| &rest[a + end + 4..]);
            }
            (_, Some(i)) => {
                out.push_str(&rest[..i]);
                let value = &rest[i + 5..];
                rest = value.find('"').map_or("", |end| &value[end + 1..]);
            }
            _ => break,
        }
    }
    out.push_str(rest);
    out
}

/// The URL path of a post (by the permalink pattern) or a page (`/<slug>/`).
pub fn doc_path(meta: &Meta, config: &Config) -> String {
    if meta.kind == Kind::Page {
        return format!("/{}/", meta.slug);
    }
    post_path(&meta.slug, &meta.date.unwrap_or_default(), config)
}

/// The URL path of a post with this slug and date, by the permalink pattern.
pub fn post_path(slug: &str, date: &DateTime<FixedOffset>, config: &Config) -> String {
    let mut path = String::new();
    for part in &config.permalink {
        match part {
            PermalinkPart::Literal(s) => path.push_str(s),
            PermalinkPart::Year => path.push_str(&format!("{:04}", date.year())),
            PermalinkPart::Month => path.push_str(&format!("{:02}", date.month())),
            PermalinkPart::Day => path.push_str(&format!("{:02}", date.day())),
            PermalinkPart::Slug => path.push_str(slug),
        }
    }
    path
}

/// Nest replies under their parents; unknown parents are warned about and shown at the top level.
fn thread(
    comments: Vec<Comment>,
    bodies: Vec<String>,
    post_file: &str,
    strings: &Strings,
    diags: &Diagnostics,
) -> Vec<ThreadComment> {
    let ids = reply_targets(&comments, post_file, diags);
    let in_cycle = in_cycle(&comments, &ids);
    let mut children: Vec<Vec<usize>> = vec![Vec::new(); comments.len()];
    let mut parents: Vec<Option<usize>> = vec![None; comments.len()];
    let mut roots = Vec::new();
    for (i, c) in comments.iter().enumerate() {
        match c.reply_to.as_ref().map(|r| (r, ids.get(r))) {
            Some((_, Some(&p))) if !in_cycle[i] => {
                children[p].push(i);
                parents[i] = Some(p);
            }
            Some((r, None)) => {
                let message =
                    format!("reply to an unknown comment `{r}`: shown as a top-level comment");
                diags.push(
                    Diagnostic::warning(&c.file, Some(c.reply_line), message)
                        .with_lint(Lint::UnknownReply),
                );
                roots.push(i);
            }
            _ => roots.push(i),
        }
    }
    let anchors = anchors(&comments, &roots, &children);
    let parts = ThreadParts {
        comments: &comments,
        bodies: &bodies,
        children: &children,
        parents: &parents,
        anchors: &anchors,
        strings,
    };
    roots.iter().map(|&i| build_thread(i, 0, &parts)).collect()
}

/// The comment each id names, for replies. Ids written in comments come first; a derived id (a file's
/// name, a list position) names a comment only when no other has it, so an inline comment and a file
/// `1.yaml`, neither with an `id`, are no clash the author has to hear about. Two written ids that
/// repeat are: replies go to the later one.
fn reply_targets(
    comments: &[Comment],
    post_file: &str,
    diags: &Diagnostics,
) -> HashMap<String, usize> {
    let mut ids: HashMap<String, usize> = HashMap::new();
    for (i, c) in comments.iter().enumerate().filter(|(_, c)| c.id_given) {
        if ids.insert(c.id.clone(), i).is_some() {
            diags.warn(
                &c.file,
                Some(c.id_line),
                format!(
                    "two comments on {post_file} share the id `{}`; replies go to the later one",
                    c.id
                ),
            );
        }
    }
    for (i, c) in comments.iter().enumerate().filter(|(_, c)| !c.id_given) {
        ids.entry(c.id.clone()).or_insert(i);
    }
    ids
}

/// For each comment, whether it is part of a reply cycle (`a` answers `b`, which answers `a`; or a
/// comment answering itself). Such a comment cannot be placed under any of the others: it is shown at
/// the top level, and the replies to it nest under it as usual. Each comment is walked once, so a
/// chain of any length costs its length.
fn in_cycle(comments: &[Comment], ids: &HashMap<String, usize>) -> Vec<bool> {
    #[derive(Clone, Copy, PartialEq)]
    enum State {
        Unseen,
        /// On the path being walked, at this position.
        OnPath(usize),
        Done,
    }
    let parent = |i: usize| {
        comments[i]
            .reply_to
            .as_ref()
            .and_then(|r| ids.get(r))
            .copied()
    };
    let mut state = vec![State::Unseen; comments.len()];
    let mut cycle = vec![false; comments.len()];
    let mut path = Vec::new();
    for start in 0..comments.len() {
        let mut next = Some(start);
        while let Some(i) = next {
            match state[i] {
                State::Done => break,
                State::OnPath(at) => {
                    path[at..].iter().for_each(|&k| cycle[k] = true);
                    break;
                }
                State::Unseen => {
                    state[i] = State::OnPath(path.len());
                    path.push(i);
                    next = parent(i);
                }
            }
        }
        path.drain(..).for_each(|k| state[k] = State::Done);
    }
    cycle
}

/// What [`build_thread`] reads at every level: the comments, their bodies, each one's replies and
/// parent, each one's anchor, and the site's strings.
struct ThreadParts<'a> {
    comments: &'a [Comment],
    bodies: &'a [String],
    children: &'a [Vec<usize>],
    parents: &'a [Option<usize>],
    anchors: &'a [String],
    strings: &'a Strings,
}

/// Comment `i` with its replies. Replies nest up to [`MAX_THREAD_DEPTH`] levels; below that, every
/// later reply in the branch is shown at the last level, oldest first, each saying whom it answers.
/// A reply chain of any length is walked without recursing deeper than that.
fn build_thread(i: usize, depth: usize, parts: &ThreadParts<'_>) -> ThreadComment {
    let replies = if depth + 1 < MAX_THREAD_DEPTH {
        parts.children[i]
            .iter()
            .map(|&k| build_thread(k, depth + 1, parts))
            .collect()
    } else {
        descendants(i, parts.children)
            .into_iter()
            .map(|k| {
                let mut reply = thread_comment(k, parts, Vec::new());
                if let Some(p) = parts.parents[k].filter(|&p| p != i) {
                    reply.reply_to = Some(ReplyTo {
                        author: display_author(&parts.comments[p], parts.strings),
                        anchor: parts.anchors[p].clone(),
                    });
                }
                reply
            })
            .collect()
    };
    thread_comment(i, parts, replies)
}

/// Every reply below comment `i`, at any depth, in thread order (oldest first).
fn descendants(i: usize, children: &[Vec<usize>]) -> Vec<usize> {
    let mut found = Vec::new();
    let mut stack = children[i].clone();
    while let Some(k) = stack.pop() {
        found.push(k);
        stack.extend(&children[k]);
    }
    found.sort_unstable();
    found
}

/// A commenter's name as shown: the translation of "anonymous" when the comment gives none.
fn display_author(c: &Comment, strings: &Strings) -> String {
    match c.author.as_str() {
        "" => strings.text("anonymous").to_string(),
        name => name.to_string(),
    }
}

/// Comment `i` as templates see it, with `replies` under it.
fn thread_comment(i: usize, parts: &ThreadParts<'_>, replies: Vec<ThreadComment>) -> ThreadComment {
    let c = &parts.comments[i];
    ThreadComment {
        anchor: parts.anchors[i].clone(),
        id: c.id.clone(),
        author: display_author(c, parts.strings),
        url: c.url.clone(),
        date: c.date.to_rfc3339(),
        date_display: parts.strings.date(&c.date),
        body_html: parts.bodies[i].clone(),
        replies,
        reply_to: None,
    }
}

/// Each comment's anchor (`comment-<id>`), unique on the page, given in thread order.
fn anchors(comments: &[Comment], roots: &[usize], children: &[Vec<usize>]) -> Vec<String> {
    let mut anchors = vec![String::new(); comments.len()];
    let mut used = std::collections::HashSet::new();
    let mut stack: Vec<usize> = roots.iter().rev().copied().collect();
    while let Some(i) = stack.pop() {
        let mut anchor_id = slug::slugify(&comments[i].id);
        if anchor_id.is_empty() {
            anchor_id = format!("{}", i + 1);
        }
        while !used.insert(anchor_id.clone()) {
            anchor_id.push_str("-x");
        }
        anchors[i] = format!("comment-{anchor_id}");
        stack.extend(children[i].iter().rev());
    }
    anchors
}

/// The site's tags, each with its posts, and each post's tags. A tag whose folder name would be
/// longer than a file system takes is an error at the `tags:` line of the first post that spells it
/// so, found where its key is made: once per spelling.
fn index_tags(posts: &[Doc]) -> Result<(Vec<Tag>, Vec<Vec<usize>>)> {
    let mut too_long = Vec::new();
    let mut by_key: HashMap<String, usize> = HashMap::new();
    let mut tags: Vec<Tag> = Vec::new();
    let mut post_tags = vec![Vec::new(); posts.len()];
    // A site spells each tag a few ways at most: the key (normalized, lowercased) is worked out once
    // per spelling, not once per use, and the loop over every post's tags only hashes a borrowed name.
    let mut by_spelling: HashMap<&str, usize> = HashMap::new();
    for (i, post) in posts.iter().enumerate() {
        for name in &post.meta.tags {
            let t = match by_spelling.get(name.as_str()) {
                Some(&t) => t,
                None => {
                    let slug = content::tag_key(name);
                    if slug.len() > crate::output::MAX_NAME {
                        too_long.push(Diagnostic::error(
                            &post.meta.file,
                            Some(post.meta.tags_line),
                            content::too_long("tag", &slug),
                        ));
                    }
                    let t = *by_key.entry(slug.clone()).or_insert_with(|| {
                        tags.push(Tag {
                            name: name.clone(),
                            path: format!("/tags/{slug}/"),
                            slug,
                            posts: Vec::new(),
                        });
                        tags.len() - 1
                    });
                    by_spelling.insert(name, t);
                    t
                }
            };
            // `Go` and `GO!` in one post are one tag, listed once.
            if post_tags[i].contains(&t) {
                continue;
            }
            tags[t].posts.push(i);
            post_tags[i].push(t);
        }
    }
    // By name (see [`collate`]); the slug (each tag's identity) breaks ties, so every build sorts
    // alike. The tags move into their places with their post lists.
    let mut numbered: Vec<(usize, Tag)> = tags.into_iter().enumerate().collect();
    numbered.sort_by(|(_, a), (_, b)| collate(&a.name, &b.name).then_with(|| a.slug.cmp(&b.slug)));
    let mut new_index = vec![0; numbered.len()];
    for (new, (old, _)) in numbered.iter().enumerate() {
        new_index[*old] = new;
    }
    let sorted: Vec<Tag> = numbered.into_iter().map(|(_, t)| t).collect();
    for list in &mut post_tags {
        for t in list.iter_mut() {
            *t = new_index[*t];
        }
    }
    match Error::collect(too_long) {
        Some(e) => Err(e),
        None => Ok((sorted, post_tags)),
    }
}

/// A series being gathered: its description file, the name posts gave it, its member posts.
#[derive(Default)]
struct SeriesDraft {
    source: Option<SeriesSource>,
    name: Option<String>,
    members: Vec<usize>,
}

fn index_series(
    posts: &[Doc],
    sources: Vec<SeriesSource>,
    highlighter: &Highlighter,
    diags: &Diagnostics,
) -> Result<(Vec<Series>, Vec<Option<usize>>)> {
    let mut by_id: BTreeMap<String, SeriesDraft> = BTreeMap::new();
    for s in sources {
        let id = s.id.clone();
        by_id.entry(id).or_default().source = Some(s);
    }
    for (i, post) in posts.iter().enumerate() {
        if let Some(r) = &post.meta.series {
            let entry = by_id.entry(r.id.clone()).or_default();
            entry.name.get_or_insert_with(|| r.name.clone());
            entry.members.push(i);
        }
    }
    let mut errors = Vec::new();
    let mut series: Vec<Series> = by_id
        .into_iter()
        .map(|(id, draft)| gather_series(id, draft, posts, highlighter, &mut errors, diags))
        .collect();
    if let Some(err) = Error::collect(errors) {
        return Err(err);
    }
    series.sort_by(|a, b| collate(&a.title, &b.title).then_with(|| a.id.cmp(&b.id)));
    let mut post_series = vec![None; posts.len()];
    for (index, s) in series.iter().enumerate() {
        for &i in s.parts.values() {
            post_series[i] = Some(index);
        }
    }
    Ok((series, post_series))
}

fn gather_series(
    id: String,
    draft: SeriesDraft,
    posts: &[Doc],
    highlighter: &Highlighter,
    errors: &mut Vec<Diagnostic>,
    diags: &Diagnostics,
) -> Series {
    let SeriesDraft {
        source,
        name,
        members,
    } = draft;
    let total = source.as_ref().and_then(|s| s.total);
    let mut parts: BTreeMap<u32, usize> = BTreeMap::new();
    for &i in &members {
        let Some(r) = posts[i].meta.series.as_ref() else {
            continue;
        };
        if let Some(t) = total.filter(|t| r.part > *t) {
            let file = source.as_ref().map(|s| s.file.as_str()).unwrap_or_default();
            errors.push(Diagnostic::error(
                &posts[i].meta.file,
                Some(r.line),
                format!(
                    "part {} is above the series total of {t} (set in {file}): raise `total` or fix `part`",
                    r.part
                ),
            ));
        }
        if let Some(&other) = parts.get(&r.part) {
            let (a, b) = order_pair(&posts[other].meta.file, &posts[i].meta.file);
            errors.push(Diagnostic::error(
                b,
                Some(r.line),
                format!(
                    "part {} of series `{}` is claimed twice: by {a} and by {b}; give one of them another part",
                    r.part, r.name
                ),
            ));
            continue;
        }
        parts.insert(r.part, i);
    }
    warn_gaps(&id, &parts, posts, diags);
    let title = source
        .as_ref()
        .and_then(|s| s.title.clone())
        .or(name)
        .unwrap_or_else(|| id.clone());
    let (description_html, description_links) = source
        .as_ref()
        .map(|s| {
            let rendered = markdown::render(&s.description, highlighter);
            (rendered.html, at_file_lines(rendered.links, s.body_line))
        })
        .unwrap_or_default();
    Series {
        path: format!("/series/{id}/"),
        file: source.as_ref().map(|s| s.file.clone()),
        description_links,
        extra: source
            .as_ref()
            .map(|s| s.extra.clone())
            .unwrap_or(serde_json::Value::Null),
        id,
        title,
        total,
        description_html,
        parts,
    }
}

/// The links of Markdown whose first line is line `first` of its file, with their lines in the file.
fn at_file_lines(mut links: Vec<LinkRef>, first: usize) -> Vec<LinkRef> {
    for l in &mut links {
        l.line += first - 1;
    }
    links
}

fn order_pair<'a>(a: &'a str, b: &'a str) -> (&'a str, &'a str) {
    if a <= b {
        (a, b)
    } else {
        (b, a)
    }
}

fn warn_gaps(id: &str, parts: &BTreeMap<u32, usize>, posts: &[Doc], diags: &Diagnostics) {
    let Some((&highest, &last)) = parts.iter().next_back() else {
        return;
    };
    if let Some(missing) = missing_parts(highest, |p| parts.contains_key(&p)) {
        let post = &posts[last];
        let line = post.meta.series.as_ref().map(|r| r.line);
        let name = post.meta.series.as_ref().map_or(id, |r| r.name.as_str());
        let message = format!("series `{name}` is missing part(s) {missing} below part {highest}");
        diags.push(Diagnostic::warning(&post.meta.file, line, message).with_lint(Lint::SeriesGap));
    }
}

/// The parts below `below` that `present` does not have, as runs: `2, 4–9, 12`. `None` when none is
/// missing. Runs keep a typo such as `part: 300` to a short line rather than 298 numbers.
pub fn missing_parts(below: u32, present: impl Fn(u32) -> bool) -> Option<String> {
    let mut runs: Vec<String> = Vec::new();
    let mut start = None;
    for part in 1..=below {
        let missing = part < below && !present(part);
        match (missing, start) {
            (true, None) => start = Some(part),
            (false, Some(first)) => {
                let last = part - 1;
                runs.push(match last - first {
                    0 => first.to_string(),
                    1 => format!("{first}, {last}"),
                    _ => format!("{first}–{last}"),
                });
                start = None;
            }
            _ => {}
        }
    }
    (!runs.is_empty()).then(|| runs.join(", "))
}

/// Authors with their posts. A post's `author` is an `[authors]` id, or the `name` of one (any case),
/// or a plain name, whose page is at its slug. Authors without published posts get no page, as Hugo
/// and Zola make no empty term pages.
fn index_authors(
    posts: &[Doc],
    config: &Config,
    diags: &Diagnostics,
) -> (Vec<Author>, Vec<Option<usize>>) {
    // A configured author named in a post by id or by name, in any case, is that author; any other
    // name is an author of its own, at the slug of the name.
    let mut known: HashMap<String, &str> = HashMap::new();
    for (id, a) in &config.authors {
        known.entry(id.to_lowercase()).or_insert(id);
        known.entry(a.name.trim().to_lowercase()).or_insert(id);
    }
    // The page slug of each configured author, which a plain name's slug must not take.
    let mut configured_paths: HashMap<String, &str> = HashMap::new();
    let mut by_key: BTreeMap<String, Author> = BTreeMap::new();
    for (id, a) in &config.authors {
        let slug = slug_or(id);
        by_key.insert(
            id.clone(),
            Author {
                id: id.clone(),
                name: a.name.clone(),
                url: a.url.clone(),
                path: format!("/authors/{slug}/"),
                posts: Vec::new(),
            },
        );
        configured_paths.insert(slug, id);
    }
    let mut keys = Vec::with_capacity(posts.len());
    for (i, post) in posts.iter().enumerate() {
        let Some(author) = &post.meta.author else {
            keys.push(None);
            continue;
        };
        let key = if config.authors.contains_key(author) {
            author.clone()
        } else if let Some(id) = known.get(&author.to_lowercase()) {
            id.to_string()
        } else {
            let slug = slug_or(author);
            match configured_paths.get(&slug) {
                Some(id) => {
                    // Its page would be the configured author's: most likely that author, misspelt.
                    diags.warn(
                        &post.meta.file,
                        Some(post.meta.author_line),
                        format!(
                            "author `{author}` is not in [authors], but its page would be /authors/{slug}/, which is `{id}`'s: the post is listed there; write `author: {id}`, or give this author an [authors] entry of their own"
                        ),
                    );
                    id.to_string()
                }
                None => slug,
            }
        };
        let entry = by_key.entry(key.clone()).or_insert_with(|| Author {
            id: key.clone(),
            name: author.clone(),
            url: None,
            path: format!("/authors/{key}/"),
            posts: Vec::new(),
        });
        entry.posts.push(i);
        keys.push(Some(key));
    }
    let authors: Vec<Author> = by_key
        .into_values()
        .filter(|a| !a.posts.is_empty())
        .collect();
    let position: HashMap<&str, usize> = authors
        .iter()
        .enumerate()
        .map(|(i, a)| (a.id.as_str(), i))
        .collect();
    let post_author = keys
        .iter()
        .map(|k| k.as_deref().and_then(|k| position.get(k).copied()))
        .collect();
    (authors, post_author)
}

fn slug_or(text: &str) -> String {
    let s = slug::slugify(text);
    if s.is_empty() {
        format!("author-{:08x}", slug::fnv1a(text.as_bytes()) as u32)
    } else {
        s
    }
}

/// Posts by year, newest year first, each year's posts in site order (newest first). The year is the
/// one the post's date shows, in the offset it was written with. Posts are ordered by instant, so around
/// New Year a post written `2024-01-01T00:30:00+01:00` comes after one written `2023-12-31T23:45:00Z`:
/// grouping consecutive runs would give 2024 twice.
fn index_years(posts: &[Doc]) -> Vec<(i32, Vec<usize>)> {
    let mut years: BTreeMap<std::cmp::Reverse<i32>, Vec<usize>> = BTreeMap::new();
    for (i, post) in posts.iter().enumerate() {
        let year = post.date().map_or(0, |d| d.year());
        years.entry(std::cmp::Reverse(year)).or_default().push(i);
    }
    years.into_iter().map(|(y, list)| (y.0, list)).collect()
}

/// Up to `n` posts per post, ranked by shared tags (ties: newer first). Candidates come from a window of
/// neighbours in each shared tag's date-ordered list, so the cost stays linear in the number of posts.
fn related_posts(
    posts: &[Doc],
    tags: &[Tag],
    post_tags: &[Vec<usize>],
    n: usize,
) -> Vec<Vec<usize>> {
    if n == 0 {
        return vec![Vec::new(); posts.len()];
    }
    (0..posts.len())
        .into_par_iter()
        .map(|i| {
            // Every neighbour once per tag it shares; sorted, each run's length is its score.
            let mut candidates = Vec::with_capacity(post_tags[i].len() * (RELATED_WINDOW + 1));
            for &t in &post_tags[i] {
                let list = &tags[t].posts;
                // The lists are built in post order (`index_tags`): sorted, so a binary search
                // finds the post without a lookup table per tag built first.
                let pos = list.binary_search(&i).unwrap_or_else(|at| at);
                let lo = pos.saturating_sub(RELATED_WINDOW / 2);
                let hi = (pos + RELATED_WINDOW / 2 + 1).min(list.len());
                candidates.extend(list[lo..hi].iter().copied().filter(|&other| other != i));
            }
            // One ascending run per tag: the stable sort finds the runs and merges them.
            candidates.sort();
            let ranked: Vec<(usize, usize)> = candidates
                .chunk_by(|a, b| a == b)
                .map(|run| (run[0], run.len()))
                .collect();
            best_first(ranked, n)
        })
        .collect()
}

/// The `n` best `(post, score)` pairs, highest score first, ties by post: only those `n` are sorted.
fn best_first(mut ranked: Vec<(usize, usize)>, n: usize) -> Vec<usize> {
    let order = |a: &(usize, usize), b: &(usize, usize)| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0));
    if ranked.len() > n {
        ranked.select_nth_unstable_by(n, order);
        ranked.truncate(n);
    }
    ranked.sort_unstable_by(order);
    // Not `into_iter().collect()`: that would reuse `ranked`'s buffer, sized for every candidate, and
    // each post would keep it until the end of the build (28 MB at 10,000 posts).
    let mut best = Vec::with_capacity(ranked.len());
    best.extend(ranked.iter().map(|&(p, _)| p));
    best
}

#[cfg(test)]
mod listing_tests {
    use super::*;
    use std::path::Path;

    #[test]
    fn summaries_lose_ids_and_resolve_links() {
        let config = Config::parse(
            Path::new("."),
            "title = \"T\"\nbase_url = \"https://x.org\"\n",
            &Diagnostics::new(),
        )
        .unwrap();
        let html = "<h2 id=\"intro\">Intro <a class=\"anchor\" href=\"#intro\" aria-label=\"Link to this section\">#</a></h2>\n<p><img src=\"pic.png\" alt=\"p\"> <a href=\"#later\">later</a></p>";
        let out = listing_html(html, &config, "/posts/a/");
        assert_eq!(
            out,
            "<h2>Intro</h2>\n<p><img src=\"https://x.org/posts/a/pic.png\" alt=\"p\"> <a href=\"https://x.org/posts/a/#later\">later</a></p>"
        );
    }
}

#[cfg(test)]
mod order_tests {
    use super::{apply_order, collate};
    use proptest::prelude::*;

    #[test]
    fn names_sort_with_case_and_accents_aside() {
        let mut names = [
            "zeta", "Öl", "Bravo", "Élan", "alpha", "Ärger", "Zucker", "ábc", "echo",
        ];
        names.sort_by(|a, b| collate(a, b));
        assert_eq!(
            names,
            ["ábc", "alpha", "Ärger", "Bravo", "echo", "Élan", "Öl", "zeta", "Zucker"]
        );
        assert_eq!(collate("Same", "same"), "Same".cmp("same"));
    }

    proptest! {
        /// Sorting positions and then moving each item once gives what a stable sort in place gives,
        /// ties (equal keys) included.
        #[test]
        fn sorting_positions_then_moving_matches_a_stable_sort(keys in prop::collection::vec(0u8..8, 0..200)) {
            let items: Vec<(u8, usize)> = keys.iter().copied().zip(0..).collect();
            let mut expected = items.clone();
            expected.sort_by_key(|item| std::cmp::Reverse(item.0));
            let mut order: Vec<usize> = (0..items.len()).collect();
            order.sort_by_key(|&i| std::cmp::Reverse(items[i].0));
            let mut got = items;
            apply_order(&mut got, order);
            prop_assert_eq!(got, expected);
        }
    }
}

#[cfg(test)]
mod related_tests {
    use super::best_first;
    use proptest::prelude::*;

    proptest! {
        /// Choosing the best `n` before sorting them gives the first `n` of a full sort: highest
        /// score first, ties by the lower post.
        #[test]
        fn the_best_n_are_the_head_of_a_full_sort(
            scores in prop::collection::vec(1usize..5, 0..80),
            n in 0usize..12,
        ) {
            let ranked: Vec<(usize, usize)> = scores.iter().copied().enumerate().collect();
            let mut expected = ranked.clone();
            expected.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
            let expected: Vec<usize> = expected.into_iter().take(n).map(|(p, _)| p).collect();
            prop_assert_eq!(best_first(ranked, n), expected);
        }
    }

    /// Every post keeps its list until the end of the build: it must not carry the candidates' room.
    #[test]
    fn the_list_kept_is_no_bigger_than_its_length() {
        let ranked: Vec<(usize, usize)> = (0..500).map(|p| (p, p % 7)).collect();
        let best = best_first(ranked, 5);
        assert_eq!(best.len(), 5);
        assert_eq!(best.capacity(), 5);
    }
}

#[cfg(test)]
mod gap_tests {
    use super::missing_parts;

    #[test]
    fn missing_parts_are_written_as_runs() {
        let with = |have: &'static [u32]| move |p: u32| have.contains(&p);
        assert_eq!(missing_parts(1, with(&[])), None);
        assert_eq!(missing_parts(4, with(&[1, 2, 3])), None);
        assert_eq!(missing_parts(2, with(&[])).as_deref(), Some("1"));
        assert_eq!(missing_parts(3, with(&[])).as_deref(), Some("1, 2"));
        assert_eq!(
            missing_parts(13, with(&[1, 3, 10, 11])).as_deref(),
            Some("2, 4–9, 12")
        );
        assert_eq!(
            missing_parts(100_000, with(&[])).as_deref(),
            Some("1–99999")
        );
    }
}
