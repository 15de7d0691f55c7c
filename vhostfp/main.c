// SPDX-License-Identifier: GPL-2.0
/*
 * vhostfp: a vhost-net compatible host data path, /dev/vhost-fp.
 *
 * Module init and exit only: each part is set up and torn down in pairs.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>

#include "vhostfp.h"

/*
 * Off by default: a stop (SET_BACKEND(-1), which QEMU does at every VM
 * stop, migration and unplug) waits for the zero-copy buffers that the
 * host's egress still holds, however long a qdisc or a paused NIC holds
 * them (tx_zc.c).  On for hosts whose egress is known to complete promptly.
 */
bool vfp_zerocopy_default;
module_param_named(zerocopy, vfp_zerocopy_default, bool, 0444);
MODULE_PARM_DESC(zerocopy, "Guest TX zero-copy for new devices (default: off; a VM stop then waits for the egress)");

unsigned int vfp_zc_threshold_default = 256;
module_param_named(zc_threshold, vfp_zc_threshold_default, uint, 0444);
MODULE_PARM_DESC(zc_threshold, "Smallest TX packet sent zero-copy, bytes (default: 256)");

/*
 * Also serve /dev/vhost-net, at vhost_net's fixed minor, for the VMMs that
 * open that path and no other (QEMU's plain vhost=on, libvirt's default
 * XML, Kata, KubeVirt).  The minor is vhost_net's: with it loaded, vhostfp
 * does not load (dev.c).
 */
bool vfp_as_vhost_net;
module_param_named(as_vhost_net, vfp_as_vhost_net, bool, 0444);
MODULE_PARM_DESC(as_vhost_net, "Also register /dev/vhost-net (misc minor 238) while vhost_net is not loaded (default: off)");

static int __init vfp_mod_init(void)
{
	int ret;

	ret = vfp_stats_init();
	if (ret)
		goto err_stats;
	ret = vfp_netlink_init();
	if (ret)
		goto err_netlink;
	ret = vfp_dev_init();
	if (ret)
		goto err_dev;
	return 0;

err_dev:
	vfp_netlink_uninit();
err_netlink:
	vfp_stats_uninit();
err_stats:
	return ret;
}

static void __exit vfp_mod_exit(void)
{
	vfp_dev_uninit();
	vfp_netlink_uninit();
	vfp_stats_uninit();
	/* The last RCU free of a given-up zero-copy set (tx_zc.c) has run. */
	rcu_barrier();
}

module_init(vfp_mod_init);
module_exit(vfp_mod_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("vhost-net compatible host data path (/dev/vhost-fp)");
MODULE_AUTHOR("The vhostfp developers");
MODULE_VERSION(VFP_VERSION);
