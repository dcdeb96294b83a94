// A perf_event program counting its samples per CPU (a per-CPU array, so each CPU's count is its own), and a kprobe.multi program (the test kernel
// has no kprobes, so AttachPerfEventTests checks its error explains that).
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

SEC("kprobe.multi/do_nanosleep")
int pe_kprobe_multi(void *ctx)
{
    return 0;
}

char _license[] SEC("license") = "GPL";
