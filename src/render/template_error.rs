//! Where in which template a Tera error happened.
//!
//! Why: Tera's render errors carry no line, and the template they name is often not the one at fault:
//! an error inside an included template or a macro is reported against the page being rendered, an
//! unknown filter names no template at all. An author needs `file:line`, so the error chain is read
//! for the innermost template it names, and that template's text is searched for the construct the
//! message describes, preferring the uses that can fail (a missing variable inside `{% if %}` is just
//! false). Everything here is a heuristic over text: it never panics, and when it finds nothing
//! better it falls back to the first mention.

/// Every message in a Tera error's chain, outermost first: the outer ones say which template was being
/// rendered, the innermost what failed.
pub(super) fn error_chain(err: &tera::Error) -> Vec<String> {
    let mut chain = vec![err.to_string()];
    let mut source = std::error::Error::source(err);
    while let Some(s) = source {
        chain.push(s.to_string());
        source = s.source();
    }
    chain
}

/// The text between the first `open` in `msg` and the next `close` after it.
pub(super) fn between<'a>(msg: &'a str, open: &str, close: &str) -> Option<&'a str> {
    let start = msg.find(open)? + open.len();
    let end = msg[start..].find(close)? + start;
    Some(&msg[start..end])
}

/// The first `'name'` in a Tera message ("Failed to render 'post.html'").
pub(super) fn quoted_name(msg: &str) -> Option<String> {
    between(msg, "'", "'").map(String::from)
}

/// Tera's parse errors carry ` --> LINE:COL`.
fn parse_error_line(detail: &str) -> Option<usize> {
    let at = detail.find("--> ")? + 4;
    detail[at..].split(':').next()?.trim().parse().ok()
}

/// The line of a failure in a template's text, from the most specific clue in the error chain down to
/// the first mention of whatever the innermost message names in backticks.
pub(super) fn error_line(chain: &[String], text: &str) -> Option<usize> {
    let detail = chain.last()?;
    parse_error_line(detail)
        .or_else(|| translation_line(detail, text))
        .or_else(|| variable_line(detail, text))
        .or_else(|| filter_arg_line(detail, text))
        .or_else(|| chain.iter().rev().find_map(|m| construct_line(m, text)))
        .or_else(|| find_mentioned_line(detail, text))
}

/// A translation that failed (an unknown key, a placeholder without a value) is named by its key:
/// the first `t.<key>`, or `trans(key="<key>", …)`, that is in a tag. (An unknown `t.<key>` fails
/// as the call `trans(key="<key>")` it was folded into, so the line of the first `trans(` would be
/// another print's.)
fn translation_line(detail: &str, text: &str) -> Option<usize> {
    let key = between(detail, "no translation `", "`")
        .or_else(|| between(detail, "translation `", "` uses"))?;
    let dotted = format!("t.{key}");
    let prints: Vec<usize> = name_uses(text, &dotted).collect();
    let calls = ['"', '\''].into_iter().flat_map(|q| {
        let quoted = format!("{q}{key}{q}");
        let found: Vec<usize> = text
            .match_indices(&quoted)
            .map(|(at, _)| at)
            .filter(|&at| {
                let before = text[..at].trim_end();
                before
                    .strip_suffix('=')
                    .is_some_and(|b| b.trim_end().ends_with("key"))
            })
            .collect();
        found
    });
    let in_tag = |&at: &usize| enclosing_tag(text, at).is_some();
    best_line(
        text,
        prints
            .into_iter()
            .chain(calls)
            .filter(in_tag)
            .map(|at| (0, at)),
    )
}

/// Render errors name a variable or filter in backticks; its first line in the template is the best guess.
fn find_mentioned_line(detail: &str, text: &str) -> Option<usize> {
    let needle = between(detail, "`", "`")?;
    if needle.is_empty() {
        return None;
    }
    text.lines().position(|l| l.contains(needle)).map(|i| i + 1)
}

/// The 1-based line of byte offset `at`.
fn line_at(text: &str, at: usize) -> usize {
    text[..at].matches('\n').count() + 1
}

/// The line of the candidate with the lowest rank, the first such in the text on a tie.
fn best_line(text: &str, candidates: impl Iterator<Item = (u8, usize)>) -> Option<usize> {
    candidates.min().map(|(_, at)| line_at(text, at))
}

/// Whether `c` can continue a name or a dotted path, so that `title` is not found inside `subtitle`
/// or `post.title`.
fn is_name_char(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

/// The byte offsets where `name` stands as a whole name: not inside a longer name or after a `.`.
fn name_uses<'a>(text: &'a str, name: &'a str) -> impl Iterator<Item = usize> + 'a {
    text.match_indices(name)
        .map(|(at, _)| at)
        .filter(move |&at| {
            let before = text[..at].chars().next_back();
            let after = text[at + name.len()..].chars().next();
            !name.is_empty()
                && !before.is_some_and(|c| is_name_char(c) || c == '.')
                && !after.is_some_and(is_name_char)
        })
}

/// A `{{ … }}` or `{% … %}` tag around a byte offset.
struct Tag<'a> {
    /// `{%` rather than `{{`.
    statement: bool,
    /// The first word inside (`if`, `include`, `set`, or the start of an expression).
    head: &'a str,
    /// The tag's text from the offset to its closing `}}` / `%}` (or the end of the template).
    rest: &'a str,
}

/// The tag that byte offset `at` lies in, if it lies in one: the last `{{` or `{%` before it, when
/// that is not closed before `at`. Text outside tags (and in `{# … #}` comments) is never evaluated.
fn enclosing_tag(text: &str, at: usize) -> Option<Tag<'_>> {
    let before = &text[..at];
    let (start, close) = match (before.rfind("{{"), before.rfind("{%")) {
        (Some(v), Some(s)) if s > v => (s, "%}"),
        (Some(v), _) => (v, "}}"),
        (None, Some(s)) => (s, "%}"),
        (None, None) => return None,
    };
    if before[start..].contains(close) {
        return None;
    }
    let inside = text[start + 2..].trim_start_matches(['-', ' ', '\t', '\r', '\n']);
    let head_len = inside
        .find(|c: char| !is_name_char(c))
        .unwrap_or(inside.len());
    let end = text[at..].find(close).map_or(text.len(), |e| at + e);
    Some(Tag {
        statement: close == "%}",
        head: &inside[..head_len],
        rest: &text[at..end],
    })
}

/// The line of a missing variable: Tera reports the same name wherever it is used, but an undefined
/// value is only an error where it is printed, filtered, looped over or assigned, not as the test of
/// an `{% if %}` / `{% elif %}`, in `is defined` or before `| default(…)`.
fn variable_line(detail: &str, text: &str) -> Option<usize> {
    let name = between(detail, "Variable `", "` not found")?;
    let ranked = name_uses(text, name).map(|at| (u8::from(!can_fail_at(text, at, name)), at));
    best_line(text, ranked).or_else(|| find_mentioned_line(detail, text))
}

/// Whether an undefined `name` at byte offset `at` fails the render.
fn can_fail_at(text: &str, at: usize, name: &str) -> bool {
    let Some(tag) = enclosing_tag(text, at) else {
        return false;
    };
    let after = tag.rest[name.len().min(tag.rest.len())..].trim_start();
    let guarded = [
        "is defined",
        "is not defined",
        "is undefined",
        "is not undefined",
    ]
    .iter()
    .any(|g| after.starts_with(g))
        || after.replace(char::is_whitespace, "").contains("|default(");
    if guarded {
        return false;
    }
    if tag.statement && matches!(tag.head, "if" | "elif") {
        // A bare value in a condition is just false; a comparison with it still fails.
        let before = text[..at].trim_end();
        return ["==", "!=", "<", ">", "<=", ">="]
            .iter()
            .any(|op| after.starts_with(op) || before.ends_with(op));
    }
    true
}

/// The byte offsets where filter `name` is applied: `| name` or `{% filter name %}`.
fn filter_uses<'a>(text: &'a str, name: &'a str) -> impl Iterator<Item = usize> + 'a {
    name_uses(text, name).filter(move |&at| {
        let before = text[..at].trim_end();
        before.ends_with('|')
            || before
                .strip_suffix("filter")
                .is_some_and(|b| b.trim_end().ends_with("{%") || b.trim_end().ends_with("{%-"))
    })
}

/// The line of a filter that was given a bad argument: of the uses of that filter, the one whose
/// arguments show the value the message quotes (`truncate(length="x")` for got `"x"`), or that lacks
/// the argument the message says is missing.
fn filter_arg_line(detail: &str, text: &str) -> Option<usize> {
    let filter = between(detail, "Filter `", "`")?;
    let matches_args: Box<dyn Fn(&str) -> bool> = if let Some(arg) =
        between(detail, "expected an arg called `", "`")
    {
        let arg = format!("{arg}=");
        Box::new(move |args| !args.contains(&arg))
    } else {
        let arg = between(detail, "arg `", "`")?;
        let got = between(detail, "got `", "` but").or_else(|| between(detail, "got `", "`,"))?;
        let spellings = value_spellings(got);
        let arg = format!("{arg}=");
        Box::new(move |args| {
            args.match_indices(&arg).any(|(i, _)| {
                spellings
                    .iter()
                    .any(|s| args[i + arg.len()..].starts_with(s))
            })
        })
    };
    let ranked = filter_uses(text, filter).map(|at| {
        let args: String = enclosing_tag(text, at)
            .map(|t| t.rest)
            .unwrap_or_default()
            .chars()
            .filter(|c| !c.is_whitespace())
            .collect();
        (u8::from(!matches_args(&args)), at)
    });
    best_line(text, ranked)
}

/// The ways a template can spell the value Tera prints: a JSON string `"x"` may be written `"x"`,
/// `'x'` or `` `x` ``; spaces removed, as they are from the arguments compared with.
fn value_spellings(got: &str) -> Vec<String> {
    let got: String = got.chars().filter(|c| !c.is_whitespace()).collect();
    match got.strip_prefix('"').and_then(|g| g.strip_suffix('"')) {
        Some(inner) => vec![got.clone(), format!("'{inner}'"), format!("`{inner}`")],
        None => vec![got],
    }
}

/// The line of a construct that a message names in quotes but with no line: an unknown filter,
/// function or test, a failing function call (`throw`), an include, `extends` parent or macro file
/// that does not exist.
fn construct_line(msg: &str, text: &str) -> Option<usize> {
    let first = |rank| move |at| (rank, at);
    if let Some(name) = between(msg, "Filter '", "' not found")
        .or_else(|| between(msg, "Filter call '", "' failed"))
    {
        return best_line(text, filter_uses(text, name).map(first(0)));
    }
    if let Some(name) = between(msg, "Function '", "' not found")
        .or_else(|| between(msg, "Function call '", "' failed"))
    {
        let calls = name_uses(text, name)
            .filter(|&at| text[at + name.len()..].trim_start().starts_with('('));
        return best_line(text, calls.map(first(0)));
    }
    if let Some(name) =
        between(msg, "Test '", "' not found").or_else(|| between(msg, "Test call '", "' failed"))
    {
        let tests = name_uses(text, name).filter(|&at| {
            let before = text[..at].trim_end();
            before.ends_with(" is") || before.ends_with(" not")
        });
        return best_line(text, tests.map(first(0)));
    }
    let (keyword, target) = if let Some(list) = between(msg, "Template '[", "]' not found") {
        ("include", list.split(',').next().unwrap_or_default().trim())
    } else if let Some(parent) = between(msg, "is inheriting from '", "'") {
        ("extends", parent)
    } else {
        ("import", between(msg, "loads macros from `", "`")?)
    };
    tag_argument_line(text, keyword, target)
}

/// The line of the `{% keyword … %}` tag that names template `target` in quotes.
fn tag_argument_line(text: &str, keyword: &str, target: &str) -> Option<usize> {
    let uses = ['"', '\''].into_iter().flat_map(|q| {
        let quoted = format!("{q}{target}{q}");
        text.match_indices(&quoted)
            .map(|(at, _)| at)
            .filter(|&at| enclosing_tag(text, at).is_some_and(|t| t.statement && t.head == keyword))
            .collect::<Vec<_>>()
    });
    best_line(text, uses.map(|at| (0, at)))
}

/// The quoted template names of every `{% include %}`, `{% import %}` and `{% extends %}` in `text`,
/// in order: where to look for a failure that Tera reports against the including template.
pub(super) fn referenced_templates(text: &str) -> Vec<String> {
    statements(text)
        .filter(|(head, _)| matches!(*head, "include" | "import" | "extends"))
        .flat_map(|(_, body)| quoted_strings(body))
        .collect()
}

/// Every `{% … %}` tag of `text` as (first word, text inside the delimiters).
fn statements(text: &str) -> impl Iterator<Item = (&str, &str)> {
    text.split("{%").skip(1).map(|tag| {
        let body = tag.split("%}").next().unwrap_or_default();
        let inside = body.trim_start_matches(['-', ' ', '\t', '\r', '\n']);
        let head_len = inside
            .find(|c: char| !is_name_char(c))
            .unwrap_or(inside.len());
        (&inside[..head_len], body)
    })
}

/// The contents of every `"…"` or `'…'` string in `body`.
fn quoted_strings(body: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = body;
    while let Some(start) = rest.find(['"', '\'']) {
        let quote = &rest[start..start + 1];
        let after = &rest[start + 1..];
        let Some(end) = after.find(quote) else {
            break;
        };
        out.push(after[..end].to_string());
        rest = &after[end + 1..];
    }
    out
}

/// The template imported `as ns` in `text` (`{% import "macros.html" as ns %}`).
pub(super) fn import_target(text: &str, ns: &str) -> Option<String> {
    statements(text)
        .filter(|(head, _)| *head == "import")
        .find(|(_, body)| {
            let body = body.trim_end_matches(['-', ' ', '\t', '\r', '\n']);
            body.strip_suffix(ns)
                .is_some_and(|b| b.trim_end().ends_with(" as"))
        })
        .and_then(|(_, body)| quoted_strings(body).into_iter().next())
}

#[cfg(test)]
mod tests {
    use super::{error_line, import_target, referenced_templates};

    /// The line `error_line` finds for a one-message chain.
    fn line(msg: &str, text: &str) -> Option<usize> {
        error_line(&[msg.to_string()], text)
    }

    #[test]
    fn a_failed_translation_is_found_by_its_key() {
        let text =
            "{{ t.tags }}\n{{ t.nokey }}\n\n{{ trans(key=\"in_reply_to\", name=page.title) }}\n";
        assert_eq!(line("no translation `nokey`: add it", text), Some(2));
        let text = "{# t.nokey #}\n{{ trans(key = 'nokey') }}";
        assert_eq!(line("no translation `nokey`: add it", text), Some(2));
        let text = "{{ trans(key=\"part\") }}\n{{ trans(key=\"part_of\", n=1) }}";
        assert_eq!(
            line("translation `part_of` uses {total}, but no value", text),
            Some(2)
        );
    }

    #[test]
    fn a_missing_variable_is_found_where_it_can_fail() {
        let msg = "Variable `post.extra.nope` not found in context while rendering 'post.html'";
        let t = "{% if post.extra.nope %}x{% endif %}\nok\n{{ post.extra.nope }}";
        assert_eq!(line(msg, t), Some(3));
        let t = "{{ post.extra.nope | default(value=1) }}\n{{ post.extra.nope is defined }}\n{% set a = post.extra.nope %}";
        assert_eq!(line(msg, t), Some(3));
        let t = "{% if post.extra.nope %}{% elif post.extra.nope %}{% endif %}\n{% for a in post.extra.nope %}{% endfor %}";
        assert_eq!(line(msg, t), Some(2));
        // A comparison in a condition does fail; a longer name is another variable.
        assert_eq!(
            line(
                msg,
                "{{ post.extra.nopes }}\n{% if post.extra.nope == 1 %}{% endif %}"
            ),
            Some(2)
        );
        // Only safe mentions: the first, as before.
        assert_eq!(line(msg, "a\n{% if post.extra.nope %}{% endif %}"), Some(2));
    }

    #[test]
    fn a_filter_with_a_bad_argument_is_found_by_the_value_shown() {
        let msg = "Filter `truncate` received an incorrect type for arg `length`: got `\"x\"` but expected a usize";
        let t = "{{ post.title | truncate(length=3) }}\nok\n{{ post.title | truncate( length = 'x' ) }}";
        assert_eq!(line(msg, t), Some(3));
        let msg = "Filter `replace` expected an arg called `to`";
        assert_eq!(
            line(
                msg,
                "{{ a | replace(from=\"a\", to=\"b\") }}\n{{ a|replace(from=\"a\") }}"
            ),
            Some(2)
        );
    }

    #[test]
    fn constructs_named_without_a_line_are_found() {
        assert_eq!(
            line(
                "Filter 'nofilt' not found",
                "nofilt\n{{ a.nofilt }}\n{{ a |nofilt }}"
            ),
            Some(3)
        );
        assert_eq!(
            line(
                "Filter 'nofilt' not found",
                "x\n{%- filter nofilt %}a{% endfilter %}"
            ),
            Some(2)
        );
        assert_eq!(
            line("Function 'nofn' not found", "nofn\n{{ nofn () }}"),
            Some(2)
        );
        assert_eq!(
            line(
                "Function call 'throw' failed",
                "a\n{{ throw(message=\"boom\") }}"
            ),
            Some(2)
        );
        assert_eq!(
            line(
                "Template '[a.html, b.html]' not found",
                "\"a.html\"\n{% include [\"a.html\", \"b.html\"] %}"
            ),
            Some(2)
        );
        let msg = "Template 'post.html' is inheriting from 'nosuch.html', which doesn't exist or isn't loaded.";
        assert_eq!(line(msg, "{# c #}\n{% extends 'nosuch.html' %}"), Some(2));
        let msg = "Template `post.html` loads macros from `m.html` which isn't present in Tera";
        assert_eq!(line(msg, "\n\n{% import \"m.html\" as m %}"), Some(3));
        assert_eq!(line("Filter 'nofilt' not found", "{{ a | other }}"), None);
    }

    #[test]
    fn includes_and_imports_are_read_from_the_text() {
        let t = "{% extends \"base.html\" %}{% import 'mac.html' as m -%}\n{%- include [\"a.html\", \"b.html\"] ignore missing %}{% if x %}'q'{% endif %}";
        assert_eq!(
            referenced_templates(t),
            ["base.html", "mac.html", "a.html", "b.html"]
        );
        assert_eq!(import_target(t, "m").as_deref(), Some("mac.html"));
        assert_eq!(import_target(t, "n"), None);
    }

    proptest::proptest! {
        /// The searches slice the template text at byte offsets: any text, with tags, quotes and
        /// non-ASCII characters, and any names in the messages, must give a line or none, never panic.
        #[test]
        fn error_line_never_panics(
            text in "([{}%|#'\"=()a-z. \né€-]|is defined|default\\(|if |include |import | as m){0,40}",
            name in "[a-zé.'`\\[\\] -]{0,6}",
            form in 0usize..12,
        ) {
            let msg = match form {
                0 => format!("Variable `{name}` not found in context while rendering 'p'"),
                1 => format!("Filter `{name}` received an incorrect type for arg `{name}`: got `\"{name}\"` but expected a usize"),
                2 => format!("Filter `{name}` expected an arg called `{name}`"),
                3 => format!("Filter '{name}' not found"),
                4 => format!("Function call '{name}' failed"),
                5 => format!("Test '{name}' not found"),
                6 => format!("Template '[{name}]' not found"),
                7 => format!("Template 'p' is inheriting from '{name}', which doesn't exist"),
                8 => format!("Template `p` loads macros from `{name}` which isn't present"),
                9 => format!(" --> {name}:1"),
                10 => format!("`{name}`"),
                _ => name.clone(),
            };
            if let Some(n) = line(&msg, &text) {
                proptest::prop_assert!(n >= 1 && n <= text.lines().count().max(1) + 1);
            }
            let _ = referenced_templates(&text);
            let _ = import_target(&text, &name);
        }
    }
}
