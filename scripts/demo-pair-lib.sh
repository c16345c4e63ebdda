# Starting a fault-tolerant pair on one machine, shared by scripts/demo.sh
# (make run) and bench/pair.sh (sourced, not run). Every process started is
# recorded in the array `pids` (the caller's cleanup stops them); every wait
# is bounded and fails with the log of whatever did not come up.
#
# The caller sets: ftvm (the binary), guest (dir with Image and
# initramfs.cpio.gz), run (a work dir for sockets and logs).

pair_fail() { echo "$(basename "$0"): $*" >&2; exit 1; }

# First free loopback TCP port at or above $1.
pair_free_port() {
  local p=$1
  while (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; do p=$((p + 1)); done
  echo "$p"
}

pair_port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# pair_guest_dir BUILD TOP: sets `guest` to $FTVM_GUEST_DIR when given (an
# image built already), else builds (or reuses) BUILD/guest with the repo's
# image script.
pair_guest_dir() {
  if [[ -n ${FTVM_GUEST_DIR:-} ]]; then
    guest=$(cd "$FTVM_GUEST_DIR" && pwd)
  else
    guest="$1/guest"
    bash "$2/guest/build-image.sh" "$guest"
  fi
}

# pair_wait_for TEST_ARGS... : up to 10 s for `test ARGS` to hold.
pair_wait_for() {
  local _
  for _ in $(seq 1 100); do test "$@" && return 0; sleep 0.1; done
  return 1
}

# pair_start_disk NAME IMAGE: nbdkit serving IMAGE on $run/NAME.nbd.
pair_start_disk() {
  rm -f "$run/$1.nbd"
  nbdkit -f -U "$run/$1.nbd" file "$2" >"$run/$1.nbdkit.log" 2>&1 &
  pids+=($!)
  pair_wait_for -S "$run/$1.nbd" || pair_fail "nbdkit did not start: $(cat "$run/$1.nbdkit.log")"
}

# pair_start_switch REDIS_PORT: `ftvm switch` on $run/switch.sock forwarding
# 127.0.0.1:REDIS_PORT to the guest's redis.
pair_start_switch() {
  rm -f "$run/switch.sock"
  "$ftvm" switch --socket "$run/switch.sock" --forward "tcp:127.0.0.1:$1-10.0.2.15:6379" >"$run/switch.log" 2>&1 &
  pids+=($!)
  pair_wait_for -S "$run/switch.sock" || pair_fail "the switch did not start: $(cat "$run/switch.log")"
}

# pair_start_tas: `ftvm tas serve` with its journal in $run; sets tas_port.
pair_start_tas() {
  tas_port=$(pair_free_port 7700)
  "$ftvm" tas serve --listen "127.0.0.1:$tas_port" --journal "$run/tas.journal" >"$run/tas.log" 2>&1 &
  pids+=($!)
  local _
  for _ in $(seq 1 100); do grep -q "serving on" "$run/tas.log" && return 0; sleep 0.1; done
  pair_fail "the test-and-set server did not start: $(cat "$run/tas.log")"
}

# pair_vm_args DISK_NAME: the VM both members describe (they must describe
# the same VM), in the array pair_vm.
pair_vm_args() {
  pair_vm=(--kernel "$guest/Image" --initrd "$guest/initramfs.cpio.gz" --append "console=ttyS0 quiet"
    --mem 512M --rng --disk "nbd+unix:///?socket=$run/$1.nbd" --net "switch:$run/switch.sock")
}

pair_alive() { [[ -n ${1:-} ]] && kill -0 "$1" 2>/dev/null; }

# pair_start NAME GENERATION DISK_NAME STATUS_DIR: the backup (listening on
# any port), then the primary connecting to it; each keeps a status file in
# STATUS_DIR. Console output goes to $run/ROLE.console, messages to
# $run/ROLE.err. Sets primary_pid and backup_pid.
pair_start() {
  local name=$1 gen=$2 disk=$3 status=$4 role
  mkdir -p "$status"
  for role in backup primary; do : >"$run/$role.err"; : >"$run/$role.console"; done
  pair_vm_args "$disk"
  "$ftvm" vm --role backup --name "$name" --generation "$gen" --tas "127.0.0.1:$tas_port" \
    --listen 127.0.0.1:0 --status-file "$status/$name-backup.json" "${pair_vm[@]}" </dev/null >"$run/backup.console" 2>"$run/backup.err" &
  backup_pid=$!
  pids+=("$backup_pid")
  local chan="" _
  for _ in $(seq 1 300); do
    chan=$(sed -n 's/.*waiting for its peer on port \([0-9]*\).*/\1/p' "$run/backup.err")
    [[ -n $chan ]] && break
    pair_alive "$backup_pid" || break
    sleep 0.1
  done
  [[ -n $chan ]] || pair_fail "the backup did not listen: $(tail -5 "$run/backup.err")"
  "$ftvm" vm --role primary --name "$name" --generation "$gen" --tas "127.0.0.1:$tas_port" \
    --peer "127.0.0.1:$chan" --status-file "$status/$name-primary.json" "${pair_vm[@]}" </dev/null >"$run/primary.console" 2>"$run/primary.err" &
  primary_pid=$!
  pids+=("$primary_pid")
}

# pair_wait_ready LIMIT_S [STATUS_DIR]: until the guest's readiness line is on
# the console of whichever member runs it (backup_pid may be empty: a VM
# run alone); shows the status summary on one
# line meanwhile when STATUS_DIR is given and stdout is a terminal.
pair_wait_ready() {
  local limit=$1 status=${2:-} start=$SECONDS
  until grep -qs "FTVM-READY redis 6379" "$run/primary.console" "$run/backup.console"; do
    pair_alive "$primary_pid" || pair_fail "the primary exited before readiness: $(tail -5 "$run/primary.err")"
    [[ -z ${backup_pid:-} ]] || pair_alive "$backup_pid" || pair_fail "the backup exited before readiness: $(tail -5 "$run/backup.err")"
    (( SECONDS - start < limit )) || pair_fail "no readiness line within ${limit}s (see $run/*.err, $run/*.console)"
    if [[ -n $status && -t 1 ]]; then
      printf '\r\033[K[%3ds booting] %s' $((SECONDS - start)) "$("$ftvm" status --summary "$status" 2>&1 | cut -c1-150)"
    fi
    sleep 1
  done
  [[ -t 1 && -n $status ]] && printf '\r\033[K'
  pair_ready_after=$((SECONDS - start))
}

# pair_stop_vms: SIGTERM to both members at once (stopping one first would
# look like a failure to the other and make it take over), then SIGKILL to
# any still there after 10 s.
pair_stop_vms() {
  local p _
  for p in "${primary_pid:-}" "${backup_pid:-}"; do pair_alive "$p" && kill "$p" 2>/dev/null || true; done
  for _ in $(seq 1 100); do
    pair_alive "${primary_pid:-}" || pair_alive "${backup_pid:-}" || break
    sleep 0.1
  done
  for p in "${primary_pid:-}" "${backup_pid:-}"; do pair_alive "$p" && kill -9 "$p" 2>/dev/null || true; done
  return 0
}

# pair_stop_all: the VMs, then every other process in `pids`.
pair_stop_all() {
  pair_stop_vms
  local p
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  pids=()
  primary_pid=""
  backup_pid=""
}
