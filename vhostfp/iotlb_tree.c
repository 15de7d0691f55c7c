// SPDX-License-Identifier: GPL-2.0
/*
 * The IOTLB's entries: an rbtree keyed by IOVA, the same entries on a list
 * oldest first for eviction.  They never overlap: an UPDATE drops whatever
 * it overlaps, an INVALIDATE whatever it meets, whole.  Each call takes
 * the tree's lock; what the queues must do after an entry goes is
 * iotlb.c's and dev.c's.  selftests/unit compiles this file in userspace.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/list.h>
#include <linux/rbtree.h>
#include <linux/slab.h>
#include <linux/spinlock.h>

#include "iotlb.h"

/* One translation: IOVA [start, last] is user memory at hva. */
struct vfp_iotlb_map {
	struct rb_node node;
	struct list_head fifo;		/* oldest first, for eviction */
	u64 start;
	u64 last;
	u64 hva;
	u8 perm;			/* VHOST_ACCESS_* */
};

static void vfp_iotlb_erase(struct vfp_iotlb_tree *tree,
			    struct vfp_iotlb_map *m)
{
	lockdep_assert_held(&tree->lock);
	rb_erase(&m->node, &tree->root);
	list_del(&m->fifo);
	tree->nentries--;
	kfree(m);
}

/* The entry holding @iova, or NULL. */
static struct vfp_iotlb_map *vfp_iotlb_find(struct vfp_iotlb_tree *tree,
					    u64 iova)
{
	struct rb_node *n = tree->root.rb_node;

	lockdep_assert_held(&tree->lock);
	/* Bound: the tree's height, entries being VFP_IOTLB_ENTRIES_MAX. */

	while (n) {
		struct vfp_iotlb_map *m = rb_entry(n, struct vfp_iotlb_map, node);

		if (iova < m->start)
			n = n->rb_left;
		else if (iova > m->last)
			n = n->rb_right;
		else
			return m;
	}
	return NULL;
}

/* The first entry ending at or after @iova, or NULL. */
static struct vfp_iotlb_map *vfp_iotlb_first(struct vfp_iotlb_tree *tree,
					     u64 iova)
{
	struct rb_node *n = tree->root.rb_node;
	struct vfp_iotlb_map *best = NULL;

	lockdep_assert_held(&tree->lock);

	while (n) {
		struct vfp_iotlb_map *m = rb_entry(n, struct vfp_iotlb_map, node);

		if (m->last >= iova) {
			best = m;
			n = n->rb_left;
		} else {
			n = n->rb_right;
		}
	}
	return best;
}

/* Drop every entry meeting [start, last]; returns how many. */
static unsigned int vfp_iotlb_del_range(struct vfp_iotlb_tree *tree,
					u64 start, u64 last)
{
	struct vfp_iotlb_map *m;
	unsigned int n = 0;

	lockdep_assert_held(&tree->lock);
	/* Bound: the entries, VFP_IOTLB_ENTRIES_MAX; each pass drops one. */

	while ((m = vfp_iotlb_first(tree, start)) && m->start <= last) {
		vfp_iotlb_erase(tree, m);
		n++;
	}
	return n;
}

static void vfp_iotlb_insert(struct vfp_iotlb_tree *tree,
			     struct vfp_iotlb_map *new)
{
	struct rb_node **p = &tree->root.rb_node, *parent = NULL;

	lockdep_assert_held(&tree->lock);
	while (*p) {
		struct vfp_iotlb_map *m = rb_entry(*p, struct vfp_iotlb_map, node);

		parent = *p;
		p = new->start < m->start ? &(*p)->rb_left : &(*p)->rb_right;
	}
	rb_link_node(&new->node, parent, p);
	rb_insert_color(&new->node, &tree->root);
	list_add_tail(&new->fifo, &tree->fifo);
	tree->nentries++;
}

void vfp_iotlb_tree_init(struct vfp_iotlb_tree *tree)
{
	spin_lock_init(&tree->lock);
	tree->root = RB_ROOT;
	INIT_LIST_HEAD(&tree->fifo);
	tree->nentries = 0;
}

/* An entry for vfp_iotlb_tree_add(), or NULL: out of memory. */
struct vfp_iotlb_map *vfp_iotlb_map_new(u64 start, u64 last, u64 hva, u8 perm)
{
	struct vfp_iotlb_map *m = kmalloc(sizeof(*m), GFP_KERNEL_ACCOUNT);

	if (!m)
		return NULL;
	m->start = start;
	m->last = last;
	m->hva = hva;
	m->perm = perm;
	return m;
}

/*
 * Add @m, which the tree then owns, in place of every entry it overlaps;
 * at VFP_IOTLB_ENTRIES_MAX the oldest goes too.  Returns how many went.
 */
unsigned int vfp_iotlb_tree_add(struct vfp_iotlb_tree *tree,
				struct vfp_iotlb_map *m)
{
	struct vfp_iotlb_map *old;
	unsigned int removed;

	spin_lock(&tree->lock);
	removed = vfp_iotlb_del_range(tree, m->start, m->last);
	if (tree->nentries >= VFP_IOTLB_ENTRIES_MAX) {
		/* Like vhost: the oldest goes; a later miss brings it back. */
		old = list_first_entry(&tree->fifo, struct vfp_iotlb_map, fifo);
		vfp_iotlb_erase(tree, old);
		removed++;
	}
	vfp_iotlb_insert(tree, m);
	spin_unlock(&tree->lock);
	return removed;
}

/* Drop every entry meeting [start, last], whole; returns how many. */
unsigned int vfp_iotlb_tree_del(struct vfp_iotlb_tree *tree, u64 start,
				u64 last)
{
	unsigned int n;

	spin_lock(&tree->lock);
	n = vfp_iotlb_del_range(tree, start, last);
	spin_unlock(&tree->lock);
	return n;
}

void vfp_iotlb_tree_clear(struct vfp_iotlb_tree *tree)
{
	spin_lock(&tree->lock);
	/* Bound: the entries, VFP_IOTLB_ENTRIES_MAX; each pass drops one. */
	while (!list_empty(&tree->fifo))
		vfp_iotlb_erase(tree, list_first_entry(&tree->fifo,
						       struct vfp_iotlb_map,
						       fifo));
	spin_unlock(&tree->lock);
}

/* Copy the entry holding @iova into *@hit.  false: none does. */
bool vfp_iotlb_tree_find(struct vfp_iotlb_tree *tree, u64 iova,
			 struct vfp_iotlb_hit *hit)
{
	struct vfp_iotlb_map *m;

	spin_lock(&tree->lock);
	m = vfp_iotlb_find(tree, iova);
	if (m) {
		hit->valid = true;
		hit->start = m->start;
		hit->last = m->last;
		hit->hva = m->hva;
		hit->perm = m->perm;
	}
	spin_unlock(&tree->lock);
	return m;
}
