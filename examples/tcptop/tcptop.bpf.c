// SPDX-License-Identifier: GPL-2.0
/*
 * tcptop: TCP bytes, connections, retransmits and RTT per process and per cgroup, without kprobes.
 *
 * Bytes come from the tracepoints at the socket layer's exit, sock_send_length and sock_recv_length
 * (Linux 6.3+), attached as tp_btf: they fire in the process that moved the bytes, with the number
 * actually moved, so the current task's tgid, comm and cgroup are the right ones. Only TCP over IPv4
 * and IPv6, only a positive return, and no MSG_PEEK (those bytes are read again later).
 *
 * Per process: `procs`, keyed by (tgid, start time of the thread-group leader), so a reused PID starts
 * a new entry. Comm and cgroup id are kept beside the counters: the cgroup refreshed on every event (a
 * process can move), the comm at exec (sched_process_exec); user space adds each entry's deltas to the
 * label set the entry has at that moment, so no total ever goes backwards.
 *
 * Everything that fires outside process context (connection state changes on the receive path,
 * retransmits from timers) is attributed through `sock_owner`, socket-local storage that lives and
 * dies with the socket. It is filled when the socket is first seen in process context: connect()
 * (CLOSE -> SYN_SENT runs in the connecting process), or the first send or receive. An accepted
 * socket is established (in softirq) before any process touches it: its cgroup is read from
 * sk_cgrp_data, which it inherits from the listener, and its process comes with its first send or
 * receive (accept itself has no tracepoint that gives the socket).
 *
 * Per cgroup: `cgroups`, keyed by cgroup id: connections opened (active/passive) and closed,
 * retransmitted segments, and a log2 histogram of each connection's smoothed RTT at close. Bytes per
 * cgroup are the sum of its processes' bytes, which user space keeps (processes come and go).
 *
 * Per connection (only when track_connections is set, for `top --by connection`): `conns`, keyed by
 * process and 4-tuple; closed entries are marked and user space deletes them once read.
 *
 * Exit: sched_process_exit with group_dead marks the process's entry; user space folds it and
 * deletes it after its grace period. Full maps are counted in `stats` (the kernel reports no
 * eviction, so the maps are plain hashes sized by options, and a failed insert is counted).
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_tracing.h>

#define AF_INET 2
#define AF_INET6 10
#define MSG_PEEK 2
#define BPF_NOEXIST 1
#define BPF_LOCAL_STORAGE_GET_F_CREATE 1
#define RTT_SLOTS 32

/* Set by user space before load. */
const volatile __u8 track_connections = 0;

struct proc_key {
	__u32 tgid;
	__u32 pad;
	__u64 start_ns; /* the thread-group leader's start_time (CLOCK_MONOTONIC ns) */
};

struct proc_stats {
	__u64 sent_bytes;
	__u64 received_bytes;
	__u64 opened_active;
	__u64 opened_passive;
	__u64 closed;
	__u64 retransmitted_segments;
	__u64 cgroup_id;
	__u64 exit_ns; /* 0 while the process lives; bpf_ktime_get_ns() when its last thread exited */
	char comm[16];
};

struct cgroup_stats {
	__u64 opened_active;
	__u64 opened_passive;
	__u64 closed;
	__u64 retransmitted_segments;
	__u64 rtt_slots[RTT_SLOTS]; /* slot i: smoothed RTT in [2^i, 2^(i+1)) microseconds */
};

struct conn_key {
	__u32 tgid;
	__u16 family;
	__u16 local_port;  /* host order */
	__u16 remote_port; /* host order */
	__u16 pad;
	__u32 pad2;
	__u64 start_ns;
	__u8 local_addr[16]; /* IPv4: the first 4 bytes */
	__u8 remote_addr[16];
};

struct conn_stats {
	__u64 sent_bytes;
	__u64 received_bytes;
	__u64 retransmitted_segments;
	__u64 cgroup_id;
	__u32 closed;
	__u32 pad;
	char comm[16];
};

/* What the programs remember about a socket, for as long as it lives. */
struct sock_owner {
	__u32 tgid;         /* 0: no process seen yet */
	__u32 flags;
	__u64 start_ns;
	__u64 cgroup_id;
};
#define OWNER_OPENED_ACTIVE 1   /* counted as opened: its close is counted too */
#define OWNER_OPENED_PASSIVE 2
#define OWNER_PASSIVE_UNCLAIMED 4 /* passive open not yet counted for a process */

enum tcptop_stat {
	STAT_PROCS_FULL,   /* a process's entry could not be created: procs is full */
	STAT_CGROUPS_FULL,
	STAT_CONNS_FULL,
	STAT_OWNER_FAILED, /* no socket storage could be had (memory) */
	STAT_COUNT,
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16384);
	__type(key, struct proc_key);
	__type(value, struct proc_stats);
} procs SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4096);
	__type(key, __u64);
	__type(value, struct cgroup_stats);
} cgroups SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16384);
	__type(key, struct conn_key);
	__type(value, struct conn_stats);
} conns SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_SK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct sock_owner);
} sock_owner SEC(".maps");

#define STATS_SIZE STAT_COUNT
#include "../Shared/bpf/stat_counters.h"

/* tp_btf arguments and bpf_get_current_task_btf() are BTF pointers: their fields are read with plain loads
 * (relocated by CO-RE through vmlinux.h's preserve_access_index), not bpf_probe_read calls. This is the hot
 * path of every send and receive on the machine. */
static __always_inline bool is_tcp_inet(const struct sock *sk)
{
	__u16 family = sk->__sk_common.skc_family;

	return sk->sk_protocol == IPPROTO_TCP && (family == AF_INET || family == AF_INET6);
}

/* The current process's key: tgid and its leader's start time. */
static __always_inline void current_proc(struct proc_key *key, struct task_struct **leader)
{
	struct task_struct *task = bpf_get_current_task_btf();

	*leader = task->group_leader;
	key->tgid = task->tgid;
	key->pad = 0;
	key->start_ns = task->group_leader->start_time;
}

/* The process's entry, created on first sight with its comm; the cgroup refreshed (a process can move). The comm
 * changes only at exec, where tcptop_exec renews it. NULL when procs is full. */
static __always_inline struct proc_stats *current_stats(const struct proc_key *key, struct task_struct *leader,
							__u64 cgroup_id)
{
	struct proc_stats *st = bpf_map_lookup_elem(&procs, key);

	if (!st) {
		struct proc_stats fresh = {};

		fresh.cgroup_id = cgroup_id;
		bpf_probe_read_kernel_str(fresh.comm, sizeof(fresh.comm), leader->comm);
		if (bpf_map_update_elem(&procs, key, &fresh, BPF_NOEXIST) && bpf_map_lookup_elem(&procs, key) == NULL) {
			stat_inc(STAT_PROCS_FULL);
			return NULL;
		}
		st = bpf_map_lookup_elem(&procs, key);
		if (!st)
			return NULL;
	}
	if (st->cgroup_id != cgroup_id)
		st->cgroup_id = cgroup_id;
	return st;
}

static __always_inline struct cgroup_stats *cgroup_entry(__u64 id)
{
	struct cgroup_stats *st = bpf_map_lookup_elem(&cgroups, &id);

	if (!st) {
		static const struct cgroup_stats zero = {};

		if (bpf_map_update_elem(&cgroups, &id, &zero, BPF_NOEXIST) && bpf_map_lookup_elem(&cgroups, &id) == NULL) {
			stat_inc(STAT_CGROUPS_FULL);
			return NULL;
		}
		st = bpf_map_lookup_elem(&cgroups, &id);
	}
	return st;
}

/* The cgroup v2 id a socket was created in (accepted sockets inherit the listener's). */
static __always_inline __u64 sock_cgroup_id(const struct sock *sk)
{
	return BPF_CORE_READ(sk, sk_cgrp_data.cgroup, kn, id);
}

static __always_inline void fill_conn_key(struct conn_key *key, const struct sock *sk, const struct proc_key *proc)
{
	__u16 family = BPF_CORE_READ(sk, __sk_common.skc_family);

	__builtin_memset(key, 0, sizeof(*key));
	key->tgid = proc->tgid;
	key->start_ns = proc->start_ns;
	key->family = family;
	key->local_port = BPF_CORE_READ(sk, __sk_common.skc_num);
	key->remote_port = bpf_ntohs(BPF_CORE_READ(sk, __sk_common.skc_dport));
	if (family == AF_INET) {
		BPF_CORE_READ_INTO(key->local_addr, sk, __sk_common.skc_rcv_saddr);
		BPF_CORE_READ_INTO(key->remote_addr, sk, __sk_common.skc_daddr);
	} else {
		BPF_CORE_READ_INTO(key->local_addr, sk, __sk_common.skc_v6_rcv_saddr);
		BPF_CORE_READ_INTO(key->remote_addr, sk, __sk_common.skc_v6_daddr);
	}
}

/* Bytes of one send or receive by the current process. */
static __always_inline void count_bytes(struct sock *sk, int ret, bool sent)
{
	struct task_struct *leader;
	struct proc_key key;
	struct proc_stats *st;
	struct sock_owner *owner;
	__u64 cgroup_id = bpf_get_current_cgroup_id();

	current_proc(&key, &leader);
	st = current_stats(&key, leader, cgroup_id);
	if (st) {
		if (sent)
			__sync_fetch_and_add(&st->sent_bytes, ret);
		else
			__sync_fetch_and_add(&st->received_bytes, ret);
	}

	/* First sight of the socket in process context: it now has an owner for the events that come
	 * outside process context. An accepted socket's passive open is counted for this process now. */
	owner = bpf_sk_storage_get(&sock_owner, sk, 0, BPF_LOCAL_STORAGE_GET_F_CREATE);
	if (!owner) {
		stat_inc(STAT_OWNER_FAILED);
	} else if (owner->tgid == 0) {
		owner->tgid = key.tgid;
		owner->start_ns = key.start_ns;
		if (owner->cgroup_id == 0)
			owner->cgroup_id = cgroup_id;
		if ((owner->flags & OWNER_PASSIVE_UNCLAIMED) && st) {
			owner->flags &= ~OWNER_PASSIVE_UNCLAIMED;
			__sync_fetch_and_add(&st->opened_passive, 1);
		}
	}

	if (track_connections) {
		struct conn_key ck;
		struct conn_stats *cs;

		fill_conn_key(&ck, sk, &key);
		cs = bpf_map_lookup_elem(&conns, &ck);
		if (!cs) {
			struct conn_stats fresh = {};

			fresh.cgroup_id = cgroup_id;
			if (st)
				__builtin_memcpy(fresh.comm, st->comm, sizeof(fresh.comm));
			if (bpf_map_update_elem(&conns, &ck, &fresh, BPF_NOEXIST) && bpf_map_lookup_elem(&conns, &ck) == NULL) {
				stat_inc(STAT_CONNS_FULL);
				return;
			}
			cs = bpf_map_lookup_elem(&conns, &ck);
			if (!cs)
				return;
		}
		if (sent)
			__sync_fetch_and_add(&cs->sent_bytes, ret);
		else
			__sync_fetch_and_add(&cs->received_bytes, ret);
	}
}

SEC("tp_btf/sock_send_length")
int BPF_PROG(tcptop_send, struct sock *sk, int ret, int flags)
{
	if (ret > 0 && is_tcp_inet(sk))
		count_bytes(sk, ret, true);
	return 0;
}

SEC("tp_btf/sock_recv_length")
int BPF_PROG(tcptop_recv, struct sock *sk, int ret, int flags)
{
	if (ret > 0 && !(flags & MSG_PEEK) && is_tcp_inet(sk))
		count_bytes(sk, ret, false);
	return 0;
}

/* The owner's per-process entry, if the process still has one. */
static __always_inline struct proc_stats *owner_stats(const struct sock_owner *owner)
{
	struct proc_key key = { .tgid = owner->tgid, .start_ns = owner->start_ns };

	return owner->tgid ? bpf_map_lookup_elem(&procs, &key) : NULL;
}

static __always_inline __u32 log2_slot(__u64 v)
{
	__u32 slot = 0;

#pragma unroll
	for (int i = 0; i < RTT_SLOTS - 1; i++) {
		if (v >= 2) {
			v >>= 1;
			slot++;
		}
	}
	return slot;
}

SEC("tp_btf/inet_sock_set_state")
int BPF_PROG(tcptop_state, const struct sock *csk, const int oldstate, const int newstate)
{
	struct sock *sk = (struct sock *)csk;
	struct sock_owner *owner;
	struct cgroup_stats *cg;
	struct proc_stats *st;

	if (sk->sk_protocol != IPPROTO_TCP)
		return 0;

	if (oldstate == TCP_CLOSE && newstate == TCP_SYN_SENT) {
		/* connect(): process context, the connecting process */
		struct task_struct *leader;
		struct proc_key key;

		owner = bpf_sk_storage_get(&sock_owner, sk, 0, BPF_LOCAL_STORAGE_GET_F_CREATE);
		if (!owner) {
			stat_inc(STAT_OWNER_FAILED);
			return 0;
		}
		if (owner->tgid == 0) {
			current_proc(&key, &leader);
			owner->tgid = key.tgid;
			owner->start_ns = key.start_ns;
			owner->cgroup_id = bpf_get_current_cgroup_id();
			/* the process's entry exists from here on, so the establishment (in softirq) finds it */
			current_stats(&key, leader, owner->cgroup_id);
		}
		return 0;
	}

	if (newstate == TCP_ESTABLISHED && (oldstate == TCP_SYN_SENT || oldstate == TCP_SYN_RECV)) {
		bool active = oldstate == TCP_SYN_SENT;

		owner = bpf_sk_storage_get(&sock_owner, sk, 0, BPF_LOCAL_STORAGE_GET_F_CREATE);
		if (!owner) {
			stat_inc(STAT_OWNER_FAILED);
			return 0;
		}
		if (owner->cgroup_id == 0)
			owner->cgroup_id = sock_cgroup_id(sk);
		owner->flags |= active ? OWNER_OPENED_ACTIVE : OWNER_OPENED_PASSIVE;
		cg = cgroup_entry(owner->cgroup_id);
		if (cg)
			__sync_fetch_and_add(active ? &cg->opened_active : &cg->opened_passive, 1);
		st = owner_stats(owner);
		if (st)
			__sync_fetch_and_add(active ? &st->opened_active : &st->opened_passive, 1);
		else if (!active)
			owner->flags |= OWNER_PASSIVE_UNCLAIMED;
		return 0;
	}

	if (newstate == TCP_CLOSE) {
		owner = bpf_sk_storage_get(&sock_owner, sk, 0, 0);
		if (!owner || !(owner->flags & (OWNER_OPENED_ACTIVE | OWNER_OPENED_PASSIVE)))
			return 0; /* never seen established: neither opened nor closed */
		owner->flags &= ~(OWNER_OPENED_ACTIVE | OWNER_OPENED_PASSIVE);
		cg = cgroup_entry(owner->cgroup_id);
		if (cg) {
			struct tcp_sock *tp = bpf_skc_to_tcp_sock(sk);
			__u32 srtt_us = tp ? tp->srtt_us >> 3 : 0;

			__sync_fetch_and_add(&cg->closed, 1);
			if (srtt_us) {
				__u32 slot = log2_slot(srtt_us);

				if (slot < RTT_SLOTS)
					__sync_fetch_and_add(&cg->rtt_slots[slot], 1);
			}
		}
		st = owner_stats(owner);
		if (st)
			__sync_fetch_and_add(&st->closed, 1);
		if (track_connections && owner->tgid) {
			struct proc_key pk = { .tgid = owner->tgid, .start_ns = owner->start_ns };
			struct conn_key ck;
			struct conn_stats *cs;

			fill_conn_key(&ck, sk, &pk);
			cs = bpf_map_lookup_elem(&conns, &ck);
			if (cs)
				cs->closed = 1;
		}
	}
	return 0;
}

SEC("tp_btf/tcp_retransmit_skb")
int BPF_PROG(tcptop_retransmit, const struct sock *csk, const struct sk_buff *skb, int err)
{
	struct sock *sk = (struct sock *)csk;
	struct tcp_skb_cb *tcb;
	struct sock_owner *owner;
	struct cgroup_stats *cg;
	struct proc_stats *st;
	__u64 cgroup_id;
	__u16 segs;

	if (err != 0)
		return 0; /* the try failed: nothing went out (the kernel counts none either) */
	/* tcp_skb_pcount(skb): the segments this skb carries (TSO), as the kernel adds to RetransSegs */
	tcb = (struct tcp_skb_cb *)&skb->cb[0];
	segs = BPF_CORE_READ(tcb, tcp_gso_segs);
	if (segs == 0)
		segs = 1;

	owner = bpf_sk_storage_get(&sock_owner, sk, 0, 0);
	cgroup_id = owner && owner->cgroup_id ? owner->cgroup_id : sock_cgroup_id(sk);
	cg = cgroup_entry(cgroup_id);
	if (cg)
		__sync_fetch_and_add(&cg->retransmitted_segments, segs);
	if (owner) {
		st = owner_stats(owner);
		if (st)
			__sync_fetch_and_add(&st->retransmitted_segments, segs);
		if (track_connections && owner->tgid) {
			struct proc_key pk = { .tgid = owner->tgid, .start_ns = owner->start_ns };
			struct conn_key ck;
			struct conn_stats *cs;

			fill_conn_key(&ck, sk, &pk);
			cs = bpf_map_lookup_elem(&conns, &ck);
			if (cs)
				__sync_fetch_and_add(&cs->retransmitted_segments, segs);
		}
	}
	return 0;
}

/* exec gives the process a new comm: the entry (if the process has one) takes it, so its later bytes go to the
 * new name. The tracepoint fires in the process itself, after the new comm is set. */
SEC("tp_btf/sched_process_exec")
int BPF_PROG(tcptop_exec, struct task_struct *task, pid_t old_pid, struct linux_binprm *bprm)
{
	struct proc_key key = {};
	struct proc_stats *st;

	key.tgid = task->tgid;
	key.start_ns = task->group_leader->start_time;
	st = bpf_map_lookup_elem(&procs, &key);
	if (st)
		bpf_probe_read_kernel_str(st->comm, sizeof(st->comm), task->group_leader->comm);
	return 0;
}

SEC("tp_btf/sched_process_exit")
int BPF_PROG(tcptop_exit, struct task_struct *task, bool group_dead)
{
	struct proc_key key = {};
	struct proc_stats *st;

	if (!group_dead)
		return 0; /* fires for every thread; the process is gone only with its last one */
	key.tgid = task->tgid;
	key.start_ns = task->group_leader->start_time;
	st = bpf_map_lookup_elem(&procs, &key);
	if (st)
		st->exit_ns = bpf_ktime_get_ns();
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
