#!/usr/bin/env bash
# testbed.sh - several "hosts" on one machine, for ftvm's fault-tolerance tests.
#
# A testbed NAME with N hosts is:
#   * one network namespace per host, NAME-h1 .. NAME-hN, each with loopback
#     up and one interface `eth0` holding 10.250.0.K/24 (K = host number);
#   * one namespace NAME-br holding a Linux bridge `br0` and the other ends of
#     the hosts' veth pairs (named h1 .. hN there).
# Every interface lives inside these namespaces: the root namespace gains no
# interface, route, rule or address, there is no default route and no NAT, so
# nothing a host sends can leave the machine. Because each testbed is its own
# layer-2 island, two testbeds may use the same addresses at the same time.
#
# Usage (needs root):
#   testbed.sh up NAME N                  create hosts h1..hN (1 <= N <= 200)
#   testbed.sh down NAME                  kill every process in the testbed's
#                                         namespaces and delete them (idempotent)
#   testbed.sh exec NAME HOST CMD...      run CMD inside HOST's namespace
#   testbed.sh addr NAME HOST             print HOST's address
#   testbed.sh status NAME                one line per host: address, state
#   testbed.sh partition NAME HOSTA HOSTB drop all traffic between two hosts
#   testbed.sh heal NAME HOSTA HOSTB      undo `partition`
#   testbed.sh isolate NAME HOST          unplug HOST's cable (bridge side down)
#   testbed.sh rejoin NAME HOST           plug it back in
#   testbed.sh netem NAME HOST "SPEC"     tc netem on HOST's eth0 (its egress),
#                                         e.g. "delay 20ms loss 1%"
#   testbed.sh netem-clear NAME HOST      remove it
# HOST is `hK` or just `K`.
#
# Exit status: 0 ok, 1 failure, 2 usage error, 3 the kernel lacks a needed
# feature (e.g. no sch_netem) - tests treat 3 as "skip this part".
#
# In a test, always pair `up` with a trap so a failing test still cleans up:
#   trap 'testbed.sh down mytb' EXIT
set -eEuo pipefail  # -E: the ERR trap of `up` also fires inside helpers

readonly SUBNET_PREFIX=10.250.0
readonly PREFIX_LEN=24
readonly MAX_HOSTS=200
readonly EXIT_USAGE=2
readonly EXIT_UNSUPPORTED=3

die() {  # die STATUS MESSAGE
  echo "testbed: $2" >&2
  exit "$1"
}

usage() {
  sed -n '/^# Usage/,/^# HOST is/p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2
  exit $EXIT_USAGE
}

require_root() {
  [[ $(id -u) == 0 ]] || die 1 "needs root (network namespaces, veth, bridge, iptables)"
  command -v ip >/dev/null || die 1 "'ip' not found: install iproute2"
}

# Testbed names become namespace names, so they stay short and plain: a dash
# would make NAME-hK ambiguous between two testbeds.
check_name() {
  [[ ${1:-} =~ ^[A-Za-z0-9_]{1,24}$ ]] || die $EXIT_USAGE "bad testbed name '${1:-}': use 1-24 of [A-Za-z0-9_]"
}

bridge_ns() { echo "$1-br"; }
host_ns() { echo "$1-h$2"; }
host_addr() { echo "$SUBNET_PREFIX.$1"; }

ns_exists() { [[ -e /run/netns/$1 ]]; }

# All namespaces of testbed NAME, hosts first (so their processes go first).
testbed_namespaces() {
  local name=$1 ns
  while read -r ns _; do
    [[ $ns =~ ^${name}-h[0-9]+$ ]] && echo "$ns"
  done < <(ip netns list 2>/dev/null)
  ns_exists "$(bridge_ns "$name")" && bridge_ns "$name"
  return 0
}

# "h3" or "3" -> 3, checked against the hosts that exist.
host_number() {  # host_number NAME HOST
  local k=${2#h}
  [[ $k =~ ^[0-9]{1,3}$ ]] || die $EXIT_USAGE "bad host '$2': use hK or K"
  k=$((10#$k))
  if ((k < 1 || k > MAX_HOSTS)); then die $EXIT_USAGE "bad host '$2': hosts are h1..h$MAX_HOSTS"; fi
  ns_exists "$(host_ns "$1" "$k")" || die 1 "testbed '$1' has no host h$k (is it up?)"
  echo "$k"
}

in_ns() {  # in_ns NAMESPACE CMD...
  local ns=$1
  shift
  ip netns exec "$ns" "$@"
}

# --- iptables: whichever backend works here ----------------------------------
# Debian's `iptables` may be the nft or the legacy backend, and a kernel may
# support only one of them. Probe inside the namespace that will get the rule.
IPTABLES=""
pick_iptables() {  # pick_iptables NAMESPACE
  [[ -n $IPTABLES ]] && return 0
  local candidate
  for candidate in iptables iptables-nft iptables-legacy; do
    command -v "$candidate" >/dev/null || continue
    if in_ns "$1" "$candidate" -w 5 -L OUTPUT -n >/dev/null 2>&1; then
      IPTABLES=$candidate
      return 0
    fi
  done
  die $EXIT_UNSUPPORTED "no working iptables (tried iptables, iptables-nft, iptables-legacy)"
}

# Adds a rule once (so repeated partitions need one heal) or deletes it.
rule_add() {  # rule_add NAMESPACE RULE...
  local ns=$1
  shift
  in_ns "$ns" "$IPTABLES" -w 5 -C "$@" 2>/dev/null || in_ns "$ns" "$IPTABLES" -w 5 -A "$@"
}
rule_del() {
  local ns=$1
  shift
  if in_ns "$ns" "$IPTABLES" -w 5 -C "$@" 2>/dev/null; then
    in_ns "$ns" "$IPTABLES" -w 5 -D "$@"
  fi
}

# Both directions, in both hosts: each host drops what it would send to the
# other and what it receives from it.
block_between() {  # block_between add|del NAME A B
  local action=$1 name=$2 a=$3 b=$4 ns peer
  for pair in "$a $b" "$b $a"; do
    read -r self other <<<"$pair"
    ns=$(host_ns "$name" "$self")
    peer=$(host_addr "$other")
    pick_iptables "$ns"
    "rule_$action" "$ns" OUTPUT -d "$peer" -j DROP
    "rule_$action" "$ns" INPUT -s "$peer" -j DROP
  done
}

# --- commands ------------------------------------------------------------------
cmd_up() {
  (($# == 2)) || usage
  local name=$1 count=$2 k br ns
  check_name "$name"
  [[ $count =~ ^[0-9]{1,3}$ ]] || die $EXIT_USAGE "bad host count '$count': 1..$MAX_HOSTS"
  count=$((10#$count))
  if ((count < 1 || count > MAX_HOSTS)); then die $EXIT_USAGE "bad host count '$count': 1..$MAX_HOSTS"; fi
  require_root
  [[ -z $(testbed_namespaces "$name") ]] || die 1 "testbed '$name' already exists (run: $0 down $name)"
  # A half-built testbed is torn down again, so `up` is all or nothing.
  trap 'cmd_down_quiet "$name"' ERR
  br=$(bridge_ns "$name")
  ip netns add "$br"
  ip -n "$br" link set lo up
  ip -n "$br" link add br0 type bridge forward_delay 0 stp_state 0
  ip -n "$br" link set br0 up
  for ((k = 1; k <= count; k++)); do
    ns=$(host_ns "$name" "$k")
    ip netns add "$ns"
    ip -n "$ns" link set lo up
    # Created inside the bridge namespace, moved straight into the host's:
    # the root namespace never sees either end.
    ip -n "$br" link add "h$k" type veth peer name eth0 netns "$ns"
    ip -n "$br" link set "h$k" master br0 up
    ip -n "$ns" addr add "$(host_addr "$k")/$PREFIX_LEN" dev eth0
    ip -n "$ns" link set eth0 up
  done
  trap - ERR
  echo "testbed $name: $count host(s) on $SUBNET_PREFIX.0/$PREFIX_LEN (h1=$(host_addr 1))"
}

# Processes first (TERM, a bounded grace period, then KILL), then namespaces:
# deleting a host namespace destroys its veth pair, deleting NAME-br the bridge.
cmd_down_quiet() {
  local name=$1 ns try
  local -a namespaces
  mapfile -t namespaces < <(testbed_namespaces "$name")
  ((${#namespaces[@]} > 0)) || return 0
  signal_namespaces TERM "${namespaces[@]}"
  # Up to 1 s for a polite exit, then KILL and up to 1 s more.
  for ((try = 0; try < 20 && $(count_pids "${namespaces[@]}") > 0; try++)); do
    ((try == 10)) && signal_namespaces KILL "${namespaces[@]}"
    sleep 0.1
  done
  for ns in "${namespaces[@]}"; do
    ip netns del "$ns" 2>/dev/null || true
  done
  [[ -z $(testbed_namespaces "$name") ]] || {
    echo "testbed: could not delete every namespace of '$name'" >&2
    return 1
  }
}

# Every process whose network namespace is one of ours.
namespace_pids() {  # namespace_pids NAMESPACE...
  local ns
  for ns in "$@"; do ip netns pids "$ns" 2>/dev/null || true; done
}
count_pids() { namespace_pids "$@" | grep -c . || true; }
signal_namespaces() {  # signal_namespaces SIGNAL NAMESPACE...
  local sig=$1 pid
  shift
  for pid in $(namespace_pids "$@"); do
    kill "-$sig" "$pid" 2>/dev/null || true
  done
}

cmd_down() {
  (($# == 1)) || usage
  check_name "$1"
  require_root
  cmd_down_quiet "$1"
}

cmd_exec() {
  (($# >= 3)) || usage
  local name=$1 k
  check_name "$name"
  require_root
  k=$(host_number "$name" "$2")
  shift 2
  exec ip netns exec "$(host_ns "$name" "$k")" "$@"
}

cmd_addr() {
  (($# == 2)) || usage
  check_name "$1"
  require_root
  host_addr "$(host_number "$1" "$2")"
}

cmd_status() {
  (($# == 1)) || usage
  local name=$1 k state qdisc
  check_name "$name"
  require_root
  [[ -n $(testbed_namespaces "$name") ]] || die 1 "testbed '$name' is not up"
  # Hosts are numbered 1..N without gaps.
  for ((k = 1; k <= MAX_HOSTS; k++)); do
    ns_exists "$(host_ns "$name" "$k")" || break
    state=isolated
    ip -n "$(bridge_ns "$name")" -o link show "h$k" 2>/dev/null | grep -q 'state UP' && state=joined
    qdisc=$(in_ns "$(host_ns "$name" "$k")" tc qdisc show dev eth0 2>/dev/null | grep -o 'netem.*' || true)
    echo "h$k $(host_addr "$k") $state${qdisc:+ $qdisc}"
  done
}

cmd_partition() {
  (($# == 3)) || usage
  local name=$1 a b
  check_name "$name"
  require_root
  a=$(host_number "$name" "$2")
  b=$(host_number "$name" "$3")
  ((a != b)) || die $EXIT_USAGE "cannot partition h$a from itself"
  block_between add "$name" "$a" "$b"
}

cmd_heal() {
  (($# == 3)) || usage
  local name=$1 a b
  check_name "$name"
  require_root
  a=$(host_number "$name" "$2")
  b=$(host_number "$name" "$3")
  block_between del "$name" "$a" "$b"
}

# Taking the bridge's end down is pulling the host's cable: the host keeps its
# address and processes but nothing reaches it and nothing leaves it.
set_cable() {  # set_cable up|down NAME HOST
  local name=$2 k
  check_name "$name"
  require_root
  k=$(host_number "$name" "$3")
  ip -n "$(bridge_ns "$name")" link set "h$k" "$1"
}
cmd_isolate() { (($# == 2)) || usage; set_cable down "$@"; }
cmd_rejoin() { (($# == 2)) || usage; set_cable up "$@"; }

cmd_netem() {
  (($# == 3)) || usage
  local name=$1 k ns err
  check_name "$name"
  require_root
  k=$(host_number "$name" "$2")
  ns=$(host_ns "$name" "$k")
  [[ -n $3 ]] || die $EXIT_USAGE "empty netem spec (e.g. \"delay 20ms loss 1%\")"
  # The spec is split into words on purpose: it is tc's own syntax.
  # shellcheck disable=SC2086
  if ! err=$(in_ns "$ns" tc qdisc replace dev eth0 root netem $3 2>&1); then
    if [[ $err == *"unknown"* || $err == *"No such file"* ]]; then
      die $EXIT_UNSUPPORTED "this kernel has no netem qdisc (sch_netem / CONFIG_NET_SCH_NETEM): $err"
    fi
    die 1 "tc netem '$3' on h$k failed: $err"
  fi
}

cmd_netem_clear() {
  (($# == 2)) || usage
  local name=$1 k
  check_name "$name"
  require_root
  k=$(host_number "$name" "$2")
  # No qdisc to delete is fine: clearing is idempotent.
  in_ns "$(host_ns "$name" "$k")" tc qdisc del dev eth0 root 2>/dev/null || true
}

main() {
  (($# >= 1)) || usage
  local command=$1
  shift
  case $command in
    up) cmd_up "$@" ;;
    down) cmd_down "$@" ;;
    exec) cmd_exec "$@" ;;
    addr) cmd_addr "$@" ;;
    status) cmd_status "$@" ;;
    partition) cmd_partition "$@" ;;
    heal) cmd_heal "$@" ;;
    isolate) cmd_isolate "$@" ;;
    rejoin) cmd_rejoin "$@" ;;
    netem) cmd_netem "$@" ;;
    netem-clear) cmd_netem_clear "$@" ;;
    -h | --help | help) usage ;;
    *) echo "testbed: unknown command '$command'" >&2; usage ;;
  esac
}

main "$@"
