// Test program for tests/Runtime.Tests/TracingSockSendTests.cs: a tp_btf program on sock:sock_send_length
// that counts the bytes each process sends on TCP sockets whose remote port is tr_dport.
// On this kernel (6.x) the tracepoint's prototype is (struct sock *sk, int ret, int flags): family and
// protocol are taken from sk inside the event, they are not arguments. The raw args are ctx[0..2].
#include <linux/bpf.h>
#include <linux/types.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>

#pragma clang attribute push (__attribute__((preserve_access_index)), apply_to = record)
// Only the members read here; CO-RE finds them in the kernel's layout (skc_dport sits in an anonymous union).
struct sock_common {
	__be16 skc_dport;
};
struct sock {
	struct sock_common __sk_common;
};
#pragma clang attribute pop

// Set by the test before load: the sending process and the listener's port in network byte order.
const volatile __u32 tr_tgid = 0;
const volatile __be16 tr_dport = 0;

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 64);
	__type(key, __u32);   // tgid
	__type(value, __u64); // bytes sent
} tr_sent_bytes SEC(".maps");

SEC("tp_btf/sock_send_length")
int tr_sock_send_length(__u64 *ctx)
{
	struct sock *sk = (struct sock *)ctx[0];
	int ret = (int)ctx[1];
	__u32 tgid = bpf_get_current_pid_tgid() >> 32;

	if (ret <= 0 || tgid != tr_tgid)
		return 0;
	if (BPF_CORE_READ(sk, __sk_common.skc_dport) != tr_dport)
		return 0;
	__u64 *bytes = bpf_map_lookup_elem(&tr_sent_bytes, &tgid);
	if (!bytes) {
		__u64 zero = 0;
		// NOEXIST: a send racing on another CPU may have created the entry first; then add to that one.
		bpf_map_update_elem(&tr_sent_bytes, &tgid, &zero, BPF_NOEXIST);
		bytes = bpf_map_lookup_elem(&tr_sent_bytes, &tgid);
		if (!bytes)
			return 0;
	}
	__sync_fetch_and_add(bytes, (__u64)ret);
	return 0;
}

char _license[] SEC("license") = "GPL";
