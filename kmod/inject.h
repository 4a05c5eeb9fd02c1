/* SPDX-License-Identifier: GPL-2.0 */
/* Fault injection for the watchdog's tests: debugfs ckpt_cokernel/inject. */
#ifndef COK_INJECT_H
#define COK_INJECT_H

void cok_inject_init(void);
void cok_inject_exit(void);

#endif /* COK_INJECT_H */
