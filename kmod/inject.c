// SPDX-License-Identifier: GPL-2.0
/*
 * Fault injection, to test the watchdog: /sys/kernel/debug/ckpt_cokernel/
 * inject (root only, write only) takes one line,
 *
 *   hang CPU    that co-kernel core spins for ever with interrupts off
 *   panic CPU   that co-kernel core takes its panic path (cok_panic)
 *
 * CPU being the Linux CPU number of an enclave core.  The order is a
 * command message (COK_MSG_INJECT) that the core answers, then obeys,
 * whatever it is doing.  Anything else is refused with EINVAL and a
 * kernel log line saying why.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/capability.h>
#include <linux/debugfs.h>
#include <linux/fs.h>
#include <linux/kernel.h>
#include <linux/string.h>
#include <linux/uaccess.h>
#include "enclave_priv.h"
#include "inject.h"

#define INJECT_LINE_MAX		32
#define INJECT_TIMEOUT_MS	1000

static struct dentry *inject_dir;

/* "hang 3" or "panic 3", one optional newline: the kind and the CPU. */
static int parse(char *line, u32 *kind, u32 *cpu)
{
	char *arg = strchr(line, ' ');

	if (!arg)
		return -EINVAL;
	*arg++ = '\0';
	if (!strcmp(line, "hang"))
		*kind = COK_INJECT_HANG;
	else if (!strcmp(line, "panic"))
		*kind = COK_INJECT_PANIC;
	else
		return -EINVAL;
	return kstrtou32(strim(arg), 10, cpu);
}

/* e->lock held: send the order to core and wait for its answer. */
static int inject_core(struct cok_enclave *e, u32 core, u32 kind, u32 cpu)
{
	struct cok_msg m = { .type = COK_MSG_INJECT, .arg = { kind } };
	int err;

	if (cok_core_dead(e, core)) {
		pr_info("inject: CPU %u (enclave %u core %u) is dead already\n",
			cpu, e->id, core);
		return -EINVAL;
	}
	err = cok_send_cmd(e, core, &m);
	if (!err)
		err = cok_wait_reply(e, core, &m, INJECT_TIMEOUT_MS);
	if (err || m.status) {
		pr_info("inject: CPU %u (enclave %u core %u) did not take the order (%d)\n",
			cpu, e->id, core, err ?: (int)m.status);
		return -EIO;
	}
	pr_info("inject: %s on CPU %u (enclave %u core %u)\n",
		kind == COK_INJECT_HANG ? "hang" : "panic", cpu, e->id, core);
	return 0;
}

static ssize_t inject_write(struct file *f, const char __user *ubuf,
			    size_t len, loff_t *pos)
{
	char line[INJECT_LINE_MAX];
	struct cok_enclave *e;
	u32 kind, cpu, core;
	int err;

	if (!capable(CAP_SYS_ADMIN))
		return -EPERM;
	if (!len || len >= sizeof(line)) {
		pr_info("inject: want 'hang CPU' or 'panic CPU'\n");
		return -EINVAL;
	}
	if (copy_from_user(line, ubuf, len))
		return -EFAULT;
	line[len] = '\0';
	if (parse(line, &kind, &cpu)) {
		pr_info("inject: want 'hang CPU' or 'panic CPU'\n");
		return -EINVAL;
	}
	mutex_lock(&cok_enclaves_lock);
	e = cok_find_cpu_locked(cpu, &core);
	if (e)
		cok_enclave_hold(e);
	mutex_unlock(&cok_enclaves_lock);
	/* Being destroyed counts as not an enclave core any more. */
	if (!e || cok_enclave_lock(e)) {
		pr_info("inject: CPU %u is not an enclave core\n", cpu);
		err = -EINVAL;
	} else {
		err = inject_core(e, core, kind, cpu);
		cok_enclave_unlock(e);
	}
	if (e)
		cok_enclave_put(e);
	return err ?: len;
}

static const struct file_operations inject_fops = {
	.owner	= THIS_MODULE,
	.open	= simple_open,
	.write	= inject_write,
};

void cok_inject_init(void)
{
	inject_dir = debugfs_create_dir(KBUILD_MODNAME, NULL);
	debugfs_create_file("inject", 0200, inject_dir, NULL, &inject_fops);
}

void cok_inject_exit(void)
{
	debugfs_remove_recursive(inject_dir);
}
