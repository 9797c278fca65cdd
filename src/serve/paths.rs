//! Request path → the key of an in-memory output file, and the content type that goes with it.
//!
//! The dev server never opens a file to answer a request: a path is percent-decoded once, split into
//! segments, checked, and joined into a key of the map of rendered files. Nothing outside the site can
//! be reached because nothing but that map is ever looked at; the checks (no `.` or `..` segment, no
//! backslash, no control character, valid escapes and UTF-8) still refuse what only an attacker sends,
//! so that such a request is answered plainly instead of by a lookup that happens to fail.

use crate::output::percent_decode;

/// What a request path refers to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// The output file with this key.
    File(String),
    /// A folder asked for without its trailing slash: redirect here.
    Redirect(String),
    /// Nothing here; the key that would serve this path (for the reload client of the 404 page): a
    /// path whose last segment has no extension is a page's folder (`/posts/new` → `posts/new/index.html`,
    /// which `/posts/new` redirects to once it exists).
    Missing(String),
    /// A path no page can have: a bad escape, a `..` segment, a backslash, a control character.
    Bad(&'static str),
}

/// Resolve a request's path (without the query) against the keys that `exists`.
pub fn resolve(raw_path: &str, query: Option<&str>, exists: impl Fn(&str) -> bool) -> Target {
    let Some(decoded) = percent_decode(raw_path) else {
        return Target::Bad("malformed %-escape or not UTF-8");
    };
    let mut segments = Vec::new();
    for seg in decoded.split('/').filter(|s| !s.is_empty()) {
        if seg == "." || seg == ".." {
            return Target::Bad("`.` and `..` segments are not allowed");
        }
        if seg.chars().any(|c| c == '\\' || c.is_control()) {
            return Target::Bad("backslashes and control characters are not allowed");
        }
        segments.push(seg);
    }
    let joined = segments.join("/");
    let folder_key = if joined.is_empty() {
        "index.html".to_string()
    } else {
        format!("{joined}/index.html")
    };
    if segments.is_empty() || decoded.ends_with('/') {
        return if exists(&folder_key) {
            Target::File(folder_key)
        } else {
            Target::Missing(folder_key)
        };
    }
    if exists(&joined) {
        return Target::File(joined);
    }
    if exists(&folder_key) {
        // Built from the segments as sent (still escaped), so `//host/x` cannot become a redirect elsewhere.
        let raw: Vec<&str> = raw_path.split('/').filter(|s| !s.is_empty()).collect();
        let mut location = format!("/{}/", raw.join("/"));
        if let Some(q) = query.filter(|q| !q.is_empty()) {
            location.push('?');
            location.push_str(q);
        }
        return Target::Redirect(location);
    }
    let last = segments.last().copied().unwrap_or_default();
    if last.rfind('.').is_some_and(|dot| dot > 0) {
        Target::Missing(joined)
    } else {
        Target::Missing(folder_key)
    }
}

/// The `Content-Type` of an output file, by extension.
pub fn content_type(key: &str) -> &'static str {
    let name = key.rsplit('/').next().unwrap_or(key);
    let ext = name
        .rsplit_once('.')
        .map(|(_, e)| e.to_ascii_lowercase())
        .unwrap_or_default();
    match ext.as_str() {
        // Text and documents.
        "html" | "htm" => "text/html; charset=utf-8",
        "xhtml" => "application/xhtml+xml",
        "css" => "text/css; charset=utf-8",
        "js" | "mjs" | "cjs" => "text/javascript; charset=utf-8",
        "json" | "map" => "application/json",
        "jsonld" => "application/ld+json",
        "geojson" => "application/geo+json",
        "webmanifest" => "application/manifest+json",
        "xml" => "application/xml; charset=utf-8",
        "xsl" | "xslt" => "application/xslt+xml",
        "rss" => "application/rss+xml",
        "atom" => "application/atom+xml",
        "gpx" => "application/gpx+xml",
        "kml" => "application/vnd.google-earth.kml+xml",
        "txt" => "text/plain; charset=utf-8",
        "md" | "markdown" => "text/markdown; charset=utf-8",
        "csv" => "text/csv; charset=utf-8",
        "tsv" => "text/tab-separated-values; charset=utf-8",
        "vtt" => "text/vtt; charset=utf-8",
        "srt" => "application/x-subrip",
        "ics" => "text/calendar; charset=utf-8",
        "vcf" => "text/vcard; charset=utf-8",
        "yaml" | "yml" => "application/yaml",
        "toml" => "application/toml",
        "pdf" => "application/pdf",
        "rtf" => "application/rtf",
        "epub" => "application/epub+zip",
        "doc" => "application/msword",
        "docx" => "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "xls" => "application/vnd.ms-excel",
        "xlsx" => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "ppt" => "application/vnd.ms-powerpoint",
        "pptx" => "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        "odt" => "application/vnd.oasis.opendocument.text",
        "ods" => "application/vnd.oasis.opendocument.spreadsheet",
        "odp" => "application/vnd.oasis.opendocument.presentation",
        // Images.
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "apng" => "image/apng",
        "jpg" | "jpeg" | "jpe" | "jfif" | "pjpeg" | "pjp" => "image/jpeg",
        "gif" => "image/gif",
        "webp" => "image/webp",
        "avif" => "image/avif",
        "jxl" => "image/jxl",
        "heic" => "image/heic",
        "heif" => "image/heif",
        "bmp" => "image/bmp",
        "tif" | "tiff" => "image/tiff",
        "ico" | "cur" => "image/x-icon",
        // Fonts.
        "woff" => "font/woff",
        "woff2" => "font/woff2",
        "ttf" => "font/ttf",
        "otf" => "font/otf",
        "eot" => "application/vnd.ms-fontobject",
        // Audio and video.
        "mp4" | "m4v" => "video/mp4",
        "webm" => "video/webm",
        "ogv" => "video/ogg",
        "mov" => "video/quicktime",
        "mpeg" | "mpg" => "video/mpeg",
        "avi" => "video/x-msvideo",
        "mkv" => "video/x-matroska",
        "mp3" => "audio/mpeg",
        "ogg" | "oga" => "audio/ogg",
        "opus" => "audio/opus",
        "wav" => "audio/wav",
        "flac" => "audio/flac",
        "m4a" => "audio/mp4",
        "aac" => "audio/aac",
        "weba" => "audio/webm",
        "mid" | "midi" => "audio/midi",
        // Code, 3D models and archives.
        "wasm" => "application/wasm",
        "glb" => "model/gltf-binary",
        "gltf" => "model/gltf+json",
        "zip" => "application/zip",
        "gz" | "tgz" => "application/gzip",
        "tar" => "application/x-tar",
        "bz2" => "application/x-bzip2",
        "xz" => "application/x-xz",
        "zst" => "application/zstd",
        "7z" => "application/x-7z-compressed",
        _ => "application/octet-stream",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn site(key: &str) -> bool {
        [
            "index.html",
            "posts/a/index.html",
            "style.css",
            "LICENSE",
            "a b/index.html",
        ]
        .contains(&key)
    }

    #[test]
    fn paths_map_to_keys() {
        assert_eq!(resolve("/", None, site), Target::File("index.html".into()));
        assert_eq!(
            resolve("/posts/a/", None, site),
            Target::File("posts/a/index.html".into())
        );
        assert_eq!(
            resolve("/posts/a/index.html", None, site),
            Target::File("posts/a/index.html".into())
        );
        assert_eq!(
            resolve("/style.css", None, site),
            Target::File("style.css".into())
        );
        assert_eq!(
            resolve("/LICENSE", None, site),
            Target::File("LICENSE".into())
        );
        assert_eq!(
            resolve("/a%20b/", None, site),
            Target::File("a b/index.html".into())
        );
        assert_eq!(
            resolve("//posts//a/", None, site),
            Target::File("posts/a/index.html".into())
        );
    }

    #[test]
    fn folders_without_a_slash_redirect() {
        assert_eq!(
            resolve("/posts/a", None, site),
            Target::Redirect("/posts/a/".into())
        );
        assert_eq!(
            resolve("/posts/a", Some("x=1"), site),
            Target::Redirect("/posts/a/?x=1".into())
        );
        assert_eq!(
            resolve("/a%20b", None, site),
            Target::Redirect("/a%20b/".into())
        );
        // Never a protocol-relative location that points at another host.
        assert_eq!(
            resolve("//posts/a", None, site),
            Target::Redirect("/posts/a/".into())
        );
    }

    #[test]
    fn missing_paths_name_the_key_they_would_have() {
        assert_eq!(
            resolve("/posts/new/", None, site),
            Target::Missing("posts/new/index.html".into())
        );
        assert_eq!(
            resolve("/nope.css", None, site),
            Target::Missing("nope.css".into())
        );
        // Without a slash or an extension, a page's folder: it reloads when the page is created.
        assert_eq!(
            resolve("/posts/new", None, site),
            Target::Missing("posts/new/index.html".into())
        );
        assert_eq!(
            resolve("/posts/new", Some("x=1"), site),
            Target::Missing("posts/new/index.html".into())
        );
    }

    #[test]
    fn traversal_in_any_encoding_is_refused() {
        for bad in [
            "/../etc/passwd",
            "/posts/../../etc/passwd",
            "/%2e%2e/etc/passwd",
            "/%2E%2E/%2E%2E/etc/passwd",
            "/.%2e/etc/passwd",
            "/posts/a%2f..%2f..%2fsite.toml",
            "/posts%5c..%5c..%5csite.toml",
            "/posts\\..\\site.toml",
            "/./index.html",
            "/a%00b",
            "/%zz",
            "/%ff",
        ] {
            assert!(
                matches!(resolve(bad, None, site), Target::Bad(_)),
                "{bad} must be refused"
            );
        }
    }

    #[test]
    fn double_encoding_is_only_a_strange_name() {
        assert_eq!(
            resolve("/%252e%252e/etc/passwd", None, site),
            Target::Missing("%2e%2e/etc/passwd/index.html".into())
        );
        assert_eq!(
            resolve("/%252e%252e/etc/passwd.txt", None, site),
            Target::Missing("%2e%2e/etc/passwd.txt".into())
        );
    }

    #[test]
    fn content_types_by_extension() {
        assert_eq!(
            content_type("posts/a/index.html"),
            "text/html; charset=utf-8"
        );
        assert_eq!(content_type("style.css"), "text/css; charset=utf-8");
        assert_eq!(content_type("rss.xml"), "application/xml; charset=utf-8");
        assert_eq!(content_type("feed.json"), "application/json");
        assert_eq!(content_type("favicon.svg"), "image/svg+xml");
        assert_eq!(content_type("img/PHOTO.JPG"), "image/jpeg");
        for (file, ty) in [
            ("feed.xsl", "application/xslt+xml"),
            ("feed.XSLT", "application/xslt+xml"),
            ("talk.vtt", "text/vtt; charset=utf-8"),
            ("site.webmanifest", "application/manifest+json"),
            ("font.eot", "application/vnd.ms-fontobject"),
            ("data.csv.gz", "application/gzip"),
            ("a.yaml", "application/yaml"),
            ("a.yml", "application/yaml"),
            ("a.toml", "application/toml"),
            ("a.apng", "image/apng"),
            ("a.bmp", "image/bmp"),
            ("a.tif", "image/tiff"),
            ("a.tiff", "image/tiff"),
            ("a.wav", "audio/wav"),
            ("a.flac", "audio/flac"),
            ("a.m4a", "audio/mp4"),
            ("a.mov", "video/quicktime"),
        ] {
            assert_eq!(content_type(file), ty, "{file}");
        }
        assert_eq!(content_type("LICENSE"), "application/octet-stream");
        assert_eq!(content_type("dir.v2/LICENSE"), "application/octet-stream");
    }
}
