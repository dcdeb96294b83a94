// Test object for the runtime's verifier error: a program that reads a map value without checking the
// lookup's result for NULL. The verifier refuses it, and with line info its log quotes the offending line.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
    __uint(type, BPF_MAP_TYPE_HASH);
    __uint(max_entries, 4);
    __type(key, __u32);
    __type(value, __u64);
} counts SEC(".maps");

SEC("xdp")
int xdp_unchecked(struct xdp_md *ctx)
{
    __u32 key = 1;
    __u64 *value = bpf_map_lookup_elem(&counts, &key);
    return *value == 42 ? XDP_DROP : XDP_PASS; /* rt_invalid: missing NULL check */
}

char LICENSE[] SEC("license") = "GPL";
