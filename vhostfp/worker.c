// SPDX-License-Identifier: GPL-2.0
/*
 * The worker: a kernel thread that runs queued handlers inside the owner's
 * address space (so guest memory is plain user memory to it) and inside
 * the owner's cgroups (so its CPU time is charged to the VM).
 *
 * One worker serves a whole device today; every queue reaches it through
 * vq->worker, so per-queue workers only change who creates them.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/cgroup.h>
#include <linux/completion.h>
#include <linux/kthread.h>
#include <linux/sched/mm.h>
#include <linux/slab.h>

#include "vhostfp.h"

struct vfp_flush {
	struct vfp_work work;
	struct completion done;
};

void vfp_work_init(struct vfp_work *work, vfp_work_fn_t fn)
{
	work->flags = 0;
	work->fn = fn;
}

/* Any context.  A work already queued and not yet started is not re-added. */
void vfp_worker_queue(struct vfp_worker *worker, struct vfp_work *work)
{
	if (test_and_set_bit(VFP_WORK_QUEUED, &work->flags))
		return;
	/* llist_add() orders the work's setup before the thread sees it. */
	llist_add(&work->node, &worker->work_list);
	wake_up_process(worker->task);
}

static void vfp_worker_run(struct vfp_worker *worker, struct llist_node *node)
{
	struct vfp_work *work, *next;

	node = llist_reverse_order(node);
	llist_for_each_entry_safe(work, next, node, node) {
		/* Read before the clear: then the work may be queued anew. */
		worker->batch_more = work->node.next;
		clear_bit(VFP_WORK_QUEUED, &work->flags);
		/*
		 * Order the clear before whatever the handler reads: a
		 * wakeup that arrives after the handler looked must find the
		 * bit clear and queue the work again, or it would be lost.
		 */
		smp_mb__after_atomic();
		work->fn(work);
		cond_resched();
	}
}

static int vfp_worker_fn(void *data)
{
	struct vfp_worker *worker = data;
	struct llist_node *node;

	kthread_use_mm(worker->mm);
	for (;;) {
		/* Set the state first so a wake_up_process() is not missed. */
		set_current_state(TASK_INTERRUPTIBLE);
		if (kthread_should_stop()) {
			__set_current_state(TASK_RUNNING);
			break;
		}
		node = llist_del_all(&worker->work_list);
		if (!node) {
			schedule();
			continue;
		}
		__set_current_state(TASK_RUNNING);
		vfp_worker_run(worker, node);
	}
	kthread_unuse_mm(worker->mm);
	return 0;
}

/*
 * Called by the owner (SET_OWNER): current's cgroups are the worker's.
 * @mm must stay alive until vfp_worker_destroy().
 */
int vfp_worker_create(struct vfp_worker **out, struct mm_struct *mm,
		      const char *name)
{
	struct vfp_worker *worker;
	struct task_struct *task;
	int ret;

	worker = kzalloc(sizeof(*worker), GFP_KERNEL_ACCOUNT);
	if (!worker)
		return -ENOMEM;
	init_llist_head(&worker->work_list);
	worker->mm = mm;

	task = kthread_create(vfp_worker_fn, worker, "%s", name);
	if (IS_ERR(task)) {
		ret = PTR_ERR(task);
		goto err_free;
	}
	worker->task = task;
	/* Still stopped: it has not run a single handler yet. */
	ret = cgroup_attach_task_all(current, task);
	if (ret)
		goto err_stop;
	wake_up_process(task);
	*out = worker;
	return 0;

err_stop:
	kthread_stop(task);
err_free:
	kfree(worker);
	return ret;
}

static void vfp_worker_flush_fn(struct vfp_work *work)
{
	struct vfp_flush *flush = container_of(work, struct vfp_flush, work);

	complete(&flush->done);
}

/* Wait until every work queued before this call has run. */
void vfp_worker_flush(struct vfp_worker *worker)
{
	struct vfp_flush flush;

	init_completion(&flush.done);
	vfp_work_init(&flush.work, vfp_worker_flush_fn);
	vfp_worker_queue(worker, &flush.work);
	wait_for_completion(&flush.done);
}

/*
 * For a busy-polling handler, on the worker's own thread: is there work
 * other than @own, taken already or still queued?  Only this thread takes
 * entries off the list, others add at its head, so the walk is safe.
 */
bool vfp_worker_has_other_work(struct vfp_worker *worker,
			       const struct vfp_work *own)
{
	struct llist_node *node;

	if (worker->batch_more)
		return true;
	for (node = READ_ONCE(worker->work_list.first); node;
	     node = READ_ONCE(node->next))
		if (node != &own->node)
			return true;
	return false;
}

/* Caller has stopped every source of work (polls, zero-copy completions). */
void vfp_worker_destroy(struct vfp_worker *worker)
{
	if (!worker)
		return;
	vfp_worker_flush(worker);
	kthread_stop(worker->task);
	WARN_ON_ONCE(!llist_empty(&worker->work_list));
	kfree(worker);
}
