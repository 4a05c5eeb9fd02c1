// SPDX-License-Identifier: GPL-2.0
/*
 * /dev/ckpt_cokernel: one open file per app (xemem/cokdev.h).  The file
 * is the proxy's handle: the app ends when the last reference to it goes
 * away, whether the proxy exits, crashes or is killed.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/fs.h>
#include <linux/miscdevice.h>
#include <linux/mm.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include "app.h"
#include "segment.h"

static int cok_dev_open(struct inode *inode, struct file *f)
{
	struct cok_app_ref *ref = kzalloc(sizeof(*ref), GFP_KERNEL);

	if (!ref)
		return -ENOMEM;
	mutex_init(&ref->lock);
	f->private_data = ref;
	return 0;
}

static int cok_dev_release(struct inode *inode, struct file *f)
{
	struct cok_app_ref *ref = f->private_data;

	if (ref->seg)
		cok_seg_detach(ref);
	cok_app_release(ref);
	mutex_destroy(&ref->lock);
	cok_app_ref_free(ref);
	return 0;
}

static long ioctl_launch(struct cok_app_ref *ref, void __user *arg)
{
	struct cok_ioc_launch *l;
	long err;

	if (ref->e || ref->seg)
		return -EBUSY;		/* one app per open file */
	l = kmalloc(sizeof(*l), GFP_KERNEL);
	if (!l)
		return -ENOMEM;
	if (copy_from_user(l, arg, sizeof(*l))) {
		kfree(l);
		return -EFAULT;
	}
	l->error[0] = '\0';
	err = cok_app_launch(l, u64_to_user_ptr(l->elf),
			     u64_to_user_ptr(l->strings), ref);
	l->error[sizeof(l->error) - 1] = '\0';
	if (copy_to_user(arg, l, sizeof(*l)) && !err)
		err = -EFAULT;
	kfree(l);
	return err;
}

static long ioctl_restore(struct cok_app_ref *ref, void __user *arg)
{
	struct cok_ioc_restore *r;
	long err;

	if (ref->e || ref->seg)
		return -EBUSY;
	r = kmalloc(sizeof(*r), GFP_KERNEL);
	if (!r)
		return -ENOMEM;
	if (copy_from_user(r, arg, sizeof(*r))) {
		kfree(r);
		return -EFAULT;
	}
	r->error[0] = '\0';
	err = cok_app_restore(r, ref);
	r->error[sizeof(r->error) - 1] = '\0';
	if (copy_to_user(arg, r, sizeof(*r)) && !err)
		err = -EFAULT;
	kfree(r);
	return err;
}

static long ioctl_seg_make(void __user *arg)
{
	struct cok_ioc_seg_make mk;
	long err;

	if (copy_from_user(&mk, arg, sizeof(mk)))
		return -EFAULT;
	mk.error[0] = '\0';
	err = cok_seg_make(&mk);
	mk.error[sizeof(mk.error) - 1] = '\0';
	if (copy_to_user(arg, &mk, sizeof(mk)) && !err)
		err = -EFAULT;
	return err;
}

static long ioctl_seg_get(void __user *arg)
{
	struct cok_ioc_seg_get g;
	long err;

	if (copy_from_user(&g, arg, sizeof(g)))
		return -EFAULT;
	err = cok_seg_get(&g);
	if (!err && copy_to_user(arg, &g, sizeof(g)))
		err = -EFAULT;
	return err;
}

static long ioctl_seg_attach(struct cok_app_ref *ref, void __user *arg)
{
	struct cok_ioc_seg_attach a;

	if (copy_from_user(&a, arg, sizeof(a)))
		return -EFAULT;
	return cok_seg_attach(ref, &a);
}

static long ioctl_wait(struct cok_app_ref *ref, void __user *arg)
{
	struct cok_ioc_event ev = {};
	int err = cok_app_wait(ref, &ev);

	if (err)
		return err;
	return copy_to_user(arg, &ev, sizeof(ev)) ? -EFAULT : 0;
}

static long ioctl_locked(struct cok_app_ref *ref, unsigned int cmd,
			 void __user *uarg)
{
	s64 ret;

	switch (cmd) {
	case COK_IOC_LAUNCH:
		return ioctl_launch(ref, uarg);
	case COK_IOC_REPLY:
		if (copy_from_user(&ret, uarg, sizeof(ret)))
			return -EFAULT;
		return cok_app_reply(ref, ret);
	case COK_IOC_KILL:
		return cok_app_kill(ref);
	case COK_IOC_RESTORE:
		return ioctl_restore(ref, uarg);
	case COK_IOC_RESUME:
		return cok_app_resume(ref);
	case COK_IOC_SEG_MAKE:
		return ioctl_seg_make(uarg);
	case COK_IOC_SEG_GET:
		return ioctl_seg_get(uarg);
	case COK_IOC_SEG_ATTACH:
		return ioctl_seg_attach(ref, uarg);
	case COK_IOC_SEG_DETACH:
		return cok_seg_detach(ref);
	case COK_IOC_SEG_REMOVE: {
		u32 id;

		if (copy_from_user(&id, uarg, sizeof(id)))
			return -EFAULT;
		return cok_seg_remove(id);
	}
	default:
		return -ENOTTY;
	}
}

/*
 * One request at a time per file, but WAIT, which blocks until the app
 * makes a call: it only reads what LAUNCH has bound for good.
 */
static long cok_dev_ioctl(struct file *f, unsigned int cmd,
			  unsigned long arg)
{
	struct cok_app_ref *ref = f->private_data;
	long err;

	if (cmd == COK_IOC_WAIT)
		return ioctl_wait(ref, (void __user *)arg);
	if (mutex_lock_interruptible(&ref->lock))
		return -EINTR;
	err = ioctl_locked(ref, cmd, (void __user *)arg);
	mutex_unlock(&ref->lock);
	return err;
}

static int cok_dev_mmap(struct file *f, struct vm_area_struct *vma)
{
	struct cok_app_ref *ref = f->private_data;
	int err;

	/*
	 * Only shared mappings: a private one is copy-on-write, and a COW
	 * mapping of raw frames (VM_PFNMAP) is what vmf_insert_pfn() and
	 * remap_pfn_range() refuse (the former with a BUG_ON).
	 */
	if (!(vma->vm_flags & VM_SHARED))
		return -EINVAL;
	/*
	 * Not a sleeping lock: the mmap lock is held here, and a request
	 * holding ref->lock may fault on it (copy_from_user).
	 */
	if (!mutex_trylock(&ref->lock))
		return -EBUSY;
	err = ref->seg ? cok_seg_mmap(ref, vma) : cok_app_mmap(ref, vma);
	mutex_unlock(&ref->lock);
	return err;
}

static const struct file_operations cok_dev_fops = {
	.owner		= THIS_MODULE,
	.open		= cok_dev_open,
	.release	= cok_dev_release,
	.unlocked_ioctl	= cok_dev_ioctl,
	.mmap		= cok_dev_mmap,
};

/* Root only: an admin may hand the node to a job's user (udev rule). */
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
