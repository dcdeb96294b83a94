// An fentry program: the test kernel refuses to load it with EPERM even for root (function tracing is
// locked down); AttachUnavailableTests checks that BpfObject.Load explains that.
#include <linux/bpf.h>
#include <linux/types.h>
#include <bpf/bpf_helpers.h>

SEC("fentry/do_nanosleep")
int attach_fentry(__u64 *ctx)
{
    return 0;
}

char _license[] SEC("license") = "GPL";
