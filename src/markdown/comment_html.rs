//! The second layer of comment safety, checked instead of re-parsed.
//!
//! In: the HTML that pulldown-cmark wrote for a comment after the first layer (raw HTML turned into
//! text, images dropped, unsafe links unlinked). Out: that HTML with every tag checked against the
//! allow-list and written exactly as ammonia would write it (`<hr>`, links with
//! `rel="nofollow ugc"`, text escaped the way html5ever serializes it), or `None` for anything that is
//! not in the narrow shape pulldown-cmark writes for the allowed elements.
//!
//! Why: ammonia parses each comment into a DOM, cleans it and serializes it again, which cost a
//! twentieth of a 10,000-post build, to return what the first layer already made safe. This module
//! reads the writer's output once, byte by byte, and accepts only what it can prove harmless: a tag
//! from a fixed list of exact spellings, an `<ol start>` with digits, or a link whose address parses as
//! an absolute `http`, `https` or `mailto` URL (the same test ammonia makes), and text in which `<`,
//! `>` and `&` appear only as pulldown-cmark's own escapes. Whatever else it meets — an attribute it
//! does not know, an entity it did not expect, a carriage return, a relative or unparsable link — it
//! gives up on, and the caller hands the HTML to ammonia as before. A property test checks that when
//! this module accepts, its output is byte for byte ammonia's.

use memchr::memchr;

use super::comments::{ALLOWED_SCHEMES, LINK_REL};

/// Tags that pulldown-cmark writes without attributes and that pass unchanged.
const PLAIN_TAGS: [&str; 31] = [
    "p",
    "/p",
    "em",
    "/em",
    "strong",
    "/strong",
    "del",
    "/del",
    "code",
    "/code",
    "pre",
    "/pre",
    "blockquote",
    "/blockquote",
    "ul",
    "/ul",
    "ol",
    "/ol",
    "li",
    "/li",
    "/a",
    "h3",
    "/h3",
    "h4",
    "/h4",
    "h5",
    "/h5",
    "h6",
    "/h6",
    // Void elements: html5ever writes them without the XHTML slash.
    "hr /",
    "br /",
];

/// The checked and normalized HTML, or `None` when it is not in the shape this module knows.
pub(super) fn verified(html: &str) -> Option<String> {
    let bytes = html.as_bytes();
    let mut out = String::with_capacity(html.len() + html.len() / 8 + 32);
    let mut open = Nesting::default();
    let mut at = 0;
    while at < bytes.len() {
        let lt = memchr(b'<', &bytes[at..]).map_or(bytes.len(), |n| at + n);
        text(&html[at..lt], &mut out)?;
        if lt == bytes.len() {
            break;
        }
        // Attribute values never hold a raw `>`: pulldown-cmark percent-encodes it in addresses and
        // escapes it in titles, so the first one closes the tag.
        let gt = lt + 1 + memchr(b'>', &bytes[lt + 1..])?;
        let name = tag(&html[lt + 1..gt], &mut out)?;
        open.step(name)?;
        at = gt + 1;
    }
    open.stack.is_empty().then_some(out)
}

/// The elements open at a point of the HTML. The HTML parser ammonia uses rebuilds a tree that does
/// not nest the way HTML allows — a link inside a link (pulldown-cmark writes one for an autolink in a
/// link's text), a block inside a paragraph, a stray end tag — so the check accepts only trees that
/// parser would keep as they are.
#[derive(Default)]
struct Nesting {
    stack: Vec<&'static str>,
}

/// Elements that may hold only text and inline elements.
const INLINE_ONLY: [&str; 10] = [
    "p", "h3", "h4", "h5", "h6", "pre", "em", "strong", "del", "code",
];

impl Nesting {
    /// Take one tag (`name`, or `/name` for an end tag); `None` when the parser would restructure.
    fn step(&mut self, name: &'static str) -> Option<()> {
        if let Some(name) = name.strip_prefix('/') {
            return (self.stack.pop()? == name).then_some(());
        }
        let inside = |names: &[&str]| self.stack.iter().any(|open| names.contains(open));
        let ok = match name {
            "a" => !inside(&["a"]),
            "em" | "strong" | "del" | "code" | "br" => true,
            "li" => matches!(self.stack.last(), Some(&"ul" | &"ol")),
            _ => !inside(&INLINE_ONLY) && !inside(&["a"]),
        };
        if !ok {
            return None;
        }
        if name != "br" && name != "hr" {
            self.stack.push(name);
        }
        Some(())
    }
}

/// Text between tags, where pulldown-cmark escaped `&`, `<` and `>` and nothing else.
fn text(text: &str, out: &mut String) -> Option<()> {
    let bytes = text.as_bytes();
    let mut plain = 0;
    let mut at = 0;
    while let Some(n) = special(&bytes[at..]) {
        let i = at + n;
        out.push_str(&text[plain..i]);
        let (written, len) = match bytes[i] {
            b'&' => {
                let entity = ["&amp;", "&lt;", "&gt;"]
                    .into_iter()
                    .find(|e| text[i..].starts_with(e))?;
                (entity, entity.len())
            }
            b'\xC2' if bytes.get(i + 1) == Some(&b'\xA0') => ("&nbsp;", 2),
            b'\xC2' => (&text[i..i + 2], 2),
            _ => return None,
        };
        out.push_str(written);
        at = i + len;
        plain = at;
    }
    out.push_str(&text[plain..]);
    Some(())
}

/// The next byte of text that needs a look: an entity, a stray `>`, a character that the HTML
/// parser would rewrite (`\r`, `\0`), or the first byte of U+00A0. (A `"` in text is written as it
/// is, by pulldown-cmark and html5ever alike.)
fn special(bytes: &[u8]) -> Option<usize> {
    bytes
        .iter()
        .position(|&b| matches!(b, b'&' | b'>' | b'\r' | b'\0' | b'\xC2'))
}

/// One tag (the text between `<` and `>`), written as ammonia writes it; its name (`/name` for an
/// end tag).
fn tag(inner: &str, out: &mut String) -> Option<&'static str> {
    if let Some(plain) = PLAIN_TAGS.iter().find(|t| **t == inner) {
        let name = plain.strip_suffix(" /").unwrap_or(plain);
        out.push('<');
        out.push_str(name);
        out.push('>');
        return Some(name);
    }
    if let Some(start) = inner
        .strip_prefix("ol start=\"")
        .and_then(|s| s.strip_suffix('"'))
    {
        if start.is_empty() || !start.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        out.push('<');
        out.push_str(inner);
        out.push('>');
        return Some("ol");
    }
    link(inner.strip_prefix("a href=\"")?, out)?;
    Some("a")
}

/// The rest of `<a href="…` as pulldown-cmark wrote it: the address, then perhaps ` title="…"`, then
/// the closing quote.
fn link(rest: &str, out: &mut String) -> Option<()> {
    let (href, title) = match rest.split_once("\" title=\"") {
        Some((href, title)) => (href, Some(title.strip_suffix('"')?)),
        None => (rest.strip_suffix('"')?, None),
    };
    let href = decode(href, &[("&amp;", '&'), ("&#x27;", '\'')])?;
    let url = url::Url::parse(&href).ok()?;
    if !ALLOWED_SCHEMES.contains(&url.scheme()) {
        return None;
    }
    out.push_str("<a href=\"");
    attribute(&href, out);
    if let Some(title) = title {
        let title = decode(
            title,
            &[
                ("&amp;", '&'),
                ("&lt;", '<'),
                ("&gt;", '>'),
                ("&quot;", '"'),
                ("&#39;", '\''),
            ],
        )?;
        out.push_str("\" title=\"");
        attribute(&title, out);
    }
    out.push_str("\" rel=\"");
    out.push_str(LINK_REL);
    out.push_str("\">");
    Some(())
}

/// An attribute value with the given entities decoded; `None` for any other `&`, or a byte the HTML
/// parser would rewrite or end the value at.
fn decode(value: &str, entities: &[(&str, char)]) -> Option<String> {
    let mut decoded = String::with_capacity(value.len());
    let mut rest = value;
    while let Some(i) = rest.find(['&', '"', '\r', '\0']) {
        decoded.push_str(&rest[..i]);
        let (entity, c) = entities.iter().find(|(e, _)| rest[i..].starts_with(e))?;
        decoded.push(*c);
        rest = &rest[i + entity.len()..];
    }
    decoded.push_str(rest);
    Some(decoded)
}

/// A value from [`decode`], escaped as html5ever escapes attributes: `&`, `"`, `<`, `>` and U+00A0.
fn attribute(value: &str, out: &mut String) {
    for c in value.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '"' => out.push_str("&quot;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '\u{a0}' => out.push_str("&nbsp;"),
            c => out.push(c),
        }
    }
}
