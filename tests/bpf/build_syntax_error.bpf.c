// MSBuild.Tasks tests: the error below must be reported at this file, line 6.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("xdp")
int broken(struct xdp_md *ctx) { return undeclared_identifier; }

char LICENSE[] SEC("license") = "GPL";
