/* SPDX-License-Identifier: GPL-2.0 */
/*
 * fpu_dirty: fills XMM0-15 (all of YMM0-15 when AVX is usable) with
 * 0xa5 bytes, sets MXCSR to 0x9fc0 (flush-to-zero, denormals-are-zero)
 * and the x87 control word to 0x027f, and exits 0 at once with a raw
 * exit_group, so that nothing cleans them before the app ends.  The next
 * app on the core (fpu_check) must see none of it.
 */
#include <stdio.h>
#include <cpuid.h>

static int have_avx(void)
{
	unsigned int a, b, c, d, lo, hi;

	if (!__get_cpuid(1, &a, &b, &c, &d))
		return 0;
	if (!(c & bit_OSXSAVE) || !(c & bit_AVX))
		return 0;
	__asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
	return (lo & 6) == 6;	/* XCR0: SSE and AVX state enabled */
}

static const unsigned char pattern[32] __attribute__((aligned(32))) = {
	0xa5, 0xa5, 0xa5, 0xa5, 0xa5, 0xa5, 0xa5, 0xa5,
	0xa5, 0xa5, 0xa5, 0xa5, 0xa5, 0xa5, 0xa5, 0xa5,
	0xa5, 0xa5, 0xa5, 0xa5, 0xa5, 0xa5, 0xa5, 0xa5,
	0xa5, 0xa5, 0xa5, 0xa5, 0xa5, 0xa5, 0xa5, 0xa5,
};
static const unsigned int mxcsr = 0x9fc0;
static const unsigned short fcw = 0x027f;

#define LOAD16(insn) \
	insn " %0, %%xmm0\n\t" insn " %0, %%xmm1\n\t" insn " %0, %%xmm2\n\t" \
	insn " %0, %%xmm3\n\t" insn " %0, %%xmm4\n\t" insn " %0, %%xmm5\n\t" \
	insn " %0, %%xmm6\n\t" insn " %0, %%xmm7\n\t" insn " %0, %%xmm8\n\t" \
	insn " %0, %%xmm9\n\t" insn " %0, %%xmm10\n\t" insn " %0, %%xmm11\n\t" \
	insn " %0, %%xmm12\n\t" insn " %0, %%xmm13\n\t" insn " %0, %%xmm14\n\t" \
	insn " %0, %%xmm15\n\t"

int main(void)
{
	int avx = have_avx();

	printf("fpu_dirty: %s registers filled, exiting\n", avx ? "ymm" : "xmm");
	fflush(stdout);
	if (avx)
		__asm__ volatile(LOAD16("movdqu")
				 "vmovdqu %0, %%ymm0\n\tvmovdqu %0, %%ymm1\n\t"
				 "vmovdqu %0, %%ymm2\n\tvmovdqu %0, %%ymm3\n\t"
				 "vmovdqu %0, %%ymm4\n\tvmovdqu %0, %%ymm5\n\t"
				 "vmovdqu %0, %%ymm6\n\tvmovdqu %0, %%ymm7\n\t"
				 "vmovdqu %0, %%ymm8\n\tvmovdqu %0, %%ymm9\n\t"
				 "vmovdqu %0, %%ymm10\n\tvmovdqu %0, %%ymm11\n\t"
				 "vmovdqu %0, %%ymm12\n\tvmovdqu %0, %%ymm13\n\t"
				 "vmovdqu %0, %%ymm14\n\tvmovdqu %0, %%ymm15\n\t"
				 : : "m"(pattern));
	else
		__asm__ volatile(LOAD16("movdqu") : : "m"(pattern));
	/* No code of the compiler's or libc's between this and the end. */
	__asm__ volatile("ldmxcsr %0\n\t"
			 "fldcw %1\n\t"
			 "fldpi\n\t"
			 "movl $231, %%eax\n\t"	/* exit_group(0) */
			 "xorl %%edi, %%edi\n\t"
			 "syscall"
			 : : "m"(mxcsr), "m"(fcw) : "rax", "rdi", "memory");
	return 1;
}
