#!/bin/sh
# Renders tests/data/render/Clusterfile.tmpl with the real Helm v4.2.3 (the oracle) as a chart
# template, with values.yaml and `--set ssh.port=2222 --set networking.podSubnet=10.10.0.0/16`.
# The Clusterfile template is the example of labring/sealos docs/4.0/docs/cli/apply.md
# ("Using templates") without its `env` call (Helm has no `env`). Same .Values semantics.
set -e
d=$(cd "$(dirname "$0")/../data/render" && pwd)
t=$(mktemp -d)
mkdir -p "$t/c/templates"
printf 'apiVersion: v2\nname: t\nversion: 0.1.0\n' > "$t/c/Chart.yaml"
cp "$d/Clusterfile.tmpl" "$t/c/templates/cf.yaml"
/work/shared/oracle/helm-template "$t/c" -f "$d/values.yaml" --set ssh.port=2222 \
  --set networking.podSubnet=10.10.0.0/16 --json > "$d/expected.json"
rm -rf "$t"
