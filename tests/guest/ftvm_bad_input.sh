#!/usr/bin/env bash
# Bad images and unreachable servers: `ftvm run` must print one clear line
# naming the problem and exit with status 2 -- never crash, never hang.
# Usage: ftvm_bad_input.sh FTVM GUEST_DIR
set -euo pipefail
for f in "$2/Image" "$2/initramfs.cpio.gz" "$2/disk.img"; do
  [[ -f $f ]] || { echo "SKIP: $f missing (make guest could not build the image)" >&2; exit 77; }
done
ftvm=$1
guest=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failures=0

expect_error() {  # expect_error "what" "pattern" args...
  local what=$1 pattern=$2
  shift 2
  local rc=0
  timeout 30 "$ftvm" run "$@" </dev/null >"$tmp/out" 2>&1 || rc=$?
  if [[ $rc -ne 2 ]] || ! grep -qiE "$pattern" "$tmp/out"; then
    echo "FAIL: $what: exit $rc, output:" >&2
    head -c 600 "$tmp/out" >&2
    failures=$((failures + 1))
  else
    echo "ok: $what: $(head -1 "$tmp/out")"
  fi
}

head -c 4096 /dev/urandom >"$tmp/garbage"
head -c 100 "$guest/Image" >"$tmp/truncated-kernel"
: >"$tmp/empty"

expect_error "missing kernel" "no-such-kernel" --kernel "$tmp/no-such-kernel" --mem 128M
expect_error "corrupt kernel" "kernel" --kernel "$tmp/garbage" --mem 128M
expect_error "truncated kernel" "kernel" --kernel "$tmp/truncated-kernel" --mem 128M
expect_error "kernel too big for RAM" "kernel|RAM|fit" --kernel "$guest/Image" --mem 16M
expect_error "missing firmware" "no-such-firmware" --firmware "$tmp/no-such-firmware" --kernel "$guest/Image" --mem 128M
expect_error "empty firmware" "firmware" --firmware "$tmp/empty" --kernel "$guest/Image" --mem 128M
expect_error "missing initrd" "no-such-initrd" --kernel "$guest/Image" --initrd "$tmp/no-such-initrd" --mem 128M
expect_error "unreachable NBD server" "nbd" --kernel "$guest/Image" --mem 128M --disk "nbd+unix:///?socket=$tmp/nobody.sock"
expect_error "missing switch" "switch|sock" --kernel "$guest/Image" --mem 128M --net "switch:$tmp/no.sock"

[[ $failures -eq 0 ]] && echo "PASS" || { echo "$failures failure(s)"; exit 1; }
