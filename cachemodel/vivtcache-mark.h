/* SPDX-License-Identifier: MIT */
/*
 * vivtcache_mark(): tell the VIVT cache model (libvivtcache.so, qemu plugin)
 * where a test window begins and ends, from a user program or a kernel
 * module (docs/cachemodel.md, "Marking your own test"):
 *
 *	vivtcache_mark("begin mydrv/capture 0x4a000000+0x4000");
 *	... the accesses and hand-overs to judge ...
 *	vivtcache_mark("end");
 *
 * The events between the two marks that touch the named physical ranges
 * (PA+LEN, hex or decimal, as many as fit; none: every event) are the
 * window's; the plugin prints a WINDOW line with their totals at "end", and
 * its hand-over checks in the window look at those ranges only. Outside the
 * plugin the mark is "orr r11, r11, r11": a no-op on every ARM core, so a
 * marked program runs unchanged on hardware and plain qemu. ARM (A32) code
 * only; on other architectures and in Thumb code it compiles to nothing.
 */
#ifndef VIVTCACHE_MARK_H
#define VIVTCACHE_MARK_H

static inline void vivtcache_mark(const char *what)
{
#if defined(__arm__) && !defined(__thumb__)
	register const char *r0 __asm__("r0") = what;

	__asm__ __volatile__("orr r11, r11, r11" : : "r"(r0) : "memory");
#else
	(void)what;
#endif
}

#endif /* VIVTCACHE_MARK_H */
