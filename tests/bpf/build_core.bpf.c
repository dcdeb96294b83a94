// A CO-RE program that uses only the generated vmlinux.h for kernel types (MSBuild.Tasks tests):
// field reads through BPF_CORE_READ become CO-RE relocations against task_struct.
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>

char LICENSE[] SEC("license") = "GPL";

pid_t last_tgid;
pid_t last_parent_tgid;
unsigned int last_flags;

SEC("tracepoint/syscalls/sys_enter_getpid")
int build_core_getpid(struct trace_event_raw_sys_enter *ctx)
{
    struct task_struct *task = (struct task_struct *)bpf_get_current_task();
    last_tgid = BPF_CORE_READ(task, tgid);
    last_parent_tgid = BPF_CORE_READ(task, real_parent, tgid);
    last_flags = BPF_CORE_READ(task, flags);
    return ctx->id == 0;
}
