//! Sprig's `semver` and `semverCompare` (`semver.go`), plus the URL and network functions
//! (`url.go`: `urlParse`, `urlJoin`; `network.go`: `getHostByName`), which live in the nested
//! `url` module below.

use std::fmt;
use std::rc::Rc;

use hoist_gotmpl::{ArgType, FuncError, Object, Signature, Value};
use hoist_semver::{Constraints, Version};

use crate::SprigFunc;

pub(crate) fn functions() -> Vec<SprigFunc> {
    let mut all = vec![
        SprigFunc {
            name: "semver",
            sig: Signature::fixed(&[ArgType::String]),
            f: semver,
        },
        SprigFunc {
            name: "semverCompare",
            sig: Signature::fixed(&[ArgType::String, ArgType::String]),
            f: semver_compare,
        },
    ];
    all.extend(url::functions());
    all
}

fn str_arg(args: &[Value], i: usize) -> &str {
    args.get(i).and_then(Value::as_str).unwrap_or("")
}

fn err(e: impl fmt::Display) -> FuncError {
    FuncError::new(e.to_string())
}

/// `semver VERSION`: a `*semver.Version` (lenient `NewVersion`).
fn semver(args: &[Value]) -> Result<Value, FuncError> {
    let v = Version::parse(str_arg(args, 0)).map_err(err)?;
    Ok(SemverObject::pointer(v))
}

/// `semverCompare CONSTRAINT VERSION`: true when the version satisfies the constraint.
fn semver_compare(args: &[Value]) -> Result<Value, FuncError> {
    let c = Constraints::parse(str_arg(args, 0)).map_err(err)?;
    let v = Version::parse(str_arg(args, 1)).map_err(err)?;
    Ok(Value::Bool(c.check(&v)))
}

/// A Masterminds `*semver.Version` (what `semver` returns) or a `semver.Version` value (what
/// `IncMajor` and friends return). Go's method sets differ: the pointer has every method, the
/// value only the value-receiver ones (no `Original`, `LessThan`, `GreaterThan`, `Equal`,
/// `Compare`), because a function result is not addressable.
#[derive(Debug)]
pub(crate) struct SemverObject {
    version: Version,
    pointer: bool,
}

const POINTER_TYPE: &str = "*semver.Version";
const VALUE_TYPE: &str = "semver.Version";

impl SemverObject {
    fn pointer(version: Version) -> Value {
        Value::Object(Rc::new(SemverObject {
            version,
            pointer: true,
        }))
    }

    fn value(version: Version) -> Value {
        Value::Object(Rc::new(SemverObject {
            version,
            pointer: false,
        }))
    }
}

const VALUE_METHODS: &[&str] = &[
    "IncMajor",
    "IncMinor",
    "IncPatch",
    "Major",
    "MarshalJSON",
    "MarshalText",
    "Metadata",
    "Minor",
    "Patch",
    "Prerelease",
    "SetMetadata",
    "SetPrerelease",
    "String",
    "Value",
];

const POINTER_ONLY_METHODS: &[&str] = &[
    "Compare",
    "Equal",
    "GreaterThan",
    "GreaterThanEqual",
    "LessThan",
    "LessThanEqual",
    "Original",
];

/// The Go type name of a template value, for `wrong type` messages.
fn go_type(v: &Value) -> String {
    v.type_name()
}

/// The `*semver.Version` argument of a comparison method.
fn version_arg(method: &str, args: &[Value]) -> Result<Version, FuncError> {
    if args.len() != 1 {
        return Err(FuncError::new(format!(
            "wrong number of args for {method}: want 1 got {}",
            args.len()
        )));
    }
    match &args[0] {
        Value::Object(o) if o.type_name() == POINTER_TYPE => {
            let mut text = String::new();
            o.fmt_value(&mut text).map_err(err)?;
            Version::parse(&text).map_err(err)
        }
        // A nil *semver.Version: Go would dereference it and panic inside the method.
        Value::Nil => Err(FuncError::new(
            "runtime error: invalid memory address or nil pointer dereference",
        )),
        other => Err(FuncError::new(format!(
            "wrong type for value; expected {POINTER_TYPE}; got {}",
            go_type(other)
        ))),
    }
}

fn no_args(method: &str, args: &[Value]) -> Result<(), FuncError> {
    if args.is_empty() {
        Ok(())
    } else {
        Err(FuncError::new(format!(
            "wrong number of args for {method}: want 0 got {}",
            args.len()
        )))
    }
}

fn string_arg<'a>(method: &str, args: &'a [Value]) -> Result<&'a str, FuncError> {
    if args.len() != 1 {
        return Err(FuncError::new(format!(
            "wrong number of args for {method}: want 1 got {}",
            args.len()
        )));
    }
    args[0].as_str().ok_or_else(|| {
        FuncError::new(format!(
            "wrong type for value; expected string; got {}",
            go_type(&args[0])
        ))
    })
}

impl Object for SemverObject {
    fn type_name(&self) -> &str {
        if self.pointer {
            POINTER_TYPE
        } else {
            VALUE_TYPE
        }
    }

    fn kind_name(&self) -> &str {
        if self.pointer { "ptr" } else { "struct" }
    }

    fn has_method(&self, name: &str) -> bool {
        VALUE_METHODS.contains(&name) || (self.pointer && POINTER_ONLY_METHODS.contains(&name))
    }

    fn is_stringer(&self) -> bool {
        true
    }

    /// The comparison methods take a `*semver.Version`, which the value model has no parameter
    /// type for: they take any value and check it themselves.
    fn method_signature(&self, name: &str) -> Option<Signature> {
        Some(match name {
            "SetPrerelease" | "SetMetadata" => Signature::fixed(&[ArgType::String]),
            "LessThan" | "LessThanEqual" | "GreaterThan" | "GreaterThanEqual" | "Equal"
            | "Compare" => Signature::fixed(&[ArgType::Any]),
            _ => Signature::fixed(&[]),
        })
    }

    fn call_method(&self, name: &str, args: &[Value]) -> Result<Value, FuncError> {
        let v = &self.version;
        // Go's uint64 results have no kind of their own in the value model: int64 prints the same.
        let uint = |n: u64| Value::Int64(n as i64);
        match name {
            "Major" | "Minor" | "Patch" => {
                no_args(name, args)?;
                Ok(uint(match name {
                    "Major" => v.major(),
                    "Minor" => v.minor(),
                    _ => v.patch(),
                }))
            }
            "Prerelease" => no_args(name, args).map(|()| Value::string(v.prerelease())),
            "Metadata" => no_args(name, args).map(|()| Value::string(v.metadata())),
            "Original" => no_args(name, args).map(|()| Value::string(v.original())),
            "String" | "Value" => no_args(name, args).map(|()| Value::string(v.to_string())),
            "MarshalJSON" => no_args(name, args)
                .map(|()| Value::Bytes(Rc::from(format!("\"{v}\"").into_bytes()))),
            "MarshalText" => {
                no_args(name, args).map(|()| Value::Bytes(Rc::from(v.to_string().into_bytes())))
            }
            "IncMajor" | "IncMinor" | "IncPatch" => {
                no_args(name, args)?;
                let next = match name {
                    "IncMajor" => v.inc_major(),
                    "IncMinor" => v.inc_minor(),
                    _ => v.inc_patch(),
                };
                Ok(SemverObject::value(next.map_err(err)?))
            }
            "SetPrerelease" => {
                let s = string_arg(name, args)?;
                Ok(SemverObject::value(v.set_prerelease(s).map_err(err)?))
            }
            "SetMetadata" => {
                let s = string_arg(name, args)?;
                Ok(SemverObject::value(v.set_metadata(s).map_err(err)?))
            }
            "LessThan" => Ok(Value::Bool(v.less_than(&version_arg(name, args)?))),
            "LessThanEqual" => Ok(Value::Bool(v.less_than_equal(&version_arg(name, args)?))),
            "GreaterThan" => Ok(Value::Bool(v.greater_than(&version_arg(name, args)?))),
            "GreaterThanEqual" => Ok(Value::Bool(v.greater_than_equal(&version_arg(name, args)?))),
            "Equal" => Ok(Value::Bool(v.equal(&version_arg(name, args)?))),
            "Compare" => {
                let o = version_arg(name, args)?;
                Ok(Value::Int(match v.compare(&o) {
                    std::cmp::Ordering::Less => -1,
                    std::cmp::Ordering::Equal => 0,
                    std::cmp::Ordering::Greater => 1,
                }))
            }
            _ => Err(FuncError::new(format!("can't call method {name}"))),
        }
    }

    /// Both forms implement `fmt.Stringer`, so `%v` prints `String()`.
    fn fmt_value(&self, f: &mut dyn fmt::Write) -> fmt::Result {
        write!(f, "{}", self.version)
    }

    /// `toJson`/`toYaml` go through `MarshalJSON`: the version string.
    fn to_data(&self) -> Option<Value> {
        Some(Value::string(self.version.to_string()))
    }
}

/// `urlParse`, `urlJoin` (a port of Go's `net/url` parsing and printing) and `getHostByName`.
mod url {
    use hoist_gotmpl::gofmt::quote as go_quote;
    use hoist_gotmpl::{ArgType, Dict, FuncError, Map, Signature, Value};

    use crate::SprigFunc;

    pub(super) fn functions() -> Vec<SprigFunc> {
        vec![
            SprigFunc {
                name: "urlParse",
                sig: Signature::fixed(&[ArgType::String]),
                f: url_parse,
            },
            SprigFunc {
                name: "urlJoin",
                sig: Signature::fixed(&[ArgType::Map]),
                f: url_join,
            },
            SprigFunc {
                name: "getHostByName",
                sig: Signature::fixed(&[ArgType::String]),
                f: get_host_by_name,
            },
        ]
    }

    /// Helm replaces Sprig's `getHostByName` with a version that answers `""` unless DNS lookups
    /// are enabled (`--enable-dns`), which hoist does not offer.
    fn get_host_by_name(_args: &[Value]) -> Result<Value, FuncError> {
        Ok(Value::string(""))
    }

    #[derive(Clone, Copy, PartialEq, Eq)]
    enum Mode {
        Path,
        Host,
        Zone,
        UserPassword,
        QueryComponent,
        Fragment,
    }

    /// RFC 3986 sub-delims: `!$&'()*+,;=`.
    fn is_sub_delim(c: u8) -> bool {
        matches!(
            c,
            b'!' | b'$' | b'&' | b'\'' | b'(' | b')' | b'*' | b'+' | b',' | b';' | b'='
        )
    }

    fn should_escape(c: u8, mode: Mode) -> bool {
        if c.is_ascii_alphanumeric() {
            return false;
        }
        if matches!(mode, Mode::Host | Mode::Zone)
            && (is_sub_delim(c) || matches!(c, b':' | b'[' | b']' | b'<' | b'>' | b'"'))
        {
            return false;
        }
        match c {
            b'-' | b'_' | b'.' | b'~' => return false,
            b'$' | b'&' | b'+' | b',' | b'/' | b':' | b';' | b'=' | b'?' | b'@' => match mode {
                Mode::Path => return c == b'?',
                Mode::UserPassword => return matches!(c, b'@' | b'/' | b'?' | b':'),
                Mode::QueryComponent => return true,
                Mode::Fragment => return false,
                Mode::Host | Mode::Zone => {}
            },
            _ => {}
        }
        if mode == Mode::Fragment && matches!(c, b'!' | b'(' | b')' | b'*') {
            return false;
        }
        true
    }

    fn unhex(c: u8) -> u8 {
        match c {
            b'0'..=b'9' => c - b'0',
            b'a'..=b'f' => c - b'a' + 10,
            b'A'..=b'F' => c - b'A' + 10,
            _ => 0,
        }
    }

    /// Go's `unescape`.
    fn unescape(s: &str, mode: Mode) -> Result<String, String> {
        let b = s.as_bytes();
        let mut n = 0;
        let mut i = 0;
        while i < b.len() {
            match b[i] {
                b'%' => {
                    n += 1;
                    if i + 2 >= b.len()
                        || !b[i + 1].is_ascii_hexdigit()
                        || !b[i + 2].is_ascii_hexdigit()
                    {
                        let end = (i + 3).min(b.len());
                        let bad = String::from_utf8_lossy(&b[i..end]).into_owned();
                        return Err(format!("invalid URL escape {}", go_quote(&bad)));
                    }
                    let esc = &s[i..i + 3];
                    if mode == Mode::Host && unhex(b[i + 1]) < 8 && esc != "%25" {
                        return Err(format!("invalid URL escape {}", go_quote(esc)));
                    }
                    if mode == Mode::Zone {
                        let v = (unhex(b[i + 1]) << 4) | unhex(b[i + 2]);
                        if esc != "%25" && v != b' ' && should_escape(v, Mode::Host) {
                            return Err(format!("invalid URL escape {}", go_quote(esc)));
                        }
                    }
                    i += 3;
                }
                c => {
                    if matches!(mode, Mode::Host | Mode::Zone) && c < 0x80 && should_escape(c, mode)
                    {
                        return Err(format!(
                            "invalid character {} in host name",
                            go_quote(&(c as char).to_string())
                        ));
                    }
                    i += 1;
                }
            }
        }
        if n == 0 && !(mode == Mode::QueryComponent && s.contains('+')) {
            return Ok(s.to_string());
        }
        let mut out = Vec::with_capacity(b.len());
        let mut i = 0;
        while i < b.len() {
            match b[i] {
                b'%' => {
                    out.push((unhex(b[i + 1]) << 4) | unhex(b[i + 2]));
                    i += 3;
                }
                b'+' if mode == Mode::QueryComponent => {
                    out.push(b' ');
                    i += 1;
                }
                c => {
                    out.push(c);
                    i += 1;
                }
            }
        }
        // Go strings hold any bytes; invalid UTF-8 is shown with replacement characters.
        Ok(String::from_utf8_lossy(&out).into_owned())
    }

    /// Go's `escape`.
    fn escape(s: &str, mode: Mode) -> String {
        let mut out = String::with_capacity(s.len());
        for &c in s.as_bytes() {
            if c == b' ' && mode == Mode::QueryComponent {
                out.push('+');
            } else if should_escape(c, mode) {
                out.push_str(&format!("%{c:02X}"));
            } else {
                out.push(c as char);
            }
        }
        out
    }

    fn valid_optional_port(port: &str) -> bool {
        port.is_empty() || (port.starts_with(':') && port[1..].bytes().all(|b| b.is_ascii_digit()))
    }

    /// Go's `netip.ParseAddr` as far as URL hosts need it: an IPv6 address with an optional zone,
    /// or an IPv4 address. Returns whether it is IPv4.
    fn parse_addr(s: &str) -> Result<bool, String> {
        let fail = |msg: &str| format!("ParseAddr({}): {msg}", go_quote(s));
        let (addr, zone) = match s.split_once('%') {
            Some((a, z)) => (a, Some(z)),
            None => (s, None),
        };
        if zone == Some("") {
            return Err(fail("zone must be a non-empty string"));
        }
        if addr.contains(':') {
            return addr
                .parse::<std::net::Ipv6Addr>()
                .map(|_| false)
                .map_err(|_| fail("unable to parse IP"));
        }
        if addr.contains('.') && zone.is_none() && addr.parse::<std::net::Ipv4Addr>().is_ok() {
            return Ok(true);
        }
        Err(fail("unable to parse IP"))
    }

    /// Go's `parseHost` (Go 1.26: IP-literals must hold an IPv6 address; for http and https
    /// the port starts at the first colon).
    fn parse_host(scheme: &str, host: &str) -> Result<String, String> {
        if let Some(open) = host.rfind('[') {
            if open > 0 {
                return Err("invalid IP-literal".into());
            }
            let Some(close) = host.rfind(']') else {
                return Err("missing ']' in host".into());
            };
            let colon_port = &host[close + 1..];
            if !valid_optional_port(colon_port) {
                return Err(format!("invalid port {} after host", go_quote(colon_port)));
            }
            let port = unescape(colon_port, Mode::Host)?;
            let hostname = host.get(1..close).unwrap_or("");
            let unescaped = match hostname.find("%25") {
                Some(z) => {
                    unescape(&hostname[..z], Mode::Host)? + &unescape(&hostname[z..], Mode::Zone)?
                }
                None => unescape(hostname, Mode::Host)?,
            };
            if parse_addr(&unescaped).map_err(|e| format!("invalid host: {e}"))? {
                return Err("invalid IP-literal".into());
            }
            return Ok(format!("[{unescaped}]{port}"));
        }
        if let Some(mut i) = host.find(':') {
            let last = host.rfind(':').unwrap_or(i);
            if last != i && scheme != "http" && scheme != "https" {
                i = last;
            }
            let colon_port = &host[i..];
            if !valid_optional_port(colon_port) {
                return Err(format!("invalid port {} after host", go_quote(colon_port)));
            }
        }
        unescape(host, Mode::Host)
    }

    fn valid_userinfo(s: &str) -> bool {
        s.bytes().all(|b| {
            b.is_ascii_alphanumeric()
                || is_sub_delim(b)
                || matches!(b, b'-' | b'.' | b'_' | b':' | b'~' | b'%' | b'@')
        })
    }

    #[derive(Default)]
    struct Url {
        scheme: String,
        opaque: String,
        user: Option<(String, Option<String>)>,
        host: String,
        path: String,
        raw_query: String,
        force_query: bool,
        fragment: String,
    }

    fn userinfo_string(user: &(String, Option<String>)) -> String {
        let mut s = escape(&user.0, Mode::UserPassword);
        if let Some(p) = &user.1 {
            s.push(':');
            s.push_str(&escape(p, Mode::UserPassword));
        }
        s
    }

    fn get_scheme(raw: &str) -> Result<(&str, &str), String> {
        for (i, c) in raw.bytes().enumerate() {
            match c {
                b'a'..=b'z' | b'A'..=b'Z' => {}
                b'0'..=b'9' | b'+' | b'-' | b'.' => {
                    if i == 0 {
                        return Ok(("", raw));
                    }
                }
                b':' => {
                    if i == 0 {
                        return Err("missing protocol scheme".into());
                    }
                    return Ok((&raw[..i], &raw[i + 1..]));
                }
                _ => return Ok(("", raw)),
            }
        }
        Ok(("", raw))
    }

    /// Go's `parse(rawURL, viaRequest=false)`.
    fn parse_inner(raw: &str) -> Result<Url, String> {
        if raw.bytes().any(|b| b < 0x20 || b == 0x7f) {
            return Err("net/url: invalid control character in URL".into());
        }
        let mut url = Url::default();
        if raw == "*" {
            url.path = "*".into();
            return Ok(url);
        }
        let (scheme, mut rest) = get_scheme(raw)?;
        url.scheme = scheme.to_ascii_lowercase();
        if rest.ends_with('?') && rest.matches('?').count() == 1 {
            url.force_query = true;
            rest = &rest[..rest.len() - 1];
        } else if let Some((r, q)) = rest.split_once('?') {
            rest = r;
            url.raw_query = q.to_string();
        }
        if !rest.starts_with('/') {
            if !url.scheme.is_empty() {
                url.opaque = rest.to_string();
                return Ok(url);
            }
            let segment = rest.split('/').next().unwrap_or("");
            if segment.contains(':') {
                return Err("first path segment in URL cannot contain colon".into());
            }
        }
        if (!url.scheme.is_empty() || !rest.starts_with("///")) && rest.starts_with("//") {
            let after = &rest[2..];
            let (authority, r) = match after.find('/') {
                Some(i) => (&after[..i], &after[i..]),
                None => (after, ""),
            };
            rest = r;
            let at = authority.rfind('@');
            let host_part = match at {
                Some(i) => &authority[i + 1..],
                None => authority,
            };
            url.host = parse_host(&url.scheme, host_part)?;
            if let Some(i) = at {
                let userinfo = &authority[..i];
                if !valid_userinfo(userinfo) {
                    return Err("net/url: invalid userinfo".into());
                }
                url.user = Some(match userinfo.split_once(':') {
                    None => (unescape(userinfo, Mode::UserPassword)?, None),
                    Some((u, p)) => (
                        unescape(u, Mode::UserPassword)?,
                        Some(unescape(p, Mode::UserPassword)?),
                    ),
                });
            }
        }
        url.path = unescape(rest, Mode::Path)?;
        Ok(url)
    }

    /// Go's `url.Parse`, with its `parse "URL": reason` error.
    fn parse(raw: &str) -> Result<Url, String> {
        let (u, frag) = match raw.split_once('#') {
            Some((u, f)) => (u, Some(f)),
            None => (raw, None),
        };
        let mut url = parse_inner(u).map_err(|e| format!("parse {}: {e}", go_quote(u)))?;
        if let Some(f) = frag.filter(|f| !f.is_empty()) {
            url.fragment =
                unescape(f, Mode::Fragment).map_err(|e| format!("parse {}: {e}", go_quote(raw)))?;
        }
        Ok(url)
    }

    /// `Hostname()`: the host without its port, IPv6 brackets removed.
    fn hostname(host: &str) -> &str {
        let mut h = host;
        if let Some(i) = h.rfind(':')
            && valid_optional_port(&h[i..])
        {
            h = &h[..i];
        }
        if h.starts_with('[') && h.ends_with(']') && h.len() >= 2 {
            h = &h[1..h.len() - 1];
        }
        h
    }

    /// `URL.String()`.
    fn to_string(u: &Url) -> String {
        let mut buf = String::new();
        if !u.scheme.is_empty() {
            buf.push_str(&u.scheme);
            buf.push(':');
        }
        if !u.opaque.is_empty() {
            buf.push_str(&u.opaque);
        } else {
            if !u.scheme.is_empty() || !u.host.is_empty() || u.user.is_some() {
                if !u.host.is_empty() || !u.path.is_empty() || u.user.is_some() {
                    buf.push_str("//");
                }
                if let Some(user) = &u.user {
                    buf.push_str(&userinfo_string(user));
                    buf.push('@');
                }
                if !u.host.is_empty() {
                    buf.push_str(&escape(&u.host, Mode::Host));
                }
            }
            let path = if u.path == "*" {
                "*".to_string()
            } else {
                escape(&u.path, Mode::Path)
            };
            if !path.is_empty() && !path.starts_with('/') && !u.host.is_empty() {
                buf.push('/');
            }
            if buf.is_empty() && path.split('/').next().unwrap_or("").contains(':') {
                buf.push_str("./");
            }
            buf.push_str(&path);
        }
        if u.force_query || !u.raw_query.is_empty() {
            buf.push('?');
            buf.push_str(&u.raw_query);
        }
        if !u.fragment.is_empty() {
            buf.push('#');
            buf.push_str(&escape(&u.fragment, Mode::Fragment));
        }
        buf
    }

    /// `urlParse URL`: a dict with scheme, host, hostname, path, query, opaque, fragment and
    /// userinfo.
    fn url_parse(args: &[Value]) -> Result<Value, FuncError> {
        let raw = args.first().and_then(Value::as_str).unwrap_or("");
        let u = parse(raw).map_err(|e| FuncError::new(format!("unable to parse url: {e}")))?;
        let mut m = Map::new();
        m.insert("scheme".into(), Value::string(&u.scheme));
        m.insert("host".into(), Value::string(&u.host));
        m.insert("hostname".into(), Value::string(hostname(&u.host)));
        m.insert("path".into(), Value::string(&u.path));
        m.insert("query".into(), Value::string(&u.raw_query));
        m.insert("opaque".into(), Value::string(&u.opaque));
        m.insert("fragment".into(), Value::string(&u.fragment));
        let userinfo = u.user.as_ref().map(userinfo_string).unwrap_or_default();
        m.insert("userinfo".into(), Value::string(userinfo));
        Ok(Value::Map(Dict::new(m)))
    }

    /// Sprig's `dictGetOrEmpty`: a missing key is `""`, a non-string value an error.
    fn dict_get(d: &Dict, key: &str) -> Result<String, FuncError> {
        match d.get(key) {
            None => Ok(String::new()),
            Some(Value::String(s)) => Ok(s.to_string()),
            // reflect.TypeOf(nil).Kind() dereferences a nil type.
            Some(Value::Nil) => Err(FuncError::new(
                "runtime error: invalid memory address or nil pointer dereference",
            )),
            Some(other) => Err(FuncError::new(format!(
                "unable to parse {key} key, must be of type string, but {} found",
                other.kind_name()
            ))),
        }
    }

    /// `urlJoin DICT`: the URL string built from urlParse-style parts.
    fn url_join(args: &[Value]) -> Result<Value, FuncError> {
        let Some(Value::Map(d)) = args.first() else {
            return Err(FuncError::new(
                "wrong type for value; expected map[string]interface {}",
            ));
        };
        let mut u = Url {
            scheme: dict_get(d, "scheme")?,
            host: dict_get(d, "host")?,
            path: dict_get(d, "path")?,
            raw_query: dict_get(d, "query")?,
            opaque: dict_get(d, "opaque")?,
            fragment: dict_get(d, "fragment")?,
            ..Url::default()
        };
        let userinfo = dict_get(d, "userinfo")?;
        if !userinfo.is_empty() {
            let temp = parse(&format!("proto://{userinfo}@host"))
                .map_err(|e| FuncError::new(format!("unable to parse userinfo in dict: {e}")))?;
            u.user = temp.user;
        }
        Ok(Value::string(to_string(&u)))
    }
}
