// SPDX-License-Identifier: GPL-2.0
/*
 * sockmsg_splice.h: same-host TCP splicing with sockops + sk_msg + SOCKHASH, shared by sockredir.bpf.c and
 * mesh-accel.bpf.c. The includer's sockops program calls splice_add() for the established sockets it wants
 * spliced, and its sk_msg program (attached to sock_hash) returns splice_msg(msg). What the rules are and
 * why (keys, byte order, removal, order, demotion, the pull before a pass) is explained in sockredir.bpf.c
 * and docs/sockredir.md. The includer includes linux/bpf.h, linux/socket.h and libbpf's bpf_endian.h,
 * bpf_helpers.h and bpf_core_read.h first.
 */
#ifndef SOCKMSG_SPLICE_H
#define SOCKMSG_SPLICE_H

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
	__u64 netns;        /* bpf_get_netns_cookie, or 0: see SPLICE_NETNS_LOOPBACK_ONLY */
};

/* Counters, per CPU; the control plane sums them. C# reads the indices from the skeleton (sockredir's
 * Types="splice_stat": SockredirSkel.SpliceStat; mesh-accel's MeshStats); an includer adds its own after
 * SPLICE_STAT_COUNT. */
enum splice_stat {
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
	STAT_PASSED_TCP_BOUND,   /* messages passed to TCP: the socket already sent through TCP (see Order) */
	STAT_PASSED_TCP_BOUND_BYTES,
	STAT_DEMOTED,            /* sockets made TCP-bound by the small-write rule (see Demotion) */
	STAT_NO_STATE,           /* messages passed because the socket has no sock_state (never expected) */
	SPLICE_STAT_COUNT,
};

/* Slots of the stats map; an includer with counters of its own defines it larger before the include. */
#ifndef SPLICE_STATS_SIZE
#define SPLICE_STATS_SIZE SPLICE_STAT_COUNT
#endif
#ifndef SPLICE_MAX_SOCKETS
#define SPLICE_MAX_SOCKETS 65536
#endif
/* Pinned by name when the includer asks (mesh-accel keeps its maps across agent restarts). */
#ifdef SPLICE_PIN_MAPS
#define SPLICE_PINNING __uint(pinning, LIBBPF_PIN_BY_NAME);
#else
#define SPLICE_PINNING
#endif

#ifndef PASS_PULL_MAX_BYTES
#define PASS_PULL_MAX_BYTES 131072
#endif
/* Messages passed to TCP from a socket in sock_hash that are at most this large are first made one
 * contiguous buffer (bpf_msg_pull_data), so TCP gets them in one piece the way a plain send() hands
 * them over. Without it the kernel pushes each page fragment (up to 32 KiB) separately and, with
 * Nagle on, holds the sub-MSS tail until the peer's delayed ACK: ~40 ms per exchange for 40,000 to
 * 70,000-byte messages. See docs/sockredir.md. 0 turns it off. */
const volatile __u32 pass_pull_max_bytes = PASS_PULL_MAX_BYTES;

/* 0 = redirect every message. Otherwise a message larger than this is passed to TCP, and with it every
 * later message of its socket (see Order): an option for experiments and tests. */
const volatile __u32 redirect_max_bytes = 0;

#ifndef DEMOTE_BELOW_BYTES
#define DEMOTE_BELOW_BYTES 2048
#endif
#ifndef DEMOTE_AFTER_MSGS
#define DEMOTE_AFTER_MSGS 64
#endif
/* See Demotion above. Measured on Linux 6.18 (docs/sockredir.md): 1 KiB writes move more bytes through
 * TCP from a socket in the map than redirected; from 2 KiB up redirecting is ahead. 0 = never demote. */
const volatile __u32 demote_below_bytes = DEMOTE_BELOW_BYTES;
const volatile __u32 demote_after_msgs = DEMOTE_AFTER_MSGS;

/* What the programs remember about one socket, for as long as the socket lives. */
struct sock_state {
	__u32 tcp_bound;  /* 1: this socket has sent through TCP; it never redirects again */
	__u32 small_run;  /* consecutive small redirected messages that found the peer's queue not drained */
	__u32 sent_msgs;  /* messages this socket sent through sk_msg (redirected or passed), for the includer */
	__u32 pad;
	__u64 sent_bytes; /* ... and their bytes (mesh-accel reads both when the socket closes) */
};

struct {
	__uint(type, BPF_MAP_TYPE_SK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct sock_state);
	SPLICE_PINNING
} sock_state SEC(".maps");

/* Kernel structures, read-only, to learn how many redirected bytes the peer has not read yet
 * (sk_psock.msg_tot_len). CO-RE matches them by name (the part before ___) to the running kernel's. */
struct sock___sr {
	void *sk_user_data;
} __attribute__((preserve_access_index));
struct sk_psock___sr {
	__u32 msg_tot_len;
} __attribute__((preserve_access_index));
struct sk_msg___sr {
	struct sock___sr *sk_redir;
} __attribute__((preserve_access_index));

/* Kfuncs of Linux 6.2 and later. Weak: on an older kernel they read as absent, the verifier drops the code
 * that uses them, and demotion is off (the program redirects every message it can, as before 6.2). */
extern void *bpf_cast_to_kern_ctx(void *obj) __ksym __weak;
extern void *bpf_rdonly_cast(const void *obj, __u32 btf_id) __ksym __weak;
#ifndef bpf_ksym_exists /* libbpf 1.1's bpf_helpers.h predates it */
#define bpf_ksym_exists(sym) (!!(sym))
#endif

/* sk_user_data carries flag bits below the pointer (SK_USER_DATA_NOCOPY, _BPF, _PSOCK). */
#define SK_USER_DATA_FLAG_BITS 7ULL

struct {
	__uint(type, BPF_MAP_TYPE_SOCKHASH);
	__uint(max_entries, SPLICE_MAX_SOCKETS);
	__type(key, struct sock_key);
	__type(value, __u64);
	SPLICE_PINNING
} sock_hash SEC(".maps");

#define STATS_SIZE SPLICE_STATS_SIZE
#define STATS_PINNING SPLICE_PINNING
#include "stat_counters.h"

/* ::ffff:a.b.c.d from a network-order IPv4 address. */
static __always_inline void v4_mapped(__u32 out[4], __u32 ip4)
{
	out[0] = 0;
	out[1] = 0;
	out[2] = bpf_htonl(0x0000ffff);
	out[3] = ip4;
}

/* True for 127.0.0.0/8 and ::1, in the key's v4-mapped form: addresses every namespace has. */
static __always_inline int splice_is_loopback(const __u32 ip[4])
{
	if (ip[0] == 0 && ip[1] == 0 && ip[2] == bpf_htonl(0x0000ffff))
		return (bpf_ntohl(ip[3]) >> 24) == 127;
	return ip[0] == 0 && ip[1] == 0 && ip[2] == 0 && ip[3] == bpf_htonl(1);
}

/* The namespace part of a key. Default (sockredir): always the socket's namespace, so a peer is only ever
 * found in it. SPLICE_NETNS_LOOPBACK_ONLY (mesh-accel): only when both addresses are loopback ones, which
 * every namespace has; a tuple with a pod address is unique on the node already, and leaving the cookie out
 * lets the two ends of a connection between two pods' namespaces (sidecar to sidecar over veth) find each
 * other. */
static __always_inline __u64 splice_key_netns(const struct sock_key *key, __u64 cookie)
{
#ifdef SPLICE_NETNS_LOOPBACK_ONLY
	return splice_is_loopback(key->local_ip) && splice_is_loopback(key->remote_ip) ? cookie : 0;
#else
	return cookie;
#endif
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
		(key)->netns = splice_key_netns(key, bpf_get_netns_cookie(ctx));              \
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
		stat_inc(STAT_PASS_PULLED);
	else
		stat_inc(STAT_PASS_PULL_FAILED);
}

/* Passes a message to TCP and marks its socket TCP-bound: see Order. */
static __always_inline int pass_to_tcp(struct sk_msg_md *msg, struct sock_state *st, __u32 size)
{
	st->tcp_bound = 1;
	pull_for_pass(msg, size);
	return SK_PASS;
}

/* Bytes redirected to the peer chosen by the last bpf_msg_redirect_hash that it has not read yet; 0 where
 * the kernel cannot tell (before Linux 6.2). */
static __always_inline __u32 peer_unread_bytes(struct sk_msg_md *msg)
{
	struct sk_msg___sr *kmsg;
	struct sock___sr *peer;
	struct sk_psock___sr *p;
	__u64 psock;

	if (!bpf_ksym_exists(bpf_cast_to_kern_ctx) || !bpf_ksym_exists(bpf_rdonly_cast))
		return 0;
	kmsg = bpf_cast_to_kern_ctx(msg);
	peer = bpf_rdonly_cast(kmsg->sk_redir, bpf_core_type_id_kernel(struct sock___sr));
	psock = (__u64)peer->sk_user_data & ~SK_USER_DATA_FLAG_BITS;
	if (!psock)
		return 0;
	p = bpf_rdonly_cast((void *)psock, bpf_core_type_id_kernel(struct sk_psock___sr));
	return p->msg_tot_len;
}

/* After a message of `size` bytes was redirected: applies the Demotion rule to its socket. */
static __always_inline void demote_if_outrunning(struct sk_msg_md *msg, struct sock_state *st, __u32 size)
{
	if (!demote_after_msgs || size >= demote_below_bytes || !peer_unread_bytes(msg)) {
		st->small_run = 0;
		return;
	}
	if (++st->small_run >= demote_after_msgs) {
		st->tcp_bound = 1; /* this message is redirected already; the next ones go to TCP */
		stat_inc(STAT_DEMOTED);
	}
}

/* Puts an established socket into sock_hash under its key, with a fresh sock_state. Returns 0 when added. */
static __always_inline int splice_add(struct bpf_sock_ops *skops)
{
	struct sock_key key = {};
	struct sock_state *st;
	struct bpf_sock *sk;

	if (FILL_KEY(&key, skops) < 0)
		return -1;
	/* The state exists before the socket can send through the map, so splice_msg never meets a
	 * socket of the map without it. A socket that sent data in its SYN (TCP Fast Open) starts TCP-bound. */
	sk = skops->sk;
	if (!sk)
		return -1;
	st = bpf_sk_storage_get(&sock_state, sk, 0, BPF_SK_STORAGE_GET_F_CREATE);
	if (!st) {
		stat_inc(STAT_SOCKETS_FAILED);
		return -1;
	}
	st->tcp_bound = skops->data_segs_out > 0;
	st->small_run = 0;
	st->sent_msgs = 0;
	st->sent_bytes = 0;
	if (bpf_sock_hash_update(skops, &sock_hash, &key, BPF_ANY) == 0) {
		stat_inc(STAT_SOCKETS_ADDED);
		return 0;
	}
	stat_inc(STAT_SOCKETS_FAILED);
	return -1;
}

/* The verdict for one message of a socket in sock_hash: redirect it to the peer's receive queue when the
 * peer is in the map and the rules above allow, else pass it to TCP. Always SK_PASS (never drops). */
static __always_inline int splice_msg(struct sk_msg_md *msg)
{
	struct sock_key peer = {};
	struct sock_key self = {};
	__u32 size = msg->size;
	struct sock_state *st;
	struct bpf_sock *sk = msg->sk;

	st = sk ? bpf_sk_storage_get(&sock_state, sk, 0, 0) : 0;
	if (!st) {
		/* Every socket in the map got its state in splice_add; without one there is no way to
		 * remember a pass, so this socket only ever passes. */
		stat_inc(STAT_NO_STATE);
		pull_for_pass(msg, size);
		return SK_PASS;
	}
	st->sent_msgs++;
	st->sent_bytes += size;
	if (st->tcp_bound) {
		stat_inc(STAT_PASSED_TCP_BOUND);
		stat_add(STAT_PASSED_TCP_BOUND_BYTES, size);
		pull_for_pass(msg, size);
		return SK_PASS;
	}
	if (FILL_KEY(&self, msg) < 0) {
		stat_inc(STAT_PASSED_FAMILY);
		return pass_to_tcp(msg, st, size);
	}
	if (redirect_max_bytes && size > redirect_max_bytes) {
		stat_inc(STAT_PASSED_LARGE);
		return pass_to_tcp(msg, st, size);
	}
	/* The peer's key is this socket's key seen from the other end. */
	__builtin_memcpy(peer.local_ip, self.remote_ip, sizeof(peer.local_ip));
	__builtin_memcpy(peer.remote_ip, self.local_ip, sizeof(peer.remote_ip));
	peer.local_port = self.remote_port;
	peer.remote_port = self.local_port;
	peer.netns = self.netns;

	/* SK_DROP from the helper means "no such peer" (remote, outside the cgroup, or not in the map yet):
	 * the message must then go out through TCP as usual, never be dropped. */
	if (bpf_msg_redirect_hash(msg, &sock_hash, &peer, BPF_F_INGRESS) != SK_PASS) {
		stat_inc(STAT_PASSED_NO_PEER);
		stat_add(STAT_PASSED_NO_PEER_BYTES, size);
		return pass_to_tcp(msg, st, size);
	}
	stat_inc(STAT_REDIRECTED_MSGS);
	stat_add(STAT_REDIRECTED_BYTES, size);
	demote_if_outrunning(msg, st, size);
	return SK_PASS;
}

#endif /* SOCKMSG_SPLICE_H */
