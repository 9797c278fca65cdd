//! Feeds read back: every generated feed is parsed again, because a feed that a reader rejects fails
//! silently for every subscriber, long after the build said "ok".
//!
//! Two passes, since feed readers differ in how much they forgive: a strict XML (or JSON) parse first,
//! which also finds the line of a syntax error, then a feed reader's own parser (feed-rs), which knows
//! what RSS, Atom and JSON Feed must contain.

use quick_xml::events::Event;
use quick_xml::Reader;

use crate::error::{line_of_offset, Diagnostic, Lint};

/// An error naming `path` (an output file) if `bytes` do not parse as a feed.
pub fn read_back(path: &str, bytes: &[u8]) -> Option<Diagnostic> {
    let syntax = if path.ends_with(".json") {
        serde_json::from_slice::<serde_json::Value>(bytes)
            .err()
            .map(|e| (Some(e.line()), e.to_string()))
    } else {
        xml_error(bytes).map(|(line, e)| (Some(line), e))
    };
    let (line, why) = syntax.or_else(|| {
        feed_rs::parser::parse(bytes)
            .err()
            .map(|e| (None, e.to_string()))
    })?;
    let message = format!("the generated feed does not parse back: {why}");
    Some(Diagnostic::error(path, line, message).with_lint(Lint::BadFeed))
}

/// The line and text of the first XML syntax error, if the document has one.
fn xml_error(bytes: &[u8]) -> Option<(usize, String)> {
    let text = String::from_utf8_lossy(bytes);
    let mut reader = Reader::from_str(&text);
    loop {
        match reader.read_event() {
            Ok(Event::Eof) => return None,
            Ok(_) => {}
            Err(e) => {
                let at = usize::try_from(reader.error_position()).unwrap_or(usize::MAX);
                return Some((line_of_offset(&text, at), e.to_string()));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_good_feed_passes() {
        let rss = br#"<?xml version="1.0"?><rss version="2.0"><channel><title>T</title><link>https://x.org/</link>
<description>D</description><item><title>A</title><link>https://x.org/a/</link></item></channel></rss>"#;
        assert_eq!(read_back("rss.xml", rss), None);
        let json = br#"{"version": "https://jsonfeed.org/version/1.1", "title": "T", "items": []}"#;
        assert_eq!(read_back("feed.json", json), None);
    }

    #[test]
    fn a_broken_feed_names_the_line() {
        let broken = b"<?xml version=\"1.0\"?>\n<rss version=\"2.0\">\n<channel><title>T</titel>\n</channel></rss>";
        let d = read_back("tags/x/rss.xml", broken).expect("an error");
        assert_eq!(d.place(), "tags/x/rss.xml:3");
        assert!(
            d.message
                .starts_with("the generated feed does not parse back: "),
            "{}",
            d.message
        );
        let d = read_back("feed.json", b"{\n\"version\": \n").expect("an error");
        assert_eq!(d.place(), "feed.json:3");
    }
}
