//! The internal link check of `lanyard build`, after every rebuild, redoing only what the rebuild can
//! have changed.
//!
//! `build` checks every link of every post, page, comment and series description against the files it
//! wrote and, for links with a `#fragment`, against the ids of the pages they point into
//! ([`crate::lint::links_on_build`]). The dev server runs the same checker ([`links::check_doc`],
//! [`links::check_series`], [`Targets`]) and keeps each document's findings with the key of what the
//! document was made from (the builder's `post_fps` / `page_fps`). A rebuild checks again:
//! * the documents whose key changed (an edit, a new comment, a new configuration);
//! * every document with internal links, when anything else a finding can read changed: the set of
//!   output files, the redirects, the drafts and future posts, an address ([`LinkCheck`]'s `world`);
//! * the documents that point with a `#fragment` into a page whose ids changed;
//! * the series descriptions, when one of them, the world or a page they point into changed.
//!
//! A document without internal links has no finding whatever the site looks like, so on a site whose
//! posts link only elsewhere an edit costs one pass over the edited post's links. When more than
//! [`WHOLE_CHECK_OVER`] documents are to be checked again (the first build, pages that came or went on
//! a site full of internal links), the whole site is checked at once with [`links::check`], as `build`
//! does, and the findings are shared out among the documents. Ids are read only from the pages that
//! some link points into with a fragment: from a page rendered by this rebuild, or else from the bytes
//! the server holds (`served`). The result equals a full check of the site (but for which broken links
//! get a "did you mean" hint when a site has more than the 100 that `build` gives one).

use std::collections::{HashMap, HashSet};

use bytes::Bytes;
use rayon::prelude::*;

use super::{date_key, hash_of, Built, Patch};
use crate::error::Diagnostic;
use crate::lint::links::{self, Dest};
use crate::lint::{is_html, page_ids, Targets};
use crate::output::url_path_to_file;
use crate::site::{doc_path, Doc, Site};

/// More documents to check than this and the whole site is checked at once.
const WHOLE_CHECK_OVER: usize = 256;

/// The bytes of an output as the server serves it now.
pub type Served = Box<dyn Fn(&str) -> Option<Bytes> + Send + Sync>;

/// What one document's (or the series descriptions') links gave at the last check.
#[derive(Debug, Default)]
struct DocLinks {
    /// The source file (`content/posts/a.md`); empty for the series descriptions.
    file: String,
    /// The key of what the document was made from; 0: never checked.
    key: u64,
    /// Some link resolves to a path of this site (the only links that can be broken), or the text
    /// holds something else the check reports (another generator's template syntax): the check
    /// looks at this document.
    internal: bool,
    /// The output files it points into with a `#fragment`.
    anchors: Vec<String>,
    findings: Vec<Diagnostic>,
}

impl DocLinks {
    fn new(file: &str) -> DocLinks {
        DocLinks {
            file: file.to_string(),
            ..DocLinks::default()
        }
    }

    /// Read the links again: which are internal, which point into which page with a fragment.
    fn scan<'a>(
        &mut self,
        key: u64,
        dests: impl Iterator<Item = (&'a str, &'a str)>,
        base_url: &str,
    ) {
        self.key = key;
        self.internal = false;
        self.anchors.clear();
        self.findings.clear();
        for (dest, from) in dests {
            match links::resolve(dest, from, base_url) {
                Dest::Internal { path, fragment } => {
                    self.internal = true;
                    if fragment.is_some() {
                        self.anchors.extend(url_path_to_file(&path).ok());
                    }
                }
                Dest::OutsideBase(_) => self.internal = true,
                Dest::Ignored | Dest::Outside(_) => {}
            }
        }
        self.anchors.sort();
        self.anchors.dedup();
    }
}

/// The link check state kept between rebuilds.
pub struct LinkCheck {
    served: Served,
    /// A key of everything besides the documents and the pages' ids that a finding can read.
    world: Option<u64>,
    posts: Vec<DocLinks>,
    pages: Vec<DocLinks>,
    series: DocLinks,
    /// Output file → its ids, for the HTML files some link points into with a fragment, as they
    /// are after the outputs this rebuild rendered so far.
    ids: HashMap<String, HashSet<String>>,
    /// Files of `ids` whose ids this rebuild changed.
    dirty: HashSet<String>,
    /// Documents to check again, found by [`LinkCheck::prepare`] (cleared by the check).
    prepared: Option<Prepared>,
    /// More documents to check than this and the whole site is checked at once.
    whole_over: usize,
}

#[derive(Debug, Default)]
struct Prepared {
    world_changed: bool,
    /// Some document points into other pages than before (or a document came or went).
    anchors_changed: bool,
    posts: Vec<usize>,
    pages: Vec<usize>,
    series: bool,
}

impl LinkCheck {
    pub fn new(served: Served) -> LinkCheck {
        LinkCheck {
            served,
            world: None,
            posts: Vec::new(),
            pages: Vec::new(),
            series: DocLinks::default(),
            ids: HashMap::new(),
            dirty: HashSet::new(),
            prepared: None,
            whole_over: WHOLE_CHECK_OVER,
        }
    }

    /// Forget everything: after a failed rebuild, the next check is a full one.
    pub fn reset(&mut self) {
        let served = std::mem::replace(&mut self.served, Box::new(|_| None));
        *self = LinkCheck {
            whole_over: self.whole_over,
            ..LinkCheck::new(served)
        };
    }

    /// Note the outputs one step of a rebuild rendered or removed: the ids of the pages that links
    /// point into are read again.
    pub fn saw(&mut self, patch: &Patch) {
        for key in &patch.removed {
            if self.ids.remove(key).is_some() {
                self.dirty.insert(key.clone());
            }
        }
        if self.ids.is_empty() {
            return;
        }
        for (key, bytes) in &patch.writes {
            if let Some(old) = self.ids.get_mut(key) {
                let new = page_ids(&String::from_utf8_lossy(bytes));
                if *old != new {
                    *old = new;
                    self.dirty.insert(key.clone());
                }
            }
        }
    }

    /// Find the documents whose findings may have changed, and the pages their fragments point into.
    pub fn prepare(&mut self, built: &Built) {
        if self.prepared.is_some() {
            return;
        }
        let site = &built.site;
        let world = world_key(built);
        let world_changed = self.world != Some(world);
        self.world = Some(world);
        let base_url = site.config.base_url.as_str();
        let (posts, posts_moved) = refresh(&mut self.posts, &site.posts, &built.post_fps, base_url);
        let (pages, pages_moved) = refresh(&mut self.pages, &site.pages, &built.page_fps, base_url);
        let mut anchors_changed = posts_moved || pages_moved;
        let series_key = series_key(site);
        let series = world_changed || self.series.key != series_key;
        if self.series.key != series_key {
            let before = std::mem::take(&mut self.series.anchors);
            let dests = site
                .ix
                .series
                .iter()
                .filter(|s| s.file.is_some())
                .flat_map(|s| {
                    s.description_links
                        .iter()
                        .map(move |l| (l.dest.as_str(), s.path.as_str()))
                });
            self.series.scan(series_key, dests, base_url);
            anchors_changed |= self.series.anchors != before;
        }
        self.prepared = Some(Prepared {
            world_changed,
            anchors_changed,
            posts,
            pages,
            series,
        });
    }

    /// Whether the check must wait for one of these outputs: a page some link points into.
    pub fn waits_for<'a>(&self, mut outs: impl Iterator<Item = &'a str>) -> bool {
        let needed = needed(&self.posts, &self.pages, &self.series);
        outs.any(|out| needed.contains(out))
    }

    /// Check the kept site's links, once every page a fragment points into is rendered; `held`
    /// are the steps of this rebuild not handed to the server yet. Returns the findings of the whole
    /// site, as warnings marked with their [`crate::error::Lint`], sorted as `build` sorts them.
    pub fn check(&mut self, built: &Built, held: &[&Patch]) -> Vec<Diagnostic> {
        self.prepare(built);
        let prepared = self.prepared.take().expect("prepared above");
        // The pages fragments point into are the same as at the last check, whose ids are known
        // (and kept up to date by `saw`), unless a document points elsewhere now or the outputs changed.
        if prepared.world_changed || prepared.anchors_changed {
            self.fetch_ids(held);
        }
        let dirty = std::mem::take(&mut self.dirty);
        let redo = |docs: &[DocLinks], stale: &[usize]| -> Vec<usize> {
            let mut redo: Vec<usize> = docs
                .iter()
                .enumerate()
                .filter(|(_, d)| {
                    d.internal
                        && (prepared.world_changed || d.anchors.iter().any(|a| dirty.contains(a)))
                })
                .map(|(i, _)| i)
                .collect();
            redo.extend(stale.iter().filter(|&&i| docs[i].internal));
            redo.sort_unstable();
            redo.dedup();
            redo
        };
        let posts = redo(&self.posts, &prepared.posts);
        let pages = redo(&self.pages, &prepared.pages);
        let series = self.series.internal
            && (prepared.series || self.series.anchors.iter().any(|a| dirty.contains(a)));
        if posts.len() + pages.len() > self.whole_over {
            // Many documents (the first build, pages that came or went): check the whole site at
            // once, as `build` does, which also shares its "did you mean" hints among all of them.
            let site = &built.site;
            let targets = Targets::new(site, &built.planned, std::mem::take(&mut self.ids));
            let found = links::check(site, &targets, false).findings;
            self.ids = targets.ids;
            self.share_out(site, found);
        } else if !posts.is_empty() || !pages.is_empty() || series {
            let site = &built.site;
            let targets = Targets::new(site, &built.planned, std::mem::take(&mut self.ids));
            let found: Vec<(bool, usize, Vec<Diagnostic>)> = posts
                .par_iter()
                .map(|&i| (true, i, &site.posts[i]))
                .chain(pages.par_iter().map(|&i| (false, i, &site.pages[i])))
                .map(|(post, i, doc)| (post, i, links::check_doc(site, &targets, doc).findings))
                .collect();
            for (post, i, findings) in found {
                let docs = if post {
                    &mut self.posts
                } else {
                    &mut self.pages
                };
                docs[i].findings = findings;
            }
            if series {
                self.series.findings = links::check_series(site, &targets).findings;
            }
            self.ids = targets.ids;
        }
        let mut all: Vec<Diagnostic> = self
            .posts
            .iter()
            .chain(&self.pages)
            .chain([&self.series])
            .flat_map(|d| d.findings.iter().cloned())
            .collect();
        all.sort();
        all
    }

    /// Give each document the findings of a whole-site check that are its own (its file's, or its
    /// comments' files'); the rest are the series descriptions'.
    fn share_out(&mut self, site: &Site, found: Vec<Diagnostic>) {
        let mut owner: HashMap<&str, (bool, usize)> = HashMap::new();
        for (post, docs) in [(true, &site.posts), (false, &site.pages)] {
            for (i, doc) in docs.iter().enumerate() {
                owner.insert(&doc.meta.file, (post, i));
                for c in &doc.comment_links {
                    owner.insert(&c.file, (post, i));
                }
            }
        }
        for d in self.posts.iter_mut().chain(&mut self.pages) {
            d.findings.clear();
        }
        self.series.findings.clear();
        for finding in found {
            let docs = match owner.get(finding.file.as_str()) {
                Some((true, i)) => &mut self.posts[*i],
                Some((false, i)) => &mut self.pages[*i],
                None => &mut self.series,
            };
            docs.findings.push(finding);
        }
    }

    /// Read the ids of the pages fragments point into that are not known yet, and forget the others.
    fn fetch_ids(&mut self, held: &[&Patch]) {
        let needed = needed(&self.posts, &self.pages, &self.series);
        self.ids.retain(|k, _| needed.contains(k.as_str()));
        let missing: Vec<&str> = needed
            .into_iter()
            .filter(|f| is_html(f) && !self.ids.contains_key(*f))
            .collect();
        let served = &self.served;
        let fresh: Vec<(String, HashSet<String>)> = missing
            .into_par_iter()
            .filter_map(|f| {
                let ids = match held.iter().find_map(|p| p.writes.get(f)) {
                    Some(bytes) => page_ids(&String::from_utf8_lossy(bytes)),
                    None => page_ids(&String::from_utf8_lossy(&served(f)?)),
                };
                Some((f.to_string(), ids))
            })
            .collect();
        self.ids.extend(fresh);
    }
}

/// Every output file some link points into with a fragment.
fn needed<'a>(
    posts: &'a [DocLinks],
    pages: &'a [DocLinks],
    series: &'a DocLinks,
) -> HashSet<&'a str> {
    posts
        .iter()
        .chain(pages)
        .chain([series])
        .flat_map(|d| d.anchors.iter().map(String::as_str))
        .collect()
}

/// Line `cached` up with `docs` (by source file), scan the documents whose key changed; returns
/// their positions, and whether the pages they point into with fragments may differ from before.
fn refresh(
    cached: &mut Vec<DocLinks>,
    docs: &[Doc],
    keys: &[u64],
    base_url: &str,
) -> (Vec<usize>, bool) {
    let aligned =
        cached.len() == docs.len() && cached.iter().zip(docs).all(|(c, d)| c.file == d.meta.file);
    if !aligned {
        let mut old: HashMap<String, DocLinks> =
            cached.drain(..).map(|c| (c.file.clone(), c)).collect();
        *cached = docs
            .iter()
            .map(|d| {
                old.remove(&d.meta.file)
                    .unwrap_or_else(|| DocLinks::new(&d.meta.file))
            })
            .collect();
    }
    let stale: Vec<usize> = (0..docs.len())
        .filter(|&i| {
            let key = keys.get(i).copied().unwrap_or(0);
            key == 0 || cached[i].key != key
        })
        .collect();
    let scanned: Vec<(usize, DocLinks)> = stale
        .par_iter()
        .map(|&i| {
            let doc = &docs[i];
            let mut d = DocLinks::new(&doc.meta.file);
            let dests = doc
                .links
                .iter()
                .map(|l| (l.dest.as_str(), doc.path.as_str()))
                .chain(
                    doc.comment_links
                        .iter()
                        .map(|c| (c.link.dest.as_str(), doc.path.as_str())),
                );
            d.scan(keys.get(i).copied().unwrap_or(0), dests, base_url);
            // The check also reports another generator's template syntax left in the text.
            d.internal |= !doc.template_syntax.is_empty();
            (i, d)
        })
        .collect();
    let mut changed = !aligned;
    for (i, d) in scanned {
        changed |= cached[i].anchors != d.anchors;
        cached[i] = d;
    }
    (stale, changed)
}

/// Everything besides the documents themselves and the ids of pages that a finding reads: the plan
/// (which holds every document's file, address and aliases, the configuration, the tags, series and
/// authors and the static files), what confining it to the site folder left, and the documents this
/// build leaves out.
fn world_key(built: &Built) -> u64 {
    let site = &built.site;
    let unpublished: Vec<_> = site
        .unpublished
        .iter()
        .map(|m| {
            (
                &m.file,
                m.draft,
                date_key(m.date.as_ref()),
                doc_path(m, &site.config),
            )
        })
        .collect();
    hash_of(&(
        (built.plan_key, built.plan_whole, built.planned.len()),
        built.config_fp,
        &site.config.base_url,
        unpublished,
    ))
}

/// A key of the series descriptions' links (never 0).
fn series_key(site: &Site) -> u64 {
    let series: Vec<_> = site
        .ix
        .series
        .iter()
        .filter(|s| s.file.is_some())
        .map(|s| {
            let links: Vec<_> = s
                .description_links
                .iter()
                .map(|l| (&l.dest, &l.text, l.line, l.is_image))
                .collect();
            (&s.file, &s.path, links)
        })
        .collect();
    hash_of(&series).max(1)
}

#[cfg(test)]
mod tests {
    //! Random edit sequences: after every rebuild, the incremental check gives exactly what a full
    //! check of a clean build gives (`lanyard build`'s), and the served files equal a clean build's
    //! whenever the rebuild succeeds (a broken link with `check_links = "error"` hands nothing out).

    use std::collections::{BTreeMap, HashMap};
    use std::path::{Path, PathBuf};
    use std::sync::{Arc, Mutex};

    use bytes::Bytes;
    use chrono::TimeZone;

    use super::super::{clean_build, Builder, Changes};
    use crate::content::BuildOptions;
    use crate::error::{Diagnostic, Diagnostics, Lint, Result};
    use crate::lint::{self, NullSink, Recorder};
    use crate::pipeline::{self, Overrides};

    struct Rng(u64);

    impl Rng {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 >> 12;
            self.0 ^= self.0 << 25;
            self.0 ^= self.0 >> 27;
            self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
        }

        fn below(&mut self, n: usize) -> usize {
            (self.next() % n as u64) as usize
        }

        fn chance(&mut self, percent: u64) -> bool {
            self.next() % 100 < percent
        }
    }

    fn write(path: &Path, text: &str) {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }

    /// A link to something that may or may not be there, or elsewhere.
    fn link(rng: &mut Rng, broken: bool) -> String {
        let j = rng.below(if broken { 9 } else { 6 });
        let k = rng.below(if broken { 4 } else { 3 });
        let dest = match rng.below(12) {
            0 => format!("/posts/p{j}/"),
            1 | 2 => format!("/posts/p{j}/#h{k}"),
            3 => format!("../p{j}/#h{k}"),
            4 => format!("#h{k}"),
            5 => "/about/#team".to_string(),
            6 => "/x.html#frag".to_string(),
            7 => format!("/archive/#year-{}", 2022 + rng.below(3)),
            8 => "/series/alpha-habits/".to_string(),
            9 if broken => "/posts/nowhere/".to_string(),
            9 => "/tags/".to_string(),
            10 => "https://example.org/elsewhere".to_string(),
            _ => "/posts/p1/".to_string(),
        };
        format!("[go {j}{k}]({dest})")
    }

    fn body(rng: &mut Rng, broken: bool) -> String {
        let mut text = String::from("Some words.\n");
        for k in 0..3 {
            if rng.chance(60) {
                text.push_str(&format!("\n## H{k}\n\nMore {}.\n", link(rng, broken)));
            }
        }
        text
    }

    struct Site {
        _dir: tempfile::TempDir,
        root: PathBuf,
        posts: Vec<bool>,
    }

    impl Site {
        fn new(mode: &str) -> Site {
            let dir = tempfile::tempdir().unwrap();
            let root = dir.path().join("site");
            write(
                &root.join("site.toml"),
                &format!(
                    "title = \"Links\"\nbase_url = \"https://example.com\"\ncheck_links = \"{mode}\"\nposts_per_page = 2\n"
                ),
            );
            write(
                &root.join("content/pages/about.md"),
                "---\ntitle: About\n---\n## Team\n\nUs.\n",
            );
            write(&root.join("static/x.html"), "<p id=\"frag\">x</p>\n");
            write(
                &root.join("content/series/alpha-habits.md"),
                "---\ntitle: \"Alpha Habits\"\n---\nSee [one](/posts/p0/#h0).\n",
            );
            let mut site = Site {
                _dir: dir,
                root,
                posts: Vec::new(),
            };
            let mut rng = Rng(7);
            for i in 0..6 {
                site.posts.push(true);
                site.write_post(i, &body(&mut rng, false), 2023, false, "");
            }
            site
        }

        fn write_post(&self, i: usize, body: &str, year: i32, draft: bool, title: &str) {
            let series = if i % 2 == 0 {
                format!("series: \"Alpha Habits\"\npart: {}\n", i + 1)
            } else {
                String::new()
            };
            write(
                &self.root.join(format!("content/posts/p{i}.md")),
                &format!(
                    "---\ntitle: \"Post {i}{title}\"\ndate: {year}-0{}-0{}\n{series}draft: {draft}\n---\n{body}",
                    1 + i % 9,
                    1 + i % 9
                ),
            );
        }

        /// One random edit; the paths it touched.
        fn edit(&mut self, rng: &mut Rng) -> Vec<PathBuf> {
            let i = rng.below(self.posts.len());
            let broken = rng.chance(30);
            let post = self.root.join(format!("content/posts/p{i}.md"));
            match rng.below(11) {
                0..=2 if self.posts[i] => {
                    self.write_post(i, &body(rng, broken), 2023, false, "");
                    vec![post]
                }
                3 => {
                    // Retitled: the site keeps its shape.
                    let text = std::fs::read_to_string(&post).unwrap_or_default();
                    if text.is_empty() {
                        return vec![];
                    }
                    let title = format!("\"Post {i} v{}\"", rng.below(100));
                    let text = text.replacen(&format!("\"Post {i}"), &title[..title.len() - 1], 1);
                    write(&post, &text);
                    vec![post]
                }
                4 => {
                    // A new post, or one back; or a post gone.
                    if self.posts[i] && self.posts.iter().filter(|p| **p).count() > 2 {
                        std::fs::remove_file(&post).unwrap();
                        self.posts[i] = false;
                        vec![post]
                    } else {
                        let n = if self.posts[i] { self.posts.len() } else { i };
                        if n == self.posts.len() {
                            self.posts.push(true);
                        }
                        self.posts[n] = true;
                        self.write_post(n, &body(rng, broken), 2024, false, "");
                        vec![self.root.join(format!("content/posts/p{n}.md"))]
                    }
                }
                5 if self.posts[i] => {
                    // Redated into another year, or made a draft.
                    let draft = rng.chance(40);
                    self.write_post(i, &body(rng, broken), 2022 + rng.below(3) as i32, draft, "");
                    vec![post]
                }
                6 => {
                    let about = self.root.join("content/pages/about.md");
                    let heading = if rng.chance(50) { "Team" } else { "People" };
                    write(
                        &about,
                        &format!("---\ntitle: About\n---\n## {heading}\n\nUs.\n"),
                    );
                    vec![about]
                }
                7 => {
                    let x = self.root.join("static/x.html");
                    let id = if rng.chance(50) { "frag" } else { "other" };
                    write(&x, &format!("<p id=\"{id}\">x</p>\n"));
                    vec![x]
                }
                8 => {
                    let path = self.root.join("content/series/alpha-habits.md");
                    write(
                        &path,
                        &format!(
                            "---\ntitle: \"Alpha Habits\"\n---\nSee {}.\n",
                            link(rng, broken)
                        ),
                    );
                    vec![path]
                }
                9 if self.posts[i] => {
                    let path = self.root.join(format!("content/comments/p{i}/c.yaml"));
                    write(
                        &path,
                        &format!(
                            "author: Lee\ndate: 2024-05-03\nbody: |\n  Thanks, and {}.\n",
                            link(rng, broken)
                        ),
                    );
                    vec![path]
                }
                10 => {
                    let config = self.root.join("site.toml");
                    let text = std::fs::read_to_string(&config).unwrap();
                    let per_page = 2 + rng.below(3);
                    let text = text
                        .lines()
                        .map(|l| match l.starts_with("posts_per_page") {
                            true => format!("posts_per_page = {per_page}"),
                            false => l.to_string(),
                        })
                        .collect::<Vec<_>>()
                        .join("\n");
                    write(&config, &(text + "\n"));
                    vec![config]
                }
                _ => vec![],
            }
        }

        /// Every post, comment and series description again, with links that all lead somewhere.
        fn mend(&mut self) -> Changes {
            for (i, there) in self.posts.iter().enumerate() {
                if *there {
                    self.write_post(i, "Mended, [see](/about/).\n", 2023, false, "");
                }
                let _ = std::fs::remove_dir_all(self.root.join(format!("content/comments/p{i}")));
            }
            write(
                &self.root.join("content/series/alpha-habits.md"),
                "---\ntitle: \"Alpha Habits\"\n---\nMended.\n",
            );
            Changes {
                everything: true,
                ..Changes::default()
            }
        }
    }

    fn link_findings(diags: Vec<Diagnostic>) -> Vec<Diagnostic> {
        diags
            .into_iter()
            .filter(|d| matches!(d.lint, Some(Lint::BrokenLink | Lint::UnpublishedLink)))
            .collect()
    }

    /// What `lanyard build` says of the site's links: its warnings, or its errors.
    fn full_check(
        root: &Path,
        opts: &BuildOptions,
        overrides: &Overrides,
    ) -> Result<Vec<Diagnostic>> {
        let diags = Diagnostics::new();
        let loaded = pipeline::load_site(root, opts, overrides, &diags)?;
        let recorder = Recorder::new(&NullSink).ids_only_of(lint::anchor_targets(&loaded.site));
        pipeline::render_into(&loaded, &recorder)?;
        lint::links_on_build(&loaded, recorder.finish(), &diags)?;
        Ok(link_findings(diags.take()))
    }

    fn normalized(files: &BTreeMap<String, Bytes>) -> BTreeMap<String, Vec<u8>> {
        files
            .iter()
            .filter(|(key, _)| !key.ends_with("atom.xml"))
            .map(|(key, bytes)| (key.clone(), bytes.to_vec()))
            .collect()
    }

    fn run_sequence(seed: u64, mode: &str, steps: usize, whole_over: usize) {
        let mut rng = Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1);
        let mut site = Site::new(mode);
        let opts = BuildOptions {
            drafts: false,
            future: false,
            now: chrono::Utc.with_ymd_and_hms(2030, 1, 1, 0, 0, 0).unwrap(),
        };
        let overrides = Overrides {
            base_url: Some("http://127.0.0.1:1111".into()),
        };
        let served: Arc<Mutex<BTreeMap<String, Bytes>>> = Arc::default();
        let lookup = served.clone();
        // Listings of more than one post come in a second step, the archive among them.
        let mut builder = Builder::new(&site.root, overrides.clone())
            .with_large_listing(1)
            .checking_links(move |key| lookup.lock().unwrap().get(key).cloned());
        builder.links.as_mut().unwrap().whole_over = whole_over;
        let apply = |patch: super::super::Patch| {
            let mut files = served.lock().unwrap();
            for key in patch.removed {
                files.remove(&key);
            }
            files.extend(patch.writes.into_iter().map(|(k, v)| (k, Bytes::from(v))));
        };
        let (mut failing, mut checked) = (0, HashMap::new());
        for step in 0..=steps {
            let mut changes = Changes::default();
            if step > 0 {
                if failing >= 3 {
                    changes = site.mend();
                } else {
                    for _ in 0..1 + usize::from(rng.chance(20)) {
                        changes.paths.extend(site.edit(&mut rng));
                    }
                }
            }
            let full = full_check(&site.root, &opts, &overrides);
            let diags = Diagnostics::new();
            let before = served.lock().unwrap().clone();
            let result = builder.update_in_steps(&opts, &changes, &diags, &mut |p| apply(p));
            let found = link_findings(diags.take());
            let at = format!("seed {seed}, {mode}, step {step}");
            match (full, result) {
                (Ok(full), Ok(patch)) => {
                    apply(patch);
                    assert_eq!(found, full, "{at}: the findings differ from a full check");
                    let clean = clean_build(&site.root, &opts, &overrides, &Diagnostics::new())
                        .unwrap()
                        .into_iter()
                        .map(|(k, v)| (k, Bytes::from(v)))
                        .collect();
                    assert!(
                        normalized(&served.lock().unwrap()) == normalized(&clean),
                        "{at}: the served files differ from a clean build"
                    );
                    *checked
                        .entry(if full.is_empty() { "clean" } else { "warned" })
                        .or_insert(0) += 1;
                    failing = 0;
                }
                (Err(full), Err(err)) => {
                    assert_eq!(err.diagnostics, full.diagnostics, "{at}: the errors differ");
                    assert!(
                        *served.lock().unwrap() == before,
                        "{at}: a failed rebuild handed something out"
                    );
                    *checked.entry("failed").or_insert(0) += 1;
                    failing += 1;
                }
                (Ok(full), Err(e)) => {
                    panic!("{at}: the rebuild failed, a full build did not ({full:?}):\n{e}")
                }
                (Err(e), Ok(_)) => panic!("{at}: a full build failed, the rebuild did not:\n{e}"),
            }
        }
        let expected: &[&str] = match mode {
            "error" => &["clean", "failed"],
            _ => &["warned"],
        };
        for what in expected {
            assert!(
                checked.get(what).is_some_and(|n| *n >= 3),
                "seed {seed}, {mode}: too few rebuilds {what}: {checked:?}"
            );
        }
    }

    #[test]
    fn incremental_link_checks_equal_a_full_check_in_serve() {
        for (seed, whole_over) in [(1, usize::MAX), (2, 2)] {
            run_sequence(seed, "warn", 40, whole_over);
        }
    }

    #[test]
    fn a_broken_link_with_check_links_error_hands_nothing_out_in_serve() {
        for (seed, whole_over) in [(3, usize::MAX), (4, 2)] {
            run_sequence(seed, "error", 40, whole_over);
        }
    }
}
