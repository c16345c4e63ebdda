#!/usr/bin/env bash
# The main demo (make run): a fault-tolerant pair on this one machine.
# Builds the guest image if missing, then starts
#   ftvm tas serve   test-and-set, journal in BUILD_DIR/demo/tas.journal
#   nbdkit           the VM's disk (a copy of the image's, kept between
#                    runs) on a unix socket: the disk is not in either VM
#   ftvm switch      127.0.0.1:$FTVM_REDIS_PORT -> the guest's redis
#   ftvm vm          a backup, then a primary connected to it
# waits for the guest's readiness line, shows a live status line (from the
# members' status files) and says how to pull the primary's plug. Ctrl-C
# stops everything.
# Usage: demo.sh BUILD_DIR
#   env: FTVM_REDIS_PORT (default 6379); FTVM_GUEST_DIR (an already built
#   guest image dir, instead of building BUILD_DIR/guest); FTVM_BOOT_TIMEOUT
#   (seconds, default 900).
set -euo pipefail
build=$(cd "${1:-build}" && pwd)
top=$(cd "$(dirname "$0")/.." && pwd)
port=${FTVM_REDIS_PORT:-6379}
limit=${FTVM_BOOT_TIMEOUT:-900}
ftvm="$build/src/ftvm"
run="$build/demo"
status="$run/status"
source "$top/scripts/demo-pair-lib.sh"

pair_guest_dir "$build" "$top"
if pair_port_in_use "$port"; then
  echo "demo: 127.0.0.1:$port is already in use; set FTVM_REDIS_PORT to a free port" >&2
  exit 1
fi
mkdir -p "$run"
[[ -f $run/disk.img ]] || cp "$guest/disk.img" "$run/disk.img"
rm -rf "$status"
# A new pair generation each run: the test-and-set journal remembers who
# won for an old one, and a new pair must never be bound by that.
generation=$(( $(cat "$run/generation" 2>/dev/null || echo 0) + 1 ))
echo "$generation" >"$run/generation"

pids=()
stopping=0
stop() {
  (( stopping )) && return
  stopping=1
  echo
  echo "demo: stopping the pair, the switch, nbdkit and test-and-set"
  pair_stop_all
}
trap stop EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

pair_start_tas
pair_start_disk disk "$run/disk.img"
pair_start_switch "$port"
pair_start demo "$generation" disk "$status"

cat <<MSG
== ftvm demo: a fault-tolerant pair ==
Booting Debian's riscv64 kernel with redis on a primary (pid $primary_pid) that
streams its inputs to a backup (pid $backup_pid) replaying in lockstep.
Disk: nbdkit on $run/disk.nbd; network: ftvm switch; test-and-set: 127.0.0.1:$tas_port.
Logs and consoles: $run/{primary,backup}.{err,console}
MSG
pair_wait_ready "$limit" "$status"
cat <<MSG

The guest is up (after ${pair_ready_after}s). From another terminal:
  talk to redis:        redis-cli -p $port set hello world; redis-cli -p $port get hello
  watch the pair:       $ftvm status $status
  pull the plug:        $ftvm kill-primary $status      (or: kill -9 $primary_pid)
                        the backup takes over; redis answers on the same connections
  guest console:        tail -f $run/primary.console   (after a takeover: backup.console)
Ctrl-C stops everything.

MSG

# The live status line, until Ctrl-C or until no member is left.
# Without a terminal (a log), one line every 10 s instead.
cols=$(tput cols 2>/dev/null || echo 160)
tick=0
while pair_alive "$primary_pid" || pair_alive "$backup_pid"; do
  line=$("$ftvm" status --summary "$status" 2>&1 || true)
  if [[ -t 1 ]]; then
    printf '\r\033[K%s' "${line:0:$cols}"
  elif (( tick % 10 == 0 )); then
    echo "$line"
  fi
  tick=$((tick + 1))
  sleep 1
done
echo
echo "demo: both members have ended:"
tail -n 2 "$run/primary.err" "$run/backup.err"
