// Programs for the attach tests (tests/Runtime.Tests/Attach*): tracing hooks that work on the test
// kernel. Each returns 0 and does nothing else; the tests count runs with the kernel's run statistics.
#include <linux/bpf.h>
#include <linux/types.h>
#include <bpf/bpf_helpers.h>

SEC("tracepoint/syscalls/sys_enter_getppid")
int attach_tracepoint(void *ctx)
{
    return 0;
}

SEC("raw_tp/sys_enter")
int attach_raw_tp(void *ctx)
{
    return 0;
}

SEC("tp_btf/sys_enter")
int attach_tp_btf(__u64 *ctx)
{
    return 0;
}

// Attached by the test with AttachUprobe to a function of a binary it builds.
SEC("uprobe")
int attach_uprobe(void *ctx)
{
    return 0;
}

// The return side of the same function.
SEC("uretprobe")
int attach_uretprobe(void *ctx)
{
    return 0;
}

char _license[] SEC("license") = "GPL";
