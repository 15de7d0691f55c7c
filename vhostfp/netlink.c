// SPDX-License-Identifier: GPL-2.0
/*
 * The generic netlink family "vhostfp": an operator's read-only view of
 * every device that has an owner, in any network namespace, for callers
 * with CAP_NET_ADMIN (GENL_ADMIN_PERM).  One command, VHOST_FP_CMD_DEV_GET,
 * dump only: per device its identity, per queue its backend (ident.c) and
 * its counters, those of VHOST_FP_GET_VQ_STATS.  The attributes are in
 * <linux/vhost_fp.h>, the spec in Documentation/netlink/specs/vhostfp.yaml;
 * both are generated (scripts/gen-counters), with the counters' attributes
 * from the list of counters, in its order.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <net/genetlink.h>

#include "vhostfp.h"

static struct genl_family vfp_nl_family;

static int vfp_nl_put_queue(struct sk_buff *skb, struct vfp_net_vq *nvq)
{
	const struct vfp_ident *id = &nvq->ident;
	struct vhost_fp_vq_stats_ext st;
	struct nlattr *nest;
	unsigned int i;

	lockdep_assert_held(&vfp_devs_lock);
	nest = nla_nest_start(skb, VHOST_FP_A_DEV_QUEUE);
	if (!nest)
		return -EMSGSIZE;
	if (nla_put_u32(skb, VHOST_FP_A_QUEUE_INDEX, nvq->vq.index))
		goto cancel;
	if (id->attached &&
	    (nla_put_string(skb, VHOST_FP_A_QUEUE_BACKEND, id->kind) ||
	     (id->ifname[0] &&
	      nla_put_string(skb, VHOST_FP_A_QUEUE_IFNAME, id->ifname)) ||
	     (id->ifindex &&
	      nla_put_u32(skb, VHOST_FP_A_QUEUE_IFINDEX, id->ifindex)) ||
	     (id->queue >= 0 &&
	      nla_put_u32(skb, VHOST_FP_A_QUEUE_TAP_QUEUE, id->queue))))
		goto cancel;
	vfp_stats_read_ext(nvq, &st);
	for (i = 0; i < VFP_NCOUNTERS; i++)
		if (nla_put_u64_64bit(skb, VHOST_FP_A_QUEUE_PACKETS + i,
				      vfp_counter_value(&st, i),
				      VHOST_FP_A_QUEUE_PAD))
			goto cancel;
	nla_nest_end(skb, nest);
	return 0;
cancel:
	nla_nest_cancel(skb, nest);
	return -EMSGSIZE;
}

static int vfp_nl_put_dev(struct sk_buff *skb, struct netlink_callback *cb,
			  struct vfp_dev *dev)
{
	unsigned int i;
	void *hdr;

	lockdep_assert_held(&vfp_devs_lock);
	hdr = genlmsg_put(skb, NETLINK_CB(cb->skb).portid, cb->nlh->nlmsg_seq,
			  &vfp_nl_family, NLM_F_MULTI, VHOST_FP_CMD_DEV_GET);
	if (!hdr)
		return -EMSGSIZE;
	if (nla_put_u32(skb, VHOST_FP_A_DEV_ID, dev->id) ||
	    nla_put_u32(skb, VHOST_FP_A_DEV_OWNER_PID, dev->owner_tgid) ||
	    nla_put_u32(skb, VHOST_FP_A_DEV_WORKER_PID,
			vfp_ident_worker_pid(dev)) ||
	    nla_put_u64_64bit(skb, VHOST_FP_A_DEV_FEATURES,
			      READ_ONCE(dev->features), VHOST_FP_A_DEV_PAD) ||
	    nla_put_string(skb, VHOST_FP_A_DEV_RING, vfp_stats_ring(dev)))
		goto cancel;
	for (i = 0; i < VHOST_FP_NVQS; i++)
		if (vfp_nl_put_queue(skb, &dev->nvqs[i]))
			goto cancel;
	genlmsg_end(skb, hdr);
	return 0;
cancel:
	genlmsg_cancel(skb, hdr);
	return -EMSGSIZE;
}

/*
 * vfp_devs is sorted by id (stats.c): cb->args[0] is the id to resume
 * from, so a device that comes or goes between two parts of a dump
 * neither hides nor repeats another.
 */
static int vfp_nl_dev_dump(struct sk_buff *skb, struct netlink_callback *cb)
{
	struct vfp_dev *dev;
	int ret = 0;

	mutex_lock(&vfp_devs_lock);
	list_for_each_entry(dev, &vfp_devs, node) {
		if (dev->id < cb->args[0])
			continue;
		ret = vfp_nl_put_dev(skb, cb, dev);
		if (ret) {
			cb->args[0] = dev->id;
			break;
		}
	}
	if (!ret)
		cb->args[0] = UINT_MAX;
	mutex_unlock(&vfp_devs_lock);
	/* A device too big for an empty message cannot be dumped at all. */
	return ret && !skb->len ? ret : skb->len;
}

static const struct genl_small_ops vfp_nl_ops[] = {
	{
		.cmd = VHOST_FP_CMD_DEV_GET,
		.validate = GENL_DONT_VALIDATE_STRICT | GENL_DONT_VALIDATE_DUMP,
		.dumpit = vfp_nl_dev_dump,
		.flags = GENL_ADMIN_PERM,
	},
};

static struct genl_family vfp_nl_family __ro_after_init = {
	.name = VHOST_FP_GENL_NAME,
	.version = VHOST_FP_GENL_VERSION,
	.netnsok = true,
	.module = THIS_MODULE,
	.small_ops = vfp_nl_ops,
	.n_small_ops = ARRAY_SIZE(vfp_nl_ops),
	.resv_start_op = VHOST_FP_CMD_DEV_GET + 1,
};

int vfp_netlink_init(void)
{
	return genl_register_family(&vfp_nl_family);
}

void vfp_netlink_uninit(void)
{
	genl_unregister_family(&vfp_nl_family);
}
