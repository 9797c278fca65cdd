//! The benchmark floor: the least work any generator must do for a corpus — read every post, render its
//! Markdown with pulldown-cmark, write one HTML file per post. No templates, no indexes, no feeds. The
//! benchmark harness (`bench/run`) times lanyard against this on the same corpus.
//!
//! Usage: `cargo run --release --example floor -- SITE_DIR OUT_DIR`

use std::path::{Path, PathBuf};

use pulldown_cmark::{html, Options, Parser};
use rayon::prelude::*;

fn body_of(text: &str) -> &str {
    let Some(rest) = text.strip_prefix("---\n") else {
        return text;
    };
    match rest.find("\n---\n") {
        Some(end) => &rest[end + 5..],
        None => rest,
    }
}

fn render(path: &Path, out: &Path) -> std::io::Result<()> {
    let text = std::fs::read_to_string(path)?;
    let mut html_out = String::with_capacity(text.len() * 3 / 2);
    let options =
        Options::ENABLE_TABLES | Options::ENABLE_FOOTNOTES | Options::ENABLE_STRIKETHROUGH;
    html::push_html(&mut html_out, Parser::new_ext(body_of(&text), options));
    let stem = path.file_stem().and_then(|s| s.to_str()).unwrap_or("post");
    let dir = out.join(stem);
    std::fs::create_dir_all(&dir)?;
    std::fs::write(dir.join("index.html"), html_out)
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.len() != 3 {
        eprintln!("usage: floor SITE_DIR OUT_DIR");
        std::process::exit(2);
    }
    let posts = Path::new(&args[1]).join("content/posts");
    let out = PathBuf::from(&args[2]);
    let files: Vec<PathBuf> = walkdir::WalkDir::new(&posts)
        .into_iter()
        .flatten()
        .filter(|e| e.path().extension().is_some_and(|x| x == "md"))
        .map(|e| e.into_path())
        .collect();
    let failed = files
        .par_iter()
        .filter(|p| render(p, &out).is_err())
        .count();
    println!("floor: {} posts, {failed} failed", files.len());
}
