# shellcheck shell=bash
# Sourced by build-image.sh. Turns the kernel file from Debian's
# linux-image package into the raw RISC-V "Image" that ftvm (and QEMU's
# -kernel) loads at RAM + 2 MiB.
#
# Debian's riscv64 boot/vmlinux-* is already a raw Image with an EFI (PE)
# stub header; other kernels may ship an ELF or a compressed Image, which we
# convert. The result is checked for the Image header magic either way.

# True if FILE carries the RISC-V Image magic "RISCV\0\0\0" at offset 48.
kernel_image_is_raw() {
  [[ $(od -An -c -j 48 -N 5 "$1" 2>/dev/null | tr -d ' ') == RISCV ]]
}

# kernel_image_make SRC DEST: writes DEST (atomically), skipping the work if
# DEST is already newer than SRC.
kernel_image_make() {
  local src=$1 dest=$2 tmp=$2.tmp magic
  [[ -f $src ]] || { echo "kernel-image: $src does not exist" >&2; return 1; }
  if [[ -s $dest && $dest -nt $src ]] && kernel_image_is_raw "$dest"; then
    return 0
  fi
  magic=$(od -An -tx1 -N 4 "$src" | tr -d ' ')
  if kernel_image_is_raw "$src"; then
    cp "$src" "$tmp"
  elif [[ $magic == 7f454c46 ]]; then
    riscv64-linux-gnu-objcopy -O binary "$src" "$tmp"
  elif [[ ${magic:0:4} == 1f8b ]]; then
    gzip -dc "$src" >"$tmp"
  elif [[ $magic == 28b52ffd ]]; then
    zstd -qdc "$src" >"$tmp"
  else
    echo "kernel-image: $src is neither a raw RISC-V Image, an ELF nor gzip/zstd" >&2
    return 1
  fi
  kernel_image_is_raw "$tmp" || {
    rm -f "$tmp"
    echo "kernel-image: converting $src did not yield a RISC-V Image" >&2
    return 1
  }
  mv "$tmp" "$dest"
}
