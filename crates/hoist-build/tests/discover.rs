//! Image discovery on small contexts (expected lists in the data files, with their sources).

use std::path::{Path, PathBuf};

use hoist_build::discover::{discover, images_in_text, render_chart_images, tar_images};

fn data(p: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data")
        .join(p)
}

fn expected(p: &Path) -> Vec<String> {
    std::fs::read_to_string(p)
        .unwrap()
        .lines()
        .filter(|l| !l.starts_with('#') && !l.is_empty())
        .map(String::from)
        .collect()
}

#[test]
fn calico_context_images() {
    let ctx = data("contexts/calico");
    let got = discover(&ctx).unwrap();
    assert_eq!(got.images, expected(&ctx.join("expected-images.txt")));
    let tars: Vec<String> = got.tars.iter().map(|t| t.to_sealos_string()).collect();
    assert_eq!(
        tars,
        vec![
            format!(
                "docker-archive:{}/images/skopeo/calico.tar@calico/calico:v1",
                ctx.display()
            ),
            format!("oci-archive:{}/images/x/y.tar@a/b", ctx.display()),
        ]
    );
}

#[test]
fn chart_render_matches_oracle_scan() {
    let ctx = data("contexts/calico");
    let oracle = std::fs::read_to_string(data("calico-chart-render.txt")).unwrap();
    let got = render_chart_images(&ctx.join("charts/calico")).unwrap();
    assert_eq!(got, images_in_text(&oracle));
    assert_eq!(
        got,
        vec![
            "docker.io/library/busybox",
            "quay.io/tigera/operator:v1.28.0"
        ]
    );
}

#[test]
fn empty_context_has_no_images() {
    let dir = tempfile::tempdir().unwrap();
    let got = discover(dir.path()).unwrap();
    assert!(got.images.is_empty() && got.tars.is_empty());
}

#[test]
fn bad_tar_line_names_file_and_line() {
    let dir = tempfile::tempdir().unwrap();
    let sk = dir.path().join("images/skopeo");
    std::fs::create_dir_all(&sk).unwrap();
    std::fs::write(
        sk.join("tar.txt"),
        "docker-archive:a.tar@x/y\nfoo.tar@x/y\n",
    )
    .unwrap();
    let err = tar_images(dir.path()).unwrap_err().to_string();
    assert!(
        err.contains("tar.txt:2: invalid image format: foo.tar@x/y , must prefix"),
        "{err}"
    );
}

#[test]
fn broken_chart_error_names_chart() {
    let dir = tempfile::tempdir().unwrap();
    let c = dir.path().join("charts/bad/templates");
    std::fs::create_dir_all(&c).unwrap();
    std::fs::write(
        dir.path().join("charts/bad/Chart.yaml"),
        "apiVersion: v2\nname: bad\nversion: 0.1.0\n",
    )
    .unwrap();
    std::fs::write(c.join("x.yaml"), "{{ fail \"boom\" }}\n").unwrap();
    let err = discover(dir.path()).unwrap_err().to_string();
    assert!(err.contains("charts/bad") && err.contains("boom"), "{err}");
}

#[test]
fn sealos_form_drops_digest_when_tagged() {
    use hoist_build::discover::sealos_form;
    let d = "sha256:86e0e091d0da6bde2456dbb48306f3956bbeb2eae1b5b9a43045843f69fe4aaa";
    let r = hoist_oci::Reference::parse_name_only(&format!("busybox:1@{d}")).unwrap();
    assert_eq!(sealos_form(&r), "docker.io/library/busybox:1");
    let r = hoist_oci::Reference::parse_name_only(&format!("busybox@{d}")).unwrap();
    assert_eq!(sealos_form(&r), format!("docker.io/library/busybox@{d}"));
    let r = hoist_oci::Reference::parse_name_only("quay.io/x/y").unwrap();
    assert_eq!(sealos_form(&r), "quay.io/x/y");
}
