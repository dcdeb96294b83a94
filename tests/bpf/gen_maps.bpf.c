// Test object for the skeleton generator (tests/Generator.Tests): one map of every typed-view kind, with
// struct keys and values from gen_types.h, and programs of several kinds. Golden: Golden/gen_maps.g.cs.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include "gen_types.h"

struct {
    __uint(type, BPF_MAP_TYPE_HASH);
    __uint(max_entries, 1024);
    __type(key, struct gen_flow_key);
    __type(value, struct gen_flow_stats);
} flows SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_ARRAY);
    __uint(max_entries, 16);
    __type(key, __u32);
    __type(value, struct gen_event);
} events_by_slot SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
    __uint(max_entries, 4);
    __type(key, __u32);
    __type(value, __u64);
} counters SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_PERCPU_HASH);
    __uint(max_entries, 64);
    __type(key, __u32);
    __type(value, union gen_value);
} per_cpu_values SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_LRU_HASH);
    __uint(max_entries, 128);
    __type(key, __u64);
    __type(value, struct gen_flow_key);
} lru SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_LRU_PERCPU_HASH);
    __uint(max_entries, 128);
    __type(key, __u32);
    __type(value, __u32);
} lru_percpu SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_LPM_TRIE);
    __uint(max_entries, 256);
    __type(key, struct gen_lpm_key);
    __type(value, enum gen_proto);
    __uint(map_flags, BPF_F_NO_PREALLOC);
} routes SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_SOCKHASH);
    __uint(max_entries, 65535);
    __type(key, struct gen_sock_key);
    __type(value, __u32);
} sock_hash SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_SOCKMAP);
    __uint(max_entries, 8);
    __type(key, __u32);
    __type(value, __u32);
} sock_map SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_RINGBUF);
    __uint(max_entries, 64 * 1024);
} ringbuf SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_PERF_EVENT_ARRAY);
    __uint(key_size, sizeof(__u32));
    __uint(value_size, sizeof(__u32));
} perf_events SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_DEVMAP);
    __uint(max_entries, 4);
    __type(key, __u32);
    __type(value, __u32);
} devices SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_CPUMAP);
    __uint(max_entries, 2);
    __type(key, __u32);
    __type(value, __u32);
} cpus SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_PROG_ARRAY);
    __uint(max_entries, 2);
    __uint(key_size, sizeof(__u32));
    __uint(value_size, sizeof(__u32));
} jumps SEC(".maps");

struct inner {
    __uint(type, BPF_MAP_TYPE_ARRAY);
    __uint(max_entries, 1);
    __type(key, __u32);
    __type(value, __u64);
} inner_one SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_HASH_OF_MAPS);
    __uint(max_entries, 4);
    __type(key, struct gen_flow_key);
    __array(values, struct inner);
} tables SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_ARRAY_OF_MAPS);
    __uint(max_entries, 4);
    __type(key, __u32);
    __array(values, struct inner);
} table_array SEC(".maps");

// Declared by sizes only (no BTF key/value types): 12-byte key, 8-byte value.
struct {
    __uint(type, BPF_MAP_TYPE_HASH);
    __uint(max_entries, 8);
    __uint(key_size, 12);
    __uint(value_size, 8);
} sized_only SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_QUEUE);
    __uint(max_entries, 8);
    __type(value, __u32);
} queue SEC(".maps");

SEC("xdp")
int xdp_count(struct xdp_md *ctx)
{
    struct gen_flow_key key = { .proto = 6 };
    struct gen_flow_stats *st = bpf_map_lookup_elem(&flows, &key);
    if (st)
        st->packets++;
    __u32 k = 0;
    __u64 *c = bpf_map_lookup_elem(&counters, &k);
    if (c)
        *c += 1;
    return XDP_PASS;
}

SEC("sockops")
int on_sockops(struct bpf_sock_ops *skops)
{
    struct gen_sock_key key = { .sip = skops->local_ip4, .family = skops->family };
    bpf_sock_hash_update(skops, &sock_hash, &key, BPF_NOEXIST);
    return 1;
}

SEC("sk_msg")
int on_msg(struct sk_msg_md *msg)
{
    struct gen_sock_key key = { .sip = msg->remote_ip4, .family = msg->family };
    return bpf_msg_redirect_hash(msg, &sock_hash, &key, BPF_F_INGRESS);
}

SEC("tracepoint/sched/sched_process_exec")
int on_exec(void *ctx)
{
    struct gen_event *e = bpf_ringbuf_reserve(&ringbuf, sizeof(*e), 0);
    if (!e)
        return 0;
    e->ts = bpf_ktime_get_ns();
    bpf_ringbuf_submit(e, 0);
    return 0;
}

SEC("tc")
int tc_pass(struct __sk_buff *skb)
{
    return 0;
}

SEC("cgroup_skb/egress")
int egress(struct __sk_buff *skb)
{
    return 1;
}

char LICENSE[] SEC("license") = "GPL";
