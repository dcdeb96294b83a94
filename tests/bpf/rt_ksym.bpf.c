// Test object for a .ksyms extern this kernel publishes (tests/Runtime.Tests/LoaderWeakKsymTests.cs): the address of
// a kernel function, which /proc/kallsyms lists even without CONFIG_KALLSYMS_ALL (data symbols need that option).
// The program stores the address the kernel resolved, so the test can compare it with kallsyms.
#include <linux/bpf.h>
#include <linux/types.h>
#include <bpf/bpf_helpers.h>

extern const void bpf_prog_put __ksym;

__u64 ksym_address;

SEC("xdp")
int ksym_address_of(struct xdp_md *ctx)
{
    ksym_address = (__u64)&bpf_prog_put;
    return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
