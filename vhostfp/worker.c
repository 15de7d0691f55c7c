// SPDX-License-Identifier: GPL-2.0
/*
 * The worker: the thread that runs a device's queued handlers inside the
 * owner's address space (so guest memory is plain user memory to it) and
 * inside the owner's cgroups (so its CPU time is charged to the VM).
 *
 * Where the kernel has vhost_task (6.12), the worker is one, as vhost's
 * is: a thread of the owner's process, made by the owner at SET_OWNER,
 * that shares its mm, is in its cgroups and counts in its RLIMIT_NPROC,
 * and dies with it (SIGKILL: vfp_worker_killed()).  On 6.1 it is a
 * kthread that adopts the owner's mm (kthread_use_mm()) and cgroups
 * (cgroup_attach_task_all()).  VHOST_GET_FORK_FROM_OWNER says which.
 *
 * One worker serves a whole device today; every queue reaches it through
 * vq->worker, so per-queue workers only change who creates them.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/cgroup.h>
#include <linux/completion.h>
#include <linux/err.h>
#include <linux/kthread.h>
#include <linux/sched/mm.h>
#include <linux/slab.h>

#include "vhostfp.h"

struct vfp_flush {
	struct vfp_work work;
	struct vfp_worker *worker;
	struct completion done;
};

void vfp_work_init(struct vfp_work *work, vfp_work_fn_t fn)
{
	work->flags = 0;
	work->fn = fn;
}

static void vfp_worker_wake(struct vfp_worker *worker)
{
	if (VFP_WORKER_IS_TASK)
		vhost_task_wake(worker->vtsk);
	else
		wake_up_process(worker->task);
}

/*
 * Any context.  A work already queued and not yet started is not re-added.
 * Once a vhost_task worker was killed with its owner, works queued here
 * are never run: only a flush waits for its work, and it checks first.
 */
void vfp_worker_queue(struct vfp_worker *worker, struct vfp_work *work)
{
	if (test_and_set_bit(VFP_WORK_QUEUED, &work->flags))
		return;
	/* llist_add() orders the work's setup before the thread sees it. */
	llist_add(&work->node, &worker->work_list);
	vfp_worker_wake(worker);
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

/* vhost_task: called in TASK_INTERRUPTIBLE; false: nothing ran, sleep. */
static bool vfp_worker_task_fn(void *data)
{
	struct vfp_worker *worker = data;
	struct llist_node *node;

	node = llist_del_all(&worker->work_list);
	if (!node)
		return false;
	__set_current_state(TASK_RUNNING);
	vfp_worker_run(worker, node);
	return true;
}

/*
 * vhost_task: the owner was killed, and the worker with it; its task is
 * on its way out.  From now on no flush waits (vfp_worker_flush()), and
 * what was queued before, flushes included, runs here one last time:
 * the owner's mm is still there.
 */
static void vfp_worker_killed(void *data)
{
	struct vfp_worker *worker = data;
	struct llist_node *node;

	spin_lock(&worker->lock);
	worker->killed = true;
	spin_unlock(&worker->lock);
	node = llist_del_all(&worker->work_list);
	if (node)
		vfp_worker_run(worker, node);
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

/* The owner's own thread: see the top of this file. */
static int vfp_worker_start_task(struct vfp_worker *worker, const char *name)
{
	struct vhost_task *vtsk;

	vtsk = vhost_task_create(vfp_worker_task_fn, vfp_worker_killed,
				 worker, name);
	if (IS_ERR(vtsk))
		return PTR_ERR(vtsk);
	worker->vtsk = vtsk;
	vhost_task_start(vtsk);
	return 0;
}

static int vfp_worker_start_kthread(struct vfp_worker *worker,
				    const char *name)
{
	struct task_struct *task;
	int ret;

	task = kthread_create(vfp_worker_fn, worker, "%s", name);
	if (IS_ERR(task))
		return PTR_ERR(task);
	worker->task = task;
	/* Still stopped: it has not run a single handler yet. */
	ret = cgroup_attach_task_all(current, task);
	if (ret) {
		kthread_stop(task);
		return ret;
	}
	wake_up_process(task);
	return 0;
}

/*
 * Called by the owner (SET_OWNER): current is the process the worker
 * joins (vhost_task) or whose cgroups it takes (kthread).  @mm must stay
 * alive until vfp_worker_destroy().  -EAGAIN: the owner's RLIMIT_NPROC.
 */
int vfp_worker_create(struct vfp_worker **out, struct mm_struct *mm,
		      const char *name)
{
	struct vfp_worker *worker;
	int ret;

	worker = kzalloc(sizeof(*worker), GFP_KERNEL_ACCOUNT);
	if (!worker)
		return -ENOMEM;
	init_llist_head(&worker->work_list);
	spin_lock_init(&worker->lock);
	worker->mm = mm;
	if (VFP_WORKER_IS_TASK)
		ret = vfp_worker_start_task(worker, name);
	else
		ret = vfp_worker_start_kthread(worker, name);
	if (ret) {
		kfree(worker);
		return ret;
	}
	/* Runs once on the new thread: worker->pid is known from now on. */
	vfp_worker_flush(worker);
	*out = worker;
	return 0;
}

static void vfp_worker_flush_fn(struct vfp_work *work)
{
	struct vfp_flush *flush = container_of(work, struct vfp_flush, work);

	/* Read locklessly by ident.c; the first flush is at creation. */
	WRITE_ONCE(flush->worker->pid, task_pid_nr(current));
	complete(&flush->done);
}

/*
 * Wait until every work queued before this call has run.  A killed
 * worker ran what it had (vfp_worker_killed()) and runs nothing more:
 * nothing to wait for.  The check and the queueing are one step under
 * worker->lock, so a flush is either seen by the kill handler or sees it.
 */
void vfp_worker_flush(struct vfp_worker *worker)
{
	struct vfp_flush flush;

	init_completion(&flush.done);
	flush.worker = worker;
	vfp_work_init(&flush.work, vfp_worker_flush_fn);
	spin_lock(&worker->lock);
	if (worker->killed) {
		spin_unlock(&worker->lock);
		return;
	}
	vfp_worker_queue(worker, &flush.work);
	spin_unlock(&worker->lock);
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

/*
 * Caller has stopped every source of work (polls, zero-copy completions).
 * Works a killed worker left queued are taken off, so that they can be
 * queued to a next worker (a work is queued at most once).
 */
void vfp_worker_destroy(struct vfp_worker *worker)
{
	struct vfp_work *work, *next;
	struct llist_node *node;

	if (!worker)
		return;
	vfp_worker_flush(worker);
	if (VFP_WORKER_IS_TASK)
		vhost_task_stop(worker->vtsk);
	else
		kthread_stop(worker->task);
	node = llist_del_all(&worker->work_list);
	/* Bound: each work of the device is on the list at most once. */
	llist_for_each_entry_safe(work, next, node, node)
		clear_bit(VFP_WORK_QUEUED, &work->flags);
	kfree(worker);
}

/* VHOST_GET_FORK_FROM_OWNER: the kind of worker vfp_worker_create() makes. */
u8 vfp_worker_mode(void)
{
	return VFP_WORKER_IS_TASK ? VHOST_FORK_OWNER_TASK :
				    VHOST_FORK_OWNER_KTHREAD;
}
