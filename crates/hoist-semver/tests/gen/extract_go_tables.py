#!/usr/bin/env python3
"""Transcribe the table-driven test cases of a Go test file into JSON.

usage: extract_go_tables.py GO_TEST_FILE SOURCE_LABEL > OUT.json

Every `NAME := []struct{...}{ {row}, {row}, ... }` literal inside `func TestX(` becomes
tables["TestX"] (the second table in one function becomes "TestX/2", and so on). Row fields are
Go literals: strings (interpreted and raw) become JSON strings, integers numbers, true/false
booleans, nil null, identifiers (ErrInvalidSemVer, constraintTilde) strings, and calls such as
MustParse("1.2.3") the object {"call": "MustParse", "args": [...]}.

The data files under tests/data/ were made with:
  git -C /work/.mirror/Masterminds+semver/repo show 71f2b39:version_test.go > /tmp/v.go
  extract_go_tables.py /tmp/v.go "Masterminds/semver@71f2b39 (v3.5.0) version_test.go" > version_test.json
  (and the same for constraints_test.go)
"""
import json
import re
import sys


def unquote(body):
    out, i = [], 0
    simple = {"n": "\n", "t": "\t", "r": "\r", "a": "\a", "b": "\b", "f": "\f", "v": "\v",
              "\\": "\\", '"': '"', "'": "'"}
    while i < len(body):
        c = body[i]
        if c != "\\":
            out.append(c)
            i += 1
            continue
        n = body[i + 1]
        if n in simple:
            out.append(simple[n])
            i += 2
        elif n == "x":
            out.append(chr(int(body[i + 2:i + 4], 16)))
            i += 4
        elif n == "u":
            out.append(chr(int(body[i + 2:i + 6], 16)))
            i += 6
        elif n == "U":
            out.append(chr(int(body[i + 2:i + 10], 16)))
            i += 10
        else:
            raise ValueError("escape " + body[i:i + 4])
    return "".join(out)


TOKEN = re.compile(r'''\s+|//[^\n]*|"((?:[^"\\\n]|\\.)*)"|`([^`]*)`|(-?\d+)|([A-Za-z_][A-Za-z0-9_.]*)|(.)''', re.S)


def tokens(text, pos):
    while pos < len(text):
        m = TOKEN.match(text, pos)
        pos = m.end()
        if m.group(1) is not None:
            yield ("str", unquote(m.group(1))), pos
        elif m.group(2) is not None:
            yield ("str", m.group(2)), pos
        elif m.group(3) is not None:
            yield ("int", int(m.group(3))), pos
        elif m.group(4) is not None:
            yield ("ident", m.group(4)), pos
        elif m.group(5) is not None:
            yield ("punct", m.group(5)), pos


def parse_rows(text, start):
    """Parse `{ {row}, {row} }` starting at the outer `{`; return (rows, end)."""
    it = tokens(text, start)
    (kind, val), _ = next(it)
    assert (kind, val) == ("punct", "{"), (kind, val)
    rows, row, depth, call = [], None, 1, None
    for (kind, val), pos in it:
        if kind == "punct" and val == "{":
            depth += 1
            if depth == 2:
                row = []
            continue
        if kind == "punct" and val == "}":
            depth -= 1
            if depth == 1:
                rows.append(row)
            elif depth == 0:
                return rows, pos
            continue
        if depth != 2:
            continue
        if kind == "punct" and val == "(":
            call = {"call": row.pop(), "args": []}
            continue
        if kind == "punct" and val == ")":
            row.append(call)
            call = None
            continue
        if kind == "punct":
            continue
        if kind == "ident":
            val = {"true": True, "false": False, "nil": None}.get(val, val)
        if call is not None:
            call["args"].append(val)
        else:
            row.append(val)
    raise ValueError("unterminated table")


def main():
    path, label = sys.argv[1], sys.argv[2]
    text = open(path, encoding="utf-8").read()
    tables = {}
    funcs = [(m.start(), m.group(1)) for m in re.finditer(r"^func (Test\w+)\(", text, re.M)]
    for idx, (fstart, name) in enumerate(funcs):
        fend = funcs[idx + 1][0] if idx + 1 < len(funcs) else len(text)
        body_start = fstart
        n = 0
        for m in re.finditer(r"\w+ := \[\]struct\s*\{", text[body_start:fend]):
            # skip the struct's field list to its closing brace, then the literal follows
            i = body_start + m.end()
            depth = 1
            while depth:
                depth += {"{": 1, "}": -1}.get(text[i], 0)
                i += 1
            rows, _ = parse_rows(text, i)
            n += 1
            tables[name if n == 1 else f"{name}/{n}"] = rows
    json.dump({"source": label, "tables": tables}, sys.stdout, indent=1, ensure_ascii=False)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
