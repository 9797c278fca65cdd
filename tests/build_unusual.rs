//! Inputs that are unusual but valid must build: huge posts, deep nesting, thousands of tags, Unicode
//! everywhere, reader comments that nest deeply.

mod common;

use common::*;
use std::path::Path;

fn build_ok(site: &std::path::Path) -> String {
    let out = lanyard(site, &["build"]);
    let err = stderr(&out);
    assert!(out.status.success(), "build failed:\n{err}");
    assert!(!err.contains("panicked"), "{err}");
    err
}

#[test]
fn a_twenty_megabyte_post_builds() {
    let site = minimal_site();
    let para =
        "A long paragraph about following up with the people you meet, repeated. ".repeat(20);
    let mut body = String::with_capacity(21 << 20);
    let mut n = 0;
    while body.len() < 20 << 20 {
        n += 1;
        body.push_str(&format!("## Section {n}\n\n{para}\n\n"));
    }
    write(
        site.path(),
        "content/posts/huge.md",
        &format!("---\ntitle: Huge\ndate: 2024-01-02\n---\n{body}"),
    );
    build_ok(site.path());
    let page = std::fs::metadata(site.path().join("public/posts/huge/index.html")).unwrap();
    assert!(page.len() > 20 << 20);
}

#[test]
fn deeply_nested_markdown_builds() {
    let site = minimal_site();
    let quotes = format!("{}deep\n", "> ".repeat(5000));
    let lists: String = (0..2000)
        .map(|i| format!("{}- item {i}\n", "  ".repeat(i)))
        .collect();
    let emphasis = format!("{}x{}\n", "*_".repeat(3000), "_*".repeat(3000));
    write(
        site.path(),
        "content/posts/deep.md",
        &format!("---\ntitle: Deep\ndate: 2024-01-02\n---\n{quotes}\n{lists}\n{emphasis}"),
    );
    build_ok(site.path());
}

#[test]
fn deeply_nested_comments_build() {
    let site = minimal_site();
    let body = format!("{}deep\n", "> ".repeat(3000));
    let mut yaml = String::from("---\ntitle: Thread\ndate: 2024-01-02\ncomments:\n");
    for i in 0..200 {
        let reply = if i == 0 {
            String::new()
        } else {
            format!("\n    reply_to: c{}", i - 1)
        };
        yaml.push_str(&format!(
            "  - author: R{i}\n    date: 2024-01-03\n    id: c{i}{reply}\n    body: {:?}\n",
            body
        ));
    }
    yaml.push_str("---\nBody.\n");
    write(site.path(), "content/posts/thread.md", &yaml);
    build_ok(site.path());
    let page = std::fs::read_to_string(site.path().join("public/posts/thread/index.html")).unwrap();
    assert!(page.contains("id=\"comment-c199\""));
}

#[test]
fn a_reply_chain_of_thousands_of_comment_files_builds_six_levels_deep() {
    let site = minimal_site();
    for i in 0..5000 {
        let reply = match i {
            0 => String::new(),
            _ => format!("reply_to: c{}\n", i - 1),
        };
        write(
            site.path(),
            &format!("content/comments/hello/{i:05}.yaml"),
            &format!("author: R{i}\ndate: 2024-01-02\nid: c{i}\n{reply}body: reply {i}\n"),
        );
    }
    build_ok(site.path());
    let page = std::fs::read_to_string(site.path().join("public/posts/hello/index.html")).unwrap();
    assert!(page.contains("id=\"comment-c4999\""));
    // Six levels of replies, then the rest of the chain listed flat at the sixth, oldest first, each
    // naming the comment it answers (but the first, which answers the comment it is listed under).
    assert_eq!(page.matches("class=\"comment-replies\"").count(), 6);
    assert!(!page.contains("href=\"#comment-c5\">in reply to R5"));
    assert!(page.contains("href=\"#comment-c6\">in reply to R6"));
    assert!(page.contains("href=\"#comment-c4998\">in reply to R4998"));
    let flat = |i: usize| page.find(&format!("id=\"comment-c{i}\"")).unwrap();
    assert!(flat(7) < flat(8) && flat(8) < flat(4999));
}

#[test]
fn comments_answering_each_other_in_a_circle_show_at_the_top_level() {
    let site = minimal_site();
    for (id, to) in [("a", "b"), ("b", "a"), ("c", "a"), ("d", "c"), ("e", "e")] {
        write(
            site.path(),
            &format!("content/comments/hello/{id}.yaml"),
            &format!("author: {id}\ndate: 2024-01-02\nid: {id}\nreply_to: {to}\nbody: x\n"),
        );
    }
    build_ok(site.path());
    let page = std::fs::read_to_string(site.path().join("public/posts/hello/index.html")).unwrap();
    // a, b and e are top-level; c nests under a, and d under c.
    assert_eq!(page.matches("<article class=\"comment\"").count(), 3);
    assert_eq!(
        page.matches("<article class=\"comment comment-reply\"")
            .count(),
        2
    );
    let at = |id: &str| page.find(&format!("id=\"comment-{id}\"")).unwrap();
    assert!(at("a") < at("c") && at("c") < at("d") && at("d") < at("b"));
}

#[test]
fn thousands_of_tags_build() {
    let site = minimal_site();
    let tags: Vec<String> = (0..3000).map(|i| format!("tag {i}")).collect();
    write(
        site.path(),
        "content/posts/tags.md",
        &format!(
            "---\ntitle: Tags\ndate: 2024-01-02\ntags: [{}]\n---\nx\n",
            tags.join(", ")
        ),
    );
    build_ok(site.path());
    assert!(site.path().join("public/tags/tag-2999/index.html").exists());
}

#[test]
fn unicode_names_tags_and_series_build() {
    let site = minimal_site();
    write(
        site.path(),
        "content/posts/réseau.md",
        "---\ntitle: \"Réseautage : l’art du suivi\"\ndate: 2024-01-02\ntags: [Réseautage, réseautage, C++, C#, 日本語, \"🎉\"]\nseries: \"Séries d’été\"\npart: 1\n---\nTexte.\n",
    );
    write(
        site.path(),
        "content/posts/other.md",
        "---\ntitle: Other\ndate: 2024-01-03\ntags: [RÉSEAUTAGE]\n---\nx\n",
    );
    build_ok(site.path());
    let public = site.path().join("public");
    assert!(public.join("posts/reseau/index.html").exists());
    assert!(public.join("tags/reseautage/index.html").exists());
    assert!(public.join("tags/c-plus-plus/index.html").exists());
    assert!(public.join("tags/c-sharp/index.html").exists());
    assert!(public.join("series/series-d-ete/index.html").exists());
    let tag = std::fs::read_to_string(public.join("tags/reseautage/index.html")).unwrap();
    assert!(
        tag.contains("/posts/other/") && tag.contains("/posts/reseau/"),
        "one tag for every spelling"
    );
}

#[test]
fn c_cpp_and_csharp_series_are_three_series() {
    let site = minimal_site();
    for (file, name) in [("c", "C Tips"), ("cpp", "C++ Tips"), ("cs", "C# Tips")] {
        write(
            site.path(),
            &format!("content/posts/{file}.md"),
            &format!("---\ntitle: {file}\ndate: 2024-01-02\nseries: \"{name}\"\npart: 1\n---\nx\n"),
        );
    }
    // Case and punctuation alone do not make another series.
    write(
        site.path(),
        "content/posts/c2.md",
        "---\ntitle: c2\ndate: 2024-01-03\nseries: \"c tips!\"\npart: 2\n---\nx\n",
    );
    build_ok(site.path());
    let public = site.path().join("public");
    // The newest part's spelling names the series, as with tags.
    for (id, name) in [
        ("c-tips", "c tips!"),
        ("c-plus-plus-tips", "C++ Tips"),
        ("c-sharp-tips", "C# Tips"),
    ] {
        let page = std::fs::read_to_string(public.join(format!("series/{id}/index.html")))
            .unwrap_or_else(|e| panic!("{id}: {e}"));
        assert!(page.contains(name), "{id}: {page}");
    }
    let c = std::fs::read_to_string(public.join("series/c-tips/index.html")).unwrap();
    assert!(c.contains("/posts/c/") && c.contains("/posts/c2/"), "{c}");
    assert!(
        !c.contains("/posts/cpp/") && !c.contains("/posts/cs/"),
        "{c}"
    );
}

#[test]
fn misspelt_comment_keys_are_warnings_at_their_lines() {
    let site = minimal_site();
    write(
        site.path(),
        "content/posts/a.md",
        "---\ntitle: A\ndate: 2024-01-01\ncomments:\n  - author: Jo\n    date: 2024-01-02\n    boddy: hi\n    body: hello\n---\nHi\n",
    );
    write(
        site.path(),
        "content/comments/a/2.yaml",
        "author: Ann\ndate: 2024-01-03\nbody: hi\nemail: ann@example.com\nreply-to: 1\n",
    );
    let out = lanyard(site.path(), &["build"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(
        err.contains(
            "warning: content/posts/a.md:7: comment key `boddy` is not read: did you mean `body`?"
        ),
        "{err}"
    );
    assert!(err.contains("warning: content/comments/a/2.yaml:5: comment key `reply-to` is not read: did you mean `reply_to`?"), "{err}");
    assert!(!err.contains("email"), "{err}");
}

#[test]
fn a_page_with_a_posts_keys_says_they_are_not_used() {
    let site = minimal_site();
    write(
        site.path(),
        "content/pages/about.md",
        "---\ntitle: About\ntags: [x]\nseries: Tips\npart: 1\n---\nUs.\n",
    );
    let out = lanyard(site.path(), &["build"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(err.contains("warning: content/pages/about.md:3: pages have no series, tags or comments, so `tags`, `series`, `part` are not used: make it a post in content/posts/, or remove them"), "{err}");
    assert!(!site.path().join("public/series/tips").exists());
    assert!(!site.path().join("public/tags/x").exists());
}

#[test]
fn a_stray_file_in_the_series_folder_is_a_warning() {
    let site = minimal_site();
    write(site.path(), "content/series/notes.txt", "plans");
    let out = lanyard(site.path(), &["build"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("warning: content/series/notes.txt: ignored: content/series/ holds one `<series-id>.md` per series"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn only_comment_ids_the_author_wrote_can_clash() {
    let site = minimal_site();
    // The inline comment is `1` by position and the file `1` by name: no id was written, no warning.
    write(
        site.path(),
        "content/posts/a.md",
        "---\ntitle: A\ndate: 2024-01-01\ncomments:\n  - author: Jo\n    date: 2024-01-02\n    body: first\n---\nHi\n",
    );
    write(
        site.path(),
        "content/comments/a/1.yaml",
        "author: Ann\ndate: 2024-01-03\nbody: second\n",
    );
    // Two written ids that repeat are reported at the second `id:` line.
    write(
        site.path(),
        "content/comments/a/x.yaml",
        "author: Bo\ndate: 2024-01-04\nid: same\nbody: third\n",
    );
    write(
        site.path(),
        "content/comments/a/y.yaml",
        "author: Cy\ndate: 2024-01-05\nbody: fourth\nid: same\n",
    );
    let out = lanyard(site.path(), &["build"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(!err.contains("share the id `1`"), "{err}");
    assert!(
        err.contains("warning: content/comments/a/y.yaml:4: two comments on content/posts/a.md share the id `same`"),
        "{err}"
    );
    let page = std::fs::read_to_string(site.path().join("public/posts/a/index.html")).unwrap();
    for body in ["first", "second", "third", "fourth"] {
        assert!(page.contains(&format!("<p>{body}</p>")), "{body}: {page}");
    }
}

#[test]
fn static_is_copied_with_its_hidden_files_but_not_editor_litter() {
    let site = minimal_site();
    let keep = [
        (
            ".well-known/security.txt",
            "Contact: mailto:security@example.com",
        ),
        (".htaccess", "ErrorDocument 404 /404.html"),
        (".nojekyll", ""),
        ("CNAME", "tips.example.com"),
        ("robots.txt", "User-agent: *\nDisallow: /drafts/\n"),
    ];
    let litter = [
        (".DS_Store", "x"),
        (".git/HEAD", "ref: refs/heads/main"),
        (".notes.txt.swp", "x"),
        ("logo.svg~", "x"),
        ("#scratch#", "x"),
    ];
    for (path, text) in keep.iter().chain(&litter) {
        write(site.path(), &format!("static/{path}"), text);
    }
    build_ok(site.path());
    let public = site.path().join("public");
    for (path, text) in keep {
        let got = std::fs::read_to_string(public.join(path)).unwrap_or_default();
        assert_eq!(got, text, "static/{path} is copied as it is");
    }
    for (path, _) in litter {
        assert!(!public.join(path).exists(), "static/{path} is left behind");
    }
}

/// A theme's own `static/` follows the same rules: `.well-known/` arrives, editor litter does not,
/// and its `robots.txt` replaces the generated one.
#[test]
fn a_themes_static_keeps_its_hidden_files_too() {
    let site = minimal_site();
    let theme = site.path().join("themes/plain");
    copy_dir(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("themes/default"),
        &theme,
    );
    std::fs::write(site.path().join("site.toml"), {
        let toml = std::fs::read_to_string(site.path().join("site.toml")).unwrap();
        format!("theme = \"plain\"\n{toml}")
    })
    .unwrap();
    write(&theme, "static/.well-known/theme.txt", "from the theme");
    write(&theme, "static/.style.css.swp", "x");
    write(&theme, "static/fonts/.DS_Store", "x");
    write(&theme, "static/robots.txt", "User-agent: *\n");
    build_ok(site.path());
    let public = site.path().join("public");
    let robots = std::fs::read_to_string(public.join("robots.txt")).unwrap_or_default();
    assert_eq!(
        robots, "User-agent: *\n",
        "the theme's robots.txt replaces the generated one"
    );
    let got = std::fs::read_to_string(public.join(".well-known/theme.txt")).unwrap_or_default();
    assert_eq!(got, "from the theme");
    assert!(!public.join(".style.css.swp").exists());
    assert!(!public.join("fonts/.DS_Store").exists());
}

/// Dates written with different offsets around New Year: each year has one section in the archive,
/// under the year each post's own date shows, years newest first.
#[test]
fn the_archive_has_one_section_per_year_whatever_the_offsets() {
    let site = minimal_site();
    let post = |title: &str, date: &str| format!("---\ntitle: {title}\ndate: {date}\n---\nBody.\n");
    for (slug, date) in [
        ("paris", "2024-01-01T00:30:00+01:00"),
        ("utc-eve", "2023-12-31T23:45:00Z"),
        ("march", "2024-03-01"),
        ("may", "2023-05-01"),
    ] {
        write(
            site.path(),
            &format!("content/posts/{slug}.md"),
            &post(slug, date),
        );
    }
    build_ok(site.path());
    let archive = std::fs::read_to_string(site.path().join("public/archive/index.html")).unwrap();
    let sections: Vec<&str> = archive
        .match_indices("id=\"year-")
        .map(|(at, _)| &archive[at + 9..at + 13])
        .collect();
    assert_eq!(sections, ["2024", "2023"], "{archive}");
    let at = |slug: &str| archive.find(&format!("/posts/{slug}/")).unwrap();
    assert!(at("march") < at("paris") && at("paris") < at("utc-eve") && at("utc-eve") < at("may"));
}

/// A site in a language written right to left gets `dir="rtl"` on its pages; others get no `dir`.
/// The language is written as a language tag (`fa_IR` → `fa-IR`).
#[test]
fn a_right_to_left_language_sets_the_page_direction() {
    for (written, language, dir) in [
        ("he", "he", Some("rtl")),
        ("ar-EG", "ar-EG", Some("rtl")),
        ("fa_IR", "fa-IR", Some("rtl")),
        ("en", "en", None),
        ("hr", "hr", None),
    ] {
        let site = minimal_site();
        let toml = format!(
            "title = \"T\"\nbase_url = \"https://example.org\"\nlanguage = \"{written}\"\n"
        );
        write(site.path(), "site.toml", &toml);
        write(
            site.path(),
            "content/posts/hello.md",
            "---\ntitle: Hello\ndate: 2024-01-01\naliases: [/old/]\n---\nHi.\n",
        );
        build_ok(site.path());
        for page in [
            "public/index.html",
            "public/posts/hello/index.html",
            "public/old/index.html",
        ] {
            let html = std::fs::read_to_string(site.path().join(page)).unwrap();
            let expected = match dir {
                Some(dir) => format!("<html lang=\"{language}\" dir=\"{dir}\">"),
                None => format!("<html lang=\"{language}\">"),
            };
            assert!(html.contains(&expected), "{language} {page}: {html}");
        }
    }
}

/// A blank tag (`""`, or an empty item of a YAML list) is left out with one warning at the `tags:`
/// line; the post's other tags are kept.
#[test]
fn a_blank_tag_is_left_out_with_a_warning() {
    let site = minimal_site();
    write(
        site.path(),
        "content/posts/a.md",
        "---\ntitle: A\ndate: 2024-01-01\ntags: [\"events\", \"\", \"  \"]\n---\nBody.\n",
    );
    write(
        site.path(),
        "content/posts/b.md",
        "---\ntitle: B\ndate: 2024-01-02\ntags:\n  - follow-up\n  -\n---\nBody.\n",
    );
    let out = lanyard(site.path(), &["build"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let err = stderr(&out);
    for at in ["content/posts/a.md:4", "content/posts/b.md:4"] {
        let line = format!("warning: {at}: an empty tag is ignored: remove it, or write the tag's name between the quotes");
        assert_eq!(err.matches(&line).count(), 1, "{line}\n{err}");
    }
    let public = site.path().join("public");
    assert!(public.join("tags/events/index.html").exists());
    assert!(public.join("tags/follow-up/index.html").exists());
    let tags: Vec<_> = std::fs::read_dir(public.join("tags"))
        .unwrap()
        .flatten()
        .map(|e| e.file_name())
        .collect();
    assert_eq!(tags.len(), 3, "events, follow-up and the index: {tags:?}");
}

/// Tags whose names make the same slug are one tag at one address, spelled as the newest post spells
/// it: a new post writing `reseautage` does not move the old `Réseautage` page to `-2`.
#[test]
fn tags_with_the_same_slug_are_one_tag() {
    let site = minimal_site();
    write(
        site.path(),
        "content/posts/old.md",
        "---\ntitle: Old\ndate: 2024-01-01\ntags: [\"Réseautage\", \"Machine-Learning\"]\n---\nBody.\n",
    );
    write(
        site.path(),
        "content/posts/new.md",
        "---\ntitle: New\ndate: 2024-02-01\ntags: [reseautage, machine learning]\n---\nBody.\n",
    );
    build_ok(site.path());
    let public = site.path().join("public");
    for slug in ["reseautage", "machine-learning"] {
        let page = std::fs::read_to_string(public.join(format!("tags/{slug}/index.html"))).unwrap();
        assert!(
            page.contains("/posts/old/") && page.contains("/posts/new/"),
            "{slug}: {page}"
        );
        assert!(!public.join(format!("tags/{slug}-2")).exists());
    }
}

/// A post may name a configured author by id, by name or by the id in another case: all are that
/// author. A configured author without posts gets no page.
#[test]
fn authors_are_found_by_id_or_name_and_empty_ones_get_no_page() {
    let site = minimal_site();
    let toml = std::fs::read_to_string(site.path().join("site.toml")).unwrap();
    let toml = format!(
        "{toml}\n[authors.thom]\nname = \"Thom Smith\"\n[authors.idle]\nname = \"Idle Writer\"\n"
    );
    write(site.path(), "site.toml", &toml);
    for (slug, author) in [
        ("a", "thom"),
        ("b", "Thom Smith"),
        ("c", "THOM"),
        ("d", "Jane Roe"),
    ] {
        write(
            site.path(),
            &format!("content/posts/{slug}.md"),
            &format!("---\ntitle: {slug}\ndate: 2024-01-01\nauthor: {author}\n---\nBody.\n"),
        );
    }
    build_ok(site.path());
    let authors = site.path().join("public/authors");
    let page = std::fs::read_to_string(authors.join("thom/index.html")).unwrap();
    for slug in ["a", "b", "c"] {
        assert!(page.contains(&format!("/posts/{slug}/")), "{slug}: {page}");
    }
    assert!(authors.join("jane-roe/index.html").exists());
    assert!(!authors.join("thom-smith").exists());
    assert!(
        !authors.join("idle").exists(),
        "no page for an author without posts"
    );
}

/// A name that is neither an id nor a configured name is an author of its own, and each post's byline
/// shows the name as that post writes it; one whose page would be a configured author's is listed
/// there, with a warning at its `author:` line.
#[test]
fn plain_author_names_keep_their_spelling_and_a_near_miss_of_an_id_is_warned() {
    let site = minimal_site();
    let toml = std::fs::read_to_string(site.path().join("site.toml")).unwrap();
    write(
        site.path(),
        "site.toml",
        &format!("{toml}\n[authors.jane]\nname = \"Jane Doe\"\n"),
    );
    for (slug, day, author) in [
        ("a", 1, "Bob Smith"),
        ("b", 2, "bob-smith"),
        ("c", 3, "Jane!"),
    ] {
        write(
            site.path(),
            &format!("content/posts/{slug}.md"),
            &format!(
                "---\ntitle: {slug}\ndate: 2024-01-0{day}\nauthor: \"{author}\"\n---\nBody.\n"
            ),
        );
    }
    let err = build_ok(site.path());
    assert!(
        err.contains("warning: content/posts/c.md:4: author `Jane!` is not in [authors], but its page would be /authors/jane/, which is `jane`'s"),
        "{err}"
    );
    let public = site.path().join("public");
    let post = |slug: &str| {
        std::fs::read_to_string(public.join(format!("posts/{slug}/index.html"))).unwrap()
    };
    assert!(post("a").contains(">Bob Smith</a>"), "{}", post("a"));
    assert!(post("b").contains(">bob-smith</a>"), "{}", post("b"));
    let bob = std::fs::read_to_string(public.join("authors/bob-smith/index.html")).unwrap();
    assert!(bob.contains("/posts/a/") && bob.contains("/posts/b/"));
    let jane = std::fs::read_to_string(public.join("authors/jane/index.html")).unwrap();
    assert!(jane.contains("/posts/c/"));
}

/// Pages are ordered by weight, and a page without one comes after the weighted ones, as in Hugo.
/// A Markdown file beside a bundle's index.md is neither published nor copied, with a warning.
#[test]
fn unweighted_pages_come_last_and_bundle_markdown_stays_unpublished() {
    let site = minimal_site();
    for (slug, weight) in [
        ("alpha", "weight: 2\n"),
        ("beta", ""),
        ("neg", "weight: -1\n"),
        ("zeta", "weight: 1\n"),
    ] {
        write(
            site.path(),
            &format!("content/pages/{slug}.md"),
            &format!("---\ntitle: {slug}\n{weight}---\nBody.\n"),
        );
    }
    write(
        site.path(),
        "content/pages/menu.md",
        "---\ntitle: Menu\nweight: 9\n---\nBody.\n",
    );
    write(
        site.path(),
        "content/posts/kit/index.md",
        "---\ntitle: Kit\ndate: 2024-01-01\n---\nBody.\n",
    );
    write(site.path(), "content/posts/kit/notes.md", "private notes\n");
    write(site.path(), "content/posts/kit/photo.svg", "<svg/>");
    write(
        site.path(),
        "templates/page.html",
        "{% for p in site.pages %}{{ p.title }},{% endfor %}",
    );
    let err = build_ok(site.path());
    let page = std::fs::read_to_string(site.path().join("public/alpha/index.html")).unwrap();
    assert_eq!(page, "neg,zeta,alpha,Menu,beta,");
    let kit = site.path().join("public/posts/kit");
    assert!(kit.join("photo.svg").exists());
    assert!(!kit.join("notes.md").exists());
    assert!(
        err.contains("content/posts/kit/notes.md: not published"),
        "{err}"
    );
}

/// On one core rayon's pool has one worker. A build of a small site with comment folders used to
/// park that worker waiting for the comment walk, which waited for the worker: it hung for ever.
/// The example publication, built with one worker and with two, must finish, and the same.
#[test]
fn a_build_on_one_core_finishes() {
    let example = Path::new(env!("CARGO_MANIFEST_DIR"));
    let site = tempfile::tempdir().unwrap();
    for part in ["site.toml", "content", "static", "themes"] {
        let from = example.join(part);
        if from.is_dir() {
            copy_dir(&from, &site.path().join(part));
        } else if from.is_file() {
            std::fs::copy(&from, site.path().join(part)).unwrap();
        }
    }
    assert!(site.path().join("content/comments").is_dir());
    let mut trees = Vec::new();
    for threads in ["1", "2"] {
        let out = site.path().join(format!("public-{threads}"));
        let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_lanyard"))
            .args(["build", "-o"])
            .arg(&out)
            .current_dir(site.path())
            .env("RAYON_NUM_THREADS", threads)
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        let began = std::time::Instant::now();
        let status = loop {
            if let Some(status) = child.try_wait().unwrap() {
                break status;
            }
            if began.elapsed() > std::time::Duration::from_secs(60) {
                let _ = child.kill();
                let _ = child.wait();
                panic!("a build with {threads} worker(s) did not finish in 60 s");
            }
            std::thread::sleep(std::time::Duration::from_millis(20));
        };
        assert!(status.success(), "{threads} worker(s): {status}");
        trees.push(tree(&out));
    }
    assert_eq!(trees[0], trees[1]);
}

/// Every output file below `public/` as text, with its path.
fn outputs(site: &Path) -> Vec<(String, String)> {
    tree(&site.join("public"))
        .into_iter()
        .map(|(path, bytes)| (path, String::from_utf8_lossy(&bytes).into_owned()))
        .collect()
}

#[test]
fn control_characters_and_noncharacters_never_reach_pages_or_the_terminal() {
    let site = minimal_site();
    write(
        site.path(),
        "site.toml",
        "title = \"T\"\nbase_url = \"https://example.org\"\n[feeds]\nformats = [\"rss\", \"atom\", \"json\"]\n",
    );
    // Raw in the file and as YAML escapes, in a post's fields and body, in an inline comment and in
    // a comment file (Staticman's keys).
    write(
        site.path(),
        "content/posts/ctl.md",
        "---\ntitle: \"Ti\\u0001tle\u{2}\"\ndate: 2024-01-02\ntags: [\"t\\u0007ag\"]\n\
         series: \"S\\uFFFE\"\npart: 1\nauthor: \"Au\\x1b[31mthor\"\nsummary: \"Su\u{1f}m\"\n\
         comments:\n  - author: \"Ev\\x1b]0;pwned\\x07il\u{8}\"\n    date: 2024-01-03\n    \
         url: \"https://ex.example/\\x1b[2J\"\n    body: \"bo\\u0001dy \\uFDD0 \\U0010FFFF\"\n---\n\
         Bo\u{0}dy\u{7f} \u{85}text\n",
    );
    write(
        site.path(),
        "content/comments/ctl/1.yaml",
        "name: \"Na\\u0002me\"\ndate: 1700000000\nmessage: \"Mes\u{3}sage \\u0004\"\n",
    );
    // A file name is not the commenter's, but it too reaches the terminal, in a warning.
    write(
        site.path(),
        "content/comments/ctl/\u{1b}]0;pwned\u{7}.yaml",
        "auther: x\ndate: 2024-01-04\nbody: y\n",
    );
    let err = build_ok(site.path());
    let forbidden = |c: char| {
        (c.is_control() && !matches!(c, '\t' | '\n' | '\r'))
            || ('\u{FDD0}'..='\u{FDEF}').contains(&c)
            || (u32::from(c) & 0xFFFE) == 0xFFFE
    };
    assert!(!err.chars().any(forbidden), "{err:?}");
    assert!(
        err.contains("\\u{1b}]0;pwned\\u{7}.yaml:1: comment key `auther`"),
        "{err}"
    );
    for (path, text) in outputs(site.path()) {
        assert!(!text.chars().any(forbidden), "{path}: {text:?}");
    }
    let page = std::fs::read_to_string(site.path().join("public/posts/ctl/index.html")).unwrap();
    for shown in [
        "Title",
        "Ev]0;pwnedil",
        "body",
        "Name",
        "Message",
        "Body text",
    ] {
        assert!(page.contains(shown), "{shown}: {page}");
    }
}

#[test]
fn twenty_thousand_headings_alike_get_distinct_ids() {
    let site = minimal_site();
    write(
        site.path(),
        "content/posts/same.md",
        &format!(
            "---\ntitle: Same\ndate: 2024-01-02\n---\n{}",
            "## Same\n\n".repeat(20_000)
        ),
    );
    // Every suffix was tried again for each heading before: 36 s in a release build, 0.1 s now.
    build_ok(site.path());
    let page = std::fs::read_to_string(site.path().join("public/posts/same/index.html")).unwrap();
    assert!(page.contains("id=\"same\""));
    assert!(page.contains("id=\"same-19999\""));
    assert!(!page.contains("id=\"same-20000\""));
}

#[test]
fn a_date_on_a_day_whose_midnight_is_skipped_starts_when_the_clocks_do() {
    let site = minimal_site();
    let toml = std::fs::read_to_string(site.path().join("site.toml")).unwrap();
    write(
        site.path(),
        "site.toml",
        &format!("timezone = \"America/Santiago\"\n{toml}"),
    );
    write(
        site.path(),
        "content/posts/2024-09-08-spring.md",
        "---\ntitle: Spring forward\n---\nBody.\n",
    );
    write(
        site.path(),
        "content/comments/spring/1.yaml",
        "author: R\ndate: 1725764400\nbody: Noted.\n",
    );
    build_ok(site.path());
    let page = std::fs::read_to_string(site.path().join("public/posts/spring/index.html")).unwrap();
    assert!(
        page.contains("datetime=\"2024-09-08T01:00:00-03:00\""),
        "{page}"
    );
    // A Unix time is shown in the site's timezone: 03:00 UTC is 23:00 the day before, at -04:00.
    assert!(page.contains("2024-09-07T23:00:00-04:00"), "{page}");
    let rss = std::fs::read_to_string(site.path().join("public/rss.xml")).unwrap();
    assert!(rss.contains("Sun, 8 Sep 2024 01:00:00 -0300"), "{rss}");
}

#[test]
fn the_home_pages_sitemap_date_is_the_newest_change_of_any_post() {
    let site = minimal_site();
    write(
        site.path(),
        "content/posts/old.md",
        "---\ntitle: Old\ndate: 2023-01-01\nupdated: 2024-09-01\n---\nRevised.\n",
    );
    build_ok(site.path());
    let map = std::fs::read_to_string(site.path().join("public/sitemap.xml")).unwrap();
    let home = map
        .split("<url>")
        .find(|u| u.contains("<loc>https://example.org/</loc>"))
        .unwrap();
    assert!(
        home.contains("<lastmod>2024-09-01T00:00:00+00:00</lastmod>"),
        "{map}"
    );
}
