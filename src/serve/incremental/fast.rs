//! The fast path: documents change, the site's shape does not.
//!
//! Taken when every changed path is a file the last walk already knew — a post or page, a comment file,
//! a copied file — and still exists. The changed documents (and the posts whose comment folder changed)
//! are parsed and rendered; then one of three things happens:
//! * nothing that other outputs, the plan or the indexes read changed ([`publish::shape`]: title, date,
//!   path, tags, series, author, publication…): the documents are swapped into the kept site in place,
//!   and only the outputs recorded as reading them are fingerprinted again and, if changed, rendered;
//! * only titles changed ([`publish::frame`] holds) and each retitled document still sorts strictly
//!   between its neighbours: the documents are swapped in place too. A post's title shows only on
//!   outputs that record reading the post (listings, feeds, its neighbours' previous and next links),
//!   so the same outputs are fingerprinted again; a page's title is in every page's menu, so every
//!   output is. Either way the site is not taken apart, indexed or planned again;
//! * anything else: the new documents are kept and the builder reassembles the site from them
//!   (`Builder::reassemble`).
//!
//! The result is what the full path would produce, since nothing it reads besides those documents moved.
//! `tests/serve_incremental.rs` checks both swaps against clean builds, same-day reorderings included.

use std::cmp::Ordering;
use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

use super::publish::{self, copy_source};
use super::{build_docs, Builder, Built, Changes, Comments, Entry, Patch, Role, Sources};
use crate::content::{self, BuildOptions, Kind, SourceFile};
use crate::error::{Diagnostics, Error, Result};
use crate::render::fingerprint::DocFps;
use crate::render::Job;
use crate::site::{self, Doc};

/// Rebuild along the fast path; `None` when the edit turned out to change the site's shape.
pub(super) fn update(
    b: &mut Builder,
    opts: &BuildOptions,
    changes: &Changes,
    diags: &Diagnostics,
    first: &mut dyn FnMut(Patch),
) -> Option<Result<Patch>> {
    let changed: Vec<PathBuf> = changes
        .paths
        .iter()
        .cloned()
        .collect::<HashSet<_>>()
        .into_iter()
        .collect();
    let slugs = match refresh_comment_folders(b, &changed, diags) {
        Ok(slugs) => slugs,
        Err(e) => return Some(Err(e)),
    };
    let todo_files = candidates(b, &changed, &slugs);
    let paths: Vec<&Path> = todo_files
        .iter()
        .map(|(f, _)| f.path.as_path())
        .chain(changed.iter().map(PathBuf::as_path))
        .collect();
    let hashes = b.files.hash_all(&paths);
    b.stages.mark("read changed files");
    let built = b.built.as_ref().expect("checked by the caller");
    let found = b.found.as_ref().expect("checked by the caller");
    let src = Sources {
        config: &built.site.config,
        config_fp: built.config_fp,
        files: &found.files,
        hashes: &hashes,
    };
    let comments = Comments::new(&b.comments);
    let todo: Vec<(&SourceFile, Kind, u64)> = todo_files
        .iter()
        .map(|(f, kind)| (f, *kind, src.parse_key(f, *kind)))
        .filter(|(f, kind, key)| match b.docs.get(&f.rel) {
            Some(e) => {
                e.parse_key != *key
                    || doc_slug(b, &f.rel)
                        .is_some_and(|s| e.comments_key != comments.of(*kind, s).0)
            }
            None => true,
        })
        .collect();
    b.reread.extend(todo.iter().map(|(f, _, _)| f.rel.clone()));
    let results = build_docs(&todo, &built.site.config, &b.highlighter, &comments, diags);
    let mut entries = Vec::with_capacity(results.len());
    let mut errors = Vec::new();
    for ((f, _, _), r) in todo.iter().zip(results) {
        match r {
            Ok(entry) => entries.push((f.rel.clone(), entry)),
            Err(mut d) => errors.append(&mut d),
        }
    }
    let docs_rendered = todo.len();
    b.stages.mark("parse and render documents");
    if let Some(err) = Error::collect(errors) {
        return Some(Err(err));
    }
    let copied: Vec<PathBuf> = changed
        .iter()
        .filter(|p| found.roles.get(*p) == Some(&Role::Copied))
        .cloned()
        .collect();
    let mut patch = swap_in(b, entries, &copied, &hashes, opts, diags, first)?;
    if let Ok(p) = &mut patch {
        p.docs_rendered = docs_rendered;
    }
    Some(patch)
}

/// The documents that may need rebuilding: the changed ones, and the posts whose comments changed.
fn candidates(
    b: &Builder,
    changed: &[PathBuf],
    slugs: &HashSet<String>,
) -> Vec<(SourceFile, Kind)> {
    let found = b.found.as_ref().expect("checked by the caller");
    let commented = |f: &SourceFile| doc_slug(b, &f.rel).is_some_and(|s| slugs.contains(s));
    let posts = found.files.posts.iter().map(|f| (f, Kind::Post));
    let pages = found.files.pages.iter().map(|f| (f, Kind::Page));
    posts
        .chain(pages)
        .filter(|(f, kind)| {
            changed.contains(&f.path) || (!slugs.is_empty() && *kind == Kind::Post && commented(f))
        })
        .map(|(f, kind)| (f.clone(), kind))
        .collect()
}

/// The slug of a kept document: from the kept site, or from its entry when it is not part of the site
/// (a draft or a future post, whose comments must still be kept up to date for the day it is
/// published).
fn doc_slug<'a>(b: &'a Builder, rel: &str) -> Option<&'a String> {
    let built = b.built.as_ref()?;
    match built.post_at.get(rel) {
        Some(&i) => Some(&built.site.posts[i].meta.slug),
        None => b.docs.get(rel)?.doc.as_ref().map(|d| &d.meta.slug),
    }
}

/// Re-read the comment folders that hold a changed file; returns the slugs whose comments changed.
fn refresh_comment_folders(
    b: &mut Builder,
    changed: &[PathBuf],
    diags: &Diagnostics,
) -> Result<HashSet<String>> {
    let found = b.found.as_ref().expect("checked by the caller");
    let built = b.built.as_ref().expect("checked by the caller");
    let mut slugs = HashSet::new();
    let touched: Vec<&Path> = changed
        .iter()
        .filter(|p| found.roles.get(*p) == Some(&Role::Comment))
        .filter_map(|p| p.parent())
        .collect();
    if touched.is_empty() {
        return Ok(slugs);
    }
    for (slug, dir, list) in &found.files.comment_dirs {
        if !list
            .first()
            .and_then(|f| f.path.parent())
            .is_some_and(|d| touched.contains(&d))
        {
            continue;
        }
        let paths: Vec<&Path> = list.iter().map(|f| f.path.as_path()).collect();
        let hashes = b.files.hash_all(&paths);
        let src = Sources {
            config: &built.site.config,
            config_fp: built.config_fp,
            files: &found.files,
            hashes: &hashes,
        };
        let key = src.folder_key(slug, dir, list);
        if b.comments.get(dir).is_some_and(|f| f.1 == key) {
            continue;
        }
        b.reread.push(dir.clone());
        b.reread.extend(list.iter().map(|f| f.rel.clone()));
        let folder = content::read_comment_folder(slug, dir, list, &built.site.config, diags)
            .map_err(|d| {
                Error::collect(d).unwrap_or_else(|| Error::new(dir, None, "unreadable comments"))
            })?;
        b.comments
            .insert(dir.clone(), (slug.clone(), key, folder.comments));
        slugs.insert(slug.clone());
    }
    Ok(slugs)
}

/// Swap rebuilt documents into the kept site if none changed its shape, then render what reads them.
fn swap_in(
    b: &mut Builder,
    entries: Vec<(String, Entry)>,
    copied: &[PathBuf],
    hashes: &std::collections::HashMap<PathBuf, Option<u64>>,
    opts: &BuildOptions,
    diags: &Diagnostics,
    first: &mut dyn FnMut(Patch),
) -> Option<Result<Patch>> {
    let built = b.built.as_ref().expect("checked by the caller");
    let (mut keeps_shape, mut keeps_frame, mut page_retitled) = (true, true, false);
    for (rel, entry) in &entries {
        let doc = entry.doc.as_ref().expect("just built");
        let old = match doc.meta.kind {
            Kind::Post => built.post_at.get(rel).map(|&i| &built.site.posts[i]),
            Kind::Page => built.page_at.get(rel).map(|&i| &built.site.pages[i]),
        };
        match old {
            Some(old) if content::is_built(&doc.meta, opts) => {
                let same = publish::shape(old) == publish::shape(doc);
                keeps_frame &= publish::frame(old) == publish::frame(doc);
                keeps_shape &= same;
                page_retitled |= !same && doc.meta.kind == Kind::Page;
            }
            _ => (keeps_shape, keeps_frame) = (false, false),
        }
    }
    let retitled = !keeps_shape && keeps_frame && order_holds(built, &entries);
    if !keeps_shape && !retitled {
        b.docs_rendered_early = entries.len();
        b.docs.extend(entries);
        return None;
    }
    let Builder {
        built,
        docs,
        files,
        theme,
        served,
        stages,
        in_steps,
        large_listing,
        links,
        ..
    } = b;
    let built = built.as_mut().expect("checked by the caller");
    let (mut posts, mut outputs) = (Vec::new(), Vec::new());
    for (rel, mut entry) in entries {
        let doc = entry.doc.take().expect("just built");
        match doc.meta.kind {
            Kind::Post => {
                let i = built.post_at[&rel];
                built.site.posts[i] = doc;
                built.post_fps[i] = entry.key();
                posts.push(i);
            }
            Kind::Page => {
                let i = built.page_at[&rel];
                built.site.pages[i] = doc;
                built.page_fps[i] = entry.key();
                outputs.extend(
                    built
                        .planned
                        .iter()
                        .position(|p| matches!(p.job, Job::Page(j) if j == i)),
                );
            }
        }
        docs.insert(rel, entry);
    }
    outputs.extend(
        built
            .planned
            .iter()
            .enumerate()
            .filter(|(_, p)| copy_source(p).is_some_and(|s| copied.iter().any(|c| c == s)))
            .map(|(k, _)| k),
    );
    let todo = if page_retitled {
        // Page titles are in the `site` object (menus), which every page's fingerprint folds in:
        // fingerprint every output again, with every copied file's hash as a full rebuild has it.
        let theme = theme.as_ref().expect("loaded with the kept site");
        publish::fingerprint_all(built, files, theme);
        (0..built.planned.len())
            .filter(|&k| served.get(&built.planned[k].out) != Some(&built.prints.outputs[k]))
            .collect()
    } else {
        let file = |p: &Path| hashes.get(p).copied().flatten();
        let fps = DocFps {
            posts: &built.post_fps,
            pages: &built.page_fps,
            file: &file,
        };
        built
            .prints
            .refresh(&built.site, &built.planned, &fps, &posts, &outputs)
    };
    stages.mark("fingerprint");
    let theme = theme.as_ref().expect("loaded with the kept site");
    let first = in_steps.then_some((first, *large_listing));
    Some(publish::render_in_steps(
        built,
        theme,
        served,
        todo,
        Vec::new(),
        stages,
        first,
        links.as_mut(),
        diags,
    ))
}

/// How posts or pages sort (`site::post_order`, `site::page_order`).
type SortOrder = fn(&Doc, &Doc) -> Ordering;

/// Whether the rebuilt documents, put in their old places, leave the posts and the pages in the order a
/// fresh sort gives: each must come strictly after the one before it and before the one after it (ties
/// are left to a fresh sort, which keeps them in walk order).
fn order_holds(built: &Built, entries: &[(String, Entry)]) -> bool {
    let new: HashMap<(Kind, usize), &Doc> = entries
        .iter()
        .filter_map(|(rel, entry)| {
            let doc = entry.doc.as_ref()?;
            let at = match doc.meta.kind {
                Kind::Post => built.post_at.get(rel),
                Kind::Page => built.page_at.get(rel),
            };
            at.map(|&i| ((doc.meta.kind, i), doc))
        })
        .collect();
    new.iter().all(|(&(kind, i), doc)| {
        let (docs, order): (&[Doc], SortOrder) = match kind {
            Kind::Post => (&built.site.posts, site::post_order),
            Kind::Page => (&built.site.pages, site::page_order),
        };
        let at = |j: usize| new.get(&(kind, j)).copied().unwrap_or(&docs[j]);
        let after_previous = i == 0 || order(at(i - 1), doc) == Ordering::Less;
        let before_next = i + 1 >= docs.len() || order(doc, at(i + 1)) == Ordering::Less;
        after_previous && before_next
    })
}
