//! Clusterfile templating, image `*.tmpl` rendering and Config strategies.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use hoist_cluster::{Config, ConfigSpec, Metadata, apply_configs, parse, render, render_templates};

fn data(p: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data")
        .join(p)
}

#[test]
fn clusterfile_template_matches_helm() {
    let tmpl = data("render/Clusterfile.tmpl");
    let text = std::fs::read_to_string(&tmpl).unwrap();
    let opts = hoist_chart::ValueOptions {
        value_files: vec![data("render/values.yaml").display().to_string()],
        values: vec![
            "ssh.port=2222".into(),
            "networking.podSubnet=10.10.0.0/16".into(),
        ],
        ..Default::default()
    };
    let got = render(&text, &tmpl, &opts).unwrap();
    let want: serde_json::Value =
        serde_json::from_slice(&std::fs::read(data("render/expected.json")).unwrap()).unwrap();
    assert_eq!(got, want["t/templates/cf.yaml"].as_str().unwrap());
    let cf = parse(&got, &tmpl).unwrap();
    assert_eq!(cf.cluster.metadata.name, "demo");
    assert_eq!(cf.cluster.spec.ssh.port, Some(2222));
    assert_eq!(
        cf.cluster.masters(),
        vec!["192.168.0.2:22", "192.168.0.3:22"]
    );
    assert_eq!(cf.other.len(), 1);
}

#[test]
fn clusterfile_template_errors_name_the_file() {
    let f = Path::new("/x/Clusterfile");
    let e = render("{{ .Values.a", f, &Default::default()).unwrap_err();
    assert!(
        e.to_string()
            .starts_with("/x/Clusterfile: template: /x/Clusterfile:1:"),
        "{e}"
    );
    let opts = hoist_chart::ValueOptions {
        values: vec!["a".into()],
        ..Default::default()
    };
    let e = render("x", f, &opts).unwrap_err();
    assert!(e.to_string().contains("failed parsing --set data"), "{e}");
}

fn write(dir: &Path, rel: &str, text: &str) {
    let p = dir.join(rel);
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(p, text).unwrap();
}

#[test]
fn templates_in_three_dirs_only() {
    let t = tempfile::tempdir().unwrap();
    let d = t.path();
    write(
        d,
        "etc/shim.yaml.tmpl",
        "address: http://{{ .registryDomain }}:{{ .registryPort }}\n",
    );
    write(
        d,
        "scripts/a/b.sh.tmpl",
        "echo {{ .Env.registryDomain | upper }} {{ .missing }}\n",
    );
    write(
        d,
        "manifests/m.yaml.tmpl",
        "{{ if eq .registryPort \"5000\" }}default{{ end }}",
    );
    write(d, "charts/c.tmpl", "{{ .registryDomain }}");
    write(d, "etc/plain.yaml", "{{ .registryDomain }}");
    write(d, "x.tmpl", "{{ .registryDomain }}");
    {
        use std::os::unix::fs::PermissionsExt;
        let p = d.join("scripts/a/b.sh.tmpl");
        std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    let env: BTreeMap<String, String> =
        [("registryDomain", "sealos.hub"), ("registryPort", "5000")]
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
    let out = render_templates(d, &env).unwrap();
    let got: Vec<(String, String, u32)> = out
        .iter()
        .map(|r| {
            (
                r.rel_path.clone(),
                String::from_utf8(r.bytes.clone()).unwrap(),
                r.mode & 0o777,
            )
        })
        .collect();
    assert_eq!(
        got,
        vec![
            (
                "etc/shim.yaml".to_string(),
                "address: http://sealos.hub:5000\n".to_string(),
                0o644
            ),
            (
                "scripts/a/b.sh".to_string(),
                "echo SEALOS.HUB <no value>\n".to_string(),
                0o755
            ),
            ("manifests/m.yaml".to_string(), "default".to_string(), 0o644),
        ]
    );
    // Nothing written.
    assert!(!d.join("etc/shim.yaml").exists());
    write(d, "etc/bad.tmpl", "line1\n{{ if }}\n");
    let e = render_templates(d, &env).unwrap_err().to_string();
    assert!(e.contains("etc/bad.tmpl") && e.contains(":2:"), "{e}");
}

fn cfg(name: &str, path: &str, strategy: &str, matching: &str, data: &str) -> Config {
    Config {
        metadata: Metadata {
            name: name.into(),
            ..Default::default()
        },
        spec: ConfigSpec {
            match_: matching.into(),
            strategy: strategy.into(),
            data: data.into(),
            path: path.into(),
        },
        ..Default::default()
    }
}

#[test]
fn config_strategies() {
    let t = tempfile::tempdir().unwrap();
    let d = t.path();
    write(
        d,
        "etc/app.yaml",
        "b: 1\nnested:\n  x: 1\n  list: [1, 2]\n---\nother: true\n",
    );
    write(d, "etc/list.txt", "middle");
    write(d, "etc/over.txt", "old");
    let configs = vec![
        cfg(
            "m",
            "etc/app.yaml",
            "merge",
            "",
            "nested:\n  list: [3]\n  z: new\na: 0\n",
        ),
        cfg("i", "etc/list.txt", "insert", "", "first"),
        cfg("a", "etc/list.txt", "append", "img:1", "last"),
        cfg("o", "etc/over.txt", "override", "", "new"),
        cfg("n", "etc/new/deep.txt", "", "", "created"),
        cfg("skip", "etc/over.txt", "", "other:image", "never"),
    ];
    apply_configs(&configs, "img:1", d).unwrap();
    let read = |p: &str| std::fs::read_to_string(d.join(p)).unwrap();
    // sealos: every `---\n` chunk is merged, re-marshalled (sorted keys) and joined by "\n---\n".
    assert_eq!(
        read("etc/app.yaml"),
        "a: 0\nb: 1\nnested:\n  list:\n  - 3\n  x: 1\n  z: new\n\n---\na: 0\nnested:\n  list:\n  - 3\n  z: new\nother: true\n"
    );
    assert_eq!(read("etc/list.txt"), "first\nmiddle\nlast");
    assert_eq!(read("etc/over.txt"), "new");
    assert_eq!(read("etc/new/deep.txt"), "created");
}

#[test]
fn image_config_yml_applies_first_and_paths_stay_inside() {
    let t = tempfile::tempdir().unwrap();
    let d = t.path();
    write(
        d,
        "config.yml",
        "apiVersion: apps.sealos.io/v1beta1\nkind: Config\nmetadata:\n  name: dflt\nspec:\n  path: etc/a.txt\n  data: from-image\n",
    );
    apply_configs(&[], "img", d).unwrap();
    assert_eq!(
        std::fs::read_to_string(d.join("etc/a.txt")).unwrap(),
        "from-image"
    );
    apply_configs(&[cfg("u", "etc/a.txt", "append", "", "user")], "img", d).unwrap();
    assert_eq!(
        std::fs::read_to_string(d.join("etc/a.txt")).unwrap(),
        "from-image\nuser"
    );
    for bad in ["../escape", "/etc/passwd", "etc/../../x", ""] {
        let e = apply_configs(&[cfg("bad", bad, "", "", "x")], "img", d).unwrap_err();
        let e = e.to_string();
        assert!(
            e.contains("must be relative to the image root") || e.contains("spec.path is empty"),
            "{bad}: {e}"
        );
    }
    assert!(!d.parent().unwrap().join("escape").exists());
}

#[test]
fn sealos_extra_template_functions() {
    let f = Path::new("Clusterfile");
    let text = concat!(
        "{{ ipAt \"10.96.0.0/22\" 10 }} {{ ipNet \"10.96.3.7/22\" }} ",
        "{{ ipAt \"10.0.0.0/30\" 4 }} {{ ipNet \"bad\" }} ",
        "{{ (fromYaml \"a: [1, 2]\").a | toJson }} {{ fromYamlArray \"[x, z]\" | toJson }} ",
        "{{ (fromJson \"{\\\"k\\\": true}\").k }} {{ fromJsonArray \"[1]\" | toJson }} ",
        "{{ dict \"b\" 1 | toYaml }}"
    );
    let got = render(text, f, &Default::default()).unwrap();
    assert_eq!(
        got,
        "10.96.0.10 10.96.0.0/22 out of ip address range invalid cidr: invalid CIDR address: bad \
         [1,2] [\"x\",\"z\"] true [1] b: 1"
    );
}

/// labring/sealos lifecycle/pkg/config/config_test.go Test_NewConfiguration_Dump.
#[test]
fn sealos_config_dump_merge() {
    let t = tempfile::tempdir().unwrap();
    let name = "dockerhub.tencentcloudcr.com/labring/calico:v3.24.1";
    write(t.path(), "test.yaml", "config:\n  test: false\n");
    let c = cfg("", "test.yaml", "merge", name, "config:\n  test: true");
    apply_configs(&[c], name, t.path()).unwrap();
    assert_eq!(
        std::fs::read_to_string(t.path().join("test.yaml")).unwrap(),
        "config:\n  test: true\n"
    );
}
