//! `lanyard serve --watch`: saves of every kind show up, errors show and clear, nothing is lost.

mod support;

use std::time::Duration;

use support::{atomic_save, events, get, next_event, post, write, Server, Site};

const SOON: Duration = Duration::from_secs(10);

#[test]
fn the_live_reload_client_goes_into_served_html_only() {
    let site = Site::new();
    let server = Server::start(&site.root, &["--watch"]);
    let page = get(&server.addr, "/posts/hello/").text();
    assert!(
        page.contains("<script src=\"/__lanyard/live.js\" data-page=\"posts/hello/index.html\""),
        "{page}"
    );
    assert!(
        page.trim_end().ends_with("</script>\n</body>\n</html>")
            || page.contains("</script>\n</body>"),
        "injected before </body>"
    );
    for path in ["/style.css", "/rss.xml", "/sitemap.xml", "/feed.json"] {
        assert!(
            !get(&server.addr, path).text().contains("__lanyard"),
            "{path}"
        );
    }
    let client = get(&server.addr, "/__lanyard/live.js");
    assert_eq!(client.status, 200);
    assert_eq!(
        client.header("content-type").as_deref(),
        Some("text/javascript; charset=utf-8")
    );
    assert!(client.text().contains("EventSource"));
    let rx = events(&server.addr);
    assert!(next_event(&rx, "event: hello", SOON).is_some());
    // The missing page's client knows which file would serve it, so it reloads when that file appears.
    let missing = get(&server.addr, "/posts/not-yet/").text();
    assert!(
        missing.contains("data-page=\"posts/not-yet/index.html\" data-gen=")
            && missing.contains("data-missing"),
        "{missing}"
    );
}

#[test]
fn an_atomic_save_shows_up_and_reloads_the_page() {
    let site = Site::new();
    let server = Server::start(&site.root, &["--watch"]);
    let rx = events(&server.addr);
    next_event(&rx, "hello", SOON).expect("connected");
    atomic_save(
        &site.path("content/posts/hello.md"),
        &post("Hello World", "2024-01-02", "Saved the way editors save."),
    );
    server.wait_for("/posts/hello/", SOON, |r| {
        r.text().contains("Saved the way editors save.")
    });
    let reload = next_event(&rx, "event: reload", SOON).expect("a reload event");
    assert!(reload.contains("posts/hello/index.html"), "{reload}");
}

#[test]
fn a_broken_save_shows_where_and_the_next_good_save_clears_it() {
    let site = Site::new();
    let server = Server::start(&site.root, &["--watch"]);
    let rx = events(&server.addr);
    next_event(&rx, "hello", SOON).expect("connected");
    let path = site.path("content/posts/hello.md");
    write(
        &path,
        "---\ntitle: \"Hello World\"\ndate: [2024-01-02\n---\nBroken.\n",
    );
    let problem = next_event(&rx, "event: problem", SOON).expect("a problem event");
    let at = problem
        .find("content/posts/hello.md:")
        .expect("the message names the file");
    let place: String = problem[at..].chars().take_while(|c| *c != ' ').collect();
    assert!(
        place
            .trim_end_matches(':')
            .rsplit(':')
            .next()
            .unwrap()
            .parse::<usize>()
            .is_ok(),
        "file:line, got {place}"
    );
    // The last good site is still served, and the page itself carries the message for the overlay.
    let page = get(&server.addr, "/posts/hello/").text();
    assert!(
        page.contains("The first post says hello.")
            && page.contains(&format!("data-error=\"error: {place}")),
        "{page}"
    );
    if let Err(output) = server.output_containing(&place, SOON) {
        panic!("the terminal shows the same place:\n{output}");
    }
    write(&path, &post("Hello World", "2024-01-02", "Fixed again."));
    next_event(&rx, "event: ok", SOON).expect("an ok event");
    server.wait_for("/posts/hello/", SOON, |r| {
        r.text().contains("Fixed again.") && !r.text().contains("data-error")
    });
}

/// A warning is printed once while it lasts, even across a failed build that stopped before finding
/// it (a broken `site.toml` stops the build before anything else is read). The test site's symbolic
/// link out of `static/` is found again by every build, so it is what would be printed twice.
#[cfg(unix)]
#[test]
fn a_warning_is_not_printed_again_after_a_failed_build() {
    let site = Site::new();
    let server = Server::start(&site.root, &["--watch"]);
    let warning = "warning: static/leak.txt: not served";
    if let Err(output) = server.output_containing(warning, SOON) {
        panic!("the first build warns:\n{output}");
    }
    let toml = std::fs::read_to_string(site.path("site.toml")).unwrap();
    write(&site.path("site.toml"), "title = [\n");
    if let Err(output) = server.output_containing("Build failed", SOON) {
        panic!("the broken site.toml fails the build:\n{output}");
    }
    write(&site.path("site.toml"), &toml);
    let output = match server.output_containing("Fixed: the site builds again.", SOON) {
        Ok(output) => output,
        Err(output) => panic!("the fix builds:\n{output}"),
    };
    assert_eq!(output.matches(warning).count(), 1, "{output}");
    // A warning whose cause goes away and comes back is news again.
    let warned = "---\ntitle: \"Hello World\"\ndate: 2024-01-02\ntagz: [x]\n---\nWarned.\n";
    let again = "warning: content/posts/hello.md:4:";
    for (body, page) in [
        (warned, "Warned."),
        (&post("Hello World", "2024-01-02", "Clean."), "Clean."),
        (warned, "Warned."),
    ] {
        write(&site.path("content/posts/hello.md"), body);
        server.wait_for("/posts/hello/", SOON, |r| r.text().contains(page));
    }
    let output = server
        .output_when(SOON, |output| output.matches(again).count() >= 2)
        .unwrap_or_else(|output| output);
    assert_eq!(output.matches(again).count(), 2, "{output}");
}

/// The dev server re-renders a post whose front matter changed without planning the site again; a
/// template the save names that the theme lacks is reported as a build reports it, at its line.
#[test]
fn a_save_that_names_a_missing_template_is_reported_at_its_line() {
    let (_dir, path, server, rx) = one_post_watched();
    write(
        &path,
        "---\ntitle: A\ndate: 2024-01-03\ntemplate: t1.html\n---\nA.\n",
    );
    next_event(&rx, "event: problem", SOON).expect("a problem event");
    let want = "error: content/posts/a.md:4: template `t1.html` does not exist (needed here)";
    if let Err(output) = server.output_containing(want, SOON) {
        panic!("the terminal names the line:\n{output}");
    }
}

/// A good rebuild after a failed one parses again only what changed: the warnings of the sources it
/// did not parse stand, and a later rebuild that parses them (a `site.toml` edit) does not print them
/// again. A post deleted and written back with its mistake is news again.
#[test]
fn warnings_of_untouched_files_are_not_printed_again_after_a_fix() {
    let site = Site::new();
    let hello = "---\ntitle: \"Hello World\"\ndate: 2024-01-02\ntagz: [x]\n---\nWarned.\n";
    write(&site.path("content/posts/hello.md"), hello);
    let server = Server::start(&site.root, &["--watch"]);
    let warning = "warning: content/posts/hello.md:4:";
    if let Err(output) = server.output_containing(warning, SOON) {
        panic!("the first build warns:\n{output}");
    }
    write(&site.path("static/index.html"), "mine");
    if let Err(output) = server.output_containing("Build failed", SOON) {
        panic!("a static file over the home page fails the build:\n{output}");
    }
    std::fs::remove_file(site.path("static/index.html")).unwrap();
    if let Err(output) = server.output_containing("Fixed: the site builds again.", SOON) {
        panic!("removing it fixes the build:\n{output}");
    }
    let toml = std::fs::read_to_string(site.path("site.toml")).unwrap();
    write(
        &site.path("site.toml"),
        &toml.replacen("title = ", "title = \"Renamed\"\n# was: ", 1),
    );
    server.wait_for("/", SOON, |r| r.text().contains("Renamed"));
    let output = server.output();
    assert_eq!(output.matches(warning).count(), 1, "{output}");
    std::fs::remove_file(site.path("content/posts/hello.md")).unwrap();
    server.wait_for("/posts/hello/", SOON, |r| r.status == 404);
    write(&site.path("content/posts/hello.md"), hello);
    let output = server
        .output_when(SOON, |output| output.matches(warning).count() >= 2)
        .unwrap_or_else(|output| output);
    assert_eq!(output.matches(warning).count(), 2, "{output}");
}

#[test]
fn new_moved_and_deleted_posts_are_seen() {
    let site = Site::new();
    let server = Server::start(&site.root, &["--watch"]);
    write(
        &site.path("content/posts/brand-new.md"),
        &post("Brand New", "2024-03-04", "Fresh words."),
    );
    server.wait_for("/posts/brand-new/", SOON, |r| {
        r.status == 200 && r.text().contains("Fresh words.")
    });
    // A new folder holding a post and its picture.
    write(
        &site.path("content/posts/with-picture/pic.svg"),
        "<svg xmlns=\"http://www.w3.org/2000/svg\"/>",
    );
    write(
        &site.path("content/posts/with-picture/index.md"),
        &post("With Picture", "2024-03-05", "![a picture](pic.svg)"),
    );
    server.wait_for("/posts/with-picture/pic.svg", SOON, |r| r.status == 200);
    // A rename moves the page; a delete removes it.
    std::fs::rename(
        site.path("content/posts/second.md"),
        site.path("content/posts/renamed.md"),
    )
    .unwrap();
    server.wait_for("/posts/renamed/", SOON, |r| r.status == 200);
    server.wait_for("/posts/second/", SOON, |r| r.status == 404);
    std::fs::remove_file(site.path("content/posts/brand-new.md")).unwrap();
    server.wait_for("/posts/brand-new/", SOON, |r| r.status == 404);
    // Whole folders renamed and removed.
    std::fs::rename(
        site.path("content/posts/with-picture"),
        site.path("content/posts/moved-folder"),
    )
    .unwrap();
    server.wait_for("/posts/moved-folder/pic.svg", SOON, |r| r.status == 200);
    std::fs::remove_dir_all(site.path("content/posts/moved-folder")).unwrap();
    server.wait_for("/posts/moved-folder/", SOON, |r| r.status == 404);
}

#[test]
fn editor_leftovers_are_ignored() {
    let site = Site::new();
    let server = Server::start(&site.root, &["--watch"]);
    let rx = events(&server.addr);
    next_event(&rx, "hello", SOON).expect("connected");
    let before = server.output();
    for name in [
        ".hello.md.swp",
        ".hello.md.swo",
        "hello.md.kate-swp",
        "hello.md___jb_tmp___",
        "hello.md___jb_old___",
        "hello.md~",
        "#hello.md#",
        ".#hello.md",
        "4913",
        "hello.md.tmp",
    ] {
        write(
            &site.path(&format!("content/posts/{name}")),
            "---\ntitle: [not a post\n---\n",
        );
    }
    assert!(
        next_event(&rx, "event:", Duration::from_millis(1500)).is_none(),
        "no rebuild for editor files"
    );
    assert_eq!(server.output(), before);
    assert_eq!(get(&server.addr, "/posts/hello/").status, 200);
}

#[test]
fn three_hundred_rapid_saves_serve_the_last_one() {
    let site = Site::new();
    let server = Server::start(&site.root, &["--watch"]);
    let path = site.path("content/posts/hello.md");
    for n in 0..300 {
        let text = post(
            "Hello World",
            "2024-01-02",
            &format!("Version {n} of this post."),
        );
        if n % 2 == 0 {
            atomic_save(&path, &text);
        } else {
            write(&path, &text);
        }
    }
    server.wait_for("/posts/hello/", Duration::from_secs(20), |r| {
        r.text().contains("Version 299 of this post.")
    });
    std::thread::sleep(Duration::from_millis(500));
    assert!(get(&server.addr, "/posts/hello/")
        .text()
        .contains("Version 299 of this post."));
}

#[test]
fn templates_stylesheets_and_config_are_watched_too() {
    let site = Site::new();
    let server = Server::start(&site.root, &["--watch"]);
    let rx = events(&server.addr);
    next_event(&rx, "hello", SOON).expect("connected");
    write(&site.path("static/files/notes.txt"), "changed notes\n");
    server.wait_for("/files/notes.txt", SOON, |r| r.text() == "changed notes\n");
    write(&site.path("static/site.css"), "body { color: red; }\n");
    next_event(&rx, "\"site.css\"", SOON)
        .expect("a reload naming the stylesheet, which the client swaps in place");
    write(
        &site.path("templates/page.html"),
        "<!DOCTYPE html><html><body><h1>Overridden {{ page.title }}</h1></body></html>\n",
    );
    server.wait_for("/about/", SOON, |r| r.text().contains("Overridden About"));
    let config = std::fs::read_to_string(site.path("site.toml"))
        .unwrap()
        .replace("Test Site", "Renamed Site");
    write(&site.path("site.toml"), &config);
    server.wait_for("/", SOON, |r| r.text().contains("Renamed Site"));
}

/// The system watches a folder once whatever the paths to it: a save must update every path a linked
/// folder has, and removing the link must not stop the watch of the folder it pointed to.
#[test]
fn a_folder_linked_inside_the_site_is_watched_under_both_paths() {
    let site = Site::new();
    write(&site.path("static/images/a.txt"), "one\n");
    std::os::unix::fs::symlink("images", site.path("static/img")).unwrap();
    std::os::unix::fs::symlink("../content/posts", site.path("static/src")).unwrap();
    let server = Server::start(&site.root, &["--watch"]);
    let rx = events(&server.addr);
    next_event(&rx, "hello", SOON).expect("connected");
    write(&site.path("static/images/a.txt"), "two\n");
    server.wait_for("/img/a.txt", SOON, |r| r.text() == "two\n");
    server.wait_for("/images/a.txt", SOON, |r| r.text() == "two\n");
    std::fs::remove_file(site.path("static/src")).unwrap();
    server.wait_for("/src/hello.md", SOON, |r| r.status == 404);
    write(
        &site.path("content/posts/later.md"),
        &post("Later", "2024-01-03", "Written after the link was removed."),
    );
    server.wait_for("/posts/later/", SOON, |r| {
        r.text().contains("Written after the link was removed.")
    });
}

#[test]
fn polling_sees_changes_where_file_events_are_unavailable() {
    let site = Site::new();
    let server = Server::start(&site.root, &["--watch", "--poll"]);
    assert!(server.output().contains("(polling)"), "{}", server.output());
    atomic_save(
        &site.path("content/posts/hello.md"),
        &post("Hello World", "2024-01-02", "Seen by polling."),
    );
    server.wait_for("/posts/hello/", SOON, |r| {
        r.text().contains("Seen by polling.")
    });
}

#[cfg(unix)]
#[test]
fn ctrl_c_stops_the_server_cleanly() {
    let site = Site::new();
    let mut server = Server::start(&site.root, &["--watch"]);
    let status = std::process::Command::new("kill")
        .args(["-INT", &server.pid().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let exit = server
        .wait_exit(Duration::from_secs(10))
        .expect("stopped within 10 s");
    assert!(exit.success(), "{exit}");
    assert!(server.output().contains("Stopped."), "{}", server.output());
    assert_eq!(
        std::fs::read_to_string(site.path("public/keep.txt")).unwrap(),
        "the author's own build output\n"
    );
}

/// A post without links that is saved with a Hugo shortcode in it is told about it, as `build` tells
/// it: the dev server's link check used to look only at documents with links to the site.
#[test]
fn a_shortcode_saved_into_a_post_without_links_is_reported() {
    let (_dir, path, server, _rx) = one_post_watched();
    atomic_save(
        &path,
        "---\ntitle: A\ndate: 2024-01-03\n---\nA {{< figure src=\"x.png\" >}}.\n",
    );
    let want =
        "warning: content/posts/a.md:5: `{{< figure src=\"x.png\" >}}` looks like a Hugo shortcode";
    if let Err(output) = server.output_containing(want, SOON) {
        panic!("the terminal names the shortcode:\n{output}");
    }
}

/// A site of one post, `content/posts/a.md`, served with `--watch`, and a page connected to its
/// reload events: (the folder, the post's path, the server, the events).
fn one_post_watched() -> (
    tempfile::TempDir,
    std::path::PathBuf,
    Server,
    std::sync::mpsc::Receiver<String>,
) {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write(
        &root.join("site.toml"),
        "title = \"W\"\nbase_url = \"https://example.org\"\n",
    );
    let path = root.join("content/posts/a.md");
    write(&path, "---\ntitle: A\ndate: 2024-01-03\n---\nA.\n");
    let server = Server::start(root, &["--watch"]);
    let rx = events(&server.addr);
    next_event(&rx, "hello", SOON).expect("connected");
    (dir, path, server, rx)
}
