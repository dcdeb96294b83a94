// SPDX-License-Identifier: GPL-2.0
/* One CO-RE read and nothing else, so the test can relocate it against a tiny BTF file it writes itself
 * (CoreObjectTests: the KernelBtfPath option). */
#include "core_kernel_types.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>

char LICENSE[] SEC("license") = "GPL";

SEC("raw_tp/sys_enter")
int core_file_tgid(void *ctx)
{
	struct task_struct *task = (void *)bpf_get_current_task();
	return BPF_CORE_READ(task, tgid);
}
