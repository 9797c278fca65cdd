//! Rebuilds that redo only what a change touched, and end byte-identical to a clean build.
//!
//! The [`Builder`] keeps between rebuilds: a hash of every source file ([`FileHashes`]); every post and
//! page parsed and rendered, keyed by a hash of everything that document is made from (its bytes, its
//! name, its folder's files, its comment files, the configuration); the site it last rendered, with its
//! plan and the fingerprint of every output ([`crate::render::fingerprint`]); and the fingerprints of the
//! files actually served.
//!
//! Three ways to rebuild, chosen per change:
//! * [`fast`]: the common edit — a post's text, a comment, a stylesheet — changes documents but not the
//!   site's shape (no title, date, path, tag, series, author or publication changes, no file added or
//!   removed). Only the changed documents are parsed and rendered and swapped into the kept site, and
//!   only the outputs that read them are fingerprinted again; nothing is walked, sorted or indexed. A
//!   retitle that leaves the post in its place is swapped in the same way (a page's title is in every
//!   page's menu, so retitling a page fingerprints every output again).
//! * reassembling, when the fast path's documents turn out to change the shape (a redated post, a
//!   retitle that moves a post among same-day posts, a new tag) but no file came or went and no
//!   template, configuration or series description changed: those documents are rebuilt already, so
//!   the kept site is taken apart and indexed, planned and fingerprinted again without walking
//!   `content/` or re-keying every source file.
//! * the full path, for everything else: the stages of a full build, each reusing what is unchanged.
//!   The configuration is part of every document's key, so a config edit re-renders everything; the
//!   theme is reloaded only when templates changed, and a template edit re-renders every page from the
//!   kept documents without parsing Markdown; `content/` is walked again only when files appeared or
//!   disappeared; the indexes are recomputed only when a field they read changed. Then every output is
//!   fingerprinted and exactly those whose fingerprint differs from the served one are rendered, and
//!   outputs no longer planned are removed.
//!
//! Both end in [`publish`], which renders small outputs first and hands them out before the large
//! listings (an archive of every post), so the page being edited reloads without waiting for those.
//! With [`Builder::checking_links`], the internal links are then checked as `lanyard build` checks them,
//! again only where the rebuild can have changed the result (module `links`); with `check_links = "error"`
//! the check comes before anything is handed out, and a broken link fails the rebuild.
//! A failed rebuild changes nothing that is served, and the next one takes the full path, comparing with
//! what the browser really has.

mod fast;
mod links;
mod publish;

use std::collections::hash_map::DefaultHasher;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use rayon::prelude::*;

use super::files::FileHashes;
use crate::config::Config;
use crate::content::comments::Comment;
use crate::content::{self, BuildOptions, Discovered, Kind, SeriesSource, SourceFile};
use crate::error::{Diagnostic, Diagnostics, Error, Result};
use crate::markdown::Highlighter;
use crate::output::MemorySink;
use crate::pipeline::{self, Overrides};
use crate::render::fingerprint::Fingerprints;
use crate::render::{theme::Theme, Job, Planned};
use crate::site::{self, Doc, Indexes, Site};

/// What the watcher saw, as far as the builder cares.
#[derive(Debug, Clone, Default)]
pub struct Changes {
    /// Files or folders that changed: read again.
    pub paths: Vec<PathBuf>,
    /// Templates or theme files changed: reload the theme.
    pub theme: bool,
    /// Events may have been lost: check every kept file hash and walk the site again.
    pub everything: bool,
}

/// A successful (re)build, or one step of it: what to change in the served files.
#[derive(Debug, Default)]
pub struct Patch {
    pub writes: BTreeMap<String, Vec<u8>>,
    pub removed: Vec<String>,
    /// Documents parsed and rendered.
    pub docs_rendered: usize,
    /// Output files rendered (some may come out unchanged).
    pub outputs_rendered: usize,
    /// Taken the fast path (the site kept its shape).
    pub fast: bool,
    pub elapsed: Duration,
    /// Time spent in each stage.
    pub stages: Vec<(&'static str, Duration)>,
}

/// Stage timings of one rebuild.
#[derive(Debug, Default)]
struct Stages {
    last: Option<Instant>,
    done: Vec<(&'static str, Duration)>,
}

impl Stages {
    fn mark(&mut self, name: &'static str) {
        let now = Instant::now();
        if let Some(last) = self.last {
            self.done.push((name, now - last));
        }
        self.last = Some(now);
    }
}

/// A parsed and rendered document and the keys of what it was made from.
struct Entry {
    parse_key: u64,
    comments_key: u64,
    /// `None` while the document is part of the kept site.
    doc: Option<Doc>,
}

impl Entry {
    fn key(&self) -> u64 {
        hash_of(&(self.parse_key, self.comments_key))
    }
}

/// A comment folder: its post's slug, its key and its comments.
type Folder = (String, u64, Vec<Comment>);

/// What a file found by the last walk is, for deciding whether an edit can keep the site's shape.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Role {
    Doc,
    Comment,
    Copied,
    Series,
}

/// The last walk of the site's folders.
struct Found {
    files: Discovered,
    roles: HashMap<PathBuf, Role>,
}

impl Found {
    fn new(files: Discovered) -> Found {
        let mut roles = HashMap::new();
        for f in files.posts.iter().chain(&files.pages) {
            roles.insert(f.path.clone(), Role::Doc);
            roles.extend(f.assets.iter().map(|(p, _)| (p.clone(), Role::Copied)));
        }
        roles.extend(files.series.iter().map(|f| (f.path.clone(), Role::Series)));
        for (_, _, list) in &files.comment_dirs {
            roles.extend(list.iter().map(|f| (f.path.clone(), Role::Comment)));
        }
        roles.extend(files.statics.iter().map(|(p, _)| (p.clone(), Role::Copied)));
        Found { files, roles }
    }

    /// True when `path` is a file this walk found and still a file: its edit adds or removes nothing.
    fn still_has(&self, path: &Path) -> bool {
        self.roles.contains_key(path) && path.is_file()
    }
}

/// The site last rendered, kept whole so that an edit that keeps its shape can patch it.
struct Built {
    site: Site,
    config_fp: u64,
    index_key: u64,
    planned: Vec<Planned>,
    /// The key of everything `planned` was planned from ([`publish`]'s `plan_key`), and whether
    /// confining it to the site folder left it whole (only then can it stand for a fresh plan).
    plan_key: u64,
    plan_whole: bool,
    prints: Fingerprints,
    post_fps: Vec<u64>,
    page_fps: Vec<u64>,
    post_at: HashMap<String, usize>,
    page_at: HashMap<String, usize>,
    opts: (bool, bool),
    /// When the next post held back for its future date would appear.
    next_due: Option<DateTime<Utc>>,
}

/// The incremental build state of one site.
pub struct Builder {
    root: PathBuf,
    overrides: Overrides,
    highlighter: Highlighter,
    files: FileHashes,
    found: Option<Found>,
    config_fp: Option<u64>,
    theme: Option<Theme>,
    docs: HashMap<String, Entry>,
    series: HashMap<String, (u64, SeriesSource)>,
    comments: HashMap<String, Folder>,
    indexes: Option<(u64, Indexes)>,
    /// The last plan and its key, from the kept site taken apart: reused when the key is unchanged.
    plan: Option<(u64, Vec<Planned>)>,
    built: Option<Built>,
    /// Output → fingerprint of the bytes being served.
    served: HashMap<String, u64>,
    /// The last rebuild failed: the next one takes the full path.
    failed: bool,
    /// Documents the fast path rendered before handing over to reassembling.
    docs_rendered_early: usize,
    /// The sources (files, and comment folders) this rebuild read again: their warnings are new,
    /// and the others' stand ([`Builder::take_reread`]).
    reread: Vec<String>,
    /// Hand small outputs out before rendering large listings.
    in_steps: bool,
    /// Outputs that read more posts than this are large listings.
    large_listing: u32,
    /// Check internal links after every rebuild, as `lanyard build` does.
    links: Option<links::LinkCheck>,
    stages: Stages,
}

fn hash_of<T: Hash + ?Sized>(v: &T) -> u64 {
    let mut h = DefaultHasher::new();
    v.hash(&mut h);
    h.finish()
}

fn date_key(d: Option<&chrono::DateTime<chrono::FixedOffset>>) -> Option<(i64, u32, i32)> {
    d.map(|d| {
        (
            d.timestamp(),
            d.timestamp_subsec_nanos(),
            d.offset().local_minus_utc(),
        )
    })
}

impl Builder {
    /// A builder for the site at `root` (best an absolute path), with nothing built yet.
    pub fn new(root: &Path, overrides: Overrides) -> Builder {
        Builder {
            root: root.to_path_buf(),
            overrides,
            highlighter: Highlighter::new(),
            files: FileHashes::default(),
            found: None,
            config_fp: None,
            theme: None,
            docs: HashMap::new(),
            series: HashMap::new(),
            comments: HashMap::new(),
            indexes: None,
            plan: None,
            built: None,
            served: HashMap::new(),
            failed: false,
            docs_rendered_early: 0,
            reread: Vec::new(),
            in_steps: false,
            large_listing: publish::LARGE_LISTING,
            links: None,
            stages: Stages::default(),
        }
    }

    /// Check internal links after every (re)build, as `lanyard build` does: a broken link, image or
    /// anchor is a warning in the rebuild's diagnostics or, with `check_links = "error"`, fails the
    /// rebuild, of which nothing is then handed out (the served fingerprints are put back, so the next
    /// rebuild compares with what is really served). `served` gives the bytes of an output as served
    /// now, the outputs handed out by earlier steps of the same rebuild included: the ids of pages that
    /// links point into with a `#fragment` are read from there when the rebuild did not render them.
    /// Only what a rebuild can have changed is checked again (module `links`).
    pub fn checking_links(
        mut self,
        served: impl Fn(&str) -> Option<bytes::Bytes> + Send + Sync + 'static,
    ) -> Builder {
        self.links = Some(links::LinkCheck::new(Box::new(served)));
        self
    }

    /// Treat outputs that list more than `posts` posts as large listings, rendered in a second step.
    pub fn with_large_listing(mut self, posts: u32) -> Builder {
        self.large_listing = posts;
        self
    }

    /// Bring the served files up to date with the site on disk, in one step.
    pub fn update(
        &mut self,
        opts: &BuildOptions,
        changes: &Changes,
        diags: &Diagnostics,
    ) -> Result<Patch> {
        self.in_steps = false;
        self.rebuild(opts, changes, diags, &mut |_| {
            unreachable!("a single step hands nothing out early")
        })
    }

    /// Like [`Builder::update`], but hands the small outputs to `first` as soon as they are rendered,
    /// before the large listings; the returned patch holds the rest. If the rebuild fails after that,
    /// what `first` received stays valid: it is what the next rebuild compares with.
    pub fn update_in_steps(
        &mut self,
        opts: &BuildOptions,
        changes: &Changes,
        diags: &Diagnostics,
        first: &mut dyn FnMut(Patch),
    ) -> Result<Patch> {
        self.in_steps = true;
        self.rebuild(opts, changes, diags, first)
    }

    /// The sources (relative to the site: documents, series descriptions, comment folders and their
    /// files) the last rebuild parsed again. A source not among them said nothing this time, so the
    /// warnings it gave before still stand.
    pub fn take_reread(&mut self) -> Vec<String> {
        std::mem::take(&mut self.reread)
    }

    fn rebuild(
        &mut self,
        opts: &BuildOptions,
        changes: &Changes,
        diags: &Diagnostics,
        first: &mut dyn FnMut(Patch),
    ) -> Result<Patch> {
        self.reread.clear();
        let start = Instant::now();
        self.stages = Stages::default();
        self.stages.mark("start");
        if changes.everything {
            self.files.revalidate();
            self.found = None;
        }
        for p in &changes.paths {
            self.files.forget_below(p);
        }
        let fast_path = self.fast_path_applies(opts, changes);
        let result = match fast_path {
            true => fast::update(self, opts, changes, diags, first),
            false => None,
        };
        let fast = result.is_some();
        let result = match result {
            Some(r) => r,
            // The fast path rebuilt the changed documents and found the site's shape changed.
            None if fast_path => self.reassemble(opts, diags, first),
            None => self.full(opts, changes, diags, first),
        };
        self.failed = result.is_err();
        if self.failed {
            self.dissolve();
            if let Some(links) = &mut self.links {
                links.reset();
            }
        }
        let mut patch = result?;
        patch.docs_rendered += std::mem::take(&mut self.docs_rendered_early);
        patch.fast = fast;
        patch.elapsed = start.elapsed();
        patch.stages = std::mem::take(&mut self.stages.done);
        Ok(patch)
    }

    fn fast_path_applies(&self, opts: &BuildOptions, changes: &Changes) -> bool {
        let (Some(built), Some(found)) = (&self.built, &self.found) else {
            return false;
        };
        !self.failed
            && !changes.theme
            && !changes.everything
            && built.opts == (opts.drafts, opts.future)
            && built.next_due.is_none_or(|due| opts.now < due)
            && changes
                .paths
                .iter()
                .all(|p| found.still_has(p) && found.roles.get(p) != Some(&Role::Series))
    }

    /// Take the kept site apart: its documents go back to their entries (unless an entry moved on).
    fn dissolve(&mut self) {
        let Some(built) = self.built.take() else {
            return;
        };
        let index_key = built.index_key;
        self.plan = built.plan_whole.then_some((built.plan_key, built.planned));
        let (posts, pages, indexes) = built.site.into_parts();
        self.indexes = Some((index_key, indexes));
        self.give_back(posts.into_iter().chain(pages));
    }

    fn give_back(&mut self, docs: impl IntoIterator<Item = Doc>) {
        for doc in docs {
            if let Some(entry) = self.docs.get_mut(&doc.meta.file) {
                if entry.doc.is_none() {
                    entry.doc = Some(doc);
                }
            }
        }
    }

    /// After the fast path found that its documents change the site's shape (a new title, date, tag…):
    /// those documents are rebuilt and kept already, and no file came or went, so nothing else needs
    /// walking, hashing or parsing. Index, plan, fingerprint and render as the full path does, from the
    /// kept configuration, series descriptions and documents.
    fn reassemble(
        &mut self,
        opts: &BuildOptions,
        diags: &Diagnostics,
        first: &mut dyn FnMut(Patch),
    ) -> Result<Patch> {
        let built = self
            .built
            .as_ref()
            .expect("the fast path ran on a kept site");
        let (config, config_fp) = (built.site.config.clone(), built.config_fp);
        self.dissolve();
        self.stages.mark("take the kept site apart");
        let found = self
            .found
            .take()
            .expect("the fast path ran on a walked site");
        let series = found
            .files
            .series
            .iter()
            .filter_map(|f| self.series.get(&f.rel).map(|(_, s)| s.clone()))
            .collect();
        let result = publish::assemble(
            self,
            &found.files,
            config,
            config_fp,
            series,
            opts,
            diags,
            first,
        );
        self.found = Some(found);
        result
    }

    /// The full path: every stage, each reusing what is unchanged.
    fn full(
        &mut self,
        opts: &BuildOptions,
        changes: &Changes,
        diags: &Diagnostics,
        first: &mut dyn FnMut(Patch),
    ) -> Result<Patch> {
        self.dissolve();
        let config = pipeline::load_config(&self.root, &self.overrides, diags)?;
        let config_fp = hash_of(&format!("{config:?}"));
        // Only a file appearing or disappearing in `content/` or `static/` changes what a walk finds.
        let (content, statics) = (self.root.join("content"), self.root.join("static"));
        let walk = match &self.found {
            Some(found) => changes.paths.iter().any(|p| {
                (p.starts_with(&content) || p.starts_with(&statics)) && !found.still_has(p)
            }),
            None => true,
        };
        if walk {
            self.found = Some(Found::new(content::discover(&self.root, diags)?));
        }
        self.stages.mark("walk");
        if changes.theme
            || changes.everything
            || self.theme.is_none()
            || self.config_fp != Some(config_fp)
        {
            self.theme = None;
            self.config_fp = Some(config_fp);
            self.theme = Some(Theme::load(&config)?);
        }
        self.stages.mark("theme");
        let found = self.found.take().expect("walked above");
        let result = self.refresh_all(&found, config, config_fp, opts, diags, first);
        self.found = Some(found);
        result
    }

    fn refresh_all(
        &mut self,
        found: &Found,
        config: Config,
        config_fp: u64,
        opts: &BuildOptions,
        diags: &Diagnostics,
        first: &mut dyn FnMut(Patch),
    ) -> Result<Patch> {
        let files = &found.files;
        let mut paths: Vec<&Path> = files
            .posts
            .iter()
            .chain(&files.pages)
            .chain(&files.series)
            .map(|f| f.path.as_path())
            .collect();
        for (_, _, list) in &files.comment_dirs {
            paths.extend(list.iter().map(|f| f.path.as_path()));
        }
        let hashes = self.files.hash_all(&paths);
        self.files.retain(|p| found.roles.contains_key(p));
        let src = Sources {
            config: &config,
            config_fp,
            files,
            hashes: &hashes,
        };
        let mut errors = files.errors.clone();
        errors.extend(self.refresh_comments(&src, diags));
        let series = self.refresh_series(&src, &mut errors, diags);
        let docs_rendered = self.refresh_docs(&src, &mut errors, diags);
        self.stages.mark("parse and render documents");
        if let Some(err) = Error::collect(errors) {
            return Err(err);
        }
        let mut patch =
            publish::assemble(self, files, config, config_fp, series, opts, diags, first)?;
        patch.docs_rendered = docs_rendered;
        Ok(patch)
    }

    /// Re-read comment folders whose files changed; returns their errors.
    fn refresh_comments(&mut self, src: &Sources, diags: &Diagnostics) -> Vec<Diagnostic> {
        let mut errors = Vec::new();
        let mut next = HashMap::with_capacity(src.files.comment_dirs.len());
        for (slug, dir, list) in &src.files.comment_dirs {
            let key = src.folder_key(slug, dir, list);
            match self.comments.remove(dir) {
                Some(folder) if folder.1 == key => {
                    next.insert(dir.clone(), folder);
                }
                _ => {
                    self.reread.push(dir.clone());
                    self.reread.extend(list.iter().map(|f| f.rel.clone()));
                    match content::read_comment_folder(slug, dir, list, src.config, diags) {
                        Ok(f) => {
                            next.insert(dir.clone(), (slug.clone(), key, f.comments));
                        }
                        Err(mut d) => errors.append(&mut d),
                    }
                }
            }
        }
        self.comments = next;
        errors
    }

    /// Re-read changed series descriptions; returns every series source in walk order.
    fn refresh_series(
        &mut self,
        src: &Sources,
        errors: &mut Vec<Diagnostic>,
        diags: &Diagnostics,
    ) -> Vec<SeriesSource> {
        let mut next = HashMap::with_capacity(src.files.series.len());
        let mut out = Vec::with_capacity(src.files.series.len());
        for f in &src.files.series {
            let key = hash_of(&(src.file_key(f), &f.stem));
            let entry = match self.series.remove(&f.rel) {
                Some(e) if e.0 == key => e,
                _ => {
                    self.reread.push(f.rel.clone());
                    match content::read_series(f, diags) {
                        Ok(s) => (key, s),
                        Err(d) => {
                            errors.push(d);
                            continue;
                        }
                    }
                }
            };
            out.push(entry.1.clone());
            next.insert(f.rel.clone(), entry);
        }
        self.series = next;
        out
    }

    /// Parse and render the posts and pages whose key changed, in parallel; returns how many.
    fn refresh_docs(
        &mut self,
        src: &Sources,
        errors: &mut Vec<Diagnostic>,
        diags: &Diagnostics,
    ) -> usize {
        let docs: Vec<(&SourceFile, Kind)> = src
            .files
            .posts
            .iter()
            .map(|f| (f, Kind::Post))
            .chain(src.files.pages.iter().map(|f| (f, Kind::Page)))
            .collect();
        let comments = Comments::new(&self.comments);
        let mut todo = Vec::new();
        for &(f, kind) in &docs {
            let parse_key = src.parse_key(f, kind);
            let fresh = self.docs.get(&f.rel).is_some_and(|e| {
                let slug = e.doc.as_ref().map_or("", |d| d.meta.slug.as_str());
                e.parse_key == parse_key && e.comments_key == comments.of(kind, slug).0
            });
            if !fresh {
                todo.push((f, kind, parse_key));
            }
        }
        self.reread
            .extend(todo.iter().map(|(f, _, _)| f.rel.clone()));
        let built = build_docs(&todo, src.config, &self.highlighter, &comments, diags);
        let count = todo.len();
        for ((f, _, _), result) in todo.iter().zip(built) {
            match result {
                Ok(entry) => {
                    self.docs.insert(f.rel.clone(), entry);
                }
                Err(mut d) => {
                    self.docs.remove(&f.rel);
                    errors.append(&mut d);
                }
            }
        }
        let present: HashSet<&str> = docs.iter().map(|(f, _)| f.rel.as_str()).collect();
        // A document that is gone says nothing any more: its warnings go with it.
        let reread = &mut self.reread;
        self.docs.retain(|rel, _| {
            let kept = present.contains(rel.as_str());
            if !kept {
                reread.push(rel.clone());
            }
            kept
        });
        count
    }
}

/// What the full path reads before deciding what to redo.
struct Sources<'a> {
    config: &'a Config,
    config_fp: u64,
    files: &'a Discovered,
    hashes: &'a HashMap<PathBuf, Option<u64>>,
}

impl Sources<'_> {
    fn file_key<'f>(&self, f: &'f SourceFile) -> (&'f str, Option<u64>) {
        (f.rel.as_str(), self.hashes.get(&f.path).copied().flatten())
    }

    /// Everything a document is parsed from: the configuration, its kind, name, bytes and folder files.
    fn parse_key(&self, f: &SourceFile, kind: Kind) -> u64 {
        let assets: Vec<(&Path, &str)> = f
            .assets
            .iter()
            .map(|(p, r)| (p.as_path(), r.as_str()))
            .collect();
        hash_of(&(
            self.config_fp,
            kind == Kind::Post,
            self.file_key(f),
            &f.stem,
            &f.stem_date,
            assets,
        ))
    }

    fn folder_key(&self, slug: &str, dir: &str, list: &[SourceFile]) -> u64 {
        hash_of(&(
            self.config_fp,
            slug,
            dir,
            list.iter().map(|f| self.file_key(f)).collect::<Vec<_>>(),
        ))
    }
}

/// Comment folders by the slug of their post.
struct Comments<'a> {
    by_slug: HashMap<&'a str, &'a Folder>,
}

impl<'a> Comments<'a> {
    fn new(folders: &'a HashMap<String, Folder>) -> Self {
        Comments {
            by_slug: folders.values().map(|f| (f.0.as_str(), f)).collect(),
        }
    }

    /// The key and comments a document of `kind` with `slug` is rendered with (pages show none).
    fn of(&self, kind: Kind, slug: &str) -> (u64, &'a [Comment]) {
        match self.by_slug.get(slug) {
            Some(f) if kind == Kind::Post => (f.1, f.2.as_slice()),
            _ => (0, &[]),
        }
    }
}

/// Parse and render documents in parallel.
fn build_docs(
    todo: &[(&SourceFile, Kind, u64)],
    config: &Config,
    highlighter: &Highlighter,
    comments: &Comments,
    diags: &Diagnostics,
) -> Vec<std::result::Result<Entry, Vec<Diagnostic>>> {
    todo.par_iter()
        .map(|&(f, kind, parse_key)| {
            let source = content::parse_doc(f, kind, config, diags)?;
            let (comments_key, list) = comments.of(kind, &source.meta.slug);
            let doc = site::render_doc(source, config, highlighter, list, diags);
            Ok(Entry {
                parse_key,
                comments_key,
                doc: Some(doc),
            })
        })
        .collect()
}

/// Drop copies of files that resolve outside the site folder (symbolic links pointing out): the dev server
/// never serves a file from outside the site.
pub fn confine(planned: Vec<Planned>, root: &Path, diags: &Diagnostics) -> Vec<Planned> {
    let root = std::fs::canonicalize(root).unwrap_or_else(|_| root.to_path_buf());
    planned
        .into_iter()
        .filter(|p| match &p.job {
            Job::Copy(src) => {
                let inside = std::fs::canonicalize(src).is_ok_and(|real| real.starts_with(&root));
                if !inside {
                    let shown = src.strip_prefix(&root).unwrap_or(src).display().to_string();
                    diags.warn(shown, None, "not served: this file resolves to a place outside the site folder (a symbolic link?)");
                }
                inside
            }
            _ => true,
        })
        .collect()
}

/// A clean, full build in memory, as the dev server would serve it: what incremental rebuilds must equal.
pub fn clean_build(
    root: &Path,
    opts: &BuildOptions,
    overrides: &Overrides,
    diags: &Diagnostics,
) -> Result<BTreeMap<String, Vec<u8>>> {
    let mut loaded = pipeline::load_site(root, opts, overrides, diags)?;
    loaded.planned = confine(loaded.planned, root, diags);
    let sink = MemorySink::new();
    pipeline::render_into(&loaded, &sink)?;
    Ok(sink.into_files())
}
