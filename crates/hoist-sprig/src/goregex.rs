//! Go's `regexp` (RE2 syntax, Perl flags) on top of the `regex` crate.
//!
//! The pattern is checked against Go's grammar (so errors carry Go's exact text, and patterns Go
//! rejects are rejected) and rewritten for the `regex` crate: `\d \s \w \b \B` become their
//! ASCII-only Go meanings, a `{` that does not start a repeat count is a literal, named groups
//! become plain groups (Go allows names `regex` does not), and literals are escaped. The matching
//! loops (`FindAll`, `ReplaceAll`, `Split`) and `$1`/`${name}` expansion follow Go's code.

use std::fmt::Write as _;

/// A compiled Go regular expression.
#[derive(Debug, Clone)]
pub struct GoRegex {
    re: regex::Regex,
    expr: String,
    /// Capture group names by index (index 0 is the whole match); `""` when unnamed.
    names: Vec<String>,
}

fn err(code: &str, expr: &str) -> String {
    format!("error parsing regexp: {code}: `{expr}`")
}

const POSIX_CLASSES: &[&str] = &[
    "alnum", "alpha", "ascii", "blank", "cntrl", "digit", "graph", "lower", "print", "punct",
    "space", "upper", "word", "xdigit",
];

fn push_lit(out: &mut String, c: char) {
    if "\\.+*?()|[]{}^$#&-~".contains(c) {
        out.push('\\');
    }
    out.push(c);
}

fn perl_class(c: char) -> Option<&'static str> {
    Some(match c {
        'd' => "[0-9]",
        'D' => "[^0-9]",
        's' => "[\\t\\n\\x0C\\r ]",
        'S' => "[^\\t\\n\\x0C\\r ]",
        'w' => "[0-9A-Za-z_]",
        'W' => "[^0-9A-Za-z_]",
        _ => return None,
    })
}

/// Go's `canonicalName`: leading letter upper case, the rest lower case, no `_`, `-` or spaces.
fn canonical_name(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    let mut first = true;
    for c in name.chars() {
        if c == '_' || c == '-' || c == ' ' {
            continue;
        }
        if first {
            out.push(c.to_ascii_uppercase());
            first = false;
        } else {
            out.push(c.to_ascii_lowercase());
        }
    }
    out
}

const GO_CATEGORIES: &[&str] = &[
    "C", "Cc", "Cf", "Cn", "Co", "Cs", "L", "Ll", "Lm", "Lo", "Lt", "Lu", "M", "Mc", "Me", "Mn",
    "N", "Nd", "Nl", "No", "P", "Pc", "Pd", "Pe", "Pf", "Pi", "Po", "Ps", "S", "Sc", "Sk", "Sm",
    "So", "Z", "Zl", "Zp", "Zs",
];

/// Go's `unicode.CategoryAliases`, canonicalised.
const GO_CATEGORY_ALIASES: &[&str] = &[
    "Casedletter",
    "Closepunctuation",
    "Combiningmark",
    "Connectorpunctuation",
    "Control",
    "Currencysymbol",
    "Dashpunctuation",
    "Decimalnumber",
    "Enclosingmark",
    "Finalpunctuation",
    "Format",
    "Initialpunctuation",
    "Letter",
    "Letternumber",
    "Lineseparator",
    "Lowercaseletter",
    "Mark",
    "Mathsymbol",
    "Modifierletter",
    "Modifiersymbol",
    "Nonspacingmark",
    "Number",
    "Openpunctuation",
    "Other",
    "Otherletter",
    "Othernumber",
    "Otherpunctuation",
    "Othersymbol",
    "Paragraphseparator",
    "Privateuse",
    "Punctuation",
    "Separator",
    "Spaceseparator",
    "Spacingmark",
    "Surrogate",
    "Symbol",
    "Titlecaseletter",
    "Unassigned",
    "Uppercaseletter",
    "Cntrl",
    "Digit",
    "Punct",
];

/// Go's one-word script names (Go looks scripts up by canonical name, so scripts whose names
/// contain `_` are unreachable there).
const GO_SCRIPTS: &[&str] = &[
    "Adlam",
    "Ahom",
    "Arabic",
    "Armenian",
    "Avestan",
    "Balinese",
    "Bamum",
    "Batak",
    "Bengali",
    "Bhaiksuki",
    "Bopomofo",
    "Brahmi",
    "Braille",
    "Buginese",
    "Buhid",
    "Carian",
    "Chakma",
    "Cham",
    "Cherokee",
    "Chorasmian",
    "Common",
    "Coptic",
    "Cuneiform",
    "Cypriot",
    "Cyrillic",
    "Deseret",
    "Devanagari",
    "Dogra",
    "Duployan",
    "Elbasan",
    "Elymaic",
    "Ethiopic",
    "Garay",
    "Georgian",
    "Glagolitic",
    "Gothic",
    "Grantha",
    "Greek",
    "Gujarati",
    "Gurmukhi",
    "Han",
    "Hangul",
    "Hanunoo",
    "Hatran",
    "Hebrew",
    "Hiragana",
    "Inherited",
    "Javanese",
    "Kaithi",
    "Kannada",
    "Katakana",
    "Kawi",
    "Khmer",
    "Khojki",
    "Khudawadi",
    "Lao",
    "Latin",
    "Lepcha",
    "Limbu",
    "Lisu",
    "Lycian",
    "Lydian",
    "Mahajani",
    "Makasar",
    "Malayalam",
    "Mandaic",
    "Manichaean",
    "Marchen",
    "Miao",
    "Modi",
    "Mongolian",
    "Mro",
    "Multani",
    "Myanmar",
    "Nabataean",
    "Nandinagari",
    "Newa",
    "Nko",
    "Nushu",
    "Ogham",
    "Osage",
    "Osmanya",
    "Palmyrene",
    "Phoenician",
    "Rejang",
    "Runic",
    "Samaritan",
    "Saurashtra",
    "Sharada",
    "Shavian",
    "Siddham",
    "Sinhala",
    "Sogdian",
    "Soyombo",
    "Sundanese",
    "Sunuwar",
    "Syriac",
    "Tagalog",
    "Tagbanwa",
    "Takri",
    "Tamil",
    "Tangsa",
    "Tangut",
    "Telugu",
    "Thaana",
    "Thai",
    "Tibetan",
    "Tifinagh",
    "Tirhuta",
    "Todhri",
    "Toto",
    "Ugaritic",
    "Vai",
    "Vithkuqi",
    "Wancho",
    "Yezidi",
    "Yi",
];

/// True when Go's `unicodeTable` knows the class name.
fn go_knows_class(name: &str) -> bool {
    let c = canonical_name(name);
    matches!(c.as_str(), "Any" | "Assigned" | "Ascii" | "Lc")
        || GO_CATEGORIES.contains(&c.as_str())
        || GO_CATEGORY_ALIASES.contains(&c.as_str())
        || GO_SCRIPTS.contains(&c.as_str())
}

fn unhex(c: char) -> Option<u32> {
    c.to_digit(16)
}

struct Parser<'a> {
    whole: &'a str,
    s: &'a str,
    pos: usize,
    out: String,
    names: Vec<String>,
}

/// One open group: the maximum repeat product seen inside it so far.
struct Frame {
    max_prod: u64,
    have_operand_before: bool,
}

impl<'a> Parser<'a> {
    fn rest(&self) -> &'a str {
        &self.s[self.pos..]
    }

    fn peek(&self) -> Option<char> {
        self.rest().chars().next()
    }

    /// Go's `parseEscape` at `self.pos` (which is at a backslash): the escaped rune.
    fn parse_escape(&mut self) -> Result<char, String> {
        let start = self.pos;
        self.pos += 1;
        let Some(c) = self.peek() else {
            return Err(err("trailing backslash at end of expression", ""));
        };
        self.pos += c.len_utf8();
        let bad = |p: &Parser<'_>| Err(err("invalid escape sequence", &p.s[start..p.pos]));
        match c {
            '1'..='7' | '0' => {
                if c != '0' && !matches!(self.peek(), Some('0'..='7')) {
                    return bad(self);
                }
                let mut r = c as u32 - '0' as u32;
                for _ in 1..3 {
                    match self.peek() {
                        Some(d @ '0'..='7') => {
                            r = r * 8 + (d as u32 - '0' as u32);
                            self.pos += 1;
                        }
                        _ => break,
                    }
                }
                Ok(char::from_u32(r).unwrap_or('\u{FFFD}'))
            }
            'x' => {
                let Some(c1) = self.peek() else {
                    return bad(self);
                };
                self.pos += c1.len_utf8();
                if c1 == '{' {
                    let mut nhex = 0;
                    let mut r: u32 = 0;
                    loop {
                        let Some(d) = self.peek() else {
                            return bad(self);
                        };
                        self.pos += d.len_utf8();
                        if d == '}' {
                            break;
                        }
                        let Some(v) = unhex(d) else {
                            return bad(self);
                        };
                        r = r * 16 + v;
                        if r > 0x10FFFF {
                            return bad(self);
                        }
                        nhex += 1;
                    }
                    if nhex == 0 {
                        return bad(self);
                    }
                    return Ok(char::from_u32(r).unwrap_or('\u{FFFD}'));
                }
                let x = unhex(c1);
                let Some(c2) = self.peek() else {
                    return bad(self);
                };
                self.pos += c2.len_utf8();
                match (x, unhex(c2)) {
                    (Some(x), Some(y)) => Ok(char::from_u32(x * 16 + y).unwrap_or('\u{FFFD}')),
                    _ => bad(self),
                }
            }
            'a' => Ok('\u{7}'),
            'f' => Ok('\u{c}'),
            'n' => Ok('\n'),
            'r' => Ok('\r'),
            't' => Ok('\t'),
            'v' => Ok('\u{b}'),
            c if c.is_ascii() && !c.is_ascii_alphanumeric() => Ok(c),
            _ => bad(self),
        }
    }

    /// Go's `parseUnicodeClass` at a `\p` or `\P`; emits the `regex` crate's form.
    fn parse_unicode_class(&mut self) -> Result<String, String> {
        let start = self.pos;
        let negate_p = self.s[start + 1..].starts_with('P');
        self.pos += 2;
        let (seq_end, name) = match self.peek() {
            Some('{') => {
                let Some(end) = self.s[start..].find('}') else {
                    return Err(err("invalid character class range", &self.s[start..]));
                };
                let end = start + end;
                (end + 1, &self.s[start + 3..end])
            }
            Some(c) => (
                self.pos + c.len_utf8(),
                &self.s[self.pos..self.pos + c.len_utf8()],
            ),
            None => (self.pos, ""),
        };
        self.pos = seq_end;
        let seq = &self.s[start..seq_end];
        let (neg, name) = match name.strip_prefix('^') {
            Some(n) => (!negate_p, n),
            None => (negate_p, name),
        };
        let ok_name = go_knows_class(name) && regex::Regex::new(&format!("\\p{{{name}}}")).is_ok();
        if !ok_name {
            return Err(err("invalid character class range", seq));
        }
        Ok(format!("\\{}{{{name}}}", if neg { 'P' } else { 'p' }))
    }

    /// Go's `parseClass` at `[`; emits a `regex` crate class.
    fn parse_class(&mut self) -> Result<(), String> {
        let whole_class = &self.s[self.pos..];
        self.pos += 1;
        let mut out = String::from("[");
        if self.peek() == Some('^') {
            out.push('^');
            self.pos += 1;
        }
        let mut first = true;
        let mut items = 0;
        loop {
            let Some(c) = self.peek() else {
                return Err(err("missing closing ]", whole_class));
            };
            if c == ']' && !first {
                break;
            }
            first = false;
            let rest = self.rest();
            if rest.len() > 2
                && rest.starts_with("[:")
                && let Some(i) = rest[2..].find(":]")
            {
                {
                    let name = &rest[..i + 4];
                    let inner = &name[2..name.len() - 2];
                    let bare = inner.strip_prefix('^').unwrap_or(inner);
                    if !POSIX_CLASSES.contains(&bare) {
                        return Err(err("invalid character class range", name));
                    }
                    out.push_str(name);
                    self.pos += name.len();
                    items += 1;
                    continue;
                }
            }
            if rest.starts_with("\\p") || rest.starts_with("\\P") {
                let u = self.parse_unicode_class()?;
                out.push_str(&u);
                items += 1;
                continue;
            }
            if rest.len() >= 2
                && rest.starts_with('\\')
                && let Some(pc) = rest[1..].chars().next().and_then(perl_class)
            {
                {
                    out.push_str(pc);
                    self.pos += 2;
                    items += 1;
                    continue;
                }
            }
            let rng_start = self.pos;
            let lo = self.parse_class_char(whole_class)?;
            let mut hi = lo;
            let r = self.rest();
            if r.len() >= 2 && r.starts_with('-') && !r[1..].starts_with(']') {
                self.pos += 1;
                hi = self.parse_class_char(whole_class)?;
                if hi < lo {
                    return Err(err(
                        "invalid character class range",
                        &self.s[rng_start..self.pos],
                    ));
                }
            }
            push_lit(&mut out, lo);
            if hi != lo {
                out.push('-');
                push_lit(&mut out, hi);
            }
            items += 1;
        }
        self.pos += 1; // ]
        let _ = items;
        out.push(']');
        self.out.push_str(&out);
        Ok(())
    }

    fn parse_class_char(&mut self, whole_class: &str) -> Result<char, String> {
        match self.peek() {
            None => Err(err("missing closing ]", whole_class)),
            Some('\\') => self.parse_escape(),
            Some(c) => {
                self.pos += c.len_utf8();
                Ok(c)
            }
        }
    }

    /// Go's `parseRepeat` at `{`: (min, max, end) with max = -1 for `{n,}`; `None` when the
    /// text is not a repeat (then `{` is a literal). min = -1 flags a number that is too big.
    fn parse_repeat(&self) -> Option<(i64, i64, usize)> {
        let b = self.rest().as_bytes();
        let mut i = 1;
        let parse_int = |i: &mut usize| -> Option<i64> {
            if *i >= b.len() || !b[*i].is_ascii_digit() {
                return None;
            }
            if b.len() >= *i + 2 && b[*i] == b'0' && b[*i + 1].is_ascii_digit() {
                return None;
            }
            let mut n: i64 = 0;
            let mut big = false;
            while *i < b.len() && b[*i].is_ascii_digit() {
                if n >= 100_000_000 {
                    big = true;
                } else {
                    n = n * 10 + i64::from(b[*i] - b'0');
                }
                *i += 1;
            }
            Some(if big { -1 } else { n })
        };
        let mut min = parse_int(&mut i)?;
        if i >= b.len() {
            return None;
        }
        let max;
        if b[i] != b',' {
            max = min;
        } else {
            i += 1;
            if i >= b.len() {
                return None;
            }
            if b[i] == b'}' {
                max = -1;
            } else {
                max = parse_int(&mut i)?;
                if max < 0 {
                    min = -1;
                }
            }
        }
        if i >= b.len() || b[i] != b'}' {
            return None;
        }
        Some((min, max, self.pos + i + 1))
    }

    fn parse_perl_flags(&mut self, stack: &mut Vec<Frame>, have: &mut bool) -> Result<(), String> {
        let t = self.rest();
        let starts_p = t.len() > 4 && t.as_bytes()[2] == b'P' && t.as_bytes()[3] == b'<';
        let starts_name = t.len() > 3 && t.as_bytes()[2] == b'<';
        if starts_p || starts_name {
            let expr_start = if starts_name { 3 } else { 4 };
            let Some(end) = t.find('>') else {
                return Err(err("invalid named capture", t));
            };
            let capture = &t[..end + 1];
            let name = &t[expr_start..end];
            if name.is_empty() || !name.bytes().all(|c| c == b'_' || c.is_ascii_alphanumeric()) {
                return Err(err("invalid named capture", capture));
            }
            self.names.push(name.to_string());
            self.out.push('(');
            stack.push(Frame {
                max_prod: 1,
                have_operand_before: *have,
            });
            *have = false;
            self.pos += end + 1;
            return Ok(());
        }
        let start = self.pos;
        self.pos += 2;
        let mut on = String::new();
        let mut off = String::new();
        let mut negated = false;
        let mut saw_flag = false;
        while let Some(c) = self.peek() {
            self.pos += c.len_utf8();
            match c {
                'i' | 'm' | 's' | 'U' => {
                    saw_flag = true;
                    if negated {
                        if !off.contains(c) {
                            off.push(c);
                        }
                    } else if !on.contains(c) {
                        on.push(c);
                    }
                }
                '-' => {
                    if negated {
                        break;
                    }
                    negated = true;
                    saw_flag = false;
                }
                ':' | ')' => {
                    if negated && !saw_flag {
                        break;
                    }
                    let on: String = on.chars().filter(|c| !off.contains(*c)).collect();
                    let mut flags = on;
                    if !off.is_empty() {
                        flags.push('-');
                        flags.push_str(&off);
                    }
                    if c == ':' {
                        let _ = write!(self.out, "(?{flags}:");
                        stack.push(Frame {
                            max_prod: 1,
                            have_operand_before: *have,
                        });
                        *have = false;
                    } else if !flags.is_empty() {
                        let _ = write!(self.out, "(?{flags})");
                    }
                    return Ok(());
                }
                _ => break,
            }
        }
        Err(err(
            "invalid or unsupported Perl syntax",
            &self.s[start..self.pos],
        ))
    }

    fn run(&mut self) -> Result<(), String> {
        let mut stack: Vec<Frame> = Vec::new();
        let mut have = false; // is there an operand a repeat could apply to?
        let mut cur_max: u64 = 1; // max repeat product in the current group so far
        let mut last_atom_prod: u64 = 1;
        let mut last_repeat: Option<usize> = None;
        while self.pos < self.s.len() {
            let mut this_repeat: Option<usize> = None;
            let c = self.peek().unwrap_or('\0');
            match c {
                '(' => {
                    if self.rest().starts_with("(?") {
                        let depth = stack.len();
                        self.parse_perl_flags(&mut stack, &mut have)?;
                        if stack.len() > depth {
                            // a new group was opened; remember the outer max
                            if let Some(f) = stack.last_mut() {
                                f.max_prod = cur_max;
                            }
                            cur_max = 1;
                        }
                    } else {
                        self.names.push(String::new());
                        self.out.push('(');
                        stack.push(Frame {
                            max_prod: cur_max,
                            have_operand_before: have,
                        });
                        cur_max = 1;
                        have = false;
                        self.pos += 1;
                    }
                }
                '|' => {
                    self.out.push('|');
                    have = false;
                    self.pos += 1;
                }
                ')' => {
                    let Some(frame) = stack.pop() else {
                        return Err(err("unexpected )", self.whole));
                    };
                    let _ = frame.have_operand_before;
                    self.out.push(')');
                    self.pos += 1;
                    last_atom_prod = cur_max;
                    cur_max = frame.max_prod.max(cur_max);
                    have = true;
                }
                '^' | '$' | '.' => {
                    self.out.push(c);
                    self.pos += 1;
                    have = true;
                    last_atom_prod = 1;
                }
                '[' => {
                    self.parse_class()?;
                    have = true;
                    last_atom_prod = 1;
                }
                '*' | '+' | '?' | '{' => {
                    let before = self.pos;
                    let (op_text, min, max, after) = if c == '{' {
                        match self.parse_repeat() {
                            None => {
                                self.out.push_str("\\{");
                                self.pos += 1;
                                have = true;
                                last_atom_prod = 1;
                                last_repeat = None;
                                continue;
                            }
                            Some((min, max, end)) => {
                                if !(0..=1000).contains(&min)
                                    || max > 1000
                                    || (max >= 0 && min > max)
                                {
                                    return Err(err("invalid repeat count", &self.s[before..end]));
                                }
                                (self.s[before..end].to_string(), min, max, end)
                            }
                        }
                    } else {
                        (c.to_string(), 0, 0, before + 1)
                    };
                    let mut after = after;
                    let mut lazy = false;
                    if self.s[after..].starts_with('?') {
                        after += 1;
                        lazy = true;
                    }
                    if let Some(lr) = last_repeat {
                        return Err(err(
                            "invalid nested repetition operator",
                            &self.s[lr..after],
                        ));
                    }
                    if !have {
                        return Err(err(
                            "missing argument to repetition operator",
                            &self.s[before..after],
                        ));
                    }
                    if c == '{' {
                        let m = if max == -1 { min } else { max } as u64;
                        let prod = if m == 0 {
                            1
                        } else {
                            m.saturating_mul(last_atom_prod)
                        };
                        if (min >= 2 || max >= 2) && m != 0 && prod > 1000 {
                            return Err(err("invalid repeat count", &self.s[before..after]));
                        }
                        last_atom_prod = prod;
                        cur_max = cur_max.max(prod);
                    }
                    self.out.push_str(&op_text);
                    if lazy {
                        self.out.push('?');
                    }
                    self.pos = after;
                    this_repeat = Some(before);
                }
                '\\' => {
                    let rest = self.rest();
                    let c1 = rest[1..].chars().next();
                    match c1 {
                        Some('A') => {
                            self.out.push_str("\\A");
                            self.pos += 2;
                        }
                        Some('b') => {
                            self.out.push_str("(?-u:\\b)");
                            self.pos += 2;
                        }
                        Some('B') => {
                            self.out.push_str("(?-u:\\B)");
                            self.pos += 2;
                        }
                        Some('C') => return Err(err("invalid escape sequence", "\\C")),
                        Some('Q') => {
                            let body = &rest[2..];
                            let (lit, consumed) = match body.find("\\E") {
                                Some(i) => (&body[..i], 2 + i + 2),
                                None => (body, rest.len()),
                            };
                            for ch in lit.chars() {
                                push_lit(&mut self.out, ch);
                            }
                            self.pos += consumed;
                        }
                        Some('z') => {
                            self.out.push_str("\\z");
                            self.pos += 2;
                        }
                        Some('p') | Some('P') => {
                            let u = self.parse_unicode_class()?;
                            self.out.push_str(&u);
                        }
                        Some(pc) if perl_class(pc).is_some() => {
                            self.out.push_str(perl_class(pc).unwrap_or_default());
                            self.pos += 2;
                        }
                        _ => {
                            let ch = self.parse_escape()?;
                            push_lit(&mut self.out, ch);
                        }
                    }
                    have = true;
                    last_atom_prod = 1;
                }
                _ => {
                    push_lit(&mut self.out, c);
                    self.pos += c.len_utf8();
                    have = true;
                    last_atom_prod = 1;
                }
            }
            last_repeat = this_repeat;
        }
        if !stack.is_empty() {
            return Err(err("missing closing )", self.whole));
        }
        Ok(())
    }
}

/// How many compiled patterns [`GoRegex::compile`] keeps per thread. Charts call the regex
/// functions with a handful of literal patterns, thousands of times; Go compiles each call anew.
const CACHE_LIMIT: usize = 256;

thread_local! {
    static CACHE: std::cell::RefCell<std::collections::HashMap<String, Result<GoRegex, String>>> =
        std::cell::RefCell::new(std::collections::HashMap::new());
}

impl GoRegex {
    /// Go's `regexp.Compile` (results are cached per thread; compiling is pure).
    pub fn compile(expr: &str) -> Result<GoRegex, String> {
        if let Some(hit) = CACHE.with(|c| c.borrow().get(expr).cloned()) {
            return hit;
        }
        let result = GoRegex::compile_uncached(expr);
        CACHE.with(|c| {
            let mut c = c.borrow_mut();
            if c.len() >= CACHE_LIMIT {
                c.clear();
            }
            c.insert(expr.to_string(), result.clone());
        });
        result
    }

    fn compile_uncached(expr: &str) -> Result<GoRegex, String> {
        let mut p = Parser {
            whole: expr,
            s: expr,
            pos: 0,
            out: String::with_capacity(expr.len() + 8),
            names: vec![String::new()],
        };
        p.run()?;
        let re = regex::RegexBuilder::new(&p.out)
            .size_limit(128 << 20)
            .build()
            .map_err(|e| match e {
                regex::Error::CompiledTooBig(_) => err("expression too large", expr),
                _ => err("invalid or unsupported Perl syntax", expr),
            })?;
        Ok(GoRegex {
            re,
            expr: expr.to_string(),
            names: p.names,
        })
    }

    /// Go's `regexp.MustCompile` panic text for an invalid pattern.
    pub fn must_compile(expr: &str) -> Result<GoRegex, String> {
        GoRegex::compile(expr).map_err(|e| {
            let q = if hoist_gotmpl::gofmt::can_backquote(expr) {
                format!("`{expr}`")
            } else {
                hoist_gotmpl::gofmt::quote(expr)
            };
            format!("regexp: Compile({q}): {e}")
        })
    }

    /// `MatchString`.
    pub fn is_match(&self, s: &str) -> bool {
        self.re.is_match(s)
    }

    /// Go's `allMatches` loop: up to `n` match ranges (all when `n < 0`), with group
    /// positions.
    fn all_matches(&self, s: &str, n: i64) -> Vec<Vec<Option<(usize, usize)>>> {
        let n = if n < 0 { s.len() as i64 + 1 } else { n };
        let mut out = Vec::new();
        let mut pos = 0usize;
        let mut prev_end: Option<usize> = None;
        let mut count = 0i64;
        while count < n && pos <= s.len() {
            let Some(caps) = self.re.captures_at(s, pos) else {
                break;
            };
            let Some(m) = caps.get(0) else { break };
            let mut accept = true;
            if m.end() == pos {
                if Some(m.start()) == prev_end {
                    accept = false;
                }
                pos += s[pos..].chars().next().map_or(1, char::len_utf8);
            } else {
                pos = m.end();
            }
            prev_end = Some(m.end());
            if accept {
                out.push(
                    (0..caps.len())
                        .map(|i| caps.get(i).map(|g| (g.start(), g.end())))
                        .collect(),
                );
                count += 1;
            }
        }
        out
    }

    /// `FindString`.
    pub fn find(&self, s: &str) -> String {
        self.re
            .find(s)
            .map(|m| m.as_str().to_string())
            .unwrap_or_default()
    }

    /// `FindAllString(s, n)`.
    pub fn find_all(&self, s: &str, n: i64) -> Vec<String> {
        self.all_matches(s, n)
            .into_iter()
            .filter_map(|m| m[0].map(|(a, b)| s[a..b].to_string()))
            .collect()
    }

    /// `Split(s, n)`.
    pub fn split(&self, s: &str, n: i64) -> Vec<String> {
        if n == 0 {
            return Vec::new();
        }
        if !self.expr.is_empty() && s.is_empty() {
            return vec![String::new()];
        }
        let matches = self.all_matches(s, n);
        let mut out = Vec::new();
        let mut beg = 0;
        let mut end = 0;
        for m in matches {
            let Some((a, b)) = m[0] else { continue };
            if n > 0 && out.len() as i64 == n - 1 {
                break;
            }
            end = a;
            if b != 0 {
                out.push(s[beg..end].to_string());
            }
            beg = b;
        }
        if end != s.len() {
            out.push(s[beg..].to_string());
        }
        out
    }

    /// `ReplaceAllString` (`literal == false`, with `$` expansion) or
    /// `ReplaceAllLiteralString`.
    pub fn replace_all(&self, src: &str, repl: &str, literal: bool) -> String {
        let mut out = String::with_capacity(src.len());
        let mut last_end = 0usize;
        let mut search = 0usize;
        while search <= src.len() {
            let Some(caps) = self.re.captures_at(src, search) else {
                break;
            };
            let Some(m) = caps.get(0) else { break };
            let (a0, a1) = (m.start(), m.end());
            out.push_str(&src[last_end..a0]);
            if a1 > last_end || a0 == 0 {
                if literal {
                    out.push_str(repl);
                } else {
                    let groups: Vec<Option<(usize, usize)>> = (0..caps.len())
                        .map(|i| caps.get(i).map(|g| (g.start(), g.end())))
                        .collect();
                    self.expand(&mut out, repl, src, &groups);
                }
            }
            last_end = a1;
            let width = src[search..].chars().next().map_or(0, char::len_utf8);
            if search + width > a1 {
                search += width;
            } else if search + 1 > a1 {
                search += 1;
            } else {
                search = a1;
            }
        }
        out.push_str(&src[last_end..]);
        out
    }

    /// Go's `Regexp.expand`.
    fn expand(
        &self,
        out: &mut String,
        template: &str,
        src: &str,
        groups: &[Option<(usize, usize)>],
    ) {
        let mut t = template;
        while let Some(i) = t.find('$') {
            out.push_str(&t[..i]);
            t = &t[i..];
            if t.len() > 1 && t.as_bytes()[1] == b'$' {
                out.push('$');
                t = &t[2..];
                continue;
            }
            match extract(t) {
                None => {
                    out.push('$');
                    t = &t[1..];
                }
                Some((name, num, rest)) => {
                    t = rest;
                    let g = match num {
                        Some(k) => groups.get(k).copied().flatten(),
                        None => self
                            .names
                            .iter()
                            .enumerate()
                            .find(|(k, n)| {
                                *n == name && groups.get(*k).copied().flatten().is_some()
                            })
                            .and_then(|(k, _)| groups.get(k).copied().flatten()),
                    };
                    if let Some((a, b)) = g {
                        out.push_str(&src[a..b]);
                    }
                }
            }
        }
        out.push_str(t);
    }
}

/// Go's `extract`: the name after `$` (`$name` or `${name}`), its number when it is a
/// decimal without leading zeros, and the rest of the template.
fn extract(t: &str) -> Option<(&str, Option<usize>, &str)> {
    if t.len() < 2 {
        return None;
    }
    let brace = t.as_bytes()[1] == b'{';
    let body = if brace { &t[2..] } else { &t[1..] };
    let mut i = 0;
    for c in body.chars() {
        if !(crate::gounicode::is_letter(c) || crate::gounicode::is_digit(c) || c == '_') {
            break;
        }
        i += c.len_utf8();
    }
    if i == 0 {
        return None;
    }
    let name = &body[..i];
    let mut rest = &body[i..];
    if brace {
        if !rest.starts_with('}') {
            return None;
        }
        rest = &rest[1..];
    }
    let mut num: Option<usize> = Some(0);
    for b in name.bytes() {
        match num {
            Some(n) if b.is_ascii_digit() && n < 100_000_000 => {
                num = Some(n * 10 + usize::from(b - b'0'));
            }
            _ => {
                num = None;
                break;
            }
        }
    }
    if name.len() > 1 && name.starts_with('0') {
        num = None;
    }
    Some((name, num, rest))
}

/// Go's `regexp.QuoteMeta`.
pub fn quote_meta(s: &str) -> String {
    let mut out = String::with_capacity(s.len() * 2);
    for c in s.chars() {
        if "\\.+*?()|[]{}^$".contains(c) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}
