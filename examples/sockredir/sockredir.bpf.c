// SPDX-License-Identifier: GPL-2.0
/*
 * sockredir: same-host TCP without the TCP/IP stack.
 *
 * `sockredir_sockops` runs on a cgroup's sockets. When a TCP connection is established (on the
 * connecting side and on the accepting side) it puts the socket into `sock_hash` under its own
 * 4-tuple. `sockredir_msg` runs for every sendmsg on a socket in `sock_hash`: it looks the peer up
 * under the reversed 4-tuple and, when both ends of the connection live on this host (and in the
 * map), moves the message straight onto the peer's receive queue (BPF_F_INGRESS), so it never
 * reaches loopback. Anything else is passed to TCP untouched.
 *
 * Keys: the socket's network namespace (its cookie) and 4-tuple. Addresses mean something only inside
 * one namespace: without the cookie, a connection from a cgroup member to a server in another namespace
 * (over a veth) would be redirected past that namespace's stack, and two namespaces using the same
 * 4-tuple (127.0.0.1 in two containers) would overwrite each other's entries and receive each other's
 * bytes. IPv4 and IPv6 sockets are keyed the same way. An IPv4 address is stored as its v4-mapped
 * IPv6 form (::ffff:a.b.c.d), so an AF_INET client connected to an AF_INET6 server listening on ::
 * (whose accepted socket carries v4-mapped addresses) finds its peer and vice versa. Ports are
 * stored in host order (sockops and sk_msg give the local port in host order, the remote port in
 * network order in the upper half of a u32 on little-endian).
 *
 * Removal: the kernel deletes a socket from a SOCKHASH when the socket closes (sock_map_close,
 * sock_map_unhash), so the map needs no close hook; tests churn short connections to check it.
 */
#include <linux/bpf.h>
#include <linux/socket.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

#ifndef AF_INET
#define AF_INET 2
#endif
#ifndef AF_INET6
#define AF_INET6 10
#endif

/* One end of a connection as both programs see it: (local, remote) of the socket that owns it. */
struct sock_key {
	__u32 local_ip[4];  /* IPv6 or v4-mapped IPv4, network order */
	__u32 remote_ip[4];
	__u32 local_port;   /* host order */
	__u32 remote_port;  /* host order */
	__u64 netns;        /* bpf_get_netns_cookie: a peer is only ever looked up in the socket's own namespace */
};

/* Counters, per CPU; the control plane sums them. The order is the C# side's too. */
enum sockredir_stat {
	STAT_REDIRECTED_MSGS,    /* messages moved to the peer's receive queue */
	STAT_REDIRECTED_BYTES,
	STAT_PASSED_NO_PEER,     /* messages passed to TCP: the peer is remote or not in the map */
	STAT_PASSED_NO_PEER_BYTES,
	STAT_PASSED_FAMILY,      /* messages passed to TCP: neither IPv4 nor IPv6 (never expected) */
	STAT_PASSED_LARGE,       /* messages passed to TCP: larger than redirect_max_bytes */
	STAT_SOCKETS_ADDED,      /* established sockets inserted into sock_hash */
	STAT_SOCKETS_FAILED,     /* established sockets the map refused (full, or unsupported state) */
	STAT_PASS_PULLED,        /* passed messages made contiguous first (see pass_pull_max_bytes) */
	STAT_PASS_PULL_FAILED,   /* ... and those whose pull failed (no memory): passed as they were */
	STAT_COUNT,
};

#ifndef PASS_PULL_MAX_BYTES
#define PASS_PULL_MAX_BYTES 131072
#endif
/* Messages passed to TCP from a socket in sock_hash that are at most this large are first made one
 * contiguous buffer (bpf_msg_pull_data), so TCP gets them in one piece the way a plain send() hands
 * them over. Without it the kernel pushes each page fragment (up to 32 KiB) separately and, with
 * Nagle on, holds the sub-MSS tail until the peer's delayed ACK: ~40 ms per exchange for 40,000 to
 * 70,000-byte messages. See docs/sockredir.md. 0 turns it off. */
const volatile __u32 pass_pull_max_bytes = PASS_PULL_MAX_BYTES;

/* 0 = redirect every message. Otherwise messages larger than this are passed to TCP (an option for
 * experiments; the stall investigation in docs/sockredir.md used it). */
const volatile __u32 redirect_max_bytes = 0;

struct {
	__uint(type, BPF_MAP_TYPE_SOCKHASH);
	__uint(max_entries, 65536);
	__type(key, struct sock_key);
	__type(value, __u64);
} sock_hash SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, STAT_COUNT);
	__type(key, __u32);
	__type(value, __u64);
} stats SEC(".maps");

static __always_inline void count(__u32 stat, __u64 n)
{
	__u64 *v = bpf_map_lookup_elem(&stats, &stat);

	if (v)
		*v += n; /* per-CPU slot, and programs do not nest on one CPU: no atomics needed */
}

/* ::ffff:a.b.c.d from a network-order IPv4 address. */
static __always_inline void v4_mapped(__u32 out[4], __u32 ip4)
{
	out[0] = 0;
	out[1] = 0;
	out[2] = bpf_htonl(0x0000ffff);
	out[3] = ip4;
}

/* Fills `key` from one socket's view; returns 0, or -1 for a family we do not redirect. The context
 * fields have the same names and meanings in bpf_sock_ops and sk_msg_md. Every field is read once,
 * unconditionally, before any branch: otherwise clang merges the two families' loads into one load
 * through a computed context pointer, which the verifier rejects ("dereference of modified ctx ptr"). */
#define FILL_KEY(key, ctx)                                                                    \
	({                                                                                    \
		__u32 __family = (ctx)->family;                                               \
		__u32 __l4 = (ctx)->local_ip4, __r4 = (ctx)->remote_ip4;                      \
		__u32 __l6[4] = { (ctx)->local_ip6[0], (ctx)->local_ip6[1],                   \
				  (ctx)->local_ip6[2], (ctx)->local_ip6[3] };                 \
		__u32 __r6[4] = { (ctx)->remote_ip6[0], (ctx)->remote_ip6[1],                 \
				  (ctx)->remote_ip6[2], (ctx)->remote_ip6[3] };               \
		__u32 __lport = (ctx)->local_port, __rport = (ctx)->remote_port;              \
		int __ret = 0;                                                                \
		asm volatile("" ::: "memory");                                                \
		if (__family == AF_INET) {                                                    \
			v4_mapped((key)->local_ip, __l4);                                     \
			v4_mapped((key)->remote_ip, __r4);                                    \
		} else if (__family == AF_INET6) {                                            \
			__builtin_memcpy((key)->local_ip, __l6, sizeof(__l6));                \
			__builtin_memcpy((key)->remote_ip, __r6, sizeof(__r6));               \
		} else {                                                                      \
			__ret = -1;                                                           \
		}                                                                             \
		(key)->local_port = __lport;                                                  \
		(key)->remote_port = bpf_ntohl(__rport);                                      \
		(key)->netns = bpf_get_netns_cookie(ctx);                                     \
		__ret;                                                                        \
	})

/* Makes a message that will be passed to TCP one contiguous buffer (see pass_pull_max_bytes). A
 * message in one fragment already is left alone by the helper; a failed pull leaves the message as it
 * was, which is still correct, only possibly slow. */
static __always_inline void pull_for_pass(struct sk_msg_md *msg, __u32 size)
{
	if (!pass_pull_max_bytes || size <= 1 || size > pass_pull_max_bytes)
		return;
	if (bpf_msg_pull_data(msg, 0, size, 0) == 0)
		count(STAT_PASS_PULLED, 1);
	else
		count(STAT_PASS_PULL_FAILED, 1);
}

SEC("sockops")
int sockredir_sockops(struct bpf_sock_ops *skops)
{
	struct sock_key key = {};

	switch (skops->op) {
	case BPF_SOCK_OPS_ACTIVE_ESTABLISHED_CB:
	case BPF_SOCK_OPS_PASSIVE_ESTABLISHED_CB:
		break;
	default:
		return 1;
	}
	if (FILL_KEY(&key, skops) < 0)
		return 1;
	if (bpf_sock_hash_update(skops, &sock_hash, &key, BPF_ANY) == 0)
		count(STAT_SOCKETS_ADDED, 1);
	else
		count(STAT_SOCKETS_FAILED, 1);
	return 1;
}

SEC("sk_msg")
int sockredir_msg(struct sk_msg_md *msg)
{
	struct sock_key peer = {};
	struct sock_key self = {};
	__u32 size = msg->size;

	if (FILL_KEY(&self, msg) < 0) {
		count(STAT_PASSED_FAMILY, 1);
		pull_for_pass(msg, size);
		return SK_PASS;
	}
	if (redirect_max_bytes && size > redirect_max_bytes) {
		count(STAT_PASSED_LARGE, 1);
		pull_for_pass(msg, size);
		return SK_PASS;
	}
	/* The peer's key is this socket's key seen from the other end. */
	__builtin_memcpy(peer.local_ip, self.remote_ip, sizeof(peer.local_ip));
	__builtin_memcpy(peer.remote_ip, self.local_ip, sizeof(peer.remote_ip));
	peer.local_port = self.remote_port;
	peer.remote_port = self.local_port;
	peer.netns = self.netns;

	/* SK_DROP from the helper means "no such peer" (remote, or connected before attach): the
	 * message must then go out through TCP as usual, never be dropped. */
	if (bpf_msg_redirect_hash(msg, &sock_hash, &peer, BPF_F_INGRESS) != SK_PASS) {
		count(STAT_PASSED_NO_PEER, 1);
		count(STAT_PASSED_NO_PEER_BYTES, size);
		pull_for_pass(msg, size);
		return SK_PASS;
	}
	count(STAT_REDIRECTED_MSGS, 1);
	count(STAT_REDIRECTED_BYTES, size);
	return SK_PASS;
}

char LICENSE[] SEC("license") = "GPL";
