//! Output folders that lead elsewhere: a symbolic link inside the output, an output on another file
//! system, an `-o` that reaches the site's sources through a link. A build writes and deletes only
//! inside its output, and ends with the same files a fresh build makes.
#![cfg(unix)]

mod common;

use common::*;
use std::os::unix::fs::symlink;
use std::path::Path;

fn site_with_tags() -> tempfile::TempDir {
    let site = minimal_site();
    for (name, tag) in [("a", "events"), ("b", "events"), ("c", "follow-up")] {
        write(
            site.path(),
            &format!("content/posts/{name}.md"),
            &format!("---\ntitle: Post {name}\ndate: 2024-01-0{n}\ntags: [{tag}]\n---\nText of {name}.\n", n = name.len() + 1),
        );
    }
    site
}

fn build(site: &Path, args: &[&str]) {
    let out = lanyard(site, &[&["build"], args].concat());
    assert!(out.status.success(), "{}", stderr(&out));
}

/// What a fresh build of `site` writes.
fn fresh(site: &Path) -> std::collections::BTreeMap<String, Vec<u8>> {
    let out = tempfile::tempdir().unwrap();
    let dir = out.path().join("fresh");
    build(site, &["-o", dir.to_str().unwrap()]);
    tree(&dir)
}

#[test]
fn a_linked_folder_in_the_output_is_replaced_and_what_it_points_to_is_kept() {
    let site = site_with_tags();
    build(site.path(), &[]);
    let public = site.path().join("public");
    // The tag pages moved elsewhere, beside a file of the author's, and linked back.
    let elsewhere = tempfile::tempdir().unwrap();
    let shared = elsewhere.path().join("shared");
    copy_dir(&public.join("tags"), &shared);
    write(&shared, "keep.txt", "precious");
    write(&shared, "events/old.html", "an old page of the author's");
    std::fs::remove_dir_all(public.join("tags")).unwrap();
    symlink(&shared, public.join("tags")).unwrap();
    let before = tree(&shared);

    build(site.path(), &[]);

    assert_eq!(tree(&shared), before, "nothing outside the output changed");
    let tags = std::fs::symlink_metadata(public.join("tags")).unwrap();
    assert!(tags.is_dir(), "the link became a real folder");
    assert_eq!(tree(&public), fresh(site.path()), "the output is whole");
}

#[test]
fn a_linked_file_in_the_output_is_replaced_not_written_through() {
    let site = site_with_tags();
    build(site.path(), &[]);
    let public = site.path().join("public");
    let elsewhere = tempfile::tempdir().unwrap();
    let target = elsewhere.path().join("feed.xml");
    std::fs::write(&target, "the author's own file").unwrap();
    std::fs::remove_file(public.join("rss.xml")).unwrap();
    symlink(&target, public.join("rss.xml")).unwrap();

    build(site.path(), &[]);

    assert_eq!(
        std::fs::read_to_string(&target).unwrap(),
        "the author's own file"
    );
    assert!(!std::fs::symlink_metadata(public.join("rss.xml"))
        .unwrap()
        .file_type()
        .is_symlink());
    assert_eq!(tree(&public), fresh(site.path()));
}

/// A folder on another file system than the temporary folder, if this machine has one (`/dev/shm`
/// is a tmpfs on Linux).
fn other_file_system(than: &Path) -> Option<tempfile::TempDir> {
    use std::os::unix::fs::MetadataExt;
    let dir = tempfile::tempdir_in("/dev/shm").ok()?;
    let dev = |p: &Path| std::fs::metadata(p).map(|m| m.dev()).ok();
    (dev(dir.path()) != dev(than)).then_some(dir)
}

#[test]
fn an_output_linked_to_another_file_system_is_built_and_rebuilt() {
    let site = site_with_tags();
    let Some(other) = other_file_system(site.path()) else {
        eprintln!("skipped: no second file system here");
        return;
    };
    let public = site.path().join("public");
    let target = other.path().join("www");
    // A first build into an empty folder there, then one into the output it made, then one after
    // an edit.
    std::fs::create_dir(&target).unwrap();
    symlink(&target, &public).unwrap();
    build(site.path(), &[]);
    build(site.path(), &[]);
    write(
        site.path(),
        "content/posts/a.md",
        "---\ntitle: Post a, edited\ndate: 2024-01-02\ntags: [follow-up]\n---\nNew text.\n",
    );
    build(site.path(), &[]);
    assert_eq!(tree(&target), fresh(site.path()));
    let leftovers: Vec<String> = tree(&target)
        .into_keys()
        .filter(|k| k.contains(".lanyard-") && !k.ends_with(".lanyard-output"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

#[test]
fn an_output_reached_through_a_link_into_the_sources_is_refused() {
    let site = site_with_tags();
    let links = tempfile::tempdir().unwrap();
    for src in ["content", "static"] {
        std::fs::create_dir_all(site.path().join(src)).unwrap();
        let link = links.path().join(format!("{src}-link"));
        symlink(site.path().join(src), &link).unwrap();
        let before = tree(site.path());
        let out = lanyard(
            site.path(),
            &["build", "-o", link.join("out").to_str().unwrap()],
        );
        assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
        assert!(
            stderr(&out).contains(&format!("inside the site's {src}/ folder")),
            "{}",
            stderr(&out)
        );
        assert_eq!(tree(site.path()), before);
    }
}
