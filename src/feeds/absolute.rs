//! Making the links in an HTML fragment absolute, for HTML that is read away from the site.
//!
//! One forward pass over the fragment: text is copied untouched; inside start tags the values of
//! `href`, `src`, `srcset` and `poster` (names matched case-insensitively, values double-quoted,
//! single-quoted or unquoted) are resolved; comments, end tags, doctypes and the raw text of
//! `<script>`, `<style>` and friends are skipped whole. Every search starts where the last one
//! stopped, so the work is linear in the input.
//!
//! Resolution follows RFC 3986 on the attribute's text as written (character references in a URL
//! are left as they are), with one rule of our own: `..` never climbs above the site root, so a
//! stray `../../..` lands on the site, not on a neighbouring path of the same host.

use crate::markdown::escape_html;

/// Rewrites `href`, `src`, `srcset` and `poster` attribute URLs in `html` to absolute ones:
/// root-relative (`/x`) against `site_url`, relative (`img.png`, `../x`, `#frag`, `?q`, empty)
/// against `page_url` (an absolute URL ending in `/` or naming a file).
///
/// Absolute (`https:`, `mailto:`, `data:`…) and protocol-relative (`//host`) URLs, text
/// content, comments and scripts are left as they are. Rewritten unquoted values come out
/// double-quoted.
pub fn absolutize(html: &str, site_url: &str, page_url: &str) -> String {
    let base = Base::new(site_url, page_url);
    Rewriter::new(html, &base, html.len() + html.len() / 4).run()
}

/// Puts the site's `base_path` (`/blog`, see [`crate::config::Config::base_path`]) in front of every
/// root-relative `href`, `src`, `srcset` and `poster` URL of `html` (`/posts/a/` → `/blog/posts/a/`),
/// so that links an author wrote against the site's root still work when the site is published in a
/// sub-folder. Relative, protocol-relative and absolute URLs are left as they are. With an empty
/// `base_path` (a site at the root of its host) the HTML is borrowed as it is, without a pass over it.
pub fn with_base_path<'h>(html: &'h str, base_path: &str) -> std::borrow::Cow<'h, str> {
    if base_path.is_empty() {
        return std::borrow::Cow::Borrowed(html);
    }
    let prefix = Prefix(escape_html(base_path));
    std::borrow::Cow::Owned(Rewriter::new(html, &prefix, html.len() + html.len() / 8).run())
}

/// The root-relative `href`, `src`, `srcset` and `poster` URLs of `html` that lie outside
/// `base_path` (neither `base_path` itself nor below `base_path/`), as written, each once: on a site
/// published under a base path they lead off the site (a theme's hard-coded `/style.css`). Nothing is
/// allocated for a page without such links.
pub fn outside_base_path(html: &str, base_path: &str) -> Vec<String> {
    let escaped = escape_html(base_path);
    let seen = Outside {
        base: base_path,
        escaped: &escaped,
        found: std::cell::RefCell::new(Vec::new()),
    };
    Rewriter::new(html, &seen, 0).scan();
    seen.found.into_inner()
}

/// Every URL of the `href`, `src`, `srcset` and `poster` attributes of `html`, as written, with the
/// byte offset where it starts: the links of an author's raw HTML, for the link check. The same scan
/// as [`with_base_path`], so the check sees exactly the URLs a page's links are made from.
pub fn urls_in(html: &str) -> Vec<(usize, String)> {
    let seen = Collect {
        start: html.as_ptr() as usize,
        found: std::cell::RefCell::new(Vec::new()),
    };
    Rewriter::new(html, &seen, 0).scan();
    seen.found.into_inner()
}

/// [`urls_in`]'s rule: rewrites nothing, notes each URL and where it starts (the scan hands over
/// slices of the fragment itself, so the offset is the distance between their addresses).
struct Collect {
    start: usize,
    found: std::cell::RefCell<Vec<(usize, String)>>,
}

impl Resolve for Collect {
    fn resolve(&self, raw: &str) -> Option<String> {
        let url = raw.trim_matches(|c: char| c.is_ascii() && is_space(c as u8));
        if !url.is_empty() {
            let at = url.as_ptr() as usize - self.start;
            self.found.borrow_mut().push((at, url.to_string()));
        }
        None
    }
}

/// [`outside_base_path`]'s rule: rewrites nothing, notes what leaves the base path.
struct Outside<'a> {
    base: &'a str,
    /// `base` as an attribute holds it: `/a&amp;b` for a base path `/a&b`.
    escaped: &'a str,
    found: std::cell::RefCell<Vec<String>>,
}

impl Resolve for Outside<'_> {
    fn resolve(&self, raw: &str) -> Option<String> {
        let url = raw.trim_matches(|c: char| c.is_ascii() && is_space(c as u8));
        if !url.starts_with('/') || url.starts_with("//") {
            return None;
        }
        let path = &url[..url.find(['?', '#']).unwrap_or(url.len())];
        let under = |text: &str, base: &str| {
            text.strip_prefix(base)
                .is_some_and(|rest| rest.is_empty() || rest.starts_with(['/', '?', '#']))
        };
        // The escaped form is looked for in the whole URL: `&#39;` has a `#` of its own.
        let inside = under(path, self.base) || under(url, self.escaped);
        let mut found = self.found.borrow_mut();
        if !inside && !found.iter().any(|f| f == url) {
            found.push(url.to_string());
        }
        None
    }
}

/// How a [`Rewriter`] changes one URL: `None` leaves it as written.
trait Resolve {
    fn resolve(&self, raw: &str) -> Option<String>;

    /// A `srcset`: each candidate's URL resolved, descriptors and separators kept as written.
    fn resolve_srcset(&self, value: &str) -> Option<String> {
        let bytes = value.as_bytes();
        let (mut out, mut copied, mut i) = (String::new(), 0, 0);
        while i < bytes.len() {
            while i < bytes.len() && (is_space(bytes[i]) || bytes[i] == b',') {
                i += 1;
            }
            let start = i;
            while i < bytes.len() && !is_space(bytes[i]) {
                i += 1;
            }
            let mut end = i;
            while end > start && bytes[end - 1] == b',' {
                end -= 1;
            }
            let resolved = if end > start {
                self.resolve(&value[start..end])
            } else {
                None
            };
            if let Some(resolved) = resolved {
                out.push_str(&value[copied..start]);
                out.push_str(&resolved);
                copied = end;
            }
            if end == i {
                i = skip_descriptors(bytes, i);
            }
        }
        (copied > 0).then(|| out + &value[copied..])
    }
}

/// [`with_base_path`]'s rule: the base path (HTML-escaped) before each root-relative URL.
struct Prefix(String);

impl Resolve for Prefix {
    fn resolve(&self, raw: &str) -> Option<String> {
        let url = raw.trim_matches(|c: char| c.is_ascii() && is_space(c as u8));
        (url.starts_with('/') && !url.starts_with("//")).then(|| format!("{}{url}", self.0))
    }
}

/// The elements whose content is raw text, not markup.
const RAW_TEXT: [&str; 8] = [
    "script", "style", "textarea", "title", "xmp", "iframe", "noembed", "noframes",
];

/// HTML's ASCII whitespace.
fn is_space(byte: u8) -> bool {
    matches!(byte, b' ' | b'\t' | b'\n' | b'\r' | b'\x0C')
}

/// Which URL attribute a name is, if any.
#[derive(Clone, Copy)]
enum UrlAttr {
    Single,
    SrcSet,
}

fn url_attr(name: &str) -> Option<UrlAttr> {
    let is = |wanted: &str| name.eq_ignore_ascii_case(wanted);
    if is("href") || is("src") || is("poster") {
        Some(UrlAttr::Single)
    } else if is("srcset") {
        Some(UrlAttr::SrcSet)
    } else {
        None
    }
}

/// The forward pass. `src[..copied]` is already in `out`; `pos` is where scanning resumes.
struct Rewriter<'h, 'b, R: Resolve> {
    src: &'h str,
    bytes: &'h [u8],
    pos: usize,
    copied: usize,
    out: String,
    base: &'b R,
}

impl<'h, 'b, R: Resolve> Rewriter<'h, 'b, R> {
    /// A pass over `html` with `base`'s rule; `capacity` is for the rewritten copy (0 for a scan that
    /// only looks).
    fn new(html: &'h str, base: &'b R, capacity: usize) -> Self {
        Rewriter {
            src: html,
            bytes: html.as_bytes(),
            pos: 0,
            copied: 0,
            out: String::with_capacity(capacity),
            base,
        }
    }

    fn run(mut self) -> String {
        self.scan();
        self.out.push_str(&self.src[self.copied..]);
        self.out
    }

    /// Visits every URL attribute of the fragment.
    fn scan(&mut self) {
        while let Some(offset) = memchr::memchr(b'<', &self.bytes[self.pos..]) {
            self.pos += offset;
            self.markup();
        }
    }

    /// At a `<`: skips or rewrites what it opens, leaving `pos` after it.
    fn markup(&mut self) {
        let rest = &self.bytes[self.pos..];
        if rest.starts_with(b"<!--") {
            // From `pos + 2`, so `<!-->` and `<!--->` close at once, as in browsers.
            self.skip_past("-->", self.pos + 2);
        } else if rest.starts_with(b"<!") || rest.starts_with(b"<?") || rest.starts_with(b"</") {
            self.skip_past(">", self.pos + 2);
        } else if rest.get(1).is_some_and(u8::is_ascii_alphabetic) {
            self.start_tag();
        } else {
            self.pos += 1;
        }
    }

    fn skip_past(&mut self, end: &str, from: usize) {
        let rest = self.bytes.get(from..).unwrap_or_default();
        self.pos = match memchr::memmem::find(rest, end.as_bytes()) {
            Some(offset) => from + offset + end.len(),
            None => self.src.len(),
        };
    }

    /// The first index from `from` whose byte fails `keep` (or the end).
    fn scan_while(&self, from: usize, keep: impl Fn(u8) -> bool) -> usize {
        let len = self.bytes[from.min(self.bytes.len())..]
            .iter()
            .position(|&b| !keep(b));
        len.map_or(self.bytes.len(), |len| from + len)
    }

    fn start_tag(&mut self) {
        let name_start = self.pos + 1;
        let name_end = self.scan_while(name_start, |b| !is_space(b) && !matches!(b, b'/' | b'>'));
        self.pos = name_end;
        loop {
            self.pos = self.scan_while(self.pos, |b| is_space(b) || b == b'/');
            match self.bytes.get(self.pos) {
                None => return,
                Some(b'>') => break,
                Some(_) => self.attribute(),
            }
        }
        self.pos += 1;
        let name = &self.src[name_start..name_end];
        if let Some(raw) = RAW_TEXT.iter().find(|raw| raw.eq_ignore_ascii_case(name)) {
            self.skip_raw_text(raw);
        }
    }

    /// One attribute, `pos` at its name; rewrites its value when it holds URLs.
    fn attribute(&mut self) {
        let name_start = self.pos;
        // A name takes at least one byte (even `=`), so the loop in `start_tag` always advances.
        let name_end = self.scan_while(name_start + 1, |b| {
            !is_space(b) && !matches!(b, b'/' | b'>' | b'=')
        });
        let after_name = self.scan_while(name_end, is_space);
        if self.bytes.get(after_name) != Some(&b'=') {
            self.pos = after_name;
            return;
        }
        let value_at = self.scan_while(after_name + 1, is_space);
        let (start, end, quoted) = match self.bytes.get(value_at) {
            Some(&quote @ (b'"' | b'\'')) => {
                let start = value_at + 1;
                let Some(len) = self.bytes[start..].iter().position(|&b| b == quote) else {
                    // An unclosed quote runs to the end: nothing sound to rewrite.
                    self.pos = self.src.len();
                    return;
                };
                self.pos = start + len + 1;
                (start, start + len, true)
            }
            _ => {
                let end = self.scan_while(value_at, |b| !is_space(b) && b != b'>');
                self.pos = end;
                (value_at, end, false)
            }
        };
        if let Some(kind) = url_attr(&self.src[name_start..name_end]) {
            self.rewrite(start, end, quoted, kind);
        }
    }

    fn rewrite(&mut self, start: usize, end: usize, quoted: bool, kind: UrlAttr) {
        let value = &self.src[start..end];
        let resolved = match kind {
            UrlAttr::Single => self.base.resolve(value),
            UrlAttr::SrcSet => self.base.resolve_srcset(value),
        };
        let Some(resolved) = resolved else { return };
        self.out.push_str(&self.src[self.copied..start]);
        if quoted {
            self.out.push_str(&resolved);
        } else {
            self.out.push('"');
            self.out.push_str(&resolved.replace('"', "&quot;"));
            self.out.push('"');
        }
        self.copied = end;
    }

    /// Skips to the `</name` that ends a raw-text element, leaving `pos` on it.
    fn skip_raw_text(&mut self, name: &str) {
        while let Some(offset) = memchr::memmem::find(&self.bytes[self.pos..], b"</") {
            let at = self.pos + offset;
            let after = at + 2 + name.len();
            let named = self
                .bytes
                .get(at + 2..after)
                .is_some_and(|found| found.eq_ignore_ascii_case(name.as_bytes()));
            let ends = self
                .bytes
                .get(after)
                .is_none_or(|&b| is_space(b) || b == b'/' || b == b'>');
            if named && ends {
                self.pos = at;
                return;
            }
            self.pos = at + 2;
        }
        self.pos = self.src.len();
    }
}

/// The two URLs links resolve against, split once per call, HTML-escaped for attribute values.
struct Base {
    /// `scheme://authority` of the site, and its path without a trailing `/` (often empty).
    site_origin: String,
    site_path: String,
    /// `scheme://authority` of the page, its path, its directory (ending in `/`) and its query.
    page_origin: String,
    page_path: String,
    page_dir: String,
    page_query: String,
    /// How many leading segments `..` may not remove, for root-relative and relative links.
    site_floor: usize,
    page_floor: usize,
}

impl Base {
    fn new(site_url: &str, page_url: &str) -> Self {
        let (site_origin, site_path, _) = split_url(site_url);
        let site_path = site_path.trim_end_matches('/');
        let (page_origin, page_path, page_query) = split_url(page_url);
        let page_dir = &page_path[..page_path.rfind('/').map_or(0, |i| i + 1)];
        let site_floor = site_path.split('/').filter(|s| !s.is_empty()).count();
        let under_site = page_origin == site_origin
            && page_path.starts_with(site_path)
            && (page_path.len() == site_path.len()
                || page_path[site_path.len()..].starts_with('/'));
        Base {
            site_origin: escape_html(site_origin),
            site_path: escape_html(site_path),
            page_origin: escape_html(page_origin),
            page_path: escape_html(page_path),
            page_dir: escape_html(page_dir),
            page_query: escape_html(page_query),
            site_floor,
            page_floor: if under_site { site_floor } else { 0 },
        }
    }
}

impl Resolve for Base {
    /// The absolute form of one URL, or `None` when it is already absolute.
    fn resolve(&self, raw: &str) -> Option<String> {
        let url = raw.trim_matches(|c: char| c.is_ascii() && is_space(c as u8));
        if has_scheme(url) || url.starts_with("//") {
            return None;
        }
        let split = url.find(['?', '#']).unwrap_or(url.len());
        let (path, tail) = url.split_at(split);
        let resolved = if let Some(rooted) = path.strip_prefix('/') {
            let full = format!("{}/{rooted}", self.site_path);
            format!(
                "{}{}{tail}",
                self.site_origin,
                remove_dots(&full, self.site_floor)
            )
        } else if path.is_empty() {
            // "", "#frag" keep the page's query; "?q" replaces it.
            let query = if tail.starts_with('?') {
                ""
            } else {
                &self.page_query
            };
            format!("{}{}{query}{tail}", self.page_origin, self.page_path)
        } else {
            let full = format!("{}{path}", self.page_dir);
            format!(
                "{}{}{tail}",
                self.page_origin,
                remove_dots(&full, self.page_floor)
            )
        };
        Some(resolved)
    }
}

/// From just after a `srcset` URL: the index of the comma ending its descriptors (or the end).
fn skip_descriptors(bytes: &[u8], mut i: usize) -> usize {
    let mut depth = 0usize;
    while let Some(&b) = bytes.get(i) {
        match b {
            b'(' => depth += 1,
            b')' => depth = depth.saturating_sub(1),
            b',' if depth == 0 => break,
            _ => {}
        }
        i += 1;
    }
    i
}

/// `https://host:port/path?query#fragment` → (`https://host:port`, `/path`, `?query`). The path
/// is `/` when absent; without `://` the whole URL is taken as a path.
fn split_url(url: &str) -> (&str, &str, &str) {
    let url = &url[..url.find('#').unwrap_or(url.len())];
    let (url, query) = url.split_at(url.find('?').unwrap_or(url.len()));
    let authority_at = url.find("://").map_or(0, |i| i + 3);
    let path_at = url[authority_at..]
        .find('/')
        .map_or(url.len(), |i| authority_at + i);
    let (origin, path) = url.split_at(path_at);
    (origin, if path.is_empty() { "/" } else { path }, query)
}

/// Whether a URL starts with `scheme:` (RFC 3986: a letter, then letters, digits, `+`, `-`, `.`).
fn has_scheme(url: &str) -> bool {
    let Some(colon) = url.find(':') else {
        return false;
    };
    let scheme = &url.as_bytes()[..colon];
    scheme.first().is_some_and(u8::is_ascii_alphabetic)
        && scheme
            .iter()
            .all(|&b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'-' | b'.'))
}

/// RFC 3986 `remove_dot_segments` on an absolute path, except that `..` never removes the first
/// `floor` segments (the site's own path).
fn remove_dots(path: &str, floor: usize) -> String {
    let segments: Vec<&str> = path.strip_prefix('/').unwrap_or(path).split('/').collect();
    let last = segments.len() - 1;
    let mut out: Vec<&str> = Vec::with_capacity(segments.len());
    for (i, segment) in segments.iter().enumerate() {
        let is = |forms: &[&str]| forms.iter().any(|form| segment.eq_ignore_ascii_case(form));
        let dot = is(&[".", "%2e"]);
        let dots = is(&["..", ".%2e", "%2e.", "%2e%2e"]);
        if dots && out.len() > floor {
            out.pop();
        }
        if dot || dots {
            if i == last {
                out.push("");
            }
        } else {
            out.push(segment);
        }
    }
    format!("/{}", out.join("/"))
}
