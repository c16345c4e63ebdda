#!/usr/bin/env bash
# The main demo (make run): builds the guest image, starts an NBD disk server
# and the ftvm switch, and boots the guest with redis on this terminal.
# Usage: demo.sh BUILD_DIR        (env: FTVM_REDIS_PORT, default 6379)
set -euo pipefail
build=$(cd "${1:-build}" && pwd)
top=$(cd "$(dirname "$0")/.." && pwd)
port=${FTVM_REDIS_PORT:-6379}
ftvm="$build/src/ftvm"
guest="$build/guest"
run="$build/demo"

bash "$top/guest/build-image.sh" "$guest"
mkdir -p "$run"
[ -f "$run/disk.img" ] || cp "$guest/disk.img" "$run/disk.img"
rm -f "$run/nbd.sock" "$run/switch.sock"

pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT

if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
  echo "demo: 127.0.0.1:$port is already in use; set FTVM_REDIS_PORT to a free port" >&2
  exit 1
fi

# The disk server: the VM's disk lives here, not in the VM process.
nbdkit -f -U "$run/nbd.sock" file "$run/disk.img" >"$run/nbdkit.log" 2>&1 &
pids+=($!)
"$ftvm" switch --socket "$run/switch.sock" --forward "tcp:127.0.0.1:$port-10.0.2.15:6379" >"$run/switch.log" 2>&1 &
pids+=($!)
for _ in $(seq 1 50); do [ -S "$run/nbd.sock" ] && [ -S "$run/switch.sock" ] && break; sleep 0.1; done

cat <<MSG
== ftvm demo ==
Booting Debian's riscv64 kernel on ftvm with redis; disk served over NBD
($run/nbd.sock), network through the ftvm switch.
When the console prints FTVM-READY, from another terminal:
    redis-cli -p $port ping
    redis-cli -p $port set hello world
Type 'poweroff' at the guest shell, or Ctrl-A x, to stop.
MSG
"$ftvm" run --kernel "$guest/Image" --initrd "$guest/initramfs.cpio.gz" \
  --append "console=ttyS0 quiet" --mem 512M \
  --disk "nbd+unix:///?socket=$run/nbd.sock" --net "switch:$run/switch.sock" --rng
