#!/usr/bin/env bash
# Builds the ftvm guest from Debian trixie riscv64 packages:
#   OUTDIR/Image               raw RISC-V kernel Image (stock Debian kernel)
#   OUTDIR/initramfs.cpio.gz   busybox, kernel modules, redis, /init
#   OUTDIR/disk.img            empty ext4 data disk (only created if missing)
# Packages come through a private apt under OUTDIR/apt whose mirror is read
# from the host's apt sources at run time. Downloads are cached, and every
# step is skipped when its output is up to date, so a rebuild fetches nothing.
# Usage: build-image.sh OUTDIR
set -euo pipefail

if [[ $# -ne 1 || -z $1 ]]; then
  echo "usage: $0 OUTDIR" >&2
  exit 2
fi

guest_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
mkdir -p "$1"
out=$(cd "$1" && pwd)
work=$out/work

# shellcheck source=guest/lib/private-apt.sh
source "$guest_dir/lib/private-apt.sh"
# shellcheck source=guest/lib/kernel-image.sh
source "$guest_dir/lib/kernel-image.sh"
# shellcheck source=guest/lib/kernel-modules.sh
source "$guest_dir/lib/kernel-modules.sh"
# shellcheck source=guest/lib/elf-libs.sh
source "$guest_dir/lib/elf-libs.sh"
# shellcheck source=guest/lib/busybox-applets.sh
source "$guest_dir/lib/busybox-applets.sh"

# Userland packages. redis's libraries are listed by hand (apt's dependency
# closure would drag in adduser, perl, systemd helpers...); the ELF check in
# stage_redis fails loudly if this list ever misses a DT_NEEDED library.
USER_PACKAGES=(
  busybox-static  # /init's shell and every tool it uses (static: no libs)
  redis-server    # the redis-server -> redis-check-rdb link
  redis-tools     # redis-check-rdb (the real server binary) and redis-cli
  libc6           # libc, libm and the dynamic loader
  libgcc-s1       # needed by libstdc++
  libstdc++6      # redis 8 links libstdc++
  libatomic1      # redis on riscv64 links libatomic
  libjemalloc2    # redis's allocator
  liblzf1         # RDB compression
  libssl3t64      # libssl/libcrypto (redis TLS support)
  libsystemd0     # sd_notify support
  libcap2         # needed by libsystemd
  zlib1g          # needed by libcrypto
  libzstd1        # needed by libcrypto
)

# Kernel modules /init loads; their depends= closure is added automatically.
# crc32c_generic comes first because ext4 and jbd2 only name it as a softdep
# (an alias, "crypto-crc32c"), which depends= does not cover.
MODULE_ROOTS=(crc32c_generic virtio_mmio virtio_blk virtio_net virtio_rng ext4)

# Programs copied into the image together with their shared libraries.
REDIS_PROGRAMS=(usr/bin/redis-check-rdb usr/bin/redis-cli)

DISK_SIZE=${FTVM_DISK_SIZE:-64M}

step() { echo "build-image: $*" >&2; }

# The versioned kernel package, e.g. linux-image-6.12.107+deb13-riscv64.
kernel_package() {
  private_apt_depends linux-image-riscv64 |
    sed -n 's/^ *Depends: \(linux-image-[0-9][^ ]*-riscv64\)$/\1/p' | head -n1
}

# Unpacks each .deb into the shared package root once (stamp per .deb).
unpack_debs() {
  local root=$1 deb stamp
  shift
  mkdir -p "$root" "$work/unpacked"
  for deb in "$@"; do
    stamp=$work/unpacked/$(basename "$deb").done
    [[ -f $stamp ]] && continue
    step "unpacking $(basename "$deb")"
    dpkg-deb -x "$deb" "$root"
    touch "$stamp"
  done
}

# Digest of everything the initramfs is made from; unchanged digest and an
# existing initramfs mean there is nothing to do.
initramfs_inputs_digest() {
  {
    printf '%s\n' "$@" "${MODULE_ROOTS[@]}" "${REDIS_PROGRAMS[@]}"
    find "$guest_dir/rootfs" "$guest_dir/lib" "$guest_dir/build-image.sh" -type f |
      LC_ALL=C sort | xargs sha256sum
  } | sha256sum | cut -d' ' -f1
}

stage_layout() {
  local stage=$1
  mkdir -p "$stage"/usr/bin "$stage"/usr/lib/riscv64-linux-gnu \
    "$stage"/{proc,sys,dev,tmp,data,root,run,var/log,etc}
  # Merged /usr, with everything in one bin directory.
  ln -s usr/bin "$stage/bin"
  ln -s usr/bin "$stage/sbin"
  ln -s bin "$stage/usr/sbin"
  ln -s usr/lib "$stage/lib"
  chmod 1777 "$stage/tmp"
  cp -a "$guest_dir/rootfs/." "$stage/"
  chmod 0755 "$stage/init"
}

stage_busybox() {
  local root=$1 stage=$2 applet
  busybox_require_applets "$root/usr/bin/busybox" \
    sh mount insmod ip nc grep sleep setsid cttyhack poweroff reboot sync umount
  install -m 0755 "$root/usr/bin/busybox" "$stage/usr/bin/busybox"
  while IFS= read -r applet; do
    [[ -e $stage/usr/bin/$applet ]] || ln -s busybox "$stage/usr/bin/$applet"
  done < <(busybox_applets "$root/usr/bin/busybox")
}

stage_modules() {
  local root=$1 stage=$2 kver=$3 moddir mod
  moddir=$root/usr/lib/modules/$kver
  [[ -d $moddir ]] || { echo "build-image: no modules for $kver in the kernel package" >&2; return 1; }
  mkdir -p "$stage/usr/lib/modules/$kver"
  local -a order
  mapfile -t order < <(modules_resolve "$moddir" "$work/modules-$kver" "${MODULE_ROOTS[@]}")
  ((${#order[@]})) || { echo "build-image: module resolution failed" >&2; return 1; }
  for mod in "${order[@]}"; do
    install -m 0644 "$work/modules-$kver/$mod.ko" "$stage/usr/lib/modules/$kver/$mod.ko"
  done
  printf '%s\n' "${order[@]}" >"$stage/etc/modules.load"
  step "modules, in load order: ${order[*]}"
}

stage_redis() {
  local root=$1 stage=$2 prog soname path interp libs
  for prog in "${REDIS_PROGRAMS[@]}"; do
    install -m 0755 "$root/$prog" "$stage/$prog"
  done
  # redis-server is a link: the binary picks its role from argv[0].
  ln -s redis-check-rdb "$stage/usr/bin/redis-server"
  libs=$(elf_libs_resolve "$root" "${REDIS_PROGRAMS[@]}")
  while IFS=$'\t' read -r soname path; do
    install -m 0755 "$(readlink -f "$path")" "$stage/usr/lib/riscv64-linux-gnu/$soname"
  done <<<"$libs"
  # The loader path baked into the programs (/lib/ld-linux-...), as a link.
  interp=$(elf_libs_interpreter "$root/usr/bin/redis-check-rdb")
  [[ -n $interp ]] || { echo "build-image: redis-check-rdb has no interpreter" >&2; return 1; }
  [[ -e $stage/usr/lib/riscv64-linux-gnu/${interp##*/} ]] || {
    echo "build-image: loader ${interp##*/} was not among the resolved libraries" >&2
    return 1
  }
  ln -s "riscv64-linux-gnu/${interp##*/}" "$stage/usr/lib/${interp##*/}"
}

# Fixed timestamps and owners, sorted names: the same inputs give the same
# bytes, which matters because the initramfs is part of the replayed state.
write_cpio() {
  local stage=$1 dest=$2
  find "$stage" -exec touch -h -d @0 {} +
  (cd "$stage" && find . -mindepth 1 | LC_ALL=C sort |
    cpio --quiet -o -H newc -R 0:0 --reproducible) | gzip -9n >"$dest.tmp"
  mv "$dest.tmp" "$dest"
}

build_initramfs() {
  local root=$1 kver=$2 digest stage=$work/initramfs
  shift 2
  digest=$(initramfs_inputs_digest "$@")
  if [[ -f $out/initramfs.cpio.gz && -f $work/initramfs.digest &&
        $(<"$work/initramfs.digest") == "$digest" ]]; then
    step "initramfs.cpio.gz is up to date"
    return 0
  fi
  step "assembling the initramfs"
  rm -rf "$stage"
  stage_layout "$stage"
  stage_busybox "$root" "$stage"
  stage_modules "$root" "$stage" "$kver"
  stage_redis "$root" "$stage"
  write_cpio "$stage" "$out/initramfs.cpio.gz"
  printf '%s\n' "$digest" >"$work/initramfs.digest"
}

main() {
  local mirror kpkg kver root=$work/pkgroot
  mirror=$(bash "$guest_dir/lib/host-mirror.sh")
  private_apt_init "$out/apt" "$mirror"
  private_apt_update
  kpkg=$(kernel_package)
  [[ -n $kpkg ]] || { echo "build-image: linux-image-riscv64 names no versioned kernel package" >&2; exit 1; }
  kver=${kpkg#linux-image-}
  step "kernel package $kpkg"

  local -a debs
  mapfile -t debs < <(private_apt_fetch "$kpkg" "${USER_PACKAGES[@]}")
  ((${#debs[@]} == ${#USER_PACKAGES[@]} + 1)) || { echo "build-image: package download failed" >&2; exit 1; }
  unpack_debs "$root" "${debs[@]}"

  kernel_image_make "$root/boot/vmlinux-$kver" "$out/Image"
  build_initramfs "$root" "$kver" "${debs[@]##*/}"
  if [[ ! -e $out/disk.img ]]; then
    bash "$guest_dir/make-disk.sh" "$out/disk.img" "$DISK_SIZE"
  fi
  step "done: $out/Image $out/initramfs.cpio.gz $out/disk.img"
}

main
