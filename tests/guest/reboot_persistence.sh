#!/usr/bin/env bash
# A guest `reboot` is a reboot, not the end of `ftvm run`: the machine resets
# itself (a warm reset: fresh RAM, boot images reloaded, instret and time
# going on) on the same disk and NIC and boots again. Checks: SET a key
# (redis appends with fsync to /data, so an acknowledged write is on disk),
# `reboot` on the console, a second readiness line from the same ftvm
# process, the key is still there, and `poweroff` ends ftvm run with 0.
# The whole run is one recording: its replay crosses the reboot too, with
# every checkpoint equal.
# Usage: reboot_persistence.sh FTVM GUEST_DIR   (exit 77: no guest image)
set -euo pipefail
source "$(dirname "$0")/ftvm_guest_lib.sh"
guest_test_setup "$@"
start_switch

mkfifo "$tmp/console.in"
"$ftvm" run --kernel "$guest/Image" --initrd "$guest/initramfs.cpio.gz" \
  --append "console=ttyS0 quiet" --mem 512M --rng \
  --disk "$tmp/disk.img" --net "switch:$tmp/switch.sock" \
  --record "$tmp/reboot.ftlog" --checkpoint-interval 200000000 \
  <"$tmp/console.in" >"$tmp/console.log" 2>&1 &
vm_pid=$!
pids+=("$vm_pid")
exec {console}>"$tmp/console.in"

wait_ready() {  # $1: how many readiness lines the console must show
  local start=$SECONDS
  until (( $(grep -c "FTVM-READY redis 6379" "$tmp/console.log" || true) >= $1 )); do
    kill -0 "$vm_pid" 2>/dev/null || fail "ftvm run exited while waiting for readiness line $1"
    (( SECONDS - start < limit )) || fail "no readiness line $1 within ${limit}s"
    sleep 0.2
  done
  echo "readiness line $1 after $((SECONDS - start)) s"
}

rc() { timeout 20 redis-cli -p "$port" "$@"; }

wait_ready 1
[[ $(rc set reboot-key survives) == OK ]] || fail "SET failed"
echo reboot >&"$console"
wait_ready 2
[[ $(rc get reboot-key) == survives ]] || fail "the key did not survive the reboot"

echo poweroff >&"$console"
start=$SECONDS
while kill -0 "$vm_pid" 2>/dev/null; do
  (( SECONDS - start < 120 )) || fail "guest did not power off"
  sleep 0.2
done
status=0
wait "$vm_pid" || status=$?
exec {console}>&-
[[ $status -eq 0 ]] || fail "ftvm run exited with $status after poweroff"
grep -q "rebooting" "$tmp/console.log" || fail "ftvm did not log the reboot"

# The recording spans both boots; its replay (devices muted) reboots too.
"$ftvm" replay "$tmp/reboot.ftlog" --kernel "$guest/Image" --initrd "$guest/initramfs.cpio.gz" \
  --append "console=ttyS0 quiet" --mem 512M --rng --disk "$tmp/disk.img" --net "switch:$tmp/unused.sock" \
  --quiet 2>"$tmp/replay.err" || { cat "$tmp/replay.err" >&2; fail "the replay across the reboot failed"; }
grep -E "checkpoints equal" "$tmp/replay.err"
grep -qE " [1-9][0-9]* checkpoints equal, 1 guest reboots" "$tmp/replay.err" || fail "the replay did not cross the reboot"
grep -q "no end marker" "$tmp/replay.err" && fail "the recording has no end marker"
echo "PASS"
