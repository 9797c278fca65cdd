//! [`render_comment`] against filter-evasion vectors in the style of the OWASP XSS cheat sheet.
//!
//! Raw HTML in a comment is shown as text, so an attack string may survive *as escaped text*
//! (`&lt;a href="javascript:…"&gt;`), which is harmless. The checks therefore look at the real tags
//! of the output: every literal `<` in it starts a tag, since text `<` is `&lt;`.

use super::render_comment;

const VECTORS: &[&str] = &[
    "<script>alert(1)</script>",
    "<SCRIPT SRC=http://xss.example/xss.js></SCRIPT>",
    "<<script>script>alert(1)<</script>/script>",
    "<img src=x onerror=alert(1)>",
    "<IMG SRC=JaVaScRiPt:alert('XSS')>",
    "<svg onload=alert(1)>",
    "<svg><script>alert(1)</script></svg>",
    "<iframe src=\"javascript:alert(1)\"></iframe>",
    "<style>body{background:url(javascript:alert(1))}</style>",
    "<div style=\"background:url(javascript:alert(1))\">x</div>",
    "<a style=\"position:fixed;top:0\" href=\"https://ok.example\">x</a>",
    "<body onload=alert(1)>",
    "<details open ontoggle=alert(1)>",
    "<xss onafterscriptexecute=alert(1)>x</xss>",
    "<object data=\"javascript:alert(1)\"></object>",
    "<embed src=\"javascript:alert(1)\">",
    "<form action=\"javascript:alert(1)\"><input type=submit></form>",
    "<button formaction=\"javascript:alert(1)\">x</button>",
    "<meta http-equiv=\"refresh\" content=\"0;url=javascript:alert(1)\">",
    "<base href=\"javascript:alert(1)//\">",
    "<link rel=stylesheet href=\"javascript:alert(1)\">",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    "<math href=\"javascript:alert(1)\">x</math>",
    "<a href=\"javascript:alert(1)\">x</a>",
    "<a href=\"  javascript:alert(1)\">x</a>",
    "<a href=\"&#106;avascript:alert(1)\">x</a>",
    "<a href=\"data:text/html,<script>alert(1)</script>\">x</a>",
    "Text <b onmouseover=alert(1)>inline</b> html",
    "<!--<script>alert(1)</script>-->",
    "[x](javascript:alert(1))",
    "[x](JaVaScRiPt:alert(1))",
    "[x](  javascript:alert(1))",
    "[x](<javascript:alert(1)>)",
    "[x](&#106;avascript:alert(1))",
    "[x](&#x6A;&#x61;&#x76;&#x61;&#x73;&#x63;&#x72;&#x69;&#x70;&#x74;&#x3A;alert(1))",
    "[x](jav&#x09;ascript:alert(1))",
    "[x](jav&#x0A;ascript:alert(1))",
    "[x](javascript&colon;alert(1))",
    "[x](vbscript:msgbox(1))",
    "[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "[x](file:///etc/passwd)",
    "[x](//evil.example/x)",
    "[x][r]\n\n[r]: javascript:alert(1)",
    "<javascript:alert(1)>",
    "<JAVASCRIPT:alert(1)>",
    "<vbscript:msgbox(1)>",
    "![x](javascript:alert(1))",
    "![x](data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+)",
    "![x\" onerror=\"alert(1)](https://ok.example/a.png)",
    "[x](https://ok.example/\" onmouseover=\"alert(1))",
    "[x](https://ok.example \"t\\\" onmouseover=\\\"alert(1)\")",
    "# <img src=x onerror=alert(1)>",
    "`<script>alert(1)</script>`",
    "```html\n<script>alert(1)</script>\n```",
];

const ALLOWED_TAGS: &[&str] = &[
    "p",
    "br",
    "em",
    "strong",
    "del",
    "code",
    "pre",
    "blockquote",
    "ul",
    "ol",
    "li",
    "a",
    "hr",
    "h3",
    "h4",
    "h5",
    "h6",
];

/// A tag of the output: its lowercase name (with `/` for an end tag) and attributes.
#[derive(Debug)]
struct TagView {
    name: String,
    attrs: Vec<(String, String)>,
}

/// The tags of serialized HTML, where attribute values are double-quoted.
fn tags(html: &str) -> Vec<TagView> {
    let mut found = Vec::new();
    let mut rest = html;
    while let Some(start) = rest.find('<') {
        let after = &rest[start + 1..];
        let mut in_quotes = false;
        let end = after
            .char_indices()
            .find(|&(_, c)| {
                if c == '"' {
                    in_quotes = !in_quotes;
                }
                c == '>' && !in_quotes
            })
            .map_or(after.len(), |(i, _)| i);
        found.push(parse_tag(&after[..end]));
        rest = &after[end..];
    }
    found
}

fn parse_tag(inner: &str) -> TagView {
    let inner = inner.trim_end_matches('/');
    let name_end = inner.find(char::is_whitespace).unwrap_or(inner.len());
    let mut attrs = Vec::new();
    let mut rest = inner[name_end..].trim_start();
    while !rest.is_empty() {
        let key_end = rest.find(['=', ' ']).unwrap_or(rest.len());
        let key = rest[..key_end].to_ascii_lowercase();
        rest = &rest[key_end..];
        let mut value = String::new();
        if let Some(quoted) = rest.strip_prefix("=\"") {
            let close = quoted.find('"').unwrap_or(quoted.len());
            value = quoted[..close].to_string();
            rest = quoted.get(close + 1..).unwrap_or("");
        }
        attrs.push((key, value));
        rest = rest.trim_start();
    }
    TagView {
        name: inner[..name_end].to_ascii_lowercase(),
        attrs,
    }
}

/// What a browser would see as the scheme: whitespace and control characters are ignored.
fn normalized_url(value: &str) -> String {
    value
        .replace("&amp;", "&")
        .chars()
        .filter(|c| !c.is_whitespace() && !c.is_control())
        .collect::<String>()
        .to_ascii_lowercase()
}

fn assert_safe(input: &str, out: &str) {
    let lower = out.to_ascii_lowercase();
    for needle in [
        "<script", "<iframe", "<style", "<object", "<embed", "<form", "<img", "<svg", "<math",
        "<meta", "<base", "<link", "<input", "<button", "<div", "<body", "<details",
    ] {
        assert!(
            !lower.contains(needle),
            "{needle} in {out:?} (from {input:?})"
        );
    }
    for tag in tags(out) {
        let name = tag.name.trim_start_matches('/');
        assert!(
            ALLOWED_TAGS.contains(&name),
            "tag {name} in {out:?} (from {input:?})"
        );
        for (key, value) in &tag.attrs {
            assert!(
                !key.starts_with("on"),
                "handler {key} in {out:?} (from {input:?})"
            );
            assert!(
                ["href", "title", "rel", "start"].contains(&key.as_str())
                    || (key == "tabindex" && value == "0" && ["pre", "table"].contains(&name)),
                "attribute {key}={value:?} in {out:?} (from {input:?})"
            );
            let url = normalized_url(value);
            for scheme in ["javascript:", "vbscript:", "data:"] {
                assert!(
                    key == "title" || !url.starts_with(scheme),
                    "{scheme} in {out:?} (from {input:?})"
                );
            }
            if key == "href" {
                assert!(
                    ["http://", "https://", "mailto:"]
                        .iter()
                        .any(|s| url.starts_with(s)),
                    "href {value:?} in {out:?} (from {input:?})"
                );
            }
        }
        if name == "a" && !tag.name.starts_with('/') {
            assert!(
                tag.attrs
                    .iter()
                    .any(|(k, v)| k == "rel" && v == "nofollow ugc"),
                "<a> without rel in {out:?} (from {input:?})"
            );
        }
    }
}

#[test]
fn xss_corpus_is_neutralized() {
    assert!(VECTORS.len() >= 25);
    for input in VECTORS {
        assert_safe(input, &render_comment(input));
        // The same vector inside ordinary prose, a list and a quote.
        let wrapped = format!("Hello.\n\n- item {input}\n\n> {input}\n\nBye {input} now.");
        assert_safe(&wrapped, &render_comment(&wrapped));
    }
}

#[test]
fn the_checker_itself_catches_unsafe_html() {
    let caught = |html: &str| std::panic::catch_unwind(|| assert_safe("test", html)).is_err();
    assert!(caught(
        "<a href=\"javascript:alert(1)\" rel=\"nofollow ugc\">x</a>"
    ));
    assert!(caught("<a href=\"https://ok.example\">x</a>"));
    assert!(caught("<p onclick=\"x\">x</p>"));
    assert!(caught("<p style=\"color:red\">x</p>"));
    assert!(caught("<span>x</span>"));
    assert!(!caught("<p>&lt;script&gt; onclick=\"x\"</p>"));
}

#[test]
fn http_and_mailto_links_survive_with_rel() {
    assert_eq!(
        render_comment("See [my site](https://example.com/a?b=1&c=2) or <http://example.org>."),
        "<p>See <a href=\"https://example.com/a?b=1&amp;c=2\" rel=\"nofollow ugc\">my site</a> or \
         <a href=\"http://example.org\" rel=\"nofollow ugc\">http://example.org</a>.</p>\n"
    );
    assert_eq!(
        render_comment("<me@example.com>"),
        "<p><a href=\"mailto:me@example.com\" rel=\"nofollow ugc\">me@example.com</a></p>\n"
    );
}

#[test]
fn dangerous_and_relative_links_lose_their_link_but_keep_their_text() {
    for input in [
        "[click](javascript:alert(1))",
        "[click](/admin)",
        "[click](#top)",
    ] {
        assert_eq!(render_comment(input), "<p>click</p>\n", "{input}");
    }
}

#[test]
fn raw_html_is_shown_as_text() {
    assert_eq!(
        render_comment("Hi <b>there</b>\n\n<div onclick=\"x\">block</div>\n"),
        "<p>Hi &lt;b&gt;there&lt;/b&gt;</p>\n<p>&lt;div onclick=\"x\"&gt;block&lt;/div&gt;\n</p>\n"
    );
}

#[test]
fn comment_markdown_keeps_its_formatting() {
    let out = render_comment(
        "# Title\n\n*em* **strong** ~~del~~ `code`\n\n> quote\n\n3. three\n4. four\n\n---\n\n```rust\nfn f() {}\n```\n",
    );
    assert_eq!(
        out,
        "<h3>Title</h3>\n<p><em>em</em> <strong>strong</strong> <del>del</del> <code>code</code></p>\n\
         <blockquote>\n<p>quote</p>\n</blockquote>\n<ol start=\"3\">\n<li>three</li>\n<li>four</li>\n</ol>\n\
         <hr>\n<pre tabindex=\"0\"><code>fn f() {}\n</code></pre>\n"
    );
}

#[test]
fn images_become_their_alt_text() {
    assert_eq!(
        render_comment("![a cat](https://example.com/cat.png)"),
        "<p>a cat</p>\n"
    );
}

#[test]
fn bare_urls_in_comments_are_links_with_the_comment_rel_and_nothing_else() {
    let html = render_comment(
        "See https://example.com/x?a=1&b=<2> and www.example.org, not javascript://alert(1)",
    );
    assert!(
        html.contains("<a href=\"https://example.com/x?a=1&amp;b=\" rel=\"nofollow ugc\">"),
        "{html}"
    );
    assert!(
        html.contains("<a href=\"http://www.example.org\" rel=\"nofollow ugc\">"),
        "{html}"
    );
    assert!(!html.contains("href=\"javascript"), "{html}");
}

#[test]
fn links_the_sanitizer_cannot_parse_lose_their_tags_not_just_their_href() {
    for body in [
        "[x](http://a.example:99999/)",
        "bare http://a.example:99999/ here",
        "www.javascript:alert(4)",
    ] {
        let html = render_comment(body);
        assert!(!html.contains("<a"), "{body}: {html}");
    }
}

/// The tab stop that code blocks and tables get is added to the cleaned HTML by replacing `<pre>` and
/// `<table>`: that is safe only while nothing but a real tag can read `<pre>` there. A reader's link
/// title holding `<pre>` must stay escaped on both roads (the allow-list check, and ammonia for a
/// comment with a carriage return), or the replacement would close the attribute and let the rest of
/// the title in as markup.
#[test]
fn a_title_holding_pre_cannot_break_out_when_tab_stops_are_added() {
    for md in [
        "[x](https://a.example/ \"<pre><img src=x onerror=alert(1)>\")\n\n```\ncode\n```\n",
        "[x](https://a.example/ \"<pre><img src=x onerror=alert(1)>\")\r\n\n```\ncode\n```\n",
        "<pre>raw</pre>\n\n[x](https://a.example/ '<pre><img src=x onerror=alert(1)>') &weird;\n\n    code\n",
    ] {
        let out = render_comment(md);
        assert!(!out.contains("<img"), "{out}");
        assert_eq!(out.matches("tabindex").count(), 1, "{out}");
        assert_safe(md, &out);
    }
}
