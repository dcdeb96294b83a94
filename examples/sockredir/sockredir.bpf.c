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
 *
 * Order: a reader of a socket in the map gets the bytes redirected to it before any that arrived
 * through TCP (tcp_bpf_recvmsg reads its redirected queue first). So once a socket has sent anything
 * through TCP, a later redirected message could overtake those bytes if the peer has not read them
 * yet. Each socket therefore carries a "TCP-bound" mark (sock_state, socket-local storage): set the
 * first time one of its messages is passed to TCP, for whatever reason, and from then on every
 * message it sends goes to TCP. Redirect-then-TCP is in order; TCP-then-redirect never happens.
 *
 * Demotion: redirecting costs the kernel a small allocation and a turn on the receiving socket's
 * lock per message (docs/sockredir.md, "Small writes"), so a stream of small writes that outruns its
 * reader moves fewer bytes redirected than through TCP. A socket whose last demote_after_msgs
 * messages were all smaller than demote_below_bytes and each found the peer's redirected queue not
 * yet drained is made TCP-bound. Request/response traffic never qualifies: the peer reads a request
 * before it answers, so the next request finds its queue empty.
 */
#include <linux/bpf.h>
#include <linux/socket.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>

/* The keys, maps, counters and both programs' logic: shared with mesh-accel.bpf.c. */
#include "../Shared/bpf/sockmsg_splice.h"

SEC("sockops")
int sockredir_sockops(struct bpf_sock_ops *skops)
{
	switch (skops->op) {
	case BPF_SOCK_OPS_ACTIVE_ESTABLISHED_CB:
	case BPF_SOCK_OPS_PASSIVE_ESTABLISHED_CB:
		splice_add(skops);
		break;
	}
	return 1;
}

SEC("sk_msg")
int sockredir_msg(struct sk_msg_md *msg)
{
	return splice_msg(msg);
}

char LICENSE[] SEC("license") = "GPL";
