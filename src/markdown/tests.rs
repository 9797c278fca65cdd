//! Tests of [`render`] and the highlighter, one concern each.

use super::*;

fn md(markdown: &str) -> Rendered {
    render(markdown, &Highlighter::new())
}

fn toc(level: u32, id: &str, title: &str, children: Vec<TocEntry>) -> TocEntry {
    TocEntry {
        level,
        id: id.to_string(),
        title: title.to_string(),
        children,
    }
}

// --- extensions -------------------------------------------------------------------------------

#[test]
fn tables_render() {
    assert_eq!(
        md("| a | b |\n|---|---|\n| 1 | 2 |\n").html,
        "<table tabindex=\"0\"><thead><tr><th>a</th><th>b</th></tr></thead><tbody>\n\
         <tr><td>1</td><td>2</td></tr>\n</tbody></table>\n"
    );
}

#[test]
fn footnotes_render_reference_and_definition() {
    let out = md("Claim[^src].\n\n[^src]: The source.\n");
    assert!(
        out.html.contains("class=\"footnote-reference\""),
        "{}",
        out.html
    );
    assert!(
        out.html.contains("class=\"footnote-definition\""),
        "{}",
        out.html
    );
    assert!(out.html.contains("The source."));
}

#[test]
fn footnote_labels_stay_ids_unless_a_heading_has_them_or_they_are_no_id() {
    let out = md("Claim[^source] and[^my note], again[^source], then[^note-2].\n\n## Source\n\n## Fn 1\n\n[^source]: A book.\n[^my note]: Spaced.\n[^note-2]: Plain.\n");
    assert_eq!(
        out.html,
        "<p>Claim<sup class=\"footnote-reference\" id=\"fnref-fn-1\"><a href=\"#fn-1\">1</a></sup> and\
         <sup class=\"footnote-reference\" id=\"fnref-fn-2\"><a href=\"#fn-2\">2</a></sup>, again\
         <sup class=\"footnote-reference\"><a href=\"#fn-1\">1</a></sup>, then\
         <sup class=\"footnote-reference\" id=\"fnref-note-2\"><a href=\"#note-2\">3</a></sup>.</p>\n\
         <h2 id=\"source\">Source <a class=\"anchor\" href=\"#source\" aria-label=\"Link to this section\">#</a></h2>\n\
         <h2 id=\"fn-1-1\">Fn 1 <a class=\"anchor\" href=\"#fn-1-1\" aria-label=\"Link to this section\">#</a></h2>\n\
         <div class=\"footnote-definition\" id=\"fn-1\"><sup class=\"footnote-definition-label\"><a href=\"#fnref-fn-1\">1</a></sup>\n<p>A book.</p>\n</div>\n\
         <div class=\"footnote-definition\" id=\"fn-2\"><sup class=\"footnote-definition-label\"><a href=\"#fnref-fn-2\">2</a></sup>\n<p>Spaced.</p>\n</div>\n\
         <div class=\"footnote-definition\" id=\"note-2\"><sup class=\"footnote-definition-label\"><a href=\"#fnref-note-2\">3</a></sup>\n<p>Plain.</p>\n</div>\n"
    );
}

#[test]
fn headings_keep_off_the_pages_own_ids() {
    let out = md("## Main\n\n## Comments\n\n## Comment 2\n\n## Commentary\n\n## fnref-x\n");
    assert_eq!(
        out.heading_ids,
        [
            "main-1",
            "comments-1",
            "comment-2-1",
            "commentary",
            "fnref-x-1"
        ]
    );
}

#[test]
fn a_footnote_without_references_has_no_link_back() {
    let out = md("Text.\n\n[^lonely]: Never cited.\n");
    assert!(
        out.html
            .contains("<sup class=\"footnote-definition-label\">1</sup>"),
        "{}",
        out.html
    );
}

#[test]
fn custom_ids_win_over_earlier_slugs_and_repeat_only_with_a_suffix() {
    let out = md("## Baz\n\n## Qux {#baz}\n\n## Custom {#my-id}\n\n## Again {#my-id}\n");
    assert_eq!(out.heading_ids, ["baz-1", "baz", "my-id", "my-id-1"]);
}

#[test]
fn a_summary_cut_inside_raw_html_closes_what_it_opened() {
    let out = md(
        "<div class=\"box\">\n\nIntro <b>bold</b> <br> para.\n\n<!-- more -->\n\nMore.\n\n</div>\n",
    );
    let summary = out.more_html.unwrap();
    assert!(summary.ends_with("</div>"), "{summary}");
    assert_eq!(summary.matches("</div>").count(), 1, "{summary}");
    let out =
        md("<details><summary>S</summary>\n\nIntro.\n\n<!-- more -->\n\nMore.\n\n</details>\n");
    assert!(out.more_html.unwrap().ends_with("</details>"));
    let out = md("Plain <em>intro</em>.\n\n<!-- more -->\n\nMore.\n");
    assert_eq!(out.more_html.unwrap(), "<p>Plain <em>intro</em>.</p>\n");
    // A script's end tag in capitals ends it: what follows is read for open elements again.
    let out = md("<div class=\"a\"><SCRIPT>x</SCRIPT><div class=\"b\">\n\nIntro.\n\n<!-- more -->\n\nMore.\n");
    let summary = out.more_html.unwrap();
    assert_eq!(summary.matches("</div>").count(), 2, "{summary}");
    // A `>` inside a quoted attribute value does not end the tag: the element is self-closed.
    let out = md("<x-note data-when=\"a>b\" />\n\nIntro.\n\n<!-- more -->\n\nMore.\n");
    let summary = out.more_html.unwrap();
    assert!(!summary.contains("</x-note>"), "{summary}");
}

#[test]
fn task_lists_render_checkboxes() {
    let out = md("- [x] done\n- [ ] todo\n");
    assert!(
        out.html.contains("type=\"checkbox\" checked=\"\""),
        "{}",
        out.html
    );
    assert_eq!(out.html.matches("type=\"checkbox\"").count(), 2);
}

#[test]
fn smart_punctuation_curls_quotes_and_dashes() {
    let out = md("\"Hello,\" she said -- it's 'fine'... --- really\n");
    assert_eq!(
        out.html,
        "<p>“Hello,” she said – it’s ‘fine’… — really</p>\n"
    );
}

#[test]
fn a_task_checkbox_is_labelled_by_its_text_up_to_the_first_block() {
    let out = md("- [x] Book the **venue**\n  - [ ] nested\n\n1. [ ] loose\n\n   more\n");
    assert_eq!(
        out.html,
        "<ul>\n<li><label class=\"task\"><input disabled=\"\" type=\"checkbox\" checked=\"\"/>\n\
         Book the <strong>venue</strong></label>\n<ul>\n\
         <li><label class=\"task\"><input disabled=\"\" type=\"checkbox\"/>\nnested</label></li>\n</ul>\n</li>\n</ul>\n\
         <ol>\n<li>\n<p><label class=\"task\"><input disabled=\"\" type=\"checkbox\"/>\nloose</label></p>\n\
         <p>more</p>\n</li>\n</ol>\n"
    );
}

#[test]
fn footnotes_go_to_the_end_and_summaries_keep_theirs() {
    let out =
        md("One[^a].\n\n[^a]: The note.\n\n<!-- more -->\n\nTwo[^b].\n\n[^b]: Second.\n\nEnd.\n");
    let html = &out.html;
    let at = |needle: &str| {
        html.find(needle)
            .unwrap_or_else(|| panic!("{needle} in {html}"))
    };
    assert!(at("<p>End.</p>") < at("id=\"a\""), "{html}");
    assert!(at("id=\"a\"") < at("id=\"b\""), "{html}");
    assert!(html.trim_end().ends_with("</div>"), "{html}");
    let summary = out.more_html.unwrap();
    assert!(summary.contains("id=\"a\""), "{summary}");
}

#[test]
fn strikethrough_renders_del() {
    assert_eq!(md("~~old~~\n").html, "<p><del>old</del></p>\n");
}

// --- headings ---------------------------------------------------------------------------------

#[test]
fn heading_gets_id_and_accessible_anchor() {
    assert_eq!(
        md("## Getting Started\n").html,
        "<h2 id=\"getting-started\">Getting Started \
         <a class=\"anchor\" href=\"#getting-started\" aria-label=\"Link to this section\">#</a></h2>\n"
    );
}

#[test]
fn duplicate_headings_are_numbered() {
    let out = md("# Intro\n\n## Intro\n\n### Intro\n");
    assert_eq!(out.heading_ids, ["intro", "intro-1", "intro-2"]);
}

// Guards against a numbered duplicate taking an id an earlier heading already has.
#[test]
fn dedupe_skips_ids_already_taken() {
    let out = md("# Intro 1\n\n# Intro\n\n# Intro\n");
    assert_eq!(out.heading_ids, ["intro-1", "intro", "intro-2"]);
}

#[test]
fn custom_heading_id_is_respected() {
    let out = md("## Setup {#install}\n\n## Install\n");
    assert!(out
        .html
        .contains("<h2 id=\"install\">Setup <a class=\"anchor\" href=\"#install\""));
    assert_eq!(out.heading_ids, ["install", "install-1"]);
}

#[test]
fn heading_ids_are_ascii_slugs_of_the_text() {
    let out = md("# Café *déjà* `vu`!\n\n# ---\n\n# 日本\n");
    assert_eq!(out.heading_ids, ["cafe-deja-vu", "section", "ri-ben"]);
    assert_eq!(out.toc[0].title, "Café déjà vu!");
}

#[test]
fn slugify_collapses_and_trims() {
    assert_eq!(slugify("  Hello,   World!  "), "hello-world");
    assert_eq!(slugify("Ünïcödé & Friends"), "unicode-friends");
    assert_eq!(slugify("!!!"), "section");
    assert_eq!(slugify(""), "section");
}

#[test]
fn toc_nests_by_level() {
    let out = md("# A\n\n## B\n\n### C\n\n## D\n\n# E\n\n#### F\n");
    let expected = vec![
        toc(
            1,
            "a",
            "A",
            vec![
                toc(2, "b", "B", vec![toc(3, "c", "C", vec![])]),
                toc(2, "d", "D", vec![]),
            ],
        ),
        toc(1, "e", "E", vec![toc(4, "f", "F", vec![])]),
    ];
    assert_eq!(out.toc, expected);
}

#[test]
fn toc_starting_deeper_keeps_later_shallower_headings_at_the_root() {
    let out = md("### Deep\n\n## Shallow\n\n### Child\n");
    let expected = vec![
        toc(3, "deep", "Deep", vec![]),
        toc(
            2,
            "shallow",
            "Shallow",
            vec![toc(3, "child", "Child", vec![])],
        ),
    ];
    assert_eq!(out.toc, expected);
}

// --- code blocks ------------------------------------------------------------------------------

#[test]
fn highlighting_uses_classes_never_styles() {
    let out = md("```rust\nfn main() { let s = \"<b>\"; } // note\n```\n");
    assert!(out.html.starts_with(
        "<pre class=\"code\" data-lang=\"rust\" tabindex=\"0\"><code class=\"language-rust\"><span class=\"hl-"
    ));
    assert!(out.html.contains("hl-comment"), "{}", out.html);
    assert!(out.html.contains("&lt;b&gt;"), "{}", out.html);
    assert!(!out.html.contains("style="));
    assert!(out.html.ends_with("</code></pre>\n"));
}

#[test]
fn languages_are_found_by_common_tokens() {
    let highlighter = Highlighter::new();
    for lang in [
        "rust", "rs", "py", "js", "sh", "bash", "yaml", "json", "html", "shell", "ts",
    ] {
        let out = render(&format!("```{lang}\nx\n```\n"), &highlighter);
        assert!(
            out.html.contains("<span class=\"hl-"),
            "{lang}: {}",
            out.html
        );
    }
}

#[test]
fn info_string_extras_are_ignored() {
    let out = md("```Rust,ignore {.wide}\nfn f() {}\n```\n");
    assert!(out.html.contains("data-lang=\"rust\""), "{}", out.html);
    assert!(out.html.contains("hl-storage"), "{}", out.html);
}

#[test]
fn unknown_language_falls_back_to_escaped_text() {
    let out = md("```klingon\nif a < b && c { qapla' }\n```\n");
    assert_eq!(
        out.html,
        "<pre class=\"code\" data-lang=\"klingon\" tabindex=\"0\"><code class=\"language-klingon\">\
         if a &lt; b &amp;&amp; c { qapla&#39; }\n</code></pre>\n"
    );
}

// TOML has no bundled syntect syntax: it must still render, plainly, in the usual wrapper.
#[test]
fn toml_without_bundled_syntax_is_plain() {
    let out = md("```toml\n[site]\ntitle = \"x\"\n```\n");
    assert!(out
        .html
        .starts_with("<pre class=\"code\" data-lang=\"toml\" tabindex=\"0\">"));
    assert!(!out.html.contains("<span"));
}

#[test]
fn code_without_language_is_plain_in_the_wrapper() {
    let fenced = md("```\n<script>\n```\n");
    assert_eq!(
        fenced.html,
        "<pre class=\"code\" tabindex=\"0\"><code>&lt;script&gt;\n</code></pre>\n"
    );
    let indented = md("    <b>x</b>\n");
    assert_eq!(
        indented.html,
        "<pre class=\"code\" tabindex=\"0\"><code>&lt;b&gt;x&lt;/b&gt;\n</code></pre>\n"
    );
}

#[test]
fn syntaxes_load_only_when_a_block_needs_them() {
    let highlighter = Highlighter::new();
    render(
        "# Title\n\n    indented\n\n```\nplain\n```\n\n```text\nplain\n```\n",
        &highlighter,
    );
    assert!(!highlighter.is_loaded());
    render("```python\nprint(1)\n```\n", &highlighter);
    assert!(highlighter.is_loaded());
}

#[test]
fn ten_thousand_line_block_is_highlighted() {
    let mut markdown = String::from("```rust\n");
    for i in 0..10_000 {
        markdown.push_str(&format!("let v{i} = \"{i}\"; // line {i}\n"));
    }
    markdown.push_str("```\n");
    let out = md(&markdown);
    assert_eq!(out.html.matches('\n').count(), 10_001);
    assert!(out.html.contains("line 9999"));
    assert_eq!(out.word_count, 0);
}

#[test]
fn overlong_line_is_not_highlighted() {
    let line = "x".repeat(highlight::MAX_LINE_BYTES + 1);
    let out = md(&format!("```rust\n{line}\n```\n"));
    assert!(out.html.contains(&line));
    assert!(!out.html.contains("<span"));
}

#[test]
fn stylesheet_matches_the_classes_emitted() {
    let css = Highlighter::css("InspiredGitHub").expect("bundled theme");
    assert!(css.contains("pre.code {"));
    assert!(css.contains(".hl-comment"), "{css}");
    assert!(!css.contains("\n.comment"));
    let names = Highlighter::theme_names();
    assert!(names.iter().any(|n| n == "InspiredGitHub"));
    for name in &names {
        assert!(Highlighter::css(name).is_ok(), "{name}");
    }
}

#[test]
fn unknown_theme_error_lists_the_themes() {
    let err = Highlighter::css("inspiredgithub").unwrap_err();
    assert!(err.contains("did you mean `InspiredGitHub`"), "{err}");
    assert!(err.contains("Solarized (dark)"), "{err}");
}

#[test]
fn one_highlighter_serves_many_threads() {
    fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<Highlighter>();
    assert_send_sync::<Rendered>();
    let highlighter = Highlighter::new();
    let outputs: Vec<String> = std::thread::scope(|scope| {
        let workers: Vec<_> = (0..4)
            .map(|i| {
                let highlighter = &highlighter;
                scope.spawn(move || render(&format!("```py\nx = {i}\n```\n"), highlighter).html)
            })
            .collect();
        workers.into_iter().map(|w| w.join().unwrap()).collect()
    });
    for (i, html) in outputs.iter().enumerate() {
        assert!(html.contains("hl-source hl-python"), "{html}");
        assert!(html.contains(&i.to_string()));
    }
}

// --- summary, first paragraph, words ----------------------------------------------------------

#[test]
fn more_marker_splits_the_summary() {
    let out = md("# T\n\nIntro text.\n\n<!-- more -->\n\nThe rest.\n");
    let more = out.more_html.expect("a summary");
    assert!(more.contains("<p>Intro text.</p>"));
    assert!(!more.contains("The rest"));
    assert!(!more.contains("more -->"));
    assert!(out.html.contains("<!-- more -->"));
    assert!(out.html.contains("The rest"));
}

#[test]
fn more_marker_tolerates_case_and_whitespace() {
    for marker in ["<!--more-->", "  <!--   MORE   -->  ", "<!-- More -->\t"] {
        let out = md(&format!("Before.\n{marker}\nAfter.\n"));
        assert_eq!(
            out.more_html.as_deref(),
            Some("<p>Before.</p>\n"),
            "{marker:?}"
        );
    }
}

#[test]
fn a_marker_inside_a_top_level_paragraph_cuts_it_there() {
    let out = md("First.\n\nA *b* <!--more--> C.\n\nD.\n");
    assert_eq!(
        out.more_html.as_deref(),
        Some("<p>First.</p>\n<p>A <em>b</em></p>\n")
    );
    assert!(
        out.html.contains("<p>A <em>b</em> <!--more--> C.</p>"),
        "{}",
        out.html
    );
    // At the end of a paragraph's line.
    let out = md("First.\n\nSecond <!-- more -->\nthird.\n");
    assert_eq!(
        out.more_html.as_deref(),
        Some("<p>First.</p>\n<p>Second</p>\n")
    );
    // Inside emphasis or a list, it is not a cut.
    assert_eq!(md("*a <!-- more --> b*\n").more_html, None);
    assert_eq!(md("- a <!-- more --> b\n").more_html, None);
}

#[test]
fn other_comments_and_nested_markers_do_not_split() {
    assert_eq!(md("A.\n\n<!-- more please -->\n\nB.\n").more_html, None);
    assert_eq!(md("- a\n\n  <!-- more -->\n\n- b\n").more_html, None);
    assert_eq!(md("No marker.\n").more_html, None);
}

#[test]
fn first_paragraph_is_the_first_top_level_one() {
    let out = md("# Title\n\n> A quote.\n\nFirst *real* one.\n\nSecond.\n");
    assert_eq!(out.first_paragraph_html, "<p>First <em>real</em> one.</p>");
}

#[test]
fn first_paragraph_falls_back_to_a_nested_one_or_nothing() {
    assert_eq!(
        md("> Only a quote.\n").first_paragraph_html,
        "<p>Only a quote.</p>"
    );
    assert_eq!(
        md("# Just a title\n\n```\ncode\n```\n").first_paragraph_html,
        ""
    );
    assert_eq!(md("").first_paragraph_html, "");
}

#[test]
fn word_count_skips_code_blocks_and_html() {
    let markdown = "# Two words\n\nIt's a \"quoted\" — `inline` test.\n\n\
                    ```rust\nlet not = counted;\n```\n\n<div class=\"x\">raw</div>\n\n    indented code\n";
    assert_eq!(md(markdown).word_count, 2 + 5);
}

// --- links ------------------------------------------------------------------------------------

#[test]
fn links_are_collected_with_their_lines() {
    let markdown = "Intro [home](/) line.\n\
                    \n\
                    Text with\n\
                    a [ref link][r] and <https://auto.example> and <me@example.com>.\n\
                    \n\
                    [![logo](logo.png)](/about/#team)\n\
                    \n\
                    [r]: https://ref.example/page#part\n";
    let out = md(markdown);
    let got: Vec<(&str, &str, usize, bool)> = out
        .links
        .iter()
        .map(|l| (l.dest.as_str(), l.text.as_str(), l.line, l.is_image))
        .collect();
    assert_eq!(
        got,
        [
            ("/", "home", 1, false),
            ("https://ref.example/page#part", "ref link", 4, false),
            ("https://auto.example", "https://auto.example", 4, false),
            ("mailto:me@example.com", "me@example.com", 4, false),
            ("/about/#team", "logo", 6, false),
            ("logo.png", "logo", 6, true),
        ]
    );
    assert!(out.images_without_alt.is_empty());
}

#[test]
fn images_without_alt_are_reported_by_line() {
    let out = md("![ok](a.png)\n\n![](b.png)\n\ntext\n\n![ ](c.png)\n");
    assert_eq!(out.images_without_alt, [3, 7]);
}

#[test]
fn line_index_maps_offsets_to_lines() {
    let index = links::LineIndex::new("ab\ncd\r\n\nef");
    assert_eq!(index.line(0), 1);
    assert_eq!(index.line(2), 1);
    assert_eq!(index.line(3), 2);
    assert_eq!(index.line(7), 3);
    assert_eq!(index.line(8), 4);
    assert_eq!(index.line(100), 4);
}

// --- raw HTML ---------------------------------------------------------------------------------

// Authors are trusted: their HTML passes as written (comments are another matter, see xss_tests).
#[test]
fn raw_html_in_posts_passes_through() {
    let out = md(
        "<figure class=\"wide\"><img src=\"a.png\" alt=\"A\"></figure>\n\nText <kbd>Ctrl</kbd>.\n",
    );
    assert!(out
        .html
        .starts_with("<figure class=\"wide\"><img src=\"a.png\" alt=\"A\"></figure>\n"));
    assert!(out.html.contains("<p>Text <kbd>Ctrl</kbd>.</p>"));
    assert_eq!(out.word_count, 2);
}

// --- escaping --------------------------------------------------------------------------------

#[test]
fn escape_html_replaces_the_five_special_characters_only() {
    assert_eq!(escape_html("/posts/a-b/"), "/posts/a-b/");
    assert_eq!(
        escape_html(r#"Tom & "Jerry" <b>'s</b> café"#),
        "Tom &amp; &quot;Jerry&quot; &lt;b&gt;&#39;s&lt;/b&gt; café"
    );
    assert_eq!(escape_html(""), "");
    assert_eq!(escape_html("&"), "&amp;");
}

proptest::proptest! {
    #[test]
    fn escape_html_matches_its_definition(text in "\\PC*") {
        let expected: String = text
            .chars()
            .map(|c| match c {
                '&' => "&amp;".to_string(),
                '<' => "&lt;".to_string(),
                '>' => "&gt;".to_string(),
                '"' => "&quot;".to_string(),
                '\'' => "&#39;".to_string(),
                c => c.to_string(),
            })
            .collect();
        proptest::prop_assert_eq!(escape_html(&text), expected.as_str());
        let mut written = Vec::new();
        escape_html_into(&text, &mut written).unwrap();
        proptest::prop_assert_eq!(String::from_utf8(written).unwrap(), expected);
    }
}

#[test]
fn toc_html_nests_and_escapes() {
    let entries = vec![
        toc(2, "a", "A & <b>", vec![toc(3, "b\"x", "B", vec![])]),
        toc(2, "c", "C", vec![]),
    ];
    assert_eq!(
        super::toc_html(&entries),
        "<ol>\n<li><a href=\"#a\">A &amp; &lt;b&gt;</a><ol>\n<li><a href=\"#b&quot;x\">B</a></li>\n</ol></li>\n\
         <li><a href=\"#c\">C</a></li>\n</ol>"
    );
    assert_eq!(super::toc_html(&[]), "");
}

#[test]
fn a_post_that_is_one_tight_list_is_summarised_by_the_list() {
    let out = md("## Checklist\n\n- Bring cards\n- Ask names\n\n- - -\n\n1. Later\n");
    assert_eq!(
        out.first_paragraph_html,
        "<ul>\n<li>Bring cards</li>\n<li>Ask names</li>\n</ul>"
    );
    let out = md("- tight\n\nThen a paragraph.\n");
    assert_eq!(out.first_paragraph_html, "<p>Then a paragraph.</p>");
}

#[test]
fn bare_urls_become_links_outside_links_and_code() {
    let out = md("See https://example.com/a. Or www.example.org!\n\n[https://x.com](https://y.com) `https://z.com` <a href=\"/q/\">https://w.com</a>\n\n    https://code.example.com\n");
    assert_eq!(
        out.html,
        "<p>See <a href=\"https://example.com/a\">https://example.com/a</a>. Or \
         <a href=\"http://www.example.org\">www.example.org</a>!</p>\n\
         <p><a href=\"https://y.com\">https://x.com</a> <code>https://z.com</code> <a href=\"/q/\">https://w.com</a></p>\n\
         <pre class=\"code\" tabindex=\"0\"><code>https://code.example.com\n</code></pre>\n"
    );
    let dests: Vec<_> = out
        .links
        .iter()
        .map(|l| (l.dest.as_str(), l.line))
        .collect();
    assert_eq!(
        dests,
        [
            ("https://example.com/a", 1),
            ("http://www.example.org", 1),
            ("https://y.com", 3),
            ("/q/", 3)
        ]
    );
}
