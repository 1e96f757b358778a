#!/usr/bin/env python3
"""Transcription of helm/helm v4.2.3 pkg/chart/common/util/coalesce_test.go (TestCoalesceValues,
TestMergeValues and the v4.2 null-handling tests) into tests/data/coalesce.json.
A chart is {name, values, deps}; `user_yaml` is the user values (YAML, read like
common.ReadValues) or `user` (JSON). `checks` maps a dotted path to Go's `%v` of the value there
({{.a.b}} in a text/template; "<no value>" when missing); `absent` lists paths that must not
exist, `present_nil` paths that must exist holding null, `present` paths that must exist."""
import json, os
N = None
USER_YAML = """
top: yup
bottom: null
right: Null
left: NULL
front: ~
back: ""
nested:
  boat: null

global:
  name: Ishmael
  subject: Queequeg
  nested:
    boat: true

pequod:
  boat: null
  global:
    name: Stinky
    harpooner: Tashtego
    nested:
      boat: false
      sail: true
      foo2: null
  ahab:
    scope: whale
    boat: null
    nested:
      foo: true
      boat: null
    object: null
"""
def ch(name, values, *deps):
    return {"name": name, "values": values, "deps": list(deps)}

COMMON_CHECKS = {
 "top": "yup", "back": "", "name": "moby", "global.name": "Ishmael", "global.subject": "Queequeg",
 "global.harpooner": "<no value>", "pequod.name": "pequod", "pequod.ahab.name": "ahab",
 "pequod.ahab.scope": "whale", "pequod.ahab.nested.foo": "true", "pequod.ahab.global.name": "Ishmael",
 "pequod.ahab.global.nested.foo": "bar", "pequod.ahab.global.subject": "Queequeg",
 "pequod.ahab.global.harpooner": "Tashtego", "pequod.global.name": "Ishmael",
 "pequod.global.nested.foo": "<no value>", "pequod.global.subject": "Queequeg",
 "spouter.global.name": "Ishmael", "spouter.global.harpooner": "<no value>",
 "global.nested.boat": "true", "pequod.global.nested.boat": "true", "spouter.global.nested.boat": "true",
 "pequod.global.nested.sail": "true", "spouter.global.nested.sail": "<no value>",
 "global.nested2.l0": "moby", "global.nested2.l1": "<no value>", "global.nested2.l2": "<no value>",
 "pequod.global.nested2.l0": "moby", "pequod.global.nested2.l1": "pequod", "pequod.global.nested2.l2": "<no value>",
 "pequod.ahab.global.nested2.l0": "moby", "pequod.ahab.global.nested2.l1": "pequod",
 "pequod.ahab.global.nested2.l2": "ahab", "spouter.global.nested2.l0": "moby",
 "spouter.global.nested2.l1": "spouter", "spouter.global.nested2.l2": "<no value>",
}
cases = []
coalesce_checks = dict(COMMON_CHECKS)
coalesce_checks["pequod.ahab.global.nested.foo2"] = "<no value>"
cases.append({"name": "TestCoalesceValues", "fn": "coalesce", "user_yaml": USER_YAML,
  "chart": ch("moby", {"back": "exists", "bottom": "exists", "front": "exists", "left": "exists",
      "name": "moby", "nested": {"boat": True}, "override": "bad", "right": "exists", "scope": "moby",
      "top": "nope", "global": {"nested2": {"l0": "moby"}},
      "pequod": {"boat": "maybe", "ahab": {"boat": "maybe", "nested": {"boat": "maybe"}}}},
    ch("pequod", {"name": "pequod", "scope": "pequod", "global": {"nested2": {"l1": "pequod"}},
        "boat": False, "ahab": {"boat": False, "nested": {"boat": False}}},
      ch("ahab", {"global": {"nested": {"foo": "bar", "foo2": "bar2"}, "nested2": {"l2": "ahab"}},
          "scope": "ahab", "name": "ahab", "boat": True, "nested": {"foo": False, "boat": True},
          "object": {"foo": "bar"}})),
    ch("spouter", {"scope": "spouter", "global": {"nested2": {"l1": "spouter"}}})),
  "checks": coalesce_checks,
  "absent": ["bottom", "right", "left", "front", "nested.boat", "pequod.boat", "pequod.ahab.boat",
             "pequod.ahab.nested.boat", "pequod.ahab.object"]})
cases.append({"name": "TestMergeValues", "fn": "merge", "user_yaml": USER_YAML,
  "chart": ch("moby", {"back": "exists", "bottom": "exists", "front": "exists", "left": "exists",
      "name": "moby", "nested": {"boat": True}, "override": "bad", "right": "exists", "scope": "moby",
      "top": "nope", "global": {"nested2": {"l0": "moby"}}},
    ch("pequod", {"name": "pequod", "scope": "pequod", "global": {"nested2": {"l1": "pequod"}}},
      ch("ahab", {"global": {"nested": {"foo": "bar"}, "nested2": {"l2": "ahab"}},
          "scope": "ahab", "name": "ahab", "boat": True, "nested": {"foo": False, "bar": True}})),
    ch("spouter", {"scope": "spouter", "global": {"nested2": {"l1": "spouter"}}})),
  "checks": COMMON_CHECKS,
  "present_nil": ["bottom", "right", "left", "front"],
  "present": ["nested.boat", "pequod.ahab.boat", "pequod.ahab.nested.bar"]})
cases.append({"name": "TestCoalesceValuesEmptyMapWithNils", "fn": "coalesce",
  "user": {"data": {"foo": "bar", "baz": N}}, "chart": ch("test", {"data": {}}),
  "checks": {"data.foo": "bar"}, "present_nil": ["data.baz"]})
cases.append({"name": "TestCoalesceValuesSubchartDefaultNilsCleaned", "fn": "coalesce", "user": {},
  "chart": ch("parent", {}, ch("child", {"keyMapping": {"password": N}})),
  "present": ["child.keyMapping"], "absent": ["child.keyMapping.password"]})
cases.append({"name": "TestCoalesceValuesUserNullErasesSubchartDefault", "fn": "coalesce",
  "user": {"child": {"someKey": N}}, "chart": ch("parent", {}, ch("child", {"someKey": "default"})),
  "present": ["child"], "absent": ["child.someKey"]})
cases.append({"name": "TestCoalesceValuesSubchartNilDoesNotShadowGlobal", "fn": "coalesce",
  "user": {"global": {"ingress": {"feature": True}}},
  "chart": ch("parent", {}, ch("child", {"ingress": {"feature": N}})),
  "present": ["child.ingress"], "absent": ["child.ingress.feature"]})
cases.append({"name": "TestCoalesceValuesSubchartNilCleanedWhenUserPartiallyOverrides", "fn": "coalesce",
  "user": {"child": {"keyMapping": {"format": "sha256"}}},
  "chart": ch("parent", {}, ch("child", {"keyMapping": {"password": N, "format": "bcrypt"}})),
  "checks": {"child.keyMapping.format": "sha256"}, "absent": ["child.keyMapping.password"]})
out = os.path.join(os.path.dirname(__file__), "..", "data", "coalesce.json")
with open(out, "w") as f:
    json.dump({"source": "helm/helm v4.2.3 pkg/chart/common/util/coalesce_test.go", "cases": cases}, f, indent=1)
print(len(cases))
