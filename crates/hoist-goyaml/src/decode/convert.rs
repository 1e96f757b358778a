//! goyaml v2's decoding of a node tree into Go values (YAML 1.1 typing, merges, alias limits),
//! then `sigs.k8s.io/yaml`'s key stringification and JSON round trip, producing `Value`s.

use std::rc::Rc;

use hoist_gotmpl::{Dict, Map, Value};

use super::libyaml::restore_bom;
use super::{Document, MAX_DEPTH, NodeKind, depth_error};
use crate::resolve::{self, Resolved, short_tag};
use crate::{Error, gofloat};

/// goyaml's alias-ratio limit (decode.go `allowedAliasRatio`).
pub(super) fn allowed_alias_ratio(decode_count: usize) -> f64 {
    const LOW: usize = 400_000;
    const HIGH: usize = 4_000_000;
    if decode_count <= LOW {
        0.99
    } else if decode_count >= HIGH {
        0.10
    } else {
        0.99 - 0.89 * ((decode_count - LOW) as f64 / (HIGH - LOW) as f64)
    }
}

/// A decoded scalar before the JSON step.
pub(super) enum Scalar {
    Nil,
    Bool(bool),
    Int(i64),
    Uint(u64),
    Float(f64),
    Str(String),
}

pub(super) struct Converter<'d> {
    doc: &'d Document,
    decode_count: usize,
    alias_count: usize,
    alias_depth: usize,
    active_aliases: Vec<usize>,
    depth: usize,
    /// The first value json.Marshal would refuse (`+Inf`, `-Inf`, `NaN`).
    json_error: Option<String>,
    /// Keep goyaml's number types visible for sigs' string coercion: ints as `Int64`, uints as
    /// their decimal text, floats as `Float`.
    pub(super) typed_numbers: bool,
}

impl<'d> Converter<'d> {
    pub(super) fn new(doc: &'d Document) -> Self {
        Converter {
            doc,
            decode_count: 0,
            alias_count: 0,
            alias_depth: 0,
            active_aliases: Vec::new(),
            depth: 0,
            json_error: None,
            typed_numbers: false,
        }
    }

    pub(super) fn convert_document(mut self) -> Result<Value, Error> {
        self.count()?; // the document node
        let v = self.convert(self.doc.root)?;
        if let Some(e) = self.json_error {
            return Err(Error::json(e));
        }
        Ok(v)
    }

    fn count(&mut self) -> Result<(), Error> {
        self.decode_count += 1;
        if self.alias_depth > 0 {
            self.alias_count += 1;
        }
        if self.alias_count > 100
            && self.decode_count > 1000
            && self.alias_count as f64 / self.decode_count as f64
                > allowed_alias_ratio(self.decode_count)
        {
            return Err(Error::yaml("yaml: document contains excessive aliasing"));
        }
        Ok(())
    }

    /// Decodes what alias node `n` points at with `f`, refusing an alias whose value contains
    /// itself (Go's `d.alias`).
    fn through_alias<T>(
        &mut self,
        n: usize,
        f: impl FnOnce(&mut Self) -> Result<T, Error>,
    ) -> Result<T, Error> {
        if self.active_aliases.contains(&n) {
            let name = match &self.doc.nodes[n].kind {
                NodeKind::Alias { name, .. } => name.as_str(),
                _ => "",
            };
            return Err(Error::yaml(format!(
                "yaml: anchor '{name}' value contains itself"
            )));
        }
        self.enter()?;
        self.active_aliases.push(n);
        self.alias_depth += 1;
        let r = f(self);
        self.alias_depth -= 1;
        self.active_aliases.pop();
        self.depth -= 1;
        r
    }

    fn convert(&mut self, n: usize) -> Result<Value, Error> {
        stacker::maybe_grow(crate::encode::RED_ZONE, crate::encode::STACK_CHUNK, || {
            self.convert_inner(n)
        })
    }

    fn convert_inner(&mut self, n: usize) -> Result<Value, Error> {
        self.count()?;
        let node = &self.doc.nodes[n];
        match &node.kind {
            NodeKind::Alias { target, .. } => {
                let target = *target;
                self.through_alias(n, |d| d.convert(target))
            }
            NodeKind::Scalar { .. } => {
                let s = self.scalar(n)?;
                Ok(self.scalar_value(s))
            }
            NodeKind::Seq(items) => {
                self.enter()?;
                let mut out = Vec::with_capacity(items.len());
                for &item in items {
                    out.push(self.convert(item)?);
                }
                self.depth -= 1;
                Ok(Value::List(Rc::new(out)))
            }
            NodeKind::Map(_) => {
                self.enter()?;
                let mut map = Map::new();
                self.mapping_into(n, &mut map)?;
                self.depth -= 1;
                Ok(Value::Map(Dict::new(map)))
            }
        }
    }

    fn enter(&mut self) -> Result<(), Error> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(depth_error());
        }
        Ok(())
    }

    /// Decodes a mapping node into `map` (goyaml `d.mapping` with an existing map: merges write
    /// into the same map, in document order).
    fn mapping_into(&mut self, n: usize, map: &mut Map) -> Result<(), Error> {
        let NodeKind::Map(items) = &self.doc.nodes[n].kind else {
            return Ok(());
        };
        for pair in items.chunks(2) {
            let (k, v) = (pair[0], pair.get(1).copied());
            let Some(v) = v else { break };
            if self.is_merge(k) {
                self.merge(v, map)?;
                continue;
            }
            let key = self.key(k)?;
            let value = self.convert(v)?;
            map.insert(key, value);
        }
        Ok(())
    }

    fn is_merge(&self, n: usize) -> bool {
        match &self.doc.nodes[n].kind {
            NodeKind::Scalar {
                value,
                tag,
                implicit,
                ..
            } => value == "<<" && (*implicit || tag.as_deref() == Some(resolve::MERGE_TAG)),
            _ => false,
        }
    }

    fn want_map() -> Error {
        Error::yaml("yaml: map merge requires map or sequence of maps as the value")
    }

    fn is_map_or_alias_to_map(&self, n: usize) -> bool {
        match &self.doc.nodes[n].kind {
            NodeKind::Map(_) => true,
            NodeKind::Alias { target, .. } => {
                matches!(self.doc.nodes[*target].kind, NodeKind::Map(_))
            }
            _ => false,
        }
    }

    fn merge(&mut self, n: usize, map: &mut Map) -> Result<(), Error> {
        match &self.doc.nodes[n].kind {
            NodeKind::Map(_) | NodeKind::Alias { .. } => {
                if !self.is_map_or_alias_to_map(n) {
                    return Err(Self::want_map());
                }
                self.merge_one(n, map)
            }
            NodeKind::Seq(items) => {
                for &item in items.iter().rev() {
                    if !self.is_map_or_alias_to_map(item) {
                        return Err(Self::want_map());
                    }
                    self.merge_one(item, map)?;
                }
                Ok(())
            }
            NodeKind::Scalar { .. } => Err(Self::want_map()),
        }
    }

    /// `d.unmarshal(n, out)` where out is the existing map and n is a mapping or an alias to one.
    fn merge_one(&mut self, n: usize, map: &mut Map) -> Result<(), Error> {
        stacker::maybe_grow(crate::encode::RED_ZONE, crate::encode::STACK_CHUNK, || {
            self.merge_one_inner(n, map)
        })
    }

    fn merge_one_inner(&mut self, n: usize, map: &mut Map) -> Result<(), Error> {
        self.count()?;
        match &self.doc.nodes[n].kind {
            NodeKind::Alias { target, .. } => {
                let target = *target;
                self.through_alias(n, |d| d.merge_one(target, map))
            }
            NodeKind::Map(_) => {
                self.enter()?;
                let r = self.mapping_into(n, map);
                self.depth -= 1;
                r
            }
            _ => Err(Self::want_map()),
        }
    }

    /// The string form of a map key (`convertToJSONableObject`).
    fn key(&mut self, n: usize) -> Result<String, Error> {
        // Resolve through aliases.
        let mut target = n;
        let mut hops = 0;
        while let NodeKind::Alias { target: t, .. } = &self.doc.nodes[target].kind {
            target = *t;
            hops += 1;
            if hops > MAX_DEPTH {
                return Err(depth_error());
            }
        }
        match &self.doc.nodes[target].kind {
            NodeKind::Scalar {
                missing_key: Some(e),
                ..
            } if target == n => return Err((**e).clone()),
            NodeKind::Scalar { .. } => {}
            _ => {
                // Decode it anyway to report goyaml's error text.
                let v = self.convert(n)?;
                return Err(Error::yaml(format!(
                    "yaml: invalid map key: {}",
                    go_sharp_v(&v)
                )));
            }
        }
        self.count()?;
        let s = self.scalar(target)?;
        Ok(match s {
            Scalar::Str(s) => s,
            Scalar::Int(i) => i.to_string(),
            Scalar::Float(f) => crate::encode::yaml_float_bits(f, true),
            Scalar::Bool(b) => if b { "true" } else { "false" }.into(),
            Scalar::Nil => {
                let v = self.convert(self.value_after_key(n))?;
                return Err(Error::yaml(format!(
                    "unsupported map key of type: %!s(<nil>), key: <nil>, value: {}",
                    go_sharp_v(&v)
                )));
            }
            Scalar::Uint(u) => {
                let v = self.convert(self.value_after_key(n))?;
                return Err(Error::yaml(format!(
                    "unsupported map key of type: uint64, key: {u:#x}, value: {}",
                    go_sharp_v(&v)
                )));
            }
        })
    }

    /// The value node that follows key node `k` in its mapping.
    fn value_after_key(&self, k: usize) -> usize {
        for node in &self.doc.nodes {
            if let NodeKind::Map(items) = &node.kind {
                for pair in items.chunks(2) {
                    if pair[0] == k
                        && let Some(&v) = pair.get(1)
                    {
                        return v;
                    }
                }
            }
        }
        k
    }

    /// goyaml `d.scalar` into an `interface{}`.
    fn scalar(&mut self, n: usize) -> Result<Scalar, Error> {
        let node = &self.doc.nodes[n];
        let NodeKind::Scalar {
            value,
            tag,
            implicit,
            ..
        } = &node.kind
        else {
            return Ok(Scalar::Nil);
        };
        let tag_s = tag.as_deref().unwrap_or("");
        if tag_s == resolve::NULL_TAG {
            // prepare(): an explicit !!null is nil whatever the text... but resolve still
            // checks the text below, as goyaml's d.scalar does.
        }
        if tag_s.is_empty() && !*implicit {
            return Ok(Scalar::Str(restore_bom(value)));
        }
        // resolve(tag, value)
        let resolvable = matches!(
            tag_s,
            "" | resolve::STR_TAG
                | resolve::BOOL_TAG
                | resolve::INT_TAG
                | resolve::FLOAT_TAG
                | resolve::NULL_TAG
                | resolve::TIMESTAMP_TAG
        );
        if !resolvable {
            if tag_s == resolve::BINARY_TAG {
                return match decode_base64(value) {
                    Some(bytes) => Ok(Scalar::Str(hoist_gotmpl::gofmt::go_lossy(&bytes))),
                    None => Err(Error::yaml(
                        "yaml: !!binary value contains invalid base64 data",
                    )),
                };
            }
            return Ok(Scalar::Str(restore_bom(value)));
        }
        let r = if tag_s == resolve::STR_TAG {
            Resolved::Str
        } else {
            resolve::resolve_hinted(value, tag_s.is_empty() || tag_s == resolve::TIMESTAMP_TAG)
        };
        let r = if !tag_s.is_empty() && tag_s != resolve::STR_TAG && r.tag() != tag_s {
            match (&r, tag_s) {
                (Resolved::Int(i), resolve::FLOAT_TAG) => Resolved::Float(*i as f64),
                _ => {
                    let shown = if r == Resolved::Merge {
                        // "<<" resolves to the merge tag
                        short_tag(resolve::MERGE_TAG)
                    } else {
                        short_tag(r.tag())
                    };
                    return Err(Error::yaml(format!(
                        "yaml: cannot decode {shown} `{value}` as a {}",
                        short_tag(tag_s)
                    )));
                }
            }
        } else {
            r
        };
        Ok(match r {
            Resolved::Null => Scalar::Nil,
            Resolved::Bool(b) => Scalar::Bool(b),
            Resolved::Int(i) => Scalar::Int(i),
            Resolved::Uint(u) => Scalar::Uint(u),
            Resolved::Float(f) => Scalar::Float(f),
            Resolved::Merge | Resolved::Timestamp | Resolved::Str => {
                Scalar::Str(restore_bom(value))
            }
        })
    }

    fn scalar_value(&mut self, s: Scalar) -> Value {
        match s {
            Scalar::Nil => Value::Nil,
            Scalar::Bool(b) => Value::Bool(b),
            Scalar::Int(i) if self.typed_numbers => Value::Int64(i),
            Scalar::Uint(u) if self.typed_numbers => Value::from(u.to_string()),
            Scalar::Int(i) => Value::Float(i as f64),
            Scalar::Uint(u) => Value::Float(u as f64),
            Scalar::Float(f) => {
                if !f.is_finite() && self.json_error.is_none() {
                    let text = gofloat::format_float(f, b'g', false);
                    self.json_error = Some(format!("json: unsupported value: {text}"));
                }
                Value::Float(f)
            }
            Scalar::Str(s) => Value::String(Rc::from(s)),
        }
    }
}

/// Go `base64.StdEncoding.DecodeString` (padding required; `\r` and `\n` ignored).
pub(crate) fn decode_base64(s: &str) -> Option<Vec<u8>> {
    let clean: Vec<u8> = s.bytes().filter(|&c| c != b'\n' && c != b'\r').collect();
    if !clean.len().is_multiple_of(4) {
        return None;
    }
    let val = |c: u8| -> Option<u32> {
        Some(match c {
            b'A'..=b'Z' => (c - b'A') as u32,
            b'a'..=b'z' => (c - b'a' + 26) as u32,
            b'0'..=b'9' => (c - b'0' + 52) as u32,
            b'+' => 62,
            b'/' => 63,
            _ => return None,
        })
    };
    let mut out = Vec::with_capacity(clean.len() / 4 * 3);
    for (ci, chunk) in clean.chunks(4).enumerate() {
        let last = ci == clean.len() / 4 - 1;
        let pad = chunk.iter().rev().take_while(|&&c| c == b'=').count();
        if pad > 2 || (pad > 0 && !last) {
            return None;
        }
        let mut n = 0u32;
        for &c in &chunk[..4 - pad] {
            n = (n << 6) | val(c)?;
        }
        n <<= 6 * pad as u32;
        let bytes = [(n >> 16) as u8, (n >> 8) as u8, n as u8];
        out.extend_from_slice(&bytes[..3 - pad]);
    }
    Some(out)
}

/// Go's `%#v` of a decoded value (used only in rare error texts). Inside containers a nil is
/// `interface {}(nil)`.
pub(super) fn go_sharp_v(v: &Value) -> String {
    go_sharp_v_in(v, false)
}

pub(super) fn go_sharp_v_in(v: &Value, nested: bool) -> String {
    match v {
        Value::Nil if nested => "interface {}(nil)".into(),
        Value::Nil => "<nil>".into(),
        Value::Bool(b) => b.to_string(),
        Value::Float(f) => gofloat::format_float(*f, b'g', false),
        Value::Int(i) | Value::Int64(i) => i.to_string(),
        Value::String(s) => format!("{:?}", &**s),
        Value::List(items) => {
            let inner: Vec<String> = items.iter().map(|x| go_sharp_v_in(x, true)).collect();
            format!("[]interface {{}}{{{}}}", inner.join(", "))
        }
        Value::Map(d) => {
            let inner: Vec<String> = d
                .borrow()
                .iter()
                .map(|(k, v)| format!("{k:?}:{}", go_sharp_v_in(v, true)))
                .collect();
            format!("map[interface {{}}]interface {{}}{{{}}}", inner.join(", "))
        }
        _ => String::new(),
    }
}
