/* SPDX-License-Identifier: GPL-2.0 */
/*
 * selftests/unit: the rbtree calls iotlb_tree.c makes, on a plain binary
 * search tree.  No balancing (a test's trees are small), so the shapes
 * differ from the kernel's; the order and the lookups do not.
 */
#ifndef _UNIT_LINUX_RBTREE_H
#define _UNIT_LINUX_RBTREE_H

#include <linux/list.h>

struct rb_node {
	struct rb_node *rb_parent;
	struct rb_node *rb_right;
	struct rb_node *rb_left;
};

struct rb_root {
	struct rb_node *rb_node;
};

#define RB_ROOT				((struct rb_root){ NULL })
#define rb_entry(ptr, type, member)	container_of(ptr, type, member)

static inline void rb_link_node(struct rb_node *node, struct rb_node *parent,
				struct rb_node **link)
{
	node->rb_parent = parent;
	node->rb_left = NULL;
	node->rb_right = NULL;
	*link = node;
}

static inline void rb_insert_color(struct rb_node *node, struct rb_root *root)
{
	(void)node;
	(void)root;
}

/* Put @new (may be NULL) where @old hangs. */
static inline void unit_rb_replace(struct rb_node *old, struct rb_node *new,
				   struct rb_root *root)
{
	struct rb_node *p = old->rb_parent;

	if (!p)
		root->rb_node = new;
	else if (p->rb_left == old)
		p->rb_left = new;
	else
		p->rb_right = new;
	if (new)
		new->rb_parent = p;
}

static inline void rb_erase(struct rb_node *node, struct rb_root *root)
{
	struct rb_node *next;

	if (!node->rb_left) {
		unit_rb_replace(node, node->rb_right, root);
		return;
	}
	if (!node->rb_right) {
		unit_rb_replace(node, node->rb_left, root);
		return;
	}
	/* Two children: the next node in order takes @node's place. */
	next = node->rb_right;
	while (next->rb_left)
		next = next->rb_left;
	if (next != node->rb_right) {
		unit_rb_replace(next, next->rb_right, root);
		next->rb_right = node->rb_right;
		next->rb_right->rb_parent = next;
	}
	unit_rb_replace(node, next, root);
	next->rb_left = node->rb_left;
	next->rb_left->rb_parent = next;
}

#endif /* _UNIT_LINUX_RBTREE_H */
