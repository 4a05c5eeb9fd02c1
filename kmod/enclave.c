// SPDX-License-Identifier: GPL-2.0
/*
 * Enclave lifecycle: take cores and 2 MiB chunks from Linux, boot the
 * co-kernel on them, talk to it over the channel, give everything back.
 *
 * Locks (enclave_priv.h): cok_enclaves_lock guards the table and is held
 * for microseconds; each enclave's own lock is held across its waits on
 * the co-kernel (a ping, a launch), so that a sick core stalls only its
 * own enclave's users.  Creation and destruction, slow (CPU hotplug) and
 * users of the one SIPI trampoline page, are serialised by boot_lock,
 * which no other path takes: a create does not hold up a status.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/cpu.h>
#include <linux/delay.h>
#include <linux/gfp.h>
#include <linux/idr.h>
#include <linux/ktime.h>
#include <linux/mm.h>
#include <linux/mutex.h>
#include <linux/slab.h>
#include <linux/wait_bit.h>
#include <asm/tsc.h>
#include "enclave.h"
#include "boot.h"
#include "pgtable.h"
#include "resources.h"
#include "compat.h"
#include "enclave_priv.h"
#include "app.h"
#include "appmem.h"

#define CHUNK_ORDER		(COK_CHUNK_SHIFT - PAGE_SHIFT)
#define CHUNK_PAGES		(1UL << CHUNK_ORDER)
#define BOOT_TIMEOUT_MS		3000
#define PING_TIMEOUT_MS		100
#define STOP_TIMEOUT_MS		100
#define REPLY_SPINS		2000	/* polls before a boot wait sleeps */
#define REPLY_SPIN_NS		(500 * NSEC_PER_USEC)	/* wait_reply spins */

DEFINE_MUTEX(cok_enclaves_lock);
/* Creation and destruction: the trampoline page, CPU hotplug, INIT. */
static DEFINE_MUTEX(boot_lock);
static DEFINE_IDR(enclaves);
static struct cpumask cpus_taken;

static const char *const stage_names[] = {
	[COK_STAGE_NONE] = "none",
	[COK_STAGE_SIPI_SENT] = "sipi-sent",
	[COK_STAGE_REAL_MODE] = "real-mode",
	[COK_STAGE_PROT_MODE] = "protected-mode",
	[COK_STAGE_LONG_MODE] = "long-mode",
	[COK_STAGE_ENTRY] = "entry",
	[COK_STAGE_IDT] = "idt",
	[COK_STAGE_APIC] = "apic",
	[COK_STAGE_RUNNING] = "running",
	[COK_STAGE_STOPPED] = "stopped",
	[COK_STAGE_FAILED] = "failed",
	[COK_STAGE_DEAD] = "dead",
};

const char *cok_stage_name(u32 stage)
{
	if (stage < ARRAY_SIZE(stage_names) && stage_names[stage])
		return stage_names[stage];
	return "unknown";
}

/* ---- memory ---------------------------------------------------------- */

static void release_memory(struct cok_enclave *e, bool counted)
{
	u32 i;

	for (i = 0; i < e->nchunks_held; i++) {
		if (counted)
			adjust_managed_page_count(e->chunks[i], CHUNK_PAGES);
		__free_pages(e->chunks[i], CHUNK_ORDER);
	}
	e->nchunks_held = 0;
	kvfree(e->chunks);
	e->chunks = NULL;
	cok_appmem_unindex(e);
}

static int take_memory(struct cok_enclave *e, struct netlink_ext_ack *extack)
{
	/* No OOM killer, no warning: a refusal is an answer, not a crash. */
	const gfp_t gfp = GFP_KERNEL | __GFP_NOWARN | __GFP_RETRY_MAYFAIL;
	u64 want = (u64)e->nchunks << COK_CHUNK_SHIFT;
	u64 avail = (u64)si_mem_available() << PAGE_SHIFT;
	u32 i;

	if (want + COK_LINUX_RESERVE > avail) {
		cok_err(extack,
				       "not enough memory: %llu MiB requested, %llu MiB can be spared",
				       want >> 20,
				       avail > COK_LINUX_RESERVE ?
				       (avail - COK_LINUX_RESERVE) >> 20 : 0);
		return -ENOMEM;
	}
	e->chunks = kvcalloc(e->nchunks, sizeof(*e->chunks), GFP_KERNEL);
	if (!e->chunks)
		return -ENOMEM;
	for (i = 0; i < e->nchunks; i++) {
		/* Chunk 0 holds the boot CR3, loaded in 32-bit mode: < 4 GiB. */
		e->chunks[i] = alloc_pages(i ? gfp : gfp | __GFP_DMA32,
					   CHUNK_ORDER);
		if (!e->chunks[i]) {
			cok_err(extack,
					       "only %u of %u 2 MiB chunks could be allocated",
					       i, e->nchunks);
			release_memory(e, false);
			return -ENOMEM;
		}
		e->nchunks_held++;
	}
	if (cok_appmem_index(e)) {
		release_memory(e, false);
		return -ENOMEM;
	}
	/* Take the chunks out of MemTotal, as a balloon driver does. */
	for (i = 0; i < e->nchunks; i++)
		adjust_managed_page_count(e->chunks[i], -(long)CHUNK_PAGES);
	e->ch = page_address(e->chunks[0]);
	return 0;
}

/* ---- CPUs ------------------------------------------------------------ */

/* An enclave holds the CPU: Linux must not online it (hotplug.c). */
bool cok_cpu_held(unsigned int cpu)
{
	return cpumask_test_cpu(cpu, &cpus_taken);
}

static void return_cpus(struct cok_enclave *e)
{
	int err;

	while (e->ncpus_offline) {
		u32 cpu = e->cpus[--e->ncpus_offline];

		/* Released first, or the hotplug veto refuses our add_cpu. */
		cpumask_clear_cpu(cpu, &cpus_taken);
		err = add_cpu(cpu);
		if (err)
			pr_err("enclave %u: CPU %u could not be brought back online: %d\n",
			       e->id, cpu, err);
	}
}

static int take_cpus(struct cok_enclave *e, struct netlink_ext_ack *extack)
{
	int err;

	for (e->ncpus_offline = 0; e->ncpus_offline < e->ncores;
	     e->ncpus_offline++) {
		u32 cpu = e->cpus[e->ncpus_offline];

		cpumask_set_cpu(cpu, &cpus_taken);
		err = remove_cpu(cpu);
		if (err) {
			cpumask_clear_cpu(cpu, &cpus_taken);
			cok_err(extack,
					       "CPU %u could not be taken offline (error %d)",
					       cpu, err);
			return_cpus(e);
			return err;
		}
	}
	return 0;
}

/* ---- co-kernel image and channel ------------------------------------- */

static int prepare_chunk0(struct cok_enclave *e)
{
	u8 *base = (u8 *)e->ch;
	struct cok_channel *ch = e->ch;
	u64 pt_phys = page_to_phys(e->chunks[0]) + COK_PGTABLE_OFFSET;
	size_t image_bytes = cok_image->file_size;
	u32 i;

	memset(base, 0, COK_IMAGE_OFFSET + cok_image->mem_size);
	ch->magic = COK_CHANNEL_MAGIC;
	ch->version = COK_CHANNEL_VERSION;
	ch->ncores = e->ncores;
	ch->nchunks = e->nchunks;
	ch->enclave_id = e->id;
	ch->tsc_khz = tsc_khz;
	for (i = 0; i < e->nchunks; i++)
		ch->chunk_phys[i] = page_to_phys(e->chunks[i]);
	for (i = 0; i < e->ncores; i++) {
		ch->core[i].linux_cpu = e->cpus[i];
		ch->core[i].apic_id = e->apic_ids[i];
		cok_ring_init(&ch->core[i].cmd);
		cok_ring_init(&ch->core[i].resp);
	}
	cok_console_init(&ch->console);
	memcpy(base + COK_IMAGE_OFFSET, cok_image, image_bytes);
	return cok_build_page_tables((u64 *)(base + COK_PGTABLE_OFFSET),
				     pt_phys, ch->chunk_phys, e->nchunks);
}

u32 cok_core_stage(struct cok_enclave *e, u32 i)
{
	return cok_load_acquire(&e->ch->core[i].stage);
}

/* Wait until core i reports RUNNING; -EIO if it failed, or times out. */
static int wait_running(struct cok_enclave *e, u32 i)
{
	unsigned long deadline = jiffies + msecs_to_jiffies(BOOT_TIMEOUT_MS);
	unsigned int polls = 0;

	for (;;) {
		u32 stage = cok_core_stage(e, i);

		if (stage == COK_STAGE_RUNNING)
			return 0;
		if (stage == COK_STAGE_FAILED)
			return -EIO;
		if (time_after(jiffies, deadline))
			return -ETIMEDOUT;
		/* A core comes up in about a millisecond: spin, then sleep. */
		if (++polls < REPLY_SPINS)
			cpu_relax();
		else
			usleep_range(20, 50);
	}
}

static void boot_failed(struct cok_enclave *e, u32 i, int err,
			struct netlink_ext_ack *extack)
{
	u32 stage = cok_core_stage(e, i);

	/* Before the co-kernel's C entry only the trampoline knows. */
	if (stage < COK_STAGE_ENTRY)
		stage = cok_tramp_stage();
	cok_err(extack,
			       "co-kernel core %u (CPU %u) %s at boot stage '%s'",
			       i, e->cpus[i],
			       err == -EIO ? "failed" : "did not come up",
			       cok_stage_name(stage));
	pr_err("enclave %u: core %u (CPU %u, APIC %u) %s at stage %s\n",
	       e->id, i, e->cpus[i], e->apic_ids[i],
	       err == -EIO ? "failed" : "timed out", cok_stage_name(stage));
}

static void stop_cores(struct cok_enclave *e, u32 n);

static int boot_cores(struct cok_enclave *e, struct netlink_ext_ack *extack)
{
	struct cok_tramp_params p = {
		.cr3 = page_to_phys(e->chunks[0]) + COK_PGTABLE_OFFSET,
		.entry64 = cok_image->entry64,
		.channel = COK_VIRT_KERNEL + COK_CHANNEL_OFFSET,
	};
	int err = 0;
	u32 i;

	cok_tramp_install();
	for (i = 0; i < e->ncores; i++) {
		p.core_index = i;
		p.stack_top = COK_VIRT_KERNEL + COK_STACK_OFFSET +
			      (i + 1) * COK_STACK_SIZE;
		p.stage = COK_STAGE_SIPI_SENT;
		cok_store_release(&e->ch->core[i].stage, COK_STAGE_SIPI_SENT);
		cok_start_core(e->apic_ids[i], &p);
		err = wait_running(e, i);
		if (err) {
			boot_failed(e, i, err, extack);
			stop_cores(e, i + 1);
			break;
		}
		if (i == 0)
			e->t_first_heartbeat = ktime_get();
	}
	/* Every core runs on its own GDT and page tables now. */
	cok_tramp_restore();
	return err;
}

/* ---- commands ---------------------------------------------------------- */

int cok_send_cmd(struct cok_enclave *e, u32 i, struct cok_msg *m)
{
	lockdep_assert_held(&e->lock);
	if (cok_core_dead(e, i))
		return -EIO;		/* nobody would ever answer */
	m->seq = ++e->seq;
	if (cok_ring_push(&e->ch->core[i].cmd, m) != COK_RING_OK)
		return -EBUSY;
	cok_ring_doorbell(e->apic_ids[i]);
	return 0;
}

/* Wait for the reply to m (same seq); stale replies are dropped. */
static int wait_reply(struct cok_enclave *e, u32 i, struct cok_msg *m,
		      unsigned int timeout_ms)
{
	unsigned long deadline = jiffies + msecs_to_jiffies(timeout_ms);
	u64 spin_until = ktime_get_ns() + REPLY_SPIN_NS;
	struct cok_msg r;
	int ret;

	for (;;) {
		ret = cok_ring_pop(&e->ch->core[i].resp, &r);
		if (ret == COK_RING_OK && r.seq == m->seq) {
			*m = r;
			return 0;
		}
		if (ret == COK_RING_CORRUPT)
			return -EIO;
		/* Every pass: a flood of stale replies must not hold us. */
		if (time_after(jiffies, deadline))
			return -ETIMEDOUT;
		if (ret == COK_RING_OK)
			continue;
		/*
		 * Most answers take microseconds: spin for a while (a sleep
		 * costs more than that to wake from), then sleep.
		 */
		if (ktime_get_ns() < spin_until)
			cpu_relax();
		else
			usleep_range(20, 50);
	}
}

/* A long wait's timeout judges the core, not the watchdog. */
int cok_wait_reply(struct cok_enclave *e, u32 i, struct cok_msg *m,
		   unsigned int timeout_ms)
{
	int err;

	lockdep_assert_held(&e->lock);
	cok_watchdog_wait_begin(e, i, timeout_ms);
	err = wait_reply(e, i, m, timeout_ms);
	cok_watchdog_wait_end(e, i, !err);
	return err;
}

static bool ping(struct cok_enclave *e, u32 i)
{
	struct cok_msg m = { .type = COK_MSG_PING };

	if (cok_core_stage(e, i) != COK_STAGE_RUNNING)
		return false;
	return !cok_send_cmd(e, i, &m) &&
	       !cok_wait_reply(e, i, &m, PING_TIMEOUT_MS) && m.status == 0;
}

/* A live core that can still take a SHUTDOWN. */
static bool can_shut_down(struct cok_enclave *e, u32 i)
{
	return cok_core_stage(e, i) == COK_STAGE_RUNNING && !cok_core_dead(e, i);
}

/*
 * Ask cores 0..n-1 to stop, then INIT them whatever they answered: INIT
 * is not maskable, so it also resets a dead core (one spinning with
 * interrupts off, or halted after a panic), which add_cpu then boots.
 */
static void stop_cores(struct cok_enclave *e, u32 n)
{
	unsigned long deadline;
	u32 i;

	mutex_lock(&e->lock);
	for (i = 0; i < n; i++) {
		struct cok_msg m = { .type = COK_MSG_SHUTDOWN };

		if (can_shut_down(e, i))
			cok_send_cmd(e, i, &m);
	}
	mutex_unlock(&e->lock);
	deadline = jiffies + msecs_to_jiffies(STOP_TIMEOUT_MS);
	for (i = 0; i < n; i++) {
		while (can_shut_down(e, i) && !time_after(jiffies, deadline))
			usleep_range(20, 50);
		cok_stop_core(e->apic_ids[i]);
	}
}

/* ---- lifecycle --------------------------------------------------------- */

static void enclave_free(struct cok_enclave *e)
{
	u32 i;

	/* Apps that never ended (their cores are reset now). */
	for (i = 0; i < COK_MAX_PROCS; i++) {
		if (e->procs[i]) {
			kvfree(e->procs[i]->strings);
			kfree(e->procs[i]);
		}
	}
	return_cpus(e);
	release_memory(e, true);
	mutex_destroy(&e->lock);
	kfree(e);
}

static int enclave_setup(struct cok_enclave *e, struct netlink_ext_ack *extack)
{
	int err;

	err = take_memory(e, extack);
	if (err)
		return err;
	err = prepare_chunk0(e);
	if (err) {
		cok_err(extack, "enclave memory too large for the boot page tables");
		release_memory(e, true);
		return err;
	}
	e->t_memory_done = ktime_get();
	err = take_cpus(e, extack);
	if (err) {
		release_memory(e, true);
		return err;
	}
	e->t_offline_done = ktime_get();
	err = boot_cores(e, extack);
	if (err) {
		return_cpus(e);
		release_memory(e, true);
		return err;
	}
	return 0;
}

static void unreserve_cpus(struct cok_enclave *e)
{
	u32 i;

	for (i = 0; i < e->ncores; i++)
		cpumask_clear_cpu(e->cpus[i], &cpus_taken);
}

/*
 * Under cok_enclaves_lock: CPUs for e, marked taken (no other create
 * picks them), and an id whose entry stays NULL until e runs: lookups
 * do not see an enclave that is still booting.
 */
static int reserve_locked(struct cok_enclave *e,
			  const struct cok_create_req *req, const char **why)
{
	int n;
	u32 i;

	n = cok_pick_cpus(cpumask_bits(cpu_online_mask),
			  cpumask_bits(&cpus_taken),
			  nr_cpu_ids, req->cpu_list, req->ncpus_listed,
			  req->cpu_count, e->cpus, why);
	if (n < 0)
		return n;
	e->ncores = n;
	for (i = 0; i < e->ncores; i++) {
		e->apic_ids[i] = cpu_physical_id(e->cpus[i]);
		cpumask_set_cpu(e->cpus[i], &cpus_taken);
	}
	n = idr_alloc(&enclaves, NULL, 1, 0, GFP_KERNEL);
	if (n < 0) {
		unreserve_cpus(e);
		*why = "no enclave id left";
		return n;
	}
	e->id = n;
	return 0;
}

/* After enclave_setup: e runs and is listed, or its id and CPUs go. */
static void publish_or_drop(struct cok_enclave *e, int err)
{
	mutex_lock(&cok_enclaves_lock);
	if (err) {
		idr_remove(&enclaves, e->id);
		unreserve_cpus(e);
	} else {
		e->state = "running";
		idr_replace(&enclaves, e, e->id);
		cok_watchdog_add(e);
	}
	mutex_unlock(&cok_enclaves_lock);
}

int cok_enclave_create(const struct cok_create_req *req, u32 *id,
		       struct netlink_ext_ack *extack)
{
	const char *why = NULL;
	struct cok_enclave *e;
	int err;

	e = kzalloc(sizeof(*e), GFP_KERNEL);
	if (!e)
		return -ENOMEM;
	mutex_init(&e->lock);
	e->t_create = ktime_get();
	err = cok_mem_chunks(req->mem_bytes, &e->nchunks, &why);
	if (!err) {
		mutex_lock(&cok_enclaves_lock);
		err = reserve_locked(e, req, &why);
		mutex_unlock(&cok_enclaves_lock);
	}
	if (err) {
		cok_err(extack, "%s", why);
		goto out_free;
	}
	mutex_lock(&boot_lock);
	err = enclave_setup(e, extack);
	mutex_unlock(&boot_lock);
	if (err) {
		publish_or_drop(e, err);
		goto out_free;
	}
	/* Before it is listed: then a destroy may free it at once. */
	*id = e->id;
	pr_info("enclave %u: %u cores from CPU %u, %u MiB; first heartbeat after %lld us (memory %lld, offline %lld, start %lld)\n",
		e->id, e->ncores, e->cpus[0], e->nchunks * 2,
		ktime_us_delta(e->t_first_heartbeat, e->t_create),
		ktime_us_delta(e->t_memory_done, e->t_create),
		ktime_us_delta(e->t_offline_done, e->t_memory_done),
		ktime_us_delta(e->t_first_heartbeat, e->t_offline_done));
	publish_or_drop(e, 0);
	return 0;

out_free:
	mutex_destroy(&e->lock);
	kfree(e);
	return err;
}

void cok_enclave_hold(struct cok_enclave *e)
{
	lockdep_assert_held(&cok_enclaves_lock);
	atomic_inc(&e->users);
}

void cok_enclave_put(struct cok_enclave *e)
{
	/* Destroy waits for zero; e is not touched after the last put. */
	if (atomic_dec_and_test(&e->users))
		wake_up_var(&e->users);
}

int cok_enclave_lock(struct cok_enclave *e)
{
	mutex_lock(&e->lock);
	if (e->gone) {
		mutex_unlock(&e->lock);
		return -ENOENT;
	}
	return 0;
}

void cok_enclave_unlock(struct cok_enclave *e)
{
	mutex_unlock(&e->lock);
}

/* e->lock held: refuse, or mark e gone and take it out of the table. */
static int destroy_begin(struct cok_enclave *e, struct netlink_ext_ack *extack)
{
	int err = 0;

	mutex_lock(&cok_enclaves_lock);
	if (e->nproxies) {
		/* Proxies map the enclave memory: it must not go back. */
		cok_err(extack, "enclave %u has %u running apps: end them first",
			e->id, e->nproxies);
		err = -EBUSY;
	} else {
		e->gone = true;
		idr_remove(&enclaves, e->id);
	}
	mutex_unlock(&cok_enclaves_lock);
	return err;
}

/* e is gone and unlisted: wait for its last user, then free it. */
static void destroy_finish(struct cok_enclave *e)
{
	wait_var_event(&e->users, !atomic_read(&e->users));
	cok_watchdog_remove(e);
	mutex_lock(&boot_lock);
	stop_cores(e, e->ncores);
	pr_info("enclave %u: destroyed, %u CPUs and %u MiB returned\n",
		e->id, e->ncores, e->nchunks * 2);
	enclave_free(e);
	mutex_unlock(&boot_lock);
}

/* With a reference on e (dropped here): destroy it, or refuse. */
static int destroy_held(struct cok_enclave *e, struct netlink_ext_ack *extack)
{
	int err = cok_enclave_lock(e);

	if (err) {
		cok_err(extack, "enclave %u is being destroyed", e->id);
		cok_enclave_put(e);
		return err;
	}
	err = destroy_begin(e, extack);
	cok_enclave_unlock(e);
	cok_enclave_put(e);
	if (!err)
		destroy_finish(e);
	return err;
}

struct cok_enclave *cok_find_enclave(u32 id, struct netlink_ext_ack *extack)
{
	struct cok_enclave *e = idr_find(&enclaves, id);

	if (!e)
		cok_err(extack, "no enclave with id %u", id);
	return e;
}

/* The enclave with that id, with a reference; NULL if there is none. */
static struct cok_enclave *get_enclave(u32 id, struct netlink_ext_ack *extack)
{
	struct cok_enclave *e;

	mutex_lock(&cok_enclaves_lock);
	e = cok_find_enclave(id, extack);
	if (e)
		cok_enclave_hold(e);
	mutex_unlock(&cok_enclaves_lock);
	return e;
}

int cok_enclave_destroy(u32 id, struct netlink_ext_ack *extack)
{
	struct cok_enclave *e = get_enclave(id, extack);

	return e ? destroy_held(e, extack) : -ENOENT;
}

/* At module exit: no file is open, so no enclave has a proxy. */
void cok_enclave_destroy_all(void)
{
	struct cok_enclave *e;
	int id;

	for (;;) {
		id = 0;
		mutex_lock(&cok_enclaves_lock);
		e = idr_get_next(&enclaves, &id);
		if (e)
			cok_enclave_hold(e);
		mutex_unlock(&cok_enclaves_lock);
		if (!e || WARN_ON(destroy_held(e, NULL)))
			break;
	}
	idr_destroy(&enclaves);
}

static void fill_info(struct cok_enclave *e, struct cok_enclave_info *info)
{
	bool all_alive = true;
	u32 i;

	info->id = e->id;
	info->mem_bytes = (u64)e->nchunks << COK_CHUNK_SHIFT;
	info->mem_free = cok_read_once(&e->ch->mem_free);
	info->boot_ns = ktime_to_ns(ktime_sub(e->t_first_heartbeat,
					      e->t_create));
	info->memory_ns = ktime_to_ns(ktime_sub(e->t_memory_done, e->t_create));
	info->offline_ns = ktime_to_ns(ktime_sub(e->t_offline_done,
						 e->t_memory_done));
	info->start_ns = ktime_to_ns(ktime_sub(e->t_first_heartbeat,
					       e->t_offline_done));
	info->uptime_ns = ktime_to_ns(ktime_sub(ktime_get(),
						e->t_first_heartbeat));
	info->ncores = e->ncores;
	for (i = 0; i < e->ncores; i++) {
		struct cok_core_slot *s = &e->ch->core[i];
		struct cok_core_info *c = &info->core[i];
		struct cok_app *app;

		c->alive = !cok_core_dead(e, i) && ping(e, i);
		all_alive &= c->alive;
		c->cpu = e->cpus[i];
		c->apic_id = e->apic_ids[i];
		c->stage = cok_core_stage(e, i);
		if (cok_core_dead(e, i)) {
			c->stage = COK_STAGE_DEAD;
			strscpy(c->reason, cok_core_dead_reason(e, i),
				sizeof(c->reason));
		}
		c->heartbeat = cok_load_acquire(&s->heartbeat);
		c->interrupts = cok_read_once(&s->interrupts);
		c->nmis = cok_read_once(&s->nmis);
		c->foreign = cok_read_once(&s->foreign_irqs);
		app = cok_app_on_core(e, i);
		if (app) {
			c->app_id = app->app_id;
			c->app_state = cok_core_dead(e, i) ? "lost" :
				cok_app_state_name(cok_load_acquire(&e->ch->proc[app->slot].state));
			c->app_pid = app->proxy_pid;
			c->app_owner = app->owner;
		}
	}
	info->state = all_alive ? e->state : "degraded";
}

int cok_enclave_info(u32 id, struct cok_enclave_info *info,
		     struct netlink_ext_ack *extack)
{
	struct cok_enclave *e = get_enclave(id, extack);
	int err;

	if (!e)
		return -ENOENT;
	/* Only this enclave's users wait for its pings. */
	err = cok_enclave_lock(e);
	if (err) {
		cok_err(extack, "no enclave with id %u", id);
	} else {
		fill_info(e, info);
		cok_enclave_unlock(e);
	}
	cok_enclave_put(e);
	return err;
}

/* The enclave and core index that hold Linux CPU cpu; lock held. */
struct cok_enclave *cok_find_cpu_locked(u32 cpu, u32 *core)
{
	struct cok_enclave *e;
	int id;
	u32 i;

	idr_for_each_entry(&enclaves, e, id) {
		for (i = 0; i < e->ncores; i++) {
			if (e->cpus[i] == cpu) {
				*core = i;
				return e;
			}
		}
	}
	return NULL;
}

/* The enclave and proc slot of a launched app; lock held. */
struct cok_enclave *cok_find_app_locked(u32 app_id, u32 *slot)
{
	struct cok_enclave *e;
	int id;
	u32 i;

	idr_for_each_entry(&enclaves, e, id) {
		for (i = 0; i < COK_MAX_PROCS; i++) {
			if (e->procs[i] && e->procs[i]->app_id == app_id) {
				*slot = i;
				return e;
			}
		}
	}
	return NULL;
}

int cok_enclave_next_id_locked(u32 after, u32 *id)
{
	int next = after + 1;

	if (!idr_get_next(&enclaves, &next))
		return -ENOENT;
	*id = next;
	return 0;
}

int cok_enclave_next_id(u32 after, u32 *id)
{
	int err;

	mutex_lock(&cok_enclaves_lock);
	err = cok_enclave_next_id_locked(after, id);
	mutex_unlock(&cok_enclaves_lock);
	return err;
}

int cok_enclave_console(u32 id, u64 *pos, u8 *buf, u32 len, u32 *copied,
			u64 *lost, struct netlink_ext_ack *extack)
{
	struct cok_enclave *e;

	mutex_lock(&cok_enclaves_lock);
	e = cok_find_enclave(id, extack);
	if (e)
		*copied = cok_console_read(&e->ch->console, pos, buf, len,
					   lost);
	mutex_unlock(&cok_enclaves_lock);
	return e ? 0 : -ENOENT;
}
