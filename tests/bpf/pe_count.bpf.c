// A perf_event program counting its samples per CPU (a per-CPU array, so each CPU's count is its own), and a
// kprobe.multi program counting one thread's do_nanosleep calls (the test kernel has no kprobes, so there
// AttachPerfEventTests checks the error instead).
#include <linux/bpf.h>
#include <linux/types.h>
#include <bpf/bpf_helpers.h>

struct {
    __uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
    __uint(max_entries, 1);
    __type(key, __u32);
    __type(value, __u64);
} pe_samples SEC(".maps");

SEC("perf_event")
int pe_count(void *ctx)
{
    __u32 key = 0;
    __u64 *n = bpf_map_lookup_elem(&pe_samples, &key);
    if (n)
        *n += 1; /* this CPU's slot: no other CPU writes it */
    return 0;
}

__u32 target_tid;
__u64 multi_calls;

SEC("kprobe.multi/do_nanosleep")
int pe_kprobe_multi(void *ctx)
{
    if ((__u32)bpf_get_current_pid_tgid() == target_tid)
        __sync_fetch_and_add(&multi_calls, 1);
    return 0;
}

char _license[] SEC("license") = "GPL";
