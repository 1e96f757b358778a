#!/bin/sh
# Benchmark (run by hand, once): push and pull a ~1 GiB image with many layers to/from a local
# docker-registry with hoist-distribution and with skopeo; prints times and hoist/skopeo ratios.
# Usage: crates/hoist-distribution/scripts/bench.sh [LAYERS] [MIB_PER_LAYER]   (default 16 x 64 MiB)
set -eu
LAYERS=${1:-16}; MIB=${2:-64}
cd "$(dirname "$0")/../../.."
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$PWD/target-hoist-distribution}
cargo build -q --release -p hoist-distribution --example hoist-copy
BIN=$CARGO_TARGET_DIR/release/examples/hoist-copy
W=$(mktemp -d); REG_PID=
trap '[ -n "$REG_PID" ] && kill $REG_PID; rm -rf "$W"' EXIT
PORT=$(python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])')
cat > "$W/config.yml" <<YML
version: 0.1
log: {level: error, accesslog: {disabled: true}}
storage: {filesystem: {rootdirectory: $W/storage}}
http: {addr: 127.0.0.1:$PORT}
YML
docker-registry serve "$W/config.yml" >/dev/null 2>&1 & REG_PID=$!
until python3 -c "import socket;socket.create_connection(('127.0.0.1',$PORT))" 2>/dev/null; do sleep 0.1; done
# Build an OCI layout of LAYERS random (incompressible) layers of MIB MiB each.
python3 - "$W/src" "$LAYERS" "$MIB" <<'PY'
import hashlib, json, os, sys
root, n, mib = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
os.makedirs(f"{root}/blobs/sha256")
def put(b):
    d = hashlib.sha256(b).hexdigest()
    open(f"{root}/blobs/sha256/{d}", "wb").write(b)
    return "sha256:" + d, len(b)
layers = []
for i in range(n):
    d, s = put(os.urandom(mib << 20))
    layers.append({"mediaType": "application/vnd.oci.image.layer.v1.tar+gzip", "digest": d, "size": s})
cd, cs = put(json.dumps({"architecture": "amd64", "os": "linux", "rootfs": {"type": "layers", "diff_ids": [l["digest"] for l in layers]}}).encode())
md, ms = put(json.dumps({"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
    "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "digest": cd, "size": cs}, "layers": layers}).encode())
open(f"{root}/oci-layout", "w").write('{"imageLayoutVersion":"1.0.0"}')
json.dump({"schemaVersion": 2, "manifests": [{"mediaType": "application/vnd.oci.image.manifest.v1+json", "digest": md, "size": ms,
    "annotations": {"org.opencontainers.image.ref.name": "v1"}}]}, open(f"{root}/index.json", "w"))
PY
t() { s=$(date +%s.%N); "$@" >/dev/null; e=$(date +%s.%N); echo "$e - $s" | bc; }
R=127.0.0.1:$PORT
HP=$(t "$BIN" push "$W/src" v1 $R/bench/hoist:v1)
SP=$(t skopeo --insecure-policy copy -q --dest-tls-verify=false --dest-compress=false "oci:$W/src:v1" docker://$R/bench/skopeo:v1)
HL=$(t "$BIN" pull $R/bench/hoist:v1 "$W/hoist-pull")
SL=$(t skopeo --insecure-policy copy -q --src-tls-verify=false docker://$R/bench/skopeo:v1 "oci:$W/skopeo-pull:v1")
echo "image: $LAYERS layers x $MIB MiB"
echo "push: hoist ${HP}s  skopeo ${SP}s  ratio hoist/skopeo $(echo "scale=2; $HP / $SP" | bc)"
echo "pull: hoist ${HL}s  skopeo ${SL}s  ratio hoist/skopeo $(echo "scale=2; $HL / $SL" | bc)"
