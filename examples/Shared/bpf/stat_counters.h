/* SPDX-License-Identifier: MIT */
/* The examples' event counters: the per-CPU array `stats`, one slot per value of the includer's counter enum
 * (generated into the skeleton through the item's Types, so C# indexes the map by name), summed over the CPUs by
 * the control plane. The includer defines STATS_SIZE (its enum's *_COUNT) before the include and, to keep the map
 * across restarts, STATS_PINNING (e.g. `__uint(pinning, LIBBPF_PIN_BY_NAME);`). It includes bpf_helpers.h first. */
#ifndef STAT_COUNTERS_H
#define STAT_COUNTERS_H

#ifndef STATS_PINNING
#define STATS_PINNING
#endif

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, STATS_SIZE);
	__type(key, __u32);
	__type(value, __u64);
	STATS_PINNING
} stats SEC(".maps");

/* Adds n to counter `which` on this CPU: programs do not nest on one CPU, so no atomics are needed. */
static __always_inline void stat_add(__u32 which, __u64 n)
{
	__u64 *v = bpf_map_lookup_elem(&stats, &which);

	if (v)
		*v += n;
}

static __always_inline void stat_inc(__u32 which)
{
	stat_add(which, 1);
}

#endif
