//! A template set: Go's `*Template` with its shared `common` (named trees, functions, options).

use std::collections::HashMap;
use std::rc::Rc;

use crate::builtins::Builtin;
use crate::error::Error;
use crate::exec::{self, Callee};
use crate::func::{FastMap, FuncMap};
use crate::parse::ast::Tree;
use crate::parse::{self, ParseOptions};
use crate::value::{MapMethods, Value};

/// Go's `missingkey` option: what a missing map key gives.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum MissingKey {
    /// `missingkey=default` (or `invalid`): no value; prints `<no value>`.
    #[default]
    Default,
    /// `missingkey=zero`: the zero value of the map's element type (a nil `interface{}` for
    /// `map[string]interface{}`, which prints `<no value>` too; `""` for `map[string]string`).
    Zero,
    /// `missingkey=error`: execution stops with `map has no entry for key "x"`.
    Error,
}

/// One layer of named trees. A clone shares its layers; parsing into a clone adds a layer on
/// top, so cloning stays cheap however many templates the set has.
#[derive(Default, Clone)]
struct Layer {
    parent: Option<Rc<Layer>>,
    trees: FastMap<Rc<str>, Rc<Tree>>,
    height: usize,
}

impl Layer {
    fn lookup(&self, name: &str) -> Option<&Rc<Tree>> {
        let mut cur = self;
        loop {
            if let Some(t) = cur.trees.get(name) {
                return Some(t);
            }
            cur = cur.parent.as_deref()?;
        }
    }

    fn names(&self, out: &mut Vec<Rc<str>>) {
        if let Some(p) = &self.parent {
            p.names(out);
        }
        for k in self.trees.keys() {
            if !out.contains(k) {
                out.push(Rc::clone(k));
            }
        }
    }

    fn flatten(&self) -> FastMap<Rc<str>, Rc<Tree>> {
        let mut map = match &self.parent {
            Some(p) => p.flatten(),
            None => FastMap::default(),
        };
        for (k, v) in &self.trees {
            map.insert(Rc::clone(k), Rc::clone(v));
        }
        map
    }
}

/// A set of named templates sharing functions and options (Go's `*Template` and its `common`).
///
/// `Clone` is cheap (reference counts), and parsing into a clone does not change the original, as
/// with Go's `Template.Clone`; unlike Go's, the clone keeps the `missingkey` option.
#[derive(Clone)]
pub struct Templates {
    name: Rc<str>,
    layer: Rc<Layer>,
    funcs: Rc<FuncMap>,
    missing_key: MissingKey,
    max_depth: usize,
    map_methods: Rc<HashMap<&'static str, Rc<dyn MapMethods>>>,
}

impl std::fmt::Debug for Templates {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Templates")
            .field("name", &self.name)
            .field("templates", &self.names())
            .field("missing_key", &self.missing_key)
            .finish()
    }
}

const MAX_LAYERS: usize = 8;

impl Templates {
    /// A new, empty set with these functions (they hide builtins of the same name). The set's
    /// own name, used in Go's "no template ... associated with template ..." message, is empty;
    /// see [`Templates::with_name`].
    pub fn new(funcs: FuncMap) -> Templates {
        Templates {
            name: Rc::from(""),
            layer: Rc::new(Layer::default()),
            funcs: Rc::new(funcs),
            missing_key: MissingKey::Default,
            max_depth: crate::exec::MAX_EXEC_DEPTH,
            map_methods: Rc::new(HashMap::new()),
        }
    }

    /// Sets the set's name (Go's `template.New(name)`; Helm uses `gotpl`).
    pub fn with_name(mut self, name: &str) -> Templates {
        self.name = Rc::from(name);
        self
    }

    /// The set's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Sets the `missingkey` option.
    pub fn set_missing_key(&mut self, mk: MissingKey) {
        self.missing_key = mk;
    }

    /// The `missingkey` option.
    pub fn missing_key(&self) -> MissingKey {
        self.missing_key
    }

    /// Go's `Template.Option`: `missingkey=default|invalid|zero|error`. Go panics on anything else;
    /// this returns an error with Go's panic text.
    pub fn option(&mut self, opt: &str) -> Result<(), Error> {
        if opt.is_empty() {
            return Err(Error::option("empty option string".to_string()));
        }
        if let Some(("missingkey", v)) = opt.split_once('=') {
            let mk = match v {
                "invalid" | "default" => MissingKey::Default,
                "zero" => MissingKey::Zero,
                "error" => MissingKey::Error,
                _ => return Err(Error::option(format!("unrecognized option: {opt}"))),
            };
            self.missing_key = mk;
            return Ok(());
        }
        Err(Error::option(format!("unrecognized option: {opt}")))
    }

    /// Sets the most nested template executions allowed (`{{template}}` calls plus re-entries
    /// from stateful functions); the default is Go's 100000. Beyond it execution fails with Go's
    /// `exceeded maximum template depth (N)`.
    pub fn set_max_depth(&mut self, depth: usize) {
        self.max_depth = depth.max(1);
    }

    /// The most nested template executions allowed.
    pub fn max_depth(&self) -> usize {
        self.max_depth
    }

    /// Gives maps of the named type `type_name` ([`crate::MapKind::Named`]) these methods.
    pub fn register_map_methods(&mut self, type_name: &'static str, methods: Rc<dyn MapMethods>) {
        Rc::make_mut(&mut self.map_methods).insert(type_name, methods);
    }

    pub(crate) fn map_methods(&self, type_name: &str) -> Option<&Rc<dyn MapMethods>> {
        self.map_methods.get(type_name)
    }

    /// The functions.
    pub fn funcs(&self) -> &FuncMap {
        &self.funcs
    }

    /// Adds functions (Go's `Template.Funcs`); a clone made earlier keeps its own map.
    pub fn add_funcs(&mut self, more: FuncMap) {
        Rc::make_mut(&mut self.funcs).extend(more);
    }

    pub(crate) fn find_function(&self, name: &str) -> Option<Callee<'_>> {
        if let Some(f) = self.funcs.get(name) {
            return Some(Callee::User(f));
        }
        Builtin::from_name(name).map(Callee::Builtin)
    }

    /// True when `name` is a function of the set or a builtin.
    pub fn has_function(&self, name: &str) -> bool {
        self.funcs.contains(name) || Builtin::from_name(name).is_some()
    }

    /// Parses `text` as the template `name` (Go's `t.New(name).Parse(text)`): adds its top-level
    /// tree under `name` and every `{{define}}`/`{{block}}` it contains. A later parse replaces an
    /// earlier template of the same name, except that an empty one (only spaces and comments)
    /// never replaces a non-empty one.
    pub fn parse(&mut self, name: &str, text: &str) -> Result<(), Error> {
        let funcs = Rc::clone(&self.funcs);
        let has = move |n: &str| funcs.contains(n) || Builtin::from_name(n).is_some();
        let opts = ParseOptions {
            funcs: Some(&has),
            ..ParseOptions::default()
        };
        let result = parse::parse(name, text, &opts)?;
        for tree in result.trees {
            self.add_parse_tree(tree);
        }
        Ok(())
    }

    /// Go's `AddParseTree` for a tree named `tree.name`.
    pub fn add_parse_tree(&mut self, tree: Tree) {
        if parse::is_empty_tree(&tree.root) && self.lookup(&tree.name).is_some() {
            return;
        }
        let name = Rc::clone(&tree.name);
        let tree = Rc::new(tree);
        self.layer_mut().trees.insert(name, tree);
    }

    fn layer_mut(&mut self) -> &mut Layer {
        if Rc::get_mut(&mut self.layer).is_none() {
            let old = Rc::clone(&self.layer);
            let layer = if old.height + 1 >= MAX_LAYERS {
                Layer {
                    parent: None,
                    trees: old.flatten(),
                    height: 0,
                }
            } else {
                Layer {
                    parent: Some(Rc::clone(&old)),
                    trees: FastMap::default(),
                    height: old.height + 1,
                }
            };
            self.layer = Rc::new(layer);
        }
        // Unique now, so this never copies.
        Rc::make_mut(&mut self.layer)
    }

    /// The template of this name.
    pub fn lookup(&self, name: &str) -> Option<&Tree> {
        self.layer.lookup(name).map(|t| &**t)
    }

    /// The names of all templates, in no particular order.
    pub fn names(&self) -> Vec<Rc<str>> {
        let mut out = Vec::new();
        self.layer.names(&mut out);
        out
    }

    /// Executes the template `name` with `data` as dot and `$` (Go's `ExecuteTemplate`).
    pub fn execute(&self, name: &str, data: &Value) -> Result<String, Error> {
        exec::execute(self, name, data, 0)
    }
}
