// SPDX-License-Identifier: GPL-2.0
/*
 * The read-only views under /sys/kernel/debug/gup_track. Every file is a
 * 0444 seq_file: kernel lockdown refuses to open anything writable in
 * debugfs, so controls live in module parameters instead. No file prints
 * a kernel address: callers and frames are symbol names, or "?" where an
 * address no longer resolves (a module unloaded since); stacks are call
 * site ids.
 */
#include <linux/ctype.h>
#include <linux/debugfs.h>
#include <linux/err.h>
#include <linux/kallsyms.h>
#include <linux/kdev_t.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/timekeeping.h>
#include <linux/utsname.h>
#include <generated/utsrelease.h>

#include <gup_track/format.h>
#include <gup_track/version.h>

#include "blocked.h"
#include "debugfs.h"
#include "track.h"
#include "group.h"
#include "hook.h"
#include "hooks/hooks.h"
#include "owner.h"
#include "policy.h"
#include "reconcile.h"
#include "ring.h"
#include "settle.h"
#include "site.h"
#include "snapshot.h"
#include "table.h"

static struct dentry *gt_dir;

static int version_show(struct seq_file *m, void *v)
{
	seq_printf(m, "version %s\n", GUP_TRACK_VERSION);
	seq_printf(m, "format %d\n", GUP_TRACK_FORMAT_VERSION);
	seq_printf(m, "built_for %s\n", UTS_RELEASE);
	seq_printf(m, "running %s\n", init_utsname()->release);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(version);

/* comm is chosen by userspace: keep every column one token. */
static void gt_put_comm(struct seq_file *m, const char *comm)
{
	int i;

	if (!*comm) {
		seq_putc(m, '-');
		return;
	}
	for (i = 0; i < TASK_COMM_LEN && comm[i]; i++)
		seq_putc(m, isgraph(comm[i]) ? comm[i] : '_');
}

/* "name" or "name[module]": one token, never an address. */
static void gt_put_name(struct seq_file *m, const char *name)
{
	if (!*name || !strncmp(name, "0x", 2)) {
		seq_putc(m, '?');
		return;
	}
	for (; *name; name++)
		if (*name != ' ')
			seq_putc(m, isgraph(*name) ? *name : '_');
}

static void gt_put_symbol(struct seq_file *m, unsigned long ip)
{
	char sym[KSYM_SYMBOL_LEN];

	sprint_symbol_no_offset(sym, ip);
	gt_put_name(m, sym);
}

/* The caller of a call site, as it was named when the site was made. */
static void gt_put_caller(struct seq_file *m, u32 site)
{
	struct gt_site_info info;

	if (!gt_site_get(site, &info)) {
		seq_putc(m, '-');
		return;
	}
	gt_put_name(m, info.caller);
}

static u32 gt_age(u64 since, u64 now)
{
	return now > since ? div_u64(now - since, NSEC_PER_SEC) : 0;
}

/* stats */

struct gt_active {
	unsigned long folios, pinned_folios, pinned_pages, pins, gets;
	unsigned long get_folios, longterm_folios, file_folios;
	unsigned long misused_folios, misused_pins;
};

static void gt_active_add(struct gt_entry *e, void *arg)
{
	struct gt_active *a = arg;
	int pins = e->pins, gets = e->gets;
	u8 flags = e->flags;
	unsigned long pages = gt_subpages_count(e->order, e->subpages);

	a->folios++;
	a->pins += pins;
	a->gets += gets;
	if (pins) {
		a->pinned_folios++;
		a->pinned_pages += pages;
	}
	if (gets)
		a->get_folios++;
	if (flags & GT_E_LONGTERM)
		a->longterm_folios++;
	if (flags & GT_E_FILE)
		a->file_folios++;
	if ((flags & GT_E_MISUSED) && pins) {
		a->misused_folios++;
		a->misused_pins += pins;
	}
}

static void gt_missed_add(const struct gt_hook *h, u64 hits, void *arg)
{
	*(unsigned long *)arg += gt_hook_missed(h);
}

static const char * const gt_veto_names[GT_VETO_MAX] = {
	[GT_VETO_UNMAP] = "veto_unmap",
	[GT_VETO_RELEASE] = "veto_release",
	[GT_SEEN_WRITEBACK] = "writeback_pinned",
	[GT_SEEN_SYNC] = "syncwrite_pinned",
	[GT_DIRTY_AT_UNPIN] = "dirty_at_unpin",
};

static void gt_policy_lines(struct seq_file *m)
{
	struct gt_policy_stats st;
	int i;

	gt_policy_stats(&st);
	seq_printf(m, "policy %s\n", gt_policy_name(st.mode));
	seq_printf(m, "policy_available %d\n", st.available);
	seq_printf(m, "enforce_available %d\n", st.enforce_available);
	for (i = 0; i < GT_VETO_MAX; i++) {
		seq_printf(m, "%s_would %llu\n", gt_veto_names[i],
			   st.would_veto[i]);
		seq_printf(m, "%s_done %llu\n", gt_veto_names[i],
			   st.vetoed[i]);
	}
	seq_printf(m, "veto_release_allowed %llu\n",
		   st.allowed[GT_VETO_RELEASE]);
	seq_printf(m, "dirty_at_unpin_skipped %llu\n", st.dirty_skipped);
	seq_printf(m, "truncated_while_pinned %llu\n", st.truncated);
	seq_printf(m, "truncated_gets_expired %llu\n", st.truncated_expired);
	seq_printf(m, "policy_files_untracked %llu\n", st.files_untracked);
}

static int stats_show(struct seq_file *m, void *v)
{
	struct gt_reconcile_stats rs;
	struct gt_settle_stats ss;
	unsigned long missed = 0, cursor = 0;
	struct gt_active a = {};
	struct gt_ring_stats rg;
	struct gt_counters c;
	u64 longest_ns, longest_nr;
	unsigned int i;

	gt_reconcile_view();
	gt_settle_counters(&c);
	gt_reconcile_stats(&rs);
	gt_settle_stats(&ss);
	while (!gt_table_scan(&cursor, GT_RECONCILE_BUDGET, false,
			      gt_active_add, &a))
		cond_resched();
	gt_hooks_for_each(gt_missed_add, &missed);

#define S(name, val) seq_printf(m, "%s %llu\n", name, (unsigned long long)(val))
	S("format", GUP_TRACK_FORMAT_VERSION);
	S("pins_acquired", c.pins_acquired);
	S("pins_released", c.pins_released);
	S("pins_rolled_back", c.pins_rolled_back);
	S("pins_released_untracked", c.pins_released_untracked);
	S("pins_added", c.pins_added);
	S("pins_reconciled", rs.pins_reconciled);
	S("gets_acquired", c.gets_acquired);
	S("gets_released", c.gets_released);
	S("gets_freed", c.gets_freed);
	S("gets_expired", rs.gets_expired);
	S("gets_expired_worker", rs.gets_expired_worker);
	S("gets_internal", c.gets_internal);
	S("freed_while_pinned", c.freed_while_pinned);
	S("untracked_full", c.untracked_full);
	S("untracked_nomem", c.untracked_nomem);
	S("untracked_overflow", c.untracked_overflow);
	S("calls_atomic", c.calls_atomic);
	S("owners_none", c.owners_none);
	S("hooks_missed", missed);
	S("reconcile_passes", rs.passes);
	S("reconcile_checked", rs.checked);
	S("reconcile_stale", rs.stale);
	S("reconcile_ns", rs.ns);
	S("active_folios", a.folios);
	S("active_pinned_folios", a.pinned_folios);
	S("active_pinned_pages", a.pinned_pages);
	S("active_pins", a.pins);
	S("active_get_folios", a.get_folios);
	S("active_gets_unconfirmed", a.gets);
	S("active_longterm_folios", a.longterm_folios);
	S("active_file_folios", a.file_folios);
	S("active_misused_folios", a.misused_folios);
	S("active_misused_pins", a.misused_pins);
	S("active_owners", gt_owner_count());
	S("idle_owners", gt_owner_idle());
	S("peak_folios", gt_table_peak());
	S("memory_bytes", gt_table_memory() + gt_owner_memory() +
	  gt_site_bytes());
	S("reserve_empty", gt_table_reserve_empty());
	S("reserve_grown", gt_table_reserve_grown());
	S("calls_large", gt_gup_large_calls());
	gt_track_longest(&longest_ns, &longest_nr);
	S("acquire_longest_us", longest_ns / NSEC_PER_USEC);
	S("acquire_longest_pages", longest_nr);
	S("sites", gt_site_count());
	S("sites_full", gt_site_full());
	S("table_limit", gt_table_limit());
	S("load_settle_ms", ss.waited_ms);
	S("load_calls_in_flight", ss.seen);
	S("load_calls_unfollowed", ss.straddlers);
	S("load_base_exact", c.base_exact && !ss.straddlers);
	S("load_release_looks", ss.release_looks);
	S("load_stopped_us", ss.stopped_us);
	S("load_stop_tasks", ss.stop_tasks);
	S("load_stop_walks", ss.stop_walks);
	S("load_gup_ranges", gt_gup_ranges());
	S("load_rcu_tasks_ms", ss.rcu_tasks_ms);
	S("load_attach_ms", ss.attach_ms);
	S("load_releases_ms", ss.releases_ms);
	S("load_policy_ms", ss.policy_ms);
	S("load_ms", ss.total_ms);
	S("kernel_foll_pin_acquired", c.kernel_pin_acquired);
	S("kernel_foll_pin_released", c.kernel_pin_released);
	S("ours_foll_pin_acquired", c.pins_acquired + c.pins_rolled_back);
	S("ours_foll_pin_released", c.pins_released + c.pins_rolled_back);
	gt_ring_stats(&rg);
	S("events_size", rg.size);
	S("events_per_kind", rg.per_kind);
	S("events_next_seq", rg.next_seq);
	S("events_lost", rg.lost);
	S("migrate_blocked_repeats", gt_blocked_repeats());
	for (i = 0; i < GT_EV_MAX; i++)
		seq_printf(m, "events_%s %llu\n", gt_ev_kind_name(i),
			   rg.kind[i]);
#undef S
	gt_policy_lines(m);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(stats);

/* hooks */

static void gt_hook_line(const struct gt_hook *h, u64 hits, void *arg)
{
	struct seq_file *m = arg;

	seq_printf(m, "%s %s %s %llu ", h->name, gt_hook_kind_name(h->kind),
		   h->attached ? "attached" : h->wanted ? "detached" : "absent",
		   hits);
	if (h->attached && h->kind != GT_TRACEPOINT)
		seq_printf(m, "%lu\n", gt_hook_missed(h));
	else
		seq_puts(m, "-\n");
}

static int hooks_show(struct seq_file *m, void *v)
{
	seq_puts(m, GT_HOOKS_HEADER "\n");
	gt_hooks_for_each(gt_hook_line, m);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(hooks);

/*
 * The table views. None copies the table whole (ARCHITECTURE.md, "Scale
 * rules"): pages streams it a chunk at a time (snapshot.h), tasks and
 * files fold it a chunk at a time into a bounded set of groups, stacks
 * reads the call sites one by one. Each view reconciles the table when it
 * is opened.
 */

/* pages: one row per entry, streamed; rows in no particular order */

struct gt_pages_data {
	struct gt_snap_walk *walk;
	loff_t first;		/* row number of walk->rows[0] */
	u64 now;
};

static void gt_put_flags(struct seq_file *m, const struct gt_snap *s)
{
	char f[GT_FLAGS_LEN + 1] = "-----";

	if (s->pins)
		f[0] = s->flags & GT_E_MISUSED ? GT_FLAG_MISUSED : GT_FLAG_PIN;
	if (s->gets)
		f[1] = GT_FLAG_GET;
	if (s->flags & GT_E_LONGTERM)
		f[2] = GT_FLAG_LONGTERM;
	if (s->flags & GT_E_WRITE)
		f[3] = GT_FLAG_WRITE;
	if (s->flags & GT_E_SHMEM)
		f[4] = GT_FLAG_SHMEM;
	else if (s->flags & GT_E_FILE)
		f[4] = GT_FLAG_FILE;
	else if (s->pid)
		f[4] = GT_FLAG_ANON;
	seq_puts(m, f);
}

static void pages_row(struct seq_file *m, const struct gt_snap *s, u64 now)
{
	seq_printf(m, "%lu %u %d %d ", s->pfn, s->order, s->pins, s->gets);
	gt_put_flags(m, s);
	seq_printf(m, " %d ", s->pid);
	gt_put_comm(m, s->comm);
	seq_printf(m, " %u ", gt_age(s->since, now));
	gt_put_caller(m, s->site);
	seq_printf(m, " %u ", s->site);
	if (s->has_file)
		seq_printf(m, "%u:%u:%lu:%lu\n", MAJOR(s->dev), MINOR(s->dev),
			   s->ino, s->index);
	else
		seq_puts(m, "-\n");
}

/*
 * seq_file asks for rows in order, and again for one that did not fit in
 * its buffer: the chunk holding it is still there. A position behind the
 * chunk (a new read from the start) walks the table again.
 */
static void *gt_pages_start(struct seq_file *m, loff_t *pos)
{
	struct gt_pages_data *pd = m->private;
	struct gt_snap_walk *w = pd->walk;
	loff_t row;

	if (!*pos) {
		gt_snap_walk_rewind(w);
		pd->first = 0;
		return SEQ_START_TOKEN;
	}
	row = *pos - 1;
	if (row < pd->first) {
		gt_snap_walk_rewind(w);
		pd->first = 0;
	}
	while (row >= pd->first + (loff_t)w->nr) {
		pd->first += w->nr;
		if (!gt_snap_walk_next(w))
			return NULL;
	}
	return &w->rows[row - pd->first];
}

static void *gt_pages_next(struct seq_file *m, void *v, loff_t *pos)
{
	++*pos;
	return gt_pages_start(m, pos);
}

static void gt_view_stop(struct seq_file *m, void *v)
{
}

static int gt_pages_show(struct seq_file *m, void *v)
{
	struct gt_pages_data *pd = m->private;

	if (v == SEQ_START_TOKEN)
		seq_puts(m, GT_PAGES_HEADER "\n");
	else
		pages_row(m, v, pd->now);
	return 0;
}

static const struct seq_operations gt_pages_ops = {
	.start = gt_pages_start,
	.next = gt_pages_next,
	.stop = gt_view_stop,
	.show = gt_pages_show,
};

static int gt_pages_open(struct inode *inode, struct file *file)
{
	struct gt_pages_data *pd;

	pd = __seq_open_private(file, &gt_pages_ops, sizeof(*pd));
	if (!pd)
		return -ENOMEM;
	pd->walk = gt_snap_walk_alloc(0);
	if (!pd->walk) {
		seq_release_private(inode, file);
		return -ENOMEM;
	}
	gt_reconcile_view();
	pd->now = ktime_get_boottime_ns();
	return 0;
}

static int gt_pages_release(struct inode *inode, struct file *file)
{
	struct gt_pages_data *pd = ((struct seq_file *)file->private_data)->private;

	gt_snap_walk_free(pd->walk);
	return seq_release_private(inode, file);
}

static const struct file_operations gt_pages_fops = {
	.owner = THIS_MODULE,
	.open = gt_pages_open,
	.read = seq_read,
	.llseek = seq_lseek,
	.release = gt_pages_release,
};

/* tasks and files: the table folded by pid or by file (group.h) */

struct gt_view {
	const char *header;
	bool by_file;
	void (*show)(struct seq_file *m, const struct gt_group *g, u64 now);
};

struct gt_group_file {
	const struct gt_view *view;
	struct gt_groups gs;
};

static void *gt_groups_start(struct seq_file *m, loff_t *pos)
{
	struct gt_groups *gs = &((struct gt_group_file *)m->private)->gs;

	if (!*pos)
		return SEQ_START_TOKEN;
	if (*pos > gs->nr)
		return NULL;
	return &gs->g[*pos - 1];
}

static void *gt_groups_next(struct seq_file *m, void *v, loff_t *pos)
{
	++*pos;
	return gt_groups_start(m, pos);
}

static int gt_groups_show(struct seq_file *m, void *v)
{
	struct gt_group_file *gf = m->private;
	struct gt_groups *gs = &gf->gs;

	if (v != SEQ_START_TOKEN) {
		gf->view->show(m, v, gs->now);
		return 0;
	}
	seq_printf(m, "%s\n", gf->view->header);
	if (gs->lost_folios || gs->lost_files)
		seq_printf(m, GT_NOTE_TRUNCATED " %lu groups: %lu folios %lu pins %lu gets %lu policy files not shown\n",
			   GT_GROUPS_MAX, gs->lost_folios, gs->lost_pins,
			   gs->lost_gets, gs->lost_files);
	return 0;
}

static const struct seq_operations gt_groups_ops = {
	.start = gt_groups_start,
	.next = gt_groups_next,
	.stop = gt_view_stop,
	.show = gt_groups_show,
};

static int gt_groups_release(struct inode *inode, struct file *file)
{
	struct gt_group_file *gf =
		((struct seq_file *)file->private_data)->private;

	gt_groups_free(&gf->gs);
	return seq_release_private(inode, file);
}

static int gt_groups_open(struct inode *inode, struct file *file)
{
	struct gt_group_file *gf;
	int err;

	gf = __seq_open_private(file, &gt_groups_ops, sizeof(*gf));
	if (!gf)
		return -ENOMEM;
	gf->view = inode->i_private;
	err = gt_groups_build(&gf->gs, gf->view->by_file);
	if (err)
		gt_groups_release(inode, file);
	return err;
}

static const struct file_operations gt_groups_fops = {
	.owner = THIS_MODULE,
	.open = gt_groups_open,
	.read = seq_read,
	.llseek = seq_lseek,
	.release = gt_groups_release,
};

static void tasks_row(struct seq_file *m, const struct gt_group *g, u64 now)
{
	seq_printf(m, "%lld ", (long long)g->key[0]);
	gt_put_comm(m, g->comm);
	seq_printf(m, " %lu %lu %lu %lu %lu %u %lu\n", g->folios, g->pins,
		   g->gets, g->longterm, g->file, gt_age(g->oldest, now),
		   g->misused);
}

static const struct gt_view tasks_view = {
	.header = GT_TASKS_HEADER,
	.show = tasks_row,
};

static void files_row(struct seq_file *m, const struct gt_group *g, u64 now)
{
	int i;

	seq_printf(m, "%u:%u %llu %lu %lu %lu %lu %lu %u",
		   MAJOR((dev_t)g->key[0]), MINOR((dev_t)g->key[0]),
		   (unsigned long long)g->key[1], g->folios, g->pins, g->gets,
		   g->longterm, g->write, gt_age(g->oldest, now));
	for (i = 0; i < GT_VETO_MAX; i++)
		seq_printf(m, " %llu", g->vetoes[i]);
	seq_printf(m, " %llu\n", g->truncated);
}

static const struct gt_view files_view = {
	.header = GT_FILES_HEADER,
	.by_file = true,
	.show = files_row,
};

/*
 * stacks: every call site seen since load, in full; events name sites of
 * pins that may be gone from the table. Read a site at a time.
 */

static void *gt_stacks_start(struct seq_file *m, loff_t *pos)
{
	if (*pos >= gt_site_count())
		return NULL;
	return (void *)(uintptr_t)(*pos + 1);
}

static void *gt_stacks_next(struct seq_file *m, void *v, loff_t *pos)
{
	++*pos;
	return gt_stacks_start(m, pos);
}

static int gt_stacks_show(struct seq_file *m, void *v)
{
	u32 id = (uintptr_t)v;
	struct gt_site_info info;
	unsigned int i;

	if (!gt_site_get(id, &info))
		return 0;
	seq_printf(m, "stack %u\n", id);
	for (i = 0; i < info.nr; i++) {
		seq_puts(m, " ");
		gt_put_symbol(m, info.frames[i]);
		seq_putc(m, '\n');
	}
	seq_putc(m, '\n');
	return 0;
}

static const struct seq_operations gt_stacks_sops = {
	.start = gt_stacks_start,
	.next = gt_stacks_next,
	.stop = gt_view_stop,
	.show = gt_stacks_show,
};
DEFINE_SEQ_ATTRIBUTE(gt_stacks);

/* events: the event ring, oldest first */

static void gt_put_file(struct seq_file *m, const struct gt_ev *ev)
{
	if (ev->ino)
		seq_printf(m, "%u:%u:%lu:%lu", MAJOR(ev->dev), MINOR(ev->dev),
			   ev->ino, ev->index);
	else if (ev->flags & GT_E_FILE)
		seq_putc(m, '-');
	else
		seq_puts(m, "anon");
}

static void gt_event_line(struct seq_file *m, const struct gt_ev *ev, u64 now)
{
	seq_printf(m, "%llu %u %s %d ", ev->seq, gt_age(ev->time_ns, now),
		   gt_ev_kind_name(ev->kind), ev->pid);
	gt_put_comm(m, ev->comm);
	seq_putc(m, ' ');
	gt_put_caller(m, ev->site);
	seq_printf(m, " %u %llu %lu %u %d %d %c%c ", ev->site,
		   div_u64(ev->held_ns, NSEC_PER_MSEC), ev->pfn, ev->order,
		   ev->pins, ev->gets,
		   ev->flags & GT_E_LONGTERM ? GT_FLAG_LONGTERM : '-',
		   ev->flags & GT_E_WRITE ? GT_FLAG_WRITE : '-');
	gt_put_file(m, ev);
	seq_printf(m, " %s\n", ev->kind == GT_EV_MIGRATE_BLOCKED ?
		   gt_migrate_reason_name(ev->reason) : "-");
}

static int events_show(struct seq_file *m, void *v)
{
	u64 now = ktime_get_boottime_ns();
	struct gt_ring_stats st;
	struct gt_ev *evs;
	unsigned int i, n;

	gt_reconcile_view();
	gt_ring_stats(&st);
	evs = kvmalloc_array(max(st.size, 1U), sizeof(*evs), GFP_KERNEL);
	if (!evs)
		return -ENOMEM;
	n = gt_ring_copy(0, evs, st.size);
	seq_puts(m, GT_EVENTS_HEADER "\n");
	for (i = 0; i < n; i++)
		gt_event_line(m, &evs[i], now);
	kvfree(evs);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(events);

int gt_debugfs_init(void)
{
	gt_dir = debugfs_create_dir(GUP_TRACK_DEBUGFS_DIR, NULL);
	if (IS_ERR(gt_dir))
		return PTR_ERR(gt_dir);

	debugfs_create_file("version", 0444, gt_dir, NULL, &version_fops);
	debugfs_create_file("stats", 0444, gt_dir, NULL, &stats_fops);
	debugfs_create_file("hooks", 0444, gt_dir, NULL, &hooks_fops);
	debugfs_create_file("pages", 0444, gt_dir, NULL, &gt_pages_fops);
	debugfs_create_file("tasks", 0444, gt_dir, (void *)&tasks_view,
			    &gt_groups_fops);
	debugfs_create_file("files", 0444, gt_dir, (void *)&files_view,
			    &gt_groups_fops);
	debugfs_create_file("stacks", 0444, gt_dir, NULL, &gt_stacks_fops);
	debugfs_create_file("events", 0444, gt_dir, NULL, &events_fops);
	return 0;
}

void gt_debugfs_exit(void)
{
	debugfs_remove_recursive(gt_dir);
	gt_dir = NULL;
}
