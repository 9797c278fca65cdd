use std::time::Instant;
fn body_of(text: &str) -> &str {
    let Some(rest) = text.strip_prefix("---\n") else {
        return text;
    };
    match rest.find("\n---\n") {
        Some(end) => &rest[end + 5..],
        None => rest,
    }
}
fn main() {
    let dir = std::env::args().nth(1).unwrap();
    let mut texts = vec![];
    for e in std::fs::read_dir(format!("{dir}/content/posts")).unwrap() {
        let p = e.unwrap().path();
        if p.extension().is_some_and(|x| x == "md") {
            texts.push(std::fs::read_to_string(p).unwrap());
        }
    }
    let hl = lanyard::markdown::Highlighter::new();
    let _ = lanyard::markdown::render("```rust\nfn x(){}\n```\n", &hl);
    use pulldown_cmark::{html, Options, Parser};
    for round in 0..3 {
        let t = Instant::now();
        let mut n = 0;
        for s in &texts {
            let mut o = String::new();
            html::push_html(
                &mut o,
                Parser::new_ext(
                    body_of(s),
                    Options::ENABLE_TABLES
                        | Options::ENABLE_FOOTNOTES
                        | Options::ENABLE_STRIKETHROUGH,
                ),
            );
            n += o.len();
        }
        let a = t.elapsed();
        let t = Instant::now();
        for s in &texts {
            let mut o = String::new();
            html::push_html(
                &mut o,
                Parser::new_ext(
                    body_of(s),
                    Options::ENABLE_TABLES
                        | Options::ENABLE_FOOTNOTES
                        | Options::ENABLE_STRIKETHROUGH
                        | Options::ENABLE_TASKLISTS
                        | Options::ENABLE_SMART_PUNCTUATION
                        | Options::ENABLE_HEADING_ATTRIBUTES,
                ),
            );
            n += o.len();
        }
        let b = t.elapsed();
        let t = Instant::now();
        for s in &texts {
            let r = lanyard::markdown::render(body_of(s), &hl);
            n += r.html.len();
        }
        let c = t.elapsed();
        println!(
            "round {round}: floor {:?} options {:?} lanyard {:?} ({n})",
            a, b, c
        );
    }
}
