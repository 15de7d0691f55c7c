/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vhostfp tracepoints (events/vhostfp/ in tracefs).
 *
 * vfp_zc_stop_wait / vfp_zc_stop_done: a stop (VHOST_NET_SET_BACKEND)
 * waited for zero-copy buffers that the host's egress still held; how
 * many, the age of the oldest, and how long the stop waited.
 */
#undef TRACE_SYSTEM
#define TRACE_SYSTEM vhostfp

#if !defined(_VHOSTFP_TRACE_H) || defined(TRACE_HEADER_MULTI_READ)
#define _VHOSTFP_TRACE_H

#include <linux/tracepoint.h>

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
