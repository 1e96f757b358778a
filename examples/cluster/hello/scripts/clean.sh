#!/bin/bash
# Undo init.sh (label `clean`): `hoist reset` runs it before removing the cluster's files.
set -euo pipefail
rm -rf ../state
echo "cleaned $(hostname)"
