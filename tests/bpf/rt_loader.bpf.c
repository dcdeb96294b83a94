// Test object for the runtime's loader (tests/Runtime.Tests/Loader*): maps of every kind the runtime types,
// global data in every section kind, subprograms (static and global), a tail call through a statically
// initialised prog array, and programs of several kinds. It must load with libbpf 1.1 too (bpftool prog
// loadall is the oracle), so it uses nothing newer.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct rt_key {
    __u32 addr;
    __u16 port;
    __u16 proto;
};

struct rt_value {
    __u64 packets;
    __u64 bytes;
    __u32 flags;
    __u32 pad;
};

struct rt_lpm_key {
    __u32 prefixlen;
    __u32 addr;
};

struct {
    __uint(type, BPF_MAP_TYPE_HASH);
    __uint(max_entries, 128);
    __type(key, struct rt_key);
    __type(value, struct rt_value);
} flows SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_ARRAY);
    __uint(max_entries, 8);
    __type(key, __u32);
    __type(value, struct rt_value);
} slots SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_PERCPU_HASH);
    __uint(max_entries, 32);
    __type(key, __u32);
    __type(value, __u32); // 4 bytes: the kernel pads each CPU's copy to 8
} pc_hash SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
    __uint(max_entries, 4);
    __type(key, __u32);
    __type(value, struct rt_value);
} pc_array SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_LRU_HASH);
    __uint(max_entries, 16);
    __type(key, __u64);
    __type(value, struct rt_key);
} lru SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_LRU_PERCPU_HASH);
    __uint(max_entries, 16);
    __type(key, __u32);
    __type(value, __u64);
} lru_pc SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_LPM_TRIE);
    __uint(max_entries, 64);
    __uint(map_flags, BPF_F_NO_PREALLOC);
    __type(key, struct rt_lpm_key);
    __type(value, __u32);
} routes SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_SOCKHASH);
    __uint(max_entries, 16);
    __type(key, struct rt_key);
    __type(value, __u64);
} sock_hash SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_SOCKMAP);
    __uint(max_entries, 4);
    __type(key, __u32);
    __type(value, __u64);
} sock_map SEC(".maps");

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
    __uint(type, BPF_MAP_TYPE_RINGBUF);
    __uint(max_entries, 4096);
} events SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_PERF_EVENT_ARRAY);
    __uint(key_size, sizeof(__u32));
    __uint(value_size, sizeof(__u32));
} perf SEC(".maps");

struct inner_array {
    __uint(type, BPF_MAP_TYPE_ARRAY);
    __uint(max_entries, 4);
    __type(key, __u32);
    __type(value, __u64);
} inner0 SEC(".maps"), inner1 SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_ARRAY_OF_MAPS);
    __uint(max_entries, 2);
    __type(key, __u32);
    __array(values, struct inner_array);
} outer_array SEC(".maps") = {
    .values = { [0] = &inner0 },
};

struct {
    __uint(type, BPF_MAP_TYPE_HASH_OF_MAPS);
    __uint(max_entries, 4);
    __type(key, __u32);
    __array(values, struct inner_array);
} outer_hash SEC(".maps");

int tail_target(struct xdp_md *ctx);

struct {
    __uint(type, BPF_MAP_TYPE_PROG_ARRAY);
    __uint(max_entries, 2);
    __type(key, __u32);
    __array(values, int(struct xdp_md *));
} jumps SEC(".maps") = {
    .values = { [1] = (void *)&tail_target },
};

// Global data: .rodata (const volatile), .data, .bss, a custom .data section.
const volatile __u32 rt_limit = 7;
const volatile struct rt_key rt_match = { .addr = 0x0100007f, .port = 80, .proto = 6 };
__u64 rt_seen = 3;
__u64 rt_dropped;
struct rt_value rt_last;
__u32 rt_custom[4] SEC(".data.custom") = { 1, 2, 3, 4 };

static __attribute__((noinline)) __u64 bump(__u64 *counter, __u64 by)
{
    *counter += by;
    return *counter;
}

__attribute__((noinline)) int count_flow(struct rt_key *key, __u32 len)
{
    if (!key) // a global function is verified on its own: its pointer arguments may be NULL
        return 0;
    struct rt_value *v = bpf_map_lookup_elem(&flows, key);
    if (!v) {
        struct rt_value init = { .packets = 1, .bytes = len };
        bpf_map_update_elem(&flows, key, &init, BPF_NOEXIST);
        return 0;
    }
    __sync_fetch_and_add(&v->packets, 1);
    __sync_fetch_and_add(&v->bytes, len);
    return 1;
}

SEC("xdp")
int tail_target(struct xdp_md *ctx)
{
    bump(&rt_dropped, 1);
    return XDP_PASS;
}

SEC("xdp")
int xdp_count(struct xdp_md *ctx)
{
    __u32 len = ctx->data_end - ctx->data;
    struct rt_key key = { .addr = len, .port = rt_match.port, .proto = rt_match.proto };
    __u32 zero = 0;
    struct rt_value *slot = bpf_map_lookup_elem(&slots, &zero);
    if (slot)
        slot->packets++;
    struct rt_value *pc = bpf_map_lookup_elem(&pc_array, &zero);
    if (pc)
        pc->bytes += len;
    count_flow(&key, len);
    rt_last.bytes = len;
    rt_custom[1]++;
    if (bump(&rt_seen, 1) > rt_limit)
        bpf_tail_call(ctx, &jumps, 1);
    return XDP_PASS;
}

SEC("sockops")
int on_sockops(struct bpf_sock_ops *skops)
{
    struct rt_key key = { .addr = skops->remote_ip4, .port = (__u16)skops->local_port, .proto = 6 };
    if (skops->op == BPF_SOCK_OPS_PASSIVE_ESTABLISHED_CB || skops->op == BPF_SOCK_OPS_ACTIVE_ESTABLISHED_CB)
        bpf_sock_hash_update(skops, &sock_hash, &key, BPF_ANY);
    return 1;
}

SEC("sk_msg")
int on_msg(struct sk_msg_md *msg)
{
    struct rt_key key = { .addr = msg->local_ip4, .port = (__u16)msg->local_port, .proto = 6 };
    bpf_msg_redirect_hash(msg, &sock_hash, &key, BPF_F_INGRESS);
    return SK_PASS;
}

SEC("xdp")
int xdp_redirect(struct xdp_md *ctx)
{
    __u32 key = 0;
    void *m = bpf_map_lookup_elem(&outer_array, &key);
    if (m) {
        __u64 *v = bpf_map_lookup_elem(m, &key);
        if (v)
            (*v)++;
    }
    struct rt_lpm_key lpm = { .prefixlen = 32, .addr = 0x0100007f };
    __u32 *route = bpf_map_lookup_elem(&routes, &lpm);
    if (route && *route == 1)
        return bpf_redirect_map(&devices, 0, XDP_PASS);
    if (route && *route == 2)
        return bpf_redirect_map(&cpus, 0, XDP_PASS);
    __u64 now = bpf_ktime_get_ns();
    struct rt_key seen = { .addr = key, .proto = 17 };
    bpf_map_update_elem(&lru, &now, &seen, BPF_ANY);
    __u32 *c = bpf_map_lookup_elem(&pc_hash, &key);
    if (c)
        (*c)++;
    __u64 *l = bpf_map_lookup_elem(&lru_pc, &key);
    if (l)
        (*l)++;
    __u64 *rec = bpf_ringbuf_reserve(&events, sizeof(__u64), 0);
    if (rec) {
        *rec = now;
        bpf_ringbuf_submit(rec, 0);
    }
    bpf_perf_event_output(ctx, &perf, BPF_F_CURRENT_CPU, &now, sizeof(now));
    if (bpf_map_lookup_elem(&outer_hash, &key))
        return XDP_DROP;
    return XDP_PASS;
}

SEC("tc")
int tc_mark(struct __sk_buff *skb)
{
    skb->mark = rt_limit;
    return 0; // TC_ACT_OK
}

SEC("tracepoint/syscalls/sys_enter_getpid")
int on_getpid(void *ctx)
{
    bump(&rt_seen, 1);
    return 0;
}

char LICENSE[] SEC("license") = "GPL";
