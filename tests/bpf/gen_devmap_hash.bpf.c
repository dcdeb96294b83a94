// Test object for the skeleton generator: a DEVMAP_HASH map, which the skeleton exposes as DevMap.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
    __uint(type, BPF_MAP_TYPE_DEVMAP_HASH);
    __uint(max_entries, 4);
    __type(key, __u32);
    __type(value, __u32);
} devices_by_id SEC(".maps");

SEC("xdp")
int redirect_by_id(struct xdp_md *ctx)
{
    return bpf_redirect_map(&devices_by_id, ctx->ingress_ifindex, XDP_PASS);
}

char LICENSE[] SEC("license") = "GPL";
