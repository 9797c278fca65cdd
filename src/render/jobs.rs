//! The jobs that make output files, and how each one runs.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::OnceLock;

use serde::Serialize;
use tera::Context;

use super::context::{self, feed_links, page_path, paginator, summary, FeedLink, Rel};
use super::reads::{self, Slots};
use super::theme::{Asset, Theme};
use super::views::Views;
use super::Planned;
use crate::config::FeedFormat;
use crate::error::{Error, Result};
use crate::feeds::{self, FeedItem, FeedMeta};
use crate::output::{url_path_to_file, Sink};
use crate::site::Site;

/// What a feed follows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    Site,
    Tag(usize),
    Series(usize),
}

/// One output file's recipe.
#[derive(Debug, Clone)]
pub enum Job {
    Home {
        page: usize,
    },
    Post(usize),
    Page(usize),
    Tags,
    Tag {
        tag: usize,
        page: usize,
    },
    SeriesList,
    Series(usize),
    Archive,
    Author(usize),
    NotFound,
    Alias {
        target: String,
    },
    Feed {
        scope: Scope,
        format: FeedFormat,
    },
    /// `sitemap.xml` (0), or `sitemap-<n>.xml` when the site has more URLs than one sitemap may list.
    Sitemap(usize),
    Robots,
    HighlightCss,
    Copy(PathBuf),
    Embedded(&'static [u8]),
}

impl Job {
    /// Whether this one file goes through a long list of posts (so it takes as long as hundreds of
    /// post pages).
    pub fn is_long(&self) -> bool {
        matches!(
            self,
            Job::Archive
                | Job::Author(_)
                | Job::Feed { .. }
                | Job::Sitemap(_)
                | Job::Series(_)
                | Job::SeriesList
                | Job::Tags
        )
    }

    /// A short name for profiles.
    pub fn kind(&self) -> &'static str {
        match self {
            Job::Home { .. } => "home pages",
            Job::Post(_) => "posts",
            Job::Page(_) => "pages",
            Job::Tags => "tags index",
            Job::Tag { .. } => "tag pages",
            Job::SeriesList => "series index",
            Job::Series(_) => "series pages",
            Job::Archive => "archive",
            Job::Author(_) => "author pages",
            Job::NotFound => "404",
            Job::Alias { .. } => "aliases",
            Job::Feed { .. } => "feeds",
            Job::Sitemap(_) | Job::Robots => "sitemap and robots",
            Job::HighlightCss => "highlight.css",
            Job::Copy(_) | Job::Embedded(_) => "copied files",
        }
    }
}

/// The template a page job renders with, or `None` for jobs that are not rendered through a template
/// (feeds, copies, and aliases when the theme has no `alias.html`).
pub fn template_for(site: &Site, theme: &Theme, job: &Job) -> Option<String> {
    // A post or page may name its own template in its front matter.
    let own = |doc: &crate::site::Doc, default: &str| {
        doc.meta.template.clone().unwrap_or_else(|| default.into())
    };
    let name = match job {
        Job::Home { .. } => "index.html",
        Job::Post(i) => return Some(own(&site.posts[*i], "post.html")),
        Job::Page(i) => return Some(own(&site.pages[*i], "page.html")),
        Job::Tags => "tags.html",
        Job::Tag { .. } => "tag.html",
        Job::SeriesList => "series_list.html",
        Job::Series(_) => "series.html",
        Job::Archive => "archive.html",
        Job::Author(_) => "author.html",
        Job::NotFound => "404.html",
        Job::Alias { .. } if theme.has("alias.html") => "alias.html",
        _ => return None,
    };
    Some(name.to_string())
}

/// Read-only state every job shares.
pub struct Shared<'a> {
    pub site: &'a Site,
    pub theme: &'a Theme,
    /// What every page's context starts from, made once: `site` and `feeds` (the site's own feeds).
    /// A clone copies these values structurally instead of serializing them again for each page.
    page_ctx: Context,
    /// The site's own feeds, which tag and series pages list before their own.
    site_feeds: Vec<FeedLink>,
    /// The theme's post views, rendered on first use.
    pub views: Views<'a>,
    /// `0..posts.len()`, made once: the home listing pages slice it.
    all_posts: Vec<usize>,
    /// Per template, the fields of listed posts it can read (see [`super::reads`]).
    slots: HashMap<String, Slots>,
    /// Per post, its summary and (with full-content feeds) its body with links made absolute, made
    /// by the first feed that lists the post and reused by the others (see [`FeedItem::absolute`]).
    feed_html: Vec<OnceLock<FeedHtml>>,
}

/// A post's summary and optional full content as feeds carry them, every link absolute.
type FeedHtml = (String, Option<String>);

impl<'a> Shared<'a> {
    pub fn new(site: &'a Site, theme: &'a Theme) -> Self {
        let mut site_ctx = Context::new();
        site_ctx.insert("site", &context::site_value(site));
        site_ctx.insert("t", &site.config.strings.plain());
        let site_feeds = feed_links(site, "/", &site.config.title);
        let mut page_ctx = site_ctx.clone();
        page_ctx.insert("feeds", &site_feeds);
        Shared {
            site,
            theme,
            views: Views::new(site, theme, site_ctx),
            page_ctx,
            site_feeds,
            all_posts: (0..site.posts.len()).collect(),
            slots: reads::all(&theme.tera),
            feed_html: (0..site.posts.len()).map(|_| OnceLock::new()).collect(),
        }
    }

    /// What `template` reads of the posts it lists; everything for a template the theme lacks.
    fn slots(&self, template: &str) -> &Slots {
        static ALL: Slots = Slots::ALL;
        self.slots.get(template).unwrap_or(&ALL)
    }

    /// The feed HTML of post `i`, made on first use.
    fn feed_html(&self, i: usize) -> std::io::Result<&FeedHtml> {
        let slot = &self.feed_html[i];
        if let Some(made) = slot.get() {
            return Ok(made);
        }
        let (site, post) = (self.site, &self.site.posts[i]);
        let absolute = |html: &str| feeds::absolutize(html, &site.config.base_url, &post.url);
        let content = match site.config.feed_full_content {
            true => Some(absolute(&site.body(post)?)),
            false => None,
        };
        Ok(slot.get_or_init(|| (absolute(&post.summary_html), content)))
    }
}

fn planned(out: String, job: Job, source: impl Into<String>) -> Planned {
    Planned {
        out,
        job,
        source: source.into(),
        line: None,
    }
}

/// [`planned`], decided by line `line` of the source file.
fn planned_at(out: String, job: Job, source: &str, line: usize) -> Planned {
    Planned {
        line: Some(line),
        ..planned(out, job, source)
    }
}

fn file_of(path: &str) -> String {
    url_path_to_file(path).unwrap_or_else(|_| "index.html".into())
}

/// Every output of the site.
pub fn plan(site: &Site, theme: &Theme) -> Vec<Planned> {
    let c = &site.config;
    let per = c.posts_per_page;
    let mut out = Vec::with_capacity(site.posts.len() * 2 + 64);
    for page in 1..=site.posts.len().div_ceil(per).max(1) {
        out.push(planned(
            file_of(&page_path("/", page)),
            Job::Home { page },
            "the home page listing",
        ));
    }
    for (i, p) in site.posts.iter().enumerate() {
        plan_doc(&mut out, p, Job::Post(i));
    }
    for (i, p) in site.pages.iter().enumerate() {
        plan_doc(&mut out, p, Job::Page(i));
    }
    out.push(planned(
        "tags/index.html".into(),
        Job::Tags,
        "the tags index",
    ));
    for (t, tag) in site.ix.tags.iter().enumerate() {
        for page in 1..=tag.posts.len().div_ceil(per).max(1) {
            out.push(planned(
                file_of(&page_path(&tag.path, page)),
                Job::Tag { tag: t, page },
                format!("tag `{}`", tag.name),
            ));
        }
        plan_feeds(
            &mut out,
            site,
            &tag.path,
            Scope::Tag(t),
            &format!("tag `{}`", tag.name),
        );
    }
    out.push(planned(
        "series/index.html".into(),
        Job::SeriesList,
        "the series index",
    ));
    for (s, series) in site.ix.series.iter().enumerate() {
        out.push(planned(
            file_of(&series.path),
            Job::Series(s),
            format!("series `{}`", series.id),
        ));
        plan_feeds(
            &mut out,
            site,
            &series.path,
            Scope::Series(s),
            &format!("series `{}`", series.id),
        );
    }
    out.push(planned(
        "archive/index.html".into(),
        Job::Archive,
        "the archive",
    ));
    for (a, author) in site.ix.authors.iter().enumerate() {
        out.push(planned(
            file_of(&author.path),
            Job::Author(a),
            format!("author `{}`", author.id),
        ));
    }
    plan_feeds(&mut out, site, "/", Scope::Site, "the site feed");
    out.push(planned("404.html".into(), Job::NotFound, "the 404 page"));
    out.push(planned(
        "sitemap.xml".into(),
        Job::Sitemap(0),
        "the sitemap",
    ));
    let parts = sitemap_parts(site, SITEMAP_URLS);
    if parts > 1 {
        for part in 1..=parts {
            out.push(planned(
                sitemap_file(part),
                Job::Sitemap(part),
                "the sitemap",
            ));
        }
    }
    // A static robots.txt, the site's or the theme's, replaces the generated one, as in Hugo without
    // enableRobotsTXT.
    let own_robots = site.statics.iter().any(|(_, rel)| rel == "robots.txt")
        || theme.assets.iter().any(|(rel, _)| rel == "robots.txt");
    if !own_robots {
        out.push(planned("robots.txt".into(), Job::Robots, "robots.txt"));
    }
    out.push(planned(
        "highlight.css".into(),
        Job::HighlightCss,
        "the highlighting stylesheet",
    ));
    plan_static(&mut out, site, theme);
    out
}

/// A post's or page's own file, the files beside it, and its alias redirects.
fn plan_doc(out: &mut Vec<Planned>, doc: &crate::site::Doc, job: Job) {
    let meta = &doc.meta;
    out.push(planned_at(
        doc.out_file.clone(),
        job,
        &meta.file,
        meta.slug_line,
    ));
    plan_assets(out, &doc.path, &meta.assets, &meta.file);
    for (file, _) in &meta.aliases {
        out.push(planned_at(
            file.clone(),
            Job::Alias {
                target: doc.url.clone(),
            },
            &meta.file,
            meta.aliases_line,
        ));
    }
}

fn plan_assets(
    out: &mut Vec<Planned>,
    page_path: &str,
    assets: &[(PathBuf, String)],
    source: &str,
) {
    let folder = file_of(page_path);
    let dir = folder.rsplit_once('/').map_or("", |(d, _)| d);
    // The asset's own file names it in a clash: `content/posts/a/photo.jpg`, beside `index.md`.
    let beside = source.rsplit_once('/').map_or("", |(d, _)| d);
    for (src, rel) in assets {
        let dest = if dir.is_empty() {
            rel.clone()
        } else {
            format!("{dir}/{rel}")
        };
        out.push(planned(
            dest,
            Job::Copy(src.clone()),
            format!("{beside}/{rel}"),
        ));
    }
}

fn plan_feeds(out: &mut Vec<Planned>, site: &Site, folder: &str, scope: Scope, source: &str) {
    for &format in &site.config.feed_formats {
        let path = format!("{}{}", folder.trim_start_matches('/'), format.file_name());
        out.push(planned(path, Job::Feed { scope, format }, source));
    }
}

/// Theme assets first, then the site's `static/`, which wins where both have a file.
fn plan_static(out: &mut Vec<Planned>, site: &Site, theme: &Theme) {
    let site_files: std::collections::HashSet<&str> =
        site.statics.iter().map(|(_, o)| o.as_str()).collect();
    for (rel, asset) in &theme.assets {
        if site_files.contains(rel.as_str()) {
            continue;
        }
        let (job, source) = match asset {
            Asset::File(p) => {
                let shown = p.strip_prefix(&site.config.root).unwrap_or(p);
                (Job::Copy(p.clone()), shown.display().to_string())
            }
            Asset::Embedded(b) => (
                Job::Embedded(b),
                format!("the built-in theme's static/{rel}"),
            ),
        };
        out.push(planned(rel.clone(), job, source));
    }
    for (src, rel) in &site.statics {
        out.push(planned(
            rel.clone(),
            Job::Copy(src.clone()),
            format!("static/{rel}"),
        ));
    }
}

/// Run one job; `Ok(true)` when it wrote an HTML page.
pub fn run(shared: &Shared, p: &Planned, sink: &dyn Sink) -> Result<bool> {
    let io = |e: std::io::Error| Error::new(&p.out, None, format!("could not write output: {e}"));
    match &p.job {
        Job::Copy(src) => sink.copy(src, &p.out).map_err(|e| {
            Error::new(
                src.display().to_string(),
                None,
                format!("could not copy to {}: {e}", p.out),
            )
        })?,
        Job::Embedded(bytes) => sink.write(&p.out, bytes).map_err(io)?,
        Job::Feed { scope, format } => sink
            .write(&p.out, feed(shared, *scope, *format)?.as_bytes())
            .map_err(io)?,
        Job::Sitemap(part) => sink
            .write(&p.out, sitemap(shared.site, *part, SITEMAP_URLS).as_bytes())
            .map_err(io)?,
        Job::Robots => sink
            .write(&p.out, robots(shared.site).as_bytes())
            .map_err(io)?,
        Job::HighlightCss => sink
            .write(&p.out, highlight_css(shared.site)?.as_bytes())
            .map_err(io)?,
        _ => {
            let html = page(shared, p)?;
            sink.write(&p.out, &html).map_err(io)?;
            return Ok(true);
        }
    }
    Ok(false)
}

/// The context parts every page has.
fn base(shared: &Shared, kind: &str, path: &str, title: &str, description: &str) -> Context {
    let site = shared.site;
    let mut ctx = shared.page_ctx.clone();
    ctx.insert("kind", kind);
    ctx.insert("path", &Rel::new(site, path));
    ctx.insert("url", &site.config.absolute(path));
    let full_title = if title.is_empty() || title == site.config.title {
        site.config.title.clone()
    } else {
        format!("{title} — {}", site.config.title)
    };
    ctx.insert("title", &full_title);
    ctx.insert(
        "description",
        if description.is_empty() {
            site.config.description.as_str()
        } else {
            description
        },
    );
    ctx
}

/// The site's translation of `key` for the count `n` (which also fills `{n}`), its other
/// placeholders filled from `values`. A placeholder the key's translation has and this page cannot fill
/// is left as written, and the site's translator sees it on the page.
fn counted(site: &Site, key: &str, n: usize, values: &[(&str, &str)]) -> String {
    let value = |name: &str| {
        let found = values.iter().find(|(k, _)| *k == name);
        Some(found.map_or_else(|| format!("{{{name}}}"), |(_, v)| v.to_string()))
    };
    site.config
        .strings
        .format(key, Some(n as f64), &value)
        // Every placeholder has a value above: only a key no layer defines fails, and it has no text.
        .unwrap_or_default()
}

/// The site's feeds and those of the tag or series at `folder` (named `name`), for its pages.
fn feeds_with(shared: &Shared, folder: &str, name: &str) -> Vec<FeedLink> {
    let site = shared.site;
    let mut feeds = shared.site_feeds.clone();
    feeds.extend(feed_links(
        site,
        folder,
        &format!("{} — {name}", site.config.title),
    ));
    feeds
}

/// One year of the archive.
#[derive(Serialize)]
struct Year<'a> {
    year: &'a i32,
    posts: Vec<context::Entry<'a>>,
}

fn insert<T: Serialize + ?Sized>(ctx: &mut Context, key: &str, value: &T) {
    ctx.insert(key, value);
}

/// The page's HTML. Tera writes only text it was given as `str`, so the bytes are UTF-8 and are
/// written as they come, without a pass to check them.
fn page(shared: &Shared, p: &Planned) -> Result<Vec<u8>> {
    let site = shared.site;
    let io = |e: std::io::Error| {
        Error::new(
            &p.out,
            None,
            format!("could not read the page's body back: {e}"),
        )
    };
    let Some(template) = template_for(site, shared.theme, &p.job) else {
        return match &p.job {
            Job::Alias { target } => Ok(alias_page(site, target).into_bytes()),
            _ => unreachable!(
                "only page jobs reach page(), and every one but an alias has a template"
            ),
        };
    };
    let path = format!("/{}", p.out.trim_end_matches("index.html"));
    let slots = shared.slots(&template);
    let ctx = match &p.job {
        Job::Home { page } => {
            let title = if *page > 1 {
                counted(site, "page_n", *page, &[])
            } else {
                String::new()
            };
            let mut ctx = base(shared, "home", &path, &title, "");
            insert(
                &mut ctx,
                "paginator",
                &paginator(
                    site,
                    &shared.views,
                    "/",
                    &shared.all_posts,
                    *page,
                    site.config.posts_per_page,
                    &slots.listed,
                ),
            );
            ctx
        }
        Job::Post(i) => {
            let doc = &site.posts[*i];
            let mut ctx = base(
                shared,
                "post",
                &doc.path,
                &doc.meta.title,
                &plain_text(&doc.summary_html),
            );
            insert(
                &mut ctx,
                "post",
                &context::full_post(site, &shared.views, *i, slots).map_err(io)?,
            );
            ctx
        }
        Job::Page(i) => {
            let doc = &site.pages[*i];
            let mut ctx = base(
                shared,
                "page",
                &doc.path,
                &doc.meta.title,
                &plain_text(&doc.summary_html),
            );
            insert(&mut ctx, "page", &context::page(site, *i).map_err(io)?);
            ctx
        }
        Job::Tags => {
            let mut ctx = base(
                shared,
                "tags",
                "/tags/",
                site.config.strings.text("tags"),
                "",
            );
            let tags: Vec<_> = site
                .ix.tags
                .iter()
                .map(|t| serde_json::json!({ "name": t.name, "slug": t.slug, "path": Rel::new(site, &t.path), "count": t.posts.len() }))
                .collect();
            insert(&mut ctx, "tags", &tags);
            ctx
        }
        Job::Tag { tag, page } => {
            let t = &site.ix.tags[*tag];
            let title = match *page {
                1 => counted(site, "tag_title", 1, &[("tag", &t.name)]),
                n => counted(site, "tag_page_title", n, &[("tag", &t.name)]),
            };
            let mut ctx = base(shared, "tag", &path, &title, "");
            insert(&mut ctx, "feeds", &feeds_with(shared, &t.path, &t.name));
            insert(
                &mut ctx,
                "tag",
                &serde_json::json!({ "name": t.name, "slug": t.slug, "path": Rel::new(site, &t.path), "count": t.posts.len() }),
            );
            insert(
                &mut ctx,
                "paginator",
                &paginator(
                    site,
                    &shared.views,
                    &t.path,
                    &t.posts,
                    *page,
                    site.config.posts_per_page,
                    &slots.listed,
                ),
            );
            ctx
        }
        Job::SeriesList => {
            let series = site.config.strings.text("series");
            let mut ctx = base(shared, "series_list", "/series/", series, "");
            let list: Vec<_> = site
                .ix
                .series
                .iter()
                .map(|s| series_value(shared, s, false))
                .collect();
            insert(&mut ctx, "series_list", &list);
            ctx
        }
        Job::Series(s) => {
            let series = &site.ix.series[*s];
            let mut ctx = base(
                shared,
                "series",
                &series.path,
                &series.title,
                &plain_text(&series.description_html),
            );
            insert(
                &mut ctx,
                "feeds",
                &feeds_with(shared, &series.path, &series.title),
            );
            insert(&mut ctx, "series", &series_value(shared, series, true));
            ctx
        }
        Job::Archive => {
            let archive = site.config.strings.text("archive");
            let mut ctx = base(shared, "archive", "/archive/", archive, "");
            // Serialized once, straight into the context: ten thousand entries are too many to build
            // as JSON values first and copy into the context after.
            let years: Vec<_> = site
                .ix
                .years
                .iter()
                .map(|(year, posts)| Year {
                    year,
                    posts: posts.iter().map(|&i| context::entry(site, i)).collect(),
                })
                .collect();
            insert(&mut ctx, "years", &years);
            ctx
        }
        Job::Author(a) => {
            let author = &site.ix.authors[*a];
            let mut ctx = base(shared, "author", &author.path, &author.name, "");
            insert(
                &mut ctx,
                "author",
                &serde_json::json!({
                    "id": author.id,
                    "name": author.name,
                    "url": author.url.as_deref().map(|u| Rel::link(site, u)),
                    "path": Rel::new(site, &author.path),
                    "count": author.posts.len(),
                }),
            );
            insert(
                &mut ctx,
                "posts",
                &author
                    .posts
                    .iter()
                    .map(|&i| context::entry(site, i))
                    .collect::<Vec<_>>(),
            );
            ctx
        }
        Job::NotFound => {
            let title = site.config.strings.text("page_not_found");
            base(shared, "404", "/404.html", title, "")
        }
        Job::Alias { target } => {
            let mut ctx = base(
                shared,
                "alias",
                &path,
                site.config.strings.text("moved"),
                "",
            );
            insert(&mut ctx, "target", target);
            ctx
        }
        _ => unreachable!("non-page jobs are handled by run()"),
    };
    if !shared.theme.has(&template) {
        // The plan checks every page's template first; the dev server re-renders a page whose
        // front matter changed without planning the site again, and says the same.
        super::missing_templates(site, shared.theme, std::slice::from_ref(p))?;
    }
    // Tera's own `render` starts from a 2 KB buffer and doubles it; a post page is 10–30 KB.
    let mut html = Vec::with_capacity(PAGE_CAPACITY);
    shared
        .theme
        .tera
        .render_to(&template, &ctx, &mut html)
        .map_err(|e| shared.theme.template_error(&e))?;
    Ok(html)
}

/// The buffer a page is rendered into, big enough for most pages at once.
const PAGE_CAPACITY: usize = 32 * 1024;

fn series_value(shared: &Shared, s: &crate::site::Series, with_parts: bool) -> serde_json::Value {
    let site = shared.site;
    let latest = s
        .parts
        .values()
        .filter_map(|&i| site.posts[i].meta.date)
        .max()
        .map(|d| d.to_rfc3339());
    let description_html =
        crate::feeds::with_base_path(&s.description_html, site.config.base_path());
    let mut v = serde_json::json!({
        "id": s.id, "title": s.title, "path": Rel::new(site, &s.path), "description_html": description_html,
        "total": s.shown_total(), "published": s.parts.len(), "latest_date": latest, "extra": s.extra,
    });
    if with_parts {
        let highest = s
            .total
            .unwrap_or(0)
            .max(s.parts.keys().next_back().copied().unwrap_or(0));
        let parts: Vec<_> = (1..=highest)
            .filter_map(|n| match s.parts.get(&n) {
                Some(&i) => {
                    Some(serde_json::json!({ "part": n, "post": summary(site, &shared.views, i) }))
                }
                None if s.total.is_some() => Some(serde_json::json!({ "part": n, "post": null })),
                None => None,
            })
            .collect();
        v["parts"] = serde_json::Value::Array(parts);
    }
    v
}

/// A minimal, valid redirect page for themes without `alias.html`, in the site's language.
fn alias_page(site: &Site, target: &str) -> String {
    let escape = super::theme::escape_html;
    let t = escape(target);
    let c = &site.config;
    let dir = match c.direction {
        "rtl" => " dir=\"rtl\"",
        _ => "",
    };
    let (lang, title) = (escape(&c.language), escape(c.strings.text("redirecting")));
    let moved = escape(c.strings.text("moved_to"));
    format!(
        "<!DOCTYPE html>\n<html lang=\"{lang}\"{dir}><head><meta charset=\"utf-8\"><title>{title}</title>\
         <link rel=\"canonical\" href=\"{t}\"><meta http-equiv=\"refresh\" content=\"0; url={t}\"></head>\
         <body><p>{moved} <a href=\"{t}\">{t}</a>.</p></body></html>\n"
    )
}

/// Text of an HTML fragment, for meta descriptions: at most 200 characters.
pub fn plain_text(html: &str) -> String {
    crate::markdown::plain_text(html, 200)
}

fn feed(shared: &Shared, scope: Scope, format: FeedFormat) -> Result<String> {
    let site = shared.site;
    let c = &site.config;
    let limit = c.feed_limit;
    let (title, description, home, folder, indices): (String, String, String, String, Vec<usize>) =
        match scope {
            Scope::Site => (
                c.title.clone(),
                c.description.clone(),
                "/".into(),
                "/".into(),
                (0..site.posts.len().min(limit)).collect(),
            ),
            Scope::Tag(t) => {
                let tag = &site.ix.tags[t];
                (
                    format!("{} — {}", c.title, tag.name),
                    format!("Posts tagged “{}”", tag.name),
                    tag.path.clone(),
                    tag.path.clone(),
                    tag.posts.iter().take(limit).copied().collect(),
                )
            }
            Scope::Series(s) => {
                let series = &site.ix.series[s];
                let mut parts: Vec<usize> = series.parts.values().copied().collect();
                parts.sort_unstable();
                parts.truncate(limit);
                (
                    format!("{} — {}", c.title, series.title),
                    plain_text(&series.description_html),
                    series.path.clone(),
                    series.path.clone(),
                    parts,
                )
            }
        };
    let html = indices
        .iter()
        .map(|&i| shared.feed_html(i))
        .collect::<std::io::Result<Vec<_>>>()
        .map_err(|e| {
            Error::new(
                &folder,
                None,
                format!("could not read a post's body back: {e}"),
            )
        })?;
    // Per item, not per author: a site of many guest authors has them all in every one of its feeds.
    let author_urls: Vec<Option<String>> = indices
        .iter()
        .map(|&i| site.ix.post_author[i].and_then(|a| author_url(site, &site.ix.authors[a])))
        .collect();
    let items: Vec<FeedItem> = indices
        .iter()
        .zip(html)
        .zip(&author_urls)
        .map(|((&i, (summary, content)), uri)| {
            let post = &site.posts[i];
            FeedItem {
                title: &post.meta.title,
                url: &post.url,
                date: post.meta.date.unwrap_or_default(),
                updated: post.meta.updated,
                author: site.author_name(i),
                author_url: uri.as_deref(),
                categories: site.ix.post_tags[i]
                    .iter()
                    .map(|&t| site.ix.tags[t].name.as_str())
                    .collect(),
                summary_html: summary,
                content_html: content.as_deref(),
                absolute: true,
            }
        })
        .collect();
    let home_url = c.absolute(&home);
    let feed_url = c.absolute(&format!("{folder}{}", format.file_name()));
    let meta = FeedMeta {
        title: &title,
        description: &description,
        language: &c.language,
        site_url: &c.base_url,
        home_url: &home_url,
        feed_url: &feed_url,
        generator: context::GENERATOR,
        // An empty Atom feed (a series with no published part yet) still needs an `<updated>`: a fixed date
        // keeps builds reproducible, where the clock would not, and depends on nothing else in the site.
        updated: (items.is_empty() && format == FeedFormat::Atom)
            .then(|| chrono::DateTime::UNIX_EPOCH.fixed_offset()),
    };
    Ok(match format {
        FeedFormat::Rss => feeds::rss(&meta, &items),
        FeedFormat::Atom => feeds::atom(&meta, &items),
        FeedFormat::Json => feeds::json(&meta, &items),
    })
}

/// An author's URL as feeds give it, absolute: the `url` of `[authors.<id>]` (their own site, or a
/// root-relative path on this one), else their page on this site, if they have one.
fn author_url(site: &Site, author: &crate::site::Author) -> Option<String> {
    let c = &site.config;
    match author.url.as_deref() {
        Some(url) if url.starts_with('/') && !url.starts_with("//") => Some(c.absolute(url)),
        Some(url) => Some(url.to_string()),
        None => (!author.path.is_empty()).then(|| c.absolute(&author.path)),
    }
}

/// The most URLs one sitemap file may list (the sitemap protocol's limit). A site with more gets a
/// sitemap index at `sitemap.xml` and the URLs in `sitemap-1.xml`, `sitemap-2.xml`…, as Zola does;
/// robots.txt names the index, which search engines read like a sitemap.
const SITEMAP_URLS: usize = 50_000;

/// When a document last changed, for its sitemap entry.
fn changed(p: &crate::site::Doc) -> Option<&str> {
    p.updated_rfc3339.as_deref().or(p.date_rfc3339.as_deref())
}

/// Every page a sitemap lists, with its last change where one is known, in order.
fn sitemap_entries(site: &Site) -> impl Iterator<Item = (&str, Option<&str>)> {
    // The home page changes with any post's `updated`, as the site's feeds say it does.
    let newest = site
        .posts
        .iter()
        .filter_map(|p| Some((p.meta.updated.or(p.meta.date)?, p)))
        .max_by_key(|(d, _)| *d)
        .and_then(|(_, p)| changed(p));
    let home = std::iter::once(("/", newest));
    let docs = site
        .posts
        .iter()
        .chain(&site.pages)
        .map(|p| (p.path.as_str(), changed(p)));
    let lists = ["/tags/", "/series/", "/archive/"].map(|p| (p, None));
    let tags = site.ix.tags.iter().map(|t| (t.path.as_str(), None));
    let series = site.ix.series.iter().map(|s| (s.path.as_str(), None));
    let authors = site.ix.authors.iter().map(|a| (a.path.as_str(), None));
    home.chain(docs)
        .chain(lists)
        .chain(tags)
        .chain(series)
        .chain(authors)
}

/// How many sitemap files of at most `max` URLs the site's URLs fill (1: `sitemap.xml` alone).
fn sitemap_parts(site: &Site, max: usize) -> usize {
    sitemap_entries(site).count().div_ceil(max).max(1)
}

fn sitemap_file(part: usize) -> String {
    format!("sitemap-{part}.xml")
}

/// `sitemap.xml` (`part` 0) or `sitemap-<part>.xml`, for files of at most `max` URLs each.
fn sitemap(site: &Site, part: usize, max: usize) -> String {
    let c = &site.config;
    let parts = sitemap_parts(site, max);
    let head = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
    let ns = "xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\"";
    if part == 0 && parts > 1 {
        let mut xml = format!("{head}<sitemapindex {ns}>\n");
        for n in 1..=parts {
            let loc = c.absolute(&format!("/{}", sitemap_file(n)));
            xml.push_str("  <sitemap><loc>");
            xml.push_str(&quick_xml::escape::escape(loc.as_str()));
            xml.push_str("</loc></sitemap>\n");
        }
        xml.push_str("</sitemapindex>\n");
        return xml;
    }
    let mut xml = String::with_capacity(128 + max.min(site.posts.len()) * 120);
    xml.push_str(head);
    xml.push_str(&format!("<urlset {ns}>\n"));
    let skip = part.saturating_sub(1) * max;
    for (path, lastmod) in sitemap_entries(site).skip(skip).take(max) {
        xml.push_str("  <url><loc>");
        xml.push_str(&quick_xml::escape::escape(c.absolute(path).as_str()));
        xml.push_str("</loc>");
        if let Some(m) = lastmod {
            xml.push_str("<lastmod>");
            xml.push_str(m);
            xml.push_str("</lastmod>");
        }
        xml.push_str("</url>\n");
    }
    xml.push_str("</urlset>\n");
    xml
}

fn robots(site: &Site) -> String {
    format!(
        "User-agent: *\nAllow: /\n\nSitemap: {}\n",
        site.config.absolute("/sitemap.xml")
    )
}

fn highlight_css(site: &Site) -> Result<String> {
    crate::markdown::Highlighter::css(&site.config.highlight_theme).map_err(|m| {
        Error::new(
            crate::config::CONFIG_FILE,
            site.config.highlight_theme_line,
            format!("[highlight] theme: {m}"),
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::content::BuildOptions;
    use crate::error::Diagnostics;
    use crate::pipeline::{load_site, Overrides};

    fn site_of(posts: usize) -> (tempfile::TempDir, crate::pipeline::Loaded) {
        let dir = tempfile::tempdir().unwrap();
        let write = |rel: &str, text: &str| {
            let path = dir.path().join(rel);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, text).unwrap();
        };
        write(
            "site.toml",
            "title = \"T\"\nbase_url = \"https://x.org/blog\"\n",
        );
        for i in 0..posts {
            write(
                &format!("content/posts/p{i}.md"),
                &format!(
                    "---\ntitle: P{i}\ndate: 2024-01-0{}\n---\nText.\n",
                    i % 9 + 1
                ),
            );
        }
        let diags = Diagnostics::new();
        let loaded = load_site(
            dir.path(),
            &BuildOptions::default(),
            &Overrides::default(),
            &diags,
        )
        .unwrap();
        (dir, loaded)
    }

    fn locs(xml: &str) -> Vec<&str> {
        xml.split("<loc>")
            .skip(1)
            .map(|l| &l[..l.find("</loc>").unwrap()])
            .collect()
    }

    #[test]
    fn a_sitemap_past_the_limit_becomes_an_index_of_parts_that_list_every_url_once() {
        let (_dir, loaded) = site_of(7);
        let site = &loaded.site;
        // 7 posts, the home page and three listings: 11 URLs.
        let whole = sitemap(site, 0, 50);
        assert!(whole.contains("<urlset"));
        let all = locs(&whole);
        assert_eq!(all.len(), 11);
        assert_eq!(sitemap_parts(site, 50), 1);

        assert_eq!(sitemap_parts(site, 5), 3);
        let index = sitemap(site, 0, 5);
        assert!(index.contains("<sitemapindex"), "{index}");
        assert_eq!(
            locs(&index),
            [1, 2, 3].map(|n| format!("https://x.org/blog/sitemap-{n}.xml"))
        );
        let parts: Vec<String> = (1..=3).map(|n| sitemap(site, n, 5)).collect();
        let listed: Vec<&str> = parts.iter().flat_map(|p| locs(p)).collect();
        assert_eq!(listed, all, "every URL once, in order");
        assert!(parts.iter().all(|p| locs(p).len() <= 5));
    }
}
