/* SPDX-License-Identifier: GPL-2.0 */
/*
 * XEMEM-style segments (xemem/cokdev.h): make / get / attach / detach /
 * remove.  The functions marked _locked run under cok_enclaves_lock.
 */
#ifndef COK_SEGMENT_H
#define COK_SEGMENT_H

#include "app.h"

int cok_seg_make(struct cok_ioc_seg_make *mk, const struct cok_caller *who);
int cok_seg_get(struct cok_ioc_seg_get *g, const struct cok_caller *who);
int cok_seg_attach(struct cok_file *f, const struct cok_ioc_seg_attach *a);
int cok_seg_detach(struct cok_file *f);
int cok_seg_remove(u32 segid, const struct cok_caller *who);
int cok_seg_mmap(struct cok_file *f, struct vm_area_struct *vma);
/* Under cok_enclaves_lock: the app leaves the frozen state or ends. */
void cok_segments_drop_app(u32 app_id);

#endif /* COK_SEGMENT_H */
