#!/bin/bash
# Starts a small marker service (an HTTP server answering with the hostname) on every host.
set -euo pipefail
port=${1:?port}
mkdir -p /var/lib/hoist-marker
hostname > /var/lib/hoist-marker/index.html
cp ../etc/marker.conf /var/lib/hoist-marker/marker.conf
pid=/var/lib/hoist-marker/server.pid
if [ -f "$pid" ] && kill -0 "$(cat "$pid")" 2>/dev/null; then exit 0; fi
setsid nohup python3 -m http.server "$port" --bind 0.0.0.0 --directory /var/lib/hoist-marker \
  > /dev/null 2>&1 < /dev/null &
echo $! > "$pid"
for _ in $(seq 100); do
  if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then break; fi
  sleep 0.1
done
echo "marker service started on $(hostname)"
