//! No core Sprig function panics or runs away, whatever arguments of the declared types it gets
//! (extreme integers, NaN, empty and nested values). Errors are fine; panics are not.

use hoist_gotmpl::{ArgType, Map, Value};
use hoist_sprig::functions;

/// Functions of the other Sprig groups (dates, crypto, semver, URLs), tested elsewhere.
const OTHERS: &[&str] = &[
    "ago",
    "date",
    "date_in_zone",
    "dateInZone",
    "date_modify",
    "dateModify",
    "must_date_modify",
    "mustDateModify",
    "duration",
    "durationRound",
    "htmlDate",
    "htmlDateInZone",
    "now",
    "toDate",
    "mustToDate",
    "unixEpoch",
    "semver",
    "semverCompare",
    "urlParse",
    "urlJoin",
    "getHostByName",
    "bcrypt",
    "htpasswd",
    "genPrivateKey",
    "derivePassword",
    "buildCustomCert",
    "genCA",
    "genCAWithKey",
    "genSelfSignedCert",
    "genSelfSignedCertWithKey",
    "genSignedCert",
    "genSignedCertWithKey",
    "encryptAES",
    "decryptAES",
    "randBytes",
];

fn pool(t: ArgType) -> Vec<Value> {
    let mut nested = Map::new();
    nested.insert("a".into(), Value::map(Map::new()));
    nested.insert("l".into(), Value::list(vec![Value::Nil, Value::Int(0)]));
    let any = vec![
        Value::Nil,
        Value::Bool(true),
        Value::Int(i64::MIN),
        Value::Int(-1),
        Value::Int(0),
        Value::Int(3),
        Value::Int64(i64::MAX),
        Value::Float(f64::NAN),
        Value::Float(f64::INFINITY),
        Value::Float(-1e300),
        Value::Float(2.5),
        Value::from(""),
        Value::from("a(b[c\\"),
        Value::from("日本\u{85} x_Y-z"),
        Value::from("0x7fffffffffffffff"),
        Value::list(Vec::new()),
        Value::list(vec![Value::Nil, Value::from("x"), Value::Int(1)]),
        Value::map(Map::new()),
        Value::map(nested),
    ];
    match t {
        ArgType::Int | ArgType::Int64 => [i64::MIN, -7, -1, 0, 1, 2, 5, 1000, i64::MAX]
            .into_iter()
            .map(|n| {
                if t == ArgType::Int {
                    Value::Int(n)
                } else {
                    Value::Int64(n)
                }
            })
            .collect(),
        ArgType::Float64 => [f64::NAN, f64::NEG_INFINITY, -0.0, 0.5, 1e308]
            .into_iter()
            .map(Value::Float)
            .collect(),
        ArgType::String => [
            "",
            "a",
            "\\",
            "(",
            "[",
            "x{2}{3}",
            "héllo wörld 日本",
            "$1${x}$",
            "==",
        ]
        .into_iter()
        .map(Value::from)
        .collect(),
        ArgType::Bool => vec![Value::Bool(true), Value::Bool(false)],
        ArgType::Map => any
            .into_iter()
            .filter(|v| matches!(v, Value::Map(_)))
            .collect(),
        ArgType::List | ArgType::Strings => any
            .into_iter()
            .filter(|v| matches!(v, Value::List(_)))
            .collect(),
        ArgType::Any => any,
    }
}

#[test]
fn no_function_panics_on_odd_arguments() {
    let mut calls = 0usize;
    for f in functions() {
        if OTHERS.contains(&f.name) {
            continue;
        }
        let mut params: Vec<ArgType> = f.sig.params.to_vec();
        let mut shapes = vec![params.clone()];
        if let Some(rest) = f.sig.variadic {
            params.push(rest);
            shapes.push(params.clone());
            params.push(rest);
            shapes.push(params.clone());
        }
        for shape in shapes {
            let pools: Vec<Vec<Value>> = shape.iter().map(|t| pool(*t)).collect();
            // Walk a bounded set of combinations: each position cycles at its own stride.
            let total: usize = pools.iter().map(Vec::len).product::<usize>().clamp(1, 400);
            for k in 0..total {
                let mut idx = k;
                let args: Vec<Value> = pools
                    .iter()
                    .map(|p| {
                        let v = p[idx % p.len()].deep_copy();
                        idx /= p.len();
                        v
                    })
                    .collect();
                let _ = (f.f)(&args);
                calls += 1;
            }
        }
    }
    assert!(calls > 1000, "only {calls} calls");
}
