//! Internal links, resolved against the site being built.
//!
//! In: the assembled [`Site`] (each post's and page's links with their file lines, and the links in its
//! comments) and the [`Targets`] of one build. Out: one finding per link whose page, file or anchor is
//! not built, and the outside links, for `check --external`.
//!
//! A link is resolved the way a browser resolves it on the page it sits on: a relative `../y/` from
//! `/posts/2024/x/` is `/posts/2024/y/`, a link to the site's own `base_url` is internal, a query is
//! ignored, and `..` stops at the root. A site published under a base path (`https://x.org/blog/`)
//! is resolved at its public addresses: a root-relative link gets the base path, as the build writes
//! it into the page (`/posts/y/` → `/blog/posts/y/`), a relative one resolves from the page's public
//! address, and the base path is then taken off again; a link that ends up outside the base path
//! (`../../../about/` from `/blog/posts/x/` is `/about/`) is broken, not quietly read as `/about/` of
//! the site. The path is then mapped to an output file exactly as the build maps URLs to files
//! ([`url_path_to_file`]), so the checker and the output cannot disagree. A link to a draft or a
//! future post is told apart from a link to nothing, because the fix differs.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::OnceLock;

use rayon::prelude::*;

use super::targets::{source_name, Targets};
use crate::config::base_path_of;
use crate::content::Meta;
use crate::error::{did_you_mean, Diagnostic, Lint};
use crate::markdown::LinkRef;
use crate::output::{percent_decode, url_path_to_file};
use crate::site::{Doc, Series, Site};

/// "Did you mean" hints cost a pass over every page each; a site with more broken links than this gets
/// hints for the first ones only.
const MAX_HINTS: usize = 100;

/// Where a link goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Dest {
    /// Not a web address: `mailto:`, `tel:`, an empty link.
    Ignored,
    /// A page of another site (the link as written).
    Outside(String),
    /// A path on this site, resolved, and the fragment as written (still percent-encoded).
    Internal {
        path: String,
        fragment: Option<String>,
    },
    /// A path on this site's host but outside its base path (the public path it resolved to): the
    /// link leaves the site, which the build never does on purpose.
    OutsideBase(String),
}

/// Resolve `dest`, written on the page at URL path `page`, for a site published at `base_url`.
pub fn resolve(dest: &str, page: &str, base_url: &str) -> Dest {
    let dest = dest.trim();
    if dest.is_empty() {
        return Dest::Ignored;
    }
    if let Some(rest) = dest.strip_prefix("//") {
        return web_address(format!("https://{rest}"), page, base_url);
    }
    if let Some(scheme) = scheme_of(dest) {
        let web = scheme.eq_ignore_ascii_case("http") || scheme.eq_ignore_ascii_case("https");
        if !(web && dest[scheme.len()..].starts_with("://")) {
            return Dest::Ignored;
        }
        return web_address(dest.to_string(), page, base_url);
    }
    let (before, fragment) = match dest.split_once('#') {
        Some((before, fragment)) => (before, Some(fragment.to_string())),
        None => (dest, None),
    };
    let path = before.split('?').next().unwrap_or_default();
    if path.is_empty() {
        return Dest::Internal {
            path: normalize(page),
            fragment,
        };
    }
    // Where the browser goes: from the page's public address, root-relative links carrying the base
    // path as the build writes them.
    let base = base_path_of(base_url);
    let public = if path.starts_with('/') {
        format!("{base}{path}")
    } else {
        format!(
            "{base}{}{path}",
            &page[..page.rfind('/').map_or(0, |i| i + 1)]
        )
    };
    let public = normalize(&public);
    match public.strip_prefix(base) {
        Some(local) if local.starts_with('/') => Dest::Internal {
            path: local.to_string(),
            fragment,
        },
        Some("") => Dest::Internal {
            path: "/".into(),
            fragment,
        },
        _ => Dest::OutsideBase(public),
    }
}

/// An `http(s)://` address: a path of this site when it is under `base_url`, else another site's page.
fn web_address(url: String, page: &str, base_url: &str) -> Dest {
    match own_path(&url, base_url) {
        Some(local) => resolve(&local, page, base_url),
        None => Dest::Outside(url),
    }
}

/// The scheme of an absolute URL (`mailto` in `mailto:x@y`), if `dest` has one.
fn scheme_of(dest: &str) -> Option<&str> {
    let colon = dest.find(':')?;
    let scheme = &dest[..colon];
    let valid = scheme.starts_with(|c: char| c.is_ascii_alphabetic())
        && scheme
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'));
    valid.then_some(scheme)
}

/// The root-relative part of `url` when it is an address on this site (same host, below `base_url`'s path).
fn own_path(url: &str, base_url: &str) -> Option<String> {
    fn after_scheme(u: &str) -> Option<&str> {
        u.find("://").map(|i| &u[i + 3..])
    }
    fn host_and_path(s: &str) -> (&str, &str) {
        s.split_at(s.find(['/', '?', '#']).unwrap_or(s.len()))
    }
    // `https://site:443/` is `https://site/`: a scheme's default port names no other server.
    fn without_default_port<'a>(url: &str, host: &'a str) -> &'a str {
        let http = url
            .get(..5)
            .is_some_and(|p| p.eq_ignore_ascii_case("http:"));
        let default = if http { ":80" } else { ":443" };
        host.strip_suffix(default).unwrap_or(host)
    }
    let (rest, base) = (after_scheme(url)?, after_scheme(base_url)?);
    let ((host, path), (base_host, base_path)) = (host_and_path(rest), host_and_path(base));
    let (host, base_host) = (
        without_default_port(url, host),
        without_default_port(base_url, base_host),
    );
    if !host.eq_ignore_ascii_case(base_host) {
        return None;
    }
    let local = path.strip_prefix(base_path.trim_end_matches('/'))?;
    match local.chars().next() {
        None => Some("/".into()),
        Some('/') => Some(local.to_string()),
        Some('?' | '#') => Some(format!("/{local}")),
        Some(_) => None,
    }
}

/// Remove `.` and `..` segments as a browser does (`..` at the root stays at the root).
fn normalize(path: &str) -> String {
    let segments: Vec<&str> = path.split('/').skip(1).collect();
    let mut out: Vec<&str> = Vec::new();
    let mut trailing = false;
    for (i, seg) in segments.iter().enumerate() {
        let last = i + 1 == segments.len();
        match *seg {
            "" | "." => trailing = last,
            ".." => {
                out.pop();
                trailing = last;
            }
            s => out.push(s),
        }
    }
    let mut result = format!("/{}", out.join("/"));
    if trailing && !out.is_empty() {
        result.push('/');
    }
    result
}

/// What is wrong with one internal link.
#[derive(Debug, Clone)]
enum Problem<'a> {
    /// Nothing is built at this path; maybe a hint.
    Missing { path: String, hint: Option<String> },
    /// The path cannot be an address on the site (`why` completes "the address …").
    Invalid { why: String },
    /// The page exists; the anchor does not.
    NoAnchor {
        page: Option<String>,
        anchor: String,
        hint: Option<String>,
    },
    /// The post or page exists but is not in this build.
    Unpublished(&'a Meta),
}

/// An outside link found in a post or page, or in a reader's comment on one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outside {
    pub url: String,
    pub file: String,
    pub line: usize,
    pub text: String,
    /// Written by a reader (a comment), not by an author: never an error, since the site's own
    /// writing is not what broke.
    pub reader: bool,
}

/// The result of checking a site's links.
#[derive(Debug, Default)]
pub struct Checked {
    /// Warnings marked [`Lint::BrokenLink`] or [`Lint::UnpublishedLink`]; the command decides their severity.
    pub findings: Vec<Diagnostic>,
    /// How many internal links were checked.
    pub internal: usize,
    pub outside: Vec<Outside>,
}

/// The output files that some link points into with a `#fragment`: the only pages whose ids a build
/// needs to read (reading every page's ids would cost a pass over ten thousand pages for nothing).
pub fn anchor_targets(site: &Site) -> std::collections::HashSet<String> {
    let base_url = &site.config.base_url;
    let mut files: std::collections::HashSet<String> = site
        .posts
        .par_iter()
        .chain(site.pages.par_iter())
        .flat_map_iter(|doc| {
            let dests = doc
                .links
                .iter()
                .map(|l| &l.dest)
                .chain(doc.comment_links.iter().map(|c| &c.link.dest));
            dests.filter_map(|dest| anchor_file(dest, &doc.path, base_url))
        })
        .collect();
    let series = series_links(site).map(|(s, link)| (&s.path, &link.dest));
    files.extend(series.filter_map(|(from, dest)| anchor_file(dest, from, base_url)));
    files
}

/// The output file a link with a `#fragment` points into, if it is internal.
fn anchor_file(dest: &str, from: &str, base_url: &str) -> Option<String> {
    match resolve(dest, from, base_url) {
        Dest::Internal {
            path,
            fragment: Some(_),
        } => url_path_to_file(&path).ok(),
        _ => None,
    }
}

/// The links of the series descriptions, each with its series.
fn series_links(site: &Site) -> impl Iterator<Item = (&Series, &LinkRef)> {
    site.ix
        .series
        .iter()
        .flat_map(|s| s.description_links.iter().map(move |l| (s, l)))
}

/// Check every internal link of posts, pages and comments against `targets`; with `outside`, also list
/// the links to other sites (for `check --external`).
pub fn check(site: &Site, targets: &Targets, outside: bool) -> Checked {
    let checker = checker(site, targets, outside);
    let per_doc: Vec<Checked> = site
        .posts
        .par_iter()
        .chain(site.pages.par_iter())
        .map(|doc| checker.doc(doc))
        .collect();
    let mut all = checker.series();
    for mut c in per_doc {
        all.findings.append(&mut c.findings);
        all.internal += c.internal;
        all.outside.append(&mut c.outside);
    }
    all.findings.sort();
    all
}

/// [`check`] for one post or page alone (its links and its comments' links), and for the series
/// descriptions alone: the dev server checks again only what a rebuild can have changed. "Did you
/// mean" hints are capped per call rather than per site.
pub fn check_doc(site: &Site, targets: &Targets, doc: &Doc) -> Checked {
    checker(site, targets, false).doc(doc)
}

/// See [`check_doc`].
pub fn check_series(site: &Site, targets: &Targets) -> Checked {
    checker(site, targets, false).series()
}

fn checker<'a>(site: &'a Site, targets: &'a Targets<'a>, outside: bool) -> Checker<'a> {
    Checker {
        site,
        targets,
        outside,
        paths: OnceLock::new(),
        hints: AtomicUsize::new(0),
    }
}

/// Where a set of authored links sits: its source file, its page's address and output file.
struct Page<'p> {
    file: &'p str,
    path: &'p str,
    out_file: &'p str,
}

struct Checker<'a> {
    site: &'a Site,
    targets: &'a Targets<'a>,
    /// Whether to list the links to other sites.
    outside: bool,
    /// Every URL path, listed on the first miss.
    paths: OnceLock<Vec<String>>,
    hints: AtomicUsize,
}

impl Checker<'_> {
    fn doc(&self, doc: &Doc) -> Checked {
        let page = Page {
            file: &doc.meta.file,
            path: &doc.path,
            out_file: &doc.out_file,
        };
        let mut out = Checked::default();
        self.authored(&page, &doc.links, &mut out);
        if let Some(d) = template_syntax(&doc.meta.file, &doc.template_syntax) {
            out.findings.push(d);
        }
        let base_url = &self.site.config.base_url;
        for c in &doc.comment_links {
            let dest = resolve(&c.link.dest, &doc.path, base_url);
            if let (Dest::Outside(url), true) = (&dest, self.outside) {
                out.outside.push(Outside {
                    url: url.clone(),
                    line: line_in_file(&self.site.config.root.join(&c.file), c.line, &c.link.dest),
                    file: c.file.clone(),
                    text: c.link.text.clone(),
                    reader: true,
                });
            } else if let Dest::Internal { .. } | Dest::OutsideBase(_) = dest {
                out.internal += 1;
                if let Some(problem) = self.internal(dest, page.out_file) {
                    let line =
                        line_in_file(&self.site.config.root.join(&c.file), c.line, &c.link.dest);
                    out.findings.push(finding(&c.file, line, &c.link, &problem));
                }
            }
        }
        out
    }

    /// The links of the series descriptions, checked from each series' page.
    fn series(&self) -> Checked {
        let mut out = Checked::default();
        for s in &self.site.ix.series {
            let (Some(file), false) = (&s.file, s.description_links.is_empty()) else {
                continue;
            };
            let out_file = url_path_to_file(&s.path).unwrap_or_default();
            let page = Page {
                file,
                path: &s.path,
                out_file: &out_file,
            };
            self.authored(&page, &s.description_links, &mut out);
        }
        out
    }

    /// Check links an author wrote in Markdown on `page`, whose lines are lines of `page.file`.
    fn authored(&self, page: &Page, links: &[LinkRef], out: &mut Checked) {
        let base_url = &self.site.config.base_url;
        for link in links {
            match resolve(&link.dest, page.path, base_url) {
                Dest::Ignored => {}
                Dest::Outside(_) if !self.outside => {}
                Dest::Outside(url) => {
                    let text = link.text.clone();
                    out.outside.push(Outside {
                        url,
                        file: page.file.to_string(),
                        line: link.line,
                        text,
                        reader: false,
                    });
                }
                dest => {
                    out.internal += 1;
                    if let Some(problem) = self.internal(dest, page.out_file) {
                        out.findings
                            .push(finding(page.file, link.line, link, &problem));
                    }
                }
            }
        }
    }

    /// What is wrong with a link to this site ([`Dest::Internal`] or [`Dest::OutsideBase`]), if anything.
    /// `own_file` is the output file of the page the link is on (for `#anchor` links).
    fn internal(&self, dest: Dest, own_file: &str) -> Option<Problem<'_>> {
        match dest {
            Dest::Internal { path, fragment } => self.problem(&path, fragment.as_deref(), own_file),
            Dest::OutsideBase(public) => Some(Problem::Invalid {
                why: format!(
                    "leads to `{public}`, outside `{}/` where the site is published",
                    self.site.config.base_path()
                ),
            }),
            Dest::Ignored | Dest::Outside(_) => None,
        }
    }

    fn problem(&self, path: &str, fragment: Option<&str>, own_file: &str) -> Option<Problem<'_>> {
        let file = match url_path_to_file(path) {
            Ok(file) => file,
            Err(why) => return Some(Problem::Invalid { why }),
        };
        if !self.targets.files.contains(file.as_str()) {
            if let Some(meta) = self.targets.unpublished.get(&file) {
                return Some(Problem::Unpublished(meta));
            }
            return Some(Problem::Missing {
                path: path.to_string(),
                hint: self.page_hint(path),
            });
        }
        let anchor = fragment.map(|f| percent_decode(f).unwrap_or_else(|| f.to_string()))?;
        if anchor.is_empty()
            || anchor.eq_ignore_ascii_case("top")
            || anchor.starts_with(":~:")
            || self.targets.redirects.contains(file.as_str())
        {
            return None;
        }
        let ids = self.targets.ids.get(&file)?;
        if ids.contains(&anchor) {
            return None;
        }
        let known: Vec<&str> = ids.iter().map(String::as_str).collect();
        let mut hint = did_you_mean(&anchor, &known).map(|id| format!("#{id}"));
        if hint.is_none() {
            hint = ids
                .iter()
                .filter(|id| id.eq_ignore_ascii_case(&anchor))
                .min()
                .map(|id| format!("#{id}"));
        }
        let page = (file != own_file).then(|| path.to_string());
        Some(Problem::NoAnchor { page, anchor, hint })
    }

    /// A hint for a path that is not built: the post a `.md` link meant, or a close address.
    fn page_hint(&self, path: &str) -> Option<String> {
        let trimmed = path.trim_end_matches('/');
        if trimmed.ends_with(".md") || trimmed.ends_with(".markdown") {
            if let Some(url) = self.targets.sources.get(source_name(trimmed)) {
                return Some(format!(
                    "link to its address `{url}`, not to the source file"
                ));
            }
        }
        if let Some(hint) = self.base_path_hint(path) {
            return Some(hint);
        }
        if self.hints.fetch_add(1, Ordering::Relaxed) >= MAX_HINTS {
            return None;
        }
        let paths = self
            .paths
            .get_or_init(|| self.targets.url_paths().collect());
        let limit = (path.len() / 8).max(2);
        // Case first: `/posts/B/` is nearer `/posts/b/` than `/posts/a/`.
        let lower = path.to_lowercase();
        paths
            .iter()
            .filter(|p| p.len().abs_diff(path.len()) <= limit)
            .map(|p| {
                let by_letter = strsim::levenshtein(&p.to_lowercase(), &lower);
                (by_letter, strsim::levenshtein(p, path), p)
            })
            .filter(|(_, d, _)| *d <= limit)
            .min()
            .map(|(_, _, p)| format!("did you mean `{p}`?"))
    }

    /// The hint for a link that spells out the base path (`/blog/posts/a/` on a site published at
    /// `https://example.com/blog/`) when the address without it is built: links are written from
    /// the site's root and lanyard adds the base path, so the author's copy of it doubles.
    fn base_path_hint(&self, path: &str) -> Option<String> {
        let base = self.site.config.base_path();
        let rest = path.strip_prefix(base).filter(|r| r.starts_with('/'))?;
        if base.is_empty()
            || !url_path_to_file(rest).is_ok_and(|f| self.targets.files.contains(f.as_str()))
        {
            return None;
        }
        Some(format!(
            "write `{rest}`: links start at the site's root and lanyard adds the base path `{base}` itself"
        ))
    }
}

/// The link as the author wrote it, Markdown style: `[text](dest)` or `![alt](src)`.
fn written(link: &LinkRef) -> String {
    let words: Vec<&str> = link.text.split_whitespace().collect();
    let mut text = words.join(" ");
    if let Some((at, _)) = text.char_indices().nth(60) {
        text.truncate(at);
        text.push('…');
    }
    format!(
        "{}[{text}]({})",
        if link.is_image { "!" } else { "" },
        link.dest
    )
}

fn finding(file: &str, line: usize, link: &LinkRef, problem: &Problem) -> Diagnostic {
    let what = if link.is_image { "image" } else { "link" };
    let md = written(link);
    let with_hint = |msg: String, hint: &Option<String>| match hint {
        Some(h) => format!("{msg}; {h}"),
        None => msg,
    };
    let (message, lint) = match problem {
        Problem::Missing { path, hint } => (
            with_hint(
                format!("broken {what} {md}: no page or file at `{path}`"),
                hint,
            ),
            Lint::BrokenLink,
        ),
        Problem::Invalid { why } => (
            format!("broken {what} {md}: the address {why}"),
            Lint::BrokenLink,
        ),
        Problem::NoAnchor { page, anchor, hint } => {
            let on = page
                .as_ref()
                .map_or("this page".to_string(), |p| format!("`{p}`"));
            let hint = hint.as_ref().map(|h| format!("did you mean `{h}`?"));
            (
                with_hint(
                    format!("broken anchor {md}: {on} has no heading or anchor `#{anchor}`"),
                    &hint,
                ),
                Lint::BrokenLink,
            )
        }
        Problem::Unpublished(meta) if meta.draft => (
            format!(
                "{what} {md} goes to a draft: {} is not published (publish it or remove the link)",
                meta.file
            ),
            Lint::UnpublishedLink,
        ),
        Problem::Unpublished(meta) => {
            let date = meta
                .date
                .map(|d| d.format("%Y-%m-%d").to_string())
                .unwrap_or_default();
            (format!("{what} {md} goes to a post dated in the future: {} is not published until {date}", meta.file), Lint::UnpublishedLink)
        }
    };
    Diagnostic::warning(file, Some(line), message).with_lint(lint)
}

/// One warning for the template syntax of another generator left in a document (at its first, naming
/// the lines of the others): a post moved from Hugo or Jekyll would otherwise publish
/// `{{< figure src="x.png" >}}` as text without a word, and the link check could not see the links such
/// tags made.
fn template_syntax(file: &str, found: &[crate::markdown::TemplateSyntax]) -> Option<Diagnostic> {
    let first = found.first()?;
    let mut others: Vec<String> = found[1..].iter().map(|t| t.line.to_string()).collect();
    others.dedup();
    let also = match others.len() {
        0 => String::new(),
        1 => format!(" (and one more at line {})", others[0]),
        _ => format!(" (and more at lines {})", others.join(", ")),
    };
    let message = format!(
        "`{}` looks like {}, which lanyard does not run: it is published as text{also}; write the \
         Markdown or HTML it stands for, or put it in `code` to show it",
        first.text, first.kind
    );
    Some(Diagnostic::warning(file, Some(first.line), message).with_lint(Lint::TemplateSyntax))
}

/// The line of `file` at or after `from` that mentions `needle`: a comment's link sits somewhere in
/// its YAML, whose lines the Markdown parser never saw. Falls back to `from`.
fn line_in_file(file: &std::path::Path, from: usize, needle: &str) -> usize {
    let Ok(text) = std::fs::read_to_string(file) else {
        return from;
    };
    text.lines()
        .enumerate()
        .skip(from.saturating_sub(1))
        .find(|(_, l)| l.contains(needle))
        .map_or(from, |(i, _)| i + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    const BASE: &str = "https://tips.example.com";

    fn internal(path: &str, fragment: Option<&str>) -> Dest {
        Dest::Internal {
            path: path.into(),
            fragment: fragment.map(String::from),
        }
    }

    #[test]
    fn relative_links_resolve_from_the_page() {
        let page = "/posts/2024/x/";
        assert_eq!(
            resolve("../y/", page, BASE),
            internal("/posts/2024/y/", None)
        );
        assert_eq!(
            resolve("photo.jpg", page, BASE),
            internal("/posts/2024/x/photo.jpg", None)
        );
        assert_eq!(
            resolve("./a/../b/#c", page, BASE),
            internal("/posts/2024/x/b/", Some("c"))
        );
        assert_eq!(
            resolve("../../../../../etc", page, BASE),
            internal("/etc", None)
        );
        assert_eq!(
            resolve("y.html", "/posts/x.html", BASE),
            internal("/posts/y.html", None)
        );
    }

    #[test]
    fn anchors_and_queries() {
        assert_eq!(
            resolve("#why", "/about/", BASE),
            internal("/about/", Some("why"))
        );
        assert_eq!(
            resolve("?page=2", "/about/", BASE),
            internal("/about/", None)
        );
        assert_eq!(
            resolve("/tags/?x=1#top", "/about/", BASE),
            internal("/tags/", Some("top"))
        );
    }

    #[test]
    fn the_sites_own_address_is_internal() {
        assert_eq!(
            resolve("https://tips.example.com/about/", "/", BASE),
            internal("/about/", None)
        );
        assert_eq!(
            resolve("HTTP://Tips.Example.com", "/x/", BASE),
            internal("/", None)
        );
        assert_eq!(
            resolve("//tips.example.com/a/#b", "/", BASE),
            internal("/a/", Some("b"))
        );
        // A scheme's default port is the same server; another port is not.
        assert_eq!(
            resolve("https://tips.example.com:443/nope/", "/", BASE),
            internal("/nope/", None)
        );
        assert_eq!(
            resolve("http://tips.example.com:80/nope/", "/", BASE),
            internal("/nope/", None)
        );
        let elsewhere = "https://tips.example.com:8443/nope/";
        assert_eq!(
            resolve(elsewhere, "/", BASE),
            Dest::Outside(elsewhere.into())
        );
        assert_eq!(
            resolve(
                "https://tips.example.com/blog/a/",
                "/",
                "https://tips.example.com/blog"
            ),
            internal("/a/", None)
        );
        let other = "https://tips.example.com/blogroll/";
        assert_eq!(
            resolve(other, "/", "https://tips.example.com/blog"),
            Dest::Outside(other.into())
        );
    }

    #[test]
    fn under_a_base_path_links_resolve_at_their_public_address() {
        let blog = "https://tips.example.com/blog";
        let page = "/posts/x/";
        // Root-relative links get the base path in the page, and lose it again here.
        assert_eq!(
            resolve("/about/#a", page, blog),
            internal("/about/", Some("a"))
        );
        assert_eq!(resolve("../y/", page, blog), internal("/posts/y/", None));
        assert_eq!(resolve("../../", page, blog), internal("/", None));
        assert_eq!(resolve("#top", page, blog), internal(page, Some("top")));
        assert_eq!(
            resolve("https://tips.example.com/blog/", page, blog),
            internal("/", None)
        );
        // What climbs out of the base path leaves the site.
        assert_eq!(
            resolve("../../../about/", page, blog),
            Dest::OutsideBase("/about/".into())
        );
        assert_eq!(resolve("/../x", page, blog), Dest::OutsideBase("/x".into()));
        // Without a base path, `..` stops at the root as before.
        assert_eq!(
            resolve("../../../about/", page, BASE),
            internal("/about/", None)
        );
    }

    #[test]
    fn other_schemes_and_sites() {
        assert_eq!(resolve("mailto:me@example.com", "/", BASE), Dest::Ignored);
        assert_eq!(resolve("tel:+15551234", "/", BASE), Dest::Ignored);
        assert_eq!(resolve("", "/", BASE), Dest::Ignored);
        assert_eq!(
            resolve("https://example.org/x", "/", BASE),
            Dest::Outside("https://example.org/x".into())
        );
        assert_eq!(
            resolve("//example.org/x", "/", BASE),
            Dest::Outside("https://example.org/x".into())
        );
    }

    #[test]
    fn written_form_is_markdown() {
        let link = LinkRef {
            dest: "/x/".into(),
            text: "Read\n  this".into(),
            line: 1,
            is_image: false,
        };
        assert_eq!(written(&link), "[Read this](/x/)");
        let image = LinkRef {
            dest: "a.png".into(),
            text: String::new(),
            line: 1,
            is_image: true,
        };
        assert_eq!(written(&image), "![](a.png)");
    }
}
