// SPDX-License-Identifier: GPL-2.0
/*
 * tcptop: TCP bytes, connections, retransmits and RTT per process and per cgroup, without kprobes.
 *
 * Bytes come from the tracepoints at the socket layer's exit, sock_send_length and sock_recv_length
 * (Linux 6.3+), attached as tp_btf: they fire in the process that moved the bytes, with the number
 * actually moved, so the current task's tgid, comm and cgroup are the right ones. Only TCP over IPv4
 * and IPv6, only a positive return, and no MSG_PEEK (those bytes are read again later).
 *
 * Per process, in two places. `procs`, keyed by (tgid, start time of the thread-group leader), so a
 * reused PID starts a new entry, holds comm (renewed at exec), cgroup id (renewed when the process is
 * moved: cgroup_attach_task) and the counters that fire outside process context. The byte counters,
 * which every send and receive updates, live in `slots`, an array indexed by tgid (modulo its size,
 * SLOTS): an array lookup is inlined by the verifier and needs no hashing, and the slot's
 * tgid alone says whose it is, because the exit program frees a process's slot before its PID can be
 * reused. A process whose slot is taken by another one (tgids equal modulo the size) counts its bytes
 * in its procs entry instead (slower, still exact). The first event of a process (the slow path)
 * creates its entry and claims its slot. At exit the slot is freed, its bytes are added to the entry
 * (in place, so no softirq increment of the entry is lost), and only then is the entry marked exited.
 * So user space reads a live process's bytes as entry + slot (the slot only while its tgid and start
 * time are the process's) and an exited one's from the entry alone; a read that races the exit sees
 * at worst a lower figure for one round, which user space ignores. User space adds each entry's
 * deltas to the label set the entry has at that moment, so no total ever goes backwards.
 *
 * Everything that fires outside process context (connection state changes on the receive path,
 * retransmits from timers) is attributed through `sock_owner`, socket-local storage that lives and
 * dies with the socket. It is filled when the socket is first seen in process context: connect()
 * (CLOSE -> SYN_SENT runs in the connecting process), or the first send or receive. The slot keeps
 * the cookie of the socket its process used last, so a run of sends and receives on one socket looks
 * at the socket's storage only once (a cookie is never reused, unlike a socket's address). An accepted
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

/* The size of `slots`: a power of two, so the index is tgid & (SLOTS - 1). 65536 slots of 64 bytes (4 MiB) cover every
 * PID below 65536 without two processes sharing a slot. A compile-time constant: read from .rodata it would cost the
 * hot path one more page touched per event (measured: 15-20 ns on this VM). */
#define SLOTS 65536

struct proc_key {
	__u32 tgid;
	__u32 pad;
	__u64 start_ns; /* the thread-group leader's start_time (CLOCK_MONOTONIC ns) */
};

struct proc_stats {
	__u64 sent_bytes;     /* bytes counted here: a process without a slot, and at exit its slot's bytes */
	__u64 received_bytes;
	__u64 opened_active;
	__u64 opened_passive;
	__u64 closed;
	__u64 retransmitted_segments;
	__u64 cgroup_id;
	__u64 exit_ns; /* 0 while the process lives; bpf_ktime_get_ns() when its last thread exited */
	char comm[16];
};

/* A process's hot counters, 64 bytes. An array's values do not start on a cache line: they follow the kernel's struct
 * bpf_array header, 312 bytes on x86-64 (56 modulo 64), so each 64-byte element spans two lines, the first 8 bytes in
 * the line it shares with the previous element. The fields the fast path reads and writes sit in bytes 8 to 47, which
 * are one line of their own: one cache line touched per event, and no line shared with another process's counters
 * (on this VM the saving is within the run-to-run noise of the per-event figure: 0 to 5 ns). On a kernel whose
 * header size differs the layout stays correct, only that saving is lost. */
struct proc_slot {
	__u64 line_skew;   /* unused: see above */
	__u32 tgid;        /* 0: free */
	__u32 pad;
	__u64 start_ns;    /* the owner's procs key, for user space (0 until the claim is complete) */
	__u64 sent_bytes;
	__u64 received_bytes;
	__u64 sock_cookie; /* the socket this process used last: its owner storage is filled already */
	__u64 pad2[2];
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
	STAT_NO_SLOT,      /* a process found its slot taken and counts its bytes in procs (slower) */
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
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, SLOTS);
	__type(key, __u32);
	__type(value, struct proc_slot);
} slots SEC(".maps");

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

/* The current process's procs key: tgid and its leader's start time. */
static __always_inline void current_key(struct proc_key *key, struct task_struct **leader)
{
	struct task_struct *task = bpf_get_current_task_btf();

	*leader = task->group_leader;
	key->tgid = task->tgid;
	key->pad = 0;
	key->start_ns = task->group_leader->start_time;
}

/* The current process's procs entry, created on first sight with its comm and cgroup. NULL when procs is full. */
static __always_inline struct proc_stats *current_entry(const struct proc_key *key, struct task_struct *leader)
{
	struct proc_stats *st = bpf_map_lookup_elem(&procs, key);

	if (!st) {
		struct proc_stats fresh = {};

		fresh.cgroup_id = bpf_get_current_cgroup_id();
		bpf_probe_read_kernel_str(fresh.comm, sizeof(fresh.comm), leader->comm);
		if (bpf_map_update_elem(&procs, key, &fresh, BPF_NOEXIST) && bpf_map_lookup_elem(&procs, key) == NULL) {
			stat_inc(STAT_PROCS_FULL);
			return NULL;
		}
		st = bpf_map_lookup_elem(&procs, key);
	}
	return st;
}

static __always_inline struct proc_slot *slot_of(__u32 tgid)
{
	__u32 index = tgid & (SLOTS - 1);

	return bpf_map_lookup_elem(&slots, &index);
}

/* Claims the free slot for the process (compare-and-swap: two processes may race for one slot). */
static __always_inline bool claim_slot(struct proc_slot *slot, const struct proc_key *key)
{
	if (__sync_val_compare_and_swap(&slot->tgid, 0, key->tgid) != 0)
		return false;
	slot->start_ns = key->start_ns;
	return true;
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

/* The per-connection counters (track_connections only): one more map update per event. */
static __noinline void count_connection(struct sock *sk, __u32 tgid, __u64 start_ns, __u64 bytes, bool sent)
{
	struct proc_key pk = { .tgid = tgid, .start_ns = start_ns };
	struct conn_key ck;
	struct conn_stats *cs;

	fill_conn_key(&ck, sk, &pk);
	cs = bpf_map_lookup_elem(&conns, &ck);
	if (!cs) {
		struct conn_stats fresh = {};
		struct proc_stats *st = bpf_map_lookup_elem(&procs, &pk);

		if (st) {
			fresh.cgroup_id = st->cgroup_id;
			__builtin_memcpy(fresh.comm, st->comm, sizeof(fresh.comm));
		}
		if (bpf_map_update_elem(&conns, &ck, &fresh, BPF_NOEXIST) && bpf_map_lookup_elem(&conns, &ck) == NULL) {
			stat_inc(STAT_CONNS_FULL);
			return;
		}
		cs = bpf_map_lookup_elem(&conns, &ck);
		if (!cs)
			return;
	}
	if (sent)
		__sync_fetch_and_add(&cs->sent_bytes, bytes);
	else
		__sync_fetch_and_add(&cs->received_bytes, bytes);
}

/* The socket as the current process sees it: the first time, it gets an owner for the events that come outside
 * process context, and an accepted socket's passive open is counted for this process. */
static __noinline void claim_socket(struct sock *sk, __u32 tgid, __u64 start_ns)
{
	struct sock_owner *owner = bpf_sk_storage_get(&sock_owner, sk, 0, BPF_LOCAL_STORAGE_GET_F_CREATE);
	struct proc_key key = { .tgid = tgid, .start_ns = start_ns };
	struct proc_stats *st;

	if (!owner) {
		stat_inc(STAT_OWNER_FAILED);
		return;
	}
	if (owner->tgid != 0)
		return;
	st = bpf_map_lookup_elem(&procs, &key);
	owner->tgid = tgid;
	owner->start_ns = start_ns;
	if (owner->cgroup_id == 0)
		owner->cgroup_id = st ? st->cgroup_id : bpf_get_current_cgroup_id();
	if ((owner->flags & OWNER_PASSIVE_UNCLAIMED) && st) {
		owner->flags &= ~OWNER_PASSIVE_UNCLAIMED;
		__sync_fetch_and_add(&st->opened_passive, 1);
	}
}

/* The slow path: a process without a (claimed) slot. Creates its entry, claims its slot if free, and counts the bytes
 * in the slot or, when another process holds it, in the entry. */
static __noinline void count_slow(struct sock *sk, struct proc_slot *slot, __u64 bytes, bool sent)
{
	struct task_struct *leader;
	struct proc_key key;
	struct proc_stats *st;

	current_key(&key, &leader);
	st = current_entry(&key, leader);
	/* No entry (procs full): no slot either, so the next event tries the entry again (a slot's bytes without an
	 * entry would never be read). */
	if (st && slot && claim_slot(slot, &key)) {
		if (sent)
			__sync_fetch_and_add(&slot->sent_bytes, bytes);
		else
			__sync_fetch_and_add(&slot->received_bytes, bytes);
	} else if (st) {
		stat_inc(STAT_NO_SLOT);
		if (sent)
			__sync_fetch_and_add(&st->sent_bytes, bytes);
		else
			__sync_fetch_and_add(&st->received_bytes, bytes);
	}
	claim_socket(sk, key.tgid, key.start_ns);
	if (track_connections)
		count_connection(sk, key.tgid, key.start_ns, bytes, sent);
}

/* The start time of the slot's owner, the current process. The slot has it 0 while another thread of the process is
 * between claiming the slot and writing it: then it comes from the task, or the socket's owner would name no process. */
static __always_inline __u64 slot_start_ns(const struct proc_slot *slot)
{
	__u64 start_ns = slot->start_ns;

	return start_ns ? start_ns : bpf_get_current_task_btf()->group_leader->start_time;
}

/* Bytes of one send or receive by the current process. The fast path: the tgid, the slot (an inlined array lookup),
 * an atomic add, and the socket's cookie compared with the last one this process used. */
static __always_inline void count_bytes(struct sock *sk, int ret, bool sent)
{
	__u32 tgid = bpf_get_current_pid_tgid() >> 32;
	struct proc_slot *slot = slot_of(tgid);
	__u64 cookie;

	if (!slot || slot->tgid != tgid) {
		count_slow(sk, slot, ret, sent);
		return;
	}
	if (sent)
		__sync_fetch_and_add(&slot->sent_bytes, ret);
	else
		__sync_fetch_and_add(&slot->received_bytes, ret);

	cookie = sk->__sk_common.skc_cookie.counter; /* 0 until someone asks for it */
	if (cookie == 0 || cookie != slot->sock_cookie) {
		claim_socket(sk, tgid, slot_start_ns(slot));
		slot->sock_cookie = bpf_get_socket_cookie(sk);
	}
	if (track_connections)
		count_connection(sk, tgid, slot_start_ns(slot), ret, sent);
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
		struct proc_stats *st;

		owner = bpf_sk_storage_get(&sock_owner, sk, 0, BPF_LOCAL_STORAGE_GET_F_CREATE);
		if (!owner) {
			stat_inc(STAT_OWNER_FAILED);
			return 0;
		}
		if (owner->tgid == 0) {
			current_key(&key, &leader);
			/* the process's entry exists from here on, so the establishment (in softirq) finds it */
			st = current_entry(&key, leader);
			owner->tgid = key.tgid;
			owner->start_ns = key.start_ns;
			owner->cgroup_id = st ? st->cgroup_id : bpf_get_current_cgroup_id();
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

/* The procs entry (and key) of the process a task belongs to, if it has one. */
static __always_inline struct proc_stats *task_entry(struct task_struct *task, struct proc_key *key)
{
	key->tgid = task->tgid;
	key->pad = 0;
	key->start_ns = task->group_leader->start_time;
	return bpf_map_lookup_elem(&procs, key);
}

/* exec gives the process a new comm: the entry (if the process has one) takes it, so its later bytes go to the
 * new name. The tracepoint fires in the process itself, after the new comm is set. */
SEC("tp_btf/sched_process_exec")
int BPF_PROG(tcptop_exec, struct task_struct *task, pid_t old_pid, struct linux_binprm *bprm)
{
	struct proc_key key;
	struct proc_stats *st = task_entry(task, &key);

	if (st)
		bpf_probe_read_kernel_str(st->comm, sizeof(st->comm), task->group_leader->comm);
	return 0;
}

/* A task moved to another cgroup (after the move): its process's entry takes the task's cgroup v2 id, so the bytes
 * from now on go to the new cgroup. This is what keeps the cgroup lookup off the per-event path. For a whole
 * process the task is its leader; for one thread of a threaded cgroup, the process follows that thread. */
SEC("tp_btf/cgroup_attach_task")
int BPF_PROG(tcptop_cgroup_move, struct cgroup *dst_cgrp, const char *path, struct task_struct *task, bool threadgroup)
{
	struct proc_key key;
	struct proc_stats *st = task_entry(task, &key);

	if (st)
		st->cgroup_id = BPF_CORE_READ(task, cgroups, dfl_cgrp, kn, id);
	return 0;
}

SEC("tp_btf/sched_process_exit")
int BPF_PROG(tcptop_exit, struct task_struct *task, bool group_dead)
{
	struct proc_key key;
	struct proc_stats *st;
	struct proc_slot *slot;
	__u64 sent = 0, received = 0;

	if (!group_dead)
		return 0; /* fires for every thread; the process is gone only with its last one */
	st = task_entry(task, &key);
	slot = slot_of(key.tgid);
	if (slot && slot->tgid == key.tgid) {
		/* Free the slot first (its start time before its owner, so a reader stops matching it at once, and the owner
		 * last, so nobody claims a slot with bytes in it), then add its bytes to the entry, then mark the entry. A
		 * reader in between sees the entry without the slot: a lower figure for one read, which user space ignores,
		 * never a byte twice. The entry is updated in place, field by field, so an open, close or retransmit that
		 * softirq adds to it meanwhile is never lost (a whole-value update could overwrite it). */
		sent = slot->sent_bytes;
		received = slot->received_bytes;
		slot->start_ns = 0;
		slot->sent_bytes = 0;
		slot->received_bytes = 0;
		slot->sock_cookie = 0;
		__sync_lock_test_and_set(&slot->tgid, 0);
	}
	if (st) {
		__sync_fetch_and_add(&st->sent_bytes, sent);
		__sync_fetch_and_add(&st->received_bytes, received);
		st->exit_ns = bpf_ktime_get_ns();
	}
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
