// The object tests/AotApp (a NativeAOT-published app) loads: counts this process's getppid() calls three ways,
// each read back through a different part of Ebpf.Runtime (global data, a hash map, a ring buffer), so the test
// (tests/Examples.Tests/Aot/AotPublishTests.cs) sees that each works when compiled ahead of time.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct call_event {
    __u32 tgid;
    __u32 seq;
};

const volatile __u32 target_tgid = 0;
__u64 calls = 0;

struct {
    __uint(type, BPF_MAP_TYPE_HASH);
    __uint(max_entries, 64);
    __type(key, __u32);   // thread id
    __type(value, __u64); // calls by that thread
} calls_by_thread SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_RINGBUF);
    __uint(max_entries, 1 << 16);
} events SEC(".maps");

SEC("tracepoint/syscalls/sys_enter_getppid")
int count_getppid(void *ctx)
{
    __u64 id = bpf_get_current_pid_tgid();
    if ((__u32)(id >> 32) != target_tgid)
        return 0;
    __u64 seq = __sync_fetch_and_add(&calls, 1);
    __u32 tid = (__u32)id;
    __u64 one = 1, *n = bpf_map_lookup_elem(&calls_by_thread, &tid);
    if (n)
        __sync_fetch_and_add(n, 1);
    else
        bpf_map_update_elem(&calls_by_thread, &tid, &one, BPF_NOEXIST);
    struct call_event *e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
    if (e) {
        e->tgid = target_tgid;
        e->seq = (__u32)seq;
        bpf_ringbuf_submit(e, 0);
    }
    return 0;
}

char LICENSE[] SEC("license") = "GPL";
