// MSBuild.Tasks tests: a small XDP program with a map and a global, compiled by <BpfSource> in a temp project.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include "build_common.h"

struct {
    __uint(type, BPF_MAP_TYPE_ARRAY);
    __uint(max_entries, BUILD_COUNTER_SLOTS);
    __type(key, __u32);
    __type(value, __u64);
} counters SEC(".maps");

volatile const __u32 slot = 0;

SEC("xdp")
int count_packets(struct xdp_md *ctx)
{
    __u32 key = slot;
    __u64 *value = bpf_map_lookup_elem(&counters, &key);
    if (value)
        __sync_fetch_and_add(value, 1);
    return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
