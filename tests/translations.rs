//! Translations end to end: a site in another language, built by the real binary, shows its own words,
//! plural forms and month names on the default theme's pages; mistakes are reported at their line.

mod common;

use common::*;
use std::path::Path;

fn read(site: &Path, rel: &str) -> String {
    std::fs::read_to_string(site.join(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"))
}

/// A theme `name` whose every page template is `template` (and which has no `alias.html`).
fn theme_of_one_template(site: &Path, name: &str, template: &str) {
    for page in [
        "index.html",
        "post.html",
        "page.html",
        "tags.html",
        "tag.html",
        "series_list.html",
        "series.html",
        "archive.html",
        "author.html",
        "404.html",
    ] {
        write(site, &format!("themes/{name}/templates/{page}"), template);
    }
}

fn polish_site() -> tempfile::TempDir {
    let site = minimal_site();
    write(
        site.path(),
        "site.toml",
        r#"title = "Sieć"
base_url = "https://example.org"
language = "pl"
posts_per_page = 1

[translations]
comments = { one = "{n} komentarz", few = "{n} komentarze", many = "{n} komentarzy", other = "{n} komentarza" }
related_reading = "Czytaj dalej"
date_format = "%-d %B %Y"
date_short = "%-d %b %Y"
page_n = "Strona {n}"
tag_title = "Tag „{tag}”"
tags = "Tagi"
part_of = "Część {part} z {total}"
anonymous = "Anonim"
"#,
    );
    write(
        site.path(),
        "content/posts/one.md",
        "---\ntitle: Jeden\ndate: 2024-07-03\ntags: [kawa]\nseries: Kawa\npart: 1\n---\nTreść.\n",
    );
    write(
        site.path(),
        "content/posts/two.md",
        "---\ntitle: Dwa\ndate: 2024-07-04\ntags: [kawa]\n---\nTreść.\n",
    );
    for (i, author) in ["Ola", "", "Jan"].iter().enumerate() {
        let author = if author.is_empty() {
            String::new()
        } else {
            format!("author: {author}\n")
        };
        write(
            site.path(),
            &format!("content/comments/one/c{i}.md"),
            &format!("---\n{author}date: 2024-07-0{}\n---\nDzięki.\n", i + 4),
        );
    }
    site
}

#[test]
fn a_site_in_another_language_shows_its_words_plurals_and_month_names() {
    let site = polish_site();
    let out = lanyard(site.path(), &["build"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(!stderr(&out).contains("warning"), "{}", stderr(&out));
    let post = read(site.path(), "public/posts/one/index.html");
    for expected in [
        "<html lang=\"pl\">",
        "3 komentarze",
        ">3 lipca 2024</time>",
        ">Anonim<",
        "Część 1 z 1",
        "Czytaj dalej",
        // A key the site leaves alone keeps the theme's English.
        "Skip to content",
    ] {
        assert!(post.contains(expected), "{expected}: {post}");
    }
    let row_date = "4 lip 2024";
    assert!(
        post.contains(row_date),
        "related row date in Polish: {post}"
    );
    let home2 = read(site.path(), "public/page/2/index.html");
    assert!(home2.contains("<title>Strona 2 — Sieć</title>"), "{home2}");
    let tag = read(site.path(), "public/tags/kawa/index.html");
    assert!(tag.contains("<title>Tag „kawa” — Sieć</title>"), "{tag}");
    let tags = read(site.path(), "public/tags/index.html");
    assert!(
        tags.contains("<h1 class=\"page-title\">Tagi</h1>"),
        "{tags}"
    );
}

#[test]
fn an_english_site_reads_as_before() {
    let site = minimal_site();
    write(
        site.path(),
        "content/posts/one.md",
        "---\ntitle: One\ndate: 2024-07-03\n---\nBody.\n",
    );
    write(
        site.path(),
        "content/comments/one/a.md",
        "---\ndate: 2024-07-04\n---\nThanks.\n",
    );
    let out = lanyard(site.path(), &["build"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let post = read(site.path(), "public/posts/one/index.html");
    for expected in [
        ">July 3, 2024</time>",
        ">1 comment</h2>",
        ">Anonymous<",
        "1 min read",
    ] {
        assert!(post.contains(expected), "{expected}: {post}");
    }
}

#[test]
fn a_misspelt_key_warns_and_a_bad_value_fails_at_its_line() {
    let site = minimal_site();
    write(
        site.path(),
        "site.toml",
        "title = \"T\"\nbase_url = \"https://example.org\"\n\n[translations]\nrelated_readin = \"Read next\"\n",
    );
    let out = lanyard(site.path(), &["build"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("warning: site.toml:5: translation `related_readin` is not used by lanyard or the theme (did you mean `related_reading`?)"),
        "{}",
        stderr(&out)
    );
    let before = tree(&site.path().join("public"));
    write(
        site.path(),
        "site.toml",
        "title = \"T\"\nbase_url = \"https://example.org\"\n\n[translations]\ncomments = { one = \"{n} note\" }\n",
    );
    let out = lanyard(site.path(), &["build"]);
    assert!(!out.status.success());
    assert!(
        stderr(&out)
            .contains("site.toml:5: translation `comments`: a table of plural forms needs `other`"),
        "{}",
        stderr(&out)
    );
    assert_eq!(
        tree(&site.path().join("public")),
        before,
        "a failed build leaves public/ alone"
    );
}

#[test]
fn a_theme_asking_for_an_unknown_key_fails_at_the_template_line() {
    let site = minimal_site();
    write(
        site.path(),
        "templates/404.html",
        "<p>fine</p>\n<p>{{ trans(key=\"not_a_key\") }}</p>\n",
    );
    let out = lanyard(site.path(), &["build"]);
    assert!(!out.status.success());
    let err = stderr(&out);
    assert!(err.contains("templates/404.html:2"), "{err}");
    assert!(err.contains("no translation `not_a_key`"), "{err}");
}

#[test]
fn a_misspelt_label_in_a_template_names_the_nearest_key() {
    let site = minimal_site();
    write(
        site.path(),
        "templates/404.html",
        "<p>fine</p>\n\n<p>{{ t.relatd_reading }}</p>\n",
    );
    let out = lanyard(site.path(), &["build"]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(err.contains("templates/404.html:3"), "{err}");
    assert!(
        err.contains("no translation `relatd_reading` (did you mean `related_reading`?)"),
        "{err}"
    );
}

#[test]
fn a_theme_of_its_own_brings_its_own_keys() {
    let site = minimal_site();
    write(
        site.path(),
        "site.toml",
        "title = \"T\"\nbase_url = \"https://example.org\"\ntheme = \"plain\"\n[translations]\nhello = \"Bonjour\"\n",
    );
    write(
        site.path(),
        "themes/plain/translations.toml",
        "hello = \"Hello\"\nvisits = { one = \"{n} visit\", other = \"{n} visits\" }\n",
    );
    theme_of_one_template(
        site.path(),
        "plain",
        "<title>{{ title }}</title><p>{{ t.hello }} {{ trans(key=\"visits\", n=2) }}</p>\n",
    );
    let out = lanyard(site.path(), &["build"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(!stderr(&out).contains("warning"), "{}", stderr(&out));
    let home = read(site.path(), "public/index.html");
    assert!(home.contains("<p>Bonjour 2 visits</p>"), "{home}");
    let tags = read(site.path(), "public/tags/index.html");
    assert!(
        tags.contains("<title>Tags — T</title>"),
        "lanyard's own keys stay: {tags}"
    );
}

#[test]
fn a_bad_date_format_in_a_theme_translation_is_reported_where_it_is_used() {
    let site = minimal_site();
    write(
        site.path(),
        "site.toml",
        "title = \"T\"\nbase_url = \"https://example.org\"\n[translations]\ndate_long = \"%Q\"\n",
    );
    write(
        site.path(),
        "content/posts/a.md",
        "---\ntitle: A\ndate: 2024-01-01\nupdated: 2024-02-01\n---\nBody.\n",
    );
    let out = lanyard(site.path(), &["build"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(
        err.contains("templates/post.html:11: Invalid date format `%Q` (fix the format here, or the translation it comes from)"),
        "{err}"
    );
}

#[test]
fn the_redirect_page_of_a_theme_without_one_speaks_the_site_language() {
    let site = minimal_site();
    write(
        site.path(),
        "site.toml",
        "title = \"T\"\nbase_url = \"https://example.org\"\nlanguage = \"fr\"\n[translations]\nredirecting = \"Redirection…\"\nmoved_to = \"Cette page est maintenant à\"\n",
    );
    write(
        site.path(),
        "content/posts/a.md",
        "---\ntitle: A\ndate: 2024-01-01\naliases: [/vieux/]\n---\nCorps.\n",
    );
    let out = lanyard(site.path(), &["build"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let themed = read(site.path(), "public/vieux/index.html");
    assert!(themed.contains("<title>Redirection…</title>"), "{themed}");
    theme_of_one_template(site.path(), "bare", "<p>{{ title }}</p>\n");
    let toml = std::fs::read_to_string(site.path().join("site.toml")).unwrap();
    write(
        site.path(),
        "site.toml",
        &toml.replace(
            "language = \"fr\"\n",
            "language = \"fr\"\ntheme = \"bare\"\n",
        ),
    );
    let out = lanyard(site.path(), &["build"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let fallback = read(site.path(), "public/vieux/index.html");
    assert!(fallback.contains("<html lang=\"fr\">"), "{fallback}");
    assert!(
        fallback.contains("<title>Redirection…</title>"),
        "{fallback}"
    );
    assert!(
        fallback
            .contains("<p>Cette page est maintenant à <a href=\"https://example.org/posts/a/\">"),
        "{fallback}"
    );
}
