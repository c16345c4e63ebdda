#!/usr/bin/env bash
# `make run` end to end, without a terminal: scripts/demo.sh brings up the
# pair; then redis answers through the switch, `ftvm status` lists both
# members, `ftvm kill-primary` kills the primary, the backup goes live and
# still has the key, and SIGTERM to the demo stops every process it started.
# Usage: ftvm_demo_smoke.sh FTVM GUEST_DIR
set -euo pipefail
source "$(dirname "$0")/ftvm_guest_lib.sh"
guest_test_setup "$@"
top=$(cd "$(dirname "$0")/../.." && pwd)

# demo.sh wants a build directory holding src/ftvm.
mkdir -p "$tmp/build/src"
ln -s "$(cd "$(dirname "$ftvm")" && pwd)/$(basename "$ftvm")" "$tmp/build/src/ftvm"
status="$tmp/build/demo/status"
FTVM_GUEST_DIR=$guest FTVM_REDIS_PORT=$port FTVM_BOOT_TIMEOUT=$limit \
  bash "$top/scripts/demo.sh" "$tmp/build" </dev/null >"$tmp/demo.out" 2>&1 &
demo_pid=$!
# The demo must stop its own children: SIGTERM first (a SIGKILL would
# orphan them), then the usual cleanup.
demo_cleanup() {
  kill -TERM "$demo_pid" 2>/dev/null || true
  local _
  for _ in $(seq 1 300); do kill -0 "$demo_pid" 2>/dev/null || break; sleep 0.1; done
  guest_test_cleanup
}
trap demo_cleanup EXIT
pids+=("$demo_pid")
ln -sf "$tmp/build/demo/primary.console" "$tmp/console.log"  # for fail()

start=$SECONDS
until grep -q "The guest is up" "$tmp/demo.out"; do
  kill -0 "$demo_pid" 2>/dev/null || fail "demo.sh ended before readiness: $(tail -5 "$tmp/demo.out")"
  (( SECONDS - start < limit + 60 )) || fail "demo.sh not ready within $((limit + 60))s"
  sleep 1
done
echo "demo ready after $((SECONDS - start)) s"

rc() { timeout 20 redis-cli -p "$port" "$@"; }
[[ $(rc set demo-key demo-value) == OK ]] || fail "SET through the demo's switch failed"
"$ftvm" status "$status" | tee "$tmp/status.out"
grep -q "demo/[0-9]* primary pid [0-9]*  state=primary" "$tmp/status.out" || fail "ftvm status shows no primary"
grep -q "demo/[0-9]* backup pid [0-9]*  state=backup" "$tmp/status.out" || fail "ftvm status shows no backup"

"$ftvm" kill-primary "$status" | tee "$tmp/kill.out"
grep -q "sending SIGKILL to pid" "$tmp/kill.out" || fail "kill-primary did not say what it did"
start=$SECONDS
until "$ftvm" status "$status" | grep -q "backup pid [0-9]*  state=live"; do
  (( SECONDS - start < 120 )) || fail "the backup did not go live: $("$ftvm" status "$status")"
  sleep 1
done
"$ftvm" status "$status" | tee "$tmp/status2.out"
grep -q "primary pid [0-9]*  STALE" "$tmp/status2.out" || fail "the killed primary is not shown as stale"
[[ $(rc get demo-key) == demo-value ]] || fail "the key is gone after the takeover"

# A second kill-primary now finds the live backup: dry run only.
"$ftvm" kill-primary --dry-run "$status" | grep -q "would send SIGKILL" || fail "kill-primary --dry-run"

children=$(pgrep -P "$demo_pid" | tr '\n' ' ')
kill -TERM "$demo_pid"
start=$SECONDS
while kill -0 "$demo_pid" 2>/dev/null; do
  (( SECONDS - start < 60 )) || fail "demo.sh did not stop on SIGTERM"
  sleep 0.5
done
for p in $children; do
  ! kill -0 "$p" 2>/dev/null || fail "process $p started by the demo is still running"
done
echo "PASS"
