//! Finding the source files of a site.
//!
//! One pass over `content/` and `static/` sorts every file into its role by where it sits (the contract's
//! folder layout). Editor leftovers and hidden files are skipped here, once, so neither `build` nor the
//! watcher ever treats `.post.md.swp` as a post. Symlinks are followed; a loop is an error naming the path.

use std::collections::{BTreeSet, HashMap};
use std::path::{Path, PathBuf};

use walkdir::WalkDir;

use super::{dates, group_by_folder, readahead, rel_path};
use crate::error::{Diagnostic, Diagnostics, Result};

/// A Markdown source file and what its location says about it.
#[derive(Debug, Clone)]
pub struct SourceFile {
    pub path: PathBuf,
    /// Relative to the site root, `/`-separated.
    pub rel: String,
    /// The file name (or folder name for `index.md`) without a date prefix or extension.
    pub stem: String,
    /// The `YYYY-MM-DD` prefix of the name, if any.
    pub stem_date: Option<String>,
    /// Files beside a folder post's `index.md`.
    pub assets: Vec<(PathBuf, String)>,
}

/// The files of a site, sorted into roles.
#[derive(Debug, Default)]
pub struct Discovered {
    pub posts: Vec<SourceFile>,
    pub pages: Vec<SourceFile>,
    pub series: Vec<SourceFile>,
    /// (post slug, folder, files)
    pub comment_dirs: CommentDirs,
    pub statics: Vec<(PathBuf, String)>,
    pub errors: Vec<Diagnostic>,
}

/// Names editors and systems leave behind that are never content: vim's swap files (see
/// [`is_vim_swap`]), Kate's `.kate-swp`, JetBrains' `___jb_tmp___` and
/// `___jb_old___`, backups, locks and temporary files.
pub fn is_ignored_name(name: &str) -> bool {
    name.starts_with('.')
        || name.ends_with('~')
        || is_vim_swap(name)
        || name.ends_with(".kate-swp")
        || name.ends_with("___jb_tmp___")
        || name.ends_with("___jb_old___")
        || name.ends_with(".tmp")
        || (name.starts_with('#') && name.ends_with('#'))
        || name == "4913"
        || name == "Thumbs.db"
}

/// `….swp`, `….swo`, `….swn`, `….swm` and `….swx`: the names vim gives a swap file (the first
/// four, when earlier ones exist; it goes on to `.swa`, but `.swf` is a Flash file someone publishes).
fn is_vim_swap(name: &str) -> bool {
    let b = name.as_bytes();
    b.len() > 4
        && b[..b.len() - 1].ends_with(b".sw")
        && matches!(b[b.len() - 1], b'm'..=b'p' | b'x')
}

/// Names a walk of `static/` skips: editors' and systems' litter and version-control folders. Unlike
/// content, other hidden names are kept: `static/` is copied as it is, and `.well-known/`,
/// `.htaccess` and `.nojekyll` are files a deploy needs.
pub fn is_ignored_static_name(name: &str) -> bool {
    matches!(name, ".git" | ".hg" | ".svn" | ".DS_Store")
        || name.starts_with(".#")
        || (is_ignored_name(name) && !name.starts_with('.'))
        || (name.starts_with('.') && is_ignored_name(&name[1..]))
}

/// Which names a walk skips.
#[derive(Debug, Clone, Copy)]
enum Skip {
    /// [`is_ignored_name`]: content, whose hidden files are never pages.
    Content,
    /// [`is_ignored_static_name`]: files copied as they are.
    Static,
}

impl Skip {
    fn skips(self, name: &std::ffi::OsStr) -> bool {
        name.to_str().is_some_and(|n| match self {
            Skip::Content => is_ignored_name(n),
            Skip::Static => is_ignored_static_name(n),
        })
    }
}

fn is_markdown(path: &Path) -> bool {
    path.extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("md") || e.eq_ignore_ascii_case("markdown"))
}

/// Every file below `dir`, sorted, skipping ignored names; unreadable entries become errors.
///
/// The first level is listed here and the folders in it are walked by [`readahead::map_io`]'s threads:
/// a site's trees are wide (a folder per post's comments, or per folder post), and on a cold cache a
/// walk that reads thousands of folders one after the other waits on the disk thousands of times,
/// where parallel walks ask it many things at once. Files come out in the order of one depth-first
/// walk with each folder's names sorted.
fn files_below(root: &Path, dir: &Path, errors: &mut Vec<Diagnostic>) -> Vec<PathBuf> {
    files_below_skipping(root, dir, Skip::Content, errors)
}

/// [`files_below`], skipping the names `skip` says.
fn files_below_skipping(
    root: &Path,
    dir: &Path,
    skip: Skip,
    errors: &mut Vec<Diagnostic>,
) -> Vec<PathBuf> {
    if !dir.is_dir() {
        // A missing folder is a site without such files; anything else in its place is a mistake
        // that would otherwise drop every post without a word.
        if std::fs::symlink_metadata(dir).is_ok() {
            errors.push(Diagnostic::error(
                rel_path(root, dir),
                None,
                "this must be a folder, but it is a file or a link to nothing: move it away and \
                 make a folder of that name",
            ));
        }
        return Vec::new();
    }
    let top = match first_level(dir, skip) {
        Ok(top) => top,
        Err(err) => {
            errors.push(read_error(root, dir, &err));
            return Vec::new();
        }
    };
    let walked = readahead::map_io(&top, |item| {
        let mut files = Vec::new();
        let mut errs = Vec::new();
        match item {
            Entry::File(path) => take_path(root, path.clone(), &mut files, &mut errs),
            Entry::Folder(folder) => match plain_folder(folder, skip) {
                Some(paths) => {
                    for path in paths {
                        take_path(root, path, &mut files, &mut errs);
                    }
                }
                None => {
                    let below = walker(folder).min_depth(1).into_iter();
                    let kept = |e: &walkdir::DirEntry| e.depth() == 0 || !skip.skips(e.file_name());
                    for entry in below.filter_entry(kept) {
                        match entry {
                            Ok(e) => take_file(root, e, &mut files, &mut errs),
                            Err(err) => errs.push(walk_error(root, folder, &err)),
                        }
                    }
                }
            },
            Entry::Unreadable(path, err) => errs.push(read_error(root, path, err)),
        }
        (files, errs)
    });
    let mut out = Vec::new();
    for (files, errs) in walked {
        out.extend(files);
        errors.extend(errs);
    }
    out
}

/// When `folder` holds only regular files (the usual comment folder), their paths, sorted by name
/// as [`walker`] gives them. Listing it directly asks the kernel for the names and nothing else,
/// where a walk that follows links asks for each folder's metadata twice more: sixteen thousand
/// system calls in a site with eight thousand comment folders. Anything else — a subfolder, a
/// symbolic link, an entry that cannot be read — is left to the walk.
fn plain_folder(folder: &Path, skip: Skip) -> Option<Vec<PathBuf>> {
    let list = std::fs::read_dir(folder).ok()?;
    let mut entries = Vec::new();
    for entry in list {
        let entry = entry.ok()?;
        if skip.skips(&entry.file_name()) {
            continue;
        }
        if !entry.file_type().ok()?.is_file() {
            return None;
        }
        entries.push(entry);
    }
    entries.sort_by_key(std::fs::DirEntry::file_name);
    Some(entries.iter().map(std::fs::DirEntry::path).collect())
}

enum Entry {
    File(PathBuf),
    Folder(PathBuf),
    /// An entry whose type could not be read (a symbolic link to nothing, say).
    Unreadable(PathBuf, std::io::Error),
}

/// The files and folders directly in `dir`, sorted by name, without ignored names, symbolic links
/// followed. (A walk limited to one level would still open every folder in it.)
fn first_level(dir: &Path, skip: Skip) -> std::io::Result<Vec<Entry>> {
    let mut entries: Vec<std::fs::DirEntry> =
        std::fs::read_dir(dir)?.collect::<std::io::Result<_>>()?;
    entries.sort_by_key(std::fs::DirEntry::file_name);
    Ok(entries
        .into_iter()
        .filter(|e| !skip.skips(&e.file_name()))
        .map(|e| {
            let path = e.path();
            let file_type = match e.file_type() {
                Ok(t) if t.is_symlink() => std::fs::metadata(&path).map(|m| m.file_type()),
                other => other,
            };
            match file_type {
                Ok(t) if t.is_dir() => Entry::Folder(path),
                Ok(t) if t.is_file() => Entry::File(path),
                Ok(_) => Entry::Unreadable(path, special_file()),
                Err(err) => Entry::Unreadable(path, err),
            }
        })
        .collect())
}

/// A sorted walk that follows symbolic links (a loop is an error).
fn walker(dir: &Path) -> WalkDir {
    WalkDir::new(dir).follow_links(true).sort_by_file_name()
}

/// Keep `e` if it is a file with a UTF-8 name.
fn take_file(
    root: &Path,
    e: walkdir::DirEntry,
    files: &mut Vec<PathBuf>,
    errors: &mut Vec<Diagnostic>,
) {
    if e.file_type().is_file() {
        take_path(root, e.into_path(), files, errors);
    } else if !e.file_type().is_dir() {
        errors.push(read_error(root, e.path(), &special_file()));
    }
}

/// What a named pipe, socket or device among the site's files gets: reading a pipe would wait for a
/// writer forever.
fn special_file() -> std::io::Error {
    std::io::Error::other(
        "it is a named pipe, socket or device, not a file: lanyard reads only files, so remove it",
    )
}

/// Keep the file at `path` if its name is UTF-8.
fn take_path(root: &Path, path: PathBuf, files: &mut Vec<PathBuf>, errors: &mut Vec<Diagnostic>) {
    if path.file_name().and_then(|n| n.to_str()).is_some() {
        files.push(path);
    } else {
        errors.push(Diagnostic::error(
            rel_path(root, &path),
            None,
            "file name is not valid UTF-8: rename the file",
        ));
    }
}

fn read_error(root: &Path, path: &Path, err: &std::io::Error) -> Diagnostic {
    Diagnostic::error(rel_path(root, path), None, format!("could not read: {err}"))
}

fn walk_error(root: &Path, dir: &Path, err: &walkdir::Error) -> Diagnostic {
    let path = err
        .path()
        .map(|p| rel_path(root, p))
        .unwrap_or_else(|| rel_path(root, dir));
    let msg = if err.loop_ancestor().is_some() {
        "symbolic link loop: this link points back to a folder that contains it; remove or fix the link"
            .to_string()
    } else {
        format!("could not read: {err}")
    };
    Diagnostic::error(path, None, msg)
}

fn source_file(root: &Path, path: PathBuf, stem_source: &str) -> SourceFile {
    let (stem_date, stem) = match dates::split_date_prefix(stem_source) {
        Some((date, rest)) => (Some(date.to_string()), rest.to_string()),
        None => (None, stem_source.to_string()),
    };
    SourceFile {
        rel: rel_path(root, &path),
        path,
        stem,
        stem_date,
        assets: Vec::new(),
    }
}

fn file_stem(path: &Path) -> String {
    path.file_stem()
        .and_then(|s| s.to_str())
        .unwrap_or_default()
        .to_string()
}

/// Posts or pages below `dir`: `x.md` files, and folders with an `index.md` whose other files are assets.
fn documents(
    root: &Path,
    dir: &Path,
    diags: &Diagnostics,
    errors: &mut Vec<Diagnostic>,
) -> Vec<SourceFile> {
    let files = files_below(root, dir, errors);
    let bundles: BTreeSet<PathBuf> = files
        .iter()
        .filter(|p| p.file_name().is_some_and(|n| n == "index.md"))
        .filter_map(|p| p.parent().map(Path::to_path_buf))
        .filter(|d| d != dir)
        .collect();
    let mut docs: Vec<SourceFile> = Vec::new();
    let mut assets: Vec<(PathBuf, PathBuf)> = Vec::new();
    for path in files {
        let bundle = path
            .ancestors()
            .skip(1)
            .take_while(|a| *a != dir)
            .find(|a| bundles.contains(*a));
        match bundle {
            Some(b) if path.parent() == Some(b) && path.file_name().is_some_and(|n| n == "index.md") => {
                let name = b.file_name().and_then(|n| n.to_str()).unwrap_or_default().to_string();
                docs.push(source_file(root, path, &name));
            }
            Some(_) if is_markdown(&path) => diags.warn(
                rel_path(root, &path),
                None,
                "not published: Markdown beside a post's index.md is neither a page nor copied (as in Hugo); move it to content/posts/ to make it a post",
            ),
            Some(b) => assets.push((b.to_path_buf(), path)),
            None if path.file_name().is_some_and(|n| n == "_index.md") => diags.warn(
                rel_path(root, &path),
                None,
                "not published: `_index.md` is a Hugo or Zola section page, which lanyard does not have \
                 (its listings are built for you); move its text to a page in content/pages/, or delete it",
            ),
            None if is_markdown(&path) => {
                let stem = file_stem(&path);
                docs.push(source_file(root, path, &stem));
            }
            None => diags.warn(
                rel_path(root, &path),
                None,
                "ignored: only Markdown files and folders with an index.md belong here; put other files in static/ or beside a post's index.md",
            ),
        }
    }
    // Each bundle's document by its folder: one lookup per asset, not a pass over every document.
    let by_folder: HashMap<PathBuf, usize> = docs
        .iter()
        .enumerate()
        .filter(|(_, d)| d.path.file_name().is_some_and(|n| n == "index.md"))
        .filter_map(|(i, d)| Some((d.path.parent()?.to_path_buf(), i)))
        .collect();
    for (bundle, path) in assets {
        if let Some(doc) = by_folder.get(&bundle).map(|&i| &mut docs[i]) {
            let rel = path
                .strip_prefix(&bundle)
                .map(|r| r.to_string_lossy().replace('\\', "/"))
                .unwrap_or_default();
            doc.assets.push((path, rel));
        }
    }
    docs
}

/// Sort the files of the site at `root` into roles.
pub fn discover(root: &Path, diags: &Diagnostics) -> Result<Discovered> {
    let mut d = discover_documents(root, diags);
    let (dirs, errors) = discover_comments(root, diags);
    d.comment_dirs = dirs;
    d.errors.extend(errors);
    Ok(d)
}

/// The comment folders of the site at `root`, each with its files, and what could not be read.
///
/// Apart from [`discover_documents`] so that a build can walk the comments (a folder per post with
/// comments: thousands of folders to list) while it parses the posts.
pub fn discover_comments(root: &Path, diags: &Diagnostics) -> (CommentDirs, Vec<Diagnostic>) {
    let mut errors = Vec::new();
    let dirs = comment_dirs(root, &root.join("content/comments"), diags, &mut errors);
    (dirs, errors)
}

/// Comment folders: (post slug, folder relative to the site root, comment files).
pub type CommentDirs = Vec<(String, String, Vec<SourceFile>)>;

/// Everything of [`discover`] but the comment folders.
pub fn discover_documents(root: &Path, diags: &Diagnostics) -> Discovered {
    let content = root.join("content");
    let mut d = Discovered::default();
    let mut errors = Vec::new();
    d.posts = documents(root, &content.join("posts"), diags, &mut errors);
    d.pages = documents(root, &content.join("pages"), diags, &mut errors);
    for path in files_below(root, &content.join("series"), &mut errors) {
        if !is_markdown(&path) {
            diags.warn(
                rel_path(root, &path),
                None,
                "ignored: content/series/ holds one `<series-id>.md` per series; put other files in static/",
            );
            continue;
        }
        let stem = file_stem(&path);
        d.series.push(SourceFile {
            rel: rel_path(root, &path),
            stem,
            path,
            stem_date: None,
            assets: Vec::new(),
        });
    }
    warn_strays(root, &content, diags);
    warn_jekyll_folders(root, diags);
    let static_dir = root.join("static");
    for path in files_below_skipping(root, &static_dir, Skip::Static, &mut errors) {
        let out = path
            .strip_prefix(&static_dir)
            .map(|r| r.to_string_lossy().replace('\\', "/"))
            .unwrap_or_default();
        d.statics.push((path, out));
    }
    d.errors = errors;
    d
}

fn comment_dirs(
    root: &Path,
    dir: &Path,
    diags: &Diagnostics,
    errors: &mut Vec<Diagnostic>,
) -> CommentDirs {
    let mut grouped = Vec::new();
    for path in files_below(root, dir, errors) {
        let rel = rel_path(root, &path);
        let Some(folder) = path.parent().filter(|p| p.parent() == Some(dir)) else {
            diags.warn(
                rel,
                None,
                "ignored: comment files go in content/comments/<post-slug>/",
            );
            continue;
        };
        let ext_ok = path.extension().and_then(|e| e.to_str()).is_some_and(|e| {
            matches!(
                e.to_ascii_lowercase().as_str(),
                "yaml" | "yml" | "md" | "markdown"
            )
        });
        if !ext_ok {
            diags.warn(rel, None, "ignored: a comment file is .yaml, .yml or .md");
            continue;
        }
        let slug = folder
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or_default()
            .to_string();
        let stem = file_stem(&path);
        grouped.push((
            slug,
            rel_path(root, folder),
            SourceFile {
                rel,
                path,
                stem,
                stem_date: None,
                assets: Vec::new(),
            },
        ));
    }
    group_by_folder(grouped)
}

/// Files directly in `content/` or in unknown folders are a likely mistake: say so once each.
fn warn_strays(root: &Path, content: &Path, diags: &Diagnostics) {
    let Ok(entries) = std::fs::read_dir(content) else {
        return;
    };
    let mut names: Vec<_> = entries.flatten().map(|e| e.path()).collect();
    names.sort();
    for path in names {
        let name = path
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or_default();
        if is_ignored_name(name) || matches!(name, "posts" | "pages" | "series" | "comments") {
            continue;
        }
        diags.warn(
            rel_path(root, &path),
            None,
            "ignored: content/ holds posts/, pages/, series/ and comments/ folders; move this into one of them",
        );
    }
}

/// Jekyll's `_posts/` and `_drafts/` at the site's root are not read: said, since a site moved over
/// as it was would otherwise build with no posts and no word why.
fn warn_jekyll_folders(root: &Path, diags: &Diagnostics) {
    for (folder, what) in [
        (
            "_posts",
            "move its files to content/posts/ (their dated names work as they are)",
        ),
        (
            "_drafts",
            "move its files to content/posts/ with `draft: true` in their front matter",
        ),
    ] {
        if root.join(folder).is_dir() {
            diags.warn(
                folder,
                None,
                format!(
                    "ignored: `{folder}/` is Jekyll's folder, which lanyard does not read; {what}"
                ),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What one sorted walk of `dir` gives: the order `files_below` promises.
    fn one_walk(dir: &Path) -> Vec<PathBuf> {
        walker(dir)
            .min_depth(1)
            .into_iter()
            .filter_entry(|e| e.depth() == 0 || !Skip::Content.skips(e.file_name()))
            .flatten()
            .filter(|e| e.file_type().is_file())
            .map(walkdir::DirEntry::into_path)
            .collect()
    }

    #[test]
    fn folders_of_plain_files_and_unusual_folders_list_as_one_walk_does() {
        let site = tempfile::tempdir().unwrap();
        let dir = site.path().join("content/comments");
        let write = |rel: &str| {
            let path = dir.join(rel);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, "x").unwrap();
        };
        // Plain folders, names written out of order, with names that are never content.
        for rel in [
            "b/3.yaml",
            "b/1.yaml",
            "b/.hidden",
            "b/2.yaml~",
            "a/only.md",
        ] {
            write(rel);
        }
        // A folder with a subfolder, and one with a symbolic link: both are walked.
        for rel in [
            "c/z.yaml",
            "c/deeper/y.yaml",
            "c/a.yaml",
            "d/real.yaml",
            "top.yaml",
        ] {
            write(rel);
        }
        #[cfg(unix)]
        std::os::unix::fs::symlink(dir.join("d/real.yaml"), dir.join("d/link.yaml")).unwrap();

        let mut errors = Vec::new();
        let got = files_below(site.path(), &dir, &mut errors);
        assert!(errors.is_empty(), "{errors:?}");
        assert_eq!(got, one_walk(&dir));
        let names: Vec<_> = got.iter().map(|p| rel_path(&dir, p)).collect();
        let mut expected = vec![
            "a/only.md",
            "b/1.yaml",
            "b/3.yaml",
            "c/a.yaml",
            "c/deeper/y.yaml",
            "c/z.yaml",
        ];
        #[cfg(unix)]
        expected.push("d/link.yaml");
        expected.extend(["d/real.yaml", "top.yaml"]);
        assert_eq!(names, expected);
    }

    #[test]
    fn a_plain_folder_is_listed_without_the_walk_and_others_are_not() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("x.yaml"), "x").unwrap();
        std::fs::write(dir.path().join(".x.swp"), "x").unwrap();
        assert_eq!(
            plain_folder(dir.path(), Skip::Content),
            Some(vec![dir.path().join("x.yaml")])
        );
        std::fs::create_dir(dir.path().join("sub")).unwrap();
        assert_eq!(plain_folder(dir.path(), Skip::Content), None);
        assert_eq!(
            plain_folder(&dir.path().join("missing"), Skip::Content),
            None
        );
    }
}
