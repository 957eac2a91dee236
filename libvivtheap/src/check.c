// SPDX-License-Identifier: MIT
/*
 * Checker mode: mappings are PROT_NONE outside CPU-access brackets (and
 * read-only inside a READ bracket), so an access without its
 * DMA_BUF_IOCTL_SYNC bracket faults at once, on any machine. Inside a
 * ranged bracket only the pages the range touches are opened (the kernel
 * maintains those same whole pages), so an access outside the range faults
 * too. A SIGSEGV handler names the buffer and the missing bracket or range,
 * then lets the process die of the SIGSEGV as it would have.
 *
 * Cost: one mprotect() per begin and per end (two syscalls and a TLB flush
 * of the range), on top of the two DMA_BUF_IOCTL_SYNC calls.
 */
#include <errno.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "internal.h"
#include "sys.h"

#define VIVTHEAP_CHECK_SLOTS 256

/* Read by the signal handler: written before start is published. */
static struct {
	_Atomic(uintptr_t) start;
	size_t len;
	int fd;
	char heap[VIVTHEAP_HEAP_NAME_MAX];
	/* The open window: its range (length 0: the whole buffer) and the
	 * pages it opened, written before access is. */
	size_t offset, length, span_start, span_len;
	_Atomic(unsigned int) access;
} vivtheap_check_slots[VIVTHEAP_CHECK_SLOTS];

static pthread_mutex_t vivtheap_check_lock = PTHREAD_MUTEX_INITIALIZER;
static struct sigaction vivtheap_check_old;

/*
 * Read when a buffer is made (allocated, imported or received); the buffer
 * keeps that answer for its life (struct vivtheap_buffer.checked).
 */
bool vivtheap_check_enabled(unsigned int flags)
{
	const char *v;

	if (flags & VIVTHEAP_BUFFER_CHECKED)
		return true;
	v = getenv("VIVTHEAP_CHECK");
	return v && v[0] == '1' && v[1] == '\0';
}

static int vivtheap_check_prot(unsigned int access)
{
	if (access & VIVTHEAP_ACCESS_WRITE)
		return PROT_READ | PROT_WRITE;
	return access ? PROT_READ : PROT_NONE;
}

/*
 * The page span of the open window: *start and *len, in bytes from the
 * start of the mapping. The window lies inside the buffer (checked by the
 * caller), so nothing here overflows: the span is clamped to the buffer.
 */
static void vivtheap_check_span(const struct vivtheap_buffer *buf,
				size_t *start, size_t *len)
{
	size_t page = (size_t)sysconf(_SC_PAGESIZE), need, pad;

	if (!buf->check_length) {
		*start = 0;
		*len = buf->size;
		return;
	}
	*start = buf->check_offset - buf->check_offset % page;
	need = buf->check_offset + buf->check_length - *start;
	pad = need % page ? page - need % page : 0;
	*len = buf->size - *start - need >= pad ? need + pad : buf->size - *start;
}

int vivtheap_check_map_prot(const struct vivtheap_buffer *buf)
{
	/* A ranged window is opened by vivtheap_check_register(). */
	return buf->check_length ? PROT_NONE : vivtheap_check_prot(buf->check_access);
}

/* Async-signal-safe output. */
static void vivtheap_check_puts(const char *s)
{
	ssize_t r = write(STDERR_FILENO, s, strlen(s));

	(void)r;
}

static void vivtheap_check_putu(unsigned long v)
{
	char b[24];
	int i = (int)sizeof(b) - 1;

	b[i] = '\0';
	do {
		b[--i] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	vivtheap_check_puts(b + i);
}

/* Whether offset off of slot i lies outside the pages its window opened. */
static bool vivtheap_check_outside(int i, size_t off)
{
	return off < vivtheap_check_slots[i].span_start ||
	       off - vivtheap_check_slots[i].span_start >= vivtheap_check_slots[i].span_len;
}

static void vivtheap_check_handler(int sig, siginfo_t *si, void *uc)
{
	uintptr_t a = (uintptr_t)si->si_addr;
	unsigned int access;
	int i;

	for (i = 0; i < VIVTHEAP_CHECK_SLOTS; i++) {
		uintptr_t start = atomic_load(&vivtheap_check_slots[i].start);

		if (!start || a < start || a - start >= vivtheap_check_slots[i].len)
			continue;
		vivtheap_check_puts("vivtheap checker: CPU access to dma-buf fd ");
		vivtheap_check_putu((unsigned long)vivtheap_check_slots[i].fd);
		vivtheap_check_puts(" (heap \"");
		vivtheap_check_puts(vivtheap_check_slots[i].heap);
		vivtheap_check_puts("\", ");
		vivtheap_check_putu(vivtheap_check_slots[i].len);
		vivtheap_check_puts(" bytes) at offset ");
		vivtheap_check_putu(a - start);
		access = atomic_load(&vivtheap_check_slots[i].access);
		if (access && vivtheap_check_slots[i].length &&
		    vivtheap_check_outside(i, a - start)) {
			vivtheap_check_puts(" outside the open range (offset ");
			vivtheap_check_putu(vivtheap_check_slots[i].offset);
			vivtheap_check_puts(", length ");
			vivtheap_check_putu(vivtheap_check_slots[i].length);
			vivtheap_check_puts("): bracket the bytes it touches (vivtheap_buffer_begin_range()/end_range())\n");
		} else if (access)
			vivtheap_check_puts(": a write inside a READ bracket; begin with VIVTHEAP_ACCESS_WRITE\n");
		else
			vivtheap_check_puts(" outside a CPU-access bracket: missing vivtheap_buffer_begin()/end() (DMA_BUF_IOCTL_SYNC START/END)\n");
		signal(SIGSEGV, SIG_DFL);
		return; /* the access faults again and the process dies of it */
	}
	/* Not ours: hand the fault to whoever had SIGSEGV before. */
	sigaction(SIGSEGV, &vivtheap_check_old, NULL);
	if (!(vivtheap_check_old.sa_flags & SA_SIGINFO) &&
	    vivtheap_check_old.sa_handler == SIG_IGN)
		signal(SIGSEGV, SIG_DFL);
	(void)sig;
	(void)uc;
}

/* Tell the handler what buf's window is: its access last. */
static void vivtheap_check_publish(const struct vivtheap_buffer *buf, int i)
{
	vivtheap_check_slots[i].offset = buf->check_offset;
	vivtheap_check_slots[i].length = buf->check_length;
	vivtheap_check_span(buf, &vivtheap_check_slots[i].span_start,
			    &vivtheap_check_slots[i].span_len);
	atomic_store(&vivtheap_check_slots[i].access, buf->check_access);
}

/* Give the window's pages the protection of its access (PROT_NONE: shut). */
static int vivtheap_check_protect(const struct vivtheap_buffer *buf, int prot)
{
	size_t start, len;

	vivtheap_check_span(buf, &start, &len);
	return vivtheap_sys_mprotect((char *)buf->addr + start, len, prot);
}

int vivtheap_check_register(struct vivtheap_buffer *buf)
{
	struct sigaction cur;
	int i, ret = -ENOSPC;

	pthread_mutex_lock(&vivtheap_check_lock);
	/* Install the handler, again if someone replaced it since. */
	if (!sigaction(SIGSEGV, NULL, &cur) &&
	    (!(cur.sa_flags & SA_SIGINFO) ||
	     cur.sa_sigaction != vivtheap_check_handler)) {
		struct sigaction sa;

		memset(&sa, 0, sizeof(sa));
		sa.sa_sigaction = vivtheap_check_handler;
		sa.sa_flags = SA_SIGINFO | SA_NODEFER;
		sigemptyset(&sa.sa_mask);
		if (sigaction(SIGSEGV, &sa, &vivtheap_check_old)) {
			ret = -errno;
			goto unlock;
		}
	}
	for (i = 0; i < VIVTHEAP_CHECK_SLOTS; i++) {
		if (atomic_load(&vivtheap_check_slots[i].start))
			continue;
		vivtheap_check_slots[i].len = buf->size;
		vivtheap_check_slots[i].fd = buf->fd;
		memcpy(vivtheap_check_slots[i].heap, buf->heap, sizeof(buf->heap));
		vivtheap_check_publish(buf, i);
		atomic_store(&vivtheap_check_slots[i].start, (uintptr_t)buf->addr);
		buf->check_slot = i;
		ret = 0;
		break;
	}
unlock:
	pthread_mutex_unlock(&vivtheap_check_lock);
	/* A mapping made inside a ranged bracket opens the range's pages. */
	if (!ret && buf->check_access && buf->check_length) {
		ret = vivtheap_check_protect(buf, vivtheap_check_prot(buf->check_access));
		if (ret)
			vivtheap_check_unregister(buf);
	}
	return ret;
}

void vivtheap_check_unregister(struct vivtheap_buffer *buf)
{
	if (buf->check_slot < 0)
		return;
	pthread_mutex_lock(&vivtheap_check_lock);
	atomic_store(&vivtheap_check_slots[buf->check_slot].start, 0);
	pthread_mutex_unlock(&vivtheap_check_lock);
	buf->check_slot = -1;
}

int vivtheap_check_open(struct vivtheap_buffer *buf, unsigned int access,
			size_t offset, size_t length)
{
	int ret;

	buf->check_offset = offset;
	buf->check_length = length;
	buf->check_access = access;
	if (buf->check_slot < 0)
		return 0; /* not mapped: vivtheap_buffer_map() opens the window */
	vivtheap_check_publish(buf, buf->check_slot);
	ret = vivtheap_check_protect(buf, vivtheap_check_prot(access));
	if (ret) {
		/* Nothing was opened: the window is shut again. */
		buf->check_access = 0;
		atomic_store(&vivtheap_check_slots[buf->check_slot].access, 0);
	}
	return ret;
}

int vivtheap_check_close(struct vivtheap_buffer *buf)
{
	int ret;

	if (buf->check_slot >= 0) {
		/* Only the window's pages were opened: they are shut again. */
		ret = vivtheap_check_protect(buf, PROT_NONE);
		if (ret)
			return ret; /* the window stays open */
		atomic_store(&vivtheap_check_slots[buf->check_slot].access, 0);
	}
	buf->check_access = 0;
	return 0;
}
