use super::*;

fn site(language: &str, toml_text: &str) -> (Strings, Vec<Diagnostic>, Vec<Diagnostic>) {
    #[derive(serde::Deserialize)]
    struct Raw {
        translations: Option<BTreeMap<String, Spanned<toml::Value>>>,
    }
    let raw: Raw = toml::from_str(toml_text).unwrap();
    let (mut errors, diags) = (Vec::new(), Diagnostics::new());
    let s = Strings::load(
        Path::new("/nonexistent"),
        "default",
        language,
        raw.translations,
        toml_text,
        &mut errors,
        &diags,
    );
    (s, errors, diags.take())
}

fn none(_: &str) -> Option<String> {
    None
}

#[test]
fn english_defaults_come_from_lanyard_and_the_built_in_theme() {
    let (s, errors, warnings) = site("en", "");
    assert!(errors.is_empty() && warnings.is_empty());
    assert_eq!(s.text("tags"), "Tags");
    assert_eq!(s.format("comments", Some(1.0), &none).unwrap(), "1 comment");
    assert_eq!(
        s.format("comments", Some(3.0), &none).unwrap(),
        "3 comments"
    );
    assert_eq!(s.locale_name(), "en_US");
}

#[test]
fn plural_forms_follow_the_rules_of_the_language() {
    let text = "[translations]\ncomments = { one = \"{n} komentarz\", few = \"{n} komentarze\", many = \"{n} komentarzy\", other = \"{n} komentarza\" }\n";
    let (s, errors, warnings) = site("pl", text);
    assert!(
        errors.is_empty() && warnings.is_empty(),
        "{errors:?} {warnings:?}"
    );
    let say = |n: f64| s.format("comments", Some(n), &none).unwrap();
    assert_eq!(say(1.0), "1 komentarz");
    assert_eq!(say(3.0), "3 komentarze");
    assert_eq!(say(5.0), "5 komentarzy");
    assert_eq!(say(22.0), "22 komentarze");
    assert_eq!(say(1.5), "1.5 komentarza");
}

#[test]
fn placeholders_are_filled_by_name_and_a_missing_one_is_named() {
    let (s, _, _) = site("en", "[translations]\ntag_title = \"Posts about {tag}\"\n");
    let tag = |name: &str| (name == "tag").then(|| "coffee".to_string());
    assert_eq!(
        s.format("tag_title", None, &tag).unwrap(),
        "Posts about coffee"
    );
    let err = s.format("tag_title", None, &none).unwrap_err();
    assert!(err.contains("uses {tag}"), "{err}");
    assert_eq!(fill("a {b c} {} {", none).unwrap(), "a {b c} {} {");
    assert_eq!(
        pieces("{n} of {total}!{x"),
        [
            Piece::Name("n"),
            Piece::Text(" of "),
            Piece::Name("total"),
            Piece::Text("!{x")
        ]
    );
}

#[test]
fn unknown_keys_warn_at_their_line_with_the_nearest_known_key() {
    let (_, errors, warnings) = site(
        "en",
        "title = \"x\"\n[translations]\nrelated_readin = \"Read next\"\n",
    );
    assert!(errors.is_empty());
    assert_eq!(warnings.len(), 1);
    assert_eq!(warnings[0].place(), "site.toml:3");
    assert!(
        warnings[0]
            .message
            .contains("did you mean `related_reading`"),
        "{}",
        warnings[0].message
    );
}

#[test]
fn values_of_the_wrong_shape_are_errors_at_their_line() {
    let text = "[translations]\ntags = 3\ncomments = { one = \"x\" }\nnewer = { some = \"x\", other = \"y\" }\n";
    let (s, errors, _) = site("en", text);
    let places: Vec<String> = errors.iter().map(|e| e.place()).collect();
    assert_eq!(places, ["site.toml:2", "site.toml:3", "site.toml:4"]);
    assert!(errors[1].message.contains("needs `other`"));
    assert!(errors[2].message.contains("unknown plural form `some`"));
    assert_eq!(
        s.text("tags"),
        "Tags",
        "a bad value leaves the one below it"
    );
}

#[test]
fn an_unknown_key_in_a_template_suggests_the_nearest() {
    let (s, _, _) = site("en", "");
    let err = s.format("related_redaing", None, &none).unwrap_err();
    assert!(err.contains("did you mean `related_reading`"), "{err}");
}

#[test]
fn dates_use_the_format_and_the_month_names_of_the_language() {
    let dt = DateTime::parse_from_rfc3339("2007-07-31T09:00:00+00:00").unwrap();
    assert_eq!(site("en", "").0.date(&dt), "July 31, 2007");
    let (fr, _, _) = site("fr", "[translations]\ndate_format = \"%-d %B %Y\"\n");
    assert_eq!(fr.date(&dt), "31 juillet 2007");
    assert_eq!(fr.locale_name(), "fr_FR");
    assert_eq!(locale_of("pt-BR").1, "pt_BR");
    assert_eq!(locale_of("de").1, "de_DE");
    assert_eq!(locale_of("ja").1, "ja_JP");
    assert_eq!(locale_of("xx").1, "en_US");
    assert!(!has_locale("xx") && has_locale("en-GB") && has_locale("sv"));
}

#[test]
fn a_date_format_chrono_cannot_write_is_an_error_at_its_line() {
    let (s, errors, _) = site("en", "[translations]\n\ndate_format = \"%Q %Y\"\n");
    assert_eq!(errors.len(), 1);
    assert_eq!(errors[0].place(), "site.toml:3");
    assert!(
        errors[0].message.contains("not a date format"),
        "{}",
        errors[0].message
    );
    let dt = DateTime::parse_from_rfc3339("2007-07-31T09:00:00+00:00").unwrap();
    assert_eq!(s.date(&dt), "July 31, 2007", "the format below it stays");
}

#[test]
fn lanyards_own_keys_take_only_the_placeholders_it_fills() {
    let text = "[translations]\npage_n = \"Seite\"\nmoved_to = \"{n} {url}\"\ntag_title = \"Tag {tag}\"\ntag_page_title = { one = \"{tag} {n}\", other = \"{tag}, {page}\" }\ntags = \"{n} a {x}\"\n";
    let (s, errors, _) = site("de", text);
    let found: Vec<String> = errors
        .iter()
        .map(|e| format!("{}: {}", e.place(), e.message))
        .collect();
    assert_eq!(found.len(), 4, "{found:#?}");
    assert!(found[0].starts_with("site.toml:2: translation `page_n`: `Seite` has no {n}"));
    assert!(found[1].starts_with(
        "site.toml:3: translation `moved_to`: `{n} {url}` uses {n}, which lanyard does not fill here: it takes none"
    ));
    assert!(
        found[2].contains("uses {page}, which lanyard does not fill here: it takes {tag} and {n}")
    );
    assert!(found[3].starts_with("site.toml:6:"));
    assert_eq!(s.text("tag_title"), "Tag {tag}");
    assert_eq!(
        s.text("page_n"),
        "Page {n}",
        "a bad value leaves the one below it"
    );
}

#[test]
fn three_letter_languages_and_scripts_find_their_month_names() {
    assert_eq!(locale_of("fil").1, "fil_PH");
    assert_eq!(locale_of("ast").1, "ast_ES");
    assert_eq!(locale_of("sr").1, "sr_RS");
    assert_eq!(locale_of("sr-Latn").1, "sr_RS@latin");
    assert_eq!(locale_of("sr-Latn-RS").1, "sr_RS@latin");
    assert_eq!(locale_of("de-DE-u-co-phonebk").1, "de_DE");
    let dt = DateTime::parse_from_rfc3339("2024-01-05T09:00:00+00:00").unwrap();
    let (fil, _, _) = site("fil", "[translations]\ndate_format = \"%B\"\n");
    assert_eq!(fil.date(&dt), "Enero");
}

#[test]
fn a_script_subtag_decides_the_direction() {
    assert_eq!(direction_of("az-Arab"), "rtl");
    assert_eq!(direction_of("ku-Arab-IQ"), "rtl");
    assert_eq!(direction_of("he-Latn"), "ltr");
    assert_eq!(direction_of("he"), "rtl");
    assert_eq!(direction_of("az"), "ltr");
}

#[test]
fn extensions_and_private_use_are_kept_in_the_tag() {
    assert_eq!(
        language_tag("de_de-U-CO-phonebk").as_deref(),
        Some("de-DE-u-co-phonebk")
    );
    assert_eq!(language_tag("en-x-house").as_deref(), Some("en-x-house"));
    assert_eq!(language_tag("en-x").as_deref(), None);
    assert_eq!(language_tag("en-u-toolongsubtag").as_deref(), None);
}

#[test]
fn a_language_without_plural_rules_counts_as_english_does() {
    assert!(!has_plural_rules("tlh") && has_plural_rules("pl") && has_plural_rules("pt-BR"));
    let (tlh, _, _) = site("tlh", "");
    assert_eq!(
        tlh.format("comments", Some(1.0), &none).unwrap(),
        "1 comment"
    );
    assert_eq!(
        tlh.format("comments", Some(2.0), &none).unwrap(),
        "2 comments"
    );
}
