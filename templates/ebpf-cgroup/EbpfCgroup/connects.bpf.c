// SPDX-License-Identifier: GPL-2.0
// Counts the connects of the processes in a cgroup (and its descendants), per protocol and destination.
// cgroup/connect4 and cgroup/connect6 run in the connecting process on every connect() of an IPv4 or IPv6
// socket, TCP or UDP, before the kernel acts on it; both allow every connect unchanged (return 1).
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

#define AF_INET 2
#define AF_INET6 10

struct connect_key {
    __u32 addr[4];   // destination address in network byte order: IPv4 in addr[0], the rest zero
    __u16 port;      // destination port, host byte order
    __u8 family;     // 4 or 6
    __u8 protocol;   // 6 TCP, 17 UDP
};

// In C#: ConnectsSkel.Maps.Connects, a HashMap<ConnectsSkel.ConnectKey, ulong>.
struct {
    __uint(type, BPF_MAP_TYPE_HASH);
    __uint(max_entries, 4096);
    __type(key, struct connect_key);
    __type(value, __u64);
} connects SEC(".maps");

static __always_inline void count(struct connect_key *key)
{
    __u64 one = 1;
    __u64 *n = bpf_map_lookup_elem(&connects, key);
    if (n)
        __sync_fetch_and_add(n, 1);
    else if (bpf_map_update_elem(&connects, key, &one, BPF_NOEXIST) != 0) {
        // Another CPU added it meanwhile (or the map is full: then there is nothing to count into).
        n = bpf_map_lookup_elem(&connects, key);
        if (n)
            __sync_fetch_and_add(n, 1);
    }
}

SEC("cgroup/connect4")
int count_connect4(struct bpf_sock_addr *ctx)
{
    struct connect_key key;
    __builtin_memset(&key, 0, sizeof(key));
    key.addr[0] = ctx->user_ip4;
    key.port = bpf_ntohs((__u16)ctx->user_port);
    key.family = 4;
    key.protocol = ctx->protocol;
    count(&key);
    return 1;
}

SEC("cgroup/connect6")
int count_connect6(struct bpf_sock_addr *ctx)
{
    struct connect_key key;
    __builtin_memset(&key, 0, sizeof(key));
    key.addr[0] = ctx->user_ip6[0];
    key.addr[1] = ctx->user_ip6[1];
    key.addr[2] = ctx->user_ip6[2];
    key.addr[3] = ctx->user_ip6[3];
    key.port = bpf_ntohs((__u16)ctx->user_port);
    key.family = 6;
    key.protocol = ctx->protocol;
    count(&key);
    return 1;
}

char LICENSE[] SEC("license") = "GPL";
