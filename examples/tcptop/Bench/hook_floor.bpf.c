// SPDX-License-Identifier: GPL-2.0
/*
 * The floor under tcptop's per-event figure: programs that do nothing, attached to the same two tracepoints as
 * tcptop's send and receive programs and measured in the same iperf3 run. Their run time per run is what any
 * program on these hooks shows with BPF_ENABLE_STATS on (the tracing trampoline's entry and exit and the statistics'
 * own clock reads); tcptop's time above it is what its own code costs. Used only by `tcptop bench`.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

SEC("tp_btf/sock_send_length")
int BPF_PROG(floor_send, struct sock *sk, int ret, int flags)
{
	return 0;
}

SEC("tp_btf/sock_recv_length")
int BPF_PROG(floor_recv, struct sock *sk, int ret, int flags)
{
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
