// A kprobe on do_nanosleep that counts the calls of one thread (target_tid). On the test kernel (no kprobes,
// CONFIG_KPROBES off) AttachUnavailableTests checks that attaching explains that and points at tracepoints/tp_btf;
// on a kernel with kprobes it checks the exact count.
#include <linux/bpf.h>
#include <linux/types.h>
#include <bpf/bpf_helpers.h>

__u32 target_tid;
__u64 calls;

SEC("kprobe/do_nanosleep")
int attach_kprobe(void *ctx)
{
    if ((__u32)bpf_get_current_pid_tgid() == target_tid)
        __sync_fetch_and_add(&calls, 1);
    return 0;
}

char _license[] SEC("license") = "GPL";
