//! `lanyard new post`: the file it writes, series parts, and what it refuses.

mod helpers;

use std::path::Path;

use helpers::*;

const SITE: &str = "title = \"Tips\"\nbase_url = \"https://tips.example.com\"\n";

/// A site whose series "66 Tips: Better Networking" has the given parts (one post each).
fn site_with_parts(parts: &[u32]) -> tempfile::TempDir {
    let site = tempfile::tempdir().unwrap();
    write(site.path(), "site.toml", SITE);
    for &part in parts {
        let text = format!("---\ntitle: \"Tip {part}\"\ndate: 2020-01-01 10:{part:02}\nseries: \"66 Tips: Better Networking\"\npart: {part}\n---\nTip.\n");
        write(site.path(), &format!("content/posts/tip-{part}.md"), &text);
    }
    site
}

fn new_post(root: &Path, args: &[&str]) -> std::process::Output {
    let mut all = vec!["new", "post"];
    all.extend(args);
    lanyard(root, &all)
}

/// The file `new post` said it wrote, read back.
fn written(root: &Path, out: &std::process::Output) -> String {
    let path = stdout(out).trim().to_string();
    assert!(path.starts_with(root.to_str().unwrap()), "printed {path}");
    std::fs::read_to_string(path).unwrap()
}

#[test]
fn a_series_ending_at_part_22_gets_part_23_which_builds() {
    let site = site_with_parts(&(1..=22).collect::<Vec<_>>());
    let out = new_post(
        site.path(),
        &[
            "Tip 23: Say \"thank you\" twice",
            "--series",
            "66 Tips: Better Networking",
        ],
    );
    insta::assert_snapshot!("part_23", transcript(&out, site.path()));
    insta::assert_snapshot!(
        "part_23_file",
        stable(&written(site.path(), &out), site.path())
    );
    let build = lanyard(site.path(), &["build"]);
    assert_eq!(build.status.code(), Some(0), "{}", stderr(&build));
    assert_eq!(stderr(&build), "");
    let page = std::fs::read_to_string(
        site.path()
            .join("public/posts/tip-23-say-thank-you-twice/index.html"),
    )
    .unwrap();
    assert!(
        page.contains("<h1 class=\"post-title\">Tip 23: Say &quot;thank you&quot; twice</h1>"),
        "the title reads back as typed"
    );
    assert!(page.contains("Part 23 of 23"));
}

#[test]
fn the_series_is_found_by_any_case_or_by_id() {
    for wanted in [
        "66 tips: better networking",
        "66-tips-better-networking",
        "66 Tips Better Networking",
    ] {
        let site = site_with_parts(&[1, 2]);
        let out = new_post(site.path(), &["Next tip", "--series", wanted]);
        assert_eq!(out.status.code(), Some(0), "{wanted}: {}", stderr(&out));
        let text = written(site.path(), &out);
        assert!(
            text.contains("series: \"66 Tips: Better Networking\"\npart: 3\n"),
            "{wanted}: {text}"
        );
    }
}

#[test]
fn gaps_are_kept_and_mentioned_and_drafts_count() {
    let site = site_with_parts(&[1, 2, 4]);
    let draft = "---\ntitle: Five\ndate: 2020-02-01\ndraft: true\nseries: \"66 Tips: Better Networking\"\npart: 5\n---\n";
    write(site.path(), "content/posts/tip-5.md", draft);
    let out = new_post(
        site.path(),
        &[
            "After the draft",
            "--series",
            "66 Tips: Better Networking",
            "--draft",
            "--tags",
            "gratitude, follow-up",
        ],
    );
    insta::assert_snapshot!("gaps", transcript(&out, site.path()));
    insta::assert_snapshot!(
        "gaps_file",
        stable(&written(site.path(), &out), site.path())
    );
}

#[test]
fn a_new_series_starts_at_part_1() {
    let site = site_with_parts(&[1]);
    let out = new_post(
        site.path(),
        &["Hello again", "--series", "66 Tips: Beter Networking"],
    );
    insta::assert_snapshot!("new_series", transcript(&out, site.path()));
    assert!(written(site.path(), &out).contains("series: \"66 Tips: Beter Networking\"\npart: 1\n"));
}

#[test]
fn a_cpp_series_is_not_taken_for_a_c_series() {
    let site = tempfile::tempdir().unwrap();
    write(site.path(), "site.toml", SITE);
    write(
        site.path(),
        "content/posts/c-1.md",
        "---\ntitle: C one\ndate: 2020-01-01\nseries: C Tips\npart: 1\n---\nx\n",
    );
    write(
        site.path(),
        "content/posts/cpp-1.md",
        "---\ntitle: C++ one\ndate: 2020-01-02\nseries: C++ Tips\npart: 1\n---\nx\n",
    );
    let out = new_post(site.path(), &["C++ two", "--series", "c-plus-plus-tips"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(written(site.path(), &out).contains("series: \"C++ Tips\"\npart: 2\n"));
    let out = new_post(site.path(), &["Plain C, part two", "--series", "C Tips"]);
    assert!(written(site.path(), &out).contains("series: \"C Tips\"\npart: 2\n"));
    let build = lanyard(site.path(), &["build"]);
    assert_eq!(build.status.code(), Some(0), "{}", stderr(&build));
}

/// The files below `root/content`, relative, sorted.
fn content_files(root: &Path) -> Vec<String> {
    let mut files: Vec<String> = walkdir::WalkDir::new(root.join("content"))
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .map(|e| e.path().strip_prefix(root).unwrap().display().to_string())
        .collect();
    files.sort();
    files
}

#[test]
fn a_series_whose_total_is_reached_gets_no_part_above_it() {
    let site = site_with_parts(&[1, 2, 3]);
    write(
        site.path(),
        "content/series/66-tips-better-networking.md",
        "---\ntitle: \"66 Tips: Better Networking\"\ntotal: 3\n---\n",
    );
    let before = content_files(site.path());
    let out = new_post(
        site.path(),
        &["Tip 4", "--series", "66 Tips: Better Networking"],
    );
    insta::assert_snapshot!("total_reached", transcript(&out, site.path()));
    assert_eq!(content_files(site.path()), before, "nothing was written");
    let build = lanyard(site.path(), &["build"]);
    assert_eq!(build.status.code(), Some(0), "{}", stderr(&build));
}

#[test]
fn a_series_at_the_highest_part_a_series_can_have_gets_no_more() {
    let site = site_with_parts(&[]);
    let last = "---\ntitle: Last\ndate: 2020-01-01\nseries: Long\npart: 100000\n---\n";
    write(site.path(), "content/posts/last.md", last);
    let before = content_files(site.path());
    let out = new_post(site.path(), &["One more", "--series", "Long"]);
    insta::assert_snapshot!("max_parts", transcript(&out, site.path()));
    assert_eq!(content_files(site.path()), before, "nothing was written");
}

#[test]
fn an_existing_file_is_never_overwritten() {
    let site = site_with_parts(&[1]);
    let first = new_post(site.path(), &["Same title"]);
    assert_eq!(first.status.code(), Some(0), "{}", stderr(&first));
    let path = stdout(&first).trim().to_string();
    std::fs::write(
        &path,
        "---\ntitle: Same title\ndate: 2020-03-01\n---\nMy words.\n",
    )
    .unwrap();
    let second = new_post(site.path(), &["Same title"]);
    insta::assert_snapshot!("no_overwrite", transcript(&second, site.path()));
    assert_eq!(
        std::fs::read_to_string(&path).unwrap(),
        "---\ntitle: Same title\ndate: 2020-03-01\n---\nMy words.\n"
    );
}

#[test]
fn an_address_another_post_has_is_refused() {
    let site = site_with_parts(&[]);
    write(
        site.path(),
        "content/posts/hello.md",
        "---\ntitle: Hello\ndate: 2020-01-01\n---\nHi.\n",
    );
    let out = new_post(site.path(), &["Hello"]);
    insta::assert_snapshot!("taken_address", transcript(&out, site.path()));
}

#[test]
fn an_address_another_post_has_as_an_alias_is_refused() {
    let site = site_with_parts(&[]);
    let renamed =
        "---\ntitle: Renamed\ndate: 2020-01-01\naliases: [\"/posts/follow-up/\"]\n---\nHi.\n";
    write(site.path(), "content/posts/renamed.md", renamed);
    let before = content_files(site.path());
    let out = new_post(site.path(), &["Follow up"]);
    insta::assert_snapshot!("taken_by_alias", transcript(&out, site.path()));
    assert_eq!(content_files(site.path()), before, "nothing was written");
    let other = new_post(site.path(), &["Follow up later"]);
    assert_eq!(other.status.code(), Some(0), "{}", stderr(&other));
    let build = lanyard(site.path(), &["build"]);
    assert_eq!(build.status.code(), Some(0), "{}", stderr(&build));
}

#[test]
fn an_address_a_generated_page_has_is_refused() {
    let site = site_with_parts(&[]);
    write(
        site.path(),
        "site.toml",
        &format!("{SITE}permalink = \"/:slug/\"\n"),
    );
    let before = content_files(site.path());
    let tags = new_post(site.path(), &["Tags"]);
    insta::assert_snapshot!("taken_by_tags_index", transcript(&tags, site.path()));
    for title in ["Archive", "Series"] {
        let out = new_post(site.path(), &[title]);
        assert_eq!(out.status.code(), Some(1), "{title}: {}", stderr(&out));
    }
    assert_eq!(content_files(site.path()), before, "nothing was written");
    let fine = new_post(site.path(), &["Tagging well"]);
    assert_eq!(fine.status.code(), Some(0), "{}", stderr(&fine));
    let build = lanyard(site.path(), &["build"]);
    assert_eq!(build.status.code(), Some(0), "{}", stderr(&build));
}

#[test]
fn a_page_the_new_post_brings_is_checked_too() {
    let site = site_with_parts(&[]);
    let old = "---\ntitle: Old\ndate: 2020-01-01\naliases: [\"/tags/events/\"]\n---\nHi.\n";
    write(site.path(), "content/posts/old.md", old);
    let out = new_post(site.path(), &["Mixer notes", "--tags", "events"]);
    insta::assert_snapshot!("taken_by_tag_page", transcript(&out, site.path()));
}

/// A static file where the post's folder goes (or a tag's) is a clash too: one needs the path as a
/// file, the other as a folder.
#[test]
fn a_static_file_where_the_posts_folder_goes_is_refused() {
    let site = site_with_parts(&[]);
    write(site.path(), "static/posts/mixer", "x");
    write(site.path(), "static/tags/events", "x");
    let before = content_files(site.path());
    let out = new_post(site.path(), &["Mixer"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(stderr(&out).contains("not written: its address /posts/mixer/ and static/posts/mixer both need `posts/mixer`, one as a file and one as a folder"), "{}", stderr(&out));
    let out = new_post(site.path(), &["Other", "--tags", "events"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(
        stderr(&out).contains(
            "with this post, tag `events` and static/tags/events would both need `tags/events`"
        ),
        "{}",
        stderr(&out)
    );
    assert_eq!(content_files(site.path()), before, "nothing was written");
}

/// A draft that already brings page 2 of the listing hides, in the plan with drafts, a clash of an
/// alias with that page; the new post brings it into today's build, and is refused.
#[test]
fn a_clash_a_draft_hides_is_refused_when_the_new_post_publishes_it() {
    let site = site_with_parts(&[]);
    write(
        site.path(),
        "site.toml",
        &format!(
            "{SITE}posts_per_page = 1
"
        ),
    );
    let old = "---\ntitle: Old\ndate: 2020-01-01\naliases: [\"/page/2/\"]\n---\nHi.\n";
    write(site.path(), "content/posts/old.md", old);
    let draft = "---\ntitle: Draft\ndate: 2020-01-02\ndraft: true\n---\nHi.\n";
    write(site.path(), "content/posts/draft.md", draft);
    let out = new_post(site.path(), &["Fresh"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("with this post, the home page listing would write `page/2/index.html`, which content/posts/old.md:4 (an alias) also writes"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn a_post_is_written_although_other_posts_have_errors() {
    let site = site_with_parts(&[1, 2]);
    let bad_date = "---\ntitle: Bad date\ndate: 2024-13-02\n---\n";
    write(site.path(), "content/posts/bad-date.md", bad_date);
    let bad_yaml = "---\ntitle: Tip 3: Listen\ndate: 2024-01-02\n---\n";
    write(site.path(), "content/posts/bad-yaml.md", bad_yaml);
    let out = new_post(site.path(), &["Plain"]);
    insta::assert_snapshot!("others_broken", transcript(&out, site.path()));
    assert!(written(site.path(), &out).starts_with("---\ntitle: \"Plain\"\n"));
    let part = new_post(
        site.path(),
        &["Next tip", "--series", "66 Tips: Better Networking"],
    );
    assert_eq!(part.status.code(), Some(0), "{}", stderr(&part));
    assert!(written(site.path(), &part).contains("part: 3\n"));
}

#[test]
fn a_template_with_an_error_does_not_stop_new() {
    let site = site_with_parts(&[]);
    write(
        site.path(),
        "templates/base.html",
        "{% block x %}\n{{ oops\n",
    );
    let out = new_post(site.path(), &["Plain"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(
        err.starts_with("warning: templates/base.html:")
            && err.contains("note: the site has 1 error(s)"),
        "{err}"
    );
}

#[test]
fn a_part_held_by_a_file_with_an_error_still_counts() {
    let site = site_with_parts(&[1, 2]);
    let broken = "---\ntitle: Tip 3\ndate: 2024-13-02\nseries: \"66 Tips: Better Networking\"\npart: 3\n---\n";
    write(site.path(), "content/posts/tip-3.md", broken);
    let out = new_post(
        site.path(),
        &["Tip 4", "--series", "66 Tips: Better Networking"],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(written(site.path(), &out).contains("part: 4\n"));
}

#[test]
fn an_error_that_hides_the_next_part_is_refused_with_the_reason() {
    let site = site_with_parts(&[1, 2]);
    let broken = "---\ntitle: Tip 3\ndate: 2024-01-03\nseries: \"66 Tips: Better Networking\"\npart: three\n---\n";
    write(site.path(), "content/posts/tip-3.md", broken);
    let before = content_files(site.path());
    let out = new_post(
        site.path(),
        &["Tip 4", "--series", "66 Tips: Better Networking"],
    );
    insta::assert_snapshot!("part_hidden", transcript(&out, site.path()));
    assert_eq!(content_files(site.path()), before, "nothing was written");
    let plain = new_post(site.path(), &["Not in a series"]);
    assert_eq!(plain.status.code(), Some(0), "{}", stderr(&plain));
}

#[test]
fn a_series_description_with_an_error_hides_its_total() {
    let site = site_with_parts(&[1, 2]);
    write(
        site.path(),
        "content/series/66-tips-better-networking.md",
        "---\ntotal: lots\n---\n",
    );
    let before = content_files(site.path());
    let out = new_post(
        site.path(),
        &["Tip 3", "--series", "66 Tips: Better Networking"],
    );
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("error: content/series/66-tips-better-networking.md:2: this description of series `66 Tips: Better Networking` has an error, so its planned `total` is unknown"),
        "{}",
        stderr(&out)
    );
    assert_eq!(content_files(site.path()), before, "nothing was written");
    let plain = new_post(site.path(), &["Not in a series"]);
    assert_eq!(plain.status.code(), Some(0), "{}", stderr(&plain));
}

/// A series description with an error whose title still reads names its series: one with another
/// title is no reason to refuse a new series, one with this title is.
#[test]
fn a_broken_series_description_whose_title_reads_is_told_apart() {
    let site = site_with_parts(&[]);
    write(
        site.path(),
        "content/series/s.md",
        "---\ntitle: Small Talk\ntotal: many\n---\n",
    );
    let other = new_post(site.path(), &["First", "--series", "Door Openers"]);
    assert_eq!(other.status.code(), Some(0), "{}", stderr(&other));
    let before = content_files(site.path());
    let same = new_post(site.path(), &["Second", "--series", "small talk"]);
    assert_eq!(same.status.code(), Some(1), "{}", stderr(&same));
    assert!(
        stderr(&same).contains("error: content/series/s.md:3: this description of series `small talk` has an error, so its planned `total` is unknown"),
        "{}",
        stderr(&same)
    );
    assert_eq!(content_files(site.path()), before, "nothing was written");
}

/// A post whose tag is too long for a folder name is the build's to report: `new` still writes its
/// post.
#[test]
fn a_post_with_a_tag_too_long_for_a_folder_does_not_stop_new() {
    let site = site_with_parts(&[]);
    let tag = "tag".repeat(100);
    write(
        site.path(),
        "content/posts/long.md",
        &format!("---\ntitle: Long\ndate: 2020-01-01\ntags: [{tag}]\n---\nx\n"),
    );
    let out = new_post(site.path(), &["Short"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
}

#[test]
fn an_address_held_or_hidden_by_a_file_with_an_error_is_refused() {
    let site = site_with_parts(&[]);
    let same_slug = "---\ntitle: Plain\ndate: 2024-13-02\n---\n";
    write(site.path(), "content/posts/plain.md", same_slug);
    let hidden = "---\ntitle: Moved\ndate: 2024-01-02\naliases: {old: /x/}\n---\n";
    write(site.path(), "content/posts/moved.md", hidden);
    let before = content_files(site.path());
    let out = new_post(site.path(), &["Plain"]);
    insta::assert_snapshot!("address_hidden", transcript(&out, site.path()));
    assert_eq!(content_files(site.path()), before, "nothing was written");
}

#[test]
fn the_path_is_printed_relative_to_where_lanyard_runs() {
    let site = site_with_parts(&[]);
    let out = lanyard_in(site.path(), &["new", "post", "Plain"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let printed = stdout(&out);
    assert!(
        printed.starts_with("content/posts/") && printed.ends_with("-plain.md\n"),
        "{printed}"
    );
    assert!(site.path().join(printed.trim()).is_file());
}

#[test]
fn root_goes_before_or_after_the_subcommand() {
    let site = site_with_parts(&[]);
    let elsewhere = tempfile::tempdir().unwrap();
    let root = site.path().to_str().unwrap();
    for args in [
        vec!["new", "--root", root, "post", "Before the kind"],
        vec!["new", "post", "After the kind", "--root", root],
    ] {
        // Not `lanyard()`, which adds a `--root` of its own.
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_lanyard"))
            .args(&args)
            .current_dir(elsewhere.path())
            .output()
            .unwrap();
        assert!(out.status.success(), "{args:?}: {}", stderr(&out));
        assert!(written(site.path(), &out).contains("title:"));
    }
}

/// A `--series` without letters or digits is a wrong command line (exit 2), as a title without them
/// is, and nothing is written.
#[test]
fn a_series_name_without_letters_or_digits_is_a_usage_error() {
    let site = site_with_parts(&[1]);
    for name in ["", "!!!"] {
        let out = new_post(site.path(), &["A tip", "--series", name]);
        assert_eq!(out.status.code(), Some(2), "{name:?}: {}", stderr(&out));
        assert!(stderr(&out).contains("--series"), "{}", stderr(&out));
    }
    assert!(!site
        .path()
        .join("content/posts")
        .read_dir()
        .unwrap()
        .any(|e| { e.unwrap().file_name().to_string_lossy().contains("a-tip") }));
}
