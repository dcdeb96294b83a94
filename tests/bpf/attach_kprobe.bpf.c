// A kprobe: the test kernel has no kprobes (CONFIG_KPROBES off), so AttachUnavailableTests checks that
// attaching it explains that and points at tracepoints/tp_btf instead of passing on a bare errno.
#include <linux/bpf.h>
#include <linux/types.h>
#include <bpf/bpf_helpers.h>

SEC("kprobe/do_nanosleep")
int attach_kprobe(void *ctx)
{
    return 0;
}

char _license[] SEC("license") = "GPL";
