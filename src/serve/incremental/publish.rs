//! The end of a full rebuild: documents → kept site → plan → fingerprints → the outputs that changed.
//!
//! Rendering can be split in two steps: outputs that list at most [`LARGE_LISTING`] posts first (the edited
//! post, its neighbours, listings, feeds), handed to the caller as soon as they are done, then the large
//! listings (an archive or an author page of thousands of posts), which can take longer than everything
//! else together. The served fingerprints follow each step, so they always describe what is served.

use std::collections::{HashMap, HashSet};
use std::path::Path;

use chrono::{DateTime, Utc};
use rayon::prelude::*;

use super::links::LinkCheck;
use super::{date_key, hash_of, Builder, Built, Patch};
use crate::config::Config;
use crate::content::{self, BuildOptions, Discovered, Kind, SeriesSource};
use crate::error::{Diagnostics, Result};
use crate::output::MemorySink;
use crate::render::fingerprint::{self, DocFps, Fingerprints};
use crate::render::{self, theme::Theme, Job, Planned};
use crate::serve::files::FileHashes;
use crate::site::{self, Doc, Site};

/// Outputs that read more posts than this are rendered in the second step, by default.
pub const LARGE_LISTING: u32 = 256;

/// Index the published documents, plan, fingerprint and render what changed; keep the site.
#[allow(clippy::too_many_arguments)]
pub(super) fn assemble(
    b: &mut Builder,
    files: &Discovered,
    config: Config,
    config_fp: u64,
    series: Vec<SeriesSource>,
    opts: &BuildOptions,
    diags: &Diagnostics,
    first: &mut dyn FnMut(Patch),
) -> Result<Patch> {
    let (mut posts, mut pages) = (Vec::new(), Vec::new());
    let mut unpublished = HashSet::new();
    let mut unpublished_meta = Vec::new();
    let mut next_due: Option<DateTime<Utc>> = None;
    for f in files.posts.iter().chain(&files.pages) {
        let Some(entry) = b.docs.get_mut(&f.rel) else {
            continue;
        };
        let Some(doc) = entry.doc.as_ref() else {
            continue;
        };
        if !content::is_built(&doc.meta, opts) {
            unpublished_meta.push(doc.meta.clone());
            if doc.meta.kind == Kind::Post {
                unpublished.insert(doc.meta.slug.clone());
                if let Some(d) = doc
                    .meta
                    .date
                    .map(|d| d.with_timezone(&Utc))
                    .filter(|d| *d > opts.now && (opts.drafts || !doc.meta.draft))
                {
                    next_due = Some(next_due.map_or(d, |n| n.min(d)));
                }
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
    warn_orphans(&posts, &unpublished, b, diags);
    site::sort_docs(&mut posts, &mut pages);
    site::warn_hidden_clashes(&posts, &pages, &unpublished_meta, &series, &config, diags);
    let index_key = index_key(config_fp, &series, &posts);
    b.stages.mark("collect and sort");
    let indexes = match b.indexes.take() {
        Some((key, ix)) if key == index_key => ix,
        _ => match site::index(&posts, series, &config, &b.highlighter, diags) {
            Ok(ix) => ix,
            Err(e) => {
                b.give_back(posts.into_iter().chain(pages));
                return Err(e);
            }
        },
    };
    b.stages.mark("index");
    let site = Site::from_parts(
        config,
        posts,
        pages,
        indexes,
        files.statics.clone(),
        unpublished_meta,
    );
    let (post_fps, page_fps) = (keys_of(b, &site.posts), keys_of(b, &site.pages));
    let built = Built {
        post_at: positions(&site.posts),
        page_at: positions(&site.pages),
        site,
        config_fp,
        index_key,
        planned: Vec::new(),
        plan_key: 0,
        plan_whole: false,
        prints: Fingerprints::default(),
        post_fps,
        page_fps,
        opts: (opts.drafts, opts.future),
        next_due,
    };
    b.built = Some(built);
    render_all(b, diags, first)
}

fn keys_of(b: &Builder, docs: &[Doc]) -> Vec<u64> {
    docs.par_iter()
        .map(|d| b.docs.get(&d.meta.file).map_or(0, super::Entry::key))
        .collect()
}

fn positions(docs: &[Doc]) -> HashMap<String, usize> {
    docs.iter()
        .enumerate()
        .map(|(i, d)| (d.meta.file.clone(), i))
        .collect()
}

/// Fingerprint every planned output of the kept site, with every copied file's bytes hashed again.
pub(super) fn fingerprint_all(built: &mut Built, files: &mut FileHashes, theme: &Theme) {
    let copies: Vec<&Path> = built.planned.iter().filter_map(copy_source).collect();
    let copy_hashes = files.hash_all(&copies);
    let file = |p: &Path| copy_hashes.get(p).copied().flatten();
    let docs = DocFps {
        posts: &built.post_fps,
        pages: &built.page_fps,
        file: &file,
    };
    built.prints = fingerprint::fingerprints(&built.site, theme, &built.planned, &docs);
}

/// Plan the kept site, fingerprint every output and render those that differ from what is served.
fn render_all(b: &mut Builder, diags: &Diagnostics, first: &mut dyn FnMut(Patch)) -> Result<Patch> {
    let Builder {
        root,
        files,
        theme,
        built,
        plan,
        served,
        stages,
        in_steps,
        large_listing,
        links,
        ..
    } = b;
    let built = built.as_mut().expect("kept above");
    let theme = theme.as_ref().expect("loaded before rendering");
    built.plan_key = plan_key(&built.site, theme, built.config_fp);
    let planned = match plan.take() {
        Some((key, kept)) if key == built.plan_key => kept,
        _ => render::plan(&built.site, theme)?,
    };
    let whole = planned.len();
    built.planned = super::confine(planned, root, diags);
    built.plan_whole = built.planned.len() == whole;
    stages.mark("plan");
    fingerprint_all(built, files, theme);
    stages.mark("fingerprint");
    let planned_outs: HashSet<&str> = built.planned.iter().map(|p| p.out.as_str()).collect();
    let removed: Vec<String> = served
        .keys()
        .filter(|k| !planned_outs.contains(k.as_str()))
        .cloned()
        .collect();
    let todo: Vec<usize> = (0..built.planned.len())
        .filter(|&k| served.get(&built.planned[k].out) != Some(&built.prints.outputs[k]))
        .collect();
    let first = in_steps.then_some(first);
    render_in_steps(
        built,
        theme,
        served,
        todo,
        removed,
        stages,
        first.map(|f| (f, *large_listing)),
        links.as_mut(),
        diags,
    )
}

/// Everything `render::plan` reads: the configuration, the theme, each post's and page's outputs (its
/// file, folder, assets, aliases and template) in order, the tags with their sizes, the series, the
/// authors and the static files. A retitled post leaves it unchanged, and the last plan is reused.
fn plan_key(site: &Site, theme: &Theme, config_fp: u64) -> u64 {
    let doc = |d: &Doc| {
        let m = &d.meta;
        hash_of(&(
            (m.kind == Kind::Post, &m.file, &m.template),
            (&d.out_file, &d.path, &d.url),
            (&m.assets, &m.aliases),
        ))
    };
    let posts: Vec<u64> = site.posts.par_iter().map(doc).collect();
    let pages: Vec<u64> = site.pages.par_iter().map(doc).collect();
    let ix = &site.ix;
    hash_of(&(
        (config_fp, theme.fingerprint(), posts, pages),
        ix.tags
            .iter()
            .map(|t| (&t.name, &t.path, t.posts.len()))
            .collect::<Vec<_>>(),
        ix.series
            .iter()
            .map(|s| (&s.id, &s.path))
            .collect::<Vec<_>>(),
        ix.authors
            .iter()
            .map(|a| (&a.id, &a.path))
            .collect::<Vec<_>>(),
        &site.statics,
    ))
}

pub(super) fn copy_source(p: &Planned) -> Option<&Path> {
    match &p.job {
        Job::Copy(src) => Some(src.as_path()),
        _ => None,
    }
}

/// Render `todo` (plan positions), keeping `served` in step; `first` gets the small outputs before the
/// large listings are rendered, when `first` is given. With `links`, the kept site's links are checked
/// once every page a `#fragment` points into is rendered: with `check_links = "error"`, before anything
/// is handed out (the small outputs wait for the large listings only when a fragment points into one
/// of those), and a broken link fails the rebuild with `served` as it was; otherwise the findings are
/// warnings in `diags`, and the small outputs are handed out (when `first` is given, even without large
/// listings to follow) before the check, which then takes nothing from the reload.
#[allow(clippy::too_many_arguments)]
pub(super) fn render_in_steps(
    built: &Built,
    theme: &Theme,
    served: &mut HashMap<String, u64>,
    todo: Vec<usize>,
    removed: Vec<String>,
    stages: &mut super::Stages,
    first: Option<(&mut dyn FnMut(Patch), u32)>,
    links: Option<&mut LinkCheck>,
    diags: &Diagnostics,
) -> Result<Patch> {
    let (first, large_listing) = match first {
        Some((f, limit)) => (Some(f), limit),
        None => (None, u32::MAX),
    };
    let (small, large): (Vec<usize>, Vec<usize>) = todo
        .into_iter()
        .partition(|&k| built.prints.reads[k] <= large_listing);
    let strict = links.is_some() && built.site.config.check_links_error;
    // What `served` said of the outputs this rebuild changes and has not handed out yet: put back
    // when a broken link fails the rebuild.
    let mut undo = Undo::default();
    if strict {
        let outs = small.iter().map(|&k| built.planned[k].out.as_str());
        undo.save(served, removed.iter().map(String::as_str).chain(outs));
    }
    let mut patch = render_some(built, theme, served, &small)?;
    for key in &removed {
        served.remove(key);
    }
    patch.removed = removed;
    stages.mark("render");
    let Some(links) = links else {
        let Some(first) = first.filter(|_| !large.is_empty()) else {
            return Ok(patch);
        };
        first(patch);
        let patch = render_some(built, theme, served, &large)?;
        stages.mark("render large listings");
        return Ok(patch);
    };
    links.saw(&patch);
    if !strict {
        // Warnings stop nothing: the page being edited goes out before the check.
        let rest = match first {
            Some(first) => {
                first(patch);
                if large.is_empty() {
                    Patch::default()
                } else {
                    let rest = render_some(built, theme, served, &large)?;
                    stages.mark("render large listings");
                    links.saw(&rest);
                    rest
                }
            }
            None => patch,
        };
        check_links(built, links, &[&rest], diags)?;
        stages.mark("check links");
        return Ok(rest);
    }
    let Some(first) = first.filter(|_| !large.is_empty()) else {
        check_links(built, links, &[&patch], diags).inspect_err(|_| undo.restore(served))?;
        stages.mark("check links");
        return Ok(patch);
    };
    let large_outs = || large.iter().map(|&k| built.planned[k].out.as_str());
    links.prepare(built);
    let held = if links.waits_for(large_outs()) {
        undo.save(served, large_outs());
        Some(patch)
    } else {
        check_links(built, links, &[&patch], diags).inspect_err(|_| undo.restore(served))?;
        stages.mark("check links");
        first(patch);
        None
    };
    let Some(mut patch) = held else {
        // Checked: what remains to render cannot change the result.
        let rest = render_some(built, theme, served, &large)?;
        stages.mark("render large listings");
        links.saw(&rest);
        return Ok(rest);
    };
    let rest = render_some(built, theme, served, &large).inspect_err(|_| undo.restore(served))?;
    stages.mark("render large listings");
    links.saw(&rest);
    check_links(built, links, &[&patch, &rest], diags).inspect_err(|_| undo.restore(served))?;
    stages.mark("check links");
    patch.writes.extend(rest.writes);
    patch.outputs_rendered += rest.outputs_rendered;
    Ok(patch)
}

/// Check the kept site's links ([`LinkCheck::check`]): warnings go to `diags`, or with
/// `check_links = "error"` they are the rebuild's errors, as in `lanyard build`.
fn check_links(
    built: &Built,
    links: &mut LinkCheck,
    held: &[&Patch],
    diags: &Diagnostics,
) -> Result<()> {
    let found = links.check(built, held);
    crate::lint::report_links(found, &built.site.config, diags)
}

/// The served fingerprints of some outputs before a rebuild changed them.
#[derive(Default)]
struct Undo {
    saved: HashMap<String, Option<u64>>,
}

impl Undo {
    fn save<'a>(&mut self, served: &HashMap<String, u64>, outs: impl Iterator<Item = &'a str>) {
        for out in outs {
            if !self.saved.contains_key(out) {
                self.saved.insert(out.to_string(), served.get(out).copied());
            }
        }
    }

    fn restore(&self, served: &mut HashMap<String, u64>) {
        for (out, fp) in &self.saved {
            match fp {
                Some(fp) => served.insert(out.clone(), *fp),
                None => served.remove(out),
            };
        }
    }
}

fn render_some(
    built: &Built,
    theme: &Theme,
    served: &mut HashMap<String, u64>,
    todo: &[usize],
) -> Result<Patch> {
    let jobs: Vec<Planned> = todo.iter().map(|&k| built.planned[k].clone()).collect();
    let sink = MemorySink::new();
    render::render(&built.site, theme, &jobs, &sink)?;
    for &k in todo {
        served.insert(built.planned[k].out.clone(), built.prints.outputs[k]);
    }
    Ok(Patch {
        writes: sink.into_files(),
        outputs_rendered: todo.len(),
        ..Patch::default()
    })
}

/// A hash of every field the site indexes are computed from, in sorted order.
fn index_key(config_fp: u64, series: &[SeriesSource], posts: &[Doc]) -> u64 {
    let series: Vec<String> = series.iter().map(|s| format!("{s:?}")).collect();
    // One hash per post, in parallel: a site of ten thousand posts is hashed on every reassembly.
    let posts: Vec<u64> = posts
        .par_iter()
        .map(|p| {
            let m = &p.meta;
            hash_of(&(
                &m.file,
                &m.tags,
                &m.author,
                m.series.as_ref().map(|r| (&r.name, &r.id, r.part, r.line)),
                date_key(m.date.as_ref()),
            ))
        })
        .collect();
    hash_of(&(config_fp, series, posts))
}

/// The warning a full build gives for a comment folder whose post does not exist.
fn warn_orphans(posts: &[Doc], unpublished: &HashSet<String>, b: &Builder, diags: &Diagnostics) {
    let known: HashSet<&str> = posts.iter().map(|p| p.meta.slug.as_str()).collect();
    for (dir, (slug, _, _)) in &b.comments {
        if !known.contains(slug.as_str()) && !unpublished.contains(slug) {
            diags.warn(
                dir,
                None,
                format!(
                    "comment folder for a post that does not exist: no post has the slug `{slug}`"
                ),
            );
        }
    }
}

/// Everything about a document that other outputs, the plan or the indexes read, apart from what its
/// summary fingerprint covers: when this is unchanged, an edit keeps the site's shape.
pub(super) fn shape(doc: &Doc) -> u64 {
    hash_of(&(frame(doc), &doc.meta.title))
}

/// [`shape`] but the title: what the plan and the indexes read of a document. When only the title
/// changed, the documents keep their places (unless the new title reorders posts of the same date),
/// the plan and the indexes stay, and only the outputs showing the title need rendering.
pub(super) fn frame(doc: &Doc) -> u64 {
    let m = &doc.meta;
    let series = m.series.as_ref().map(|r| (&r.name, &r.id, r.part, r.line));
    hash_of(&(
        (
            m.kind == Kind::Post,
            &m.file,
            &m.slug,
            &doc.path,
            &doc.out_file,
        ),
        (
            date_key(m.date.as_ref()),
            date_key(m.updated.as_ref()),
            &m.tags,
            series,
            &m.author,
            m.draft,
        ),
        (&m.aliases, m.aliases_line, &m.assets, m.weight),
    ))
}
