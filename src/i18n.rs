//! Translations: the words lanyard and the theme put around an author's writing ("Related reading",
//! "3 comments", "Page 2", "July 31, 2007"), in the site's `language`.
//!
//! Three layers, each overriding the one before key by key: lanyard's own English strings (page titles
//! it makes up, the date format), the theme's `translations.toml`, and the site's `[translations]` in
//! `site.toml`. A value is a string, or a table of plural forms chosen by the CLDR rules of the site's
//! language (`{ one = "{n} comment", other = "{n} comments" }`; Polish also has `few` and `many`).
//! `{name}` in a string is filled from the caller's values. This is the shape of Zola's
//! `[translations]` and of Hugo's `i18n/` files, with Hugo's plural forms.
//!
//! Month and day names come from chrono's locale tables, picked from the language (`fr` → `fr_FR`):
//! dates in the site's `date_format` and in a theme's `date(locale=site.locale)` follow the language.
//!
//! A site key that no layer below it defines is a warning at its line (a typo would otherwise be
//! silently ignored); a value of the wrong shape is an error at its line.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::fmt;
use std::path::Path;

use chrono::format::{Item, StrftimeItems};
use chrono::{DateTime, FixedOffset, Locale};
use intl_pluralrules::{PluralCategory, PluralRuleType, PluralRules};
use toml::Spanned;
use unic_langid::LanguageIdentifier;

use crate::content::frontmatter::without_forbidden_owned;
use crate::error::{did_you_mean, line_of_offset, Diagnostic, Diagnostics};

/// The theme's file of translations, beside its `templates/`.
pub const THEME_FILE: &str = "translations.toml";

/// lanyard's own strings: the titles it gives the pages it makes up and the format of `date_display`.
const BUILT_IN: &str = r#"
date_format = "%B %-d, %Y"
page_n = "Page {n}"
tags = "Tags"
tag_title = "Tagged “{tag}”"
tag_page_title = "Tagged “{tag}”, page {n}"
series = "Series"
archive = "Archive"
page_not_found = "Page not found"
moved = "Moved"
anonymous = "Anonymous"
redirecting = "Redirecting…"
moved_to = "This page has moved to"
"#;

/// The plural forms, in CLDR's order.
const FORMS: [&str; 6] = ["zero", "one", "two", "few", "many", "other"];

/// One translation: a string, or one string per plural form (`other` always present).
#[derive(Debug, Clone, PartialEq)]
enum Text {
    Plain(String),
    Plural([Option<String>; 6]),
}

impl Text {
    /// The string for `category`, else the `other` form.
    fn form(&self, category: Option<PluralCategory>) -> &str {
        match self {
            Text::Plain(s) => s,
            Text::Plural(forms) => {
                let at = category.map_or(5, form_index);
                forms[at]
                    .as_deref()
                    .or(forms[5].as_deref())
                    .unwrap_or_default()
            }
        }
    }
}

fn form_index(category: PluralCategory) -> usize {
    match category {
        PluralCategory::ZERO => 0,
        PluralCategory::ONE => 1,
        PluralCategory::TWO => 2,
        PluralCategory::FEW => 3,
        PluralCategory::MANY => 4,
        PluralCategory::OTHER => 5,
    }
}

/// Every translation of a site, with the rules of its language.
pub struct Strings {
    texts: BTreeMap<String, Text>,
    plurals: Option<PluralRules>,
    locale: Locale,
    locale_name: String,
    /// `date_format`, parsed.
    date_items: Vec<Item<'static>>,
}

impl fmt::Debug for Strings {
    // The texts and the locale decide every output; the rules follow from the language.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Strings")
            .field("texts", &self.texts)
            .field("locale", &self.locale_name)
            .finish()
    }
}

/// Where a layer of translations comes from, for its diagnostics.
struct Layer<'a> {
    file: Cow<'a, str>,
    text: Cow<'a, str>,
    values: BTreeMap<String, Spanned<toml::Value>>,
}

impl Strings {
    /// lanyard's own English strings alone, for tests that render without a site.
    #[cfg(test)]
    pub fn english() -> Strings {
        Strings::load(
            Path::new("."),
            "",
            "en",
            None,
            "",
            &mut Vec::new(),
            &Diagnostics::new(),
        )
    }

    /// The translations of a site: lanyard's, then the theme's `translations.toml` (from
    /// `themes/<theme>/`, else the built-in default theme's when `theme` is `default`), then `site`
    /// (the `[translations]` table of `site.toml`, whose text is `site_text`). Shape errors go to
    /// `errors`, unknown site keys to `diags` as warnings.
    pub fn load(
        root: &Path,
        theme: &str,
        language: &str,
        site: Option<BTreeMap<String, Spanned<toml::Value>>>,
        site_text: &str,
        errors: &mut Vec<Diagnostic>,
        diags: &Diagnostics,
    ) -> Strings {
        let mut texts = BTreeMap::new();
        let built_in = Layer {
            file: "(lanyard's built-in strings)".into(),
            text: BUILT_IN.into(),
            values: toml::from_str(BUILT_IN).unwrap_or_default(),
        };
        add(&mut texts, built_in, errors, None);
        if let Some(layer) = theme_layer(root, theme, errors) {
            add(&mut texts, layer, errors, None);
        }
        if let Some(values) = site {
            let layer = Layer {
                file: crate::config::CONFIG_FILE.into(),
                text: site_text.into(),
                values,
            };
            add(&mut texts, layer, errors, Some(diags));
        }
        let (locale, locale_name) = locale_of(language);
        let format = texts.get("date_format").map_or("", |t| t.form(None));
        Strings {
            date_items: date_items(format).unwrap_or_default(),
            texts,
            plurals: plural_rules(language),
            locale,
            locale_name,
        }
    }

    /// The text of `key` with nothing filled in (the `other` form of a plural), or `""` for a key
    /// no layer defines. For lanyard's own keys, which are always defined.
    pub fn text(&self, key: &str) -> &str {
        self.plain_text(key).unwrap_or_default()
    }

    /// The text of `key` as `t.key` prints it (a plural's `other` form, nothing filled in), if any
    /// layer defines it.
    pub fn plain_text(&self, key: &str) -> Option<&str> {
        self.texts.get(key).map(|t| t.form(None))
    }

    /// The text of `key` if it is one string for every count (no plural forms).
    pub fn single(&self, key: &str) -> Option<&str> {
        match self.texts.get(key)? {
            Text::Plain(s) => Some(s),
            Text::Plural(_) => None,
        }
    }

    /// The text of `key` for the count `n` (which picks the plural form and fills `{n}`), with every
    /// other `{name}` filled by `value(name)`. An unknown key or a placeholder without a value is an
    /// error saying which.
    pub fn format(
        &self,
        key: &str,
        n: Option<f64>,
        value: &dyn Fn(&str) -> Option<String>,
    ) -> Result<String, String> {
        let Some(text) = self.texts.get(key) else {
            let known: Vec<&str> = self.texts.keys().map(String::as_str).collect();
            let hint = did_you_mean(key, &known)
                .map(|k| format!(" (did you mean `{k}`?)"))
                .unwrap_or_default();
            return Err(format!(
                "no translation `{key}`{hint}: add it under [translations] in site.toml or to the theme's {THEME_FILE}"
            ));
        };
        let category = n.and_then(|n| self.plural_category(n));
        fill(text.form(category), |name| match (name, n) {
            ("n", Some(n)) => Some(number(n)),
            _ => value(name),
        })
        .map_err(|name| {
            format!("translation `{key}` uses {{{name}}}, but no value `{name}` was given for it")
        })
    }

    /// `dt` in the site's `date_format`, with month and day names in its language.
    pub fn date(&self, dt: &DateTime<FixedOffset>) -> String {
        dt.format_localized_with_items(self.date_items.iter(), self.locale)
            .to_string()
    }

    /// The chrono locale of the site's language (`fr_FR`), for `date(locale=…)` in templates.
    pub fn locale_name(&self) -> &str {
        &self.locale_name
    }

    /// Every key with its text as [`Strings::text`] gives it: the `t` object of templates.
    pub fn plain(&self) -> BTreeMap<&str, &str> {
        self.texts
            .iter()
            .map(|(k, t)| (k.as_str(), t.form(None)))
            .collect()
    }

    fn plural_category(&self, n: f64) -> Option<PluralCategory> {
        let rules = self.plurals.as_ref()?;
        match whole(n) {
            Some(i) => rules.select(i).ok(),
            None => rules.select(n).ok(),
        }
    }
}

/// `n` as an integer, when it is one (and small enough to be exact).
fn whole(n: f64) -> Option<i64> {
    (n.fract() == 0.0 && n.abs() < 1e15).then_some(n as i64)
}

/// A count as people write it: `3`, not `3.0`.
fn number(n: f64) -> String {
    whole(n).map_or_else(|| n.to_string(), |i| i.to_string())
}

/// `text` with each `{name}` replaced by `value(name)`; the first name without a value is the error.
fn fill(text: &str, value: impl Fn(&str) -> Option<String>) -> Result<String, String> {
    let mut out = String::with_capacity(text.len() + 16);
    for piece in pieces(text) {
        match piece {
            Piece::Text(t) => out.push_str(t),
            Piece::Name(name) => out.push_str(&value(name).ok_or_else(|| name.to_string())?),
        }
    }
    Ok(out)
}

/// A run of a translation's text, or the name of a placeholder in it.
#[derive(Debug, PartialEq)]
pub enum Piece<'a> {
    Text(&'a str),
    Name(&'a str),
}

/// `text` cut into runs of text and `{name}` placeholders (a name is letters, digits and `_`). A
/// brace not around a name (`{`, `{ x }`) is text.
pub fn pieces(text: &str) -> Vec<Piece<'_>> {
    let mut out = Vec::new();
    let (mut rest, mut text_from) = (text, 0);
    let mut at = 0;
    while let Some(open) = rest.find('{') {
        let after = &rest[open + 1..];
        let name_len = after
            .bytes()
            .take_while(|b| b.is_ascii_alphanumeric() || *b == b'_')
            .count();
        if name_len > 0 && after.as_bytes().get(name_len) == Some(&b'}') {
            let start = at + open;
            if start > text_from {
                out.push(Piece::Text(&text[text_from..start]));
            }
            out.push(Piece::Name(&after[..name_len]));
            at = start + name_len + 2;
            text_from = at;
        } else {
            at += open + 1;
        }
        rest = &text[at..];
    }
    if text_from < text.len() {
        out.push(Piece::Text(&text[text_from..]));
    }
    out
}

/// The theme's layer, or `None` when it has no translations file. A file that is not valid TOML is
/// an error at its line.
fn theme_layer(root: &Path, theme: &str, errors: &mut Vec<Diagnostic>) -> Option<Layer<'static>> {
    let dir = root.join("themes").join(theme);
    let (file, text) = if !theme.is_empty() && dir.is_dir() {
        let path = dir.join(THEME_FILE);
        let file = format!("themes/{theme}/{THEME_FILE}");
        match std::fs::read(&path) {
            Ok(bytes) => match String::from_utf8(bytes) {
                Ok(text) => (file, text),
                Err(_) => {
                    errors.push(Diagnostic::error(
                        file,
                        None,
                        "not valid UTF-8: save it as UTF-8",
                    ));
                    return None;
                }
            },
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return None,
            Err(e) => {
                errors.push(Diagnostic::error(
                    file,
                    None,
                    format!("could not read it: {e}"),
                ));
                return None;
            }
        }
    } else if theme == "default" {
        let bytes = crate::render::theme::embedded_files()
            .iter()
            .find(|(rel, _)| *rel == THEME_FILE)?
            .1;
        let file = format!("(built-in default theme)/{THEME_FILE}");
        (file, String::from_utf8_lossy(bytes).into_owned())
    } else {
        return None;
    };
    match toml::from_str(&text) {
        Ok(values) => Some(Layer {
            file: file.into(),
            text: text.into(),
            values,
        }),
        Err(e) => {
            let line = e.span().map(|s| line_of_offset(&text, s.start));
            let message = crate::error::readable(e.message().trim());
            errors.push(Diagnostic::error(
                file,
                line,
                format!("{message} (fix the TOML syntax)"),
            ));
            None
        }
    }
}

/// Add a layer's values over `texts`. With `unknown` given (the site's layer), a key no earlier
/// layer defines is a warning there.
fn add(
    texts: &mut BTreeMap<String, Text>,
    layer: Layer<'_>,
    errors: &mut Vec<Diagnostic>,
    unknown: Option<&Diagnostics>,
) {
    let known: Vec<String> = texts.keys().cloned().collect();
    // In the order of the file, so that its diagnostics read top to bottom.
    let mut values: Vec<_> = layer.values.into_iter().collect();
    values.sort_by_key(|(_, v)| v.span().start);
    for (key, value) in values {
        let line = line_of_offset(&layer.text, value.span().start);
        if let (Some(diags), false) = (unknown, texts.contains_key(&key)) {
            let known: Vec<&str> = known.iter().map(String::as_str).collect();
            let hint = did_you_mean(&key, &known)
                .map(|k| format!(" (did you mean `{k}`?)"))
                .unwrap_or_default();
            diags.warn(
                &*layer.file,
                Some(line),
                format!("translation `{key}` is not used by lanyard or the theme{hint}"),
            );
        }
        match text_of(value.into_inner()).and_then(|text| checked(&key, text)) {
            Ok(text) => {
                texts.insert(key, text);
            }
            Err(why) => errors.push(Diagnostic::error(
                &*layer.file,
                Some(line),
                format!("translation `{key}`: {why}"),
            )),
        }
    }
}

/// The placeholders lanyard fills in its own keys that have any; its other keys take none, and
/// `{n}` is required where it is what tells the pages apart.
const FILLED: &[(&str, &[&str])] = &[
    ("page_n", &["n"]),
    ("tag_title", &["tag"]),
    ("tag_page_title", &["tag", "n"]),
];

/// The placeholders of `key` if it is one of lanyard's own keys.
fn own_key_placeholders(key: &str) -> Option<&'static [&'static str]> {
    let own = BUILT_IN
        .lines()
        .any(|l| l.split_once(" = ").is_some_and(|(k, _)| k == key));
    own.then(|| {
        FILLED
            .iter()
            .find(|(k, _)| *k == key)
            .map_or(&[][..], |(_, p)| *p)
    })
}

/// Every form of `text` uses only the names in `filled`, and `{n}` when `filled` has it.
fn check_placeholders(text: &Text, filled: &[&str]) -> Result<(), String> {
    let forms: Vec<&str> = match text {
        Text::Plain(s) => vec![s.as_str()],
        Text::Plural(forms) => forms.iter().flatten().map(String::as_str).collect(),
    };
    let takes = if filled.is_empty() {
        "it takes none".to_string()
    } else {
        let names: Vec<String> = filled.iter().map(|n| format!("{{{n}}}")).collect();
        format!("it takes {}", names.join(" and "))
    };
    for form in forms {
        let names: Vec<&str> = pieces(form)
            .into_iter()
            .filter_map(|p| match p {
                Piece::Name(n) => Some(n),
                Piece::Text(_) => None,
            })
            .collect();
        if let Some(bad) = names.iter().find(|n| !filled.contains(n)) {
            return Err(format!(
                "`{form}` uses {{{bad}}}, which lanyard does not fill here: {takes}"
            ));
        }
        if filled.contains(&"n") && !names.contains(&"n") {
            return Err(format!(
                "`{form}` has no {{n}}: every page after the first would have the same title; write \
                 the number where it goes, e.g. \"Page {{n}}\""
            ));
        }
    }
    Ok(())
}

/// `text`, if it is fit for `key`: the date format must be one chrono can write (an unknown `%`
/// code would otherwise stop the build in the middle of writing a page), and lanyard's own keys use
/// only the placeholders lanyard fills.
fn checked(key: &str, text: Text) -> Result<Text, String> {
    if let Some(own) = own_key_placeholders(key) {
        check_placeholders(&text, own)?;
    }
    if key == "date_format" {
        let format = text.form(None);
        if date_items(format).is_err() {
            return Err(format!(
                "`{format}` is not a date format chrono can write: use strftime codes such as %B (month), %-d (day), %Y (year)"
            ));
        }
    }
    Ok(text)
}

/// A date format, parsed once for every date of the build.
fn date_items(format: &str) -> Result<Vec<Item<'static>>, chrono::format::ParseError> {
    StrftimeItems::new(format).parse_to_owned()
}

/// A TOML value's type with its article: "an integer", "a boolean".
fn a_type(value: &toml::Value) -> String {
    let t = value.type_str();
    let article = if t.starts_with(['a', 'e', 'i', 'o', 'u']) {
        "an"
    } else {
        "a"
    };
    format!("{article} {t}")
}

fn text_of(value: toml::Value) -> Result<Text, String> {
    let table = match value {
        toml::Value::String(s) => return Ok(Text::Plain(without_forbidden_owned(s))),
        toml::Value::Table(t) => t,
        other => {
            return Err(format!(
                "{} where a string or a table of plural forms belongs (write \"…\" or {{ one = \"…\", other = \"…\" }})",
                a_type(&other)
            ))
        }
    };
    let mut forms: [Option<String>; 6] = Default::default();
    for (form, value) in table {
        let Some(at) = FORMS.iter().position(|f| *f == form) else {
            return Err(format!(
                "unknown plural form `{form}`: the forms are {}",
                FORMS.join(", ")
            ));
        };
        match value {
            toml::Value::String(s) => forms[at] = Some(without_forbidden_owned(s)),
            other => return Err(format!("form `{form}` is {}, not a string", a_type(&other))),
        }
    }
    if forms[5].is_none() {
        return Err("a table of plural forms needs `other`, the form for any count".into());
    }
    Ok(Text::Plural(forms))
}

/// The CLDR cardinal rules of `language`, if it parses and CLDR knows it.
/// `language` written as a BCP 47 tag is written (`en_us` → `en-US`), or `None` if it is not one.
/// Extensions (`-u-co-phonebk`) and private use (`-x-…`) are kept, lowercased, after the part that
/// names the language, script and region.
pub fn language_tag(language: &str) -> Option<String> {
    let (base, extensions) = split_extensions(language);
    let id: LanguageIdentifier = base.parse().ok()?;
    match extensions {
        None => Some(id.to_string()),
        Some(ext) => {
            let subtags: Vec<&str> = ext.split(['-', '_']).collect();
            let valid = subtags.len() >= 2
                && subtags.iter().all(|t| {
                    (1..=8).contains(&t.len()) && t.bytes().all(|b| b.is_ascii_alphanumeric())
                });
            valid.then(|| format!("{id}-{}", subtags.join("-").to_ascii_lowercase()))
        }
    }
}

/// A tag cut before its first singleton subtag (`u`, `t`, `x`…): `("de-DE", Some("u-co-phonebk"))`.
fn split_extensions(language: &str) -> (&str, Option<&str>) {
    let mut at = 0;
    for (i, subtag) in language.split(['-', '_']).enumerate() {
        if i > 0 && subtag.len() == 1 {
            return (&language[..at - 1], Some(&language[at..]));
        }
        at += subtag.len() + 1;
    }
    (language, None)
}

/// The script subtag of a tag, if it has one: `Latn` of `sr-Latn-RS`.
fn script_of(language: &str) -> Option<&str> {
    split_extensions(language)
        .0
        .split(['-', '_'])
        .nth(1)
        .filter(|s| s.len() == 4 && s.bytes().all(|b| b.is_ascii_alphabetic()))
}

/// The CLDR cardinal rules of `language` (or of its primary language: `pt-BR` may be unknown where
/// `pt` is known), or `None` if CLDR has none.
fn own_plural_rules(language: &str) -> Option<PluralRules> {
    let id: LanguageIdentifier = split_extensions(language).0.parse().ok()?;
    PluralRules::create(id.clone(), PluralRuleType::CARDINAL)
        .ok()
        .or_else(|| {
            let primary: LanguageIdentifier = id.language.as_str().parse().ok()?;
            PluralRules::create(primary, PluralRuleType::CARDINAL).ok()
        })
}

/// The plural rules counts follow: the language's, else English's (`one` for 1, `other` for the
/// rest), which reads better than `other` for every count ("1 comments").
fn plural_rules(language: &str) -> Option<PluralRules> {
    own_plural_rules(language).or_else(|| own_plural_rules("en"))
}

/// Whether CLDR has plural rules for `language` (else counts follow English's, with a warning).
pub fn has_plural_rules(language: &str) -> bool {
    own_plural_rules(language).is_some()
}

/// Countries whose locale stands for a language whose code is not also a country's (`en` → `en_US`).
const MAIN_COUNTRY: &[(&str, &str)] = &[
    ("ar", "EG"),
    ("be", "BY"),
    ("bn", "BD"),
    ("ca", "ES"),
    ("cs", "CZ"),
    ("cy", "GB"),
    ("da", "DK"),
    ("el", "GR"),
    ("en", "US"),
    ("et", "EE"),
    ("eu", "ES"),
    ("fa", "IR"),
    ("ga", "IE"),
    ("gl", "ES"),
    ("he", "IL"),
    ("hi", "IN"),
    ("hy", "AM"),
    ("ja", "JP"),
    ("ka", "GE"),
    ("kk", "KZ"),
    ("ko", "KR"),
    ("ms", "MY"),
    ("nb", "NO"),
    ("nn", "NO"),
    ("no", "NO"),
    ("sl", "SI"),
    ("sq", "AL"),
    ("sr", "RS"),
    ("sv", "SE"),
    ("uk", "UA"),
    ("ur", "PK"),
    ("vi", "VN"),
    ("zh", "CN"),
];

/// The chrono locale for `language` and its name: the tag itself (`pt-BR` → `pt_BR`), else the
/// language in its main country (`fr` → `fr_FR`, `en` → `en_US`), else English month names.
/// A script subtag picks chrono's variant for it (`sr-Latn` → `sr_RS@latin`), and a language
/// without a main country here is looked for in every country (`fil` → `fil_PH`).
fn locale_of(language: &str) -> (Locale, String) {
    let base = split_extensions(language).0;
    let mut parts = base.split(['-', '_']).skip(1);
    let primary = primary(language).to_ascii_lowercase();
    let region = parts
        .find(|p| p.len() == 2 && p.bytes().all(|b| b.is_ascii_alphabetic()))
        .map(|r| r.to_ascii_uppercase());
    let nb = if primary == "no" {
        "nb"
    } else {
        primary.as_str()
    };
    let main = MAIN_COUNTRY
        .iter()
        .find(|(l, _)| *l == primary)
        .map_or_else(|| primary.to_ascii_uppercase(), |(_, c)| c.to_string());
    let variant = match script_of(language).map(str::to_ascii_lowercase).as_deref() {
        Some("latn") => "@latin",
        Some("cyrl") => "@cyrillic",
        _ => "",
    };
    let countries = (b'A'..=b'Z')
        .flat_map(|a| (b'A'..=b'Z').map(move |b| String::from_utf8_lossy(&[a, b]).into_owned()));
    let named = region
        .into_iter()
        .chain([main])
        .flat_map(|c| [format!("{nb}_{c}{variant}"), format!("{nb}_{c}")]);
    let anywhere = countries.flat_map(|c| [format!("{nb}_{c}{variant}"), format!("{nb}_{c}")]);
    named
        .chain(anywhere)
        .find_map(|name| Some((Locale::try_from(name.as_str()).ok()?, name)))
        .unwrap_or((Locale::en_US, "en_US".into()))
}

/// `"rtl"` for a language written from right to left (its primary subtag: `he`, `ar-EG`), else
/// `"ltr"`: browsers do not infer the direction from `lang`, so a theme sets `dir` from this.
pub fn direction_of(language: &str) -> &'static str {
    const RTL: [&str; 17] = [
        "ar", "arc", "ckb", "dv", "fa", "he", "iw", "khw", "ks", "nqo", "ps", "sd", "syr", "ug",
        "ur", "yi", "ji",
    ];
    /// Scripts written from right to left: a script subtag says more than the language does
    /// (`az-Arab` is right to left, `he-Latn` left to right).
    const RTL_SCRIPTS: [&str; 10] = [
        "adlm", "arab", "aran", "hebr", "mand", "nkoo", "rohg", "samr", "syrc", "thaa",
    ];
    let rtl = match script_of(language) {
        Some(script) => RTL_SCRIPTS.iter().any(|s| s.eq_ignore_ascii_case(script)),
        None => RTL
            .iter()
            .any(|l| l.eq_ignore_ascii_case(primary(language))),
    };
    if rtl {
        "rtl"
    } else {
        "ltr"
    }
}

/// Whether chrono has month names for `language` (else dates are written with English names).
pub fn has_locale(language: &str) -> bool {
    primary(language).eq_ignore_ascii_case("en") || locale_of(language).1 != "en_US"
}

/// The language subtag of a tag: `pt` of `pt-BR` (or of `pt_BR`, as locales write it).
fn primary(language: &str) -> &str {
    language.split(['-', '_']).next().unwrap_or_default()
}

/// The `trans` template function: `trans(key="comments", n=post.comment_count)` is the translation
/// of `key` with the plural form for `n` and `{n}` filled; any other argument fills the placeholder
/// of its name (`trans(key="part_of", part=3, total=12)`).
pub fn trans_function(strings: std::sync::Arc<Strings>) -> impl tera::Function {
    move |args: &std::collections::HashMap<String, tera::Value>| {
        let key = match args.get("key") {
            Some(tera::Value::String(k)) => k.as_str(),
            _ => {
                return Err(tera::Error::msg(
                    "`trans` needs `key`, a string: trans(key=\"…\")",
                ))
            }
        };
        let n = match args.get("n") {
            None => None,
            Some(v) => Some(v.as_f64().ok_or_else(|| {
                tera::Error::msg(format!("`trans(key=\"{key}\")`: `n` must be a number"))
            })?),
        };
        let value = |name: &str| args.get(name).and_then(placeholder);
        strings
            .format(key, n, &value)
            .map(tera::Value::String)
            .map_err(tera::Error::msg)
    }
}

/// A template value as it fills a placeholder: strings as they are, numbers and booleans as text.
fn placeholder(value: &tera::Value) -> Option<String> {
    match value {
        tera::Value::String(s) => Some(s.clone()),
        tera::Value::Number(n) => Some(n.as_f64().map_or_else(|| n.to_string(), number)),
        tera::Value::Bool(b) => Some(b.to_string()),
        tera::Value::Null => Some(String::new()),
        _ => None,
    }
}

#[cfg(test)]
mod tests;
