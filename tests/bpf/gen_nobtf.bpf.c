// Test object for the skeleton generator: compiled without -g (no BTF) by DiagnosticTests. No BTF-defined
// maps (they need BTF); a global the skeleton cannot type without BTF, and a program it can still expose.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

__u64 hits = 1;

SEC("xdp")
int count_hits(struct xdp_md *ctx)
{
    hits++;
    return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
