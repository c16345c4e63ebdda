#!/usr/bin/env bash
# A fault-tolerant pair (`ftvm vm`) running the Linux guest with redis, and a
# client that must not notice a failover. Two cases, each on a fresh pair:
#   primary: after N acknowledged writes, kill -9 the primary; the backup
#            wins test-and-set, goes live and answers on the SAME client TCP
#            connection (no reconnect);
#   backup:  kill -9 the backup; the primary wins test-and-set and goes on.
# The client sends `SET k<i> v<i>` one at a time and records every +OK with
# its time. Afterwards a new connection must find every acknowledged key.
# Prints the client-visible pause (longest gap between replies) and the time
# from the kill to the first answer after it.
# Usage: ftvm_pair_failover.sh FTVM GUEST_DIR [primary|backup|both]
set -euo pipefail
source "$(dirname "$0")/ftvm_guest_lib.sh"
client="$(dirname "$0")/redis_failover_client.py"
cases=${3:-both}
guest_test_setup "$1" "$2"
writes_before=${FTVM_FAILOVER_WRITES:-200}
writes_after=${FTVM_FAILOVER_WRITES_AFTER:-200}


start_switch
tas_port=$(free_port 40000)
"$ftvm" tas serve --listen "127.0.0.1:$tas_port" --journal "$tmp/tas.journal" >"$tmp/tas.log" 2>&1 &
pids+=($!)


# Each case gets its own copy of the disk on its own NBD server: the first
# case's survivor is killed with the filesystem mounted.
start_disk() {  # start_disk NAME
  cp "$guest/disk.img" "$tmp/$1.img"
  nbdkit -f -U "$tmp/$1.nbd" file "$tmp/$1.img" >"$tmp/$1.nbdkit.log" 2>&1 &
  pids+=($!)
  for _ in $(seq 1 100); do [[ -S $tmp/$1.nbd ]] && break; sleep 0.1; done
  [[ -S $tmp/$1.nbd ]] || fail "nbdkit did not start"
}

member() {  # member ROLE NAME PAIR_ARG...: starts `ftvm vm`, sets member_pid
  local role=$1 name=$2
  shift 2
  "$ftvm" vm --role "$role" --name "$name" --tas "127.0.0.1:$tas_port" \
    --kernel "$guest/Image" --initrd "$guest/initramfs.cpio.gz" --append "console=ttyS0 quiet" --mem 512M --rng \
    --disk "nbd+unix:///?socket=$tmp/$name.nbd" --net "switch:$tmp/switch.sock" "$@" \
    </dev/null >"$tmp/$name-$role.out" 2>"$tmp/$name-$role.err" &
  member_pid=$!
  pids+=("$member_pid")
}

count_acked() { [[ -f $1 ]] && wc -l <"$1" || echo 0; }

run_case() {  # run_case primary|backup: kill -9 that side under a client
  local victim=$1 name="redis-$1" start=$SECONDS
  start_disk "$name"
  member backup "$name" --listen 127.0.0.1:0
  local backup_pid=$member_pid
  local chan=""
  for _ in $(seq 1 100); do
    chan=$(sed -n 's/.*waiting for its peer on port \([0-9]*\).*/\1/p' "$tmp/$name-backup.err")
    [[ -n $chan ]] && break
    sleep 0.1
  done
  [[ -n $chan ]] || fail "the backup did not listen: $(cat "$tmp/$name-backup.err")"
  member primary "$name" --peer "127.0.0.1:$chan"
  local primary_pid=$member_pid
  ln -sf "$tmp/$name-primary.out" "$tmp/console.log"  # for fail()
  until grep -q "FTVM-READY redis 6379" "$tmp/$name-primary.out"; do
    kill -0 "$primary_pid" 2>/dev/null || fail "the primary exited before readiness: $(tail -5 "$tmp/$name-primary.err")"
    kill -0 "$backup_pid" 2>/dev/null || fail "the backup exited before readiness: $(tail -5 "$tmp/$name-backup.err")"
    (( SECONDS - start < limit )) || fail "no readiness line within ${limit}s"
    sleep 0.5
  done
  echo "$victim case: pair ready after $((SECONDS - start)) s"

  local acked="$tmp/$name.acked" total=$((writes_before + writes_after))
  python3 "$client" write "$port" "$acked" "$total" 120 >"$tmp/$name-client.log" 2>&1 &
  local client_pid=$!
  pids+=("$client_pid")
  start=$SECONDS
  until (( $(count_acked "$acked") >= writes_before )); do
    kill -0 "$client_pid" 2>/dev/null || fail "the client stopped early: $(cat "$tmp/$name-client.log")"
    (( SECONDS - start < 120 )) || fail "only $(count_acked "$acked") writes acknowledged in 120 s"
    sleep 0.05
  done
  local victim_pid=$primary_pid survivor_pid=$backup_pid survivor=backup
  [[ $victim == backup ]] && { victim_pid=$backup_pid; survivor_pid=$primary_pid; survivor=primary; }
  local kill_time
  kill_time=$(date +%s.%N)
  kill -9 "$victim_pid"
  wait "$victim_pid" 2>/dev/null || true
  local rc=0
  wait "$client_pid" || rc=$?
  [[ $rc -eq 0 ]] || fail "$victim case: the client's connection did not survive: $(cat "$tmp/$name-client.log")"
  kill -0 "$survivor_pid" 2>/dev/null || fail "$victim case: the $survivor exited: $(tail -5 "$tmp/$name-$survivor.err")"
  if [[ $victim == primary ]]; then
    grep -q "backup is live" "$tmp/$name-backup.err" || fail "the backup never said it went live"
  else
    grep -q "won test-and-set" "$tmp/$name-primary.err" || fail "the primary never won test-and-set"
  fi
  python3 "$client" check "$port" "$acked" || fail "$victim case: acknowledged writes were lost"
  echo "$victim case: $(python3 "$client" gaps "$acked" "$kill_time")"
  kill -9 "$survivor_pid" 2>/dev/null || true
  wait "$survivor_pid" 2>/dev/null || true
}

[[ $cases == both || $cases == primary ]] && run_case primary
[[ $cases == both || $cases == backup ]] && run_case backup
echo "PASS"
