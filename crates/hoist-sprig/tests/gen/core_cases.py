#!/usr/bin/env python3
"""Make tests/data/core/cases.json: Sprig function calls rendered by the real Helm (the oracle).

usage: core_cases.py [OUT.json]

Each case is a function name and typed arguments (see `arg` below). It becomes one template,
templates/cNNN.yaml, that binds every argument to a variable, calls the function and prints
`typeOf` of the result, the result itself and (for mutating functions) the first argument again,
separated by \\x1f. The chart is rendered once with /work/shared/oracle/helm-template --json; a
case that fails aborts the render, so its error is recorded and the render repeated without it.

Typed arguments, as they reach the function in Go:
  "text" string · {"i": 5} int (a template literal) · {"i64": 5} int64 · {"f": 1.5} float64 ·
  true/false bool · null nil · [..] []interface{} · {"m": {..}} map[string]interface{} ·
  {"V": "a.b"} the value at .Values.a.b (numbers from values are float64; "" is .Values itself).
"""
import json
import os
import re
import subprocess
import sys
import tempfile

ORACLE = "/work/shared/oracle/helm-template"
SEP = "\x1f"

VALUES = {
    "name": "demo",
    "replicas": 3,
    "ratio": 1.5,
    "enabled": True,
    "empty": "",
    "zero": 0,
    "list": ["a", "b", "c"],
    "nested": {"a": {"b": {"c": "deep"}}, "x": 1},
    "emptymap": {},
    "emptylist": [],
    "nullval": None,
}


def I(n):
    return {"i": n}


def I64(n):
    return {"i64": n}


def F(x):
    return {"f": x}


def M(**kw):
    return {"m": kw}


def MD(d):
    return {"m": d}


def V(path):
    return {"V": path}


def DC(path):
    """A deep copy of a value from .Values (for functions that mutate their argument)."""
    return {"DC": path}


def arg(a):
    """Template text for a typed argument."""
    if a is None:
        return "nil"
    if a is True:
        return "true"
    if a is False:
        return "false"
    if isinstance(a, str):
        return json.dumps(a, ensure_ascii=False)
    if isinstance(a, list):
        return "(list" + "".join(" " + arg(x) for x in a) + ")"
    if isinstance(a, dict):
        if "i" in a:
            return str(a["i"])
        if "i64" in a:
            return "(int64 %d)" % a["i64"]
        if "f" in a:
            r = repr(float(a["f"]))
            if "." not in r and "e" not in r:
                r += ".0"
            return r
        if "m" in a:
            return "(dict" + "".join(" %s %s" % (json.dumps(k), arg(v)) for k, v in a["m"].items()) + ")"
        if "V" in a:
            return ".Values" + ("." + a["V"] if a["V"] else "")
        if "DC" in a:
            return "(deepCopy .Values" + ("." + a["DC"] if a["DC"] else "") + ")"
    raise ValueError(a)


# (function, [args], show_first_arg_after_call)
CASES = []


def c(fn, *args, show=False):
    CASES.append((fn, list(args), show))


# ---- strings
for w, s in [(5, "hello world"), (0, "abc"), (20, "short"), (-5, "hello world"), (-20, "abc"), (3, "héllo")]:
    c("trunc", I(w), s)
for w, s in [(5, "hello world"), (3, "hello world"), (4, "abcdef"), (10, "tiny"), (6, "a b c d e f g")]:
    c("abbrev", I(w), s)
for l, r, s in [(5, 10, "1234 5678 9123"), (0, 4, "abcdefghij"), (10, 7, "abcdefghijklmnop"), (1, 6, "abcdefghij"), (3, 5, "abcdefghij")]:
    c("abbrevboth", I(l), I(r), s)
for s in ["  hi  ", "\t\nx\n", "", "\u00a0a\u00a0", "x y"]:
    c("trim", s)
c("trimAll", "$", "$$5.00$")
c("trimall", "ab", "abcba")
c("trimAll", "", "  x ")
c("trimPrefix", "-", "--x-")
c("trimSuffix", "-", "--x-")
c("trimPrefix", "", "abc")
for s in ["hello", "HeLLo wOrld", "ß straße", "ǆ", "éa", ""]:
    c("upper", s)
    c("lower", s)
for s in ["hello world", "hello-world foo_bar", "o'neil's", "ǆungla", "123abc déjà", "  lead"]:
    c("title", s)
for s in ["Hello World", "HELLO", "  Abc  Def", ""]:
    c("untitle", s)
for a_, b_, s in [(0, 3, "hello"), (1, 100, "hello"), (-1, 2, "hello"), (2, -1, "hello"), (3, 3, "hello"), (0, 5, "hello")]:
    c("substr", I(a_), I(b_), s)
c("substr", I(4, ), I(2), "hello")
c("substr", I(-1), I(9), "hello")
c("substr", I(9), I(-1), "hello")
c("repeat", I(3), "ab")
c("repeat", I(0), "ab")
c("repeat", I(-1), "ab")
for s in ["a b\tc\nd", "  ", "é x", "nospace"]:
    c("nospace", s)
for s in ["John Doe Foo", "  leading  spaces", "été x", "a"]:
    c("initials", s)
for s in ["Hello World", "hELLO wORLD", "ǅx", "a1B2 c", "  abc"]:
    c("swapcase", s)
for s in ["FirstName", "HTTPServer", "NoHTTPS", "GO_PATH", "GO PATH", "GO-PATH", "http2xx", "HTTP20xOK",
          "Duration2m3s", "Bld4Floor3rd", "a__b", "_leading", "trailing_", "already_snake", "ABC", "aBC", "some.dots.here",
          "x", "", "Ünïcode Wörds", "123", "a1b2c3", "camelCaseString", "  spaces  around  "]:
    c("snakecase", s)
    c("kebabcase", s)
    c("camelcase", s)
for s in ["__", "-", "a", "_a_", "some words", "GOLANG_IS_GREAT", "_complex__case_", "http_server", "mixed-Case_words here"]:
    c("camelcase", s)
for l, s in [(10, "The quick brown fox jumps over the lazy dog"), (3, "abcdefgh ij"), (0, "a b"), (5, "   lots   of   space  "), (20, "short")]:
    c("wrap", I(l), s)
for l, sep, s in [(10, "<br>", "The quick brown fox jumps over the lazy dog"), (3, "\n\t", "abcdefgh ij"), (4, "", "abcdefgh")]:
    c("wrapWith", I(l), sep, s)
c("contains", "cat", "catch")
c("contains", "dog", "catch")
c("contains", "", "x")
c("hasPrefix", "ca", "catch")
c("hasPrefix", "x", "catch")
c("hasSuffix", "ch", "catch")
c("hasSuffix", "x", "catch")
c("quote", "a")
c("quote", "a", "b\"c", I(5))
c("quote", None)
c("quote", None, "x", None)
c("quote")
c("quote", "tab\there", "é\u0001\u007f", F(1.5), True, [I(1), "a"], M(k="v"))
c("squote", "a", I(1), None, F(2.5))
c("squote", [I(1), I(2)])
c("cat", "a", I(1), None, "b", F(1.5), [I(1)])
c("cat")
c("indent", I(2), "a\nb\n\nc")
c("indent", I(0), "x")
c("indent", I(4), "")
c("nindent", I(2), "a\nb")
c("indent", I(-1), "x")
c("replace", "a", "b", "banana")
c("replace", "", "-", "abc")
c("replace", "xyz", "-", "abc")
c("plural", "one", "many", I(1))
c("plural", "one", "many", I(0))
c("plural", "one", "many", I(2))
for v in ["s", I(5), I64(7), F(1.5), F(3.0), F(1e21), F(1e-7), True, None, [I(1), "a", None], M(a=I(1), b="x"), V(""), V("nested"), V("replicas"), V("ratio"), []]:
    c("toString", v)
for v in [[I(1), "a", None, F(2.5)], "single", None, I(3), [], V("list")]:
    c("toStrings", v)
c("split", "$", "foo$bar$baz")
c("split", ",", "")
c("split", "", "abc")
c("splitList", ",", "a,b,,c")
c("splitList", "", "héllo")
c("splitList", ",", "")
c("splitn", "$", I(2), "foo$bar$baz")
c("splitn", "$", I(0), "foo$bar$baz")
c("splitn", "$", I(-1), "foo$bar$baz")
c("splitn", "", I(2), "abc")
c("join", "-", ["a", I(1), None, F(2.5), True])
c("join", ",", "notalist")
c("join", ",", None)
c("join", ", ", V("list"))
c("sortAlpha", ["b", "a", I(10), I(9), "B"])
c("sortAlpha", "x")
c("sortAlpha", I(42))
c("sortAlpha", V("list"))
c("hello")
# ---- hashes / encodings
for s in ["", "abc", "héllo wörld", "The quick brown fox"]:
    c("sha1sum", s)
    c("sha256sum", s)
    c("sha512sum", s)
    c("adler32sum", s)
    c("b64enc", s)
    c("b32enc", s)
for s in ["aGVsbG8=", "aGVsbG8", "aGVsbA==", "aGVsbA=", "!!!", "aGVs\nbG8=", "aGVsbG8=x", "a===", "", "YQ==YQ=="]:
    c("b64dec", s)
for s in ["NBSWY3DP", "NBSWY3D", "NBSWY3DPEE======", "MFRGG===", "0000", "", "MY======", "M=======", "nbswy3dp"]:
    c("b32dec", s)
# ---- numbers
for v in ["12", "-3", "1.5", "abc", " 1", "0x10", "010", "+7", "", "9223372036854775808"]:
    c("atoi", v)
for v in ["010", "0x10", "0b11", "0o17", "1.5", "1.0", "1.00", "abc", "", "1_000", "-42", " 5", "9223372036854775807", "9223372036854775808", "0x", "08", ".0", "1."]:
    c("int", v)
    c("int64", v)
for v in [I(5), I64(6), F(1.9), F(-1.9), F(1e20), True, False, None, [I(1)], M(a=I(1)), V("replicas"), V("ratio"), V("name")]:
    c("int", v)
    c("int64", v)
    c("float64", v)
for v in ["1.5", "1e3", "abc", "", "inf", "-Inf", "NaN", "0x1p-2", "1_000.5", ".5", "5.", "1e400", "+3.25", "0x10"]:
    c("float64", v)
for v in ["0777", "777", I(777), I(8), "abc", "-17", F(10.0), "0o17"]:
    c("toDecimal", v)
c("seq", I(5))
c("seq", I(-3))
c("seq", I(0))
c("seq", I(1))
c("seq", I(2), I(5))
c("seq", I(5), I(2))
c("seq", I(0), I(2), I(10))
c("seq", I(10), I(-3), I(0))
c("seq", I(10), I(3), I(0))
c("seq")
c("seq", I(1), I(2), I(3), I(4))
c("until", I(5))
c("until", I(-3))
c("until", I(0))
c("untilStep", I(0), I(10), I(3))
c("untilStep", I(10), I(0), I(-3))
c("untilStep", I(0), I(10), I(0))
c("untilStep", I(10), I(0), I(3))
c("add", I(1), I(2), I(3))
c("add")
c("add", F(1.5), I(1))
c("add", "3", F(2.9), I64(4), None, True)
c("add1", I(5))
c("add1", F(1.9))
c("add1", "x")
c("sub", I(5), I(7))
c("sub", F(5.5), "2")
c("mul", I(3), I(4), I(5))
c("mul", I(3))
c("mul", F(2.5), F(2.5))
c("div", I(7), I(2))
c("div", I(-7), I(2))
c("div", F(7.9), I(2))
c("div", I(1), I(0))
c("mod", I(7), I(3))
c("mod", I(-7), I(3))
c("mod", I(1), I(0))
c("max", I(1), I(5), I(3))
c("max", I(-1))
c("max", F(1.9), "4", I(2))
c("biggest", I(1), I(9))
c("min", I(3), I(1), I(2))
c("min", "x", I(5))
c("maxf", F(1.5), F(2.5), I(2))
c("maxf", I(1))
c("minf", F(1.5), F(-2.5), I(2))
c("maxf", F(1.0), "NaN")
c("minf", F(0.0), F(-0.0))
c("addf", F(1.1), F(2.2))
c("addf", F(0.1), F(0.2))
c("addf", I(1), I(2), F(3.5))
c("addf")
c("add1f", F(1.1))
c("add1f", "2.5")
c("subf", F(1.1), F(2.2))
c("subf", F(10.0), F(0.3), F(0.3))
c("subf", I(5))
c("mulf", F(1.1), F(3.0))
c("mulf", F(0.1), F(0.2))
c("mulf", F(1e200), F(1e200))
c("divf", I(1), I(3))
c("divf", I(2), I(3))
c("divf", I(-2), I(3))
c("divf", F(10.0), F(4.0))
c("divf", I(1), I(0))
c("divf", F(1e-300), F(1e300))
c("divf", I(22), I(7), I(2))
c("addf", F(1.0), "inf")
c("ceil", F(1.1))
c("ceil", F(-1.1))
c("ceil", "2.5")
c("floor", F(1.9))
c("floor", F(-1.1))
c("floor", I(3))
c("round", F(3.14159), I(2))
c("round", F(2.5), I(0))
c("round", F(-1.5), I(0))
c("round", F(-1.4), I(0))
c("round", F(1.2345), I(3), F(0.4))
c("round", "12.5", I(0))
c("round", F(1234.5678), I(-2))
c("round", F(0.285), I(2))
# ---- defaults / flow
for v in [None, False, True, I(0), I(1), I64(0), F(0.0), F(0.1), "", "x", [], [I(0)], MD({}), M(a=I(1)), V("emptymap"), V("emptylist"), V("zero"), V("empty"), V("nil"), V("name"), V("")]:
    c("empty", v)
    c("default", "DEF", v)
c("default", "DEF")
c("default", "DEF", I(5), I(6))
c("default", "DEF", I(0), I(6))
c("coalesce", None, I(0), "", "x", "y")
c("coalesce", None, "")
c("coalesce")
c("all", I(1), "x", True)
c("all", I(1), "", True)
c("all")
c("any", I(0), "", "x")
c("any", I(0), "", None)
c("any")
c("compact", [I(1), I(0), "", None, "x", False, [], MD({})])
c("mustCompact", ["a", ""])
c("compact", "str")
c("ternary", "yes", "no", True)
c("ternary", "yes", "no", False)
c("ternary", I(1), None, False)
# ---- types
for v in [None, True, I(1), I64(1), F(1.0), "s", [I(1)], M(a=I(1)), V(""), V("nested"), V("list"), V("replicas")]:
    c("typeOf", v)
    c("kindOf", v)
c("typeIs", "int", I(1))
c("typeIs", "int", I64(1))
c("typeIs", "float64", V("replicas"))
c("typeIsLike", "int", I(1))
c("typeIsLike", "string", "x")
c("kindIs", "slice", [I(1)])
c("kindIs", "map", V(""))
c("kindIs", "int", I64(1))
c("kindIs", "invalid", None)
c("deepEqual", I(1), I(1))
c("deepEqual", I(1), I64(1))
c("deepEqual", I(1), F(1.0))
c("deepEqual", [I(1), "a"], [I(1), "a"])
c("deepEqual", [I(1)], [I(2)])
c("deepEqual", M(a=[I(1)]), M(a=[I(1)]))
c("deepEqual", M(a=I(1)), M(a=I(2)))
c("deepEqual", None, None)
c("deepEqual", "a", "a")
c("deepEqual", V("nested"), V("nested"))
c("deepCopy", M(a=[I(1), M(b=I(2))]))
c("deepCopy", I(5))
c("deepCopy", V(""))
c("mustDeepCopy", [I(1), "a"])
c("deepCopy", None)
c("mustDeepCopy", None)
# ---- paths
for p in ["", "/", "a/b/c", "a/b/c/", "/a/b.tar.gz", "a//b/../c/.", "../../x", "/../x", ".", "..", "file.txt", "dir/.hidden", "a/b.c/d", "//x//"]:
    for fn in ["base", "dir", "clean", "ext", "isAbs", "osBase", "osDir", "osClean", "osExt", "osIsAbs"]:
        c(fn, p)
# ---- lists
c("list", I(1), "a", None, F(1.5))
c("list")
c("tuple", I(1), I(2))
for fn in ["append", "push", "mustAppend", "mustPush"]:
    c(fn, [I(1), I(2)], I(3))
c("append", [], None)
c("append", "notalist", I(1))
c("append", None, I(1))
c("mustPush", I(3), I(1))
c("append", V("list"), "d")
c("prepend", [I(1), I(2)], I(0))
c("mustPrepend", "x", I(0))
c("prepend", V("list"), "z")
for fn in ["first", "mustFirst", "last", "mustLast", "rest", "mustRest", "initial", "mustInitial", "reverse", "mustReverse", "uniq", "mustUniq"]:
    c(fn, [I(1), I(2), I(2), "a", I(1)])
    c(fn, [])
    c(fn, "str")
    c(fn, None)
    c(fn, V("list"))
c("uniq", [I(1), I64(1), F(1.0), "1", I(1), [I(1)], [I(1)], M(a=I(1)), M(a=I(1))])
c("without", [I(1), I(2), I(3), I(2)], I(2))
c("without", [I(1), I(2), I(3)], I(2), I(3), I(4))
c("without", [I(1), I(2)])
c("mustWithout", "x", I(1))
c("without", V("list"), "b")
c("has", I(2), [I(1), I(2)])
c("has", I64(2), [I(1), I(2)])
c("has", "b", V("list"))
c("has", I(1), None)
c("has", I(1), "str")
c("mustHas", I(1), I(5))
c("slice", [I(1), I(2), I(3), I(4)], I(1), I(3))
c("slice", [I(1), I(2), I(3), I(4)], I(2))
c("slice", [I(1), I(2), I(3), I(4)])
c("slice", [I(1), I(2), I(3)], "1", F(2.0))
c("slice", [], I(0), I(0))
c("slice", [I(1), I(2)], I(1), I(5))
c("slice", [I(1), I(2)], I(2), I(1))
c("slice", [I(1), I(2)], I(-1))
c("slice", "str", I(1))
c("mustSlice", I(1), I(1))
c("slice", V("list"), I(1))
c("concat", [I(1), I(2)], [I(3)], ["a"])
c("concat")
c("concat", [], [])
c("concat", [I(1)], "x")
c("concat", V("list"), [I(1)])
c("chunk", I(2), [I(1), I(2), I(3), I(4), I(5)])
c("chunk", I(3), [I(1), I(2), I(3)])
c("chunk", I(5), [I(1)])
c("chunk", I(2), [])
c("chunk", I(2), "str")
c("mustChunk", I(2), I(1))
c("chunk", I(-1), [I(1), I(2)])
c("chunk", I(0), [I(1), I(2)])
# ---- dicts
c("dict", "a", I(1), "b", "x")
c("dict")
c("dict", "a")
c("dict", "a", I(1), "b")
c("dict", I(1), I(2), None, "n", True, F(1.5))
c("get", M(a=I(1)), "a")
c("get", M(a=I(1)), "b")
c("get", V(""), "name")
c("get", V("nested"), "x")
c("set", M(a=I(1)), "b", I(2), show=True)
c("set", M(a=I(1)), "a", None, show=True)
c("set", DC(""), "name", "changed")
c("set", DC("nested"), "x", I(2), show=True)
c("unset", M(a=I(1), b=I(2)), "a", show=True)
c("unset", M(a=I(1)), "zz", show=True)
c("hasKey", M(a=I(1)), "a")
c("hasKey", M(a=None), "a")
c("hasKey", M(a=I(1)), "b")
c("hasKey", V(""), "replicas")
c("pluck", "a", M(a=I(1)), M(b=I(2)), M(a=I(3)))
c("pluck", "a")
c("keys", M(b=I(1), a=I(2)))
c("keys", M(b=I(1)), M(a=I(2)))
c("keys")
c("keys", V("nested"))
c("pick", M(a=I(1), b=I(2), c=I(3)), "a", "c", "z")
c("pick", M(a=I(1)))
c("omit", M(a=I(1), b=I(2), c=I(3)), "a", "c", "z")
c("omit", V("nested"), "x")
c("values", M(b=I(1), a=I(2)))
c("values", MD({}))
c("merge", M(a=I(1), b=M(x=I(1))), M(a=I(2), b=M(y=I(2)), c=I(3)), show=True)
c("merge", M(a="", b=I(0), c=False, d=None), M(a="x", b=I(5), c=True, d="y"), show=True)
c("merge", M(a=[I(1)]), M(a=[I(2)], b=[I(3)]), show=True)
c("merge", MD({}), M(a=[I(2)]), show=True)
c("merge", M(a=[]), M(a=[I(2)]), show=True)
c("merge", M(a="x"), M(a=M(b=I(1))), show=True)
c("merge", M(a=M(b=I(1))), M(a="x"), show=True)
c("merge", M(a=I(1)), M(a=None, b=None), show=True)
c("merge", M(a=MD({})), M(a=M(b=I(1))), show=True)
c("merge", M(a=MD({})), M(a=MD({})), show=True)
c("merge", M(a=I(1)), M(b=I(2)), M(a=I(3), c=I(4)), show=True)
c("merge", M(a=I(1)))
c("merge", DC(""), M(name="other", extra=I(1)))
c("mergeOverwrite", DC(""), M(name="other", nested=M(x=I(5))))
c("mergeOverwrite", M(a=I(1), b=M(x=I(1), z=I(9))), M(a=I(2), b=M(y=I(2), z=""), c=I(3)), show=True)
c("mergeOverwrite", M(a="x", b=I(5)), M(a="", b=I(0), c=None), show=True)
c("mergeOverwrite", M(a=[I(1)]), M(a=[]), show=True)
c("mergeOverwrite", M(a="x"), M(a=M(b=I(1))), show=True)
c("mergeOverwrite", M(a=M(b=I(1))), M(a="x"), show=True)
c("mergeOverwrite", M(a=I(1)), M(a=None), show=True)
c("mustMerge", M(a=I(1)), M(a=I(2), b=I(2)), show=True)
c("mustMergeOverwrite", M(a=I(1)), M(a=I(2), b=I(2)), show=True)
c("dig", "a", "b", "c", "DEF", V("nested"))
c("dig", "a", "zz", "DEF", V("nested"))
c("dig", "x", "DEF", V("nested"))
c("dig", "name", "DEF", V(""))
c("dig", "a", "DEF", M(a=I(1)))
c("dig", "a", "b", "DEF", M(a=I(1)))
c("dig", "a", "DEF")
c("dig", I(1), "DEF", M(a=I(1)))
c("dig", "a", "DEF", "notamap")
c("dig", "a", "b", "DEF", M(a=M(b=None)))
# ---- regex
c("regexMatch", "^[a-z]+$", "hello")
c("regexMatch", "^[a-z]+$", "Hello")
c("regexMatch", "(", "x")
c("regexMatch", "\\d+", "abc١٢٣")
c("regexMatch", "\\w", "é")
c("regexMatch", "\\s", "\u00a0")
c("regexMatch", "\\s", "\u000b")
c("regexMatch", "\\bfoo\\b", "éfooé")
c("regexMatch", "(?i)HELLO", "hello")
c("regexMatch", "a{,2}", "a{,2}")
c("regexMatch", "x{2}{3}", "x")
c("mustRegexMatch", "[a-", "x")
c("mustRegexMatch", "a)", "x")
c("mustRegexMatch", "a(b", "x")
c("mustRegexMatch", "*a", "x")
c("mustRegexMatch", "a**", "x")
c("mustRegexMatch", "a{1001}", "x")
c("mustRegexMatch", "(a{500}){3}", "x")
c("mustRegexMatch", "[z-a]", "x")
c("mustRegexMatch", "\\8", "x")
c("mustRegexMatch", "a\\", "x")
c("mustRegexMatch", "(?P<1a>x)", "x")
c("mustRegexMatch", "(?P<>x)", "x")
c("mustRegexMatch", "(?x)a", "x")
c("mustRegexMatch", "[[:foo:]]", "x")
c("mustRegexMatch", "\\p{Foo}", "x")
c("mustRegexMatch", "\\pL", "é")
c("mustRegexMatch", "\\p{Greek}", "α")
c("mustRegexMatch", "[[:alpha:]]+", "abc")
c("mustRegexMatch", "\\Qa.b\\E", "a.b")
c("mustRegexMatch", "\\Qa.b\\E", "axb")
c("mustRegexMatch", "a*?b", "aab")
c("mustRegexMatch", "a*??", "x")
c("mustRegexMatch", "\\x41\\x{42}\\101", "ABA")
c("mustRegexMatch", "[\\d\\s]+", "1 2")
c("mustRegexMatch", "\\C", "x")
c("mustRegexMatch", "\\z", "")
c("mustRegexMatch", "(?i-i:a)", "A")
c("mustRegexMatch", "(?-)", "A")
c("regexFindAll", "a.", "paranormal", I(-1))
c("regexFindAll", "a.", "paranormal", I(2))
c("regexFindAll", "a.", "paranormal", I(0))
c("regexFindAll", "a*", "baaac", I(-1))
c("regexFindAll", "", "abc", I(-1))
c("regexFindAll", "x*", "é", I(-1))
c("regexFindAll", "(", "x", I(-1))
c("mustRegexFindAll", "(", "x", I(-1))
c("regexFind", "a.", "paranormal")
c("regexFind", "z", "paranormal")
c("regexFind", "[", "x")
c("mustRegexFind", "[", "x")
c("regexReplaceAll", "a(x*)b", "-ab-axxb-", "${1}W")
c("regexReplaceAll", "a(x*)b", "-ab-axxb-", "$1W")
c("regexReplaceAll", "a(?P<x>x*)b", "-ab-axxb-", "[$x]")
c("regexReplaceAll", "a(x*)b", "-ab-axxb-", "$$1 $2 $01 ${1")
c("regexReplaceAll", "a*", "baaac", "X")
c("regexReplaceAll", "", "abc", "-")
c("regexReplaceAll", "(?P<n>é)", "aéb", "<$n>")
c("regexReplaceAll", "(", "x", "y")
c("mustRegexReplaceAll", "(", "x", "y")
c("regexReplaceAllLiteral", "a(x*)b", "-ab-axxb-", "${1}")
c("mustRegexReplaceAllLiteral", "a+", "baaac", "$")
c("regexReplaceAllLiteral", ")", "x", "y")
c("regexSplit", "z+", "pizza", I(-1))
c("regexSplit", "z+", "pizza", I(1))
c("regexSplit", "z+", "pizza", I(0))
c("regexSplit", "", "abc", I(-1))
c("regexSplit", "a", "", I(-1))
c("regexSplit", "x*", "axbxc", I(-1))
c("regexSplit", ",", "a,b,c", I(2))
c("mustRegexSplit", "(", "x", I(-1))
c("regexSplit", "(", "x", I(-1))
c("regexQuoteMeta", "1.5-2.0?[x]{y}(z)|^$\\*+")
c("regexQuoteMeta", "plain")


# ---- second batch: edge cases
for pat, txt in [("[]a]+", "a]a"), ("[^]a]+", "bcd]"), ("[a-]+", "a-a"), ("[-a]+", "-a"), ("[&&]+", "&&"),
                 ("[~~]+", "~~"), ("[\\[]", "["), ("[a\\-z]+", "a-z"), ("(?s)a.b", "a\nb"), ("a.b", "a\nb"),
                 ("(?m)^x$", "y\nx\nz"), ("^x$", "y\nx"), ("x$", "x\n"), ("(?U)a+", "aaa"), ("(?i)straße", "STRASSE"),
                 ("(?i)k", "\u212a"), ("\\w+", "abc_123"), ("[[:^alpha:]]", "a1"), ("[[:word:]]+", "a_1"),
                 ("\\D\\S\\W", "a b"), ("a|b|", "c"), ("()", ""), ("x{0}", "y"), ("x{2,}", "xx"), ("x{,}", "x{,}"),
                 ("#", "#"), ("a b", "a b"), ("\\pN+", "٣"), ("\\p{^L}", "1"), ("\\PL", "a"), ("[\\p{Lu}]", "A"),
                 ("\\x{41}", "A"), ("\\0", "\u0000"), ("\\a\\f\\v", "\u0007\u000c\u000b"), ("(?P<n>a)(?P<n>b)", "ab"),
                 ("(?<n>a)", "a"), ("\\_", "_"), ("\\e", "x"), ("\\Z", "x"), ("[\\b]", "x"), ("(?i)[k]", "\u212a"),
                 ("[a-c-e]", "-"), ("(a)(?:b)(c)", "abc"), ("a{2}{3}", "aaaaaa"), ("a++", "a"), ("(?i", "x"),
                 ("(?P<a", "x"), ("[a", "x"), ("[[:alpha:]", "x"), ("x{1000}", "x"), ("(x{2}){501}", "x"),
                 ("((x{10}){10}){11}", "x"), ("(x*){1000}", "x"), ("\\Q*\\E+", "**"), ("\\Qab", "ab"), ("a\\Q\\E*", "aa")]:
    c("mustRegexMatch", pat, txt)
for pat, src, repl in [("(a)(b)?", "a ab", "[$2|$1]"), ("(?P<first>\\w+) (?P<last>\\w+)", "John Smith", "${last}, ${first}"),
                       ("(\\w+)", "héllo wörld", "<$1>"), ("x", "xxx", "$"), ("x", "xxx", "$$"), ("(x)", "xx", "${1}0"),
                       ("(x)", "xx", "$10"), ("(x)", "xx", "${10}"), ("(x)", "xx", "$é"), ("(?P<é>x)", "x", "[$é]"),
                       ("b*", "abc", "-"), ("\\b", "ab cd", "|"), ("(?m)$", "a\nb", ";"), ("é", "éaé", "e")]:
    c("regexReplaceAll", pat, src, repl)
for pat, src, n in [("", "héllo", I(-1)), ("\\b", "ab cd", I(-1)), ("a|", "baab", I(-1)), ("(a)(b)?", "ab a", I(-1)), ("é*", "aéé", I(-1))]:
    c("regexFindAll", pat, src, n)
    c("regexSplit", pat, src, n)
for s in ["ǅungla ǉ", "İstanbul", "ﬁne", "ᾳ", "Ⓐⓑ", "ǰ", "ⅷ", "აბ"]:
    c("upper", s)
    c("lower", s)
    c("title", s)
    c("swapcase", s)
for s in ["ÀBC déf", "ÉcoleNormale", "日本語Text", "XMLHttpRequest", "iPhone5s", "v1.2.3-beta", "a-b_c d", "A", "aB", "Ab", "AB"]:
    c("snakecase", s)
    c("kebabcase", s)
    c("camelcase", s)
c("wrap", I(4), "héllo wörld ünd")
c("wrapWith", I(3), "|", "héllo")
c("abbrev", I(5), "héllo wörld")
c("trunc", I(2), "日本語")
c("nospace", "日 本")
c("initials", "日本 語")
c("nospace", "a\u0085b")
c("substr", I(1), I(2), "日本")
for v in [F(1e21), F(100000000.0), F(1e-5), F(123456789.125), F(-0.0), F(0.1), F(2.5e-10)]:
    c("toString", v)
    c("quote", v)
    c("cat", v, v)
for v in ["1e3", " 1", "1 ", "0X1F", "-0x10", "0b", "00", "-010", "1_0", "_10", "10_", "0x_1F", "0_7", "١٢"]:
    c("int", v)
for v in ["1e", "1e+", "0x1.8p1", "0x1p", "0x.8p1", "1e-400", "-1e400", "1__0", "infinity", "+inf", "-nan", "1.5e3", "0x1P-1074", "1e308"]:
    c("float64", v)
c("toDecimal", F(17.5))
c("toDecimal", True)
c("toDecimal", None)
c("int", F(1e300))
c("int64", F(-1e300))
c("int", "NaN")
c("add", F(1e19), I(1))
c("mul", I(4611686018427387904), I(4))
c("addf", F(1e16), F(1.0))
c("addf", F(0.1), F(0.7))
c("mulf", F(3.3), F(3.0))
c("divf", F(1.0), F(3.0), F(3.0))
c("divf", F(0.0), F(-5.0))
c("divf", F(-1.0), F(-3.0))
c("subf", F(0.3), F(0.1))
c("addf", "1.1", "2.2", "x")
c("round", F(2.675), I(2))
c("round", F(-2.5), I(0))
c("round", F(5.0), I(308))
c("round", F(1.5), I(-400))
c("round", "NaN", I(1))
c("maxf", "NaN", I(1))
c("minf", "-Inf", "NaN")
c("max", "9223372036854775807", I(1))
c("chunk", I(3), [I(1), I(2), I(3), I(4), I(5), I(6), I(7)])
c("chunk", I(1), ["a", "b"])
c("uniq", [None, None, I(1)])
c("has", None, [None])
c("without", [None, I(1)], None)
c("compact", [F(0.0), F(0.5), I64(0), "0"])
c("slice", ["a", "b", "c"], I(3))
c("slice", ["a", "b", "c"], I(0), I(0))
c("concat", None)
c("first", V("emptylist"))
c("mergeOverwrite", M(a=M(b=M(c=I(1), d=I(2)))), M(a=M(b=M(c=None))), show=True)
c("merge", M(a=M(b=M(c=I(1)))), M(a=M(b=M(c=I(2), d=I(3)), e=[I(1)])), show=True)
c("merge", M(a=I(0)), M(a=[I(1)]), show=True)
c("merge", M(a="x"), M(a=[I(1)]), show=True)
c("merge", M(a=MD({})), M(a=[I(1)]), show=True)
c("mergeOverwrite", M(a=M(x=I(1))), M(a=MD({})), show=True)
c("merge", M(a=M(x=I(1))), M(a=MD({})), show=True)
c("merge", M(a=I(1)), MD({}), show=True)
c("merge", MD({}), M(a=None, b=I(1)), show=True)
c("merge", M(a=I(1)), V("nested"), show=True)
c("dict", M(a=I(1)), "v")
c("dict", [I(1)], "v")
c("dict", "k", None)
c("pick", M(a=None), "a")
c("get", M(a=None), "a")
c("set", MD({}), "", I(1), show=True)
c("quote", [None, "a"], M(a=None))
c("squote", None)
c("squote", "it's")
c("cat", None, None)
c("indent", I(2), "a\r\nb")
c("nindent", I(0), "")
c("toStrings", [[I(1), I(2)], M(a=I(1))])
c("join", "", [I(1), I(2)])
c("sortAlpha", [I(2), I(10), None, "a"])
c("sortAlpha", None)
c("splitn", ",", I(5), "a,b")
c("trimAll", "日", "日本日")
c("replace", "", "-", "日本")
c("b64dec", "aGVsbG8=\n")
c("b64dec", "aGVs\rbG8=")
c("b64dec", "aGVsbG8")
c("b64dec", "a")
c("b64dec", "aGVsbA=x")
c("b64dec", "aGVsbA==\n\nx")
c("b64dec", "_-8=")
c("b32dec", "NBSWY3DP\n")
c("b32dec", "NBSWY===")
c("b32dec", "NBSWY3DPE")
c("b32dec", "NB=SWY3D")
c("b32dec", "NBSWY3DPEB3W64TMMQ======")
c("typeOf", F(1e400 if False else 1.0))
c("kindOf", I64(3))
c("typeIsLike", "map[string]interface {}", M(a=I(1)))
c("deepEqual", MD({}), V("emptymap"))
c("deepEqual", [], V("emptylist"))
c("deepEqual", V(""), V(""))
c("isAbs", "//x")
c("ext", "a.b/c")
c("ext", ".bashrc")
c("base", "a/b/")
c("dir", "/a")
c("dir", "a")
c("clean", "a/../..")
c("clean", "/../../a/./b/..")


# ---- \p names: which ones Go accepts
for name in ["Letter", "Alphabetic", "greek", "Emoji", "Han", "Latin", "L&", "Lowercase_Letter", "Lowercase", "White_Space",
             "sc=Greek", "Script=Greek", "Cn", "Zyyy", "Common", "Old_Italic", "Olditalic", "ASCII", "ascii", "Any", "Assigned",
             "LC", "lc", "lu", "Lu", "L", "l", "Nd", "Punct", "Cased_Letter", "Greek_And_Coptic", "Inherited", "Braille", "IsGreek"]:
    c("mustRegexMatch", "\\p{%s}" % name, "a")


def template_for(fn, args, show):
    lines = []
    call_args = []
    for i, a in enumerate(args):
        if a is None:
            call_args.append("nil")
        else:
            lines.append("{{- $a%d := %s }}" % (i, arg(a)))
            call_args.append("$a%d" % i)
    call = fn + "".join(" " + x for x in call_args)
    t = "".join(lines) + "{{- $r := " + call + " }}{{ typeOf $r }}" + SEP + "{{ $r }}"
    if show:
        t += SEP + "{{ $a0 }}"
    return t


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    out_path = sys.argv[1] if len(sys.argv) > 1 else os.path.join(here, "..", "data", "core", "cases.json")
    results = {}
    pending = set(range(len(CASES)))
    with tempfile.TemporaryDirectory() as tmp:
        chart = os.path.join(tmp, "t")
        tdir = os.path.join(chart, "templates")
        os.makedirs(tdir)
        with open(os.path.join(chart, "Chart.yaml"), "w") as f:
            f.write("apiVersion: v2\nname: t\nversion: 0.1.0\n")
        with open(os.path.join(chart, "values.yaml"), "w") as f:
            json.dump(VALUES, f)
        while pending:
            for name in os.listdir(tdir):
                os.remove(os.path.join(tdir, name))
            for i in pending:
                fn, args, show = CASES[i]
                with open(os.path.join(tdir, "c%04d.yaml" % i), "w", encoding="utf-8") as f:
                    f.write(template_for(fn, args, show))
            p = subprocess.run([ORACLE, "t", chart, "--json"], capture_output=True, text=True)
            if p.returncode == 0:
                rendered = json.loads(p.stdout)
                for i in pending:
                    fn, args, show = CASES[i]
                    results[i] = {"fn": fn, "args": args, "out": rendered["t/templates/c%04d.yaml" % i]}
                break
            err = p.stderr.strip()
            m = re.search(r"t/templates/c(\d+)\.yaml", err)
            if not m:
                sys.exit("oracle failed without naming a case: " + err)
            i = int(m.group(1))
            fn, args, show = CASES[i]
            msg = err.removeprefix("Error: ")
            marker = "error calling %s: " % fn
            if marker in msg:
                msg = msg.split(marker, 1)[1]
            results[i] = {"fn": fn, "args": args, "err": msg}
            pending.discard(i)
            print("case %d (%s) fails: %s" % (i, fn, msg), file=sys.stderr)
    doc = {
        "source": "real Helm v4.2.3 via /work/shared/oracle/helm-template; made by tests/gen/core_cases.py",
        "values": VALUES,
        "cases": [results[i] for i in range(len(CASES))],
    }
    os.makedirs(os.path.dirname(out_path), exist_ok=True)
    with open(out_path, "w", encoding="utf-8") as f:
        json.dump(doc, f, indent=1, ensure_ascii=False)
        f.write("\n")


if __name__ == "__main__":
    main()
