// SPDX-License-Identifier: GPL-2.0
/*
 * XEMEM-style segments, Linux side.  A segment is a list of runs of
 * enclave memory published under an id with permissions.  Today the
 * only maker is a frozen app: the co-kernel walks its page tables and
 * publishes the runs of its frames with its registers (COK_MSG_PUBLISH,
 * xemem/state.h); the module copies the list and checks every run, then
 * maps the runs, in order, into the files attached to the segment.  A
 * dump reads the app's pages there and writes them to its image: no
 * copy is made by the co-kernel, and none by the module.
 *
 * Lifetime: the id lives until REMOVE, or until the app is thawed or
 * ends.  An attached file holds the segment (and counts as a proxy of
 * the enclave, so that the enclave memory cannot go back to Linux under
 * its mapping); a mapping holds its file.  The app cannot be thawed
 * while a file is attached: its pages would change under the dump; and
 * it is not killed before the last file detaches (app.c): its frames
 * must not go to anyone else while a dump maps them.
 *
 * Only the app's owner, or CAP_SYS_ADMIN, may make, get, attach or
 * remove its segments.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kref.h>
#include <linux/list.h>
#include <linux/mm.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include "compat.h"
#include "enclave_priv.h"
#include "segment.h"
#include "../xemem/state.h"

#define PUBLISH_TIMEOUT_MS	2000

struct cok_segment {
	struct list_head node;		/* in segments, while it has an id */
	struct kref kref;
	u32 id;
	u32 perms;			/* COK_SEG_* */
	u32 app_id;
	kuid_t owner;
	struct cok_app *app;		/* valid while listed or attached */
	struct cok_enclave *e;
	u32 nruns;
	struct cok_seg_run *runs;
	u64 bytes;
	struct cok_frozen_app *state;	/* runs excluded */
	struct cok_thread_rec *threads;	/* state->nthreads */
	/* From the app's proxy handle at make time. */
	pid_t proxy_pid;
	s32 private_fds[2];
	char *strings;
	u64 strings_size;
	u32 argc, envc;
};

/* Under cok_enclaves_lock. */
static LIST_HEAD(segments);
static u32 next_segid;

static void seg_free(struct kref *kref)
{
	struct cok_segment *seg = container_of(kref, struct cok_segment, kref);

	kvfree(seg->runs);
	kvfree(seg->threads);
	kvfree(seg->strings);
	kfree(seg->state);
	kfree(seg);
}

static struct cok_segment *find_locked(u32 id)
{
	struct cok_segment *seg;

	list_for_each_entry(seg, &segments, node)
		if (seg->id == id)
			return seg;
	return NULL;
}

static void unlist_locked(struct cok_segment *seg)
{
	list_del_init(&seg->node);
	kref_put(&seg->kref, seg_free);
}

void cok_segments_drop_app(u32 app_id)
{
	struct cok_segment *seg, *tmp;

	lockdep_assert_held(&cok_enclaves_lock);
	list_for_each_entry_safe(seg, tmp, &segments, node)
		if (seg->app_id == app_id)
			unlist_locked(seg);
}

/* Copy out of the enclave at an enclave offset, chunk by chunk. */
static int enclave_read(struct cok_enclave *e, u64 off, void *buf, u64 len)
{
	u64 done = 0;

	while (done < len) {
		u64 at = off + done;
		u64 n = min(COK_CHUNK_SIZE - (at & (COK_CHUNK_SIZE - 1)),
			    len - done);

		if ((at >> COK_CHUNK_SHIFT) >= e->nchunks)
			return -EFAULT;
		memcpy((u8 *)buf + done,
		       (u8 *)page_address(e->chunks[at >> COK_CHUNK_SHIFT]) +
		       (at & (COK_CHUNK_SIZE - 1)), n);
		done += n;
	}
	return 0;
}

/*
 * Every run inside the enclave, outside chunk 0 (the co-kernel's own),
 * page-aligned and non-empty: nothing the co-kernel publishes can make
 * the module map memory that is not an app's.
 */
static int check_runs(struct cok_segment *seg, char *error)
{
	u64 end = (u64)seg->e->nchunks << COK_CHUNK_SHIFT;
	u32 i;

	seg->bytes = 0;
	for (i = 0; i < seg->nruns; i++) {
		const struct cok_seg_run *r = &seg->runs[i];

		if (!r->len || ((r->offset | r->len | r->va) & ~PAGE_MASK) ||
		    r->offset < COK_CHUNK_SIZE || r->offset >= end ||
		    r->len > end - r->offset) {
			snprintf(error, 128, "the co-kernel published a bad run (%u)",
				 i);
			return -EIO;
		}
		seg->bytes += r->len;
	}
	return 0;
}

static int publish(struct cok_enclave *e, u32 core, u64 *off, u64 *bytes)
{
	struct cok_msg m = { .type = COK_MSG_PUBLISH };
	int err = cok_send_cmd(e, core, &m);

	if (!err)
		err = cok_wait_reply(e, core, &m, PUBLISH_TIMEOUT_MS);
	if (err)
		return err;
	if (m.status == -COK_EBUSY)
		return -EBUSY;
	if (m.status == -COK_ENOSYS)	/* state images cannot hold */
		return -EOPNOTSUPP;
	if (m.status)
		return m.status == -COK_ENOMEM ? -ENOMEM : -EIO;
	*off = m.arg[0];
	*bytes = m.arg[1];
	return 0;
}

/* The thread records' sizes are what a dumper will trust. */
static int check_threads(struct cok_segment *seg, char *error)
{
	u32 i;

	for (i = 0; i < seg->state->nthreads; i++)
		if (seg->threads[i].st.xstate_size > COK_XSTATE_MAX) {
			strscpy(error, "the co-kernel published a bad state block",
				128);
			return -EIO;
		}
	return 0;
}

/* Copy the published block: the state, then the runs and threads. */
static int read_published(struct cok_segment *seg, u32 core, char *error)
{
	struct cok_frozen_app *f;
	u64 off, bytes, max_runs;
	int err;

	err = publish(seg->e, core, &off, &bytes);
	if (err == -EOPNOTSUPP) {
		snprintf(error, 128, "app %u %.*s", seg->app_id,
			 COK_APP_ERROR_LEN - 1,
			 seg->e->ch->proc[seg->app->slot].error);
		return err;
	}
	if (err == -EBUSY) {
		strscpy(error, "a thread of the app is in a forwarded call its proxy has not answered; try again",
			128);
		return err;
	}
	if (err) {
		strscpy(error, "the co-kernel could not publish the app's memory",
			128);
		return err;
	}
	f = kmalloc(sizeof(*f), GFP_KERNEL);
	if (!f)
		return -ENOMEM;
	seg->state = f;
	err = enclave_read(seg->e, off, f, sizeof(*f));
	max_runs = ((u64)seg->e->nchunks << COK_CHUNK_SHIFT) / PAGE_SIZE;
	if (err || f->magic != COK_FROZEN_MAGIC || f->nruns > max_runs ||
	    !f->nthreads || f->nthreads > COK_STATE_MAX_THREADS ||
	    f->threads_offset < sizeof(*f) + (u64)f->nruns * sizeof(f->runs[0]) ||
	    bytes != f->threads_offset + (u64)f->nthreads * sizeof(*seg->threads)) {
		strscpy(error, "the co-kernel published a bad state block", 128);
		return -EIO;
	}
	seg->nruns = f->nruns;
	seg->runs = kvmalloc_array(max_t(u32, f->nruns, 1),
				   sizeof(*seg->runs), GFP_KERNEL);
	seg->threads = kvmalloc_array(f->nthreads, sizeof(*seg->threads),
				      GFP_KERNEL);
	if (!seg->runs || !seg->threads)
		return -ENOMEM;
	err = enclave_read(seg->e, off + sizeof(*f), seg->runs,
			   (u64)f->nruns * sizeof(*seg->runs));
	if (!err)
		err = enclave_read(seg->e, off + f->threads_offset, seg->threads,
				   (u64)f->nthreads * sizeof(*seg->threads));
	return err ?: check_threads(seg, error) ?: check_runs(seg, error);
}

static int copy_proxy_info(struct cok_segment *seg, struct cok_app *app)
{
	seg->proxy_pid = app->proxy_gone ? 0 : app->proxy_pid;
	seg->private_fds[0] = app->private_fds[0];
	seg->private_fds[1] = app->private_fds[1];
	seg->argc = app->argc;
	seg->envc = app->envc;
	seg->strings_size = app->strings_size;
	if (!app->strings_size)
		return 0;
	seg->strings = kvmalloc(app->strings_size, GFP_KERNEL);
	if (!seg->strings)
		return -ENOMEM;
	memcpy(seg->strings, app->strings, app->strings_size);
	return 0;
}

/* Its enclave's lock held (cok_app_enter): publish app as seg. */
static int make_locked(struct cok_ioc_seg_make *mk, struct cok_segment *seg,
		       struct cok_app *app, const struct cok_caller *who)
{
	u32 core, state;
	int err;

	if (!cok_caller_may(who, app->owner)) {
		snprintf(mk->error, sizeof(mk->error),
			 "app %u belongs to another user", mk->app_id);
		return -EPERM;
	}
	/* Written under e->lock too (app.c): stable while we hold it. */
	if (app->restoring || app->kill_deferred || app->proxy_gone) {
		snprintf(mk->error, sizeof(mk->error),
			 "app %u is being %s", mk->app_id,
			 app->restoring ? "restored" : "killed");
		return -EBUSY;
	}
	seg->e = app->e;
	seg->app = app;
	seg->owner = app->owner;
	core = app->core;
	state = cok_load_acquire(&seg->e->ch->proc[app->slot].state);
	if (state != COK_APP_FROZEN) {
		snprintf(mk->error, sizeof(mk->error),
			 "app %u is not frozen (it is %s): freeze it first",
			 mk->app_id, cok_app_state_name(state));
		return -EINVAL;
	}
	err = read_published(seg, core, mk->error);
	if (!err)
		err = copy_proxy_info(seg, app);
	if (err)
		return err;
	mutex_lock(&cok_enclaves_lock);
	seg->id = ++next_segid ?: ++next_segid;
	list_add_tail(&seg->node, &segments);
	mutex_unlock(&cok_enclaves_lock);
	mk->segid = seg->id;
	mk->nruns = seg->nruns;
	mk->bytes = seg->bytes;
	mk->strings_size = seg->strings_size;
	return 0;
}

int cok_seg_make(struct cok_ioc_seg_make *mk, const struct cok_caller *who)
{
	struct cok_segment *seg;
	struct cok_app *app;
	int err;

	if (mk->perms != COK_SEG_READ) {
		strscpy(mk->error, "an app's memory is published read-only (COK_SEG_READ)",
			sizeof(mk->error));
		return -EINVAL;
	}
	seg = kzalloc(sizeof(*seg), GFP_KERNEL);
	if (!seg)
		return -ENOMEM;
	kref_init(&seg->kref);
	INIT_LIST_HEAD(&seg->node);
	seg->perms = mk->perms;
	seg->app_id = mk->app_id;
	/* The PUBLISH waits on the core: its enclave's lock only. */
	app = cok_app_enter(mk->app_id);
	if (app) {
		err = make_locked(mk, seg, app, who);
		cok_app_leave(app);
	} else {
		strscpy(mk->error, "no such app", sizeof(mk->error));
		err = -ESRCH;
	}
	if (err)
		kref_put(&seg->kref, seg_free);
	return err;
}

static int copy_out(u64 uptr, const void *src, u64 len)
{
	return len && copy_to_user(u64_to_user_ptr(uptr), src, len) ?
	       -EFAULT : 0;
}

static int get_locked(struct cok_ioc_seg_get *g, struct cok_segment *seg)
{
	u32 n = min(g->max_runs, seg->nruns);
	int err;

	g->nruns = seg->nruns;
	g->perms = seg->perms;
	g->bytes = seg->bytes;
	g->strings_size = seg->strings_size;
	g->argc = seg->argc;
	g->envc = seg->envc;
	g->proxy_pid = seg->proxy_pid;
	g->private_fds[0] = seg->private_fds[0];
	g->private_fds[1] = seg->private_fds[1];
	g->app_id = seg->app_id;
	err = copy_out(g->runs, seg->runs, (u64)n * sizeof(*seg->runs));
	if (!err && g->state)
		err = copy_out(g->state, seg->state, sizeof(*seg->state));
	g->nthreads = seg->state->nthreads;
	if (!err && g->threads)
		err = copy_out(g->threads, seg->threads,
			       (u64)min(g->max_threads, g->nthreads) *
			       sizeof(*seg->threads));
	if (!err && g->strings && g->strings_max >= seg->strings_size)
		err = copy_out(g->strings, seg->strings, seg->strings_size);
	return err;
}

/* Under cok_enclaves_lock: segment id, if the caller may use it. */
static struct cok_segment *find_allowed_locked(u32 id,
					       const struct cok_caller *who,
					       int *err)
{
	struct cok_segment *seg = find_locked(id);

	*err = 0;
	if (!seg)
		*err = -ENOENT;
	else if (!cok_caller_may(who, seg->owner))
		*err = -EPERM;
	return *err ? NULL : seg;
}

int cok_seg_get(struct cok_ioc_seg_get *g, const struct cok_caller *who)
{
	struct cok_segment *seg;
	int err;

	mutex_lock(&cok_enclaves_lock);
	seg = find_allowed_locked(g->segid, who, &err);
	if (seg)
		kref_get(&seg->kref);
	mutex_unlock(&cok_enclaves_lock);
	if (!seg)
		return err;
	/* The lists are fixed once made: copy without the lock. */
	err = get_locked(g, seg);
	kref_put(&seg->kref, seg_free);
	return err;
}

int cok_seg_attach(struct cok_file *f, const struct cok_ioc_seg_attach *a)
{
	struct cok_segment *seg;
	int err = 0;

	if (f->app || f->seg)
		return -EBUSY;		/* an app's file, or attached */
	if (!a->perms || (a->perms & ~(COK_SEG_READ | COK_SEG_WRITE)))
		return -EINVAL;
	mutex_lock(&cok_enclaves_lock);
	seg = find_allowed_locked(a->segid, &f->who, &err);
	if (seg && (a->perms & ~seg->perms)) {
		seg = NULL;
		err = -EACCES;
	}
	if (seg) {
		kref_get(&seg->kref);
		seg->app->nattached++;
		seg->e->nproxies++;
		spin_lock(&f->seg_lock);
		f->seg = seg;
		spin_unlock(&f->seg_lock);
	}
	mutex_unlock(&cok_enclaves_lock);
	return err;
}

int cok_seg_detach(struct cok_file *f)
{
	struct cok_segment *seg;
	bool mapped = false;

	spin_lock(&f->seg_lock);
	seg = f->seg;
	if (seg && atomic_read(&f->seg_maps))
		mapped = true;
	else
		f->seg = NULL;
	spin_unlock(&f->seg_lock);
	if (!seg)
		return -ENOTCONN;
	if (mapped)
		return -EBUSY;		/* munmap first */
	cok_app_detached(seg->app);
	kref_put(&seg->kref, seg_free);
	return 0;
}

int cok_seg_remove(u32 segid, const struct cok_caller *who)
{
	struct cok_segment *seg;
	int err;

	mutex_lock(&cok_enclaves_lock);
	seg = find_allowed_locked(segid, who, &err);
	if (seg)
		unlist_locked(seg);
	mutex_unlock(&cok_enclaves_lock);
	return err;
}

static void seg_vma_open(struct vm_area_struct *vma)
{
	struct cok_file *f = vma->vm_private_data;

	atomic_inc(&f->seg_maps);
}

static void seg_vma_close(struct vm_area_struct *vma)
{
	struct cok_file *f = vma->vm_private_data;

	atomic_dec(&f->seg_maps);
}

static const struct vm_operations_struct seg_vm_ops = {
	.open = seg_vma_open,
	.close = seg_vma_close,
};

/* Map [at, at + len) of the enclave at user address uaddr, chunk-wise. */
static int map_enclave_range(struct vm_area_struct *vma, unsigned long uaddr,
			     struct cok_enclave *e, u64 at, u64 len)
{
	while (len) {
		u64 in_chunk = at & (COK_CHUNK_SIZE - 1);
		u64 n = min(COK_CHUNK_SIZE - in_chunk, len);
		unsigned long pfn = page_to_pfn(e->chunks[at >> COK_CHUNK_SHIFT]) +
				    (in_chunk >> PAGE_SHIFT);
		int err = remap_pfn_range(vma, uaddr, pfn, n,
					  vma->vm_page_prot);

		if (err)
			return err;
		uaddr += n;
		at += n;
		len -= n;
	}
	return 0;
}

static int map_runs(struct cok_segment *seg, struct vm_area_struct *vma)
{
	unsigned long uaddr = vma->vm_start, left = vma->vm_end - vma->vm_start;
	u32 i;
	int err;

	if (vma->vm_pgoff || left > seg->bytes)
		return -EINVAL;
	if (!(seg->perms & COK_SEG_WRITE)) {
		if (vma->vm_flags & VM_WRITE)
			return -EACCES;
		vm_flags_clear_compat(vma, VM_MAYWRITE);
	}
	vm_flags_set_compat(vma, VM_IO | VM_DONTEXPAND | VM_DONTDUMP |
			    VM_DONTCOPY);
	for (i = 0; i < seg->nruns && left; i++) {
		u64 n = min_t(u64, seg->runs[i].len, left);

		err = map_enclave_range(vma, uaddr, seg->e,
					seg->runs[i].offset, n);
		if (err)
			return err;
		uaddr += n;
		left -= n;
	}
	return 0;
}

/*
 * The runs one after the other from the start of the mapping; mapped
 * whole at once (remap_pfn_range): a dump reads every page anyway.  The
 * mapping is counted before it is made, so that DETACH cannot take the
 * segment away under it.
 */
int cok_seg_mmap(struct cok_file *f, struct vm_area_struct *vma)
{
	struct cok_segment *seg;
	int err;

	spin_lock(&f->seg_lock);
	seg = f->seg;
	if (seg)
		atomic_inc(&f->seg_maps);
	spin_unlock(&f->seg_lock);
	if (!seg)
		return -EINVAL;
	err = map_runs(seg, vma);
	if (err) {
		atomic_dec(&f->seg_maps);
		return err;
	}
	vma->vm_private_data = f;
	vma->vm_ops = &seg_vm_ops;
	return 0;
}
