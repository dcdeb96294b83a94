// Test object for the skeleton generator: big kernel structs (from a vmlinux.h the test generates with
// bpftool) as map values and globals, for the unions, anonymous members, bitfields, flexible arrays and
// function pointers real kernel types have. Not compiled by TestObjects (it needs that vmlinux.h).
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

struct {
    __uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
    __uint(max_entries, 1);
    __type(key, __u32);
    __type(value, struct sk_buff);
} skbs SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_HASH);
    __uint(max_entries, 16);
    __type(key, struct bpf_sock_tuple);
    __type(value, struct tcphdr);
} tuples SEC(".maps");

struct task_struct last_task;
struct iphdr last_ip;
struct bpf_sock_ops last_ops;

SEC("tp_btf/sched_switch")
int on_switch(u64 *ctx)
{
    __u32 k = 0;
    struct sk_buff *s = bpf_map_lookup_elem(&skbs, &k);
    if (s)
        s->len = 1;
    last_ip.ttl = 1;
    last_task.pid = 2;
    last_ops.op = 3;
    return 0;
}

char LICENSE[] SEC("license") = "GPL";
