//! `lanyard serve` over HTTP: content types, 404, redirects, HEAD, path safety, loopback, limits.

mod support;

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

use support::{get, raw, Server, Site, SECRET};

fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .max_redirects(0)
        .timeout_global(Some(Duration::from_secs(10)))
        .build()
        .into()
}

#[test]
fn pages_and_files_are_served_with_their_content_types() {
    let site = Site::new();
    let server = Server::start(&site.root, &[]);
    let agent = agent();
    for (path, ty) in [
        ("/", "text/html; charset=utf-8"),
        ("/posts/hello/", "text/html; charset=utf-8"),
        ("/about/", "text/html; charset=utf-8"),
        ("/style.css", "text/css; charset=utf-8"),
        ("/favicon.svg", "image/svg+xml"),
        ("/rss.xml", "application/xml; charset=utf-8"),
        ("/sitemap.xml", "application/xml; charset=utf-8"),
        ("/feed.json", "application/json"),
        ("/robots.txt", "text/plain; charset=utf-8"),
        ("/files/notes.txt", "text/plain; charset=utf-8"),
        ("/data.json", "application/json"),
        ("/dot.png", "image/png"),
    ] {
        let mut res = agent.get(&server.url(path)).call().unwrap();
        assert_eq!(res.status(), 200, "{path}");
        assert_eq!(res.headers().get("content-type").unwrap(), ty, "{path}");
        assert!(!res.body_mut().read_to_vec().unwrap().is_empty(), "{path}");
    }
    let home = get(&server.addr, "/").text();
    assert!(home.contains("Hello World"), "{home}");
    // Absolute links point at the dev server, not at the site's real address.
    let feed = get(&server.addr, "/rss.xml").text();
    assert!(
        feed.contains(&format!("http://{}/posts/hello/", server.addr)),
        "{feed}"
    );
}

#[test]
fn missing_paths_get_the_sites_404_page() {
    let site = Site::new();
    let server = Server::start(&site.root, &[]);
    let page = get(&server.addr, "/404.html");
    assert_eq!(page.status, 200);
    for path in ["/no/such/page/", "/nope.css", "/posts/hello/missing.png"] {
        let res = get(&server.addr, path);
        assert_eq!(res.status, 404, "{path}");
        assert_eq!(
            res.header("content-type").as_deref(),
            Some("text/html; charset=utf-8")
        );
        assert_eq!(res.body, page.body, "{path} shows the site's 404.html");
    }
}

#[test]
fn folders_asked_without_a_slash_redirect() {
    let site = Site::new();
    let server = Server::start(&site.root, &[]);
    let res = get(&server.addr, "/posts/hello");
    assert_eq!(res.status, 301);
    assert_eq!(res.header("location").as_deref(), Some("/posts/hello/"));
    let res = get(&server.addr, "/about?x=1");
    assert_eq!(res.header("location").as_deref(), Some("/about/?x=1"));
    // A path starting with two slashes must not become a redirect to another host.
    let res = get(&server.addr, "//posts/hello");
    assert_eq!(res.header("location").as_deref(), Some("/posts/hello/"));
}

#[test]
fn head_answers_with_headers_only() {
    let site = Site::new();
    let server = Server::start(&site.root, &[]);
    let full = get(&server.addr, "/posts/hello/");
    let head = raw(
        &server.addr,
        format!(
            "HEAD /posts/hello/ HTTP/1.1\r\nHost: {}\r\nConnection: close\r\n\r\n",
            server.addr
        )
        .as_bytes(),
    );
    assert_eq!(head.status, 200);
    assert!(head.body.is_empty());
    assert_eq!(
        head.header("content-length"),
        Some(full.body.len().to_string())
    );
    assert_eq!(head.header("content-type"), full.header("content-type"));
    let missing = raw(
        &server.addr,
        format!(
            "HEAD /nope/ HTTP/1.1\r\nHost: {}\r\nConnection: close\r\n\r\n",
            server.addr
        )
        .as_bytes(),
    );
    assert_eq!(missing.status, 404);
    assert!(missing.body.is_empty());
}

#[test]
fn other_methods_are_refused() {
    let site = Site::new();
    let server = Server::start(&site.root, &[]);
    let res = raw(
        &server.addr,
        format!(
            "POST / HTTP/1.1\r\nHost: {}\r\nContent-Length: 3\r\n\r\nabc",
            server.addr
        )
        .as_bytes(),
    );
    assert_eq!(res.status, 405);
    assert_eq!(res.header("allow").as_deref(), Some("GET, HEAD"));
}

#[test]
fn only_requests_for_this_machine_are_answered() {
    let site = Site::new();
    let server = Server::start(&site.root, &["--watch", "--allow-host", "Laptop.local"]);
    let port = server.addr.rsplit(':').next().unwrap().to_string();
    let ask = |host: &str, path: &str| {
        let request = format!("GET {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n");
        raw(&server.addr, request.as_bytes())
    };
    for host in [
        server.addr.clone(),
        format!("localhost:{port}"),
        "LOCALHOST".into(),
        format!("blog.localhost:{port}"),
        format!("[::1]:{port}"),
        "192.168.1.20".into(),
        format!("laptop.local:{port}"),
    ] {
        assert_eq!(ask(&host, "/").status, 200, "{host}");
    }
    // A page on a domain that its owner pointed at 127.0.0.1 (DNS rebinding) reads nothing: not
    // the pages, not the live-reload stream with its build errors.
    for host in ["evil.example", "127.0.0.1.evil.example:1111", "a b", ""] {
        for path in ["/", "/__lanyard/events"] {
            let res = ask(host, path);
            assert_eq!(res.status, 403, "{host} {path}");
            assert!(String::from_utf8_lossy(&res.body).contains("--allow-host"));
        }
    }
    let absolute = format!(
        "GET http://evil.example/ HTTP/1.1\r\nHost: {}\r\nConnection: close\r\n\r\n",
        server.addr
    );
    assert_eq!(raw(&server.addr, absolute.as_bytes()).status, 403);
    let old = "GET / HTTP/1.0\r\n\r\n";
    assert_eq!(
        raw(&server.addr, old.as_bytes()).status,
        200,
        "HTTP/1.0 names no host"
    );
}

#[test]
fn live_reload_streams_cannot_take_every_connection() {
    let site = Site::new();
    let server = Server::start(&site.root, &["--watch"]);
    let request = format!(
        "GET /__lanyard/events HTTP/1.1\r\nHost: {}\r\n\r\n",
        server.addr
    );
    // More streams than the server takes connections: each waits for its first event, as a page
    // does, and then holds on.
    let mut streams = Vec::new();
    for _ in 0..600 {
        let mut stream = TcpStream::connect(&server.addr).unwrap();
        stream.write_all(request.as_bytes()).unwrap();
        stream
            .set_read_timeout(Some(Duration::from_secs(10)))
            .unwrap();
        let mut first = [0u8; 64];
        assert!(stream.read(&mut first).unwrap() > 0, "the stream started");
        streams.push(stream);
    }
    let started = Instant::now();
    assert_eq!(get(&server.addr, "/").status, 200);
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "a page is still served"
    );
    // The oldest streams were ended to make room: their connections are closed.
    let mut rest = Vec::new();
    let read = streams[0].read_to_end(&mut rest);
    assert!(read.is_ok(), "{read:?}");
}

#[test]
fn nothing_outside_the_site_is_ever_served() {
    let site = Site::new();
    let server = Server::start(&site.root, &[]);
    // The secret sits beside the site folder; `static/leak.txt` and `static/outside/` are symlinks to it.
    for path in [
        "/../secret.txt",
        "/../../etc/passwd",
        "/posts/../../secret.txt",
        "/%2e%2e/secret.txt",
        "/%2E%2E/%2e%2e/etc/passwd",
        "/.%2e/secret.txt",
        "/%2e%2e%2fsecret.txt",
        "/posts%2f..%2f..%2fsecret.txt",
        "/..%5csecret.txt",
        "/..\\secret.txt",
        "/%c0%ae%c0%ae/secret.txt",
        "/%252e%252e/secret.txt",
        "//etc/passwd",
        "/etc/passwd",
        "/./../secret.txt",
        "/%00/../secret.txt",
        "/leak.txt",
        "/outside/secret.txt",
        "/site.toml",
        "/content/posts/hello.md",
        "/public/keep.txt",
    ] {
        let res = get(&server.addr, path);
        assert!(matches!(res.status, 400 | 404), "{path}: {}", res.status);
        assert!(!res.text().contains(SECRET), "{path} leaked the secret");
        assert!(
            !res.text().contains("root:x:0:0"),
            "{path} leaked /etc/passwd"
        );
    }
    // The absolute form of a request target gets the same treatment.
    let res = raw(
        &server.addr,
        format!(
            "GET http://{}/../secret.txt HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n",
            server.addr
        )
        .as_bytes(),
    );
    assert!(!res.text().contains(SECRET));
    assert!(
        server.output().contains("static/leak.txt: not served"),
        "{}",
        server.output()
    );
}

#[test]
fn it_listens_on_loopback_only() {
    let site = Site::new();
    let server = Server::start(&site.root, &[]);
    assert!(server.addr.starts_with("127.0.0.1:"), "{}", server.addr);
    let port: u16 = server.addr.rsplit(':').next().unwrap().parse().unwrap();
    if cfg!(target_os = "linux") {
        // Bound to 127.0.0.1 itself, so other addresses of this machine (even 127.0.0.2) are refused.
        assert!(TcpStream::connect(("127.0.0.2", port)).is_err());
        let table = std::fs::read_to_string("/proc/net/tcp").unwrap();
        let listening: Vec<&str> = table
            .lines()
            .filter(|l| l.split_whitespace().nth(3) == Some("0A"))
            .filter_map(|l| l.split_whitespace().nth(1))
            .collect();
        let ours: Vec<&&str> = listening
            .iter()
            .filter(|a| a.ends_with(&format!(":{port:04X}")))
            .collect();
        assert_eq!(
            ours,
            vec![&&*format!("0100007F:{port:04X}")],
            "only 127.0.0.1 listens on {port}"
        );
        let table6 = std::fs::read_to_string("/proc/net/tcp6").unwrap_or_default();
        assert!(
            !table6.contains(&format!(
                ":{port:04X} 00000000000000000000000000000000:0000 0A"
            )),
            "no IPv6 listener"
        );
    }
}

#[test]
fn the_authors_public_folder_is_left_alone() {
    let site = Site::new();
    let before = std::fs::read_dir(site.path("public")).unwrap().count();
    {
        let server = Server::start(&site.root, &[]);
        assert_eq!(get(&server.addr, "/").status, 200);
    }
    assert_eq!(
        std::fs::read_dir(site.path("public")).unwrap().count(),
        before
    );
    assert_eq!(
        std::fs::read_to_string(site.path("public/keep.txt")).unwrap(),
        "the author's own build output\n"
    );
}

#[test]
fn oversized_slow_and_many_clients_do_not_take_it_down() {
    let site = Site::new();
    let server = Server::start(&site.root, &[]);
    // Oversized request head: refused, not buffered.
    let big = format!(
        "GET / HTTP/1.1\r\nHost: localhost\r\nX-Big: {}\r\nConnection: close\r\n\r\n",
        "a".repeat(100_000)
    );
    let res = raw(&server.addr, big.as_bytes());
    assert!(res.status == 431 || res.status == 0, "{}", res.status);
    // Slow clients that never finish their request head hold no one else up.
    let mut slow: Vec<TcpStream> = (0..40)
        .map(|_| {
            let mut s = TcpStream::connect(&server.addr).unwrap();
            s.write_all(b"GET / HTTP/1.1\r\nHost: localhost\r\n")
                .unwrap();
            s
        })
        .collect();
    let start = Instant::now();
    assert_eq!(get(&server.addr, "/").status, 200);
    assert!(start.elapsed() < Duration::from_secs(2));
    // Many concurrent clients, bounded: all are answered.
    let addr = server.addr.clone();
    let threads: Vec<_> = (0..32)
        .map(|_| {
            let addr = addr.clone();
            std::thread::spawn(move || {
                (0..10)
                    .map(|_| get(&addr, "/posts/hello/").status)
                    .collect::<Vec<_>>()
            })
        })
        .collect();
    for t in threads {
        assert!(t.join().unwrap().iter().all(|&s| s == 200));
    }
    // A client that stops reading mid-response does not stall others either.
    let mut stuck = TcpStream::connect(&server.addr).unwrap();
    for _ in 0..50 {
        let _ = stuck.write_all(b"GET /sitemap.xml HTTP/1.1\r\nHost: localhost\r\n\r\n");
    }
    assert_eq!(get(&server.addr, "/").status, 200);
    let mut buf = [0u8; 16];
    for s in &mut slow {
        let _ = s.set_read_timeout(Some(Duration::from_millis(10)));
        let _ = s.read(&mut buf);
    }
    drop(slow);
    assert_eq!(get(&server.addr, "/").status, 200);
}

#[test]
fn without_watch_there_is_no_live_reload() {
    let site = Site::new();
    let server = Server::start(&site.root, &[]);
    assert!(!get(&server.addr, "/").text().contains("/__lanyard/live.js"));
    assert_eq!(get(&server.addr, "/__lanyard/live.js").status, 404);
}

#[test]
fn a_folder_without_a_site_or_a_taken_port_fails_clearly() {
    let dir = tempfile::tempdir().unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_lanyard"))
        .args(["serve", "--port", "0", "--root"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("no site.toml"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let site = Site::new();
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = taken.local_addr().unwrap().port().to_string();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_lanyard"))
        .args(["serve", "--port", &port, "--root"])
        .arg(&site.root)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("cannot listen"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// The dev server stands in for the whole `base_url`: a site published under `/blog/` is served at
/// the server's root, its pages linking without the path; a non-ASCII slug is found from its
/// percent-encoded address, which is how its absolute URLs are written.
#[test]
fn a_sub_folder_site_is_served_at_the_root_and_encoded_slugs_are_found() {
    let site = Site::new();
    support::write(
        &site.path("site.toml"),
        "title = \"Test Site\"\nbase_url = \"https://example.com/blog/\"\n",
    );
    support::write(
        &site.path("content/posts/cafe.md"),
        "---\ntitle: Café\ndate: 2024-03-01\nslug: \"Café\"\n---\nSee [hello](/posts/hello/).\n",
    );
    let server = Server::start(&site.root, &[]);
    let home = get(&server.addr, "/");
    assert_eq!(home.status, 200, "{}", home.text());
    let home = home.text();
    assert!(home.contains("href=\"/posts/hello/\""), "{home}");
    assert!(home.contains("href=\"/style.css\""), "{home}");
    assert!(!home.contains("/blog/"), "{home}");
    let cafe = get(&server.addr, "/posts/Caf%C3%A9/");
    assert_eq!(cafe.status, 200, "{}", cafe.text());
    let cafe = cafe.text();
    assert!(
        cafe.contains("<a href=\"/posts/hello/\">hello</a>"),
        "{cafe}"
    );
    let canonical = format!("href=\"http://{}/posts/Caf%C3%A9/\"", server.addr);
    assert!(cafe.contains(&canonical), "{cafe}");
    let sitemap = get(&server.addr, "/sitemap.xml").text();
    assert!(
        sitemap.contains(&format!(
            "<loc>http://{}/posts/Caf%C3%A9/</loc>",
            server.addr
        )),
        "{sitemap}"
    );
    assert_eq!(get(&server.addr, "/blog/posts/hello/").status, 404);
}

#[test]
fn a_hidden_post_that_will_clash_is_warned_about_while_serving() {
    let site = Site::new();
    support::write(
        &site.path("content/posts/later.md"),
        "---\ntitle: Later\ndate: 2099-01-02\nslug: hello\n---\nNot yet.\n",
    );
    let server = Server::start(&site.root, &[]);
    assert_eq!(get(&server.addr, "/posts/hello/").status, 200);
    let output = server.output();
    assert!(
        output.contains("warning: content/posts/later.md")
            && output.contains("the build will fail once it is published"),
        "{output}"
    );
}
