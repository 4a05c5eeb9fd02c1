/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A proxy's copies to and from its app's memory (COK_IOC_APP_MEM); the
 * index of an enclave's chunks by physical address that they use.
 */
#ifndef COK_APPMEM_H
#define COK_APPMEM_H

struct cok_enclave;

int cok_appmem_index(struct cok_enclave *e);
void cok_appmem_unindex(struct cok_enclave *e);

#endif /* COK_APPMEM_H */
