/* Sv39 and Sv48 translation: 4 KiB, 2 MiB and 1 GiB leaves, misaligned
 * superpages, invalid and reserved PTEs, R/W/X/U permission faults, SUM and
 * MXR, MPRV with MPP = S, hardware A/D updates, sfence.vma after a PTE
 * change, satp mode switching (Bare, Sv39, Sv48, unsupported modes), and
 * page faults delegated to S.
 *
 * Layout: RAM's first 2 MiB (the program) is identity-mapped with 4 KiB
 * pages (user sections get U), the rest of its GiB with 2 MiB pages, and the
 * device GiB at 0 with one 1 GiB page, so S-mode code runs unchanged.
 * Experiments happen at VA 0x40000000 (4 KiB pages) and nearby. */
#include "rt.h"

#define PTE_V 0x001ul
#define PTE_R 0x002ul
#define PTE_W 0x004ul
#define PTE_X 0x008ul
#define PTE_U 0x010ul
#define PTE_A 0x040ul
#define PTE_D 0x080ul
#define PTE_AD (PTE_A | PTE_D)
#define LEAF(pa, flags) ((((uint64_t)(pa)) >> 12) << 10 | PTE_V | (flags))
#define TABLE(pa) ((((uint64_t)(pa)) >> 12) << 10 | PTE_V)
#define SATP_SV39 (8ul << 60)
#define SATP_SV48 (9ul << 60)

#define TEST_VA 0x40000000ul       /* l0_test[k] maps TEST_VA + k * 4 KiB */
#define MEGA_VA 0x40200000ul       /* l1_test[1] */
#define BAD_MEGA_VA 0x40400000ul   /* l1_test[2]: misaligned 2 MiB leaf */
#define GIGA_VA 0xc0000000ul       /* root[3] -> PA 0x80000000 */
#define BAD_GIGA_VA 0x100000000ul  /* root[4]: misaligned 1 GiB leaf */
#define MEGA_PA 0x80400000ul       /* free RAM for the 2 MiB page */

typedef uint64_t page_table[512] __attribute__((aligned(4096)));
static page_table root, l1_ram, l0_ram, l1_test, l0_test, root48;
static uint8_t page_a[4096] __attribute__((aligned(4096)));
static uint8_t page_b[4096] __attribute__((aligned(4096)));
static uint8_t page_code[4096] __attribute__((aligned(4096)));
static uint64_t user_data_word __attribute__((section(".user_data"))) = 0x5555aaaa5555aaaaul;

static uint64_t sv39(void) { return SATP_SV39 | ((uint64_t)root >> 12); }

static uint64_t ram_page_flags(uint64_t pa) {
  if (pa >= (uint64_t)__user_text_start && pa < (uint64_t)__user_text_end) return PTE_R | PTE_X | PTE_U | PTE_A;
  if (pa >= (uint64_t)__user_data_start && pa < (uint64_t)__user_data_end) return PTE_R | PTE_W | PTE_U | PTE_AD;
  return PTE_R | PTE_W | PTE_X | PTE_AD;
}

static void build_tables(void) {
  CHECK((uint64_t)__image_end <= 0x80200000ul);  /* the 4 KiB-mapped part */
  root[0] = LEAF(0, PTE_R | PTE_W | PTE_AD);   /* devices: one 1 GiB page */
  root[1] = TABLE(l1_test);
  root[2] = TABLE(l1_ram);
  root[3] = LEAF(0x80000000ul, PTE_R | PTE_AD);
  root[4] = LEAF(0x80200000ul, PTE_R | PTE_AD);  /* PPN[1] != 0: misaligned */
  l1_ram[0] = TABLE(l0_ram);
  for (uint64_t i = 1; i < 512; i++) l1_ram[i] = LEAF(0x80000000ul + (i << 21), PTE_R | PTE_W | PTE_X | PTE_AD);
  for (uint64_t j = 0; j < 512; j++) {
    uint64_t pa = 0x80000000ul + (j << 12);
    l0_ram[j] = LEAF(pa, ram_page_flags(pa));
  }
  l1_test[0] = TABLE(l0_test);
  l1_test[1] = LEAF(MEGA_PA, PTE_R | PTE_W | PTE_AD);
  l1_test[2] = LEAF(MEGA_PA + 0x1000, PTE_R | PTE_AD);  /* PPN[0] != 0: misaligned */
  root48[0] = TABLE(root);  /* Sv48: the first 512 GiB look exactly like Sv39 */
}

static void set_test_pte(unsigned k, uint64_t pte) {
  l0_test[k] = pte;
  __asm__ volatile("sfence.vma" ::: "memory");
}

/* --- code run in S (identity-mapped, so it is ordinary code) --- */
static volatile uint64_t store_value;
static uint64_t s_load(uint64_t va) { return *(volatile uint64_t*)va; }
static uint64_t s_store(uint64_t va) { *(volatile uint64_t*)va = store_value; return 0; }
static uint64_t s_amoadd(uint64_t va) {
  uint64_t old;
  __asm__ volatile("amoadd.d %0, %2, (%1)" : "=r"(old) : "r"(va), "r"(1ul) : "memory");
  return old;
}
static uint64_t s_call(uint64_t va) { return ((uint64_t(*)(void))va)(); }
static uint64_t s_sfence_load(uint64_t va) {
  __asm__ volatile("sfence.vma" ::: "memory");
  return *(volatile uint64_t*)va;
}
static uint64_t s_switch_to_sv39_and_load(uint64_t va) {
  csr_write(satp, sv39());
  __asm__ volatile("sfence.vma" ::: "memory");
  uint64_t v = *(volatile uint64_t*)va;
  csr_write(satp, 0);  /* back to Bare */
  __asm__ volatile("sfence.vma" ::: "memory");
  return v;
}

/* --- code run in U: lives in U pages and uses no stack --- */
__attribute__((section(".user_text"), noinline)) static uint64_t u_load(uint64_t va) {
  return *(volatile uint64_t*)va;
}
__attribute__((section(".user_text"), noinline)) static uint64_t u_call(uint64_t va) {
  return ((uint64_t(*)(void))va)();
}

/* Runs fn(arg) in mode and checks the single page fault it must take in M. */
static void expect_fault(int line, unsigned mode, lower_fn fn, uint64_t arg, uint64_t cause, uint64_t tval) {
  extern char lower_return_s[], lower_return_u[];
  expect_trap();
  if (fn == s_call || fn == u_call)  /* a failed fetch has nowhere to resume but the exit */
    m_expect.resume = (uint64_t)(mode == PRV_U ? lower_return_u : lower_return_s);
  run_in_mode(mode, fn, arg);
  if (m_expect.rec.count != 1 || m_expect.rec.cause != cause || m_expect.rec.tval != tval) {
    put_str("  count ");
    put_dec(m_expect.rec.count);
    put_str(" cause ");
    put_hex(m_expect.rec.cause);
    put_str(" tval ");
    put_hex(m_expect.rec.tval);
    put_char('\n');
    fail_at(__FILE__, line, "expected page fault");
  }
}

static void test_leaf_sizes(void) {
  csr_write(satp, sv39());
  __asm__ volatile("sfence.vma" ::: "memory");
  /* 4 KiB */
  *(volatile uint64_t*)(page_a + 8) = 0x1111222233334444ul;
  set_test_pte(0, LEAF(page_a, PTE_R | PTE_W | PTE_AD));
  CHECK_EQ(run_in_mode(PRV_S, s_load, TEST_VA + 8), 0x1111222233334444ul);
  store_value = 0xabcdef;
  run_in_mode(PRV_S, s_store, TEST_VA + 16);
  CHECK_EQ(*(volatile uint64_t*)(page_a + 16), 0xabcdef);
  /* 2 MiB: the offset within the megapage carries 21 bits */
  *(volatile uint64_t*)(MEGA_PA + 0x1ff008) = 0x2222;
  CHECK_EQ(run_in_mode(PRV_S, s_load, MEGA_VA + 0x1ff008), 0x2222);
  /* 1 GiB: VA 0xc0000000 + x is PA 0x80000000 + x */
  CHECK_EQ(run_in_mode(PRV_S, s_load, GIGA_VA + ((uint64_t)page_a - 0x80000000ul) + 8), 0x1111222233334444ul);
  /* misaligned superpages */
  expect_fault(__LINE__, PRV_S, s_load, BAD_MEGA_VA, CAUSE_LOAD_PAGE_FAULT, BAD_MEGA_VA);
  expect_fault(__LINE__, PRV_S, s_load, BAD_GIGA_VA + 0x40, CAUSE_LOAD_PAGE_FAULT, BAD_GIGA_VA + 0x40);
  /* not sign-extended from bit 38 */
  expect_fault(__LINE__, PRV_S, s_load, 0x0000008000000000ul, CAUSE_LOAD_PAGE_FAULT, 0x0000008000000000ul);
  /* invalid, reserved W-without-R, and a pointer at the last level */
  set_test_pte(1, 0);
  expect_fault(__LINE__, PRV_S, s_load, TEST_VA + 0x1000, CAUSE_LOAD_PAGE_FAULT, TEST_VA + 0x1000);
  set_test_pte(2, LEAF(page_a, PTE_W | PTE_AD));
  expect_fault(__LINE__, PRV_S, s_load, TEST_VA + 0x2000, CAUSE_LOAD_PAGE_FAULT, TEST_VA + 0x2000);
  set_test_pte(3, TABLE(page_a));
  expect_fault(__LINE__, PRV_S, s_load, TEST_VA + 0x3000, CAUSE_LOAD_PAGE_FAULT, TEST_VA + 0x3000);
  expect_fault(__LINE__, PRV_S, s_store, TEST_VA + 0x3008, CAUSE_STORE_PAGE_FAULT, TEST_VA + 0x3008);
}

static void test_permissions(void) {
  /* page_code: li a0, 0x5a; ret */
  *(volatile uint32_t*)(page_code + 0) = 0x05a00513;
  *(volatile uint32_t*)(page_code + 4) = 0x00008067;
  *(volatile uint64_t*)(page_code + 8) = 0x77;
  __asm__ volatile("fence.i" ::: "memory");
  set_test_pte(4, LEAF(page_code, PTE_R | PTE_X | PTE_A));
  CHECK_EQ(run_in_mode(PRV_S, s_call, TEST_VA + 0x4000), 0x5a);
  /* read-only: store faults */
  set_test_pte(5, LEAF(page_a, PTE_R | PTE_A));
  expect_fault(__LINE__, PRV_S, s_store, TEST_VA + 0x5010, CAUSE_STORE_PAGE_FAULT, TEST_VA + 0x5010);
  /* an AMO needs W as well */
  expect_fault(__LINE__, PRV_S, s_amoadd, TEST_VA + 0x5018, CAUSE_STORE_PAGE_FAULT, TEST_VA + 0x5018);
  *(volatile uint64_t*)(page_a + 0x30) = 5;
  set_test_pte(0, LEAF(page_a, PTE_R | PTE_W | PTE_AD));
  CHECK_EQ(run_in_mode(PRV_S, s_amoadd, TEST_VA + 0x30), 5);
  CHECK_EQ(*(volatile uint64_t*)(page_a + 0x30), 6);
  /* no X: fetch faults, tval = the target */
  set_test_pte(6, LEAF(page_code, PTE_R | PTE_W | PTE_AD));
  expect_fault(__LINE__, PRV_S, s_call, TEST_VA + 0x6000, CAUSE_FETCH_PAGE_FAULT, TEST_VA + 0x6000);
  /* execute-only: loads fault unless MXR */
  set_test_pte(7, LEAF(page_code, PTE_X | PTE_A));
  CHECK_EQ(run_in_mode(PRV_S, s_call, TEST_VA + 0x7000), 0x5a);
  expect_fault(__LINE__, PRV_S, s_load, TEST_VA + 0x7008, CAUSE_LOAD_PAGE_FAULT, TEST_VA + 0x7008);
  csr_set(mstatus, MSTATUS_MXR);
  CHECK_EQ(run_in_mode(PRV_S, s_load, TEST_VA + 0x7008), 0x77);
  csr_clear(mstatus, MSTATUS_MXR);
  /* U pages: S needs SUM for data and may never execute them */
  set_test_pte(8, LEAF(page_code, PTE_R | PTE_W | PTE_X | PTE_U | PTE_AD));
  expect_fault(__LINE__, PRV_S, s_load, TEST_VA + 0x8008, CAUSE_LOAD_PAGE_FAULT, TEST_VA + 0x8008);
  expect_fault(__LINE__, PRV_S, s_store, TEST_VA + 0x8100, CAUSE_STORE_PAGE_FAULT, TEST_VA + 0x8100);
  csr_set(mstatus, MSTATUS_SUM);
  CHECK_EQ(run_in_mode(PRV_S, s_load, TEST_VA + 0x8008), 0x77);
  store_value = 0x99;
  run_in_mode(PRV_S, s_store, TEST_VA + 0x8100);
  CHECK_EQ(*(volatile uint64_t*)(page_code + 0x100), 0x99);
  expect_fault(__LINE__, PRV_S, s_call, TEST_VA + 0x8000, CAUSE_FETCH_PAGE_FAULT, TEST_VA + 0x8000);
  csr_clear(mstatus, MSTATUS_SUM);
  /* U: its own pages work, supervisor pages fault */
  CHECK_EQ(run_in_mode(PRV_U, u_load, TEST_VA + 0x8008), 0x77);
  CHECK_EQ(run_in_mode(PRV_U, u_call, TEST_VA + 0x8000), 0x5a);
  CHECK_EQ(run_in_mode(PRV_U, u_load, (uint64_t)&user_data_word), 0x5555aaaa5555aaaaul);
  expect_fault(__LINE__, PRV_U, u_load, TEST_VA + 0x4008, CAUSE_LOAD_PAGE_FAULT, TEST_VA + 0x4008);
  expect_fault(__LINE__, PRV_U, u_call, TEST_VA + 0x4000, CAUSE_FETCH_PAGE_FAULT, TEST_VA + 0x4000);
  expect_fault(__LINE__, PRV_U, u_load, (uint64_t)page_a, CAUSE_LOAD_PAGE_FAULT, (uint64_t)page_a);
  /* MXR does not lift the U check */
  csr_set(mstatus, MSTATUS_MXR);
  expect_fault(__LINE__, PRV_U, u_load, TEST_VA + 0x7008, CAUSE_LOAD_PAGE_FAULT, TEST_VA + 0x7008);
  csr_clear(mstatus, MSTATUS_MXR);
}

static void test_accessed_dirty(void) {
  set_test_pte(9, LEAF(page_b, PTE_R | PTE_W));
  run_in_mode(PRV_S, s_load, TEST_VA + 0x9000);
  CHECK_EQ(l0_test[9] & PTE_AD, PTE_A);
  store_value = 1;
  run_in_mode(PRV_S, s_store, TEST_VA + 0x9000);
  CHECK_EQ(l0_test[9] & PTE_AD, PTE_AD);
  /* a store to a clean page also sets A */
  set_test_pte(10, LEAF(page_b, PTE_R | PTE_W));
  run_in_mode(PRV_S, s_store, TEST_VA + 0xa000);
  CHECK_EQ(l0_test[10] & PTE_AD, PTE_AD);
  /* a fetch sets A only */
  set_test_pte(11, LEAF(page_code, PTE_X | PTE_R));
  CHECK_EQ(run_in_mode(PRV_S, s_call, TEST_VA + 0xb000), 0x5a);
  CHECK_EQ(l0_test[11] & PTE_AD, PTE_A);
}

static void test_sfence(void) {
  *(volatile uint64_t*)page_a = 0xaaaa;
  *(volatile uint64_t*)page_b = 0xbbbb;
  set_test_pte(12, LEAF(page_a, PTE_R | PTE_AD));
  CHECK_EQ(run_in_mode(PRV_S, s_load, TEST_VA + 0xc000), 0xaaaa);
  l0_test[12] = LEAF(page_b, PTE_R | PTE_AD);  /* no fence in M */
  CHECK_EQ(run_in_mode(PRV_S, s_sfence_load, TEST_VA + 0xc000), 0xbbbb);
  l0_test[12] = 0;
  __asm__ volatile("sfence.vma zero, %0" :: "r"(0ul) : "memory");  /* ASID-specific form */
  expect_fault(__LINE__, PRV_S, s_sfence_load, TEST_VA + 0xc000, CAUSE_LOAD_PAGE_FAULT, TEST_VA + 0xc000);
}

static void test_mprv(void) {
  /* M with MPRV = 1 and MPP = S: loads and stores translate like S */
  *(volatile uint64_t*)(page_a + 0x20) = 0x4242;
  set_test_pte(13, LEAF(page_a, PTE_R | PTE_W | PTE_AD));
  uint64_t v, mode = MSTATUS_MPP_S | MSTATUS_MPRV;
  __asm__ volatile("csrc mstatus, %2\ncsrs mstatus, %3\nld %0, 0(%1)\ncsrc mstatus, %3"
                   : "=&r"(v) : "r"(TEST_VA + 0xd020), "r"(MSTATUS_MPP), "r"(mode) : "memory");
  CHECK_EQ(v, 0x4242);
  __asm__ volatile("csrc mstatus, %1\ncsrs mstatus, %2\nsd %3, 8(%0)\ncsrc mstatus, %2"
                   :: "r"(TEST_VA + 0xd020), "r"(MSTATUS_MPP), "r"(mode), "r"(0x4343ul) : "memory");
  CHECK_EQ(*(volatile uint64_t*)(page_a + 0x28), 0x4343);
  /* a fault under MPRV is a page fault taken in M, with the virtual address */
  set_test_pte(14, 0);
  expect_trap();
  __asm__ volatile("csrc mstatus, %2\ncsrs mstatus, %3\nld %0, 0(%1)\ncsrc mstatus, %3"
                   : "=&r"(v) : "r"(TEST_VA + 0xe000), "r"(MSTATUS_MPP), "r"(mode) : "memory");
  csr_clear(mstatus, MSTATUS_MPRV);
  CHECK_EQ(m_expect.rec.cause, CAUSE_LOAD_PAGE_FAULT);
  CHECK_EQ(m_expect.rec.tval, TEST_VA + 0xe000);
  /* instruction fetches in M are never translated: we are still running */
}

static void test_satp_modes(void) {
  csr_write(satp, sv39());
  CHECK_EQ(csr_read(satp), sv39());
  /* an unsupported mode leaves satp unchanged */
  csr_write(satp, (1ul << 60) | 5);
  CHECK_EQ(csr_read(satp), sv39());
  /* Sv48 */
  uint64_t sv48 = SATP_SV48 | ((uint64_t)root48 >> 12);
  csr_write(satp, sv48);
  CHECK_EQ(csr_read(satp), sv48);
  __asm__ volatile("sfence.vma" ::: "memory");
  CHECK_EQ(run_in_mode(PRV_S, s_load, TEST_VA + 0xd020), 0x4242);
  /* 0x8000000000 is a valid Sv48 address (VPN[3] = 1), unmapped here */
  expect_fault(__LINE__, PRV_S, s_load, 0x0000008000000000ul, CAUSE_LOAD_PAGE_FAULT, 0x0000008000000000ul);
  /* Bare: physical addresses, then S switches to Sv39 itself */
  csr_write(satp, 0);
  __asm__ volatile("sfence.vma" ::: "memory");
  CHECK_EQ(run_in_mode(PRV_S, s_load, (uint64_t)page_a + 0x20), 0x4242);
  CHECK_EQ(run_in_mode(PRV_S, s_switch_to_sv39_and_load, TEST_VA + 0xd020), 0x4242);
  CHECK_EQ(csr_read(satp), 0);
}

static void test_delegated_page_faults(void) {
  install_s_trap_vector();
  csr_write(satp, sv39());
  __asm__ volatile("sfence.vma" ::: "memory");
  csr_write(medeleg, (1u << CAUSE_LOAD_PAGE_FAULT) | (1u << CAUSE_STORE_PAGE_FAULT) |
                         (1u << CAUSE_FETCH_PAGE_FAULT));
  set_test_pte(15, 0);
  arm_trap(&s_expect);
  run_in_mode(PRV_S, s_store, TEST_VA + 0xf008);
  CHECK_EQ(s_expect.rec.count, 1);
  CHECK_EQ(s_expect.rec.cause, CAUSE_STORE_PAGE_FAULT);
  CHECK_EQ(s_expect.rec.tval, TEST_VA + 0xf008);
  arm_trap(&s_expect);
  run_in_mode(PRV_U, u_load, TEST_VA + 0xf010);
  CHECK_EQ(s_expect.rec.cause, CAUSE_LOAD_PAGE_FAULT);
  CHECK_EQ(s_expect.rec.tval, TEST_VA + 0xf010);
  CHECK_EQ(s_expect.rec.prev_mode, 0);
  csr_write(medeleg, 0);
  csr_write(satp, 0);
  __asm__ volatile("sfence.vma" ::: "memory");
}

int main(void) {
  build_tables();
  test_leaf_sizes();
  test_permissions();
  test_accessed_dirty();
  test_sfence();
  test_mprv();
  test_satp_modes();
  test_delegated_page_faults();
  return 0;
}
