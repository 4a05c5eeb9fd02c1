/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The image header (struct cok_image_header, read by the module) and the
 * 64-bit entry every core reaches from the trampoline.
 */
#include "asm.h"

	.section .head, "a"
	.globl cok_image_header
cok_image_header:
	.long	0x474d494b		/* COK_IMAGE_MAGIC "KIMG" */
	.word	1			/* COK_IMAGE_VERSION */
	.word	48			/* header_size */
	.quad	cok_image_header	/* link_base */
	.quad	cok_entry64		/* entry64 */
	/* Differences across files are computed by cokernel.ld. */
	.long	__image_file_size
	.long	__image_mem_size
	.long	__tramp_offset
	.long	__tramp_size
	.long	__tramp_params_offset
	.long	0

	.text
	.globl cok_entry64
cok_entry64:
	/* %edi = core index, %rsi = channel, %rsp = this core's stack. */
	xorl	%ebp, %ebp
	call	cok_main
1:	cli
	hlt
	jmp	1b
