// SPDX-License-Identifier: GPL-2.0
/*
 * xdp-proxy: a layer-4 TCP load balancer in XDP with full NAT.
 *
 * Client -> VIP:port            becomes  balancer(snat):nat_port -> backend:port   (XDP_TX)
 * Backend -> balancer:nat_port  becomes  VIP:port -> client                        (XDP_TX)
 *
 * Nothing is compiled in: the VIP, the port, the source address and NAT port range live in the
 * `config` map, the backends (address, port, next-hop MAC read from the kernel's neighbour table
 * by the control plane) in `backends`, and the Maglev lookup table that the control plane
 * computes in `maglev`. All of it can change while the program runs.
 *
 * Connection affinity: a connection's SYN picks a backend through the Maglev table (hash of the
 * 4-tuple), then `flows` (client 4-tuple -> backend, NAT port) pins the connection so a table
 * change does not move it. A non-SYN packet without a flow entry (evicted, or the balancer
 * restarted) is placed by the table too, which gives the same answer while the table is unchanged. NAT ports are allocated per backend: the reverse entry in
 * `nat` (backend, balancer, NAT port) is claimed atomically with BPF_NOEXIST, so two clients
 * that use the same source port get different NAT ports and their replies are told apart.
 *
 * Everything that is not TCP to VIP:port or a reply to a NAT port we allocated is passed to the
 * kernel untouched: ARP, IPv6, UDP, ICMP, other ports, IP fragments, malformed or truncated headers.
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/tcp.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

#define MAX_BACKENDS 64
/* A prime, and more than 100 entries per backend at MAX_BACKENDS (Maglev's advice for even spread). */
#define MAGLEV_SIZE 16381
/* How many NAT ports a new flow tries before giving up; the port space is larger than `nat`, so a
 * free port is always there and 32 tries miss it with negligible probability. */
#define NAT_PROBES 32
#define FLOW_ENTRIES 16384

#define IP_MF 0x2000
#define IP_OFFSET 0x1fff

/* Backend slot flags (an enum, not #defines, so the build can hand it to C#: Types="backend_flags"). */
enum backend_flags {
	BACKEND_ACTIVE = 1,   /* in the Maglev table: takes new flows */
	BACKEND_DRAINING = 2, /* removed: keeps serving the flows it already has */
};

struct config {
	__u32 vip;            /* network order */
	__u32 snat_ip;        /* source address of packets sent to backends, network order */
	__u16 port;           /* VIP port, network order */
	__u16 nat_port_min;   /* first NAT port, host order */
	__u16 nat_port_count; /* number of NAT ports; 0 disables the balancer (everything passes) */
	__u16 pad;
};

struct backend {
	__u32 ip;     /* network order; 0 = empty slot */
	__u16 port;   /* network order */
	__u8 mac[6];  /* next hop towards the backend */
	__u32 flags;  /* enum backend_flags */
};

struct flow_key {     /* as the client sent it */
	__u32 client_ip;
	__u32 vip;
	__u16 client_port;
	__u16 vip_port;
};

struct flow {
	__u32 backend_ip;   /* to notice a slot that was reused by another backend */
	__u32 slot;
	__u16 backend_port;
	__u16 nat_port;     /* network order */
	__u8 client_mac[6];
	__u16 pad;
};

struct nat_key {      /* as the backend's reply carries it */
	__u32 backend_ip;
	__u32 snat_ip;
	__u16 backend_port;
	__u16 nat_port;
};

struct nat_entry {
	__u32 client_ip;
	__u32 vip;
	__u16 client_port;
	__u16 vip_port;
	__u32 slot;
	__u8 client_mac[6]; /* the reply goes back to where the request came from */
	__u16 pad;
};

struct backend_counters {
	__u64 packets_to_backend;
	__u64 bytes_to_backend;
	__u64 packets_to_client;
	__u64 bytes_to_client;
};

enum stat {
	STAT_PASSED = 0,     /* not ours: handed to the kernel untouched */
	STAT_TO_BACKEND,
	STAT_TO_CLIENT,
	STAT_NO_BACKEND,     /* VIP traffic while the Maglev table is empty: dropped */
	STAT_NAT_EXHAUSTED,  /* no free NAT port found: dropped */
	STAT_COUNT,
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct config);
} config SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, MAX_BACKENDS);
	__type(key, __u32);
	__type(value, struct backend);
} backends SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, MAGLEV_SIZE);
	__type(key, __u32);
	__type(value, __u32); /* backend slot + 1; 0 (a fresh map) = no backend */
} maglev SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, FLOW_ENTRIES);
	__type(key, struct flow_key);
	__type(value, struct flow);
} flows SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, FLOW_ENTRIES);
	__type(key, struct nat_key);
	__type(value, struct nat_entry);
} nat SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, MAX_BACKENDS);
	__type(key, __u32);
	__type(value, struct backend_counters);
} backend_stats SEC(".maps");

#define STATS_SIZE STAT_COUNT
#include "../Shared/bpf/stat_counters.h"

static __always_inline int pass(void)
{
	stat_inc(STAT_PASSED);
	return XDP_PASS;
}

/* murmur3's 32-bit finaliser: cheap, and every input bit affects every output bit. */
static __always_inline __u32 mix32(__u32 h)
{
	h ^= h >> 16;
	h *= 0x85ebca6bu;
	h ^= h >> 13;
	h *= 0xc2b2ae35u;
	h ^= h >> 16;
	return h;
}

/* Hash of the client's 4-tuple (the protocol is always TCP here). The control plane's tests use
 * the same function (tests/Examples.Tests/XdpProxyFlowHash.cs, checked against this one there). */
static __always_inline __u32 flow_hash(__u32 saddr, __u32 daddr, __u16 sport, __u16 dport)
{
	__u32 h = mix32(0x9e3779b9u ^ saddr);
	h = mix32(h ^ daddr);
	h = mix32(h ^ (((__u32)sport << 16) | dport));
	return h;
}

/* One's-complement arithmetic (RFC 1071/1624) on values as they sit in the packet: the sum is
 * independent of byte order, so no swapping is needed. */
static __always_inline __u16 fold(__u32 sum)
{
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	return (__u16)sum;
}

/* RFC 1624 eqn. 3: HC' = ~(~HC + ~m + m') for a 32-bit field. */
static __always_inline void csum_replace4(__u16 *check, __u32 from, __u32 to)
{
	__u32 sum = (__u16)~*check;
	sum += (__u16)~(from >> 16) + (__u16)~(from & 0xffff);
	sum += (to >> 16) + (to & 0xffff);
	*check = ~fold(sum);
}

static __always_inline void csum_replace2(__u16 *check, __u16 from, __u16 to)
{
	__u32 sum = (__u16)~*check;
	sum += (__u16)~from;
	sum += to;
	*check = ~fold(sum);
}

/* The IPv4 header checksum, computed afresh over the whole header (options included). */
static __always_inline int ip_checksum(struct iphdr *ip, void *data_end)
{
	__u32 words = ip->ihl * 2;
	__u32 sum = 0;

	ip->check = 0;
	for (__u32 i = 0; i < 30; i++) {
		if (i >= words)
			break;
		__u16 *word = (__u16 *)ip + i;
		/* Keep clang from folding the bounds check into arithmetic on data_end, which the
		 * verifier refuses. */
		asm volatile("" : "+r"(word));
		if ((void *)(word + 1) > data_end)
			return -1;
		sum += *word;
	}
	ip->check = ~fold(sum);
	return 0;
}

/* Rewrites addresses and ports, keeping both checksums right. */
static __always_inline int rewrite(struct iphdr *ip, struct tcphdr *tcp, void *data_end,
				   __u32 saddr, __u32 daddr, __u16 sport, __u16 dport)
{
	csum_replace4(&tcp->check, ip->saddr, saddr);
	csum_replace4(&tcp->check, ip->daddr, daddr);
	csum_replace2(&tcp->check, tcp->source, sport);
	csum_replace2(&tcp->check, tcp->dest, dport);
	tcp->source = sport;
	tcp->dest = dport;
	ip->saddr = saddr;
	ip->daddr = daddr;
	return ip_checksum(ip, data_end);
}

static __always_inline void set_macs(struct ethhdr *eth, const __u8 *dst)
{
	/* The frame was addressed to this interface, so its destination is our own MAC. */
	__builtin_memcpy(eth->h_source, eth->h_dest, ETH_ALEN);
	__builtin_memcpy(eth->h_dest, dst, ETH_ALEN);
}

static __always_inline int same_client(const struct nat_entry *e, const struct flow_key *k)
{
	return e->client_ip == k->client_ip && e->client_port == k->client_port &&
	       e->vip == k->vip && e->vip_port == k->vip_port;
}

/* Claims a NAT port on `be` for the flow `k`; returns it in network order, or 0 when none is free. */
static __always_inline __u16 claim_nat_port(const struct config *cfg, const struct backend *be,
					    const struct flow_key *k, const struct nat_entry *entry,
					    __u32 hash)
{
	__u32 start = mix32(hash ^ 0x5bd1e995u);
	struct nat_key nk = {
		.backend_ip = be->ip,
		.snat_ip = cfg->snat_ip,
		.backend_port = be->port,
	};

	for (__u32 i = 0; i < NAT_PROBES; i++) {
		__u16 port = cfg->nat_port_min + (__u16)((start + i) % cfg->nat_port_count);

		nk.nat_port = bpf_htons(port);
		if (bpf_map_update_elem(&nat, &nk, entry, BPF_NOEXIST) == 0)
			return nk.nat_port;
		/* Taken: by this very flow (its `flows` entry was evicted), or by another one. */
		struct nat_entry *owner = bpf_map_lookup_elem(&nat, &nk);
		if (owner && same_client(owner, k))
			return nk.nat_port;
	}
	return 0;
}

static __always_inline void add_bytes(__u32 slot, int to_backend, __u64 bytes)
{
	struct backend_counters *c = bpf_map_lookup_elem(&backend_stats, &slot);

	if (!c)
		return;
	if (to_backend) {
		c->packets_to_backend += 1;
		c->bytes_to_backend += bytes;
	} else {
		c->packets_to_client += 1;
		c->bytes_to_client += bytes;
	}
}

static __always_inline int to_backend(struct xdp_md *ctx, struct ethhdr *eth, struct iphdr *ip,
				      struct tcphdr *tcp, const struct config *cfg)
{
	void *data_end = (void *)(long)ctx->data_end;
	struct flow_key k = {
		.client_ip = ip->saddr,
		.vip = ip->daddr,
		.client_port = tcp->source,
		.vip_port = tcp->dest,
	};
	struct backend *be = 0;
	__u32 slot;
	__u16 nat_port;

	/* A SYN opens a new connection: it consults the table even when a flow entry exists, because
	 * that entry is a leftover of an earlier connection that used the same 4-tuple (clients reuse
	 * ports) and may name a backend that has since been removed. */
	int syn = tcp->syn && !tcp->ack;
	struct flow *f = syn ? 0 : bpf_map_lookup_elem(&flows, &k);
	if (f) {
		slot = f->slot;
		be = bpf_map_lookup_elem(&backends, &slot);
		/* A removed backend keeps its flows (BACKEND_DRAINING); a slot handed to another
		 * backend does not. */
		if (be && be->ip == f->backend_ip && be->port == f->backend_port &&
		    (be->flags & (BACKEND_ACTIVE | BACKEND_DRAINING)))
			nat_port = f->nat_port;
		else
			be = 0;
	}
	if (!be) {
		__u32 hash = flow_hash(k.client_ip, k.vip, k.client_port, k.vip_port);
		__u32 index = hash % MAGLEV_SIZE;
		__u32 *entry = bpf_map_lookup_elem(&maglev, &index);

		if (!entry || !*entry) {
			stat_inc(STAT_NO_BACKEND);
			return XDP_DROP;
		}
		slot = *entry - 1;
		be = bpf_map_lookup_elem(&backends, &slot);
		if (!be || !be->ip || !(be->flags & BACKEND_ACTIVE)) {
			stat_inc(STAT_NO_BACKEND);
			return XDP_DROP;
		}

		struct nat_entry ne = {
			.client_ip = k.client_ip,
			.vip = k.vip,
			.client_port = k.client_port,
			.vip_port = k.vip_port,
			.slot = slot,
		};
		__builtin_memcpy(ne.client_mac, eth->h_source, ETH_ALEN);
		nat_port = claim_nat_port(cfg, be, &k, &ne, hash);
		if (!nat_port) {
			stat_inc(STAT_NAT_EXHAUSTED);
			return XDP_DROP;
		}

		struct flow nf = {
			.backend_ip = be->ip,
			.slot = slot,
			.backend_port = be->port,
			.nat_port = nat_port,
		};
		__builtin_memcpy(nf.client_mac, eth->h_source, ETH_ALEN);
		bpf_map_update_elem(&flows, &k, &nf, BPF_ANY);
	}

	if (rewrite(ip, tcp, data_end, cfg->snat_ip, be->ip, nat_port, be->port) < 0)
		return XDP_ABORTED;
	set_macs(eth, be->mac);
	add_bytes(slot, 1, (__u64)(data_end - (void *)eth));
	stat_inc(STAT_TO_BACKEND);
	return XDP_TX;
}

static __always_inline int to_client(struct xdp_md *ctx, struct ethhdr *eth, struct iphdr *ip,
				     struct tcphdr *tcp, const struct nat_entry *ne)
{
	void *data_end = (void *)(long)ctx->data_end;

	if (rewrite(ip, tcp, data_end, ne->vip, ne->client_ip, ne->vip_port, ne->client_port) < 0)
		return XDP_ABORTED;
	set_macs(eth, ne->client_mac);
	add_bytes(ne->slot, 0, (__u64)(data_end - (void *)eth));
	stat_inc(STAT_TO_CLIENT);
	return XDP_TX;
}

SEC("xdp")
int xdp_proxy(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	__u32 zero = 0;

	struct ethhdr *eth = data;
	if ((void *)(eth + 1) > data_end || eth->h_proto != bpf_htons(ETH_P_IP))
		return pass();

	struct iphdr *ip = (void *)(eth + 1);
	if ((void *)(ip + 1) > data_end || ip->version != 4 || ip->ihl < 5 ||
	    ip->protocol != IPPROTO_TCP || (ip->frag_off & bpf_htons(IP_MF | IP_OFFSET)))
		return pass();

	__u32 ip_len = ip->ihl * 4;
	__u32 total = bpf_ntohs(ip->tot_len);
	/* The IP length must cover a TCP header and fit in the frame (a truncated frame is passed). */
	if (total < ip_len + sizeof(struct tcphdr) || (void *)ip + total > data_end)
		return pass();

	struct tcphdr *tcp = (void *)ip + ip_len;
	if ((void *)(tcp + 1) > data_end)
		return pass();

	struct config *cfg = bpf_map_lookup_elem(&config, &zero);
	if (!cfg || !cfg->nat_port_count)
		return pass();

	if (ip->daddr == cfg->vip && tcp->dest == cfg->port)
		return to_backend(ctx, eth, ip, tcp, cfg);

	if (ip->daddr == cfg->snat_ip) {
		struct nat_key nk = {
			.backend_ip = ip->saddr,
			.snat_ip = ip->daddr,
			.backend_port = tcp->source,
			.nat_port = tcp->dest,
		};
		struct nat_entry *ne = bpf_map_lookup_elem(&nat, &nk);
		if (ne)
			return to_client(ctx, eth, ip, tcp, ne);
	}
	return pass();
}

/* Loaded on the peer of a veth that runs xdp_proxy in native mode: without an XDP program on the
 * peer, the kernel silently drops frames sent with XDP_TX. */
SEC("xdp")
int xdp_pass(struct xdp_md *ctx)
{
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
