//! Rebuilds that redo only what a change touched, and end byte-identical to a clean build.
//!
//! The [`Builder`] keeps, between rebuilds: a content hash per source file ([`FileHashes`]); every post
//! and page parsed and rendered, keyed by a hash of everything that document is made from (its bytes,
//! its name, its folder's files, its comment files, the configuration); the site indexes with a key over
//! the fields they are computed from; and a fingerprint of every output it has handed out
//! ([`crate::render::fingerprint`]).
//!
//! Each rebuild runs the stages of a full build, reusing what is unchanged: the configuration is re-read
//! (one small file) and is part of every document's key, so a config edit re-renders everything; the
//! theme is reloaded only when templates changed, and a template edit re-renders every page from the
//! kept documents without parsing Markdown again; `content/` is walked again, so new, deleted and renamed
//! files need no special case, and only documents whose key changed are parsed and rendered; the indexes
//! are recomputed only when a field they read changed; then every output is fingerprinted and exactly the
//! outputs whose fingerprint differs from the served one are rendered, while outputs that are no longer
//! planned are removed. A failed rebuild changes nothing that is served, so the next one is compared with
//! what the browser really has.

use std::collections::hash_map::DefaultHasher;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use rayon::prelude::*;

use super::files::FileHashes;
use crate::config::Config;
use crate::content::comments::Comment;
use crate::content::{self, BuildOptions, Discovered, Kind, SeriesSource, SourceFile};
use crate::error::{Diagnostic, Diagnostics, Error, Result};
use crate::markdown::Highlighter;
use crate::output::MemorySink;
use crate::pipeline::{self, Overrides};
use crate::render::fingerprint::{self, DocFps};
use crate::render::{self, theme::Theme, Job, Planned};
use crate::site::{self, Doc, Indexes, Site};

/// What the watcher saw, as far as the builder cares.
#[derive(Debug, Clone, Default)]
pub struct Changes {
    /// Files or folders that changed: re-read even if their size and time look the same.
    pub paths: Vec<PathBuf>,
    /// Templates or theme files changed: reload the theme.
    pub theme: bool,
    /// Something could not be classified: trust no cached file hash and reload the theme.
    pub everything: bool,
}

/// A successful (re)build: what to change in the served files.
#[derive(Debug, Default)]
pub struct Patch {
    pub writes: BTreeMap<String, Vec<u8>>,
    pub removed: Vec<String>,
    /// Documents parsed and rendered this time.
    pub docs_rendered: usize,
    pub elapsed: Duration,
}

/// A parsed and rendered document and the keys of what it was made from.
struct Entry {
    parse_key: u64,
    comments_key: u64,
    /// `None` only while lent to a `Site` during a rebuild.
    doc: Option<Doc>,
}

impl Entry {
    fn key(&self) -> u64 {
        hash_of(&(self.parse_key, self.comments_key))
    }
}

/// A comment folder: its post's slug, its key and its comments.
type Folder = (String, u64, Vec<Comment>);

/// The incremental build state of one site.
pub struct Builder {
    root: PathBuf,
    overrides: Overrides,
    highlighter: Highlighter,
    files: FileHashes,
    config_fp: Option<u64>,
    theme: Option<Theme>,
    docs: HashMap<String, Entry>,
    series: HashMap<String, (u64, SeriesSource)>,
    comments: HashMap<String, Folder>,
    indexes: Option<(u64, Indexes)>,
    served: HashMap<String, u64>,
}

fn hash_of<T: Hash + ?Sized>(v: &T) -> u64 {
    let mut h = DefaultHasher::new();
    v.hash(&mut h);
    h.finish()
}

/// What a rebuild reads before deciding what to redo.
struct Sources {
    config: Config,
    config_fp: u64,
    found: Discovered,
    hashes: HashMap<PathBuf, Option<u64>>,
}

impl Sources {
    fn file_key<'a>(&self, f: &'a SourceFile) -> (&'a str, Option<u64>) {
        (f.rel.as_str(), self.hashes.get(&f.path).copied().flatten())
    }
}

impl Builder {
    /// A builder for the site at `root` (best an absolute path), with nothing built yet.
    pub fn new(root: &Path, overrides: Overrides) -> Builder {
        Builder {
            root: root.to_path_buf(),
            overrides,
            highlighter: Highlighter::new(),
            files: FileHashes::default(),
            config_fp: None,
            theme: None,
            docs: HashMap::new(),
            series: HashMap::new(),
            comments: HashMap::new(),
            indexes: None,
            served: HashMap::new(),
        }
    }

    /// Bring the served files up to date with the site on disk.
    pub fn update(&mut self, opts: &BuildOptions, changes: &Changes, diags: &Diagnostics) -> Result<Patch> {
        let start = Instant::now();
        if changes.everything {
            self.files.clear();
        }
        for p in &changes.paths {
            self.files.forget_below(p);
        }
        let src = self.read_sources(diags)?;
        if changes.theme || changes.everything || self.theme.is_none() || self.config_fp != Some(src.config_fp) {
            self.theme = None;
            self.config_fp = Some(src.config_fp);
            self.theme = Some(Theme::load(&src.config)?);
        }
        let mut errors = src.found.errors.clone();
        errors.extend(self.refresh_comments(&src, diags));
        let series = self.refresh_series(&src, &mut errors, diags);
        let docs_rendered = self.refresh_docs(&src, &mut errors, diags);
        if let Some(err) = Error::collect(errors) {
            return Err(err);
        }
        let mut patch = self.assemble(src, series, opts, diags)?;
        patch.docs_rendered = docs_rendered;
        patch.elapsed = start.elapsed();
        Ok(patch)
    }

    fn read_sources(&mut self, diags: &Diagnostics) -> Result<Sources> {
        let config = pipeline::load_config(&self.root, &self.overrides, diags)?;
        let config_fp = hash_of(&format!("{config:?}"));
        let found = content::discover(&self.root, diags)?;
        let mut paths: Vec<&Path> = found.posts.iter().chain(&found.pages).chain(&found.series).map(|f| f.path.as_path()).collect();
        for (_, _, files) in &found.comment_dirs {
            paths.extend(files.iter().map(|f| f.path.as_path()));
        }
        let hashes = self.files.hash_all(&paths);
        Ok(Sources { config, config_fp, found, hashes })
    }

    /// Re-read comment folders whose files changed; returns their errors.
    fn refresh_comments(&mut self, src: &Sources, diags: &Diagnostics) -> Vec<Diagnostic> {
        let mut errors = Vec::new();
        let mut next = HashMap::with_capacity(src.found.comment_dirs.len());
        for (slug, dir, files) in &src.found.comment_dirs {
            let key = hash_of(&(src.config_fp, slug, dir, files.iter().map(|f| src.file_key(f)).collect::<Vec<_>>()));
            match self.comments.remove(dir) {
                Some(folder) if folder.1 == key => {
                    next.insert(dir.clone(), folder);
                }
                _ => match content::read_comment_folder(slug, dir, files, &src.config, diags) {
                    Ok(f) => {
                        next.insert(dir.clone(), (slug.clone(), key, f.comments));
                    }
                    Err(mut d) => errors.append(&mut d),
                },
            }
        }
        self.comments = next;
        errors
    }

    /// Re-read changed series descriptions; returns every series source in discovery order.
    fn refresh_series(&mut self, src: &Sources, errors: &mut Vec<Diagnostic>, diags: &Diagnostics) -> Vec<SeriesSource> {
        let mut next = HashMap::with_capacity(src.found.series.len());
        let mut out = Vec::with_capacity(src.found.series.len());
        for f in &src.found.series {
            let key = hash_of(&(src.file_key(f), &f.stem));
            let entry = match self.series.remove(&f.rel) {
                Some(e) if e.0 == key => e,
                _ => match content::read_series(f, diags) {
                    Ok(s) => (key, s),
                    Err(d) => {
                        errors.push(d);
                        continue;
                    }
                },
            };
            out.push(entry.1.clone());
            next.insert(f.rel.clone(), entry);
        }
        self.series = next;
        out
    }

    /// Parse and render the posts and pages whose key changed, in parallel; returns how many.
    fn refresh_docs(&mut self, src: &Sources, errors: &mut Vec<Diagnostic>, diags: &Diagnostics) -> usize {
        let by_slug: HashMap<&str, &Folder> = self.comments.values().map(|f| (f.0.as_str(), f)).collect();
        let comments_of = |kind: Kind, slug: &str| -> (u64, &[Comment]) {
            match by_slug.get(slug) {
                Some(f) if kind == Kind::Post => (f.1, f.2.as_slice()),
                _ => (0, &[]),
            }
        };
        let files: Vec<(&SourceFile, Kind)> =
            src.found.posts.iter().map(|f| (f, Kind::Post)).chain(src.found.pages.iter().map(|f| (f, Kind::Page))).collect();
        let mut todo = Vec::new();
        for &(f, kind) in &files {
            let assets: Vec<(&Path, &str)> = f.assets.iter().map(|(p, r)| (p.as_path(), r.as_str())).collect();
            let parse_key = hash_of(&(src.config_fp, kind == Kind::Post, src.file_key(f), &f.stem, &f.stem_date, assets));
            let fresh = self.docs.get(&f.rel).is_some_and(|e| {
                let slug = e.doc.as_ref().map_or("", |d| d.meta.slug.as_str());
                e.parse_key == parse_key && e.comments_key == comments_of(kind, slug).0
            });
            if !fresh {
                todo.push((f, kind, parse_key));
            }
        }
        let (config, highlighter) = (&src.config, &self.highlighter);
        let built: Vec<_> = todo
            .par_iter()
            .map(|&(f, kind, parse_key)| {
                let source = content::parse_doc(f, kind, config, diags)?;
                let (comments_key, comments) = comments_of(kind, &source.meta.slug);
                let doc = site::render_doc(source, config, highlighter, comments, diags);
                Ok::<_, Vec<Diagnostic>>(Entry { parse_key, comments_key, doc: Some(doc) })
            })
            .collect();
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
        let present: HashSet<&str> = files.iter().map(|(f, _)| f.rel.as_str()).collect();
        self.docs.retain(|rel, _| present.contains(rel.as_str()));
        count
    }

    /// Lend the built documents to a `Site`, render what changed, and take them back.
    fn assemble(&mut self, src: Sources, series: Vec<SeriesSource>, opts: &BuildOptions, diags: &Diagnostics) -> Result<Patch> {
        let Sources { config, config_fp, found, .. } = src;
        let (mut posts, mut pages) = (Vec::new(), Vec::new());
        let mut unpublished = HashSet::new();
        for f in found.posts.iter().chain(&found.pages) {
            let Some(entry) = self.docs.get_mut(&f.rel) else { continue };
            let Some(doc) = entry.doc.as_ref() else { continue };
            if !content::is_built(&doc.meta, opts) {
                if doc.meta.kind == Kind::Post {
                    unpublished.insert(doc.meta.slug.clone());
                }
                continue;
            }
            let doc = entry.doc.take().expect("checked above");
            if doc.meta.kind == Kind::Post {
                posts.push(doc);
            } else {
                pages.push(doc);
            }
        }
        warn_orphans(&posts, &unpublished, &self.comments, diags);
        site::sort_docs(&mut posts, &mut pages);
        let index_key = index_key(config_fp, &series, &posts);
        match self.build_site(config, posts, pages, series, found.statics, index_key, diags) {
            Ok((site, patch)) => {
                let (posts, pages, indexes) = site.into_parts();
                self.indexes = Some((index_key, indexes));
                self.give_back(posts.into_iter().chain(pages));
                Ok(patch)
            }
            Err((err, docs)) => {
                self.give_back(docs);
                Err(err)
            }
        }
    }

    /// Index (or reuse the indexes), then render what changed. On failure the documents come back.
    #[allow(clippy::too_many_arguments)]
    fn build_site(
        &mut self,
        config: Config,
        posts: Vec<Doc>,
        pages: Vec<Doc>,
        series: Vec<SeriesSource>,
        statics: Vec<(PathBuf, String)>,
        index_key: u64,
        diags: &Diagnostics,
    ) -> std::result::Result<(Site, Patch), (Error, Vec<Doc>)> {
        let indexes = match self.indexes.take() {
            Some((key, ix)) if key == index_key => ix,
            _ => match site::index(&posts, series, &config, &self.highlighter, diags) {
                Ok(ix) => ix,
                Err(e) => return Err((e, posts.into_iter().chain(pages).collect())),
            },
        };
        let site = Site::from_parts(config, posts, pages, indexes, statics);
        match self.render_changes(&site, diags) {
            Ok(patch) => Ok((site, patch)),
            Err(e) => {
                let (posts, pages, indexes) = site.into_parts();
                self.indexes = Some((index_key, indexes));
                Err((e, posts.into_iter().chain(pages).collect()))
            }
        }
    }

    /// Fingerprint every planned output and render those that differ from what is served.
    fn render_changes(&mut self, site: &Site, diags: &Diagnostics) -> Result<Patch> {
        let Builder { root, files, theme, docs, served, .. } = self;
        let theme = theme.as_ref().expect("loaded before rendering");
        let planned = confine(render::plan(site, theme)?, root, diags);
        let copies: Vec<&Path> = planned
            .iter()
            .filter_map(|p| match &p.job {
                Job::Copy(src) => Some(src.as_path()),
                _ => None,
            })
            .collect();
        let copy_hashes = files.hash_all(&copies);
        let key_of = |d: &Doc| docs.get(&d.meta.file).map_or(0, Entry::key);
        let post_fps: Vec<u64> = site.posts.iter().map(key_of).collect();
        let page_fps: Vec<u64> = site.pages.iter().map(key_of).collect();
        let file = |p: &Path| copy_hashes.get(p).copied().flatten();
        let fps = fingerprint::fingerprints(site, theme, &planned, &DocFps { posts: &post_fps, pages: &page_fps, file: &file });
        let mut next = HashMap::with_capacity(planned.len());
        let mut todo = Vec::new();
        for (p, fp) in planned.into_iter().zip(fps) {
            next.insert(p.out.clone(), fp);
            if served.get(&p.out) != Some(&fp) {
                todo.push(p);
            }
        }
        let removed: Vec<String> = served.keys().filter(|k| !next.contains_key(*k)).cloned().collect();
        let sink = MemorySink::new();
        render::render(site, theme, &todo, &sink)?;
        *served = next;
        Ok(Patch { writes: sink.into_files(), removed, ..Patch::default() })
    }

    fn give_back(&mut self, docs: impl IntoIterator<Item = Doc>) {
        for doc in docs {
            if let Some(entry) = self.docs.get_mut(&doc.meta.file) {
                entry.doc = Some(doc);
            }
        }
    }
}

/// A hash of every field the site indexes are computed from, in sorted order.
fn index_key(config_fp: u64, series: &[SeriesSource], posts: &[Doc]) -> u64 {
    let mut h = DefaultHasher::new();
    config_fp.hash(&mut h);
    for s in series {
        format!("{s:?}").hash(&mut h);
    }
    for p in posts {
        let m = &p.meta;
        (&m.file, &m.tags, &m.author).hash(&mut h);
        m.series.as_ref().map(|r| (&r.name, &r.id, r.part, r.line)).hash(&mut h);
        m.date.map(|d| (d.timestamp(), d.timestamp_subsec_nanos(), d.offset().local_minus_utc())).hash(&mut h);
    }
    h.finish()
}

/// The warning a full build gives for a comment folder whose post does not exist.
fn warn_orphans(posts: &[Doc], unpublished: &HashSet<String>, folders: &HashMap<String, Folder>, diags: &Diagnostics) {
    let known: HashSet<&str> = posts.iter().map(|p| p.meta.slug.as_str()).collect();
    for (dir, (slug, _, _)) in folders {
        if !known.contains(slug.as_str()) && !unpublished.contains(slug) {
            diags.warn(dir, None, format!("comment folder for a post that does not exist: no post has the slug `{slug}`"));
        }
    }
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

/// A clean, full build in memory, as the dev server would serve it: the reference incremental rebuilds
/// are compared with.
pub fn clean_build(root: &Path, opts: &BuildOptions, overrides: &Overrides, diags: &Diagnostics) -> Result<BTreeMap<String, Vec<u8>>> {
    let mut loaded = pipeline::load_site(root, opts, overrides, diags)?;
    loaded.planned = confine(loaded.planned, root, diags);
    let sink = MemorySink::new();
    pipeline::render_into(&loaded, &sink)?;
    Ok(sink.into_files())
}
