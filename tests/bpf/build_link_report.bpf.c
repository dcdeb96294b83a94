// Linked with build_link_count.bpf.c (Object="linked"): uses its map through an extern declaration, reads the
// global it writes, defines the function it calls, and has CO-RE of its own.
#include "build_link.h"

extern struct {
    __uint(type, BPF_MAP_TYPE_ARRAY);
    __uint(max_entries, LINK_SLOTS);
    __type(key, __u32);
    __type(value, struct link_counts);
} shared_counts SEC(".maps");

extern __u64 packets_seen;

// Only used for its constants: no BTF unless named in Types (the test names it for the linked object).
enum link_class { LINK_SMALL = 0, LINK_BIG = 1 };

const volatile __u32 big_threshold = 100; // .rodata of this file, set from C# before Load
__u32 last_len = 0;
__u32 skb_len_size = 0;                   // CO-RE in this file

// A global function: called from the other file, verified on its own by the kernel.
__noinline int classify(__u32 len)
{
    last_len = len;
    return len >= big_threshold ? LINK_BIG : LINK_SMALL;
}

SEC("xdp")
int link_report(struct xdp_md *ctx)
{
    __u32 key = 2;
    struct link_counts *counts = bpf_map_lookup_elem(&shared_counts, &key);
    if (counts)
        counts->packets = packets_seen;
    skb_len_size = bpf_core_field_size(struct sk_buff, len);
    return XDP_PASS;
}
