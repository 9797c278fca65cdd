//! Every feed is parsed back, with feed-rs as a reader would and with quick-xml as a strict XML
//! parser, rather than compared to snapshots: what matters is what a reader gets out.

use chrono::{DateTime, FixedOffset, Utc};
use feed_rs::model::Feed;
use quick_xml::events::Event;
use quick_xml::Reader;
use serde_json::Value;

use super::{atom, json, rss, FeedItem, FeedMeta};

mod absolutize;

const SITE: &str = "https://tips.example.com";

fn date(text: &str) -> DateTime<FixedOffset> {
    DateTime::parse_from_rfc3339(text).unwrap()
}

fn meta() -> FeedMeta<'static> {
    FeedMeta {
        title: "Route 66 — Networking Tips",
        description: "Practical networking, one tip at a time.",
        language: "en",
        site_url: SITE,
        home_url: "https://tips.example.com/",
        feed_url: "https://tips.example.com/atom.xml",
        generator: "lanyard 0.1.0",
        updated: None,
    }
}

/// A post with full content and relative links, then an older one with only a summary.
fn items() -> Vec<FeedItem<'static>> {
    vec![
        FeedItem {
            title: "Subnetting by hand",
            url: "https://tips.example.com/posts/subnetting/",
            date: date("2024-03-05T09:30:00+01:00"),
            updated: Some(date("2024-03-07T12:00:00+01:00")),
            author: Some("Thom"),
            author_url: Some("https://thom.example.org/?a=1&b=2"),
            categories: vec!["ipv4", "basics"],
            summary_html: "<p>Count the <a href=\"/posts/x/\">bits</a>.</p>",
            content_html: Some(
                "<p>See <a href=\"/posts/x/\">this</a>.</p>\n<img src=\"pic.png\" alt=\"mask\">\n\
                 <img srcset=\"a.png 1x, /b.png 2x\">",
            ),
            absolute: false,
        },
        FeedItem {
            title: "DNS &amp; you",
            url: "https://tips.example.com/posts/dns/",
            date: date("2024-01-02T08:00:00Z"),
            updated: None,
            author: None,
            author_url: None,
            categories: vec![],
            summary_html:
                "<p>It is <em>always</em> DNS.</p><p>Read <a href='../subnetting/'>this</a>.</p>",
            content_html: None,
            absolute: false,
        },
    ]
}

fn parse(text: &str) -> Feed {
    feed_rs::parser::parse(text.as_bytes()).unwrap_or_else(|err| panic!("{err}\n{text}"))
}

/// Reads the whole document with quick-xml, checking end names, attributes and references, and
/// that no character XML 1.0 forbids slipped through.
fn assert_well_formed(xml: &str) {
    let illegal = xml
        .chars()
        .find(|&c| (c.is_control() && !matches!(c, '\t' | '\n' | '\r')) || c == '\u{FFFE}');
    assert_eq!(illegal, None, "{xml}");
    let mut reader = Reader::from_str(xml);
    loop {
        match reader.read_event() {
            Ok(Event::Eof) => break,
            Ok(Event::Start(tag) | Event::Empty(tag)) => {
                for attr in tag.attributes() {
                    attr.unwrap().unescape_value().unwrap();
                }
            }
            Ok(Event::GeneralRef(reference)) => {
                let name = reference.decode().unwrap();
                let known = ["amp", "lt", "gt", "quot", "apos"].contains(&&*name);
                assert!(
                    known || reference.resolve_char_ref().unwrap().is_some(),
                    "&{name};"
                );
            }
            Ok(_) => {}
            Err(err) => panic!("{err} at {}\n{xml}", reader.error_position()),
        }
    }
}

/// The text of every `<name>` element, in order.
fn elements<'x>(xml: &'x str, name: &str) -> Vec<&'x str> {
    let (open, close) = (format!("<{name}>"), format!("</{name}>"));
    xml.split(&open)
        .skip(1)
        .map(|rest| &rest[..rest.find(&close).unwrap()])
        .collect()
}

fn utc(text: &str) -> DateTime<Utc> {
    date(text).with_timezone(&Utc)
}

fn hrefs(links: &[feed_rs::model::Link]) -> Vec<(&str, Option<&str>)> {
    links
        .iter()
        .map(|link| (link.href.as_str(), link.rel.as_deref()))
        .collect()
}

#[test]
fn rss_reads_back_with_titles_links_ids_dates_and_authors() {
    let xml = rss(&meta(), &items());
    assert_well_formed(&xml);
    let feed = parse(&xml);
    assert_eq!(feed.title.unwrap().content, "Route 66 — Networking Tips");
    assert_eq!(feed.updated, Some(utc("2024-03-07T11:00:00Z")));
    let [first, second] = &feed.entries[..] else {
        panic!("two entries expected")
    };
    assert_eq!(first.title.as_ref().unwrap().content, "Subnetting by hand");
    assert_eq!(first.id, "https://tips.example.com/posts/subnetting/");
    assert_eq!(
        first.links[0].href,
        "https://tips.example.com/posts/subnetting/"
    );
    assert_eq!(first.published, Some(utc("2024-03-05T08:30:00Z")));
    assert_eq!(first.authors[0].name, "Thom");
    let terms: Vec<_> = first.categories.iter().map(|c| c.term.as_str()).collect();
    assert_eq!(terms, ["ipv4", "basics"]);
    // An `&amp;` in a title is text, so it reads back as written.
    assert_eq!(second.title.as_ref().unwrap().content, "DNS &amp; you");
    assert_eq!(second.id, "https://tips.example.com/posts/dns/");
    assert!(second.authors.is_empty());
}

#[test]
fn rss_content_links_come_out_absolute() {
    let feed = parse(&rss(&meta(), &items()));
    let body = feed.entries[0]
        .content
        .as_ref()
        .unwrap()
        .body
        .as_deref()
        .unwrap();
    assert!(
        body.contains(r#"<a href="https://tips.example.com/posts/x/">this</a>"#),
        "{body}"
    );
    assert!(body.contains(r#"src="https://tips.example.com/posts/subnetting/pic.png""#));
    assert!(body
        .contains(r#"srcset="https://tips.example.com/posts/subnetting/a.png 1x, https://tips.example.com/b.png 2x""#));
    let summary = &feed.entries[1].summary.as_ref().unwrap().content;
    assert!(
        summary.contains(r#"href='https://tips.example.com/posts/subnetting/'"#),
        "{summary}"
    );
    // Summary-only items have no `content:encoded`.
    assert!(feed.entries[1].content.is_none());
}

#[test]
fn rss_dates_are_rfc_822_and_self_link_is_declared() {
    let xml = rss(&meta(), &items());
    let dates = [elements(&xml, "lastBuildDate"), elements(&xml, "pubDate")].concat();
    assert_eq!(
        dates,
        [
            "Thu, 7 Mar 2024 12:00:00 +0100",
            "Tue, 5 Mar 2024 09:30:00 +0100",
            "Tue, 2 Jan 2024 08:00:00 +0000"
        ]
    );
    for text in dates {
        DateTime::parse_from_rfc2822(text).unwrap();
    }
    assert!(xml.contains(r#"<rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom""#));
    assert!(
        xml.contains(r#"<atom:link href="https://tips.example.com/atom.xml" rel="self" type="application/rss+xml"/>"#)
    );
    assert!(xml.contains(r#"<guid isPermaLink="true">https://tips.example.com/posts/dns/</guid>"#));
    // RSS `<author>` must be an e-mail address; names go in `dc:creator`.
    assert!(!xml.contains("<author>"));
}

#[test]
fn rss_without_items_or_date_has_no_last_build_date() {
    let xml = rss(&meta(), &[]);
    assert_well_formed(&xml);
    assert!(!xml.contains("lastBuildDate"));
    assert!(parse(&xml).entries.is_empty());
}

#[test]
fn atom_reads_back_with_ids_links_dates_and_authors() {
    let xml = atom(&meta(), &items());
    assert_well_formed(&xml);
    let feed = parse(&xml);
    assert_eq!(feed.id, "https://tips.example.com/");
    assert_eq!(feed.title.unwrap().content, "Route 66 — Networking Tips");
    assert_eq!(feed.updated, Some(utc("2024-03-07T11:00:00Z")));
    assert_eq!(
        hrefs(&feed.links),
        [
            ("https://tips.example.com/", Some("alternate")),
            ("https://tips.example.com/atom.xml", Some("self")),
        ]
    );
    let [first, second] = &feed.entries[..] else {
        panic!("two entries expected")
    };
    assert_eq!(first.id, "https://tips.example.com/posts/subnetting/");
    assert_eq!(first.title.as_ref().unwrap().content, "Subnetting by hand");
    assert_eq!(
        hrefs(&first.links),
        [(
            "https://tips.example.com/posts/subnetting/",
            Some("alternate")
        )]
    );
    assert_eq!(first.published, Some(utc("2024-03-05T08:30:00Z")));
    assert_eq!(first.updated, Some(utc("2024-03-07T11:00:00Z")));
    assert_eq!(first.authors[0].name, "Thom");
    assert_eq!(
        first.authors[0].uri.as_deref(),
        Some("https://thom.example.org/?a=1&b=2")
    );
    assert_eq!(first.categories[0].term, "ipv4");
    // No author and no update: the feed title stands in, `updated` is the publication date.
    assert_eq!(second.authors[0].name, "Route 66 — Networking Tips");
    assert_eq!(second.authors[0].uri, None);
    assert_eq!(second.updated, Some(utc("2024-01-02T08:00:00Z")));
}

#[test]
fn atom_content_links_come_out_absolute() {
    let feed = parse(&atom(&meta(), &items()));
    let content = feed.entries[0].content.as_ref().unwrap();
    assert_eq!(content.content_type.essence().to_string(), "text/html");
    let body = content.body.as_deref().unwrap();
    assert!(
        body.contains(r#"href="https://tips.example.com/posts/x/""#),
        "{body}"
    );
    assert!(body.contains(r#"src="https://tips.example.com/posts/subnetting/pic.png""#));
    let summary = feed.entries[0].summary.as_ref().unwrap();
    assert!(summary
        .content
        .contains(r#"href="https://tips.example.com/posts/x/""#));
    assert!(feed.entries[1].content.is_none());
}

#[test]
fn atom_dates_are_rfc_3339_and_empty_feed_uses_meta_updated() {
    let xml = atom(&meta(), &items());
    assert_eq!(
        elements(&xml, "published"),
        ["2024-03-05T09:30:00+01:00", "2024-01-02T08:00:00+00:00"]
    );
    let meta = FeedMeta {
        updated: Some(date("2023-12-31T23:00:00Z")),
        ..meta()
    };
    let xml = atom(&meta, &[]);
    assert_well_formed(&xml);
    assert_eq!(elements(&xml, "updated"), ["2023-12-31T23:00:00+00:00"]);
}

#[test]
fn atom_without_any_date_still_has_updated() {
    let xml = atom(&meta(), &[]);
    assert_eq!(parse(&xml).updated.map(|_| ()), Some(()));
}

#[test]
fn json_feed_is_version_1_1_with_absolute_content() {
    let text = json(&meta(), &items());
    let feed: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(feed["version"], "https://jsonfeed.org/version/1.1");
    assert_eq!(feed["home_page_url"], "https://tips.example.com/");
    assert_eq!(feed["feed_url"], "https://tips.example.com/atom.xml");
    assert_eq!(feed["language"], "en");
    let first = &feed["items"][0];
    assert_eq!(first["id"], "https://tips.example.com/posts/subnetting/");
    assert_eq!(first["url"], "https://tips.example.com/posts/subnetting/");
    assert_eq!(first["date_published"], "2024-03-05T09:30:00+01:00");
    assert_eq!(first["date_modified"], "2024-03-07T12:00:00+01:00");
    assert_eq!(first["authors"][0]["name"], "Thom");
    assert_eq!(
        first["authors"][0]["url"],
        "https://thom.example.org/?a=1&b=2"
    );
    assert_eq!(first["tags"], serde_json::json!(["ipv4", "basics"]));
    let content = first["content_html"].as_str().unwrap();
    assert!(content.contains(r#"href="https://tips.example.com/posts/x/""#));
    assert!(content.contains(r#"src="https://tips.example.com/posts/subnetting/pic.png""#));
    // `summary` is plain text; a summary-only item carries its HTML in `content_html`.
    assert_eq!(first["summary"], "Count the bits.");
    let second = &feed["items"][1];
    assert_eq!(second["summary"], "It is always DNS. Read this.");
    assert!(second["content_html"]
        .as_str()
        .unwrap()
        .contains("<em>always</em>"));
    assert!(second.get("date_modified").is_none() && second.get("authors").is_none());
}

#[test]
fn json_feed_reads_back_with_feed_rs() {
    let feed = parse(&json(&meta(), &items()));
    assert_eq!(feed.entries.len(), 2);
    assert_eq!(
        feed.entries[0].id,
        "https://tips.example.com/posts/subnetting/"
    );
    assert_eq!(feed.entries[0].published, Some(utc("2024-03-05T08:30:00Z")));
    assert_eq!(
        feed.entries[1].title.as_ref().unwrap().content,
        "DNS &amp; you"
    );
}

const HOSTILE_TITLE: &str =
    "]]> <script>alert('x')</script> & \u{1}\u{0}\u{1b}\u{7f}\u{85}\u{FFFE}\u{FFFF} 🦀 שלום עולם";
const HOSTILE_CLEAN: &str = "]]> <script>alert('x')</script> &  🦀 שלום עולם";

fn hostile_items() -> Vec<FeedItem<'static>> {
    vec![FeedItem {
        title: HOSTILE_TITLE,
        url: "https://tips.example.com/posts/hostile/?a=1&b=2",
        date: date("2024-05-01T00:00:00-07:00"),
        updated: None,
        author: Some("O'Brien & \"Sons\" \u{2}"),
        author_url: Some("https://tips.example.com/authors/o-brien/?x=<\u{2}>"),
        categories: vec!["a&b", "<tag>", "\u{3}ok"],
        summary_html: "<p>]]></p><![CDATA[ x ]]>",
        content_html: Some("<pre>]]]]>&lt;\u{8}</pre><a href=\"/x?a=1&amp;b=2\">ok</a>"),
        absolute: false,
    }]
}

fn hostile_meta() -> FeedMeta<'static> {
    FeedMeta {
        title: HOSTILE_TITLE,
        description: "‏עברית RTL \u{202E}override\u{202C} ]]>",
        ..meta()
    }
}

#[test]
fn hostile_text_survives_rss_and_atom() {
    for xml in [
        rss(&hostile_meta(), &hostile_items()),
        atom(&hostile_meta(), &hostile_items()),
    ] {
        assert_well_formed(&xml);
        let feed = parse(&xml);
        assert_eq!(feed.title.unwrap().content, HOSTILE_CLEAN);
        let entry = &feed.entries[0];
        assert_eq!(entry.title.as_ref().unwrap().content, HOSTILE_CLEAN);
        assert_eq!(entry.id, "https://tips.example.com/posts/hostile/?a=1&b=2");
        assert_eq!(entry.authors[0].name.trim_end(), "O'Brien & \"Sons\"");
        let terms: Vec<_> = entry.categories.iter().map(|c| c.term.as_str()).collect();
        assert_eq!(terms, ["a&b", "<tag>", "ok"]);
        let body = entry.content.as_ref().unwrap().body.as_deref().unwrap();
        assert!(body.starts_with("<pre>]]]]>&lt;</pre>"), "{body}");
        assert!(
            body.contains(r#"href="https://tips.example.com/x?a=1&amp;b=2""#),
            "{body}"
        );
    }
}

#[test]
fn hostile_text_survives_json() {
    let text = json(&hostile_meta(), &hostile_items());
    let feed: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(feed["title"], HOSTILE_CLEAN);
    assert_eq!(feed["items"][0]["title"], HOSTILE_CLEAN);
    assert_eq!(feed["items"][0]["tags"][2], "ok");
    assert_eq!(
        feed["items"][0]["authors"][0]["url"],
        "https://tips.example.com/authors/o-brien/?x=<>"
    );
    assert_eq!(
        parse(&text).entries[0].title.as_ref().unwrap().content,
        HOSTILE_CLEAN
    );
}

#[test]
fn output_is_deterministic_and_keeps_item_order() {
    let mut items = items();
    for write in [rss, atom, json] {
        assert_eq!(write(&meta(), &items), write(&meta(), &items));
    }
    items.reverse();
    for write in [rss, atom, json] {
        let ids: Vec<_> = parse(&write(&meta(), &items))
            .entries
            .into_iter()
            .map(|entry| entry.id)
            .collect();
        assert_eq!(
            ids,
            [
                "https://tips.example.com/posts/dns/",
                "https://tips.example.com/posts/subnetting/"
            ]
        );
    }
}

// An item whose links are absolute already is written as it is, in every format.
#[test]
fn items_marked_absolute_are_not_rewritten() {
    let relative = items().remove(0);
    let absolute = FeedItem {
        absolute: true,
        ..relative.clone()
    };
    for write in [rss, atom, json] {
        let kept = write(&meta(), std::slice::from_ref(&absolute));
        let made = write(&meta(), std::slice::from_ref(&relative));
        assert!(
            kept.contains("pic.png") && !kept.contains("subnetting/pic.png"),
            "{kept}"
        );
        assert!(made.contains("subnetting/pic.png"), "{made}");
    }
}

// Guards against chrono's `to_rfc2822` panic on years past 9999.
#[test]
fn dates_beyond_year_9999_do_not_panic() {
    let items = vec![FeedItem {
        date: date("9999-12-31T23:59:59Z") + chrono::Duration::days(400),
        ..items().remove(1)
    }];
    for write in [rss, atom, json] {
        assert!(write(&meta(), &items).contains("10001"));
    }
}

#[test]
fn json_summary_is_flattened_to_plain_text() {
    let summary =
        "<h2>Why</h2><p>A&nbsp;<b>b</b>&#x1F980;</p><!-- <p>no</p> -->c &amp; d<br>e &bogus; 1 < 2";
    let items = vec![FeedItem {
        summary_html: summary,
        ..items().remove(1)
    }];
    let feed: Value = serde_json::from_str(&json(&meta(), &items)).unwrap();
    assert_eq!(
        feed["items"][0]["summary"],
        "Why A b🦀 c & d e &bogus; 1 < 2"
    );
}

proptest::proptest! {
    /// The byte scan of `clean` finds exactly the characters its definition drops.
    #[test]
    fn clean_drops_what_the_definition_drops(text in "(\\PC|[\u{0}-\u{1f}\u{7f}-\u{9f}\u{fffe}\u{ffff}]){0,30}") {
        let expected: String = text
            .chars()
            .filter(|&c| matches!(c, '\t' | '\n' | '\r') || !(c.is_control() || c == '\u{FFFE}' || c == '\u{FFFF}'))
            .collect();
        proptest::prop_assert_eq!(super::clean(&text), expected);
    }
}

#[test]
fn rss_without_a_site_description_describes_the_channel_by_its_title() {
    let xml = rss(
        &FeedMeta {
            description: "",
            ..meta()
        },
        &items(),
    );
    assert_well_formed(&xml);
    let feed = parse(&xml);
    assert_eq!(
        feed.description.unwrap().content,
        "Route 66 — Networking Tips"
    );
}
