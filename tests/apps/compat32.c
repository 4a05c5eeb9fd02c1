/* SPDX-License-Identifier: GPL-2.0 */
/*
 * compat32 MODE: the 32-bit ways into a kernel, from a 64-bit program.
 * Prints "compat32 MODE: at 0xADDR" (the instruction that tries it) and
 * then:
 *   sysenter  SYSENTER: #UD in long mode on AMD; on Intel it enters the
 *             kernel at SYSENTER_EIP (the co-kernel: #GP, SYSENTER_CS 0)
 *   int80     int $0x80 with eax 20 (i386 getpid): Linux serves it (with
 *             IA32_EMULATION) and this prints "compat32 int80: returned";
 *             the co-kernel serves no 32-bit calls (#GP, SIGSEGV)
 *   ljmp23    far jump to selector 0x23, Linux's 32-bit user code
 *             segment: on Linux the 32-bit code exits 7 with int $0x80
 *   ljmp1b    far jump to selector 0x1b: on Linux a ring-0 data segment,
 *             #GP; on the co-kernel no segment at all (it had a 32-bit
 *             user code segment there), #GP at the same instruction
 */
#include <stdio.h>
#include <string.h>

void do_sysenter(void);
void do_int80(void);
void do_ljmp23(void);
void do_ljmp1b(void);
extern char at_sysenter[], at_int80[], at_ljmp23[], at_ljmp1b[];

__asm__(".text\n"
	".globl do_sysenter, at_sysenter\n"
	"do_sysenter:\n"
	"	movl $20, %eax\n"
	"at_sysenter:\n"
	"	sysenter\n"
	"	ret\n"
	".globl do_int80, at_int80\n"
	"do_int80:\n"
	"	pushq %rbx\n"
	"	movl $20, %eax\n"
	"at_int80:\n"
	"	int $0x80\n"
	"	popq %rbx\n"
	"	ret\n"
	".globl do_ljmp23, at_ljmp23\n"
	"do_ljmp23:\n"
	"at_ljmp23:\n"
	"	ljmpl *far23(%rip)\n"
	".globl do_ljmp1b, at_ljmp1b\n"
	"do_ljmp1b:\n"
	"at_ljmp1b:\n"
	"	ljmpl *far1b(%rip)\n"
	".code32\n"
	"code32:\n"
	"	movl $1, %eax\n"	/* i386 exit(7) */
	"	movl $7, %ebx\n"
	"	int $0x80\n"
	"	hlt\n"
	".code64\n"
	".data\n"
	"far23:	.long code32\n"
	"	.word 0x23\n"
	"far1b:	.long code32\n"
	"	.word 0x1b\n"
	".text\n");

int main(int argc, char **argv)
{
	static const struct {
		const char *name;
		void (*fn)(void);
		const char *at;
	} modes[] = {
		{ "sysenter", do_sysenter, at_sysenter },
		{ "int80", do_int80, at_int80 },
		{ "ljmp23", do_ljmp23, at_ljmp23 },
		{ "ljmp1b", do_ljmp1b, at_ljmp1b },
	};
	unsigned int i;

	for (i = 0; argc > 1 && i < sizeof(modes) / sizeof(modes[0]); i++) {
		if (strcmp(argv[1], modes[i].name))
			continue;
		printf("compat32 %s: at %#lx\n", modes[i].name,
		       (unsigned long)modes[i].at);
		fflush(stdout);
		modes[i].fn();
		printf("compat32 %s: returned\n", modes[i].name);
		return 0;
	}
	fprintf(stderr, "usage: compat32 sysenter|int80|ljmp23|ljmp1b\n");
	return 2;
}
