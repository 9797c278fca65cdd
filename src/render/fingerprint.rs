//! A cheap fingerprint of everything each planned output is made from, for incremental rebuilds.
//!
//! The dev server re-renders an output only when its fingerprint changed, so a fingerprint must cover
//! every input its job reads (see `jobs.rs` and `context.rs`: a change there needs a change here; the
//! randomized equivalence test in `tests/serve_incremental.rs` catches a forgotten input). It must also be
//! cheap: a document is represented by the caller's hash of its sources ([`DocFps`]), never by its
//! rendered HTML, and each post's listing summary is hashed once and then stands for that post in every
//! listing, feed and related list.
//!
//! The archive and author pages show compact entries (`context::entry`), which hold no text of the
//! post: they fold in an entry fingerprint instead, a hash of the entry itself, so an edit to a post's
//! body does not re-render ten thousand archive rows.
//!
//! While hashing, each output records which posts it read ([`Fingerprints::readers`]): their documents,
//! summaries or entries, or their titles in a previous or next link. When only the contents of some
//! posts change and nothing about the site's shape does (their dates, paths, tags, series, authors, or
//! their titles where that moves them), [`Fingerprints::refresh`] recomputes just the outputs that read
//! them, instead of all of them. Every page's fingerprint also folds in the theme, the configuration and
//! the `site` object, so a template or config edit re-renders every page; copied files depend on their
//! own bytes only.

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

/// The fingerprints of a planned site.
#[derive(Debug, Clone, Default)]
pub struct Fingerprints {
    /// One per planned output, in plan order.
    pub outputs: Vec<u64>,
    /// One per post: its listing summary.
    pub summaries: Vec<u64>,
    /// One per post: its compact entry (archive and author pages).
    pub entries: Vec<u64>,
    /// Per post: the outputs (plan positions) whose fingerprint read its document or summary.
    pub readers: Vec<Vec<u32>>,
    /// Per output: how many posts it read (large listings are the slow ones to render).
    pub reads: Vec<u32>,
    global: u64,
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
        self.add(&d.map(|d| {
            (
                d.timestamp(),
                d.timestamp_subsec_nanos(),
                d.offset().local_minus_utc(),
            )
        }))
    }

    fn done(&self) -> u64 {
        self.0.finish()
    }
}

/// The listing summary of post `i` (`context::summary`): its document plus author, tags and series badge.
fn summary_fp(site: &Site, docs: &DocFps, i: usize) -> u64 {
    let mut h = Fp::new();
    h.add(&docs.posts[i]);
    if let Some(a) = site.ix.post_author[i].map(|a| &site.ix.authors[a]) {
        h.add(&(&a.id, &a.name, &a.url, &a.path));
    }
    for &t in &site.ix.post_tags[i] {
        h.add(&(
            &site.ix.tags[t].name,
            &site.ix.tags[t].slug,
            &site.ix.tags[t].path,
        ));
    }
    if let (Some(s), Some(r)) = (
        site.ix.post_series[i].map(|s| &site.ix.series[s]),
        site.posts[i].meta.series.as_ref(),
    ) {
        h.add(&(&s.id, &s.title, &s.path, s.shown_total(), r.part));
    }
    h.done()
}

/// The compact entry of post `i` (`context::entry`): every field the templates see of it.
fn entry_fp(site: &Site, i: usize) -> u64 {
    let mut h = DefaultHasher::new();
    super::context::entry(site, i).hash(&mut h);
    h.finish()
}

/// Fingerprint every planned output.
pub fn fingerprints(
    site: &Site,
    theme: &Theme,
    planned: &[Planned],
    docs: &DocFps,
) -> Fingerprints {
    let summaries: Vec<u64> = (0..site.posts.len())
        .into_par_iter()
        .map(|i| summary_fp(site, docs, i))
        .collect();
    let entries: Vec<u64> = (0..site.posts.len())
        .into_par_iter()
        .map(|i| entry_fp(site, i))
        .collect();
    let site_value = serde_json::to_string(&super::context::site_value(site)).unwrap_or_default();
    let global = Fp::new()
        .add(&theme.fingerprint())
        .add(&format!("{:?}", site.config))
        .add(&site_value)
        .add(env!("CARGO_PKG_VERSION"))
        .done();
    let cx = Cx {
        site,
        sfp: &summaries,
        efp: &entries,
        docs,
        global,
    };
    let each: Vec<(u64, Vec<u32>)> = planned
        .par_iter()
        .map(|p| {
            let mut read = Vec::new();
            let fp = cx.output(p, &mut read);
            read.sort_unstable();
            read.dedup();
            (fp, read)
        })
        .collect();
    let mut readers = vec![Vec::new(); site.posts.len()];
    let mut reads = Vec::with_capacity(each.len());
    for (k, (_, read)) in each.iter().enumerate() {
        for &i in read {
            readers[i as usize].push(k as u32);
        }
        reads.push(read.len() as u32);
    }
    Fingerprints {
        outputs: each.into_iter().map(|(fp, _)| fp).collect(),
        summaries,
        entries,
        readers,
        reads,
        global,
    }
}

impl Fingerprints {
    /// The documents of `posts` changed but the site's shape did not, or only their titles did and not
    /// their places: recompute their summaries and entries and the outputs that read them, plus `outputs`
    /// (pages, copied files). Returns the outputs whose
    /// fingerprint changed, in plan order.
    pub fn refresh(
        &mut self,
        site: &Site,
        planned: &[Planned],
        docs: &DocFps,
        posts: &[usize],
        outputs: &[usize],
    ) -> Vec<usize> {
        for &i in posts {
            self.summaries[i] = summary_fp(site, docs, i);
            self.entries[i] = entry_fp(site, i);
        }
        let mut affected: Vec<usize> = posts
            .iter()
            .flat_map(|&i| self.readers[i].iter().map(|&k| k as usize))
            .chain(outputs.iter().copied())
            .collect();
        affected.sort_unstable();
        affected.dedup();
        let cx = Cx {
            site,
            sfp: &self.summaries,
            efp: &self.entries,
            docs,
            global: self.global,
        };
        let fresh: Vec<u64> = affected
            .par_iter()
            .map(|&k| cx.output(&planned[k], &mut Vec::new()))
            .collect();
        let mut changed = Vec::new();
        for (k, fp) in affected.into_iter().zip(fresh) {
            if self.outputs[k] != fp {
                self.outputs[k] = fp;
                changed.push(k);
            }
        }
        changed
    }
}

struct Cx<'a> {
    site: &'a Site,
    sfp: &'a [u64],
    efp: &'a [u64],
    docs: &'a DocFps<'a>,
    global: u64,
}

impl Cx<'_> {
    /// The summary fingerprint of post `i`, noting that it was read.
    fn summary(&self, i: usize, read: &mut Vec<u32>) -> u64 {
        read.push(i as u32);
        self.sfp[i]
    }

    fn summaries(&self, items: &[usize], read: &mut Vec<u32>) -> Vec<u64> {
        items.iter().map(|&i| self.summary(i, read)).collect()
    }

    /// The entry fingerprints of `items`, noting that they were read.
    fn entries(&self, items: &[usize], read: &mut Vec<u32>) -> Vec<u64> {
        read.extend(items.iter().map(|&i| i as u32));
        items.iter().map(|&i| self.efp[i]).collect()
    }

    fn output(&self, p: &Planned, read: &mut Vec<u32>) -> u64 {
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
            Job::Home { page } => {
                self.listing(h.add("home"), site.posts.len(), |k| k, *page, per, read)
            }
            Job::Post(i) => self.post(h.add("post"), *i, read),
            Job::Page(i) => {
                h.add("page").add(&self.docs.pages[*i]);
            }
            Job::Tags => {
                h.add("tags");
                for t in &site.ix.tags {
                    h.add(&(&t.name, &t.slug, &t.path, t.posts.len()));
                }
            }
            Job::Tag { tag, page } => {
                let t = &site.ix.tags[*tag];
                self.listing(
                    h.add("tag").add(&(&t.name, &t.slug, &t.path)),
                    t.posts.len(),
                    |k| t.posts[k],
                    *page,
                    per,
                    read,
                );
            }
            Job::SeriesList => {
                h.add("series list");
                for s in &site.ix.series {
                    self.series(&mut h, s, read);
                }
            }
            Job::Series(s) => self.series(h.add("series"), &site.ix.series[*s], read),
            Job::Archive => {
                h.add("archive");
                for (year, posts) in &site.ix.years {
                    h.add(year).add(&self.entries(posts, read));
                }
            }
            Job::Author(a) => {
                let a = &site.ix.authors[*a];
                h.add("author")
                    .add(&(&a.id, &a.name, &a.url, &a.path))
                    .add(&self.entries(&a.posts, read));
            }
            Job::NotFound => {
                h.add("404");
            }
            Job::Alias { target } => {
                h.add("alias").add(target);
            }
            Job::Feed { scope, format } => self.feed(h.add("feed").add(format), *scope, read),
            Job::Sitemap(part) => self.sitemap(h.add("sitemap").add(part)),
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

    /// One page of a paginated listing of `len` posts, the `k`-th being post `item(k)`.
    fn listing(
        &self,
        h: &mut Fp,
        len: usize,
        item: impl Fn(usize) -> usize,
        page: usize,
        per: usize,
        read: &mut Vec<u32>,
    ) {
        let start = ((page - 1) * per).min(len);
        let end = (start + per).min(len);
        h.add(&(page, per, len));
        for k in start..end {
            h.add(&self.summary(item(k), read));
        }
    }

    /// A post page: the post, its series neighbours, its chronological neighbours and related posts.
    /// A neighbour shows only as a link (its title and path), but it counts as read all the same, so
    /// that retitling a post fingerprints again the pages that link to it (`Fingerprints::refresh`).
    fn post(&self, h: &mut Fp, i: usize, read: &mut Vec<u32>) {
        let site = self.site;
        h.add(&self.docs.posts[i]).add(&self.summary(i, read));
        let mut link = |j: usize| {
            read.push(j as u32);
            (&site.posts[j].meta.title, &site.posts[j].path)
        };
        if let (Some(s), Some(r)) = (
            site.ix.post_series[i].map(|s| &site.ix.series[s]),
            site.posts[i].meta.series.as_ref(),
        ) {
            h.add(
                &s.parts
                    .range(..r.part)
                    .next_back()
                    .map(|(n, &j)| (n, link(j))),
            );
            h.add(
                &s.parts
                    .range(r.part + 1..)
                    .next()
                    .map(|(n, &j)| (n, link(j))),
            );
        }
        h.add(&i.checked_sub(1).map(&mut link))
            .add(&(i + 1 < site.posts.len()).then(|| link(i + 1)));
        h.add(&self.summaries(&site.ix.related[i], read));
    }

    fn series(&self, h: &mut Fp, s: &Series, read: &mut Vec<u32>) {
        let Series {
            id,
            title,
            path,
            total,
            description_html,
            extra,
            parts,
            // Where the description came from and its links: for the link check, not in the page.
            file: _,
            description_links: _,
        } = s;
        h.add(&(
            id,
            title,
            path,
            total,
            description_html,
            extra.to_string(),
            s.shown_total(),
        ));
        h.add(
            &parts
                .iter()
                .map(|(n, &i)| (*n, self.summary(i, read)))
                .collect::<Vec<_>>(),
        );
    }

    fn feed(&self, h: &mut Fp, scope: Scope, read: &mut Vec<u32>) {
        let site = self.site;
        let limit = site.config.feed_limit;
        let items: Vec<usize> = match scope {
            Scope::Site => (0..site.posts.len().min(limit)).collect(),
            Scope::Tag(t) => {
                let tag = &site.ix.tags[t];
                h.add("tag").add(&(&tag.name, &tag.path));
                tag.posts.iter().take(limit).copied().collect()
            }
            Scope::Series(s) => {
                let series = &site.ix.series[s];
                h.add("series")
                    .add(&(&series.title, &series.description_html, &series.path));
                let mut parts: Vec<usize> = series.parts.values().copied().collect();
                parts.sort_unstable();
                parts.truncate(limit);
                parts
            }
        };
        h.add(&self.summaries(&items, read));
    }

    /// Paths and dates only: the fields that define the site's shape, never a document's contents.
    fn sitemap(&self, h: &mut Fp) {
        let site = self.site;
        for p in site.posts.iter().chain(&site.pages) {
            h.add(&p.path)
                .date(p.meta.date.as_ref())
                .date(p.meta.updated.as_ref());
        }
        h.add(&site.ix.tags.iter().map(|t| &t.path).collect::<Vec<_>>());
        h.add(&site.ix.series.iter().map(|s| &s.path).collect::<Vec<_>>());
        h.add(&site.ix.authors.iter().map(|a| &a.path).collect::<Vec<_>>());
    }
}
