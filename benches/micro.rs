//! Micro benchmarks of the per-post stages: front matter, Markdown with highlighting, and a whole small
//! site rendered through the templates in memory. Run with `cargo bench --bench micro`; the whole-site
//! comparison with Hugo and the floor is `bench/run`.

use std::path::Path;

use criterion::{criterion_group, criterion_main, Criterion};
use lanyard::content::frontmatter::{self, FrontMatter};
use lanyard::content::BuildOptions;
use lanyard::error::Diagnostics;
use lanyard::markdown::{self, Highlighter};
use lanyard::output::MemorySink;
use lanyard::pipeline::{self, Overrides};

const FRONT: &str = "title: \"Follow up within a day\"\ndate: 2024-03-05 08:30\nauthor: maren\n\
tags: [follow-up, events, career]\nseries: \"Thirty Small Habits\"\npart: 3\ncomments:\n  - author: Dana\n    \
date: 2024-03-06\n    body: \"This works, and here is why.\"\n";

fn post_markdown() -> String {
    let para = "Networking is mostly *follow-up*: a short note, sent the next morning, that names one \
                thing the other person said and one thing you promised. [Read more](/posts/x/).\n\n";
    let mut md = String::from("Intro paragraph.\n\n<!-- more -->\n\n");
    for i in 0..8 {
        md.push_str(&format!(
            "## Section {i}\n\n{para}{para}- one\n- two\n- three\n\n"
        ));
    }
    md.push_str("```rust\nfn main() {\n    let names = vec![\"ana\", \"kenji\"];\n    for n in &names { println!(\"{n}\"); }\n}\n```\n");
    md
}

fn benches(c: &mut Criterion) {
    c.bench_function("front matter: split + parse", |b| {
        let text = format!("---\n{FRONT}---\nBody.\n");
        b.iter(|| {
            let split = frontmatter::split(&text).unwrap();
            let fm: FrontMatter =
                frontmatter::parse(split.front.unwrap(), split.front_line).unwrap();
            let keys = frontmatter::keys(split.front.unwrap(), split.front_line).unwrap();
            (fm, keys)
        })
    });
    let md = post_markdown();
    let highlighter = Highlighter::new();
    markdown::render(&md, &highlighter);
    c.bench_function(
        "markdown: 700-word post with a highlighted code block",
        |b| b.iter(|| markdown::render(&md, &highlighter)),
    );
    c.bench_function("comment: render + sanitize", |b| {
        b.iter(|| {
            markdown::render_comment("Great tip! <script>x</script> [link](https://example.org)")
        })
    });
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/basic");
    let opts = BuildOptions::default();
    let loaded =
        pipeline::load_site(&root, &opts, &Overrides::default(), &Diagnostics::new()).unwrap();
    c.bench_function("templates: render the fixture site in memory", |b| {
        b.iter(|| pipeline::render_into(&loaded, &MemorySink::new()).unwrap())
    });
}

criterion_group!(micro, benches);
criterion_main!(micro);
