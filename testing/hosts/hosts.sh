#!/usr/bin/env bash
# hosts.sh -- several MPICH "hosts" on one Linux machine, made of network
# namespaces (see doc/hosts.md).  Needs root and iproute2.
#
#   hosts.sh up N            create hosts h1..hN (removes leftovers first)
#   hosts.sh down            remove everything `up` made (idempotent)
#   hosts.sh exec HOST CMD.. run CMD inside HOST (h1, h2, ...)
#   hosts.sh check           exit 0 if hosts can be made here, else print why
#                            and exit 77
#
# Host hN is: network namespace ${COMEX_HOSTS_PREFIX}N with a veth `eth0`
# (address $COMEX_HOSTS_NET.N/24) plugged into a bridge in the root namespace
# (address $COMEX_HOSTS_NET.254), its own /etc/hosts (/etc/netns/<ns>/hosts,
# which `ip netns exec` mounts over /etc/hosts), and on every entry a private
# UTS namespace with hostname hN and a private boot_id (bind-mounted over
# /proc/sys/kernel/random/boot_id), so UCX treats the hosts as different
# machines and talks TCP between them.
#
# Callers that may run concurrently should hold the lock (see run.sh).
set -euo pipefail

: "${COMEX_HOSTS_PREFIX:=cmxh}"         # namespaces cmxh1, cmxh2, ...
: "${COMEX_HOSTS_NET:=10.213.77}"       # the hosts' /24
: "${COMEX_HOSTS_BRIDGE:=cmxbr0}"       # bridge in the root namespace
: "${COMEX_HOSTS_STATE:=/run/comex-hosts}"  # boot_id files (never under /etc/netns)
MAX_HOSTS=8

die() { echo "hosts.sh: $*" >&2; exit 1; }

ns_of() {  # h3 -> cmxh3
  case "$1" in
    h[1-9]) echo "$COMEX_HOSTS_PREFIX${1#h}" ;;
    *) die "unknown host '$1' (expected h1..h$MAX_HOSTS)" ;;
  esac
}

# Why hosts cannot be made here; empty if they can.
why_not() {
  [ "$(uname -s)" = Linux ] || { echo "not Linux"; return; }
  [ "$(id -u)" -eq 0 ] || { echo "not root"; return; }
  command -v ip >/dev/null 2>&1 || { echo "no 'ip' (install iproute2)"; return; }
  command -v unshare >/dev/null 2>&1 || { echo "no 'unshare' (util-linux)"; return; }
  [ -r /proc/sys/kernel/random/boot_id ] || { echo "no /proc/sys/kernel/random/boot_id"; return; }
  # a throw-away namespace proves namespaces, veths and mounts work here
  local t="${COMEX_HOSTS_PREFIX}probe$$"
  if ! ip netns add "$t" 2>/dev/null; then echo "cannot create network namespaces"; return; fi
  local ok=1
  ip netns exec "$t" unshare --uts sh -c 'hostname probe && mount --bind /proc/sys/kernel/random/boot_id /proc/sys/kernel/random/boot_id' \
    >/dev/null 2>&1 || ok=0
  if [ $ok = 1 ] && ! ip link add "${t}a" type veth peer name "${t}b" netns "$t" 2>/dev/null; then ok=2; fi
  ip link del "${t}a" 2>/dev/null || true
  ip netns del "$t" 2>/dev/null || true
  case $ok in
    0) echo "cannot enter a namespace with its own hostname and mounts" ;;
    2) echo "cannot create veth pairs" ;;
  esac
}

cmd_check() {
  local why
  why=$(why_not)
  if [ -n "$why" ]; then echo "hosts: cannot make hosts here: $why"; exit 77; fi
}

# Kills what still runs inside our namespaces (left by an aborted run), by pid.
kill_inside() {
  local ns pids sig
  for sig in TERM KILL; do
    pids=
    for ns in $(ip netns list 2>/dev/null | awk '{print $1}' | grep -E "^${COMEX_HOSTS_PREFIX}[0-9]+$" || true); do
      pids="$pids $(ip netns pids "$ns" 2>/dev/null || true)"
    done
    pids=$(echo $pids)
    [ -n "$pids" ] || return 0
    # shellcheck disable=SC2086
    kill -s $sig $pids 2>/dev/null || true
    [ $sig = TERM ] && sleep 1
  done
}

cmd_down() {
  kill_inside
  local ns link
  for ns in $(ip netns list 2>/dev/null | awk '{print $1}' | grep -E "^${COMEX_HOSTS_PREFIX}([0-9]+|probe[0-9]+)$" || true); do
    ip netns del "$ns" || echo "hosts.sh: could not delete namespace $ns" >&2
  done
  for link in $(ip -o link show 2>/dev/null | awk -F': ' '{print $2}' | sed 's/@.*//' \
                | grep -E "^${COMEX_HOSTS_PREFIX}[0-9]+v$" || true); do
    ip link del "$link" 2>/dev/null || true
  done
  if ip link show "$COMEX_HOSTS_BRIDGE" >/dev/null 2>&1; then
    ip link del "$COMEX_HOSTS_BRIDGE" || echo "hosts.sh: could not delete bridge $COMEX_HOSTS_BRIDGE" >&2
  fi
  rm -rf /etc/netns/"${COMEX_HOSTS_PREFIX}"[0-9]* "$COMEX_HOSTS_STATE"
  rmdir /etc/netns 2>/dev/null || true   # only if empty: others may use it
}

cmd_up() {
  local n=${1:-}
  case "$n" in [1-9]) ;; *) die "usage: hosts.sh up N (1..$MAX_HOSTS)" ;; esac
  [ "$n" -le $MAX_HOSTS ] || die "at most $MAX_HOSTS hosts"
  cmd_down
  mkdir -p "$COMEX_HOSTS_STATE"
  ip link add "$COMEX_HOSTS_BRIDGE" type bridge
  ip addr add "$COMEX_HOSTS_NET.254/24" dev "$COMEX_HOSTS_BRIDGE"
  ip link set "$COMEX_HOSTS_BRIDGE" up
  local hosts="127.0.0.1 localhost
$COMEX_HOSTS_NET.254 hosts-bridge"
  local i
  for i in $(seq 1 "$n"); do hosts="$hosts
$COMEX_HOSTS_NET.$i h$i"; done
  for i in $(seq 1 "$n"); do
    local ns="$COMEX_HOSTS_PREFIX$i" v="$COMEX_HOSTS_PREFIX${i}v"
    ip netns add "$ns"
    ip link add "$v" type veth peer name eth0 netns "$ns"
    ip link set "$v" master "$COMEX_HOSTS_BRIDGE"
    ip link set "$v" up
    ip -n "$ns" link set lo up
    ip -n "$ns" addr add "$COMEX_HOSTS_NET.$i/24" dev eth0
    ip -n "$ns" link set eth0 up
    mkdir -p "/etc/netns/$ns"
    printf '%s\n' "$hosts" > "/etc/netns/$ns/hosts"
    cat /proc/sys/kernel/random/uuid > "$COMEX_HOSTS_STATE/boot_id.h$i"
  done
  # wait until every bridge port forwards and every eth0 is up (no ping here: iproute2 only)
  local tries
  for i in $(seq 1 "$n"); do
    tries=0
    until [ "$(cat "/sys/class/net/$COMEX_HOSTS_PREFIX${i}v/brport/state" 2>/dev/null)" = 3 ] &&
          ip -n "$COMEX_HOSTS_PREFIX$i" -o link show eth0 | grep -q LOWER_UP; do
      tries=$((tries + 1))
      [ $tries -lt 50 ] || die "h$i: link not up after 5 s"
      sleep 0.1
    done
  done
}

cmd_exec() {
  local host=${1:-}; shift || true
  [ $# -gt 0 ] || die "usage: hosts.sh exec HOST CMD..."
  local ns; ns=$(ns_of "$host")
  local boot="$COMEX_HOSTS_STATE/boot_id.$host"
  [ -f "$boot" ] || die "host $host does not exist (hosts.sh up N first)"
  # ip netns exec: network namespace, a private mount namespace, /etc/netns/<ns>/* over /etc;
  # unshare --uts: own hostname.  The boot_id mount stays inside this mount namespace.
  exec ip netns exec "$ns" unshare --uts -- sh -c '
    hostname "$0" && mount --bind "$1" /proc/sys/kernel/random/boot_id || exit 126
    shift; exec "$@"' "$host" "$boot" "$@"
}

case "${1:-}" in
  up) shift; cmd_up "$@" ;;
  down) cmd_down ;;
  exec) shift; cmd_exec "$@" ;;
  check) cmd_check ;;
  *) echo "usage: hosts.sh up N | down | exec HOST CMD... | check" >&2; exit 2 ;;
esac
