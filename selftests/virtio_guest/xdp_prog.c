// SPDX-License-Identifier: GPL-2.0
/*
 * XDP programs for cases.sh, one per action, chosen at build time:
 *   clang -O2 -target bpf -DVGN_ACT=VGN_TX -c xdp_prog.c -o xdp_TX.o
 * Only ICMP echo requests are acted upon; everything else (ARP, TCP) goes
 * up the stack, so the tests keep their control traffic. XDP_TX and
 * XDP_REDIRECT turn the request into the echo reply, so that the peer's
 * ping succeeds without the local stack ever seeing the request.
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>

#define VGN_PASS	0
#define VGN_DROP	1
#define VGN_TX		2
#define VGN_REDIRECT	3
#ifndef VGN_ACT
#define VGN_ACT		VGN_PASS
#endif

#define ICMP_ECHOREPLY	0
#define ICMP_ECHO	8

/* linux/icmp.h drags in libc headers that do not build for BPF. */
struct icmphdr {
	__u8 type;
	__u8 code;
	__sum16 checksum;
	__be16 id;
	__be16 sequence;
};

#define SEC(name) __attribute__((section(name), used))

static long (*bpf_redirect)(__u32 ifindex, __u64 flags) =
	(void *)BPF_FUNC_redirect;

/* Make the echo request at @eth into its reply, in place. */
static __attribute__((always_inline)) void
vgn_make_reply(struct ethhdr *eth, struct iphdr *iph, struct icmphdr *icmp)
{
	unsigned char mac[ETH_ALEN];
	__u32 addr, sum;

	__builtin_memcpy(mac, eth->h_dest, ETH_ALEN);
	__builtin_memcpy(eth->h_dest, eth->h_source, ETH_ALEN);
	__builtin_memcpy(eth->h_source, mac, ETH_ALEN);
	/* Swapping addresses leaves the IP checksum as it is. */
	addr = iph->saddr;
	iph->saddr = iph->daddr;
	iph->daddr = addr;
	/* Type 8 -> 0 lowers the first 16-bit word by 0x0800 (RFC 1624). */
	icmp->type = ICMP_ECHOREPLY;
	sum = icmp->checksum + __builtin_bswap16(0x0800);
	icmp->checksum = (sum & 0xffff) + (sum >> 16);
}

SEC("xdp")
int vgn_xdp(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct iphdr *iph = data + sizeof(*eth);
	struct icmphdr *icmp = data + sizeof(*eth) + sizeof(*iph);

	if (VGN_ACT == VGN_PASS)
		return XDP_PASS;
	if ((void *)(icmp + 1) > end)
		return XDP_PASS;
	if (eth->h_proto != __builtin_bswap16(ETH_P_IP) || iph->ihl != 5 ||
	    iph->protocol != IPPROTO_ICMP || icmp->type != ICMP_ECHO)
		return XDP_PASS;
	if (VGN_ACT == VGN_DROP)
		return XDP_DROP;
	vgn_make_reply(eth, iph, icmp);
	if (VGN_ACT == VGN_TX)
		return XDP_TX;
	return bpf_redirect(ctx->ingress_ifindex, 0);
}

char _license[] SEC("license") = "GPL";
