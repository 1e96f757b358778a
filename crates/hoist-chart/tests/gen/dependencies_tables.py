#!/usr/bin/env python3
"""Transcription of helm/helm v4.2.3 pkg/chart/v2/util/dependencies_test.go tables into
tests/data/dependencies.json (charts in tests/data/helm-testdata, copied from that package's
testdata)."""
import json, os
M = dict
enabled = [
 ("tags with no effect", M(tags=M(nothinguseful=False)), ["parentchart", "parentchart.subchart1", "parentchart.subchart1.subcharta", "parentchart.subchart1.subchartb"]),
 ("tags disabling a group", M(tags={"front-end": False}), ["parentchart"]),
 ("tags disabling a group and enabling a different group", M(tags={"front-end": False, "back-end": True}), ["parentchart", "parentchart.subchart2", "parentchart.subchart2.subchartb", "parentchart.subchart2.subchartc"]),
 ("tags disabling only children", M(tags=M(subcharta=False, subchartb=False)), ["parentchart", "parentchart.subchart1", "parentchart.subchart1.subcharta", "parentchart.subchart1.subchartb"]),
 ("tags disabling all parents/children with additional tag re-enabling a parent", M(tags={"front-end": False, "subchart1": True, "back-end": False}), ["parentchart", "parentchart.subchart1"]),
 ("conditions enabling the parent charts", M(subchart1=M(enabled=True), subchart2=M(enabled=True)), ["parentchart", "parentchart.subchart1", "parentchart.subchart1.subcharta", "parentchart.subchart1.subchartb", "parentchart.subchart2"]),
 ("conditions disabling the parent charts", M(subchart1=M(enabled=False), subchart2=M(enabled=False)), ["parentchart"]),
 ("conditions a child using the second condition path", M(subchart1=M(subcharta=M(enabled=False))), ["parentchart", "parentchart.subchart1", "parentchart.subchart1.subchartb"]),
 ("tags enabling a parent/child group with condition disabling one child", M(subchart2=M(subchartc=M(enabled=False)), tags={"back-end": True}), ["parentchart", "parentchart.subchart1", "parentchart.subchart1.subcharta", "parentchart.subchart1.subchartb", "parentchart.subchart2", "parentchart.subchart2.subchartb"]),
 ("tags will not enable a child if parent is explicitly disabled", M(subchart1=M(enabled=False), tags={"front-end": True}), ["parentchart"]),
 ("subcharts with alias also respect conditions", M(subchart1=M(enabled=False), subchart2alias=M(enabled=True, subchartb=M(enabled=True))), ["parentchart", "parentchart.subchart2alias", "parentchart.subchart2alias.subchartb"]),
]
imports = {
 "imported-chart1.SC1bool": "true", "imported-chart1.SC1float": "3.14", "imported-chart1.SC1int": "100",
 "imported-chart1.SC1string": "dollywood", "imported-chart1.SC1extra1": "11", "imported-chart1.SPextra1": "helm rocks",
 "imported-chartA.SCAbool": "false", "imported-chartA.SCAfloat": "3.1", "imported-chartA.SCAint": "55",
 "imported-chartA.SCAstring": "jabba", "imported-chartA.SPextra3": "1.337", "imported-chartA.SC1extra2": "1.337",
 "imported-chartA.SCAnested1.SCAnested2": "true",
 "imported-chartA-B.SCAbool": "false", "imported-chartA-B.SCAfloat": "3.1", "imported-chartA-B.SCAint": "55",
 "imported-chartA-B.SCAstring": "jabba", "imported-chartA-B.SCBbool": "true", "imported-chartA-B.SCBfloat": "7.77",
 "imported-chartA-B.SCBint": "33", "imported-chartA-B.SCBstring": "boba", "imported-chartA-B.SPextra5": "k8s",
 "imported-chartA-B.SC1extra5": "tiller",
 "overridden-chart1.SC1bool": "false", "overridden-chart1.SC1float": "3.141592", "overridden-chart1.SC1int": "99",
 "overridden-chart1.SC1string": "pollywog", "overridden-chart1.SPextra2": "42",
 "overridden-chartA.SCAbool": "true", "overridden-chartA.SCAfloat": "41.3", "overridden-chartA.SCAint": "808",
 "overridden-chartA.SCAstring": "jabberwocky", "overridden-chartA.SPextra4": "true",
 "overridden-chartA-B.SCAbool": "true", "overridden-chartA-B.SCAfloat": "41.3", "overridden-chartA-B.SCAint": "808",
 "overridden-chartA-B.SCAstring": "jabberwocky", "overridden-chartA-B.SCBbool": "false",
 "overridden-chartA-B.SCBfloat": "1.99", "overridden-chartA-B.SCBint": "77", "overridden-chartA-B.SCBstring": "jango",
 "overridden-chartA-B.SPextra6": "111", "overridden-chartA-B.SCAextra1": "23", "overridden-chartA-B.SCBextra1": "13",
 "overridden-chartA-B.SC1extra6": "77",
 "SCBexported1B": "1965", "SC1extra7": "true", "SCBexported2A": "blaster",
 "global.SC1exported2.all.SC1exported3": "SC1expstr",
}
aliased = {"foo-defaults.defaultValue": "42", "bar-defaults.defaultValue": "42",
 "foo.defaults.defaultValue": "42", "bar.defaults.defaultValue": "42",
 "foo.grandchild.defaults.defaultValue": "42", "bar.grandchild.defaults.defaultValue": "42"}
multilevel = {"app1.service.port": "3456", "app2.service.port": "8080", "app3.service.port": "9090", "app4.service.port": "1234"}
out = {"source": "helm/helm v4.2.3 pkg/chart/v2/util/dependencies_test.go",
       "enabled": [{"name": n, "values": v, "expect": e} for n, v, e in enabled],
       "import_values_subpop": imports, "import_values_aliased": aliased, "import_values_multilevel": multilevel}
with open(os.path.join(os.path.dirname(__file__), "..", "data", "dependencies.json"), "w") as f:
    json.dump(out, f, indent=1)
