//! Interop with the real tools: skopeo 1.9 and Debian's docker-registry (distribution 2.8).
//! Each test prints a reason and returns when a tool is missing (CI installs both).

mod common;

use common::*;
use hoist_registry::Layout;

fn oci_index_digest(dir: &std::path::Path) -> String {
    let v: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.join("index.json")).unwrap()).unwrap();
    v["manifests"][0]["digest"].as_str().unwrap().to_string()
}

fn blob_files(dir: &std::path::Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir.join("blobs/sha256"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

/// (a) skopeo pushes into hoist's server, inspects and pulls back identical digests.
#[test]
fn skopeo_push_pull_hoist_server() {
    if skip_without(&["skopeo"]) {
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let src = tmp.path().join("src");
    let m = make_oci_layout(&src, "v1", "push-pull", 2);
    let root = tmp.path().join("root");
    let srv = HoistServer::start(&root, None);
    let dest = format!("docker://{}/a/b/c:v1", srv.addr);
    skopeo_ok(&[
        "copy",
        "--dest-tls-verify=false",
        &format!("oci:{}:v1", src.display()),
        &dest,
    ]);
    assert_eq!(inspect_digest(&dest, &[]), m.to_string());
    let out = tmp.path().join("out");
    skopeo_ok(&[
        "copy",
        "--src-tls-verify=false",
        &dest,
        &format!("oci:{}:v1", out.display()),
    ]);
    assert_eq!(oci_index_digest(&out), m.to_string());
    assert_eq!(blob_files(&out), blob_files(&src));

    // the same dir then holds what distribution expects
    let l = Layout::open(&root).unwrap();
    assert_eq!(l.repositories().unwrap(), vec!["a/b/c".to_string()]);
    assert_eq!(l.tags("a/b/c").unwrap(), Some(vec!["v1".to_string()]));
    assert_eq!(l.get_manifest("a/b/c", "v1").unwrap().digest, m);

    // a multi-arch index with --all
    let src2 = tmp.path().join("src2");
    let idx = make_multiarch_layout(&src2, "multi", "multi");
    let dest2 = format!("docker://{}/multi:1", srv.addr);
    skopeo_ok(&[
        "copy",
        "--all",
        "--dest-tls-verify=false",
        &format!("oci:{}:multi", src2.display()),
        &dest2,
    ]);
    assert_eq!(raw_digest(&dest2), idx.to_string());
    let out2 = tmp.path().join("out2");
    skopeo_ok(&[
        "copy",
        "--all",
        "--src-tls-verify=false",
        &dest2,
        &format!("oci:{}:m", out2.display()),
    ]);
    assert_eq!(oci_index_digest(&out2), idx.to_string());
    assert_eq!(blob_files(&out2), blob_files(&src2));
}

/// (b) a dir written by hoist (the `layout` API and hoist's server) is served by Debian's
/// docker-registry, and skopeo pulls from it with identical digests.
#[test]
fn docker_registry_serves_hoist_dir() {
    if skip_without(&["skopeo", "docker-registry"]) {
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let src = tmp.path().join("src");
    let m = make_oci_layout(&src, "v1", "hoist-written", 3);
    let src2 = tmp.path().join("src2");
    let idx = make_multiarch_layout(&src2, "multi", "hoist-written-multi");
    let root = tmp.path().join("root");
    let l = Layout::open(&root).unwrap();
    assert_eq!(
        l.copy_from_oci_layout(&src, "v1", "library/app", "v1")
            .unwrap(),
        m
    );
    assert_eq!(
        l.copy_from_oci_layout(&src2, "", "x/multi", "1.0").unwrap(),
        idx
    );
    // and one image pushed through hoist's server
    let src3 = tmp.path().join("src3");
    let m3 = make_oci_layout(&src3, "t", "via-server", 1);
    {
        let srv = HoistServer::start(&root, None);
        skopeo_ok(&[
            "copy",
            "--dest-tls-verify=false",
            &format!("oci:{}:t", src3.display()),
            &format!("docker://{}/pushed/img:t", srv.addr),
        ]);
    }
    let reg = DockerRegistry::start(&root);
    let img = format!("docker://{}/library/app:v1", reg.addr);
    assert_eq!(inspect_digest(&img, &[]), m.to_string());
    let out = tmp.path().join("out");
    skopeo_ok(&[
        "copy",
        "--src-tls-verify=false",
        &img,
        &format!("oci:{}:v1", out.display()),
    ]);
    assert_eq!(oci_index_digest(&out), m.to_string());
    assert_eq!(blob_files(&out), blob_files(&src));

    let multi = format!("docker://{}/x/multi:1.0", reg.addr);
    assert_eq!(raw_digest(&multi), idx.to_string());
    let out2 = tmp.path().join("out2");
    skopeo_ok(&[
        "copy",
        "--all",
        "--src-tls-verify=false",
        &multi,
        &format!("oci:{}:m", out2.display()),
    ]);
    assert_eq!(oci_index_digest(&out2), idx.to_string());
    assert_eq!(blob_files(&out2), blob_files(&src2));

    let pushed = format!("docker://{}/pushed/img:t", reg.addr);
    assert_eq!(inspect_digest(&pushed, &[]), m3.to_string());

    // docker-registry's catalog and tags list agree with the layout's
    let (st, _, body) = http(reg.addr, "GET", "/v2/_catalog", &[], b"");
    assert_eq!(st, 200);
    let v: serde_json::Value = serde_json::from_slice(&body).unwrap();
    let theirs: Vec<String> = serde_json::from_value(v["repositories"].clone()).unwrap();
    assert_eq!(theirs, l.repositories().unwrap());
}

/// (c) skopeo pushes into docker-registry; the files it writes are exactly what the `layout`
/// API writes for the same images; hoist's server serves that dir and skopeo pulls from it.
#[test]
fn hoist_serves_docker_registry_dir() {
    if skip_without(&["skopeo", "docker-registry"]) {
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let src = tmp.path().join("src");
    let m = make_oci_layout(&src, "v1", "fixture", 2);
    let src2 = tmp.path().join("src2");
    let idx = make_multiarch_layout(&src2, "multi", "fixture-multi");
    let root = tmp.path().join("root");
    {
        let reg = DockerRegistry::start(&root);
        skopeo_ok(&[
            "copy",
            "--dest-tls-verify=false",
            &format!("oci:{}:v1", src.display()),
            &format!("docker://{}/team/app:v1", reg.addr),
        ]);
        skopeo_ok(&[
            "copy",
            "--all",
            "--dest-tls-verify=false",
            &format!("oci:{}:multi", src2.display()),
            &format!("docker://{}/team/multi:2", reg.addr),
        ]);
    }
    // the same images written by the layout API give the same files and link contents
    let mine = tmp.path().join("mine");
    let l = Layout::open(&mine).unwrap();
    l.copy_from_oci_layout(&src, "v1", "team/app", "v1")
        .unwrap();
    l.copy_from_oci_layout(&src2, "multi", "team/multi", "2")
        .unwrap();
    assert_eq!(tree(&mine), tree(&root));
    // the checked-in listing of what distribution wrote (tests/data/distribution-tree.txt),
    // which tests/layout.rs compares the layout API against without the tools
    let fixture =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/distribution-tree.txt");
    let listing = tree(&root).join("\n") + "\n";
    if std::env::var_os("HOIST_REGEN_FIXTURES").is_some() {
        std::fs::write(&fixture, &listing).unwrap();
    }
    assert_eq!(std::fs::read_to_string(&fixture).unwrap(), listing);

    let theirs = Layout::open(&root).unwrap();
    assert_eq!(theirs.get_manifest("team/app", "v1").unwrap().digest, m);
    assert_eq!(
        theirs.tags("team/multi").unwrap(),
        Some(vec!["2".to_string()])
    );

    let srv = HoistServer::start(&root, None);
    let img = format!("docker://{}/team/app:v1", srv.addr);
    assert_eq!(inspect_digest(&img, &[]), m.to_string());
    let out = tmp.path().join("out");
    skopeo_ok(&[
        "copy",
        "--src-tls-verify=false",
        &img,
        &format!("oci:{}:v1", out.display()),
    ]);
    assert_eq!(oci_index_digest(&out), m.to_string());
    assert_eq!(blob_files(&out), blob_files(&src));
    let multi = format!("docker://{}/team/multi:2", srv.addr);
    assert_eq!(raw_digest(&multi), idx.to_string());
    let out2 = tmp.path().join("out2");
    skopeo_ok(&[
        "copy",
        "--all",
        "--src-tls-verify=false",
        &multi,
        &format!("oci:{}:m", out2.display()),
    ]);
    assert_eq!(blob_files(&out2), blob_files(&src2));
}

/// (d) htpasswd basic auth: no or wrong credentials get 401 with a Basic challenge, right
/// ones (a `$2y$` and a `$2a$` entry) work with skopeo.
#[test]
fn htpasswd_auth() {
    let tmp = tempfile::tempdir().unwrap();
    let hp = tmp.path().join("htpasswd");
    let h2y = bcrypt::hash_with_result("s3cret", 5)
        .unwrap()
        .format_for_version(bcrypt::Version::TwoY);
    let h2a = bcrypt::hash_with_result("other", 5)
        .unwrap()
        .format_for_version(bcrypt::Version::TwoA);
    std::fs::write(&hp, format!("# users\nalice:{h2y}\n\nbob:{h2a}\n")).unwrap();
    let root = tmp.path().join("root");
    let srv = HoistServer::start(&root, Some(hp));

    let (st, hs, body) = http(srv.addr, "GET", "/v2/", &[], b"");
    assert_eq!(st, 401);
    assert_eq!(
        header(&hs, "www-authenticate"),
        Some("Basic realm=\"hoist-registry\"")
    );
    assert_eq!(
        header(&hs, "docker-distribution-api-version"),
        Some("registry/2.0")
    );
    let v: serde_json::Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(v["errors"][0]["code"], "UNAUTHORIZED");
    let basic = |u: &str, p: &str| {
        use base64::Engine as _;
        format!(
            "Basic {}",
            base64::engine::general_purpose::STANDARD.encode(format!("{u}:{p}"))
        )
    };
    let (st, _, _) = http(
        srv.addr,
        "GET",
        "/v2/",
        &[("Authorization", &basic("alice", "nope"))],
        b"",
    );
    assert_eq!(st, 401);
    let (st, _, _) = http(
        srv.addr,
        "GET",
        "/v2/_catalog",
        &[("Authorization", &basic("carol", "s3cret"))],
        b"",
    );
    assert_eq!(st, 401);
    let (st, _, _) = http(
        srv.addr,
        "GET",
        "/v2/",
        &[("Authorization", &basic("alice", "s3cret"))],
        b"",
    );
    assert_eq!(st, 200);
    let (st, _, _) = http(
        srv.addr,
        "GET",
        "/v2/",
        &[("Authorization", &basic("bob", "other"))],
        b"",
    );
    assert_eq!(st, 200);

    if skip_without(&["skopeo"]) {
        return;
    }
    let src = tmp.path().join("src");
    let m = make_oci_layout(&src, "v1", "auth", 1);
    let dest = format!("docker://{}/auth/img:v1", srv.addr);
    let out = skopeo(&[
        "copy",
        "--dest-tls-verify=false",
        "--dest-creds=alice:wrong",
        &format!("oci:{}:v1", src.display()),
        &dest,
    ]);
    assert!(!out.status.success());
    assert!(
        Layout::open(&root)
            .unwrap()
            .repositories()
            .unwrap()
            .is_empty()
    );
    skopeo_ok(&[
        "copy",
        "--dest-tls-verify=false",
        "--dest-creds=alice:s3cret",
        &format!("oci:{}:v1", src.display()),
        &dest,
    ]);
    assert_eq!(inspect_digest(&dest, &["--creds=bob:other"]), m.to_string());
    let out = skopeo(&["inspect", "--tls-verify=false", "--creds=bob:wrong", &dest]);
    assert!(!out.status.success());
}
