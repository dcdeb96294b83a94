// Test object for weak kernel externs (tests/Runtime.Tests/LoaderWeakKsymTests.cs): a kfunc and a variable
// that no kernel has, declared __weak, and a kfunc this kernel has. The loader writes 0 for the address of
// a missing one, so bpf_ksym_exists() is false and the verifier drops the call it guards. With
// -DUNGUARDED a second program calls the missing kfunc unguarded, which the verifier must refuse.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#ifndef bpf_ksym_exists /* libbpf 1.1's bpf_helpers.h predates it */
#define bpf_ksym_exists(sym) (!!(sym))
#endif

extern int bpf_ebpfnet_no_such_kfunc(int x) __ksym __weak;
extern void *bpf_cast_to_kern_ctx(void *obj) __ksym __weak;
extern const int ebpfnet_no_such_variable __ksym __weak;

__u32 has_cast_to_kern_ctx, has_no_such_kfunc, has_no_such_variable, guarded_calls;

SEC("xdp")
int weak_guarded(struct xdp_md *ctx)
{
    has_cast_to_kern_ctx = bpf_ksym_exists(bpf_cast_to_kern_ctx);
    has_no_such_kfunc = bpf_ksym_exists(bpf_ebpfnet_no_such_kfunc);
    has_no_such_variable = bpf_ksym_exists(&ebpfnet_no_such_variable);
    if (bpf_ksym_exists(bpf_ebpfnet_no_such_kfunc))
        guarded_calls += bpf_ebpfnet_no_such_kfunc(1);
    return XDP_PASS;
}

#ifdef UNGUARDED
SEC("xdp")
int weak_unguarded(struct xdp_md *ctx)
{
    return bpf_ebpfnet_no_such_kfunc(1) ? XDP_DROP : XDP_PASS;
}
#endif

char LICENSE[] SEC("license") = "GPL";
