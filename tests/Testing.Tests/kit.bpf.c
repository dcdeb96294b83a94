// Programs for the Ebpf.Testing tests (tests/Testing.Tests): what a user's program under test might be.
#include <stdbool.h>
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/tcp.h>
#include <linux/in.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

// When false, kit_rewrite forgets to patch the TCP checksum after changing the destination address: the bug the
// tests' checksum assertion must catch.
const volatile bool fix_tcp_checksum = true;

// One's complement update (RFC 1624) of a checksum for a 32-bit field that changed from `from` to `to`, all three as
// read from the packet: the sum is byte-order independent, so no swapping is needed.
static __always_inline __u16 csum_replace4(__u16 check, __u32 from, __u32 to)
{
    __u32 sum = (__u16)~check;
    sum += (__u16)~(from >> 16) + (__u16)~(from & 0xffff);
    sum += (to >> 16) + (to & 0xffff);
    sum = (sum & 0xffff) + (sum >> 16);
    sum = (sum & 0xffff) + (sum >> 16);
    return (__u16)~sum;
}

// IPv4 TCP to 10.0.0.1 goes to 10.0.0.2 and back out (XDP_TX) with the Ethernet addresses swapped; the IP checksum is
// patched, the TCP one too unless fix_tcp_checksum is false. Everything else passes untouched.
SEC("xdp")
int kit_rewrite(struct xdp_md *ctx)
{
    void *data = (void *)(long)ctx->data;
    void *end = (void *)(long)ctx->data_end;
    struct ethhdr *eth = data;
    if ((void *)(eth + 1) > end || eth->h_proto != bpf_htons(ETH_P_IP))
        return XDP_PASS;
    struct iphdr *ip = (void *)(eth + 1);
    if ((void *)(ip + 1) > end || ip->ihl != 5 || ip->protocol != IPPROTO_TCP || ip->daddr != bpf_htonl(0x0a000001))
        return XDP_PASS;
    struct tcphdr *tcp = (void *)(ip + 1);
    if ((void *)(tcp + 1) > end)
        return XDP_PASS;
    __u32 from = ip->daddr, to = bpf_htonl(0x0a000002);
    ip->daddr = to;
    ip->check = csum_replace4(ip->check, from, to);
    if (fix_tcp_checksum)
        tcp->check = csum_replace4(tcp->check, from, to);
    unsigned char mac[ETH_ALEN];
    __builtin_memcpy(mac, eth->h_dest, ETH_ALEN);
    __builtin_memcpy(eth->h_dest, eth->h_source, ETH_ALEN);
    __builtin_memcpy(eth->h_source, mac, ETH_ALEN);
    return XDP_TX;
}

// Counts packets leaving a cgroup's sockets and lets them go: something to attach to a cgroup for the leak checks.
__u64 egress_packets = 0;

SEC("cgroup_skb/egress")
int kit_count_egress(struct __sk_buff *skb)
{
    __sync_fetch_and_add(&egress_packets, 1);
    return 1;
}

char LICENSE[] SEC("license") = "GPL";
