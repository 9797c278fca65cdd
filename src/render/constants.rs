//! Translations printed as they are, written into the templates once instead of looked up on every page.
//!
//! `{{ t.related_reading }}` and `{{ trans(key="contents") }}` print the same text on every page of a
//! build: the translations are fixed before the first page renders. Looked up each time, the default
//! theme's forty-odd labels cost a build of 1,000 posts about 6% more instructions than the English
//! words written into the templates did (Tera builds an argument map for every function call and walks
//! the context for every variable). So once the templates are parsed, each such print whose key the
//! site defines becomes the text itself, escaped as Tera would escape it, in every template, block and
//! macro body; then Tera's block chains are rebuilt from the changed blocks.
//!
//! A `trans` of a key with one text for every count (`"{n} min read"`) becomes that text with each
//! placeholder printing its argument, as Tera prints any value.
//!
//! Nothing else changes. A print with a filter, a `trans` of plural forms, a placeholder without an
//! argument and a key no layer defines are left to run (and fail) as written; a printed `t.key` that
//! no layer defines becomes `trans(key="key")`, which fails in the same place and names the key and
//! the nearest one. `t.…` is left alone in every template if any template sets, loops over or takes
//! as a macro argument a variable named `t` of its own, and inside a macro, where Tera shows no page
//! variables (it fails there as it would without this). Tera escapes by the name of the page being
//! rendered, even in the parts it takes from other templates, so nothing is folded when the
//! templates' names disagree (an `.html` page including a `.txt` part).

use tera::ast::{Expr, ExprVal, FunctionCall, Node, WS};
use tera::Tera;

use crate::i18n::{pieces, Piece, Strings};

/// Replace the constant translation prints of every template in `tera` (see the module docs).
pub fn fold(tera: &mut Tera, strings: &Strings) -> tera::Result<()> {
    // Tera escapes what a page prints by the page's own name, also inside the blocks, includes and
    // macros it takes from other templates: a folded text can be escaped once for all only when every
    // template gets the same answer.
    let escapes = |t: &tera::Template| {
        let name = t.path.as_deref().unwrap_or(&t.name);
        tera.autoescape_suffixes
            .iter()
            .any(|ext| name.ends_with(ext))
    };
    let mut answers = tera.templates.values().map(escapes);
    let escape = answers.next().unwrap_or(true);
    if answers.any(|a| a != escape) {
        return Ok(());
    }
    let own_t = tera.templates.values().any(defines_t);
    let folder = Folder {
        strings,
        escape,
        plain_t: !own_t,
    };
    for template in tera.templates.values_mut() {
        folder.nodes(&mut template.ast, true);
        for block in template.blocks.values_mut() {
            folder.nodes(&mut block.body, true);
        }
        for definition in template.macros.values_mut() {
            folder.nodes(&mut definition.body, false);
        }
    }
    tera.build_inheritance_chains()
}

struct Folder<'a> {
    strings: &'a Strings,
    escape: bool,
    /// Whether `t` is lanyard's translations in every template.
    plain_t: bool,
}

impl Folder<'_> {
    /// Fold the prints in `nodes`; `page` is false inside a macro, where `t` is not visible.
    fn nodes(&self, nodes: &mut Vec<Node>, page: bool) {
        let mut out = Vec::with_capacity(nodes.len());
        for mut node in nodes.drain(..) {
            match &mut node {
                Node::VariableBlock(_, expr) => {
                    if let Some(folded) = self.constant(expr, page) {
                        out.extend(folded);
                        continue;
                    }
                }
                Node::MacroDefinition(_, definition, _) => self.nodes(&mut definition.body, false),
                Node::FilterSection(_, section, _) => self.nodes(&mut section.body, page),
                Node::Block(_, block, _) => self.nodes(&mut block.body, page),
                Node::Forloop(_, forloop, _) => {
                    self.nodes(&mut forloop.body, page);
                    if let Some(body) = &mut forloop.empty_body {
                        self.nodes(body, page);
                    }
                }
                Node::If(branches, _) => {
                    for (_, _, body) in &mut branches.conditions {
                        self.nodes(body, page);
                    }
                    if let Some((_, body)) = &mut branches.otherwise {
                        self.nodes(body, page);
                    }
                }
                _ => {}
            }
            out.push(node);
        }
        *nodes = out;
    }

    /// What `expr` becomes: the text of a bare `t.key` or `trans(key="…")`, or, for a `trans` of a
    /// key with one form for every count, its text with each `{name}` printing the argument of
    /// that name (`trans(key="part_of", part=p.part, total=t)` → `Part {{ p.part }} of {{ t }}`).
    fn constant(&self, expr: &Expr, page: bool) -> Option<Vec<Node>> {
        if expr.negated || !expr.filters.is_empty() {
            return None;
        }
        let text = match &expr.val {
            ExprVal::Ident(path) if page && self.plain_t => {
                let key = path.strip_prefix("t.")?;
                return Some(vec![match self.strings.plain_text(key) {
                    Some(text) => self.text(text),
                    // Printed, an undefined key fails as before, but the error names the key and the
                    // nearest defined one, where Tera would say only "Variable `t.…` not found".
                    None if key.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_') => {
                        trans_call(key)
                    }
                    None => return None,
                }]);
            }
            ExprVal::FunctionCall(call) if call.name == "trans" => call,
            _ => return None,
        };
        let key = match &text.args.get("key")?.val {
            ExprVal::String(key) => key,
            _ => return None,
        };
        if text.args.len() == 1 {
            let text = self.strings.format(key, None, &|_| None).ok()?;
            return Some(vec![self.text(&text)]);
        }
        let single = self.strings.single(key)?;
        pieces(single)
            .into_iter()
            .map(|piece| match piece {
                Piece::Text(t) => Some(self.text(t)),
                Piece::Name(name) => {
                    let arg = text.args.get(name)?;
                    Some(Node::VariableBlock(WS::default(), arg.clone()))
                }
            })
            .collect()
    }

    /// Literal text, escaped as Tera escapes what a template of this kind prints.
    fn text(&self, text: &str) -> Node {
        Node::Text(match self.escape {
            true => crate::markdown::escape_html(text),
            false => text.to_string(),
        })
    }
}

/// `{{ trans(key="<key>") }}`.
fn trans_call(key: &str) -> Node {
    let key = Expr::new(ExprVal::String(key.to_string()));
    let call = FunctionCall {
        name: "trans".to_string(),
        args: std::collections::HashMap::from([("key".to_string(), key)]),
    };
    Node::VariableBlock(WS::default(), Expr::new(ExprVal::FunctionCall(call)))
}

/// Whether `template` gives a variable of its own the name `t` (`set`, `for`, a macro argument).
fn defines_t(template: &tera::Template) -> bool {
    fn any(nodes: &[Node]) -> bool {
        nodes.iter().any(|node| match node {
            Node::Set(_, set) => set.key == "t",
            Node::Forloop(_, f, _) => {
                f.value == "t"
                    || f.key.as_deref() == Some("t")
                    || any(&f.body)
                    || f.empty_body.as_deref().is_some_and(any)
            }
            Node::MacroDefinition(_, m, _) => m.args.contains_key("t") || any(&m.body),
            Node::FilterSection(_, s, _) => any(&s.body),
            Node::Block(_, b, _) => any(&b.body),
            Node::If(branches, _) => {
                branches.conditions.iter().any(|(_, _, body)| any(body))
                    || branches
                        .otherwise
                        .as_ref()
                        .is_some_and(|(_, body)| any(body))
            }
            _ => false,
        })
    }
    any(&template.ast)
        || template
            .macros
            .values()
            .any(|m| m.args.contains_key("t") || any(&m.body))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

    fn strings() -> Arc<Strings> {
        Arc::new(Strings::english())
    }

    /// lanyard's strings with `moved_to` holding characters an HTML page escapes.
    fn strings_to_escape() -> Arc<Strings> {
        #[derive(serde::Deserialize)]
        struct Raw {
            translations: std::collections::BTreeMap<String, toml::Spanned<toml::Value>>,
        }
        let text = "[translations]\nmoved_to = \"a <b> & c\"\n";
        let raw: Raw = toml::from_str(text).unwrap();
        Arc::new(Strings::load(
            std::path::Path::new("/nonexistent"),
            "",
            "en",
            Some(raw.translations),
            text,
            &mut Vec::new(),
            &crate::error::Diagnostics::new(),
        ))
    }

    /// Renders `templates` (the first is rendered) with `t` and `trans`, folded or not.
    fn render(templates: &[(&str, &str)], folded: bool) -> String {
        render_with(strings(), templates, folded)
    }

    fn render_with(strings: Arc<Strings>, templates: &[(&str, &str)], folded: bool) -> String {
        let mut tera = Tera::default();
        tera.autoescape_on(vec![".html"]);
        tera.register_function("trans", crate::i18n::trans_function(strings.clone()));
        tera.add_raw_templates(
            templates
                .iter()
                .map(|(n, t)| (n.to_string(), t.to_string())),
        )
        .unwrap();
        if folded {
            fold(&mut tera, &strings).unwrap();
        }
        let mut ctx = tera::Context::new();
        ctx.insert("t", &strings.plain());
        ctx.insert("count", &3);
        tera.render(templates[0].0, &ctx).unwrap()
    }

    #[test]
    fn folded_templates_print_what_they_printed() {
        let page = (
            "page.html",
            "{% extends \"base.html\" %}{% block main %}{{ t.tags }}|{{ trans(key=\"tag_title\", tag=\"<b>\") }}|{{ trans(key=\"page_n\", n=count) }}|{{ trans(key=\"archive\") }}{% endblock %}",
        );
        let base = (
            "base.html",
            "<p>{{ t.series }}</p>{% block main %}{% endblock %}",
        );
        let expected = "<p>Series</p>Tags|Tagged “&lt;b&gt;”|Page 3|Archive";
        assert_eq!(render(&[page, base], false), expected);
        assert_eq!(render(&[page, base], true), expected);
    }

    #[test]
    fn a_part_escaped_by_the_page_that_includes_it_is_escaped_as_that_page() {
        let page = ("page.html", "{{ t.moved_to }}|{% include \"part.txt\" %}");
        let part = ("part.txt", "{{ trans(key=\"moved_to\") }}");
        let expected = "a &lt;b&gt; &amp; c|a &lt;b&gt; &amp; c";
        assert_eq!(
            render_with(strings_to_escape(), &[page, part], false),
            expected
        );
        assert_eq!(
            render_with(strings_to_escape(), &[page, part], true),
            expected
        );
    }

    #[test]
    fn a_template_with_its_own_t_is_left_alone() {
        let page = (
            "page.html",
            "{% set t = \"mine\" %}{{ t }}|{{ trans(key=\"tags\") }}",
        );
        assert_eq!(render(&[page], true), "mine|Tags");
    }

    #[test]
    fn prints_that_cannot_be_folded_stay_as_they_are() {
        let mut tera = Tera::default();
        let page = "{{ t.tags | upper }}{{ trans(key=\"nope\") }}{{ trans(key=\"page_n\") }}";
        tera.add_raw_template("p.html", page).unwrap();
        let before = tera.templates["p.html"].ast.clone();
        fold(&mut tera, &strings()).unwrap();
        assert_eq!(tera.templates["p.html"].ast, before);
    }
}
