//! A thin layer over quick-xml's `Writer` shared by the RSS and Atom writers: every text and
//! attribute value passes through [`clean`] and quick-xml's escaping, so callers can hand it any
//! string.

use quick_xml::escape::partial_escape;
use quick_xml::events::{BytesDecl, BytesEnd, BytesStart, BytesText, Event};
use quick_xml::Writer;

use super::clean;

/// An XML document being written into memory, indented by two spaces.
pub(super) struct XmlDoc {
    writer: Writer<Vec<u8>>,
}

impl XmlDoc {
    /// Starts a document with its `<?xml version="1.0" encoding="utf-8"?>` declaration.
    pub(super) fn new() -> Self {
        let mut doc = XmlDoc {
            writer: Writer::new_with_indent(Vec::new(), b' ', 2),
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
        let escaped = partial_escape(clean(text));
        self.emit(Event::Text(BytesText::from_escaped(escaped)));
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

fn start<'a>(name: &'a str, attrs: &'a [(&'a str, &'a str)]) -> BytesStart<'a> {
    BytesStart::new(name).with_attributes(attrs.iter().map(|&(key, value)| (key, clean(value))))
}
