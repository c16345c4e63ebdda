#!/usr/bin/env bash
# Boots the guest image on ftvm the way the demo does -- disk on a real NBD
# server (nbdkit), network through `ftvm switch` with its slirp gateway -- and
# checks: the readiness line; redis-cli PING/SET/GET from the host through the
# switch; redis-benchmark -t set,get -n 10000 with 50 clients completes; `poweroff` on the console ends `ftvm run` with status 0; the key is
# on the NBD disk afterwards (a second boot reads it back).
# Usage: ftvm_boot.sh FTVM GUEST_DIR
set -euo pipefail
source "$(dirname "$0")/ftvm_guest_lib.sh"
guest_test_setup "$@"

nbdkit -f -U "$tmp/nbd.sock" file "$tmp/disk.img" >"$tmp/nbdkit.log" 2>&1 &
pids+=($!)
start_switch
for _ in $(seq 1 100); do [[ -S $tmp/nbd.sock ]] && break; sleep 0.1; done

boot() {  # starts ftvm run with its console on a fifo; sets vm_pid
  rm -f "$tmp/console.in"
  mkfifo "$tmp/console.in"
  : >"$tmp/console.log"
  "$ftvm" run --kernel "$guest/Image" --initrd "$guest/initramfs.cpio.gz" \
    --append "console=ttyS0 quiet" --mem 512M --rng \
    --disk "nbd+unix:///?socket=$tmp/nbd.sock" --net "switch:$tmp/switch.sock" \
    <"$tmp/console.in" >"$tmp/console.log" 2>&1 &
  vm_pid=$!
  pids+=("$vm_pid")
  exec {console}>"$tmp/console.in"
  local start=$SECONDS
  until grep -q "FTVM-READY redis 6379" "$tmp/console.log"; do
    kill -0 "$vm_pid" 2>/dev/null || fail "ftvm run exited before the readiness line"
    (( SECONDS - start < limit )) || fail "no readiness line within ${limit}s"
    sleep 0.2
  done
  echo "ready after $((SECONDS - start)) s"
}

poweroff() {
  echo poweroff >&"$console"
  local start=$SECONDS
  while kill -0 "$vm_pid" 2>/dev/null; do
    (( SECONDS - start < 120 )) || fail "guest did not power off"
    sleep 0.2
  done
  local rc=0
  wait "$vm_pid" || rc=$?
  exec {console}>&-
  [[ $rc -eq 0 ]] || fail "ftvm run exited with $rc after poweroff"
}

rc() { timeout 20 redis-cli -p "$port" "$@"; }

boot
[[ $(rc ping) == PONG ]] || fail "no PONG through the switch"
[[ $(rc set ftvm-key ftvm-value) == OK ]] || fail "SET failed"
[[ $(rc get ftvm-key) == ftvm-value ]] || fail "GET returned something else"
# redis-benchmark with its default 50 clients must complete (through QEMU
# 7.2's user networking it stalls at 32 or more).
timeout 600 redis-benchmark -p "$port" -t set,get -n 10000 -q >"$tmp/bench.out" 2>&1 || fail "redis-benchmark did not complete"
tr '\r' '\n' <"$tmp/bench.out" | grep "per second" | tee "$tmp/bench.lines"
[[ $(grep -c "per second" "$tmp/bench.lines") -eq 2 ]] || fail "redis-benchmark did not finish both tests"
poweroff

boot
[[ $(rc get ftvm-key) == ftvm-value ]] || fail "the key did not survive on the NBD disk"
poweroff
echo "PASS"
