//! A cheap fingerprint of everything each planned output is made from, for incremental rebuilds.
//!
//! The dev server re-renders an output only when its fingerprint changed, so a fingerprint must cover
//! every input its job reads (see `jobs.rs` and `context.rs`: a change there needs a change here; the
//! randomized equivalence test in `tests/serve_incremental.rs` catches a forgotten input). It must also be
//! cheap, since all of them are recomputed on every rebuild: a document is represented by the caller's
//! hash of its sources (`DocFps`), never by its rendered HTML, and each post's listing summary is hashed
//! once ([`summary_fps`]) and then stands for that post in every listing, feed and related list.
//!
//! Every page's fingerprint also folds in the theme and the configuration, so a template or config edit
//! re-renders every page, while copied files depend on their own bytes only.

use std::collections::hash_map::DefaultHasher;
use std::hash::{Hash, Hasher};
use std::path::Path;

use chrono::{DateTime, FixedOffset};
use rayon::prelude::*;

use super::jobs::{Job, Scope};
use super::theme::Theme;
use super::Planned;
use crate::site::{Series, Site};

/// Hashes the caller knows and this module cannot compute cheaply.
pub struct DocFps<'a> {
    /// One per `site.posts`, covering everything the rendered document holds.
    pub posts: &'a [u64],
    /// One per `site.pages`.
    pub pages: &'a [u64],
    /// The bytes of a file that a `Copy` job copies (`None` when it cannot be read).
    pub file: &'a (dyn Fn(&Path) -> Option<u64> + Sync),
}

/// A small builder over the standard hasher.
struct Fp(DefaultHasher);

impl Fp {
    fn new() -> Self {
        Fp(DefaultHasher::new())
    }

    fn add<T: Hash + ?Sized>(&mut self, v: &T) -> &mut Self {
        v.hash(&mut self.0);
        self
    }

    fn date(&mut self, d: Option<&DateTime<FixedOffset>>) -> &mut Self {
        self.add(&d.map(|d| (d.timestamp(), d.timestamp_subsec_nanos(), d.offset().local_minus_utc())))
    }

    fn done(&self) -> u64 {
        self.0.finish()
    }
}

/// The listing summary of every post (`context::summary`): its document plus author, tags and series badge.
pub fn summary_fps(site: &Site, docs: &DocFps) -> Vec<u64> {
    (0..site.posts.len())
        .into_par_iter()
        .map(|i| {
            let mut h = Fp::new();
            h.add(&docs.posts[i]);
            if let Some(a) = site.post_author[i].map(|a| &site.authors[a]) {
                h.add(&(&a.id, &a.name, &a.url, &a.path));
            }
            for &t in &site.post_tags[i] {
                h.add(&(&site.tags[t].name, &site.tags[t].slug, &site.tags[t].path));
            }
            if let (Some(s), Some(r)) = (site.post_series[i].map(|s| &site.series[s]), site.posts[i].meta.series.as_ref()) {
                h.add(&(&s.id, &s.title, &s.path, s.shown_total(), r.part));
            }
            h.done()
        })
        .collect()
}

/// One fingerprint per planned output, in the same order.
pub fn fingerprints(site: &Site, theme: &Theme, planned: &[Planned], docs: &DocFps) -> Vec<u64> {
    let sfp = summary_fps(site, docs);
    let site_value = serde_json::to_string(&super::context::site_value(site)).unwrap_or_default();
    let global = Fp::new().add(&theme.fingerprint()).add(&format!("{:?}", site.config)).add(&site_value).add(env!("CARGO_PKG_VERSION")).done();
    let cx = Cx { site, sfp: &sfp, docs, global };
    planned.par_iter().map(|p| cx.output(p)).collect()
}

struct Cx<'a> {
    site: &'a Site,
    sfp: &'a [u64],
    docs: &'a DocFps<'a>,
    global: u64,
}

impl Cx<'_> {
    fn output(&self, p: &Planned) -> u64 {
        let site = self.site;
        let mut h = Fp::new();
        h.add(&p.out);
        match &p.job {
            Job::Copy(src) => return h.add("copy").add(src).add(&(self.docs.file)(src)).done(),
            Job::Embedded(bytes) => return h.add("embedded").add(bytes).done(),
            _ => h.add(&self.global),
        };
        let per = site.config.posts_per_page;
        match &p.job {
            Job::Home { page } => self.listing(h.add("home"), &(0..site.posts.len()).collect::<Vec<_>>(), *page, per),
            Job::Post(i) => self.post(h.add("post"), *i),
            Job::Page(i) => {
                h.add("page").add(&self.docs.pages[*i]);
            }
            Job::Tags => {
                h.add("tags");
                for t in &site.tags {
                    h.add(&(&t.name, &t.slug, &t.path, t.posts.len()));
                }
            }
            Job::Tag { tag, page } => {
                let t = &site.tags[*tag];
                self.listing(h.add("tag").add(&(&t.name, &t.slug, &t.path)), &t.posts, *page, per);
            }
            Job::SeriesList => {
                h.add("series list");
                for s in &site.series {
                    self.series(&mut h, s);
                }
            }
            Job::Series(s) => self.series(h.add("series"), &site.series[*s]),
            Job::Archive => {
                h.add("archive");
                for (year, posts) in &site.years {
                    h.add(year).add(&posts.iter().map(|&i| self.sfp[i]).collect::<Vec<_>>());
                }
            }
            Job::Author(a) => {
                let a = &site.authors[*a];
                h.add("author").add(&(&a.id, &a.name, &a.url, &a.path)).add(&a.posts.iter().map(|&i| self.sfp[i]).collect::<Vec<_>>());
            }
            Job::NotFound => {
                h.add("404");
            }
            Job::Alias { target } => {
                h.add("alias").add(target);
            }
            Job::Feed { scope, format } => self.feed(h.add("feed").add(format), *scope),
            Job::Sitemap => self.sitemap(h.add("sitemap")),
            Job::Robots => {
                h.add("robots");
            }
            Job::HighlightCss => {
                h.add("highlight");
            }
            Job::Copy(_) | Job::Embedded(_) => unreachable!("handled above"),
        };
        h.done()
    }

    /// One page of a paginated listing of `items`.
    fn listing(&self, h: &mut Fp, items: &[usize], page: usize, per: usize) {
        let start = ((page - 1) * per).min(items.len());
        let end = (start + per).min(items.len());
        h.add(&(page, per, items.len())).add(&items[start..end].iter().map(|&i| self.sfp[i]).collect::<Vec<_>>());
    }

    /// A post page: the post, its series neighbours, its chronological neighbours and related posts.
    fn post(&self, h: &mut Fp, i: usize) {
        let site = self.site;
        let link = |j: usize| (&site.posts[j].meta.title, &site.posts[j].path);
        h.add(&self.docs.posts[i]).add(&self.sfp[i]);
        if let (Some(s), Some(r)) = (site.post_series[i].map(|s| &site.series[s]), site.posts[i].meta.series.as_ref()) {
            h.add(&s.parts.range(..r.part).next_back().map(|(n, &j)| (n, link(j))));
            h.add(&s.parts.range(r.part + 1..).next().map(|(n, &j)| (n, link(j))));
        }
        h.add(&i.checked_sub(1).map(link)).add(&(i + 1 < site.posts.len()).then(|| link(i + 1)));
        h.add(&site.related[i].iter().map(|&j| self.sfp[j]).collect::<Vec<_>>());
    }

    fn series(&self, h: &mut Fp, s: &Series) {
        let Series { id, title, path, total, description_html, extra, parts } = s;
        h.add(&(id, title, path, total, description_html, extra.to_string(), s.shown_total()));
        h.add(&parts.iter().map(|(n, &i)| (*n, self.sfp[i])).collect::<Vec<_>>());
    }

    fn feed(&self, h: &mut Fp, scope: Scope) {
        let site = self.site;
        let limit = site.config.feed_limit;
        let items: Vec<usize> = match scope {
            Scope::Site => (0..site.posts.len().min(limit)).collect(),
            Scope::Tag(t) => {
                let tag = &site.tags[t];
                h.add("tag").add(&(&tag.name, &tag.path));
                tag.posts.iter().take(limit).copied().collect()
            }
            Scope::Series(s) => {
                let series = &site.series[s];
                h.add("series").add(&(&series.title, &series.description_html, &series.path));
                let mut parts: Vec<usize> = series.parts.values().copied().collect();
                parts.sort_unstable();
                parts.truncate(limit);
                parts
            }
        };
        h.add(&items.iter().map(|&i| self.sfp[i]).collect::<Vec<_>>());
    }

    fn sitemap(&self, h: &mut Fp) {
        let site = self.site;
        for p in site.posts.iter().chain(&site.pages) {
            h.add(&p.path).date(p.meta.date.as_ref()).date(p.meta.updated.as_ref());
        }
        h.add(&site.tags.iter().map(|t| &t.path).collect::<Vec<_>>());
        h.add(&site.series.iter().map(|s| &s.path).collect::<Vec<_>>());
        h.add(&site.authors.iter().map(|a| &a.path).collect::<Vec<_>>());
    }
}
