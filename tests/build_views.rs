//! Post views (`templates/views/<name>.html`): rendered once per post, shown wherever the post is listed,
//! overridable per site, and reported once with file and line when they fail.

mod common;

use common::*;

fn post(site: &std::path::Path, slug: &str, title: &str, date: &str, tags: &str) {
    write(
        site,
        &format!("content/posts/{slug}.md"),
        &format!("---\ntitle: {title}\ndate: {date}\ntags: [{tags}]\n---\nBody of {title}.\n"),
    );
}

fn two_posts() -> tempfile::TempDir {
    let site = minimal_site();
    post(site.path(), "first", "First & best", "2024-01-02", "events");
    post(site.path(), "second", "Second", "2024-01-03", "events");
    site
}

fn read(site: &std::path::Path, rel: &str) -> String {
    std::fs::read_to_string(site.join("public").join(rel)).unwrap()
}

#[test]
fn a_site_view_is_shown_in_every_listing_of_the_post() {
    let site = two_posts();
    write(
        site.path(),
        "templates/views/badge.html",
        "<b class=\"badge\" data-kind=\"{{ kind }}\">{{ p.title }} on {{ site.title }}</b>",
    );
    write(
        site.path(),
        "templates/index.html",
        "{% for p in paginator.pages %}[{{ p.views.badge | safe }}]{% endfor %}",
    );
    write(
        site.path(),
        "templates/tag.html",
        "{% for p in paginator.pages %}({{ p.views.badge | safe }}){% endfor %}",
    );
    let out = lanyard(site.path(), &["build"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let badge = |t: &str| format!("<b class=\"badge\" data-kind=\"view\">{t} on T</b>");
    assert_eq!(
        read(site.path(), "index.html"),
        format!(
            "[{}][{}][{}]",
            badge("Second"),
            badge("First &amp; best"),
            badge("Hello")
        )
    );
    assert_eq!(
        read(site.path(), "tags/events/index.html"),
        format!("({})({})", badge("Second"), badge("First &amp; best"))
    );
}

#[test]
fn the_default_theme_cards_and_related_rows_come_from_views() {
    let site = two_posts();
    write(
        site.path(),
        "templates/views/card.html",
        "<article class=\"card\">custom card for {{ p.slug }}</article>",
    );
    let out = lanyard(site.path(), &["build"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let home = read(site.path(), "index.html");
    assert!(home.contains("custom card for second"), "{home}");
    assert!(home.contains("custom card for first"), "{home}");
    let first = read(site.path(), "posts/first/index.html");
    assert!(
        first.contains("<a class=\"post-row-title\" href=\"/posts/second/\">Second</a>"),
        "{first}"
    );
}

#[test]
fn a_broken_view_fails_the_build_once_with_its_file_and_line() {
    let site = two_posts();
    write(
        site.path(),
        "templates/views/card.html",
        "<article>\n{{ p.no_such_field }}\n</article>",
    );
    std::fs::create_dir_all(site.path().join("public")).unwrap();
    write(site.path(), "public/keep.txt", "previous build");
    let out = lanyard(site.path(), &["build"]);
    let err = stderr(&out);
    assert!(!out.status.success(), "{err}");
    assert!(!err.contains("panicked"), "{err}");
    assert!(
        err.contains("error: templates/views/card.html:2:"),
        "the error names the view and its line:\n{err}"
    );
    assert_eq!(err.matches("error:").count(), 1, "{err}");
    assert_eq!(read(site.path(), "keep.txt"), "previous build");
}

/// Listed posts carry only the fields a template can reach (`src/render/reads.rs`); a template that
/// names a field, reaches one through a macro or reads a post whole sees exactly what it saw before.
#[test]
fn listed_posts_have_every_field_a_template_reaches() {
    let site = two_posts();
    write(
        site.path(),
        "templates/m.html",
        "{% macro line(p) %}{{ p.title }}:{{ p.tags | length }}{% endmacro line %}",
    );
    write(
        site.path(),
        "templates/index.html",
        "{% import \"m.html\" as m %}{% for p in paginator.pages %}[{{ m::line(p=p) }}\
         {% if p.series is defined %}s{% endif %}]{% endfor %}",
    );
    write(
        site.path(),
        "templates/tag.html",
        "{% for p in paginator.pages %}{% for key, value in p %}{{ key }} {% endfor %}|{% endfor %}",
    );
    let out = lanyard(site.path(), &["build"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(
        read(site.path(), "index.html"),
        "[Second:1s][First &amp; best:1s][Hello:0s]"
    );
    let keys = read(site.path(), "tags/events/index.html");
    let first = keys.split('|').next().unwrap();
    for key in [
        "title",
        "summary_html",
        "tags",
        "views",
        "word_count",
        "series",
    ] {
        assert!(
            first.split(' ').any(|k| k == key),
            "{key} missing from {first}"
        );
    }
}
