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

    /// Where each line starts, built on first use.
    fn starts(&self) -> &[usize] {
        self.starts.get_or_init(|| {
            let newlines = memchr::memchr_iter(b'\n', self.text.as_bytes());
            std::iter::once(0).chain(newlines.map(|i| i + 1)).collect()
        })
    }

    /// The text of 1-based `line`, without its line break.
    pub(crate) fn text_of(&self, line: usize) -> &'t str {
        let starts = self.starts();
        let start = starts
            .get(line.wrapping_sub(1))
            .copied()
            .unwrap_or(self.text.len());
        let end = starts.get(line).map_or(self.text.len(), |&next| next);
        self.text[start..end].trim_end_matches(['\n', '\r'])
    }

    /// The 1-based line holding byte `offset`.
    pub(crate) fn line(&self, offset: usize) -> usize {
        self.starts().partition_point(|&start| start <= offset)
    }
}

/// What [`CollectLinks`] found.
#[derive(Debug, Default)]
pub(crate) struct Found {
    pub(crate) links: Vec<LinkRef>,
    pub(crate) images_without_alt: Vec<usize>,
    /// Lines of text (not code) holding another generator's template syntax, with what it is.
    pub(crate) template_syntax: Vec<TemplateSyntax>,
}

/// Text that another generator would have run as a template (`{{< figure >}}`, `{% raw %}`,
/// `{{ site.url }}`) and lanyard publishes as written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TemplateSyntax {
    pub line: usize,
    /// The tag as written, cut at its end or at 60 characters.
    pub text: String,
    /// What it looks like: "a Hugo shortcode", "a Liquid or Tera tag"…
    pub kind: &'static str,
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
    /// Inside a code block, where template syntax is what the author means to show.
    in_code: bool,
}

impl<'s, I> CollectLinks<'s, I> {
    pub(crate) fn new(inner: I, lines: &'s LineIndex<'s>, found: &'s mut Found) -> Self {
        CollectLinks {
            inner,
            lines,
            found,
            open: Vec::new(),
            raw_html: false,
            in_code: false,
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
                if let (Event::Text(text), false) = (event, self.in_code) {
                    if let Some((kind, tag)) = template_syntax(text) {
                        let line = self.lines.line(offset);
                        // Quoted as the author wrote it, before smart punctuation curled its quotes.
                        let source = self.lines.text_of(line);
                        let tag = template_syntax(source).map_or(tag, |(_, written)| written);
                        self.found.template_syntax.push(TemplateSyntax {
                            line,
                            text: tag.to_string(),
                            kind,
                        });
                    }
                }
            }
            Event::Start(Tag::CodeBlock(_)) => self.in_code = true,
            Event::End(TagEnd::CodeBlock) => self.in_code = false,
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

/// The first piece of another generator's template syntax in `text`, with what it looks like: Hugo's
/// shortcodes (`{{< … >}}`, `{{% … %}}`), Liquid and Tera tags (`{% … %}`: Jekyll, Zola), and
/// expressions or Zola shortcodes (`{{ site.url }}`, `{{ youtube(id="x") }}`). A `{{` not followed by
/// a name (`{{1}}`, `{{}}`) is left alone: prose seldom holds the rest.
pub(crate) fn template_syntax(text: &str) -> Option<(&'static str, &str)> {
    let bytes = text.as_bytes();
    for at in memchr::memchr_iter(b'{', bytes) {
        let rest = &text[at..];
        let kind = match rest.as_bytes().get(1..3) {
            Some([b'{', b'<' | b'%']) => "a Hugo shortcode",
            Some([b'%', _]) => "a Liquid or Tera tag (Jekyll, Zola)",
            Some([b'{', _])
                if rest[2..]
                    .trim_start()
                    .starts_with(|c: char| c.is_ascii_alphabetic() || c == '_') =>
            {
                "a template expression or shortcode (Jekyll, Zola)"
            }
            _ => continue,
        };
        let close = if rest.starts_with("{{") { "}}" } else { "%}" };
        let end = rest.find(close).map_or(rest.len(), |i| i + close.len());
        let cut = rest[..end].char_indices().nth(60).map_or(end, |(i, _)| i);
        return Some((kind, &rest[..cut]));
    }
    None
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
    fn other_generators_template_syntax_is_recognised() {
        let found =
            |text| template_syntax(text).map(|(kind, tag)| (kind.split(' ').nth(1).unwrap(), tag));
        assert_eq!(
            found("a {{< figure src=x >}} b"),
            Some(("Hugo", "{{< figure src=x >}}"))
        );
        assert_eq!(found("{{% note %}}"), Some(("Hugo", "{{% note %}}")));
        assert_eq!(found("x {% raw %} y"), Some(("Liquid", "{% raw %}")));
        assert_eq!(
            found("{{ site.url }}/a"),
            Some(("template", "{{ site.url }}"))
        );
        assert_eq!(
            found("{{youtube(id=1)}}"),
            Some(("template", "{{youtube(id=1)}}"))
        );
        assert_eq!(found("{{< unclosed"), Some(("Hugo", "{{< unclosed")));
        let long = format!("{{{{< x {} >}}}}", "é".repeat(100));
        assert_eq!(found(&long).unwrap().1.chars().count(), 60);
        for quiet in [
            "{{1}}",
            "{{ }}",
            "{x}",
            "{",
            "a {{",
            "set {a, b}",
            "{{- 2 }}",
        ] {
            assert_eq!(found(quiet), None, "{quiet}");
        }
    }

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
