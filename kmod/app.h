/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Apps on enclave cores, as the character device (cdev.c) drives them.
 * A proxy's open file holds one struct cok_app_ref; while any is bound,
 * its enclave cannot be destroyed (the proxy maps the enclave memory).
 */
#ifndef COK_APP_H
#define COK_APP_H

#include <linux/mm_types.h>
#include <linux/mutex.h>
#include "../xemem/cokdev.h"

struct cok_enclave;
struct cok_segment;

struct cok_app_ref {
	/*
	 * Serialises the requests on this file (cdev.c): two tasks that
	 * share it (a fork) must not launch, attach or map at once.
	 */
	struct mutex lock;
	struct cok_enclave *e;		/* NULL until launched */
	u32 core;
	u32 app_id;
	u32 seq_seen;			/* last forwarded call handed out */
	bool ended;
	bool map_all;			/* mmap maps every chunk at once */
	/* For a dump: the app's argv + envp, the proxy's own fds. */
	char *strings;
	u64 strings_size;
	u32 argc, envc;
	s32 private_fds[2];
	/* A file attached to a segment (segment.c) instead of an app. */
	struct cok_segment *seg;
	atomic_t seg_maps;		/* mappings of it still in place */
};

int cok_app_launch(struct cok_ioc_launch *l, const void __user *elf,
		   const void __user *strings, struct cok_app_ref *ref);
int cok_app_wait(struct cok_app_ref *ref, struct cok_ioc_event *ev);
int cok_app_reply(struct cok_app_ref *ref, s64 ret);
int cok_app_kill(struct cok_app_ref *ref);
void cok_app_release(struct cok_app_ref *ref);
int cok_app_mmap(struct cok_app_ref *ref, struct vm_area_struct *vma);
int cok_app_restore(struct cok_ioc_restore *r, struct cok_app_ref *ref);
int cok_app_resume(struct cok_app_ref *ref);
void cok_app_ref_free(struct cok_app_ref *ref);
struct cok_app_ref *cok_app_ref_locked(u32 app_id, struct cok_enclave **e,
				       u32 *core);

int cok_cdev_register(void);
void cok_cdev_unregister(void);

#endif /* COK_APP_H */
