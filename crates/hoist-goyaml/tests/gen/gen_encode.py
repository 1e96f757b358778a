#!/usr/bin/env python3
"""Regenerates tests/data/encode.json: values encoded by real Helm v4.2.3.

Each case is a JSON file {"v": VALUE} in the chart, read with `.Files.Get | fromJson`; the
template prints `toYaml`, `toYamlPretty`, `toJson`, `toPrettyJson` and `toRawJson` of `.v`.
Helm trims one trailing newline from toYaml/toYamlPretty.

usage: python3 tests/gen/gen_encode.py   (from the crate directory)
"""
import json, os, sys
sys.path.insert(0, os.path.dirname(__file__))
from oracle import render

CASES = {}

def c(name, value):
    assert name not in CASES, name
    CASES[name] = value

# --- special words that must be quoted (or not)
words = ["y", "Y", "yes", "Yes", "YES", "yEs", "n", "N", "no", "No", "NO", "on", "On", "ON", "off", "Off",
         "OFF", "true", "True", "TRUE", "tRUE", "false", "False", "FALSE", "null", "Null", "NULL", "nULL",
         "~", "", "<<", "=", ".inf", ".Inf", "-.inf", "+.inf", ".nan", ".NaN", "inf", "nan", ".", "..", "...",
         "---", "--- x", "... x", "-", "--", "- x", "-x", "?", "? x", "?x", ":", ": x", ":x", "x:", "x: y",
         "x:y", "x #y", "x#y", "#x", "# x", "&x", "*x", "!x", "|x", ">x", "'x", "\"x", "%x", "@x", "`x",
         ",x", "[x", "]x", "{x", "}x", "x,y", "x[y", "x]y", "x{y", "x}y", "x?y", "x'y", "x\"y", "x\\y",
         "a b", " lead", "trail ", " both ", "  ", " ", "x  y", "tab\there", "\tlead", "trail\t", "\\",
         "null ", "yes ", " 1", "1 ", "0.", "1_000", "1:20", "190:20:30.15", "1:2a", "12:30", "0x1F",
         "0o17", "017", "08", "09", "1e3", "1E3", "1e", "e3", "1.5", "-1.5", "+1", "-0", "0", "1", "123",
         "1e+21", "-.5", ".5", "5.", "0b101", "0b2", "2024-01-01", "2024-1-1", "2024-01-01T00:00:00Z",
         "2024-01-01 10:00:00", "2024-13-45", "20240101", "1.2.3", "v1.2.3", "1,000", "$1", "100%",
         "http://x.y/z?a=b#c", "key=value", "a&b", "a*b", "a!b", "a|b", "a>b", "a%b", "a@b", "a`b",
         "<b>", "x & y", "é", "日本語", "😀", "a😀b", "\u00a0", "a\u00a0b", "\u0085", "a\u2028b", "a\u2029b",
         "\ufeffbom", "a\ufeffb", "\u200b", "\x7f", "\x01", "\x1b[0m", "a\rb", "\r", "\u00e9t\u00e9",
         "\ufffe", "\uffff", "\ue000", "\ud7ff"]
for i, w in enumerate(words):
    c("word_%03d" % i, w)
bad = ["\x7f", "\ufffe", "\uffff"]
c("words_map", {w: w for w in words if w not in bad})
c("words_list", [w for w in words if w not in bad])
c("c1_control", "a\u0080b")
c("c1_control_key", {"a\u009fb": 1})
c("nel_runs", ["a\u0085b", "a \u0085 b", "a\u0085\u0085b", "a \u0085 \u0085\u0085 b", "\u0085a", "a\u0085", "  \u0085  "])
c("nel_key", {"a\u0085b": "x\u0085\u0085y"})

# --- multi-line strings
multis = ["a\nb", "a\nb\n", "a\nb\n\n", "a\nb\n\n\n", "\na", "\n", "\n\n", "a\n\nb", " a\nb", "a \nb",
          "a\n b", "a\n\tb", "a\tb\nc", "a\r\nb", "line1\nline2 ", "x\n#y", "- a\n- b", "a: b\nc: d",
          "\u00e9\n\u00e8", "😀\nx", "a\u0085b\nc", "long " * 30 + "\nshort", "a\n" + "word " * 30,
          "  indented\n  block\n", "a\n\n\nb\n", "trailing spaces   \nx", "#!/bin/sh\necho hi\n",
          "{\n  \"json\": true\n}\n"]
for i, m in enumerate(multis):
    c("multi_%02d" % i, m)
c("multi_in_map", {"k%02d" % i: m for i, m in enumerate(multis)})
c("multi_in_list", multis)
c("multi_nested", {"a": {"b": ["x\ny", {"c": "p\nq\n"}]}})

# --- long strings (folding at 80 columns)
for n in (70, 76, 77, 78, 79, 80, 81, 82, 83, 100, 150, 250):
    s = ("abcd " * 100)[:n].rstrip()
    c("long_words_%d" % n, s)
    c("long_words_key_%d" % n, {"key": s})
    c("long_words_deep_%d" % n, {"a": {"b": {"c": s}}})
    c("long_words_list_%d" % n, [s])
c("long_noSpace", "x" * 200)
c("long_double_spaces", ("ab  " * 40).strip())
c("long_with_tab", ("abcd " * 30) + "\t end")
c("long_single_quoted", "# " + "word " * 30 + "end")
c("long_single_quoted_key", {"k": ": " + "word " * 30 + "end"})
c("long_double_quoted", "yes " * 0 + "\u0085" + " word" * 40)
c("long_double_quoted2", "\x01" + " abc" * 40)
c("long_double_space_run", "\x01" + " abc" * 20 + "  " + " def" * 20)
c("long_unicode", "日本語 " * 40)
c("long_unicode2", "é" * 90 + " " + "è" * 10)
c("long_url", "https://example.com/" + "a" * 100 + " and more words here")
c("long_colon", "a: " + "b " * 60)
c("long_hash", "a #" + " b" * 60)
c("long_key", {"k" * 130: "v", "k" * 128: "w", "k" * 129: "x"})
c("long_key_spaces", {("word " * 30).strip(): "v"})
c("multiline_key", {"a\nb": 1, "c": 2})
c("key_needs_quote", {"yes": 1, "": 2, " x": 3, "1": 4, "a: b": 5, "#c": 6, "null": 7, "- d": 8})
c("key_tab", {"a\tb": 1})
c("complex_key_values", {"a\nb": {"x": 1, "y": [1, 2]}, "c\nd": [1, {"z": 2}], "e\nf": {}, "g\nh": [],
                         "k" * 130: {"m": "n"}, "l" * 130: ["p", "q"], "i\nj": "multi\nvalue"})
c("complex_key_nested", {"outer": {"a\nb": {"x": 1}, "list": [{"c\nd": 1, "e": 2}]}})
c("list_in_list_in_map", {"a": [[1, [2, {"b": [3]}]], {"c": [[4]]}]})
c("map_in_list_long", [{"k": "word " * 30}, {"x": {"y": "word " * 30}}])
c("literal_in_deep_list", [[["a\nb\n"]], {"k": [{"m": "x\ny"}]}])

# --- key order
# (key sets whose natural order is cyclic, such as {"9", "10a", "1a"}, are left out: Go's sort
# then depends on the random map order)
c("sort_natural", {k: 1 for k in ["a10", "a9", "a1", "a01", "a001", "a", "B", "b", "_", "_a", "A", "1", "10",
                                  "9", "01", "0", "z", "Z", "aa", "aB", "ab", "a_b", "a-b", "a.b", "a b",
                                  "x1y2", "x1y10", "x0", "é", "日", "-1", "+1", "a0", "a00", "a000"]})
c("sort_versions", {k: 1 for k in ["v1.10.0", "v1.9.0", "v1.2.0", "v2.0.0", "v10.0.0", "release-1.10", "release-1.9"]})
c("sort_case", {k: 1 for k in ["apple", "Banana", "cherry", "Apple", "banana", "CHERRY", "a", "A", "aA", "Aa"]})
c("sort_mixed", {k: k for k in ["item10", "item2", "Item1", "item1", "item", "items", "item_1", "item-1",
                                "ITEM", "iTem", "2item", "10item", "a1.10", "a1.9", "v1.10.0", "v1.9.0"]})
c("sort_digits_letters", {k: 1 for k in ["1a", "1b", "11", "1_", "a1", "ab", "a_", "a", "1"]})

# --- numbers
nums = [0, 1, -1, 1.0, 1.5, -1.5, 0.1, 0.000001, 0.0000001, 1e-7, 123456789, 1234567890123,
        123456789012345678, 9007199254740993, 1e15, 1e20, 1e21, 1e22, 1.7976931348623157e308, 5e-324,
        -0.0, 3.14159, 100, 1000000, 1e6, 12345678901, 1.2345e6, 999999, 1234567.5, 0.5, 2.5e-5,
        18446744073709551615, 9223372036854775807, -9223372036854775808, 1e100, 0.1 + 0.2, 255, 1e5,
        100000, 123456.789, 0.00001, 0.0001]
c("numbers", nums)
c("numbers_map", {"n%02d" % i: x for i, x in enumerate(nums)})
for i, x in enumerate(nums):
    c("number_%02d" % i, x)

# --- scalars and structures
c("null", None)
c("true", True)
c("false", False)
c("empty_map", {})
c("empty_list", [])
c("map_of_empties", {"a": {}, "b": [], "c": None, "d": "", "e": [[]], "f": [{}]})
c("nested", {"a": {"b": {"c": [1, 2, {"d": [3, [4, 5]]}]}}, "l": [[1, 2], [3, [4]]],
             "m": [{"x": 1, "y": [1, 2]}, {"z": {"w": None}}]})
c("list_of_maps", [{"a": 1, "b": 2}, {"c": {"d": 3}}, {}])
c("list_of_lists", [[1, [2, [3, []]]], []])
c("list_mixed", [1, "two", None, True, 1.5, {"a": [1]}, ["x"]])
c("deep_list_in_map", {"a": {"b": [{"c": ["d", {"e": ["f"]}]}]}})
c("html_chars", {"h": "<script>alert('x') & \"y\"</script>", "u": "\u2028\u2029"})
c("json_escapes", {"s": "quote\" back\\ slash/ nl\n tab\t cr\r bs\b ff\f nul\u0000 del\u007f"})
c("top_list", ["a", "b"])
c("top_string_multiline", "a\nb")

def main():
    files = {}
    names = sorted(CASES)
    for n in names:
        files["enc/%s.json" % n] = json.dumps({"v": CASES[n]}, ensure_ascii=False)
    files["templates/enc.yaml"] = (
        '{{- range $p, $c := .Files.Glob "enc/*.json" }}\n'
        '{{- $v := (toString $c | fromJson).v }}\n'
        '{{ $p }}\t{{ dict "y" (toYaml $v) "p" (toYamlPretty $v) "j" (toJson $v) "pj" (toPrettyJson $v) "rj" (toRawJson $v) | toJson }}\n'
        '{{- end }}\n')
    out = render(files)["t/templates/enc.yaml"]
    results = {}
    for line in out.split("\n"):
        if not line.strip():
            continue
        p, j = line.split("\t", 1)
        results[p] = json.loads(j)
    cases = []
    for n in names:
        r = results["enc/%s.json" % n]
        cases.append({"name": n, "input": json.dumps(CASES[n], ensure_ascii=False),
                      "toYaml": r["y"], "toYamlPretty": r["p"], "toJson": r["j"],
                      "toPrettyJson": r["pj"], "toRawJson": r["rj"]})
    here = os.path.dirname(os.path.abspath(__file__))
    with open(os.path.join(here, "..", "data", "encode.json"), "w") as f:
        json.dump({"source": "helm template v4.2.3 oracle (fromJson, then toYaml/toYamlPretty/toJson/toPrettyJson/toRawJson); generated by tests/gen/gen_encode.py",
                   "cases": cases}, f, indent=1, ensure_ascii=False)
        f.write("\n")
    print(len(cases), "cases")

main()
