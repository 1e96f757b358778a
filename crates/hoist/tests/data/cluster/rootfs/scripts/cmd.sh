#!/bin/bash
# The rootfs CMD: runs on every host, in the rootfs directory.
set -euo pipefail
echo "rootfs cmd on $(hostname)" > /var/lib/hoist-marker/cmd.txt
