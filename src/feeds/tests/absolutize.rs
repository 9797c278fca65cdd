//! `absolutize` on its own: quoting, case, resolution rules, what it must not touch, and speed.

use super::super::absolutize;

const SITE: &str = "https://tips.example.com";
const PAGE: &str = "https://tips.example.com/posts/subnetting/";

fn abs(html: &str) -> String {
    absolutize(html, SITE, PAGE)
}

#[test]
fn root_relative_resolves_against_the_site_and_relative_against_the_page() {
    assert_eq!(
        abs(r#"<a href="/posts/x/">x</a><img src="pic.png">"#),
        r#"<a href="https://tips.example.com/posts/x/">x</a><img src="https://tips.example.com/posts/subnetting/pic.png">"#
    );
    assert_eq!(
        abs(r#"<a href="../dns/#top">"#),
        r#"<a href="https://tips.example.com/posts/dns/#top">"#
    );
    assert_eq!(
        abs(r#"<a href="./a/./b/../c?x=1&amp;y=2#f">"#),
        r#"<a href="https://tips.example.com/posts/subnetting/a/c?x=1&amp;y=2#f">"#
    );
}

#[test]
fn fragments_queries_and_empty_values_point_at_the_page() {
    assert_eq!(
        abs(r##"<a href="#h">"##),
        format!(r##"<a href="{PAGE}#h">"##)
    );
    assert_eq!(
        abs(r#"<a href="?p=2">"#),
        format!(r#"<a href="{PAGE}?p=2">"#)
    );
    assert_eq!(abs(r#"<a href="">"#), format!(r#"<a href="{PAGE}">"#));
    let page = "https://tips.example.com/search.html?q=dns#old";
    assert_eq!(
        absolutize(r##"<a href="#h">"##, SITE, page),
        r##"<a href="https://tips.example.com/search.html?q=dns#h">"##
    );
}

#[test]
fn a_file_page_resolves_against_its_folder() {
    let page = "https://tips.example.com/posts/a.html";
    assert_eq!(
        absolutize("<img src=b.png>", SITE, page),
        r#"<img src="https://tips.example.com/posts/b.png">"#
    );
}

#[test]
fn quotes_of_every_kind_and_any_case() {
    assert_eq!(
        abs(r#"<A HREF='/a' Src=/b data-x=1 poster = "c.jpg">"#),
        concat!(
            r#"<A HREF='https://tips.example.com/a' Src="https://tips.example.com/b" data-x=1 "#,
            r#"poster = "https://tips.example.com/posts/subnetting/c.jpg">"#
        )
    );
    assert_eq!(
        abs("<img\nsrc\n=\n'x.png'/>"),
        "<img\nsrc\n=\n'https://tips.example.com/posts/subnetting/x.png'/>"
    );
    assert_eq!(
        abs("<a href=/x>t</a><img src=y/>"),
        r#"<a href="https://tips.example.com/x">t</a><img src="https://tips.example.com/posts/subnetting/y/">"#
    );
}

#[test]
fn absolute_and_protocol_relative_urls_are_left_alone() {
    let html = concat!(
        r#"<a href="https://other.example/x">"#,
        r#"<a href="mailto:me@example.com">"#,
        r#"<a href="//cdn.example/lib.js">"#,
        r#"<img src="data:image/png;base64,AAAA">"#,
        r#"<a href="HTTP://caps.example/">"#,
        r#"<a href="tel:+1-555-0100">"#,
    );
    assert_eq!(abs(html), html);
}

#[test]
fn only_url_attributes_change() {
    let html = r#"<a title="/x" hreflang="en" data-src="y.png" class=href>href="/z" src=/w</a>"#;
    assert_eq!(abs(html), html);
}

#[test]
fn text_comments_and_raw_text_are_untouched() {
    let html = concat!(
        "<p>Write <code>&lt;a href=\"/x\"&gt;</code>, a < b, href=\"/t\"</p>",
        "<!-- <a href=\"/c\"> --><!--><a href=\"/after\">",
        "<script>let s = '<img src=\"/s\">';</script>",
        "<STYLE>a[href=\"/css\"] {}</style >",
        "<textarea><a href=\"/ta\"></textarea>",
    );
    let expected = html.replace("\"/after\"", "\"https://tips.example.com/after\"");
    assert_eq!(abs(html), expected);
}

#[test]
fn dot_segments_never_climb_above_the_site_root() {
    assert_eq!(
        abs(r#"<img src="../../../../../etc/passwd">"#),
        r#"<img src="https://tips.example.com/etc/passwd">"#
    );
    assert_eq!(
        abs(r#"<a href="/../x">"#),
        r#"<a href="https://tips.example.com/x">"#
    );
    assert_eq!(
        abs(r#"<a href="%2e%2E/..">"#),
        r#"<a href="https://tips.example.com/">"#
    );
    let (site, page) = (
        "https://example.com/blog",
        "https://example.com/blog/posts/a/",
    );
    assert_eq!(
        absolutize(
            r#"<a href="../../../../x"><a href="/y"><a href="/../z">"#,
            site,
            page
        ),
        concat!(
            r#"<a href="https://example.com/blog/x">"#,
            r#"<a href="https://example.com/blog/y">"#,
            r#"<a href="https://example.com/blog/z">"#
        )
    );
}

#[test]
fn srcset_candidates_resolve_one_by_one() {
    assert_eq!(
        abs(r#"<img srcset="a.png 1x,/b.png 2x, https://c.example/c.png 3x">"#),
        concat!(
            r#"<img srcset="https://tips.example.com/posts/subnetting/a.png 1x,"#,
            r#"https://tips.example.com/b.png 2x, https://c.example/c.png 3x">"#
        )
    );
    assert_eq!(
        abs(r#"<source SRCSET="s.webp, m.webp 800w">"#),
        concat!(
            r#"<source SRCSET="https://tips.example.com/posts/subnetting/s.webp, "#,
            r#"https://tips.example.com/posts/subnetting/m.webp 800w">"#
        )
    );
}

#[test]
fn non_ascii_text_and_urls_pass_through() {
    assert_eq!(
        abs(r#"<p dir="rtl">שלום 🦀</p><img alt="日本" src="ü.png">"#),
        r#"<p dir="rtl">שלום 🦀</p><img alt="日本" src="https://tips.example.com/posts/subnetting/ü.png">"#
    );
}

#[test]
fn malformed_markup_is_copied_not_lost() {
    for html in [
        "<a href=\"/x",
        "<a href='/x' <b",
        "<",
        "<!--",
        "</",
        "<a",
        "<a href",
        "x<3",
    ] {
        let out = abs(html);
        assert!(out.len() >= html.len(), "{html:?} became {out:?}");
    }
    assert_eq!(abs("<a href=\"/x"), "<a href=\"/x");
}

// A quadratic scan (re-searching from the start, or per `<`) takes minutes on this input.
#[test]
fn pathological_input_stays_linear() {
    let n = 200_000;
    let inputs = [
        "<a href=x ".repeat(n),
        "<".repeat(n),
        "<script>".to_owned() + &"</scrip".repeat(n),
        "<img srcset=\"".to_owned() + &"a ,".repeat(n) + "\">",
    ];
    let start = std::time::Instant::now();
    for html in &inputs {
        abs(html);
    }
    assert!(start.elapsed() < std::time::Duration::from_secs(5));
}

#[test]
fn the_base_path_goes_before_root_relative_urls_only() {
    use super::super::with_base_path;
    let html = r##"<a href="/posts/x/#a">x</a> <img src='/i.png' srcset="/i.png 1x, /i@2x.png 2x, b.png 3x"> <a href=/tags/>t</a> <a href="rel/">r</a> <a href="//cdn.example/x">c</a> <a href="https://example.org/y">o</a> <a href="#top">t</a> <script>let u = "<a href=\"/no/\">";</script> <code>href="/text/"</code>"##;
    assert_eq!(
        with_base_path(html, "/blog"),
        r##"<a href="/blog/posts/x/#a">x</a> <img src='/blog/i.png' srcset="/blog/i.png 1x, /blog/i@2x.png 2x, b.png 3x"> <a href="/blog/tags/">t</a> <a href="rel/">r</a> <a href="//cdn.example/x">c</a> <a href="https://example.org/y">o</a> <a href="#top">t</a> <script>let u = "<a href=\"/no/\">";</script> <code>href="/text/"</code>"##
    );
    // A base path an attribute cannot hold as it is comes out escaped.
    assert_eq!(
        with_base_path(r#"<a href="/x/">"#, "/a&b"),
        r#"<a href="/a&amp;b/x/">"#
    );
    // No base path: the same HTML, not even copied.
    assert!(matches!(
        with_base_path(html, ""),
        std::borrow::Cow::Borrowed(same) if same == html
    ));
}

#[test]
fn links_outside_the_base_path_are_found_once_each() {
    use super::super::outside_base_path;
    let html = r#"<link href="/blog/style.css"><a href="/blog">home</a><a href="/style.css">a</a>
        <a href="/blogroll/">b</a><img src="/style.css"><a href="x/">c</a><a href="//cdn/x">d</a>
        <a href="/?q=1">e</a><a href="https://ex.com/">f</a>"#;
    assert_eq!(
        outside_base_path(html, "/blog"),
        vec!["/style.css", "/blogroll/", "/?q=1"]
    );
    assert!(outside_base_path(r#"<a href="/blog/x/">"#, "/blog").is_empty());
    // An attribute holds the base path escaped.
    assert!(outside_base_path(r#"<a href="/a&amp;b/x/">"#, "/a&b").is_empty());
    assert!(outside_base_path(r#"<a href="/it&#39;s/x/">"#, "/it's").is_empty());
    assert_eq!(
        outside_base_path(r#"<a href="/a&amp;c/">"#, "/a&b"),
        ["/a&amp;c/"]
    );
}
