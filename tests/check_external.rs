//! `lanyard check --external` against a small HTTP server on 127.0.0.1, started by each test: never
//! the internet.

mod helpers;

use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use helpers::*;

/// What the server saw: every request line, and the most requests it was answering at once.
#[derive(Default)]
struct Seen {
    requests: Mutex<Vec<String>>,
    in_flight: AtomicUsize,
    most_at_once: AtomicUsize,
}

/// Start a server that answers by path: `/ok…` 200, `/gone` 404, `/no-head` 405 to HEAD and 200 to
/// GET, `/busy` 503, `/moved` 301 to `/ok-moved`, `/slow` after 3 s, `/hold…` after 300 ms.
fn serve() -> (u16, Arc<Seen>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let seen = Arc::new(Seen::default());
    let shared = Arc::clone(&seen);
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let seen = Arc::clone(&shared);
            std::thread::spawn(move || answer(stream, &seen));
        }
    });
    (port, seen)
}

fn answer(mut stream: TcpStream, seen: &Seen) {
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    let mut first = String::new();
    reader.read_line(&mut first).unwrap();
    let mut line = String::new();
    while reader.read_line(&mut line).is_ok_and(|n| n > 2) {
        line.clear();
    }
    let mut words = first.split_whitespace();
    let (method, path) = (
        words.next().unwrap_or_default(),
        words.next().unwrap_or_default(),
    );
    seen.requests
        .lock()
        .unwrap()
        .push(format!("{method} {path}"));
    let now = seen.in_flight.fetch_add(1, Ordering::SeqCst) + 1;
    seen.most_at_once.fetch_max(now, Ordering::SeqCst);
    let (status, extra) = match path {
        p if p.starts_with("/ok") => ("200 OK", ""),
        "/gone" => ("404 Not Found", ""),
        "/no-head" if method == "HEAD" => ("405 Method Not Allowed", ""),
        "/no-head" => ("200 OK", ""),
        "/busy" => ("503 Service Unavailable", ""),
        "/drop" => {
            seen.in_flight.fetch_sub(1, Ordering::SeqCst);
            return;
        }
        "/moved" => ("301 Moved Permanently", "Location: /ok-moved\r\n"),
        "/slow" => {
            std::thread::sleep(Duration::from_secs(3));
            ("200 OK", "")
        }
        p if p.starts_with("/hold") => {
            std::thread::sleep(Duration::from_millis(300));
            ("200 OK", "")
        }
        _ => ("404 Not Found", ""),
    };
    seen.in_flight.fetch_sub(1, Ordering::SeqCst);
    let _ = write!(
        stream,
        "HTTP/1.1 {status}\r\n{extra}Content-Length: 0\r\nConnection: close\r\n\r\n"
    );
}

/// A port nothing listens on.
fn closed_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn site_linking_to(body: &str) -> tempfile::TempDir {
    let site = tempfile::tempdir().unwrap();
    write(
        site.path(),
        "site.toml",
        "title = \"Outside\"\nbase_url = \"https://outside.example.com\"\n",
    );
    write(
        site.path(),
        "content/posts/2024-04-01-links.md",
        &format!("---\ntitle: Links\ndate: 2024-04-01\n---\n{body}"),
    );
    site
}

#[test]
fn outside_links_are_asked_once_each_and_reported_where_they_are() {
    let (port, seen) = serve();
    let closed = closed_port();
    let base = format!("http://127.0.0.1:{port}");
    let site = site_linking_to(&format!(
        "[ok]({base}/ok) and [the same]({base}/ok#part) and [gone]({base}/gone).\n\
         [No HEAD]({base}/no-head), [busy]({base}/busy), [moved]({base}/moved).\n\
         [Slow]({base}/slow) and [closed](http://127.0.0.1:{closed}/).\n\
         [Gone again]({base}/gone)\n"
    ));
    let out = lanyard(site.path(), &["check", "--external", "--timeout", "1"]);
    let text = transcript(&out, site.path())
        .replace(&format!("127.0.0.1:{port}"), "127.0.0.1:[PORT]")
        .replace(&format!("127.0.0.1:{closed}"), "127.0.0.1:[CLOSED]");
    insta::assert_snapshot!("external", text);
    let mut requests = seen.requests.lock().unwrap().clone();
    requests.sort();
    assert_eq!(
        requests,
        [
            "GET /busy",
            "GET /gone",
            "GET /no-head",
            "HEAD /busy",
            "HEAD /gone",
            "HEAD /moved",
            "HEAD /no-head",
            "HEAD /ok",
            "HEAD /ok-moved",
            "HEAD /slow"
        ]
    );
}

#[test]
fn requests_at_once_stay_within_the_concurrency_limit() {
    let (port, seen) = serve();
    let links: String = (0..8)
        .map(|i| format!("[hold {i}](http://127.0.0.1:{port}/hold{i})\n"))
        .collect();
    let site = site_linking_to(&links);
    let out = lanyard(site.path(), &["check", "--external", "--concurrency", "2"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(stdout(&out).contains("8 outside links"), "{}", stdout(&out));
    assert_eq!(seen.requests.lock().unwrap().len(), 8);
    let most = seen.most_at_once.load(Ordering::SeqCst);
    assert!((1..=2).contains(&most), "{most} requests at once");
}

#[test]
fn without_external_no_request_is_made() {
    let (port, seen) = serve();
    let site = site_linking_to(&format!("[gone](http://127.0.0.1:{port}/gone)\n"));
    let out = lanyard(site.path(), &["check"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    std::thread::sleep(Duration::from_millis(100));
    assert!(seen.requests.lock().unwrap().is_empty());
}

#[test]
fn a_dropped_connection_is_a_warning_not_an_error() {
    let (port, _seen) = serve();
    let site = site_linking_to(&format!("[dropped](http://127.0.0.1:{port}/drop)\n"));
    let out = lanyard(site.path(), &["check", "--external", "--timeout", "5"]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(0), "{err}");
    assert!(
        err.contains("warning:")
            && err.contains("outside link [dropped]")
            && err.contains("failed ("),
        "{err}"
    );
}

#[test]
fn a_readers_broken_link_is_checked_and_only_a_warning() {
    let (port, seen) = serve();
    let site = site_linking_to("[ok](http://127.0.0.1:1/never-asked-when-no-comment)\n");
    write(
        site.path(),
        "content/posts/2024-04-01-links.md",
        "---\ntitle: Links\ndate: 2024-04-01\n---\nNo links here.\n",
    );
    write(
        site.path(),
        "content/comments/links/1.md",
        &format!(
            "---\nauthor: Reader\ndate: 2024-04-02\n---\nGreat post.\n\nSee [my notes](http://127.0.0.1:{port}/gone).\n"
        ),
    );
    let out = lanyard(site.path(), &["check", "--external", "--timeout", "5"]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(0), "{err}");
    assert!(
        err.contains("warning: content/comments/links/1.md:7: a reader's comment has a broken outside link [my notes]")
            && err.contains("404 Not Found"),
        "{err}"
    );
    let requests = seen.requests.lock().unwrap().clone();
    assert_eq!(requests, ["HEAD /gone", "GET /gone"]);
}

#[test]
fn addresses_are_asked_as_a_browser_sends_them() {
    let (port, seen) = serve();
    let site = site_linking_to(&format!(
        "<a href=\"http://127.0.0.1:{port}/ok space\">spaced</a> and \
         [bad port](http://127.0.0.1:99999/)\n"
    ));
    let out = lanyard(site.path(), &["check", "--external", "--timeout", "5"]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(
        err.contains("error: content/posts/2024-04-01-links.md:5: broken outside link [bad port](http://127.0.0.1:99999/): it is not a valid web address (invalid port number)"),
        "{err}"
    );
    assert!(!err.contains("spaced"), "{err}");
    assert_eq!(seen.requests.lock().unwrap().clone(), ["HEAD /ok%20space"]);
}

#[test]
fn a_host_name_that_does_not_resolve_is_an_error() {
    let site = site_linking_to("[typo](http://no-such-host.invalid/page)\n");
    let out = lanyard(site.path(), &["check", "--external", "--timeout", "5"]);
    let err = stderr(&out);
    // Without a reachable name server nothing is known about the name: then it is only a warning.
    let offline = std::net::ToSocketAddrs::to_socket_addrs(&("no-such-host.invalid", 80))
        .err()
        .is_some_and(|e| e.to_string().contains("Temporary failure"));
    if offline {
        assert_eq!(out.status.code(), Some(0), "{err}");
        assert!(err.contains("is this machine offline?"), "{err}");
    } else {
        assert_eq!(out.status.code(), Some(1), "{err}");
        assert!(
            err.contains("error: content/posts/2024-04-01-links.md:5: broken outside link [typo](http://no-such-host.invalid/page): the host name no-such-host.invalid does not resolve; check its spelling"),
            "{err}"
        );
    }
}
