//! Helm's `--set` family parsers (`pkg/strvals`): `--set`, `--set-string`, `--set-json`,
//! `--set-file` and `--set-literal`, with Helm's typing rules, limits and error texts.

use crate::gojson;
use hoist_gotmpl::gofmt::quote;
use hoist_gotmpl::{Dict, Map, Value};
use thiserror::Error;

/// The largest list index accepted.
pub const MAX_INDEX: i64 = 65536;
/// The deepest `a.b.c` nesting accepted.
pub const MAX_NESTED_NAME_LEVEL: usize = 30;

/// A parse error, with Helm's message.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("{0}")]
pub struct StrvalsError(pub String);

/// Reads the value of a `--set-file` entry (the path) and returns the value to store.
pub type RunesReader<'a> = dyn FnMut(&str) -> Result<Value, String> + 'a;

enum Mode<'a> {
    Typed { string_only: bool },
    Json,
    File(&'a mut RunesReader<'a>),
}

/// Internal control flow: io.EOF, a Go error, or a recovered panic.
enum Err {
    Eof,
    Msg(String),
}

impl From<String> for Err {
    fn from(s: String) -> Self {
        Err::Msg(s)
    }
}

type Res<T> = Result<T, Err>;

struct Scanner {
    chars: Vec<char>,
    pos: usize,
}

impl Scanner {
    fn new(s: &str) -> Self {
        Scanner {
            chars: s.chars().collect(),
            pos: 0,
        }
    }

    fn read(&mut self) -> Option<char> {
        let c = self.chars.get(self.pos).copied();
        if c.is_some() {
            self.pos += 1;
        }
        c
    }

    fn unread(&mut self) {
        self.pos -= 1;
    }

    /// `runesUntil`: reads up to a stop rune, handling `\` escapes (when `escapes`).
    /// Returns (runes, stop rune or None at EOF).
    fn until(&mut self, stop: &[char], escapes: bool) -> (String, Option<char>, bool) {
        let mut v = String::new();
        loop {
            match self.read() {
                None => return (v, None, true),
                Some(c) if stop.contains(&c) => return (v, Some(c), false),
                Some('\\') if escapes => match self.read() {
                    None => return (v, None, true),
                    Some(n) => v.push(n),
                },
                Some(c) => v.push(c),
            }
        }
    }

    fn rest(&self) -> String {
        self.chars[self.pos..].iter().collect()
    }
}

fn go_type(v: Option<&Value>) -> String {
    match v {
        None | Some(Value::Nil) => "nil".into(),
        Some(v) => v.type_name(),
    }
}

fn panic_conv(v: Option<&Value>, want: &str) -> Err {
    Err::Msg(format!(
        "unable to parse key: interface conversion: interface {{}} is {}, not {want}",
        go_type(v)
    ))
}

fn set(data: &Dict, key: &str, val: Value) {
    if !key.is_empty() {
        data.insert(key, val);
    }
}

fn set_index(
    mut list: Vec<Value>,
    index: i64,
    val: Value,
) -> Result<Vec<Value>, (Vec<Value>, String)> {
    if index < 0 {
        return Err((list, format!("negative {index} index not allowed")));
    }
    if index > MAX_INDEX {
        return Err((
            list,
            format!("index of {index} is greater than maximum supported index of {MAX_INDEX}"),
        ));
    }
    let index = index as usize;
    if list.len() <= index {
        list.resize(index + 1, Value::Nil);
    }
    list[index] = val;
    Ok(list)
}

/// Go's `strconv.Atoi` with its error text.
fn atoi(s: &str) -> Result<i64, String> {
    let digits = s.strip_prefix(['+', '-']).unwrap_or(s);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(format!(
            "strconv.Atoi: parsing {}: invalid syntax",
            quote(s)
        ));
    }
    s.parse::<i64>()
        .map_err(|_| format!("strconv.Atoi: parsing {}: value out of range", quote(s)))
}

fn fold_eq(a: &str, word: &str) -> bool {
    let mut it = a.chars().map(|c| match c {
        'ſ' => 's',
        'K' => 'k',
        c => c.to_ascii_lowercase(),
    });
    let mut w = word.chars();
    loop {
        match (it.next(), w.next()) {
            (None, None) => return true,
            (Some(x), Some(y)) if x == y => {}
            _ => return false,
        }
    }
}

/// Helm's `typedVal`: `true`/`false`/`null` (any case), `0`, and base-10 int64s that don't
/// start with `0` are typed; everything else stays a string.
pub fn typed_val(val: &str, string_only: bool) -> Value {
    if string_only {
        return Value::from(val);
    }
    if fold_eq(val, "true") {
        return Value::Bool(true);
    }
    if fold_eq(val, "false") {
        return Value::Bool(false);
    }
    if fold_eq(val, "null") {
        return Value::Nil;
    }
    if val == "0" {
        return Value::Int64(0);
    }
    if !val.is_empty()
        && !val.starts_with('0')
        && let Some(rest) = Some(val.strip_prefix(['+', '-']).unwrap_or(val))
        && !rest.is_empty()
        && rest.bytes().all(|b| b.is_ascii_digit())
        && let Ok(i) = val.parse::<i64>()
    {
        return Value::Int64(i);
    }
    Value::from(val)
}

/// What the `--set` parser and the `--set-literal` parser (Helm's `parser` and
/// `literalParser`) share: keys, list indexes and their nesting. Each parser reads the text
/// after `=` its own way.
trait KeyParser {
    /// Whether `\` escapes the next character in keys and indexes.
    const ESCAPES: bool;

    fn scanner(&mut self) -> &mut Scanner;

    /// One `key…=value` (`key` in Go).
    fn key(&mut self, data: &Dict, level: usize) -> Res<()>;

    /// `[i]=value`: item `i` set to the value that follows.
    fn list_value(&mut self, list: Vec<Value>, i: i64) -> (Vec<Value>, Option<Err>);

    /// The part after `name[i]` (`listItem` in Go); returns the (possibly updated) list and an
    /// error, like Go's `([]any, error)`.
    fn list_item(&mut self, list: Vec<Value>, i: i64, level: usize) -> (Vec<Value>, Option<Err>) {
        match self.list_item_start(i) {
            Ok('=') => self.list_value(list, i),
            Ok('[') => self.nested_list(list, i, level),
            Ok(_) => self.list_map(list, i, level), // '.'
            Err(e) => (list, Some(e)),
        }
    }

    /// Keys until the end of the input.
    fn parse(&mut self, data: &Dict) -> Result<(), StrvalsError> {
        loop {
            match self.key(data, 0) {
                Ok(()) => continue,
                Err(Err::Eof) => return Ok(()),
                Err(Err::Msg(m)) => return Err(StrvalsError(m)),
            }
        }
    }

    /// A key cut short by the end of the input.
    fn key_at_eof(k: &str) -> Err {
        if k.is_empty() {
            Err::Eof
        } else {
            Err::Msg(format!("key {} has no value", quote(k)))
        }
    }

    /// The index after `[`, through `]`.
    fn key_index(&mut self) -> Res<i64> {
        let (v, _, eof) = self.scanner().until(&[']'], Self::ESCAPES);
        if eof {
            return Err(Err::Eof);
        }
        atoi(&v).map_err(Err::Msg)
    }

    /// The index after `[`, with the error text of a bad one.
    fn parse_index(&mut self) -> Res<i64> {
        self.key_index()
            .map_err(|e| Err::Msg(format!("error parsing index: {}", err_text(e))))
    }

    /// `name[i]…`: the list at `data[name]`, with item `i` set by what follows.
    fn indexed_key(&mut self, data: &Dict, k: &str, level: usize) -> Res<()> {
        let i = self.parse_index()?;
        let list = match data.get(k) {
            None => Vec::new(),
            Some(Value::List(l)) => l.as_ref().clone(),
            Some(other) => return Err(panic_conv(Some(&other), "[]interface {}")),
        };
        let (list, err) = self.list_item(list, i, level);
        set(data, k, Value::list(list));
        match err {
            None => Ok(()),
            Some(e) => Err(e),
        }
    }

    /// `name.…`: the map at `data[name]`, with the rest of the key set in it.
    fn nested_key(&mut self, data: &Dict, k: &str, level: usize) -> Res<()> {
        let level = level + 1;
        if level > MAX_NESTED_NAME_LEVEL {
            return Err(Err::Msg(format!(
                "value name nested level is greater than maximum supported nested level of {MAX_NESTED_NAME_LEVEL}"
            )));
        }
        let inner = match data.get(k) {
            None => Dict::new(Map::new()),
            Some(Value::Map(d)) => d,
            Some(other) => {
                return Err(panic_conv(Some(&other), "map[string]interface {}"));
            }
        };
        let e = self.key(&inner, level);
        if e.is_ok() && inner.is_empty() {
            return Err(Err::Msg(format!("key map {} has no value", quote(k))));
        }
        if !inner.is_empty() {
            set(data, k, Value::Map(inner));
        }
        e
    }

    /// The start of `listItem`: checks the index and reads what follows `]` up to `[`, `.` or
    /// `=`; returns that stop character.
    fn list_item_start(&mut self, i: i64) -> Res<char> {
        if i < 0 {
            return Err(Err::Msg(format!("negative {i} index not allowed")));
        }
        let (k, last, eof) = self.scanner().until(&['[', '.', '='], Self::ESCAPES);
        if !k.is_empty() {
            return Err(Err::Msg(format!(
                "unexpected data at end of array index: {}",
                quote(&k)
            )));
        }
        match last {
            Some(c) if !eof => Ok(c),
            _ => Err(Err::Eof),
        }
    }

    /// `[i][j]…`: item `i` is a list, with item `j` set by what follows.
    fn nested_list(&mut self, list: Vec<Value>, i: i64, level: usize) -> (Vec<Value>, Option<Err>) {
        let next_i = match self.parse_index() {
            Ok(n) => n,
            Err(e) => return (list, Some(e)),
        };
        let mut crt = Vec::new();
        if (list.len() as i64) > i {
            match &list[i as usize] {
                Value::Nil => {}
                Value::List(l) => crt = l.as_ref().clone(),
                other => {
                    return (
                        list.clone(),
                        Some(panic_conv(Some(other), "[]interface {}")),
                    );
                }
            }
        }
        let (list2, err) = self.list_item(crt, next_i, level);
        if err.is_some() {
            return (list, err);
        }
        wrap(set_index(list, i, Value::list(list2)))
    }

    /// `[i].…`: item `i` is a map, with the rest of the key set in it.
    fn list_map(
        &mut self,
        mut list: Vec<Value>,
        i: i64,
        level: usize,
    ) -> (Vec<Value>, Option<Err>) {
        let mut inner = Dict::new(Map::new());
        if (list.len() as i64) > i {
            match &list[i as usize] {
                Value::Map(d) => inner = d.clone(),
                _ => list[i as usize] = Value::Map(inner.clone()),
            }
        }
        if let Err(e) = self.key(&inner, level) {
            return (list, Some(e));
        }
        wrap(set_index(list, i, Value::Map(inner)))
    }
}

struct Parser<'a> {
    sc: Scanner,
    mode: Mode<'a>,
}

impl KeyParser for Parser<'_> {
    const ESCAPES: bool = true;

    fn scanner(&mut self) -> &mut Scanner {
        &mut self.sc
    }

    fn key(&mut self, data: &Dict, level: usize) -> Res<()> {
        let (k, last, eof) = self.sc.until(&['=', '[', ',', '.'], true);
        if eof {
            return Err(Self::key_at_eof(&k));
        }
        match last {
            Some('[') => self.indexed_key(data, &k, level),
            Some('=') => {
                if matches!(self.mode, Mode::Json) {
                    if self.empty_val() {
                        set(data, &k, Value::Nil);
                        return Ok(());
                    }
                    let v = self.json_value()?;
                    set(data, &k, v);
                    self.empty_val();
                    return Ok(());
                }
                match self.val_list() {
                    Ok(vl) => {
                        set(data, &k, Value::list(vl));
                        Ok(())
                    }
                    Err(ListErr::Eof) => {
                        set(data, &k, Value::from(""));
                        Err(Err::Eof)
                    }
                    Err(ListErr::NotList) => {
                        let (rs, _, _) = self.sc.until(&[','], true);
                        match self.read_value(&rs) {
                            Ok(v) => {
                                set(data, &k, v);
                                Ok(())
                            }
                            Err(e) => {
                                set(data, &k, Value::Nil);
                                Err(Err::Msg(e))
                            }
                        }
                    }
                    Err(ListErr::Msg(m)) => Err(Err::Msg(m)),
                }
            }
            Some(',') => {
                set(data, &k, Value::from(""));
                Err(Err::Msg(format!(
                    "key {} has no value (cannot end with ,)",
                    quote(&k)
                )))
            }
            _ => self.nested_key(data, &k, level), // '.'
        }
    }

    fn list_value(&mut self, list: Vec<Value>, i: i64) -> (Vec<Value>, Option<Err>) {
        if matches!(self.mode, Mode::Json) {
            if self.empty_val() {
                return wrap(set_index(list, i, Value::Nil));
            }
            let v = match self.json_value() {
                Ok(v) => v,
                Err(e) => return (list, Some(e)),
            };
            let list = match set_index(list, i, v) {
                Ok(l) => l,
                Err((l, m)) => return (l, Some(Err::Msg(m))),
            };
            self.empty_val();
            return (list, None);
        }
        match self.val_list() {
            Ok(vl) => wrap(set_index(list, i, Value::list(vl))),
            Err(ListErr::Eof) => wrap(set_index(list, i, Value::from(""))),
            Err(ListErr::NotList) => {
                let (rs, _, _) = self.sc.until(&[','], true);
                match self.read_value(&rs) {
                    Ok(v) => wrap(set_index(list, i, v)),
                    Err(e) => (list, Some(Err::Msg(e))),
                }
            }
            Err(ListErr::Msg(m)) => (list, Some(Err::Msg(m))),
        }
    }
}

impl Parser<'_> {
    fn read_value(&mut self, rs: &str) -> Result<Value, String> {
        match &mut self.mode {
            Mode::Typed { string_only } => Ok(typed_val(rs, *string_only)),
            Mode::File(reader) => reader(rs),
            Mode::Json => Ok(Value::from(rs)),
        }
    }

    fn json_value(&mut self) -> Res<Value> {
        let rest = self.sc.rest();
        let (v, off) = gojson::decode_prefix(&rest).map_err(Err::Msg)?;
        let nchars = rest[..off].chars().count();
        self.sc.pos += nchars;
        Ok(v)
    }

    /// Consumes blanks up to a comma or EOF (true: empty value); stops before anything else.
    fn empty_val(&mut self) -> bool {
        loop {
            match self.sc.read() {
                None | Some(',') => return true,
                Some(c) if c.is_whitespace() => {}
                Some(_) => {
                    self.sc.unread();
                    return false;
                }
            }
        }
    }

    fn val_list(&mut self) -> Result<Vec<Value>, ListErr> {
        match self.sc.read() {
            None => return Err(ListErr::Eof),
            Some('{') => {}
            Some(_) => {
                self.sc.unread();
                return Err(ListErr::NotList);
            }
        }
        let mut list = Vec::new();
        loop {
            let (rs, last, eof) = self.sc.until(&[',', '}'], true);
            if eof {
                return Err(ListErr::Msg("list must terminate with '}'".into()));
            }
            if last == Some('}') {
                if let Some(c) = self.sc.read()
                    && c != ','
                {
                    self.sc.unread();
                }
                let v = self.read_value(&rs).map_err(ListErr::Msg)?;
                list.push(v);
                return Ok(list);
            }
            let v = self.read_value(&rs).map_err(ListErr::Msg)?;
            list.push(v);
        }
    }
}

enum ListErr {
    Eof,
    NotList,
    Msg(String),
}

fn wrap(r: Result<Vec<Value>, (Vec<Value>, String)>) -> (Vec<Value>, Option<Err>) {
    match r {
        Ok(l) => (l, None),
        Err((l, m)) => (l, Some(Err::Msg(m))),
    }
}

fn err_text(e: Err) -> String {
    match e {
        Err::Eof => "EOF".into(),
        Err::Msg(m) => m,
    }
}

fn run(s: &str, dest: &Dict, mode: Mode<'_>) -> Result<(), StrvalsError> {
    let mut p = Parser {
        sc: Scanner::new(s),
        mode,
    };
    p.parse(dest)
}

/// `strvals.Parse`: a `--set` line into a new map.
pub fn parse(s: &str) -> Result<Dict, StrvalsError> {
    let d = Dict::new(Map::new());
    parse_into(s, &d)?;
    Ok(d)
}

/// `strvals.ParseString`: a `--set-string` line into a new map.
pub fn parse_string(s: &str) -> Result<Dict, StrvalsError> {
    let d = Dict::new(Map::new());
    parse_into_string(s, &d)?;
    Ok(d)
}

/// `strvals.ParseInto`: a `--set` line merged into `dest`.
pub fn parse_into(s: &str, dest: &Dict) -> Result<(), StrvalsError> {
    run(s, dest, Mode::Typed { string_only: false })
}

/// `strvals.ParseIntoString`: a `--set-string` line merged into `dest`.
pub fn parse_into_string(s: &str, dest: &Dict) -> Result<(), StrvalsError> {
    run(s, dest, Mode::Typed { string_only: true })
}

/// `strvals.ParseJSON`: a `--set-json` `k=<json>,…` line merged into `dest`.
pub fn parse_json(s: &str, dest: &Dict) -> Result<(), StrvalsError> {
    run(s, dest, Mode::Json)
}

/// `strvals.ParseIntoFile`: a `--set-file` line merged into `dest`; `reader` turns each value
/// (a path) into the value to store.
pub fn parse_into_file<'a>(
    s: &str,
    dest: &Dict,
    reader: &'a mut RunesReader<'a>,
) -> Result<(), StrvalsError> {
    run(s, dest, Mode::File(reader))
}

/// `strvals.ParseLiteral`: a `--set-literal` line into a new map.
pub fn parse_literal(s: &str) -> Result<Dict, StrvalsError> {
    let d = Dict::new(Map::new());
    parse_literal_into(s, &d)?;
    Ok(d)
}

/// `strvals.ParseLiteralInto`: a `--set-literal` line merged into `dest`: everything after the
/// first `=` is the value, verbatim.
pub fn parse_literal_into(s: &str, dest: &Dict) -> Result<(), StrvalsError> {
    Literal {
        sc: Scanner::new(s),
    }
    .parse(dest)
}

struct Literal {
    sc: Scanner,
}

impl KeyParser for Literal {
    const ESCAPES: bool = false;

    fn scanner(&mut self) -> &mut Scanner {
        &mut self.sc
    }

    fn key(&mut self, data: &Dict, level: usize) -> Res<()> {
        let (key, last, eof) = self.sc.until(&['=', '[', '.'], false);
        if eof {
            return Err(Self::key_at_eof(&key));
        }
        match last {
            Some('=') => {
                let (value, _, _) = self.sc.until(&[], false);
                set(data, &key, Value::from(value));
                Ok(())
            }
            Some('.') => self.nested_key(data, &key, level),
            _ => self.indexed_key(data, &key, level), // '['
        }
    }

    fn list_value(&mut self, list: Vec<Value>, i: i64) -> (Vec<Value>, Option<Err>) {
        let (value, _, _) = self.sc.until(&[], false);
        wrap(set_index(list, i, Value::from(value)))
    }
}
