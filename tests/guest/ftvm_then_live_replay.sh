#!/usr/bin/env bash
# `ftvm replay LOG --then-live`: a recording cut short continues live.
#
# A small bare-metal guest (built here from the C below with the shared
# bare-metal runtime) writes a sector, reads it back and checks it, round
# after round, on a virtio-blk disk served by nbdkit with a one-second delay
# per request -- so a request is always in flight when the recorder is
# stopped in the middle (SIGTERM after "round 1"). Then:
#   1. `ftvm replay LOG` (muted) matches every checkpoint;
#   2. `ftvm replay LOG --then-live` on the same disk replays the log, says it
#      re-issues at least one request that was in flight when the log ended,
#      and the guest carries on live: the remaining rounds and a final pass
#      over every sector (written partly while recording, partly live) check
#      out, and it powers off cleanly (exit 0).
# Usage: ftvm_then_live_replay.sh FTVM [RISCV_CC]
set -euo pipefail
ftvm=$1
cc=${2:-riscv64-linux-gnu-gcc}
here=$(cd "$(dirname "$0")" && pwd)
rt=$here/../baremetal/common
command -v "$cc" >/dev/null || { echo "SKIP: no RISC-V compiler ($cc)" >&2; exit 77; }
command -v nbdkit >/dev/null || { echo "SKIP: nbdkit missing" >&2; exit 77; }
tmp=$(mktemp -d)
pids=()
cleanup() {
  local p
  for p in "${pids[@]}"; do kill -9 "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$tmp"
}
trap cleanup EXIT
fail() {
  echo "FAIL: $*" >&2
  for f in record.log replay.err live.log live.err; do
    [[ -f $tmp/$f ]] && { echo "--- $f:" >&2; tail -c 1500 "$tmp/$f" >&2; }
  done
  exit 1
}

cat >"$tmp/disk_rounds.c" <<'EOF'
/* Rounds of write-sector / read-back / compare on virtio-blk (slot 0), then
 * a check of every sector. Waits for completions in WFI (the virtio
 * interrupt is enabled in the PLIC and mie, not in mstatus), so an idle
 * guest costs the host nothing while nbdkit's delay runs. */
#include "rt.h"

#define VIRTIO 0x10001000ul
#define PLIC_ENABLE0 (PLIC_BASE + 0x2000)
#define PLIC_CLAIM0 (PLIC_BASE + 0x200004)
#define QSIZE 8
#define ROUNDS 6

struct desc { uint64_t addr; uint32_t len; uint16_t flags, next; };
struct avail { uint16_t flags, idx, ring[QSIZE], used_event; };
struct used_elem { uint32_t id, len; };
struct used { uint16_t flags; volatile uint16_t idx; struct used_elem ring[QSIZE]; uint16_t avail_event; };
struct blk_header { uint32_t type, reserved; uint64_t sector; };

static struct desc descs[QSIZE] __attribute__((aligned(16)));
static struct avail av __attribute__((aligned(2)));
static struct used us __attribute__((aligned(4)));
static struct blk_header hdr;
static uint8_t buf[512];
static volatile uint8_t status;

static uint32_t rd(unsigned off) { return mmio_read32(VIRTIO + off); }
static void wr(unsigned off, uint32_t v) { mmio_write32(VIRTIO + off, v); }
static void wr_addr(unsigned lo, uint64_t a) { wr(lo, (uint32_t)a); wr(lo + 4, (uint32_t)(a >> 32)); }

static void setup(void) {
  CHECK_EQ(rd(0x008), 2); /* a block device */
  wr(0x070, 0);
  wr(0x070, 3);
  wr(0x024, 1);
  wr(0x020, 1); /* VERSION_1 */
  wr(0x070, 0xb);
  wr(0x030, 0);
  wr(0x038, QSIZE);
  wr_addr(0x080, (uint64_t)descs);
  wr_addr(0x090, (uint64_t)&av);
  wr_addr(0x0a0, (uint64_t)&us);
  wr(0x044, 1);
  wr(0x070, 0xf);
  mmio_write32(PLIC_BASE + 4 * 1, 1);  /* source 1 (virtio slot 0), priority 1 */
  mmio_write32(PLIC_ENABLE0, 1u << 1);
  csr_set(mie, 1ul << IRQ_M_EXT);
}

/* One request: header, 512 data bytes, status; waits for it in WFI. */
static void request(uint32_t type, uint64_t sector) {
  hdr.type = type;
  hdr.sector = sector;
  descs[0] = (struct desc){(uint64_t)&hdr, sizeof hdr, 1, 1};
  descs[1] = (struct desc){(uint64_t)buf, sizeof buf, (uint16_t)(1 | (type == 0 ? 2 : 0)), 2};
  descs[2] = (struct desc){(uint64_t)&status, 1, 2, 0};
  status = 0xff;
  uint16_t want = (uint16_t)(us.idx + 1);
  av.ring[av.idx % QSIZE] = 0;
  __asm__ volatile("fence w, w" ::: "memory");
  av.idx = (uint16_t)(av.idx + 1);
  __asm__ volatile("fence w, w" ::: "memory");
  wr(0x050, 0);
  while (us.idx != want) __asm__ volatile("wfi" ::: "memory");
  wr(0x064, rd(0x060));                               /* acknowledge the device */
  mmio_write32(PLIC_CLAIM0, mmio_read32(PLIC_CLAIM0));  /* claim and complete */
  CHECK_EQ(status, 0);
}

static void fill(uint64_t round) {
  for (unsigned i = 0; i < sizeof buf; ++i) buf[i] = (uint8_t)(round * 37 + i);
}

static void check(uint64_t round) {
  for (unsigned i = 0; i < sizeof buf; ++i) CHECK_EQ(buf[i], (uint8_t)(round * 37 + i));
}

int main(void) {
  setup();
  for (uint64_t r = 0; r < ROUNDS; ++r) {
    fill(r);
    request(1, 8 * r); /* write */
    for (unsigned i = 0; i < sizeof buf; ++i) buf[i] = 0;
    request(0, 8 * r); /* read back */
    check(r);
    put_str("round ");
    put_dec(r);
    put_str("\n");
  }
  for (uint64_t r = 0; r < ROUNDS; ++r) {
    request(0, 8 * r);
    check(r);
  }
  put_str("THEN-LIVE-DISK-OK\n");
  pass();
  return 0;
}
EOF
"$cc" -nostdlib -nostartfiles -ffreestanding -fno-builtin -march=rv64gc -mabi=lp64d -mcmodel=medany -static -O2 \
  -Wall -Wextra -Werror -I"$rt" -T "$rt/link.ld" -Wl,--no-relax -Wl,--no-warn-rwx-segments -Wl,--build-id=none \
  -o "$tmp/disk_rounds.elf" "$rt/start.S" "$rt/trap.S" "$rt/rt.c" "$tmp/disk_rounds.c" \
  || fail "cannot build the guest program"

# The disk: 1 MiB in nbdkit's memory, every request delayed by one second.
nbdkit -f -U "$tmp/nbd.sock" --filter=delay memory size=1M rdelay=1 wdelay=1 >"$tmp/nbdkit.log" 2>&1 &
pids+=($!)
for _ in $(seq 1 100); do [[ -S $tmp/nbd.sock ]] && break; sleep 0.1; done
[[ -S $tmp/nbd.sock ]] || fail "nbdkit did not start"
vm=(--firmware "$tmp/disk_rounds.elf" --mem 64M --disk "nbd+unix:///?socket=$tmp/nbd.sock")

# 1. Record, stopped in the middle of a round.
mkfifo "$tmp/in"
"$ftvm" run "${vm[@]}" --record "$tmp/run.ftlog" --checkpoint-interval 2000 <"$tmp/in" >"$tmp/record.log" 2>&1 &
rec_pid=$!
pids+=("$rec_pid")
exec {hold}>"$tmp/in"
start=$SECONDS
until grep -q "round 1" "$tmp/record.log"; do
  kill -0 "$rec_pid" 2>/dev/null || fail "the recording run exited early"
  (( SECONDS - start < 120 )) || fail "no 'round 1' from the recorded guest"
  sleep 0.1
done
kill -TERM "$rec_pid"
rc=0
wait "$rec_pid" || rc=$?
[[ $rc -eq 143 ]] || fail "the stopped recording exited with $rc, not 143"
grep -q "THEN-LIVE-DISK-OK" "$tmp/record.log" && fail "the recording was not cut short"
echo "recorded $(stat -c %s "$tmp/run.ftlog") bytes, cut after: $(grep -c '^round' "$tmp/record.log") rounds"

# 2. The muted replay of the cut log: every checkpoint equal.
"$ftvm" replay "$tmp/run.ftlog" "${vm[@]}" >"$tmp/replay.out" 2>"$tmp/replay.err" || fail "muted replay failed"
grep -qE " [1-9][0-9]* checkpoints equal" "$tmp/replay.err" || fail "no checkpoint compared"
grep -q "THEN-LIVE-DISK-OK" "$tmp/replay.out" && fail "the muted replay went past the log"

# 3. Replay, then live on the same disk.
# Bounded by timeout(1) itself: a background `sleep 180` watchdog kept the
# test's output open (and ctest waiting) for its full 180 s after a pass.
timeout -s KILL 180 "$ftvm" replay "$tmp/run.ftlog" "${vm[@]}" --then-live <"$tmp/in" >"$tmp/live.log" 2>"$tmp/live.err" &
live_pid=$!
pids+=("$live_pid")
rc=0
wait "$live_pid" || rc=$?
[[ $rc -eq 0 ]] || fail "replay --then-live exited with $rc"
cat "$tmp/live.log" "$tmp/live.err" >"$tmp/live.all"  # the log lines go to stdout, the summary to stderr
grep -E "going live" "$tmp/live.all" || fail "no go-live message"
grep -qE "re-issuing [1-9][0-9]* device requests" "$tmp/live.all" || fail "no request was in flight at the end of the log"
grep -q "THEN-LIVE-DISK-OK" "$tmp/live.log" || fail "the guest did not finish live"
[[ $(grep -c '^round' "$tmp/live.log") -eq 6 ]] || fail "rounds missing or repeated in the replayed+live console"
echo PASS
