// SPDX-License-Identifier: GPL-2.0-only
/*
 * vivtheap: counters and the list of live buffers, in debugfs.
 *
 *   /sys/kernel/debug/vivtheap/<heap>/stats   "name value" lines
 *   /sys/kernel/debug/vivtheap/buffers        one line per live buffer
 *   /sys/kernel/debug/vivtheap/pool           one line per pooled buffer
 *   /sys/kernel/debug/vivtheap/drain_pools    write anything: empty the pools
 *   /sys/kernel/debug/vivtheap/fault_skip_drain  Y: end_cpu_access skips the
 *                                             write-buffer drain (a fault for
 *                                             the cache model's tests; root)
 *   /sys/kernel/debug/vivtheap/fault_skip_user_clean, fault_skip_invalidate
 *                                             Y: the cached heap skips its
 *                                             user clean at end, its own
 *                                             invalidates at begin (root)
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/debugfs.h>
#include <linux/device.h>
#include <linux/fs.h>
#include <linux/module.h>
#include <linux/seq_file.h>
#include <linux/string.h>

#include "vivtheap_priv.h"

const char *const vivtheap_stat_names[VIVTHEAP_STAT_NR] = {
	[VIVTHEAP_STAT_BEGIN_ACCESS] = "begin_cpu_access",
	[VIVTHEAP_STAT_END_ACCESS] = "end_cpu_access",
	[VIVTHEAP_STAT_DRAIN_WB] = "drain_write_buffer",
	[VIVTHEAP_STAT_ATTACH] = "attach",
	[VIVTHEAP_STAT_MAP] = "map_dma_buf",
	[VIVTHEAP_STAT_MAP_BOUNCED] = "map_bounced",
	[VIVTHEAP_STAT_MMAP] = "mmap",
	[VIVTHEAP_STAT_VMAP] = "vmap",
	[VIVTHEAP_STAT_ALLOC] = "alloc",
	[VIVTHEAP_STAT_ALLOC_FAIL] = "alloc_failed",
	[VIVTHEAP_STAT_POOL_HIT] = "pool_hit",
	[VIVTHEAP_STAT_POOL_FREE] = "pool_free",
	[VIVTHEAP_STAT_SYNC_RANGE] = "sync_range",
	[VIVTHEAP_STAT_CLEAN_KERNEL] = "clean_kernel_bytes",
	[VIVTHEAP_STAT_INVAL_KERNEL] = "inval_kernel_bytes",
	[VIVTHEAP_STAT_CLEAN_USER] = "clean_user_bytes",
	[VIVTHEAP_STAT_INVAL_USER] = "inval_user_bytes",
	[VIVTHEAP_STAT_CLEAN_ZEROED] = "clean_zeroed_bytes",
	[VIVTHEAP_STAT_FLUSH_ALL] = "flush_all",
};

static struct dentry *vivtheap_debugfs_root;

/*
 * Every file at the top of the directory, beside the heaps' directories: a
 * heap may not take one of these names. Add a file here when you add one.
 */
static const char *const vivtheap_debugfs_files[] = {
	"buffers",
	"pool",
	"drain_pools",
	"fault_skip_drain",
	"fault_skip_user_clean",
	"fault_skip_invalidate",
};

static const char *const vivtheap_mode_names[] = {
	[VIVTHEAP_CACHE_UNCACHED] = "uncached",
	[VIVTHEAP_CACHE_WC] = "write-combined",
	[VIVTHEAP_CACHE_CACHED] = "cached",
};

static int vivtheap_debugfs_stats_show(struct seq_file *s, void *unused)
{
	struct vivtheap_heap *heap = s->private;
	int i;

	seq_printf(s, "mode %s\n", vivtheap_mode_names[heap->mode]);
	for (i = 0; i < VIVTHEAP_STAT_NR; i++)
		seq_printf(s, "%s %lld\n", vivtheap_stat_names[i],
			   (long long)atomic64_read(&heap->stats[i]));
	mutex_lock(&heap->lock);
	seq_printf(s, "buffers %zu\n", heap->nr_buffers);
	seq_printf(s, "bytes %zu\n", heap->bytes);
	seq_printf(s, "peak_bytes %zu\n", heap->peak_bytes);
	seq_printf(s, "pool_buffers %zu\n", heap->pool_nr);
	seq_printf(s, "pool_bytes %zu\n", heap->pool_bytes);
	mutex_unlock(&heap->lock);
	seq_printf(s, "max_size %zu\n", heap->max_size);
	seq_printf(s, "device %s\n", dev_name(heap->dev));

	return 0;
}
DEFINE_SHOW_ATTRIBUTE(vivtheap_debugfs_stats);

static int vivtheap_debugfs_buffers_show(struct seq_file *s, void *unused)
{
	struct vivtheap_buffer *buffer;
	int i;

	seq_puts(s, "id heap size dma_addr attachments mmaps\n");
	for (i = 0; i < VIVTHEAP_NR_HEAPS; i++) {
		struct vivtheap_heap *heap = &vivtheap_heaps[i];

		if (!heap->registered)
			continue;
		mutex_lock(&heap->lock);
		list_for_each_entry(buffer, &heap->buffers, node)
			seq_printf(s, "%llu %s %zu %pad %d %d\n",
				   (unsigned long long)buffer->id, heap->name,
				   buffer->size, &buffer->dma_addr,
				   atomic_read(&buffer->attachments),
				   atomic_read(&buffer->mmaps));
		mutex_unlock(&heap->lock);
	}
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(vivtheap_debugfs_buffers);

static int vivtheap_debugfs_pool_show(struct seq_file *s, void *unused)
{
	struct vivtheap_buffer *buffer;
	int i;

	seq_puts(s, "heap size dma_addr\n");
	for (i = 0; i < VIVTHEAP_NR_HEAPS; i++) {
		struct vivtheap_heap *heap = &vivtheap_heaps[i];

		if (!heap->registered)
			continue;
		mutex_lock(&heap->lock);
		list_for_each_entry(buffer, &heap->pool, node)
			seq_printf(s, "%s %zu %pad\n", heap->name, buffer->size,
				   &buffer->dma_addr);
		mutex_unlock(&heap->lock);
	}
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(vivtheap_debugfs_pool);

static ssize_t vivtheap_debugfs_drain_write(struct file *file,
					    const char __user *buf,
					    size_t count, loff_t *ppos)
{
	vivtheap_pool_shrink_all();
	return count;
}

static const struct file_operations vivtheap_debugfs_drain_fops = {
	.owner = THIS_MODULE,
	.open = simple_open,
	.write = vivtheap_debugfs_drain_write,
};

/**
 * vivtheap_debugfs_name_taken() - whether a heap name is a debugfs file's
 * @name: the heap name
 *
 * Each heap has a directory named after it beside these files.
 *
 * Return: what holds @name, in words for the log, or NULL.
 */
const char *vivtheap_debugfs_name_taken(const char *name)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(vivtheap_debugfs_files); i++)
		if (!strcmp(name, vivtheap_debugfs_files[i]))
			return "a file in /sys/kernel/debug/vivtheap";
	return NULL;
}

/**
 * vivtheap_debugfs_init() - create the debugfs files; failure is not fatal
 *
 * Call once nothing can fail the load: the files' code must outlive every
 * file opened. Only the registered heaps get a directory.
 */
void vivtheap_debugfs_init(void)
{
	struct dentry *dir;
	int i;

	vivtheap_debugfs_root = debugfs_create_dir("vivtheap", NULL);
	debugfs_create_file("buffers", 0400, vivtheap_debugfs_root, NULL,
			    &vivtheap_debugfs_buffers_fops);
	debugfs_create_file("pool", 0400, vivtheap_debugfs_root, NULL,
			    &vivtheap_debugfs_pool_fops);
	debugfs_create_file("drain_pools", 0200, vivtheap_debugfs_root, NULL,
			    &vivtheap_debugfs_drain_fops);
	debugfs_create_bool("fault_skip_drain", 0600, vivtheap_debugfs_root,
			    &vivtheap_fault_skip_drain);
	debugfs_create_bool("fault_skip_user_clean", 0600,
			    vivtheap_debugfs_root,
			    &vivtheap_fault_skip_user_clean);
	debugfs_create_bool("fault_skip_invalidate", 0600,
			    vivtheap_debugfs_root,
			    &vivtheap_fault_skip_invalidate);
	for (i = 0; i < VIVTHEAP_NR_HEAPS; i++) {
		if (!vivtheap_heaps[i].registered)
			continue;
		dir = debugfs_create_dir(vivtheap_heaps[i].name,
					 vivtheap_debugfs_root);
		debugfs_create_file("stats", 0400, dir, &vivtheap_heaps[i],
				    &vivtheap_debugfs_stats_fops);
	}
}

/**
 * vivtheap_debugfs_exit() - remove the debugfs files
 */
void vivtheap_debugfs_exit(void)
{
	debugfs_remove_recursive(vivtheap_debugfs_root);
}
