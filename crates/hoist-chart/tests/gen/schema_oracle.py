#!/usr/bin/env python3
"""Write schema test charts into tests/data/schema/<case>/ and record real Helm v4.2.3's error
(shared/oracle/helm-template, full stderr minus "Error: ") into tests/data/schema/expected.json.
Each case's chart has one schema and one values.yaml; the order of messages inside a chart is
not stable in Helm (Go map iteration), so each case provokes errors whose order is fixed
(one error per object level, or keyword order)."""
import json, os, shutil, subprocess, sys

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "..", "data", "schema")
ORACLE = "/work/shared/oracle/helm-template"
D7 = "http://json-schema.org/draft-07/schema#"
D4 = "http://json-schema.org/draft-04/schema#"
D2019 = "https://json-schema.org/draft/2019-09/schema"

def S(props, draft=None, **kw):
    s = {"type": "object", "properties": props}
    if draft:
        s["$schema"] = draft
    s.update(kw)
    return s

cases = {
 "type-string": (S({"a": {"type": "string"}}), "a: 1\n"),
 "type-multi": (S({"a": {"type": ["string", "boolean"]}}), "a: 1\n"),
 "type-integer": (S({"a": {"type": "integer"}}), "a: 1.5\n"),
 "type-null": (S({"a": {"type": "string"}}), "a: 1\nb: 2\n"),
 "enum": (S({"a": {"enum": ["x", "y", 3]}}), "a: z\n"),
 "enum-one": (S({"a": {"enum": ["x"]}}), "a: z\n"),
 "enum-complex": (S({"a": {"enum": [[1], "x"]}}), "a: z\n"),
 "const": (S({"a": {"const": "x"}}), "a: z\n"),
 "pattern": (S({"a": {"type": "string", "pattern": "^[a-z]+$"}}), "a: \"A1'\"\n"),
 "min-length": (S({"a": {"minLength": 3}}), "a: ab\n"),
 "max-length": (S({"a": {"maxLength": 1}}), "a: abc\n"),
 "maximum": (S({"a": {"maximum": 10}}), "a: 12.5\n"),
 "minimum-big": (S({"a": {"minimum": 1000000}}), "a: 1234\n"),
 "exclusive-minimum": (S({"a": {"exclusiveMinimum": 5}}), "a: 5\n"),
 "exclusive-maximum-d4": (S({"a": {"maximum": 5, "exclusiveMaximum": True}}, D4), "a: 5\n"),
 "multiple-of": (S({"a": {"multipleOf": 3}}), "a: 7\n"),
 "min-items": (S({"a": {"type": "array", "minItems": 2}}), "a: [1]\n"),
 "max-items": (S({"a": {"maxItems": 1}}), "a: [1, 2]\n"),
 "unique-items": (S({"a": {"uniqueItems": True}}), "a: [1, 2, 1]\n"),
 "items": (S({"a": {"items": {"type": "string"}}}), "a: [x, 2]\n"),
 "items-d7-tuple": (S({"a": {"items": [{"type": "string"}], "additionalItems": False}}, D7), "a: [x, 2, 3]\n"),
 "prefix-items": (S({"a": {"prefixItems": [{"type": "string"}]}}), "a: [1]\n"),
 "contains": (S({"a": {"contains": {"type": "string"}}}), "a: [1, 2]\n"),
 "required-many": ({"type": "object", "required": ["x", "y"]}, "a: 1\n"),
 "additional-false": (S({"a": {}}, additionalProperties=False), "a: 1\nb: 2\nc: 3\n"),
 "additional-schema": (S({"a": {}}, additionalProperties={"type": "string"}), "b: 2\n"),
 "pattern-properties": ({"type": "object", "patternProperties": {"^x": {"type": "string"}}}, "xa: 1\n"),
 "min-properties": ({"type": "object", "minProperties": 3}, "a: 1\n"),
 "nested-group": (S({"o": S({"a": {"type": "string"}, "b": {"minimum": 3}}, required=["c"])}), "o:\n  a: 1\n  b: 1\n"),
 "deep": (S({"o": S({"p": S({"q": {"type": "boolean"}})})}), "o:\n  p:\n    q: x\n"),
 "any-of": (S({"a": {"anyOf": [{"type": "string"}, {"minimum": 5}]}}), "a: 1\n"),
 "one-of-none": (S({"a": {"oneOf": [{"type": "string"}, {"type": "boolean"}]}}), "a: 1\n"),
 "one-of-two": (S({"a": {"oneOf": [{"type": "number"}, {"minimum": 0}]}}), "a: 1\n"),
 "all-of": (S({"a": {"allOf": [{"type": "number"}, {"minimum": 5}]}}), "a: 1\n"),
 "not": (S({"a": {"not": {"type": "number"}}}), "a: 1\n"),
 "if-then": (S({"a": {"if": {"type": "number"}, "then": {"minimum": 5}}}), "a: 1\n"),
 "ref-d7": (S({"a": {"$ref": "#/definitions/s"}}, D7, definitions={"s": {"type": "string"}}), "a: 1\n"),
 "ref-2020": (S({"a": {"$ref": "#/$defs/s", "minimum": 5}}, None, **{"$defs": {"s": {"type": "number", "maximum": 0}}}), "a: 1\n"),
 "ref-group": (S({"a": {"$ref": "#/$defs/o"}}, None, **{"$defs": {"o": {"type": "object", "required": ["x"], "properties": {"y": {"type": "string"}}}}}), "a:\n  y: 1\n"),
 "format-email-d7": (S({"a": {"format": "email"}}, D7), "a: not-an-email\n"),
 "format-email-2020": (S({"a": {"format": "email"}}), "a: not-an-email\n"),
 "format-ipv4-d7": (S({"a": {"format": "ipv4"}}, D7), "a: 1.2.3\n"),
 "format-hostname-d7": (S({"a": {"format": "hostname"}}, D7), "a: -bad.example\n"),
 "format-hostname-char-d7": (S({"a": {"format": "hostname"}}, D7), "a: ex_ample.com\n"),
 "format-email-char-d7": (S({"a": {"format": "email"}}, D7), "a: \"a(b@example.com\"\n"),
 "false-schema": (S({"a": False}), "a: 1\n"),
 "dependencies-d7": ({"$schema": D7, "type": "object", "dependencies": {"a": ["b", "c"]}}, "a: 1\n"),
 "dependent-required-2019": ({"$schema": D2019, "type": "object", "dependentRequired": {"a": ["b"]}}, "a: 1\n"),
 "property-names": ({"type": "object", "propertyNames": {"maxLength": 2}}, "abc: 1\n"),
 "quote-in-key": (S({"it's": {"type": "string"}}), "\"it's\": 1\n"),
 "key-with-slash": (S({"a/b": {"type": "string"}}), "\"a/b\": 1\n"),
 "ok": (S({"a": {"type": "string"}}), "a: x\n"),
 "ref-group-two": (S({"a": {"$ref": "#/$defs/o"}}, None, **{"$defs": {"o": {"type": "object", "required": ["x"], "properties": {"y": {"type": "string"}}}}}), "a:\n  y: 1\n"),
 "any-of-nested-group": (S({"a": {"anyOf": [{"type": "object", "required": ["x"], "properties": {"y": {"type": "string"}}}, {"type": "string"}]}}), "a:\n  y: 1\n"),
 "minimum-frac": (S({"a": {"minimum": 1234.5}}), "a: 3\n"),
 "minimum-small": (S({"a": {"minimum": 0.00001}}), "a: 0.000001\n"),
 "const-list": (S({"a": {"const": [1]}}), "a: 2\n"),
 # santhosh-tekuri v6.0.2 locates the items after a tuple prefix from index 0.
 "prefix-items-rest": (S({"a": {"prefixItems": [{"type": "string"}], "items": {"type": "string"}}}), "a: [x, 1]\n"),
 "additional-items-d7": (S({"a": {"items": [{"type": "string"}], "additionalItems": {"type": "string"}}}, D7), "a: [x, 1]\n"),
 "length-both": (S({"a": {"minLength": 5, "maxLength": 1}}), "a: abc\n"),
 # values.schema.json that is not valid JSON, as raw text: Helm reads it with a json.Decoder
 # (santhosh-tekuri's UnmarshalJSON), so the texts are the decoder's.
 "json-truncated": ('{"type": "object"', "a: 1\n"),
 "json-empty": ("", "a: 1\n"),
 "json-space": ("  \n", "a: 1\n"),
 "json-trailing": ('{"type": "object"} x', "a: 1\n"),
 "json-trailing-brace": ('{"type": "object"}}', "a: 1\n"),
 "json-non-ascii": ('{"type": \u00e9}', "a: 1\n"),
 "json-bad-escape": ('{"type": "\\q"}', "a: 1\n"),
 "json-control": ('{"a\u0001": 1}', "a: 1\n"),
 "json-literal": ('{"type": tru }', "a: 1\n"),
 "json-number": ('{"minimum": 1.}', "a: 1\n"),
 "json-exponent": ('{"minimum": 1e+}', "a: 1\n"),
 "json-key": ('{"type": "object",}', "a: 1\n"),
 "json-deep": ("[" * 10001, "a: 1\n"),
 # The syntax error wins over the number out of float64's range before it.
 "json-range-then-syntax": ('[1e999, x]', "a: 1\n"),
}

def main():
    """With case names as arguments, re-makes only those cases (kept in expected.json)."""
    only = sys.argv[1:]
    expected = {}
    if only:
        with open(os.path.join(OUT, "expected.json")) as f:
            expected = json.load(f)["cases"]
    else:
        if os.path.exists(OUT):
            shutil.rmtree(OUT)
        os.makedirs(OUT)
    for name, (schema, values) in sorted(cases.items()):
        if only and name not in only:
            continue
        d = os.path.join(OUT, name)
        if os.path.exists(d):
            shutil.rmtree(d)
        os.makedirs(os.path.join(d, "templates"))
        open(os.path.join(d, "Chart.yaml"), "w").write("apiVersion: v2\nname: s\nversion: 0.1.0\n")
        open(os.path.join(d, "templates", "a.yaml"), "w").write("x: 1\n")
        text = schema if isinstance(schema, str) else json.dumps(schema, indent=1)
        open(os.path.join(d, "values.schema.json"), "w", encoding="utf-8").write(text)
        open(os.path.join(d, "values.yaml"), "w").write(values)
        r = subprocess.run([ORACLE, d, "--json"], capture_output=True, text=True)
        err = None
        if r.returncode != 0:
            i = r.stderr.index("Error: ")
            err = r.stderr[i + len("Error: "):]
        expected[name] = err
        print(name, repr(err), flush=True)
    json.dump({"source": "real Helm v4.2.3 via shared/oracle/helm-template", "cases": expected},
              open(os.path.join(OUT, "expected.json"), "w"), indent=1, sort_keys=True)

main()
