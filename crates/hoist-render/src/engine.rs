//! Helm's `pkg/engine`: one template set for a chart and its subcharts, scoped render values,
//! `include`/`tpl`/`required`/`fail`, and Helm's error texts.

use std::cell::RefCell;
use std::collections::{BTreeMap, HashMap};
use std::rc::Rc;

use hoist_chart::{Chart, ChartPos};
use hoist_gotmpl::{Dict, Map, MapKind, Value};

use crate::funcs;
use crate::objects::Files;

/// `common.Values`, the Go type of `.Values` and of the per-chart top-level map.
pub const VALUES_TYPE: MapKind = MapKind::Named("common.Values");

/// Engine switches (Helm's `Engine` struct).
#[derive(Debug, Clone, Copy, Default)]
pub struct EngineOptions {
    /// `missingkey=error` instead of `zero`.
    pub strict: bool,
    /// Lint mode: `required` and `fail` return "" instead of failing.
    pub lint_mode: bool,
}

struct Renderable {
    text: Rc<str>,
    vals: Dict,
    base_path: String,
}

/// Template paths in Helm's parse and execution order: fewer `/` first is *last*; Go sorts by
/// path depth descending, and within one depth in reverse lexical order.
fn sort_templates(names: &mut [String]) {
    names.sort_by(|a, b| {
        let (ca, cb) = (a.matches('/').count(), b.matches('/').count());
        cb.cmp(&ca).then_with(|| b.cmp(a))
    });
}

/// `recAllTpls`: collects every template of the chart and its subcharts with the scoped values.
fn rec_all_tpls(
    chart: &Chart,
    pos: &ChartPos,
    templates: &mut BTreeMap<String, Renderable>,
    parent_vals: &Dict,
) -> Dict {
    let is_root = pos.is_root;
    let subcharts = Dict::new(Map::new());

    let files = Files::new(
        chart
            .files
            .iter()
            .map(|f| (f.name.clone(), Rc::clone(&f.data)))
            .collect(),
    );
    let next = Dict::with_kind(Map::new(), MapKind::Plain);
    next.insert("Chart", chart.chart_object(is_root));
    next.insert("Files", Value::Object(Rc::new(files)));
    next.insert("Release", parent_vals.get("Release").unwrap_or_default());
    next.insert(
        "Capabilities",
        parent_vals.get("Capabilities").unwrap_or_default(),
    );
    next.insert("Subcharts", Value::Map(subcharts.clone()));

    let values = if is_root {
        parent_vals.get("Values").unwrap_or_default()
    } else {
        match parent_vals.get("Values") {
            Some(Value::Map(v)) => match v.get(chart.name()) {
                Some(Value::Map(sub)) => Value::Map(sub.retyped(VALUES_TYPE)),
                _ => Value::Map(Dict::with_kind(Map::new(), VALUES_TYPE)),
            },
            _ => Value::Map(Dict::with_kind(Map::new(), VALUES_TYPE)),
        }
    };
    next.insert("Values", values);

    for child in &chart.dependencies {
        let sub = rec_all_tpls(child, &Chart::sub_pos(pos, child), templates, &next);
        subcharts.insert(child.name(), Value::Map(sub));
    }

    let full_path = &pos.full_path;
    let is_library = chart.is_library();
    for t in &chart.templates {
        if is_library && !base_name(&t.name).starts_with('_') {
            continue;
        }
        templates.insert(
            format!("{full_path}/{}", t.name),
            Renderable {
                text: Rc::from(String::from_utf8_lossy(&t.data).as_ref()),
                vals: next.clone(),
                base_path: format!("{full_path}/templates"),
            },
        );
    }
    next
}

fn base_name(path: &str) -> &str {
    path.rsplit('/').next().unwrap_or(path)
}

/// Renders every template of `chart` with the render values `top` (Helm's `Engine.Render`):
/// {template path: output}, partials excluded, `<no value>` removed.
pub fn render(
    chart: &Chart,
    top: &Dict,
    opts: EngineOptions,
) -> Result<BTreeMap<String, String>, String> {
    let mut tpls = BTreeMap::new();
    rec_all_tpls(chart, &chart.root_pos(), &mut tpls, top);
    let mut keys: Vec<String> = tpls.keys().cloned().collect();
    sort_templates(&mut keys);

    let included: Rc<RefCell<HashMap<String, usize>>> = Rc::default();
    let mut set = funcs::new_template_set(opts, included);
    for name in &keys {
        let r = &tpls[name];
        if let Err(err) = set.parse(name, &r.text) {
            return Err(cleanup_parse_error(name, &err.to_string()));
        }
    }

    let mut rendered = BTreeMap::new();
    for name in &keys {
        if base_name(name).starts_with('_') {
            continue;
        }
        let r = &tpls[name];
        let mut tmpl = Map::new();
        tmpl.insert("Name".into(), Value::string(name));
        tmpl.insert("BasePath".into(), Value::string(&r.base_path));
        r.vals
            .insert("Template", Value::Map(Dict::with_kind(tmpl, VALUES_TYPE)));
        let data = Value::Map(r.vals.retyped(VALUES_TYPE));
        match set.execute(name, &data) {
            Ok(out) => {
                rendered.insert(name.clone(), out.replace("<no value>", ""));
            }
            Err(err) => return Err(funcs::reformat_exec_error(name, &err)),
        }
    }
    Ok(rendered)
}

/// Helm's `cleanupParseError`.
fn cleanup_parse_error(filename: &str, msg: &str) -> String {
    let tokens: Vec<&str> = msg.split(": ").collect();
    if tokens.len() == 1 {
        return format!("parse error in ({filename}): {msg}");
    }
    format!(
        "parse error at ({}): {}",
        tokens[1],
        tokens[tokens.len() - 1]
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_order_is_deepest_first_then_reverse_lexical() {
        let mut names: Vec<String> = [
            "c/templates/a.yaml",
            "c/templates/b.yaml",
            "c/charts/s/templates/x.yaml",
            "c/templates/sub/z.yaml",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        sort_templates(&mut names);
        assert_eq!(
            names,
            vec![
                "c/charts/s/templates/x.yaml",
                "c/templates/sub/z.yaml",
                "c/templates/b.yaml",
                "c/templates/a.yaml"
            ]
        );
    }
}
