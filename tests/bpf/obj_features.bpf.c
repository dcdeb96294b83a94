// Test object for the shared object reader (tests/Object.Tests): one of everything the reader must
// understand. The tests check the parsed model against facts stated here and against bpftool/readelf.
#include <linux/bpf.h>
#include <linux/types.h>
#include <bpf/bpf_helpers.h>

#ifndef __ulong
#define __ulong(name, val) enum { ___bpf_concat(__unique_value, __COUNTER__) = val } name
#endif

struct flow_key {
    __u32 saddr;
    __u32 daddr;
    __u16 sport;
    __u16 dport;
    __u8 proto;
};

struct flow_stats {
    __u64 packets;
    __u64 bytes;
    unsigned int flag_a : 1;
    unsigned int flag_b : 3;
    unsigned int kind : 4;
};

typedef struct flow_stats flow_stats_t;

struct {
    __uint(type, BPF_MAP_TYPE_HASH);
    __uint(max_entries, 1024);
    __type(key, struct flow_key);
    __type(value, flow_stats_t);
    __uint(map_flags, BPF_F_NO_PREALLOC);
    __uint(pinning, LIBBPF_PIN_BY_NAME);
} flows SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
    __uint(max_entries, 4);
    __uint(key_size, 4);
    __uint(value_size, 8);
    __uint(numa_node, 0);
} counters SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_RINGBUF);
    __uint(max_entries, 256 * 1024);
} events SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_BLOOM_FILTER);
    __uint(max_entries, 100);
    __type(value, __u32);
    __ulong(map_extra, 3);
} bloom SEC(".maps");

struct inner_map {
    __uint(type, BPF_MAP_TYPE_ARRAY);
    __uint(max_entries, 8);
    __type(key, __u32);
    __type(value, __u64);
} inner_a SEC(".maps"), inner_b SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_ARRAY_OF_MAPS);
    __uint(max_entries, 4);
    __type(key, __u32);
    __array(values, struct inner_map);
} outer SEC(".maps") = {
    .values = { [1] = &inner_a, [3] = &inner_b },
};

int tail_target(struct xdp_md *ctx);

struct {
    __uint(type, BPF_MAP_TYPE_PROG_ARRAY);
    __uint(max_entries, 2);
    __uint(key_size, sizeof(__u32));
    __array(values, int(void *));
} jumps SEC(".maps") = {
    .values = { [0] = (void *)&tail_target },
};

// Global data: const volatile in .rodata, initialised in .data, zeroed in .bss, a custom section.
const volatile __u32 cfg_port = 8080;
const volatile __u8 cfg_mode = 2;
__u64 packets_seen = 7;
__u64 drops;
__u32 big_table[16];
__u64 custom_counter SEC(".data.custom") = 42;
static __u32 static_counter;

__attribute__((noinline)) int global_helper(int x)
{
    return x * 3 + (int)cfg_port;
}

static __attribute__((noinline)) int static_helper(int x)
{
    static_counter++;
    return global_helper(x) + 1;
}

static long loop_cb(__u32 index, void *ctx)
{
    drops += index;
    return 0;
}

SEC("xdp")
int xdp_main(struct xdp_md *ctx)
{
    struct flow_key key = {};
    key.proto = cfg_mode;
    flow_stats_t *st = bpf_map_lookup_elem(&flows, &key);
    if (st)
        st->packets++;
    packets_seen++;
    big_table[3] = static_helper(ctx->ingress_ifindex);
    custom_counter++;
    bpf_loop(4, loop_cb, NULL, 0);
    bpf_tail_call(ctx, &jumps, 0);
    return XDP_PASS;
}

SEC("xdp")
int tail_target(struct xdp_md *ctx)
{
    __u32 k = 0;
    __u64 *c = bpf_map_lookup_elem(&counters, &k);
    if (c)
        *c += 1;
    return XDP_DROP;
}

SEC("tracepoint/sched/sched_process_exec")
int on_exec(void *ctx)
{
    __u32 *slot = bpf_ringbuf_reserve(&events, sizeof(__u32), 0);
    if (!slot)
        return 0;
    *slot = global_helper(1);
    bpf_ringbuf_submit(slot, 0);
    return 0;
}

SEC("sockops")
int on_sockops(struct bpf_sock_ops *skops)
{
    __u32 v = skops->op;
    bpf_map_push_elem(&bloom, &v, 0);
    return 1;
}

SEC("?cgroup/connect4")
int on_connect4(struct bpf_sock_addr *ctx)
{
    return 1;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
__u32 _version SEC("version") = 0x060c00;
