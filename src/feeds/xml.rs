//! A thin layer over quick-xml's `Writer` shared by the RSS and Atom writers: every text and
//! attribute value passes through [`clean`] and quick-xml's escaping, so callers can hand it any
//! string.

use std::borrow::Cow;

use quick_xml::events::{BytesDecl, BytesEnd, BytesStart, BytesText, Event};
use quick_xml::Writer;

use super::clean;

/// An XML document being written into memory, indented by two spaces.
pub(super) struct XmlDoc {
    writer: Writer<Vec<u8>>,
}

impl XmlDoc {
    /// Starts a document with its `<?xml version="1.0" encoding="utf-8"?>` declaration, with room for
    /// about `capacity` bytes (a feed of twenty full posts is a few hundred kilobytes: growing to that
    /// by doubling copies it over and over).
    pub(super) fn with_capacity(capacity: usize) -> Self {
        let mut doc = XmlDoc {
            writer: Writer::new_with_indent(Vec::with_capacity(capacity), b' ', 2),
        };
        doc.emit(Event::Decl(BytesDecl::new("1.0", Some("utf-8"), None)));
        doc
    }

    /// `<name attrs…>`; pair it with [`close`](Self::close).
    pub(super) fn open(&mut self, name: &str, attrs: &[(&str, &str)]) {
        self.emit(Event::Start(start(name, attrs)));
    }

    /// `</name>`.
    pub(super) fn close(&mut self, name: &str) {
        self.emit(Event::End(BytesEnd::new(name)));
    }

    /// `<name attrs…/>`.
    pub(super) fn empty(&mut self, name: &str, attrs: &[(&str, &str)]) {
        self.emit(Event::Empty(start(name, attrs)));
    }

    /// `<name attrs…>text</name>`, the text escaped. Only `<`, `>` and `&` need escaping in
    /// text; leaving quotes alone keeps HTML content readable and a third shorter.
    pub(super) fn text(&mut self, name: &str, attrs: &[(&str, &str)], text: &str) {
        self.open(name, attrs);
        let cleaned = clean(text);
        self.emit(Event::Text(BytesText::from_escaped(escape_text(&cleaned))));
        self.close(name);
    }

    /// The finished document, ending in a newline.
    pub(super) fn finish(self) -> String {
        let bytes = self.writer.into_inner();
        // Only `&str` went in, so the bytes are UTF-8; the lossy path never runs.
        let mut out = String::from_utf8(bytes)
            .unwrap_or_else(|err| String::from_utf8_lossy(err.as_bytes()).into_owned());
        out.push('\n');
        out
    }

    fn emit(&mut self, event: Event) {
        // Writing into a `Vec<u8>` cannot fail.
        self.writer
            .write_event(event)
            .expect("writing XML into memory cannot fail");
    }
}

/// `<`, `>` and `&` as entities, the rest as it is (what quick-xml's `partial_escape` does), found with
/// `memchr`: a feed body is mostly text between a few hundred tags.
fn escape_text(text: &str) -> Cow<'_, str> {
    let bytes = text.as_bytes();
    let mut found = memchr::memchr3_iter(b'<', b'>', b'&', bytes).peekable();
    if found.peek().is_none() {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + text.len() / 4);
    let mut from = 0;
    for at in found {
        out.push_str(&text[from..at]);
        out.push_str(match bytes[at] {
            b'<' => "&lt;",
            b'>' => "&gt;",
            _ => "&amp;",
        });
        from = at + 1;
    }
    out.push_str(&text[from..]);
    Cow::Owned(out)
}

fn start<'a>(name: &'a str, attrs: &'a [(&'a str, &'a str)]) -> BytesStart<'a> {
    BytesStart::new(name).with_attributes(attrs.iter().map(|&(key, value)| (key, clean(value))))
}

#[cfg(test)]
mod tests {
    use super::escape_text;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn escapes_like_quick_xml(text in "[a-z<>&\"' é\n]{0,40}") {
            prop_assert_eq!(escape_text(&text), quick_xml::escape::partial_escape(&text));
        }
    }
}
