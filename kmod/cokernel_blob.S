/* SPDX-License-Identifier: GPL-2.0 */
/* The co-kernel image (cokernel/cokernel.bin), embedded in the module. */
	.section .rodata, "a"
	.balign 64
	.globl cok_image_start
cok_image_start:
	.incbin COK_IMAGE_PATH
	.globl cok_image_end
cok_image_end:
