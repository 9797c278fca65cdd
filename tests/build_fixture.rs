//! The `basic` fixture site built by the real binary, its outputs compared with reviewed snapshots.
//! The fixture overrides the theme's templates with plain ones that print the template context, so these
//! snapshots follow the pipeline (order, pagination, series, comments, URLs), not the theme's markup.

mod common;

use common::*;

fn build_basic() -> (
    tempfile::TempDir,
    std::collections::BTreeMap<String, Vec<u8>>,
) {
    let site = site_copy("basic");
    let out = lanyard(site.path(), &["build"]);
    assert!(out.status.success(), "build failed: {}", stderr(&out));
    let files = tree(&site.path().join("public"));
    (site, files)
}

fn text(files: &std::collections::BTreeMap<String, Vec<u8>>, path: &str) -> String {
    String::from_utf8(
        files
            .get(path)
            .unwrap_or_else(|| panic!("{path} was not written"))
            .clone(),
    )
    .unwrap()
}

#[test]
fn output_tree() {
    let (_site, files) = build_basic();
    let list: Vec<&str> = files.keys().map(String::as_str).collect();
    insta::assert_snapshot!("basic_tree", list.join("\n"));
}

#[test]
fn listings_paginate_newest_first() {
    let (_site, files) = build_basic();
    insta::assert_snapshot!("basic_home", text(&files, "index.html"));
    insta::assert_snapshot!("basic_home_page_2", text(&files, "page/2/index.html"));
}

#[test]
fn post_context_with_series_comments_and_neighbours() {
    let (_site, files) = build_basic();
    insta::assert_snapshot!(
        "basic_post_second",
        text(&files, "2024/02/second/index.html")
    );
}

#[test]
fn series_lists_parts_in_part_order_with_coming_soon() {
    let (_site, files) = build_basic();
    insta::assert_snapshot!(
        "basic_series",
        text(&files, "series/fixture-tips-series/index.html")
    );
}

#[test]
fn taxonomies_archive_and_authors() {
    let (_site, files) = build_basic();
    let joined = [
        "tags/index.html",
        "tags/networking/index.html",
        "series/index.html",
        "archive/index.html",
        "authors/ana/index.html",
        "authors/someone-else/index.html",
    ]
    .iter()
    .map(|p| format!("== {p}\n{}", text(&files, p)))
    .collect::<Vec<_>>()
    .join("\n");
    insta::assert_snapshot!("basic_taxonomies", joined);
}

#[test]
fn sitemap_and_robots_use_absolute_urls() {
    let (_site, files) = build_basic();
    insta::assert_snapshot!("basic_sitemap", text(&files, "sitemap.xml"));
    assert!(text(&files, "robots.txt").contains("Sitemap: https://example.org/sitemap.xml"));
}

#[test]
fn alias_redirects_to_the_absolute_permalink() {
    let (_site, files) = build_basic();
    let alias = text(&files, "old/first.html");
    assert!(
        alias.contains("url=https://example.org/2024/01/first/"),
        "{alias}"
    );
    assert!(
        alias.contains("rel=\"canonical\" href=\"https://example.org/2024/01/first/\""),
        "{alias}"
    );
}

#[test]
fn code_is_highlighted_with_classes_and_one_stylesheet() {
    let (_site, files) = build_basic();
    let post = text(&files, "2024/01/first/index.html");
    assert!(
        post.contains("<pre class=\"code\" data-lang=\"rust\" tabindex=\"0\">"),
        "{post}"
    );
    assert!(post.contains("class=\"hl-"), "{post}");
    assert!(!post.contains("style="), "{post}");
    assert!(text(&files, "highlight.css").contains(".hl-"));
}

#[test]
fn folder_post_assets_are_copied_beside_the_page() {
    let (_site, files) = build_basic();
    assert_eq!(text(&files, "2024/01/bundle/pic.txt"), "picture bytes\n");
    assert!(text(&files, "2024/01/bundle/index.html").contains("src=\"pic.txt\""));
}

#[test]
fn drafts_and_future_posts_need_their_flags() {
    let site = site_copy("basic");
    let out = lanyard(site.path(), &["build", "-o", "plain"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let out = lanyard(site.path(), &["build", "-o", "all", "--drafts", "--future"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let plain = tree(&site.path().join("plain"));
    let all = tree(&site.path().join("all"));
    assert!(!plain.contains_key("2024/03/draft/index.html"));
    assert!(!plain.keys().any(|k| k.starts_with("2999/")));
    assert!(all.contains_key("2024/03/draft/index.html"));
    assert!(all.contains_key("2999/01/future/index.html"));
}

#[test]
fn base_url_flag_overrides_site_toml() {
    let site = site_copy("basic");
    let out = lanyard(
        site.path(),
        &["build", "--base-url", "https://staging.example.net/"],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let sitemap = std::fs::read_to_string(site.path().join("public/sitemap.xml")).unwrap();
    assert!(
        sitemap.contains("<loc>https://staging.example.net/</loc>"),
        "{sitemap}"
    );
}

#[test]
fn summary_line_counts_pages() {
    let site = site_copy("basic");
    let out = lanyard(site.path(), &["build"]);
    let line = stdout(&out);
    assert!(
        line.starts_with("Built 17 pages (4 posts, 36 files) into "),
        "{line}"
    );
}

#[test]
fn every_feed_of_the_fixture() {
    let (_site, files) = build_basic();
    for feed in [
        "rss.xml",
        "atom.xml",
        "feed.json",
        "tags/networking/rss.xml",
        "series/fixture-tips-series/atom.xml",
    ] {
        let name = format!("basic_feed_{}", feed.replace(['/', '.'], "_"));
        insta::assert_snapshot!(name, text(&files, feed));
    }
}

#[test]
fn feeds_parse_back_with_absolute_links() {
    let (site, _files) = build_basic();
    for feed in [
        "rss.xml",
        "atom.xml",
        "feed.json",
        "tags/events/rss.xml",
        "series/fixture-tips-series/rss.xml",
    ] {
        let bytes = std::fs::read(site.path().join("public").join(feed)).unwrap();
        let parsed = feed_rs::parser::parse(&bytes[..]).unwrap_or_else(|e| panic!("{feed}: {e}"));
        assert!(!parsed.entries.is_empty(), "{feed}");
        for e in &parsed.entries {
            assert!(e.published.is_some(), "{feed}: no date");
            assert!(
                e.links
                    .iter()
                    .all(|l| l.href.starts_with("https://example.org/")),
                "{feed}"
            );
        }
    }
}

#[test]
fn one_post_site_builds_with_the_builtin_theme() {
    let site = minimal_site();
    let out = lanyard(site.path(), &["build"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let files = tree(&site.path().join("public"));
    for expected in [
        "index.html",
        "posts/hello/index.html",
        "style.css",
        "highlight.css",
        "404.html",
        "sitemap.xml",
        "robots.txt",
        "rss.xml",
        "atom.xml",
    ] {
        assert!(files.contains_key(expected), "{expected} missing");
    }
}

#[test]
fn bom_crlf_and_missing_final_newline_build() {
    let site = minimal_site();
    write(site.path(), "content/posts/win.md", "\u{feff}---\r\ntitle: Windows\r\ndate: 2024-02-02\r\n---\r\nLine one.\r\n\r\n---\r\n\r\nAfter the rule");
    let out = lanyard(site.path(), &["build"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let page = std::fs::read_to_string(site.path().join("public/posts/win/index.html")).unwrap();
    assert!(page.contains("<hr"), "a --- line in the body is a rule");
    assert!(page.contains("After the rule"));
}

#[test]
fn stale_files_do_not_linger() {
    let site = minimal_site();
    write(
        site.path(),
        "content/posts/gone.md",
        "---\ntitle: Gone\ndate: 2024-01-02\n---\nx\n",
    );
    assert!(lanyard(site.path(), &["build"]).status.success());
    assert!(site.path().join("public/posts/gone/index.html").exists());
    std::fs::remove_file(site.path().join("content/posts/gone.md")).unwrap();
    assert!(lanyard(site.path(), &["build"]).status.success());
    assert!(!site.path().join("public/posts/gone").exists());
    assert_eq!(entries(site.path()), vec!["content", "public", "site.toml"]);
}
