//! Which fields of a listed post a page template can read.
//!
//! Why: a listing page serializes a summary for each post it lists, and a post page one for each
//! related post — some ninety thousand summaries in a build of ten thousand posts, each a tree of
//! about sixty strings and maps. The default theme shows a listed post only through its pre-rendered
//! view (`p.views.card`), so nearly all of that tree was built to be thrown away. Before rendering,
//! lanyard reads each page template's syntax tree — with its parents, its blocks, the templates it
//! includes and the macros it calls — and works out which top-level fields can be reached from the
//! places summaries sit ([`Slots`]); pages then serialize only those.
//!
//! The reading is conservative. A value that is printed whole, given to a filter (but `length`), a
//! function, a comparison, `in`, `set`, a test (but `defined`/`undefined`) or a computed subscript
//! (`p[name]`) counts as read whole, and then every field is kept. A variable made with `set` is
//! also read as the context variable of that name. A theme can therefore lose speed to this, never
//! output: the only effect of the analysis is which unread fields are left out.

use std::collections::{BTreeSet, HashMap};

use tera::ast::{Expr, ExprVal, LogicOperator, MacroCall, Node};
use tera::{Template, Tera};

/// The fields of an object a template can reach.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fields {
    /// Every field: the object (or a container above it) is read whole.
    All,
    /// Only these top-level keys.
    Only(BTreeSet<String>),
}

impl Fields {
    /// Whether `key` must be serialized.
    pub fn wants(&self, key: &str) -> bool {
        match self {
            Fields::All => true,
            Fields::Only(keys) => keys.contains(key),
        }
    }
}

/// What a page template reads of the summaries in its context.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Slots {
    /// `post` itself on a post page.
    pub post: Fields,
    /// Each of `post.related`.
    pub related: Fields,
    /// Each of `paginator.pages` on a listing page.
    pub listed: Fields,
}

impl Slots {
    /// Everything, for templates that could not be read.
    pub const ALL: Slots = Slots {
        post: Fields::All,
        related: Fields::All,
        listed: Fields::All,
    };

    /// Read `template` (a name in `tera`).
    pub fn of(tera: &Tera, template: &str) -> Slots {
        let mut walker = Walker::new(tera);
        walker.template(template);
        if walker.gave_up {
            return Slots::ALL;
        }
        let slot = |path: &[Seg]| fields(&walker.uses, path);
        Slots {
            post: slot(&[name("post")]),
            related: slot(&[name("post"), name("related"), Seg::Any]),
            listed: slot(&[name("paginator"), name("pages"), Seg::Any]),
        }
    }
}

/// The slots of every template in `tera`, by name.
pub fn all(tera: &Tera) -> HashMap<String, Slots> {
    tera.get_template_names()
        .map(|t| (t.to_string(), Slots::of(tera, t)))
        .collect()
}

/// One step of a path into the context: a key, or any key or index.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Seg {
    Name(String),
    Any,
}

fn name(s: &str) -> Seg {
    Seg::Name(s.to_string())
}

/// A path the template reads; `whole` when everything below it may be read too.
#[derive(Debug)]
struct Use {
    path: Vec<Seg>,
    whole: bool,
}

/// The fields of the object at `slot` that `uses` can reach.
fn fields(uses: &[Use], slot: &[Seg]) -> Fields {
    let mut keys = BTreeSet::new();
    for u in uses {
        let compatible = u
            .path
            .iter()
            .zip(slot)
            .all(|(a, b)| a == b || *a == Seg::Any || *b == Seg::Any);
        if !compatible {
            continue;
        }
        match u.path.get(slot.len()) {
            Some(Seg::Name(key)) => {
                keys.insert(key.clone());
            }
            Some(Seg::Any) => return Fields::All,
            // The object itself: its truth and its length depend on which keys it has.
            None if u.whole || u.path.len() == slot.len() => return Fields::All,
            None => {}
        }
    }
    Fields::Only(keys)
}

/// What a variable name stands for inside a loop or a macro.
#[derive(Debug, Clone)]
enum Binding {
    /// A place in the context.
    Path(Vec<Seg>),
    /// A computed value: reading it reads nothing of the context (its making was recorded).
    Opaque,
}

/// How deep macro calls and includes may nest before the walker gives up.
const MAX_DEPTH: usize = 32;

/// How many nodes the walker visits for one template before it gives up (macros are walked once per
/// call, so a theme of macros calling macros could otherwise take long).
const MAX_NODES: usize = 200_000;

struct Walker<'t> {
    tera: &'t Tera,
    uses: Vec<Use>,
    /// Loop and macro variables, innermost last. A macro starts a fresh stack: it sees only its
    /// arguments and the context.
    scopes: Vec<HashMap<String, Binding>>,
    /// Macros being walked (template, name): a recursive call reads its arguments whole instead.
    active: Vec<(String, String)>,
    /// The template whose macro namespaces apply, innermost last.
    namespaces: Vec<&'t Template>,
    /// The template being rendered, for block definitions.
    leaf: Option<&'t Template>,
    depth: usize,
    visited: usize,
    gave_up: bool,
}

impl<'t> Walker<'t> {
    fn new(tera: &'t Tera) -> Self {
        Walker {
            tera,
            uses: Vec::new(),
            scopes: vec![HashMap::new()],
            active: Vec::new(),
            namespaces: Vec::new(),
            leaf: None,
            depth: 0,
            visited: 0,
            gave_up: false,
        }
    }

    /// Walk what rendering `name` runs: its top template's tree (its own when it extends nothing),
    /// every definition of each block met there, and its own tree too.
    fn template(&mut self, name: &str) {
        match self.tera.get_template(name) {
            Ok(leaf) => self.chain(leaf),
            Err(_) => self.gave_up = true,
        }
    }

    /// Walk `leaf` and the templates it extends, with `leaf`'s block definitions.
    fn chain(&mut self, leaf: &'t Template) {
        let outer = self.leaf.replace(leaf);
        for t in std::iter::once(&leaf.name).chain(&leaf.parents) {
            match self.tera.get_template(t) {
                Ok(tpl) => self.nodes_in(tpl, &tpl.ast),
                Err(_) => self.gave_up = true,
            }
        }
        self.leaf = outer;
    }

    fn nodes_in(&mut self, tpl: &'t Template, nodes: &'t [Node]) {
        self.namespaces.push(tpl);
        self.nodes(nodes);
        self.namespaces.pop();
    }

    fn nodes(&mut self, nodes: &'t [Node]) {
        self.visited += nodes.len();
        if self.visited > MAX_NODES {
            self.gave_up = true;
            return;
        }
        for node in nodes {
            self.node(node);
        }
    }

    fn node(&mut self, node: &'t Node) {
        match node {
            Node::VariableBlock(_, expr) => self.expr(expr, false),
            Node::Set(_, set) => self.expr(&set.value, false),
            Node::FilterSection(_, section, _) => {
                section
                    .filter
                    .args
                    .values()
                    .for_each(|a| self.expr(a, false));
                self.nodes(&section.body);
            }
            Node::Block(_, block, _) => self.block(&block.name, &block.body),
            Node::Forloop(_, for_loop, _) => {
                let mut scope = HashMap::new();
                let element = match &for_loop.key {
                    // Iterating an object's keys reads which keys it has: all of them.
                    Some(key) => {
                        scope.insert(key.clone(), Binding::Opaque);
                        self.expr(&for_loop.container, false);
                        Binding::Opaque
                    }
                    None => self.container(&for_loop.container),
                };
                scope.insert(for_loop.value.clone(), element);
                self.scopes.push(scope);
                self.nodes(&for_loop.body);
                self.scopes.pop();
                if let Some(empty) = &for_loop.empty_body {
                    self.nodes(empty);
                }
            }
            Node::If(if_node, _) => {
                for (_, condition, body) in &if_node.conditions {
                    self.expr(condition, true);
                    self.nodes(body);
                }
                if let Some((_, body)) = &if_node.otherwise {
                    self.nodes(body);
                }
            }
            Node::Include(_, names, _) => {
                for included in names {
                    if let Ok(tpl) = self.tera.get_template(included) {
                        self.nested(|w| w.chain(tpl));
                    }
                }
            }
            Node::Super
            | Node::Text(_)
            | Node::MacroDefinition(..)
            | Node::Extends(..)
            | Node::ImportMacro(..)
            | Node::Raw(..)
            | Node::Break(_)
            | Node::Continue(_)
            | Node::Comment(..) => {}
        }
    }

    /// A block: its body here, and every definition of it along the rendered template's chain
    /// (`super()` needs nothing more, since all of them are walked).
    fn block(&mut self, block: &str, body: &'t [Node]) {
        self.nodes(body);
        let Some(leaf) = self.leaf else { return };
        for (owner, definition) in leaf.blocks_definitions.get(block).into_iter().flatten() {
            let owner = self.tera.get_template(owner).unwrap_or(leaf);
            self.nested(|w| w.nodes_in(owner, &definition.body));
        }
    }

    /// Run `walk` one level deeper, giving up past [`MAX_DEPTH`].
    fn nested(&mut self, walk: impl FnOnce(&mut Self)) {
        if self.depth >= MAX_DEPTH {
            self.gave_up = true;
            return;
        }
        self.depth += 1;
        walk(self);
        self.depth -= 1;
    }

    /// A for loop's container: a plain path binds the loop variable to its elements and reads only
    /// the container's length; anything else is read whole and its elements are opaque.
    fn container(&mut self, container: &'t Expr) -> Binding {
        if let (ExprVal::Ident(ident), true) = (&container.val, container.filters.is_empty()) {
            if let Some(path) = self.plain_path(ident) {
                self.record(path.clone(), false);
                return Binding::Path([path, vec![Seg::Any]].concat());
            }
        }
        self.expr(container, false);
        Binding::Opaque
    }

    /// Record what `expr` reads; `truth` when only its truth is asked (`if`, `and`, `or`, `not`).
    fn expr(&mut self, expr: &'t Expr, truth: bool) {
        for filter in &expr.filters {
            filter.args.values().for_each(|a| self.expr(a, false));
        }
        let shallow = match expr.filters.first() {
            None => truth || expr.negated,
            Some(first) => first.name == "length",
        };
        self.value(&expr.val, shallow);
    }

    fn value(&mut self, val: &'t ExprVal, shallow: bool) {
        match val {
            ExprVal::Ident(ident) => self.ident(ident, !shallow),
            ExprVal::Math(math) => {
                self.expr(&math.lhs, false);
                self.expr(&math.rhs, false);
            }
            ExprVal::Logic(logic) => {
                let truth = matches!(logic.operator, LogicOperator::And | LogicOperator::Or);
                self.expr(&logic.lhs, truth);
                self.expr(&logic.rhs, truth);
            }
            ExprVal::Test(test) => {
                let whole = !matches!(test.name.as_str(), "defined" | "undefined");
                self.ident(&test.ident, whole);
                test.args.iter().for_each(|a| self.expr(a, false));
            }
            ExprVal::MacroCall(call) => self.macro_call(call),
            ExprVal::FunctionCall(call) => call.args.values().for_each(|a| self.expr(a, false)),
            ExprVal::Array(items) => items.iter().for_each(|i| self.expr(i, false)),
            ExprVal::StringConcat(concat) => {
                concat.values.iter().for_each(|v| self.value(v, false))
            }
            ExprVal::In(in_expr) => {
                self.expr(&in_expr.lhs, false);
                self.expr(&in_expr.rhs, false);
            }
            ExprVal::String(_) | ExprVal::Int(_) | ExprVal::Float(_) | ExprVal::Bool(_) => {}
        }
    }

    /// A macro call: the arguments that are plain paths are followed into the macro's body; a call
    /// of a macro already being walked (recursion) reads them whole instead.
    fn macro_call(&mut self, call: &'t MacroCall) {
        let found = self.find_macros(&call.namespace, &call.name);
        let recursive = found
            .iter()
            .any(|(tpl, _)| self.active.contains(&(tpl.name.clone(), call.name.clone())));
        if found.is_empty() || recursive {
            call.args.values().for_each(|a| self.expr(a, false));
            return;
        }
        for (tpl, definition) in found {
            self.walk_macro(call, tpl, definition);
        }
    }

    /// Walk one macro `definition` (in `tpl`) for `call`.
    fn walk_macro(
        &mut self,
        call: &'t MacroCall,
        tpl: &'t Template,
        definition: &'t tera::ast::MacroDefinition,
    ) {
        let key = (tpl.name.clone(), call.name.clone());
        let mut scope = HashMap::new();
        for (arg, default) in &definition.args {
            let binding = match call.args.get(arg) {
                Some(given) => self.argument(given),
                None => {
                    if let Some(default) = default {
                        self.expr(default, false);
                    }
                    Binding::Opaque
                }
            };
            scope.insert(arg.clone(), binding);
        }
        for (arg, given) in &call.args {
            if !definition.args.contains_key(arg) {
                self.expr(given, false);
            }
        }
        let outer = std::mem::replace(&mut self.scopes, vec![scope]);
        self.active.push(key);
        self.nested(|w| w.nodes_in(tpl, &definition.body));
        self.active.pop();
        self.scopes = outer;
    }

    /// A macro argument: a plain path is passed as a place; anything else is read whole here.
    fn argument(&mut self, given: &'t Expr) -> Binding {
        if let (ExprVal::Ident(ident), true, false) =
            (&given.val, given.filters.is_empty(), given.negated)
        {
            if let Some(path) = self.plain_path(ident) {
                return Binding::Path(path);
            }
        }
        self.expr(given, false);
        Binding::Opaque
    }

    /// The macros `namespace::name` can call from the current template. Tera looks in the current
    /// template's imports and its parents'; every file imported under that namespace anywhere along
    /// the current and the rendered template's chains is taken, so a name imported twice is walked in
    /// both files.
    fn find_macros(
        &self,
        namespace: &str,
        name: &str,
    ) -> Vec<(&'t Template, &'t tera::ast::MacroDefinition)> {
        let Some(&current) = self.namespaces.last() else {
            return Vec::new();
        };
        let mut files: Vec<&str> = Vec::new();
        if namespace == "self" {
            files.push(&current.name);
        } else {
            let chain = |t: &'t Template| {
                std::iter::once(t.name.as_str()).chain(t.parents.iter().map(String::as_str))
            };
            let templates = chain(current).chain(self.leaf.into_iter().flat_map(chain));
            for t in templates.filter_map(|n| self.tera.get_template(n).ok()) {
                for (file, ns) in &t.imported_macro_files {
                    if ns == namespace && !files.contains(&file.as_str()) {
                        files.push(file);
                    }
                }
            }
        }
        files
            .into_iter()
            .filter_map(|f| self.tera.get_template(f).ok())
            .filter_map(|t| t.macros.get(name).map(|m| (t, m)))
            .collect()
    }

    /// Record a read of the variable path `ident`.
    fn ident(&mut self, ident: &str, whole: bool) {
        if ident == "__tera_context" {
            self.record(Vec::new(), true);
            return;
        }
        let (base, subscripts) = split_subscripts(ident);
        for inner in subscripts {
            if !is_literal(inner) {
                self.ident(inner, true);
            }
        }
        if let Some(path) = self.resolve(base) {
            // A subscript (`a.b[0]`, `a.b["c"]`, `a[x]`) is read as reading the whole of what it
            // subscripts.
            let dynamic = base.len() != ident.len();
            self.record(path, whole || dynamic);
        }
    }

    /// `ident` as a context path, when it is one with no subscript.
    fn plain_path(&self, ident: &str) -> Option<Vec<Seg>> {
        if ident.contains('[') || ident == "__tera_context" {
            return None;
        }
        self.resolve(ident)
    }

    /// The context path `dotted` stands for, or `None` for a path into a computed value.
    fn resolve(&self, dotted: &str) -> Option<Vec<Seg>> {
        let mut parts = dotted.split('.');
        let first = parts.next().unwrap_or_default();
        let mut path = match self.scopes.iter().rev().find_map(|s| s.get(first)) {
            Some(Binding::Path(p)) => p.clone(),
            Some(Binding::Opaque) => return None,
            None => vec![name(first)],
        };
        path.extend(parts.map(|p| match p.parse::<usize>() {
            Ok(_) => Seg::Any,
            Err(_) => name(p),
        }));
        Some(path)
    }

    fn record(&mut self, path: Vec<Seg>, whole: bool) {
        self.uses.push(Use { path, whole });
    }
}

/// `a.b[x].c` → (`a.b`, [`x`]); the part after the first subscript is covered by reading `a.b`
/// whole.
fn split_subscripts(ident: &str) -> (&str, Vec<&str>) {
    let Some(open) = ident.find('[') else {
        return (ident, Vec::new());
    };
    let mut inner = Vec::new();
    let mut rest = &ident[open..];
    while let Some(start) = rest.find('[') {
        let Some(len) = rest[start..].find(']') else {
            break;
        };
        inner.push(rest[start + 1..start + len].trim());
        rest = &rest[start + len + 1..];
    }
    (&ident[..open], inner)
}

/// A subscript that is a string or a number, not a variable.
fn is_literal(inner: &str) -> bool {
    inner.starts_with(['"', '\'', '`']) || inner.parse::<i64>().is_ok()
}

#[cfg(test)]
mod tests;
