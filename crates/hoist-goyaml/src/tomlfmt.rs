//! TOML for Helm's `toToml` (a port of the BurntSushi/toml v1.6 encoder's choices) and `fromToml`
//! (parsing with the `toml` crate).

use std::fmt::Write as _;

use hoist_gotmpl::{Dict, Map, Value};

use crate::{Error, ErrorKind, gofloat};

/// Helm's `toToml`: BurntSushi/toml's `Encoder.Encode`. Keys are sorted bytewise, plain values
/// come before tables, sub-tables are indented by two spaces per level, and every float64 gets a
/// decimal point or an exponent (`replicas = 1.0`, `big = 1e+21`). Helm prints the error text in place of the output on
/// failure (`toml: cannot encode array with nil element`).
pub fn to_toml(v: &Value) -> Result<String, Error> {
    let mut enc = TomlEncoder {
        out: String::new(),
        written: false,
    };
    enc.encode(&[], v)?;
    Ok(enc.out)
}

/// The TOML type BurntSushi assigns to a value (`tomlTypeOfGo`); `None` for nil.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum TomlType {
    Scalar,
    Array,
    Hash,
    ArrayHash,
}

fn toml_error(msg: &str) -> Error {
    Error::new(ErrorKind::Toml, msg)
}

/// A value as the encoder sees it: objects turned into their data.
fn data(v: &Value) -> Result<Value, Error> {
    match v {
        Value::Object(o) => o
            .to_data()
            .ok_or_else(|| toml_error(&format!("toml: unsupported type: {}", o.type_name()))),
        other => Ok(other.clone()),
    }
}

fn type_of(v: &Value) -> Result<Option<TomlType>, Error> {
    Ok(match v {
        Value::Nil => None,
        Value::Map(_) => Some(TomlType::Hash),
        Value::List(items) => {
            if items.is_empty() {
                Some(TomlType::Array)
            } else {
                let mut all_hash = true;
                for item in items.iter() {
                    let t = type_of(&data(item)?)?;
                    match t {
                        None => {
                            return Err(toml_error("toml: cannot encode array with nil element"));
                        }
                        Some(TomlType::Hash) => {}
                        Some(_) => all_hash = false,
                    }
                }
                Some(if all_hash {
                    TomlType::ArrayHash
                } else {
                    TomlType::Array
                })
            }
        }
        Value::Bytes(_) => Some(TomlType::Array),
        Value::Object(_) => type_of(&data(v)?)?,
        _ => Some(TomlType::Scalar),
    })
}

fn is_bare(k: &str) -> bool {
    !k.is_empty()
        && k.chars()
            .all(|r| r.is_ascii_alphanumeric() || r == '_' || r == '-')
}

/// BurntSushi's `dblQuotedReplacer`.
fn write_quoted(out: &mut String, s: &str) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\u{8}' => out.push_str("\\b"),
            '\t' => out.push_str("\\t"),
            '\n' => out.push_str("\\n"),
            '\u{c}' => out.push_str("\\f"),
            '\r' => out.push_str("\\r"),
            c if (c as u32) < 0x20 || c == '\u{7f}' => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

fn key_piece(out: &mut String, k: &str) {
    if k.is_empty() {
        out.push_str("\"\"");
    } else if is_bare(k) {
        out.push_str(k);
    } else {
        write_quoted(out, k);
    }
}

struct TomlEncoder {
    out: String,
    written: bool,
}

impl TomlEncoder {
    fn w(&mut self, s: &str) {
        self.out.push_str(s);
        self.written = true;
    }

    fn newline(&mut self) {
        if self.written {
            self.w("\n");
        }
    }

    fn indent(&mut self, key: &[String]) {
        for _ in 1..key.len() {
            self.w("  ");
        }
    }

    fn key_string(key: &[String]) -> String {
        let mut s = String::new();
        for (i, k) in key.iter().enumerate() {
            if i > 0 {
                s.push('.');
            }
            key_piece(&mut s, k);
        }
        s
    }

    fn encode(&mut self, key: &[String], v: &Value) -> Result<(), Error> {
        let v = data(v)?;
        match &v {
            Value::Nil => Ok(()),
            Value::Map(d) => self.table(key, d),
            Value::List(items) => {
                if type_of(&v)? == Some(TomlType::ArrayHash) {
                    self.array_of_tables(key, items)
                } else {
                    self.key_value(key, &v, false)
                }
            }
            _ => self.key_value(key, &v, false),
        }
    }

    fn key_value(&mut self, key: &[String], v: &Value, inline: bool) -> Result<(), Error> {
        if let Some(last) = key.last() {
            self.indent(key);
            let mut k = String::new();
            key_piece(&mut k, last);
            self.w(&k);
            self.w(" = ");
        }
        self.element(v)?;
        if !key.is_empty() && !inline {
            self.newline();
        }
        Ok(())
    }

    fn element(&mut self, v: &Value) -> Result<(), Error> {
        let v = data(v)?;
        match &v {
            Value::String(s) => {
                let mut q = String::new();
                write_quoted(&mut q, s);
                self.w(&q);
            }
            Value::Bool(b) => self.w(if *b { "true" } else { "false" }),
            Value::Int(i) | Value::Int64(i) => self.w(&i.to_string()),
            Value::Float(f) => {
                if f.is_nan() {
                    if f.is_sign_negative() {
                        self.w("-");
                    }
                    self.w("nan");
                } else if f.is_infinite() {
                    if f.is_sign_negative() {
                        self.w("-");
                    }
                    self.w("inf");
                } else {
                    let mut s = gofloat::format_float(*f, b'g', false);
                    if !s.contains(['.', 'e']) {
                        s.push_str(".0");
                    }
                    self.w(&s);
                }
            }
            Value::List(items) => {
                self.w("[");
                for (i, item) in items.iter().enumerate() {
                    if matches!(item, Value::Nil) {
                        return Err(toml_error("toml: cannot encode array with nil element"));
                    }
                    self.element(item)?;
                    if i != items.len() - 1 {
                        self.w(", ");
                    }
                }
                self.w("]");
            }
            Value::Bytes(b) => {
                self.w("[");
                for (i, x) in b.iter().enumerate() {
                    self.w(&x.to_string());
                    if i != b.len() - 1 {
                        self.w(", ");
                    }
                }
                self.w("]");
            }
            Value::Map(d) => self.map(&[], d, true)?,
            Value::Nil => return Err(toml_error("toml: cannot encode array with nil element")),
            Value::Object(_) => {}
        }
        Ok(())
    }

    fn array_of_tables(&mut self, key: &[String], items: &[Value]) -> Result<(), Error> {
        if key.is_empty() {
            return Err(toml_error(
                "toml: top-level values must be Go maps or structs",
            ));
        }
        for item in items {
            let item = data(item)?;
            let Value::Map(d) = &item else {
                continue;
            };
            self.newline();
            self.indent(key);
            let k = Self::key_string(key);
            self.w(&format!("[[{k}]]"));
            self.newline();
            self.map(key, d, false)?;
        }
        Ok(())
    }

    fn table(&mut self, key: &[String], d: &Dict) -> Result<(), Error> {
        if key.len() == 1 {
            self.newline();
        }
        if !key.is_empty() {
            self.indent(key);
            let k = Self::key_string(key);
            self.w(&format!("[{k}]"));
            self.newline();
        }
        self.map(key, d, false)
    }

    fn map(&mut self, key: &[String], d: &Dict, inline: bool) -> Result<(), Error> {
        let entries: Vec<(String, Value)> = d.snapshot();
        let mut direct: Vec<&(String, Value)> = Vec::new();
        let mut sub: Vec<&(String, Value)> = Vec::new();
        for e in &entries {
            match type_of(&data(&e.1)?)? {
                Some(TomlType::Hash | TomlType::ArrayHash) => sub.push(e),
                _ => direct.push(e),
            }
        }
        if inline {
            self.w("{");
        }
        let trail = !sub.is_empty();
        self.write_keys(key, &direct, trail, inline)?;
        self.write_keys(key, &sub, false, inline)?;
        if inline {
            self.w("}");
        }
        Ok(())
    }

    fn write_keys(
        &mut self,
        key: &[String],
        keys: &[&(String, Value)],
        trail: bool,
        inline: bool,
    ) -> Result<(), Error> {
        // The snapshot is already in bytewise key order, as sort.Slice leaves it.
        for (i, (k, v)) in keys.iter().map(|e| (&e.0, &e.1)).enumerate() {
            if matches!(v, Value::Nil) {
                continue;
            }
            if inline {
                self.key_value(std::slice::from_ref(k), v, true)?;
                if trail || i != keys.len() - 1 {
                    self.w(", ");
                }
            } else {
                let mut sub_key = key.to_vec();
                sub_key.push(k.clone());
                self.encode(&sub_key, v)?;
            }
        }
        Ok(())
    }
}

/// Helm's `fromToml` without the error-to-map step: the document as a map. TOML integers become
/// `int64`, floats `float64`, dates and times their TOML text. Errors carry the parser's
/// message prefixed with `toml: ` (not BurntSushi's exact wording).
pub fn from_toml(src: &str) -> Result<Value, Error> {
    let table: toml::Table = src
        .parse()
        .map_err(|e: toml::de::Error| toml_error(&format!("toml: {}", e.message())))?;
    Ok(Value::Map(Dict::new(table_to_map(table))))
}

fn table_to_map(table: toml::Table) -> Map {
    table
        .into_iter()
        .map(|(k, v)| (k, toml_to_value(v)))
        .collect()
}

fn toml_to_value(v: toml::Value) -> Value {
    match v {
        toml::Value::String(s) => Value::from(s),
        toml::Value::Integer(i) => Value::Int64(i),
        toml::Value::Float(f) => Value::Float(f),
        toml::Value::Boolean(b) => Value::Bool(b),
        toml::Value::Datetime(d) => Value::from(d.to_string()),
        toml::Value::Array(items) => Value::list(items.into_iter().map(toml_to_value).collect()),
        toml::Value::Table(t) => Value::Map(Dict::new(table_to_map(t))),
    }
}
