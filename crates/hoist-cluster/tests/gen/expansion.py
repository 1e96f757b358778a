#!/usr/bin/env python3
"""Writes tests/data/expansion.json: the expansion table of kubernetes/kubernetes
third_party/forked/golang/expansion/expand_test.go (doExpansionTest, context of TestMapping),
which sealos forked as lifecycle/fork/golang/expansion/expand.go. sealos's fork also expands
`$VAR` and `${VAR}` (its tryReadVariableName reads a name after a bare `$` and scans `{...}`),
so the four upstream rows about those have sealos's result, marked "sealos_fork"."""
import json, os
B = "\\"
context = {"VAR_A": "A", "VAR_B": "B", "VAR_C": "C", "VAR_REF": "$(VAR_A)", "VAR_EMPTY": ""}
rows = [
 ("whole string", "$(VAR_A)", "A"),
 ("repeat", "$(VAR_A)-$(VAR_A)", "A-A"),
 ("beginning", "$(VAR_A)-1", "A-1"),
 ("middle", "___$(VAR_B)___", "___B___"),
 ("end", "___$(VAR_C)", "___C"),
 ("compound", "$(VAR_A)_$(VAR_B)_$(VAR_C)", "A_B_C"),
 ("escape & expand", "$$(VAR_B)_$(VAR_A)", "$(VAR_B)_A"),
 ("compound escape", "$$(VAR_A)_$$(VAR_B)", "$(VAR_A)_$(VAR_B)"),
 ("mixed in escapes", "f000-$$VAR_A", "f000-$VAR_A"),
 ("backslash escape ignored", "foo" + B + "$(VAR_C)bar", "foo" + B + "Cbar"),
 ("backslash escape ignored 2", "foo" + B*2 + "$(VAR_C)bar", "foo" + B*2 + "Cbar"),
 ("lots of backslashes", "foo" + B*4 + "$(VAR_A)bar", "foo" + B*4 + "Abar"),
 ("nested var references", "$(VAR_A$(VAR_B))", "$(VAR_A$(VAR_B))"),
 ("nested var references second type", "$(VAR_A$(VAR_B)", "$(VAR_A$(VAR_B)"),
 ("value is a reference", "$(VAR_REF)", "$(VAR_A)"),
 ("value is a reference x 2", "%%$(VAR_REF)--$(VAR_REF)%%", "%%$(VAR_A)--$(VAR_A)%%"),
 ("empty var", "foo$(VAR_EMPTY)bar", "foobar"),
 ("unterminated expression", "foo$(VAR_Awhoops!", "foo$(VAR_Awhoops!"),
 ("expression without operator", "f00__(VAR_A)__", "f00__(VAR_A)__"),
 ("shell special vars pass through", "$?_boo_$!", "$?_boo_$!"),
 ("bare operators are ignored", "$VAR_A", "$VAR_A", "A"),
 ("undefined vars are passed through", "$(VAR_DNE)", "$(VAR_DNE)"),
 ("multiple (even) operators, var undefined", "$$$$$$(BIG_MONEY)", "$$$(BIG_MONEY)"),
 ("multiple (even) operators, var defined", "$$$$$$(VAR_A)", "$$$(VAR_A)"),
 ("multiple (odd) operators, var undefined", "$$$$$$$(GOOD_ODDS)", "$$$$(GOOD_ODDS)"),
 ("multiple (odd) operators, var defined", "$$$$$$$(VAR_A)", "$$$A"),
 ("missing open expression", "$VAR_A)", "$VAR_A)", "A)"),
 ("shell syntax ignored", "${VAR_A}", "${VAR_A}", "A"),
 ("trailing incomplete expression not consumed", "$(VAR_B)_______$(A", "B_______$(A"),
 ("trailing incomplete expression, no content, is not consumed", "$(VAR_C)_______$(", "C_______$("),
 ("operator at end of input string is preserved", "$(VAR_A)foobarzab$", "Afoobarzab$"),
 ("shell escaped incomplete expr", "foo-" + B + "$(VAR_A", "foo-" + B + "$(VAR_A"),
 ("lots of $( in middle", "--$($($($($--", "--$($($($($--"),
 ("lots of $( in beginning", "$($($($($--foo$(", "$($($($($--foo$("),
 ("lots of $( at end", "foo0--$($($($(", "foo0--$($($($("),
 ("escaped operators in variable names are not escaped", "$(foo$$var)", "$(foo$$var)"),
 ("newline not expanded", "\n", "\n"),
]
cases = []
for r in rows:
    c = {"name": r[0], "input": r[1], "expected": r[2]}
    if len(r) == 4:
        c["upstream_expected"] = r[2]
        c["expected"] = r[3]
        c["sealos_fork"] = True
    cases.append(c)
out = {"source": "kubernetes/kubernetes third_party/forked/golang/expansion/expand_test.go; "
       "sealos fork lifecycle/fork/golang/expansion/expand.go", "context": context, "cases": cases}
path = os.path.join(os.path.dirname(__file__), "..", "data", "expansion.json")
with open(path, "w") as f:
    json.dump(out, f, indent=1)
    f.write("\n")
