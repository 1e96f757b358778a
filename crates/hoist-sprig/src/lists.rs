//! Sprig's list functions (`list.go`). The non-`must` forms panic where the `must` forms return
//! an error; Go's template engine turns both into the same error text.

use std::rc::Rc;

use hoist_gotmpl::Value;

use crate::SprigFunc;
use crate::args::{Any, Int, MAX_OUTPUT, R, a, fail, fixed, func, n, var};
use crate::conv::{deep_equal, is_empty, to_int};

/// Go's `reflect.TypeOf(nil).Kind()` panic.
const NIL_DEREF: &str = "runtime error: invalid memory address or nil pointer dereference";

/// The elements of a slice-kind value, or the Go error for another kind.
fn elems(v: &Value, what: &str) -> Result<Rc<Vec<Value>>, hoist_gotmpl::FuncError> {
    match v {
        Value::List(l) => Ok(Rc::clone(l)),
        Value::Bytes(b) => Ok(Rc::new(
            b.iter().map(|x| Value::Int(i64::from(*x))).collect(),
        )),
        Value::Nil => fail(NIL_DEREF),
        other => fail(format!("{what} {}", other.kind_name())),
    }
}

fn list(args: &[Value]) -> R {
    Ok(Value::list(args.to_vec()))
}

fn push(args: &[Value]) -> R {
    let l = elems(a(args, 0), "Cannot push on type")?;
    let mut v = l.as_ref().clone();
    v.push(a(args, 1).clone());
    Ok(Value::list(v))
}

fn prepend(args: &[Value]) -> R {
    let l = elems(a(args, 0), "Cannot prepend on type")?;
    let mut v = Vec::with_capacity(l.len() + 1);
    v.push(a(args, 1).clone());
    v.extend(l.iter().cloned());
    Ok(Value::list(v))
}

fn chunk(args: &[Value]) -> R {
    let size = n(args, 0);
    let l = elems(a(args, 1), "Cannot chunk type")?;
    let len = l.len() as i64;
    if size == 0 {
        // Go divides floats by zero: an infinite chunk count, which int() makes the most
        // negative int on amd64, and make() rejects.
        return fail("runtime error: makeslice: len out of range");
    }
    // cs := int(math.Floor(float64(l-1)/float64(size)) + 1)
    let cs_f = ((len - 1) as f64 / size as f64).floor() + 1.0;
    let cs = crate::conv::f64_to_i64(cs_f);
    if cs < 0 {
        return fail("runtime error: makeslice: len out of range");
    }
    let mut out = Vec::with_capacity(cs.min(1 << 20) as usize);
    for i in 0..cs {
        let mut clen = size;
        if i == cs - 1 {
            let m = (len as f64) % (size as f64);
            clen = m.floor() as i64;
            if clen == 0 {
                clen = size;
            }
        }
        if clen < 0 {
            return fail("runtime error: makeslice: len out of range");
        }
        let mut chunk = Vec::with_capacity(clen.min(1 << 20) as usize);
        for j in 0..clen {
            let ix = i * size + j;
            match usize::try_from(ix).ok().and_then(|ix| l.get(ix)) {
                Some(v) => chunk.push(v.clone()),
                None => {
                    return fail("reflect: slice index out of range");
                }
            }
        }
        out.push(Value::list(chunk));
    }
    Ok(Value::list(out))
}

fn last(args: &[Value]) -> R {
    let l = elems(a(args, 0), "Cannot find last on type")?;
    Ok(l.last().cloned().unwrap_or(Value::Nil))
}

fn first(args: &[Value]) -> R {
    let l = elems(a(args, 0), "Cannot find first on type")?;
    Ok(l.first().cloned().unwrap_or(Value::Nil))
}

fn rest(args: &[Value]) -> R {
    let l = elems(a(args, 0), "Cannot find rest on type")?;
    Ok(Value::list(l.iter().skip(1).cloned().collect()))
}

fn initial(args: &[Value]) -> R {
    let l = elems(a(args, 0), "Cannot find initial on type")?;
    let k = l.len().saturating_sub(1);
    Ok(Value::list(l[..k].to_vec()))
}

fn reverse(args: &[Value]) -> R {
    let l = elems(a(args, 0), "Cannot find reverse on type")?;
    Ok(Value::list(l.iter().rev().cloned().collect()))
}

fn compact(args: &[Value]) -> R {
    let l = elems(a(args, 0), "Cannot compact on type")?;
    Ok(Value::list(
        l.iter().filter(|v| !is_empty(v)).cloned().collect(),
    ))
}

fn uniq(args: &[Value]) -> R {
    let l = elems(a(args, 0), "Cannot find uniq on type")?;
    let mut out: Vec<Value> = Vec::new();
    for v in l.iter() {
        if !out.iter().any(|h| deep_equal(v, h)) {
            out.push(v.clone());
        }
    }
    Ok(Value::list(out))
}

fn without(args: &[Value]) -> R {
    let l = elems(a(args, 0), "Cannot find without on type")?;
    let omit = args.get(1..).unwrap_or(&[]);
    Ok(Value::list(
        l.iter()
            .filter(|v| !omit.iter().any(|o| deep_equal(v, o)))
            .cloned()
            .collect(),
    ))
}

fn has(args: &[Value]) -> R {
    let hay = a(args, 1);
    if hay.is_nil() {
        return Ok(Value::Bool(false));
    }
    let l = elems(hay, "Cannot find has on type")?;
    let needle = a(args, 0);
    Ok(Value::Bool(l.iter().any(|v| deep_equal(needle, v))))
}

fn slice(args: &[Value]) -> R {
    let l = match a(args, 0) {
        Value::Nil => return fail(NIL_DEREF),
        v => elems(v, "list should be type of slice or array but")?,
    };
    let len = l.len() as i64;
    if len == 0 {
        return Ok(Value::Nil);
    }
    let start = if args.len() > 1 { to_int(&args[1]) } else { 0 };
    let end = if args.len() < 3 {
        len
    } else {
        to_int(&args[2])
    };
    // reflect.Value.Slice panics with these texts.
    if start < 0 || end < start || end > len {
        return fail("reflect.Value.Slice: slice index out of bounds");
    }
    Ok(Value::list(l[start as usize..end as usize].to_vec()))
}

fn concat(args: &[Value]) -> R {
    let mut out = Vec::new();
    for v in args {
        match v {
            Value::List(l) => out.extend(l.iter().cloned()),
            Value::Bytes(b) => out.extend(b.iter().map(|x| Value::Int(i64::from(*x)))),
            Value::Nil => return fail(NIL_DEREF),
            other => {
                return fail(format!("Cannot concat type {} as list", other.kind_name()));
            }
        }
        if out.len() > MAX_OUTPUT / 16 {
            return fail("concat: list larger than hoist allows");
        }
    }
    if out.is_empty() {
        // A nil []interface{} boxed in interface{} prints as [].
        return Ok(Value::list(Vec::new()));
    }
    Ok(Value::list(out))
}

/// The list functions.
pub fn functions() -> Vec<SprigFunc> {
    const A1: &[hoist_gotmpl::ArgType] = &[Any];
    const A2: &[hoist_gotmpl::ArgType] = &[Any, Any];
    vec![
        func("list", var(&[], Any), list),
        func("tuple", var(&[], Any), list),
        func("append", fixed(A2), push),
        func("push", fixed(A2), push),
        func("mustAppend", fixed(A2), push),
        func("mustPush", fixed(A2), push),
        func("prepend", fixed(A2), prepend),
        func("mustPrepend", fixed(A2), prepend),
        func("first", fixed(A1), first),
        func("mustFirst", fixed(A1), first),
        func("rest", fixed(A1), rest),
        func("mustRest", fixed(A1), rest),
        func("last", fixed(A1), last),
        func("mustLast", fixed(A1), last),
        func("initial", fixed(A1), initial),
        func("mustInitial", fixed(A1), initial),
        func("reverse", fixed(A1), reverse),
        func("mustReverse", fixed(A1), reverse),
        func("uniq", fixed(A1), uniq),
        func("mustUniq", fixed(A1), uniq),
        func("without", var(A1, Any), without),
        func("mustWithout", var(A1, Any), without),
        func("has", fixed(A2), has),
        func("mustHas", fixed(A2), has),
        func("slice", var(A1, Any), slice),
        func("mustSlice", var(A1, Any), slice),
        func("concat", var(&[], Any), concat),
        func("chunk", fixed(&[Int, Any]), chunk),
        func("mustChunk", fixed(&[Int, Any]), chunk),
        func("compact", fixed(A1), compact),
        func("mustCompact", fixed(A1), compact),
    ]
}
