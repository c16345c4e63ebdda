#!/usr/bin/env bash
# make bench-pair: what fault tolerance costs a client. In one run, on the
# same guest image and the same kind of disk (nbdkit) and network (ftvm
# switch), redis-benchmark against
#   alone: `ftvm run`, the guest with no backup;
#   pair:  `ftvm vm` primary + backup on this machine, outputs held until
#          the backup has the log they depend on;
# then throughput and p50/p99 side by side, and the logging channel's
# bandwidth (from the primary's status file), written into the section
# between the bench:pair markers in docs/BENCHMARKS.md.
# Usage: bench/pair.sh BUILD_DIR [REQUESTS] [CLIENTS]   (defaults 10000, 50)
#   env: FTVM_GUEST_DIR (an already built guest image dir), FTVM_BOOT_TIMEOUT
#   (seconds per boot, default 900), FTVM_BENCH_TIMEOUT (seconds per
#   redis-benchmark run, default 900).
set -euo pipefail
build=$(cd "${1:-build}" && pwd)
requests=${2:-10000}
clients=${3:-50}
top=$(cd "$(dirname "$0")/.." && pwd)
source "$top/bench/doc_section.sh"
limit=${FTVM_BOOT_TIMEOUT:-900}
bench_limit=${FTVM_BENCH_TIMEOUT:-900}
ftvm="$build/src/ftvm"
base="$build/bench-pair"
source "$top/scripts/demo-pair-lib.sh"

pair_guest_dir "$build" "$top"
rm -rf "$base"
mkdir -p "$base"
pids=()
trap pair_stop_all EXIT
port=$(pair_free_port 16379)
load_before=$(cut -d' ' -f1-3 /proc/loadavg)

# Each phase: its own directory, disk copy, nbdkit and switch.
phase_setup() {
  run="$base/$1"
  mkdir -p "$run"
  cp "$guest/disk.img" "$run/disk.img"
  pair_start_disk disk "$run/disk.img"
  pair_start_switch "$port"
}

redis_up() {  # the first answers can take a while after the readiness line
  local _
  for _ in $(seq 1 60); do
    [[ $(timeout 10 redis-cli -p "$port" ping 2>/dev/null) == PONG ]] && return 0
    sleep 1
  done
  pair_fail "redis does not answer PONG on 127.0.0.1:$port"
}

run_benchmark() {  # run_benchmark NAME: NAME.csv in $base; sets bench_seconds
  local t0=$SECONDS
  timeout "$bench_limit" redis-benchmark -p "$port" -t set,get -n "$requests" -c "$clients" --csv \
    >"$base/$1.csv" 2>"$base/$1.bench.err" || pair_fail "redis-benchmark ($1) failed: $(tail -3 "$base/$1.bench.err")"
  bench_seconds=$((SECONDS - t0))
  [[ $(grep -c '^"\(SET\|GET\)"' "$base/$1.csv") -eq 2 ]] || pair_fail "redis-benchmark ($1) did not finish both tests"
}

clk_tck=$(getconf CLK_TCK)
cpu_seconds() {  # utime+stime of PID so far (0 for no pid)
  [[ -n $1 && -r /proc/$1/stat ]] || { echo 0; return; }
  sed 's/.*) //' "/proc/$1/stat" | awk -v t="$clk_tck" '{printf "%.2f", ($12 + $13) / t}'
}
# bench_cpu NAME: runs the benchmark and notes the CPU seconds the VM
# processes used meanwhile ("primary backup"), to show what the pair costs.
bench_cpu() {
  local p0 b0
  p0=$(cpu_seconds "$primary_pid"); b0=$(cpu_seconds "${backup_pid:-}")
  run_benchmark "$1"
  local p1 b1
  p1=$(cpu_seconds "$primary_pid"); b1=$(cpu_seconds "${backup_pid:-}")
  cpu_primary=$(awk -v a="$p0" -v b="$p1" 'BEGIN {printf "%.1f", b - a}')
  cpu_backup=$(awk -v a="$b0" -v b="$b1" 'BEGIN {printf "%.1f", b - a}')
}

csv() {  # csv NAME TEST COLUMN: 2 = req/s, 5 = p50 ms, 7 = p99 ms
  awk -F, -v t="$2" -v c="$3" '{gsub(/"/, "")} $1 == t {print $c}' "$base/$1.csv"
}

status_field() {  # status_field FILE FIELD: a number from a status file
  sed -n "s/^ *\"$2\": \\([0-9]*\\),\$/\\1/p" "$1"
}

echo "bench-pair: $requests requests, $clients clients, SET and GET; load average $load_before"

# --- the guest alone ----------------------------------------------------
phase_setup alone
pair_vm_args disk
"$ftvm" run "${pair_vm[@]}" </dev/null >"$run/primary.console" 2>"$run/primary.err" &
primary_pid=$!
pids+=("$primary_pid")
backup_pid=""
pair_wait_ready "$limit"
alone_ready=$pair_ready_after
redis_up
echo "alone: ready after ${alone_ready}s; running redis-benchmark"
bench_cpu alone
alone_seconds=$bench_seconds
alone_cpu=$cpu_primary
pair_stop_all

# --- the pair --------------------------------------------------------------
phase_setup pair
pair_start_tas
pair_start bench 1 disk "$run/status"
pair_wait_ready "$limit"
pair_ready=$pair_ready_after
redis_up
primary_status="$run/status/bench-primary.json"
sleep 5  # an idle guest's log rate, over the status file's last second
idle_rate=$(status_field "$primary_status" log_bytes_per_second)
bytes0=$(status_field "$primary_status" log_bytes)
echo "pair: ready after ${pair_ready}s; running redis-benchmark"
bench_cpu pair
pair_seconds=$bench_seconds
pair_cpu_primary=$cpu_primary
pair_cpu_backup=$cpu_backup
sleep 2  # the status file is rewritten about once a second
bytes1=$(status_field "$primary_status" log_bytes)
state=$(sed -n 's/^ *"state": "\(.*\)",$/\1/p' "$primary_status")
[[ $state == primary ]] || pair_fail "the primary is in state '$state' after the benchmark, not 'primary'"
pair_stop_all

# --- results ---------------------------------------------------------------
log_bytes=$((bytes1 - bytes0))
log_rate=$(awk -v b="$log_bytes" -v s="$pair_seconds" 'BEGIN {printf "%.1f", b / 1024 / (s > 0 ? s : 1)}')
per_request=$(awk -v b="$log_bytes" -v n="$((2 * requests))" 'BEGIN {printf "%.0f", b / n}')
idle_kb=$(awk -v r="${idle_rate:-0}" 'BEGIN {printf "%.1f", r / 1024}')
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {printf (b > 0 ? "%.2f" : "n/a"), a / b}'; }
row() {  # row LABEL NAME
  printf '| %s | %s | %s ms | %s ms | %s | %s ms | %s ms |' "$1" \
    "$(csv "$2" SET 2)" "$(csv "$2" SET 5)" "$(csv "$2" SET 7)" "$(csv "$2" GET 2)" "$(csv "$2" GET 5)" "$(csv "$2" GET 7)"
}
table="| setup | SET req/s | SET p50 | SET p99 | GET req/s | GET p50 | GET p99 |
| --- | ---: | ---: | ---: | ---: | ---: | ---: |
$(row '`ftvm run` (alone)' alone)
$(row '`ftvm vm` pair' pair)
| pair / alone | $(ratio "$(csv pair SET 2)" "$(csv alone SET 2)") | | | $(ratio "$(csv pair GET 2)" "$(csv alone GET 2)") | | |"
summary="Logging channel during the pair's benchmark: $log_bytes bytes in ${pair_seconds} s ($log_rate KB/s, about $per_request bytes per request); idle guest: $idle_kb KB/s. Boot to readiness: alone ${alone_ready} s, pair ${pair_ready} s. Benchmark wall time: alone ${alone_seconds} s, pair ${pair_seconds} s. CPU seconds used meanwhile ($(nproc) cores in all, shared with the switch and redis-benchmark): alone ${alone_cpu} s; pair ${pair_cpu_primary} s primary + ${pair_cpu_backup} s backup."
echo "$table"
echo "$summary"

doc="$top/docs/BENCHMARKS.md"
section="<!-- bench:pair begin -->
## FT pair vs the guest alone (generated by \`make bench-pair\`, $(date -u +%Y-%m-%d))

\`redis-benchmark -p PORT -t set,get -n $requests -c $clients --csv\` through \`ftvm switch\`, guest disk on nbdkit, primary and backup on the same machine (logging channel over loopback TCP), one run each. Machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'); load average before: $load_before.

$table

$summary
<!-- bench:pair end -->"
write_doc_section "$doc" pair "$section"
echo "bench-pair: written to $doc"
