//! A thin layer over quick-xml's `Writer` shared by the RSS and Atom writers: every text and
//! attribute value passes through [`clean`] and quick-xml's escaping, so callers can hand it any
//! string.

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
        // An empty text event tells the indenting writer that text follows (so the end tag stays on
        // this line); the text itself is escaped straight into the document, without a copy.
        self.emit(Event::Text(BytesText::from_escaped("")));
        escape_text(&clean(text), self.writer.get_mut());
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

/// `<`, `>` and `&` as entities, the rest as it is (what quick-xml's `partial_escape` does), appended
/// to `out`. A feed body is HTML, with a tag every few dozen bytes, so this uses pulldown-cmark's
/// escaper for HTML text, which looks at sixteen bytes at a time and is exactly this escape.
fn escape_text(text: &str, out: &mut Vec<u8>) {
    // Writing into a `Vec<u8>` cannot fail.
    let _ =
        pulldown_cmark_escape::escape_html_body_text(pulldown_cmark_escape::IoWriter(out), text);
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
        fn escapes_like_quick_xml(text in "[a-z<>&\"' é\n]{0,80}") {
            let mut out = Vec::new();
            escape_text(&text, &mut out);
            prop_assert_eq!(String::from_utf8(out).unwrap(), quick_xml::escape::partial_escape(&text));
        }
    }
}
