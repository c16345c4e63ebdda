#!/usr/bin/env bash
# The fault-tolerant pair across test-bed hosts (testbed/testbed.sh): the
# primary on h2, the backup on h3 and test-and-set elsewhere, then a network
# fault between them.
#
#   split:    h2 and h3 are cut from each other but both still reach TAS.
#             Exactly one side goes live; the other halts with status 6.
#   isolate:  h2's cable is pulled: it reaches neither its backup nor TAS.
#             The backup wins TAS and goes live; the isolated primary holds
#             every output from after the cut (a key typed to it after the
#             cut is never echoed) and, once its cable is back and it can ask
#             TAS, halts with status 6.
#
# TAS is `builtin` (`ftvm tas serve` on h1) or `etcd` (a 3-member etcd
# cluster on h1, h4 and h5).
#
# Usage: pair_testbed_test.sh FTVM TICKER_ELF split|isolate builtin|etcd
# Exit: 0 passed, 1 failed, 77 skipped (not root, no network namespaces,
# a tool or etcd missing).
# Helpers are called through `check` and `wait_until`, which shellcheck cannot follow.
# shellcheck disable=SC2317
set -uo pipefail

readonly SKIP=77
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
tb=$here/../../testbed/testbed.sh

(($# == 4)) || {
  echo "usage: $0 FTVM TICKER_ELF split|isolate builtin|etcd" >&2
  exit 2
}
ftvm=$1 ticker=$2 scenario=$3 tas_kind=$4
[[ $scenario == split || $scenario == isolate ]] || { echo "unknown scenario '$scenario'" >&2; exit 2; }
[[ $tas_kind == builtin || $tas_kind == etcd ]] || { echo "unknown TAS '$tas_kind'" >&2; exit 2; }
[[ -x $ftvm && -f $ticker ]] || { echo "FAIL: $ftvm or $ticker is missing (build ftvm and pair_guest)" >&2; exit 1; }

skip() {
  echo "SKIP: $1"
  exit $SKIP
}
[[ $(id -u) == 0 ]] || skip "needs root for network namespaces (run as root or under sudo)"
for tool in ip iptables timeout; do
  command -v "$tool" >/dev/null || skip "'$tool' is not installed (apt-get install iproute2 iptables)"
done
if [[ $tas_kind == etcd ]] && ! command -v etcd >/dev/null; then skip "etcd is not installed (apt-get install etcd-server)"; fi

# Unique per run so parallel runs (and leftovers of a killed run) never clash.
name=pt${scenario:0:1}${tas_kind:0:1}$$
work=$(mktemp -d /tmp/ftvm-pair-testbed-XXXXXX)
pids=()
cleanup() {
  local pid
  for pid in "${pids[@]}"; do kill -KILL "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  "$tb" down "$name" >/dev/null 2>&1
  rm -rf "$work"
}
trap cleanup EXIT

failures=0
passes=0
check() {  # check DESCRIPTION CMD...
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
fatal() {  # fatal MESSAGE: dump what the members said, stop
  echo "FAIL $1" >&2
  local f
  for f in "$work"/*.err "$work"/*.out; do
    [[ -f $f ]] && { echo "--- ${f##*/}"; tail -n 30 "$f"; }
  done >&2
  exit 1
}
now_ms() { echo $(($(date +%s%N) / 1000000)); }
wait_until() {  # wait_until TENTHS CMD...   (bounded poll)
  local tries=$1
  shift
  for ((; tries > 0; tries--)); do
    "$@" && return 0
    sleep 0.1
  done
  return 1
}
has() { grep -q -- "$2" "$work/$1" 2>/dev/null; }   # has FILE TEXT
running() { kill -0 "$1" 2>/dev/null; }
# exit status of a member that has exited (waits at most TENTHS for it).
exit_status() {  # exit_status PID TENTHS
  wait_until "$2" bash -c "! kill -0 $1 2>/dev/null" || return 1
  wait "$1"
}

out=$("$tb" up "$name" 5 2>&1) || {
  [[ $out == *"needs root"* ]] && skip "$out"
  skip "cannot create network namespaces here: $out"
}
addr() { echo "10.250.0.$1"; }
readonly PRIMARY=2 BACKUP=3

# --- test-and-set ------------------------------------------------------------
tas_flags=()
start_builtin_tas() {
  "$tb" exec "$name" h1 "$ftvm" tas serve --listen "$(addr 1):7700" --journal "$work/tas.journal" \
    >"$work/tas.out" 2>"$work/tas.err" &
  pids+=($!)
  wait_until 50 has tas.out "serving on" || fatal "the TAS server on h1 did not start"
  tas_flags=(--tas "$(addr 1):7700")
}
readonly ETCD_HOSTS=(1 4 5)
start_etcd() {
  local k initial="" endpoints=""
  for k in "${ETCD_HOSTS[@]}"; do
    initial+="${initial:+,}m$k=http://$(addr "$k"):2380"
    endpoints+="${endpoints:+,}$(addr "$k"):2379"
  done
  for k in "${ETCD_HOSTS[@]}"; do
    "$tb" exec "$name" "h$k" etcd --name "m$k" --data-dir "$work/etcd-m$k" \
      --listen-client-urls "http://$(addr "$k"):2379" --advertise-client-urls "http://$(addr "$k"):2379" \
      --listen-peer-urls "http://$(addr "$k"):2380" --initial-advertise-peer-urls "http://$(addr "$k"):2380" \
      --initial-cluster "$initial" --initial-cluster-state new --initial-cluster-token "$name" \
      --heartbeat-interval 50 --election-timeout 500 --log-level error >"$work/etcd-m$k.log" 2>&1 &
    pids+=($!)
  done
  # Ready when a write through the cluster succeeds.
  etcd_put() { "$tb" exec "$name" h1 env ETCDCTL_API=3 etcdctl --endpoints="$endpoints" \
    --command-timeout=1s put /ftvm-ready/probe up >/dev/null 2>&1; }
  wait_until 200 etcd_put || fatal "the etcd cluster on h1, h4, h5 did not come up"
  tas_flags=(--tas-etcd "$endpoints")
}
# Who holds the pair's key (etcd) or what the journal recorded (builtin).
tas_record() {
  if [[ $tas_kind == etcd ]]; then
    "$tb" exec "$name" h1 env ETCDCTL_API=3 etcdctl --endpoints="$(addr 1):2379" --command-timeout=2s \
      get "/ftvm/tas/$name/1" --print-value-only 2>/dev/null
  else
    cat "$work/tas.journal" 2>/dev/null
  fi
}

# --- the pair ----------------------------------------------------------------
# start_member ROLE HOST EXTRA...: stdin from a FIFO this script holds open on
# fd 7 (primary) or 8 (backup), so the test can type to the guest's console.
start_member() {
  local role=$1 host=$2
  shift 2
  mkfifo "$work/$role.in"
  "$tb" exec "$name" "h$host" "$ftvm" vm --role "$role" --firmware "$ticker" --mem 64M --name "$name" \
    --host-id "$role-h$host" --heartbeat-ms 20 --timeout-ms 1000 --checkpoint-interval 1000000 \
    --connect-timeout-ms 10000 "${tas_flags[@]}" "$@" \
    <"$work/$role.in" >"$work/$role.out" 2>"$work/$role.err" 7>&- 8>&- &
  pids+=($!)
  if [[ $role == primary ]]; then
    primary_pid=$!
    exec 7>"$work/$role.in"
  else
    backup_pid=$!
    exec 8>"$work/$role.in"
  fi
}
# A write to a member that has exited fails (the subshell ignores SIGPIPE)
# instead of killing the test; the members themselves keep default SIGPIPE.
type_to() {  # type_to primary|backup KEYS
  if [[ $1 == primary ]]; then
    (trap '' PIPE; printf %s "$2" >&7) 2>/dev/null
  else
    (trap '' PIPE; printf %s "$2" >&8) 2>/dev/null
  fi
}

if [[ $tas_kind == etcd ]]; then start_etcd; else start_builtin_tas; fi
start_member backup $BACKUP --listen "$(addr $BACKUP):7800"
wait_until 50 has backup.err "waiting for its peer" || fatal "the backup on h$BACKUP did not start"
start_member primary $PRIMARY --peer "$(addr $BACKUP):7800"
wait_until 150 has primary.out "tick 3" || fatal "the pair did not start across h$PRIMARY and h$BACKUP"
type_to primary a
wait_until 50 has primary.out "echo a" || fatal "the primary does not answer its console"
echo "ok   pair up: primary on h$PRIMARY, backup on h$BACKUP, TAS $tas_kind"

pid_of() { if [[ $1 == primary ]]; then echo "$primary_pid"; else echo "$backup_pid"; fi; }
# TAS's record of the pair's key names this claimant.
record_names() { tas_record | grep -q -- "$1"; }
# Whoever lives answers a key on its console and exits cleanly on 'q'.
serves() {  # serves primary|backup KEY
  local code=0
  type_to "$1" "$2"
  wait_until 50 has "$1.out" "echo $2" || return 1
  type_to "$1" q
  exit_status "$(pid_of "$1")" 100 || code=$?
  [[ $code == 0 ]] && has "$1.out" PASS
}

scenario_split() {
  local cut code winner loser
  cut=$(now_ms)
  "$tb" partition "$name" "h$PRIMARY" "h$BACKUP" || fatal "partition failed"
  # Wait for one side to halt (both reach TAS, so exactly one loses).
  wait_until 150 bash -c "! kill -0 $primary_pid 2>/dev/null || ! kill -0 $backup_pid 2>/dev/null" ||
    fatal "nobody halted within 15 s of the partition"
  if running "$primary_pid"; then
    winner=primary loser=backup
  else
    winner=backup loser=primary
  fi
  code=0
  exit_status "$(pid_of "$loser")" 10 || code=$?
  echo "     $loser halted after $(($(now_ms) - cut)) ms with status $code; $winner lives"
  check "the $loser halted with status 6" [ "$code" = 6 ]
  check "the $loser says it lost test-and-set" has "$loser.err" "lost test-and-set"
  sleep 1
  check "the $winner is still running" running "$(pid_of "$winner")"
  if [[ $winner == backup ]]; then
    check "the backup went live" has backup.err "backup is live"
  else
    check "the primary runs alone" has primary.err "won test-and-set"
    check "the backup never went live" bash -c "! grep -q 'backup is live' '$work/backup.err'"
  fi
  check "TAS records the $winner as the winner" record_names "$winner@$winner-h"
  check "the $winner serves its console" serves "$winner" w
}

scenario_isolate() {
  local cut live_ms lines_at_cut code
  cut=$(now_ms)
  "$tb" isolate "$name" "h$PRIMARY" || fatal "isolate failed"
  lines_at_cut=$(wc -l <"$work/primary.out")
  # A key typed after the cut: its echo must never leave the isolated primary.
  type_to primary k
  wait_until 150 has backup.err "backup is live" || fatal "the backup did not go live within 15 s of the cut"
  live_ms=$(($(now_ms) - cut))
  echo "     backup live ${live_ms} ms after the primary's cable was pulled"
  check "TAS records the backup as the winner" record_names "backup@backup-h$BACKUP"
  # Give the isolated primary time to run and retry TAS unsuccessfully.
  sleep 3
  check "the isolated primary is still holding (not halted)" running "$primary_pid"
  check "the isolated primary keeps asking TAS" has primary.err "unreachable"
  check "the isolated primary never echoed the key typed after the cut" bash -c "! grep -q 'echo k' '$work/primary.out'"
  # Ticks every 100 ms of guest time: at most the one in flight at the cut
  # may appear, not the ~30 since.
  check "the isolated primary released at most one line after the cut" \
    [ "$(($(wc -l <"$work/primary.out") - lines_at_cut))" -le 1 ]
  # Cable back: it can ask TAS again, learns it lost, and halts.
  "$tb" rejoin "$name" "h$PRIMARY" || fatal "rejoin failed"
  code=0
  exit_status "$primary_pid" 150 || code=$?
  check "the primary halted with status 6 once it could reach TAS" [ "$code" = 6 ]
  check "the primary says it lost test-and-set" has primary.err "lost test-and-set"
  check "the primary never echoed the key typed after the cut" bash -c "! grep -q 'echo k' '$work/primary.out'"
  check "the backup serves its console" serves backup v
  check "the backup went live exactly once" [ "$(grep -c 'backup is live' "$work/backup.err")" = 1 ]
}

"scenario_$scenario"
echo "$passes passed, $failures failed"
if ((failures > 0)); then
  fatal "$failures check(s) failed"
fi
exit 0
