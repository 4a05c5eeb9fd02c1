/* SPDX-License-Identifier: GPL-2.0 */
/*
 * fpu_check: what the FPU holds at the program's first instruction.
 * Linked with -e fpu_entry: the assembly entry below stores XMM0-15 (and
 * the upper halves of YMM0-15 when AVX is usable), MXCSR and the x87
 * control and tag words before libc's _start runs, touching no stack and
 * no register _start reads, then jumps to _start.  main prints what it
 * saw; a new Linux program sees every register zero, MXCSR 0x1f80, FCW
 * 0x037f and an empty x87 stack.  Exit 0 when that is what it saw, 1 if not.
 */
#include <stdio.h>

unsigned char fpu_xmm[16][16];
unsigned char fpu_yhi[16][16];
unsigned int fpu_mxcsr;
unsigned short fpu_fcw;
unsigned char fpu_fxsave[512] __attribute__((aligned(16)));
unsigned char fpu_avx;
unsigned long fpu_saved[4];

#define XMM_SAVE(n) "movdqu %xmm" #n ", fpu_xmm+16*" #n "(%rip)\n"
#define YHI_SAVE(n) "vextractf128 $1, %ymm" #n ", fpu_yhi+16*" #n "(%rip)\n"

__asm__(".text\n"
	".globl fpu_entry\n"
	"fpu_entry:\n"
	XMM_SAVE(0) XMM_SAVE(1) XMM_SAVE(2) XMM_SAVE(3)
	XMM_SAVE(4) XMM_SAVE(5) XMM_SAVE(6) XMM_SAVE(7)
	XMM_SAVE(8) XMM_SAVE(9) XMM_SAVE(10) XMM_SAVE(11)
	XMM_SAVE(12) XMM_SAVE(13) XMM_SAVE(14) XMM_SAVE(15)
	"stmxcsr fpu_mxcsr(%rip)\n"
	"fnstcw fpu_fcw(%rip)\n"
	"fxsave64 fpu_fxsave(%rip)\n"		/* byte 4: abridged tag word */
	"movq %rax, fpu_saved(%rip)\n"
	"movq %rbx, fpu_saved+8(%rip)\n"
	"movq %rcx, fpu_saved+16(%rip)\n"
	"movq %rdx, fpu_saved+24(%rip)\n"
	"movl $1, %eax\n"
	"cpuid\n"
	"andl $0x18000000, %ecx\n"		/* OSXSAVE (27), AVX (28) */
	"cmpl $0x18000000, %ecx\n"
	"jne 1f\n"
	"xorl %ecx, %ecx\n"
	"xgetbv\n"
	"andl $6, %eax\n"			/* XCR0: SSE and AVX state */
	"cmpl $6, %eax\n"
	"jne 1f\n"
	"movb $1, fpu_avx(%rip)\n"
	YHI_SAVE(0) YHI_SAVE(1) YHI_SAVE(2) YHI_SAVE(3)
	YHI_SAVE(4) YHI_SAVE(5) YHI_SAVE(6) YHI_SAVE(7)
	YHI_SAVE(8) YHI_SAVE(9) YHI_SAVE(10) YHI_SAVE(11)
	YHI_SAVE(12) YHI_SAVE(13) YHI_SAVE(14) YHI_SAVE(15)
	"1:\n"
	"movq fpu_saved(%rip), %rax\n"
	"movq fpu_saved+8(%rip), %rbx\n"
	"movq fpu_saved+16(%rip), %rcx\n"
	"movq fpu_saved+24(%rip), %rdx\n"
	"jmp _start\n");

/* The first non-zero register of r[16][16], or -1. */
static int first_nonzero(unsigned char r[16][16])
{
	int i, j;

	for (i = 0; i < 16; i++)
		for (j = 0; j < 16; j++)
			if (r[i][j])
				return i;
	return -1;
}

static void hex(const char *name, int i, const unsigned char *b)
{
	int j;

	printf("fpu_check: %s%d = ", name, i);
	for (j = 15; j >= 0; j--)
		printf("%02x", b[j]);
	printf("\n");
}

int main(void)
{
	int bad = 0, x = first_nonzero(fpu_xmm), y = first_nonzero(fpu_yhi);

	if (x < 0)
		printf("fpu_check: xmm0-15 all zero\n");
	else
		hex("xmm", x, fpu_xmm[x]), bad = 1;
	if (!fpu_avx)
		printf("fpu_check: no avx\n");
	else if (y < 0)
		printf("fpu_check: ymm0-15 upper halves all zero\n");
	else
		hex("ymm upper half ", y, fpu_yhi[y]), bad = 1;
	printf("fpu_check: mxcsr %#x\n", fpu_mxcsr);
	printf("fpu_check: x87 control word %#x, tag byte %#x\n", fpu_fcw,
	       fpu_fxsave[4]);
	bad |= fpu_mxcsr != 0x1f80 || fpu_fcw != 0x37f || fpu_fxsave[4];
	printf("fpu_check: %s\n", bad ? "NOT the initial state" : "initial state");
	return bad;
}
