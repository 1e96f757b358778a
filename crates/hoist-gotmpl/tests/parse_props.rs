//! Property tests: the lexer and parser never panic, never overflow the stack and finish quickly
//! on arbitrary input built from template fragments; whatever they return is well formed.

use std::time::{Duration, Instant};

use hoist_gotmpl::parse::ast::{Arg, ListNode, Node, PipeNode};
use hoist_gotmpl::parse::lexer::{ItemType, LexOptions, Lexer};
use hoist_gotmpl::parse::{ParseOptions, is_empty_tree, line_col, parse};
use proptest::prelude::*;

const FRAGMENTS: &[&str] = &[
    "{{",
    "}}",
    "{{- ",
    " -}}",
    "{{-",
    "-}}",
    "-",
    " ",
    "  ",
    "\n",
    "\t",
    "\r\n",
    "/*",
    "*/",
    "{{/* c */}}",
    "if",
    "else",
    "end",
    "range",
    "with",
    "define",
    "block",
    "template",
    "break",
    "continue",
    "nil",
    "true",
    "false",
    ".",
    ".X",
    ".Y.Z",
    "$",
    "$x",
    "$y",
    "$x :=",
    "$x =",
    "$i, $e :=",
    ":=",
    "=",
    ",",
    "|",
    "(",
    ")",
    "\"",
    "\"s\"",
    "\"\\n\\x41\\u00e9\"",
    "\"\\q\"",
    "`",
    "`raw\n`",
    "'",
    "'a'",
    "'\\n'",
    "''",
    "1",
    "-3",
    "0x1F",
    "0o17",
    "0b1",
    "1_000",
    "1e3",
    "0x1p4",
    "1+2i",
    "3k",
    "99999999999999999999",
    ".5",
    "printf",
    "nosuch",
    "include",
    "x",
    "text ",
    "é",
    "€",
    "\u{1}",
    "#",
    "@",
    "{",
    "}",
    "{{if .X}}",
    "{{else}}",
    "{{end}}",
    "{{range $i, $e := .}}",
    "{{break}}",
    "{{continue}}",
    "{{define \"a\"}}",
    "{{block \"b\" .}}",
    "{{template \"a\" .}}",
    "{{else if .Y}}",
    "{{else with .Z}}",
    "((",
    "))",
];

fn template() -> impl Strategy<Value = String> {
    prop::collection::vec(prop::sample::select(FRAGMENTS), 0..48).prop_map(|v| v.concat())
}

fn check_pipe(p: &PipeNode, len: usize) {
    assert!(p.pos <= len);
    assert!(!p.cmds.is_empty());
    for c in &p.cmds {
        assert!(!c.args.is_empty());
        for a in &c.args {
            assert!(a.pos() <= len);
            if let Arg::Pipe(inner) = a {
                check_pipe(inner, len);
            }
        }
    }
}

fn check_list(list: &ListNode, len: usize) {
    for n in &list.nodes {
        assert!(n.pos() <= len);
        let _ = line_col("", n.pos());
        match n {
            Node::Action(a) => check_pipe(&a.pipe, len),
            Node::If(b) | Node::Range(b) | Node::With(b) => {
                check_pipe(&b.pipe, len);
                check_list(&b.list, len);
                if let Some(e) = &b.else_list {
                    check_list(e, len);
                }
            }
            Node::Template(t) => {
                if let Some(p) = &t.pipe {
                    check_pipe(p, len);
                }
            }
            _ => {}
        }
    }
}

fn check(text: &str, parse_comments: bool) {
    let start = Instant::now();
    let has = |n: &str| matches!(n, "printf" | "include");
    let opts = ParseOptions {
        funcs: Some(&has),
        parse_comments,
        ..ParseOptions::default()
    };
    match parse("t", text, &opts) {
        Ok(result) => {
            for tree in &result.trees {
                check_list(&tree.root, text.len());
                let _ = is_empty_tree(&tree.root);
                let _ = tree.to_string();
                let _ = format!("{tree:#}");
                let _ = tree.location(tree.root.pos);
                drop(tree.clone());
            }
        }
        Err(e) => {
            assert!(e.line() >= 1, "{e}");
            assert!(e.to_string().starts_with("template: t:"), "{e}");
        }
    }
    // The lexer alone, as the parser never drives it past the first error.
    let mut lex = Lexer::new(text, "", "");
    lex.set_options(LexOptions {
        emit_comment: true,
        break_ok: true,
        continue_ok: true,
    });
    for _ in 0..=text.len() + 1 {
        let item = lex.next_item();
        assert!(item.pos <= text.len());
        if matches!(item.typ, ItemType::Eof | ItemType::Error) {
            break;
        }
    }
    assert!(
        start.elapsed() < Duration::from_secs(2),
        "too slow: {:?} for {text:?}",
        start.elapsed()
    );
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn fragments_never_panic(text in template(), comments in any::<bool>()) {
        check(&text, comments);
    }

    #[test]
    fn arbitrary_text_never_panics(text in "\\PC{0,64}|[{}() $.|:=\"'`a-z0-9\\-\n]{0,64}") {
        check(&text, false);
    }
}

/// Deep nesting is bounded and never overflows the stack, even on a small thread.
#[test]
fn deep_nesting_is_safe() {
    let cases = [
        format!("{{{{{}1{}}}}}", "(".repeat(10_001), ")".repeat(10_001)),
        format!("{}x{}", "{{if 1}}".repeat(10_001), "{{end}}".repeat(10_001)),
        format!("{{{{if 1}}}}{}{{{{end}}}}", "{{else if 1}}".repeat(10_001)),
        format!(
            "{}x{}",
            "{{block \"a\" 1}}".repeat(10_001),
            "{{end}}".repeat(10_001)
        ),
    ];
    let handle = std::thread::Builder::new()
        .stack_size(512 * 1024)
        .spawn(move || {
            for text in &cases {
                let err = parse("t", text, &ParseOptions::default()).unwrap_err();
                assert!(err.message().starts_with("max "), "{err}");
                assert_eq!(err.line(), 1);
            }
            // Just inside the bounds: parses, prints, clones and drops.
            let text = format!(
                "{}{{{{{}1{}}}}}{}",
                "{{if 1}}".repeat(9_999),
                "(".repeat(9_999),
                ")".repeat(9_999),
                "{{end}}".repeat(9_999)
            );
            let r = parse("t", &text, &ParseOptions::default()).unwrap();
            assert_eq!(r.trees[0].to_string().len(), text.len());
            drop(r.clone());
        })
        .unwrap();
    handle.join().unwrap();
}
