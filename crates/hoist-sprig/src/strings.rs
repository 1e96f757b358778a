//! Sprig's string functions (`strings.go` and the string entries of `functions.go`), plus the
//! base64/base32 encoders and the hash sums.

use hoist_gotmpl::{Dict, Map, MapKind, Value, gofmt, sprint};
use sha2::Digest;

use crate::SprigFunc;
use crate::args::{
    Any, Int, MAX_OUTPUT, R, Str, a, fail, fixed, func, n, ok_str, ok_strings, s, var,
};
use crate::conv::strval;
use crate::textutil;

fn string_fn(f: fn(&str) -> String) -> impl Fn(&[hoist_gotmpl::Value]) -> R {
    move |args| ok_str(f(s(args, 0)))
}

macro_rules! str1 {
    ($name:ident, $body:expr) => {
        fn $name(args: &[Value]) -> R {
            let f: fn(&str) -> String = $body;
            string_fn(f)(args)
        }
    };
}

str1!(trim, |x| x
    .trim_matches(crate::gounicode::is_space)
    .to_string());
str1!(upper, |x| x
    .chars()
    .map(crate::gounicode::to_upper)
    .collect());
str1!(lower, |x| x
    .chars()
    .map(crate::gounicode::to_lower)
    .collect());
str1!(title, textutil::title);
str1!(untitle, textutil::uncapitalize);
str1!(nospace, textutil::delete_white_space);
str1!(initials, textutil::initials);
str1!(swapcase, textutil::swap_case);
str1!(snakecase, |x| textutil::camel_to_lower(x, '_'));
str1!(kebabcase, |x| textutil::camel_to_lower(x, '-'));
str1!(camelcase, textutil::to_pascal_case);
str1!(shuffle, shuffle_runes);
str1!(b64enc, |x| crate::crypto::b64_encode(x.as_bytes()));
str1!(b32enc, |x| data_encoding::BASE32.encode(x.as_bytes()));
str1!(sha1sum, |x| hex::encode(sha1::Sha1::digest(x.as_bytes())));
str1!(sha256sum, |x| hex::encode(sha2::Sha256::digest(
    x.as_bytes()
)));
str1!(sha512sum, |x| hex::encode(sha2::Sha512::digest(
    x.as_bytes()
)));
str1!(adler32sum, |x| {
    let mut h = adler2::Adler32::new();
    h.write_slice(x.as_bytes());
    h.checksum().to_string()
});

fn shuffle_runes(x: &str) -> String {
    let mut runes: Vec<char> = x.chars().collect();
    for i in (1..runes.len()).rev() {
        let j = crate::random::below(i as u64 + 1) as usize;
        runes.swap(i, j);
    }
    runes.into_iter().collect()
}

/// Go's `base32.StdEncoding.DecodeString`, with its `CorruptInputError` positions.
fn b32_decode(x: &str) -> Result<Vec<u8>, String> {
    let src: Vec<u8> = x.bytes().filter(|b| *b != b'\r' && *b != b'\n').collect();
    let olen = src.len();
    let val = |b: u8| -> Option<u64> {
        match b {
            b'A'..=b'Z' => Some(u64::from(b - b'A')),
            b'2'..=b'7' => Some(u64::from(b - b'2') + 26),
            _ => None,
        }
    };
    let corrupt = |i: usize| format!("illegal base32 data at input byte {i}");
    let mut out = Vec::new();
    let mut rest: &[u8] = &src;
    let mut end = false;
    while !rest.is_empty() && !end {
        let mut dbuf = [0u64; 8];
        let mut dlen = 8;
        let mut j = 0usize;
        while j < 8 {
            if rest.is_empty() {
                return Err(corrupt(olen - rest.len() - j));
            }
            let c = rest[0];
            rest = &rest[1..];
            if c == b'=' && j >= 2 && rest.len() < 8 {
                if rest.len() + j < 7 {
                    return Err(corrupt(olen));
                }
                for k in 0..(7 - j) {
                    if rest.len() > k && rest[k] != b'=' {
                        return Err(corrupt(olen - rest.len() + k - 1));
                    }
                }
                dlen = j;
                end = true;
                if dlen == 1 || dlen == 3 || dlen == 6 {
                    return Err(corrupt(olen - rest.len() - 1));
                }
                break;
            }
            match val(c) {
                Some(v) => dbuf[j] = v,
                None => return Err(corrupt(olen - rest.len() - 1)),
            }
            j += 1;
        }
        let v = dbuf.iter().fold(0u64, |acc, d| (acc << 5) | d);
        let bytes = [
            (v >> 32) as u8,
            (v >> 24) as u8,
            (v >> 16) as u8,
            (v >> 8) as u8,
            v as u8,
        ];
        let nbytes = match dlen {
            8 => 5,
            7 => 4,
            5 => 3,
            4 => 2,
            2 => 1,
            _ => 0,
        };
        out.extend_from_slice(&bytes[..nbytes]);
    }
    Ok(out)
}

fn b64dec(args: &[Value]) -> R {
    match crate::crypto::b64_decode(s(args, 0)) {
        Ok(b) => ok_str(crate::textutil::go_lossy(&b)),
        Err(e) => ok_str(e),
    }
}

fn b32dec(args: &[Value]) -> R {
    match b32_decode(s(args, 0)) {
        Ok(b) => ok_str(crate::textutil::go_lossy(&b)),
        Err(e) => ok_str(e),
    }
}

fn abbrev(args: &[Value]) -> R {
    let w = n(args, 0);
    let x = s(args, 1);
    if w < 4 {
        return ok_str(x);
    }
    ok_str(textutil::abbreviate_full(x, 0, w).unwrap_or_default())
}

fn abbrevboth(args: &[Value]) -> R {
    let (left, right) = (n(args, 0), n(args, 1));
    let x = s(args, 2);
    if right < 4 || (left > 0 && right < 7) {
        return ok_str(x);
    }
    ok_str(textutil::abbreviate_full(x, left, right).unwrap_or_default())
}

fn trunc(args: &[Value]) -> R {
    let c = n(args, 0);
    let x = s(args, 1);
    let len = x.len() as i64;
    if c < 0 && len + c > 0 {
        return ok_str(textutil::byte_slice(x, (len + c) as usize, x.len()));
    }
    if c >= 0 && len > c {
        return ok_str(textutil::byte_slice(x, 0, c as usize));
    }
    ok_str(x)
}

fn go_trim<'a>(x: &'a str, cutset: &str) -> &'a str {
    x.trim_matches(|c| cutset.contains(c))
}

fn trim_all(args: &[Value]) -> R {
    ok_str(go_trim(s(args, 1), s(args, 0)))
}

fn trim_suffix(args: &[Value]) -> R {
    let x = s(args, 1);
    ok_str(x.strip_suffix(s(args, 0)).unwrap_or(x))
}

fn trim_prefix(args: &[Value]) -> R {
    let x = s(args, 1);
    ok_str(x.strip_prefix(s(args, 0)).unwrap_or(x))
}

fn slice_panic(a: i64, b: i64, len: usize, with_low: bool) -> String {
    if with_low && a > b && b <= len as i64 && b >= 0 {
        format!("runtime error: slice bounds out of range [{a}:{b}]")
    } else if with_low && b < 0 {
        format!("runtime error: slice bounds out of range [:{b}]")
    } else if b > len as i64 {
        format!("runtime error: slice bounds out of range [:{b}] with length {len}")
    } else {
        format!("runtime error: slice bounds out of range [{a}:{b}]")
    }
}

/// Go's `s[a:b]` with Go's panic text.
fn go_slice(x: &str, lo: Option<i64>, hi: Option<i64>) -> R {
    let len = x.len();
    let a = lo.unwrap_or(0);
    let b = hi.unwrap_or(len as i64);
    if hi.is_some() && (b < 0 || b > len as i64) {
        if b < 0 {
            return fail(format!("runtime error: slice bounds out of range [:{b}]"));
        }
        return fail(format!(
            "runtime error: slice bounds out of range [:{b}] with length {len}"
        ));
    }
    if lo.is_some() && a < 0 {
        return fail(format!("runtime error: slice bounds out of range [{a}:]"));
    }
    if hi.is_none() && a > len as i64 {
        return fail(format!(
            "runtime error: slice bounds out of range [{a}:{len}]"
        ));
    }
    if a > b {
        return fail(slice_panic(a, b, len, true));
    }
    ok_str(textutil::byte_slice(x, a as usize, b as usize))
}

fn substr(args: &[Value]) -> R {
    let (start, end) = (n(args, 0), n(args, 1));
    let x = s(args, 2);
    if start < 0 {
        return go_slice(x, None, Some(end));
    }
    if end < 0 || end > x.len() as i64 {
        return go_slice(x, Some(start), None);
    }
    go_slice(x, Some(start), Some(end))
}

fn repeat_str(x: &str, count: i64) -> R {
    if count < 0 {
        return fail("strings: negative Repeat count");
    }
    let total = (x.len() as u128) * (count as u128);
    if total > MAX_OUTPUT as u128 {
        if total > i64::MAX as u128 {
            return fail("strings: Repeat output length overflow");
        }
        return fail(format!(
            "strings: Repeat output of {total} bytes is larger than hoist allows"
        ));
    }
    ok_str(x.repeat(count as usize))
}

fn repeat(args: &[Value]) -> R {
    repeat_str(s(args, 1), n(args, 0))
}

fn rand_string(args: &[Value], alphabet: &[u8]) -> R {
    let count = n(args, 0);
    if count <= 0 {
        return ok_str("");
    }
    if count as u128 > MAX_OUTPUT as u128 {
        return fail(format!(
            "random string of {count} characters is larger than hoist allows"
        ));
    }
    let out: String = (0..count)
        .map(|_| char::from(alphabet[crate::random::below(alphabet.len() as u64) as usize]))
        .collect();
    ok_str(out)
}

const ALPHA: &[u8] = b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
const ALPHANUM: &[u8] = b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
const NUMERIC: &[u8] = b"0123456789";
const ASCII: &[u8] = b" !\"#$%&'()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\]^_`abcdefghijklmnopqrstuvwxyz{|}~";

fn rand_alpha_num(args: &[Value]) -> R {
    rand_string(args, ALPHANUM)
}
fn rand_alpha(args: &[Value]) -> R {
    rand_string(args, ALPHA)
}
fn rand_ascii(args: &[Value]) -> R {
    rand_string(args, ASCII)
}
fn rand_numeric(args: &[Value]) -> R {
    rand_string(args, NUMERIC)
}

fn wrap(args: &[Value]) -> R {
    ok_str(textutil::wrap_custom(s(args, 1), n(args, 0), "", false))
}

fn wrap_with(args: &[Value]) -> R {
    ok_str(textutil::wrap_custom(
        s(args, 2),
        n(args, 0),
        s(args, 1),
        true,
    ))
}

fn contains(args: &[Value]) -> R {
    Ok(Value::Bool(s(args, 1).contains(s(args, 0))))
}
fn has_prefix(args: &[Value]) -> R {
    Ok(Value::Bool(s(args, 1).starts_with(s(args, 0))))
}
fn has_suffix(args: &[Value]) -> R {
    Ok(Value::Bool(s(args, 1).ends_with(s(args, 0))))
}

fn quote(args: &[Value]) -> R {
    let parts: Vec<String> = args
        .iter()
        .filter(|v| !v.is_nil())
        .map(|v| gofmt::quote(&strval(v)))
        .collect();
    ok_str(parts.join(" "))
}

fn squote(args: &[Value]) -> R {
    let parts: Vec<String> = args
        .iter()
        .filter(|v| !v.is_nil())
        .map(|v| format!("'{}'", hoist_gotmpl::format_value(v)))
        .collect();
    ok_str(parts.join(" "))
}

fn cat(args: &[Value]) -> R {
    let parts: Vec<String> = args
        .iter()
        .filter(|v| !v.is_nil())
        .map(hoist_gotmpl::format_value)
        .collect();
    ok_str(parts.join(" "))
}

fn indent_str(spaces: i64, v: &str) -> R {
    if spaces < 0 {
        return fail("strings: negative Repeat count");
    }
    let lines = v.matches('\n').count() as u128 + 1;
    if (spaces as u128) * lines + v.len() as u128 > MAX_OUTPUT as u128 {
        return fail(format!(
            "indent of {spaces} spaces is larger than hoist allows"
        ));
    }
    let pad = " ".repeat(spaces as usize);
    let mut out = pad.clone();
    out.push_str(&v.replace('\n', &format!("\n{pad}")));
    ok_str(out)
}

fn indent(args: &[Value]) -> R {
    indent_str(n(args, 0), s(args, 1))
}

fn nindent(args: &[Value]) -> R {
    let r = indent_str(n(args, 0), s(args, 1))?;
    ok_str(format!("\n{}", r.as_str().unwrap_or_default()))
}

fn replace(args: &[Value]) -> R {
    let (old, new, src) = (s(args, 0), s(args, 1), s(args, 2));
    if old.is_empty() {
        // Go inserts `new` before every rune and at the end.
        let mut out = String::with_capacity(src.len() + new.len() * (src.len() + 1));
        out.push_str(new);
        for c in src.chars() {
            out.push(c);
            out.push_str(new);
        }
        return ok_str(out);
    }
    ok_str(src.replace(old, new))
}

fn plural(args: &[Value]) -> R {
    ok_str(if n(args, 2) == 1 {
        s(args, 0)
    } else {
        s(args, 1)
    })
}

fn to_string(args: &[Value]) -> R {
    ok_str(strval(a(args, 0)))
}

/// Sprig's `strslice`.
pub fn strslice(v: &Value) -> Vec<String> {
    match v {
        Value::List(l) => l.iter().filter(|x| !x.is_nil()).map(strval).collect(),
        Value::Bytes(b) => b.iter().map(|x| x.to_string()).collect(),
        Value::Nil => Vec::new(),
        other => vec![strval(other)],
    }
}

fn to_strings(args: &[Value]) -> R {
    ok_strings(strslice(a(args, 0)))
}

/// Go's `strings.Split` / `SplitN` (`n < 0` means all).
pub fn go_split(x: &str, sep: &str, limit: i64) -> Vec<String> {
    if limit == 0 {
        return Vec::new();
    }
    if sep.is_empty() {
        // explode into runes
        let chars: Vec<char> = x.chars().collect();
        let lim = if limit < 0 || limit as usize > chars.len() {
            chars.len()
        } else {
            limit as usize
        };
        let mut out: Vec<String> = Vec::with_capacity(lim);
        let mut idx = 0;
        for (k, (i, c)) in x.char_indices().enumerate() {
            if k + 1 == lim {
                out.push(x[i..].to_string());
                idx = x.len();
                break;
            }
            out.push(c.to_string());
            idx = i + c.len_utf8();
        }
        let _ = idx;
        return out;
    }
    if limit < 0 {
        return x.split(sep).map(str::to_string).collect();
    }
    x.splitn(limit as usize, sep).map(str::to_string).collect()
}

fn split_map(parts: Vec<String>) -> Value {
    let map: Map = parts
        .into_iter()
        .enumerate()
        .map(|(i, p)| (format!("_{i}"), Value::from(p)))
        .collect();
    Value::Map(Dict::with_kind(map, MapKind::StringMap))
}

fn split(args: &[Value]) -> R {
    Ok(split_map(go_split(s(args, 1), s(args, 0), -1)))
}

fn split_list(args: &[Value]) -> R {
    ok_strings(go_split(s(args, 1), s(args, 0), -1))
}

fn splitn(args: &[Value]) -> R {
    Ok(split_map(go_split(s(args, 2), s(args, 0), n(args, 1))))
}

fn join(args: &[Value]) -> R {
    ok_str(strslice(a(args, 1)).join(s(args, 0)))
}

fn sort_alpha(args: &[Value]) -> R {
    let v = a(args, 0);
    match v {
        Value::List(_) | Value::Bytes(_) => {
            let mut l = strslice(v);
            l.sort();
            ok_strings(l)
        }
        other => ok_strings(vec![strval(other)]),
    }
}

fn hello(_: &[Value]) -> R {
    ok_str("Hello!")
}

fn uuidv4(_: &[Value]) -> R {
    ok_str(uuid::Uuid::new_v4().to_string())
}

fn sprint_all(args: &[Value]) -> R {
    ok_str(sprint(args))
}

/// The string functions.
pub fn functions() -> Vec<SprigFunc> {
    let _ = sprint_all;
    vec![
        func("hello", fixed(&[]), hello),
        func("abbrev", fixed(&[Int, Str]), abbrev),
        func("abbrevboth", fixed(&[Int, Int, Str]), abbrevboth),
        func("trunc", fixed(&[Int, Str]), trunc),
        func("trim", fixed(&[Str]), trim),
        func("upper", fixed(&[Str]), upper),
        func("lower", fixed(&[Str]), lower),
        func("title", fixed(&[Str]), title),
        func("untitle", fixed(&[Str]), untitle),
        func("substr", fixed(&[Int, Int, Str]), substr),
        func("repeat", fixed(&[Int, Str]), repeat),
        func("trimall", fixed(&[Str, Str]), trim_all),
        func("trimAll", fixed(&[Str, Str]), trim_all),
        func("trimSuffix", fixed(&[Str, Str]), trim_suffix),
        func("trimPrefix", fixed(&[Str, Str]), trim_prefix),
        func("nospace", fixed(&[Str]), nospace),
        func("initials", fixed(&[Str]), initials),
        func("randAlphaNum", fixed(&[Int]), rand_alpha_num),
        func("randAlpha", fixed(&[Int]), rand_alpha),
        func("randAscii", fixed(&[Int]), rand_ascii),
        func("randNumeric", fixed(&[Int]), rand_numeric),
        func("swapcase", fixed(&[Str]), swapcase),
        func("shuffle", fixed(&[Str]), shuffle),
        func("snakecase", fixed(&[Str]), snakecase),
        func("camelcase", fixed(&[Str]), camelcase),
        func("kebabcase", fixed(&[Str]), kebabcase),
        func("wrap", fixed(&[Int, Str]), wrap),
        func("wrapWith", fixed(&[Int, Str, Str]), wrap_with),
        func("contains", fixed(&[Str, Str]), contains),
        func("hasPrefix", fixed(&[Str, Str]), has_prefix),
        func("hasSuffix", fixed(&[Str, Str]), has_suffix),
        func("quote", var(&[], Any), quote),
        func("squote", var(&[], Any), squote),
        func("cat", var(&[], Any), cat),
        func("indent", fixed(&[Int, Str]), indent),
        func("nindent", fixed(&[Int, Str]), nindent),
        func("replace", fixed(&[Str, Str, Str]), replace),
        func("plural", fixed(&[Str, Str, Int]), plural),
        func("sha1sum", fixed(&[Str]), sha1sum),
        func("sha256sum", fixed(&[Str]), sha256sum),
        func("sha512sum", fixed(&[Str]), sha512sum),
        func("adler32sum", fixed(&[Str]), adler32sum),
        func("toString", fixed(&[Any]), to_string),
        func("toStrings", fixed(&[Any]), to_strings),
        func("split", fixed(&[Str, Str]), split),
        func("splitList", fixed(&[Str, Str]), split_list),
        func("splitn", fixed(&[Str, Int, Str]), splitn),
        func("join", fixed(&[Str, Any]), join),
        func("sortAlpha", fixed(&[Any]), sort_alpha),
        func("b64enc", fixed(&[Str]), b64enc),
        func("b64dec", fixed(&[Str]), b64dec),
        func("b32enc", fixed(&[Str]), b32enc),
        func("b32dec", fixed(&[Str]), b32dec),
        func("uuidv4", fixed(&[]), uuidv4),
    ]
}
