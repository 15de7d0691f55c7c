// SPDX-License-Identifier: GPL-2.0
/*
 * Which CPUs each queue pair in use serves. Its two interrupts are hinted
 * to them (the transport's per-virtqueue affinity) and they transmit on
 * its TX queue (XPS), so a flow's packets stay on one CPU from the socket
 * to the completion interrupt, and CPUs do not contend for a TX queue's
 * lock while there are pairs enough for all.
 *
 * The online CPUs are dealt out to the pairs in turn: the k-th online CPU
 * serves pair k % pairs. When there are more pairs than CPUs, pair p >=
 * ncpus shares the (p % ncpus)-th CPU, whose transmissions then spread
 * over its pairs by flow hash.
 *
 * CPUs that come or go later keep the map they got (no hotplug callback):
 * the next ethtool -L deals them out again.
 */
#include <linux/cpu.h>
#include <linux/cpumask.h>
#include <linux/netdevice.h>
#include <linux/virtio_config.h>

#include "virtio_guest.h"

/* The CPUs of pair @p of @pairs, with @ncpus online. */
static void vgn_pair_cpus(struct cpumask *mask, u16 p, u16 pairs,
			  unsigned int ncpus)
{
	unsigned int cpu, k = 0;

	cpumask_clear(mask);
	for_each_online_cpu(cpu) {
		if (k % pairs == p || (p >= ncpus && k == p % ncpus))
			cpumask_set_cpu(cpu, mask);
		k++;
	}
}

/**
 * vgn_set_affinity - steer the queue pairs in use to the online CPUs
 * @vi: the device, with vi->curr_pairs set
 *
 * Called under RTNL, after every change of the number of pairs. Affinity
 * only speeds things up: without memory for a mask it leaves things as
 * they are.
 */
void vgn_set_affinity(struct vgn_priv *vi)
{
	u16 pairs = vi->curr_pairs;
	cpumask_var_t mask;
	unsigned int ncpus;
	int err;
	u16 p;

	ASSERT_RTNL();
	if (!zalloc_cpumask_var(&mask, GFP_KERNEL))
		return;
	/* Holds the online mask still while it is dealt out. */
	cpus_read_lock();
	ncpus = num_online_cpus();
	for (p = 0; p < pairs; p++) {
		vgn_pair_cpus(mask, p, pairs, ncpus);
		virtqueue_set_affinity(vi->rq[p].vq, mask);
		virtqueue_set_affinity(vi->sq[p].vq, mask);
		err = __netif_set_xps_queue(vi->dev, cpumask_bits(mask), p,
					    XPS_CPUS);
		if (err)
			netdev_warn_once(vi->dev, "XPS for queue %u: %d\n",
					 p, err);
	}
	cpus_read_unlock();
	free_cpumask_var(mask);
}
