/* SPDX-License-Identifier: GPL-2.0 */
/* The CPU hotplug veto: Linux cannot online a CPU an enclave holds. */
#ifndef COK_HOTPLUG_H
#define COK_HOTPLUG_H

int cok_hotplug_init(void);
void cok_hotplug_exit(void);

#endif /* COK_HOTPLUG_H */
