//! Push, pull and `build --save-image` through the command line against Debian's real
//! `docker-registry` on 127.0.0.1, checked with skopeo; and a `registry/` written by `build` served
//! by both `docker-registry` and `hoist registry serve`.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

use hoist_testkit::{DockerRegistry, free_port, skip_without, skopeo_ok as skopeo, wait_for};

struct TempDir(PathBuf);

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// A server process killed when the test ends.
struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn hoist(root: &Path, args: &[&str]) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_hoist"))
        .args(args)
        .env("HOIST_ROOT", root)
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "hoist {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn push_pull_and_save_images_with_a_real_registry() {
    if skip_without(&["skopeo", "docker-registry"]) {
        return;
    }
    let tmp = TempDir(std::env::temp_dir().join(format!("hoist-registry-{}", std::process::id())));
    let _ = std::fs::remove_dir_all(&tmp.0);
    std::fs::create_dir_all(&tmp.0).unwrap();
    let store = tmp.0.join("store");
    let registry = DockerRegistry::start(&tmp.0.join("dist"));
    let host = registry.host();

    // Build an application image and push it; skopeo sees the same digest and labels.
    let app = tmp.0.join("app");
    std::fs::create_dir_all(&app).unwrap();
    std::fs::write(
        app.join("Kubefile"),
        "FROM scratch\nLABEL sealos.io.type=application\nCOPY . .\nCMD [\"echo hi\"]\n",
    )
    .unwrap();
    std::fs::write(app.join("data.txt"), "payload\n").unwrap();
    let built = hoist(
        &store,
        &[
            "build",
            "--save-image=false",
            "-t",
            "app:v1",
            app.to_str().unwrap(),
        ],
    );
    let pushed = hoist(&store, &["push", "app:v1", &format!("{host}/demo/app:v1")]);
    assert_eq!(built.trim(), pushed.trim());
    let remote = format!("docker://{host}/demo/app:v1");
    let inspect: serde_json::Value =
        serde_json::from_str(&skopeo(&["inspect", "--tls-verify=false", &remote])).unwrap();
    assert_eq!(inspect["Digest"], built.trim());
    assert_eq!(inspect["Labels"]["sealos.io.type"], "application");

    // skopeo copies an image in; hoist pulls it with the same digest.
    let layout = tmp.0.join("skopeo-layout");
    skopeo(&[
        "copy",
        "--dest-tls-verify=false",
        &format!("oci:{}:docker.io/library/app:v1", store.display()),
        &format!("oci:{}:x", layout.display()),
    ]);
    skopeo(&[
        "copy",
        "--dest-tls-verify=false",
        &format!("oci:{}:x", layout.display()),
        &format!("docker://{host}/library/copied:v2"),
    ]);
    let remote_digest: serde_json::Value = serde_json::from_str(&skopeo(&[
        "inspect",
        "--tls-verify=false",
        &format!("docker://{host}/library/copied:v2"),
    ]))
    .unwrap();
    let pulled = hoist(&store, &["pull", &format!("{host}/library/copied:v2")]);
    assert_eq!(remote_digest["Digest"], pulled.trim());

    // `build` saves the images its context needs into CONTEXT/registry.
    let ctx = tmp.0.join("ctx");
    std::fs::create_dir_all(ctx.join("images/shim")).unwrap();
    std::fs::write(
        ctx.join("images/shim/list"),
        format!("{host}/demo/app:v1\n"),
    )
    .unwrap();
    std::fs::write(ctx.join("Kubefile"), "FROM scratch\nCOPY . .\n").unwrap();
    hoist(
        &store,
        &["build", "-t", "withimages:v1", ctx.to_str().unwrap()],
    );
    assert!(
        ctx.join(
            "registry/docker/registry/v2/repositories/demo/app/_manifests/tags/v1/current/link"
        )
        .is_file()
    );

    // `registry save` does the same without building.
    let saved = tmp.0.join("saved");
    hoist(
        &store,
        &[
            "registry",
            "save",
            "--registry-dir",
            saved.to_str().unwrap(),
            ctx.to_str().unwrap(),
        ],
    );
    assert!(
        saved
            .join("docker/registry/v2/repositories/demo/app/_manifests/tags/v1/current/link")
            .is_file()
    );

    // That registry/ is served by docker-registry and by `hoist registry serve`; skopeo pulls
    // the same digest from both.
    let dist2 = DockerRegistry::start(&ctx.join("registry"));
    let port3 = free_port();
    let serve = Command::new(env!("CARGO_BIN_EXE_hoist"))
        .args([
            "registry",
            "serve",
            "filesystem",
            ctx.join("registry").to_str().unwrap(),
            "--address",
            "127.0.0.1",
            "--port",
            &port3.to_string(),
        ])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let _serve = Server(serve);
    let served = format!("127.0.0.1:{port3}");
    wait_for(&served);
    for h in [dist2.host(), served] {
        let seen: serde_json::Value = serde_json::from_str(&skopeo(&[
            "inspect",
            "--tls-verify=false",
            &format!("docker://{h}/demo/app:v1"),
        ]))
        .unwrap();
        assert_eq!(seen["Digest"], built.trim(), "registry on {h}");
    }
}
