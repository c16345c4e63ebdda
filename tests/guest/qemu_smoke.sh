#!/usr/bin/env bash
# Boots the guest image under QEMU (the reference machine ftvm imitates) and
# checks the contract the rest of ftvm relies on:
#   1. the console prints "FTVM-READY redis 6379" and redis answers PING
#      through a host port forward;
#   2. a SET on a disk-backed guest survives a guest reboot (same QEMU);
#   3. "poweroff" typed on the console ends QEMU (the kernel's poweroff);
#   4. an acknowledged write survives QEMU being killed outright
#      (appendfsync always: the reply comes after the data hit the disk);
#   5. without a disk the guest still becomes ready, with an empty dataset;
#   6. an unformatted disk is left alone (not formatted) and redis still runs.
# Usage: qemu_smoke.sh GUEST_DIR      (GUEST_DIR from guest/build-image.sh)
# Env:   FTVM_SMOKE_PORT (host port, default 16379), FTVM_SMOKE_TIMEOUT
#        (seconds per wait, default 300). Exit 77 = skipped (nothing to test).
set -euo pipefail

if [[ $# -ne 1 ]]; then
  echo "usage: $0 GUEST_DIR" >&2
  exit 2
fi
guest=$1
port=${FTVM_SMOKE_PORT:-16379}
limit=${FTVM_SMOKE_TIMEOUT:-300}
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
make_disk=$here/../../guest/make-disk.sh
firmware=/usr/lib/riscv64-linux-gnu/opensbi/generic/fw_dynamic.bin
cmdline="console=ttyS0 earlycon=sbi quiet"
ready_line="FTVM-READY redis 6379"

skip() { echo "SKIP: $*" >&2; exit 77; }
for f in "$guest/Image" "$guest/initramfs.cpio.gz"; do
  [[ -f $f ]] || skip "$f missing; run guest/build-image.sh $guest first"
done
for tool in qemu-system-riscv64 redis-cli; do
  command -v "$tool" >/dev/null || skip "$tool not installed"
done
[[ -f $firmware ]] || skip "$firmware missing (install opensbi)"

tmp=$(mktemp -d)
qemu_pid=
console_fd=

stop_qemu() {
  if [[ -n $console_fd ]]; then
    exec {console_fd}>&-
    console_fd=
  fi
  if [[ -n $qemu_pid ]]; then
    kill "$qemu_pid" 2>/dev/null || true
    wait "$qemu_pid" 2>/dev/null || true
    qemu_pid=
  fi
}
cleanup() {
  stop_qemu
  rm -rf "$tmp"
}
trap cleanup EXIT

fail() {
  echo "FAIL: $*" >&2
  if [[ -f $tmp/console.log ]]; then
    echo "---- last console lines ----" >&2
    tail -n 40 "$tmp/console.log" | tr -d '\r' >&2
  fi
  exit 1
}

# Starts QEMU with its serial console fed from a FIFO (so the test can type)
# and logged to console.log. $1: "none", or the disk image to attach.
start_qemu() {
  local -a drive=()
  if [[ $1 != none ]]; then
    # shellcheck disable=SC2054  # commas belong to QEMU option values
    drive=(-drive "file=$1,if=none,format=raw,id=hd0"
           -device virtio-blk-device,drive=hd0)
  fi
  rm -f "$tmp/console.in" "$tmp/console.log"
  mkfifo "$tmp/console.in"
  qemu-system-riscv64 -machine virt -m 512M -nographic -bios "$firmware" \
    -kernel "$guest/Image" -initrd "$guest/initramfs.cpio.gz" -append "$cmdline" \
    "${drive[@]}" \
    -netdev "user,id=n0,hostfwd=tcp:127.0.0.1:$port-:6379" \
    -device virtio-net-device,netdev=n0 -device virtio-rng-device \
    <"$tmp/console.in" >"$tmp/console.log" 2>&1 &
  qemu_pid=$!
  # Opening the write end lets QEMU's open of the read end complete.
  exec {console_fd}>"$tmp/console.in"
}

type_on_console() { printf '%s\n' "$1" >&"$console_fd"; }

ready_count() { tr -d '\r' <"$tmp/console.log" | grep -cx "$ready_line" || true; }

# Waits until the console has shown the ready line $1 times in total.
wait_ready() {
  local want=$1 t0=$SECONDS
  while (($(ready_count) < want)); do
    kill -0 "$qemu_pid" 2>/dev/null || fail "QEMU exited before '$ready_line' #$want"
    ((SECONDS - t0 < limit)) || fail "no '$ready_line' #$want within ${limit}s"
    sleep 0.5
  done
  echo "ready #$want after $((SECONDS - t0))s"
}

redis() { timeout 10 redis-cli -p "$port" "$@"; }

expect_redis() {
  local want=$1 got
  shift
  got=$(redis "$@" 2>&1) || true
  [[ $got == "$want" ]] || fail "redis-cli $* gave '$got', expected '$want'"
}

if timeout 2 bash -c "exec 3<>/dev/tcp/127.0.0.1/$port" 2>/dev/null; then
  fail "host port $port is already in use (set FTVM_SMOKE_PORT)"
fi
bash "$make_disk" "$tmp/disk.img" 64M

echo "== boot with a data disk"
start_qemu "$tmp/disk.img"
wait_ready 1
expect_redis PONG ping
expect_redis OK set k v
expect_redis v get k

echo "== guest reboot keeps acknowledged writes"
type_on_console reboot
wait_ready 2
expect_redis v get k

echo "== poweroff reaches the kernel and ends QEMU"
type_on_console poweroff
t0=$SECONDS
while kill -0 "$qemu_pid" 2>/dev/null; do
  ((SECONDS - t0 < 60)) || fail "QEMU still running 60s after poweroff"
  sleep 0.5
done
qemu_pid=
stop_qemu

echo "== an acknowledged write survives killing QEMU"
start_qemu "$tmp/disk.img"
wait_ready 1
expect_redis v get k
expect_redis OK set crash survived
kill -KILL "$qemu_pid"
wait "$qemu_pid" 2>/dev/null || true
qemu_pid=
stop_qemu
start_qemu "$tmp/disk.img"
wait_ready 1
expect_redis survived get crash
stop_qemu

echo "== boot without a disk: ready, nothing persisted"
start_qemu none
wait_ready 1
expect_redis PONG ping
expect_redis "" get k
stop_qemu

echo "== an unformatted disk is not formatted by the guest"
truncate -s 16M "$tmp/blank.img"
start_qemu "$tmp/blank.img"
wait_ready 1
expect_redis PONG ping
expect_redis OK set k v
stop_qemu
[[ $(tr -d '\0' <"$tmp/blank.img" | head -c 1 | wc -c) -eq 0 ]] ||
  fail "the guest wrote to an unformatted disk"
echo "PASS"
