// SPDX-License-Identifier: GPL-2.0
/* Perf event array producer for the event stream tests: run with BPF_PROG_TEST_RUN on a chosen CPU, it writes
 * ctx[1] samples numbered from ctx[0] with bpf_perf_event_output and counts the ones the kernel dropped. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "GPL";

struct ev_sample {
	__u64 seq;
	__u32 cpu;
	__u32 magic;
};

struct {
	__uint(type, BPF_MAP_TYPE_PERF_EVENT_ARRAY);
	__uint(key_size, sizeof(__u32));
	__uint(value_size, sizeof(__u32));
} ev_perf SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} ev_perf_stats SEC(".maps"); /* [0] samples bpf_perf_event_output could not write */

struct ev_perf_loop {
	void *ctx;
	__u64 first;
	__u32 cpu;
};

static long ev_perf_one(__u32 i, struct ev_perf_loop *l)
{
	struct ev_sample s = { .seq = l->first + i, .cpu = l->cpu, .magic = 0xfeedbeef };
	if (bpf_perf_event_output(l->ctx, &ev_perf, BPF_F_CURRENT_CPU, &s, sizeof(s))) {
		__u32 key = 0;
		__u64 *failed = bpf_map_lookup_elem(&ev_perf_stats, &key);
		if (failed)
			__sync_fetch_and_add(failed, 1);
	}
	return 0;
}

/* ctx[0]: first sequence number, ctx[1]: number of samples */
SEC("raw_tp/sys_enter")
int ev_perf_produce(__u64 *ctx)
{
	struct ev_perf_loop l = { .ctx = ctx, .first = ctx[0], .cpu = bpf_get_smp_processor_id() };
	bpf_loop(ctx[1], ev_perf_one, &l, 0);
	return 0;
}
