// Test object for the skeleton generator (tests/Generator.Tests): global variables in every kind of data
// section, including custom .data.* and .rodata.* sections, with nested, union, enum, bitfield and array
// types from gen_types.h. Golden: Golden/gen_globals.g.cs.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include "gen_types.h"

const volatile __u32 cfg_port = 8080;
const volatile struct gen_config cfg = { .port = 80, .mode = 1, .range = { 1, 2 }, .ratio = 0.5f, .offset = -3 };
const volatile enum gen_proto cfg_proto = GEN_PROTO_UDP;
const volatile __u8 cfg_table[8] = { 1, 2, 3 };

__u64 packets_seen = 7;
struct gen_flow_stats last_stats = { .packets = 1 };
union gen_value last_value = { .as_u64 = 9 };

__u64 drops;
struct gen_event last_event;
struct gen_naming naming;
__s16 signed_small;
struct gen_bits bits;
struct gen_tail_bits tail_bits;
struct gen_anon anon;

__u64 custom_counter SEC(".data.custom") = 42;
__u32 custom_array[4] SEC(".data.custom") = { 1, 2, 3, 4 };

const volatile __u32 limits[3] SEC(".rodata.limits") = { 10, 20, 30 };

static __u32 hidden_static;

SEC("raw_tp/sys_enter")
int on_enter(void *ctx)
{
    hidden_static++;
    packets_seen += cfg_port + cfg.port + cfg_proto + cfg_table[1] + limits[2];
    drops++;
    custom_counter++;
    custom_array[1]++;
    last_event.pid = naming.object + last_stats.state + last_value.as_s32[0] + signed_small + bits.tiny + tail_bits.last + anon.hi12;
    return 0;
}

SEC("socket")
int sock_filter(struct __sk_buff *skb)
{
    return 0;
}

SEC("cgroup/connect4")
int connect4(struct bpf_sock_addr *ctx)
{
    return 1;
}

char LICENSE[] SEC("license") = "GPL";
