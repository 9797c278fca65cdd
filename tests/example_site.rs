//! The example publication at the repository root, built by the real binary: it must build cleanly,
//! be valid HTML5 (Nu HTML checker), and publish feeds that a real feed parser reads back with absolute
//! links and dates.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::*;

fn build_example() -> tempfile::TempDir {
    let out = tempfile::tempdir().unwrap();
    let root = env!("CARGO_MANIFEST_DIR");
    let o = Command::new(env!("CARGO_BIN_EXE_lanyard"))
        .args(["build", "--root", root, "-o"])
        .arg(out.path().join("site"))
        .output()
        .unwrap();
    assert!(o.status.success(), "example build failed:\n{}", stderr(&o));
    assert!(
        !stderr(&o).contains("warning"),
        "the example publication should build without warnings:\n{}",
        stderr(&o)
    );
    out
}

fn vnu_jar() -> PathBuf {
    if let Ok(p) = std::env::var("LANYARD_VNU_JAR") {
        return PathBuf::from(p);
    }
    let default = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("target/tools/vnu/node_modules/vnu-jar/build/dist/vnu.jar");
    assert!(
        default.exists(),
        "the Nu HTML checker is not installed: run ./scripts/test (it installs vnu-jar with npm)"
    );
    default
}

/// The `basic` fixture through the built-in theme (its template overrides removed), drafts and future
/// posts included: hostile comments, a folder post, series with planned parts, aliases.
fn build_fixture_with_default_theme() -> tempfile::TempDir {
    let site = site_copy("basic");
    std::fs::remove_dir_all(site.path().join("templates")).unwrap();
    let o = lanyard(site.path(), &["build", "--drafts", "--future"]);
    assert!(o.status.success(), "{}", stderr(&o));
    site
}

#[test]
fn example_publication_is_valid_html() {
    let out = build_example();
    let fixture = build_fixture_with_default_theme();
    let o = Command::new("java")
        .args(["-jar"])
        .arg(vnu_jar())
        .args(["--errors-only", "--skip-non-html", "--format", "gnu"])
        .arg(out.path().join("site"))
        .arg(fixture.path().join("public"))
        .output()
        .expect("java is needed for the HTML checker: run ./scripts/test");
    let report =
        String::from_utf8_lossy(&o.stderr).into_owned() + &String::from_utf8_lossy(&o.stdout);
    assert!(
        o.status.success() && report.trim().is_empty(),
        "Nu HTML checker found errors:\n{report}"
    );
}

fn parse_feed(path: &Path) -> feed_rs::model::Feed {
    let bytes = std::fs::read(path).unwrap_or_else(|_| panic!("{} missing", path.display()));
    feed_rs::parser::parse(&bytes[..])
        .unwrap_or_else(|e| panic!("{} does not parse: {e}", path.display()))
}

#[test]
fn every_feed_parses_with_absolute_links_and_dates() {
    let out = build_example();
    let site = out.path().join("site");
    let feeds: Vec<String> = tree(&site)
        .into_keys()
        .filter(|k| k.ends_with("rss.xml") || k.ends_with("atom.xml") || k.ends_with("feed.json"))
        .collect();
    assert!(
        feeds.len() >= 9,
        "expected site, tag and series feeds, got {feeds:?}"
    );
    for rel in feeds {
        let feed = parse_feed(&site.join(&rel));
        assert!(!feed.entries.is_empty(), "{rel} has no entries");
        for entry in &feed.entries {
            assert!(entry.published.is_some(), "{rel}: entry without a date");
            for link in &entry.links {
                assert!(
                    link.href.starts_with("https://tips.example.com/"),
                    "{rel}: relative link {}",
                    link.href
                );
            }
            let body = entry
                .content
                .as_ref()
                .and_then(|c| c.body.clone())
                .unwrap_or_default();
            for attr in ["href=\"/", "src=\"/", "href=\"../", "src=\"constellation"] {
                assert!(
                    !body.contains(attr),
                    "{rel}: content keeps a relative URL ({attr})"
                );
            }
        }
    }
}

#[test]
fn hostile_comment_is_inert_in_the_example() {
    let out = build_example();
    let page = std::fs::read_to_string(
        out.path()
            .join("site/posts/2023/why-conferences-fail-attendees/index.html"),
    )
    .unwrap();
    assert!(
        !page.contains("<script>alert"),
        "a reader's script survived"
    );
    assert!(
        page.contains("&lt;script&gt;"),
        "the reader's text should still be shown, escaped"
    );
}

#[test]
fn contents_box_lists_the_headings_as_nested_links() {
    let out = build_example();
    let about = std::fs::read_to_string(out.path().join("site/about/index.html")).unwrap();
    let nav = about
        .split("<nav class=\"toc\" aria-label=\"Contents\">")
        .nth(1)
        .and_then(|rest| rest.split("</nav>").next())
        .expect("the about page has a contents box");
    for (id, title) in [
        ("who-we-are", "Who we are"),
        ("what-we-believe", "What we believe"),
    ] {
        assert!(
            nav.contains(&format!("<li><a href=\"#{id}\">{title}</a></li>")),
            "{nav}"
        );
        assert!(about.contains(&format!("id=\"{id}\"")), "no heading {id}");
    }
}
