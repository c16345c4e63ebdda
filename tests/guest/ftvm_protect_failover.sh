#!/usr/bin/env bash
# Protection by live clone on the Linux guest with redis, under one client
# connection. A primary started --alone with two spare host agents clones
# itself to a backup while redis serves; then, several times in a row, the
# live side is killed with -9: each survivor goes live, keeps answering on
# the SAME client connection, and protects itself again on a spare agent
# without anyone acting. Afterwards a new connection must find every
# acknowledged write. Prints, per round, the clone figures, kill -> live and
# kill -> protected again, and the client-visible pauses.
# Usage: ftvm_protect_failover.sh FTVM GUEST_DIR
set -euo pipefail
source "$(dirname "$0")/ftvm_guest_lib.sh"
client="$(dirname "$0")/redis_failover_client.py"
guest_test_setup "$1" "$2"
rounds=${FTVM_PROTECT_ROUNDS:-3}
writes_per_round=${FTVM_PROTECT_WRITES:-100}

now_ms() { echo $(( $(date +%s%N) / 1000000 )); }
wait_grep() {  # wait_grep FILE TEXT SECONDS WHAT
  local start=$SECONDS
  until grep -q -- "$2" "$1" 2>/dev/null; do
    (( SECONDS - start < $3 )) || fail "$4: no '$2' in $1 within $3 s: $(tail -5 "$1" 2>/dev/null)"
    sleep 0.05
  done
}

# The agents stop the backups they started when they get SIGTERM; the
# library's cleanup then kills everything else.
agent_pids=()
protect_cleanup() {
  local p
  for p in "${agent_pids[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
  sleep 1
  guest_test_cleanup
}
trap protect_cleanup EXIT

start_switch
tas_port=$(free_port 41000)
"$ftvm" tas serve --listen "127.0.0.1:$tas_port" --journal "$tmp/tas.journal" >"$tmp/tas.log" 2>&1 &
pids+=($!)
agents=""
for a in 0 1; do
  "$ftvm" host serve --listen 127.0.0.1:0 --state-dir "$tmp/agent$a" >"$tmp/agent$a.log" 2>&1 &
  agent_pids+=($!)
  pids+=($!)
  wait_grep "$tmp/agent$a.log" "agent on port" 10 "agent $a"
  agents+="${agents:+,}127.0.0.1:$(sed -n 's/.*agent on port \([0-9]*\).*/\1/p' "$tmp/agent$a.log")"
done

cp "$guest/disk.img" "$tmp/redis.img"
nbdkit -f -U "$tmp/redis.nbd" file "$tmp/redis.img" >"$tmp/nbdkit.log" 2>&1 &
pids+=($!)
for _ in $(seq 1 100); do [[ -S $tmp/redis.nbd ]] && break; sleep 0.1; done
[[ -S $tmp/redis.nbd ]] || fail "nbdkit did not start"

# The agents start every backup from this same file.
cat >"$tmp/vm.toml" <<TOML
[machine]
mem = "512M"
kernel = "$guest/Image"
initrd = "$guest/initramfs.cpio.gz"
append = "console=ttyS0 quiet"
[[disk]]
nbd = "nbd+unix:///?socket=$tmp/redis.nbd"
[[net]]
switch = "$tmp/switch.sock"
[rng]
TOML

"$ftvm" vm --role primary --alone --config "$tmp/vm.toml" --name redis --generation 1 \
  --tas "127.0.0.1:$tas_port" --spare "$agents" --quiet </dev/null >"$tmp/primary.out" 2>"$tmp/primary.err" &
live_pid=$!
pids+=("$live_pid")
live_log=$tmp/primary.err
ln -sf "$tmp/primary.out" "$tmp/console.log"  # for fail()
start=$SECONDS
until grep -q "FTVM-READY redis 6379" "$tmp/primary.out"; do
  kill -0 "$live_pid" 2>/dev/null || fail "the primary exited before readiness: $(tail -5 "$tmp/primary.err")"
  (( SECONDS - start < limit )) || fail "no readiness line within ${limit}s"
  sleep 0.5
done
echo "alone primary ready after $((SECONDS - start)) s"

count_acked() { [[ -f $1 ]] && wc -l <"$1" || echo 0; }

acked=$tmp/acked
python3 "$client" write "$port" "$acked" $(( writes_per_round * (rounds + 1) )) 120 0.01 >"$tmp/client.log" 2>&1 &
client_pid=$!
pids+=("$client_pid")

for round in $(seq 1 "$rounds"); do
  wait_grep "$live_log" "protected as generation" 300 "round $round: the live side never got a backup"
  grep "cloned to the backup" "$live_log" | tail -1 | sed "s/^/round $round: /"
  grep "the guest was stopped" "$live_log" | tail -1 | sed "s/^/round $round: /"
  started=$(grep "started by" "$live_log" | tail -1)
  backup_pid=$(sed -n 's/.*(pid \([0-9]*\), log \([^)]*\)).*/\1/p' <<<"$started")
  backup_log=$(sed -n 's/.*(pid \([0-9]*\), log \([^)]*\)).*/\2/p' <<<"$started")
  [[ -n $backup_pid && -f $backup_log ]] || fail "round $round: cannot tell the backup from '$started'"
  # Where the backup's part of the hand-over went (the guest runs meanwhile).
  grep -o "received a verified clone.*" "$backup_log" | tail -1 | sed "s/^/round $round: backup /"
  start=$SECONDS
  until (( $(count_acked "$acked") >= round * writes_per_round )); do
    kill -0 "$client_pid" 2>/dev/null || fail "the client stopped early: $(cat "$tmp/client.log")"
    (( SECONDS - start < 120 )) || fail "round $round: only $(count_acked "$acked") writes acknowledged"
    sleep 0.05
  done
  kill_ms=$(now_ms)
  kill_time=$(date +%s.%N)
  kill -9 "$live_pid"
  wait "$live_pid" 2>/dev/null || true
  wait_grep "$backup_log" "backup is live" 30 "round $round: the backup never went live"
  live_at=$(now_ms)
  wait_grep "$backup_log" "protected as generation" 300 "round $round: the survivor never protected itself"
  echo "round $round: kill -> live $(( live_at - kill_ms )) ms, kill -> protected again $(( $(now_ms) - kill_ms )) ms;" \
    "$(grep -o '([0-9]* checkpoints matched)' "$backup_log")"
  until (( $(count_acked "$acked") > round * writes_per_round )); do
    kill -0 "$client_pid" 2>/dev/null || fail "round $round: the client's connection did not survive: $(cat "$tmp/client.log")"
    sleep 0.05
  done
  echo "round $round: $(python3 "$client" gaps "$acked" "$kill_time")"
  live_pid=$backup_pid
  live_log=$backup_log
done
rc=0
wait "$client_pid" || rc=$?
[[ $rc -eq 0 ]] || fail "the client failed: $(cat "$tmp/client.log")"
python3 "$client" check "$port" "$acked" || fail "acknowledged writes were lost"
echo "PASS"
