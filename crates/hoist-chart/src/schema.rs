//! values.schema.json validation with the behaviour and messages of santhosh-tekuri/jsonschema v6
//! as Helm v4 uses it (`pkg/chart/common/util/jsonschema.go`): default draft 2020-12, `$schema`
//! selects 4/6/7/2019-09, `format` asserted for drafts before 2019-09, local `$ref`s.
//!
//! Supported keywords: type, const, enum, format, $ref (local pointers, `$defs`/`definitions`,
//! `$id`-less anchors), properties, patternProperties, additionalProperties, required,
//! min/maxProperties, dependencies, dependentRequired, dependentSchemas, propertyNames, items
//! (all drafts), prefixItems, additionalItems, contains, min/maxContains, min/maxItems,
//! uniqueItems, min/maxLength, pattern, minimum, maximum, exclusiveMinimum/Maximum, multipleOf,
//! not, allOf, anyOf, oneOf, if/then/else. Remote `$ref`s are refused with an error.

use crate::chart::Chart;
use crate::error::ChartError;
use crate::gojson;
use hoist_gotmpl::gofmt::{self, quote};
use hoist_gotmpl::{Dict, Value};
use std::fmt::Write;

const SCHEMA_URL: &str = "file:///values.schema.json";

#[derive(Debug, Clone)]
enum Kind {
    /// A group of errors ("validation failed").
    Group,
    /// A `$ref` that failed ("validation failed"), hidden when it has one cause.
    Reference,
    /// A keyword failure with its message.
    Msg(String),
}

#[derive(Debug, Clone)]
struct VErr {
    loc: Vec<String>,
    kind: Kind,
    causes: Vec<VErr>,
}

/// santhosh-tekuri's `quote`: Go `%q`, then `\"` → `"` and `'` → `\'`, in single quotes.
fn squote(s: &str) -> String {
    let q = quote(s);
    let inner = &q[1..q.len() - 1];
    let inner = inner.replace("\\\"", "\"").replace('\'', "\\'");
    format!("'{inner}'")
}

fn json_ptr(tokens: &[String]) -> String {
    let mut s = String::new();
    for t in tokens {
        s.push('/');
        s.push_str(&t.replace('~', "~0").replace('/', "~1"));
    }
    s
}

impl VErr {
    fn display(&self, sb: &mut String, indent: usize) {
        // The jsonschema version Helm v4.2.3 builds with prints neither group nor `$ref` wrapper
        // lines: their causes appear at the same level.
        let skip = matches!(self.kind, Kind::Reference | Kind::Group);
        let mut indent = indent;
        if !skip {
            if indent > 0 {
                sb.push('\n');
                for _ in 0..indent - 1 {
                    sb.push_str("  ");
                }
                sb.push_str("- ");
            }
            indent += 1;
            let msg = match &self.kind {
                Kind::Group | Kind::Reference => "validation failed",
                Kind::Msg(m) => m.as_str(),
            };
            let _ = write!(sb, "at {}: {msg}", squote(&json_ptr(&self.loc)));
        }
        for c in &self.causes {
            c.display(sb, indent);
        }
    }
}

/// Number formatting of golang.org/x/text's English printer for `%v`/`%d`: digits grouped by
/// thousands.
fn print_num(f: f64) -> String {
    let s = gofmt::format_float(f, 'g', -1);
    if s.contains("Inf") || s.contains("NaN") {
        return s;
    }
    if let Some((mant, exp)) = s.split_once('e') {
        // 1e+06 → 1×10⁰⁶, 1e-05 → 1×10⁻⁰⁵
        const SUP: [char; 10] = ['⁰', '¹', '²', '³', '⁴', '⁵', '⁶', '⁷', '⁸', '⁹'];
        let mut out = format!("{mant}×10");
        for c in exp.chars() {
            match c {
                '-' => out.push('⁻'),
                '+' => {}
                d => out.push(SUP[d.to_digit(10).unwrap_or(0) as usize]),
            }
        }
        return out;
    }
    let (neg, body) = match s.strip_prefix('-') {
        Some(b) => (true, b),
        None => (false, s.as_str()),
    };
    let (int, frac) = match body.split_once('.') {
        Some((i, f)) => (i, Some(f)),
        None => (body, None),
    };
    let mut grouped = String::new();
    for (i, c) in int.chars().enumerate() {
        if i > 0 && (int.len() - i) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(c);
    }
    let mut out = String::new();
    if neg {
        out.push('-');
    }
    out.push_str(&grouped);
    if let Some(f) = frac {
        out.push('.');
        out.push_str(f);
    }
    out
}

fn print_int(i: usize) -> String {
    print_num(i as f64)
}

/// santhosh-tekuri's `display`: strings quoted, lists/maps as `value`, others `%v`.
fn display(v: &Value) -> String {
    match v {
        Value::String(s) => squote(s),
        Value::List(_) | Value::Map(_) => "value".into(),
        Value::Nil => "<nil>".into(),
        other => gofmt::format_value(other),
    }
}

fn type_of(v: &Value) -> &'static str {
    match v {
        Value::Nil => "null",
        Value::Bool(_) => "boolean",
        Value::Int(_) | Value::Int64(_) | Value::Float(_) => "number",
        Value::String(_) | Value::Bytes(_) => "string",
        Value::List(_) => "array",
        Value::Map(_) | Value::Object(_) => "object",
    }
}

fn num(v: &Value) -> Option<f64> {
    match v {
        Value::Int(i) | Value::Int64(i) => Some(*i as f64),
        Value::Float(f) => Some(*f),
        _ => None,
    }
}

fn is_integer(v: &Value) -> bool {
    match v {
        Value::Int(_) | Value::Int64(_) => true,
        Value::Float(f) => f.fract() == 0.0 && f.is_finite(),
        _ => false,
    }
}

fn equals(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Nil, Value::Nil) => true,
        (Value::Bool(x), Value::Bool(y)) => x == y,
        (Value::String(x), Value::String(y)) => x == y,
        (Value::List(x), Value::List(y)) => {
            x.len() == y.len() && x.iter().zip(y.iter()).all(|(p, q)| equals(p, q))
        }
        (Value::Map(x), Value::Map(y)) => {
            let (x, y) = (x.borrow(), y.borrow());
            x.len() == y.len()
                && x.iter()
                    .all(|(k, v)| y.get(k).is_some_and(|w| equals(v, w)))
        }
        _ => match (num(a), num(b)) {
            (Some(x), Some(y)) => x == y,
            _ => false,
        },
    }
}

fn get<'a>(m: &'a hoist_gotmpl::Map, k: &str) -> Option<&'a Value> {
    m.get(k)
}

/// The names in `required` (a JSON list) that `obj` lacks, quoted.
fn missing_quoted(required: &[Value], obj: &hoist_gotmpl::Map) -> Vec<String> {
    required
        .iter()
        .filter_map(Value::as_str)
        .filter(|r| !obj.contains_key(*r))
        .map(squote)
        .collect()
}

struct Validator {
    root: Value,
    draft: u32,
    depth: usize,
}

/// Why a schema could not be used.
#[derive(Debug)]
struct SchemaError(String);

impl Validator {
    fn resolve_ref(&self, r: &str) -> Result<Value, SchemaError> {
        let frag = if let Some(f) = r.strip_prefix('#') {
            f
        } else if let Some(f) = r.strip_prefix(SCHEMA_URL).and_then(|x| x.strip_prefix('#')) {
            f
        } else if r == SCHEMA_URL {
            ""
        } else if r.starts_with("urn:") {
            // Helm's urn loader: unresolved URNs are a permissive `true` schema.
            return Ok(Value::Bool(true));
        } else {
            return Err(SchemaError(format!(
                "failing loading {}: unsupported remote reference",
                squote(r)
            )));
        };
        if frag.is_empty() {
            return Ok(self.root.clone());
        }
        if let Some(ptr) = frag.strip_prefix('/') {
            let mut cur = self.root.clone();
            for tok in ptr.split('/') {
                let tok = percent_decode(tok).replace("~1", "/").replace("~0", "~");
                let next = match &cur {
                    Value::Map(d) => d.get(&tok),
                    Value::List(l) => tok.parse::<usize>().ok().and_then(|i| l.get(i).cloned()),
                    _ => None,
                };
                cur = next.ok_or_else(|| {
                    SchemaError(format!("JSON pointer {} not found", squote(frag)))
                })?;
            }
            return Ok(cur);
        }
        find_anchor(&self.root, frag)
            .ok_or_else(|| SchemaError(format!("anchor {} not found", squote(frag))))
    }

    fn err(&self, loc: &[String], kind: Kind) -> VErr {
        VErr {
            loc: loc.to_vec(),
            kind,
            causes: Vec::new(),
        }
    }

    /// A keyword's error at `loc`.
    fn msg(&self, loc: &[String], msg: impl Into<String>) -> VErr {
        self.err(loc, Kind::Msg(msg.into()))
    }

    /// A keyword's error at `loc` with the subschema errors that caused it.
    fn msg_with(&self, loc: &[String], msg: impl Into<String>, causes: Vec<VErr>) -> VErr {
        VErr {
            causes,
            ..self.msg(loc, msg)
        }
    }

    /// The `min<what>`/`max<what>` keywords on a count `n` (properties, items, length).
    fn count_limits(
        &self,
        s: &hoist_gotmpl::Map,
        what: &str,
        n: usize,
        loc: &[String],
        errors: &mut Vec<VErr>,
    ) {
        for (key, fails) in [
            (format!("min{what}"), (|n, m| n < m) as fn(f64, f64) -> bool),
            (format!("max{what}"), |n, m| n > m),
        ] {
            if let Some(m) = get(s, &key).and_then(num)
                && fails(n as f64, m)
            {
                let msg = format!("{key}: got {}, want {}", print_int(n), print_num(m));
                errors.push(self.msg(loc, msg));
            }
        }
    }

    /// Draft 7's `dependencies` (list form) and 2019's `dependentRequired`: `pname` is present, so
    /// the properties in `required` must be too.
    fn dependent_required(
        &self,
        required: &[Value],
        obj: &hoist_gotmpl::Map,
        pname: &str,
        loc: &[String],
    ) -> Option<VErr> {
        let q = missing_quoted(required, obj);
        (!q.is_empty()).then(|| {
            let msg = format!(
                "properties {} required, if {} exists",
                q.join(", "),
                squote(pname)
            );
            self.msg(loc, msg)
        })
    }

    /// Validates each of `items` against `sch`, located by its index in `items`. (santhosh-tekuri
    /// v6.0.2 locates the items after a prefix this way too, from 0, as Helm shows:
    /// tests/data/schema/prefix-items-rest.)
    fn each_item(
        &mut self,
        sch: &Value,
        items: &[Value],
        loc: &mut Vec<String>,
        errors: &mut Vec<VErr>,
    ) -> Result<(), SchemaError> {
        for (i, item) in items.iter().enumerate() {
            self.sub(sch, item, loc, i.to_string(), errors)?;
        }
        Ok(())
    }

    /// Validates the first items of `arr` against the schemas of a tuple (`prefixItems`, or
    /// `items` as a list before 2020); returns how many items that evaluated.
    fn each_prefix(
        &mut self,
        schemas: &[Value],
        arr: &[Value],
        loc: &mut Vec<String>,
        errors: &mut Vec<VErr>,
    ) -> Result<usize, SchemaError> {
        for (i, (sch, item)) in schemas.iter().zip(arr).enumerate() {
            self.sub(sch, item, loc, i.to_string(), errors)?;
        }
        Ok(schemas.len().min(arr.len()))
    }

    /// Validates `v` against `sch`; `Err` carries one error (a group when several).
    fn validate(
        &mut self,
        sch: &Value,
        v: &Value,
        loc: &mut Vec<String>,
    ) -> Result<Result<(), VErr>, SchemaError> {
        self.depth += 1;
        if self.depth > 200 {
            self.depth -= 1;
            return Err(SchemaError("reference cycle or schema too deep".into()));
        }
        let r = self.validate_inner(sch, v, loc);
        self.depth -= 1;
        r
    }

    fn validate_inner(
        &mut self,
        sch: &Value,
        v: &Value,
        loc: &mut Vec<String>,
    ) -> Result<Result<(), VErr>, SchemaError> {
        let d = match sch {
            Value::Bool(true) => return Ok(Ok(())),
            Value::Bool(false) => return Ok(Err(self.msg(loc, "false schema"))),
            Value::Map(d) => d.clone(),
            _ => return Ok(Ok(())),
        };
        let s = d.borrow().clone();
        let draft = self.draft;
        // type
        if let Some(t) = get(&s, "type") {
            let types: Vec<String> = match t {
                Value::String(x) => vec![x.to_string()],
                Value::List(l) => l
                    .iter()
                    .filter_map(|x| x.as_str().map(String::from))
                    .collect(),
                _ => vec![],
            };
            if !types.is_empty() {
                let mut types = types;
                let rank = |t: &str| {
                    [
                        "null", "boolean", "number", "integer", "string", "array", "object",
                    ]
                    .iter()
                    .position(|x| *x == t)
                    .unwrap_or(7)
                };
                types.sort_by_key(|t| rank(t));
                types.dedup();
                let got = type_of(v);
                let ok = types.iter().any(|w| w == got)
                    || (types.iter().any(|w| w == "integer") && got == "number" && is_integer(v));
                if !ok {
                    let msg = format!("got {got}, want {}", types.join(" or "));
                    return Ok(Err(self.msg(loc, msg)));
                }
            }
        }
        // const
        if draft >= 6
            && let Some(c) = get(&s, "const")
            && !equals(v, c)
        {
            let msg = match c {
                Value::List(_) | Value::Map(_) => "'const' failed".to_string(),
                other => format!("value must be {}", display(other)),
            };
            return Ok(Err(self.msg(loc, msg)));
        }
        // enum
        if let Some(Value::List(items)) = get(&s, "enum")
            && !items.iter().any(|i| equals(v, i))
        {
            let all_prim = items
                .iter()
                .all(|i| !matches!(i, Value::List(_) | Value::Map(_)));
            let msg = if all_prim {
                if items.len() == 1 {
                    format!("value must be {}", display(&items[0]))
                } else {
                    let w: Vec<String> = items.iter().map(display).collect();
                    format!("value must be one of {}", w.join(", "))
                }
            } else {
                "'enum' failed".into()
            };
            return Ok(Err(self.msg(loc, msg)));
        }
        // format
        if draft < 2019
            && let Some(Value::String(f)) = get(&s, "format")
            && let Some(e) = check_format(f, v)
        {
            let msg = format!("{} is not valid {f}: {e}", display(v));
            return Ok(Err(self.msg(loc, msg)));
        }
        let mut errors: Vec<VErr> = Vec::new();
        // $ref
        if let Some(Value::String(r)) = get(&s, "$ref") {
            let target = self.resolve_ref(r)?;
            let res = self.validate(&target, v, loc)?;
            let res = res.map_err(|e| {
                let mut re = self.err(loc, Kind::Reference);
                match e.kind {
                    Kind::Group => re.causes = e.causes,
                    _ => re.causes.push(e),
                }
                re
            });
            if draft < 2019 {
                return Ok(res);
            }
            if let Err(e) = res {
                errors.push(e);
            }
        }
        match v {
            Value::Map(obj) => self.obj_validate(&s, obj, loc, &mut errors)?,
            Value::List(arr) => self.arr_validate(&s, arr, loc, &mut errors)?,
            Value::String(st) => self.str_validate(&s, st, loc, &mut errors),
            Value::Int(_) | Value::Int64(_) | Value::Float(_) => {
                self.num_validate(&s, num(v).unwrap_or(0.0), loc, &mut errors)
            }
            _ => {}
        }
        self.cond_validate(&s, v, loc, &mut errors)?;
        Ok(match errors.len() {
            0 => Ok(()),
            1 => Err(errors.pop().unwrap_or_else(|| self.err(loc, Kind::Group))),
            _ => {
                let mut g = self.err(loc, Kind::Group);
                g.causes = errors;
                Err(g)
            }
        })
    }

    fn sub(
        &mut self,
        sch: &Value,
        v: &Value,
        loc: &mut Vec<String>,
        tok: String,
        errors: &mut Vec<VErr>,
    ) -> Result<(), SchemaError> {
        loc.push(tok);
        let r = self.validate(sch, v, loc);
        loc.pop();
        if let Err(e) = r? {
            errors.push(e);
        }
        Ok(())
    }

    fn obj_validate(
        &mut self,
        s: &hoist_gotmpl::Map,
        obj: &Dict,
        loc: &mut Vec<String>,
        errors: &mut Vec<VErr>,
    ) -> Result<(), SchemaError> {
        let o = obj.borrow().clone();
        self.count_limits(s, "Properties", o.len(), loc, errors);
        if let Some(Value::List(req)) = get(s, "required") {
            let missing = missing_quoted(req, &o);
            match missing.as_slice() {
                [] => {}
                [one] => errors.push(self.msg(loc, format!("missing property {one}"))),
                many => {
                    errors.push(self.msg(loc, format!("missing properties {}", many.join(", "))))
                }
            }
        }
        if self.draft < 2019
            && let Some(Value::Map(deps)) = get(s, "dependencies")
        {
            for (pname, dep) in deps.borrow().clone() {
                if !o.contains_key(&pname) {
                    continue;
                }
                match &dep {
                    Value::List(l) => {
                        errors.extend(self.dependent_required(l, &o, &pname, loc));
                    }
                    sch => {
                        if let Err(e) = self.validate(sch, &Value::Map(obj.clone()), loc)? {
                            errors.push(e);
                        }
                    }
                }
            }
        }
        let props = match get(s, "properties") {
            Some(Value::Map(p)) => Some(p.borrow().clone()),
            _ => None,
        };
        let pattern_props: Vec<(String, Value)> = match get(s, "patternProperties") {
            Some(Value::Map(p)) => p
                .borrow()
                .iter()
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect(),
            _ => Vec::new(),
        };
        let additional = get(s, "additionalProperties").cloned();
        let mut extra = Vec::new();
        for (pname, pvalue) in &o {
            let mut evaluated = false;
            if let Some(sch) = props.as_ref().and_then(|p| p.get(pname)) {
                evaluated = true;
                self.sub(sch, pvalue, loc, pname.clone(), errors)?;
            }
            for (re, sch) in &pattern_props {
                let rx = compile_regex(re)?;
                if rx.is_match(pname) {
                    evaluated = true;
                    self.sub(sch, pvalue, loc, pname.clone(), errors)?;
                }
            }
            if !evaluated && let Some(a) = &additional {
                match a {
                    Value::Bool(false) => extra.push(pname.clone()),
                    Value::Bool(true) => {}
                    sch => self.sub(sch, pvalue, loc, pname.clone(), errors)?,
                }
            }
        }
        if !extra.is_empty() {
            let q: Vec<String> = extra.iter().map(|m| squote(m)).collect();
            let msg = format!("additional properties {} not allowed", q.join(", "));
            errors.push(self.msg(loc, msg));
        }
        if self.draft == 4 {
            return Ok(());
        }
        if let Some(pn) = get(s, "propertyNames") {
            for pname in o.keys() {
                if let Err(mut e) =
                    self.validate(pn, &Value::from(pname.as_str()), &mut Vec::new())?
                {
                    let inner = std::mem::take(&mut e);
                    let causes = match inner.kind {
                        Kind::Group => inner.causes,
                        _ => vec![inner],
                    };
                    let msg = format!("invalid propertyName {}", squote(pname));
                    errors.push(self.msg_with(loc, msg, causes));
                }
            }
        }
        if self.draft < 2019 {
            return Ok(());
        }
        if let Some(Value::Map(ds)) = get(s, "dependentSchemas") {
            for (pname, sch) in ds.borrow().clone() {
                if o.contains_key(&pname)
                    && let Err(e) = self.validate(&sch, &Value::Map(obj.clone()), loc)?
                {
                    errors.push(e);
                }
            }
        }
        if let Some(Value::Map(dr)) = get(s, "dependentRequired") {
            for (pname, req) in dr.borrow().clone() {
                if !o.contains_key(&pname) {
                    continue;
                }
                if let Value::List(l) = &req {
                    errors.extend(self.dependent_required(l, &o, &pname, loc));
                }
            }
        }
        Ok(())
    }

    fn arr_validate(
        &mut self,
        s: &hoist_gotmpl::Map,
        arr: &[Value],
        loc: &mut Vec<String>,
        errors: &mut Vec<VErr>,
    ) -> Result<(), SchemaError> {
        let n = arr.len();
        self.count_limits(s, "Items", n, loc, errors);
        if matches!(get(s, "uniqueItems"), Some(Value::Bool(true))) && n > 1 {
            'dup: for i in 0..n {
                for j in i + 1..n {
                    if equals(&arr[i], &arr[j]) {
                        let msg =
                            format!("items at {} and {} are equal", print_int(i), print_int(j));
                        errors.push(self.msg(loc, msg));
                        break 'dup;
                    }
                }
            }
        }
        if self.draft < 2020 {
            let mut evaluated = 0;
            match get(s, "items") {
                Some(Value::List(items)) => {
                    evaluated = self.each_prefix(items, arr, loc, errors)?
                }
                Some(sch) => {
                    self.each_item(sch, arr, loc, errors)?;
                    evaluated = n;
                }
                None => {}
            }
            match get(s, "additionalItems") {
                Some(Value::Bool(false))
                    if evaluated != n && matches!(get(s, "items"), Some(Value::List(_))) =>
                {
                    let msg = format!(
                        "last {} additionalItem(s) not allowed",
                        print_int(n - evaluated)
                    );
                    errors.push(self.msg(loc, msg));
                }
                Some(sch @ Value::Map(_)) if matches!(get(s, "items"), Some(Value::List(_))) => {
                    self.each_item(sch, &arr[evaluated..], loc, errors)?;
                }
                _ => {}
            }
        } else {
            let evaluated = match get(s, "prefixItems") {
                Some(Value::List(prefix)) => self.each_prefix(prefix, arr, loc, errors)?,
                _ => 0,
            };
            if let Some(sch) = get(s, "items") {
                self.each_item(sch, &arr[evaluated..], loc, errors)?;
            }
        }
        if self.draft >= 6
            && let Some(c) = get(s, "contains")
        {
            let mut errs = Vec::new();
            let mut matched = Vec::new();
            for (i, item) in arr.iter().enumerate() {
                loc.push(i.to_string());
                let r = self.validate(c, item, loc)?;
                loc.pop();
                match r {
                    Ok(()) => matched.push(i),
                    Err(e) => errs.push(e),
                }
            }
            let min_c = if self.draft >= 2019 {
                get(s, "minContains").and_then(num)
            } else {
                None
            };
            let max_c = if self.draft >= 2019 {
                get(s, "maxContains").and_then(num)
            } else {
                None
            };
            if let Some(mc) = min_c {
                if (matched.len() as f64) < mc {
                    let msg = if matched.is_empty() {
                        format!(
                            "min {} items required to match contains schema, but none matched",
                            print_num(mc)
                        )
                    } else {
                        let got: Vec<String> = matched.iter().map(|i| i.to_string()).collect();
                        format!(
                            "min {} items required to match contains schema, but matched {} items at {}",
                            print_num(mc),
                            print_int(matched.len()),
                            got.join(" ")
                        )
                    };
                    errors.push(self.msg_with(loc, msg, errs));
                }
            } else if matched.is_empty() {
                errors.push(self.msg_with(loc, "no items match contains schema", errs));
            }
            if let Some(mc) = max_c
                && (matched.len() as f64) > mc
            {
                let got: Vec<String> = matched.iter().map(|i| i.to_string()).collect();
                let msg = format!(
                    "max {} items required to match contains schema, but matched {} items at {}",
                    print_num(mc),
                    print_int(matched.len()),
                    got.join(" ")
                );
                errors.push(self.msg(loc, msg));
            }
        }
        Ok(())
    }

    fn str_validate(
        &mut self,
        s: &hoist_gotmpl::Map,
        st: &str,
        loc: &[String],
        errors: &mut Vec<VErr>,
    ) {
        self.count_limits(s, "Length", st.chars().count(), loc, errors);
        if let Some(Value::String(p)) = get(s, "pattern")
            && let Ok(rx) = compile_regex(p)
            && !rx.is_match(st)
        {
            let msg = format!("{} does not match pattern {}", squote(st), squote(p));
            errors.push(self.msg(loc, msg));
        }
    }

    fn num_validate(
        &mut self,
        s: &hoist_gotmpl::Map,
        x: f64,
        loc: &[String],
        errors: &mut Vec<VErr>,
    ) {
        let mut minimum = get(s, "minimum").and_then(num);
        let mut maximum = get(s, "maximum").and_then(num);
        let (mut emin, mut emax) = (None, None);
        if self.draft == 4 {
            if matches!(get(s, "exclusiveMinimum"), Some(Value::Bool(true))) {
                emin = minimum.take();
            }
            if matches!(get(s, "exclusiveMaximum"), Some(Value::Bool(true))) {
                emax = maximum.take();
            }
        } else {
            emin = get(s, "exclusiveMinimum").and_then(num);
            emax = get(s, "exclusiveMaximum").and_then(num);
        }
        let mut push = |name: &str, want: f64| {
            let msg = format!("{name}: got {}, want {}", print_num(x), print_num(want));
            errors.push(self.msg(loc, msg));
        };
        if let Some(m) = minimum
            && x < m
        {
            push("minimum", m);
        }
        if let Some(m) = maximum
            && x > m
        {
            push("maximum", m);
        }
        if let Some(m) = emin
            && x <= m
        {
            push("exclusiveMinimum", m);
        }
        if let Some(m) = emax
            && x >= m
        {
            push("exclusiveMaximum", m);
        }
        if let Some(m) = get(s, "multipleOf").and_then(num)
            && m != 0.0
        {
            let q = x / m;
            if (q - q.round()).abs() > 1e-9 * q.abs().max(1.0) {
                push("multipleOf", m);
            }
        }
    }

    fn cond_validate(
        &mut self,
        s: &hoist_gotmpl::Map,
        v: &Value,
        loc: &mut Vec<String>,
        errors: &mut Vec<VErr>,
    ) -> Result<(), SchemaError> {
        if let Some(n) = get(s, "not")
            && self.validate(n, v, loc)?.is_ok()
        {
            errors.push(self.msg(loc, "'not' failed"));
        }
        if let Some(Value::List(all)) = get(s, "allOf") {
            let mut errs = Vec::new();
            for sch in all.iter() {
                if let Err(e) = self.validate(sch, v, loc)? {
                    errs.push(e);
                }
            }
            if !errs.is_empty() {
                errors.push(self.msg_with(loc, "'allOf' failed", errs));
            }
        }
        if let Some(Value::List(any)) = get(s, "anyOf") {
            let mut errs = Vec::new();
            let mut matched = false;
            for sch in any.iter() {
                match self.validate(sch, v, loc)? {
                    Ok(()) => {
                        matched = true;
                        break;
                    }
                    Err(e) => errs.push(e),
                }
            }
            if !matched {
                errors.push(self.msg_with(loc, "'anyOf' failed", errs));
            }
        }
        if let Some(Value::List(one)) = get(s, "oneOf") {
            let mut errs = Vec::new();
            let mut matched: Option<usize> = None;
            for (i, sch) in one.iter().enumerate() {
                match self.validate(sch, v, loc)? {
                    Ok(()) => match matched {
                        None => matched = Some(i),
                        Some(m) => {
                            let msg = format!("'oneOf' failed, subschemas {m}, {i} matched");
                            errors.push(self.msg(loc, msg));
                            break;
                        }
                    },
                    Err(e) => {
                        if matched.is_none() {
                            errs.push(e);
                        }
                    }
                }
            }
            if matched.is_none() {
                errors.push(self.msg_with(loc, "'oneOf' failed, none matched", errs));
            }
        }
        if self.draft >= 7
            && let Some(i) = get(s, "if")
        {
            if self.validate(i, v, loc)?.is_ok() {
                if let Some(t) = get(s, "then")
                    && let Err(e) = self.validate(t, v, loc)?
                {
                    errors.push(e);
                }
            } else if let Some(el) = get(s, "else")
                && let Err(e) = self.validate(el, v, loc)?
            {
                errors.push(e);
            }
        }
        Ok(())
    }
}

impl Default for VErr {
    fn default() -> Self {
        VErr {
            loc: Vec::new(),
            kind: Kind::Group,
            causes: Vec::new(),
        }
    }
}

thread_local! {
    static REGEX_CACHE: std::cell::RefCell<std::collections::HashMap<String, regex::Regex>> =
        std::cell::RefCell::new(std::collections::HashMap::new());
}

fn compile_regex(p: &str) -> Result<regex::Regex, SchemaError> {
    if let Some(r) = REGEX_CACHE.with(|c| c.borrow().get(p).cloned()) {
        return Ok(r);
    }
    let rx =
        regex::Regex::new(p).map_err(|_| SchemaError(format!("invalid regex {}", squote(p))))?;
    REGEX_CACHE.with(|c| c.borrow_mut().insert(p.to_string(), rx.clone()));
    Ok(rx)
}

fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%'
            && i + 2 < b.len() + 1
            && let Some(h) = s.get(i + 1..i + 3)
            && let Ok(x) = u8::from_str_radix(h, 16)
        {
            out.push(x);
            i += 3;
            continue;
        }
        out.push(b[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn find_anchor(v: &Value, name: &str) -> Option<Value> {
    match v {
        Value::Map(d) => {
            let m = d.borrow();
            let hit = matches!(m.get("$anchor"), Some(Value::String(a)) if &**a == name)
                || matches!(m.get("$id"), Some(Value::String(a)) if a.strip_prefix('#') == Some(name))
                || matches!(m.get("id"), Some(Value::String(a)) if a.strip_prefix('#') == Some(name));
            if hit {
                return Some(v.clone());
            }
            m.values().find_map(|x| find_anchor(x, name))
        }
        Value::List(l) => l.iter().find_map(|x| find_anchor(x, name)),
        _ => None,
    }
}

/// Format checks asserted for drafts before 2019-09; the error text after `is not valid <f>: `.
fn check_format(f: &str, v: &Value) -> Option<String> {
    let Value::String(s) = v else {
        return None;
    };
    match f {
        "email" => validate_email(s),
        "hostname" => validate_hostname(s),
        "ipv4" => validate_ipv4(s),
        "ipv6" => validate_ipv6(s),
        "uuid" => {
            let ok = s.len() == 36
                && s.char_indices().all(|(i, c)| {
                    if matches!(i, 8 | 13 | 18 | 23) {
                        c == '-'
                    } else {
                        c.is_ascii_hexdigit()
                    }
                });
            (!ok).then(|| "invalid uuid".to_string())
        }
        "regex" => regex::Regex::new(s).err().map(|e| e.to_string()),
        "date" => validate_date(s),
        "date-time" => {
            let t = s.find(['T', 't'])?;
            validate_date(&s[..t]).or_else(|| {
                let time = &s[t + 1..];
                if time.is_empty() {
                    Some("invalid time".into())
                } else {
                    None
                }
            })
        }
        "uri" => {
            let scheme_end = s.find(':');
            match scheme_end {
                Some(i)
                    if i > 0
                        && s[..i]
                            .chars()
                            .next()
                            .is_some_and(|c| c.is_ascii_alphabetic()) =>
                {
                    None
                }
                _ => Some("no scheme".into()),
            }
        }
        _ => None,
    }
}

fn validate_ipv4(s: &str) -> Option<String> {
    let groups: Vec<&str> = s.split('.').collect();
    if groups.len() != 4 {
        return Some("expected four decimals".into());
    }
    for g in groups {
        if g.len() > 1 && g.starts_with('0') {
            return Some("leading zeros".into());
        }
        match g.parse::<i64>() {
            Ok(n) if (0..=255).contains(&n) => {}
            Ok(_) => return Some("decimal must be between 0 and 255".into()),
            Err(_) => {
                return Some(format!(
                    "strconv.Atoi: parsing {}: invalid syntax",
                    quote(g)
                ));
            }
        }
    }
    None
}

fn validate_ipv6(s: &str) -> Option<String> {
    if !s.contains(':') {
        return Some("missing colon".into());
    }
    if s.contains('%') {
        return Some("zone id is not a part of ipv6 address".into());
    }
    match s.parse::<std::net::Ipv6Addr>() {
        Ok(_) => None,
        Err(_) => Some(format!("ParseAddr({}): invalid IPv6 address", quote(s))),
    }
}

fn validate_hostname(s: &str) -> Option<String> {
    let s = s.strip_suffix('.').unwrap_or(s);
    if s.len() > 253 {
        return Some("more than 253 characters long".into());
    }
    for label in s.split('.') {
        if label.is_empty() || label.len() > 63 {
            return Some("label must be 1 to 63 characters long".into());
        }
        if label.starts_with('-') {
            return Some("label starts with hyphen".into());
        }
        if label.ends_with('-') {
            return Some("label ends with hyphen".into());
        }
        if let Some(e) = invalid_char(label, |c| c.is_ascii_alphanumeric() || c == '-') {
            return Some(e);
        }
    }
    None
}

/// `invalid character 'c'` (Go's `%q` of a rune) for the first character of `s` not `allowed`.
fn invalid_char(s: &str, allowed: impl Fn(char) -> bool) -> Option<String> {
    let c = s.chars().find(|&c| !allowed(c))?;
    let mut msg = String::from("invalid character ");
    gofmt::push_quoted_rune(&mut msg, c, false);
    Some(msg)
}

fn validate_email(s: &str) -> Option<String> {
    if s.len() > 254 {
        return Some("more than 255 characters long".into());
    }
    let Some(at) = s.rfind('@') else {
        return Some("missing @".into());
    };
    let (local, domain) = (&s[..at], &s[at + 1..]);
    if local.len() > 64 {
        return Some("local part more than 64 characters long".into());
    }
    if local.len() > 1 && local.starts_with('"') {
        let inner = &local[1..local.len() - 1];
        if inner.contains('\\') || inner.contains('"') {
            return Some("backslash and quote are not allowed within quoted local part".into());
        }
    } else {
        if local.starts_with('.') {
            return Some("starts with dot".into());
        }
        if local.ends_with('.') {
            return Some("ends with dot".into());
        }
        if local.contains("..") {
            return Some("consecutive dots".into());
        }
        let allowed = |c: char| c.is_ascii_alphanumeric() || ".!#$%&'*+-/=?^_`{|}~".contains(c);
        if let Some(e) = invalid_char(local, allowed) {
            return Some(e);
        }
    }
    if domain.starts_with('[') && domain.ends_with(']') && domain.len() >= 2 {
        let d = &domain[1..domain.len() - 1];
        if let Some(rem) = d.strip_prefix("IPv6:") {
            return validate_ipv6(rem).map(|e| format!("invalid ipv6 address: {e}"));
        }
        return validate_ipv4(d).map(|e| format!("invalid ipv4 address: {e}"));
    }
    validate_hostname(domain).map(|e| format!("invalid domain: {e}"))
}

fn validate_date(s: &str) -> Option<String> {
    let b = s.as_bytes();
    let ok = b.len() == 10
        && b[4] == b'-'
        && b[7] == b'-'
        && b.iter()
            .enumerate()
            .all(|(i, c)| i == 4 || i == 7 || c.is_ascii_digit());
    if !ok {
        return Some(format!(
            "parsing time {} as \"2006-01-02\": cannot parse {} as \"2006\"",
            quote(s),
            quote(s)
        ));
    }
    let m: u32 = s[5..7].parse().unwrap_or(0);
    let d: u32 = s[8..10].parse().unwrap_or(0);
    if !(1..=12).contains(&m) {
        return Some(format!("parsing time {}: month out of range", quote(s)));
    }
    if !(1..=31).contains(&d) {
        return Some(format!("parsing time {}: day out of range", quote(s)));
    }
    None
}

fn draft_of(schema: &Value) -> u32 {
    let Value::Map(d) = schema else {
        return 2020;
    };
    let Some(Value::String(u)) = d.get("$schema") else {
        return 2020;
    };
    let u = u.trim_end_matches('#');
    let u = u
        .strip_prefix("http://")
        .or_else(|| u.strip_prefix("https://"))
        .unwrap_or(u);
    match u {
        "json-schema.org/draft/2019-09/schema" => 2019,
        "json-schema.org/draft-07/schema" => 7,
        "json-schema.org/draft-06/schema" => 6,
        "json-schema.org/draft-04/schema" => 4,
        _ => 2020,
    }
}

/// Helm's `ValidateAgainstSingleSchema`: `Ok(None)` when valid, `Ok(Some(report))` with the
/// report lines (`- at '/age': minimum: got -5, want 0\n`), `Err` when the schema is unusable.
pub fn validate_single(values: &Dict, schema_json: &[u8]) -> Result<Option<String>, String> {
    let text = String::from_utf8_lossy(schema_json);
    let schema = gojson::unmarshal_schema(&text)?;
    let mut vd = Validator {
        draft: draft_of(&schema),
        root: schema.clone(),
        depth: 0,
    };
    let v = Value::Map(values.clone());
    let r = vd.validate(&schema, &v, &mut Vec::new());
    match r {
        Err(SchemaError(e)) => Err(format!(
            "jsonschema validation failed with '{SCHEMA_URL}#'\n- {e}"
        )),
        Ok(Ok(())) => Ok(None),
        Ok(Err(e)) => {
            let causes = match e.kind {
                Kind::Group => e.causes,
                _ => vec![e],
            };
            let mut sb = String::new();
            for c in &causes {
                c.display(&mut sb, 1);
            }
            // Helm strips the "jsonschema validation failed with ..." first line.
            let body = sb.strip_prefix('\n').unwrap_or(&sb);
            Ok(Some(format!("{body}\n")))
        }
    }
}

/// Helm's `ValidateAgainstSchema`: the root chart's schema against the coalesced values, then
/// each subchart's against `values[<name>]`, recursively. The error is the report
/// (`<chart>:\n- at …\n`), without the prefix Helm's render step adds.
pub fn validate_against_schema(chart: &Chart, values: &Dict) -> Result<(), ChartError> {
    let report = schema_report(chart, values);
    if report.is_empty() {
        return Ok(());
    }
    Err(ChartError::Schema(report))
}

fn schema_report(chart: &Chart, values: &Dict) -> String {
    let mut sb = String::new();
    if let Some(schema) = &chart.schema {
        match validate_single(values, schema) {
            Ok(None) => {}
            Ok(Some(r)) => {
                let _ = write!(sb, "{}:\n{r}", chart.name());
            }
            Err(e) => {
                let _ = write!(sb, "{}:\n{e}", chart.name());
            }
        }
    }
    for sub in &chart.dependencies {
        let raw = values.get(sub.name());
        match raw {
            None | Some(Value::Nil) => continue,
            Some(Value::Map(d)) if d.kind() == hoist_gotmpl::MapKind::Plain => {
                sb.push_str(&schema_report(sub, &d));
            }
            Some(other) => {
                let _ = write!(
                    sb,
                    "{}:\ninvalid type for values: expected object (map), got {}\n",
                    sub.name(),
                    other.type_name()
                );
            }
        }
    }
    sb
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grouping() {
        assert_eq!(print_num(-5.0), "-5");
        assert_eq!(print_num(1234.0), "1,234");
        assert_eq!(print_num(3.5), "3.5");
        assert_eq!(print_num(1e6), "1×10⁰⁶");
        assert_eq!(print_num(1e-5), "1×10⁻⁰⁵");
        assert_eq!(squote("a'b\"c"), "'a\\'b\"c'");
    }
}
