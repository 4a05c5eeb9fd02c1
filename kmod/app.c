// SPDX-License-Identifier: GPL-2.0
/*
 * Apps on enclave cores, Linux side: launch through a staging area in
 * the enclave, hand forwarded system calls to the proxy and its answers
 * back, freeze, thaw and end the app, and retire it (app.h).
 *
 * Nothing from user space is copied under a lock: a launch or restore
 * copies its ELF or block into the kernel first.  Every wait on a core
 * holds that enclave's lock only, never cok_enclaves_lock (taken for
 * the tables, inside e->lock: see enclave_priv.h).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/atomic.h>
#include <linux/delay.h>
#include <linux/math64.h>
#include <linux/mm.h>
#include <linux/random.h>
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
#define SPIN_BEFORE_SLEEP	20000	/* polls before sleeping in WAIT */
#define POLLS_PER_RELAX		64	/* see cok_app_wait */
#define NAP_MIN_US		20	/* WAIT's first nap after the spin, */
#define NAP_MAX_US		1000	/* doubled up to this while idle */
#define JOINED_NAP_US		150	/* a joined file's first nap */
#define FREEZE_TIMEOUT_MS	1000

static atomic_t next_app_id = ATOMIC_INIT(0);

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

bool cok_caller_may(const struct cok_caller *who, kuid_t owner)
{
	return who->admin || (uid_valid(who->uid) && uid_eq(who->uid, owner));
}

static struct cok_proc_slot *slot_of(struct cok_enclave *e, u32 slot)
{
	return &e->ch->proc[slot];
}

static u32 app_state(const struct cok_app *app)
{
	return cok_load_acquire(&slot_of(app->e, app->slot)->state);
}

static bool app_ended(u32 state)
{
	return state == COK_APP_EXITED || state == COK_APP_FAULTED ||
	       state == COK_APP_KILLED;
}

/* Ended, or lost with its core (watchdog.c): nothing left to end. */
static bool app_gone(const struct cok_app *app)
{
	return app_ended(app_state(app)) || cok_core_dead(app->e, app->core);
}

/* Where a launch or a restore wants to go, and its one-line error. */
struct placement {
	u32 enclave;
	s32 core;
	char *error;		/* COK_ERROR_LEN bytes */
	u32 ncores;		/* cores wanted, core among them; 0: 1 */
	u32 slot;		/* out: the proc slot it takes */
	u32 cores;		/* out: their mask */
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

struct cok_app *cok_app_on_core(struct cok_enclave *e, u32 i)
{
	u32 slot;

	for (slot = 0; slot < COK_MAX_PROCS; slot++)
		if (e->procs[slot] && (e->procs[slot]->cores & BIT(i)))
			return e->procs[slot];
	return NULL;
}

/*
 * A proc slot whose LAUNCH or RESTORE timed out stays reserved, with its
 * core, until the co-kernel reports the slot free again: STAGE left it
 * "loading", and only the co-kernel moves it on, when it has served the
 * late command (refused: "load-failed") and the KILL sent after it (an
 * app that got going is killed: "killed").  True once it is free.
 */
static bool slot_settled(struct cok_enclave *e, u32 slot)
{
	if (!e->slot_reserved[slot])
		return true;
	if (!cok_slot_reusable(cok_load_acquire(&slot_of(e, slot)->state)))
		return false;
	cok_store_release(&slot_of(e, slot)->state, COK_APP_NONE);
	e->slot_reserved[slot] = false;
	return true;
}

static bool core_free(struct cok_enclave *e, u32 core)
{
	u32 slot;

	if (cok_app_on_core(e, core) || cok_core_dead(e, core) ||
	    cok_core_stage(e, core) != COK_STAGE_RUNNING)
		return false;
	for (slot = 0; slot < COK_MAX_PROCS; slot++)
		if (e->slot_reserved[slot] && e->reserved_core[slot] == core &&
		    !slot_settled(e, slot))
			return false;
	return true;
}

/* A proc slot for a new app: p->slot, or -EBUSY. */
static int pick_slot(struct cok_enclave *e, struct placement *p)
{
	u32 slot;

	for (slot = 0; slot < COK_MAX_PROCS; slot++)
		if (!e->procs[slot] && slot_settled(e, slot)) {
			p->slot = slot;
			return 0;
		}
	set_error(p, "the enclave runs as many apps as it can hold");
	return -EBUSY;
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

/*
 * p->cores: the home core and p->ncores - 1 more free cores, the lowest
 * first; or -errno with the reason.
 */
static int pick_more_cores(struct cok_enclave *e, u32 home,
			   struct placement *p)
{
	u32 want = p->ncores ? p->ncores : 1, got = 1, i;

	p->cores = BIT(home);
	if (want > e->ncores) {
		snprintf(p->error, COK_ERROR_LEN,
			 "%u cores wanted; the enclave has %u", want,
			 e->ncores);
		return -EINVAL;
	}
	for (i = 0; i < e->ncores && got < want; i++)
		if (i != home && core_free(e, i)) {
			p->cores |= BIT(i);
			got++;
		}
	if (got < want) {
		snprintf(p->error, COK_ERROR_LEN,
			 "%u cores wanted; %u of the enclave's are free", want,
			 got);
		return -EBUSY;
	}
	return 0;
}

/* Copy into the enclave at an enclave offset, chunk by chunk. */
static int copy_in(struct cok_enclave *e, u64 off, const void *src, u64 len)
{
	u64 done = 0;

	while (done < len) {
		u64 at = off + done, room = COK_CHUNK_SIZE -
					    (at & (COK_CHUNK_SIZE - 1));
		u64 n = min(room, len - done);

		if ((at >> COK_CHUNK_SHIFT) >= e->nchunks)
			return -EFAULT;
		memcpy((u8 *)page_address(e->chunks[at >> COK_CHUNK_SHIFT]) +
		       (at & (COK_CHUNK_SIZE - 1)), (const u8 *)src + done, n);
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
	get_random_bytes(b->seed, sizeof(b->seed));
	b->uid = from_kuid_munged(current_user_ns(), current_uid());
	read_clocks(&b->clock_tsc, &b->clock_realtime_ns,
		    &b->clock_monotonic_ns);
}

/*
 * A staging area of total bytes on the core, for proc slot p->slot; its
 * enclave offset.
 */
static int stage(struct cok_enclave *e, u32 core, u64 total,
		 struct placement *p, u64 *off)
{
	struct cok_msg m = { .type = COK_MSG_STAGE, .arg = { total, p->slot } };
	int err = call(e, core, &m, STAGE_TIMEOUT_MS);

	if (err) {
		set_error(p, "the co-kernel core did not answer");
		return err;
	}
	if (m.status == -COK_EBUSY || m.status == -COK_EINVAL) {
		set_error(p, "the co-kernel holds another app in that process slot");
		return -EBUSY;
	}
	if (m.status) {
		set_error(p, "not enough free memory in the enclave to load the program");
		return -ENOMEM;
	}
	*off = m.arg[0];
	return 0;
}

/*
 * LAUNCH or RESTORE the staged block at off.  On a timeout the core may
 * still be loading: it is told to KILL and the slot stays reserved with
 * its core (slot_settled).
 */
static int start(struct cok_enclave *e, u32 core, u32 type, u64 off,
		 struct placement *p)
{
	struct cok_msg m = { .type = type,
			     .arg = { off, p->slot, p->cores } };
	int err = cok_send_cmd(e, core, &m);

	if (err) {
		/* Not sent (a dead core, a full ring): nothing to take back. */
		set_error(p, "the co-kernel core did not take the command");
		return err;
	}
	if (cok_wait_reply(e, core, &m, LAUNCH_TIMEOUT_MS)) {
		struct cok_msg kill = { .type = COK_MSG_KILL };

		cok_send_cmd(e, core, &kill);
		e->slot_reserved[p->slot] = true;
		e->reserved_core[p->slot] = core;
		set_error(p, "the co-kernel core did not answer; it stays reserved until it is free");
		return -ETIMEDOUT;
	}
	if (m.status) {
		strscpy(p->error, slot_of(e, p->slot)->error, COK_ERROR_LEN);
		cok_store_release(&slot_of(e, p->slot)->state, COK_APP_NONE);
		return -ENOEXEC;
	}
	return 0;
}

static int stage_and_launch(struct cok_enclave *e, u32 core,
			    struct cok_ioc_launch *l, struct placement *p,
			    const void *elf, const void *strings, u32 app_id)
{
	struct cok_launch_block b = {};
	u64 total = ALIGN(sizeof(b), 64) + l->elf_size + l->strings_size;
	u64 off;
	int err;

	err = stage(e, core, total, p, &off);
	if (err)
		return err;
	fill_block(&b, l, app_id, total);
	err = copy_in(e, off + b.elf_offset, elf, l->elf_size);
	if (!err)
		err = copy_in(e, off + b.strings_offset, strings,
			      l->strings_size);
	if (err)
		b.magic = 0;	/* spoilt: the co-kernel drops the staging */
	copy_in(e, off, &b, sizeof(b));
	return start(e, core, COK_MSG_LAUNCH, off, p) ?: err;
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

/*
 * A new app for the caller of f, holding its argv and environment (for
 * a dump's metadata) and the proxy's own descriptors.
 */
static struct cok_app *app_new(struct cok_file *f, u64 ustrings, u64 size,
			       u32 argc, u32 envc, const s32 *private_fds,
			       struct placement *p, int *err)
{
	struct cok_app *app;

	*err = check_strings(size, argc, envc, p);
	if (*err)
		return NULL;
	app = kzalloc(sizeof(*app), GFP_KERNEL);
	if (!app) {
		*err = -ENOMEM;
		return NULL;
	}
	app->strings = vmemdup_user(u64_to_user_ptr(ustrings), size);
	if (IS_ERR(app->strings)) {
		*err = PTR_ERR(app->strings);
		kfree(app);
		return NULL;
	}
	app->strings_size = size;
	app->argc = argc;
	app->envc = envc;
	app->private_fds[0] = private_fds[0];
	app->private_fds[1] = private_fds[1];
	app->owner = f->who.uid;
	app->proxy_pid = task_tgid_nr(current);
	app->app_id = atomic_inc_return(&next_app_id);
	return app;
}

static void app_free(struct cok_app *app)
{
	if (!app)
		return;
	kvfree(app->strings);
	kfree(app);
}

/* e->lock held: app has proc slot p->slot and runs on core. */
static void bind_app(struct cok_file *f, struct cok_app *app,
		     struct cok_enclave *e, u32 core,
		     const struct placement *p)
{
	app->e = e;
	app->slot = p->slot;
	app->core = core;
	app->cores = p->cores;
	mutex_lock(&cok_enclaves_lock);
	e->procs[p->slot] = app;
	e->nproxies++;
	app->nfiles = 1;
	mutex_unlock(&cok_enclaves_lock);
	f->app = app;
	f->call = -1;
	f->call_seq = 0;
}

/*
 * The enclave for p, held and locked (its own lock), and a free core in
 * it: the core, or -errno with *e NULL.  leave() lets go of *e.
 */
static int place(struct placement *p, struct cok_enclave **e)
{
	int core;

	mutex_lock(&cok_enclaves_lock);
	*e = pick_enclave(p);
	if (*e)
		cok_enclave_hold(*e);
	mutex_unlock(&cok_enclaves_lock);
	if (!*e)
		return -ENOENT;
	if (cok_enclave_lock(*e)) {
		cok_enclave_put(*e);
		*e = NULL;
		set_error(p, "no such enclave");
		return -ENOENT;
	}
	core = pick_core(*e, p);
	if (core >= 0) {
		int err = pick_more_cores(*e, core, p);

		if (err)
			core = err;
	}
	if (core >= 0 && pick_slot(*e, p))
		core = -EBUSY;
	if (core < 0) {
		cok_enclave_unlock(*e);
		cok_enclave_put(*e);
		*e = NULL;
	}
	return core;
}

static void leave(struct cok_enclave *e)
{
	cok_enclave_unlock(e);
	cok_enclave_put(e);
}

int cok_app_launch(struct cok_ioc_launch *l, struct cok_file *f)
{
	struct placement p = { l->enclave, l->core, l->error, l->ncores };
	struct cok_enclave *e;
	struct cok_app *app;
	void *elf;
	int core, err;

	if (!l->elf_size || l->elf_size > COK_ELF_MAX) {
		set_error(&p, "program size out of range (at most 64 MiB)");
		return -EINVAL;
	}
	app = app_new(f, l->strings, l->strings_size, l->argc, l->envc,
		      l->private_fds, &p, &err);
	if (!app)
		return err;
	elf = vmemdup_user(u64_to_user_ptr(l->elf), l->elf_size);
	if (IS_ERR(elf)) {
		app_free(app);
		return PTR_ERR(elf);
	}
	core = place(&p, &e);
	err = core < 0 ? core : 0;
	if (!err)
		err = stage_and_launch(e, core, l, &p, elf, app->strings,
				       app->app_id);
	if (!err) {
		bind_app(f, app, e, core, &p);
		l->app_id = app->app_id;
		l->core_out = core;
		l->cpu_out = e->cpus[core];
		l->mem_bytes = 0;	/* nothing to map: COK_IOC_APP_MEM */
	}
	if (e)
		leave(e);
	kvfree(elf);
	if (err)
		app_free(app);
	return err;
}

static int stage_and_restore(struct cok_enclave *e, u32 core,
			     struct cok_ioc_restore *r, struct placement *p,
			     struct cok_restore_block *b, u32 app_id)
{
	u64 off;
	int err;

	err = stage(e, core, r->block_size, p, &off);
	if (err)
		return err;
	/*
	 * The module's fields: id, size, Linux's clocks now, and a fresh
	 * seed whatever the caller's block holds (two restores of one image
	 * must not hand out the same random bytes).
	 */
	get_random_bytes(b->seed, sizeof(b->seed));
	b->magic = COK_RESTORE_MAGIC;
	b->app_id = app_id;
	b->staged_size = r->block_size;
	b->tsc_khz = tsc_khz;
	b->uid = from_kuid_munged(current_user_ns(), current_uid());
	read_clocks(&b->clock_tsc, &b->clock_realtime_ns,
		    &b->clock_monotonic_ns);
	copy_in(e, off, b, r->block_size);
	memzero_explicit(b->seed, sizeof(b->seed));
	return start(e, core, COK_MSG_RESTORE, off, p);
}

int cok_app_restore(struct cok_ioc_restore *r, struct cok_file *f)
{
	struct placement p = { r->enclave, r->core, r->error, r->ncores };
	struct cok_restore_block *b;
	struct cok_enclave *e;
	struct cok_app *app;
	int core, err;

	if (r->block_size < sizeof(struct cok_restore_block) ||
	    r->block_size > sizeof(struct cok_restore_block) +
	    COK_RESTORE_MAX_REGIONS * sizeof(struct cok_region) + 64 +
	    COK_STATE_MAX_THREADS * sizeof(struct cok_thread_rec)) {
		set_error(&p, "restore block size out of range");
		return -EINVAL;
	}
	app = app_new(f, r->strings, r->strings_size, r->argc, r->envc,
		      r->private_fds, &p, &err);
	if (!app)
		return err;
	b = vmemdup_user(u64_to_user_ptr(r->block), r->block_size);
	if (IS_ERR(b)) {
		app_free(app);
		return PTR_ERR(b);
	}
	core = place(&p, &e);
	err = core < 0 ? core : 0;
	if (!err)
		err = stage_and_restore(e, core, r, &p, b, app->app_id);
	if (!err) {
		app->restoring = true;
		bind_app(f, app, e, core, &p);
		f->restoring = true;
		r->app_id = app->app_id;
		r->core_out = core;
		r->cpu_out = e->cpus[core];
		r->mem_bytes = 0;
		r->cr3 = 0;		/* pages go in with COK_IOC_APP_MEM */
	}
	if (e)
		leave(e);
	kvfree(b);
	if (err)
		app_free(app);
	return err;
}

static void fill_end(struct cok_proc_slot *s, u32 state,
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
static bool app_lost(struct cok_app *app, struct cok_ioc_event *ev)
{
	if (!cok_core_dead(app->e, app->core))
		return false;
	ev->kind = COK_EV_LOST;
	strscpy(ev->lost_reason, cok_core_dead_reason(app->e, app->core),
		sizeof(ev->lost_reason));
	return true;
}

static struct cok_fwd_syscall *mailbox(struct cok_app *app, u32 i)
{
	return &app->e->ch->fwd[i];
}

/*
 * The oldest forwarded call of f's app that waits in a mailbox and was
 * not handed to f already, or -1.  Only the app's pending bits are
 * looked at: one load when there is none.
 */
static int oldest_call(struct cok_file *f, struct cok_proc_slot *s)
{
	u64 pending = cok_load_acquire(&s->fwd_pending);
	struct cok_fwd_syscall *m, *best = NULL;
	int i, at = -1;

	while (pending) {
		i = __ffs64(pending);
		pending &= pending - 1;
		m = mailbox(f->app, i);
		if (cok_load_acquire(&m->state) != COK_SC_PENDING ||
		    m->proc != f->app->slot ||
		    READ_ONCE(f->app->handed[i]) == m->seq)
			continue;
		if (!best || (s32)(m->seq - best->seq) < 0) {
			best = m;
			at = i;
		}
	}
	return at;
}

/* Take call i for f, unless another file of the app just took it. */
static bool hand_out(struct cok_file *f, int i, struct cok_ioc_event *ev)
{
	struct cok_fwd_syscall *m = mailbox(f->app, i);
	u32 seq = m->seq, old = READ_ONCE(f->app->handed[i]);
	int a;

	if (old == seq || cmpxchg(&f->app->handed[i], old, seq) != old)
		return false;
	ev->kind = COK_EV_SYSCALL;
	ev->nr = m->nr;
	for (a = 0; a < 6; a++)
		ev->arg[a] = m->arg[a];
	f->call = i;
	f->call_seq = seq;
	return true;
}

/*
 * Poll the app's slot: spin a while (the app's next call usually comes
 * within tens of microseconds), then sleep.  cpu_relax() only every
 * POLLS_PER_RELAX polls: under QEMU TCG each PAUSE leaves the translated
 * code, and a PAUSE per poll made every forwarded call slower.  A joined
 * file (another server of a multi-threaded app's proxy) does not spin
 * and naps longer: the first server takes the app's calls while it is
 * free, and idle servers must not eat the CPU the app's Linux side needs.
 * Naps double while nothing comes, up to NAP_MAX_US: a proxy whose app
 * computes for hours wakes a thousand times a second, not fifty
 * thousand (under QEMU's -icount every wake-up is time the app's core
 * does not run, the noise figure of make bench); a call after such a
 * silence waits at most that long.
 */
int cok_app_wait(struct cok_file *f, struct cok_ioc_event *ev)
{
	struct cok_proc_slot *s;
	unsigned long polls = 0;
	unsigned int nap;
	int i;

	if (!f->app)
		return -ENOTCONN;
	nap = f->joined ? JOINED_NAP_US : NAP_MIN_US;
	s = slot_of(f->app->e, f->app->slot);
	for (;;) {
		u32 state = cok_load_acquire(&s->state);

		if (app_ended(state)) {
			fill_end(s, state, ev);
			return 0;
		}
		ev->nthreads = cok_read_once(&s->nthreads);
		i = oldest_call(f, s);
		if (i >= 0 && hand_out(f, i, ev))
			return 0;
		if (app_lost(f->app, ev))
			return 0;
		if (signal_pending(current))
			return -EINTR;
		if (f->joined || ++polls >= SPIN_BEFORE_SLEEP) {
			usleep_range(nap, nap + nap / 2 + 20);
			nap = min_t(unsigned int, nap * 2, NAP_MAX_US);
		} else if (!(polls % POLLS_PER_RELAX)) {
			cpu_relax();
		}
	}
}

/* The app waits for the forwarded call this file was handed last. */
bool cok_app_in_call(struct cok_file *f)
{
	struct cok_fwd_syscall *m;

	if (f->call < 0 ||
	    app_ended(cok_load_acquire(&slot_of(f->app->e,
						f->app->slot)->state)))
		return false;
	m = mailbox(f->app, f->call);
	return cok_load_acquire(&m->state) == COK_SC_PENDING &&
	       m->seq == f->call_seq && m->proc == f->app->slot;
}

int cok_app_reply(struct cok_file *f, s64 ret)
{
	struct cok_enclave *e;
	struct cok_fwd_syscall *m;
	u32 core;

	if (!f->app)
		return -ENOTCONN;
	if (!cok_app_in_call(f))
		return -EINVAL;		/* no call of ours is waiting */
	e = f->app->e;
	m = mailbox(f->app, f->call);
	core = READ_ONCE(m->core);
	if (core >= e->ncores || !(f->app->cores & BIT(core)))
		core = f->app->core;
	m->ret = ret;
	cok_store_release(&m->state, COK_SC_DONE);
	/* A waiter still spinning sees DONE itself (xemem/app.h). */
	if (cok_xchg(&m->waiter_awake, 0) != 1)
		cok_ring_doorbell(e->apic_ids[core]);
	return 0;
}

/* e->lock held: ask the co-kernel to end app (if it runs). */
static void send_kill(struct cok_app *app)
{
	struct cok_msg m = { .type = COK_MSG_KILL };

	if (app_gone(app))
		return;
	call(app->e, app->core, &m, KILL_TIMEOUT_MS);
}

static int wait_ended(struct cok_app *app)
{
	unsigned long deadline = jiffies + msecs_to_jiffies(KILL_TIMEOUT_MS);

	while (!app_gone(app)) {
		if (time_after(jiffies, deadline))
			return -ETIMEDOUT;
		usleep_range(50, 100);
	}
	return 0;
}

/*
 * Under cok_enclaves_lock: may app be killed now?  Not while a dump has
 * a segment of it attached (the KILL is deferred to the last detach);
 * otherwise its segments go first, so that no dump attaches any more.
 */
static bool kill_now_locked(struct cok_app *app)
{
	if (app->nattached) {
		app->kill_deferred = true;
		return false;
	}
	cok_segments_drop_app(app->app_id);
	return true;
}

/*
 * e->lock held, once: the app has no proxy and no dump any more.  An app
 * that ended gives its core back; one that did not end keeps it (and
 * its frames) until the enclave is destroyed.
 */
static void retire(struct cok_app *app)
{
	struct cok_enclave *e = app->e;
	bool ended = app_ended(app_state(app));

	mutex_lock(&cok_enclaves_lock);
	cok_segments_drop_app(app->app_id);
	e->nproxies--;
	if (ended)
		e->procs[app->slot] = NULL;
	mutex_unlock(&cok_enclaves_lock);
	if (!ended) {
		/* A dead core's app was reported (watchdog.c) already. */
		if (!cok_core_dead(e, app->core))
			pr_warn("app %u on core %u did not end; its core stays taken\n",
				app->app_id, app->core);
		return;		/* freed with the enclave */
	}
	cok_store_release(&slot_of(e, app->slot)->state, COK_APP_NONE);
	app_free(app);
}

/*
 * End the app.  While a dump has a segment of it attached, its frames
 * must stay as they are: the KILL is sent when the dump lets go.  The
 * app's own proxy holds its enclave (nproxies): app->e needs no hold.
 */
int cok_app_kill(struct cok_file *f)
{
	struct cok_app *app = f->app;
	bool now;

	if (!app)
		return -ENOTCONN;
	mutex_lock(&app->e->lock);
	mutex_lock(&cok_enclaves_lock);
	now = kill_now_locked(app);
	mutex_unlock(&cok_enclaves_lock);
	if (now)
		send_kill(app);
	mutex_unlock(&app->e->lock);
	return now ? wait_ended(app) : 0;
}

/*
 * Another server for bound's app (COK_IOC_JOIN).  bound is an open file
 * of the caller's, which keeps its app from being retired meanwhile.
 */
int cok_app_join(struct cok_file *f, struct cok_file *bound,
		 const struct cok_caller *who)
{
	struct cok_app *app = READ_ONCE(bound->app);
	int err = 0;

	if (!app || bound->restoring)
		return -EINVAL;
	mutex_lock(&cok_enclaves_lock);
	if (!cok_caller_may(who, app->owner))
		err = -EPERM;
	else if (app->proxy_gone || !app->nfiles)
		err = -ESRCH;
	else
		app->nfiles++;
	mutex_unlock(&cok_enclaves_lock);
	if (err)
		return err;
	f->app = app;
	f->call = -1;
	f->call_seq = 0;
	f->joined = true;
	return 0;
}

/*
 * One of the app's files is gone.  A call it was handed and did not
 * answer gets -EIO (its server is gone; nobody else may run it twice).
 * The last one ends the app and retires it.
 */
void cok_app_release(struct cok_file *f)
{
	struct cok_app *app = f->app;
	struct cok_enclave *e;
	bool now, last;

	if (!app)
		return;
	if (cok_app_in_call(f))
		cok_app_reply(f, -EIO);
	mutex_lock(&cok_enclaves_lock);
	last = !--app->nfiles;
	mutex_unlock(&cok_enclaves_lock);
	f->app = NULL;
	if (!last)
		return;
	e = app->e;
	mutex_lock(&e->lock);
	mutex_lock(&cok_enclaves_lock);
	/* Retired, the app no longer holds e: we do, until we are done. */
	cok_enclave_hold(e);
	app->proxy_gone = true;
	now = kill_now_locked(app);	/* else retired at the last detach */
	mutex_unlock(&cok_enclaves_lock);
	if (now)
		send_kill(app);
	mutex_unlock(&e->lock);
	if (now) {
		wait_ended(app);
		mutex_lock(&e->lock);
		retire(app);
		mutex_unlock(&e->lock);
	}
	cok_enclave_put(e);
}

/* A dump detached from a segment of app (segment.c). */
void cok_app_detached(struct cok_app *app)
{
	struct cok_enclave *e = app->e;
	bool kill, last;

	/* The attachment holds e (nproxies); then our own hold does. */
	mutex_lock(&e->lock);
	mutex_lock(&cok_enclaves_lock);
	cok_enclave_hold(e);
	app->nattached--;
	e->nproxies--;
	kill = !app->nattached && app->kill_deferred &&
	       kill_now_locked(app);
	last = kill && app->proxy_gone;
	mutex_unlock(&cok_enclaves_lock);
	if (kill)
		send_kill(app);
	/* Else its proxy sees the end and retires it. */
	if (last) {
		wait_ended(app);
		retire(app);
	}
	mutex_unlock(&e->lock);
	cok_enclave_put(e);
}

struct cok_app *cok_app_find_locked(u32 app_id)
{
	u32 slot;
	struct cok_enclave *e = cok_find_app_locked(app_id, &slot);

	return e ? e->procs[slot] : NULL;
}

/* A call of app's waiting for its proxy, or NULL (for a message). */
static struct cok_fwd_syscall *a_pending_call(struct cok_app *app)
{
	u64 pending = cok_load_acquire(&slot_of(app->e, app->slot)->fwd_pending);
	struct cok_fwd_syscall *m;

	for (; pending; pending &= pending - 1) {
		m = mailbox(app, __ffs64(pending));
		if (cok_load_acquire(&m->state) == COK_SC_PENDING)
			return m;
	}
	return NULL;
}

/*
 * A FREEZE that finds the app in a forwarded system call takes effect
 * when the call returns.  If the proxy has not answered in time (a read
 * from a terminal, say), THAW withdraws it: the app stays running.
 */
static int freeze_core(struct cok_app *app, u64 *core_ns,
		       struct netlink_ext_ack *extack)
{
	struct cok_msg m = { .type = COK_MSG_FREEZE };
	struct cok_enclave *e = app->e;
	u32 core = app->core, app_id = app->app_id;
	struct cok_fwd_syscall *sc;
	int err = call(e, core, &m, FREEZE_TIMEOUT_MS);

	if (err == -ETIMEDOUT) {
		/* Withdraw it: the freeze must not happen behind our back. */
		m = (struct cok_msg){ .type = COK_MSG_THAW };
		call(e, core, &m, FREEZE_TIMEOUT_MS);
		sc = a_pending_call(app);
		if (sc)
			cok_err(extack, "app %u is in a system call (%llu) its proxy has not answered within %u ms; not frozen, try again",
				app_id, (unsigned long long)READ_ONCE(sc->nr),
				FREEZE_TIMEOUT_MS);
		else
			cok_err(extack, "app %u did not stop within %u ms (a long system call?); not frozen, try again",
				app_id, FREEZE_TIMEOUT_MS);
		return -EAGAIN;
	}
	if (!err && m.status == -COK_ENOSTOP) {
		cok_err(extack, "app %u: a co-kernel core running its threads did not stop in time (it stays running); try again",
			app_id);
		return -EAGAIN;
	}
	if (err || m.status) {
		cok_err(extack, "the co-kernel core did not freeze app %u",
			app_id);
		return err ?: -EIO;
	}
	*core_ns = tsc_khz ? mul_u64_u32_div(m.arg[0], 1000000, tsc_khz) : 0;
	return 0;
}

/*
 * Every THAW reseeds the app's random generator: after a dump the app
 * and the image's restores must not share one (xemem/channel.h).
 */
static void seed_thaw(struct cok_msg *m)
{
	get_random_bytes(m->arg, COK_RNG_SEED_SIZE);
	m->arg[COK_THAW_SEED_MARK] = COK_THAW_SEEDED;
}

static int thaw_core(struct cok_app *app, struct netlink_ext_ack *extack)
{
	struct cok_msg m = { .type = COK_MSG_THAW };
	bool busy;
	int err;

	/* Its segments go with the check: no dump attaches after it. */
	mutex_lock(&cok_enclaves_lock);
	busy = app->nattached;
	if (!busy)
		cok_segments_drop_app(app->app_id);
	mutex_unlock(&cok_enclaves_lock);
	if (busy) {
		cok_err(extack, "a dump is reading app %u's memory (a segment of it is attached); thaw it when the dump is done",
			app->app_id);
		return -EBUSY;
	}
	seed_thaw(&m);
	err = call(app->e, app->core, &m, FREEZE_TIMEOUT_MS);
	memzero_explicit(m.arg, COK_RNG_SEED_SIZE);
	if (err || m.status) {
		cok_err(extack, "the co-kernel core did not thaw app %u",
			app->app_id);
		return err ?: -EIO;
	}
	return 0;
}

/* e->lock held: freeze or thaw app, whose state allows it. */
static int freeze_thaw_locked(struct cok_app *app, bool thaw,
			      struct cok_freeze_times *times,
			      struct netlink_ext_ack *extack)
{
	u32 state = app_state(app);
	u64 t0;
	int err;

	if (!thaw && state == COK_APP_FROZEN) {
		cok_err(extack, "app %u is already frozen", app->app_id);
		return -EALREADY;
	}
	if (thaw && state != COK_APP_FROZEN) {
		cok_err(extack, "app %u is not frozen (it is %s)", app->app_id,
			cok_app_state_name(state));
		return -EINVAL;
	}
	if (!thaw && state != COK_APP_RUNNING) {
		cok_err(extack, "app %u is not running (it is %s)", app->app_id,
			cok_app_state_name(state));
		return -ESRCH;
	}
	t0 = ktime_get_ns();
	times->core_ns = 0;
	err = thaw ? thaw_core(app, extack) :
		     freeze_core(app, &times->core_ns, extack);
	times->ns = ktime_get_ns() - t0;
	times->core_ns = min(times->core_ns, times->ns);
	return err;
}

#define SI_KERNEL_CODE	0x80

/*
 * e->lock held: the app's home core answered a stop signal it leaves
 * at its default (arg[0] 1): the app freezes, as a stopped job; 1 tells
 * the proxy to stop itself.  SIGCONT thaws such an app first.
 */
static int job_stop(struct cok_app *app)
{
	struct cok_freeze_times times;
	int err = freeze_thaw_locked(app, false, &times, NULL);

	if (err == -EALREADY)
		return 1;	/* frozen already (cokctl freeze): stays so */
	if (err)
		return err;
	app->job_stopped = true;
	return 1;
}

static void job_continue(struct cok_app *app)
{
	struct cok_freeze_times times;

	if (app->job_stopped && !freeze_thaw_locked(app, true, &times, NULL))
		app->job_stopped = false;
}

/*
 * A signal for f's app (COK_IOC_SIGNAL), to its home core, which queues
 * it (or, the app frozen, keeps it pending).  The caller is the app's
 * own proxy: a file bound to it.  1: a stop signal froze the app.
 */
int cok_app_signal(struct cok_file *f, const struct cok_ioc_signal *s)
{
	struct cok_app *app = f->app;
	struct cok_msg m = { .type = COK_MSG_SIGNAL };
	int err;

	if (!app)
		return -ENOTCONN;
	if (!s->signo || s->signo > 64 || s->signo == SIGKILL ||
	    (s->code > 0 && s->code != SI_KERNEL_CODE))
		return -EINVAL;
	m.arg[0] = s->signo;
	m.arg[1] = (u32)s->code;
	m.arg[2] = (u32)s->pid;
	m.arg[3] = s->uid;
	m.arg[4] = s->value;
	mutex_lock(&app->e->lock);
	if (s->signo == SIGCONT && !app_gone(app))
		job_continue(app);
	err = app_gone(app) ? -ESRCH :
	      call(app->e, app->core, &m, KILL_TIMEOUT_MS);
	if (!err && m.status)
		err = m.status == -COK_EBUSY ? -EBUSY : -EINVAL;
	if (!err && m.arg[0] == 1)
		err = job_stop(app);
	mutex_unlock(&app->e->lock);
	return err;
}

/*
 * The app with that id, its enclave held and locked (its own lock: the
 * app cannot be retired meanwhile), or NULL.  leave() lets go of it.
 */
struct cok_app *cok_app_enter(u32 app_id)
{
	struct cok_enclave *e;
	struct cok_app *app;
	u32 slot;

	mutex_lock(&cok_enclaves_lock);
	e = cok_find_app_locked(app_id, &slot);
	if (e)
		cok_enclave_hold(e);
	mutex_unlock(&cok_enclaves_lock);
	if (!e)
		return NULL;
	if (cok_enclave_lock(e)) {
		cok_enclave_put(e);
		return NULL;
	}
	/* Retired since (app ids are never reused)? */
	app = e->procs[slot];
	if (app && app->app_id == app_id)
		return app;
	leave(e);
	return NULL;
}

void cok_app_leave(struct cok_app *app)
{
	leave(app->e);
}

int cok_app_freeze(u32 app_id, bool thaw, const struct cok_caller *who,
		   struct cok_freeze_times *times,
		   struct netlink_ext_ack *extack)
{
	struct cok_app *app = cok_app_enter(app_id);
	int err;

	if (!app) {
		cok_err(extack, "no app with id %u", app_id);
		return -ESRCH;
	}
	if (!cok_caller_may(who, app->owner)) {
		cok_err(extack, "app %u belongs to another user", app_id);
		err = -EPERM;
	} else if (app->restoring) {
		cok_err(extack, "app %u is being restored", app_id);
		err = -EBUSY;
	} else {
		err = freeze_thaw_locked(app, thaw, times, extack);
	}
	cok_app_leave(app);
	return err;
}

/* The restored app's pages are written: let it run (COK_IOC_RESUME). */
int cok_app_resume(struct cok_file *f)
{
	struct cok_freeze_times times;
	int err;

	if (!f->app)
		return -ENOTCONN;
	if (!f->restoring)
		return -EINVAL;
	mutex_lock(&f->app->e->lock);
	err = freeze_thaw_locked(f->app, true, &times, NULL);
	if (!err) {
		f->restoring = false;
		f->app->restoring = false;
	}
	mutex_unlock(&f->app->e->lock);
	return err;
}
