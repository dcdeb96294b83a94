// An fentry program on do_nanosleep that counts the calls of one thread (target_tid). The test kernel refuses to
// load it with EPERM even for root (function tracing is locked down): AttachUnavailableTests checks that
// BpfObject.Load explains that; on a kernel that allows fentry it checks the exact count.
#include <linux/bpf.h>
#include <linux/types.h>
#include <bpf/bpf_helpers.h>

__u32 target_tid;
__u64 calls;

SEC("fentry/do_nanosleep")
int attach_fentry(__u64 *ctx)
{
    if ((__u32)bpf_get_current_pid_tgid() == target_tid)
        __sync_fetch_and_add(&calls, 1);
    return 0;
}

char _license[] SEC("license") = "GPL";
