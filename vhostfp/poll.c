// SPDX-License-Identifier: GPL-2.0
/*
 * Turning file readiness (a kick eventfd, a tap socket) into worker runs:
 * a wait queue entry on the file whose wake function queues a work.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/file.h>

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
