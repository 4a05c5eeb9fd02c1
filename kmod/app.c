// SPDX-License-Identifier: GPL-2.0
/*
 * Apps on enclave cores, Linux side: launch through a staging area in
 * the enclave, hand forwarded system calls to the proxy and its answers
 * back, end the app, and map the enclave memory into the proxy.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/atomic.h>
#include <linux/delay.h>
#include <linux/mm.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/timekeeping.h>
#include <linux/uaccess.h>
#include <asm/tsc.h>
#include "app.h"
#include "segment.h"
#include "../xemem/state.h"
#include "boot.h"
#include "compat.h"
#include "enclave_priv.h"

#define STAGE_TIMEOUT_MS	2000
#define LAUNCH_TIMEOUT_MS	10000
#define KILL_TIMEOUT_MS		2000
#define SPIN_BEFORE_SLEEP	2000	/* polls before sleeping in WAIT */

static atomic_t next_app_id = ATOMIC_INIT(0);

#define FREEZE_TIMEOUT_MS	1000

static const char *const app_state_names[] = {
	[COK_APP_NONE] = "idle",
	[COK_APP_LOADING] = "loading",
	[COK_APP_RUNNING] = "running",
	[COK_APP_EXITED] = "exited",
	[COK_APP_FAULTED] = "faulted",
	[COK_APP_KILLED] = "killed",
	[COK_APP_LOAD_FAILED] = "load-failed",
	[COK_APP_FROZEN] = "frozen",
};

const char *cok_app_state_name(u32 state)
{
	if (state < ARRAY_SIZE(app_state_names) && app_state_names[state])
		return app_state_names[state];
	return "unknown";
}

static struct cok_app_slot *slot_of(struct cok_enclave *e, u32 core)
{
	return &e->ch->core[core].app;
}

/* Where a launch or a restore wants to go, and its one-line error. */
struct placement {
	u32 enclave;
	s32 core;
	char *error;		/* COK_ERROR_LEN bytes */
};

#define COK_ERROR_LEN	128

static void set_error(struct placement *p, const char *msg)
{
	strscpy(p->error, msg, COK_ERROR_LEN);
}

/* The enclave named by p->enclave, or the only one when it is 0. */
static struct cok_enclave *pick_enclave(struct placement *p)
{
	u32 id = p->enclave, next;

	if (!id) {
		if (cok_enclave_next_id_locked(0, &id)) {
			set_error(p, "no enclave: create one first (cokctl create)");
			return NULL;
		}
		if (!cok_enclave_next_id_locked(id, &next)) {
			set_error(p, "several enclaves: name one with --enclave");
			return NULL;
		}
	}
	return cok_find_enclave(id, NULL) ?: (set_error(p, "no such enclave"),
					      NULL);
}

static bool core_free(struct cok_enclave *e, u32 core)
{
	return !e->app_owner[core] && !cok_core_dead(e, core) &&
	       cok_core_stage(e, core) == COK_STAGE_RUNNING;
}

static int pick_core(struct cok_enclave *e, struct placement *p)
{
	u32 i;

	if (p->core >= 0) {
		if (p->core >= e->ncores) {
			set_error(p, "no such core in the enclave");
			return -EINVAL;
		}
		if (!core_free(e, p->core)) {
			set_error(p, "that core is busy with another app");
			return -EBUSY;
		}
		return p->core;
	}
	for (i = 0; i < e->ncores; i++)
		if (core_free(e, i))
			return i;
	set_error(p, "every core of the enclave runs an app");
	return -EBUSY;
}

/* Copy into the enclave at an enclave offset, chunk by chunk. */
static int copy_in(struct cok_enclave *e, u64 off, const void *kbuf,
		   const void __user *ubuf, u64 len)
{
	u64 done = 0;

	while (done < len) {
		u64 at = off + done, room = COK_CHUNK_SIZE -
					    (at & (COK_CHUNK_SIZE - 1));
		u64 n = min(room, len - done);
		u8 *dst;

		if ((at >> COK_CHUNK_SHIFT) >= e->nchunks)
			return -EFAULT;
		dst = (u8 *)page_address(e->chunks[at >> COK_CHUNK_SHIFT]) +
		      (at & (COK_CHUNK_SIZE - 1));
		if (kbuf)
			memcpy(dst, (const u8 *)kbuf + done, n);
		else if (copy_from_user(dst, (const u8 __user *)ubuf + done, n))
			return -EFAULT;
		done += n;
	}
	return 0;
}

static int call(struct cok_enclave *e, u32 core, struct cok_msg *m,
		unsigned int timeout_ms)
{
	int err = cok_send_cmd(e, core, m);

	if (!err)
		err = cok_wait_reply(e, core, m, timeout_ms);
	return err;
}

/* Linux's clocks at one instant, for the co-kernel's TSC clock. */
static void read_clocks(u64 *tsc, u64 *realtime_ns, u64 *monotonic_ns)
{
	unsigned long flags;

	local_irq_save(flags);
	*tsc = rdtsc();
	*realtime_ns = ktime_get_real_ns();
	*monotonic_ns = ktime_get_ns();
	local_irq_restore(flags);
}

static void fill_block(struct cok_launch_block *b, struct cok_ioc_launch *l,
		       u32 app_id, u64 total)
{
	b->magic = COK_LAUNCH_MAGIC;
	b->app_id = app_id;
	b->elf_offset = ALIGN(sizeof(*b), 64);
	b->elf_size = l->elf_size;
	b->strings_offset = b->elf_offset + l->elf_size;
	b->strings_size = l->strings_size;
	b->argc = l->argc;
	b->envc = l->envc;
	b->tsc_khz = tsc_khz;
	b->staged_size = total;
	read_clocks(&b->clock_tsc, &b->clock_realtime_ns,
		    &b->clock_monotonic_ns);
}

/* A staging area of total bytes on the core; its enclave offset. */
static int stage(struct cok_enclave *e, u32 core, u64 total,
		 struct placement *p, u64 *off)
{
	struct cok_msg m = { .type = COK_MSG_STAGE, .arg = { total } };
	int err = call(e, core, &m, STAGE_TIMEOUT_MS);

	if (err || m.status) {
		set_error(p, "not enough free memory in the enclave to load the program");
		return err ?: -ENOMEM;
	}
	*off = m.arg[0];
	return 0;
}

/*
 * LAUNCH or RESTORE the staged block at off.  copy_err: copying into the
 * staging failed (the block was spoilt so that the co-kernel refuses it
 * and drops the staging).  On success *cr3 is the app's PML4.
 */
static int start(struct cok_enclave *e, u32 core, u32 type, u64 off,
		 int copy_err, struct placement *p, u64 *cr3)
{
	struct cok_msg m = { .type = type, .arg = { off } };

	if (call(e, core, &m, LAUNCH_TIMEOUT_MS)) {
		set_error(p, "the co-kernel core did not answer");
		return -ETIMEDOUT;
	}
	if (copy_err)
		return copy_err;
	if (m.status) {
		strscpy(p->error, slot_of(e, core)->error, COK_ERROR_LEN);
		cok_store_release(&slot_of(e, core)->state, COK_APP_NONE);
		return -ENOEXEC;
	}
	*cr3 = m.arg[0];
	return 0;
}

static int stage_and_launch(struct cok_enclave *e, u32 core,
			    struct cok_ioc_launch *l, struct placement *p,
			    const void __user *elf,
			    const void __user *strings, u32 app_id)
{
	struct cok_launch_block b = {};
	u64 total = ALIGN(sizeof(b), 64) + l->elf_size + l->strings_size;
	u64 off, cr3;
	int err;

	err = stage(e, core, total, p, &off);
	if (err)
		return err;
	fill_block(&b, l, app_id, total);
	err = copy_in(e, off, &b, NULL, sizeof(b));
	if (!err)
		err = copy_in(e, off + b.elf_offset, NULL, elf, l->elf_size);
	if (!err)
		err = copy_in(e, off + b.strings_offset, NULL, strings,
			      l->strings_size);
	if (err) {
		b.magic = 0;
		copy_in(e, off, &b, NULL, sizeof(b));
	}
	return start(e, core, COK_MSG_LAUNCH, off, err, p, &cr3);
}

/*
 * Keep the app's argv and environment (for a dump's metadata) and the
 * proxy's own descriptors in the proxy's handle.
 */
static int keep_strings(struct cok_app_ref *ref, const void __user *strings,
			u64 size, u32 argc, u32 envc, const s32 *private_fds)
{
	kvfree(ref->strings);
	ref->strings = vmemdup_user(strings, size);
	if (IS_ERR(ref->strings)) {
		int err = PTR_ERR(ref->strings);

		ref->strings = NULL;
		return err;
	}
	ref->strings_size = size;
	ref->argc = argc;
	ref->envc = envc;
	ref->private_fds[0] = private_fds[0];
	ref->private_fds[1] = private_fds[1];
	return 0;
}

static void bind_app(struct cok_app_ref *ref, struct cok_enclave *e,
		     u32 core, u32 app_id)
{
	ref->e = e;
	ref->core = core;
	ref->app_id = app_id;
	e->app_owner[core] = ref;
	e->app_pid[core] = task_tgid_nr(current);
	e->nproxies++;
}

static int check_strings(u64 size, u32 argc, u32 envc, struct placement *p)
{
	if (!argc || size > COK_STRINGS_MAX ||
	    (u64)argc + envc > COK_MAX_STRINGS) {
		set_error(p, "arguments and environment too large");
		return -E2BIG;
	}
	return 0;
}

/* Enclave and core for p, under cok_enclaves_lock; the core or -errno. */
static int place(struct placement *p, struct cok_enclave **e)
{
	*e = pick_enclave(p);
	if (!*e)
		return -ENOENT;
	return pick_core(*e, p);
}

int cok_app_launch(struct cok_ioc_launch *l, const void __user *elf,
		   const void __user *strings, struct cok_app_ref *ref)
{
	struct placement p = { l->enclave, l->core, l->error };
	u32 app_id = atomic_inc_return(&next_app_id);
	struct cok_enclave *e;
	int core, err;

	if (!l->elf_size || l->elf_size > COK_ELF_MAX) {
		set_error(&p, "program size out of range (at most 64 MiB)");
		return -EINVAL;
	}
	err = check_strings(l->strings_size, l->argc, l->envc, &p);
	if (!err)
		err = keep_strings(ref, strings, l->strings_size, l->argc,
				   l->envc, l->private_fds);
	if (err)
		return err;
	mutex_lock(&cok_enclaves_lock);
	core = place(&p, &e);
	err = core < 0 ? core : 0;
	if (!err)
		err = stage_and_launch(e, core, l, &p, elf, strings, app_id);
	if (!err) {
		bind_app(ref, e, core, app_id);
		l->app_id = app_id;
		l->core_out = core;
		l->cpu_out = e->cpus[core];
		l->mem_bytes = (u64)e->nchunks << COK_CHUNK_SHIFT;
	}
	mutex_unlock(&cok_enclaves_lock);
	return err;
}

/* Write one field of the staged restore block at off. */
#define SET_FIELD(e, off, field, val) ({				\
	typeof(((struct cok_restore_block *)0)->field) v__ = (val);	\
	copy_in(e, (off) + offsetof(struct cok_restore_block, field),	\
		&v__, NULL, sizeof(v__));				\
})

static int stage_and_restore(struct cok_enclave *e, u32 core,
			     struct cok_ioc_restore *r, struct placement *p,
			     u32 app_id, u64 *cr3)
{
	u64 off, tsc, realtime, monotonic;
	int err;

	err = stage(e, core, r->block_size, p, &off);
	if (err)
		return err;
	err = copy_in(e, off, NULL, u64_to_user_ptr(r->block), r->block_size);
	/* The module's fields: the id, the size, Linux's clocks now. */
	read_clocks(&tsc, &realtime, &monotonic);
	SET_FIELD(e, off, magic, err ? 0 : COK_RESTORE_MAGIC);
	SET_FIELD(e, off, app_id, app_id);
	SET_FIELD(e, off, staged_size, r->block_size);
	SET_FIELD(e, off, clock_tsc, tsc);
	SET_FIELD(e, off, clock_realtime_ns, realtime);
	SET_FIELD(e, off, clock_monotonic_ns, monotonic);
	SET_FIELD(e, off, tsc_khz, tsc_khz);
	return start(e, core, COK_MSG_RESTORE, off, err, p, cr3);
}

int cok_app_restore(struct cok_ioc_restore *r, struct cok_app_ref *ref)
{
	struct placement p = { r->enclave, r->core, r->error };
	u32 app_id = atomic_inc_return(&next_app_id);
	struct cok_enclave *e;
	int core, err;

	if (r->block_size < sizeof(struct cok_restore_block) ||
	    r->block_size > sizeof(struct cok_restore_block) +
	    COK_RESTORE_MAX_REGIONS * sizeof(struct cok_region)) {
		set_error(&p, "restore block size out of range");
		return -EINVAL;
	}
	err = check_strings(r->strings_size, r->argc, r->envc, &p);
	if (!err)
		err = keep_strings(ref, u64_to_user_ptr(r->strings),
				   r->strings_size, r->argc, r->envc,
				   r->private_fds);
	if (err)
		return err;
	mutex_lock(&cok_enclaves_lock);
	core = place(&p, &e);
	err = core < 0 ? core : 0;
	if (!err)
		err = stage_and_restore(e, core, r, &p, app_id, &r->cr3);
	if (!err) {
		bind_app(ref, e, core, app_id);
		ref->map_all = true;
		r->app_id = app_id;
		r->core_out = core;
		r->cpu_out = e->cpus[core];
		r->mem_bytes = (u64)e->nchunks << COK_CHUNK_SHIFT;
	}
	mutex_unlock(&cok_enclaves_lock);
	return err;
}

static bool app_ended(u32 state)
{
	return state == COK_APP_EXITED || state == COK_APP_FAULTED ||
	       state == COK_APP_KILLED;
}

static void fill_end(struct cok_app_slot *s, u32 state,
		     struct cok_ioc_event *ev)
{
	ev->kind = state == COK_APP_EXITED ? COK_EV_EXIT :
		   state == COK_APP_FAULTED ? COK_EV_FAULT : COK_EV_KILLED;
	ev->exit_status = s->exit_status;
	ev->signal = s->fault_signal;
	ev->fault_vector = s->fault_vector;
	ev->fault_rip = s->fault_rip;
	ev->fault_addr = s->fault_addr;
	ev->fault_error = s->fault_error;
	ev->user_interrupts = s->user_interrupts;
}

/* The app's core is dead (watchdog.c): the app is lost, say why. */
static bool app_lost(struct cok_app_ref *ref, struct cok_ioc_event *ev)
{
	if (!cok_core_dead(ref->e, ref->core))
		return false;
	ev->kind = COK_EV_LOST;
	strscpy(ev->lost_reason, cok_core_dead_reason(ref->e, ref->core),
		sizeof(ev->lost_reason));
	ref->ended = true;
	return true;
}

/* Poll the app's slot: spin briefly (a round trip is short), then sleep. */
int cok_app_wait(struct cok_app_ref *ref, struct cok_ioc_event *ev)
{
	struct cok_app_slot *s;
	unsigned long polls = 0;
	int i;

	if (!ref->e)
		return -ENOTCONN;
	s = slot_of(ref->e, ref->core);
	for (;;) {
		u32 state = cok_load_acquire(&s->state);

		if (app_ended(state)) {
			fill_end(s, state, ev);
			ref->ended = true;
			return 0;
		}
		if (cok_load_acquire(&s->sc.state) == COK_SC_PENDING &&
		    s->sc.seq != ref->seq_seen) {
			ev->kind = COK_EV_SYSCALL;
			ev->nr = s->sc.nr;
			for (i = 0; i < 6; i++)
				ev->arg[i] = s->sc.arg[i];
			ev->cr3 = s->cr3;
			ref->seq_seen = s->sc.seq;
			return 0;
		}
		if (app_lost(ref, ev))
			return 0;
		if (signal_pending(current))
			return -EINTR;
		if (++polls < SPIN_BEFORE_SLEEP)
			cpu_relax();
		else
			usleep_range(20, 60);
	}
}

int cok_app_reply(struct cok_app_ref *ref, s64 ret)
{
	struct cok_app_slot *s;

	if (!ref->e)
		return -ENOTCONN;
	s = slot_of(ref->e, ref->core);
	if (cok_load_acquire(&s->sc.state) != COK_SC_PENDING ||
	    s->sc.seq != ref->seq_seen)
		return -EINVAL;		/* no call of ours is waiting */
	s->sc.ret = ret;
	cok_store_release(&s->sc.state, COK_SC_DONE);
	cok_ring_doorbell(ref->e->apic_ids[ref->core]);
	return 0;
}

int cok_app_kill(struct cok_app_ref *ref)
{
	struct cok_msg m = { .type = COK_MSG_KILL };
	struct cok_app_slot *s;
	unsigned long deadline;

	if (!ref->e)
		return -ENOTCONN;
	s = slot_of(ref->e, ref->core);
	if (app_ended(cok_load_acquire(&s->state)) ||
	    cok_core_dead(ref->e, ref->core))
		return 0;		/* nothing left to end */
	mutex_lock(&cok_enclaves_lock);
	cok_segments_drop_app(ref->app_id);
	call(ref->e, ref->core, &m, KILL_TIMEOUT_MS);
	mutex_unlock(&cok_enclaves_lock);
	deadline = jiffies + msecs_to_jiffies(KILL_TIMEOUT_MS);
	while (!app_ended(cok_load_acquire(&s->state))) {
		if (time_after(jiffies, deadline))
			return -ETIMEDOUT;
		usleep_range(50, 100);
	}
	return 0;
}

/* The proxy's file is gone: end the app and free its core. */
void cok_app_release(struct cok_app_ref *ref)
{
	struct cok_enclave *e = ref->e;

	if (!e)
		return;
	if (cok_app_kill(ref))
		pr_warn("app %u on core %u did not end; its core stays taken\n",
			ref->app_id, ref->core);
	mutex_lock(&cok_enclaves_lock);
	/* A dead core's app is gone too; the core is never used again. */
	if (app_ended(cok_load_acquire(&slot_of(e, ref->core)->state)) ||
	    cok_core_dead(e, ref->core)) {
		cok_store_release(&slot_of(e, ref->core)->state, COK_APP_NONE);
		e->app_owner[ref->core] = NULL;
		e->app_pid[ref->core] = 0;
	}
	e->nproxies--;
	mutex_unlock(&cok_enclaves_lock);
	ref->e = NULL;
}

void cok_app_ref_free(struct cok_app_ref *ref)
{
	kvfree(ref->strings);
	kfree(ref);
}

/* The app's proxy handle, under cok_enclaves_lock; NULL if none. */
struct cok_app_ref *cok_app_ref_locked(u32 app_id, struct cok_enclave **e,
				       u32 *core)
{
	*e = cok_find_app_locked(app_id, core);
	return *e ? (*e)->app_owner[*core] : NULL;
}

/*
 * The proxy's view of the enclave memory is filled on demand: a proxy
 * touches a few pages (the channel, the app's page tables, its buffers),
 * so mapping all of it up front would cost far more than it uses.
 */
static vm_fault_t cok_app_fault(struct vm_fault *vmf)
{
	struct cok_app_ref *ref = vmf->vma->vm_private_data;
	unsigned long chunk = vmf->pgoff >> (COK_CHUNK_SHIFT - PAGE_SHIFT);
	unsigned long page = vmf->pgoff & ((COK_CHUNK_SIZE >> PAGE_SHIFT) - 1);

	if (!ref->e || chunk >= ref->e->nchunks)
		return VM_FAULT_SIGBUS;
	return vmf_insert_pfn(vmf->vma, vmf->address,
			      page_to_pfn(ref->e->chunks[chunk]) + page);
}

static const struct vm_operations_struct cok_app_vm_ops = {
	.fault = cok_app_fault,
};

/*
 * A restoring proxy writes every page of its app: mapping all chunks at
 * once costs far less than a fault per page.
 */
static int map_all_chunks(struct cok_enclave *e, struct vm_area_struct *vma)
{
	unsigned long at = vma->vm_start, i;
	int err = 0;

	for (i = 0; !err && at < vma->vm_end; i++, at += COK_CHUNK_SIZE)
		err = remap_pfn_range(vma, at, page_to_pfn(e->chunks[i]),
				      min_t(unsigned long, COK_CHUNK_SIZE,
					    vma->vm_end - at),
				      vma->vm_page_prot);
	return err;
}

/* The enclave memory, chunk i at offset i * 2 MiB (xemem/app.h). */
int cok_app_mmap(struct cok_app_ref *ref, struct vm_area_struct *vma)
{
	struct cok_enclave *e = ref->e;
	unsigned long len = vma->vm_end - vma->vm_start;

	if (!e)
		return -ENOTCONN;
	if (vma->vm_pgoff || len > ((unsigned long)e->nchunks << COK_CHUNK_SHIFT))
		return -EINVAL;
	vm_flags_set_compat(vma, VM_PFNMAP | VM_IO | VM_DONTEXPAND |
			    VM_DONTDUMP);
	vma->vm_private_data = ref;
	vma->vm_ops = &cok_app_vm_ops;
	return ref->map_all ? map_all_chunks(e, vma) : 0;
}

/*
 * A FREEZE that finds the app in a forwarded system call takes effect
 * when the call returns.  If the proxy has not answered in time (a read
 * from a terminal, say), THAW withdraws it: the app stays running.
 */
static int freeze_core(struct cok_enclave *e, u32 core, u32 app_id,
		       struct netlink_ext_ack *extack)
{
	struct cok_msg m = { .type = COK_MSG_FREEZE };
	struct cok_app_slot *s = slot_of(e, core);
	int err = call(e, core, &m, FREEZE_TIMEOUT_MS);

	if (err == -ETIMEDOUT) {
		/* Withdraw it: the freeze must not happen behind our back. */
		m = (struct cok_msg){ .type = COK_MSG_THAW };
		call(e, core, &m, FREEZE_TIMEOUT_MS);
		if (s->sc.state == COK_SC_PENDING)
			cok_err(extack, "app %u is in a system call (%llu) its proxy has not answered within %u ms; not frozen, try again",
				app_id, (unsigned long long)s->sc.nr,
				FREEZE_TIMEOUT_MS);
		else
			cok_err(extack, "app %u did not stop within %u ms (a long system call?); not frozen, try again",
				app_id, FREEZE_TIMEOUT_MS);
		return -EAGAIN;
	}
	if (err || m.status) {
		cok_err(extack, "the co-kernel core did not freeze app %u",
			app_id);
		return err ?: -EIO;
	}
	return 0;
}

static int thaw_core(struct cok_enclave *e, u32 core, u32 app_id,
		     struct netlink_ext_ack *extack)
{
	struct cok_msg m = { .type = COK_MSG_THAW };
	int err;

	if (cok_segments_attached(app_id)) {
		cok_err(extack, "a dump is reading app %u's memory (a segment of it is attached); thaw it when the dump is done",
			app_id);
		return -EBUSY;
	}
	cok_segments_drop_app(app_id);
	err = call(e, core, &m, FREEZE_TIMEOUT_MS);
	if (err || m.status) {
		cok_err(extack, "the co-kernel core did not thaw app %u",
			app_id);
		return err ?: -EIO;
	}
	return 0;
}

int cok_app_freeze(u32 app_id, bool thaw, u64 *latency_ns,
		   struct netlink_ext_ack *extack)
{
	struct cok_enclave *e;
	u32 core, state;
	u64 t0;
	int err = 0;

	mutex_lock(&cok_enclaves_lock);
	e = cok_find_app_locked(app_id, &core);
	if (!e) {
		cok_err(extack, "no app with id %u", app_id);
		err = -ESRCH;
		goto out;
	}
	state = cok_load_acquire(&slot_of(e, core)->state);
	if (!thaw && state == COK_APP_FROZEN) {
		cok_err(extack, "app %u is already frozen", app_id);
		err = -EALREADY;
	} else if (thaw && state != COK_APP_FROZEN) {
		cok_err(extack, "app %u is not frozen (it is %s)", app_id,
			cok_app_state_name(state));
		err = -EINVAL;
	} else if (!thaw && state != COK_APP_RUNNING) {
		cok_err(extack, "app %u is not running (it is %s)", app_id,
			cok_app_state_name(state));
		err = -ESRCH;
	}
	if (err)
		goto out;
	t0 = ktime_get_ns();
	err = thaw ? thaw_core(e, core, app_id, extack) :
		     freeze_core(e, core, app_id, extack);
	*latency_ns = ktime_get_ns() - t0;
out:
	mutex_unlock(&cok_enclaves_lock);
	return err;
}

/* The restored app's pages are written: let it run (COK_IOC_RESUME). */
int cok_app_resume(struct cok_app_ref *ref)
{
	u64 ns;

	if (!ref->e)
		return -ENOTCONN;
	return cok_app_freeze(ref->app_id, true, &ns, NULL);
}
