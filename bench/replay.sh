#!/usr/bin/env bash
# Record/replay figures on the Linux guest:
#   (a) log bytes per second of guest time -- for the boot, for an idle guest
#       (booted to readiness, then IDLE seconds of nothing) and for a
#       redis-benchmark workload;
#   (b) recording overhead -- redis-benchmark throughput with and without
#       --record (one run each, back to back);
#   (c) replay speed against live -- guest instructions per wall second, live
#       and replayed, for the boot and for the idle phase.
# One recorded run (boot, idle, workload, then SIGTERM: the log is closed
# cleanly) and one unrecorded run (boot, workload). The recording is then
# replayed with --timeline, which prints guest time, count, replay wall time
# and log bytes once per guest second; the phases are cut out of that by
# guest time (the guest's clock follows the host's while live, from the
# moment the VM is built -- a fraction of a second after the process starts).
# Phase byte counts are the entries' encoded size scaled by the file's
# overall compression ratio (frames are 64 KiB, too coarse to time directly).
# Usage: bench/replay.sh BUILD_DIR [GUEST_DIR] [IDLE_SECONDS]
set -euo pipefail
build=$(cd "${1:-build}" && pwd)
guest=${2:-/tmp/gout}
idle=${3:-60}
ftvm="$build/src/ftvm"
limit=${FTVM_BOOT_TIMEOUT:-400}
requests=${REDIS_REQUESTS:-4000}
for f in "$ftvm" "$guest/Image" "$guest/initramfs.cpio.gz" "$guest/disk.img"; do
  [[ -e $f ]] || { echo "bench/replay.sh: $f missing" >&2; exit 2; }
done
command -v redis-benchmark >/dev/null || { echo "bench/replay.sh: redis-benchmark missing" >&2; exit 2; }

tmp=$(mktemp -d)
pids=()
cleanup() {
  local p
  for p in "${pids[@]}"; do kill -9 "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$tmp"
}
trap cleanup EXIT
die() { echo "bench/replay.sh: $*" >&2; tail -c 1500 "$tmp/console.log" >&2 2>/dev/null || true; exit 1; }
now() { date +%s.%N; }
since() { echo "$(now) - $1" | bc -l; }

port=$(( 20000 + ($$ % 20000) ))
while (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; do port=$((port + 1)); done
"$ftvm" switch --socket "$tmp/switch.sock" --forward "tcp:127.0.0.1:$port-10.0.2.15:6379" >"$tmp/switch.log" 2>&1 &
pids+=($!)
for _ in $(seq 1 100); do [[ -S $tmp/switch.sock ]] && break; sleep 0.1; done
[[ -S $tmp/switch.sock ]] || die "the switch did not start"
vm=(--kernel "$guest/Image" --initrd "$guest/initramfs.cpio.gz" --append "console=ttyS0 quiet" --mem 512M --rng)

# Boots a VM (extra ftvm run flags in "$@"), waits for readiness. Sets
# vm_pid, t_start, ready_s (seconds from process start to readiness).
boot() {
  cp "$guest/disk.img" "$tmp/disk.img"
  rm -f "$tmp/in"
  mkfifo "$tmp/in"
  t_start=$(now)
  "$ftvm" run "${vm[@]}" --disk "$tmp/disk.img" --net "switch:$tmp/switch.sock" "$@" \
    <"$tmp/in" >"$tmp/console.log" 2>&1 &
  vm_pid=$!
  pids+=("$vm_pid")
  exec {hold}>"$tmp/in"
  until grep -q "FTVM-READY redis 6379" "$tmp/console.log"; do
    kill -0 "$vm_pid" 2>/dev/null || die "ftvm run exited before readiness"
    (( $(echo "$(since "$t_start") < $limit" | bc) )) || die "no readiness within ${limit}s"
    sleep 0.1
  done
  ready_s=$(since "$t_start")
}

stop_vm() {
  kill -TERM "$vm_pid"
  wait "$vm_pid" 2>/dev/null || true
  exec {hold}>&-
}

# requests per second, SET and GET (redis-benchmark --csv), into set_rps/get_rps.
workload() {
  timeout 600 redis-benchmark -p "$port" -t set,get -n "$requests" -c 4 --csv >"$tmp/rb.csv" 2>/dev/null \
    || die "redis-benchmark failed"
  set_rps=$(awk -F'"' '/^"SET"/ {print $4}' "$tmp/rb.csv")
  get_rps=$(awk -F'"' '/^"GET"/ {print $4}' "$tmp/rb.csv")
  [[ -n $set_rps && -n $get_rps ]] || die "no throughput in redis-benchmark output: $(cat "$tmp/rb.csv")"
}

echo "== recorded run: boot, ${idle}s idle, redis-benchmark (-n $requests -c 4)"
boot --record "$tmp/run.ftlog"
rec_ready=$ready_s
sleep "$idle"
idle_end=$(since "$t_start")
workload
rec_set=$set_rps rec_get=$get_rps
bench_end=$(since "$t_start")
stop_vm
log_bytes=$(stat -c %s "$tmp/run.ftlog")
printf 'readiness %.1f s, idle until %.1f s, workload until %.1f s; log %d bytes; SET %s/s GET %s/s\n' \
  "$rec_ready" "$idle_end" "$bench_end" "$log_bytes" "$rec_set" "$rec_get"

echo "== unrecorded run: boot, redis-benchmark"
boot
live_ready=$ready_s
workload
live_set=$set_rps live_get=$get_rps
stop_vm
printf 'readiness %.1f s; SET %s/s GET %s/s\n' "$live_ready" "$live_set" "$live_get"

echo "== replay of the recording (--timeline)"
cp "$guest/disk.img" "$tmp/disk.img"
"$ftvm" replay "$tmp/run.ftlog" "${vm[@]}" --disk "$tmp/disk.img" --net "switch:$tmp/unused.sock" --quiet \
  --timeline 2>"$tmp/replay.err" || { tail -5 "$tmp/replay.err" >&2; die "replay failed"; }
grep "checkpoints equal" "$tmp/replay.err"

# The timeline line at the first guest second >= $1: "guest_s instret wall_s raw_bytes".
at_guest() {
  awk -v g="$1" '/^timeline / {
      for (i = 2; i <= NF; ++i) { split($i, kv, "="); v[kv[1]] = kv[2] }
      last = v["guest_s"] " " v["instret"] " " v["wall_s"] " " v["raw_bytes"]
      if (v["guest_s"] + 0 >= g + 0) { print last; found = 1; exit }
    } END { if (!found) print last }' "$tmp/replay.err"
}
total_raw=$(at_guest 1e18 | awk '{print $4}')
ratio=$(echo "$log_bytes / $total_raw" | bc -l)

# phase NAME FROM TO: prints one table row.
phase() {
  local a b
  read -r ga ia wa ra <<<"$(at_guest "$2")"
  read -r gb ib wb rb <<<"$(at_guest "$3")"
  awk -v n="$1" -v ga="$ga" -v gb="$gb" -v ia="$ia" -v ib="$ib" -v wa="$wa" -v wb="$wb" -v ra="$ra" -v rb="$rb" \
      -v ratio="$ratio" 'BEGIN {
    dg = gb - ga; di = ib - ia; dw = wb - wa; db = (rb - ra) * ratio
    printf "| %s | %.1f | %.3g | %.0f | %.1f | %.1f | %.1f | %.1fx |\n", n, dg, di, db / dg, di / dg / 1e6,
           (dw > 0 ? di / dw / 1e6 : 0), dw, (dw > 0 ? dg / dw : 0)
  }'
}
echo
echo "| phase | guest s | instructions | log bytes / guest s | live MIPS | replay MIPS | replay wall s | replay speed (guest s per wall s) |"
echo "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
phase "boot (to readiness)" 0 "$rec_ready"
phase "idle" "$(echo "$rec_ready + 2" | bc -l)" "$idle_end"
phase "redis-benchmark" "$idle_end" "$bench_end"
echo
printf 'log: %d bytes for %d raw entry bytes (compression %.2fx)\n' "$log_bytes" "$total_raw" \
  "$(echo "1 / $ratio" | bc -l)"
printf 'recording overhead: SET %s/s recorded vs %s/s not (%.1f%%), GET %s/s vs %s/s (%.1f%%)\n' \
  "$rec_set" "$live_set" "$(echo "($live_set - $rec_set) * 100 / $live_set" | bc -l)" \
  "$rec_get" "$live_get" "$(echo "($live_get - $rec_get) * 100 / $live_get" | bc -l)"
printf 'boot to readiness: %.1f s recorded, %.1f s not\n' "$rec_ready" "$live_ready"
echo "load average at the end: $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) cores"
