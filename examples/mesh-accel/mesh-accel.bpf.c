// SPDX-License-Identifier: GPL-2.0
/*
 * mesh-accel: Istio's sidecar interception (istio-iptables -p 15001 -z 15006 -u 1337 -m REDIRECT
 * -d 15090,15021,15020) done at the socket layer instead of by iptables NAT, in the manner of Merbridge.
 *
 * mesh_connect4 / mesh_connect6 (cgroup/connect4, cgroup/connect6) run when a process of the cgroup calls
 * connect(). They apply the same rules as istio-iptables' nat chains (decide(), below) and, where those
 * would REDIRECT, rewrite the destination instead: outbound to 127.0.0.1:15001 (::1 for IPv6), inbound to
 * the destination pod's address with port 15006, and the sidecar's call to its own pod to 127.0.0.1:15006
 * (a REDIRECT in OUTPUT goes to the loopback address, one in PREROUTING to the receiving interface's). The
 * original destination is kept in orig_by_cookie under the connecting socket's cookie.
 *
 * mesh_sockops, when the connection is established on the connecting side, moves that entry to
 * orig_by_tuple under the connection's 4-tuple: the proxy asks on its *accepted* socket, which has another
 * cookie but the same 4-tuple. It also puts the sockets of the mesh's own hops (app to sidecar, sidecar to
 * sidecar, sidecar to app) into sock_hash for splicing (sockmsg_splice.h), and deletes the 4-tuple entry
 * when the accepting socket closes.
 *
 * Splicing costs each socket a sockhash entry, a psock and socket storage, set up at establishment and torn
 * down at close: more than a connection that carries one request and one response saves. So a mesh hop is
 * spliced unless the last connections to the same original destination were all short (splice_pays, below);
 * the sidecar's accepted socket reports at its close how much the connection carried.
 *
 * mesh_getsockopt (cgroup/getsockopt) answers getsockopt(SOL_IP, SO_ORIGINAL_DST) and (SOL_IPV6,
 * IP6T_SO_ORIGINAL_DST) on an accepted socket from orig_by_tuple, as conntrack does after a REDIRECT.
 *
 * Which namespace is which pod, and the pods' settings (Istio's traffic.sidecar.istio.io annotations),
 * come from the agent through pods_by_netns and pods_by_ip. All addresses are kept as 16 bytes, IPv4 in its
 * v4-mapped form (::ffff:a.b.c.d), so an IPv4 address written v4-mapped on an AF_INET6 socket (connect6)
 * is treated exactly as IPv4, as the kernel's own IPv4 path (and so iptables) treats it.
 */
#include <linux/bpf.h>
#include <linux/socket.h>
#include <linux/in.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>

/* The splicing half: keys without the namespace cookie unless both addresses are loopback ones, so the
 * two ends of a sidecar-to-sidecar connection across pods' namespaces find each other; maps pinned. */
#define SPLICE_NETNS_LOOPBACK_ONLY 1
#define SPLICE_PIN_MAPS 1
#define SPLICE_STATS_SIZE 32
#include "../Shared/bpf/sockmsg_splice.h"

/* Counters after the splicing ones; the order is MeshStats' (C#) too. */
enum mesh_stat {
	STAT_CONNECT_OUTBOUND = SPLICE_STAT_COUNT, /* connects sent to the pod's own sidecar, :15001 */
	STAT_CONNECT_INBOUND,      /* connects sent to the destination pod's sidecar, :15006 */
	STAT_CONNECT_SELF,         /* the sidecar calling its own pod, sent to its own :15006 */
	STAT_CONNECT_BYPASSED,     /* connects from or to a meshed pod that the rules leave alone */
	STAT_ORIG_REKEYED,         /* original destinations moved from the cookie to the 4-tuple */
	STAT_ORIG_FREED,           /* 4-tuple entries deleted when the accepted socket closed */
	STAT_SOCKOPT_ANSWERED,     /* SO_ORIGINAL_DST / IP6T_SO_ORIGINAL_DST answered */
	STAT_SOCKOPT_MISSED,       /* ... asked on a socket we know nothing about: left to the kernel */
	STAT_ORIG_FULL,            /* an original destination could not be stored (never expected) */
	STAT_SPLICE_SKIPPED,       /* sockets of mesh hops not spliced: their destination's connections were short */
	STAT_LEARNED_SHORT,        /* redirected connections that closed short (see splice_pays) */
	STAT_LEARNED_LONG,         /* ... and long */
	MESH_STAT_COUNT,
};
_Static_assert(MESH_STAT_COUNT <= SPLICE_STATS_SIZE, "stats map too small");

#define OUTBOUND_PORT 15001
#define INBOUND_PORT 15006
#define PROXY_ID 1337        /* istio-iptables -u / -g: the sidecar's uid and gid */
#define HBONE_PORT 15008     /* never captured inbound (istio-iptables adds it unconditionally) */
#define SOL_IP_ 0
#define SOL_IPV6_ 41
#define SOCK_STREAM_ 1
#define SO_ORIGINAL_DST_ 80  /* SOL_IP; IP6T_SO_ORIGINAL_DST is also 80, at SOL_IPV6 */

#define MAX_PORTS 16
#define MAX_RANGES 8

/* A CIDR in the 16-byte form; an IPv4 /n is stored as ::ffff:a.b.c.d/(96+n). */
struct cidr {
	__u32 ip[4];
	__u32 prefix;
};

enum pod_flags {
	POD_MESHED = 1,           /* has a sidecar: its traffic is captured */
	POD_INBOUND_ALL = 2,      /* includeInboundPorts "*": every inbound port but the excluded ones */
	POD_OUTBOUND_ALL = 4,     /* includeOutboundIPRanges "*": every destination but the excluded ranges */
};

/* One pod of this node as the agent wrote it. Port lists end at the first 0; range lists carry a count
 * (0.0.0.0/0 has prefix 96 + 0, ::/0 has 0, so no prefix can mark an end). Ports are host order. */
struct pod_info {
	__u32 ip4[4];                        /* the pod's IPv4 address, v4-mapped; all zero if none */
	__u32 ip6[4];                        /* its IPv6 address; all zero if none */
	__u32 flags;                         /* enum pod_flags */
	__u32 n_exclude_out_ranges;
	__u32 n_include_out_ranges;
	__u16 exclude_out_ports[MAX_PORTS];
	__u16 exclude_in_ports[MAX_PORTS];   /* only with POD_INBOUND_ALL (istio-iptables ignores them otherwise) */
	__u16 include_in_ports[MAX_PORTS];   /* only without POD_INBOUND_ALL */
	struct cidr exclude_out_ranges[MAX_RANGES];
	struct cidr include_out_ranges[MAX_RANGES]; /* only without POD_OUTBOUND_ALL */
};

struct ip_key {
	__u32 ip[4];
};

/* Where a redirected connection was going; port in network order. */
struct orig_dst {
	__u32 ip[4];
	__u16 port;
	__u16 is_v4;
};

#ifndef MAX_PODS
#define MAX_PODS 4096
#endif
#ifndef MAX_CONNS
#define MAX_CONNS 65536
#endif
#ifndef MAX_DESTS
#define MAX_DESTS 4096
#endif

/* The node's pods by address (both families), for inbound decisions. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, MAX_PODS);
	__type(key, struct ip_key);
	__type(value, struct pod_info);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} pods_by_ip SEC(".maps");

/* The same pods by network namespace cookie: which pod a connecting process is in. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, MAX_PODS);
	__type(key, __u64);
	__type(value, struct pod_info);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} pods_by_netns SEC(".maps");

/* connect() to establishment. An entry whose connect never completes stays until LRU eviction. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, MAX_CONNS);
	__type(key, __u64);
	__type(value, struct orig_dst);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} orig_by_cookie SEC(".maps");

/* Establishment to the close of the accepted socket; key as the connecting side sees the connection. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, MAX_CONNS);
	__type(key, struct sock_key);
	__type(value, struct orig_dst);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} orig_by_tuple SEC(".maps");

/* 0: the programs redirect but put no socket into sock_hash (the benchmark's "without splicing"). */
const volatile __u32 splice_enabled = 1;

/* An original destination (address, port in host order): what the splicing policy learns about. */
struct dest_key {
	__u32 ip[4];
	__u32 port;
};

/* How a destination's recent connections went. */
struct short_run {
	__u32 count;      /* connections to it that closed short in a row */
	__u32 pad;
	__u64 last_ns;    /* when the last of them closed (bpf_ktime_get_ns) */
};

/* Per destination (absent: no short connection lately). LRU: a destination evicted is spliced again, which is
 * only the default. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, MAX_DESTS);
	__type(key, struct dest_key);
	__type(value, struct short_run);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} short_runs SEC(".maps");

/* The splicing policy. A connection is long when the sidecar's accepted socket sent at least long_msgs
 * messages or long_bytes bytes (through TCP and sk_msg together) before it closed; after unsplice_after
 * short ones in a row to a destination, new connections to it are not spliced, until one is long again or
 * none has closed short for short_expiry_ns (a connection that is not spliced stays so for its life: the
 * kernel puts sockets into a sockmap from sockops only at establishment, so the verdict must not outlive
 * the short traffic that earned it). Both sidecars' accepted sockets report, so 16 is about 8 connections.
 * unsplice_after 0: splice every connection. */
const volatile __u32 unsplice_after = 16;
const volatile __u32 long_msgs = 4;
const volatile __u32 long_bytes = 16384;
const volatile __u64 short_expiry_ns = 1000000000ULL;

enum verdict {
	LEAVE,        /* the rules would RETURN: nothing to do */
	TO_OUTBOUND,  /* REDIRECT --to-ports 15001 in OUTPUT: loopback address */
	TO_SELF_IN,   /* REDIRECT --to-ports 15006 in OUTPUT (sidecar to own pod): loopback address */
	TO_INBOUND,   /* REDIRECT --to-ports 15006 in the destination pod's PREROUTING: its address */
};

static __always_inline int ip_eq(const __u32 a[4], const __u32 b[4])
{
	return a[0] == b[0] && a[1] == b[1] && a[2] == b[2] && a[3] == b[3];
}

static __always_inline int ip_zero(const __u32 a[4])
{
	return (a[0] | a[1] | a[2] | a[3]) == 0;
}

static __always_inline int is_v4(const __u32 a[4])
{
	return a[0] == 0 && a[1] == 0 && a[2] == bpf_htonl(0x0000ffff);
}

/* 127.0.0.1 or ::1: istio-iptables' "-d 127.0.0.1/32" (ip6tables: "-d ::1/128"). */
static __always_inline int is_localhost(const __u32 a[4])
{
	if (is_v4(a))
		return a[3] == bpf_htonl(0x7f000001);
	return a[0] == 0 && a[1] == 0 && a[2] == 0 && a[3] == bpf_htonl(1);
}

/* 127.0.0.6 or ::6: the source the sidecar binds for its inbound hop to the app (Envoy's passthrough). */
static __always_inline int is_passthrough_src(const __u32 a[4])
{
	if (is_v4(a))
		return a[3] == bpf_htonl(0x7f000006);
	return a[0] == 0 && a[1] == 0 && a[2] == 0 && a[3] == bpf_htonl(6);
}

static __always_inline int in_cidr(const __u32 ip[4], const struct cidr *c)
{
	__u32 left = c->prefix;

	for (int i = 0; i < 4; i++) {
		__u32 bits = left > 32 ? 32 : left;
		__u32 mask = bits == 0 ? 0 : bits == 32 ? 0xffffffff : ~((1u << (32 - bits)) - 1);

		if ((bpf_ntohl(ip[i]) & mask) != (bpf_ntohl(c->ip[i]) & mask))
			return 0;
		left -= bits;
	}
	return 1;
}

static __always_inline int port_listed(const __u16 *ports, __u16 port)
{
	for (int i = 0; i < MAX_PORTS; i++) {
		if (ports[i] == 0)
			return 0;
		if (ports[i] == port)
			return 1;
	}
	return 0;
}

static __always_inline int range_listed(const struct cidr *ranges, __u32 n, const __u32 ip[4])
{
	for (int i = 0; i < MAX_RANGES; i++) {
		if (i >= n)
			return 0;
		if (in_cidr(ip, &ranges[i]))
			return 1;
	}
	return 0;
}

/* "-o lo": the destination is an address of the caller's own namespace (loopback, or the pod's own). */
static __always_inline int via_loopback(const __u32 dst[4], const struct pod_info *self)
{
	if (is_v4(dst) && (bpf_ntohl(dst[3]) >> 24) == 127)
		return 1;
	if (is_localhost(dst))
		return 1;
	return self && (ip_eq(dst, self->ip4) || ip_eq(dst, self->ip6));
}

/* ISTIO_INBOUND of the destination pod: is this destination port captured? */
static __always_inline int inbound_captured(const struct pod_info *pod, __u16 port)
{
	if (port == HBONE_PORT)
		return 0;
	if (pod->flags & POD_INBOUND_ALL)
		return !port_listed(pod->exclude_in_ports, port);
	return port_listed(pod->include_in_ports, port);
}

/*
 * istio-iptables' nat rules: output_chain() is OUTPUT, decide() adds PREROUTING. The caller's pod (self, null for a namespace that is no pod of
 * this node, such as the node's own) and the destination; src is the address the socket is bound to, if any.
 * OUTPUT chain (the caller's namespace, meshed pods only), in rule order:
 *   -s 127.0.0.6 -o lo RETURN; excluded outbound ports RETURN; uid 1337: ! -d 127.0.0.1 -o lo to 15006,
 *   else RETURN; -o lo RETURN; gid 1337 (same two rules, the redirect unreachable); -d 127.0.0.1 RETURN;
 *   excluded ranges RETURN; included ranges (or everything) to 15001.
 * PREROUTING (the destination pod's, when the connection leaves the caller's namespace): 15008 RETURN;
 * included ports to 15006 (with "*": all but the excluded ones).
 */
static __always_inline enum verdict output_chain(const struct pod_info *self, const __u32 dst[4], __u16 port,
						 const __u32 src[4], __u32 uid, __u32 gid, int lo)
{
	if (is_passthrough_src(src) && lo)
		return LEAVE;
	if (port_listed(self->exclude_out_ports, port))
		return LEAVE;
	if (uid == PROXY_ID)
		return lo && !is_localhost(dst) ? TO_SELF_IN : LEAVE;
	if (lo || gid == PROXY_ID || is_localhost(dst))
		return LEAVE;
	if (range_listed(self->exclude_out_ranges, self->n_exclude_out_ranges, dst))
		return LEAVE;
	if ((self->flags & POD_OUTBOUND_ALL) ||
	    range_listed(self->include_out_ranges, self->n_include_out_ranges, dst))
		return TO_OUTBOUND;
	return LEAVE;
}

static __always_inline enum verdict decide(const struct pod_info *self, const __u32 dst[4], __u16 port,
					   const __u32 src[4], __u64 uid_gid)
{
	int lo = via_loopback(dst, self);
	struct ip_key dkey;
	struct pod_info *dpod;

	if (self && (self->flags & POD_MESHED)) {
		enum verdict v = output_chain(self, dst, port, src, (__u32)uid_gid, uid_gid >> 32, lo);

		if (v != LEAVE)
			return v;
	}
	/* RETURN from OUTPUT: the packet goes on, and meets the destination pod's PREROUTING if it leaves this namespace. */
	if (lo)
		return LEAVE;
	__builtin_memcpy(dkey.ip, dst, sizeof(dkey.ip));
	dpod = bpf_map_lookup_elem(&pods_by_ip, &dkey);
	if (dpod && (dpod->flags & POD_MESHED) && inbound_captured(dpod, port))
		return TO_INBOUND;
	return LEAVE;
}

/* Counts a connect that was left alone when either end is a meshed pod (the rest is not the mesh's). */
static __always_inline void count_bypass(const struct pod_info *self, const __u32 dst[4])
{
	struct ip_key dkey;
	struct pod_info *dpod;

	if (self && (self->flags & POD_MESHED)) {
		stat_inc(STAT_CONNECT_BYPASSED);
		return;
	}
	__builtin_memcpy(dkey.ip, dst, sizeof(dkey.ip));
	dpod = bpf_map_lookup_elem(&pods_by_ip, &dkey);
	if (dpod && (dpod->flags & POD_MESHED))
		stat_inc(STAT_CONNECT_BYPASSED);
}

/* The shared half of connect4/connect6: decides, remembers the original destination, and fills new_dst/
 * new_port (network order) with where the connect goes instead. Returns 0 to leave the connect alone. */
static __always_inline int redirect(struct bpf_sock_addr *ctx, __u32 dst[4], __u16 port_be, const __u32 src[4],
				    __u32 new_dst[4], __u16 *new_port)
{
	__u64 netns = bpf_get_netns_cookie(ctx);
	struct pod_info *self = bpf_map_lookup_elem(&pods_by_netns, &netns);
	enum verdict v = decide(self, dst, bpf_ntohs(port_be), src, bpf_get_current_uid_gid());
	struct orig_dst orig = {};
	__u64 cookie;
	int v4 = is_v4(dst);

	if (v == LEAVE) {
		count_bypass(self, dst);
		return 0;
	}
	__builtin_memcpy(orig.ip, dst, sizeof(orig.ip));
	orig.port = port_be;
	orig.is_v4 = v4;
	cookie = bpf_get_socket_cookie(ctx);
	if (bpf_map_update_elem(&orig_by_cookie, &cookie, &orig, BPF_ANY) != 0) {
		stat_inc(STAT_ORIG_FULL);
		return 0; /* without the original destination the sidecar could not forward: leave it */
	}
	if (v == TO_INBOUND) {
		__builtin_memcpy(new_dst, dst, 16);
		*new_port = bpf_htons(INBOUND_PORT);
		stat_inc(STAT_CONNECT_INBOUND);
		return 1;
	}
	if (v4) {
		v4_mapped(new_dst, bpf_htonl(0x7f000001));
	} else {
		new_dst[0] = 0;
		new_dst[1] = 0;
		new_dst[2] = 0;
		new_dst[3] = bpf_htonl(1);
	}
	*new_port = bpf_htons(v == TO_OUTBOUND ? OUTBOUND_PORT : INBOUND_PORT);
	stat_add(v == TO_OUTBOUND ? STAT_CONNECT_OUTBOUND : STAT_CONNECT_SELF, 1);
	return 1;
}

/* The socket of a TCP connect; NULL for anything else (a UDP connect, or no socket), which is left alone. */
static __always_inline struct bpf_sock *tcp_connect_sock(struct bpf_sock_addr *ctx)
{
	return ctx->type == SOCK_STREAM_ ? ctx->sk : 0;
}

SEC("cgroup/connect4")
int mesh_connect4(struct bpf_sock_addr *ctx)
{
	struct bpf_sock *sk = tcp_connect_sock(ctx);
	__u32 dst[4], src[4], new_dst[4];
	__u16 new_port;

	if (!sk)
		return 1;
	v4_mapped(dst, ctx->user_ip4);
	v4_mapped(src, sk->src_ip4);
	if (redirect(ctx, dst, (__u16)ctx->user_port, src, new_dst, &new_port)) {
		ctx->user_ip4 = new_dst[3];
		ctx->user_port = new_port;
	}
	return 1;
}

SEC("cgroup/connect6")
int mesh_connect6(struct bpf_sock_addr *ctx)
{
	struct bpf_sock *sk = tcp_connect_sock(ctx);
	__u32 dst[4], src[4], new_dst[4];
	__u16 new_port;

	if (!sk)
		return 1;
	dst[0] = ctx->user_ip6[0];
	dst[1] = ctx->user_ip6[1];
	dst[2] = ctx->user_ip6[2];
	dst[3] = ctx->user_ip6[3];
	src[0] = sk->src_ip6[0];
	src[1] = sk->src_ip6[1];
	src[2] = sk->src_ip6[2];
	src[3] = sk->src_ip6[3];
	/* A v4-mapped destination stays v4-mapped: the socket is AF_INET6 and connects over IPv4. */
	if (redirect(ctx, dst, (__u16)ctx->user_port, src, new_dst, &new_port)) {
		ctx->user_ip6[0] = new_dst[0];
		ctx->user_ip6[1] = new_dst[1];
		ctx->user_ip6[2] = new_dst[2];
		ctx->user_ip6[3] = new_dst[3];
		ctx->user_port = new_port;
	}
	return 1;
}

/* The key of orig_by_tuple for a connection, from its (client, server) ends: sock_key with local = client. */
static __always_inline void tuple_key(struct sock_key *k, const __u32 client[4], __u32 client_port,
				      const __u32 server[4], __u32 server_port, __u64 netns)
{
	__builtin_memcpy(k->local_ip, client, 16);
	__builtin_memcpy(k->remote_ip, server, 16);
	k->local_port = client_port;
	k->remote_port = server_port;
	k->netns = splice_key_netns(k, netns);
}

static __always_inline void dest_of(struct dest_key *d, const __u32 ip[4], __u32 port)
{
	__builtin_memcpy(d->ip, ip, sizeof(d->ip));
	d->port = port;
}

/* Whether a new socket of a hop towards `d` goes into sock_hash: not when the destination's last
 * unsplice_after connections were all short. Both ends of a hop ask for the same destination, so they
 * normally agree; when they do not (the count moved in between), the spliced end finds no peer and sends
 * through TCP, which is correct, only not faster. */
static __always_inline int splice_pays(const struct dest_key *d)
{
	struct short_run *run;

	if (!unsplice_after)
		return 1;
	run = bpf_map_lookup_elem(&short_runs, d);
	return !run || run->count < unsplice_after || bpf_ktime_get_ns() - run->last_ns > short_expiry_ns;
}

/* At the close of a sidecar's accepted socket: counts a short connection to `d`, or resets the count.
 * Updates race between CPUs; the count is a hint, and any mistake costs speed, never correctness. */
static __always_inline void learn(struct bpf_sock_ops *skops, const struct dest_key *d)
{
	struct sock_state *st = 0;
	struct bpf_sock *sk = skops->sk;
	__u64 msgs = skops->data_segs_out, bytes = skops->bytes_acked + skops->bytes_received;
	struct short_run *run, first = { .count = 1 };

	if (!unsplice_after || !splice_enabled)
		return;
	if (sk)
		st = bpf_sk_storage_get(&sock_state, sk, 0, 0);
	if (st) {
		msgs += st->sent_msgs;
		bytes += st->sent_bytes;
	}
	run = bpf_map_lookup_elem(&short_runs, d);
	if (msgs >= long_msgs || bytes >= long_bytes) {
		stat_inc(STAT_LEARNED_LONG);
		if (run && run->count)
			run->count = 0;
		return;
	}
	stat_inc(STAT_LEARNED_SHORT);
	if (!run) {
		first.last_ns = bpf_ktime_get_ns();
		bpf_map_update_elem(&short_runs, d, &first, BPF_NOEXIST);
		return;
	}
	if (run->count < unsplice_after)
		run->count += 1;
	run->last_ns = bpf_ktime_get_ns();
}

/* splice_add() for a socket of a hop towards `d`, if the policy says it pays. */
static __always_inline void splice_hop(struct bpf_sock_ops *skops, const struct dest_key *d)
{
	if (splice_pays(d))
		splice_add(skops);
	else
		stat_inc(STAT_SPLICE_SKIPPED);
}

/* Ports a sidecar listens on: an accepted socket on them is one end of a mesh hop. */
static __always_inline int sidecar_port(__u32 port)
{
	return port == OUTBOUND_PORT || port == INBOUND_PORT;
}

SEC("sockops")
int mesh_sockops(struct bpf_sock_ops *skops)
{
	struct sock_key key = {}, tkey = {};
	struct dest_key dest = {};
	struct orig_dst *orig;
	__u64 cookie;

	switch (skops->op) {
	case BPF_SOCK_OPS_ACTIVE_ESTABLISHED_CB:
		if (FILL_KEY(&key, skops) < 0)
			return 1;
		cookie = bpf_get_socket_cookie(skops);
		orig = bpf_map_lookup_elem(&orig_by_cookie, &cookie);
		if (orig) {
			/* FILL_KEY's view of the connecting socket is (local = client, remote = server): the
			 * tuple key's orientation already. */
			tuple_key(&tkey, key.local_ip, key.local_port, key.remote_ip, key.remote_port,
				  bpf_get_netns_cookie(skops));
			if (bpf_map_update_elem(&orig_by_tuple, &tkey, orig, BPF_ANY) == 0)
				stat_inc(STAT_ORIG_REKEYED);
			else
				stat_inc(STAT_ORIG_FULL);
			dest_of(&dest, orig->ip, bpf_ntohs(orig->port));
			bpf_map_delete_elem(&orig_by_cookie, &cookie);
			if (splice_enabled)
				splice_hop(skops, &dest);
		} else if (splice_enabled && is_passthrough_src(key.local_ip)) {
			/* The sidecar's inbound hop to its app (bound to 127.0.0.6): its server is the original destination. */
			dest_of(&dest, key.remote_ip, key.remote_port);
			splice_hop(skops, &dest);
		}
		return 1;
	case BPF_SOCK_OPS_PASSIVE_ESTABLISHED_CB:
		if (FILL_KEY(&key, skops) < 0)
			return 1;
		if (sidecar_port(key.local_port)) {
			/* The accepted end of a redirected connection: forget its original destination when it
			 * closes (the sidecar has asked by then), and tell the splicing policy how it went. */
			tuple_key(&tkey, key.remote_ip, key.remote_port, key.local_ip, key.local_port,
				  bpf_get_netns_cookie(skops));
			orig = bpf_map_lookup_elem(&orig_by_tuple, &tkey);
			if (orig) {
				bpf_sock_ops_cb_flags_set(skops, skops->bpf_sock_ops_cb_flags | BPF_SOCK_OPS_STATE_CB_FLAG);
				dest_of(&dest, orig->ip, bpf_ntohs(orig->port));
				if (splice_enabled)
					splice_hop(skops, &dest);
			} else if (splice_enabled) {
				splice_add(skops); /* a connection to the sidecar's port that we did not redirect */
			}
		} else if (splice_enabled && is_passthrough_src(key.remote_ip)) {
			/* The app's end of its sidecar's inbound hop: the app's own address is the original destination. */
			dest_of(&dest, key.local_ip, key.local_port);
			splice_hop(skops, &dest);
		}
		return 1;
	case BPF_SOCK_OPS_STATE_CB:
		if (skops->args[1] != BPF_TCP_CLOSE)
			return 1;
		if (FILL_KEY(&key, skops) < 0)
			return 1;
		tuple_key(&tkey, key.remote_ip, key.remote_port, key.local_ip, key.local_port, bpf_get_netns_cookie(skops));
		orig = bpf_map_lookup_elem(&orig_by_tuple, &tkey);
		if (!orig)
			return 1;
		dest_of(&dest, orig->ip, bpf_ntohs(orig->port));
		learn(skops, &dest);
		if (bpf_map_delete_elem(&orig_by_tuple, &tkey) == 0)
			stat_inc(STAT_ORIG_FREED);
		return 1;
	}
	return 1;
}

SEC("sk_msg")
int mesh_msg(struct sk_msg_md *msg)
{
	return splice_msg(msg);
}

struct sockaddr_in_ {
	__u16 family;
	__u16 port;
	__u32 addr;
	__u8 zero[8];
};

struct sockaddr_in6_ {
	__u16 family;
	__u16 port;
	__u32 flowinfo;
	__u32 addr[4];
	__u32 scope_id;
};

SEC("cgroup/getsockopt")
int mesh_getsockopt(struct bpf_sockopt *ctx)
{
	int want_v4 = ctx->level == SOL_IP_ && ctx->optname == SO_ORIGINAL_DST_;
	int want_v6 = ctx->level == SOL_IPV6_ && ctx->optname == SO_ORIGINAL_DST_;
	struct sock_key key = {};
	struct orig_dst *orig;
	struct bpf_sock *sk;
	__u32 local[4], remote[4];
	void *optval, *end;

	if (!want_v4 && !want_v6)
		return 1;
	sk = ctx->sk;
	if (!sk)
		return 1;
	/* Every field read once, before any branch (see FILL_KEY in sockmsg_splice.h: clang would otherwise
	 * merge the two families' loads into one through a computed pointer, which the verifier refuses). */
	__u32 family = sk->family, l4 = sk->src_ip4, r4 = sk->dst_ip4;
	__u32 l6[4] = { sk->src_ip6[0], sk->src_ip6[1], sk->src_ip6[2], sk->src_ip6[3] };
	__u32 r6[4] = { sk->dst_ip6[0], sk->dst_ip6[1], sk->dst_ip6[2], sk->dst_ip6[3] };
	__u32 lport = sk->src_port;
	__u16 rport = sk->dst_port;
	asm volatile("" ::: "memory");
	if (family == AF_INET) {
		v4_mapped(local, l4);
		v4_mapped(remote, r4);
	} else if (family == AF_INET6) {
		__builtin_memcpy(local, l6, sizeof(l6));
		__builtin_memcpy(remote, r6, sizeof(r6));
	} else {
		return 1;
	}
	/* The asking socket is the accepted one: its remote end is the client. */
	tuple_key(&key, remote, bpf_ntohs(rport), local, lport, bpf_get_netns_cookie(ctx));
	orig = bpf_map_lookup_elem(&orig_by_tuple, &key);
	if (!orig || (want_v4 && !orig->is_v4) || (want_v6 && orig->is_v4)) {
		stat_inc(STAT_SOCKOPT_MISSED);
		return 1; /* whatever the kernel answered (conntrack's answer, or ENOENT/ENOPROTOOPT) stands */
	}
	optval = ctx->optval;
	end = ctx->optval_end;
	if (want_v4) {
		struct sockaddr_in_ *sin = optval;

		if ((void *)(sin + 1) > end)
			return 1; /* the caller's buffer is too small: the kernel's error stands */
		sin->family = AF_INET;
		sin->port = orig->port;
		sin->addr = orig->ip[3];
		__builtin_memset(sin->zero, 0, sizeof(sin->zero));
		ctx->optlen = sizeof(*sin);
	} else {
		struct sockaddr_in6_ *sin6 = optval;

		if ((void *)(sin6 + 1) > end)
			return 1;
		sin6->family = AF_INET6;
		sin6->port = orig->port;
		sin6->flowinfo = 0;
		sin6->addr[0] = orig->ip[0];
		sin6->addr[1] = orig->ip[1];
		sin6->addr[2] = orig->ip[2];
		sin6->addr[3] = orig->ip[3];
		sin6->scope_id = 0;
		ctx->optlen = sizeof(*sin6);
	}
	ctx->retval = 0;
	stat_inc(STAT_SOCKOPT_ANSWERED);
	return 1;
}

char LICENSE[] SEC("license") = "GPL";
