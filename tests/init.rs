//! `lanyard init`: a new site that builds and checks clean at once.

mod helpers;

use helpers::*;

#[test]
fn init_then_build_and_check() {
    let tmp = tempfile::tempdir().unwrap();
    let site = tmp.path().join("my-site");
    let out = lanyard_in(tmp.path(), &["init", "my-site"]);
    insta::assert_snapshot!("init", transcript(&out, tmp.path()));
    let mut files: Vec<String> = walk(&site);
    files.sort();
    insta::assert_snapshot!("init_files", stable(&files.join("\n"), &site));
    let build = lanyard(&site, &["build"]);
    assert_eq!(build.status.code(), Some(0), "{}", stderr(&build));
    assert_eq!(stderr(&build), "", "a new site builds without warnings");
    for page in [
        "index.html",
        "posts/write-down-one-detail/index.html",
        "series/networking-basics/index.html",
        "rss.xml",
    ] {
        assert!(site.join("public").join(page).is_file(), "{page}");
    }
    let comments =
        std::fs::read_to_string(site.join("public/posts/write-down-one-detail/index.html"))
            .unwrap();
    assert!(
        comments.contains("comment-priya-1"),
        "the sample comment is shown"
    );
    let check = lanyard(&site, &["check"]);
    assert_eq!(check.status.code(), Some(0), "{}", stderr(&check));
    assert_eq!(stderr(&check), "", "a new site checks clean");
}

#[test]
fn theme_files_are_written_and_used() {
    let tmp = tempfile::tempdir().unwrap();
    let out = lanyard(tmp.path(), &["init", "--theme-files"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let base = tmp.path().join("themes/default/templates/base.html");
    let text = std::fs::read_to_string(&base).unwrap();
    std::fs::write(&base, text.replace("<main", "<!-- customised --><main")).unwrap();
    assert!(tmp.path().join("themes/default/static/style.css").is_file());
    let build = lanyard(tmp.path(), &["build"]);
    assert_eq!(build.status.code(), Some(0), "{}", stderr(&build));
    let home = std::fs::read_to_string(tmp.path().join("public/index.html")).unwrap();
    assert!(
        home.contains("<!-- customised -->"),
        "the written theme is the one used"
    );
}

#[test]
fn a_folder_that_is_not_empty_is_refused() {
    let tmp = tempfile::tempdir().unwrap();
    write(tmp.path(), "notes.txt", "mine");
    let out = lanyard_in(tmp.path(), &["init", "."]);
    insta::assert_snapshot!("not_empty", transcript(&out, tmp.path()));
    assert_eq!(std::fs::read_dir(tmp.path()).unwrap().count(), 1);
    assert_eq!(
        std::fs::read_to_string(tmp.path().join("notes.txt")).unwrap(),
        "mine"
    );
}

/// Every file below `dir`, relative, `/`-separated.
fn walk(dir: &std::path::Path) -> Vec<String> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        let path = entry.path();
        if path.is_dir() {
            out.extend(
                walk(&path)
                    .into_iter()
                    .map(|p| format!("{}/{p}", entry.file_name().to_string_lossy())),
            );
        } else {
            out.push(entry.file_name().to_string_lossy().into_owned());
        }
    }
    out
}
