//! `lanyard check` on fixture sites, one per lint, with the exact messages; and the link check that
//! every `build` does.

mod helpers;

use helpers::*;

/// Check a fixture in place: `check` writes nothing, so the fixture folder stays as it is.
fn check(name: &str) -> String {
    let root = fixture(name);
    let out = lanyard(&root, &["check"]);
    assert!(
        !root.join("public").exists(),
        "check wrote an output folder"
    );
    transcript(&out, &root)
}

#[test]
fn a_clean_site_passes() {
    insta::assert_snapshot!("clean", check("check-clean"));
}

#[test]
fn broken_links_anchors_images_and_unpublished_targets_fail() {
    insta::assert_snapshot!("links", check("check-links"));
}

#[test]
fn orphan_comment_folders_and_unknown_replies_fail() {
    insta::assert_snapshot!("comments", check("check-comments"));
}

#[test]
fn series_gaps_and_missing_alt_text_only_warn() {
    insta::assert_snapshot!("warnings", check("check-warnings"));
}

#[test]
fn duplicate_and_out_of_range_series_parts_fail() {
    insta::assert_snapshot!("series", check("check-series"));
}

#[test]
fn build_warns_about_broken_links_by_default() {
    let site = copy_of("check-links");
    let out = lanyard(site.path(), &["build"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(err.contains("warning: content/posts/2024-05-01-broken.md:7: broken link [missing page](/posts/nowhere/): no page or file at `/posts/nowhere/`"), "{err}");
    assert!(err.contains("warning: content/comments/target/001-lee.yaml:6: broken link [over here](https://links.example.com/posts/my-reply/)"), "{err}");
    // A comment's relative link is unlinked on the page, so it is not checked either.
    assert!(!err.contains("/posts/unlinked/"), "{err}");
    assert!(site.path().join("public/index.html").exists());
}

#[test]
fn build_fails_on_broken_links_with_check_links_error() {
    let site = copy_of("check-links");
    let first = lanyard(site.path(), &["build"]);
    assert_eq!(first.status.code(), Some(0));
    let before = std::fs::read(site.path().join("public/index.html")).unwrap();
    let toml = std::fs::read_to_string(site.path().join("site.toml")).unwrap();
    write(
        site.path(),
        "site.toml",
        &format!("{toml}check_links = \"error\"\n"),
    );
    write(
        site.path(),
        "content/posts/2024-05-02-target.md",
        "---\ntitle: Target, renamed\ndate: 2024-05-02\n---\n## Real heading\n",
    );
    let out = lanyard(site.path(), &["build"]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(err.contains("error: content/posts/2024-05-01-broken.md:7: broken anchor [missing anchor](/posts/target/#fake-heading)"), "{err}");
    assert!(err.contains("Build failed with 11 errors"), "{err}");
    assert_eq!(
        std::fs::read(site.path().join("public/index.html")).unwrap(),
        before,
        "a failed build replaced the output"
    );
}

#[test]
fn drafts_built_with_drafts_are_not_reported() {
    let site = copy_of("check-links");
    let out = lanyard(site.path(), &["build", "--drafts"]);
    assert!(
        !stderr(&out).contains("goes to a draft"),
        "{}",
        stderr(&out)
    );
    assert!(
        stderr(&out).contains("goes to a post dated in the future"),
        "{}",
        stderr(&out)
    );
}

/// A folder with only a site.toml.
fn bare_site() -> tempfile::TempDir {
    let site = tempfile::tempdir().unwrap();
    write(
        site.path(),
        "site.toml",
        "title = \"T\"\nbase_url = \"https://example.org\"\n",
    );
    site
}

/// A draft or future post that claims a published post's series part or address: `build` succeeds
/// with a warning naming both files (the build that publishes it would fail), `check` fails on it.
#[test]
fn hidden_posts_that_will_clash_warn_on_build_and_fail_check() {
    let site = bare_site();
    let root = site.path();
    let post = |front: &str| format!("---\n{front}---\nBody.\n");
    write(
        root,
        "content/posts/a.md",
        &post("title: A\ndate: 2020-01-01\nseries: S\npart: 1\n"),
    );
    write(
        root,
        "content/posts/c.md",
        &post("title: C\ndate: 2099-01-02\nseries: S\npart: 1\n"),
    );
    write(
        root,
        "content/posts/d.md",
        &post("title: D\ndate: 2020-01-03\ndraft: true\nslug: a\n"),
    );
    write(
        root,
        "content/series/s.md",
        "---\ntitle: S\ntotal: 2\n---\n",
    );
    write(
        root,
        "content/posts/e.md",
        &post("title: E\ndate: 2020-01-04\ndraft: true\nseries: S\npart: 3\n"),
    );

    let build = lanyard(root, &["build"]);
    assert_eq!(build.status.code(), Some(0), "{}", stderr(&build));
    let err = stderr(&build);
    let expected = [
        "warning: content/posts/c.md:5: part 1 of series `S` is also claimed by content/posts/a.md; this post is dated in the future (2099-01-02), so this build leaves it out, but the build will fail once it is published: give one of them another part",
        "warning: content/posts/d.md:5: writes `posts/a/index.html`, which content/posts/a.md also writes; this post is a draft, so this build leaves it out, but the build will fail once it is published: change a slug, permalink or alias so they differ",
        "warning: content/posts/e.md:6: part 3 is above the series total of 2 (set in content/series/s.md); this post is a draft, so this build leaves it out, but the build will fail once it is published: raise `total` or fix `part`",
    ];
    for line in expected {
        assert!(
            err.lines().any(|l| l == line),
            "missing\n  {line}\nin:\n{err}"
        );
    }

    let check = lanyard(root, &["check"]);
    assert_eq!(check.status.code(), Some(1), "{}", stderr(&check));
    for line in expected {
        let as_error = line.replacen("warning: ", "error: ", 1);
        assert!(
            stderr(&check).lines().any(|l| l == as_error),
            "missing\n  {as_error}\nin:\n{}",
            stderr(&check)
        );
    }

    // What the warning foretells.
    let all = lanyard(root, &["build", "--future", "--drafts", "-o", "public2"]);
    assert_eq!(all.status.code(), Some(1), "{}", stderr(&all));
}

/// A draft or future post that brings a page (its tag's, one more page of the listing) an alias of a
/// published post also writes: `check` fails on it, naming the alias; the plain build does not look.
#[test]
fn pages_that_hidden_posts_bring_are_checked_for_clashes() {
    let site = bare_site();
    let root = site.path();
    write(
        root,
        "site.toml",
        "title = \"T\"\nbase_url = \"https://example.org\"\nposts_per_page = 1\n",
    );
    write(
        root,
        "content/posts/a.md",
        "---\ntitle: A\ndate: 2020-01-01\naliases: [\"/page/2/\", \"/tags/foo/\"]\n---\nx\n",
    );
    write(
        root,
        "content/posts/b.md",
        "---\ntitle: B\ndate: 2020-01-02\ndraft: true\ntags: [foo]\n---\nx\n",
    );
    let check = lanyard(root, &["check"]);
    assert_eq!(check.status.code(), Some(1), "{}", stderr(&check));
    for line in [
        "error: content/posts/a.md:4: once the drafts and future posts are published (`build --drafts --future`, or the day they come due): an alias writes `page/2/index.html`, which the home page listing also writes",
        "error: content/posts/a.md:4: once the drafts and future posts are published (`build --drafts --future`, or the day they come due): an alias writes `tags/foo/index.html`, which tag `foo` also writes",
    ] {
        assert!(stderr(&check).contains(line), "missing\n  {line}\nin:\n{}", stderr(&check));
    }
    let build = lanyard(root, &["build"]);
    assert_eq!(build.status.code(), Some(0), "{}", stderr(&build));
    // What the error foretells.
    let all = lanyard(root, &["build", "--drafts", "-o", "public2"]);
    assert_eq!(all.status.code(), Some(1), "{}", stderr(&all));
}

/// Drafts that clash with nothing are not reported.
#[test]
fn hidden_posts_without_clashes_are_not_reported() {
    let site = bare_site();
    let root = site.path();
    write(
        root,
        "content/posts/a.md",
        "---\ntitle: A\ndate: 2020-01-01\nseries: S\npart: 1\n---\nx\n",
    );
    write(
        root,
        "content/posts/b.md",
        "---\ntitle: B\ndate: 2099-01-01\nseries: S\npart: 2\n---\nx\n",
    );
    write(
        root,
        "content/posts/c.md",
        "---\ntitle: C\ndate: 2020-01-02\ndraft: true\n---\nx\n",
    );
    let out = lanyard(root, &["check"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(!stderr(&out).contains("will fail"), "{}", stderr(&out));
}

/// Links written as raw HTML in a post are checked like Markdown links; in a comment, where raw HTML
/// is escaped, they are not links at all.
#[test]
fn raw_html_links_in_posts_are_checked() {
    let site = bare_site();
    let root = site.path();
    write(
        root,
        "content/posts/a.md",
        "---\ntitle: A\ndate: 2024-01-01\n---\nIntro.\n\n<a href=\"/posts/gone/\">gone</a> <img src=\"/posts/a/\" alt=\"ok\">\n",
    );
    write(
        root,
        "content/comments/a/1.yaml",
        "author: X\ndate: 2024-01-02\nbody: \"see <a href='/nowhere/'>x</a>\"\n",
    );
    let out = lanyard(root, &["check"]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(
        err.contains("content/posts/a.md:7: broken link [HTML link](/posts/gone/)"),
        "{err}"
    );
    assert!(
        !err.contains("/posts/a/`") && !err.contains("nowhere"),
        "{err}"
    );
}

/// Links in a `summary:` value and in a series description are checked too: the summary's at the
/// `summary:` line, the description's at their own line and resolved from the series page.
#[test]
fn links_in_summaries_and_series_descriptions_are_checked() {
    let site = bare_site();
    let root = site.path();
    write(
        root,
        "content/posts/a.md",
        "---\ntitle: A\ndate: 2024-01-01\nseries: Tips\npart: 1\nsummary: \"See [the old tip](/posts/gone/) and [this](#intro).\"\n---\n## Intro\n\nBody.\n",
    );
    write(
        root,
        "content/series/tips.md",
        "---\ntitle: Tips\n---\nStart with [part one](/posts/a/#intro).\n\nThen [the list](../../tags/nope/) and [here](#parts).\n",
    );
    let out = lanyard(root, &["check"]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(
        err.contains("content/posts/a.md:6: broken link [the old tip](/posts/gone/)"),
        "{err}"
    );
    assert!(
        err.contains("content/series/tips.md:6: broken link [the list](../../tags/nope/)"),
        "{err}"
    );
    assert!(
        err.contains("content/series/tips.md:6: broken anchor [here](#parts)"),
        "{err}"
    );
    assert!(
        !err.contains("[this](#intro)") && !err.contains("[part one]"),
        "{err}"
    );
}
