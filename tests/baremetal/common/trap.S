/* Trap entry/exit for M and S, and the privilege switch used by
 * run_in_mode(). Each handler runs on its own stack (found in m/sscratch) so
 * that the interrupted code's sp may be anything, even unmapped. */
#define FRAME_SIZE 272            /* 32 registers + pc, 16-byte aligned */
#define RT_RETURN_MAGIC 0x52455455 /* a7 of the ecall that ends run_in_mode */

.macro SAVE_REGS scratch, epc
  csrrw sp, \scratch, sp
  addi sp, sp, -FRAME_SIZE
  sd x1, 8(sp)
  sd x3, 24(sp)
  sd x4, 32(sp)
  sd x5, 40(sp)
  sd x6, 48(sp)
  sd x7, 56(sp)
  sd x8, 64(sp)
  sd x9, 72(sp)
  sd x10, 80(sp)
  sd x11, 88(sp)
  sd x12, 96(sp)
  sd x13, 104(sp)
  sd x14, 112(sp)
  sd x15, 120(sp)
  sd x16, 128(sp)
  sd x17, 136(sp)
  sd x18, 144(sp)
  sd x19, 152(sp)
  sd x20, 160(sp)
  sd x21, 168(sp)
  sd x22, 176(sp)
  sd x23, 184(sp)
  sd x24, 192(sp)
  sd x25, 200(sp)
  sd x26, 208(sp)
  sd x27, 216(sp)
  sd x28, 224(sp)
  sd x29, 232(sp)
  sd x30, 240(sp)
  sd x31, 248(sp)
  csrr t0, \scratch
  sd t0, 16(sp)
  csrr t0, \epc
  sd t0, 256(sp)
  sd zero, 0(sp)
.endm

.macro RESTORE_REGS scratch, epc
  addi t0, sp, FRAME_SIZE
  csrw \scratch, t0
  ld t0, 256(sp)
  csrw \epc, t0
  ld x1, 8(sp)
  ld x3, 24(sp)
  ld x4, 32(sp)
  ld x5, 40(sp)
  ld x6, 48(sp)
  ld x7, 56(sp)
  ld x8, 64(sp)
  ld x9, 72(sp)
  ld x10, 80(sp)
  ld x11, 88(sp)
  ld x12, 96(sp)
  ld x13, 104(sp)
  ld x14, 112(sp)
  ld x15, 120(sp)
  ld x16, 128(sp)
  ld x17, 136(sp)
  ld x18, 144(sp)
  ld x19, 152(sp)
  ld x20, 160(sp)
  ld x21, 168(sp)
  ld x22, 176(sp)
  ld x23, 184(sp)
  ld x24, 192(sp)
  ld x25, 200(sp)
  ld x26, 208(sp)
  ld x27, 216(sp)
  ld x28, 224(sp)
  ld x29, 232(sp)
  ld x30, 240(sp)
  ld x31, 248(sp)
  ld sp, 16(sp)
.endm

  .text
  .align 6                  /* vectored mode needs 4-byte; tests want room */
  .globl trap_entry_m
trap_entry_m:
  SAVE_REGS mscratch, mepc
  mv a0, sp
  call m_trap_handler
  RESTORE_REGS mscratch, mepc
  mret

  .align 6
  .globl trap_entry_s
trap_entry_s:
  SAVE_REGS sscratch, sepc
  mv a0, sp
  call s_trap_handler
  RESTORE_REGS sscratch, sepc
  sret

/* uint64_t run_in_mode(unsigned mode, lower_fn fn, uint64_t arg) */
  .globl run_in_mode
run_in_mode:
  addi sp, sp, -112
  sd ra, 0(sp)
  sd s0, 8(sp)
  sd s1, 16(sp)
  sd s2, 24(sp)
  sd s3, 32(sp)
  sd s4, 40(sp)
  sd s5, 48(sp)
  sd s6, 56(sp)
  sd s7, 64(sp)
  sd s8, 72(sp)
  sd s9, 80(sp)
  sd s10, 88(sp)
  sd s11, 96(sp)
  la t0, m_saved_sp
  sd sp, 0(t0)
  /* Keep the caller's MIE for the way back (see m_trap_handler), and enter
   * the lower mode with MPIE = 0 so its MIE starts clear. */
  csrr t1, mstatus
  andi t1, t1, 8
  la t0, m_saved_mie
  sd t1, 0(t0)
  li t0, (1 << 7)
  csrc mstatus, t0
  li t0, (3 << 11)
  csrc mstatus, t0
  slli t1, a0, 11
  csrs mstatus, t1
  csrw mepc, a1
  la ra, lower_return_s
  bnez a0, 1f
  la ra, lower_return_u
1:
  mv a0, a2
  mret

  .globl resume_m
resume_m:                   /* reached by mret from m_trap_handler, a0 = result */
  la t0, m_saved_sp
  ld sp, 0(t0)
  la t0, __strap_stack_top  /* an abandoned S handler may have left sscratch */
  csrw sscratch, t0
  ld ra, 0(sp)
  ld s0, 8(sp)
  ld s1, 16(sp)
  ld s2, 24(sp)
  ld s3, 32(sp)
  ld s4, 40(sp)
  ld s5, 48(sp)
  ld s6, 56(sp)
  ld s7, 64(sp)
  ld s8, 72(sp)
  ld s9, 80(sp)
  ld s10, 88(sp)
  ld s11, 96(sp)
  addi sp, sp, 112
  ret

  .globl lower_return_s
lower_return_s:
  li a7, RT_RETURN_MAGIC
  ecall
1: j 1b

/* void forward_return(uint64_t result): from S, ends run_in_mode. */
  .globl forward_return
forward_return:
  li a7, RT_RETURN_MAGIC
  ecall
1: j 1b

/* U-mode code may have to run this under paging, so it lives with user text. */
  .section .user_text, "ax"
  .globl lower_return_u
lower_return_u:
  li a7, RT_RETURN_MAGIC
  ecall
1: j 1b

  .bss
  .align 3
m_saved_sp: .dword 0
  .globl m_saved_mie
m_saved_mie: .dword 0
