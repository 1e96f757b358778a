//! Sprig's dict functions (`dict.go`): maps are shared, so `set`, `unset` and the merges change
//! the map the caller passed, as in Go.
//!
//! `keys` and `values` return Go map order in Sprig, which is random; here they return key order,
//! a deliberate deterministic choice (templates that care sort the result anyway).

use hoist_gotmpl::{ArgType, Dict, FuncError, Map, MapKind, Value};

use crate::SprigFunc;
use crate::args::{Any, Map as MapT, R, Str, a, fail, fixed, func, ok_strings, s, var};
use crate::conv::{is_empty, plain_map, strval};

fn dict_arg(args: &[Value], i: usize) -> Dict {
    match args.get(i) {
        Some(Value::Map(d)) => d.clone(),
        _ => Dict::new(Map::new()),
    }
}

fn get(args: &[Value]) -> R {
    Ok(dict_arg(args, 0)
        .get(s(args, 1))
        .unwrap_or_else(|| Value::from("")))
}

fn set(args: &[Value]) -> R {
    let d = dict_arg(args, 0);
    d.insert(s(args, 1), a(args, 2).clone());
    Ok(plain_map(&Value::Map(d)))
}

fn unset(args: &[Value]) -> R {
    let d = dict_arg(args, 0);
    d.borrow_mut().remove(s(args, 1));
    Ok(plain_map(&Value::Map(d)))
}

fn has_key(args: &[Value]) -> R {
    Ok(Value::Bool(
        dict_arg(args, 0).borrow().contains_key(s(args, 1)),
    ))
}

fn pluck(args: &[Value]) -> R {
    let key = s(args, 0);
    let out: Vec<Value> = args
        .iter()
        .skip(1)
        .filter_map(|v| match v {
            Value::Map(d) => d.get(key),
            _ => None,
        })
        .collect();
    Ok(Value::list(out))
}

fn keys(args: &[Value]) -> R {
    let mut out = Vec::new();
    for v in args {
        if let Value::Map(d) = v {
            out.extend(d.borrow().keys().cloned());
        }
    }
    ok_strings(out)
}

fn pick(args: &[Value]) -> R {
    let d = dict_arg(args, 0);
    let mut res = Map::new();
    for k in args.iter().skip(1) {
        let k = k.as_str().unwrap_or_default();
        if let Some(v) = d.get(k) {
            res.insert(k.to_string(), v);
        }
    }
    Ok(Value::map(res))
}

fn omit(args: &[Value]) -> R {
    let d = dict_arg(args, 0);
    let omit: Vec<&str> = args
        .iter()
        .skip(1)
        .map(|k| k.as_str().unwrap_or_default())
        .collect();
    let res: Map = d
        .snapshot()
        .into_iter()
        .filter(|(k, _)| !omit.contains(&k.as_str()))
        .collect();
    Ok(Value::map(res))
}

fn dict(args: &[Value]) -> R {
    let mut m = Map::new();
    let mut i = 0;
    while i < args.len() {
        let key = strval(&args[i]);
        let v = args.get(i + 1).cloned().unwrap_or_else(|| Value::from(""));
        m.insert(key, v);
        i += 2;
    }
    Ok(Value::map(m))
}

fn values(args: &[Value]) -> R {
    let d = dict_arg(args, 0);
    Ok(Value::list(
        d.snapshot().into_iter().map(|(_, v)| v).collect(),
    ))
}

const MAX_MERGE_DEPTH: usize = 1_000;

/// mergo's `deepMerge` of two `map[string]interface{}` values, as Sprig calls it
/// (`Merge(&dst, src)`, optionally `WithOverride`).
fn deep_merge(dst: &Dict, src: &Dict, overwrite: bool, depth: usize) -> Result<(), FuncError> {
    if depth > MAX_MERGE_DEPTH {
        return fail("merge: maps nest too deeply (or contain themselves)");
    }
    for (key, s) in src.snapshot() {
        let d = dst.get(&key);
        match &s {
            Value::Nil => {
                if overwrite {
                    dst.insert(key, Value::Nil);
                }
                continue;
            }
            Value::Map(sm) => {
                if let Some(Value::Map(dm)) = &d {
                    if dm.kind() == MapKind::StringMap
                        && sm.kind() != MapKind::StringMap
                        && !sm.is_empty()
                    {
                        return fail(
                            "reflect.Value.SetMapIndex: value of type interface {} is not assignable to type string",
                        );
                    }
                    deep_merge(dm, sm, overwrite, depth + 1)?;
                }
            }
            Value::List(_) | Value::Bytes(_) => {
                // mergo compares the emptiness of the enclosing maps here, not of the elements.
                let replace = overwrite || dst.is_empty();
                match (&d, replace) {
                    (_, true) => dst.insert(key.clone(), s.clone()),
                    (None | Some(Value::Nil), false) => {}
                    (Some(existing), false) => dst.insert(key.clone(), existing.clone()),
                }
            }
            _ => {}
        }
        // mergo looks at the destination value it read before this key was merged (for a
        // nested map, the same map, now merged).
        let d_valid = d.is_some();
        if let Some(dv) = &d
            && d_valid
            && !is_empty(dv)
            && (matches!(s, Value::List(_) | Value::Bytes(_))
                || matches!(s, Value::Map(_)) && matches!(dv, Value::Map(_)))
        {
            continue;
        }
        let d_empty = d.as_ref().is_none_or(is_empty);
        if overwrite || !d_valid || d_empty {
            dst.insert(key, s);
        }
    }
    Ok(())
}

fn merge_impl(args: &[Value], overwrite: bool, must: bool) -> R {
    let dst = dict_arg(args, 0);
    for src in args.iter().skip(1) {
        let src = match src {
            Value::Map(d) => d.clone(),
            _ => Dict::new(Map::new()),
        };
        if let Err(e) = deep_merge(&dst, &src, overwrite, 0) {
            if must {
                return Err(e);
            }
            return Ok(Value::from(""));
        }
    }
    Ok(plain_map(&Value::Map(dst)))
}

fn merge(args: &[Value]) -> R {
    merge_impl(args, false, false)
}
fn must_merge(args: &[Value]) -> R {
    merge_impl(args, false, true)
}
fn merge_overwrite(args: &[Value]) -> R {
    merge_impl(args, true, false)
}
fn must_merge_overwrite(args: &[Value]) -> R {
    merge_impl(args, true, true)
}

fn deep_copy(args: &[Value]) -> R {
    match a(args, 0) {
        Value::Nil => fail("reflect: call of reflect.Value.Type on zero Value"),
        v => Ok(v.deep_copy()),
    }
}

/// Go's `%T` of a value as an interface conversion panic names it.
fn type_for_panic(v: &Value) -> String {
    match v {
        Value::Nil => "nil".into(),
        other => other.type_name(),
    }
}

fn dig(args: &[Value]) -> R {
    if args.len() < 3 {
        return fail("dig needs at least three arguments");
    }
    let last = &args[args.len() - 1];
    let dict = match last {
        Value::Map(d) if d.kind() == MapKind::Plain => d.clone(),
        other => {
            return fail(format!(
                "interface conversion: interface {{}} is {}, not map[string]interface {{}}",
                type_for_panic(other)
            ));
        }
    };
    let def = &args[args.len() - 2];
    let mut ks = Vec::with_capacity(args.len() - 2);
    for k in &args[..args.len() - 2] {
        match k {
            Value::String(s) => ks.push(s.to_string()),
            other => {
                return fail(format!(
                    "interface conversion: interface {{}} is {}, not string",
                    type_for_panic(other)
                ));
            }
        }
    }
    let mut cur = dict;
    for (i, k) in ks.iter().enumerate() {
        let Some(step) = cur.get(k) else {
            return Ok(def.clone());
        };
        if i == ks.len() - 1 {
            return Ok(step);
        }
        cur = match step {
            Value::Map(d) if d.kind() == MapKind::Plain => d,
            other => {
                return fail(format!(
                    "interface conversion: interface {{}} is {}, not map[string]interface {{}}",
                    type_for_panic(&other)
                ));
            }
        };
    }
    Ok(def.clone())
}

/// The dict functions.
pub fn functions() -> Vec<SprigFunc> {
    const MS: &[ArgType] = &[MapT, Str];
    vec![
        func("dict", var(&[], Any), dict),
        func("get", fixed(MS), get),
        func("set", fixed(&[MapT, Str, Any]), set),
        func("unset", fixed(MS), unset),
        func("hasKey", fixed(MS), has_key),
        func("pluck", var(&[Str], MapT), pluck),
        func("keys", var(&[], MapT), keys),
        func("pick", var(&[MapT], Str), pick),
        func("omit", var(&[MapT], Str), omit),
        func("merge", var(&[MapT], MapT), merge),
        func("mergeOverwrite", var(&[MapT], MapT), merge_overwrite),
        func("mustMerge", var(&[MapT], MapT), must_merge),
        func(
            "mustMergeOverwrite",
            var(&[MapT], MapT),
            must_merge_overwrite,
        ),
        func("values", fixed(&[MapT]), values),
        func("deepCopy", fixed(&[Any]), deep_copy),
        func("mustDeepCopy", fixed(&[Any]), deep_copy),
        func("dig", var(&[], Any), dig),
    ]
}
