#!/usr/bin/env bash
# Side-by-side boot to readiness (issue 7): the same kernel, initramfs and data
# disk (a fresh copy per run) booted under
#   ftvm-jit      ftvm run, translating engine (the default)
#   ftvm-interp   ftvm run --engine interp (reference)
#   qemu-tcg      qemu-system-riscv64 -machine virt, plain TCG
#   qemu-icount   the same with -icount shift=0
# alternating, REPS times. Each run is timed from process start to the console
# line "FTVM-READY redis 6379" (host wall time), and the emulator's own CPU
# time (utime+stime from /proc/PID/stat) is read at that moment. Prints
# medians and the ftvm/QEMU-TCG time ratio (issue target: <= 2.0) and writes
# the bench:boot section of docs/BENCHMARKS.md.
# After readiness, on the configurations in FTVM_BENCH_LINUX_CONFIGS (default
# ftvm-jit qemu-tcg qemu-icount), the same guest runs two more workloads:
#   syscalls   `dd if=/dev/zero of=/dev/null bs=1 count=N` on the console
#              shell (2 system calls per byte: read and write), timed on the
#              host from sending the command to the marker line after it;
#   redis      redis-benchmark -t set,get from the host to the guest's redis
#              (ftvm: a port forwarded by the switch; QEMU: hostfwd), with
#              -c 10: QEMU's user networking stalls with redis-benchmark's
#              default 50 clients.
# Usage: bench/boot.sh BUILD_DIR [REPS]      (REPS default 3)
#   env: FTVM_GUEST_DIR (a built guest image dir; default BUILD_DIR/guest, built
#   with guest/build-image.sh when missing), FTVM_BOOT_TIMEOUT (seconds per
#   boot, default 300), FTVM_BENCH_BOOT_CONFIGS (space-separated subset of the
#   configurations above).
# Exit 77: no guest image could be found or built (nothing measured).
set -euo pipefail
build=$(cd "${1:-build}" && pwd)
reps=${2:-3}
top=$(cd "$(dirname "$0")/.." && pwd)
source "$top/bench/doc_section.sh"
limit=${FTVM_BOOT_TIMEOUT:-300}
read -r -a configs <<<"${FTVM_BENCH_BOOT_CONFIGS:-ftvm-jit ftvm-interp qemu-tcg qemu-icount}"
read -r -a linux_configs <<<"${FTVM_BENCH_LINUX_CONFIGS:-ftvm-jit qemu-tcg qemu-icount}"
dd_bytes=${FTVM_BENCH_DD_BYTES:-300000}
redis_requests=${FTVM_BENCH_REDIS_REQUESTS:-4000}
redis_clients=10
ftvm="$build/src/ftvm"
qemu=$(command -v qemu-system-riscv64) || { echo "boot bench: qemu-system-riscv64 not installed" >&2; exit 1; }
firmware=/usr/lib/riscv64-linux-gnu/opensbi/generic/fw_dynamic.bin
ready_line="FTVM-READY redis 6379"
# One command line for both emulators, so both kernels do the same work.
cmdline="console=ttyS0 quiet"
mem=512M
out="$build/bench/boot"

[[ $reps =~ ^[1-9][0-9]*$ ]] || { echo "boot bench: REPS must be a positive integer, got '$reps'" >&2; exit 2; }
[[ -x $ftvm ]] || { echo "boot bench: $ftvm not built" >&2; exit 1; }
[[ -f $firmware ]] || { echo "boot bench: $firmware missing (install opensbi)" >&2; exit 1; }
for c in "${configs[@]}"; do
  case $c in ftvm-jit | ftvm-interp | qemu-tcg | qemu-icount) ;;
    *) echo "boot bench: unknown configuration '$c'" >&2; exit 2 ;;
  esac
done

if [[ -n ${FTVM_GUEST_DIR:-} ]]; then
  guest=$(cd "$FTVM_GUEST_DIR" && pwd)
else
  guest="$build/guest"
  [[ -f $guest/Image ]] || bash "$top/guest/build-image.sh" "$guest" ||
    { echo "boot bench: SKIPPED, the guest image could not be built" >&2; exit 77; }
fi
for f in "$guest/Image" "$guest/initramfs.cpio.gz" "$guest/disk.img"; do
  [[ -f $f ]] || { echo "boot bench: SKIPPED, $f missing" >&2; exit 77; }
done

rm -rf "$out"
mkdir -p "$out"
run_dir=
emu_pid=
switch_pid=
console_fd=

stop_run() {  # ends whatever the current run started and removes its files
  if [[ -n $console_fd ]]; then exec {console_fd}>&-; console_fd=; fi
  local p
  for p in $emu_pid $switch_pid; do
    kill -9 "$p" 2>/dev/null || true
    wait "$p" 2>/dev/null || true
  done
  emu_pid=; switch_pid=
  # Keep the console log for inspection; drop the disk copy and sockets.
  [[ -n $run_dir ]] && rm -f "$run_dir/disk.img" "$run_dir/console.in" "$run_dir/switch.sock"
  run_dir=
}
trap stop_run EXIT

now_ns() { date +%s%N; }
clk_tck=$(getconf CLK_TCK)
cpu_seconds() {  # utime+stime of PID so far, in seconds
  # Fields after the ")" of the command name: utime and stime are the 12th and 13th.
  local rest
  rest=$(sed 's/.*) //' "/proc/$1/stat")
  awk -v t="$clk_tck" '{printf "%.2f", ($12 + $13) / t}' <<<"$rest"
}

start_switch() {  # ftvm's NIC needs a switch; it forwards $redis_port to the guest's redis
  "$ftvm" switch --socket "$run_dir/switch.sock" --forward "tcp:127.0.0.1:$redis_port-10.0.2.15:6379" \
    >"$run_dir/switch.log" 2>&1 &
  switch_pid=$!
  local _
  for _ in $(seq 1 100); do [[ -S $run_dir/switch.sock ]] && return 0; sleep 0.1; done
  echo "boot bench: ftvm switch did not start: $(tail -3 "$run_dir/switch.log")" >&2
  return 1
}

start_emulator() {  # start_emulator CONFIG: console on a fifo, log in console.log
  local -a cmd
  case $1 in
    ftvm-jit | ftvm-interp)
      local engine=jit
      [[ $1 == ftvm-interp ]] && engine=interp
      cmd=("$ftvm" run --engine "$engine" --kernel "$guest/Image" --initrd "$guest/initramfs.cpio.gz"
           --append "$cmdline" --mem "$mem" --rng --disk "$run_dir/disk.img"
           --net "switch:$run_dir/switch.sock") ;;
    qemu-tcg | qemu-icount)
      local -a icount=()
      [[ $1 == qemu-icount ]] && icount=(-icount shift=0)
      # shellcheck disable=SC2054  # commas belong to QEMU option values
      cmd=("$qemu" -machine virt -m "$mem" -nographic -bios "$firmware" "${icount[@]}"
           -kernel "$guest/Image" -initrd "$guest/initramfs.cpio.gz" -append "$cmdline"
           -drive "file=$run_dir/disk.img,if=none,format=raw,id=hd0" -device virtio-blk-device,drive=hd0
           -netdev "user,id=n0,hostfwd=tcp:127.0.0.1:$redis_port-:6379" -device virtio-net-device,netdev=n0
           -device virtio-rng-device) ;;
  esac
  echo "${cmd[*]}" >"$run_dir/command"
  mkfifo "$run_dir/console.in"
  : >"$run_dir/console.log"
  t_start=$(now_ns)
  "${cmd[@]}" <"$run_dir/console.in" >"$run_dir/console.log" 2>&1 &
  emu_pid=$!
  # Opening the write end lets the emulator's open of the read end complete.
  exec {console_fd}>"$run_dir/console.in"
}

free_port() {  # a loopback TCP port nobody listens on
  local p=$((30000 + RANDOM % 20000))
  while (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; do p=$((p + 1)); done
  echo "$p"
}

# boot_once CONFIG REP: appends "wall cpu" to $out/CONFIG.times, or returns 1.
boot_once() {
  run_dir="$out/$1.$2"
  mkdir -p "$run_dir"
  cp "$guest/disk.img" "$run_dir/disk.img"
  redis_port=$(free_port)
  if [[ $1 == ftvm-* ]]; then start_switch || { stop_run; return 1; }; fi
  start_emulator "$1"
  local cpu deadline=$((SECONDS + limit))
  until grep -q "$ready_line" "$run_dir/console.log"; do
    if ! kill -0 "$emu_pid" 2>/dev/null; then
      echo "boot bench: $1 #$2 exited before the readiness line; console tail:" >&2
      tail -c 1500 "$run_dir/console.log" >&2
      stop_run; return 1
    fi
    if ((SECONDS >= deadline)); then
      echo "boot bench: $1 #$2: no readiness line within ${limit}s" >&2
      stop_run; return 1
    fi
    sleep 0.05
  done
  local t_end
  t_end=$(now_ns)
  cpu=$(cpu_seconds "$emu_pid")
  local wall
  wall=$(echo "scale=2; ($t_end - $t_start) / 1000000000" | bc)
  echo "$wall $cpu" >>"$out/$1.times"
  printf 'boot bench: %-12s #%d  ready after %6.2f s wall, %6.2f s emulator CPU\n' "$1" "$2" "$wall" "$cpu"
  if [[ " ${linux_configs[*]} " == *" $1 "* ]]; then
    linux_workloads "$1" "$2" || { stop_run; return 1; }
  fi
  stop_run
}

# console_run CONFIG COMMAND MARKER: runs COMMAND on the guest's console shell
# followed by `echo MARKER`, waits for the marker on a line of its own (the
# shell's echo of the command line itself starts with the prompt) and prints
# the host time between sending and seeing it, in seconds.
console_run() {
  local t0 deadline=$((SECONDS + limit))
  t0=$(now_ns)
  echo "$2; echo $3" >&"$console_fd"
  until grep -qE "^$3"$'\r?$' "$run_dir/console.log"; do
    if ! kill -0 "$emu_pid" 2>/dev/null || ((SECONDS >= deadline)); then
      echo "boot bench: $1: no '$3' from the guest console; tail:" >&2
      tail -c 800 "$run_dir/console.log" >&2
      return 1
    fi
    sleep 0.02
  done
  echo "scale=3; ($(now_ns) - $t0) / 1000000000" | bc
}

# linux_workloads CONFIG REP: the syscall loop and redis-benchmark on the
# booted guest; appends "syscalls_per_s set_rps get_rps" to $out/CONFIG.linux.
linux_workloads() {
  console_run "$1" true SHELL-OK-MARK >/dev/null || return 1
  local seconds
  seconds=$(console_run "$1" "dd if=/dev/zero of=/dev/null bs=1 count=$dd_bytes 2>/dev/null" DD-DONE-MARK) || return 1
  local syscalls_per_s
  syscalls_per_s=$(echo "2 * $dd_bytes / $seconds" | bc)
  local csv
  if ! csv=$(timeout "$limit" redis-benchmark -p "$redis_port" -t set,get -n "$redis_requests" -c "$redis_clients" --csv 2>&1); then
    echo "boot bench: $1: redis-benchmark failed: $csv" >&2
    return 1
  fi
  local set_rps get_rps
  set_rps=$(awk -F'"' '$2 == "SET" {printf "%.0f", $4}' <<<"$csv")
  get_rps=$(awk -F'"' '$2 == "GET" {printf "%.0f", $4}' <<<"$csv")
  [[ -n $set_rps && -n $get_rps ]] || { echo "boot bench: $1: no rates in redis-benchmark output: $csv" >&2; return 1; }
  echo "$syscalls_per_s $set_rps $get_rps" >>"$out/$1.linux"
  printf 'boot bench: %-12s #%d  %8s syscalls/s, redis SET %6s req/s, GET %6s req/s\n' "$1" "$2" \
    "$syscalls_per_s" "$set_rps" "$get_rps"
}

median() { sort -n | awk '{a[NR]=$1} END {if (NR == 0) print "n/a"; else printf "%.2f\n", (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }
column_median() { [[ -f $out/$1.times ]] && awk -v c="$2" '{print $c}' "$out/$1.times" | median || echo n/a; }
ratio() { [[ $1 == n/a || $2 == n/a ]] && { echo n/a; return; }; echo "scale=2; $1 / $2" | bc | sed 's/^\./0./'; }

load_before=$(cut -d' ' -f1-3 /proc/loadavg)
echo "boot bench: ${configs[*]}, $reps repetition(s), load average $load_before"
failures=0
for ((r = 1; r <= reps; r++)); do
  for c in "${configs[@]}"; do
    boot_once "$c" "$r" || failures=$((failures + 1))
  done
done
load_after=$(cut -d' ' -f1-3 /proc/loadavg)

declare -A wall cpu
for c in "${configs[@]}"; do
  wall[$c]=$(column_median "$c" 1)
  cpu[$c]=$(column_median "$c" 2)
done
tcg_wall=${wall[qemu-tcg]:-n/a}; tcg_cpu=${cpu[qemu-tcg]:-n/a}

declare -A label=(
  [ftvm-jit]="ftvm, translating engine (default)"
  [ftvm-interp]="ftvm, interpreter (\`--engine interp\`)"
  [qemu-tcg]="QEMU TCG"
  [qemu-icount]="QEMU TCG \`-icount shift=0\`")
table="| emulator | runs | wall s (median) | emulator CPU s (median) | wall / QEMU TCG | CPU / QEMU TCG | wall s, each run |
| --- | ---: | ---: | ---: | ---: | ---: | --- |"
for c in "${configs[@]}"; do
  n=0; [[ -f $out/$c.times ]] && n=$(wc -l <"$out/$c.times")
  rw=$(ratio "${wall[$c]}" "$tcg_wall"); rc=$(ratio "${cpu[$c]}" "$tcg_cpu")
  printf 'boot bench: %-12s median %6s s wall, %6s s CPU; / QEMU TCG: wall %5s, CPU %5s (%d of %d runs)\n' \
    "$c" "${wall[$c]}" "${cpu[$c]}" "$rw" "$rc" "$n" "$reps"
  each=none
  [[ -f $out/$c.times ]] && each=$(awk '{print $1}' "$out/$c.times" | paste -sd' ')
  table+=$'\n'"| ${label[$c]} | $n/$reps | ${wall[$c]} | ${cpu[$c]} | $rw | $rc | $each |"
done
verdict="n/a"
if [[ ${wall[ftvm-jit]:-n/a} != n/a && $tcg_wall != n/a ]]; then
  verdict=$(ratio "${wall[ftvm-jit]}" "$tcg_wall")
  echo "boot bench: ftvm (JIT) / QEMU TCG boot time: $verdict (issue 7 target <= 2.0)"
fi

# The after-boot workloads: medians per configuration, ratios to QEMU TCG
# (higher is better here: rates, not times).
rate_ratio() { [[ $1 == n/a || $2 == n/a ]] && { echo n/a; return; }; echo "scale=2; $1 / $2" | bc | sed 's/^\./0./'; }
linux_median() { [[ -f $out/$1.linux ]] && awk -v c="$2" '{print $c}' "$out/$1.linux" | median | sed 's/\.00$//' || echo n/a; }
declare -A sys set get
for c in "${linux_configs[@]}"; do
  sys[$c]=$(linux_median "$c" 1); set[$c]=$(linux_median "$c" 2); get[$c]=$(linux_median "$c" 3)
done
linux_table="| emulator | runs | syscalls/s | / QEMU TCG | redis SET req/s | / QEMU TCG | redis GET req/s | / QEMU TCG |
| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
for c in "${linux_configs[@]}"; do
  [[ " ${configs[*]} " == *" $c "* ]] || continue
  n=0; [[ -f $out/$c.linux ]] && n=$(wc -l <"$out/$c.linux")
  rs=$(rate_ratio "${sys[$c]}" "${sys[qemu-tcg]:-n/a}"); r1=$(rate_ratio "${set[$c]}" "${set[qemu-tcg]:-n/a}")
  r2=$(rate_ratio "${get[$c]}" "${get[qemu-tcg]:-n/a}")
  printf 'boot bench: %-12s median %8s syscalls/s (%s), SET %6s req/s (%s), GET %6s req/s (%s)\n' \
    "$c" "${sys[$c]}" "$rs" "${set[$c]}" "$r1" "${get[$c]}" "$r2"
  linux_table+=$'\n'"| ${label[$c]} | $n/$reps | ${sys[$c]} | $rs | ${set[$c]} | $r1 | ${get[$c]} | $r2 |"
done

kernel=$(strings "$guest/Image" | grep -o 'Linux version [^ ]*' | head -1) || true

# Replace (or add, right after the bench:cpu section) the bench:boot section.
doc="$top/docs/BENCHMARKS.md"
section="<!-- bench:boot begin -->
### Boot to readiness, side by side (generated by \`bench/boot.sh\`, $(date -u +%Y-%m-%d))

Command: \`${FTVM_GUEST_DIR:+FTVM_GUEST_DIR=$FTVM_GUEST_DIR }bash bench/boot.sh $(basename "$build") $reps\` (also run by \`make bench\` unless \`FTVM_BENCH_SKIP_BOOT=1\`).
Same kernel (${kernel:-unknown}), initramfs and data disk (a fresh raw copy per run) for every emulator; \`--append \"$cmdline\"\`, $mem, virtio disk, NIC and rng (ftvm's NIC on an \`ftvm switch\`, QEMU's on user networking). Time from process start to the console line \`$ready_line\`; emulator CPU is the process's utime+stime from /proc at that moment. Configurations alternate within each of the $reps repetition(s); medians.

Machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'); ftvm $(git -C "$top" rev-parse --short HEAD 2>/dev/null || echo unknown) (plus uncommitted work); $($qemu --version | head -1). Load average before: $load_before, after: $load_after (the machine is shared with other agents' builds: wall times are upper bounds, CPU seconds are the steadier figure). Failed runs: $failures.

$table

ftvm (translating engine) / QEMU TCG boot wall time: **$verdict** (issue 7 target: at most 2.0; lower is better, unlike the MIPS ratios above).

#### The booted guest: a syscall loop and redis-benchmark

Right after readiness, in the same runs: \`dd if=/dev/zero of=/dev/null bs=1 count=$dd_bytes\` on the console shell (two system calls, read and write, per byte; timed on the host from sending the command to a marker line echoed after it), then \`redis-benchmark -t set,get -n $redis_requests -c $redis_clients --csv\` from the host (ftvm: a port forwarded by \`ftvm switch\`; QEMU: \`hostfwd\`). $redis_clients clients because QEMU's user networking stalls with redis-benchmark's default 50 (ftvm's switch sustains 50, see the pair figures below). Rates: higher is better.

$linux_table
<!-- bench:boot end -->"
write_doc_section "$doc" boot "$section" cpu
echo "boot bench: wrote the bench:boot section of $doc"
((failures == 0)) || { echo "boot bench: $failures run(s) failed" >&2; exit 1; }
