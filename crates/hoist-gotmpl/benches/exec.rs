//! Renders a template with nested includes over a large map.

use criterion::{Criterion, criterion_group, criterion_main};
use hoist_gotmpl::{ArgType, Func, FuncError, FuncMap, Map, Signature, State, Templates, Value};

fn data() -> Value {
    let mut items = Vec::new();
    for i in 0..500 {
        let mut m = Map::new();
        m.insert("name".into(), Value::from(format!("item-{i}")));
        m.insert("port".into(), Value::Float(8000.0 + i as f64));
        m.insert("enabled".into(), Value::Bool(i % 3 != 0));
        let mut labels = Map::new();
        for j in 0..8 {
            labels.insert(format!("k{j}"), Value::from(format!("v{j}")));
        }
        m.insert("labels".into(), Value::map(labels));
        items.push(Value::map(m));
    }
    let mut values = Map::new();
    values.insert("items".into(), Value::list(items));
    values.insert("name".into(), Value::string("bench"));
    let mut top = Map::new();
    top.insert("Values".into(), Value::map(values));
    Value::map(top)
}

const TEMPLATE: &str = r#"{{- define "labels" -}}
{{- range $k, $v := . }}
    {{ $k }}: {{ $v | printf "%q" }}
{{- end }}
{{- end -}}
{{- define "item" -}}
- name: {{ .name }}
  port: {{ .port }}
  {{- if .enabled }}
  labels:{{ include "labels" .labels }}
  {{- end }}
{{- end -}}
items:
{{- range .Values.items }}
{{ include "item" . }}
{{- end }}
"#;

fn bench(c: &mut Criterion) {
    let mut funcs = FuncMap::new();
    funcs.insert(
        "include",
        Func::stateful(
            Signature::fixed(&[ArgType::String, ArgType::Any]),
            |st: &mut State<'_>, a| {
                let name = a[0].as_str().unwrap_or_default().to_string();
                st.execute_template(&name, &a[1])
                    .map(Value::from)
                    .map_err(|e| FuncError::with_source(e.to_string(), e))
            },
        ),
    );
    let mut t = Templates::new(funcs);
    t.parse("bench.yaml", TEMPLATE).expect("parses");
    let data = data();
    c.bench_function("nested_includes_500_items", |b| {
        b.iter(|| t.execute("bench.yaml", &data).expect("renders"))
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
