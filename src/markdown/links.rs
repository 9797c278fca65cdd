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
}

impl<'s, I> CollectLinks<'s, I> {
    pub(crate) fn new(inner: I, lines: &'s LineIndex<'s>, found: &'s mut Found) -> Self {
        CollectLinks {
            inner,
            lines,
            found,
            open: Vec::new(),
        }
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
            _ => {}
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
