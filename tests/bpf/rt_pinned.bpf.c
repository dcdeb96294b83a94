// Test object for the runtime's pinning: a LIBBPF_PIN_BY_NAME map shared by every object that loads it.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
    __uint(type, BPF_MAP_TYPE_HASH);
    __uint(max_entries, 8);
    __uint(pinning, LIBBPF_PIN_BY_NAME);
    __type(key, __u32);
    __type(value, __u64);
} rt_shared SEC(".maps");

SEC("xdp")
int xdp_shared(struct xdp_md *ctx)
{
    __u32 key = 1;
    __u64 *v = bpf_map_lookup_elem(&rt_shared, &key);
    if (v)
        __sync_fetch_and_add(v, 1);
    return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
