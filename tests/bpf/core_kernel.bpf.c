// SPDX-License-Identifier: GPL-2.0
/* CO-RE against the running kernel: raw tracepoint programs run with BPF_PROG_TEST_RUN in the test's own thread,
 * so bpf_get_current_task() is the test process and each program returns one relocated value. */
#include "core_kernel_types.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>

char LICENSE[] SEC("license") = "GPL";

SEC("raw_tp/sys_enter")
int core_tgid(void *ctx)
{
	struct task_struct *task = (void *)bpf_get_current_task();
	return BPF_CORE_READ(task, tgid);
}

SEC("raw_tp/sys_enter")
int core_pid(void *ctx)
{
	struct task_struct *task = (void *)bpf_get_current_task();
	return BPF_CORE_READ(task, pid);
}

SEC("raw_tp/sys_enter")
int core_parent_tgid(void *ctx)
{
	struct task_struct *task = (void *)bpf_get_current_task();
	return BPF_CORE_READ(task, real_parent, tgid);
}

SEC("raw_tp/sys_enter")
int core_flavor_tgid(void *ctx)
{
	struct task_struct___old *task = (void *)bpf_get_current_task();
	return BPF_CORE_READ(task, tgid);
}

/* the member is missing in the kernel, but the access is guarded: the poisoned load is dead code */
SEC("raw_tp/sys_enter")
int core_guarded(void *ctx)
{
	struct task_struct___old *task = (void *)bpf_get_current_task();
	if (bpf_core_field_exists(task->no_such_member_in_kernel))
		return BPF_CORE_READ(task, no_such_member_in_kernel);
	return 4242;
}

/* the same access unguarded: the verifier must refuse it and the error must name the relocation */
SEC("?raw_tp/sys_enter")
int core_unguarded(void *ctx)
{
	struct task_struct___old *task = (void *)bpf_get_current_task();
	return BPF_CORE_READ(task, no_such_member_in_kernel);
}

SEC("raw_tp/sys_enter")
int core_enum(void *ctx)
{
	return bpf_core_enum_value(enum pid_type, PIDTYPE_TGID) * 100 + bpf_core_enum_value_exists(enum pid_type, PIDTYPE_PID);
}

SEC("raw_tp/sys_enter")
int core_type_size(void *ctx)
{
	return bpf_core_type_size(struct task_struct);
}

SEC("raw_tp/sys_enter")
int core_existence(void *ctx)
{
	struct task_struct *task = (void *)bpf_get_current_task();
	return bpf_core_type_exists(struct core_test_no_such_type) * 1000 + bpf_core_type_exists(struct task_struct) * 100
		+ bpf_core_field_exists(task->real_parent) * 10;
}
