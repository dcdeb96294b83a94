// Test object for tests/Runtime.Tests/TracingModuleTargetTests.cs: programs whose attach targets the test
// places in hand-built vmlinux and module BTF (the object is only opened, never loaded).
#include <linux/bpf.h>
#include <linux/types.h>
#include <bpf/bpf_helpers.h>

SEC("tp_btf/tr_module_event")
int tr_module_tp(__u64 *ctx)
{
	return 0;
}

SEC("fentry/tr_module_func")
int tr_module_fentry(__u64 *ctx)
{
	return 0;
}

char _license[] SEC("license") = "GPL";
