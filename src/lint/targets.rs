//! What a built site offers to link to: every output file, and the ids inside every HTML page.
//!
//! Ids are read from the rendered pages rather than predicted from the Markdown, so the anchors a theme
//! adds (`#comments`, `#comment-<id>`, `#main`), footnotes, and ids in an author's raw HTML all count, and
//! a theme that stops printing one is caught. [`Recorder`] is a [`Sink`] wrapped around the real one: it
//! reads each HTML page on its way through, so neither `build` nor `check` renders or reads a page twice.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::Path;
use std::sync::Mutex;

use crate::content::Meta;
use crate::output::{url_path_to_file, Sink};
use crate::render::{Job, Planned};
use crate::site::{doc_path, Site};

/// A sink that keeps nothing: `check` renders every page but writes none.
#[derive(Debug, Default)]
pub struct NullSink;

impl Sink for NullSink {
    fn write(&self, _path: &str, _bytes: &[u8]) -> std::io::Result<()> {
        Ok(())
    }

    fn copy(&self, _path: &Path, _dest: &str) -> std::io::Result<()> {
        Ok(())
    }
}

/// What a [`Recorder`] saw.
#[derive(Debug, Default)]
pub struct Recorded {
    /// HTML output path → the ids (and `<a name>`s) in it.
    pub ids: HashMap<String, HashSet<String>>,
    /// The bytes of the files asked for with [`Recorder::keeping`].
    pub kept: BTreeMap<String, Vec<u8>>,
    /// With [`Recorder::checking_base_path`]: each root-relative link of a page that leads outside the
    /// base path → the first output file (in output order) that has it, and on how many it is.
    pub outside_base: BTreeMap<String, (String, usize)>,
}

/// Passes every file on to another sink, noting the ids of HTML pages and keeping chosen files.
pub struct Recorder<'a> {
    inner: &'a dyn Sink,
    keep: HashSet<String>,
    /// When set, only these HTML pages have their ids read.
    ids_of: Option<HashSet<String>>,
    /// When not empty, every HTML page is searched for root-relative links outside this base path.
    base_path: String,
    seen: Mutex<Recorded>,
}

impl<'a> Recorder<'a> {
    pub fn new(inner: &'a dyn Sink) -> Self {
        Recorder {
            inner,
            keep: HashSet::new(),
            ids_of: None,
            base_path: String::new(),
            seen: Mutex::new(Recorded::default()),
        }
    }

    /// Read the ids of these pages only (the targets of `#fragment` links); other pages pass untouched.
    pub fn ids_only_of(self, pages: HashSet<String>) -> Self {
        Recorder {
            ids_of: Some(pages),
            ..self
        }
    }

    fn wants_ids(&self, path: &str) -> bool {
        is_html(path) && self.ids_of.as_ref().is_none_or(|set| set.contains(path))
    }

    /// On a site published under `base_path` (`/blog`; nothing to do when empty), note the links of
    /// every HTML page that lead outside it: a theme's hard-coded `/style.css` or `href="/"`. This is a
    /// pass over every page, so a site at the root of its host never pays for it.
    pub fn checking_base_path(self, base_path: &str) -> Self {
        Recorder {
            base_path: base_path.to_string(),
            ..self
        }
    }

    /// Also keep the bytes of these output files.
    pub fn keeping(self, keep: HashSet<String>) -> Self {
        Recorder { keep, ..self }
    }

    pub fn finish(self) -> Recorded {
        self.seen.into_inner().unwrap_or_else(|e| e.into_inner())
    }

    fn note(&self, path: &str, bytes: &[u8]) {
        let ids = self
            .wants_ids(path)
            .then(|| page_ids(&String::from_utf8_lossy(bytes)));
        let keep = self.keep.contains(path);
        let outside = if !self.base_path.is_empty() && is_html(path) {
            crate::feeds::outside_base_path(&String::from_utf8_lossy(bytes), &self.base_path)
        } else {
            Vec::new()
        };
        if ids.is_none() && !keep && outside.is_empty() {
            return;
        }
        let mut seen = self.seen.lock().unwrap_or_else(|e| e.into_inner());
        for url in outside {
            let entry = seen
                .outside_base
                .entry(url)
                .or_insert_with(|| (path.to_string(), 0));
            if path < entry.0.as_str() {
                entry.0 = path.to_string();
            }
            entry.1 += 1;
        }
        if let Some(ids) = ids {
            seen.ids.insert(path.to_string(), ids);
        }
        if keep {
            seen.kept.insert(path.to_string(), bytes.to_vec());
        }
    }
}

impl Sink for Recorder<'_> {
    fn write(&self, path: &str, bytes: &[u8]) -> std::io::Result<()> {
        self.note(path, bytes);
        self.inner.write(path, bytes)
    }

    fn copy(&self, src: &Path, path: &str) -> std::io::Result<()> {
        if self.wants_ids(path) || self.keep.contains(path) {
            self.note(path, &std::fs::read(src)?);
        }
        self.inner.copy(src, path)
    }

    fn stopped(&self) -> bool {
        self.inner.stopped()
    }
}

/// Whether an output file is a page (`.html`, `.htm`, any case), whose ids links may point to.
pub fn is_html(path: &str) -> bool {
    let lower = path.to_ascii_lowercase();
    lower.ends_with(".html") || lower.ends_with(".htm")
}

/// Everything a link can point to in one build.
pub struct Targets<'a> {
    /// Every output file.
    pub files: HashSet<&'a str>,
    /// HTML output → its ids.
    pub ids: HashMap<String, HashSet<String>>,
    /// Redirect pages written for aliases: their anchors are the target's business.
    pub redirects: HashSet<&'a str>,
    /// Output file a draft or future post would have → that post.
    pub unpublished: HashMap<String, &'a Meta>,
    /// File name of a post's or page's source (`be-useful.md`) → its URL path, for links to sources.
    pub sources: HashMap<String, String>,
}

impl<'a> Targets<'a> {
    pub fn new(
        site: &'a Site,
        planned: &'a [Planned],
        ids: HashMap<String, HashSet<String>>,
    ) -> Self {
        let files = planned.iter().map(|p| p.out.as_str()).collect();
        let redirects = planned
            .iter()
            .filter(|p| matches!(p.job, Job::Alias { .. }))
            .map(|p| p.out.as_str())
            .collect();
        let unpublished = site
            .unpublished
            .iter()
            .filter_map(|meta| {
                url_path_to_file(&doc_path(meta, &site.config))
                    .ok()
                    .map(|f| (f, meta))
            })
            .collect();
        let sources = site
            .posts
            .iter()
            .chain(&site.pages)
            .map(|d| (source_name(&d.meta.file).to_string(), d.path.clone()))
            .collect();
        Targets {
            files,
            ids,
            redirects,
            unpublished,
            sources,
        }
    }

    /// Every URL path of the site, for "did you mean" hints.
    pub fn url_paths(&self) -> impl Iterator<Item = String> + '_ {
        self.files
            .iter()
            .map(|f| match f.strip_suffix("index.html") {
                Some(dir) => format!("/{dir}"),
                None => format!("/{f}"),
            })
    }
}

/// The name a link to a source file ends with: the file name, or the folder of a folder post's `index.md`.
pub fn source_name(file: &str) -> &str {
    let file = file.trim_end_matches('/');
    let file = file.strip_suffix("/index.md").unwrap_or(file);
    file.rsplit('/').next().unwrap_or(file)
}

/// The ids of an HTML page: every `id` attribute, and the `name` of `<a>` elements (old-style anchors).
pub fn page_ids(html: &str) -> HashSet<String> {
    let mut ids = HashSet::new();
    let mut rest = html;
    while let Some(start) = rest.find('<') {
        rest = &rest[start + 1..];
        if let Some(after) = rest.strip_prefix("!--") {
            rest = after.find("-->").map_or("", |end| &after[end + 3..]);
            continue;
        }
        let end = crate::markdown::tag_end(rest).unwrap_or(rest.len());
        let tag = &rest[..end];
        rest = &rest[end..];
        if tag.starts_with('/') || !(tag.contains("id") || tag.contains("name")) {
            continue;
        }
        let is_anchor = tag.len() > 1
            && tag.as_bytes()[0].eq_ignore_ascii_case(&b'a')
            && tag.as_bytes()[1].is_ascii_whitespace();
        for (name, value) in attributes(tag) {
            if name.eq_ignore_ascii_case("id") || (is_anchor && name.eq_ignore_ascii_case("name")) {
                ids.insert(unescape(value));
            }
        }
    }
    ids
}

/// The attributes of a tag's inside (`a href="x" id=y`), as written.
fn attributes(tag: &str) -> Vec<(&str, &str)> {
    let mut out = Vec::new();
    let name_end = tag
        .find(|c: char| c.is_ascii_whitespace() || c == '/')
        .unwrap_or(tag.len());
    let mut rest = &tag[name_end..];
    loop {
        rest = rest.trim_start_matches(|c: char| c.is_ascii_whitespace() || c == '/');
        if rest.is_empty() {
            return out;
        }
        let end = rest
            .find(|c: char| c.is_ascii_whitespace() || c == '=' || c == '/')
            .unwrap_or(rest.len());
        let name = &rest[..end];
        rest = rest[end..].trim_start();
        let Some(after) = rest.strip_prefix('=') else {
            if end == 0 {
                rest = &rest[rest.chars().next().map_or(0, char::len_utf8)..];
            }
            continue;
        };
        let after = after.trim_start();
        let (value, next) = match after.chars().next() {
            Some(q @ ('"' | '\'')) => {
                let close = after[1..].find(q).map_or(after.len(), |i| i + 1);
                (&after[1..close], after.get(close + 1..).unwrap_or(""))
            }
            _ => {
                let stop = after
                    .find(|c: char| c.is_ascii_whitespace())
                    .unwrap_or(after.len());
                (&after[..stop], &after[stop..])
            }
        };
        out.push((name, value));
        rest = next;
    }
}

/// Decode the character references an attribute value may hold (`&amp;`, `&#39;`, `&#x27;` …).
pub fn unescape(text: &str) -> String {
    if !text.contains('&') {
        return text.to_string();
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find('&') {
        out.push_str(&rest[..at]);
        rest = &rest[at..];
        let decoded = rest
            .find(';')
            .filter(|&end| end <= 10)
            .and_then(|end| Some((entity(&rest[1..end])?, end)));
        match decoded {
            Some((c, end)) => {
                out.push(c);
                rest = &rest[end + 1..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

fn entity(name: &str) -> Option<char> {
    let number = |digits: &str, radix| {
        u32::from_str_radix(digits, radix)
            .ok()
            .and_then(char::from_u32)
    };
    match name {
        "amp" => Some('&'),
        "lt" => Some('<'),
        "gt" => Some('>'),
        "quot" => Some('"'),
        "apos" => Some('\''),
        _ => match name.strip_prefix('#') {
            Some(hex) if hex.starts_with(['x', 'X']) => number(&hex[1..], 16),
            Some(dec) => number(dec, 10),
            None => None,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sorted(html: &str) -> Vec<String> {
        let mut ids: Vec<String> = page_ids(html).into_iter().collect();
        ids.sort();
        ids
    }

    #[test]
    fn finds_ids_and_anchor_names() {
        let html = r##"<h2 id="why-it-works">Why <a class="anchor" href="#why-it-works">#</a></h2>
<div class='footnote-definition' id=1><sup>1</sup></div>
<a name="old-style">x</a><meta name="description" content="not an anchor">
<section id="comments" class="comments"><p data-id="nope">id="not-a-tag"</p></section>"##;
        assert_eq!(sorted(html), ["1", "comments", "old-style", "why-it-works"]);
    }

    #[test]
    fn comments_and_quoted_brackets_do_not_confuse_it() {
        let html = r#"<!-- <p id="hidden"> --><p title="a > b" id="after">x</p>"#;
        assert_eq!(sorted(html), ["after"]);
        let html = r#"<p class=it's id="one">x</p><p id='two'>y</p>"#;
        assert_eq!(
            sorted(html),
            ["one", "two"],
            "an apostrophe in an unquoted value"
        );
    }

    #[test]
    fn ids_are_unescaped() {
        assert_eq!(
            sorted(r#"<p id="q&amp;a"></p><p id="it&#39;s"></p>"#),
            ["it's", "q&a"]
        );
        assert_eq!(unescape("a&#x41;&unknown;&"), "aA&unknown;&");
    }

    #[test]
    fn source_names() {
        assert_eq!(
            source_name("content/posts/2024-01-02-x.md"),
            "2024-01-02-x.md"
        );
        assert_eq!(source_name("content/posts/mentor/index.md"), "mentor");
    }
}
