#!/bin/bash
# Stops the marker service and removes everything init.sh and cmd.sh wrote.
pid=/var/lib/hoist-marker/server.pid
if [ -f "$pid" ]; then
  kill "$(cat "$pid")" 2>/dev/null || true
  for _ in $(seq 50); do kill -0 "$(cat "$pid")" 2>/dev/null || break; sleep 0.1; done
fi
rm -rf /var/lib/hoist-marker
