//! Sprig's number functions (`numeric.go` and the arithmetic entries of `functions.go`).

use hoist_gotmpl::{ArgType, Value, format_value};

use crate::SprigFunc;
use crate::args::{Any, Int, MAX_OUTPUT, R, Str, a, fail, fixed, func, n, ok_str, s, var};
use crate::conv::{atoi_clamped as atoi, to_float64, to_int, to_int64};
use crate::decimal::Decimal;

fn i64v(v: i64) -> R {
    Ok(Value::Int64(v))
}

fn f64v(v: f64) -> R {
    Ok(Value::Float(v))
}

fn atoi_fn(args: &[Value]) -> R {
    Ok(Value::Int(atoi(s(args, 0))))
}

fn int64_fn(args: &[Value]) -> R {
    i64v(to_int64(a(args, 0)))
}

fn int_fn(args: &[Value]) -> R {
    Ok(Value::Int(to_int(a(args, 0))))
}

fn float64_fn(args: &[Value]) -> R {
    f64v(to_float64(a(args, 0)))
}

fn to_decimal(args: &[Value]) -> R {
    let text = format_value(a(args, 0));
    // strconv.ParseInt(text, 8, 64)
    let body = text.strip_prefix(['+', '-']).unwrap_or(&text);
    let neg = text.starts_with('-');
    if body.is_empty() || !body.bytes().all(|b| (b'0'..=b'7').contains(&b)) {
        return i64v(0);
    }
    let mut v: u128 = 0;
    for b in body.bytes() {
        v = v * 8 + u128::from(b - b'0');
        if v > 1u128 << 64 {
            return i64v(0);
        }
    }
    let r = if neg {
        if v > 1u128 << 63 {
            return i64v(0);
        }
        (v as i128).wrapping_neg() as i64
    } else {
        match i64::try_from(v) {
            Ok(x) => x,
            Err(_) => return i64v(0),
        }
    };
    i64v(r)
}

fn check_len(start: i64, stop: i64, step: i64) -> Result<(), hoist_gotmpl::FuncError> {
    if step == 0 {
        return Ok(());
    }
    let count = ((i128::from(stop) - i128::from(start)) / i128::from(step)).unsigned_abs();
    if count > (MAX_OUTPUT / 16) as u128 {
        return fail(format!(
            "a list of {count} numbers is larger than hoist allows"
        ));
    }
    Ok(())
}

/// Sprig's `untilStep`.
fn until_step_vec(start: i64, stop: i64, step: i64) -> Result<Vec<i64>, hoist_gotmpl::FuncError> {
    let mut v = Vec::new();
    if stop < start {
        if step >= 0 {
            return Ok(v);
        }
        check_len(start, stop, step)?;
        let mut i = start;
        while i > stop {
            v.push(i);
            match i.checked_add(step) {
                Some(x) => i = x,
                None => break,
            }
        }
        return Ok(v);
    }
    if step <= 0 {
        return Ok(v);
    }
    check_len(start, stop, step)?;
    let mut i = start;
    while i < stop {
        v.push(i);
        match i.checked_add(step) {
            Some(x) => i = x,
            None => break,
        }
    }
    Ok(v)
}

fn ints(v: Vec<i64>) -> R {
    Ok(Value::list(v.into_iter().map(Value::Int).collect()))
}

fn until(args: &[Value]) -> R {
    let count = n(args, 0);
    let step = if count < 0 { -1 } else { 1 };
    ints(until_step_vec(0, count, step)?)
}

fn until_step(args: &[Value]) -> R {
    ints(until_step_vec(n(args, 0), n(args, 1), n(args, 2))?)
}

fn join_ints(v: Vec<i64>) -> R {
    ok_str(v.iter().map(i64::to_string).collect::<Vec<_>>().join(" "))
}

fn seq(args: &[Value]) -> R {
    let p: Vec<i64> = (0..args.len()).map(|i| n(args, i)).collect();
    match p.len() {
        1 => {
            let (start, end) = (1, p[0]);
            let inc = if end < start { -1 } else { 1 };
            join_ints(until_step_vec(start, end.wrapping_add(inc), inc)?)
        }
        2 => {
            let (start, end) = (p[0], p[1]);
            let step = if end < start { -1 } else { 1 };
            join_ints(until_step_vec(start, end.wrapping_add(step), step)?)
        }
        3 => {
            let (start, step, end) = (p[0], p[1], p[2]);
            let mut inc = 1;
            if end < start {
                inc = -1;
                if step > 0 {
                    return ok_str("");
                }
            }
            join_ints(until_step_vec(start, end.wrapping_add(inc), step)?)
        }
        _ => ok_str(""),
    }
}

fn add(args: &[Value]) -> R {
    i64v(
        args.iter()
            .fold(0i64, |acc, v| acc.wrapping_add(to_int64(v))),
    )
}

fn add1(args: &[Value]) -> R {
    i64v(to_int64(a(args, 0)).wrapping_add(1))
}

fn sub(args: &[Value]) -> R {
    i64v(to_int64(a(args, 0)).wrapping_sub(to_int64(a(args, 1))))
}

const DIV_ZERO: &str = "runtime error: integer divide by zero";

fn div(args: &[Value]) -> R {
    let (x, y) = (to_int64(a(args, 0)), to_int64(a(args, 1)));
    if y == 0 {
        return fail(DIV_ZERO);
    }
    i64v(x.wrapping_div(y))
}

fn modulo(args: &[Value]) -> R {
    let (x, y) = (to_int64(a(args, 0)), to_int64(a(args, 1)));
    if y == 0 {
        return fail(DIV_ZERO);
    }
    i64v(x.wrapping_rem(y))
}

fn mul(args: &[Value]) -> R {
    let mut v = to_int64(a(args, 0));
    for b in args.iter().skip(1) {
        v = v.wrapping_mul(to_int64(b));
    }
    i64v(v)
}

fn rand_int(args: &[Value]) -> R {
    let (min, max) = (n(args, 0), n(args, 1));
    let span = max.wrapping_sub(min);
    if span <= 0 {
        return fail("invalid argument to Intn");
    }
    Ok(Value::Int(
        (crate::random::below(span as u64) as i64).wrapping_add(min),
    ))
}

fn dec(v: &Value) -> Result<Decimal, hoist_gotmpl::FuncError> {
    Decimal::from_f64(to_float64(v)).map_err(hoist_gotmpl::FuncError::new)
}

type DecOp = fn(&Decimal, &Decimal) -> Result<Decimal, String>;

fn exec_decimal_op(first: &Value, rest: &[Value], op: DecOp) -> R {
    let mut acc = dec(first)?;
    for x in rest {
        let d = dec(x)?;
        acc = op(&acc, &d).map_err(hoist_gotmpl::FuncError::new)?;
    }
    f64v(acc.to_f64())
}

fn dadd(a: &Decimal, b: &Decimal) -> Result<Decimal, String> {
    Ok(a.add(b))
}
fn dsub(a: &Decimal, b: &Decimal) -> Result<Decimal, String> {
    Ok(a.sub(b))
}
fn dmul(a: &Decimal, b: &Decimal) -> Result<Decimal, String> {
    Ok(a.mul(b))
}
fn ddiv(a: &Decimal, b: &Decimal) -> Result<Decimal, String> {
    a.div(b)
}

fn add1f(args: &[Value]) -> R {
    exec_decimal_op(a(args, 0), &[Value::Int(1)], dadd)
}
fn addf(args: &[Value]) -> R {
    exec_decimal_op(&Value::Float(0.0), args, dadd)
}
fn subf(args: &[Value]) -> R {
    exec_decimal_op(a(args, 0), args.get(1..).unwrap_or(&[]), dsub)
}
fn mulf(args: &[Value]) -> R {
    exec_decimal_op(a(args, 0), args.get(1..).unwrap_or(&[]), dmul)
}
fn divf(args: &[Value]) -> R {
    exec_decimal_op(a(args, 0), args.get(1..).unwrap_or(&[]), ddiv)
}

fn max_fn(args: &[Value]) -> R {
    let mut m = to_int64(a(args, 0));
    for b in args.iter().skip(1) {
        m = m.max(to_int64(b));
    }
    i64v(m)
}

fn min_fn(args: &[Value]) -> R {
    let mut m = to_int64(a(args, 0));
    for b in args.iter().skip(1) {
        m = m.min(to_int64(b));
    }
    i64v(m)
}

/// Go's `math.Max`.
fn go_max(x: f64, y: f64) -> f64 {
    if x == f64::INFINITY || y == f64::INFINITY {
        return f64::INFINITY;
    }
    if x.is_nan() || y.is_nan() {
        return f64::NAN;
    }
    if x == 0.0 && x == y {
        return if x.is_sign_negative() { y } else { x };
    }
    if x > y { x } else { y }
}

/// Go's `math.Min`.
fn go_min(x: f64, y: f64) -> f64 {
    if x == f64::NEG_INFINITY || y == f64::NEG_INFINITY {
        return f64::NEG_INFINITY;
    }
    if x.is_nan() || y.is_nan() {
        return f64::NAN;
    }
    if x == 0.0 && x == y {
        return if x.is_sign_negative() { x } else { y };
    }
    if x < y { x } else { y }
}

fn maxf(args: &[Value]) -> R {
    let mut m = to_float64(a(args, 0));
    for b in args.iter().skip(1) {
        m = go_max(m, to_float64(b));
    }
    f64v(m)
}

fn minf(args: &[Value]) -> R {
    let mut m = to_float64(a(args, 0));
    for b in args.iter().skip(1) {
        m = go_min(m, to_float64(b));
    }
    f64v(m)
}

fn ceil(args: &[Value]) -> R {
    f64v(to_float64(a(args, 0)).ceil())
}

fn floor(args: &[Value]) -> R {
    f64v(to_float64(a(args, 0)).floor())
}

/// Go's `math.Frexp`.
fn frexp(f: f64) -> (f64, i64) {
    if f == 0.0 || f.is_nan() || f.is_infinite() {
        return (f, 0);
    }
    let (mut f, mut exp) = (f, 0i64);
    if f.abs() < f64::MIN_POSITIVE {
        f *= (1u64 << 52) as f64;
        exp = -52;
    }
    let bits = f.to_bits();
    exp += ((bits >> 52) & 0x7ff) as i64 - 1022;
    let bits = (bits & !(0x7ffu64 << 52)) | (1022u64 << 52);
    (f64::from_bits(bits), exp)
}

/// Go's `math.Ldexp`.
fn ldexp(frac: f64, exp: i64) -> f64 {
    if frac == 0.0 || frac.is_nan() || frac.is_infinite() {
        return frac;
    }
    let (frac, e) = frexp(frac);
    let mut exp = exp + e;
    let x = frac.to_bits();
    exp += ((x >> 52) & 0x7ff) as i64 - 1023;
    if exp < -1075 {
        return 0.0f64.copysign(frac);
    }
    if exp > 1023 {
        return if frac < 0.0 {
            f64::NEG_INFINITY
        } else {
            f64::INFINITY
        };
    }
    let mut m = 1.0;
    if exp < -1022 {
        exp += 53;
        m = 1.0 / (1u64 << 53) as f64;
    }
    let x = (x & !(0x7ffu64 << 52)) | (((exp + 1023) as u64) << 52);
    m * f64::from_bits(x)
}

/// Go's `math.Pow(x, y)` for an integral `y` (what `round` needs).
fn go_pow_int(x: f64, y: f64) -> f64 {
    if y == 0.0 || x == 1.0 {
        return 1.0;
    }
    if y == 1.0 {
        return x;
    }
    if x.is_nan() || y.is_nan() {
        return f64::NAN;
    }
    if y.abs() >= 9.223_372_036_854_776e18 {
        return x.powf(y);
    }
    let yi = y.abs();
    let mut a1 = 1.0;
    let mut ae: i64 = 0;
    let (mut x1, mut xe) = frexp(x);
    let mut i = yi as i64;
    while i != 0 {
        if !(-(1 << 12)..=(1 << 12)).contains(&xe) {
            ae += xe;
            break;
        }
        if i & 1 == 1 {
            a1 *= x1;
            ae += xe;
        }
        x1 *= x1;
        xe <<= 1;
        if x1 < 0.5 {
            x1 += x1;
            xe -= 1;
        }
        i >>= 1;
    }
    if y < 0.0 {
        a1 = 1.0 / a1;
        ae = -ae;
    }
    ldexp(a1, ae)
}

fn round(args: &[Value]) -> R {
    let round_on = args.get(2).map_or(0.5, |v| match v {
        Value::Float(f) => *f,
        other => to_float64(other),
    });
    let val = to_float64(a(args, 0));
    let places = n(args, 1) as f64;
    let pow = go_pow_int(10.0, places);
    let digit = pow * val;
    let div = digit - digit.trunc();
    let r = if div >= round_on {
        digit.ceil()
    } else {
        digit.floor()
    };
    f64v(r / pow)
}

/// The number functions.
pub fn functions() -> Vec<SprigFunc> {
    vec![
        func("atoi", fixed(&[Str]), atoi_fn),
        func("int64", fixed(&[Any]), int64_fn),
        func("int", fixed(&[Any]), int_fn),
        func("float64", fixed(&[Any]), float64_fn),
        func("seq", var(&[], Int), seq),
        func("toDecimal", fixed(&[Any]), to_decimal),
        func("until", fixed(&[Int]), until),
        func("untilStep", fixed(&[Int, Int, Int]), until_step),
        func("add1", fixed(&[Any]), add1),
        func("add", var(&[], Any), add),
        func("sub", fixed(&[Any, Any]), sub),
        func("div", fixed(&[Any, Any]), div),
        func("mod", fixed(&[Any, Any]), modulo),
        func("mul", var(&[Any], Any), mul),
        func("randInt", fixed(&[Int, Int]), rand_int),
        func("add1f", fixed(&[Any]), add1f),
        func("addf", var(&[], Any), addf),
        func("subf", var(&[Any], Any), subf),
        func("divf", var(&[Any], Any), divf),
        func("mulf", var(&[Any], Any), mulf),
        func("biggest", var(&[Any], Any), max_fn),
        func("max", var(&[Any], Any), max_fn),
        func("min", var(&[Any], Any), min_fn),
        func("maxf", var(&[Any], Any), maxf),
        func("minf", var(&[Any], Any), minf),
        func("ceil", fixed(&[Any]), ceil),
        func("floor", fixed(&[Any]), floor),
        func("round", var(&[Any, Int], ArgType::Float64), round),
    ]
}
