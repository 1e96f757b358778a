//! Drives the parser data files in `tests/data/parse/` (transcribed from Go's own lexer and
//! parser tests; see each file's header) plus a few structural checks.

use std::path::PathBuf;

use hoist_gotmpl::parse::ast::{Arg, Node};
use hoist_gotmpl::parse::lexer::{ItemType, LexOptions, Lexer};
use hoist_gotmpl::parse::{ParseOptions, is_empty_tree, line_col, parse};

fn data(name: &str) -> String {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/parse")
        .join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Reads a Go-quoted string at the start of `s`; returns it and the rest of the line.
fn quoted(s: &str) -> (String, &str) {
    let s = s.trim_start();
    assert!(s.starts_with('"'), "expected a quoted string: {s}");
    let mut out = String::new();
    let mut chars = s[1..].char_indices();
    while let Some((i, c)) = chars.next() {
        match c {
            '"' => return (out, &s[i + 2..]),
            '\\' => {
                let (_, e) = chars.next().expect("escape");
                match e {
                    'n' => out.push('\n'),
                    't' => out.push('\t'),
                    'r' => out.push('\r'),
                    '\\' => out.push('\\'),
                    '"' => out.push('"'),
                    'x' => {
                        let h: String = (0..2).map(|_| chars.next().expect("hex").1).collect();
                        out.push(char::from(u8::from_str_radix(&h, 16).expect("hex")));
                    }
                    other => panic!("unknown escape \\{other}"),
                }
            }
            c => out.push(c),
        }
    }
    panic!("unterminated quoted string: {s}");
}

/// Splits a data file into cases: (name, lines).
fn cases(text: &str) -> Vec<(String, Vec<&str>)> {
    let mut out: Vec<(String, Vec<&str>)> = Vec::new();
    for line in text.lines() {
        if let Some(name) = line.strip_prefix("== ") {
            out.push((name.to_owned(), Vec::new()));
        } else if line.starts_with('#') || line.trim().is_empty() {
            continue;
        } else {
            out.last_mut()
                .expect("a line before the first case")
                .1
                .push(line);
        }
    }
    out
}

fn item_type(name: &str) -> ItemType {
    use ItemType::*;
    match name {
        "Error" => Error,
        "Bool" => Bool,
        "Char" => Char,
        "CharConstant" => CharConstant,
        "Comment" => Comment,
        "Complex" => Complex,
        "Assign" => Assign,
        "Declare" => Declare,
        "Eof" => Eof,
        "Field" => Field,
        "Identifier" => Identifier,
        "LeftDelim" => LeftDelim,
        "LeftParen" => LeftParen,
        "Number" => Number,
        "Pipe" => Pipe,
        "RawString" => RawString,
        "RightDelim" => RightDelim,
        "RightParen" => RightParen,
        "Space" => Space,
        "String" => String,
        "Text" => Text,
        "Variable" => Variable,
        "Block" => Block,
        "Break" => Break,
        "Continue" => Continue,
        "Dot" => Dot,
        "Define" => Define,
        "Else" => Else,
        "End" => End,
        "If" => If,
        "Nil" => Nil,
        "Range" => Range,
        "Template" => Template,
        "With" => With,
        other => panic!("unknown item type {other}"),
    }
}

/// An item's type, value, and position and line.
type LexedItem = (ItemType, String, Option<(usize, usize)>);

#[test]
fn lex_tables() {
    let text = data("lex.txt");
    let all = cases(&text);
    assert!(all.len() >= 50, "too few lexer cases: {}", all.len());
    let mut failures = Vec::new();
    for (name, lines) in &all {
        let mut input = String::new();
        let mut delims = (String::new(), String::new());
        let mut check_pos = false;
        let mut want: Vec<LexedItem> = Vec::new();
        for line in lines {
            if let Some(rest) = line.strip_prefix("input ") {
                input = quoted(rest).0;
            } else if let Some(rest) = line.strip_prefix("delims ") {
                let (l, rest) = quoted(rest);
                delims = (l, quoted(rest).0);
            } else if *line == "pos" {
                check_pos = true;
            } else {
                let (head, rest) = line.split_once(' ').expect("item line");
                let (typ, at) = match head.split_once('@') {
                    Some((t, at)) => {
                        let (p, l) = at.split_once(':').expect("pos:line");
                        (t, Some((p.parse().unwrap(), l.parse().unwrap())))
                    }
                    None => (head, None),
                };
                want.push((item_type(typ), quoted(rest).0, at));
            }
        }
        let mut lex = Lexer::new(&input, &delims.0, &delims.1);
        lex.set_options(LexOptions {
            emit_comment: true,
            break_ok: true,
            continue_ok: true,
        });
        let mut got = Vec::new();
        loop {
            let item = lex.next_item();
            let val = if item.typ == ItemType::Error {
                lex.error_message().unwrap_or_default().to_owned()
            } else {
                item.val.to_owned()
            };
            got.push((item.typ, val, Some((item.pos, item.line))));
            if matches!(item.typ, ItemType::Eof | ItemType::Error) || got.len() > 200 {
                break;
            }
        }
        let same = got.len() == want.len()
            && got
                .iter()
                .zip(&want)
                .all(|(g, w)| g.0 == w.0 && g.1 == w.1 && (!check_pos || g.2 == w.2));
        if !same {
            failures.push(format!("{name}:\n  got  {got:?}\n  want {want:?}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn parse_tables() {
    let text = data("parse.txt");
    let all = cases(&text);
    assert!(all.len() >= 150, "too few parser cases: {}", all.len());
    let mut failures = Vec::new();
    for (name, lines) in &all {
        let mut input = String::new();
        let mut funcs: Vec<String> = Vec::new();
        let mut opts = ParseOptions::default();
        let mut expects: Vec<&str> = Vec::new();
        for line in lines {
            if let Some(rest) = line.strip_prefix("input ") {
                input = quoted(rest).0;
            } else if let Some(rest) = line.strip_prefix("funcs ") {
                funcs = rest.split_whitespace().map(str::to_owned).collect();
            } else if *line == "comments" {
                opts.parse_comments = true;
            } else if *line == "skip-func-check" {
                opts.skip_func_check = true;
            } else if let Some(rest) = line.strip_prefix("max-depth ") {
                opts.max_expression_depth = rest.parse().unwrap();
            } else {
                expects.push(line);
            }
        }
        let has = |n: &str| funcs.iter().any(|f| f == n);
        opts.funcs = Some(&has);
        let result = parse(name, &input, &opts);
        for exp in expects {
            let problem = match (&result, exp) {
                (Ok(_), "error") => Some("expected an error, got none".to_owned()),
                (Err(_), "error") => None,
                (Err(e), exp) if exp.starts_with("error-contains ") => {
                    let want = quoted(&exp["error-contains ".len()..]).0;
                    (!e.to_string().contains(&want))
                        .then(|| format!("error {:?} does not contain {want:?}", e.to_string()))
                }
                (Err(e), _) => Some(format!("unexpected error: {e}")),
                (Ok(_), exp) if exp.starts_with("error-contains ") => {
                    Some("expected an error, got none".to_owned())
                }
                (Ok(r), exp) => {
                    let top = r.get(name);
                    if let Some(rest) = exp.strip_prefix("result ") {
                        let want = quoted(rest).0;
                        let got = top.map(|t| format!("{t:#}")).unwrap_or_default();
                        (got != want).then(|| format!("got {got:?}, want {want:?}"))
                    } else if let Some(rest) = exp.strip_prefix("result-raw ") {
                        let want = quoted(rest).0;
                        let got = top.map(|t| t.to_string()).unwrap_or_default();
                        (got != want).then(|| format!("got {got:?}, want {want:?}"))
                    } else if let Some(rest) = exp.strip_prefix("empty ") {
                        let want = rest == "true";
                        let got = top.is_none_or(|t| is_empty_tree(&t.root));
                        (got != want).then(|| format!("is_empty_tree: got {got}, want {want}"))
                    } else if let Some(rest) = exp.strip_prefix("tree ") {
                        let (tname, rest) = quoted(rest);
                        let want = quoted(rest).0;
                        match r.get(&tname) {
                            None => Some(format!("no tree {tname:?}")),
                            Some(t) => {
                                let got = t.to_string();
                                (got != want).then(|| format!("tree {tname}: got {got:?}"))
                            }
                        }
                    } else {
                        panic!("unknown expectation {exp}");
                    }
                }
            };
            if let Some(p) = problem {
                failures.push(format!("{name} ({input:?}): {p}"));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn number_table() {
    let text = data("numbers.txt");
    let mut failures = Vec::new();
    let mut count = 0;
    for line in text.lines() {
        if line.starts_with('#') || line.trim().is_empty() {
            continue;
        }
        count += 1;
        let (lit, rest) = quoted(line);
        let cols: Vec<&str> = rest.split('|').map(str::trim).skip(1).collect();
        let opts = ParseOptions::default();
        let result = parse("n", &format!("{{{{{lit}}}}}"), &opts);
        if cols == ["error"] {
            if result.is_ok() {
                failures.push(format!("{lit}: expected an error"));
            }
            continue;
        }
        let tree = match &result {
            Ok(r) => r.get("n").expect("tree").clone(),
            Err(e) => {
                failures.push(format!("{lit}: unexpected error {e}"));
                continue;
            }
        };
        let Some(Node::Action(a)) = tree.root.nodes.first() else {
            failures.push(format!("{lit}: not an action"));
            continue;
        };
        let Some(Arg::Number(n)) = a.pipe.cmds[0].args.first() else {
            failures.push(format!("{lit}: not a number"));
            continue;
        };
        let int = cols[0].parse::<i64>().ok();
        let uint = cols[1].parse::<u64>().ok();
        let float = cols[2].parse::<f64>().ok();
        let complex = cols[3]
            .split_once(',')
            .map(|(r, i)| (r.parse::<f64>().unwrap(), i.parse::<f64>().unwrap()));
        if n.int != int || n.uint != uint || n.float != float || n.complex != complex {
            failures.push(format!(
                "{lit}: got int {:?} uint {:?} float {:?} complex {:?}",
                n.int, n.uint, n.float, n.complex
            ));
        }
        if n.is_complex != complex.is_some() {
            failures.push(format!("{lit}: is_complex {}", n.is_complex));
        }
        if *n.text != *lit {
            failures.push(format!("{lit}: text {}", n.text));
        }
    }
    assert!(count >= 50, "too few number cases: {count}");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// Go's TestLineNum: every action and its pipeline carry their line.
#[test]
fn line_numbers() {
    let text = "{{printf 1234}}\n".repeat(3);
    let has = |n: &str| n == "printf";
    let opts = ParseOptions {
        funcs: Some(&has),
        ..ParseOptions::default()
    };
    let r = parse("bench", &text, &opts).unwrap();
    let nodes = &r.get("bench").unwrap().root.nodes;
    assert_eq!(nodes.len(), 6);
    for (i, node) in nodes.iter().enumerate().step_by(2) {
        let Node::Action(a) = node else {
            panic!("not an action")
        };
        assert_eq!(a.line, 1 + i / 2);
        assert_eq!(a.pipe.line, 1 + i / 2);
    }
}

/// Go's ErrorContext arithmetic.
#[test]
fn line_and_column() {
    let text = "ab\ncd{{.X}}\n";
    assert_eq!(line_col(text, 0), (1, 0));
    assert_eq!(line_col(text, 2), (1, 2));
    assert_eq!(line_col(text, 3), (2, 0));
    assert_eq!(line_col(text, 7), (2, 4));
    assert_eq!(line_col(text, 1000), (3, 0));
}

/// Helm's `cleanupParseError`: `parse error at (LOCATION): MSG`, where LOCATION is the second and
/// MSG the last ": "-separated part of Go's error.
fn helm_parse_error(go_error: &str) -> String {
    let tokens: Vec<&str> = go_error.split(": ").collect();
    format!(
        "parse error at ({}): {}",
        tokens.get(1).copied().unwrap_or_default(),
        tokens.last().copied().unwrap_or_default()
    )
}

/// Output of a template made only of text, comments and constant actions (strings, integers,
/// parenthesised constants, declarations), as Go would render it.
fn render_constants(list: &hoist_gotmpl::parse::ast::ListNode) -> Result<String, String> {
    fn value(arg: &Arg) -> Result<String, String> {
        match arg {
            Arg::String { text, .. } => Ok(text.to_string()),
            Arg::Number(n) => n.int.map(|i| i.to_string()).ok_or("not an int".into()),
            Arg::Pipe(p) if p.cmds.len() == 1 && p.cmds[0].args.len() == 1 => {
                value(&p.cmds[0].args[0])
            }
            other => Err(format!("cannot render {other}")),
        }
    }
    let mut out = String::new();
    for node in &list.nodes {
        match node {
            Node::Text { text, .. } => out.push_str(text),
            Node::Comment { .. } => {}
            Node::Action(a) if !a.pipe.decl.is_empty() => {}
            Node::Action(a) if a.pipe.cmds.len() == 1 && a.pipe.cmds[0].args.len() == 1 => {
                out.push_str(&value(&a.pipe.cmds[0].args[0])?);
            }
            other => return Err(format!("cannot render {other}")),
        }
    }
    Ok(out)
}

/// Parse errors and trim handling against real Helm (see helm_oracle.txt's header).
#[test]
fn helm_oracle() {
    const NAME: &str = "c/templates/t.yaml";
    // The Helm functions these inputs call.
    let has = |n: &str| matches!(n, "printf" | "print" | "contains" | "include" | "toYaml");
    let opts = ParseOptions {
        funcs: Some(&has),
        ..ParseOptions::default()
    };
    let text = data("helm_oracle.txt");
    let all = cases(&text);
    assert!(all.len() >= 180, "too few oracle cases: {}", all.len());
    let mut failures = Vec::new();
    for (name, lines) in &all {
        let input = quoted(lines[0].strip_prefix("input ").expect("input")).0;
        let result = parse(NAME, &input, &opts);
        let exp = lines[1];
        let problem = if let Some(rest) = exp.strip_prefix("helm-error ") {
            let want = quoted(rest).0;
            match &result {
                Ok(_) => Some(format!("parsed; Helm says {want}")),
                Err(e) => {
                    let got = helm_parse_error(&e.to_string());
                    (got != want).then(|| format!("got {got:?} (from {e}), want {want:?}"))
                }
            }
        } else if exp == "helm-ok" {
            result
                .as_ref()
                .err()
                .map(|e| format!("unexpected error {e}"))
        } else if let Some(rest) = exp.strip_prefix("helm-output ") {
            let want = quoted(rest).0;
            match &result {
                Err(e) => Some(format!("unexpected error {e}")),
                Ok(r) => match render_constants(&r.get(NAME).expect("tree").root) {
                    Err(e) => Some(e),
                    Ok(got) => (got != want).then(|| format!("got {got:?}, want {want:?}")),
                },
            }
        } else {
            panic!("unknown expectation {exp}");
        };
        if let Some(p) = problem {
            failures.push(format!("case {name} {input:?}: {p}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// Go's TestDelims (src/text/template/exec_test.go): with each delimiter pair, the text
/// `L.StrR` `L/*comment*/R` `L"L"R` parses to the field action and a string constant equal to the
/// left delimiter (Go executes it to "Hello, world" followed by that delimiter).
#[test]
fn custom_delimiters() {
    let pairs = [
        ("", ""),
        ("{{", "}}"),
        ("<<", ">>"),
        ("|", "|"),
        ("(日)", "(本)"),
    ];
    for (left, right) in pairs {
        let true_left = if left.is_empty() { "{{" } else { left };
        let true_right = if right.is_empty() { "}}" } else { right };
        let text = format!(
            "{true_left}.Str{true_right}{true_left}/*comment*/{true_right}{true_left}\"{true_left}\"{true_right}"
        );
        let opts = ParseOptions {
            left_delim: left,
            right_delim: right,
            ..ParseOptions::default()
        };
        let r = parse("delims", &text, &opts).unwrap_or_else(|e| panic!("{text}: {e}"));
        let nodes = &r.get("delims").unwrap().root.nodes;
        assert_eq!(nodes.len(), 2, "{text}");
        let (Node::Action(a), Node::Action(b)) = (&nodes[0], &nodes[1]) else {
            panic!("{text}: not two actions");
        };
        assert_eq!(a.pipe.to_string(), ".Str", "{text}");
        match b.pipe.cmds[0].args.as_slice() {
            [Arg::String { text: s, .. }] => assert_eq!(&**s, true_left, "{text}"),
            other => panic!("{text}: {other:?}"),
        }
    }
}
