#!/usr/bin/env bash
# Distribute ~1 GiB of small files to 3 and to 10 testbed hosts three ways and compare:
#   (a) hoist     crates/hoist-exec/examples/push.rs (release): one SSH connection per host,
#                 one tar stream per host into `tar -x`, all hosts in parallel
#   (b) tar|ssh   `tar -C SRC -cf - . | ssh root@host 'tar -xf - -C DST'`, all hosts in parallel
#   (c) sftp      OpenSSH `sftp -b` with `put -r` (files one after another), all hosts in parallel
#   (d) sftp-sealos  what sealos's Copy does per file, as an OpenSSH `sftp -b` batch: mkdir of
#                 each directory, then for every file `put -p SRC DST.tmp` and `rename DST.tmp DST`,
#                 all hosts in parallel (sealos also runs hosts in parallel)
# The destination is wiped between runs. Root only (it starts the testbed).
#
#   scripts/bench-distribute.sh [FILES] [HOST_COUNTS] [WAYS]
#   defaults: 30000 "3 10" "hoist tar sftp sftp_sealos"
#
# The testbed's bridge has no latency and this kernel has no netem, so:
#   DELAY_US=N  every way connects through crates/hoist-testkit/examples/delay-proxy.rs, which holds
#               each byte back N microseconds in each direction (a round trip costs 2N plus about
#               0.2 ms of thread wake-ups), bandwidth unlimited: hoist through its listening form,
#               OpenSSH (tar|ssh, sftp) through its --stdio form as ProxyCommand, so that OpenSSH's
#               Nagle waits (Go's ssh, which sealos uses, sets TCP_NODELAY) are not charged to it.
#               0 (the default) connects straight to the hosts.
#   TMPFS=1     each host's destination is a tmpfs in its own mount namespace, as if every host had
#               a disk of its own instead of all of them sharing this machine's one disk.
set -euo pipefail
cd "$(dirname "$0")/.."
FILES=${1:-30000}
COUNTS=${2:-"3 10"}
WAYS=${3:-"hoist tar sftp sftp_sealos"}
MAXN=0
for n in $COUNTS; do [ "$n" -gt "$MAXN" ] && MAXN=$n; done

[ "$(id -u)" = 0 ] || { echo "bench-distribute: needs root" >&2; exit 1; }
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$PWD/target-hoist-exec}
cargo build --release -q -p hoist-exec --example push
PUSH=$CARGO_TARGET_DIR/release/examples/push
DELAY_US=${DELAY_US:-0}
TMPFS=${TMPFS:-0}
if [ "$DELAY_US" != 0 ]; then
	cargo build --release -q -p hoist-testkit --example delay-proxy
	PROXY=$CARGO_TARGET_DIR/release/examples/delay-proxy
fi

mkdir -p /run/hoist-testbed
exec 9>/run/hoist-testbed/199.lock
flock -n 9 || { echo "bench-distribute: testbed index 199 is busy" >&2; exit 1; }
IDX=199
W=$(mktemp -d /tmp/hoist-bench-XXXXXX)
PROXY_PID=
cleanup() {
	[ -n "$PROXY_PID" ] && kill "$PROXY_PID" 2>/dev/null
	if [ "$TMPFS" = 1 ]; then
		for i in $(seq 1 "$MAXN"); do bash scripts/testbed.sh exec $IDX "$i" "$W" "umount /srv/bench" 2>/dev/null || true; done
	fi
	bash scripts/testbed.sh down $IDX "$MAXN" "$W" || true
	rm -rf "$W"
}
trap cleanup EXIT
bash scripts/testbed.sh down $IDX 250 /nonexistent >/dev/null 2>&1 || true
bash scripts/testbed.sh up $IDX "$MAXN" "$W"
KEY=$W/client_key
SSHO=(-i "$KEY" -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o LogLevel=ERROR -o BatchMode=yes)
real_ip_of() { echo "10.77.$((10 + IDX)).$(($1 + 1))"; }
if [ "$DELAY_US" != 0 ]; then
	maps=()
	for i in $(seq 1 "$MAXN"); do maps+=("127.0.0.1:$((41000 + i))=$(real_ip_of "$i"):22"); done
	coproc PROXYP { exec "$PROXY" "$DELAY_US" "${maps[@]}"; }
	PROXY_PID=$PROXYP_PID
	read -r _ <&"${PROXYP[0]}"
	echo "delay-proxy: ${DELAY_US} us each way in front of every host" >&2
	ip_of() { echo 127.0.0.1; }
	port_of() { echo $((41000 + $1)); }
	proxy_opt() { echo "ProxyCommand=$PROXY --stdio $DELAY_US $(real_ip_of "$1"):22"; }
else
	ip_of() { real_ip_of "$1"; }
	port_of() { echo 22; }
	proxy_opt() { echo "ProxyCommand=none"; }
fi

SRC=$W/src
echo "generating $FILES files of 1-64 KiB random bytes in $SRC ..." >&2
python3 - "$SRC" "$FILES" <<'PY'
import os, random, sys
root, n = sys.argv[1], int(sys.argv[2])
random.seed(42)
total = 0
for i in range(n):
    d = os.path.join(root, "d%03d" % (i % 200), "s%02d" % (i % 7))
    os.makedirs(d, exist_ok=True)
    size = random.randint(1024, 65536)
    with open(os.path.join(d, "f%05d.bin" % i), "wb") as f:
        f.write(os.urandom(size))
    total += size
print("%d files, %.2f GiB" % (n, total / 2**30), file=sys.stderr)
PY
sync

DST=/srv/bench
wipe() {
	for i in $(seq 1 "$1"); do
		if [ "$TMPFS" = 1 ]; then
			bash scripts/testbed.sh exec $IDX "$i" "$W" "umount $DST 2>/dev/null; rm -rf $DST; mkdir -p $DST && mount -t tmpfs -o size=3g tmpfs $DST"
		else
			bash scripts/testbed.sh exec $IDX "$i" "$W" "rm -rf $DST"
		fi
	done
	sync
}
check() {
	local n=$1 want got
	want=$(find "$SRC" -type f | wc -l)
	for i in $(seq 1 "$n"); do
		got=$(bash scripts/testbed.sh exec $IDX "$i" "$W" "find $DST -type f ! -name .hoist-sync | wc -l")
		[ "$got" = "$want" ] || { echo "host $i has $got files, want $want" >&2; exit 1; }
	done
}
now() { date +%s.%N; }

run_hoist() {
	local n=$1 hosts=()
	for i in $(seq 1 "$n"); do hosts+=("$(ip_of "$i"):$(port_of "$i")"); done
	"$PUSH" "$SRC" "$DST" "$KEY" "${hosts[@]}" 2>"$W/push.log" || { cat "$W/push.log" >&2; exit 1; }
}
run_tar() {
	local n=$1 pids=()
	for i in $(seq 1 "$n"); do
		tar -C "$SRC" -cf - . | ssh "${SSHO[@]}" -o "$(proxy_opt "$i")" "root@$(real_ip_of "$i")" "mkdir -p $DST && tar -xf - -C $DST" &
		pids+=($!)
	done
	for p in "${pids[@]}"; do wait "$p"; done
}
run_sftp() {
	local n=$1 pids=()
	for i in $(seq 1 "$n"); do
		ssh "${SSHO[@]}" -o "$(proxy_opt "$i")" "root@$(real_ip_of "$i")" "mkdir -p $DST"
		printf 'put -r %s/* %s/\n' "$SRC" "$DST" > "$W/sftp.batch"
		sftp "${SSHO[@]}" -o "$(proxy_opt "$i")" -q -b "$W/sftp.batch" "root@$(real_ip_of "$i")" >/dev/null &
		pids+=($!)
	done
	for p in "${pids[@]}"; do wait "$p"; done
}
run_sftp_sealos() {
	local n=$1 pids=()
	(
		cd "$SRC"
		find . -mindepth 1 -type d | sort | sed "s|^\./|-mkdir $DST/|"
		find . -type f | sort | while IFS= read -r f; do
			f=${f#./}
			printf 'put -p %s/%s %s/%s.tmp\nrename %s/%s.tmp %s/%s\n' "$SRC" "$f" "$DST" "$f" "$DST" "$f" "$DST" "$f"
		done
	) > "$W/sftp-sealos.batch"
	for i in $(seq 1 "$n"); do
		ssh "${SSHO[@]}" -o "$(proxy_opt "$i")" "root@$(real_ip_of "$i")" "mkdir -p $DST"
		sftp "${SSHO[@]}" -o "$(proxy_opt "$i")" -q -b "$W/sftp-sealos.batch" "root@$(real_ip_of "$i")" >/dev/null &
		pids+=($!)
	done
	for p in "${pids[@]}"; do wait "$p"; done
}

declare -A T
for n in $COUNTS; do
	for way in $WAYS; do
		wipe "$n"
		t0=$(now)
		"run_$way" "$n"
		t1=$(now)
		check "$n"
		T[$way.$n]=$(echo "$t1 - $t0" | bc)
		echo "$way to $n hosts: ${T[$way.$n]} s" >&2
		if [ "$way" = hoist ]; then
			# A second hoist run with nothing changed (the manifest makes it a no-op).
			t0=$(now); run_hoist "$n"; t1=$(now)
			T[again.$n]=$(echo "$t1 - $t0" | bc)
			echo "hoist again to $n hosts: ${T[again.$n]} s" >&2
		fi
	done
done

echo
ratio() { if [ -n "${T[$1]:-}" ] && [ -n "${T[$2]:-}" ]; then printf '%.2f' "$(echo "${T[$1]} / ${T[$2]}" | bc -l)"; else echo -; fi; }
val() { if [ -n "${T[$1]:-}" ]; then printf '%.2f' "${T[$1]}"; else echo -; fi; }
printf '%-6s %10s %10s %10s %12s %12s %10s %10s %12s\n' hosts hoist "tar|ssh" sftp sftp-sealos "hoist-again" hoist/tar sftp/hoist sealos/hoist
for n in $COUNTS; do
	printf '%-6s %10s %10s %10s %12s %12s %10s %10s %12s\n' "$n" "$(val hoist.$n)" "$(val tar.$n)" "$(val sftp.$n)" \
		"$(val sftp_sealos.$n)" "$(val again.$n)" "$(ratio hoist.$n tar.$n)" "$(ratio sftp.$n hoist.$n)" \
		"$(ratio sftp_sealos.$n hoist.$n)"
done
echo "(seconds, wall clock; one-way delay ${DELAY_US} us; tmpfs destinations: $TMPFS; ratios: hoist/tar should be <= 1.3, sftp/hoist >= 5)"
