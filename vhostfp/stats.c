// SPDX-License-Identifier: GPL-2.0
/*
 * Per-queue counters and the list of owned devices: VHOST_FP_GET_STATS
 * for the fd holder, netlink.c's dump for operators (CAP_NET_ADMIN), and
 * debugfs (root), one directory per owned device:
 *
 *   /sys/kernel/debug/vhostfp/<owner tgid>-<device id>/stats
 *
 * Counters are written by the worker under the vq mutex and read here
 * without it: each u64 is read whole (64-bit only), the set is not one
 * snapshot.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/debugfs.h>
#include <linux/nospec.h>
#include <linux/rcupdate.h>
#include <linux/seq_file.h>
#include <linux/uaccess.h>

#include "vhostfp.h"

static struct dentry *vfp_debugfs_root;

/* Protects vfp_devs and every listed device's nvqs[].ident (ident.c). */
DEFINE_MUTEX(vfp_devs_lock);
LIST_HEAD(vfp_devs);			/* owned devices, sorted by id */

/* Where each kind of counter comes from: see vfp_stats_read_ext(). */
#define VFP_SRC_COUNT(name)	offsetof(struct vfp_vq_stats, name)
#define VFP_SRC_DEVICE(...)	VFP_COUNTER_NOSRC
#define VFP_SRC_GAUGE(...)	VFP_COUNTER_NOSRC
#define VFP_IS_GAUGE_COUNT	false
#define VFP_IS_GAUGE_DEVICE	false
#define VFP_IS_GAUGE_GAUGE	true

/* Every counter of struct vhost_fp_vq_stats_ext, in its order. */
const struct vfp_counter vfp_counters[] = {
#define VHOST_FP_COUNTER(n, kind, ...)					\
	{ .name = #n, .src = VFP_SRC_##kind(n), .gauge = VFP_IS_GAUGE_##kind },
#include <linux/vhost_fp_counters.h>
};

/* The ioctl ABI: the list may only grow, at the end of the _ext struct. */
static_assert(ARRAY_SIZE(vfp_counters) == VFP_NCOUNTERS);
static_assert(sizeof(struct vhost_fp_vq_stats) == 16 * sizeof(__u64));
static_assert(sizeof(struct vhost_fp_vq_stats_ext) == 22 * sizeof(__u64));
static_assert(offsetof(struct vhost_fp_vq_stats, guest_errors) == 9 * 8);
static_assert(offsetof(struct vhost_fp_vq_stats, iotlb_invalidates) == 15 * 8);
static_assert(offsetof(struct vhost_fp_vq_stats_ext, zc_inflight) == 16 * 8);
static_assert(offsetof(struct vhost_fp_vq_stats_ext, zc_orphaned) == 21 * 8);

void vfp_stats_read_ext(struct vfp_net_vq *nvq,
			struct vhost_fp_vq_stats_ext *out)
{
	const struct vfp_vq_stats *s = &nvq->vq.stats;
	struct vfp_dev *dev = nvq->vq.dev;
	__u64 *v = (__u64 *)out;	/* every field a __u64, in list order */
	struct vfp_zc *zc;
	unsigned int i;

	memset(out, 0, sizeof(*out));
	for (i = 0; i < VFP_NCOUNTERS; i++) {
		u16 src = vfp_counters[i].src;

		if (src != VFP_COUNTER_NOSRC)
			v[i] = READ_ONCE(*(const u64 *)((const u8 *)s + src));
	}
	/* DEVICE: dev->mutex writes them, whole u64s. */
	out->base.iotlb_updates = READ_ONCE(dev->iotlb.updates);
	out->base.iotlb_invalidates = READ_ONCE(dev->iotlb.invalidates);
	/*
	 * GAUGE: the zero-copy state goes at detach (WRITE_ONCE() there),
	 * and is freed a grace period after its last reference (tx_zc.c).
	 */
	rcu_read_lock();
	zc = READ_ONCE(nvq->zc);
	if (zc)
		out->zc_inflight = vfp_zc_held(zc, &out->zc_oldest_ns);
	rcu_read_unlock();
}

u64 vfp_counter_value(const struct vhost_fp_vq_stats_ext *st, unsigned int i)
{
	const __u64 *v = (const __u64 *)st;

	/* Every field is a __u64, in the order of vfp_counters[]. */
	return v[i];
}

void vfp_stats_read(struct vfp_dev *dev, struct vhost_fp_stats *out)
{
	struct vhost_fp_vq_stats_ext st;
	unsigned int i;

	memset(out, 0, sizeof(*out));
	out->version = VHOST_FP_STATS_VERSION;
	out->nvqs = VHOST_FP_NVQS;
	for (i = 0; i < VHOST_FP_NVQS; i++) {
		vfp_stats_read_ext(&dev->nvqs[i], &st);
		out->vq[i] = st.base;
	}
}

/* VHOST_FP_GET_VQ_STATS: as much of the counters as the caller holds. */
long vfp_stats_get_vq(struct vfp_dev *dev, void __user *argp)
{
	struct vhost_fp_vq_stats_req req;
	struct vhost_fp_vq_stats_ext st;

	if (copy_from_user(&req, argp, sizeof(req)))
		return -EFAULT;
	if (req.index >= VHOST_FP_NVQS)
		return -ENOBUFS;
	vfp_stats_read_ext(&dev->nvqs[array_index_nospec(req.index,
							 VHOST_FP_NVQS)], &st);
	req.size = min_t(u32, req.size, sizeof(st));
	if (copy_to_user(u64_to_user_ptr(req.addr), &st, req.size) ||
	    copy_to_user(argp, &req, sizeof(req)))
		return -EFAULT;
	return 0;
}

/* The ring layout the owner acked. */
const char *vfp_stats_ring(struct vfp_dev *dev)
{
	return READ_ONCE(dev->features) & (1ULL << VIRTIO_F_RING_PACKED) ?
	       "packed" : "split";
}

static int vfp_stats_show(struct seq_file *m, void *unused)
{
	static const char * const names[VHOST_FP_NVQS] = { "rx", "tx" };
	struct vfp_dev *dev = m->private;
	struct vhost_fp_vq_stats_ext st;
	unsigned int i, c;

	seq_printf(m, "owner %d\n", dev->owner_tgid);
	mutex_lock(&vfp_devs_lock);
	seq_printf(m, "worker_pid %d\n", vfp_ident_worker_pid(dev));
	seq_printf(m, "features 0x%llx\n", READ_ONCE(dev->features));
	seq_printf(m, "ring %s\n", vfp_stats_ring(dev));
	for (i = 0; i < VHOST_FP_NVQS; i++) {
		const struct vfp_ident *id = &dev->nvqs[i].ident;

		if (!id->attached)
			continue;
		seq_printf(m, "%s backend %s\n", names[i], id->kind);
		seq_printf(m, "%s ifname %s\n", names[i], id->ifname);
		seq_printf(m, "%s ifindex %d\n", names[i], id->ifindex);
		seq_printf(m, "%s tap_queue %d\n", names[i], id->queue);
	}
	mutex_unlock(&vfp_devs_lock);
	for (i = 0; i < VHOST_FP_NVQS; i++) {
		vfp_stats_read_ext(&dev->nvqs[i], &st);
		for (c = 0; c < VFP_NCOUNTERS; c++)
			seq_printf(m, "%s %s %llu\n", names[i],
				   vfp_counters[c].name,
				   vfp_counter_value(&st, c));
	}
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(vfp_stats);

/*
 * At SET_OWNER, dev->worker set.  debugfs is optional: failures are
 * ignored by design.
 */
void vfp_stats_add_dev(struct vfp_dev *dev)
{
	struct vfp_dev *pos;
	char name[32];

	/* Sorted by id: netlink.c resumes a dump by id. */
	mutex_lock(&vfp_devs_lock);
	list_for_each_entry(pos, &vfp_devs, node)
		if (pos->id > dev->id)
			break;
	list_add_tail(&dev->node, &pos->node);
	mutex_unlock(&vfp_devs_lock);

	snprintf(name, sizeof(name), "%d-%u", dev->owner_tgid, dev->id);
	dev->debugfs = debugfs_create_dir(name, vfp_debugfs_root);
	debugfs_create_file("stats", 0400, dev->debugfs, dev, &vfp_stats_fops);
}

/*
 * Before dev, or its worker, goes: afterwards no reader is inside
 * vfp_stats_show() or netlink.c's dump.  Also for a device never added.
 */
void vfp_stats_del_dev(struct vfp_dev *dev)
{
	debugfs_remove(dev->debugfs);
	dev->debugfs = NULL;
	/* node.next NULL: not listed (kvzalloc()ed, or deleted already). */
	mutex_lock(&vfp_devs_lock);
	if (dev->node.next)
		list_del(&dev->node);
	dev->node.next = NULL;
	mutex_unlock(&vfp_devs_lock);
}

int vfp_stats_init(void)
{
	vfp_debugfs_root = debugfs_create_dir(KBUILD_MODNAME, NULL);
	return 0;
}

void vfp_stats_uninit(void)
{
	debugfs_remove(vfp_debugfs_root);
}
