#!/bin/bash
# Bootstrap step (label `init`): runs in <data-root>/data/<cluster>/rootfs/scripts on every host.
set -euo pipefail
mkdir -p ../state
date -u +%Y-%m-%dT%H:%M:%SZ > ../state/initialised-at
echo "initialised $(hostname)"
