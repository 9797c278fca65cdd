//! `lanyard serve --watch`, the gaps a black-box audit found: the link check of `build`, the terminal
//! saying a failed site is fixed, 404 pages asked for without a slash, content types, byte ranges.

mod support;

use std::time::{Duration, Instant};

use support::{atomic_save, events, get, next_event, post, raw, write, Server, Site};

/// Generous: the machine running the tests may be busy.
const SOON: Duration = Duration::from_secs(20);

/// Wait until the server's output, after its first `skip` bytes, contains `needle`; that part of it.
fn wait_output(server: &Server, skip: usize, needle: &str) -> String {
    let deadline = Instant::now() + SOON;
    loop {
        let out = server.output();
        let tail = out.get(skip..).unwrap_or_default().to_string();
        if tail.contains(needle) {
            return tail;
        }
        assert!(
            Instant::now() < deadline,
            "the terminal never said {needle:?}; after the mark it said:\n{tail}"
        );
        std::thread::sleep(Duration::from_millis(25));
    }
}

fn set_check_links(site: &Site, mode: &str) {
    let config = std::fs::read_to_string(site.path("site.toml")).unwrap();
    write(
        &site.path("site.toml"),
        &format!("check_links = \"{mode}\"\n{config}"),
    );
}

#[test]
fn broken_links_warn_at_startup_and_on_rebuild_as_in_build() {
    let site = Site::new();
    set_check_links(&site, "warn");
    write(
        &site.path("content/posts/hello.md"),
        &post(
            "Hello World",
            "2024-01-02",
            "The first post says hello.\n\nSee [missing](/posts/does-not-exist/).",
        ),
    );
    let server = Server::start(&site.root, &["--watch"]);
    let startup = "warning: content/posts/hello.md:8: broken link [missing](/posts/does-not-exist/): no page or file at `/posts/does-not-exist/`";
    // The startup build warns as `build` does.
    wait_output(&server, 0, startup);
    let rx = events(&server.addr);
    next_event(&rx, "hello", SOON).expect("connected");
    let mark = server.output().len();
    atomic_save(
        &site.path("content/posts/second.md"),
        &post(
            "Second Post",
            "2024-02-03",
            "Another post, see [hello](/posts/hello/#nowhere).",
        ),
    );
    // A warning does not stop the rebuild: the page reloads with the new text.
    next_event(&rx, "posts/second/index.html", SOON).expect("a reload of the edited post");
    assert!(get(&server.addr, "/posts/second/")
        .text()
        .contains("Another post, see"));
    let tail = wait_output(&server, mark, "broken anchor");
    assert!(
        tail.contains("warning: content/posts/second.md:6: broken anchor [hello](/posts/hello/#nowhere): `/posts/hello/` has no heading or anchor `#nowhere`"),
        "{tail}"
    );
    assert!(
        !tail.contains("does-not-exist"),
        "a warning already shown is not repeated:\n{tail}"
    );
}

#[test]
fn with_check_links_error_a_broken_link_fails_the_rebuild_and_keeps_the_last_good_site() {
    let site = Site::new();
    set_check_links(&site, "error");
    write(
        &site.path("content/posts/second.md"),
        &post(
            "Second Post",
            "2024-02-03",
            "Another post.\n\n## Details\n\nSee [hello](/posts/hello/).",
        ),
    );
    write(
        &site.path("content/posts/hello.md"),
        &post(
            "Hello World",
            "2024-01-02",
            "The first post says hello. [Details](/posts/second/#details).",
        ),
    );
    let server = Server::start(&site.root, &["--watch"]);
    let rx = events(&server.addr);
    next_event(&rx, "hello", SOON).expect("connected");
    let hello = site.path("content/posts/hello.md");

    // A link to nothing.
    let mark = server.output().len();
    atomic_save(
        &hello,
        &post(
            "Hello World",
            "2024-01-02",
            "Broken now. [missing](/posts/does-not-exist/).",
        ),
    );
    let problem = next_event(&rx, "event: problem", SOON).expect("a problem event");
    let message = "content/posts/hello.md:6: broken link [missing](/posts/does-not-exist/): no page or file at `/posts/does-not-exist/`";
    assert!(problem.contains(message), "{problem}");
    let page = get(&server.addr, "/posts/hello/").text();
    assert!(
        page.contains("The first post says hello.") && !page.contains("Broken now."),
        "the last good version stays:\n{page}"
    );
    assert!(page.contains("data-error=\"error: content/posts/hello.md:6: broken link"));
    let tail = wait_output(&server, mark, "still serving the last good version");
    assert!(tail.contains(&format!("error: {message}")), "{tail}");

    // Fixed: the good version goes out.
    atomic_save(
        &hello,
        &post(
            "Hello World",
            "2024-01-02",
            "Good again. [Details](/posts/second/#details).",
        ),
    );
    next_event(&rx, "event: ok", SOON).expect("an ok event");
    server.wait_for("/posts/hello/", SOON, |r| {
        r.text().contains("Good again.") && !r.text().contains("data-error")
    });

    // An anchor that goes away with the heading of another page, which this rebuild renders.
    let second = site.path("content/posts/second.md");
    atomic_save(
        &second,
        &post(
            "Second Post",
            "2024-02-03",
            "Another post.\n\n## More\n\nSee [hello](/posts/hello/).",
        ),
    );
    let problem = next_event(&rx, "event: problem", SOON).expect("a problem event");
    assert!(
        problem.contains("content/posts/hello.md:6: broken anchor [Details](/posts/second/#details): `/posts/second/` has no heading or anchor `#details`"),
        "{problem}"
    );
    assert!(!get(&server.addr, "/posts/second/").text().contains("More"));
    atomic_save(
        &second,
        &post(
            "Second Post",
            "2024-02-03",
            "Another post.\n\n## Details\n\nSee [hello](/posts/hello/).",
        ),
    );
    next_event(&rx, "event: ok", SOON).expect("an ok event");

    // An anchor into a page this rebuild does not render: its ids come from what is served.
    atomic_save(
        &hello,
        &post("Hello World", "2024-01-02", "See [about](/about/#team)."),
    );
    let problem = next_event(&rx, "event: problem", SOON).expect("a problem event");
    assert!(
        problem.contains(
            "broken anchor [about](/about/#team): `/about/` has no heading or anchor `#team`"
        ),
        "{problem}"
    );
    assert!(get(&server.addr, "/posts/hello/")
        .text()
        .contains("Good again."));
}

#[test]
fn a_good_build_after_a_failed_one_says_fixed_even_when_nothing_changed() {
    let site = Site::new();
    let server = Server::start(&site.root, &["--watch"]);
    let rx = events(&server.addr);
    next_event(&rx, "hello", SOON).expect("connected");
    let path = site.path("content/posts/hello.md");
    let good = std::fs::read_to_string(&path).unwrap();
    let mark = server.output().len();
    atomic_save(&path, &good.replace("date:", "dat:"));
    next_event(&rx, "event: problem", SOON).expect("a problem event");
    let failed = wait_output(&server, mark, "still serving the last good version");
    assert!(failed.contains("content/posts/hello.md:"), "{failed}");
    // Putting the original back changes no served file, and still the terminal says so.
    let mark = server.output().len();
    atomic_save(&path, &good);
    next_event(&rx, "event: ok", SOON).expect("an ok event");
    let tail = wait_output(&server, mark, "Fixed: the site builds again.");
    assert!(!tail.contains("Build failed"), "{tail}");
}

#[test]
fn a_missing_page_asked_for_without_a_slash_reloads_when_it_is_created() {
    let site = Site::new();
    let server = Server::start(&site.root, &["--watch"]);
    let rx = events(&server.addr);
    next_event(&rx, "hello", SOON).expect("connected");
    let missing = get(&server.addr, "/posts/newpost");
    assert_eq!(missing.status, 404);
    let page = missing.text();
    let at = page
        .find("data-page=\"")
        .expect("the 404 page has the reload client");
    let key: String = page[at + 11..].chars().take_while(|c| *c != '"').collect();
    assert!(page.contains("data-missing"), "{page}");
    // A file asked for by its name waits for that name.
    assert!(get(&server.addr, "/new.css")
        .text()
        .contains("data-page=\"new.css\""));
    write(
        &site.path("content/posts/newpost.md"),
        &post("New Post", "2024-03-04", "Just written."),
    );
    let reload = next_event(&rx, "event: reload", SOON).expect("a reload event");
    assert!(
        reload.contains(&format!("\"{key}\"")),
        "the page's client waits for `{key}`, the reload names:\n{reload}"
    );
    assert_eq!(key, "posts/newpost/index.html");
    assert_eq!(get(&server.addr, "/posts/newpost").status, 301);
}

#[test]
fn common_web_files_have_their_content_types() {
    let site = Site::new();
    let files = [
        ("feed.xsl", "application/xslt+xml"),
        ("feed.xslt", "application/xslt+xml"),
        ("captions.vtt", "text/vtt"),
        ("site.webmanifest", "application/manifest+json"),
        ("font.eot", "application/vnd.ms-fontobject"),
        ("dump.gz", "application/gzip"),
        ("data.yaml", "application/yaml"),
        ("data.yml", "application/yaml"),
        ("data.toml", "application/toml"),
        ("anim.apng", "image/apng"),
        ("old.bmp", "image/bmp"),
        ("scan.tif", "image/tiff"),
        ("scan.tiff", "image/tiff"),
        ("clip.wav", "audio/wav"),
        ("clip.flac", "audio/flac"),
        ("clip.m4a", "audio/mp4"),
        ("clip.mov", "video/quicktime"),
        ("clip.ogv", "video/ogg"),
        ("clip.opus", "audio/opus"),
        ("data.jsonld", "application/ld+json"),
        ("event.ics", "text/calendar"),
    ];
    for (name, _) in files {
        write(&site.path(&format!("static/types/{name}")), "x");
    }
    let server = Server::start(&site.root, &[]);
    for (name, ty) in files {
        let res = get(&server.addr, &format!("/types/{name}"));
        assert_eq!(res.status, 200, "{name}");
        let got = res.header("content-type").unwrap_or_default();
        assert_eq!(got.split(';').next().unwrap(), ty, "{name}: {got}");
        assert_eq!(
            res.header("x-content-type-options").as_deref(),
            Some("nosniff")
        );
    }
}

#[test]
fn single_byte_ranges_are_served_and_others_get_the_whole_file() {
    let site = Site::new();
    let data: Vec<u8> = (0..100_000u32).map(|i| (i % 251) as u8).collect();
    std::fs::write(site.path("static/big.bin"), &data).unwrap();
    let server = Server::start(&site.root, &[]);
    let ask = |method: &str, range: &str| {
        raw(
            &server.addr,
            format!(
                "{method} /big.bin HTTP/1.1\r\nHost: localhost\r\nRange: {range}\r\nConnection: close\r\n\r\n"
            )
            .as_bytes(),
        )
    };
    let whole = get(&server.addr, "/big.bin");
    assert_eq!(whole.status, 200);
    assert_eq!(whole.body, data);
    assert_eq!(whole.header("accept-ranges").as_deref(), Some("bytes"));

    for (range, start, end) in [
        ("bytes=0-9", 0, 9),
        ("bytes=99990-", 99_990, 99_999),
        ("bytes=-10", 99_990, 99_999),
        ("bytes=50000-50000", 50_000, 50_000),
        ("bytes=99995-200000", 99_995, 99_999),
    ] {
        let res = ask("GET", range);
        assert_eq!(res.status, 206, "{range}");
        assert_eq!(res.body, &data[start..=end], "{range}");
        assert_eq!(
            res.header("content-range"),
            Some(format!("bytes {start}-{end}/100000")),
            "{range}"
        );
        assert_eq!(
            res.header("content-length"),
            Some((end - start + 1).to_string())
        );
        assert_eq!(res.header("accept-ranges").as_deref(), Some("bytes"));
        let head = ask("HEAD", range);
        assert_eq!(head.status, 206, "HEAD {range}");
        assert!(head.body.is_empty());
        for name in [
            "content-range",
            "content-length",
            "content-type",
            "accept-ranges",
        ] {
            assert_eq!(head.header(name), res.header(name), "HEAD {range}: {name}");
        }
    }

    for range in ["bytes=100000-", "bytes=200000-300000", "bytes=-0"] {
        let res = ask("GET", range);
        assert_eq!(res.status, 416, "{range}");
        assert_eq!(
            res.header("content-range").as_deref(),
            Some("bytes */100000")
        );
        assert_eq!(ask("HEAD", range).status, 416, "HEAD {range}");
    }

    // Several ranges, another unit or nonsense: the whole file.
    for range in ["bytes=0-1,5-6", "items=0-9", "bytes=9-0", "bytes=x-y"] {
        let res = ask("GET", range);
        assert_eq!(res.status, 200, "{range}");
        assert_eq!(res.body.len(), data.len(), "{range}");
    }
    // A range of a page is a range of what is served.
    let page = get(&server.addr, "/posts/hello/").body;
    let res = raw(
        &server.addr,
        b"GET /posts/hello/ HTTP/1.1\r\nHost: localhost\r\nRange: bytes=0-14\r\nConnection: close\r\n\r\n",
    );
    assert_eq!(res.status, 206);
    assert_eq!(res.body, &page[..15]);
}
