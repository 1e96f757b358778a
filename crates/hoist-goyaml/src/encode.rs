//! Value to YAML: Helm's `toYaml` (`sigs.k8s.io/yaml.Marshal`: JSON first, then goyaml v2) and
//! `toYamlPretty` (goyaml v3 with indent 2, on the Go values directly).

use hoist_gotmpl::{Map, Value};
use unicode_properties::{GeneralCategory, GeneralCategoryGroup, UnicodeGeneralCategory};

use crate::emit::{Ctx, Emitter, Parent, Style};
use crate::resolve::{self, Resolved};
use crate::{Error, ErrorKind, gofloat, json};

/// Nesting deeper than this is refused (Go would recurse until its stack limit).
const MAX_DEPTH: usize = 10_000;

/// Stack growth for deep values (`stacker`): grow when less than this is left...
pub(crate) const RED_ZONE: usize = 64 * 1024;
/// ...by this much.
pub(crate) const STACK_CHUNK: usize = 1024 * 1024;

/// Helm's `toYaml` before it trims the trailing newline: `sigs.k8s.io/yaml.Marshal`, i.e.
/// `json.Marshal` then goyaml v2. Errors are `json.Marshal`'s (`json: unsupported value: NaN`).
///
/// Error texts are those Helm shows for `mustToYaml`: `error marshaling into JSON: json:
/// unsupported value: NaN`, or `yaml: control characters are not
/// allowed` for text the YAML reader refuses (U+007F, C1 controls but NEL, U+FFFE, U+FFFF),
/// and `yaml: line N: did not find expected ',' or '}'` for a key holding a NEL.
pub fn to_yaml(v: &Value) -> Result<String, Error> {
    let mut out = String::new();
    {
        let mut enc = Encoder {
            em: Emitter::new(&mut out, false, 2),
            v3: false,
            depth: 0,
        };
        let root = Ctx {
            root: true,
            ..Ctx::default()
        };
        enc.node(v, root, Parent::Document).map_err(|e| {
            if e.message().starts_with("yaml: ") {
                e
            } else {
                Error::new(
                    e.kind(),
                    format!("error marshaling into JSON: {}", e.message()),
                )
            }
        })?;
        enc.em.end_document();
    }
    Ok(out)
}

/// Helm's `toYamlPretty` before it trims the trailing newline: a goyaml v3 `Encoder` with
/// `SetIndent(2)` on the value itself (floats print as `1e+06`, sequences are indented, nothing
/// is folded).
pub fn to_yaml_pretty(v: &Value) -> Result<String, Error> {
    let mut out = String::new();
    {
        let mut enc = Encoder {
            em: Emitter::new(&mut out, true, 2),
            v3: true,
            depth: 0,
        };
        let root = Ctx {
            root: true,
            ..Ctx::default()
        };
        enc.node(v, root, Parent::Document)?;
        enc.em.end_document();
    }
    Ok(out)
}

struct Encoder<'o> {
    em: Emitter<'o>,
    v3: bool,
    depth: usize,
}

impl Encoder<'_> {
    fn node(&mut self, v: &Value, ctx: Ctx, parent: Parent) -> Result<(), Error> {
        stacker::maybe_grow(RED_ZONE, STACK_CHUNK, || self.node_inner(v, ctx, parent))
    }

    fn node_inner(&mut self, v: &Value, ctx: Ctx, parent: Parent) -> Result<(), Error> {
        match v {
            Value::Nil => self.em.scalar("null", Style::Plain, ctx, parent),
            Value::Bool(b) => {
                self.em
                    .scalar(if *b { "true" } else { "false" }, Style::Plain, ctx, parent)
            }
            Value::Int(i) | Value::Int64(i) => {
                self.em.scalar(&i.to_string(), Style::Plain, ctx, parent)
            }
            Value::Float(f) => {
                let text = if self.v3 {
                    yaml_float(*f)
                } else {
                    json_number_as_yaml(*f)?
                };
                self.em.scalar(&text, Style::Plain, ctx, parent);
            }
            Value::String(s) => self.string(s, ctx, parent)?,
            Value::Bytes(b) => {
                if self.v3 {
                    // []byte is a slice of uint8 to goyaml v3.
                    let items: Vec<Value> = b.iter().map(|&x| Value::Int(i64::from(x))).collect();
                    self.list(&items, ctx, parent)?;
                } else {
                    let mut s = String::new();
                    json::base64_into(&mut s, b);
                    self.string(&s, ctx, parent)?;
                }
            }
            Value::List(items) => self.list(items, ctx, parent)?,
            Value::Map(d) => {
                // Encoding runs no template code, so the map cannot change under the borrow.
                let map = d.borrow();
                self.map(&map, ctx, parent)?;
            }
            Value::Object(o) => match o.to_data() {
                Some(data) => self.node(&data, ctx, parent)?,
                None => {
                    return Err(unsupported_object(o.as_ref()));
                }
            },
        }
        Ok(())
    }

    fn string(&mut self, s: &str, ctx: Ctx, parent: Parent) -> Result<(), Error> {
        let s = self.through_json(s)?;
        let style = string_style(&s, self.v3);
        self.em.scalar(&s, style, ctx, parent);
        Ok(())
    }

    /// For v2, a string as goyaml reads it back from `encoding/json` output: JSON leaves some
    /// characters raw that the YAML reader refuses, and a raw NEL is a line break that folds.
    fn through_json<'s>(&self, s: &'s str) -> Result<std::borrow::Cow<'s, str>, Error> {
        if self.v3 {
            return Ok(std::borrow::Cow::Borrowed(s));
        }
        let mut has_nel = false;
        for c in s.chars() {
            let n = c as u32;
            if n == 0x7F || (0x80..=0x9F).contains(&n) && n != 0x85 || n == 0xFFFE || n == 0xFFFF {
                return Err(Error::yaml("yaml: control characters are not allowed"));
            }
            has_nel |= n == 0x85;
        }
        if !has_nel {
            return Ok(std::borrow::Cow::Borrowed(s));
        }
        Ok(std::borrow::Cow::Owned(fold_nel(s)))
    }

    fn enter(&mut self) -> Result<(), Error> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(Error::json(format!(
                "json: unsupported value: encountered a cycle or nesting deeper than {MAX_DEPTH}"
            )));
        }
        Ok(())
    }

    fn list(&mut self, items: &[Value], ctx: Ctx, parent: Parent) -> Result<(), Error> {
        if items.is_empty() {
            self.em.empty_flow(ctx, true);
            return Ok(());
        }
        self.enter()?;
        self.em.begin_block_sequence(ctx, parent);
        let item_ctx = Ctx::default();
        for item in items {
            self.em.block_sequence_item();
            self.node(item, item_ctx, Parent::BlockSequenceItem)?;
        }
        self.em.end_block();
        self.depth -= 1;
        Ok(())
    }

    fn map(&mut self, map: &Map, ctx: Ctx, parent: Parent) -> Result<(), Error> {
        if map.is_empty() {
            self.em.empty_flow(ctx, false);
            return Ok(());
        }
        self.enter()?;
        let entries = sort_keys(map, self.v3);
        self.em.begin_block_mapping(ctx, parent);
        for &(key, value) in &entries {
            if !self.v3 && key.contains('\u{85}') {
                // A raw NEL breaks the line inside a JSON key, which then cannot be a simple key.
                let line = key.matches('\u{85}').count();
                return Err(Error::yaml(format!(
                    "yaml: line {line}: did not find expected ',' or '}}'"
                )));
            }
            let key = self.through_json(key)?;
            let key: &str = &key;
            let analysis = self.em.analyze(key);
            let simple = self.em.check_simple_key(key, &analysis);
            self.em.block_mapping_key(simple);
            let key_ctx = Ctx {
                mapping: true,
                simple_key: simple,
                ..Ctx::default()
            };
            let key_parent = if simple {
                Parent::BlockMappingSimpleValue
            } else {
                Parent::BlockMappingValue
            };
            let style = string_style(key, self.v3);
            self.em
                .scalar_analyzed(key, style, &analysis, key_ctx, key_parent);
            self.em.block_mapping_value(simple);
            let value_ctx = Ctx {
                mapping: true,
                ..Ctx::default()
            };
            self.node(value, value_ctx, Parent::BlockMappingKey)?;
        }
        self.em.end_block();
        self.depth -= 1;
        Ok(())
    }
}

/// libyaml's folding of raw line breaks in a double-quoted scalar, for NEL (the only raw break
/// `encoding/json` leaves): spaces around a run of breaks go, one break becomes a space, and
/// N breaks become N-1 newlines.
fn fold_nel(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let chars: Vec<char> = s.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        if chars[i] == ' ' || chars[i] == '\u{85}' {
            // A run of spaces and NELs.
            let st = i;
            let mut nels = 0;
            while i < chars.len() && (chars[i] == ' ' || chars[i] == '\u{85}') {
                if chars[i] == '\u{85}' {
                    nels += 1;
                }
                i += 1;
            }
            if nels == 0 {
                out.extend(&chars[st..i]);
            } else if nels == 1 {
                out.push(' ');
            } else {
                for _ in 1..nels {
                    out.push('\n');
                }
            }
        } else {
            out.push(chars[i]);
            i += 1;
        }
    }
    out
}

/// goyaml's `stringv` style choice: literal for multi-line text, plain when the text would read
/// back as the same string, double-quoted otherwise.
fn string_style(s: &str, v3: bool) -> Style {
    if s.contains('\n') {
        return Style::Literal;
    }
    let _ = v3; // v3's old-bool check covers exactly the v2 boolean table.
    let can_plain = resolve::resolve_plain(s) == Resolved::Str && !resolve::is_base60_float(s);
    if can_plain {
        Style::Plain
    } else {
        Style::DoubleQuoted
    }
}

/// encoding/json's error for a value with no data form.
pub(crate) fn unsupported_object(o: &dyn hoist_gotmpl::Object) -> Error {
    Error::new(
        ErrorKind::Unsupported,
        format!("json: unsupported type: {}", o.type_name()),
    )
}

/// goyaml's `floatv`: `'g'` format with `.inf`/`.nan` spellings.
fn yaml_float(f: f64) -> String {
    yaml_float_bits(f, false)
}

/// [`yaml_float`] with the shortest digits of a float32 when `bits32`.
pub(crate) fn yaml_float_bits(f: f64, bits32: bool) -> String {
    let s = gofloat::format_float(f, b'g', bits32);
    match s.as_str() {
        "+Inf" => ".inf".into(),
        "-Inf" => "-.inf".into(),
        "NaN" => ".nan".into(),
        _ => s,
    }
}

/// A float64 as `toYaml` prints it: `encoding/json` writes the number, goyaml v2 reads it back
/// (int, uint64 or float64) and prints that.
fn json_number_as_yaml(f: f64) -> Result<String, Error> {
    if !f.is_finite() {
        return Err(Error::json(format!(
            "json: unsupported value: {}",
            gofloat::format_float(f, b'g', false)
        )));
    }
    let mut text = String::new();
    gofloat::append_json_float(&mut text, f);
    Ok(match resolve::resolve_plain(&text) {
        Resolved::Int(i) => i.to_string(),
        Resolved::Uint(u) => u.to_string(),
        Resolved::Float(x) => yaml_float(x),
        _ => text,
    })
}

fn is_letter(c: char) -> bool {
    if c.is_ascii() {
        return c.is_ascii_alphabetic();
    }
    c.general_category_group() == GeneralCategoryGroup::Letter
}

fn is_digit(c: char) -> bool {
    if c.is_ascii() {
        return c.is_ascii_digit();
    }
    c.general_category() == GeneralCategory::DecimalNumber
}

/// goyaml's `keyList.Less` for two string keys, over their runes (or bytes, for ASCII keys);
/// v3 adds the `digits` rule.
fn key_less<C: Copy + Into<char>>(a: &[C], b: &[C], v3: bool) -> bool {
    let ch = |s: &[C], i: usize| -> char { s[i].into() };
    let mut digits = false;
    let n = a.len().min(b.len());
    for i in 0..n {
        let (ai_c, bi_c) = (ch(a, i), ch(b, i));
        if ai_c == bi_c {
            if v3 {
                digits = is_digit(ai_c);
            }
            continue;
        }
        let al = is_letter(ai_c);
        let bl = is_letter(bi_c);
        if al && bl {
            return ai_c < bi_c;
        }
        if al || bl {
            return if digits { al } else { bl };
        }
        let mut an: i64 = 0;
        let mut bn: i64 = 0;
        if ai_c == '0' || bi_c == '0' {
            let mut j = i;
            while j > 0 && is_digit(ch(a, j - 1)) {
                j -= 1;
                if ch(a, j) != '0' {
                    an = 1;
                    bn = 1;
                    break;
                }
            }
        }
        let mut ai = i;
        while ai < a.len() && is_digit(ch(a, ai)) {
            an = an
                .wrapping_mul(10)
                .wrapping_add(ch(a, ai) as i64 - '0' as i64);
            ai += 1;
        }
        let mut bi = i;
        while bi < b.len() && is_digit(ch(b, bi)) {
            bn = bn
                .wrapping_mul(10)
                .wrapping_add(ch(b, bi) as i64 - '0' as i64);
            bi += 1;
        }
        if an != bn {
            return an < bn;
        }
        if ai != bi {
            return ai < bi;
        }
        return ai_c < bi_c;
    }
    a.len() < b.len()
}

/// Map entries in goyaml's key order. A merge sort: the order is not total for every key set,
/// and this never panics on that.
fn sort_keys(map: &Map, v3: bool) -> Vec<(&str, &Value)> {
    let mut entries: Vec<(&str, &Value)> = map.iter().map(|(k, v)| (k.as_str(), v)).collect();
    if entries.len() < 2 {
        return entries;
    }
    if entries.iter().all(|(k, _)| k.is_ascii()) {
        let less =
            |a: &(&str, &Value), b: &(&str, &Value)| key_less(a.0.as_bytes(), b.0.as_bytes(), v3);
        if entries.windows(2).all(|w| !less(&w[1], &w[0])) {
            return entries;
        }
        merge_sort(&mut entries, &less);
        return entries;
    }
    let mut keyed: Vec<(Vec<char>, (&str, &Value))> = entries
        .into_iter()
        .map(|e| (e.0.chars().collect(), e))
        .collect();
    merge_sort(&mut keyed, &|a: &(Vec<char>, _), b: &(Vec<char>, _)| {
        key_less(&a.0, &b.0, v3)
    });
    keyed.into_iter().map(|(_, e)| e).collect()
}

fn merge_sort<T, F: Fn(&T, &T) -> bool>(v: &mut Vec<T>, less: &F) {
    if v.len() < 2 {
        return;
    }
    let mut right = v.split_off(v.len() / 2);
    merge_sort(v, less);
    merge_sort(&mut right, less);
    let left = std::mem::take(v);
    v.reserve(left.len() + right.len());
    let mut l = left.into_iter().peekable();
    let mut r = right.into_iter().peekable();
    loop {
        match (l.peek(), r.peek()) {
            (Some(a), Some(b)) => {
                if less(b, a) {
                    v.extend(r.next());
                } else {
                    v.extend(l.next());
                }
            }
            (Some(_), None) => v.extend(l.next()),
            (None, Some(_)) => v.extend(r.next()),
            (None, None) => break,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn less(a: &str, b: &str) -> bool {
        let a: Vec<char> = a.chars().collect();
        let b: Vec<char> = b.chars().collect();
        key_less(&a, &b, false)
    }

    #[test]
    fn natural_order() {
        assert!(less("a9", "a10"));
        assert!(less("B", "a"));
        assert!(less("a", "ab"));
        assert!(less("a1", "a01"));
    }
}
