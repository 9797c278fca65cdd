//! Outside links (`check --external`): does each address still answer?
//!
//! Each distinct URL (fragment removed) is asked once, however many posts link to it, and every place
//! that links to a broken one is reported. A `HEAD` request comes first, since it costs the other site
//! nothing; servers that refuse or fumble `HEAD` get a `GET` whose body is never read. A fixed number of
//! worker threads share the queue, so a site with thousands of links neither floods anybody nor waits
//! on one slow host at a time, and every request has a deadline.
//!
//! The web is flaky, so only answers that mean "gone" are errors: 404 and 410, an unknown host, a
//! refused connection. Anything else that is not a success (403 to robots, 429, 5xx, a timeout, a
//! dropped connection or a failed TLS handshake) is a warning to look at, not a failed check.

use std::collections::BTreeMap;
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
    /// Gone for good: the host does not resolve, or the connection is refused.
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
    std::thread::scope(|scope| {
        for _ in 0..opts.concurrency.clamp(1, urls.len().max(1)) {
            scope.spawn(|| loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                let Some(url) = urls.get(i) else { break };
                let answer = ask(&agent, url);
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
fn ask(agent: &ureq::Agent, url: &str) -> Answer {
    match answer(agent.head(url).call()) {
        Answer::Ok => Answer::Ok,
        Answer::TimedOut => Answer::TimedOut,
        _ => answer(agent.get(url).call()),
    }
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
        Err(ureq::Error::ConnectionFailed) => Answer::Unreachable("the connection failed".into()),
        Err(ureq::Error::Io(e)) if e.kind() == std::io::ErrorKind::ConnectionRefused => {
            Answer::Unreachable("the server refused the connection".into())
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
        Answer::Status(code @ (404 | 410), reason) => {
            Diagnostic::error(place.0, place.1, format!("broken outside link {md}: the server answered {code} {reason}"))
        }
        Answer::Status(code, reason) => Diagnostic::warning(
            place.0,
            place.1,
            format!("outside link {md} answered {code} {reason}: it may be down for now, or turn robots away"),
        ),
        Answer::TimedOut => Diagnostic::warning(
            place.0,
            place.1,
            format!("outside link {md} did not answer within {}s", timeout.as_secs_f64()),
        ),
        Answer::Unreachable(why) => Diagnostic::error(place.0, place.1, format!("broken outside link {md}: {why}")),
        Answer::Failed(why) => Diagnostic::warning(
            place.0,
            place.1,
            format!("outside link {md} failed ({why}): it may be down for now"),
        ),
    };
    Some(d.with_lint(Lint::ExternalLink))
}
