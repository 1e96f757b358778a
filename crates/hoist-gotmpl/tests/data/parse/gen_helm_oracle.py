#!/usr/bin/env python3
"""Regenerates helm_oracle.txt: parse errors and trim/comment rendering as real Helm v4.2.3 sees them.

Each case is one template file `c/templates/t.yaml` of a one-file chart `c`, rendered by the
oracle (/work/shared/oracle/helm-template). Error cases record Helm's error line, which is
`parse error at (c/templates/t.yaml:LINE): MSG` (Helm's cleanupParseError keeps the text after the
last ": " of Go's error); a case that parses records helm-ok (even if execution then fails).
Render cases record the rendered text (`--json`).

The inputs are every error case of parse.txt (Go's own parser tests) plus the extra cases below.
Usage: python3 gen_helm_oracle.py > helm_oracle.txt
"""
import json
import os
import re
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ORACLE = os.environ.get("HOIST_ORACLE", "/work/shared/oracle/helm-template")

EXTRA_ERRORS = [
    "a: 1\n{{ $x := 1 }}\n{{ if .X }}\n{{ else }}{{ break }}{{ end }}",
    '{{block "b" .}}\n\n{{else}}{{end}}',
    '{{define "a"}}\nx\n{{else}}\n{{end}}',
    '{{define "a"}}{{define "b"}}{{end}}{{end}}',
    "{{define a}}{{end}}",
    '{{define "a" .}}{{end}}',
    '{{define "a"}}',
    '{{define "a"}}\n\n',
    '{{template "\\q"}}',
    '{{ "\\q" }}',
    "{{ 'ab' }}",
    "{{ '' }}",
    "{{ 99999999999999999999 }}",
    "{{ 1e400 }}",
    "{{ 0b1+1i }}",
    "{{ 1+i }}",
    "{{ 1 | 2 }}",
    "{{ | .X }}",
    "{{ (1 }}",
    "{{ ) }}",
    "x\n\n{{ .X\n\n",
    '{{ "a\n" }}',
    "{{ $x.y := 1 }}",
    "{{ with $x := 1 }}{{ end }}{{ $x }}",
    "{{ range $i, $e := . }}{{ $i }}{{ end }}{{ $e }}",
    "{{ $x = 1 }}",
    "{{ if }}{{ end }}",
    "{{ range }}{{ end }}",
    "{{ with }}{{ end }}",
    "{{ template }}",
    '{{ template "x" | }}',
    '{{ block "x" }}{{ end }}',
    "{{- end -}}",
    "{{ else }}",
    "{{ if 1 }}{{ else }}{{ else }}{{ end }}",
    "{{ if 1 }}{{ else if }}{{ end }}",
    "{{ if 1 }}a{{ else with 2 }}b{{ end }}",
    "{{ range 1 }}{{ else if 1 }}{{ end }}{{ end }}",
    "{{ break }}",
    "{{ range . }}{{ break 1 }}{{ end }}",
    "{{ nosuch 1 }}",
    "{{ 3k }}",
    "{{ a# }}",
    "{{ \u00e9t\u00e9 }}",
    "{{ \u20ac }}",
    "{{ \x01 }}",
    "{{/* a */ x }}",
    "{{ /* a */ }}",
    "{{3-}}",
    "{{\n.X\n|\nnosuch\n}}",
    "{{ if .X }}\n\n{{ end",
    "{{ $x\n}}",
    "{{ with $x := 4 }}\n{{ end }}\n{{ $x\n}}",
    '{{ define "a" }}x{{ end }}{{ define "a" }}y{{ end }}',
    '{{ define "c/templates/t.yaml" }}x{{ end }}y',
    '{{ block "a" . }}x{{ end }}\n{{ define "a" }}y{{ end }}',
    '{{ define "a" }}x{{ end }}\n{{ block "a" . }}\ny{{ end }}',
    "{{ .X.Y.3 }}",
    "{{ $.3 }}",
    "{{ (.X).3 }}",
    "{{ .X:=1 }}",
    "{{ $x:1 }}",
    "{{ `a`.b }}",
    "{{ 1.5.c }}",
    "{{ nil }}{{ nil.x }}",
    "{{ range $a, $b, $c := . }}{{ end }}",
    "{{ range $a, $b = . }}{{ end }}",
    "{{ $a, $b := . }}",
    "{{ with $a, $b := . }}{{ end }}",
    "{{ ( ) }}",
    "{{ .X | ( ) }}",
    "{{ \"x\" \"y\" | \"z\" }}",
    "line1\nline2 {{ if .A }}\n{{ if .B }}\n{{ end }}\n",
    "{{ template \"a\" .X .Y }}",
    "{{ '\\u12' }}",
    "{{ '\\400' }}",
    "{{ 0x }}",
    "{{ 0x1.p }}",
    "{{ 1__0 }}",
    "{{ 1_ }}",
    "{{ 08 }}",
    "{{ 0o8 }}",
    "{{ 1e1.5 }}",
    "{{ .5.5 }}",
    "{{ +- }}",
    "{{-/* c */}}",
    "{{/* c */-}}",
    "{{ 1 -}}}",
    "{{ .X-}}",
    "{{ 1.e5 }}{{ 0X1P-2 }}{{ 0b }}",
    "{{ 0o }}",
    "{{ 1e+ }}",
    "{{ 1e_5 }}",
    "{{ 0_1 }}{{ 0x_ }}",
    "{{ 00 }}{{ 0.0e0i }}{{ 1i+2 }}",
    "{{ 1+2 }}",
    "{{ 1-2i }}{{ 0x10i }}",
    "{{ 1.5e3i }}{{ -.5 }}{{ +.5e-1 }}{{ 0x1p }}",
    "{{ $1 := 2 }}{{ $1 }}{{ $_a }}",
    "{{ .a1 }}{{ .1a }}",
    "{{ $x := 1 }}{{ $x.1 }}",
    "{{ .X..Y }}",
    "{{ .X. }}",
    "{{ $. }}",
    "{{ ( .X ).Y.Z }}{{ (.X) .Y }}",
    "{{ printf \"%s\" (.X).Y }}{{ ((.X)).Y ).Z }}",
    "{{ 'a' 'b' | printf }}",
    "{{ \"\\xc3\\xa9\" }}{{ `a\\b` }}{{ '\\377' }}{{ 'é' }}{{ '\\U0010FFFF' }}{{ '\\U00110000' }}",
    "{{ '\\ud800' }}",
    "{{ \"\\z\" }}",
    "a{{ define \"x\" }}{{ end }}{{ define \"x\" }}{{ end }}",
    "{{ define \"x\" }}{{ end }}\n{{ define \"y\" }}\n{{ else }}",
    "{{ with $x := 1 }}{{ else with $y := 2 }}{{ $x }}{{ $y }}{{ end }}",
    "{{ if $x := 1 }}{{ else if $y := 2 }}{{ $x }}{{ $y }}{{ end }}{{ $y }}",
    "{{ range $i := . }}{{ end }}{{ $i }}",
    "{{ template \"a\" $x := 1 }}",
    "{{ block \"a\" $x := 1 }}{{ $x }}{{ end }}",
    "{{ block \"a\" . }}{{ $y := 1 }}{{ end }}{{ $y }}",
    "{{ $y := 1 }}{{ block \"a\" . }}{{ $y }}{{ end }}",
    "{{ range . }}{{ block \"a\" . }}{{ break }}{{ end }}{{ end }}",
    "{{ range . }}{{ if 1 }}{{ break }}{{ else }}{{ continue }}{{ end }}{{ end }}",
    "{{ range . }}{{ break }}{{ end }}{{ range . }}{{ else }}{{ break }}{{ end }}",
    "{{ nil | printf }}",
    "{{ .X | nil }}",
    "{{ with .X }}\r\n{{ else }}\r\n{{ en }}",
    "{{\t.X\t|\tnosuch\t}}",
    "{{ .X\r\n| nosuch }}",
    "{{ \"a\"\r\n\r\n",
    "{{ `a\nb\nc` }}{{ nosuch }}",
    "{{ 'a\nb' }}",
    "{{ $x := `\n\n` }}\n{{ $x 1 2 | .Y }}{{ nosuch }}",
]

RENDERS = [
    'a  {{- "b" -}}  \n c {{/* x */}}\n\t{{- /* y */ -}} \n d',
    "{{-3}}",
    "a {{-3}}",
    "{{3 -}} b",
    "a\n{{- \n 1 \n -}}\nb",
    "a \r\n{{- 1 -}} \r\n b",
    'x{{- /* c */ -}}  y  {{- "z"}}',
    '{{ "a" }}{{ `b\r\nc` }}',
    '{{ "\\u00e9\\x41\\101\\t" }}',
    '{{ "a" | }}',
    "{{ $ := 1 }}ok",
    '{{ define "a" }}x{{ end }}{{ define "a" }} {{ end }}ok',
    '{{ define "c/templates/t.yaml" }}x{{ end }}',
    "{{ ((((((1)))))) }}",
    "{{- /* only a comment */ -}}\n",
    "{{/*\n\n*/}}a{{/**/}}b",
    "{{ 'a' }} {{ '\\n' }} {{ 0x1F }} {{ 0o17 }} {{ 0b101 }} {{ 1_000 }} {{ -0 }}",
    "a{{ 1 }}\n\n{{- 2 }}",
    "{{ `\n` }}\n{{- `x` }}",
    "a \t\n{{-\t1\t-}}\t\n b",
    "a\r\n{{-\r\n1\r\n-}}\r\nb",
    "a {{- 1 -}}{{- 2 -}} b",
    "{{ 1 }}{{/* c */}}{{- 2 }}",
    "  {{- /*\n*/ -}}  ",
    "{{ \"\\xc3\\xa9\" }}{{ `a\\b` }}{{ '\\377' }}{{ 'é' }}{{ '\\U0010FFFF' }}",
    "{{ $é := 1 }}ok{{ $_ := 2 }}{{ $9 := 3 }}",
    "{{ 1.0 }} {{ 0x10 }} {{ 1e2 }} {{ 0x1p4 }} {{ 0b1_0 }}",
    "{{- \"a\" -}}\n{{- \"b\" }}",
    "{{ \"x\" -}}\n\n\n\n",
]


def go_quote(s):
    out = ['"']
    for ch in s:
        o = ord(ch)
        if ch == "\\":
            out.append("\\\\")
        elif ch == '"':
            out.append('\\"')
        elif ch == "\n":
            out.append("\\n")
        elif ch == "\t":
            out.append("\\t")
        elif ch == "\r":
            out.append("\\r")
        elif o < 0x20 or o == 0x7F:
            out.append("\\x%02x" % o)
        else:
            out.append(ch)
    out.append('"')
    return "".join(out)


def go_unquote(s):
    assert s[0] == '"' and s[-1] == '"', s
    s = s[1:-1]
    out, i = [], 0
    while i < len(s):
        c = s[i]
        if c != "\\":
            out.append(c)
            i += 1
            continue
        e = s[i + 1]
        if e == "x":
            out.append(chr(int(s[i + 2 : i + 4], 16)))
            i += 4
            continue
        out.append({"n": "\n", "t": "\t", "r": "\r", "\\": "\\", '"': '"'}[e])
        i += 2
    return "".join(out)


def go_table_errors():
    """Inputs of the error cases in parse.txt."""
    inputs, cur_input, is_error = [], None, False
    for line in open(os.path.join(HERE, "parse.txt"), encoding="utf-8").read().split("\n") + ["== end"]:
        if line.startswith("== "):
            if cur_input is not None and is_error:
                inputs.append(cur_input)
            cur_input, is_error = None, False
        elif line.startswith("input "):
            cur_input = go_unquote(line[len("input ") :])
        elif line == "error" or line.startswith("error-contains "):
            is_error = True
    return inputs


def run(template, as_json):
    with tempfile.TemporaryDirectory() as d:
        chart = os.path.join(d, "c")
        os.makedirs(os.path.join(chart, "templates"))
        with open(os.path.join(chart, "Chart.yaml"), "w") as f:
            f.write("apiVersion: v2\nname: c\nversion: 0.1.0\n")
        with open(os.path.join(chart, "templates", "t.yaml"), "w", encoding="utf-8", newline="") as f:
            f.write(template)
        args = [ORACLE, "c"] + (["--json"] if as_json else [])
        p = subprocess.run(args, cwd=d, capture_output=True, text=True)
        return p.returncode, p.stdout, p.stderr


def main():
    out = [
        "# Parse errors and trim/comment rendering from real Helm v4.2.3 (Go text/template), made by",
        "# gen_helm_oracle.py with /work/shared/oracle/helm-template. Each input is the file",
        "# c/templates/t.yaml of chart c. helm-error is Helm's message, `parse error at (FILE:LINE):",
        "# MSG`, where MSG is what follows the last \": \" of Go's error; helm-output is the rendered",
        "# text; helm-ok means it parsed. The first inputs are the error cases of parse.txt (Go's",
        "# parser tests).",
        "",
    ]
    cases = [("error", t) for t in go_table_errors() + EXTRA_ERRORS] + [("render", t) for t in RENDERS]
    seen = set()
    for n, (kind, template) in enumerate(cases):
        if template in seen:
            continue
        seen.add(template)
        code, stdout, stderr = run(template, kind == "render")
        out.append("== %d" % n)
        out.append("input " + go_quote(template))
        first = stderr.strip().splitlines()[0] if stderr.strip() else ""
        if code != 0 and first.startswith("Error: parse error"):
            out.append("helm-error " + go_quote(re.sub(r"^Error: ", "", first)))
        elif code != 0:
            # It parsed; execution failed.
            out.append("helm-ok")
        elif kind == "render":
            out.append("helm-output " + go_quote(json.loads(stdout)["c/templates/t.yaml"]))
        else:
            out.append("helm-ok")
        out.append("")
    sys.stdout.write("\n".join(out))


if __name__ == "__main__":
    main()
