#!/usr/bin/env python3
"""Renders the execution cases below with the real Helm (Go text/template, missingkey=zero) and
writes tests/data/exec/oracle_cases.json, which tests/exec.rs replays against hoist-gotmpl.

Cases that render go into one chart (one template file per case) rendered once with --json.
Cases that fail are rendered one chart each, since Helm stops at the first error; the error text
Helm prints is recorded. Values come from VALUES (JSON, so numbers are float64 in Helm).

usage: python3 tests/gen/oracle.py   (needs /work/shared/oracle/helm-template)
"""
import json, os, subprocess, sys, tempfile

ORACLE = os.environ.get("HELM_ORACLE", "/work/shared/oracle/helm-template")
HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "..", "data", "exec", "oracle_cases.json")

VALUES = {
    "str": "hello", "num": 3, "big": 1000000, "frac": 1.5, "small": 0.00001, "huge": 123456789,
    "neg": -2, "zero": 0, "t": True, "f": False, "nullval": None,
    "list": ["a", "b", "c"], "nums": [1, 2, 3], "empty": [], "emptymap": {},
    "map": {"b": 2, "a": 1, "c": {"d": "x"}, "B": "upper", "10": "ten", "9": "nine"},
    "html": "<a href='x'>&\"</a>", "unicode": "h\u00e9llo \u263a", "pct": "100%",
    "nested": {"list": [{"name": "x"}, {"name": "y", "n": None}]},
    "tplstr": "{{ .Values.str }}-tpl", "mixed": [1, "a", None, True, 2.5, {"k": "v"}, ["x"]],
}

# name -> template text (must render without error)
OK = {
    "text": "plain text",
    "str": "{{ .Values.str }}",
    "num": "{{ .Values.num }}",
    "big": "{{ .Values.big }}",
    "frac": "{{ .Values.frac }}",
    "small": "{{ .Values.small }}",
    "huge": "{{ .Values.huge }}",
    "neg": "{{ .Values.neg }}",
    "bool": "{{ .Values.t }} {{ .Values.f }}",
    "null": "[{{ .Values.nullval }}]",
    "missing": "[{{ .Values.missing }}]",
    "list": "{{ .Values.list }}",
    "nums": "{{ .Values.nums }}",
    "empty_list": "{{ .Values.empty }}",
    "map": "{{ .Values.map }}",
    "emptymap": "{{ .Values.emptymap }}",
    "mixed": "{{ .Values.mixed }}",
    "nested": "{{ .Values.nested }}",
    "missing_var_field": "{{ $x := .Values.missing }}[{{ $x.y }}]",
    "missing_in_if": "{{ if .Values.missing }}yes{{ else }}no{{ end }}",
    "missing_with": "{{ with .Values.missing }}yes{{ else }}no{{ end }}",
    "with_else_with": "{{ with .Values.missing }}a{{ else with .Values.str }}{{ . }}{{ else }}c{{ end }}",
    "if_else_if": "{{ if .Values.f }}a{{ else if .Values.zero }}b{{ else if .Values.list }}c{{ end }}",
    "truthiness": "{{ range list 0 1 \"\" \"x\" .Values.empty .Values.list .Values.emptymap .Values.map .Values.zero .Values.frac .Values.nullval true false }}{{ if . }}T{{ else }}F{{ end }}{{ end }}",
    "range_list": "{{ range .Values.list }}<{{ . }}>{{ end }}",
    "range_index": "{{ range $i, $v := .Values.list }}{{ $i }}={{ $v }};{{ end }}",
    "range_map": "{{ range $k, $v := .Values.map }}{{ $k }}:{{ $v }};{{ end }}",
    "range_map_values": "{{ range .Values.map }}[{{ . }}]{{ end }}",
    "range_empty_else": "{{ range .Values.empty }}x{{ else }}empty{{ end }}",
    "range_missing_else": "{{ range .Values.missing }}x{{ else }}none{{ end }}",
    "range_int": "{{ range 3 }}{{ . }}{{ end }}",
    "range_int_var": "{{ range $i := 4 }}{{ $i }},{{ end }}",
    "range_zero_else": "{{ range 0 }}x{{ else }}zero{{ end }}",
    "range_break": "{{ range .Values.nums }}{{ if eq . 2.0 }}{{ break }}{{ end }}{{ . }}{{ end }}",
    "range_continue": "{{ range .Values.nums }}{{ if eq . 2.0 }}{{ continue }}{{ end }}{{ . }}{{ end }}",
    "range_assign": "{{ $x := 0 }}{{ range $x = .Values.list }}{{ end }}{{ $x }}",
    "range_assign2": "{{ $i := 0 }}{{ $v := 0 }}{{ range $i, $v = .Values.list }}{{ end }}{{ $i }}{{ $v }}",
    "range_nested_dollar": "{{ range .Values.nested.list }}{{ .name }}/{{ $.Values.str }};{{ end }}",
    "range_nil_elem": "{{ range .Values.mixed }}[{{ . }}]{{ end }}",
    "var_scope": "{{ $x := 1 }}{{ if true }}{{ $x = 2 }}{{ $y := 3 }}{{ end }}{{ $x }}",
    "var_shadow": "{{ $x := 1 }}{{ with $x := 5 }}{{ $x }}{{ end }}{{ $x }}",
    "dollar": "{{ with .Values.map }}{{ $.Values.str }}{{ end }}",
    "and_or": "{{ and 1 0 }} {{ or 0 \"\" }} {{ and .Values.str .Values.num }} {{ or .Values.missing .Values.str }}",
    "and_short": "{{ and .Values.f (index .Values.list 10) }}",
    "or_short": "{{ or .Values.t (index .Values.list 10) }}",
    "or_pipe": "{{ .Values.str | or .Values.f }}",
    "not": "{{ not .Values.t }} {{ not .Values.missing }} {{ not .Values.list }}",
    "eq_multi": "{{ eq .Values.str \"a\" \"hello\" }} {{ eq 1 2 3 }}",
    "eq_float": "{{ eq .Values.num 3.0 }} {{ ne .Values.frac 1.5 }}",
    "eq_nil": "{{ eq .Values.nullval nil }} {{ eq .Values.missing .Values.nullval }} {{ eq \"x\" .Values.missing }}",
    "lt_etc": "{{ lt 1 2 }} {{ le 2 2 }} {{ gt \"b\" \"a\" }} {{ ge .Values.frac 1.5 }} {{ lt .Values.neg 0.0 }}",
    "len": "{{ len .Values.str }} {{ len .Values.list }} {{ len .Values.map }} {{ len .Values.unicode }} {{ len .Values.emptymap }}",
    "index": "{{ index .Values.list 1 }} {{ index .Values.map \"a\" }} {{ index .Values.nested \"list\" 0 \"name\" }} [{{ index .Values.map \"zz\" }}]",
    "index_str": "{{ index .Values.str 1 }}",
    "print": "{{ print 1 2 \"a\" \"b\" 3 nil .Values.frac }}",
    "println": "{{ println 1 \"a\" .Values.missing }}",
    "print_missing": "{{ print .Values.missing }}",
    "printf_basic": "{{ printf \"%s-%d-%v-%t\" \"a\" 3 .Values.list true }}",
    "printf_float": "{{ printf \"%v %f %.2f %e %g %G %E\" .Values.frac .Values.frac .Values.frac .Values.big .Values.small .Values.huge .Values.huge }}",
    "printf_width": "{{ printf \"[%5d][%-5d][%05d][%+d][% d][%x][%X][%o][%b][%#x][%#o]\" 42 42 42 42 42 255 255 8 5 255 8 }}",
    "printf_str": "{{ printf \"[%5s][%-5s][%.2s][%q][%x][% x][%X][%#q][%+q]\" \"abc\" \"abc\" \"abc\" \"a\\\"b\" \"hi\" \"hi\" \"hi\" \"ab\" .Values.unicode }}",
    "printf_bad": "{{ printf \"%d|%s|%t|%z\" \"x\" 3 1 2 }}",
    "printf_nil": "{{ printf \"%s|%v|%d\" nil nil .Values.missing }}",
    "printf_missing_extra": "{{ printf \"%s %s\" \"a\" }}|{{ printf \"%s\" \"a\" \"b\" 3 }}",
    "printf_index": "{{ printf \"%[2]s %[1]s %[2]s\" \"a\" \"b\" }}|{{ printf \"%[3]s\" \"a\" }}",
    "printf_star": "{{ printf \"[%*d][%-*d][%.*f]\" 5 1 4 2 2 3.14159 }}",
    "printf_values_float": "{{ printf \"%d\" .Values.num }}|{{ printf \"%s\" .Values.num }}|{{ printf \"%v\" .Values.num }}",
    "printf_map_list": "{{ printf \"%v|%s|%d\" .Values.map .Values.list .Values.nums }}",
    "printf_pct": "{{ printf \"100%%\" }}|{{ printf \"%\" }}|{{ printf \"%!\" }}|{{ printf \"%-\" }}",
    "printf_c_u": "{{ printf \"%c %U %#U %q\" 65 9786 9786 65 }}",
    "printf_sharp_v": "{{ printf \"%#v|%#v|%#v|%#v\" \"s\" 3 .Values.list .Values.emptymap }}",
    "printf_plus_v": "{{ printf \"%+v|%T|%T|%T|%T\" .Values.map 1 1.5 \"s\" .Values.list }}",
    "printf_zero_pad_float": "{{ printf \"[%08.3f][%-8.2f][%+.1e][%x][%X]\" -3.14159 2.5 12345.678 1.0 -0.5 }}",
    "printf_large": "{{ printf \"%v %v %v %v\" 1e20 1e21 100000.0 0.0001 }}",
    "html": "{{ html .Values.html }}|{{ html 1 2 }}|{{ html .Values.missing }}|{{ html \"a\" nil }}",
    "js": "{{ js .Values.html }}|{{ js .Values.unicode }}|{{ js \"a=b\\\\c\\n\" }}",
    "urlquery": "{{ urlquery \"a b&c=d/e?f\" .Values.unicode }}|{{ urlquery .Values.missing }}",
    "define_template": "{{ define \"t.x\" }}[{{ . }}]{{ end }}{{ template \"t.x\" .Values.str }}{{ template \"t.x\" }}",
    "define_dollar": "{{ define \"t.d\" }}{{ $.a }}{{ end }}{{ template \"t.d\" .Values.map }}",
    "block": "{{ block \"t.blk\" .Values.num }}<{{ . }}>{{ end }}",
    "include": "{{ define \"t.inc\" }}i:{{ .str }}{{ end }}{{ include \"t.inc\" .Values }}",
    "include_pipe": "{{ define \"t.inc2\" }}x{{ . }}x{{ end }}{{ include \"t.inc2\" .Values.num | len }}",
    "tpl": "{{ tpl .Values.tplstr . }}",
    "tpl_define": "{{ tpl \"{{ define \\\"t.tpld\\\" }}D{{ end }}{{ include \\\"t.tpld\\\" . }}\" . }}",
    "template_name": "{{ .Template.Name }}",
    "chain_paren": "{{ (.Values.map).c.d }}|{{ (index .Values.nested.list 0).name }}",
    "pipeline_last_arg": "{{ \"a\" | printf \"%s-%s\" \"b\" }}",
    "paren_nested": "{{ printf \"%d\" (len (index .Values.nested \"list\")) }}",
    "comment": "a{{/* c */}}b{{- /* trim */ -}} c",
    "trim": "a  {{- \"b\" -}}  c",
    "number_literals": "{{ 0x10 }} {{ 1e3 }} {{ 1.0 }} {{ 'a' }} {{ -3 }} {{ 0o17 }} {{ 1_000 }} {{ 0b101 }}",
    "string_literals": "{{ \"a\\tb\" }}|{{ `raw\\n` }}",
    "nil_elem_index": "[{{ index .Values.mixed 2 }}]",
    "float_keys": "{{ .Values.map.a }}{{ .Values.map.b }}",
    "deep_missing_zero": "[{{ .Values.map.zz }}]",
    "nil_field_in_range": "{{ range .Values.nested.list }}[{{ .n }}]{{ end }}",
    "eq_list_elem": "{{ range .Values.mixed }}{{ if eq . nil }}N{{ end }}{{ end }}",
    "with_dot_var": "{{ with $v := .Values.str }}{{ $v }}{{ . }}{{ end }}",
    "if_decl_persists": "{{ if $x := .Values.str }}{{ $x }}{{ end }}",
    "len_range_var": "{{ range .Values.list }}{{ len . }}{{ end }}",
    "unicode_print": "{{ .Values.unicode }}|{{ printf \"%q\" .Values.unicode }}|{{ printf \"%+q\" .Values.unicode }}|{{ printf \"%x\" .Values.unicode }}|{{ printf \"%5.3s|\" .Values.unicode }}",
    "pct_value": "{{ .Values.pct }}|{{ printf .Values.pct }}",
    "missing_var_chain": "{{ $x := .Values.nullval }}[{{ $x.a.b }}]",
    "tmpl_missing_dot": "{{ define \"t.md\" }}[{{ . }}]{{ end }}{{ template \"t.md\" .Values.missing }}",
    "tmpl_chain": "{{ define \"t.a\" }}{{ template \"t.b\" . }}{{ end }}{{ define \"t.b\" }}B{{ . }}{{ end }}{{ template \"t.a\" 5 }}",
    "printf_more": "{{ printf \"%.2f|%d|%s|%v|%q|%x|%5v|\" .Values.num 3.0 true .Values.nums .Values.list .Values.nums .Values.list }}",
    "printf_types": "{{ printf \"%T|%T|%T|%T\" .Values.map .Values.nullval .Values.missing .Values.t }}",
    "printf_empty": "{{ printf \"%v|%v|%d\" .Values.emptymap .Values.empty }}",
    "html_list": "{{ html .Values.list }}|{{ html .Values.map }}|{{ html 1.5 }}",
    "js_nonprint": "{{ js \"a\\u2028b\\u00a0c\\u200dd\\u0007\" }}",
    "urlquery_utf8": "{{ urlquery \"\\u00e9 ~-_.!*'()\" }}",
    "print_spacing": "{{ print .Values.nullval .Values.str }}|{{ print 1 .Values.frac }}|{{ print \"a\" 1 2 \"b\" }}|{{ print .Values.list .Values.nums }}",
    "println_empty": "[{{ println }}]",
    "len_print": "{{ len (print) }}",
    "eq_list_nil": "{{ eq .Values.list nil }} {{ eq nil .Values.list }} {{ ne .Values.nullval nil }}",
    "index_nested": "{{ index .Values.map \"c\" \"d\" }} {{ index .Values.unicode 1 }}",
    "not_more": "{{ not 0 }} {{ not \"\" }} {{ not .Values.emptymap }} {{ not 1.5 }}",
    "and_more": "{{ and 1 2 3 }} {{ or 0 \"\" .Values.nullval }} {{ and .Values.t .Values.list }}",
    "range_nested_break": "{{ range $i, $e := .Values.list }}{{ range $.Values.nums }}{{ if eq . 2.0 }}{{ break }}{{ end }}{{ $e }}{{ end }}{{ end }}",
    "range_last": "{{ $last := \"\" }}{{ range .Values.list }}{{ $last = . }}{{ end }}{{ $last }}",
    "range_continue_with": "{{ range .Values.list }}{{ with eq . \"b\" }}{{ continue }}{{ end }}{{ . }}{{ end }}",
    "range_map_mutation_view": "{{ range $k, $v := .Values.map }}{{ $k }}{{ end }}",
    "with_map_else": "{{ with .Values.map }}{{ .a }}{{ else }}x{{ end }}",
    "literal_floats": "{{ 1e6 }} {{ 100000.0 }} {{ 0.1 }} {{ 1.0e-7 }} {{ 123456789.0 }} {{ -0.0 }} {{ 1e21 }} {{ 12345678.9 }}",
    "values_floats": "{{ .Values.small }} {{ .Values.huge }} {{ .Values.big }} {{ printf \"%v %g %f\" .Values.small .Values.huge .Values.big }}",
    "printf_missing_verb": "{{ printf \"%d\" }}|{{ printf \"%[0]d\" 1 }}|{{ printf \"%[x]d\" 1 }}|{{ printf \"%.*d\" \"a\" 1 }}|{{ printf \"%*d\" 1.5 2 }}",
    "printf_w": "{{ printf \"%w\" \"x\" }}",
    "map_nil_values": "{{ .Values.nested }}|{{ printf \"%v\" .Values.nested }}",
    "chain_var_field": "{{ $m := .Values.map }}{{ $m.c.d }}{{ ($m).a }}",
    "ml_deployment": "{{- define \"t.lbl\" -}}\napp: {{ .str }}\n{{- range $k, $v := .map }}\n{{- if not (eq $k \"c\") }}\nk{{ $k }}: {{ printf \"%q\" (print $v) }}\n{{- end }}\n{{- end }}\n{{- end -}}\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Values.str }}\n  labels:\n{{ include \"t.lbl\" .Values | printf \"%s\" }}\ndata:\n  {{- range $i, $n := .Values.nested.list }}\n  item{{ $i }}: {{ $n.name | printf \"%q\" }}\n  {{- end }}\n  {{- with .Values.map.c }}\n  d: {{ .d }}\n  {{- end }}\n",
    "ml_if_chain": "{{- if eq .Values.str \"nope\" }}\nA\n{{- else if and .Values.t (gt (len .Values.list) 2) }}\nB {{ len .Values.list }}\n{{- else }}\nC\n{{- end }}\n",
    "ml_vars_across": "{{- $out := \"\" -}}\n{{- range $i, $e := .Values.list -}}\n{{- if $i }},{{ end -}}\n{{- $e -}}\n{{- $out = $e -}}\n{{- end }}\nlast={{ $out }}\n",
    "ml_nested_range_dollar": "{{- range $a := .Values.list }}\n{{- range $b := $.Values.nums }}\n{{ $a }}{{ $b }}\n{{- end }}\n{{- end }}\n",
    "ml_template_scope": "{{- define \"t.scope\" -}}\n{{- $x := \"inner\" -}}\n{{ $x }}/{{ . }}\n{{- end -}}\n{{- $x := \"outer\" -}}\n{{ template \"t.scope\" $x }} {{ $x }}\n",
    "ml_block_override": "{{- block \"t.blk2\" . -}}default{{- end -}}\n",
    "ml_comments": "a\n{{- /* comment\nspanning lines */ -}}\nb\n{{/* keep */}}\nc\n",
    "ml_with_else_chain": "{{- with .Values.missing -}}\nm\n{{- else with .Values.empty -}}\ne\n{{- else with .Values.nested -}}\n{{ len .list }}\n{{- end }}\n",
    "ml_include_in_range": "{{- define \"t.row\" }}<{{ .name }}{{ with .n }}!{{ end }}>{{ end -}}\n{{- range .Values.nested.list }}{{ include \"t.row\" . }}{{ end }}\n",
    "ml_printf_table": "{{- range $k, $v := .Values.map }}\n{{ printf \"%-4s|%6v|\" $k $v }}\n{{- end }}\n",
    "ml_tpl_values": "{{ tpl \"{{ range .Values.list }}[{{ . }}]{{ end }}\" . }}",
    "ml_include_result_ops": "{{- define \"t.num\" }}42{{ end -}}\n{{ $n := include \"t.num\" . }}{{ len $n }} {{ eq $n \"42\" }} {{ printf \"%s!\" $n }}\n",
    "template_vars_persist": "{{ define \"t.v\" }}v{{ end }}{{ template \"t.v\" $x := 1 }}",
}

# name -> template text (must fail; Helm's error text is recorded)
ERR = {
    "e_nil_field": "{{ .Values.nullval.foo }}",
    "e_missing_field": "{{ .Values.missing.foo }}",
    "e_string_field": "{{ .Values.str.foo }}",
    "e_field_args": "{{ .Values.map.a 1 }}",
    "e_eq_int_float": "{{ eq .Values.num 3 }}",
    "e_lt_mixed": "{{ lt 1 \"a\" }}",
    "e_lt_bool": "{{ lt true false }}",
    "e_eq_list": "{{ eq .Values.list .Values.list }}",
    "e_eq_one": "{{ eq 1 }}",
    "e_index_oob": "{{ index .Values.list 5 }}",
    "e_index_len": "{{ index .Values.list 3 }}",
    "e_index_type": "{{ index .Values.list \"a\" }}",
    "e_index_nil": "{{ index .Values.missing 1 }}",
    "e_index_map_int": "{{ index .Values.map 1 }}",
    "e_index_num": "{{ index .Values.num 1 }}",
    "e_len_missing": "{{ len .Values.missing }}",
    "e_len_num": "{{ len .Values.num }}",
    "e_len_nil_lit": "{{ len nil }}",
    "e_range_float": "{{ range .Values.num }}x{{ end }}",
    "e_range_str": "{{ range .Values.str }}x{{ end }}",
    "e_range_int_two": "{{ range $i, $v := 3 }}x{{ end }}",
    "e_not_func": "{{ \"x\" 1 }}",
    "e_nil_cmd": "{{ nil }}",
    "e_no_template": "{{ template \"t.nope\" }}",
    "e_printf_nofmt": "{{ printf }}",
    "e_printf_int_fmt": "{{ printf 1 }}",
    "e_include_wrong_type": "{{ include 1 . }}",
    "e_include_missing_arg": "{{ include \"x\" }}",
    "e_include_nested": "{{ define \"t.ein\" }}{{ index .Values.list 9 }}{{ end }}{{ include \"t.ein\" . }}",
    "e_include_missing_value_str": "{{ define \"t.ein2\" }}{{ .foo.bar }}{{ end }}{{ include \"t.ein2\" .Values }}",
    "e_not_arity": "{{ not 1 2 }}",
    "e_call": "{{ call .Values.str }}",
    "e_call_nil": "{{ call nil }}",
    "e_chain_nil": "{{ (nil).x }}",
    "e_range_elem_nil_field": "{{ range .Values.mixed }}{{ .foo }}{{ end }}",
    "e_long_context": "{{ index .Values.nested.list 0 \"name\" \"extra\" }}",
    "e_overflow": "{{ 0x8000000000000000 }}",
    "e_template_depth": "{{ define \"t.rec\" }}{{ template \"t.rec\" . }}{{ end }}{{ template \"t.rec\" . }}",
    "e_tpl_parse": "{{ tpl \"{{ .x \" . }}",
    "e_tpl_exec": "{{ tpl \"{{ .Values.str.x }}\" . }}",
    "e_and_none": "{{ and }}",
    "e_eq_maps": "{{ eq .Values.map .Values.map }}",
    "e_eq_map_list": "{{ eq .Values.map .Values.list }}",
    "e_index_neg": "{{ index .Values.list -1 }}",
    "e_or_none": "{{ or }}",
    "e_lt_nil": "{{ lt .Values.nullval 1 }}",
    "e_ne_mixed": "{{ ne 1 \"a\" }}",
    "e_var_list_field": "{{ $x := .Values.list }}{{ $x.foo }}",
    "e_var_str_field": "{{ $x := .Values.str }}{{ $x.foo }}",
    "e_var_int_field": "{{ $x := 1 }}{{ $x.foo }}",
    "e_num_field": "{{ .Values.num.foo }}",
    "e_define_error": "line1\n{{ define \"t.err\" }}\n  {{ index .Values.list 7 }}{{ end }}{{ template \"t.err\" . }}",
    "e_index_str_oob": "{{ index .Values.str 10 }}",
    "e_index_str_len": "{{ index .Values.str 5 }}",
    "e_range_bool": "{{ range .Values.t }}{{ end }}",
    "e_with_field_args": "{{ with .Values.map }}{{ .c 1 2 }}{{ end }}",
    "e_pipe_to_field": "{{ 1 | .Values.str }}",
    "e_pipe_to_var": "{{ $x := 1 }}{{ 2 | $x }}",
    "e_index_nil_elem": "{{ index .Values.mixed 2 0 }}",
}


def render(files):
    with tempfile.TemporaryDirectory() as d:
        chart = os.path.join(d, "t")
        os.makedirs(os.path.join(chart, "templates"))
        with open(os.path.join(chart, "Chart.yaml"), "w") as f:
            f.write("apiVersion: v2\nname: t\nversion: 0.1.0\n")
        vals = os.path.join(d, "values.json")
        with open(vals, "w") as f:
            json.dump(VALUES, f)
        for name, text in files.items():
            with open(os.path.join(chart, "templates", name + ".yaml"), "w") as f:
                f.write(text)
        p = subprocess.run([ORACLE, chart, "-f", vals, "--json"], capture_output=True, text=True)
        return p.returncode, p.stdout, p.stderr


def main():
    cases = []
    rc, out, err = render(OK)
    if rc != 0:
        sys.exit("ok cases failed to render:\n" + err)
    rendered = json.loads(out)
    for name, text in OK.items():
        cases.append({"name": name, "input": text, "output": rendered["t/templates/%s.yaml" % name]})
    for name, text in ERR.items():
        rc, out, err = render({name: text})
        if rc == 0:
            sys.exit("case %s did not fail: %r" % (name, out))
        msg = err.strip()
        if msg.startswith("Error: "):
            msg = msg[len("Error: "):]
        cases.append({"name": name, "input": text, "error": msg})
        print(name, "->", msg.replace("\n", " | ")[:200], file=sys.stderr)
    doc = {"source": "rendered by real Helm v4.2.3 (Go text/template) via tests/gen/oracle.py",
           "values": VALUES, "cases": cases}
    with open(OUT, "w") as f:
        json.dump(doc, f, indent=1, ensure_ascii=False)
        f.write("\n")
    print(len(cases), "cases", file=sys.stderr)


if __name__ == "__main__":
    main()
