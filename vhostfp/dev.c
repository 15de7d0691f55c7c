// SPDX-License-Identifier: GPL-2.0
/*
 * /dev/vhost-fp: one open file is one device, a RX/TX queue pair.  This
 * file holds the per-open state and the ioctl dispatch; the rings are
 * vq.c's, the backend net.c's.
 *
 * Locking: dev->mutex serializes the ioctls.  Whatever a handler reads
 * (features, memory table, log) is copied into, or changed under, every
 * vq mutex as well, so a handler holding its vq mutex sees it stable.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/file.h>
#include <linux/idr.h>
#include <linux/miscdevice.h>
#include <linux/module.h>
#include <linux/nospec.h>
#include <linux/sched/mm.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "vhostfp.h"

static DEFINE_IDA(vfp_ida);

static void vfp_dev_lock_vqs(struct vfp_dev *dev)
{
	unsigned int i;

	for (i = 0; i < VHOST_FP_NVQS; i++)
		mutex_lock_nested(&dev->nvqs[i].vq.mutex, i);
}

static void vfp_dev_unlock_vqs(struct vfp_dev *dev)
{
	unsigned int i;

	for (i = 0; i < VHOST_FP_NVQS; i++)
		mutex_unlock(&dev->nvqs[i].vq.mutex);
}

/*
 * What an IOTLB change asks of the queues (VFP_IOTLB_*), done to each
 * under its mutex.  FLUSH: entries went away; every queue translates
 * afresh, and once this returns no handler runs on what they said.
 * KICK: entries came; running queues parked on a miss look again.
 * Caller holds dev->mutex, not a vq mutex.
 */
static void vfp_dev_iotlb_sync(struct vfp_dev *dev, unsigned int todo)
{
	unsigned int i;

	lockdep_assert_held(&dev->mutex);
	for (i = 0; i < VHOST_FP_NVQS && todo; i++) {
		struct vfp_vq *vq = &dev->nvqs[i].vq;

		mutex_lock(&vq->mutex);
		if (todo & VFP_IOTLB_FLUSH)
			vfp_vq_iotlb_flush(vq);
		if ((todo & VFP_IOTLB_KICK) && vq->private_data)
			vfp_vq_queue_kick(vq);
		mutex_unlock(&vq->mutex);
	}
}

static void vfp_dev_default_tunables(struct vfp_dev *dev)
{
	dev->tunables.flags = vfp_zerocopy_default ? VHOST_FP_F_ZEROCOPY : 0;
	dev->tunables.zc_threshold = vfp_zc_threshold_default;
	dev->tunables.zc_max_pending = 0;
	dev->tunables.padding = 0;
}

static int vfp_open(struct inode *inode, struct file *f)
{
	struct vfp_dev *dev;
	int id;

	dev = kvzalloc(sizeof(*dev), GFP_KERNEL_ACCOUNT);
	if (!dev)
		return -ENOMEM;
	id = ida_alloc(&vfp_ida, GFP_KERNEL);
	if (id < 0) {
		kvfree(dev);
		return id;
	}
	dev->id = id;
	mutex_init(&dev->mutex);
	vfp_iotlb_init(&dev->iotlb);
	vfp_dev_default_tunables(dev);
	vfp_net_init(dev);
	f->private_data = dev;
	return 0;
}

/* Drop the owner and everything it set up.  Caller holds dev->mutex. */
static void vfp_dev_cleanup(struct vfp_dev *dev)
{
	unsigned int i;

	vfp_net_stop(dev);
	vfp_stats_del_dev(dev);
	vfp_dev_lock_vqs(dev);
	for (i = 0; i < VHOST_FP_NVQS; i++)
		vfp_vq_reset(&dev->nvqs[i].vq);
	vfp_dev_unlock_vqs(dev);
	vfp_iotlb_reset(dev);
	vfp_dev_iotlb_sync(dev, VFP_IOTLB_FLUSH);
	/* No poll left that could queue work: the worker can go. */
	vfp_worker_destroy(dev->worker);
	dev->worker = NULL;
	if (dev->log_ctx)
		eventfd_ctx_put(dev->log_ctx);
	dev->log_ctx = NULL;
	dev->log_base = NULL;
	kvfree(dev->mem);
	dev->mem = NULL;
	dev->features = 0;
	dev->backend_features = 0;
	if (dev->mm)
		mmput(dev->mm);
	dev->mm = NULL;
	dev->owner_tgid = 0;
	vfp_dev_default_tunables(dev);
}

static int vfp_release(struct inode *inode, struct file *f)
{
	struct vfp_dev *dev = f->private_data;

	mutex_lock(&dev->mutex);
	vfp_dev_cleanup(dev);
	mutex_unlock(&dev->mutex);
	ida_free(&vfp_ida, dev->id);
	kvfree(dev);
	return 0;
}

static long vfp_set_owner(struct vfp_dev *dev)
{
	struct vfp_worker *worker;
	struct mm_struct *mm;
	char name[TASK_COMM_LEN];
	unsigned int i;
	int ret;

	if (dev->mm)
		return -EBUSY;
	mm = get_task_mm(current);
	if (!mm)
		return -EINVAL;
	snprintf(name, sizeof(name), "vhostfp-%d", current->tgid);
	ret = vfp_worker_create(&worker, mm, name);
	if (ret) {
		mmput(mm);
		return ret;
	}
	dev->mm = mm;
	dev->worker = worker;
	dev->owner_tgid = current->tgid;
	vfp_dev_lock_vqs(dev);
	for (i = 0; i < VHOST_FP_NVQS; i++)
		dev->nvqs[i].vq.worker = worker;
	vfp_dev_unlock_vqs(dev);
	vfp_stats_add_dev(dev);
	return 0;
}

static long vfp_reset_owner(struct vfp_dev *dev)
{
	vfp_dev_cleanup(dev);
	return 0;
}

/* Copy what handlers read from the device into each queue. */
static void vfp_dev_sync_vqs(struct vfp_dev *dev)
{
	unsigned int i;

	for (i = 0; i < VHOST_FP_NVQS; i++) {
		struct vfp_vq *vq = &dev->nvqs[i].vq;

		vq->features = dev->features;
		vq->little_endian = (dev->features & (1ULL << VIRTIO_F_VERSION_1)) ||
				    virtio_legacy_is_little_endian();
		vq->mem = dev->mem;
	}
	vfp_net_set_features(dev);
}

static long vfp_set_features(struct vfp_dev *dev, u64 __user *argp)
{
	u64 features;
	int ret;

	if (copy_from_user(&features, argp, sizeof(features)))
		return -EFAULT;
	if (features & ~VFP_FEATURES)
		return -EOPNOTSUPP;
	/*
	 * A running queue keeps what it started with: its layout, event
	 * index, byte order, header sizes and address space are read by the
	 * worker and by GET_VRING_BASE.  Only dirty logging may change
	 * (QEMU turns it on and off under a running VM for migration).
	 */
	if (((features ^ dev->features) & ~(1ULL << VHOST_F_LOG_ALL)) &&
	    (dev->nvqs[VHOST_FP_VQ_RX].vq.private_data ||
	     dev->nvqs[VHOST_FP_VQ_TX].vq.private_data))
		return -EBUSY;
	if (features & (1ULL << VHOST_F_LOG_ALL)) {
		ret = vfp_log_check(dev, dev->log_base, dev->mem);
		if (ret)
			return ret;
	}
	vfp_dev_lock_vqs(dev);
	dev->features = features;
	vfp_dev_sync_vqs(dev);
	vfp_dev_unlock_vqs(dev);
	return 0;
}

static long vfp_set_mem_table(struct vfp_dev *dev, void __user *argp)
{
	struct vfp_mem *mem, *old;
	int ret;

	mem = vfp_mem_from_user(argp);
	if (IS_ERR(mem))
		return PTR_ERR(mem);
	if (dev->features & (1ULL << VHOST_F_LOG_ALL)) {
		ret = vfp_log_check(dev, dev->log_base, mem);
		if (ret) {
			kvfree(mem);
			return ret;
		}
	}
	vfp_dev_lock_vqs(dev);
	old = dev->mem;
	dev->mem = mem;
	vfp_dev_sync_vqs(dev);
	vfp_dev_unlock_vqs(dev);
	/* Handlers only look at the table under a vq mutex: old is unused. */
	kvfree(old);
	return 0;
}

static long vfp_set_log_base(struct vfp_dev *dev, u64 __user *argp)
{
	void __user *base;
	u64 addr;
	int ret;

	if (copy_from_user(&addr, argp, sizeof(addr)))
		return -EFAULT;
	if ((unsigned long)addr != addr)
		return -EFAULT;
	base = (void __user *)(unsigned long)addr;
	ret = vfp_log_check(dev, base, dev->mem);
	if (ret)
		return ret;
	vfp_dev_lock_vqs(dev);
	dev->log_base = base;
	vfp_dev_unlock_vqs(dev);
	return 0;
}

static long vfp_set_log_fd(struct vfp_dev *dev, int __user *argp)
{
	struct eventfd_ctx *ctx = NULL, *old;
	int fd;

	if (get_user(fd, argp))
		return -EFAULT;
	if (fd != -1) {
		ctx = eventfd_ctx_fdget(fd);
		if (IS_ERR(ctx))
			return PTR_ERR(ctx);
	}
	vfp_dev_lock_vqs(dev);
	old = dev->log_ctx;
	dev->log_ctx = ctx;
	vfp_dev_unlock_vqs(dev);
	if (old)
		eventfd_ctx_put(old);
	return 0;
}

static long vfp_backend_features(struct vfp_dev *dev, unsigned int cmd,
				 u64 __user *argp)
{
	u64 features = VFP_BACKEND_FEATURES;

	/* IOTLB message format and batches: see iotlb.c. */
	if (cmd == VHOST_GET_BACKEND_FEATURES)
		return copy_to_user(argp, &features, sizeof(features)) ?
		       -EFAULT : 0;
	if (copy_from_user(&features, argp, sizeof(features)))
		return -EFAULT;
	if (features & ~VFP_BACKEND_FEATURES)
		return -EOPNOTSUPP;
	/* Read without the mutex by vfp_iotlb_read(). */
	WRITE_ONCE(dev->backend_features, features);
	return 0;
}

static long vfp_get_stats(struct vfp_dev *dev, void __user *argp)
{
	struct vhost_fp_stats *st;
	long ret = 0;

	st = kzalloc(sizeof(*st), GFP_KERNEL);
	if (!st)
		return -ENOMEM;
	vfp_stats_read(dev, st);
	if (copy_to_user(argp, st, sizeof(*st)))
		ret = -EFAULT;
	kfree(st);
	return ret;
}

static long vfp_tunables(struct vfp_dev *dev, unsigned int cmd,
			 void __user *argp)
{
	struct vhost_fp_tunables t;

	if (cmd == VHOST_FP_GET_TUNABLES)
		return copy_to_user(argp, &dev->tunables, sizeof(t)) ?
		       -EFAULT : 0;
	if (copy_from_user(&t, argp, sizeof(t)))
		return -EFAULT;
	if ((t.flags & ~VHOST_FP_F_ZEROCOPY) || t.padding ||
	    t.zc_max_pending > VFP_VQ_NUM_MAX)
		return -EINVAL;
	vfp_dev_lock_vqs(dev);
	dev->tunables = t;
	vfp_dev_unlock_vqs(dev);
	return 0;
}

/*
 * VHOST_SET_FORK_FROM_OWNER, answered as 6.12-stable's vhost does: only
 * before SET_OWNER (-EBUSY after), VHOST_FORK_OWNER_KTHREAD or _TASK
 * (-EINVAL otherwise).  vhostfp makes one kind of worker per kernel
 * (worker.c): asking for the other is -EOPNOTSUPP.
 */
static long vfp_set_fork_owner(struct vfp_dev *dev, u8 __user *argp)
{
	u8 mode;

	if (dev->mm)
		return -EBUSY;
	if (get_user(mode, argp))
		return -EFAULT;
	if (mode != VHOST_FORK_OWNER_KTHREAD && mode != VHOST_FORK_OWNER_TASK)
		return -EINVAL;
	return mode == vfp_worker_mode() ? 0 : -EOPNOTSUPP;
}

/* The vring ioctls name their queue in the first field of their argument. */
static long vfp_vring_ioctl(struct vfp_dev *dev, unsigned int cmd,
			    void __user *argp)
{
	u32 idx;

	if (get_user(idx, (u32 __user *)argp))
		return -EFAULT;
	if (idx >= VHOST_FP_NVQS)
		return -ENOBUFS;
	idx = array_index_nospec(idx, VHOST_FP_NVQS);
	return vfp_vq_ioctl(&dev->nvqs[idx].vq, cmd, argp);
}

/*
 * Everything but SET_OWNER and read-only queries needs the owner, as in
 * vhost-net (which answers GET_FEATURES / GET_BACKEND_FEATURES to anyone
 * holding the fd: feature probing).
 */
static bool vfp_ioctl_needs_owner(unsigned int cmd)
{
	switch (cmd) {
	case VHOST_SET_FEATURES:
	case VHOST_RESET_OWNER:
	case VHOST_SET_MEM_TABLE:
	case VHOST_SET_LOG_BASE:
	case VHOST_SET_LOG_FD:
	case VHOST_SET_BACKEND_FEATURES:
	case VHOST_NET_SET_BACKEND:
	case VHOST_FP_SET_TUNABLES:
	case VHOST_SET_VRING_NUM:
	case VHOST_SET_VRING_BASE:
	case VHOST_GET_VRING_BASE:
	case VHOST_SET_VRING_ADDR:
	case VHOST_SET_VRING_KICK:
	case VHOST_SET_VRING_CALL:
	case VHOST_SET_VRING_ERR:
	case VHOST_SET_VRING_BUSYLOOP_TIMEOUT:
	case VHOST_GET_VRING_BUSYLOOP_TIMEOUT:
		return true;
	}
	return false;
}

static long vfp_ioctl_locked(struct vfp_dev *dev, unsigned int cmd,
			     void __user *argp)
{
	u64 features = VFP_FEATURES;

	if (vfp_ioctl_needs_owner(cmd) && (!dev->mm || dev->mm != current->mm))
		return -EPERM;
	switch (cmd) {
	case VHOST_SET_OWNER:
		return vfp_set_owner(dev);
	case VHOST_RESET_OWNER:
		return vfp_reset_owner(dev);
	case VHOST_GET_FEATURES:
		return copy_to_user(argp, &features, sizeof(features)) ?
		       -EFAULT : 0;
	case VHOST_SET_FORK_FROM_OWNER:
		return vfp_set_fork_owner(dev, argp);
	case VHOST_GET_FORK_FROM_OWNER:
		return put_user(vfp_worker_mode(), (u8 __user *)argp);
	case VHOST_SET_FEATURES:
		return vfp_set_features(dev, argp);
	case VHOST_SET_MEM_TABLE:
		return vfp_set_mem_table(dev, argp);
	case VHOST_SET_LOG_BASE:
		return vfp_set_log_base(dev, argp);
	case VHOST_SET_LOG_FD:
		return vfp_set_log_fd(dev, argp);
	case VHOST_GET_BACKEND_FEATURES:
	case VHOST_SET_BACKEND_FEATURES:
		return vfp_backend_features(dev, cmd, argp);
	case VHOST_NET_SET_BACKEND:
		return vfp_net_set_backend(dev, argp);
	case VHOST_FP_GET_STATS:
		return vfp_get_stats(dev, argp);
	case VHOST_FP_GET_VQ_STATS:
		return vfp_stats_get_vq(dev, argp);
	case VHOST_FP_GET_TUNABLES:
	case VHOST_FP_SET_TUNABLES:
		return vfp_tunables(dev, cmd, argp);
	case VHOST_SET_VRING_NUM:
	case VHOST_SET_VRING_BASE:
	case VHOST_GET_VRING_BASE:
	case VHOST_SET_VRING_ADDR:
	case VHOST_SET_VRING_KICK:
	case VHOST_SET_VRING_CALL:
	case VHOST_SET_VRING_ERR:
	case VHOST_SET_VRING_BUSYLOOP_TIMEOUT:
	case VHOST_GET_VRING_BUSYLOOP_TIMEOUT:
		return vfp_vring_ioctl(dev, cmd, argp);
	}
	/* Includes VHOST_SET_VRING_ENDIAN: no cross-endian legacy support. */
	return -ENOIOCTLCMD;
}

static long vfp_ioctl(struct file *f, unsigned int cmd, unsigned long arg)
{
	struct vfp_dev *dev = f->private_data;
	long ret;

	mutex_lock(&dev->mutex);
	ret = vfp_ioctl_locked(dev, cmd, (void __user *)arg);
	mutex_unlock(&dev->mutex);
	return ret;
}

/* The IOTLB message interface: misses out, updates in (iotlb.c). */
static ssize_t vfp_read_iter(struct kiocb *iocb, struct iov_iter *to)
{
	struct file *f = iocb->ki_filp;

	return vfp_iotlb_read(f->private_data, to,
			      (f->f_flags & O_NONBLOCK) ||
			      (iocb->ki_flags & IOCB_NOWAIT));
}

static ssize_t vfp_write_iter(struct kiocb *iocb, struct iov_iter *from)
{
	struct vfp_dev *dev = iocb->ki_filp->private_data;
	struct vhost_iotlb_msg msg;
	unsigned int todo = 0;
	ssize_t size;
	int ret;

	size = vfp_iotlb_msg_get(from, &msg);
	if (size < 0)
		return size;
	mutex_lock(&dev->mutex);
	if (!dev->mm || dev->mm != current->mm)
		ret = -EPERM;
	else
		ret = vfp_iotlb_process(dev, &msg, &todo);
	/* Under dev->mutex: once this returns, no queue uses a stale entry. */
	vfp_dev_iotlb_sync(dev, todo);
	mutex_unlock(&dev->mutex);
	return ret ? ret : size;
}

static __poll_t vfp_poll(struct file *f, poll_table *wait)
{
	return vfp_iotlb_poll(f->private_data, f, wait);
}

static const struct file_operations vfp_fops = {
	.owner		= THIS_MODULE,
	.open		= vfp_open,
	.release	= vfp_release,
	.read_iter	= vfp_read_iter,
	.write_iter	= vfp_write_iter,
	.poll		= vfp_poll,
	.unlocked_ioctl	= vfp_ioctl,
	.compat_ioctl	= compat_ptr_ioctl,
	.llseek		= noop_llseek,
};

static struct miscdevice vfp_misc = {
	.minor	= MISC_DYNAMIC_MINOR,
	.name	= VHOST_FP_DEVICE_NAME,
	.fops	= &vfp_fops,
};

/*
 * /dev/vhost-net with as_vhost_net=1: the same device under vhost_net's
 * name and fixed minor, which is what a static node (kmod static-nodes) and
 * the char-major-10-238 module alias point at.
 */
static struct miscdevice vfp_misc_net = {
	.minor	= VHOST_NET_MINOR,
	.name	= "vhost-net",
	.fops	= &vfp_fops,
};

/*
 * misc_register() fails with -EBUSY when the minor is taken, which in
 * practice means vhost_net is loaded.  Say so rather than leave a bare
 * "Device or resource busy" from modprobe.
 */
static int vfp_dev_register_net(void)
{
	int ret;

	ret = misc_register(&vfp_misc_net);
	if (ret == -EBUSY)
		pr_err("as_vhost_net=1: misc minor %d (/dev/vhost-net) is taken, most likely by vhost_net; unload vhost_net (rmmod vhost_net) or load vhostfp without as_vhost_net\n",
		       VHOST_NET_MINOR);
	else if (ret)
		pr_err("as_vhost_net=1: cannot register /dev/vhost-net: %d\n", ret);
	return ret;
}

int vfp_dev_init(void)
{
	int ret;

	ret = misc_register(&vfp_misc);
	if (ret)
		return ret;
	if (vfp_as_vhost_net) {
		ret = vfp_dev_register_net();
		if (ret) {
			misc_deregister(&vfp_misc);
			return ret;
		}
	}
	return 0;
}

void vfp_dev_uninit(void)
{
	if (vfp_as_vhost_net)
		misc_deregister(&vfp_misc_net);
	misc_deregister(&vfp_misc);
	ida_destroy(&vfp_ida);
}
