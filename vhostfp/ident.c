// SPDX-License-Identifier: GPL-2.0
/*
 * Which netdev, and which of its queues, a device's queue is attached to:
 * probed at VHOST_NET_SET_BACKEND, kept until the backend is detached, so
 * that an operator can tell a QEMU NIC's queue pairs apart (netlink.c,
 * debugfs).  A snapshot: a netdev renamed later keeps its old name here,
 * its ifindex stays right.
 *
 * macvtap and ipvtap (drivers/net/tap.c) publish their queue in
 * <linux/if_tap.h>: the netdev and the queue's index come from there.
 * tun keeps its struct tun_file private; what it tells user space, the
 * "iff:" line of the file's fdinfo, gives the netdev's name, and the
 * name gives the ifindex.  tun's queue index is not reachable: unknown.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/if_tap.h>
#include <linux/module.h>
#include <linux/netdevice.h>
#include <linux/seq_file.h>
#include <net/rtnetlink.h>
#include <net/sock.h>

#include "vhostfp.h"
#include "trace.h"

static void vfp_ident_from_netdev(struct vfp_ident *id,
				  const struct net_device *ndev)
{
	id->ifindex = ndev->ifindex;
	strscpy(id->ifname, ndev->name, sizeof(id->ifname));
	strscpy(id->kind, ndev->rtnl_link_ops ? ndev->rtnl_link_ops->kind :
		"?", sizeof(id->kind));
}

static bool vfp_ident_tap(struct file *file, struct vfp_ident *id)
{
	struct socket *(*get)(struct file *file);
	struct tap_queue *q;
	struct tap_dev *tap;
	struct socket *sock;

	get = symbol_get(tap_get_socket);
	if (!get)
		return false;
	sock = get(file);
	symbol_put(tap_get_socket);
	if (IS_ERR(sock))
		return false;
	q = container_of(sock, struct tap_queue, sock);
	/* q->tap goes under RCU when the netdev goes (tap.c). */
	rcu_read_lock();
	tap = rcu_dereference(q->tap);
	if (tap) {
		vfp_ident_from_netdev(id, tap->dev);
		/* Renumbered under rtnl when another queue goes. */
		id->queue = READ_ONCE(q->queue_index);
	}
	rcu_read_unlock();
	return true;
}

/* tun: the "iff:\t<name>" line its show_fdinfo() prints (takes rtnl). */
static void vfp_ident_tun(struct file *file, struct socket *sock,
			  struct vfp_ident *id)
{
	char buf[IFNAMSIZ + 16], name[IFNAMSIZ];
	struct seq_file m = { .buf = buf, .size = sizeof(buf) };
	struct net_device *ndev;

	if (!file->f_op->show_fdinfo)
		return;
	file->f_op->show_fdinfo(&m, file);
	buf[min(m.count, sizeof(buf) - 1)] = '\0';
	if (sscanf(buf, "iff: %15s", name) != 1)
		return;
	rcu_read_lock();
	ndev = dev_get_by_name_rcu(sock_net(sock->sk), name);
	if (ndev)
		vfp_ident_from_netdev(id, ndev);
	rcu_read_unlock();
}

/*
 * Before the vq mutex: tun's fdinfo takes rtnl.  @sock is @file's tun or
 * tap socket.  What cannot be found stays unknown (ifindex 0, queue -1).
 */
void vfp_ident_probe(struct file *file, struct socket *sock,
		     struct vfp_ident *id)
{
	memset(id, 0, sizeof(*id));
	id->queue = -1;
	if (!vfp_ident_tap(file, id))
		vfp_ident_tun(file, sock, id);
	id->attached = true;
}

/* @id NULL: detached.  Caller holds the vq mutex (attach, detach). */
void vfp_ident_set(struct vfp_net_vq *nvq, const struct vfp_ident *id)
{
	struct vfp_vq *vq = &nvq->vq;

	lockdep_assert_held(&vq->mutex);
	if (id)
		trace_vfp_queue_start(vq->dev->id, vq->index, id->ifindex);
	else
		trace_vfp_queue_stop(vq->dev->id, vq->index,
				     nvq->ident.ifindex);
	mutex_lock(&vfp_devs_lock);
	if (id)
		nvq->ident = *id;
	else
		memset(&nvq->ident, 0, sizeof(nvq->ident));
	mutex_unlock(&vfp_devs_lock);
}

/* The worker's thread id, or 0 before it ran. */
pid_t vfp_ident_worker_pid(struct vfp_dev *dev)
{
	lockdep_assert_held(&vfp_devs_lock);
	return dev->worker ? READ_ONCE(dev->worker->pid) : 0;
}
