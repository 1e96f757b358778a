//! `hoist build` and the local store through the command line, read back with skopeo.

use std::path::{Path, PathBuf};
use std::process::Command;

struct TempDir(PathBuf);

impl TempDir {
    fn new(name: &str) -> Self {
        let dir = std::env::temp_dir().join(format!("hoist-image-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        TempDir(dir)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn hoist(root: &Path, args: &[&str]) -> (bool, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_hoist"))
        .args(args)
        .env("HOIST_ROOT", root)
        .output()
        .unwrap();
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// The Kubefile syntax real cluster images use (the issue's example).
const KUBEFILE: &str = r#"FROM scratch
ENV NAME=${NAME:-"calico"}
ENV NAMESPACE=tigera-operator
LABEL init="init.sh \$registryDomain"
COPY . .
CMD ["helm upgrade -i $(NAME) charts/calico -n $(NAMESPACE)"]
"#;

fn context(dir: &Path) -> PathBuf {
    let ctx = dir.join("ctx");
    std::fs::create_dir_all(ctx.join("charts/calico/templates")).unwrap();
    std::fs::write(ctx.join("Kubefile"), KUBEFILE).unwrap();
    std::fs::write(
        ctx.join("charts/calico/Chart.yaml"),
        "apiVersion: v2\nname: calico\nversion: 0.1.0\n",
    )
    .unwrap();
    std::fs::write(
        ctx.join("charts/calico/templates/ds.yaml"),
        "spec:\n  image: {{ .Values.image | default \"calico/node:v3.26.1\" }}\n",
    )
    .unwrap();
    ctx
}

#[test]
fn build_store_and_skopeo_agree() {
    let tmp = TempDir::new("build");
    let root = tmp.0.join("store");
    let ctx = context(&tmp.0);
    let ctx_s = ctx.to_str().unwrap();

    // The images the context needs: the chart is rendered to find them.
    let (ok, stdout, stderr) = hoist(&root, &["registry", "images", ctx_s]);
    assert!(ok, "{stderr}");
    assert_eq!(stdout, "docker.io/calico/node:v3.26.1\n");

    let (ok, first, stderr) = hoist(
        &root,
        &["build", "--save-image=false", "-t", "calico:v3", ctx_s],
    );
    assert!(ok, "{stderr}");
    // Same context, same digest.
    let (ok, second, stderr) = hoist(
        &root,
        &["build", "--save-image=false", "-t", "calico:v3", ctx_s],
    );
    assert!(ok, "{stderr}");
    assert_eq!(first, second);
    assert!(first.starts_with("sha256:"), "{first}");

    let (ok, listing, _) = hoist(&root, &["images", "-o", "json"]);
    assert!(ok);
    let rows: serde_json::Value = serde_json::from_str(&listing).unwrap();
    assert_eq!(rows[0]["name"], "docker.io/library/calico:v3");
    assert_eq!(rows[0]["digest"], first.trim());

    if Command::new("skopeo").arg("--version").output().is_err() {
        println!("skipped the skopeo half: skopeo is not installed");
        return;
    }
    let oci = format!("oci:{}:docker.io/library/calico:v3", root.display());
    let out = Command::new("skopeo")
        .args(["inspect", "--config", &oci])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let config: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        config["config"]["Labels"],
        serde_json::json!({"init": "init.sh $registryDomain"})
    );
    assert_eq!(
        config["config"]["Cmd"],
        serde_json::json!(["helm upgrade -i $(NAME) charts/calico -n $(NAMESPACE)"])
    );
    let env = config["config"]["Env"].as_array().unwrap();
    assert!(env.contains(&serde_json::json!("NAME=calico")), "{env:?}");
    assert!(
        env.contains(&serde_json::json!("NAMESPACE=tigera-operator")),
        "{env:?}"
    );

    let out = Command::new("skopeo")
        .args(["inspect", "--raw", &oci])
        .output()
        .unwrap();
    let manifest_digest = format!("sha256:{}", sha256_hex(&out.stdout));
    assert_eq!(manifest_digest, first.trim());

    // Archives: skopeo reads what `save` writes, and `load` brings it into another store.
    for format in ["oci-archive", "docker-archive"] {
        let archive = tmp.0.join(format!("calico.{format}.tar"));
        let archive_s = archive.to_str().unwrap();
        let (ok, _, stderr) = hoist(
            &root,
            &["save", "--format", format, "-o", archive_s, "calico:v3"],
        );
        assert!(ok, "{stderr}");
        let out = Command::new("skopeo")
            .args(["inspect", "--config", &format!("{format}:{archive_s}")])
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let saved: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(saved["config"]["Labels"], config["config"]["Labels"]);
        let other = tmp.0.join(format!("store-{format}"));
        let (ok, stdout, stderr) = hoist(&other, &["load", "-i", archive_s]);
        assert!(ok, "{stderr}");
        assert_eq!(stdout, "Loaded image: docker.io/library/calico:v3\n");
    }

    let (ok, _, _) = hoist(&root, &["rmi", "calico:v3"]);
    assert!(ok);
    let (ok, listing, _) = hoist(&root, &["images", "-o", "json"]);
    assert!(ok);
    assert_eq!(listing.trim(), "[]");
}

#[test]
fn run_instruction_is_refused_with_file_and_line() {
    let tmp = TempDir::new("run");
    let ctx = tmp.0.join("ctx");
    std::fs::create_dir_all(&ctx).unwrap();
    std::fs::write(
        ctx.join("Kubefile"),
        "FROM scratch\nCOPY . .\nRUN echo hi\n",
    )
    .unwrap();
    let (ok, _, stderr) = hoist(
        &tmp.0.join("store"),
        &["build", "--save-image=false", ctx.to_str().unwrap()],
    );
    assert!(!ok);
    assert!(
        stderr.contains("Kubefile:3: RUN is not supported"),
        "{stderr}"
    );
}

fn sha256_hex(bytes: &[u8]) -> String {
    let out = Command::new("sha256sum")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .and_then(|mut child| {
            use std::io::Write;
            child.stdin.take().unwrap().write_all(bytes)?;
            child.wait_with_output()
        })
        .unwrap();
    String::from_utf8_lossy(&out.stdout)
        .split_whitespace()
        .next()
        .unwrap()
        .to_string()
}
