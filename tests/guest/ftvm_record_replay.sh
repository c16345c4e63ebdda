#!/usr/bin/env bash
# Records a whole Linux run on ftvm -- boot, a redis-benchmark workload from
# the host through the switch, a SET, poweroff -- on the translating engine,
# then replays the log with devices muted, on that engine and on the
# interpreter, and requires every checkpoint to be equal. Then damages the
# log three ways (truncated, one flipped bit, replayed against another
# machine configuration) and requires a clear error naming the problem.
# Usage: ftvm_record_replay.sh FTVM GUEST_DIR
set -euo pipefail
# shellcheck source=tests/guest/ftvm_guest_lib.sh
source "$(dirname "$0")/ftvm_guest_lib.sh"
guest_test_setup "$1" "$2"
start_switch

images=(--kernel "$guest/Image" --initrd "$guest/initramfs.cpio.gz" --append "console=ttyS0 quiet"
        --disk "$tmp/disk.img" --rng)
vm=("${images[@]}" --mem 512M)
mkfifo "$tmp/in"
"$ftvm" run "${vm[@]}" --engine jit --net "switch:$tmp/switch.sock" --record "$tmp/run.ftlog" --checkpoint-interval 100000000 \
  <"$tmp/in" >"$tmp/console.log" 2>&1 &
vm_pid=$!
pids+=("$vm_pid")
exec {console}>"$tmp/in"
start=$SECONDS
until grep -q "FTVM-READY redis 6379" "$tmp/console.log"; do
  kill -0 "$vm_pid" 2>/dev/null || fail "ftvm run exited early"
  (( SECONDS - start < limit )) || fail "no readiness line"
  sleep 0.2
done
timeout 120 redis-benchmark -p "$port" -t set,get -n 1000 -c 4 -q 2>&1 | tr '\r' '\n' | grep "per second" \
  || fail "redis-benchmark did not complete"
[[ $(timeout 20 redis-cli -p "$port" set replay-key 42) == OK ]] || fail "SET failed"
echo poweroff >&"$console"
rc=0
wait "$vm_pid" || rc=$?
[[ $rc -eq 0 ]] || fail "recording run exited with $rc"
echo "recorded $(stat -c %s "$tmp/run.ftlog") bytes"

# 1. The replay: every checkpoint equal.
"$ftvm" replay "$tmp/run.ftlog" "${vm[@]}" --engine jit --net "switch:$tmp/unused.sock" --quiet 2>"$tmp/replay.err" \
  || { cat "$tmp/replay.err" >&2; fail "replay failed"; }
grep -E "checkpoints equal" "$tmp/replay.err"
grep -qE " ([1-9][0-9]*) checkpoints equal" "$tmp/replay.err" || fail "no checkpoint was compared"
grep -q "no end marker" "$tmp/replay.err" && fail "the recording has no end marker"

# 1b. The recording was made by the translating engine; the interpreter (the
# reference engine) must replay it to the same state at every checkpoint.
"$ftvm" replay "$tmp/run.ftlog" "${vm[@]}" --engine interp --net "switch:$tmp/unused.sock" --quiet \
  2>"$tmp/replay_interp.err" || { cat "$tmp/replay_interp.err" >&2; fail "replay on the interpreter failed"; }
echo "interpreter: $(grep -E "checkpoints equal" "$tmp/replay_interp.err")"
[[ $(grep -oE "[0-9]+ checkpoints equal" "$tmp/replay_interp.err") == $(grep -oE "[0-9]+ checkpoints equal" "$tmp/replay.err") ]] \
  || fail "the interpreter compared a different number of checkpoints"

# 2. Damaged logs: a clear error, exit status 2, never a crash.
expect_error() {  # what pattern log [machine args, default: the recorded machine]
  local what=$1 pattern=$2 log=$3
  shift 3
  local args=("$@")
  [[ ${#args[@]} -gt 0 ]] || args=("${vm[@]}")
  local rc=0
  "$ftvm" replay "$log" "${args[@]}" --net "switch:$tmp/unused.sock" --quiet >/dev/null 2>"$tmp/err" || rc=$?
  if [[ $rc -ne 2 ]] || ! grep -qiE "$pattern" "$tmp/err"; then
    cat "$tmp/err" >&2
    fail "$what: exit $rc"
  fi
  echo "ok: $what: $(grep -iE "$pattern" "$tmp/err" | head -1)"
}
size=$(stat -c %s "$tmp/run.ftlog")
head -c $((size * 2 / 3)) "$tmp/run.ftlog" >"$tmp/truncated.ftlog"
expect_error "truncated log" "truncated at offset [0-9]+" "$tmp/truncated.ftlog"
cp "$tmp/run.ftlog" "$tmp/flipped.ftlog"
pos=$((size / 2))
byte=$(od -An -tu1 -j "$pos" -N1 "$tmp/flipped.ftlog" | tr -d ' ')
printf "$(printf '\\%03o' $((byte ^ 16)))" | dd of="$tmp/flipped.ftlog" bs=1 seek="$pos" conv=notrunc status=none
expect_error "flipped bit" "(checksum|offset [0-9]+)" "$tmp/flipped.ftlog"
expect_error "another configuration" "config" "$tmp/run.ftlog" "${images[@]}" --mem 256M
printf 'FTVMRLOG\x09\x00' >"$tmp/version.ftlog"
expect_error "wrong version or header" "(version|truncated|header)" "$tmp/version.ftlog"
echo PASS
