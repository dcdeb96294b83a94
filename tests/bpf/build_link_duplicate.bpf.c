// Linked with build_link_count.bpf.c in a test, it defines packets_seen a second time: an error naming both files.
#include "build_link.h"

__u64 packets_seen = 1;

SEC("xdp")
int link_duplicate(struct xdp_md *ctx)
{
    return XDP_PASS;
}
