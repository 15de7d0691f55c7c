// SPDX-License-Identifier: GPL-2.0
/*
 * Per-queue counters: VHOST_FP_GET_STATS for the fd holder, and debugfs
 * for everyone else (root), one directory per owned device:
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

static void vfp_stats_read_vq(const struct vfp_vq *vq,
			      struct vhost_fp_vq_stats *out)
{
	const struct vfp_vq_stats *s = &vq->stats;

	out->packets = READ_ONCE(s->packets);
	out->bytes = READ_ONCE(s->bytes);
	out->zc_sent = READ_ONCE(s->zc_sent);
	out->zc_completed = READ_ONCE(s->zc_completed);
	out->zc_copied = READ_ONCE(s->zc_copied);
	out->kicks = READ_ONCE(s->kicks);
	out->calls = READ_ONCE(s->calls);
	out->batches = READ_ONCE(s->batches);
	out->drops = READ_ONCE(s->drops);
	out->guest_errors = READ_ONCE(s->guest_errors);
	out->busy_polls = READ_ONCE(s->busy_polls);
	out->busy_poll_hits = READ_ONCE(s->busy_poll_hits);
	out->busy_poll_ns = READ_ONCE(s->busy_poll_ns);
	out->iotlb_misses = READ_ONCE(s->iotlb_misses);
	out->iotlb_updates = READ_ONCE(vq->dev->iotlb.updates);
	out->iotlb_invalidates = READ_ONCE(vq->dev->iotlb.invalidates);
}

static void vfp_stats_read_ext(struct vfp_net_vq *nvq,
			       struct vhost_fp_vq_stats_ext *out)
{
	const struct vfp_vq_stats *s = &nvq->vq.stats;
	struct vfp_zc *zc;

	memset(out, 0, sizeof(*out));
	vfp_stats_read_vq(&nvq->vq, &out->base);
	/*
	 * The zero-copy state goes at detach (WRITE_ONCE() there), and is
	 * freed a grace period after its last reference (tx_zc.c).
	 */
	rcu_read_lock();
	zc = READ_ONCE(nvq->zc);
	if (zc)
		out->zc_inflight = vfp_zc_held(zc, &out->zc_oldest_ns);
	rcu_read_unlock();
	out->zc_stop_waits = READ_ONCE(s->zc_stop_waits);
	out->zc_stop_bufs = READ_ONCE(s->zc_stop_bufs);
	out->zc_stop_wait_ns = READ_ONCE(s->zc_stop_wait_ns);
	out->zc_orphaned = READ_ONCE(s->zc_orphaned);
}

void vfp_stats_read(struct vfp_dev *dev, struct vhost_fp_stats *out)
{
	unsigned int i;

	memset(out, 0, sizeof(*out));
	out->version = VHOST_FP_STATS_VERSION;
	out->nvqs = VHOST_FP_NVQS;
	for (i = 0; i < VHOST_FP_NVQS; i++)
		vfp_stats_read_vq(&dev->nvqs[i].vq, &out->vq[i]);
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

static int vfp_stats_show(struct seq_file *m, void *unused)
{
	static const char * const names[VHOST_FP_NVQS] = { "rx", "tx" };
	struct vfp_dev *dev = m->private;
	struct vhost_fp_vq_stats_ext st;
	const struct vhost_fp_vq_stats *q = &st.base;
	unsigned int i;

	seq_printf(m, "owner %d\n", dev->owner_tgid);
	for (i = 0; i < VHOST_FP_NVQS; i++) {
		vfp_stats_read_ext(&dev->nvqs[i], &st);

		seq_printf(m, "%s packets %llu\n", names[i], q->packets);
		seq_printf(m, "%s bytes %llu\n", names[i], q->bytes);
		seq_printf(m, "%s zc_sent %llu\n", names[i], q->zc_sent);
		seq_printf(m, "%s zc_completed %llu\n", names[i], q->zc_completed);
		seq_printf(m, "%s zc_copied %llu\n", names[i], q->zc_copied);
		seq_printf(m, "%s kicks %llu\n", names[i], q->kicks);
		seq_printf(m, "%s calls %llu\n", names[i], q->calls);
		seq_printf(m, "%s batches %llu\n", names[i], q->batches);
		seq_printf(m, "%s drops %llu\n", names[i], q->drops);
		seq_printf(m, "%s guest_errors %llu\n", names[i], q->guest_errors);
		seq_printf(m, "%s busy_polls %llu\n", names[i], q->busy_polls);
		seq_printf(m, "%s busy_poll_hits %llu\n", names[i], q->busy_poll_hits);
		seq_printf(m, "%s busy_poll_ns %llu\n", names[i], q->busy_poll_ns);
		seq_printf(m, "%s iotlb_misses %llu\n", names[i], q->iotlb_misses);
		seq_printf(m, "%s iotlb_updates %llu\n", names[i], q->iotlb_updates);
		seq_printf(m, "%s iotlb_invalidates %llu\n", names[i],
			   q->iotlb_invalidates);
		seq_printf(m, "%s zc_inflight %llu\n", names[i], st.zc_inflight);
		seq_printf(m, "%s zc_oldest_ns %llu\n", names[i], st.zc_oldest_ns);
		seq_printf(m, "%s zc_stop_waits %llu\n", names[i],
			   st.zc_stop_waits);
		seq_printf(m, "%s zc_stop_bufs %llu\n", names[i], st.zc_stop_bufs);
		seq_printf(m, "%s zc_stop_wait_ns %llu\n", names[i],
			   st.zc_stop_wait_ns);
		seq_printf(m, "%s zc_orphaned %llu\n", names[i], st.zc_orphaned);
	}
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(vfp_stats);

/* At SET_OWNER.  debugfs is optional: failures are ignored by design. */
void vfp_stats_add_dev(struct vfp_dev *dev)
{
	char name[32];

	snprintf(name, sizeof(name), "%d-%u", dev->owner_tgid, dev->id);
	dev->debugfs = debugfs_create_dir(name, vfp_debugfs_root);
	debugfs_create_file("stats", 0400, dev->debugfs, dev, &vfp_stats_fops);
}

/* Before dev goes: afterwards no reader is inside vfp_stats_show(). */
void vfp_stats_del_dev(struct vfp_dev *dev)
{
	debugfs_remove(dev->debugfs);
	dev->debugfs = NULL;
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
