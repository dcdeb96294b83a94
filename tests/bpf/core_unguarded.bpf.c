// SPDX-License-Identifier: GPL-2.0
/* An unguarded read of a member the kernel does not have: loading must fail with the relocation named. */
#include "core_kernel_types.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>

char LICENSE[] SEC("license") = "GPL";

SEC("raw_tp/sys_enter")
int core_unguarded(void *ctx)
{
	struct task_struct___old *task = (void *)bpf_get_current_task();
	return BPF_CORE_READ(task, no_such_member_in_kernel);
}
