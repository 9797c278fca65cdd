//! Embeds the default theme (`themes/default/`) into the binary, so a site with only `site.toml` and
//! `content/` builds without copying any theme files.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

fn collect(dir: &Path, base: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut paths: Vec<PathBuf> = entries.flatten().map(|e| e.path()).collect();
    paths.sort();
    for path in paths {
        let hidden = path
            .file_name()
            .and_then(|n| n.to_str())
            .is_some_and(|n| n.starts_with('.'));
        if hidden {
            continue;
        }
        if path.is_dir() {
            collect(&path, base, out);
        } else {
            out.push(path.strip_prefix(base).expect("inside base").to_path_buf());
        }
    }
}

fn main() {
    let manifest = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").expect("cargo sets it"));
    let theme = manifest.join("themes").join("default");
    println!("cargo:rerun-if-changed=themes/default");
    let mut files = Vec::new();
    collect(&theme, &theme, &mut files);
    let mut code = String::from(
        "/// The files of the built-in default theme: (path inside the theme, bytes).\n",
    );
    code.push_str("pub static FILES: &[(&str, &[u8])] = &[\n");
    for rel in files {
        let rel_str = rel.to_string_lossy().replace('\\', "/");
        let abs = theme.join(&rel);
        writeln!(
            code,
            "    ({rel_str:?}, include_bytes!({:?})),",
            abs.to_string_lossy()
        )
        .expect("write to string");
    }
    code.push_str("];\n");
    let out =
        PathBuf::from(std::env::var("OUT_DIR").expect("cargo sets it")).join("default_theme.rs");
    std::fs::write(out, code).expect("write default_theme.rs");
}
