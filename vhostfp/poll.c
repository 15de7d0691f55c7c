// SPDX-License-Identifier: GPL-2.0
/*
 * Turning file readiness (a kick eventfd, a tap socket) into worker runs:
 * a wait queue entry on the file whose wake function queues a work; and
 * the opposite, busy polling, for a handler that would rather not wait.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/file.h>
#include <linux/sched.h>
#include <linux/sched/clock.h>

#include "vhostfp.h"

/* Called by vfs_poll() with the wait queue(s) the file wakes. */
static void vfp_poll_queue_proc(struct file *file, wait_queue_head_t *wqh,
				poll_table *pt)
{
	struct vfp_poll *poll = container_of(pt, struct vfp_poll, table);

	/* Files with a single wait queue only: eventfd, tun, tap. */
	if (poll->wqh)
		return;
	poll->wqh = wqh;
	add_wait_queue(wqh, &poll->wait);
}

/* Wake function; runs in the waker's context with wqh's lock held. */
static int vfp_poll_wakeup(wait_queue_entry_t *wait, unsigned int mode,
			   int sync, void *key)
{
	struct vfp_poll *poll = container_of(wait, struct vfp_poll, wait);

	if (key && !(key_to_poll(key) & poll->mask))
		return 0;
	vfp_poll_queue(poll);
	return 0;
}

void vfp_poll_init(struct vfp_poll *poll, struct vfp_vq *vq,
		   vfp_work_fn_t fn, __poll_t mask)
{
	init_poll_funcptr(&poll->table, vfp_poll_queue_proc);
	init_waitqueue_func_entry(&poll->wait, vfp_poll_wakeup);
	vfp_work_init(&poll->work, fn);
	poll->wqh = NULL;
	poll->mask = mask;
	poll->vq = vq;
}

void vfp_poll_queue(struct vfp_poll *poll)
{
	vfp_worker_queue(poll->vq->worker, &poll->work);
}

/*
 * Start watching @file; if it is ready already, queue the work now.
 * Caller holds the vq mutex.
 */
int vfp_poll_start(struct vfp_poll *poll, struct file *file)
{
	__poll_t mask;

	if (poll->wqh)
		return 0;
	mask = vfs_poll(file, &poll->table);
	if (mask & poll->mask)
		vfp_poll_queue(poll);
	if (mask & EPOLLERR) {
		vfp_poll_stop(poll);
		return -EINVAL;
	}
	return 0;
}

/* After this returns the wake function is not running and won't run again. */
void vfp_poll_stop(struct vfp_poll *poll)
{
	if (!poll->wqh)
		return;
	remove_wait_queue(poll->wqh, &poll->wait);
	poll->wqh = NULL;
}

/*
 * Busy polling (VHOST_SET_VRING_BUSYLOOP_TIMEOUT, QEMU's poll-us=): a
 * handler that runs out of work does not go idle at once but looks at its
 * source again (TX: the avail ring, RX: the tap's queue) for up to the
 * timeout, with the guest's notifications still disabled.  A guest that
 * sends again soon saves a kick (an exit), the host a wakeup.
 *
 * The other sources of work of the queue pair are watched through the
 * worker's list: the other queue's kicks and socket wakeups, zero-copy
 * completions queue work there.  The poll ends as soon as the worker has
 * work other than @own (the wakeup of the very source polled, which the
 * handler sees for itself), the scheduler wants the CPU (need_resched()),
 * or the time is up, and never lasts longer than VFP_BUSY_POLL_MAX_US; the
 * caller then takes its idle path and the worker runs the rest or
 * cond_resched()s.  A queued @own runs the handler once more afterwards,
 * harmlessly: the wait queue entries stay armed throughout, so no wakeup
 * is lost, even on a tap queue that is detached meanwhile.
 *
 * In a handler's loop, under the vq mutex:
 *
 *	if (nothing to do) {
 *		if (vfp_busy_poll(vq, &busy, own))
 *			continue;	(look again)
 *		go idle;
 *	}
 *	vfp_busy_poll_found(vq, &busy);
 *
 * Returns true while the caller should look again.
 */
static void vfp_busy_poll_end(struct vfp_vq *vq, struct vfp_busy *busy,
			      u64 now)
{
	vq->stats.busy_poll_ns += now - busy->start;
	busy->start = 0;
}

bool vfp_busy_poll(struct vfp_vq *vq, struct vfp_busy *busy,
		   const struct vfp_work *own)
{
	u32 us = min_t(u32, vq->busyloop_timeout, VFP_BUSY_POLL_MAX_US);
	u64 now;

	lockdep_assert_held(&vq->mutex);
	if (!us)
		return false;
	now = local_clock();
	if (!busy->start) {
		/* Nonzero: a clock reading of 0 would look like "idle". */
		busy->start = now ?: 1;
		busy->end = now + us * NSEC_PER_USEC;
		vq->stats.busy_polls++;
	}
	if (now >= busy->end || need_resched() ||
	    vfp_worker_has_other_work(vq->worker, own)) {
		vfp_busy_poll_end(vq, busy, now);
		return false;
	}
	cpu_relax();
	return true;
}

/* The handler found work: if it was busy polling, the poll paid off. */
void vfp_busy_poll_found(struct vfp_vq *vq, struct vfp_busy *busy)
{
	if (!busy->start)
		return;
	vq->stats.busy_poll_hits++;
	vfp_busy_poll_end(vq, busy, local_clock());
}

/*
 * The bound of every handler loop: a pass yields after @turns turns (each
 * a buffer or packet handled, dropped or refused, or a lost race with a
 * notification) or @bytes bytes, and @resume is queued to carry on once
 * the worker has run its other work and rescheduled (vfp_worker_run()).
 */
bool vfp_vq_exceeds_weight(struct vfp_vq *vq, struct vfp_poll *resume,
			   unsigned int turns, size_t bytes)
{
	lockdep_assert_held(&vq->mutex);
	if (turns < VFP_WEIGHT_PACKETS && bytes < VFP_WEIGHT_BYTES)
		return false;
	vfp_poll_queue(resume);
	return true;
}
