//! Slugs and URL path segments.
//!
//! Every path that reaches the output folder is built from segments checked here, so content can never
//! name a file outside it: an explicit `slug` that tries to leave its folder is an error, derived slugs are
//! reduced to `[a-z0-9-]`.

/// Lowercase ASCII words joined by `-`: `"Réseautage & C++"` → `"reseautage-c"`. Empty when nothing is left.
pub fn slugify(text: &str) -> String {
    let folded = deunicode::deunicode(text);
    let mut out = String::with_capacity(folded.len());
    let mut dash = false;
    for c in folded.chars() {
        if c.is_ascii_alphanumeric() {
            if dash && !out.is_empty() {
                out.push('-');
            }
            dash = false;
            out.push(c.to_ascii_lowercase());
        } else {
            dash = true;
        }
    }
    out
}

/// A slug for a tag name: like [`slugify`], but keeps `+` and `#` apart (`C++` → `c-plus-plus`, `C#` →
/// `c-sharp`) and never returns an empty string.
pub fn tag_slug(name: &str) -> String {
    let slug = slugify(&spell_symbols(name));
    if slug.is_empty() {
        format!("tag-{:08x}", fnv1a(name.as_bytes()) as u32)
    } else {
        slug
    }
}

/// A series id from the series' name: [`slugify`] with `+` and `#` spelled out as [`tag_slug`] does, so
/// that "C Tips", "C++ Tips" and "C# Tips" are three series, not one. Empty when the name has no
/// letters, digits, `+` or `#`.
pub fn series_id(name: &str) -> String {
    slugify(&spell_symbols(name))
}

/// `+` and `#` as words, for slugs where `C++` and `C` must differ.
fn spell_symbols(name: &str) -> String {
    name.replace('+', " plus ").replace('#', " sharp ")
}

/// Check an author-given slug: one URL segment, no traversal, no characters that break a URL.
/// Whitespace becomes `-`; everything else is kept as written.
pub fn explicit_slug(slug: &str) -> Result<String, String> {
    let trimmed = slug.trim();
    let joined: String = trimmed.split_whitespace().collect::<Vec<_>>().join("-");
    if joined.is_empty() {
        return Err("slug is empty: remove the key or give it a value such as `my-post`".into());
    }
    if joined == "." || joined == ".." || joined.contains("..") || joined.starts_with('.') {
        return Err(format!(
            "slug `{slug}` must not start with `.` or contain `..`: it has to stay inside its folder"
        ));
    }
    if let Some(bad) = joined
        .chars()
        .find(|c| !(c.is_alphanumeric() || matches!(c, '-' | '_' | '.' | '~')))
    {
        return Err(format!(
            "slug `{slug}` contains `{}`: use letters, digits, `-`, `_`, `.` and `~` only",
            bad.escape_default()
        ));
    }
    Ok(joined)
}

/// A stable 64-bit hash (FNV-1a) for generated names; not for security.
pub fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(*b)).wrapping_mul(0x0100_0000_01b3)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugify_folds_and_joins() {
        assert_eq!(
            slugify("66 Tips For Better Networking"),
            "66-tips-for-better-networking"
        );
        assert_eq!(slugify("  Réseautage!! "), "reseautage");
        assert_eq!(slugify("Follow-Up Friday"), "follow-up-friday");
        assert_eq!(slugify("../../etc/passwd"), "etc-passwd");
        assert_eq!(slugify("!!!"), "");
    }

    #[test]
    fn tag_slugs_keep_symbols_apart() {
        assert_eq!(tag_slug("C++"), "c-plus-plus");
        assert_eq!(tag_slug("C#"), "c-sharp");
        assert_eq!(tag_slug("C"), "c");
        assert!(tag_slug("🎉").starts_with("tag-") || !tag_slug("🎉").is_empty());
    }

    #[test]
    fn series_ids_keep_symbols_apart() {
        assert_eq!(
            series_id("66 Tips For Better Networking"),
            "66-tips-for-better-networking"
        );
        assert_eq!(series_id("C Tips"), "c-tips");
        assert_eq!(series_id("C++ Tips"), "c-plus-plus-tips");
        assert_eq!(series_id("C# Tips"), "c-sharp-tips");
        assert_eq!(series_id("!!!"), "");
    }

    #[test]
    fn explicit_slugs_cannot_escape() {
        assert_eq!(explicit_slug("be-a-resource").unwrap(), "be-a-resource");
        assert_eq!(explicit_slug("Be A Resource").unwrap(), "Be-A-Resource");
        assert!(explicit_slug("../../etc").is_err());
        assert!(explicit_slug("a/b").is_err());
        assert!(explicit_slug("a\\b").is_err());
        assert!(explicit_slug("..").is_err());
        assert!(explicit_slug("").is_err());
        assert!(explicit_slug("a?b").is_err());
    }
}
