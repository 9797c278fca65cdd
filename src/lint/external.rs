//! Outside links (`check --external`): does each address still answer?
//!
//! Each distinct URL (fragment removed) is asked once, however many posts link to it, and every place
//! that links to a broken one is reported. A `HEAD` request comes first, since it costs the other site
//! nothing; servers that refuse or fumble `HEAD` get a `GET` whose body is never read. A fixed number of
//! worker threads share the queue, so a site with thousands of links neither floods anybody nor waits
//! on one slow host at a time, and every request has a deadline.
//!
//! The web is flaky, so only answers that mean "gone" are errors: 404 and 410, an unknown host, a
//! refused connection, an address no browser could open. Anything else that is not a success (403 to
//! robots, 429, 5xx, a timeout, a dropped connection or a failed TLS handshake, a name server that
//! cannot be reached) is a warning to look at, not a failed check. Links in reader comments are asked
//! too, but are only ever warnings: a reader's dead link is worth knowing about, not a broken site.
//!
//! An address is asked as a browser would send it (the `url` crate's WHATWG parsing): an IDN host in
//! punycode, spaces and quotes percent-encoded, tabs and newlines dropped. The host name is looked up
//! before the request, once per host, because the HTTP client reports a failed lookup as a bare I/O
//! error that cannot be told from others.

use std::collections::{BTreeMap, HashMap};
use std::net::ToSocketAddrs;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;
use std::time::Duration;

use super::links::Outside;
use crate::error::{Diagnostic, Lint};

/// How to ask.
#[derive(Debug, Clone, Copy)]
pub struct Options {
    /// Deadline of one request, redirects included.
    pub timeout: Duration,
    /// Requests in flight at once.
    pub concurrency: usize,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            timeout: Duration::from_secs(10),
            concurrency: 8,
        }
    }
}

/// What one URL answered.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Answer {
    Ok,
    Status(u16, String),
    TimedOut,
    /// Gone for good: the host does not resolve, the connection is refused, or the address is not one.
    Unreachable(String),
    /// Any other failure (a dropped connection, a TLS error): maybe down for now.
    Failed(String),
}

/// Ask every distinct URL of `links`; one diagnostic per place that links to a URL that did not answer well.
pub fn check(links: &[Outside], opts: &Options) -> Vec<Diagnostic> {
    let mut by_url: BTreeMap<&str, Vec<&Outside>> = BTreeMap::new();
    for link in links {
        let url = link.url.split('#').next().unwrap_or_default();
        by_url.entry(url).or_default().push(link);
    }
    let urls: Vec<&str> = by_url.keys().copied().collect();
    let answers = ask_all(&urls, opts);
    let mut out = Vec::new();
    for (url, answer) in urls.iter().zip(answers) {
        for link in &by_url[url] {
            if let Some(d) = finding(link, &answer, opts.timeout) {
                out.push(d);
            }
        }
    }
    out.sort();
    out
}

/// Answers in the order of `urls`, asked by at most `opts.concurrency` threads.
fn ask_all(urls: &[&str], opts: &Options) -> Vec<Answer> {
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .timeout_global(Some(opts.timeout))
        .http_status_as_error(false)
        .user_agent(concat!(
            "lanyard/",
            env!("CARGO_PKG_VERSION"),
            " (link check)"
        ))
        .build()
        .into();
    let answers: Vec<Mutex<Option<Answer>>> = urls.iter().map(|_| Mutex::new(None)).collect();
    let next = AtomicUsize::new(0);
    let hosts = Hosts {
        known: Mutex::new(HashMap::new()),
        timeout: opts.timeout,
    };
    std::thread::scope(|scope| {
        for _ in 0..opts.concurrency.clamp(1, urls.len().max(1)) {
            scope.spawn(|| loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                let Some(url) = urls.get(i) else { break };
                let answer = ask(&agent, &hosts, url);
                *answers[i].lock().unwrap_or_else(|e| e.into_inner()) = Some(answer);
            });
        }
    });
    answers
        .into_iter()
        .map(|a| {
            a.into_inner()
                .unwrap_or_else(|e| e.into_inner())
                .unwrap_or(Answer::TimedOut)
        })
        .collect()
}

/// `HEAD`, then `GET` when `HEAD` did not succeed (some servers answer 405, 403 or 404 to `HEAD` only).
fn ask(agent: &ureq::Agent, hosts: &Hosts, url: &str) -> Answer {
    let parsed = match url::Url::parse(url) {
        Ok(parsed) => parsed,
        Err(e) => return Answer::Unreachable(format!("it is not a valid web address ({e})")),
    };
    if let Some(failed) = hosts.look_up(&parsed) {
        return failed;
    }
    let url = parsed.as_str();
    match answer(agent.head(url).call()) {
        Answer::Ok => Answer::Ok,
        Answer::TimedOut => Answer::TimedOut,
        _ => answer(agent.get(url).call()),
    }
}

/// Host names already looked up: `None` when the name resolved, else what to report for every URL
/// on that host. A lookup gets the same deadline as a request: the system's resolver may retry a
/// silent name server for longer than that.
struct Hosts {
    known: Mutex<HashMap<String, Option<Answer>>>,
    timeout: Duration,
}

impl Hosts {
    /// What to answer without asking, when the URL's host name does not resolve.
    fn look_up(&self, url: &url::Url) -> Option<Answer> {
        let Some(url::Host::Domain(name)) = url.host() else {
            return None; // an IP address: nothing to look up
        };
        let port = url.port_or_known_default().unwrap_or(80);
        if let Some(known) = self
            .known
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get(name)
        {
            return known.clone();
        }
        let (tx, rx) = std::sync::mpsc::channel();
        let asked = (name.to_string(), port);
        // Left to finish on its own when it outlives the deadline; the check does not wait for it.
        std::thread::spawn(move || {
            let _ = tx.send(asked.to_socket_addrs().map(|mut a| a.next().is_some()));
        });
        let outcome = match rx.recv_timeout(self.timeout) {
            Ok(Ok(true)) => None,
            Ok(Ok(false)) => Some(not_found(name)),
            // EAI_AGAIN: no name server answered, so nothing is known about the name itself.
            Ok(Err(e)) if e.to_string().contains("Temporary failure") => Some(Answer::Failed(
                format!("could not look up {name}: {e}; is this machine offline?"),
            )),
            Ok(Err(_)) => Some(not_found(name)),
            Err(_) => Some(Answer::TimedOut),
        };
        let mut known = self.known.lock().unwrap_or_else(|e| e.into_inner());
        known.insert(name.to_string(), outcome.clone());
        outcome
    }
}

fn not_found(name: &str) -> Answer {
    Answer::Unreachable(format!(
        "the host name {name} does not resolve; check its spelling (or this machine's name server)"
    ))
}

fn answer(result: Result<ureq::http::Response<ureq::Body>, ureq::Error>) -> Answer {
    match result {
        Ok(response) if response.status().as_u16() < 400 => Answer::Ok,
        Ok(response) => {
            let status = response.status();
            Answer::Status(
                status.as_u16(),
                status.canonical_reason().unwrap_or_default().to_string(),
            )
        }
        Err(ureq::Error::Timeout(_)) => Answer::TimedOut,
        Err(ureq::Error::Io(e)) if e.kind() == std::io::ErrorKind::TimedOut => Answer::TimedOut,
        Err(ureq::Error::HostNotFound) => {
            Answer::Unreachable("the host name does not resolve".into())
        }
        Err(ureq::Error::ConnectionFailed) => {
            Answer::Unreachable("the connection failed; check the address and its port".into())
        }
        Err(ureq::Error::Io(e)) if e.kind() == std::io::ErrorKind::ConnectionRefused => {
            Answer::Unreachable(
                "the server refused the connection; check the address and its port".into(),
            )
        }
        // A dropped connection, a TLS failure, a malformed answer: the site may be down for now.
        Err(e) => Answer::Failed(e.to_string()),
    }
}

fn finding(link: &Outside, answer: &Answer, timeout: Duration) -> Option<Diagnostic> {
    let md = format!(
        "[{}]({})",
        link.text.split_whitespace().collect::<Vec<_>>().join(" "),
        link.url
    );
    let place = (link.file.as_str(), Some(link.line));
    let d = match answer {
        Answer::Ok => return None,
        Answer::Status(code @ (404 | 410), reason) => broken(
            link,
            &md,
            &format!("the server answered {code} {reason}; fix the address or remove the link"),
        ),
        Answer::Status(code, reason) => Diagnostic::warning(
            place.0,
            place.1,
            format!("outside link {md} answered {code} {reason}: it may be down for now, or turn robots away"),
        ),
        Answer::TimedOut => Diagnostic::warning(
            place.0,
            place.1,
            format!(
                "outside link {md} did not answer within {}s; open it in a browser, or allow more time with --timeout",
                timeout.as_secs_f64()
            ),
        ),
        Answer::Unreachable(why) => broken(link, &md, why),
        Answer::Failed(why) => Diagnostic::warning(
            place.0,
            place.1,
            format!("outside link {md} failed ({why}): it may be down for now; open it in a browser to see"),
        ),
    };
    Some(d.with_lint(Lint::ExternalLink))
}

/// An error for a link an author wrote; for a reader's, a warning that says whose link it is.
fn broken(link: &Outside, md: &str, why: &str) -> Diagnostic {
    let place = (link.file.as_str(), Some(link.line));
    if link.reader {
        let why = why.split("; ").next().unwrap_or(why);
        Diagnostic::warning(
            place.0,
            place.1,
            format!("a reader's comment has a broken outside link {md}: {why}; edit the comment to fix or remove it"),
        )
    } else {
        Diagnostic::error(place.0, place.1, format!("broken outside link {md}: {why}"))
    }
}
