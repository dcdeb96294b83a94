// Programs the test kernel cannot attach (no kprobes, function tracing locked down); the attach tests
// check that the runtime explains why instead of passing on a bare errno.
#include <linux/bpf.h>
#include <linux/types.h>
#include <bpf/bpf_helpers.h>

SEC("kprobe/do_nanosleep")
int attach_kprobe(void *ctx)
{
    return 0;
}

SEC("fentry/do_nanosleep")
int attach_fentry(__u64 *ctx)
{
    return 0;
}

char _license[] SEC("license") = "GPL";
