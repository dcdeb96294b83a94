// Linked with build_link_report.bpf.c into one object (Object="linked"): defines the map the other file
// declares extern, writes a global the other reads, calls a function defined in the other, reads a CO-RE offset.
#include "build_link.h"

struct {
    __uint(type, BPF_MAP_TYPE_ARRAY);
    __uint(max_entries, LINK_SLOTS);
    __type(key, __u32);
    __type(value, struct link_counts);
} shared_counts SEC(".maps");

__u64 packets_seen = 0;         // written here, read by link_report
__u32 task_pid_offset = 0;      // CO-RE in this file

extern int classify(__u32 len); // defined in build_link_report.bpf.c

SEC("xdp")
int link_count(struct xdp_md *ctx)
{
    __u32 len = ctx->data_end - ctx->data;
    packets_seen++;
    __u32 key = classify(len);
    struct link_counts *counts = bpf_map_lookup_elem(&shared_counts, &key);
    if (counts) {
        counts->packets++;
        counts->bytes += len;
    }
    task_pid_offset = bpf_core_field_offset(struct task_struct, pid);
    return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
