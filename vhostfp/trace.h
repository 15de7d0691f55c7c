/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vhostfp tracepoints (events/vhostfp/ in tracefs).
 *
 * vfp_zc_stop_wait / vfp_zc_stop_done: a stop (VHOST_NET_SET_BACKEND)
 * waited for zero-copy buffers that the host's egress still held; how
 * many, the age of the oldest, and how long the stop waited.
 *
 * At the sites of the counters they explain, each with its reason:
 * vfp_guest_error (guest_errors: what was wrong), vfp_drop (drops: why,
 * how many), vfp_zc_fallback (zc_copied: why a packet meant for zero-copy
 * was copied), vfp_iotlb_miss (iotlb_misses: the IOVA asked for) and
 * vfp_iotlb_update (iotlb_updates: the answer).  vfp_queue_start and
 * vfp_queue_stop: a backend attached to or detached from a queue
 * (VHOST_NET_SET_BACKEND, close, RESET_OWNER), with its ifindex.
 *
 * "dev" is the device's id (the debugfs directory's and the netlink
 * dump's), "vq" the queue: 0 RX, 1 TX.
 */
#undef TRACE_SYSTEM
#define TRACE_SYSTEM vhostfp

#if !defined(_VHOSTFP_TRACE_H) || defined(TRACE_HEADER_MULTI_READ)
#define _VHOSTFP_TRACE_H

#include <linux/tracepoint.h>

TRACE_DEFINE_ENUM(VFP_DROP_TX_BAD_BUF);
TRACE_DEFINE_ENUM(VFP_DROP_TX_TAP);
TRACE_DEFINE_ENUM(VFP_DROP_TX_ZC_UNSENT);
TRACE_DEFINE_ENUM(VFP_DROP_TX_BATCH);
TRACE_DEFINE_ENUM(VFP_DROP_RX_TOO_BIG);
TRACE_DEFINE_ENUM(VFP_DROP_RX_RECV);
TRACE_DEFINE_ENUM(VFP_DROP_RX_HEADER);
TRACE_DEFINE_ENUM(VFP_ZC_FALLBACK_PENDING);
TRACE_DEFINE_ENUM(VFP_ZC_FALLBACK_HEADERS);
TRACE_DEFINE_ENUM(VFP_ZC_FALLBACK_STACK);

#define vfp_show_drop_reason(r)						\
	__print_symbolic(r,						\
			 { VFP_DROP_TX_BAD_BUF, "tx_bad_buffer" },	\
			 { VFP_DROP_TX_TAP, "tx_tap_error" },		\
			 { VFP_DROP_TX_ZC_UNSENT, "tx_zerocopy_unsent" }, \
			 { VFP_DROP_TX_BATCH, "tx_batch_refused" },	\
			 { VFP_DROP_RX_TOO_BIG, "rx_too_big" },		\
			 { VFP_DROP_RX_RECV, "rx_recv_error" },		\
			 { VFP_DROP_RX_HEADER, "rx_header_fault" })

#define vfp_show_zc_reason(r)						\
	__print_symbolic(r,						\
			 { VFP_ZC_FALLBACK_PENDING, "too_many_pending" }, \
			 { VFP_ZC_FALLBACK_HEADERS, "headers_not_pinned" }, \
			 { VFP_ZC_FALLBACK_STACK, "copied_by_stack" })

TRACE_EVENT(vfp_guest_error,
	    TP_PROTO(unsigned int dev, unsigned int vq, struct va_format *vaf),
	    TP_ARGS(dev, vq, vaf),
	    TP_STRUCT__entry(__field(unsigned int, dev)
			     __field(unsigned int, vq)
			     __vstring(msg, vaf->fmt, vaf->va)),
	    TP_fast_assign(__entry->dev = dev;
			   __entry->vq = vq;
			   __assign_vstr(msg, vaf->fmt, vaf->va);),
	    TP_printk("dev %u vq %u: %s", __entry->dev, __entry->vq,
		      __get_str(msg))
);

TRACE_EVENT(vfp_drop,
	    TP_PROTO(unsigned int dev, unsigned int vq, int reason,
		     unsigned int count),
	    TP_ARGS(dev, vq, reason, count),
	    TP_STRUCT__entry(__field(unsigned int, dev)
			     __field(unsigned int, vq)
			     __field(int, reason)
			     __field(unsigned int, count)),
	    TP_fast_assign(__entry->dev = dev;
			   __entry->vq = vq;
			   __entry->reason = reason;
			   __entry->count = count;),
	    TP_printk("dev %u vq %u: %u dropped, %s", __entry->dev, __entry->vq,
		      __entry->count, vfp_show_drop_reason(__entry->reason))
);

TRACE_EVENT(vfp_zc_fallback,
	    TP_PROTO(unsigned int dev, unsigned int vq, int reason),
	    TP_ARGS(dev, vq, reason),
	    TP_STRUCT__entry(__field(unsigned int, dev)
			     __field(unsigned int, vq)
			     __field(int, reason)),
	    TP_fast_assign(__entry->dev = dev;
			   __entry->vq = vq;
			   __entry->reason = reason;),
	    TP_printk("dev %u vq %u: copied, %s", __entry->dev, __entry->vq,
		      vfp_show_zc_reason(__entry->reason))
);

DECLARE_EVENT_CLASS(vfp_queue_backend,
		    TP_PROTO(unsigned int dev, unsigned int vq, int ifindex),
		    TP_ARGS(dev, vq, ifindex),
		    TP_STRUCT__entry(__field(unsigned int, dev)
				     __field(unsigned int, vq)
				     __field(int, ifindex)),
		    TP_fast_assign(__entry->dev = dev;
				   __entry->vq = vq;
				   __entry->ifindex = ifindex;),
		    TP_printk("dev %u vq %u: backend ifindex %d attached",
			      __entry->dev, __entry->vq, __entry->ifindex)
);

DEFINE_EVENT(vfp_queue_backend, vfp_queue_start,
	     TP_PROTO(unsigned int dev, unsigned int vq, int ifindex),
	     TP_ARGS(dev, vq, ifindex)
);

DEFINE_EVENT_PRINT(vfp_queue_backend, vfp_queue_stop,
		   TP_PROTO(unsigned int dev, unsigned int vq, int ifindex),
		   TP_ARGS(dev, vq, ifindex),
		   TP_printk("dev %u vq %u: backend ifindex %d detached",
			     __entry->dev, __entry->vq, __entry->ifindex)
);

TRACE_EVENT(vfp_iotlb_miss,
	    TP_PROTO(unsigned int dev, unsigned int vq, u64 iova, u8 perm),
	    TP_ARGS(dev, vq, iova, perm),
	    TP_STRUCT__entry(__field(unsigned int, dev)
			     __field(unsigned int, vq)
			     __field(u64, iova)
			     __field(u8, perm)),
	    TP_fast_assign(__entry->dev = dev;
			   __entry->vq = vq;
			   __entry->iova = iova;
			   __entry->perm = perm;),
	    TP_printk("dev %u vq %u: iova 0x%llx perm %u", __entry->dev,
		      __entry->vq, __entry->iova, __entry->perm)
);

TRACE_EVENT(vfp_iotlb_update,
	    TP_PROTO(unsigned int dev, u64 iova, u64 size, u64 uaddr, u8 perm),
	    TP_ARGS(dev, iova, size, uaddr, perm),
	    TP_STRUCT__entry(__field(unsigned int, dev)
			     __field(u64, iova)
			     __field(u64, size)
			     __field(u64, uaddr)
			     __field(u8, perm)),
	    TP_fast_assign(__entry->dev = dev;
			   __entry->iova = iova;
			   __entry->size = size;
			   __entry->uaddr = uaddr;
			   __entry->perm = perm;),
	    TP_printk("dev %u: iova 0x%llx size 0x%llx uaddr 0x%llx perm %u",
		      __entry->dev, __entry->iova, __entry->size,
		      __entry->uaddr, __entry->perm)
);

TRACE_EVENT(vfp_zc_stop_wait,
	    TP_PROTO(unsigned int dev, unsigned int vq, unsigned int bufs,
		     u64 oldest_ns),
	    TP_ARGS(dev, vq, bufs, oldest_ns),
	    TP_STRUCT__entry(__field(unsigned int, dev)
			     __field(unsigned int, vq)
			     __field(unsigned int, bufs)
			     __field(u64, oldest_ns)),
	    TP_fast_assign(__entry->dev = dev;
			   __entry->vq = vq;
			   __entry->bufs = bufs;
			   __entry->oldest_ns = oldest_ns;),
	    TP_printk("dev %u vq %u: %u buffers held by the egress, oldest %llu ns",
		      __entry->dev, __entry->vq, __entry->bufs,
		      __entry->oldest_ns)
);

TRACE_EVENT(vfp_zc_stop_done,
	    TP_PROTO(unsigned int dev, unsigned int vq, u64 waited_ns, int ret),
	    TP_ARGS(dev, vq, waited_ns, ret),
	    TP_STRUCT__entry(__field(unsigned int, dev)
			     __field(unsigned int, vq)
			     __field(u64, waited_ns)
			     __field(int, ret)),
	    TP_fast_assign(__entry->dev = dev;
			   __entry->vq = vq;
			   __entry->waited_ns = waited_ns;
			   __entry->ret = ret;),
	    TP_printk("dev %u vq %u: waited %llu ns (%d)",
		      __entry->dev, __entry->vq, __entry->waited_ns,
		      __entry->ret)
);

#endif /* _VHOSTFP_TRACE_H */

#undef TRACE_INCLUDE_PATH
#define TRACE_INCLUDE_PATH .
#undef TRACE_INCLUDE_FILE
#define TRACE_INCLUDE_FILE trace
#include <trace/define_trace.h>
