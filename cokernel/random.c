// SPDX-License-Identifier: GPL-2.0
/*
 * An app's random bytes: getrandom() and AT_RANDOM come from its own
 * ChaCha20 generator (xemem/chacha20.h), seeded with 32 bytes Linux
 * takes from get_random_bytes() for every launch and restore and hands
 * again with every THAW, so that two restores of one image, or an image
 * and the app it was dumped from, never share a generator.  Nothing of
 * the generator goes into an image.  RDSEED (or else RDRAND) words are
 * mixed into every seeding where the CPU has them.
 */
#include "cokernel.h"


#define PAGE_SIZE	4096ULL
/* Linux's getrandom() flags, and its cap on one call (MAX_RW_COUNT). */
#define GRND_NONBLOCK	0x0001U
#define GRND_RANDOM	0x0002U
#define GRND_INSECURE	0x0004U
#define MAX_RW_COUNT	0x7ffff000ULL

#define CPUID1_ECX_RDRAND	(1U << 30)
#define CPUID7_EBX_RDSEED	(1U << 18)
/* Intel's DRNG guide: a few retries make an underflow unlikely. */
#define HW_RETRIES		10
/* Bytes made per step of getrandom(): one copy, at most one page. */
#define FILL_STEP		512

static bool have_rdrand, have_rdseed;

static void cpuid(uint32_t leaf, uint32_t sub, uint32_t r[4])
{
	r[0] = leaf;
	r[2] = sub;
	__asm__ volatile("cpuid" : "+a"(r[0]), "=b"(r[1]), "+c"(r[2]),
			 "=d"(r[3]));
}

/* Once, on core 0 before the others start: CPU features and self-test. */
void rng_init(void)
{
	uint32_t r[4];

	cpuid(0, 0, r);
	if (r[0] >= 7) {
		cpuid(7, 0, r);
		have_rdseed = r[1] & CPUID7_EBX_RDSEED;
	}
	cpuid(1, 0, r);
	have_rdrand = r[2] & CPUID1_ECX_RDRAND;
	if (!cok_chacha20_selftest())
		cok_panic("rng: ChaCha20 self-test (RFC 8439 2.3.2) failed\n");
	cok_printf("rng: ChaCha20 self-test (RFC 8439 2.3.2) passed; seeds from Linux%s\n",
		   have_rdseed ? " + RDSEED" : have_rdrand ? " + RDRAND" : "");
}

/* RDSEED/RDRAND set CF when the word they return is valid. */
static bool rdseed32(uint32_t *v)
{
	bool ok;

	__asm__ volatile("rdseed %0; setc %1" : "=r"(*v), "=qm"(ok));
	return ok;
}

static bool rdrand32(uint32_t *v)
{
	bool ok;

	__asm__ volatile("rdrand %0; setc %1" : "=r"(*v), "=qm"(ok));
	return ok;
}

/* One word from the CPU, or 0 without one: the Linux seed suffices. */
static uint32_t hw_word(void)
{
	uint32_t v;
	int i;

	for (i = 0; have_rdseed && i < HW_RETRIES; i++)
		if (rdseed32(&v))
			return v;
	for (i = 0; have_rdrand && i < HW_RETRIES; i++)
		if (rdrand32(&v))
			return v;
	return 0;
}

/*
 * A new generator for the app from Linux's seed; the seed is wiped where
 * it lies.  why != NULL: say so on the console ("restore", "thaw").
 */
void rng_seed_app(struct cok_kcore *core, uint8_t seed[COK_RNG_SEED_SIZE],
		  const char *why)
{
	uint32_t extra[COK_RNG_EXTRA_WORDS];
	int i;

	for (i = 0; i < COK_RNG_EXTRA_WORDS; i++)
		extra[i] = hw_word();
	cok_rng_seed(&core->current->proc->rng, seed, extra);
	cok_wipe(extra, sizeof(extra));
	cok_wipe(seed, COK_RNG_SEED_SIZE);
	if (why)
		cok_printf("core %u: app %u: random generator reseeded from Linux (%s)\n",
			   core->index, core->current->proc->pid, why);
}

/* THAW: arg[0..3] carry a seed when arg[4] says so (xemem/channel.h). */
void rng_thaw(struct cok_kcore *core, struct cok_msg *m)
{
	if (m->arg[COK_THAW_SEED_MARK] != COK_THAW_SEEDED)
		return;
	rng_seed_app(core, (uint8_t *)m->arg, "thaw");
	m->arg[COK_THAW_SEED_MARK] = 0;
}

void rng_bytes(struct cok_proc *p, void *out, size_t len)
{
	cok_rng_fill(&p->rng, out, len);
}

/*
 * getrandom(2) as Linux answers it: the same flag checks; the generator
 * is always ready, so GRND_NONBLOCK never waits and GRND_RANDOM is the
 * same pool; at most MAX_RW_COUNT bytes; a buffer that ends in unmapped
 * memory gets what fits before it (-EFAULT if nothing).  Made in steps
 * that never cross a page, so that count is exact; between pages a
 * KILL can get in, and a freeze waiting for the call ends it early with
 * what it has, as a signal does on Linux.
 */
int64_t sys_getrandom(struct cok_kcore *core, struct cok_regs *r)
{
	struct cok_proc *p = core->current->proc;
	uint64_t buf = r->rdi, len = r->rsi;
	uint32_t flags = (uint32_t)r->rdx;	/* an unsigned int on Linux */
	uint8_t step[FILL_STEP];
	uint64_t done = 0;

	if (flags & ~(GRND_NONBLOCK | GRND_RANDOM | GRND_INSECURE))
		return -EINVAL;
	if ((flags & (GRND_INSECURE | GRND_RANDOM)) ==
	    (GRND_INSECURE | GRND_RANDOM))
		return -EINVAL;
	if (len > MAX_RW_COUNT)
		len = MAX_RW_COUNT;
	if (buf > COK_USER_END || len > COK_USER_END - buf)
		return -EFAULT;		/* Linux's access_ok() */
	if (!len)
		return 0;
	while (done < len) {
		uint64_t room = PAGE_SIZE - ((buf + done) & (PAGE_SIZE - 1));
		uint64_t n = len - done;

		n = n < room ? n : room;
		n = n < FILL_STEP ? n : FILL_STEP;
		spin_lock(&p->lock);	/* other threads draw too */
		rng_bytes(p, step, n);
		spin_unlock(&p->lock);
		if (as_put(&p->as, buf + done, step, n))
			break;
		done += n;
		if (!((buf + done) & (PAGE_SIZE - 1)) && done < len) {
			__asm__ volatile("sti; nop; cli" ::: "memory");
			if (core->freeze_pending)
				break;
		}
	}
	cok_wipe(step, sizeof(step));
	return done ? (int64_t)done : -EFAULT;
}
