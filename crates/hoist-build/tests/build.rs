//! Building images: the issue's Kubefile, determinism, refusals, bases, ADD archives.
//!
//! Expected config values follow buildah (openshift/imagebuilder `dispatchers.go`: CMD JSON form
//! kept verbatim, shell form wrapped in `/bin/sh -c`; `evaluator.go`: ENV/LABEL expanded, CMD
//! not; `builder.go` `FromImage`: a default PATH when the base has none).

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::Command;

use hoist_build::{BuildOptions, Platform, build};
use serde_json::Value;

fn data(p: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data")
        .join(p)
}

fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let t = to.join(e.file_name());
        if e.file_type().unwrap().is_dir() {
            copy_tree(&e.path(), &t);
        } else {
            std::fs::copy(e.path(), &t).unwrap();
        }
    }
}

fn opts(ctx: &Path, out: &Path) -> BuildOptions {
    BuildOptions {
        context: ctx.to_path_buf(),
        output: out.to_path_buf(),
        tag: Some("docker.io/labring/calico:v3.28.0".into()),
        platform: Platform::parse("linux/amd64").unwrap(),
        ..Default::default()
    }
}

fn config(out: &Path, img: &hoist_build::BuiltImage) -> Value {
    let d = img.config_digest.as_ref().unwrap();
    let bytes = std::fs::read(
        out.join("blobs/sha256")
            .join(d.trim_start_matches("sha256:")),
    )
    .unwrap();
    assert_eq!(bytes, img.config_bytes);
    serde_json::from_slice(&bytes).unwrap()
}

fn layer_names(out: &Path, digest: &str) -> Vec<(String, u64, u32, u64)> {
    let f = std::fs::File::open(
        out.join("blobs/sha256")
            .join(digest.trim_start_matches("sha256:")),
    )
    .unwrap();
    let mut ar = tar::Archive::new(flate2::read::GzDecoder::new(f));
    let mut v = Vec::new();
    for e in ar.entries().unwrap() {
        let mut e = e.unwrap();
        let h = e.header().clone();
        let mut sink = Vec::new();
        e.read_to_end(&mut sink).unwrap();
        v.push((
            String::from_utf8(e.path_bytes().to_vec()).unwrap(),
            h.mtime().unwrap(),
            h.mode().unwrap(),
            h.uid().unwrap(),
        ));
    }
    v
}

#[test]
fn issue_kubefile_builds_with_buildah_config() {
    let tmp = tempfile::tempdir().unwrap();
    let ctx = tmp.path().join("ctx");
    copy_tree(&data("contexts/calico"), &ctx);
    let out = tmp.path().join("out");
    let img = build(&opts(&ctx, &out)).unwrap();
    let cfg = config(&out, &img);
    assert_eq!(cfg["architecture"], "amd64");
    assert_eq!(cfg["os"], "linux");
    assert_eq!(cfg["created"], "1970-01-01T00:00:00Z");
    let c = &cfg["config"];
    assert_eq!(
        c["Env"],
        serde_json::json!([
            "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
            "NAME=calico",
            "NAMESPACE=tigera-operator"
        ])
    );
    assert_eq!(
        c["Labels"],
        serde_json::json!({"init": "init.sh $registryDomain"})
    );
    assert_eq!(
        c["Cmd"],
        serde_json::json!(["helm upgrade -i $(NAME) charts/calico -n $(NAMESPACE)"])
    );
    assert!(c.get("Entrypoint").is_none());
    assert_eq!(cfg["rootfs"]["diff_ids"].as_array().unwrap().len(), 1);
    assert_eq!(cfg["history"].as_array().unwrap().len(), 5);
    assert_eq!(
        cfg["history"][0]["created_by"],
        "/bin/sh -c #(nop) ENV NAME=calico"
    );
    // One layer with the whole context, registry/ included, normalised headers.
    assert_eq!(img.layers.len(), 1);
    let entries = layer_names(&out, &img.layers[0].digest);
    let names: Vec<&str> = entries.iter().map(|e| e.0.as_str()).collect();
    assert!(names.contains(&"Kubefile"));
    assert!(names.contains(&"charts/"));
    assert!(names.contains(&"charts/calico/templates/deploy.yaml"));
    assert!(names.contains(&"registry/docker/registry/v2/repositories/calico/marker"));
    let mut sorted = names.clone();
    sorted.sort();
    assert_eq!(names, sorted);
    assert!(entries.iter().all(|e| e.1 == 0 && e.3 == 0));
    // index.json names the tag.
    let index: Value =
        serde_json::from_slice(&std::fs::read(out.join("index.json")).unwrap()).unwrap();
    assert_eq!(
        index["manifests"][0]["annotations"]["org.opencontainers.image.ref.name"],
        "docker.io/labring/calico:v3.28.0"
    );
    assert_eq!(
        index["manifests"][0]["digest"],
        img.manifest.as_ref().unwrap().digest
    );
}

#[test]
fn same_context_same_digest_even_with_new_mtimes() {
    let tmp = tempfile::tempdir().unwrap();
    let ctx = tmp.path().join("ctx");
    copy_tree(&data("contexts/calico"), &ctx);
    let a = build(&opts(&ctx, &tmp.path().join("a"))).unwrap();
    // Touch every file.
    for e in walkdir::WalkDir::new(&ctx) {
        let e = e.unwrap();
        if e.file_type().is_file() {
            let f = std::fs::OpenOptions::new()
                .write(true)
                .open(e.path())
                .unwrap();
            f.set_modified(std::time::SystemTime::now() + std::time::Duration::from_secs(3600))
                .unwrap();
        }
    }
    let b = build(&opts(&ctx, &tmp.path().join("b"))).unwrap();
    assert_eq!(a.manifest, b.manifest);
    assert_eq!(a.layers, b.layers);
    // A content change changes the digest.
    std::fs::write(ctx.join("manifests/a.yaml"), "changed\n").unwrap();
    let c = build(&opts(&ctx, &tmp.path().join("c"))).unwrap();
    assert_ne!(a.layers[0].diff_id, c.layers[0].diff_id);
}

#[test]
fn source_date_epoch_and_build_args() {
    let tmp = tempfile::tempdir().unwrap();
    let ctx = tmp.path().join("ctx");
    copy_tree(&data("contexts/calico"), &ctx);
    let out = tmp.path().join("out");
    let mut o = opts(&ctx, &out);
    o.source_date_epoch = Some(1_700_000_000);
    o.labels = vec![("sealos.io.type".into(), "application".into())];
    std::fs::write(
        ctx.join("Kubefile"),
        "FROM scratch\nARG NAME=calico\nENV NAME=${NAME:-\"x\"}\nCOPY manifests manifests\nCMD helm upgrade -i $(NAME)\n",
    )
    .unwrap();
    o.build_args = vec![("NAME".into(), Some("mycalico".into()))];
    let img = build(&o).unwrap();
    let cfg = config(&out, &img);
    assert_eq!(cfg["created"], "2023-11-14T22:13:20Z");
    assert_eq!(cfg["config"]["Env"][1], "NAME=mycalico");
    assert_eq!(cfg["config"]["Labels"]["sealos.io.type"], "application");
    assert_eq!(
        cfg["config"]["Cmd"],
        serde_json::json!(["/bin/sh", "-c", "helm upgrade -i $(NAME)"])
    );
    let entries = layer_names(&out, &img.layers[0].digest);
    assert_eq!(entries[0].0, "manifests/");
    assert!(entries.iter().all(|e| e.1 == 1_700_000_000));
}

#[test]
fn run_is_refused_with_file_and_line() {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::write(
        tmp.path().join("Kubefile"),
        "FROM scratch\n# comment\nCOPY . .\nrun echo hi\n",
    )
    .unwrap();
    let o = opts(tmp.path(), &tmp.path().join("out"));
    let err = build(&o).unwrap_err().to_string();
    let want = format!(
        "{}:4: RUN is not supported in cluster images (",
        tmp.path().join("Kubefile").display()
    );
    assert!(err.starts_with(&want), "{err}");
    assert!(!tmp.path().join("out").exists());
}

#[test]
fn dry_run_writes_nothing_and_lists_images() {
    let ctx = data("contexts/calico");
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    let mut o = opts(&ctx, &out);
    o.dry_run = true;
    o.discover = true;
    let img = build(&o).unwrap();
    assert!(!out.exists());
    assert_eq!(
        img.plan.to_string(),
        "FROM scratch\nENV NAME=calico\nENV NAMESPACE=tigera-operator\nLABEL init=\"init.sh $registryDomain\"\nCOPY [\".\",\"/\"]\nCMD [\"helm upgrade -i $(NAME) charts/calico -n $(NAMESPACE)\"]\n"
    );
    assert_eq!(img.discovered.unwrap().images.len(), 9);
}

#[test]
fn from_base_layout_appends_layers() {
    let tmp = tempfile::tempdir().unwrap();
    let ctx = tmp.path().join("ctx");
    std::fs::create_dir_all(ctx.join("bin")).unwrap();
    std::fs::write(ctx.join("bin/tool"), "#!/bin/sh\n").unwrap();
    std::fs::write(
        ctx.join("Kubefile"),
        "FROM scratch\nENV A=1\nENTRYPOINT [\"/bin/tool\"]\nCOPY bin /usr/bin/\n",
    )
    .unwrap();
    let base_out = tmp.path().join("base");
    let base = build(&opts(&ctx, &base_out)).unwrap();
    std::fs::write(
        ctx.join("Kubefile"),
        "ARG BASE=docker.io/labring/calico:v3.28.0\nFROM $BASE\nENV B=2\nWORKDIR sub\nCOPY bin bin\n",
    )
    .unwrap();
    let out = tmp.path().join("out");
    let mut o = opts(&ctx, &out);
    o.base = Some(base_out.clone());
    o.tag = Some("child:1".into());
    let img = build(&o).unwrap();
    assert_eq!(
        img.plan.base,
        hoist_build::kubefile::Base::Image("docker.io/labring/calico:v3.28.0".into())
    );
    let cfg = config(&out, &img);
    assert_eq!(
        cfg["config"]["Env"],
        serde_json::json!([
            "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
            "A=1",
            "B=2"
        ])
    );
    assert_eq!(
        cfg["config"]["Entrypoint"],
        serde_json::json!(["/bin/tool"])
    );
    assert_eq!(cfg["config"]["WorkingDir"], "/sub");
    assert_eq!(cfg["rootfs"]["diff_ids"].as_array().unwrap().len(), 2);
    assert_eq!(
        cfg["rootfs"]["diff_ids"][0],
        base.layers[0].diff_id.as_str()
    );
    let entries = layer_names(&out, &img.layers[0].digest);
    let names: Vec<&str> = entries.iter().map(|e| e.0.as_str()).collect();
    assert_eq!(names, vec!["sub/", "sub/bin/", "sub/bin/tool"]);
    // The base blob was copied and verified.
    assert!(
        out.join("blobs/sha256")
            .join(base.layers[0].digest.trim_start_matches("sha256:"))
            .exists()
    );
}

#[test]
fn base_with_bad_blob_is_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let ctx = tmp.path().join("ctx");
    std::fs::create_dir_all(&ctx).unwrap();
    std::fs::write(ctx.join("f"), "x").unwrap();
    std::fs::write(ctx.join("Kubefile"), "FROM scratch\nCOPY f /f\n").unwrap();
    let base_out = tmp.path().join("base");
    let base = build(&opts(&ctx, &base_out)).unwrap();
    let blob = base_out
        .join("blobs/sha256")
        .join(base.layers[0].digest.trim_start_matches("sha256:"));
    std::fs::write(&blob, "tampered").unwrap();
    std::fs::write(ctx.join("Kubefile"), "FROM base\nCOPY f /g\n").unwrap();
    let mut o = opts(&ctx, &tmp.path().join("out"));
    o.base = Some(base_out);
    let err = build(&o).unwrap_err().to_string();
    assert!(err.contains("digest mismatch"), "{err}");
}

fn gz_tar(entries: &[(&[u8], &[u8])]) -> Vec<u8> {
    // Raw headers so that hostile names (`../x`) can be written.
    let mut raw = Vec::new();
    for (name, data) in entries {
        let mut h = tar::Header::new_gnu();
        h.as_old_mut().name[..name.len()].copy_from_slice(name);
        h.set_size(data.len() as u64);
        h.set_mode(0o644);
        h.set_entry_type(tar::EntryType::Regular);
        h.set_cksum();
        raw.extend_from_slice(h.as_bytes());
        raw.extend_from_slice(data);
        raw.resize(raw.len().div_ceil(512) * 512, 0);
    }
    raw.extend_from_slice(&[0u8; 1024]);
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    std::io::Write::write_all(&mut gz, &raw).unwrap();
    gz.finish().unwrap()
}

#[test]
fn add_extracts_local_archives_and_refuses_escapes() {
    let tmp = tempfile::tempdir().unwrap();
    let ctx = tmp.path().join("ctx");
    std::fs::create_dir_all(&ctx).unwrap();
    std::fs::write(ctx.join("a.tgz"), gz_tar(&[(b"x/y.txt", b"hello")])).unwrap();
    std::fs::write(
        ctx.join("Kubefile"),
        "FROM scratch\nADD a.tgz /opt/\nCOPY a.tgz /raw/\n",
    )
    .unwrap();
    let out = tmp.path().join("out");
    let img = build(&opts(&ctx, &out)).unwrap();
    let names: Vec<String> = layer_names(&out, &img.layers[0].digest)
        .into_iter()
        .map(|e| e.0)
        .collect();
    assert_eq!(names, vec!["opt/", "opt/x/", "opt/x/y.txt"]);
    let names: Vec<String> = layer_names(&out, &img.layers[1].digest)
        .into_iter()
        .map(|e| e.0)
        .collect();
    assert_eq!(names, vec!["raw/", "raw/a.tgz"]);

    std::fs::write(ctx.join("a.tgz"), gz_tar(&[(b"../../evil", b"x")])).unwrap();
    let err = build(&opts(&ctx, &tmp.path().join("out2")))
        .unwrap_err()
        .to_string();
    assert!(err.contains(":2:") && err.contains("escapes"), "{err}");
    assert!(!tmp.path().join("evil").exists());

    std::fs::write(
        ctx.join("Kubefile"),
        "FROM scratch\nADD https://example.com/x.tar /\n",
    )
    .unwrap();
    let err = build(&opts(&ctx, &tmp.path().join("out3")))
        .unwrap_err()
        .to_string();
    assert!(
        err.contains(":2: ADD https://example.com/x.tar: remote sources"),
        "{err}"
    );
}

#[test]
fn copy_outside_context_is_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let ctx = tmp.path().join("ctx");
    std::fs::create_dir_all(&ctx).unwrap();
    std::fs::write(tmp.path().join("secret"), "x").unwrap();
    std::os::unix::fs::symlink("../secret", ctx.join("link")).unwrap();
    for k in [
        "FROM scratch\nCOPY ../secret /\n",
        "FROM scratch\nCOPY link /\n",
    ] {
        std::fs::write(ctx.join("Kubefile"), k).unwrap();
        let err = build(&opts(&ctx, &tmp.path().join("out")))
            .unwrap_err()
            .to_string();
        assert!(err.contains("outside the build context"), "{err}");
    }
}

#[test]
fn dockerignore_and_symlinks() {
    let tmp = tempfile::tempdir().unwrap();
    let ctx = tmp.path().join("ctx");
    std::fs::create_dir_all(ctx.join("d")).unwrap();
    std::fs::write(ctx.join("d/keep"), "k").unwrap();
    std::fs::write(ctx.join("d/skip.log"), "s").unwrap();
    std::os::unix::fs::symlink("keep", ctx.join("d/ln")).unwrap();
    std::fs::write(ctx.join(".dockerignore"), "**/*.log\n").unwrap();
    std::fs::write(ctx.join("Kubefile"), "FROM scratch\nCOPY d /d\n").unwrap();
    let out = tmp.path().join("out");
    let img = build(&opts(&ctx, &out)).unwrap();
    let f = std::fs::File::open(
        out.join("blobs/sha256")
            .join(img.layers[0].digest.trim_start_matches("sha256:")),
    )
    .unwrap();
    let mut ar = tar::Archive::new(flate2::read::GzDecoder::new(f));
    let mut seen = Vec::new();
    for e in ar.entries().unwrap() {
        let e = e.unwrap();
        let link = e
            .link_name()
            .unwrap()
            .map(|l| l.to_string_lossy().into_owned());
        seen.push((e.path().unwrap().to_string_lossy().into_owned(), link));
    }
    assert_eq!(
        seen,
        vec![
            ("d/".to_string(), None),
            ("d/keep".to_string(), None),
            ("d/ln".to_string(), Some("keep".to_string())),
        ]
    );
}

#[test]
fn skopeo_reads_the_layout() {
    if Command::new("skopeo").arg("--version").output().is_err() {
        eprintln!("skopeo not installed; skipping");
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let ctx = tmp.path().join("ctx");
    copy_tree(&data("contexts/calico"), &ctx);
    let out = tmp.path().join("out");
    let img = build(&opts(&ctx, &out)).unwrap();
    let o = Command::new("skopeo")
        .args(["inspect", "--config"])
        .arg(format!(
            "oci:{}:docker.io/labring/calico:v3.28.0",
            out.display()
        ))
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let shown: Value = serde_json::from_slice(&o.stdout).unwrap();
    let ours: Value = serde_json::from_slice(&img.config_bytes).unwrap();
    assert_eq!(shown, ours);
    let o = Command::new("skopeo")
        .args(["inspect"])
        .arg(format!(
            "oci:{}:docker.io/labring/calico:v3.28.0",
            out.display()
        ))
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let v: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["Labels"]["init"], "init.sh $registryDomain");
    assert_eq!(v["Digest"], img.manifest.as_ref().unwrap().digest.as_str());
}

#[test]
fn output_inside_context_is_not_copied() {
    let tmp = tempfile::tempdir().unwrap();
    let ctx = tmp.path().join("ctx");
    std::fs::create_dir_all(&ctx).unwrap();
    std::fs::write(ctx.join("f"), "x").unwrap();
    std::fs::write(ctx.join("Kubefile"), "FROM scratch\nCOPY . .\n").unwrap();
    let out = ctx.join("out");
    let a = build(&opts(&ctx, &out)).unwrap();
    let b = build(&opts(&ctx, &out)).unwrap();
    assert_eq!(a.manifest, b.manifest);
    let names: Vec<String> = layer_names(&out, &b.layers[0].digest)
        .into_iter()
        .map(|e| e.0)
        .collect();
    assert_eq!(names, vec!["Kubefile", "f"]);
    // Both builds share the tag: index.json holds it once.
    let index: Value =
        serde_json::from_slice(&std::fs::read(out.join("index.json")).unwrap()).unwrap();
    assert_eq!(index["manifests"].as_array().unwrap().len(), 1);
}

#[test]
fn dry_run_needs_no_base_layout() {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::write(
        tmp.path().join("Sealfile"),
        "FROM labring/kubernetes:v1.27.7\nCOPY . .\n",
    )
    .unwrap();
    let mut o = opts(tmp.path(), &tmp.path().join("out"));
    o.dry_run = true;
    let img = build(&o).unwrap();
    assert_eq!(
        img.plan.to_string(),
        "FROM labring/kubernetes:v1.27.7\nCOPY [\".\",\"/\"]\n"
    );
    o.dry_run = false;
    let err = build(&o).unwrap_err().to_string();
    assert_eq!(
        err,
        "FROM labring/kubernetes:v1.27.7: the base image must be given as an OCI layout"
    );
}

#[test]
fn thread_count_does_not_change_the_image() {
    let tmp = tempfile::tempdir().unwrap();
    let ctx = tmp.path().join("ctx");
    copy_tree(&data("contexts/calico"), &ctx);
    // More than one 1 MiB compression chunk.
    let mut x: u32 = 1;
    let big: Vec<u8> = (0..(3 << 20) + 777)
        .map(|_| {
            x = x.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
            (x >> 24) as u8
        })
        .collect();
    std::fs::write(ctx.join("manifests/big.bin"), big).unwrap();
    let mut manifests = Vec::new();
    for threads in [1, 3] {
        let mut o = opts(&ctx, &tmp.path().join(format!("out-{threads}")));
        o.threads = threads;
        let img = build(&o).unwrap();
        manifests.push((img.manifest, img.manifest_bytes, img.layers));
    }
    assert_eq!(manifests[0], manifests[1]);
}
