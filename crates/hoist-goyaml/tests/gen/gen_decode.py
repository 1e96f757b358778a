#!/usr/bin/env python3
"""Regenerates tests/data/decode.json: YAML documents decoded by real Helm v4.2.3.

Each case is a chart file read with `.Files.Get`, decoded with Helm's `fromYaml` (sigs.k8s.io/yaml
Unmarshal into map[string]interface{}) or `fromYamlArray`, and printed with `toJson`. Errors show
up as {"Error": "..."} (fromYaml) or ["..."] (fromYamlArray).

usage: python3 tests/gen/gen_decode.py   (from the crate directory)
"""
import json, os, sys
sys.path.insert(0, os.path.dirname(__file__))
from oracle import render

MAPS = {}
ARRAYS = {}

def m(name, text):
    assert name not in MAPS, name
    MAPS[name] = text

def a(name, text):
    assert name not in ARRAYS, name
    ARRAYS[name] = text

# --- scalars and YAML 1.1 typing
words = ["y", "Y", "yes", "Yes", "YES", "yEs", "on", "On", "ON", "oN", "true", "True", "TRUE", "tRue",
         "n", "N", "no", "No", "NO", "off", "Off", "OFF", "false", "False", "FALSE", "fAlse",
         "~", "null", "Null", "NULL", "nULL", "", "<<", "=", "none", "None", "nil"]
m("bools_nulls", "".join("k%02d: %s\n" % (i, w) for i, w in enumerate(words)))
nums = ["0", "1", "-1", "+5", "017", "0o17", "0O17", "0x10", "0X1f", "-0x10", "+0x10", "08", "09.5",
        "1_000", "1__0", "_1", "1_", "0b101", "-0b101", "0B11", "1e3", "1E3", "1e+3", "1e-3", ".5", "-.5",
        "+.5", "5.", "1.0", "-0", "-0.0", "0.1", "3.14159265358979323846", "123456789012345678",
        "9223372036854775807", "9223372036854775808", "18446744073709551615", "18446744073709551616",
        "99999999999999999999999", "1e21", "1e400", "-1e400", "1e-400", "0x", "0o", "0b", "0xg",
        "1.2.3", "1e", "e3", "1:20", "190:20:30", "1:20.5", "0.", "00", "007", "0777", "0o777",
        "0x_1F", "12e", "1.5e3", "6.02e+23", "0x7fffffffffffffff",
        "0xffffffffffffffff", "0x10000000000000000", "-9223372036854775808", "-9223372036854775809",
        ".1_0", "1_0.5", "1,000", "1 000", "$1", "1%"]
m("numbers", "".join("k%02d: %s\n" % (i, w) for i, w in enumerate(nums)))
for i, w in enumerate(["+", "-", ".", "-1-", "- 1", "+-1", "--1"]):
    m("sign_only_%d" % i, "k: %s\n" % w)
m("numbers_quoted", "".join("k%02d: \"%s\"\n" % (i, w) for i, w in enumerate(nums)))
specials = [".inf", ".Inf", ".INF", "+.inf", "-.inf", ".nan", ".NaN", ".NAN", ".iNf", "inf", "-inf",
            "nan", "NaN", "Infinity", ".infinity"]
for i, w in enumerate(specials):
    m("special_%02d" % i, "k: %s\n" % w)
times = ["2024-01-01", "2024-1-1", "2024-13-01", "2024-02-30", "2001-12-14t21:59:43.10-05:00",
         "2001-12-14 21:59:43.10", "2001-12-14 21:59:43.10 -5", "2001-12-14T21:59:43Z", "20240101",
         "2024-01-01T00:00:00", "1999-12-31T23:59:59.999999999+01:00", "12:30:45", "2024-01"]
m("timestamps", "".join("k%02d: %s\n" % (i, w) for i, w in enumerate(times)))

# --- strings, quoting styles, block scalars
m("strings", r"""plain: hello world
single: 'it''s'
double: "a\tb\n\u00e9\x41\U0001F600"
multi_plain: first
  second

  third
sq_multi: 'a
  b

  c'
colon: a:b
hash: a#b
url: http://example.com:8080/path?q=1#frag
unicode: héllo wörld 日本語
emoji: 😀
empty_sq: ''
empty_dq: ""
spaces: '  lead and trail  '
""")
for i, e in enumerate(["0", "a", "b", "e", "f", "r", "v", "/", " ", "_", "N", "L", "P", "t", "\t", "x4A", "u263A", "U0001F600", "\"", "\\", "q", "x4", "uD800"]):
    m("dq_escape_%02d" % i, 'k: "a\\%sb"\n' % e)
m("block_scalars", """lit: |
  line1
  line2
lit_strip: |-
  line1
  line2
lit_keep: |+
  line1
  line2


fold: >
  a
  b

  c
   indented
  d
fold_strip: >-
  one
  two
lit_indent: |2
    two extra
  base
empty_lit: |
last: end
""")
m("block_keep_eof", "k: |+\n  a\n\n")
m("block_trailing_spaces", "k: |\n  a  \n  b\t\n")

# --- keys
m("keys", """1: int
-2: neg
1.5: float
0.1: f2
3.14159265358979: pi
1e3: exp
1e20: big
0x10: hex
017: oct
true: t
yes: y
off: o
2024-01-01: date
"quoted": q
? complex
: explicit
""")
m("key_nil_only", "~: 1\n")
m("key_float_only", "1.5: 1\n0.000001: 2\n123456789.0: 3\n")
m("key_bool_only", "y: 1\nn: 2\nON: 3\n")
m("key_list", "[1, 2]: x\n")
m("key_map", "{a: 1}: x\n")
m("key_uint", "18446744073709551615: x\n")
m("key_inf", ".inf: 1\n")
m("key_dup", "a: 1\nb: 2\na: 3\n")
m("key_dup_int", "1: a\n\"1\": b\n")
m("key_dup_map", "a:\n  x: 1\na:\n  y: 2\n")

# --- anchors, aliases, merges
m("anchors", """base: &b
  x: 1
  y: [1, 2]
copy: *b
list: &l [a, b]
lcopy: *l
scalar: &s hello
scopy: *s
""")
m("merge_basic", """base: &b
  x: 1
  y: 2
m:
  <<: *b
  y: 3
""")
m("merge_before", """base: &b {x: 1, y: 2}
m:
  y: 3
  <<: *b
""")
m("merge_list", """a: &a {x: 1, z: a}
b: &b {x: 2, y: b}
m:
  <<: [*a, *b]
""")
m("merge_inline", "m:\n  <<: {x: 1}\n  y: 2\n")
m("merge_scalar", "a: &a 1\nm:\n  <<: *a\n")
m("merge_null", "m:\n  <<: ~\n")
m("merge_list_scalar", "m:\n  <<: [1]\n")
m("merge_quoted", "m:\n  \"<<\": 1\n")
m("merge_tagged", "m:\n  !!merge <<: {x: 1}\n")
m("merge_nested", """a: &a {p: 1}
b: &b
  <<: *a
  q: 2
c:
  <<: *b
  r: 3
""")
m("alias_unknown", "a: *nope\n")
m("alias_self", "a: &a [1, *a]\n")
m("anchor_redefine", "a: &x 1\nb: &x 2\nc: *x\n")
m("alias_key", "a: &k key\n*k : v\n")

# --- tags
m("tags", """s: !!str 123
i: !!int "42"
f: !!float 1
f2: !!float "2.5"
b: !!bool "yes"
n: !!null ""
t: !!timestamp 2024-01-01
bin: !!binary aGVsbG8=
custom: !foo bar
bang: ! 12
local_map: !thing {a: 1}
seqtag: !!seq [1]
maptag: !!map {a: 1}
""")
m("tag_bad_int", "i: !!int abc\n")
m("tag_bad_bool", "b: !!bool 1\n")
m("tag_bad_null", "n: !!null x\n")
m("tag_bad_float", "f: !!float abc\n")
m("tag_bad_binary", "b: !!binary '!!!'\n")
m("tag_binary_invalid_utf8", "b: !!binary /w==\n")
m("tag_str_on_bool", "b: !!str true\n")
m("tag_int_on_float", "i: !!int 1.5\n")
m("tag_float_inf", "f: !!float .inf\n")

# --- structure
m("nested", """a:
  b:
    c: [1, {d: e}, [f, g]]
  h: []
  i: {}
list:
- x
- y: 1
  z: 2
-
- - nested
  - seq
flow: {a: [1, 2, {b: c}], d: e}
""")
m("empty_values", "a:\nb: ~\nc: []\nd: {}\ne: ''\n")
m("comments", "# c1\na: 1 # c2\n# c3\nb: 'x # not' # c4\n")
m("docs_first_only", "a: 1\n---\nb: 2\n")
m("doc_explicit", "---\na: 1\n...\n")
m("doc_directive", "%YAML 1.1\n---\na: 1\n")
m("crlf", "a: 1\r\nb: two\r\n")
m("bom", "\ufeffa: 1\n")
m("indent_seq", "a:\n  - 1\n  - 2\nb:\n- 3\n")
m("long_string", "a: " + "word " * 40 + "end\n")
m("html", "a: <b>&amp;</b>\nb: \"\\u2028\\u2029\"\n")

# --- errors
m("err_mapping_values", "a: b: c\n")
m("err_mapping_values_l2", "x: 1\na: b: c\n")
m("err_bad_indent", "a:\n  b: 1\n c: 2\n")
m("err_expected_key", "a: 1\n  b: 2\nc: 3\n")
m("err_tab", "a:\n\tb: 1\n")
m("err_tab_l1", "\ta: 1\n")
m("tab_blank_line", "a: 1\n\t\nb: 2\n")
m("tab_before_comment", "a: 1\n\t# c\nb: 2\n")
m("tab_after_colon", "a:\tb\n")
m("tab_after_dash", "a:\n-\tb\n")
m("tab_in_flow", "a: [1,\n\t2]\n")
m("tab_trailing", "a: b\t\nc: d\t# x\n")
m("tab_after_spaces", "a:\n  b: 1\n  \tc: 2\n")
m("tab_in_block_scalar", "a: |\n  x\n  \ty\n")
m("tab_in_sq", "a: 'x\n\ty'\n")
m("tab_in_plain_cont", "a: x\n\ty\n")
m("tab_value_sep", "a: \tb\n")
m("err_unclosed_dq_l3", "x: 1\ny: 2\na: \"abc\nmore\n")
m("err_unclosed_dq_noeol", "a: \"abc")
m("err_unknown_alias_l3", "x: 1\ny: 2\na: *zz\n")
m("err_seq_close_l2", "x: 1\na: ]\n")
m("err_map_close_l2", "x: 1\na: b }\n")
m("err_seq_close_seq", "- a\n- b ]\n")
m("err_unclosed_dq", "a: \"abc\n")
m("err_unclosed_sq", "a: 'abc\n")
m("err_unclosed_flow", "a: [1, 2\n")
m("err_unclosed_map", "a: {b: 1\n")
m("err_at", "a: @x\n")
m("err_backquote", "a: `x\n")
m("err_percent", "a: %x\n")
m("err_seq_in_map", "a: 1\n- b\n")
m("err_dash_l3", "a: 1\nb: 2\n- c\n")
m("err_bad_escape", "a: \"\\q\"\n")
m("err_colon_l3", "a: 1\nb: 2\nc: d: e\n")
m("err_flow_extra", "a: [1]]\n")
m("err_dup_anchor_alias", "a: *\n")
m("err_block_in_flow", "a: [b: c: d]\n")
m("err_multi_key", "a\nb: 1\n")
m("err_question", "? a\n? b\n: c\n")
m("err_deep_flow_close", "a: }\n")
m("err_directive_l2", "# c\n%FOO bar\n---\na: 1\n")
m("yaml_directive_12", "%YAML 1.2\n---\na: 1\n")
m("yaml_directive_2", "%YAML 2.0\n---\na: 1\n")
m("err_directive", "%FOO\n---\na: 1\n")
m("top_list", "- 1\n- 2\n")
m("top_scalar", "hello\n")
m("top_empty", "")
m("top_comment", "# only\n")
m("top_null", "~\n")

# --- control characters and breaks
m("ctrl_del", "a: x\x7fy\n")
m("ctrl_c1", "a: x\u0080y\n")
m("ctrl_fffe", "a: x\ufffey\n")
m("ctrl_in_comment", "a: 1 # \x7f\n")
m("ctrl_late", "a: 1\nb: 2\nc: \x01\n")
m("ctrl_after_error", "a: b: c\nd: \x01\n")
m("nel_in_plain", "a: x\u0085y\n")
m("nel_in_dq", "a: \"x\u0085y\"\n")
m("ls_in_plain", "a: x\u2028y\n")
m("bom_middle", "a: x\ufeffy\n")
m("nul_char", "a: x\x00y\n")

# --- errors deeper in documents (line numbers)
m("err_nested_key", "a:\n  b:\n    c: 1\n   d: 2\n")
m("err_nested_seq", "a:\n  - 1\n  - 2\n  b: 3\n")
m("err_flow_line4", "a: 1\nb: 2\nc: 3\nd: [1, 2\ne: 5\n")
m("err_flow_map_line3", "a: 1\nb: 2\nc: {x: 1, y\n")
m("err_block_scalar_indent", "a: |\n    x\n  y\nb: 1\n")
m("err_anchor_char", "a: &\nb: 1\n")
m("err_alias_line5", "a: 1\nb: 2\nc: 3\nd: 4\ne: *nope\n")
m("err_unclosed_sq_l4", "a: 1\nb: 2\nc: 'abc\nd: 4\n")
m("err_key_after_seq", "- a\n- b\nc: d\n")
m("err_seq_indent", "a:\n- b\n - c\n")
m("err_colon_in_flow_key", "{a: b: c}\n")
m("err_doc_start_in_map", "a: 1\n--- \nb: 2\n")
m("err_mixed_indent_l6", "a:\n  b: 1\n  c: 2\n  d:\n    e: 3\n  f: 4\n g: 5\n")
m("ok_deep_dedent", "a:\n  b:\n    c:\n      d: 1\ne: 2\n")
m("ok_comment_indent", "a:\n  b: 1\n# comment at col 0\n  c: 2\n")
m("ok_flow_multiline", "a: [1,\n  2,\n 3]\nb: {x: 1,\n y: 2}\n")
m("ok_plain_multiline", "a: one\n  two\n   three\nb: x\n")
m("ok_dq_multiline", "a: \"one\n  two\\\n  three\"\n")
m("ok_explicit_doc_end", "a: 1\n...\n")
m("ok_windows_newlines", "a:\r\n  - 1\r\n  - |\r\n    x\r\n    y\r\n")

# --- layouts libyaml accepts and a YAML 1.2 parser may not
m("flow_col0_json", "cfg: {\n\"a\": 1,\n\"b\": [1,\n2],\n\"c\": {\"d\": \"e\"}\n}\nnext: 1\n")
m("flow_col0_nested", "x:\n  cfg: [\n1, 2,\n  3]\n  y: 2\n")
m("flow_col0_long", "cfg: {\n" + ",\n".join("\"k%d\": %d" % (i, i) for i in range(150)) + "\n}\n")
m("dq_col0", "x:\n  a: \"one\ntwo\n   three\"\n  b: 1\n")
m("sq_col0", "a: 'one\ntwo'\nb: 2\n")
m("dq_col0_escaped_nl", "a: \"one\\\ntwo\"\n")

# --- tabs inside block scalars (Makefiles, TSV in ConfigMaps)
m("tab_block_middle", "script: |\n  all:\n  \techo hi\n  \techo there\nnext: 1\n")
m("tab_block_nested", "a:\n  s: |-\n    x\n    \ty\n  b: 1\n")
m("tab_block_folded", "a: >\n  x\n  \ty\nb: 2\n")
m("tab_block_first_line", "a: |\n\ttabbed\nb: 1\n")
m("tab_block_blank_line", "a: |\n  x\n\t\n  y\nb: 1\n")
m("tab_block_in_list", "l:\n- |\n  \tx\n- z\n")
m("tab_dq_continuation", "a: \"x\n  \ty\"\nb: 1\n")
m("tab_sq_continuation", "a: 'x\n\ty'\nb: 1\n")
m("tab_after_value", "a: 1\t\nb: 2\n")
m("tab_before_comment_inline", "a: 1\t# c\n")
m("tab_in_flow_seq_start", "a: [\t1, 2]\n")
m("tab_key_sep", "a\t: 1\n")

# --- YAML 1.1 parser (libyaml) vs YAML 1.2 parser differences
m("anchor_dot", "a: &x.y 1\nb: *x.y\n")
m("anchor_dash_us", "a: &x-y_z 1\nb: *x-y_z\n")
m("anchor_colon", "a: &x:y 1\n")
m("json_adjacent_colon", "{\"a\":1,\"b\":[true,null,\"x\"]}\n")
m("flow_plain_adjacent_colon", "{a:1}\n")
m("key_trailing_spaces", "a   : 1\n")
m("tag_no_value", "a: !!str\nb: 1\n")
m("flow_empty_entry", "a: [x, , y]\n")
m("flow_trailing_comma", "a: [x, y, ]\nb: {c: 1, }\n")
m("flow_dup_keys", "a: {x: 1, x: 2}\n")
m("long_key_1100", "k" * 1100 + ": 1\n")
m("block_key", "? |\n  block key\n: v\n")
m("seq_key", "? - a\n  - b\n: v\n")
m("indented_doc_start", "  ---\na: 1\n")
m("single_quoted_escape", "a: 'x\\ny'\n")
m("plain_with_colon_no_space", "url: http://x:80/y\ntime: 12:30:00\n")
m("plain_hash_no_space", "a: b#c\n")
m("seq_in_seq_same_line", "- - a\n  - b\n- c\n")
m("map_in_seq_same_line", "- a: 1\n  b: 2\n- c: 3\n")
m("empty_key", ": v\n")
m("quoted_key_colon", "\"a: b\": c\n")
m("question_plain", "a: ?x\nb: -x\nc: :x\n")
m("null_key_flow", "{: v}\n")
m("comment_no_space", "a: 1#c\nb: 2 #c\n")
m("directive_yaml11_tag", "%YAML 1.1\n%TAG !e! tag:example.com,2000:\n---\na: !e!foo 1\n")
m("undeclared_tag_handle", "a: !e!foo 1\n")
m("verbatim_tag", "a: !<tag:yaml.org,2002:str> 1\n")
m("anchor_on_map", "a: &m\n  x: 1\nb: *m\n")
m("alias_as_key_merge", "b: &b {x: 1}\nc:\n  <<: *b\n  <<: {y: 2}\n")
m("many_aliases", "a: &a [1, 2]\n" + "".join("b%d: *a\n" % i for i in range(200)))

# --- arrays (fromYamlArray)
a("arr_basic", "- 1\n- two\n- yes\n- ~\n- 1.5\n- [a]\n- {b: c}\n")
a("arr_flow", "[1, 2, 3]\n")
a("arr_empty", "[]\n")
a("arr_map", "a: 1\n")
a("arr_err", "- a\n- b: c: d\n")
a("arr_nested_merge", "- &a {x: 1}\n- <<: *a\n  y: 2\n")

def main():
    files = {}
    for n, t in MAPS.items():
        files["cases/%s.yaml" % n] = t
    for n, t in ARRAYS.items():
        files["arrays/%s.yaml" % n] = t
    tmpl = ('{{- range $p, $c := .Files.Glob "cases/*.yaml" }}\n{{ $p }}\t{{ toString $c | fromYaml | toJson }}\n{{- end }}\n'
            '{{- range $p, $c := .Files.Glob "arrays/*.yaml" }}\n{{ $p }}\t{{ toString $c | fromYamlArray | toJson }}\n{{- end }}\n')
    files["templates/decode.yaml"] = tmpl
    out = render(files)["t/templates/decode.yaml"]
    results = {}
    for line in out.split("\n"):
        if not line.strip():
            continue
        if "\t" not in line:
            print("odd line:", repr(line)); continue
        p, j = line.split("\t", 1)
        results[p] = j
    cases = []
    for n, t in MAPS.items():
        cases.append({"name": n, "kind": "map", "yaml": t, "json": results["cases/%s.yaml" % n]})
    for n, t in ARRAYS.items():
        cases.append({"name": n, "kind": "array", "yaml": t, "json": results["arrays/%s.yaml" % n]})
    here = os.path.dirname(os.path.abspath(__file__))
    with open(os.path.join(here, "..", "data", "decode.json"), "w") as f:
        json.dump({"source": "helm template v4.2.3 oracle (fromYaml/fromYamlArray | toJson); generated by tests/gen/gen_decode.py",
                   "cases": cases}, f, indent=1, ensure_ascii=False)
        f.write("\n")
    print(len(cases), "cases")

main()
