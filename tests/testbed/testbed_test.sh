#!/usr/bin/env bash
# End-to-end check of testbed/testbed.sh: three hosts, reachability by ICMP
# and by a TCP echo, partition/heal, isolate/rejoin, netem delay, and a
# teardown that leaves nothing behind even when a check failed.
# Needs root, iproute2, iptables, ping (iputils-ping) and socat; exits 77
# (ctest SKIP) with a reason when any is missing.
# Usage: testbed_test.sh      (exit 0 = all passed)
set -uo pipefail

readonly SKIP=77
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
tb=$here/../../testbed/testbed.sh
# Unique per run so parallel runs (and leftovers of a killed run) never clash.
name=tbt$$
failures=0
passes=0

skip() {
  echo "SKIP: $1"
  exit $SKIP
}
[[ $(id -u) == 0 ]] || skip "needs root for network namespaces (run as root or under sudo)"
for tool in ip iptables tc ping socat timeout; do
  command -v "$tool" >/dev/null || skip "'$tool' is not installed (apt-get install iproute2 iptables iputils-ping socat)"
done

check() {  # check DESCRIPTION CMD...   (the command must succeed)
  local what=$1
  shift
  if "$@"; then
    echo "ok   $what"
    passes=$((passes + 1))
  else
    echo "FAIL $what" >&2
    failures=$((failures + 1))
  fi
}
check_not() {  # check_not DESCRIPTION CMD...   (the command must fail)
  local what=$1
  shift
  if "$@"; then
    echo "FAIL $what" >&2
    failures=$((failures + 1))
  else
    echo "ok   $what"
    passes=$((passes + 1))
  fi
}

# Whatever happens below, the testbed goes away.
trap '"$tb" down "$name" >/dev/null 2>&1' EXIT

readonly ECHO_PORT=7000
# One ICMP echo from host $1 to host $2, at most 1 s.
pings() { "$tb" exec "$name" "$1" ping -n -q -c 1 -W 1 "$("$tb" addr "$name" "$2")" >/dev/null 2>&1; }
# A line sent over TCP from host $1 to host $2's echo server comes back, in 2 s.
tcp_echoes() {
  local addr
  addr=$("$tb" addr "$name" "$2") || return 1
  # shellcheck disable=SC2016  # expanded by the inner shell, inside the host
  "$tb" exec "$name" "$1" timeout 2 bash -c '
    exec 3<>"/dev/tcp/$1/$2" || exit 1
    echo "hello from testbed" >&3
    read -r -t 2 line <&3 && [[ $line == "hello from testbed" ]]' _ "$addr" "$ECHO_PORT" 2>/dev/null
}
reaches() { pings "$1" "$2" && tcp_echoes "$1" "$2"; }
# Neither ICMP nor TCP gets through.
cut_off() { ! pings "$1" "$2" && ! tcp_echoes "$1" "$2"; }
# Round trip (ms) of one TCP connect from host $1 to host $2: the handshake
# crosses the link once each way.
connect_ms() {
  local addr
  addr=$("$tb" addr "$name" "$2") || return 1
  # shellcheck disable=SC2016  # expanded by the inner shell, inside the host
  "$tb" exec "$name" "$1" timeout 3 bash -c '
    start=$(date +%s%N)
    exec 3<>"/dev/tcp/$1/$2" || exit 1
    echo $((($(date +%s%N) - start) / 1000000))' _ "$addr" "$ECHO_PORT"
}
start_echo_server() {  # start_echo_server HOST
  "$tb" exec "$name" "$1" socat "TCP-LISTEN:$ECHO_PORT,fork,reuseaddr" PIPE >/dev/null 2>&1 &
}
wait_until() {  # wait_until TENTHS CMD...   (bounded poll)
  local tries=$1
  shift
  for ((; tries > 0; tries--)); do
    "$@" && return 0
    sleep 0.1
  done
  return 1
}
leftovers() {  # namespaces and interfaces that mention the testbed
  ip netns list | grep -E "^$name-" || true
  ip -o link show | grep -E "$name|veth" || true
}

echo "== up"
check "up creates 3 hosts" "$tb" up "$name" 3
check "h1 has 10.250.0.1" [ "$("$tb" addr "$name" h1)" = 10.250.0.1 ]
check "root namespace gained no interface" [ -z "$(ip -o link show | grep -E 'veth|br0|eth0@' || true)" ]
check "hosts have no default route" [ -z "$("$tb" exec "$name" h1 ip route show default)" ]
check_not "up refuses an existing testbed" "$tb" up "$name" 2
check_not "bad host count is refused" "$tb" up "${name}x" 0
check_not "unknown host is refused" "$tb" exec "$name" h9 true

start_echo_server h2
start_echo_server h3
check "echo server on h2 is up" wait_until 50 tcp_echoes h1 h2
check "echo server on h3 is up" wait_until 50 tcp_echoes h1 h3

echo "== reachability"
check "h1 reaches h2" reaches h1 h2
check "h1 reaches h3" reaches h1 h3
check "h2 reaches h3" reaches h2 h3

echo "== partition h1/h2"
check "partition" "$tb" partition "$name" h1 h2
check "h1 cannot reach h2" cut_off h1 h2
check "h2 cannot reach h1" cut_off h2 h1
check "h1 still reaches h3" reaches h1 h3
check "h2 still reaches h3" reaches h2 h3
check "heal" "$tb" heal "$name" h1 h2
check "h1 reaches h2 again" reaches h1 h2
check "heal twice is harmless" "$tb" heal "$name" h1 h2

echo "== isolate h3"
check "isolate" "$tb" isolate "$name" h3
check "h1 cannot reach h3" cut_off h1 h3
check "h3 cannot reach h2" cut_off h3 h2
check "h1 still reaches h2" reaches h1 h2
check "status shows h3 isolated" bash -c "'$tb' status '$name' | grep -q '^h3 .* isolated'"
check "rejoin" "$tb" rejoin "$name" h3
check "h1 reaches h3 again" wait_until 30 reaches h1 h3

echo "== netem delay"
baseline=$(connect_ms h1 h2)
rc=0
"$tb" netem "$name" h2 "delay 100ms" || rc=$?
if ((rc == 3)); then
  echo "skip netem: this kernel has no netem qdisc (connect h1->h2 took ${baseline:-?} ms undelayed)"
  check "undelayed connect time was measured" [ -n "$baseline" ]
else
  check "netem applied" [ "$rc" = 0 ]
  delayed=$(connect_ms h1 h2)
  echo "     connect h1->h2: ${baseline:-?} ms before, ${delayed:-?} ms with 100 ms delay on h2"
  check "round trip is at least 100 ms" [ "${delayed:-0}" -ge 100 ]
  check "netem-clear" "$tb" netem-clear "$name" h2
  cleared=$(connect_ms h1 h2)
  check "round trip is back under 100 ms" [ "${cleared:-1000}" -lt 100 ]
fi
check "netem-clear without netem is harmless" "$tb" netem-clear "$name" h2

echo "== down"
check "down" "$tb" down "$name"
check "no namespace, veth or bridge is left" [ -z "$(leftovers)" ]
check "down twice is harmless" "$tb" down "$name"

# A test body that fails half way still leaves nothing behind: a child test
# that brings up a testbed with a trap and then fails.
echo "== cleanup after a failing test"
child=${name}f
bash -c "trap '\"$tb\" down $child >/dev/null' EXIT
  '$tb' up $child 2 >/dev/null
  '$tb' exec $child h1 sleep 60 &
  sleep 0.2
  exit 1" >/dev/null 2>&1
check "failed child left no namespace" [ -z "$(ip netns list | grep -E "^$child-" || true)" ]

echo "$passes passed, $failures failed"
((failures == 0))
