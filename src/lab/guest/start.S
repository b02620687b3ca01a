/*
 * Migration Lab's lab guest, entry: a multiboot (v1) kernel that QEMU's `-kernel` loads and
 * starts in 32-bit protected mode with flat segments, paging off and interrupts masked
 * (Multiboot Specification 0.6.96, section 3.2 "Machine state"). This file holds what C cannot:
 * the multiboot header, the stack, the interrupt table and the timer interrupt's handler.
 */
        .section .multiboot, "a"
        .align 4
        .long 0x1BADB002                /* magic */
        .long 0x00000000                /* flags: an ELF image, nothing asked of the loader */
        .long -0x1BADB002               /* checksum: magic + flags + checksum = 0 */

        .section .text
        .globl _start
_start:
        cli
        movl $stack_top, %esp
        call fill_idt
        lidt idt_descriptor
        call guest_main
1:      hlt
        jmp 1b

/*
 * Every vector of the first 16 lands here. Only IRQ 0 (the PIT, vector 8 as SeaBIOS left the
 * PIC) is unmasked, and the guest raises no exceptions, so the handler counts a timer tick and
 * acknowledges the PIC.
 */
        .globl timer_ticks
timer_isr:
        pushl %eax
        incl timer_ticks
        movb $0x20, %al
        outb %al, $0x20                 /* non-specific end of interrupt, master PIC */
        popl %eax
        iret

        .section .data
        .align 8
timer_ticks:
        .long 0
idt_descriptor:
        .word 16 * 8 - 1
        .long idt

/* Sixteen 32-bit interrupt gates (selector 0x10, the loader's flat code segment), filled
 * by fill_idt at start-up because an ISR's address cannot be split at assembly time. */
        .align 8
        .globl idt
idt:
        .fill 16, 8, 0

        .section .text
        .globl fill_idt
fill_idt:
        movl %cs, %ecx
        movl $idt, %edx
        movl $16, %eax
2:      movl $timer_isr, %ebx
        movw %bx, 0(%edx)               /* offset 15..0 */
        movw %cx, 2(%edx)               /* code segment selector */
        movw $0x8E00, 4(%edx)           /* present, ring 0, 32-bit interrupt gate */
        shrl $16, %ebx
        movw %bx, 6(%edx)               /* offset 31..16 */
        addl $8, %edx
        decl %eax
        jnz 2b
        ret

        .section .bss
        .align 16
        .space 16384
stack_top:

        .section .note.GNU-stack, "", @progbits
