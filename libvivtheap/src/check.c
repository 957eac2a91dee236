// SPDX-License-Identifier: MIT
/*
 * Checker mode: mappings are PROT_NONE outside CPU-access brackets (and
 * read-only inside a READ bracket), so an access without its
 * DMA_BUF_IOCTL_SYNC bracket faults at once, on any machine. A SIGSEGV
 * handler names the buffer and the missing bracket, then lets the process
 * die of the SIGSEGV as it would have.
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

int vivtheap_check_prot(unsigned int access)
{
	if (access & VIVTHEAP_ACCESS_WRITE)
		return PROT_READ | PROT_WRITE;
	return access ? PROT_READ : PROT_NONE;
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

static void vivtheap_check_handler(int sig, siginfo_t *si, void *uc)
{
	uintptr_t a = (uintptr_t)si->si_addr;
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
		if (atomic_load(&vivtheap_check_slots[i].access))
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
		atomic_store(&vivtheap_check_slots[i].access,
			     atomic_load(&buf->access) & ~VIVTHEAP_ACCESS_BUSY);
		atomic_store(&vivtheap_check_slots[i].start, (uintptr_t)buf->addr);
		buf->check_slot = i;
		ret = 0;
		break;
	}
unlock:
	pthread_mutex_unlock(&vivtheap_check_lock);
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

int vivtheap_check_open(struct vivtheap_buffer *buf, unsigned int access)
{
	if (buf->check_slot < 0)
		return 0;
	atomic_store(&vivtheap_check_slots[buf->check_slot].access, access);
	return vivtheap_sys_mprotect(buf->addr, buf->size,
				     vivtheap_check_prot(access));
}

int vivtheap_check_close(struct vivtheap_buffer *buf)
{
	if (buf->check_slot < 0)
		return 0;
	atomic_store(&vivtheap_check_slots[buf->check_slot].access, 0);
	return vivtheap_sys_mprotect(buf->addr, buf->size, PROT_NONE);
}
