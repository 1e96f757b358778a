#!/usr/bin/env bash
# Test hosts on one machine (root only): per host a network namespace on a private bridge, an
# overlay of / as its root, a fresh SSH host key and a real sshd.
#
#   testbed.sh up      IDX N WORKDIR   # hosts 10.77.(10+IDX).2 .. .(N+1), bridge hbIDX = .1
#   testbed.sh down    IDX N WORKDIR   # remove everything (safe to run twice)
#   testbed.sh rekey   IDX I WORKDIR   # new host keys for host I (1-based), restart its sshd
#   testbed.sh exec    IDX I WORKDIR CMD...   # run CMD inside host I's root (no SSH)
#   testbed.sh cut     IDX I WORKDIR   # link of host I down
#   testbed.sh restore IDX I WORKDIR   # link of host I up
#
# Every host: root password `hoist-test`, user `deploy` (password `deploy-pass`, in group sudo,
# so sudo asks for the password), WORKDIR/client_key authorized for root and deploy.
# Only addresses inside 10.77.(10+IDX).0/24 are used.
set -euo pipefail

cmd=${1:?usage: testbed.sh up|down|rekey|exec|cut|restore IDX N|I WORKDIR}
idx=${2:?IDX}
num=${3:?N or I}
W=${4:?WORKDIR}
shift 4 || true

net="10.77.$((10 + idx))"
br="hb$idx"
ns() { echo "hb${idx}h$1"; }
veth() { echo "hb${idx}v$1"; }
ip_of() { echo "$net.$(($1 + 1))"; }

# Start (or restart) sshd of host i in a private mount namespace over the overlay root.
start_sshd() {
	local i=$1 D="$W/h$1" n ip
	n=$(ns "$i")
	ip=$(ip_of "$i")
	mkdir -p "$D/upper" "$D/work" "$D/root"
	# setsid: the sshd must not die with the caller's process group.
	setsid ip netns exec "$n" unshare -m -u --propagation private sh -c '
		set -e
		D="$1"; ip="$2"; h="$3"
		hostname "$h"
		for t in 1 2 3 4 5 6 7 8 9 10; do
			mount -t overlay overlay -o "lowerdir=/,upperdir=$D/upper,workdir=$D/work" "$D/root" && break
			sleep 0.2
		done
		mountpoint -q "$D/root"
		mount -t proc proc "$D/root/proc"
		mount --rbind /dev "$D/root/dev"
		mount -t tmpfs tmpfs "$D/root/run"
		mkdir -p "$D/root/run/sshd"
		echo "$$" > "$D/sshd.pid"
		exec chroot "$D/root" /usr/sbin/sshd -D -e -o ListenAddress="$ip" -o PermitRootLogin=yes \
			-o PasswordAuthentication=yes -o MaxSessions=100 -o MaxStartups=100 -o UseDNS=no \
			-o PidFile=none
	' sh "$D" "$ip" "h$i" >"$D/sshd.log" 2>&1 </dev/null &
	for _ in $(seq 1 100); do
		if timeout 0.3 bash -c "echo > /dev/tcp/$ip/22" 2>/dev/null; then
			return 0
		fi
		sleep 0.1
	done
	echo "testbed: sshd of host $i ($ip) did not start; log:" >&2
	cat "$D/sshd.log" >&2 || true
	return 1
}

# Prepare host i's root (runs before sshd, in a throw-away mount namespace).
prepare_root() {
	local i=$1 D="$W/h$1"
	mkdir -p "$D/upper" "$D/work" "$D/root"
	unshare -m --propagation private sh -c '
		set -e
		D="$1"; h="$2"; ip="$3"; W="$4"
		mount -t overlay overlay -o "lowerdir=/,upperdir=$D/upper,workdir=$D/work" "$D/root"
		mount -t proc proc "$D/root/proc"
		mount --rbind /dev "$D/root/dev"
		echo "$h" > "$D/root/etc/hostname"
		printf "127.0.0.1\tlocalhost\n%s\t%s\n" "$ip" "$h" > "$D/root/etc/hosts"
		rm -f "$D"/root/etc/ssh/ssh_host_*
		chroot "$D/root" ssh-keygen -A >/dev/null
		chroot "$D/root" sh -c "id deploy >/dev/null 2>&1 || useradd -m -s /bin/bash -G sudo deploy"
		chroot "$D/root" sh -c "echo root:hoist-test | chpasswd; echo deploy:deploy-pass | chpasswd"
		for home in root home/deploy; do
			mkdir -p "$D/root/$home/.ssh"
			cp "$W/client_key.pub" "$D/root/$home/.ssh/authorized_keys"
			chmod 700 "$D/root/$home/.ssh"; chmod 600 "$D/root/$home/.ssh/authorized_keys"
		done
		chroot "$D/root" chown -R deploy:deploy /home/deploy/.ssh
		# A plain root shell: this machine'"'"'s own ~/.bashrc (pyenv, ...) must not slow every command.
		cp /etc/skel/.bashrc "$D/root/root/.bashrc" 2>/dev/null || : > "$D/root/root/.bashrc"
		cp /etc/skel/.profile "$D/root/root/.profile" 2>/dev/null || : > "$D/root/root/.profile"
		umount -R "$D/root"
	' sh "$D" "h$i" "$(ip_of "$i")" "$W"
}

kill_host() {
	local n
	n=$(ns "$1")
	if ip netns list | grep -qw "$n"; then
		# shellcheck disable=SC2046
		for p in $(ip netns pids "$n" 2>/dev/null); do kill -KILL "$p" 2>/dev/null || true; done
		for _ in $(seq 1 50); do
			[ -z "$(ip netns pids "$n" 2>/dev/null)" ] && break
			sleep 0.1
		done
	fi
}

case "$cmd" in
up)
	mkdir -p "$W"
	[ -f "$W/client_key" ] || ssh-keygen -q -t ed25519 -N '' -C hoist-testbed -f "$W/client_key"
	ip link add "$br" type bridge
	ip addr add "$net.1/24" dev "$br"
	ip link set "$br" up
	for i in $(seq 1 "$num"); do
		n=$(ns "$i")
		ip netns add "$n"
		ip link add "$(veth "$i")" type veth peer name eth0 netns "$n"
		ip link set "$(veth "$i")" master "$br" up
		ip -n "$n" addr add "$(ip_of "$i")/24" dev eth0
		ip -n "$n" link set eth0 up
		ip -n "$n" link set lo up
		prepare_root "$i"
		start_sshd "$i"
	done
	;;
down)
	for i in $(seq 1 "$num"); do
		kill_host "$i"
		ip netns del "$(ns "$i")" 2>/dev/null || true
		ip link del "$(veth "$i")" 2>/dev/null || true
	done
	ip link del "$br" 2>/dev/null || true
	;;
rekey)
	kill_host "$num"
	D="$W/h$num"
	rm -f "$D"/upper/etc/ssh/ssh_host_*
	prepare_root "$num"
	start_sshd "$num"
	;;
exec)
	pid=$(cat "$W/h$num/sshd.pid")
	exec nsenter -t "$pid" -m -n -- chroot "$W/h$num/root" bash -c "$*"
	;;
cut) ip link set "$(veth "$num")" down ;;
restore)
	ip link set "$(veth "$num")" up
	ip neigh flush dev "$br" 2>/dev/null || true
	;;
*)
	echo "testbed: unknown command $cmd" >&2
	exit 2
	;;
esac
