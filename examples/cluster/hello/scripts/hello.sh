#!/bin/bash
# The image's CMD: runs in <data-root>/data/<cluster>/rootfs on every host.
set -euo pipefail
. etc/hello.conf
echo "$greeting on $(hostname) (roles: $roles, initialised at $(cat state/initialised-at))"
