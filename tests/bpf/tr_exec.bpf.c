// Test program for tests/Runtime.Tests/TracingExecTests.cs: records the pid of every process that execs,
// read from the sched:sched_process_exec tracepoint's own record.
#include <linux/bpf.h>
#include <linux/types.h>
#include <bpf/bpf_helpers.h>

// The record's layout from /sys/kernel/tracing/events/sched/sched_process_exec/format.
struct tr_exec_record {
	__u64 common;          // common_type, common_flags, common_preempt_count, common_pid
	__u32 filename_loc;    // __data_loc char[] filename
	int pid;
	int old_pid;
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 4096);
	__type(key, int);    // pid after exec
	__type(value, int);  // pid before exec (differs only when a non-leader thread execs)
} tr_exec_pids SEC(".maps");

SEC("tracepoint/sched/sched_process_exec")
int tr_sched_process_exec(struct tr_exec_record *ctx)
{
	int pid = ctx->pid;
	int old_pid = ctx->old_pid;
	bpf_map_update_elem(&tr_exec_pids, &pid, &old_pid, BPF_ANY);
	return 0;
}

char _license[] SEC("license") = "GPL";
