// Test object for the skeleton generator: compiled without -g (no BTF) by DiagnosticTests. No BTF-defined
// maps (they need BTF); a global the skeleton cannot type without BTF, a program it can still expose and
// one in a section no program type matches.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

__u64 hits = 1;

SEC("xdp")
int count_hits(struct xdp_md *ctx)
{
    hits++;
    return XDP_PASS;
}

// libbpf knows no such section: the skeleton lists it as a plain BpfProgram with warning EBPF003.
SEC("not_a_known_section")
int odd_one(void *ctx)
{
    return 0;
}

char LICENSE[] SEC("license") = "GPL";
