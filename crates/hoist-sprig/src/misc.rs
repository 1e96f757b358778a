//! Sprig's defaults and flow functions (`defaults.go`), type checks (`reflect.go`), paths
//! (Go's `path` and `path/filepath` on Unix) and regular expressions (`regex.go`).

use hoist_gotmpl::{ArgType, Value};

use crate::SprigFunc;
use crate::args::{Any, Int, R, Str, a, fixed, func, n, ok_str, ok_strings, s, var};
use crate::conv::{deep_equal, is_empty};
use crate::goregex::{GoRegex, quote_meta};

fn default(args: &[Value]) -> R {
    match args.get(1) {
        Some(g) if !is_empty(g) => Ok(g.clone()),
        _ => Ok(a(args, 0).clone()),
    }
}

fn empty(args: &[Value]) -> R {
    Ok(Value::Bool(is_empty(a(args, 0))))
}

fn coalesce(args: &[Value]) -> R {
    Ok(args
        .iter()
        .find(|v| !is_empty(v))
        .cloned()
        .unwrap_or(Value::Nil))
}

fn all(args: &[Value]) -> R {
    Ok(Value::Bool(args.iter().all(|v| !is_empty(v))))
}

fn any(args: &[Value]) -> R {
    Ok(Value::Bool(args.iter().any(|v| !is_empty(v))))
}

fn ternary(args: &[Value]) -> R {
    let cond = matches!(args.get(2), Some(Value::Bool(true)));
    Ok(if cond { a(args, 0) } else { a(args, 1) }.clone())
}

fn type_of(args: &[Value]) -> R {
    ok_str(a(args, 0).type_name())
}

fn type_is(args: &[Value]) -> R {
    Ok(Value::Bool(s(args, 0) == a(args, 1).type_name()))
}

fn type_is_like(args: &[Value]) -> R {
    let t = a(args, 1).type_name();
    let target = s(args, 0);
    Ok(Value::Bool(target == t || format!("*{target}") == t))
}

fn kind_of(args: &[Value]) -> R {
    ok_str(a(args, 0).kind_name())
}

fn kind_is(args: &[Value]) -> R {
    Ok(Value::Bool(s(args, 0) == a(args, 1).kind_name()))
}

fn deep_equal_fn(args: &[Value]) -> R {
    Ok(Value::Bool(deep_equal(a(args, 0), a(args, 1))))
}

/// Go's `path.Clean`.
pub fn clean(p: &str) -> String {
    if p.is_empty() {
        return ".".into();
    }
    let rooted = p.starts_with('/');
    let mut parts: Vec<&str> = Vec::new();
    for seg in p.split('/') {
        match seg {
            "" | "." => {}
            ".." => {
                if parts.last().is_some_and(|l| *l != "..") {
                    parts.pop();
                } else if !rooted {
                    parts.push("..");
                }
            }
            other => parts.push(other),
        }
    }
    let body = parts.join("/");
    if rooted {
        format!("/{body}")
    } else if body.is_empty() {
        ".".into()
    } else {
        body
    }
}

fn base(p: &str) -> String {
    if p.is_empty() {
        return ".".into();
    }
    let t = p.trim_end_matches('/');
    if t.is_empty() {
        return "/".into();
    }
    match t.rfind('/') {
        Some(i) => t[i + 1..].to_string(),
        None => t.to_string(),
    }
}

fn dir(p: &str) -> String {
    let i = p.rfind('/').map_or(0, |i| i + 1);
    clean(&p[..i])
}

fn ext(p: &str) -> String {
    for (i, c) in p.char_indices().rev() {
        if c == '/' {
            break;
        }
        if c == '.' {
            return p[i..].to_string();
        }
    }
    String::new()
}

fn path_base(args: &[Value]) -> R {
    ok_str(base(s(args, 0)))
}
fn path_dir(args: &[Value]) -> R {
    ok_str(dir(s(args, 0)))
}
fn path_clean(args: &[Value]) -> R {
    ok_str(clean(s(args, 0)))
}
fn path_ext(args: &[Value]) -> R {
    ok_str(ext(s(args, 0)))
}
fn path_is_abs(args: &[Value]) -> R {
    Ok(Value::Bool(s(args, 0).starts_with('/')))
}

fn regex_match(args: &[Value]) -> R {
    Ok(Value::Bool(
        GoRegex::compile(s(args, 0)).is_ok_and(|r| r.is_match(s(args, 1))),
    ))
}

fn must_regex_match(args: &[Value]) -> R {
    let r = GoRegex::compile(s(args, 0)).map_err(hoist_gotmpl::FuncError::new)?;
    Ok(Value::Bool(r.is_match(s(args, 1))))
}

fn compile(args: &[Value], must: bool) -> Result<GoRegex, hoist_gotmpl::FuncError> {
    if must {
        GoRegex::compile(s(args, 0)).map_err(hoist_gotmpl::FuncError::new)
    } else {
        GoRegex::must_compile(s(args, 0)).map_err(hoist_gotmpl::FuncError::new)
    }
}

fn find_all_impl(args: &[Value], must: bool) -> R {
    let r = compile(args, must)?;
    ok_strings(r.find_all(s(args, 1), n(args, 2)))
}
fn regex_find_all(args: &[Value]) -> R {
    find_all_impl(args, false)
}
fn must_regex_find_all(args: &[Value]) -> R {
    find_all_impl(args, true)
}

fn find_impl(args: &[Value], must: bool) -> R {
    let r = compile(args, must)?;
    ok_str(r.find(s(args, 1)))
}
fn regex_find(args: &[Value]) -> R {
    find_impl(args, false)
}
fn must_regex_find(args: &[Value]) -> R {
    find_impl(args, true)
}

fn replace_impl(args: &[Value], must: bool, literal: bool) -> R {
    let r = compile(args, must)?;
    ok_str(r.replace_all(s(args, 1), s(args, 2), literal))
}
fn regex_replace_all(args: &[Value]) -> R {
    replace_impl(args, false, false)
}
fn must_regex_replace_all(args: &[Value]) -> R {
    replace_impl(args, true, false)
}
fn regex_replace_all_literal(args: &[Value]) -> R {
    replace_impl(args, false, true)
}
fn must_regex_replace_all_literal(args: &[Value]) -> R {
    replace_impl(args, true, true)
}

fn split_impl(args: &[Value], must: bool) -> R {
    let r = compile(args, must)?;
    ok_strings(r.split(s(args, 1), n(args, 2)))
}
fn regex_split(args: &[Value]) -> R {
    split_impl(args, false)
}
fn must_regex_split(args: &[Value]) -> R {
    split_impl(args, true)
}

fn regex_quote_meta(args: &[Value]) -> R {
    ok_str(quote_meta(s(args, 0)))
}

/// Defaults, type checks, paths and regular expressions.
pub fn functions() -> Vec<SprigFunc> {
    const S1: &[ArgType] = &[Str];
    const SS: &[ArgType] = &[Str, Str];
    const SSI: &[ArgType] = &[Str, Str, Int];
    const SSS: &[ArgType] = &[Str, Str, Str];
    vec![
        func("default", var(&[Any], Any), default),
        func("empty", fixed(&[Any]), empty),
        func("coalesce", var(&[], Any), coalesce),
        func("all", var(&[], Any), all),
        func("any", var(&[], Any), any),
        func("ternary", fixed(&[Any, Any, ArgType::Bool]), ternary),
        func("typeOf", fixed(&[Any]), type_of),
        func("typeIs", fixed(&[Str, Any]), type_is),
        func("typeIsLike", fixed(&[Str, Any]), type_is_like),
        func("kindOf", fixed(&[Any]), kind_of),
        func("kindIs", fixed(&[Str, Any]), kind_is),
        func("deepEqual", fixed(&[Any, Any]), deep_equal_fn),
        func("base", fixed(S1), path_base),
        func("dir", fixed(S1), path_dir),
        func("clean", fixed(S1), path_clean),
        func("ext", fixed(S1), path_ext),
        func("isAbs", fixed(S1), path_is_abs),
        func("osBase", fixed(S1), path_base),
        func("osClean", fixed(S1), path_clean),
        func("osDir", fixed(S1), path_dir),
        func("osExt", fixed(S1), path_ext),
        func("osIsAbs", fixed(S1), path_is_abs),
        func("regexMatch", fixed(SS), regex_match),
        func("mustRegexMatch", fixed(SS), must_regex_match),
        func("regexFindAll", fixed(SSI), regex_find_all),
        func("mustRegexFindAll", fixed(SSI), must_regex_find_all),
        func("regexFind", fixed(SS), regex_find),
        func("mustRegexFind", fixed(SS), must_regex_find),
        func("regexReplaceAll", fixed(SSS), regex_replace_all),
        func("mustRegexReplaceAll", fixed(SSS), must_regex_replace_all),
        func(
            "regexReplaceAllLiteral",
            fixed(SSS),
            regex_replace_all_literal,
        ),
        func(
            "mustRegexReplaceAllLiteral",
            fixed(SSS),
            must_regex_replace_all_literal,
        ),
        func("regexSplit", fixed(SSI), regex_split),
        func("mustRegexSplit", fixed(SSI), must_regex_split),
        func("regexQuoteMeta", fixed(S1), regex_quote_meta),
    ]
}
