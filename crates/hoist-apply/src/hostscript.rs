//! The small shell scripts hoist runs on hosts itself (not the images' scripts). Every one is
//! idempotent: running it twice leaves the host as running it once.

use hoist_exec::quote;

/// Makes `/etc/hosts` map `domain` to `ip` (one line, replacing any other line for `domain`).
/// The file is rewritten in place (`cat >`), not renamed, because containers bind-mount it.
pub(crate) fn hosts_add(ip: &str, domain: &str) -> String {
    format!(
        r#"ip={ip}; d={domain}
if ! awk -v ip="$ip" -v d="$d" '$1==ip {{ for (i=2;i<=NF;i++) if ($i==d) f=1 }} END {{ exit !f }}' /etc/hosts \
   || [ "$(awk -v d="$d" '{{ for (i=2;i<=NF;i++) if ($i==d) n++ }} END {{ print n+0 }}' /etc/hosts)" != 1 ]; then
  t=$(mktemp)
  awk -v d="$d" '{{ k=1; for (i=2;i<=NF;i++) if ($i==d) k=0 }} k' /etc/hosts > "$t"
  printf '%s %s\n' "$ip" "$d" >> "$t"
  cat "$t" > /etc/hosts; rm -f "$t"
fi"#,
        ip = quote(ip),
        domain = quote(domain)
    )
}

/// Removes the `/etc/hosts` line mapping `domain` to `ip` (leaves other mappings of `domain`).
pub(crate) fn hosts_remove(ip: &str, domain: &str) -> String {
    format!(
        r#"ip={ip}; d={domain}
if [ -f /etc/hosts ] && awk -v ip="$ip" -v d="$d" '$1==ip {{ for (i=2;i<=NF;i++) if ($i==d) f=1 }} END {{ exit !f }}' /etc/hosts; then
  t=$(mktemp)
  awk -v ip="$ip" -v d="$d" '{{ k=1; if ($1==ip) for (i=2;i<=NF;i++) if ($i==d) k=0 }} k' /etc/hosts > "$t"
  cat "$t" > /etc/hosts; rm -f "$t"
fi"#,
        ip = quote(ip),
        domain = quote(domain)
    )
}

/// Starts `hoist registry serve` in the background on a registry host unless the same server
/// (same binary, htpasswd and port: `fingerprint`) already runs; a different one is stopped first.
pub(crate) fn registry_start(
    bin: &str,
    dir: &str,
    port: u16,
    htpasswd: &str,
    state_dir: &str,
    fingerprint: &str,
) -> String {
    format!(
        r#"set -e
bin={bin}; dir={dir}; port={port}; htp={htp}; st={st}; fp={fp}
mkdir -p "$st"
running() {{ [ -f "$st/registry.pid" ] && kill -0 "$(cat "$st/registry.pid")" 2>/dev/null \
  && tr '\0' ' ' < "/proc/$(cat "$st/registry.pid")/cmdline" 2>/dev/null | grep -q 'registry serve'; }}
if running && [ "$(cat "$st/registry.fp" 2>/dev/null)" = "$fp" ]; then exit 0; fi
if running; then kill "$(cat "$st/registry.pid")"; for i in $(seq 50); do running || break; sleep 0.1; done; fi
rm -f "$st/registry.pid"
setsid nohup "$bin" registry serve filesystem "$dir" --port "$port" --address 0.0.0.0 --htpasswd "$htp" \
  > "$st/registry.log" 2>&1 < /dev/null &
echo $! > "$st/registry.pid.tmp"; mv "$st/registry.pid.tmp" "$st/registry.pid"
printf '%s' "$fp" > "$st/registry.fp"
for i in $(seq 100); do
  if (exec 3<>/dev/tcp/127.0.0.1/"$port") 2>/dev/null; then exit 0; fi
  if ! running; then echo "the registry exited:" >&2; tail -n 20 "$st/registry.log" >&2; exit 1; fi
  sleep 0.1
done
echo "the registry did not listen on port $port within 10s" >&2; exit 1"#,
        bin = quote(bin),
        dir = quote(dir),
        port = port,
        htp = quote(htpasswd),
        st = quote(state_dir),
        fp = quote(fingerprint),
    )
}

/// Stops the registry `registry_start` started, if it runs.
pub(crate) fn registry_stop(state_dir: &str) -> String {
    format!(
        r#"st={st}
if [ -f "$st/registry.pid" ]; then
  p=$(cat "$st/registry.pid")
  if kill -0 "$p" 2>/dev/null && tr '\0' ' ' < "/proc/$p/cmdline" 2>/dev/null | grep -q 'registry serve'; then
    kill "$p"; for i in $(seq 50); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$p" 2>/dev/null || true
  fi
  rm -f "$st/registry.pid"
fi"#,
        st = quote(state_dir)
    )
}

/// Waits until `domain:port` accepts TCP connections from this host (at most `secs` seconds).
pub(crate) fn wait_tcp(domain: &str, port: u16, secs: u32) -> String {
    format!(
        r#"for i in $(seq {n}); do
  if timeout 1 bash -c 'exec 3<>/dev/tcp/{d}/{port}' 2>/dev/null; then exit 0; fi
  sleep 0.1
done
echo "{d}:{port} is not reachable from this host after {secs}s" >&2; exit 1"#,
        n = secs * 10,
        d = domain,
        port = port,
        secs = secs
    )
}

/// Removes the cluster's directory and the data-root parents it leaves empty.
pub(crate) fn remove_cluster_dir(cluster_dir: &str, data_root: &str) -> String {
    format!(
        r#"rm -rf {dir}
rmdir {data}/data 2>/dev/null || true
rmdir {data} 2>/dev/null || true
if [ -L /var/lib/registry ] && case "$(readlink /var/lib/registry)" in {dir}/*) true;; *) false;; esac; then rm -f /var/lib/registry; fi"#,
        dir = quote(cluster_dir),
        data = quote(data_root.trim_end_matches('/')),
    )
}
