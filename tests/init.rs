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

#[test]
fn a_fresh_clone_or_a_folder_with_litter_is_accepted_and_kept() {
    let tmp = tempfile::tempdir().unwrap();
    let site = tmp.path().join("g");
    write(&site, ".git/HEAD", "ref: refs/heads/main\n");
    write(&site, ".gitignore", "/target\n");
    write(&site, ".DS_Store", "finder");
    write(&site, "Thumbs.db", "explorer");
    write(&site, "desktop.ini", "[.ShellClassInfo]");
    let out = lanyard_in(tmp.path(), &["init", "g"]);
    insta::assert_snapshot!("clone", transcript(&out, tmp.path()));
    for (file, text) in [
        (".git/HEAD", "ref: refs/heads/main\n"),
        (".gitignore", "/target\n"),
        (".DS_Store", "finder"),
        ("Thumbs.db", "explorer"),
    ] {
        let kept = std::fs::read_to_string(site.join(file)).unwrap();
        assert_eq!(kept, text, "{file} is left as it was");
    }
    let build = lanyard(&site, &["build"]);
    assert_eq!(build.status.code(), Some(0), "{}", stderr(&build));
}

#[test]
fn a_visible_file_beside_hidden_ones_is_still_refused() {
    let tmp = tempfile::tempdir().unwrap();
    write(tmp.path(), ".git/HEAD", "ref: refs/heads/main\n");
    write(tmp.path(), "README.md", "mine");
    let out = lanyard(tmp.path(), &["init"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("is not empty (it has `README.md`)"),
        "{}",
        stderr(&out)
    );
    let mut left: Vec<String> = walk(tmp.path());
    left.sort();
    assert_eq!(left, [".git/HEAD", "README.md"], "nothing was written");
}

#[test]
fn the_next_step_quotes_a_path_the_shell_would_split() {
    let tmp = tempfile::tempdir().unwrap();
    for (dir, quoted) in [
        ("sp ace/é", "'sp ace/é'"),
        ("it's", "'it'\\''s'"),
        ("plain-name", "plain-name"),
    ] {
        let out = lanyard_in(tmp.path(), &["init", dir]);
        assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
        let hint = stdout(&out);
        assert!(
            hint.contains(&format!(
                "`lanyard serve --root {quoted}` or `lanyard build --root {quoted}`"
            )),
            "{hint}"
        );
        // What the hint says to run works when pasted into a shell.
        let script = format!("\"$0\" build --root {quoted}");
        let run = std::process::Command::new("sh")
            .args(["-c", &script, env!("CARGO_BIN_EXE_lanyard")])
            .current_dir(tmp.path())
            .output()
            .unwrap();
        assert_eq!(run.status.code(), Some(0), "{script}: {}", stderr(&run));
    }
}

/// A control character in the folder's name is shown as an escape, never sent to the terminal.
#[test]
fn a_control_character_in_the_folder_name_is_not_sent_to_the_terminal() {
    let tmp = tempfile::tempdir().unwrap();
    let out = lanyard_in(tmp.path(), &["init", "ctl\u{1b}]0;title\u{7}"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let said = stdout(&out);
    assert!(
        !said.contains('\u{1b}') && !said.contains('\u{7}'),
        "{said:?}"
    );
    assert!(said.contains("ctl\\u{1b}]0;title\\u{7}"), "{said}");
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

/// The hint after `init` can be pasted: a folder whose name starts with `-` is written `./-name`, so
/// that `--root` does not read it as an option.
#[test]
fn the_hint_for_a_folder_named_like_an_option_can_be_pasted() {
    let tmp = tempfile::tempdir().unwrap();
    let out = lanyard_in(tmp.path(), &["init", "--", "-dash"]);
    let said = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(said.contains("`lanyard build --root ./-dash`"), "{said}");
    let build = lanyard_in(tmp.path(), &["build", "--root", "./-dash"]);
    assert_eq!(build.status.code(), Some(0), "{}", stderr(&build));
}

#[cfg(unix)]
#[test]
fn a_link_to_nothing_is_named_as_one() {
    let tmp = tempfile::tempdir().unwrap();
    std::os::unix::fs::symlink("nowhere", tmp.path().join("dangling")).unwrap();
    let out = lanyard_in(tmp.path(), &["init", "dangling"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains(
            "error: dangling: is a symbolic link to `nowhere`, which does not exist: create that folder, or remove the link"
        ),
        "{}",
        stderr(&out)
    );
}
