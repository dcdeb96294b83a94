// SPDX-License-Identifier: GPL-2.0
// Counts the packets and bytes an interface receives, per protocol: the EtherType and, for IPv4 and IPv6,
// the IP protocol (TCP, UDP, ICMP, ...). XDP runs on each received packet before the kernel's network
// stack sees it; every packet is passed on unchanged.
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

struct protocol_key {
    __u16 ether_type;  // host byte order: 0x0800 IPv4, 0x86DD IPv6, 0x0806 ARP, ...
    __u8 ip_protocol;  // IPv4 protocol or IPv6 next header (6 TCP, 17 UDP, 1 ICMP, 58 ICMPv6); 0 otherwise
    __u8 pad;          // keys are compared byte for byte: always zero
};

struct counters {
    __u64 packets;
    __u64 bytes;
};

// One slot per CPU for each key, so CPUs count without atomics; user space adds them up.
// In C#: PacketsSkel.Maps.Protocols, a PerCpuHashMap<PacketsSkel.ProtocolKey, PacketsSkel.Counters>.
struct {
    __uint(type, BPF_MAP_TYPE_PERCPU_HASH);
    __uint(max_entries, 1024);
    __type(key, struct protocol_key);
    __type(value, struct counters);
} protocols SEC(".maps");

static __always_inline __u8 ip_protocol(void *l3, void *data_end, __u16 ether_type)
{
    if (ether_type == ETH_P_IP) {
        struct iphdr *ip = l3;
        if ((void *)(ip + 1) <= data_end)
            return ip->protocol;
    } else if (ether_type == ETH_P_IPV6) {
        struct ipv6hdr *ip6 = l3;
        if ((void *)(ip6 + 1) <= data_end)
            return ip6->nexthdr;  // the first header after IPv6's own (extension headers are not followed)
    }
    return 0;
}

SEC("xdp")
int count_packets(struct xdp_md *ctx)
{
    void *data = (void *)(long)ctx->data;
    void *data_end = (void *)(long)ctx->data_end;
    struct ethhdr *eth = data;
    if ((void *)(eth + 1) > data_end)
        return XDP_PASS;

    struct protocol_key key = { .ether_type = bpf_ntohs(eth->h_proto) };
    key.ip_protocol = ip_protocol(eth + 1, data_end, key.ether_type);

    struct counters *c = bpf_map_lookup_elem(&protocols, &key);
    if (!c) {
        struct counters zero = {};
        // BPF_NOEXIST: another CPU may have added the key meanwhile; then the lookup below finds it.
        bpf_map_update_elem(&protocols, &key, &zero, BPF_NOEXIST);
        c = bpf_map_lookup_elem(&protocols, &key);
        if (!c)
            return XDP_PASS;  // the map is full
    }
    c->packets++;
    c->bytes += data_end - data;
    return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
