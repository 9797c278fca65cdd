//! Link collection: the first stage of the pipeline, the only one that sees byte offsets.
//!
//! In: `(Event, Range)` pairs from pulldown-cmark's offset iterator. Out: the same events without
//! their ranges, while every link and image is recorded with its text and 1-based line into a
//! [`Found`] sink for `lanyard check`. Offsets become lines through a [`LineIndex`] built once per
//! document (a binary search per link), so a long post with many links stays linear.

use std::ops::Range;

use pulldown_cmark::{Event, LinkType, Tag, TagEnd};

use super::LinkRef;

/// The start offset of every line of a text, to turn byte offsets into 1-based line numbers.
pub(crate) struct LineIndex<'t> {
    text: &'t str,
    /// Byte offsets where lines start, built on the first lookup: most documents have few links,
    /// and many none.
    starts: std::cell::OnceCell<Vec<usize>>,
}

impl<'t> LineIndex<'t> {
    pub(crate) fn new(text: &'t str) -> Self {
        LineIndex {
            text,
            starts: std::cell::OnceCell::new(),
        }
    }

    /// The 1-based line holding byte `offset`.
    pub(crate) fn line(&self, offset: usize) -> usize {
        let starts = self.starts.get_or_init(|| {
            let newlines = memchr::memchr_iter(b'\n', self.text.as_bytes());
            std::iter::once(0).chain(newlines.map(|i| i + 1)).collect()
        });
        starts.partition_point(|&start| start <= offset)
    }
}

/// What [`CollectLinks`] found.
#[derive(Debug, Default)]
pub(crate) struct Found {
    pub(crate) links: Vec<LinkRef>,
    pub(crate) images_without_alt: Vec<usize>,
}

/// Records links and images while passing events through unchanged.
pub(crate) struct CollectLinks<'s, I> {
    inner: I,
    lines: &'s LineIndex<'s>,
    found: &'s mut Found,
    /// Indices into `found.links` of the links and images we are inside (an image may sit in a link).
    open: Vec<usize>,
    /// Whether raw HTML is kept in the output, so that its `href`s and `src`s are links too (not in
    /// comments, whose raw HTML is escaped).
    raw_html: bool,
}

impl<'s, I> CollectLinks<'s, I> {
    pub(crate) fn new(inner: I, lines: &'s LineIndex<'s>, found: &'s mut Found) -> Self {
        CollectLinks {
            inner,
            lines,
            found,
            open: Vec::new(),
            raw_html: false,
        }
    }

    /// Also record the links of raw HTML, for documents whose raw HTML reaches the page.
    pub(crate) fn with_raw_html(mut self) -> Self {
        self.raw_html = true;
        self
    }

    fn observe(&mut self, event: &Event<'_>, offset: usize) {
        match event {
            Event::Start(Tag::Link {
                link_type,
                dest_url,
                ..
            }) => {
                let dest = match link_type {
                    LinkType::Email => format!("mailto:{dest_url}"),
                    _ => dest_url.to_string(),
                };
                self.open_ref(dest, offset, false);
            }
            Event::Start(Tag::Image { dest_url, .. }) => {
                self.open_ref(dest_url.to_string(), offset, true);
            }
            Event::Text(text) | Event::Code(text) => {
                for &index in &self.open {
                    self.found.links[index].text.push_str(text);
                }
            }
            Event::End(TagEnd::Link | TagEnd::Image) => self.close_ref(),
            Event::Html(html) | Event::InlineHtml(html) if self.raw_html => {
                self.record_html(html, offset)
            }
            _ => {}
        }
    }

    /// Record the URLs of raw HTML (`<a href="/x/">`, `<img src="/y.png">`, `srcset`, `poster`), so
    /// that links written as HTML are checked like Markdown ones. A URL of an `href` is a link, any
    /// other an image; the text shown is "HTML link" or "HTML image".
    fn record_html(&mut self, html: &str, offset: usize) {
        for (at, url) in crate::feeds::urls_in(html) {
            let is_image = !attribute_before(&html[..at]).eq_ignore_ascii_case("href");
            self.found.links.push(LinkRef {
                dest: url.replace("&amp;", "&"),
                text: if is_image { "HTML image" } else { "HTML link" }.to_string(),
                line: self.lines.line(offset + at),
                is_image,
            });
        }
    }

    fn open_ref(&mut self, dest: String, offset: usize, is_image: bool) {
        self.open.push(self.found.links.len());
        self.found.links.push(LinkRef {
            dest,
            text: String::new(),
            line: self.lines.line(offset),
            is_image,
        });
    }

    fn close_ref(&mut self) {
        let Some(index) = self.open.pop() else { return };
        let link = &self.found.links[index];
        if link.is_image && link.text.trim().is_empty() {
            self.found.images_without_alt.push(link.line);
        }
    }
}

/// The name of the attribute whose value starts where `before` ends (`href` in `<a href="`): past the
/// opening quote, the spaces and the `=`, the name is the run of bytes before them.
fn attribute_before(before: &str) -> &str {
    let rest = before
        .trim_end_matches(['"', '\''])
        .trim_end()
        .trim_end_matches('=')
        .trim_end();
    let name_at = rest
        .rfind(|c: char| c.is_ascii_whitespace() || c == '<')
        .map_or(0, |i| i + 1);
    &rest[name_at..]
}

impl<'a, I> Iterator for CollectLinks<'_, I>
where
    I: Iterator<Item = (Event<'a>, Range<usize>)>,
{
    type Item = Event<'a>;

    fn next(&mut self) -> Option<Event<'a>> {
        let (event, range) = self.inner.next()?;
        self.observe(&event, range.start);
        Some(event)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn raw_html_hrefs_and_srcs_are_found_quoted_or_not() {
        let html = r#"<p><a class="x" href="/a/?q=1&amp;r=2">a</a> <IMG SRC='/b.png'> <a href=/c/>c</a> data-href="/not/" href=/outside-a-tag/</p>"#;
        let urls = |html: &str| -> Vec<(String, String)> {
            crate::feeds::urls_in(html)
                .into_iter()
                .map(|(at, url)| (attribute_before(&html[..at]).to_ascii_lowercase(), url))
                .collect()
        };
        let found = urls(html);
        assert_eq!(
            found,
            [
                ("href", "/a/?q=1&amp;r=2"),
                ("src", "/b.png"),
                ("href", "/c/")
            ]
            .map(|(n, u)| (n.to_string(), u.to_string()))
        );
        assert!(urls("<a href=\"/unclosed").is_empty());
    }

    #[test]
    fn raw_html_links_are_collected_only_when_asked_with_their_lines() {
        let md = "Intro.\n\n<a href=\"/x/\">x</a>\n\nText <img src=\"/y.png\"> here.\n";
        let collect = |raw: bool| {
            let lines = LineIndex::new(md);
            let mut found = Found::default();
            let parsed = pulldown_cmark::Parser::new(md).into_offset_iter();
            let links = CollectLinks::new(parsed, &lines, &mut found);
            let links = if raw { links.with_raw_html() } else { links };
            links.for_each(drop);
            found
                .links
                .into_iter()
                .map(|l| (l.dest, l.line, l.is_image))
                .collect::<Vec<_>>()
        };
        assert_eq!(
            collect(true),
            [
                ("/x/".to_string(), 3, false),
                ("/y.png".to_string(), 5, true)
            ]
        );
        assert!(collect(false).is_empty());
    }
}
