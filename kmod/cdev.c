// SPDX-License-Identifier: GPL-2.0
/*
 * /dev/ckpt_cokernel: one open file per app (xemem/cokdev.h).  The file
 * is the proxy's handle: the app ends when the last reference to it goes
 * away, whether the proxy exits, crashes or is killed.
 *
 * The device may be handed to users (a udev rule making it 0666): what
 * an opener may touch is decided from the opener's credentials and the
 * caller's, never from the mode of the node (app.h, cok_caller_may).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/capability.h>
#include <linux/cred.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/miscdevice.h>
#include <linux/mm.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include "app.h"
#include "segment.h"

static int cok_dev_open(struct inode *inode, struct file *file)
{
	struct cok_file *f = kzalloc(sizeof(*f), GFP_KERNEL);

	if (!f)
		return -ENOMEM;
	mutex_init(&f->lock);
	spin_lock_init(&f->seg_lock);
	atomic_set(&f->seg_maps, 0);
	f->who.uid = current_euid();
	f->who.admin = has_capability_noaudit(current, CAP_SYS_ADMIN);
	file->private_data = f;
	return 0;
}

static int cok_dev_release(struct inode *inode, struct file *file)
{
	struct cok_file *f = file->private_data;

	if (f->seg)
		cok_seg_detach(f);
	cok_app_release(f);
	mutex_destroy(&f->lock);
	kfree(f);
	return 0;
}

/*
 * The caller of an ioctl, as the opener saw it: a file passed to a
 * process of another user, or from root to a user, is worth no more
 * than what both may do.
 */
static struct cok_caller caller_of(struct file *file)
{
	struct cok_file *f = file->private_data;
	struct cok_caller who = {
		.uid = uid_eq(f->who.uid, current_euid()) ? f->who.uid :
							    INVALID_UID,
		.admin = f->who.admin &&
			 has_capability_noaudit(current, CAP_SYS_ADMIN),
	};

	return who;
}

static long ioctl_launch(struct cok_file *f, void __user *arg)
{
	struct cok_ioc_launch *l;
	long err;

	if (f->app || f->seg)
		return -EBUSY;		/* one app per open file */
	l = kmalloc(sizeof(*l), GFP_KERNEL);
	if (!l)
		return -ENOMEM;
	if (copy_from_user(l, arg, sizeof(*l))) {
		kfree(l);
		return -EFAULT;
	}
	l->error[0] = '\0';
	err = cok_app_launch(l, f);
	l->error[sizeof(l->error) - 1] = '\0';
	if (copy_to_user(arg, l, sizeof(*l)) && !err)
		err = -EFAULT;
	kfree(l);
	return err;
}

static long ioctl_restore(struct cok_file *f, void __user *arg)
{
	struct cok_ioc_restore *r;
	long err;

	if (f->app || f->seg)
		return -EBUSY;
	r = kmalloc(sizeof(*r), GFP_KERNEL);
	if (!r)
		return -ENOMEM;
	if (copy_from_user(r, arg, sizeof(*r))) {
		kfree(r);
		return -EFAULT;
	}
	r->error[0] = '\0';
	err = cok_app_restore(r, f);
	r->error[sizeof(r->error) - 1] = '\0';
	if (copy_to_user(arg, r, sizeof(*r)) && !err)
		err = -EFAULT;
	kfree(r);
	return err;
}

static long ioctl_app_mem(struct cok_file *f, void __user *arg)
{
	struct cok_ioc_app_mem m;
	long err;

	if (copy_from_user(&m, arg, sizeof(m)))
		return -EFAULT;
	err = cok_app_mem(f, &m);
	if (copy_to_user(arg, &m, sizeof(m)) && !err)
		err = -EFAULT;
	return err;
}

/*
 * A read's bytes into the app, then (if they all went in) the call's
 * result: one ioctl for both.  After a short copy nothing is replied;
 * the proxy gives the bytes the app could not take back to their file.
 */
static long ioctl_reply_mem(struct cok_file *f, void __user *arg)
{
	struct cok_ioc_reply_mem r;
	long err;

	if (copy_from_user(&r, arg, sizeof(r)))
		return -EFAULT;
	if (r.mem.op != COK_MEM_WRITE || r.pad)
		return -EINVAL;
	r.replied = 0;
	err = cok_app_mem(f, &r.mem);
	if (!err && r.mem.done == r.mem.len) {
		err = cok_app_reply(f, r.ret);
		r.replied = !err;
	}
	if (copy_to_user(arg, &r, sizeof(r)) && !err)
		err = -EFAULT;
	return err;
}

static long ioctl_seg_make(const struct cok_caller *who, void __user *arg)
{
	struct cok_ioc_seg_make mk;
	long err;

	if (copy_from_user(&mk, arg, sizeof(mk)))
		return -EFAULT;
	mk.error[0] = '\0';
	err = cok_seg_make(&mk, who);
	mk.error[sizeof(mk.error) - 1] = '\0';
	if (copy_to_user(arg, &mk, sizeof(mk)) && !err)
		err = -EFAULT;
	return err;
}

static long ioctl_seg_get(const struct cok_caller *who, void __user *arg)
{
	struct cok_ioc_seg_get g;
	long err;

	if (copy_from_user(&g, arg, sizeof(g)))
		return -EFAULT;
	err = cok_seg_get(&g, who);
	if (!err && copy_to_user(arg, &g, sizeof(g)))
		err = -EFAULT;
	return err;
}

static long ioctl_seg_attach(struct cok_file *f, void __user *arg)
{
	struct cok_ioc_seg_attach a;

	if (copy_from_user(&a, arg, sizeof(a)))
		return -EFAULT;
	return cok_seg_attach(f, &a);
}

static const struct file_operations cok_dev_fops;

/* COK_IOC_JOIN: f serves the app of the caller's open file fd too. */
static long ioctl_join(struct cok_file *f, const struct cok_caller *who,
		       void __user *arg)
{
	struct file *bound;
	s32 fd;
	long err;

	if (f->app || f->seg)
		return -EBUSY;
	if (copy_from_user(&fd, arg, sizeof(fd)))
		return -EFAULT;
	bound = fget(fd);
	if (!bound)
		return -EBADF;
	if (bound->f_op != &cok_dev_fops || bound->private_data == f)
		err = -EINVAL;
	else
		err = cok_app_join(f, bound->private_data, who);
	fput(bound);
	return err;
}

static long ioctl_wait(struct cok_file *f, void __user *arg)
{
	struct cok_ioc_event ev = {};
	int err = cok_app_wait(f, &ev);

	if (err)
		return err;
	return copy_to_user(arg, &ev, sizeof(ev)) ? -EFAULT : 0;
}

static long ioctl_signal(struct cok_file *f, void __user *uarg)
{
	struct cok_ioc_signal s;

	if (copy_from_user(&s, uarg, sizeof(s)))
		return -EFAULT;
	return cok_app_signal(f, &s);
}

static long dispatch(struct cok_file *f, const struct cok_caller *who,
		     unsigned int cmd, void __user *uarg)
{
	s64 ret;
	u32 id;

	switch (cmd) {
	case COK_IOC_LAUNCH:
	case COK_IOC_RESTORE:
		/* The app will be the opener's: the caller must be it. */
		if (!uid_valid(who->uid))
			return -EPERM;
		return cmd == COK_IOC_LAUNCH ? ioctl_launch(f, uarg) :
					       ioctl_restore(f, uarg);
	case COK_IOC_WAIT:
		return ioctl_wait(f, uarg);
	case COK_IOC_APP_MEM:
		return ioctl_app_mem(f, uarg);
	case COK_IOC_REPLY_MEM:
		return ioctl_reply_mem(f, uarg);
	case COK_IOC_REPLY:
		if (copy_from_user(&ret, uarg, sizeof(ret)))
			return -EFAULT;
		return cok_app_reply(f, ret);
	case COK_IOC_KILL:
		return cok_app_kill(f);
	case COK_IOC_SIGNAL:
		return ioctl_signal(f, uarg);
	case COK_IOC_JOIN:
		if (!uid_valid(who->uid))
			return -EPERM;
		return ioctl_join(f, who, uarg);
	case COK_IOC_RESUME:
		return cok_app_resume(f);
	case COK_IOC_SEG_MAKE:
		return ioctl_seg_make(who, uarg);
	case COK_IOC_SEG_GET:
		return ioctl_seg_get(who, uarg);
	case COK_IOC_SEG_ATTACH:
		return ioctl_seg_attach(f, uarg);
	case COK_IOC_SEG_DETACH:
		return cok_seg_detach(f);
	case COK_IOC_SEG_REMOVE:
		if (copy_from_user(&id, uarg, sizeof(id)))
			return -EFAULT;
		return cok_seg_remove(id, who);
	default:
		return -ENOTTY;
	}
}

/* One state machine per open file: its ioctls run one at a time. */
static long cok_dev_ioctl(struct file *file, unsigned int cmd,
			  unsigned long arg)
{
	struct cok_file *f = file->private_data;
	struct cok_caller who = caller_of(file);
	long err;

	if (mutex_lock_interruptible(&f->lock))
		return -EINTR;
	err = dispatch(f, &who, cmd, (void __user *)arg);
	mutex_unlock(&f->lock);
	return err;
}

/*
 * Only a segment attached to the file can be mapped, and only shared: a
 * private (copy-on-write) mapping of frames the module inserts is not
 * something the kernel's fault path supports.  An app's file has
 * nothing to map: its proxy copies with COK_IOC_APP_MEM.
 */
static int cok_dev_mmap(struct file *file, struct vm_area_struct *vma)
{
	if (!(vma->vm_flags & VM_SHARED))
		return -EINVAL;
	return cok_seg_mmap(file->private_data, vma);
}

/*
 * /proc/PID/fdinfo/FD: which app a file serves as its proxy's, for a
 * dump to know the proxy's own files from the app's.  f->app is set once
 * and the app outlives the files bound to it (their count, nfiles); a
 * file being shown is not being released.
 */
static void cok_dev_show_fdinfo(struct seq_file *m, struct file *file)
{
	struct cok_file *f = file->private_data;
	struct cok_app *app = READ_ONCE(f->app);

	if (app)
		seq_printf(m, COK_FDINFO_PROXY_OF "\t%u\n", app->app_id);
}

static const struct file_operations cok_dev_fops = {
	.owner		= THIS_MODULE,
	.open		= cok_dev_open,
	.release	= cok_dev_release,
	.unlocked_ioctl	= cok_dev_ioctl,
	.mmap		= cok_dev_mmap,
	.show_fdinfo	= cok_dev_show_fdinfo,
};

/* Root only by default; see the security model in README.md. */
static struct miscdevice cok_dev = {
	.minor	= MISC_DYNAMIC_MINOR,
	.name	= "ckpt_cokernel",
	.fops	= &cok_dev_fops,
	.mode	= 0600,
};

int cok_cdev_register(void)
{
	return misc_register(&cok_dev);
}

void cok_cdev_unregister(void)
{
	misc_deregister(&cok_dev);
}
