// SPDX-License-Identifier: GPL-2.0
/* Ring buffer producer for the event stream tests: run with BPF_PROG_TEST_RUN on a chosen CPU, it writes
 * ctx[1] events numbered from ctx[0] and counts reservations that failed because the ring was full. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "GPL";

struct ev_record {
	__u64 seq;
	__u32 cpu;
	__u32 magic;
};

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 1 << 20);
} ev_ring SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 2);
	__type(key, __u32);
	__type(value, __u64);
} ev_ring_stats SEC(".maps"); /* [0] failed reservations, [1] discarded records */

static __always_inline void ev_count(__u32 key)
{
	__u64 *slot = bpf_map_lookup_elem(&ev_ring_stats, &key);
	if (slot)
		__sync_fetch_and_add(slot, 1);
}

struct ev_loop_ctx {
	__u64 first;
	__u32 cpu;
	__u32 discard_every;
};

/* one record per bpf_loop iteration: the verifier checks the callback once instead of walking a long loop */
static long ev_emit_one(__u32 i, struct ev_loop_ctx *c)
{
	struct ev_record *r = bpf_ringbuf_reserve(&ev_ring, sizeof(*r), 0);
	if (!r) {
		ev_count(0);
		return 0;
	}
	r->seq = c->first + i;
	r->cpu = c->cpu;
	r->magic = 0xfeedbeef;
	if (c->discard_every && (c->first + i) % c->discard_every == 0) {
		ev_count(1);
		bpf_ringbuf_discard(r, 0);
	} else {
		bpf_ringbuf_submit(r, 0);
	}
	return 0;
}

/* ctx[0]: first sequence number, ctx[1]: number of records, ctx[2]: discard every n-th sequence number (0: none) */
SEC("raw_tp/sys_enter")
int ev_ring_produce(__u64 *ctx)
{
	struct ev_loop_ctx c = {
		.first = ctx[0],
		.cpu = bpf_get_smp_processor_id(),
		.discard_every = ctx[2],
	};
	bpf_loop(ctx[1], ev_emit_one, &c, 0);
	return 0;
}
