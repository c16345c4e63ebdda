/* A hostile virtio-blk driver. It hands the device descriptors that point
 * outside RAM, a descriptor chain that loops, a length that wraps the address
 * space and a descriptor table placed in MMIO space, and checks that the
 * device answers each with an I/O-error status or DEVICE_NEEDS_RESET -- and
 * that after a reset it works again. Reaching PASS also proves the VMM
 * survived every case. Run with `ftvm baremetal --virtio-blk BYTES`. */
#include "rt.h"

#define VIRTIO 0x10001000ul
#define R(off) (VIRTIO + (off))
enum {
  MAGIC = 0x000, VERSION = 0x004, DEVICE_ID = 0x008, DEV_FEATURES = 0x010, DEV_FEATURES_SEL = 0x014,
  DRV_FEATURES = 0x020, DRV_FEATURES_SEL = 0x024, QUEUE_SEL = 0x030, QUEUE_NUM_MAX = 0x034,
  QUEUE_NUM = 0x038, QUEUE_READY = 0x044, QUEUE_NOTIFY = 0x050, INT_STATUS = 0x060, INT_ACK = 0x064,
  STATUS = 0x070, DESC_LO = 0x080, DESC_HI = 0x084, AVAIL_LO = 0x090, AVAIL_HI = 0x094,
  USED_LO = 0x0a0, USED_HI = 0x0a4,
};
enum { S_ACK = 1, S_DRIVER = 2, S_DRIVER_OK = 4, S_FEATURES_OK = 8, S_NEEDS_RESET = 0x40 };
enum { F_NEXT = 1, F_WRITE = 2 };
#define QSIZE 8

struct desc { uint64_t addr; uint32_t len; uint16_t flags, next; };
struct avail { uint16_t flags, idx, ring[QSIZE], used_event; };
struct used_elem { uint32_t id, len; };
struct used { uint16_t flags, idx; struct used_elem ring[QSIZE]; uint16_t avail_event; };
struct req_header { uint32_t type, reserved; uint64_t sector; };

static struct desc descs[QSIZE] __attribute__((aligned(16)));
static struct avail av __attribute__((aligned(2)));
static struct used us __attribute__((aligned(4)));
static struct req_header hdr;
static uint8_t data[512];
static volatile uint8_t status_byte;

static uint32_t rd(unsigned off) { return mmio_read32(R(off)); }
static void wr(unsigned off, uint32_t v) { mmio_write32(R(off), v); }
static void set_addr(unsigned lo, uint64_t a) { wr(lo, (uint32_t)a); wr(lo + 4, (uint32_t)(a >> 32)); }

/* Full driver initialisation with the queue at `desc_table`. */
static void init_device(uint64_t desc_table) {
  wr(STATUS, 0);
  CHECK_EQ(rd(STATUS), 0);
  wr(STATUS, S_ACK);
  wr(STATUS, S_ACK | S_DRIVER);
  wr(DEV_FEATURES_SEL, 1);
  CHECK(rd(DEV_FEATURES) & 1); /* VIRTIO_F_VERSION_1 */
  wr(DRV_FEATURES_SEL, 0);
  wr(DRV_FEATURES, 0);
  wr(DRV_FEATURES_SEL, 1);
  wr(DRV_FEATURES, 1);
  wr(STATUS, S_ACK | S_DRIVER | S_FEATURES_OK);
  CHECK(rd(STATUS) & S_FEATURES_OK);
  wr(QUEUE_SEL, 0);
  CHECK(rd(QUEUE_NUM_MAX) >= QSIZE);
  wr(QUEUE_NUM, QSIZE);
  for (unsigned i = 0; i < sizeof av; ++i) ((volatile uint8_t*)&av)[i] = 0;
  for (unsigned i = 0; i < sizeof us; ++i) ((volatile uint8_t*)&us)[i] = 0;
  set_addr(DESC_LO, desc_table);
  set_addr(AVAIL_LO, (uint64_t)&av);
  set_addr(USED_LO, (uint64_t)&us);
  wr(QUEUE_READY, 1);
  wr(STATUS, S_ACK | S_DRIVER | S_FEATURES_OK | S_DRIVER_OK);
}

static void submit(uint16_t head) {
  av.ring[av.idx % QSIZE] = head;
  __asm__ volatile("fence w, w" ::: "memory");
  av.idx = av.idx + 1;
  __asm__ volatile("fence w, w" ::: "memory");
  wr(QUEUE_NOTIFY, 0);
}

/* header -> data -> status, with the header at `hdr_addr` and data length `len`. */
static void three_part_request(uint64_t hdr_addr, uint64_t data_addr, uint32_t len) {
  descs[0] = (struct desc){hdr_addr, sizeof hdr, F_NEXT, 1};
  descs[1] = (struct desc){data_addr, len, F_NEXT | F_WRITE, 2};
  descs[2] = (struct desc){(uint64_t)&status_byte, 1, F_WRITE, 0};
  status_byte = 0xff;
  hdr.type = 0; /* VIRTIO_BLK_T_IN */
  hdr.sector = 0;
  submit(0);
}

int main(void) {
  CHECK_EQ(rd(MAGIC), 0x74726976);
  CHECK_EQ(rd(VERSION), 2);
  CHECK_EQ(rd(DEVICE_ID), 2); /* block */

  /* 1. The request header lies outside RAM: an I/O error, politely. */
  init_device((uint64_t)descs);
  three_part_request(0xf0000000ul, (uint64_t)data, sizeof data);
  CHECK_EQ(us.idx, 1);
  CHECK_EQ(status_byte, 1); /* VIRTIO_BLK_S_IOERR */

  /* 2. A data buffer whose length wraps the address space. */
  three_part_request((uint64_t)&hdr, (uint64_t)data, 0xfffffff0u);
  CHECK((us.idx == 2 && status_byte == 1) || (rd(STATUS) & S_NEEDS_RESET));

  /* 3. A chain that loops forever: the device gives up on the queue. */
  init_device((uint64_t)descs);
  descs[0] = (struct desc){(uint64_t)&hdr, sizeof hdr, F_NEXT, 1};
  descs[1] = (struct desc){(uint64_t)data, sizeof data, F_NEXT | F_WRITE, 0};
  submit(0);
  CHECK(rd(STATUS) & S_NEEDS_RESET);
  CHECK(rd(INT_STATUS) & 2); /* configuration change interrupt */
  wr(INT_ACK, 3);

  /* 4. After a reset the device works: GET_ID into a good buffer. */
  init_device((uint64_t)descs);
  CHECK(!(rd(STATUS) & S_NEEDS_RESET));
  hdr.type = 8; /* VIRTIO_BLK_T_GET_ID */
  descs[0] = (struct desc){(uint64_t)&hdr, sizeof hdr, F_NEXT, 1};
  descs[1] = (struct desc){(uint64_t)data, 20, F_NEXT | F_WRITE, 2};
  descs[2] = (struct desc){(uint64_t)&status_byte, 1, F_WRITE, 0};
  status_byte = 0xff;
  submit(0);
  CHECK_EQ(us.idx, 1);
  CHECK_EQ(status_byte, 0);

  /* 5. The descriptor table itself in MMIO space (the UART). */
  init_device(0x10000000ul);
  submit(0);
  CHECK(rd(STATUS) & S_NEEDS_RESET);

  /* 6. A head index beyond the queue size. */
  init_device((uint64_t)descs);
  submit(QSIZE + 3);
  CHECK(rd(STATUS) & S_NEEDS_RESET);

  put_str("hostile virtio driver: every case refused cleanly\n");
  pass();
  return 0;
}
