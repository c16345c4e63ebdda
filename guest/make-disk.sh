#!/usr/bin/env bash
# Creates an empty ext4 image for the guest's /data (redis's append-only
# file lives there). Runs unprivileged: mkfs.ext4 formats the file directly,
# nothing is mounted. Refuses to overwrite an existing file, since it may
# hold a guest's data.
# Usage: make-disk.sh FILE SIZE     SIZE: bytes, or with a K/M/G suffix (>= 4M)
set -euo pipefail

if [[ $# -ne 2 ]]; then
  echo "usage: $0 FILE SIZE   (SIZE e.g. 64M, 1G)" >&2
  exit 2
fi
file=$1 size=$2

if ! [[ $size =~ ^([0-9]+)([KMG]?)$ ]]; then
  echo "make-disk: SIZE '$size' must be a number with an optional K, M or G suffix" >&2
  exit 2
fi
case ${BASH_REMATCH[2]} in
  K) bytes=$((BASH_REMATCH[1] * 1024)) ;;
  M) bytes=$((BASH_REMATCH[1] * 1024 * 1024)) ;;
  G) bytes=$((BASH_REMATCH[1] * 1024 * 1024 * 1024)) ;;
  *) bytes=${BASH_REMATCH[1]} ;;
esac
if ((bytes < 4 * 1024 * 1024)); then
  echo "make-disk: SIZE '$size' is below the 4M minimum" >&2
  exit 2
fi
if ((bytes % 512 != 0)); then
  echo "make-disk: SIZE '$size' is not a multiple of 512 bytes (a virtio-blk sector)" >&2
  exit 2
fi
if [[ -e $file ]]; then
  echo "make-disk: $file already exists; not overwriting it" >&2
  exit 1
fi
command -v mkfs.ext4 >/dev/null || PATH=$PATH:/usr/sbin:/sbin
command -v mkfs.ext4 >/dev/null || { echo "make-disk: mkfs.ext4 not found (install e2fsprogs)" >&2; exit 1; }

tmp=$file.tmp.$$
trap 'rm -f "$tmp"' EXIT
truncate -s "$bytes" "$tmp"
# Fixed UUID, hash seed and timestamps: the same SIZE always gives the same
# bytes, so a primary and its backup can start from identical disks.
E2FSPROGS_FAKE_TIME=1 mkfs.ext4 -q -F -L ftvm-data \
  -U 6674766d-0000-4000-8000-000000000001 \
  -E hash_seed=6674766d-0000-4000-8000-000000000002,root_owner=0:0,lazy_itable_init=0,lazy_journal_init=0 \
  "$tmp"
mv "$tmp" "$file"
trap - EXIT
