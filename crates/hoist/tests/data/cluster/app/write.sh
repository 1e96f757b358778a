#!/bin/bash
# The application's CMD: runs on master0 only, in its workdir.
set -euo pipefail
echo "$1 on $(hostname)" > /var/lib/hoist-marker/app-ran
