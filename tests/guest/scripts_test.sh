#!/usr/bin/env bash
# Fast checks of the guest build helpers, with no network and no QEMU:
# mirror discovery from apt sources, kernel module dependency ordering,
# busybox applet listing, kernel Image detection and make-disk.sh.
# Usage: scripts_test.sh      (exit 0 = all passed)
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
lib=$here/../../guest/lib
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failures=0

check() {  # check NAME EXPECTED ACTUAL
  if [[ $2 == "$3" ]]; then
    echo "ok   $1"
  else
    echo "FAIL $1: expected '$2', got '$3'" >&2
    failures=$((failures + 1))
  fi
}
check_fails() {  # check_fails NAME CMD...   (the command must fail, cleanly)
  local name=$1 rc=0
  shift
  "$@" >/dev/null 2>"$tmp/err" || rc=$?
  if ((rc != 0 && rc < 128)) && [[ -s $tmp/err ]]; then
    echo "ok   $name"
  else
    echo "FAIL $name: rc=$rc, stderr '$(<"$tmp/err")'" >&2
    failures=$((failures + 1))
  fi
}

# --- host-mirror.sh: the main archive, whatever the file format ------------
# Example hosts below are placeholders under the reserved .invalid domain.
mkdir -p "$tmp/apt1/sources.list.d"
cat >"$tmp/apt1/sources.list.d/debian.sources" <<'S'
# comment
Types: deb
URIs: http://security.example.invalid/debian-security
Suites: bookworm-security
Components: main

Types: deb deb-src
URIs: http://archive.example.invalid/debian/
Suites: bookworm bookworm-updates
Components: main
S
cat >"$tmp/apt1/sources.list.d/other.sources" <<'S'
Types: deb
URIs: https://vendor.example.invalid/apt
Suites: nodistro
Components: main
S
check "mirror from deb822" http://archive.example.invalid/debian \
  "$(bash "$lib/host-mirror.sh" "$tmp/apt1")"

mkdir -p "$tmp/apt2/sources.list.d"
cat >"$tmp/apt2/sources.list" <<'S'
deb http://updates.example.invalid/debian bookworm-updates main
# deb http://commented.example.invalid/debian bookworm main
deb [arch=amd64 signed-by=/k.gpg] http://list.example.invalid/debian bookworm main contrib
S
check "mirror from one-line list with options" http://list.example.invalid/debian \
  "$(bash "$lib/host-mirror.sh" "$tmp/apt2")"

mkdir -p "$tmp/apt3/sources.list.d"
cat >"$tmp/apt3/sources.list.d/off.sources" <<'S'
Types: deb
URIs: http://disabled.example.invalid/debian
Suites: bookworm
Enabled: no
S
check_fails "no main archive is an error" bash "$lib/host-mirror.sh" "$tmp/apt3"

# --- kernel-modules.sh: depends= closure, order, built-ins, errors --------
# Fake modules: empty riscv64 objects carrying just a .modinfo section.
moddir=$tmp/modules/6.0.0-test
mkdir -p "$moddir/kernel/a" "$moddir/kernel/b"
riscv64-linux-gnu-as -o "$tmp/empty.o" /dev/null
fake_module() {  # fake_module RELPATH NAME DEPENDS
  printf 'name=%s\0depends=%s\0' "$2" "$3" >"$tmp/info"
  # Allocated, like a real module's .modinfo (objcopy -O binary skips others).
  riscv64-linux-gnu-objcopy --add-section .modinfo="$tmp/info" \
    --set-section-flags .modinfo=alloc,load,readonly,data "$tmp/empty.o" "$tmp/m.ko"
  xz -c "$tmp/m.ko" >"$moddir/kernel/$1.ko.xz"
}
fake_module a/top top mid-one,leaf
fake_module a/mid-one mid_one leaf,inside
fake_module b/leaf leaf ""
fake_module b/loop_a loop_a loop_b
fake_module b/loop_b loop_b loop_a
echo "kernel/c/inside.ko" >"$moddir/modules.builtin"
# shellcheck source=guest/lib/kernel-modules.sh
source "$lib/kernel-modules.sh"
check "modules in dependency order, built-ins skipped" "leaf mid_one top" \
  "$(modules_resolve "$moddir" "$tmp/mods" top | tr '\n' ' ' | sed 's/ $//')"
check "modules decompressed" yes "$([[ -s $tmp/mods/top.ko && -s $tmp/mods/leaf.ko ]] && echo yes)"
check_fails "dependency cycle is an error" modules_resolve "$moddir" "$tmp/mods" loop_a
check_fails "unknown module is an error" modules_resolve "$moddir" "$tmp/mods" nosuch

# --- busybox-applets.sh: names parsed out of a binary ---------------------
# shellcheck source=guest/lib/busybox-applets.sh
source "$lib/busybox-applets.sh"
printf 'junk\001[\0[[\0ash\0insmod\0sh\0\177ELF\0zzz\0' >"$tmp/fakebox"
check "applet list" "[ [[ ash insmod sh" "$(busybox_applets "$tmp/fakebox" | tr '\n' ' ' | sed 's/ $//')"
check_fails "missing applet is an error" busybox_require_applets "$tmp/fakebox" sh nc

# --- kernel-image.sh: Image magic -----------------------------------------
# shellcheck source=guest/lib/kernel-image.sh
source "$lib/kernel-image.sh"
head -c 48 /dev/zero >"$tmp/Image.raw"
printf 'RISCV\0\0\0RSC\005' >>"$tmp/Image.raw"
kernel_image_make "$tmp/Image.raw" "$tmp/Image.out"
check "raw Image copied" yes "$(cmp -s "$tmp/Image.raw" "$tmp/Image.out" && echo yes)"
gzip -c "$tmp/Image.raw" >"$tmp/Image.gz"
kernel_image_make "$tmp/Image.gz" "$tmp/Image.out2"
check "gzip Image decompressed" yes "$(cmp -s "$tmp/Image.raw" "$tmp/Image.out2" && echo yes)"
head -c 4096 /dev/zero >"$tmp/notakernel"
check_fails "non-kernel rejected" kernel_image_make "$tmp/notakernel" "$tmp/Image.out3"

# --- make-disk.sh ----------------------------------------------------------
disk=$here/../../guest/make-disk.sh
bash "$disk" "$tmp/d1.img" 8M
bash "$disk" "$tmp/d2.img" 8M
check "disk has requested size" 8388608 "$(stat -c %s "$tmp/d1.img")"
check "disk is ext4" ext4 "$(blkid -o value -s TYPE "$tmp/d1.img" 2>/dev/null || file -b "$tmp/d1.img" | grep -o ext4)"
check "disk images are reproducible" yes "$(cmp -s "$tmp/d1.img" "$tmp/d2.img" && echo yes)"
check_fails "existing disk not overwritten" bash "$disk" "$tmp/d1.img" 8M
check_fails "bad size rejected" bash "$disk" "$tmp/d3.img" 8X
check_fails "tiny size rejected" bash "$disk" "$tmp/d3.img" 1K
check_fails "missing arguments rejected" bash "$disk" "$tmp/d3.img"

if ((failures)); then
  echo "$failures check(s) failed" >&2
  exit 1
fi
echo "PASS"
