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
    assert!(err.contains("warning: content/comments/target/001-lee.yaml:6: broken link [over here](/posts/my-reply/)"), "{err}");
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
