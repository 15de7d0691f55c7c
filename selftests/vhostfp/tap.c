// SPDX-License-Identifier: GPL-2.0
/*
 * The host side of the selftests: a tap device in a private network
 * namespace, whose queue fd is the vhost backend, and two packet sockets
 * on its netdev.  What the kernel transmits on the netdev (tx_sock) goes
 * into the tap fd, hence to the device's RX ring; what the guest
 * transmits comes out of the tap fd onto the netdev, where rx_sock sees it.
 *
 *   guest TX ring -> device -> tap fd -> netdev -> rx_sock
 *   guest RX ring <- device <- tap fd <- netdev <- tx_sock
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <linux/if_tun.h>

#include "guest.h"

static void write_sysctl(const char *path, const char *val)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);

	if (fd < 0)
		return;
	/* Without IPv6 there is nothing to silence: ignore errors. */
	if (write(fd, val, strlen(val)) < 0)
		val = NULL;
	close(fd);
}

/*
 * A private network namespace per test: fixed device names, no clash
 * between tests, and nothing left behind when the test process exits.
 * IPv6 is off so that the stack sends no router solicitations or DAD
 * probes into the guest's RX ring.
 */
int tap_netns_enter(void)
{
	if (unshare(CLONE_NEWNET) < 0)
		return -errno;
	write_sysctl("/proc/sys/net/ipv6/conf/all/disable_ipv6", "1");
	write_sysctl("/proc/sys/net/ipv6/conf/default/disable_ipv6", "1");
	return 0;
}

static int ifreq_ioctl(const char *name, unsigned long req, struct ifreq *ifr)
{
	int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	int ret;

	if (s < 0)
		return -errno;
	snprintf(ifr->ifr_name, IFNAMSIZ, "%s", name);
	ret = xioctl(s, req, ifr);
	close(s);
	return ret;
}

int tap_set_mtu(const char *name, int mtu)
{
	struct ifreq ifr = { .ifr_mtu = mtu };

	return ifreq_ioctl(name, SIOCSIFMTU, &ifr);
}

int tap_set_up(const char *name)
{
	struct ifreq ifr = {};
	int ret = ifreq_ioctl(name, SIOCGIFFLAGS, &ifr);

	if (ret)
		return ret;
	ifr.ifr_flags |= IFF_UP;
	return ifreq_ioctl(name, SIOCSIFFLAGS, &ifr);
}

/*
 * Open tap @name with a virtio-net header of @hdr_len bytes and the
 * TUN_F_* @offloads the guest accepts, as big an MTU as a tap allows (so
 * frames up to 64 KiB pass without GSO), and bring it up.
 */
int tap_open(struct guest_tap *t, const char *name, int hdr_len,
	     unsigned int offloads)
{
	struct ifreq ifr = {};
	int ret;

	memset(t, 0, sizeof(*t));
	t->tx_sock = -1;
	t->rx_sock = -1;
	t->fd = open("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC);
	if (t->fd < 0)
		return -errno;
	ifr.ifr_flags = IFF_TAP | IFF_NO_PI | IFF_VNET_HDR;
	snprintf(ifr.ifr_name, IFNAMSIZ, "%s", name);
	ret = xioctl(t->fd, TUNSETIFF, &ifr);
	if (!ret)
		ret = xioctl(t->fd, TUNSETVNETHDRSZ, &hdr_len);
	if (!ret)
		ret = xioctl(t->fd, TUNSETOFFLOAD, (void *)(unsigned long)offloads);
	if (ret)
		goto err;
	memcpy(t->name, ifr.ifr_name, IFNAMSIZ);
	t->hdr_len = hdr_len;
	t->ifindex = if_nametoindex(t->name);
	ret = tap_set_mtu(t->name, ETH_MAX_MTU - ETH_HLEN);
	if (!ret)
		ret = tap_set_up(t->name);
	if (!ret)
		return 0;
err:
	close(t->fd);
	t->fd = -1;
	return ret;
}

static int packet_socket(int ifindex, int proto)
{
	struct sockaddr_ll sll = {
		.sll_family = AF_PACKET,
		.sll_protocol = htons(proto),
		.sll_ifindex = ifindex,
	};
	int one = 1, s;

	s = socket(AF_PACKET, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC,
		   htons(proto));
	if (s < 0)
		return -errno;
	if (setsockopt(s, SOL_PACKET, PACKET_VNET_HDR, &one, sizeof(one)) ||
	    bind(s, (struct sockaddr *)&sll, sizeof(sll))) {
		int ret = -errno;

		close(s);
		return ret;
	}
	return s;
}

/*
 * Both packet sockets carry a 10-byte struct virtio_net_hdr in front of
 * each frame.  Note that a packet socket on the tap's netdev makes the
 * stack copy zero-copy frags of every packet it sees: tests of held
 * zero-copy buffers must not open these.
 */
int tap_open_sockets(struct guest_tap *t)
{
	int big = 64 << 20, one = 1;

	t->tx_sock = packet_socket(t->ifindex, 0);
	if (t->tx_sock < 0)
		return t->tx_sock;
	t->rx_sock = packet_socket(t->ifindex, ETH_P_ALL);
	if (t->rx_sock < 0)
		return t->rx_sock;
	if (setsockopt(t->rx_sock, SOL_PACKET, PACKET_IGNORE_OUTGOING, &one,
		       sizeof(one)) ||
	    setsockopt(t->rx_sock, SOL_SOCKET, SO_RCVBUFFORCE, &big,
		       sizeof(big)) ||
	    setsockopt(t->tx_sock, SOL_SOCKET, SO_SNDBUFFORCE, &big,
		       sizeof(big)))
		return -errno;
	return 0;
}

void tap_close(struct guest_tap *t)
{
	if (t->tx_sock >= 0)
		close(t->tx_sock);
	if (t->rx_sock >= 0)
		close(t->rx_sock);
	if (t->fd >= 0)
		close(t->fd);
	t->fd = -1;
	t->tx_sock = -1;
	t->rx_sock = -1;
}
