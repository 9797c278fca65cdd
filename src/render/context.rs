//! The values templates see, as borrowed views of the [`Site`].
//!
//! Each struct here mirrors a shape documented in `docs/templates.md`. They borrow from the site and are
//! serialized per page, so a page pays only for what it shows: a listing serializes its ten summaries, a
//! post its own body and a handful of neighbours. The `site` object, identical for every page, is
//! serialized once per build ([`SiteCtx`] → `serde_json::Value`) and shared.

use std::borrow::Cow;

use serde::ser::{SerializeMap, SerializeSeq, Serializer};
use serde::Serialize;

use super::reads::{Fields, Slots};
use super::views::{PostViews, Views};
use crate::config::FeedFormat;
use crate::markdown::TocEntry;
use crate::site::{Doc, Series, Site, Tag, ThreadComment};

/// A root-relative path as a page links to it: the site's base path, then the path (`/blog` +
/// `/posts/a/`), like Hugo's `.RelPermalink`. The site keeps its paths relative to its own root (the
/// output folder); the base path is put in front only as a path is handed to a template, and a site at
/// the root of its host (an empty base path) serializes the path it has, without making a string.
#[derive(Clone, Copy, Hash)]
pub struct Rel<'a> {
    base: &'a str,
    path: &'a str,
}

impl<'a> Rel<'a> {
    /// `path` (root-relative) under the base path of `site`.
    pub fn new(site: &'a Site, path: &'a str) -> Self {
        Rel {
            base: site.config.base_path(),
            path,
        }
    }

    /// A link as configured (an author's `url`): under the base path when it is root-relative, else
    /// (`https://…`) as it is.
    pub fn link(site: &'a Site, url: &'a str) -> Self {
        let rooted = url.starts_with('/') && !url.starts_with("//");
        Rel {
            base: if rooted { site.config.base_path() } else { "" },
            path: url,
        }
    }
}

impl std::fmt::Display for Rel<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.base)?;
        f.write_str(self.path)
    }
}

impl Serialize for Rel<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        if self.base.is_empty() {
            serializer.serialize_str(self.path)
        } else {
            serializer.collect_str(self)
        }
    }
}

/// `path` under the site's base path, as an owned string (for values built as JSON).
pub fn rel(site: &Site, path: &str) -> String {
    Rel::new(site, path).to_string()
}

#[derive(Serialize)]
pub struct AuthorRef<'a> {
    pub id: &'a str,
    pub name: &'a str,
    pub url: Option<Rel<'a>>,
    pub path: Rel<'a>,
}

#[derive(Serialize)]
pub struct TagRef<'a> {
    pub name: &'a str,
    pub slug: &'a str,
    pub path: Rel<'a>,
}

/// A post's tags, serialized as a list of [`TagRef`] straight from the site's index: no list is made
/// for the summaries whose template does not read `tags`.
pub struct TagRefs<'a> {
    tags: &'a [Tag],
    of: &'a [usize],
    base: &'a str,
}

impl Serialize for TagRefs<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut seq = serializer.serialize_seq(Some(self.of.len()))?;
        for tag in self.of.iter().map(|&t| &self.tags[t]) {
            seq.serialize_element(&TagRef {
                name: &tag.name,
                slug: &tag.slug,
                path: Rel {
                    base: self.base,
                    path: &tag.path,
                },
            })?;
        }
        seq.end()
    }
}

#[derive(Serialize, Hash)]
pub struct Link<'a> {
    pub title: &'a str,
    pub path: Rel<'a>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub part: Option<u32>,
}

#[derive(Serialize, Hash)]
pub struct SeriesBadge<'a> {
    pub id: &'a str,
    pub title: &'a str,
    pub path: Rel<'a>,
    pub part: u32,
    pub total: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub prev: Option<Option<Link<'a>>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next: Option<Option<Link<'a>>>,
}

/// An [`Entry`] plus what listings show of a post: author, tags and the summary text.
pub struct Summary<'a> {
    pub entry: Entry<'a>,
    pub updated: Option<&'a str>,
    pub author: Option<AuthorRef<'a>>,
    pub tags: TagRefs<'a>,
    pub summary_html: &'a str,
    pub has_more: bool,
    pub word_count: usize,
    pub reading_time: usize,
    /// The theme's post views (`templates/views/*.html`), rendered once per post. Entries have none:
    /// the archive lists every post, and ten thousand cards would make its context huge.
    pub views: PostViews<'a>,
}

/// `post` on a post page: its [`Summary`] and what only its own page shows.
pub struct FullPost<'a> {
    pub summary: Summary<'a>,
    pub content_html: Cow<'a, str>,
    pub toc: &'a [TocEntry],
    pub toc_html: String,
    pub newer: Option<Link<'a>>,
    pub older: Option<Link<'a>>,
    pub related: Listed<'a>,
    pub comments: &'a [ThreadComment],
    pub extra: &'a serde_json::Value,
    pub aliases: Vec<Rel<'a>>,
    /// The fields the page's template can read (see [`super::reads`]); the others are left out.
    pub fields: &'a Fields,
}

/// Summaries in a list (listing pages, related posts), each serialized with only `fields`.
pub struct Listed<'a> {
    pub items: Vec<Summary<'a>>,
    pub fields: &'a Fields,
}

/// `key: value` into `map`, when `fields` keeps `key`.
fn put<M: SerializeMap, T: Serialize + ?Sized>(
    map: &mut M,
    fields: &Fields,
    key: &'static str,
    value: &T,
) -> Result<(), M::Error> {
    match fields.wants(key) {
        true => map.serialize_entry(key, value),
        false => Ok(()),
    }
}

impl Entry<'_> {
    fn write<M: SerializeMap>(&self, map: &mut M, fields: &Fields) -> Result<(), M::Error> {
        put(map, fields, "title", self.title)?;
        put(map, fields, "slug", self.slug)?;
        put(map, fields, "path", &self.path)?;
        put(map, fields, "url", self.url)?;
        put(map, fields, "date", &self.date)?;
        put(map, fields, "date_display", self.date_display)?;
        put(map, fields, "year", &self.year)?;
        put(map, fields, "series", &self.series)?;
        put(map, fields, "comment_count", &self.comment_count)?;
        put(map, fields, "draft", &self.draft)
    }
}

impl Summary<'_> {
    fn write<M: SerializeMap>(&self, map: &mut M, fields: &Fields) -> Result<(), M::Error> {
        self.entry.write(map, fields)?;
        put(map, fields, "updated", &self.updated)?;
        put(map, fields, "author", &self.author)?;
        put(map, fields, "tags", &self.tags)?;
        put(map, fields, "summary_html", self.summary_html)?;
        put(map, fields, "has_more", &self.has_more)?;
        put(map, fields, "word_count", &self.word_count)?;
        put(map, fields, "reading_time", &self.reading_time)?;
        put(map, fields, "views", &self.views)
    }
}

impl FullPost<'_> {
    fn write<M: SerializeMap>(&self, map: &mut M) -> Result<(), M::Error> {
        let fields = self.fields;
        self.summary.write(map, fields)?;
        put(map, fields, "content_html", &*self.content_html)?;
        put(map, fields, "toc", self.toc)?;
        put(map, fields, "toc_html", &self.toc_html)?;
        put(map, fields, "newer", &self.newer)?;
        put(map, fields, "older", &self.older)?;
        put(map, fields, "related", &self.related)?;
        put(map, fields, "comments", self.comments)?;
        put(map, fields, "extra", self.extra)?;
        put(map, fields, "aliases", &self.aliases)
    }
}

/// A summary serialized with only some of its fields.
struct Masked<'s, 'a>(&'s Summary<'a>, &'s Fields);

/// Serialize as a map of the entries `write` puts.
fn as_map<S: Serializer>(
    serializer: S,
    write: impl FnOnce(&mut S::SerializeMap) -> Result<(), S::Error>,
) -> Result<S::Ok, S::Error> {
    let mut map = serializer.serialize_map(None)?;
    write(&mut map)?;
    map.end()
}

impl Serialize for Masked<'_, '_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        as_map(serializer, |map| self.0.write(map, self.1))
    }
}

impl Serialize for Entry<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        as_map(serializer, |map| self.write(map, &Fields::All))
    }
}

impl Serialize for Summary<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        Masked(self, &Fields::All).serialize(serializer)
    }
}

impl Serialize for FullPost<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        as_map(serializer, |map| self.write(map))
    }
}

impl Serialize for Listed<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut seq = serializer.serialize_seq(Some(self.items.len()))?;
        for item in &self.items {
            seq.serialize_element(&Masked(item, self.fields))?;
        }
        seq.end()
    }
}

#[derive(Serialize, Clone)]
pub struct FeedLink {
    pub format: &'static str,
    /// The format's human name: "RSS", "Atom", "JSON Feed".
    pub name: &'static str,
    pub mime: &'static str,
    pub path: String,
    pub url: String,
    pub title: String,
}

/// The feeds of a folder (`/`, `/tags/x/`, `/series/y/`), titled after what they follow.
pub fn feed_links(site: &Site, folder: &str, what: &str) -> Vec<FeedLink> {
    site.config
        .feed_formats
        .iter()
        .map(|f: &FeedFormat| {
            let path = format!("{folder}{}", f.file_name());
            let url = site.config.absolute(&path);
            let path = match site.config.base_path() {
                "" => path,
                base => format!("{base}{path}"),
            };
            FeedLink {
                format: f.name(),
                name: f.label(),
                mime: f.mime(),
                url,
                path,
                title: format!("{what} ({})", f.label()),
            }
        })
        .collect()
}

/// What made the site, as `site.generator` and the feeds' `<generator>` name it.
pub const GENERATOR: &str = concat!("lanyard ", env!("CARGO_PKG_VERSION"));

#[derive(Serialize)]
pub struct SiteCtx<'a> {
    pub title: &'a str,
    pub description: &'a str,
    pub language: &'a str,
    /// The chrono locale of `language` (`fr_FR`), for `date(format=…, locale=site.locale)`.
    pub locale: &'a str,
    pub direction: &'static str,
    pub base_url: &'a str,
    pub base_path: &'a str,
    pub timezone: String,
    pub posts_per_page: usize,
    pub permalink: &'a str,
    pub authors: serde_json::Map<String, serde_json::Value>,
    pub pages: Vec<serde_json::Value>,
    pub feeds: serde_json::Value,
    pub feed_links: Vec<FeedLink>,
    pub extra: &'a serde_json::Value,
    pub generator: &'static str,
    pub highlight_css: String,
}

/// The `site` object, once per build.
pub fn site_value(site: &Site) -> serde_json::Value {
    let c = &site.config;
    let authors = site
        .ix
        .authors
        .iter()
        .map(|a| {
            (
                a.id.clone(),
                serde_json::json!({
                    "id": a.id,
                    "name": a.name,
                    "url": a.url.as_deref().map(|u| Rel::link(site, u)),
                    "path": Rel::new(site, &a.path),
                }),
            )
        })
        .collect();
    let pages = site
        .pages
        .iter()
        .map(|p| {
            serde_json::json!({ "title": p.meta.title, "path": Rel::new(site, &p.path), "url": p.url })
        })
        .collect();
    let ctx = SiteCtx {
        title: &c.title,
        description: &c.description,
        language: &c.language,
        locale: c.strings.locale_name(),
        direction: c.direction,
        base_url: &c.base_url,
        base_path: c.base_path(),
        timezone: c.timezone.name().to_string(),
        posts_per_page: c.posts_per_page,
        permalink: &c.permalink_pattern,
        authors,
        pages,
        feeds: serde_json::json!({
            "formats": c.feed_formats.iter().map(|f| f.name()).collect::<Vec<_>>(),
            "limit": c.feed_limit,
            "full_content": c.feed_full_content,
        }),
        feed_links: feed_links(site, "/", &c.title),
        extra: &c.extra,
        generator: GENERATOR,
        highlight_css: rel(site, "/highlight.css"),
    };
    serde_json::to_value(ctx).unwrap_or_default()
}

fn badge<'a>(site: &'a Site, i: usize, with_neighbours: bool) -> Option<SeriesBadge<'a>> {
    let s: &Series = &site.ix.series[site.ix.post_series[i]?];
    let part = site.posts[i].meta.series.as_ref()?.part;
    let link = |(p, &idx): (&u32, &usize)| Link {
        title: &site.posts[idx].meta.title,
        path: Rel::new(site, &site.posts[idx].path),
        part: Some(*p),
    };
    let (prev, next) = if with_neighbours {
        (
            Some(s.parts.range(..part).next_back().map(link)),
            Some(s.parts.range(part + 1..).next().map(link)),
        )
    } else {
        (None, None)
    };
    Some(SeriesBadge {
        id: &s.id,
        title: &s.title,
        path: Rel::new(site, &s.path),
        part,
        total: s.shown_total(),
        prev,
        next,
    })
}

/// A compact line for long lists (the archive, author pages): no summary text, so a list of ten thousand
/// posts stays small. Its hash stands for it in the dev server's fingerprints, so every field it
/// serializes must be hashed too (the derive does that).
#[derive(Hash)]
pub struct Entry<'a> {
    pub title: &'a str,
    pub slug: &'a str,
    pub path: Rel<'a>,
    pub url: &'a str,
    pub date: Option<&'a str>,
    pub date_display: &'a str,
    pub year: Option<i32>,
    pub series: Option<SeriesBadge<'a>>,
    pub comment_count: usize,
    pub draft: bool,
}

/// The compact entry of post `i`.
pub fn entry(site: &Site, i: usize) -> Entry<'_> {
    entry_of(site, &site.posts[i], Some(i), false)
}

/// The entry of a post (`index` = its position) or a page (`None`); `neighbours` adds the series'
/// previous and next parts to the badge.
fn entry_of<'a>(site: &'a Site, doc: &'a Doc, index: Option<usize>, neighbours: bool) -> Entry<'a> {
    Entry {
        title: &doc.meta.title,
        slug: &doc.meta.slug,
        path: Rel::new(site, &doc.path),
        url: &doc.url,
        date: doc.date_rfc3339.as_deref(),
        date_display: &doc.date_display,
        year: doc.meta.date.map(|d| chrono::Datelike::year(&d)),
        series: index.and_then(|i| badge(site, i, neighbours)),
        comment_count: doc.comment_count,
        draft: doc.meta.draft,
    }
}

/// The summary of post `i`, with its views.
pub fn summary<'a>(site: &'a Site, views: &'a Views, i: usize) -> Summary<'a> {
    summary_of(site, &site.posts[i], Some(i), false, views.of(i))
}

/// The summary of post `i` without views: what a view itself is rendered with.
pub fn bare_summary(site: &Site, i: usize) -> Summary<'_> {
    summary_of(site, &site.posts[i], Some(i), false, PostViews::NONE)
}

/// The summary of a post (`index` = its position) or a page (`None`).
fn summary_of<'a>(
    site: &'a Site,
    doc: &'a Doc,
    index: Option<usize>,
    neighbours: bool,
    views: PostViews<'a>,
) -> Summary<'a> {
    let author = index
        .and_then(|i| Some((i, site.ix.post_author[i]?)))
        .map(|(i, a)| {
            let a = &site.ix.authors[a];
            AuthorRef {
                id: &a.id,
                name: site.author_name(i).unwrap_or(&a.name),
                url: a.url.as_deref().map(|u| Rel::link(site, u)),
                path: Rel::new(site, &a.path),
            }
        });
    let tags = TagRefs {
        tags: &site.ix.tags,
        of: index.map_or(&[], |i| &site.ix.post_tags[i]),
        base: site.config.base_path(),
    };
    Summary {
        entry: entry_of(site, doc, index, neighbours),
        updated: doc.updated_rfc3339.as_deref(),
        author,
        tags,
        summary_html: &doc.summary_html,
        has_more: doc.has_more,
        word_count: doc.word_count,
        reading_time: doc.reading_time,
        views,
    }
}

/// Everything `post.html` shows about post `i` (its body read back if it was parked), to be serialized
/// with the fields `slots` says the page's template reads.
pub fn full_post<'a>(
    site: &'a Site,
    views: &'a Views,
    i: usize,
    slots: &'a Slots,
) -> std::io::Result<FullPost<'a>> {
    let doc = &site.posts[i];
    let link = |j: usize| Link {
        title: &site.posts[j].meta.title,
        path: Rel::new(site, &site.posts[j].path),
        part: None,
    };
    Ok(FullPost {
        summary: summary_of(site, doc, Some(i), true, views.of(i)),
        content_html: body_html(site, doc)?,
        toc: &doc.toc,
        toc_html: crate::markdown::toc_html(&doc.toc),
        newer: i.checked_sub(1).map(link),
        older: (i + 1 < site.posts.len()).then(|| link(i + 1)),
        related: Listed {
            items: site.ix.related[i]
                .iter()
                .map(|&j| summary(site, views, j))
                .collect(),
            fields: &slots.related,
        },
        comments: &doc.comments,
        extra: &doc.meta.extra,
        aliases: doc
            .meta
            .aliases
            .iter()
            .map(|(_, a)| Rel::new(site, a))
            .collect(),
        fields: &slots.post,
    })
}

/// A post's or page's body as its page shows it (read back if it was parked): root-relative links the
/// author wrote carry the site's base path.
fn body_html<'a>(site: &'a Site, doc: &'a Doc) -> std::io::Result<Cow<'a, str>> {
    let body = site.body(doc)?;
    Ok(
        match crate::feeds::with_base_path(&body, site.config.base_path()) {
            Cow::Borrowed(_) => body,
            Cow::Owned(prefixed) => Cow::Owned(prefixed),
        },
    )
}

#[derive(Serialize)]
pub struct PageCtx<'a> {
    #[serde(flatten)]
    pub summary: Summary<'a>,
    pub content_html: Cow<'a, str>,
    pub toc: &'a [TocEntry],
    pub toc_html: String,
    pub extra: &'a serde_json::Value,
}

pub fn page(site: &Site, i: usize) -> std::io::Result<PageCtx<'_>> {
    let doc = &site.pages[i];
    Ok(PageCtx {
        summary: summary_of(site, doc, None, false, PostViews::NONE),
        content_html: body_html(site, doc)?,
        toc: &doc.toc,
        toc_html: crate::markdown::toc_html(&doc.toc),
        extra: &doc.meta.extra,
    })
}

#[derive(Serialize)]
pub struct Paginator<'a> {
    pub pages: Listed<'a>,
    pub current: usize,
    pub total_pages: usize,
    pub total_items: usize,
    pub first: String,
    pub last: String,
    pub previous: Option<String>,
    pub next: Option<String>,
}

/// The path of page `n` (1-based) of a listing at `base`.
pub fn page_path(base: &str, n: usize) -> String {
    page_path_under("", base, n)
}

/// [`page_path`] under the site's base path `prefix`, as pages link to it.
fn page_path_under(prefix: &str, base: &str, n: usize) -> String {
    if n <= 1 {
        format!("{prefix}{base}")
    } else {
        format!("{prefix}{base}page/{n}/")
    }
}

/// Page `n` of `items` (post indices), `per` to a page; its summaries carry `fields`.
pub fn paginator<'a>(
    site: &'a Site,
    views: &'a Views,
    base: &str,
    items: &[usize],
    n: usize,
    per: usize,
    fields: &'a Fields,
) -> Paginator<'a> {
    let total_pages = items.len().div_ceil(per).max(1);
    let page_path = |n| page_path_under(site.config.base_path(), base, n);
    let start = ((n - 1) * per).min(items.len());
    let end = (start + per).min(items.len());
    Paginator {
        pages: Listed {
            items: items[start..end]
                .iter()
                .map(|&i| summary(site, views, i))
                .collect(),
            fields,
        },
        current: n,
        total_pages,
        total_items: items.len(),
        first: page_path(1),
        last: page_path(total_pages),
        previous: (n > 1).then(|| page_path(n - 1)),
        next: (n < total_pages).then(|| page_path(n + 1)),
    }
}
