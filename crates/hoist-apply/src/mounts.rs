//! Images unpacked locally ("mounted", in sealos's words) under the cluster's state directory,
//! with the Clusterfile's Config documents applied, ready to be sent to hosts.

use std::collections::BTreeMap;
use std::fs;
use std::path::Path;

use hoist_cluster::{ImageType, MountImage};
use hoist_oci::Reference;
use sha2::{Digest as _, Sha256};

use crate::Context;
use crate::error::ApplyError;

/// One image of `spec.image`, unpacked.
#[derive(Debug, Clone)]
pub(crate) struct Mounted {
    /// What goes into `status.mounts`.
    pub mount: MountImage,
    /// The image's manifest digest: what changes when the image does.
    pub digest: String,
}

/// Unpacks every image (reusing an unpacked copy of the same digest and Config documents) and
/// returns them in `images` order. `named_env` is `-e`, applied to the images named on this
/// command line; other images keep the env recorded in `previous`.
pub(crate) fn mount_all(
    ctx: &Context,
    images: &[String],
    configs: &[hoist_cluster::Config],
    named: &[String],
    named_env: &BTreeMap<String, String>,
    previous: &[MountImage],
) -> Result<Vec<Mounted>, ApplyError> {
    let dir = ctx.state.mounts_dir();
    fs::create_dir_all(&dir)
        .map_err(|e| ApplyError::other(format!("cannot create {}: {e}", dir.display())))?;
    let configs_fp = {
        let mut h = Sha256::new();
        for c in configs {
            h.update(format!("{c:?}").as_bytes());
        }
        hex::encode(h.finalize())
    };
    let mut out = Vec::new();
    for image in images {
        let reference = Reference::parse(image).map_err(|e| ApplyError::Image {
            image: image.clone(),
            message: e.to_string(),
        })?;
        let info = ctx
            .store
            .resolve(&reference)
            .map_err(|e| ApplyError::Image {
                image: image.clone(),
                message: e.to_string(),
            })?;
        let digest = info.image_digest.to_string();
        let short = digest
            .rsplit(':')
            .next()
            .map(|h| &h[..8.min(h.len())])
            .unwrap_or("");
        let name = format!("{}-{short}", ctx.cluster);
        let mount_point = dir.join(&name);
        let marker = dir.join(format!("{name}.done"));
        let want = format!("{digest}\n{configs_fp}\n");
        if fs::read_to_string(&marker).ok().as_deref() != Some(want.as_str())
            || !mount_point.is_dir()
        {
            let _ = fs::remove_file(&marker);
            let tmp = dir.join(format!("{name}.tmp"));
            remove_dir(&tmp)?;
            hoist_oci::unpack::unpack_image(&ctx.store, &reference, &tmp).map_err(|e| {
                ApplyError::Image {
                    image: image.clone(),
                    message: format!("cannot unpack: {e}"),
                }
            })?;
            hoist_cluster::apply_configs(configs, image, &tmp)?;
            remove_dir(&mount_point)?;
            fs::rename(&tmp, &mount_point)
                .map_err(|e| ApplyError::other(format!("cannot rename {}: {e}", tmp.display())))?;
            write_atomic(&marker, want.as_bytes())?;
        }
        let mut mount = hoist_cluster::mount_from_config(
            &name,
            image,
            &mount_point.to_string_lossy(),
            &info.config,
        )?;
        if named.iter().any(|n| n == image) {
            mount
                .env
                .extend(named_env.iter().map(|(k, v)| (k.clone(), v.clone())));
        } else if let Some(prev) = previous.iter().find(|m| &m.image_name == image) {
            for (k, v) in &prev.env {
                mount.env.entry(k.clone()).or_insert_with(|| v.clone());
            }
        }
        out.push(Mounted { mount, digest });
    }
    if !out.iter().any(|m| m.mount.r#type == ImageType::Rootfs) {
        return Err(ApplyError::other(
            "no rootfs image: a cluster needs at least one image with LABEL sealos.io.type=rootfs",
        ));
    }
    for m in &out {
        if m.mount.r#type == ImageType::Rootfs
            && let Some(v) = m.mount.labels.get("version").filter(|v| !v.is_empty())
        {
            return Err(ApplyError::Image {
                image: m.mount.image_name.clone(),
                message: format!(
                    "it is a Kubernetes rootfs (label version={v}); hoist cannot bootstrap \
                         Kubernetes with kubeadm yet: use a rootfs whose own scripts install the \
                         runtime (no `version` label)"
                ),
            });
        }
    }
    Ok(out)
}

fn remove_dir(p: &Path) -> Result<(), ApplyError> {
    match fs::remove_dir_all(p) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(ApplyError::other(format!(
            "cannot remove {}: {e}",
            p.display()
        ))),
    }
}

/// Write, fsync, rename.
pub(crate) fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), ApplyError> {
    Ok(hoist_cluster::write_atomic(path, bytes)?)
}
