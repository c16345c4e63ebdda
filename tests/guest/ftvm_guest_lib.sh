# Shared by the tests that boot the guest on ftvm (sourced, not run).
# After `guest_test_setup FTVM GUEST_DIR`: $ftvm, $guest, $limit, $tmp (removed
# on exit, with every pid in $pids killed), $port (a free loopback port), and
# $tmp/disk.img, a copy of the image's data disk. Exit 77 (skipped) when the
# image is missing: `make guest` could not build it.

guest_test_setup() {
  ftvm=$1
  guest=$2
  limit=${FTVM_BOOT_TIMEOUT:-300}
  local f
  for f in "$guest/Image" "$guest/initramfs.cpio.gz" "$guest/disk.img"; do
    [[ -f $f ]] || { echo "SKIP: $f missing (make guest could not build the image)" >&2; exit 77; }
  done
  tmp=$(mktemp -d)
  pids=()
  trap guest_test_cleanup EXIT
  port=$(free_port 20000)
  cp "$guest/disk.img" "$tmp/disk.img"
}

# A loopback TCP port nobody listens on, at or above BASE + (pid mod 10000)
# so that tests running side by side start from different places.
free_port() {  # free_port BASE
  local p=$(( $1 + ($$ % 10000) ))
  while (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; do p=$((p + 1)); done
  echo "$p"
}

guest_test_cleanup() {
  local p
  for p in "${pids[@]}"; do kill -9 "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$tmp"
}

fail() { echo "FAIL: $*" >&2; echo "--- console tail:" >&2; tail -c 2000 "$tmp/console.log" >&2 || true; exit 1; }

# `ftvm switch` on $tmp/switch.sock forwarding 127.0.0.1:$port to the guest's redis.
start_switch() {
  "$ftvm" switch --socket "$tmp/switch.sock" --forward "tcp:127.0.0.1:$port-10.0.2.15:6379" >"$tmp/switch.log" 2>&1 &
  pids+=($!)
  local _
  for _ in $(seq 1 100); do [[ -S $tmp/switch.sock ]] && break; sleep 0.1; done
  [[ -S $tmp/switch.sock ]] || fail "the switch did not start"
}
