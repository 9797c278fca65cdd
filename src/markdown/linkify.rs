//! Bare URLs become links: `see https://example.com/x.` links `https://example.com/x`.
//!
//! Why: Hugo turns bare URLs into links by default and GitHub's Markdown does too, so authors who
//! come from either write them and expect a link; pulldown-cmark only links `<https://…>`. The rules
//! are those of GitHub's "extended autolinks": a URL starts with `http://`, `https://` or `www.` at the
//! start of a text or after a space or one of `*`, `_`, `~`, `(`; it runs to the next space or `<`;
//! trailing `?`, `!`, `.`, `,`, `:`, `;`, `*`, `_`, `~` and closing quotes are not part of it, nor is a trailing
//! `)` that does not close a `(` of the URL. `www.` addresses link to `http://www.…`, as GitHub's
//! do. Text inside a link, an image's alt text, code, and raw `<a>…</a>` is left alone, and so is a
//! URL that does not parse (a port above 65535). Smart punctuation is undone inside the URL, so
//! `https://xn--…` keeps its two hyphens.
//!
//! This stage runs first, on the parser's `(event, range)` pairs, so that the links it makes are
//! recorded and checked like any other. Most texts hold no `://` and no `www.`, and pass through
//! after one lookup in the list of where the document holds them.

use std::borrow::Cow;
use std::collections::VecDeque;
use std::ops::Range;
use std::sync::LazyLock;

use memchr::memmem::Finder;

use pulldown_cmark::{CowStr, Event, LinkType, Tag, TagEnd};

/// Splits texts that hold bare URLs into text and link events.
pub(crate) struct Linkify<'a, I> {
    inner: I,
    /// Links, images and raw `<a>` elements we are inside, whose text must not hold another link.
    inside_link: usize,
    in_code_block: bool,
    /// Offsets of `://` and `www.` in the document's source.
    candidates: Vec<usize>,
    pending: VecDeque<(Event<'a>, Range<usize>)>,
}

impl<'a, I> Linkify<'a, I> {
    /// Links bare URLs of the events of `source`.
    pub(crate) fn new(inner: I, source: &str) -> Self {
        Linkify {
            inner,
            inside_link: 0,
            in_code_block: false,
            candidates: candidates(source),
            pending: VecDeque::new(),
        }
    }

    /// Whether the source at `range` holds a `://` or a `www.`.
    fn may_hold_url(&self, range: &Range<usize>) -> bool {
        let first = self.candidates.partition_point(|&at| at < range.start);
        self.candidates.get(first).is_some_and(|&at| at < range.end)
    }

    /// Track where links may not be made.
    fn observe(&mut self, event: &Event<'_>) {
        match event {
            Event::Start(Tag::Link { .. } | Tag::Image { .. }) => self.inside_link += 1,
            Event::End(TagEnd::Link | TagEnd::Image) => {
                self.inside_link = self.inside_link.saturating_sub(1)
            }
            Event::Start(Tag::CodeBlock(_)) => self.in_code_block = true,
            Event::End(TagEnd::CodeBlock) => self.in_code_block = false,
            Event::InlineHtml(html) => match raw_anchor(html) {
                Some(true) => self.inside_link += 1,
                Some(false) => self.inside_link = self.inside_link.saturating_sub(1),
                None => {}
            },
            _ => {}
        }
    }
}

/// `Some(true)` for a raw `<a …>` start tag, `Some(false)` for `</a>`, else `None`.
fn raw_anchor(html: &str) -> Option<bool> {
    let (closing, rest) = match html.strip_prefix("</") {
        Some(rest) => (true, rest),
        None => (false, html.strip_prefix('<')?),
    };
    let mut chars = rest.chars();
    let a = chars.next()?.eq_ignore_ascii_case(&'a');
    let after = chars.next();
    (a && after.is_none_or(|c| c == '>' || c == '/' || c.is_ascii_whitespace())).then_some(!closing)
}

impl<'a, I> Iterator for Linkify<'a, I>
where
    I: Iterator<Item = (Event<'a>, Range<usize>)>,
{
    type Item = (Event<'a>, Range<usize>);

    #[inline]
    fn next(&mut self) -> Option<Self::Item> {
        if self.candidates.is_empty() {
            return self.inner.next();
        }
        if let Some(next) = self.pending.pop_front() {
            return Some(next);
        }
        let (event, range) = self.inner.next()?;
        self.observe(&event);
        let Event::Text(text) = &event else {
            return Some((event, range));
        };
        if self.inside_link > 0 || self.in_code_block || !self.may_hold_url(&range) {
            return Some((event, range));
        }
        let urls = find_urls(text);
        if urls.is_empty() {
            return Some((event, range));
        }
        let mut at = 0;
        for url in urls {
            let shown = unsmart(&text[url.clone()]);
            let dest = if shown.starts_with("www.") {
                format!("http://{shown}")
            } else {
                shown.to_string()
            };
            // What no browser could follow (a port above 65535, say) stays text.
            if url::Url::parse(&dest).is_err() {
                continue;
            }
            if url.start > at {
                let before = text[at..url.start].to_string();
                self.pending
                    .push_back((Event::Text(before.into()), range.clone()));
            }
            self.pending.extend(link(dest, &shown, range.clone()));
            at = url.end;
        }
        if at < text.len() {
            let after = text[at..].to_string();
            self.pending
                .push_back((Event::Text(after.into()), range.clone()));
        }
        self.pending.pop_front()
    }
}

/// `url` as its author typed it: smart punctuation has already turned `--` into `–` (as in the
/// punycode `xn--` of a domain), `---` into `—`, `...` into `…` and quotes into curly ones.
fn unsmart(url: &str) -> Cow<'_, str> {
    if url.is_ascii() {
        return Cow::Borrowed(url);
    }
    let mut typed = String::with_capacity(url.len());
    for c in url.chars() {
        match c {
            '–' => typed.push_str("--"),
            '—' => typed.push_str("---"),
            '…' => typed.push_str("..."),
            '‘' | '’' => typed.push('\''),
            '“' | '”' => typed.push('"'),
            c => typed.push(c),
        }
    }
    Cow::Owned(typed)
}

/// The three events of an autolink to `dest` that shows `shown`.
fn link<'a>(dest: String, shown: &str, range: Range<usize>) -> [(Event<'a>, Range<usize>); 3] {
    [
        (
            Event::Start(Tag::Link {
                link_type: LinkType::Autolink,
                dest_url: dest.into(),
                title: CowStr::Borrowed(""),
                id: CowStr::Borrowed(""),
            }),
            range.clone(),
        ),
        (Event::Text(shown.to_string().into()), range.clone()),
        (Event::End(TagEnd::Link), range),
    ]
}

/// Where `source` may hold a bare URL: its `://`s and `www.`s, in order, less those that are plainly
/// the address of a Markdown link (`](https://…`), a reference definition (`]: https://…`), an
/// autolink (`<https://…`) or a raw HTML attribute (`href="https://…`). Found once per document, so
/// that a text is searched only when its source range holds one, and a document with none (most:
/// their URLs are all link addresses) skips this stage's per-event work altogether.
fn candidates(source: &str) -> Vec<usize> {
    static SCHEME: LazyLock<Finder<'static>> = LazyLock::new(|| Finder::new(b"://"));
    static WWW: LazyLock<Finder<'static>> = LazyLock::new(|| Finder::new(b"www."));
    let bytes = source.as_bytes();
    let schemes = SCHEME.find_iter(bytes).map(|at| {
        let scheme = bytes[..at]
            .iter()
            .rev()
            .take_while(|b| b.is_ascii_alphabetic())
            .count();
        (at, at - scheme)
    });
    let wwws = WWW.find_iter(bytes).map(|at| (at, at));
    let mut found: Vec<usize> = schemes
        .chain(wwws)
        .filter(|&(_, start)| !is_address(&bytes[..start]))
        .map(|(at, _)| at)
        .collect();
    found.sort_unstable();
    found
}

/// Whether a URL preceded by `before` is the address of a link, not text.
fn is_address(before: &[u8]) -> bool {
    let before = before.trim_ascii_end();
    before.ends_with(b"](")
        || before.ends_with(b"]:")
        || before.ends_with(b"<")
        || before.ends_with(b"=")
        || before.ends_with(b"=\"")
        || before.ends_with(b"='")
}

/// The byte ranges of the bare URLs of `text`, in order.
fn find_urls(text: &str) -> Vec<Range<usize>> {
    let mut found = Vec::new();
    let mut from = 0;
    while let Some(start) = next_start(text, from) {
        match url_end(text, start) {
            Some(end) => {
                found.push(start..end);
                from = end;
            }
            None => from = start + 1,
        }
    }
    found
}

/// Where the next possible URL of `text` at or after `from` starts: `http://`, `https://` or `www.`
/// at the start or after a space or one of `*`, `_`, `~`, `(`.
fn next_start(text: &str, from: usize) -> Option<usize> {
    let bytes = text.as_bytes();
    (from..bytes.len()).find(|&i| {
        let rest = &bytes[i..];
        let starts = rest.starts_with(b"http://")
            || rest.starts_with(b"https://")
            || rest.starts_with(b"www.");
        starts
            && (i == 0
                || matches!(bytes[i - 1], b'*' | b'_' | b'~' | b'(')
                || bytes[i - 1].is_ascii_whitespace()
                || text[..i].ends_with('\u{a0}'))
    })
}

/// The end of the URL that starts at `start`, if a valid domain follows the scheme (or is the
/// `www.` itself): letters, digits, `-` and `_` in dot-separated labels, no `_` in the last two.
fn url_end(text: &str, start: usize) -> Option<usize> {
    let rest = &text[start..];
    let host_at = if rest.starts_with("www.") {
        0
    } else {
        rest.find("://")? + 3
    };
    let host_len = rest[host_at..]
        .find(|c: char| !(c.is_alphanumeric() || matches!(c, '-' | '_' | '.')))
        .unwrap_or(rest.len() - host_at);
    let host = rest[host_at..host_at + host_len].trim_end_matches('.');
    if !valid_domain(host, host_at == 0) {
        return None;
    }
    let raw_len = rest
        .find(|c: char| c.is_whitespace() || c == '<')
        .unwrap_or(rest.len());
    let kept = trim_trailing(&rest[..raw_len]);
    (kept.len() > host_at).then_some(start + kept.len())
}

/// A domain GitHub links: non-empty dot-separated labels, no `_` in the last two, and for `www.`
/// something after it.
fn valid_domain(host: &str, is_www: bool) -> bool {
    let labels: Vec<&str> = host.split('.').collect();
    if labels.iter().any(|label| label.is_empty()) {
        return false;
    }
    if is_www && labels.len() < 2 {
        return false;
    }
    !labels.iter().rev().take(2).any(|label| label.contains('_'))
}

/// `url` without the punctuation that ends the sentence around it.
fn trim_trailing(mut url: &str) -> &str {
    loop {
        let before = url;
        url = url.trim_end_matches([
            '?', '!', '.', ',', ':', '*', '_', '~', '\'', '"', ';', '’', '”', '»',
        ]);
        if url.ends_with(')') && url.matches(')').count() > url.matches('(').count() {
            url = &url[..url.len() - 1];
        }
        if url.len() == before.len() {
            return url;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn urls(text: &str) -> Vec<&str> {
        find_urls(text).into_iter().map(|r| &text[r]).collect()
    }

    #[test]
    fn urls_end_before_the_sentence_does() {
        assert_eq!(
            urls("See https://example.com/a."),
            ["https://example.com/a"]
        );
        assert_eq!(
            urls("(see https://en.wikipedia.org/wiki/Foo_(bar)), then www.example.org!"),
            ["https://en.wikipedia.org/wiki/Foo_(bar)", "www.example.org"]
        );
        assert_eq!(
            urls("at http://localhost:1111/x?y=1, or"),
            ["http://localhost:1111/x?y=1"]
        );
        assert_eq!(urls("*https://ex.com/*"), ["https://ex.com/"]);
    }

    #[test]
    fn link_addresses_are_not_candidates_but_bare_urls_are() {
        let source = "[a](https://a.com) [b]: https://b.com <https://c.com> <a href=\"https://d.com\"> (https://e.com) www.f.com";
        let at: Vec<&str> = candidates(source)
            .into_iter()
            .map(|at| &source[at..at + 3])
            .collect();
        assert_eq!(at, ["://", "www"]);
    }

    #[test]
    fn urls_are_linked_as_typed_and_only_when_valid() {
        let html = |md: &str| {
            let parser =
                pulldown_cmark::Parser::new_ext(md, super::super::options()).into_offset_iter();
            let events = Linkify::new(pulldown_cmark::TextMergeWithOffset::new(parser), md)
                .map(|(event, _)| event);
            let mut out = String::new();
            pulldown_cmark::html::push_html(&mut out, events);
            out
        };
        assert_eq!(
            html("See https://xn--bcher-kva.example/a--b now"),
            "<p>See <a href=\"https://xn--bcher-kva.example/a--b\">https://xn--bcher-kva.example/a--b</a> now</p>\n"
        );
        assert_eq!(
            html("Port http://a.example:99999/ and www.javascript:alert(4)"),
            "<p>Port http://a.example:99999/ and www.javascript:alert(4)</p>\n"
        );
    }

    #[test]
    fn not_urls() {
        assert!(urls("mailhttps://ex.com and www. and www.x_y.z_w and https:// alone").is_empty());
        assert!(urls("no scheme example.com").is_empty());
    }
}
