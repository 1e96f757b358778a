#!/usr/bin/env python3
"""Transcription of helm/helm v4.2.3 pkg/strvals/parser_test.go and literal_parser_test.go
tables into tests/data/strvals.json. Expected values are Helm's (compared after YAML/JSON
marshal upstream, so ints and floats compare equal; strings and numbers do not)."""
import json, os
N = None
cases = []
def c(fn, inp, expect=None, err=False, got=None, input2=None, err_str=None):
    d = {"fn": fn, "input": inp, "err": err}
    if expect is not None: d["expect"] = expect
    if got is not None: d["got"] = got
    if input2 is not None: d["input2"] = input2
    if err_str is not None: d["err_str"] = err_str
    cases.append(d)

# TestParseSet testsString (ParseString)
c("parse_string", "long_int_string=1234567890", {"long_int_string": "1234567890"})
c("parse_string", "boolean=true", {"boolean": "true"})
c("parse_string", "is_null=null", {"is_null": "null"})
c("parse_string", "zero=0", {"zero": "0"})
# TestParseSet tests (Parse)
P = "parse"
c(P, "name1=null,f=false,t=true", {"name1": N, "f": False, "t": True})
c(P, "name1=value1", {"name1": "value1"})
c(P, "name1=value1,name2=value2", {"name1": "value1", "name2": "value2"})
c(P, "name1=value1,name2=value2,", {"name1": "value1", "name2": "value2"})
c(P, "name1=value1,,,,name2=value2,", err=True)
c(P, "name1=,name2=value2", {"name1": "", "name2": "value2"})
c(P, "leading_zeros=00009", {"leading_zeros": "00009"})
c(P, "zero_int=0", {"zero_int": 0})
c(P, "long_int=1234567890", {"long_int": 1234567890})
c(P, "boolean=true", {"boolean": True})
c(P, "is_null=null", {"is_null": N})
c(P, "name1,name2=", err=True)
c(P, "name1,name2=value2", err=True)
c(P, "name1,name2=value2\\", err=True)
c(P, "name1,name2", err=True)
c(P, "name1=one\\,two,name2=three\\,four", {"name1": "one,two", "name2": "three,four"})
c(P, "name1=one\\=two,name2=three\\=four", {"name1": "one=two", "name2": "three=four"})
c(P, "name1=one two three,name2=three two one", {"name1": "one two three", "name2": "three two one"})
c(P, "outer.inner=value", {"outer": {"inner": "value"}})
c(P, "outer.middle.inner=value", {"outer": {"middle": {"inner": "value"}}})
c(P, "outer.inner1=value,outer.inner2=value2", {"outer": {"inner1": "value", "inner2": "value2"}})
c(P, "outer.inner1=value,outer.middle.inner=value", {"outer": {"inner1": "value", "middle": {"inner": "value"}}})
c(P, "name1.name2", err=True)
c(P, "name1.name2,name1.name3", err=True)
c(P, "name1.name2=", {"name1": {"name2": ""}})
c(P, "name1.=name2", err=True)
c(P, "name1.,name2", err=True)
c(P, "name1={value1,value2}", {"name1": ["value1", "value2"]})
c(P, "name1={value1,value2},name2={value1,value2}", {"name1": ["value1", "value2"], "name2": ["value1", "value2"]})
c(P, "name1={1021,902}", {"name1": [1021, 902]})
c(P, "name1.name2={value1,value2}", {"name1": {"name2": ["value1", "value2"]}})
c(P, "name1={1021,902", err=True)
c(P, "list[0]=foo", {"list": ["foo"]})
c(P, "list[0].foo=bar", {"list": [{"foo": "bar"}]})
c(P, "list[0].foo=bar,list[0].hello=world", {"list": [{"foo": "bar", "hello": "world"}]})
c(P, "list[0].foo=bar,list[-30].hello=world", err=True)
c(P, "list[0]=foo,list[1]=bar", {"list": ["foo", "bar"]})
c(P, "list[0]=foo,list[1]=bar,", {"list": ["foo", "bar"]})
c(P, "list[0]=foo,list[3]=bar", {"list": ["foo", N, N, "bar"]})
c(P, "list[0]=foo,list[-20]=bar", err=True)
c(P, "illegal[0]name.foo=bar", err=True)
c(P, "noval[0]", {"noval": []})
c(P, "noval[0]=", {"noval": [""]})
c(P, "nested[0][0]=1", {"nested": [[1]]})
c(P, "nested[1][1]=1", {"nested": [N, [N, 1]]})
c(P, "name1.name2[0].foo=bar,name1.name2[1].foo=bar", {"name1": {"name2": [{"foo": "bar"}, {"foo": "bar"}]}})
c(P, "name1.name2[1].foo=bar,name1.name2[0].foo=bar", {"name1": {"name2": [{"foo": "bar"}, {"foo": "bar"}]}})
c(P, "name1.name2[1].foo=bar", {"name1": {"name2": [N, {"foo": "bar"}]}})
c(P, "]={}].", err=True)
# TestParseInto
I = "parse_into"
c(I, "outer.inner1=value1,outer.inner3=value3,outer.inner4=4",
  got={"outer": {"inner1": "overwrite", "inner2": "value2"}},
  expect={"outer": {"inner1": "value1", "inner2": "value2", "inner3": "value3", "inner4": 4}})
c(I, "listOuter[0][0].type=listValue", input2="listOuter[0][0].status=alive", got={},
  expect={"listOuter": [[{"type": "listValue", "status": "alive"}]]})
c(I, "listOuter[0][0].type=listValue", input2="listOuter[1][0].status=alive", got={},
  expect={"listOuter": [[{"type": "listValue"}], [{"status": "alive"}]]})
c(I, "listOuter[0][1][0].type=listValue", input2="listOuter[0][0][1].status=alive",
  got={"listOuter": [[[{"exited": "old"}]]]},
  expect={"listOuter": [[[{"exited": "old"}, {"status": "alive"}], [{"type": "listValue"}]]]})
# TestParseIntoString
c("parse_into_string", "outer.inner1=1,outer.inner3=3",
  got={"outer": {"inner1": "overwrite", "inner2": "value2"}},
  expect={"outer": {"inner1": "1", "inner2": "value2", "inner3": "3"}})
# TestParseJSON
J = "parse_json"
c(J, "outer.inner1=\"1\",outer.inner3=3,outer.inner4=true,outer.inner5=\"true\"",
  got={"outer": {"inner1": "overwrite", "inner2": "value2"}},
  expect={"outer": {"inner1": "1", "inner2": "value2", "inner3": 3, "inner4": True, "inner5": "true"}})
c(J, "outer.inner1={\"a\":\"1\",\"b\":2,\"c\":[1,2,3]},outer.inner3=[\"new value 1\",\"new value 2\"],outer.inner4={\"aa\":\"1\",\"bb\":2,\"cc\":[1,2,3]},outer.inner5=[{\"A\":\"1\",\"B\":2,\"C\":[1,2,3]}]",
  got={"outer": {"inner1": {"x": "overwrite"}, "inner2": "value2", "inner3": ["overwrite"]}},
  expect={"outer": {"inner1": {"a": "1", "b": 2, "c": [1, 2, 3]}, "inner2": "value2",
                    "inner3": ["new value 1", "new value 2"],
                    "inner4": {"aa": "1", "bb": 2, "cc": [1, 2, 3]},
                    "inner5": [{"A": "1", "B": 2, "C": [1, 2, 3]}]}})
c(J, "outer.inner1=,outer.inner3={\"aa\":\"1\",\"bb\":2,\"cc\":[1,2,3]},outer.inner3.cc[1]=null",
  got={"outer": {"inner1": {"x": "overwrite"}, "inner2": "value2"}},
  expect={"outer": {"inner1": N, "inner2": "value2", "inner3": {"aa": "1", "bb": 2, "cc": [1, N, 3]}}})
c(J, "outer.inner1={\"a\":\"1\",\"b\":2,\"c\":[1,2,3]},outer.inner3=[\"new value 1\",\"new value 2\"],outer.inner4={\"aa\":\"1\",\"bb\":2,\"cc\":[1,2,3]},outer.inner5={\"A\":\"1\",\"B\":2,\"C\":[1,2,3]}]",
  got={}, err=True)
# TestParseSetNestedLevels
deep = "".join("name%d%s" % (i, "." if i <= 31 else "") for i in range(1, 33))
c(P, "outer.middle.inner=value", {"outer": {"middle": {"inner": "value"}}})
c(P, deep + "=value", err=True, err_str="value name nested level is greater than maximum supported nested level of 30")

# literal_parser_test.go TestParseLiteral
L = "parse_literal"
c(L, "name", err=True)
c(L, "name=", {"name": ""})
c(L, "name=value", {"name": "value"})
c(L, "long_int_string=1234567890", {"long_int_string": "1234567890"})
c(L, "boolean=true", {"boolean": "true"})
c(L, "is_null=null", {"is_null": "null"})
c(L, "zero=0", {"zero": "0"})
c(L, "name1=null,name2=value2", {"name1": "null,name2=value2"})
c(L, "name1=value,,,tail", {"name1": "value,,,tail"})
c(L, "leading_zeros=00009", {"leading_zeros": "00009"})
c(L, "name=one two three", {"name": "one two three"})
c(L, "outer.inner=value", {"outer": {"inner": "value"}})
c(L, "outer.middle.inner=value", {"outer": {"middle": {"inner": "value"}}})
c(L, "name1.name2", err=True)
c(L, "name1.name2=", {"name1": {"name2": ""}})
c(L, "name1.=name2", err=True)
c(L, "name1.,name2", err=True)
c(L, "name1={value1,value2}", {"name1": "{value1,value2}"})
c(L, "list[0]=foo", {"list": ["foo"]})
c(L, "list[0].foo=bar", {"list": [{"foo": "bar"}]})
c(L, "list[-30].hello=world", err=True)
c(L, "list[3]=bar", {"list": [N, N, N, "bar"]})
c(L, "illegal[0]name.foo=bar", err=True)
c(L, "noval[0]", {"noval": []})
c(L, "noval[0]=", {"noval": [""]})
c(L, "nested[0][0]=1", {"nested": [["1"]]})
c(L, "nested[1][1]=1", {"nested": [N, [N, "1"]]})
c(L, "name1.name2[0].foo=bar", {"name1": {"name2": [{"foo": "bar"}]}})
c(L, "name1.name2[1].foo=bar", {"name1": {"name2": [N, {"foo": "bar"}]}})
c(L, "name1.name2[1].foo=bar", {"name1": {"name2": [N, {"foo": "bar"}]}})
c(L, "]={}].", {"]": "{}]."})
for s in ["val,val", "val.val", "val=val", "val$val", "(value", "value)", "(value)", "{value",
          "value}", "{value}", "{value1,value2}", "val\\val", "val\\\\val", "val\\\\\\val",
          "{val,.?*v\\0a!l)some", "em%GT)tqUDqz,i-\\h+Mbqs-!:.m\\\\rE=mkbM#rR}@{-k@"]:
    c(L, "name=" + s, {"name": s})
# TestParseLiteralInto
LI = "parse_literal_into"
c(LI, "outer.inner1=value1,outer.inner3=value3,outer.inner4=4",
  got={"outer": {"inner1": "overwrite", "inner2": "value2"}},
  expect={"outer": {"inner1": "value1,outer.inner3=value3,outer.inner4=4", "inner2": "value2"}})
c(LI, "listOuter[0][0].type=listValue", input2="listOuter[0][0].status=alive", got={},
  expect={"listOuter": [[{"type": "listValue", "status": "alive"}]]})
c(LI, "listOuter[0][0].type=listValue", input2="listOuter[1][0].status=alive", got={},
  expect={"listOuter": [[{"type": "listValue"}], [{"status": "alive"}]]})
c(LI, "listOuter[0][1][0].type=listValue", input2="listOuter[0][0][1].status=alive",
  got={"listOuter": [[[{"exited": "old"}]]]},
  expect={"listOuter": [[[{"exited": "old"}, {"status": "alive"}], [{"type": "listValue"}]]]})
# TestParseLiteralNestedLevels
c(L, "outer.middle.inner=value", {"outer": {"middle": {"inner": "value"}}})
c(L, deep + "=value", err=True, err_str="value name nested level is greater than maximum supported nested level of 30")

out = os.path.join(os.path.dirname(__file__), "..", "data", "strvals.json")
with open(out, "w") as f:
    f.write('{"source": "helm/helm v4.2.3 pkg/strvals/parser_test.go, literal_parser_test.go",\n "cases": [\n')
    f.write(",\n".join("  " + json.dumps(x, ensure_ascii=False) for x in cases))
    f.write("\n]}\n")
print(len(cases))
