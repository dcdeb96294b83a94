// SPDX-License-Identifier: GPL-2.0
// Reports every exec on the machine: a tp_btf program on the sched_process_exec tracepoint writes one
// struct exec_event per exec into a ring buffer, which the C# app reads as ExecSkel.ExecEvent.
//
// tp_btf hands the tracepoint's arguments over as typed kernel pointers. The fields are read with CO-RE
// (BPF_CORE_READ): clang records which field of which type each read is for, and the loader fixes the
// offsets for the running kernel from its BTF, so the same object runs on kernels whose struct layouts differ.
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_tracing.h>

struct exec_event {
    __u32 pid;            // the process (thread group) that exec'd
    __u32 ppid;           // its parent
    __u32 uid;
    __u32 pad;
    __u64 cgroup_id;      // its cgroup v2 id (the inode number of the cgroup's directory)
    __u8 comm[16];        // the new command name, NUL-terminated
    __u8 filename[128];   // the path given to exec, NUL-terminated, cut at 127 bytes
};

struct {
    __uint(type, BPF_MAP_TYPE_RINGBUF);
    __uint(max_entries, 256 * 1024);  // bytes; a power of two and a multiple of the page size
} events SEC(".maps");

// Events lost because the ring buffer was full (user space reads it as skel.Bss.Dropped).
__u64 dropped = 0;

SEC("tp_btf/sched_process_exec")
int BPF_PROG(trace_exec, struct task_struct *task, pid_t old_pid, struct linux_binprm *bprm)
{
    struct exec_event *e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
    if (!e) {
        __sync_fetch_and_add(&dropped, 1);
        return 0;
    }
    e->pid = BPF_CORE_READ(task, tgid);
    e->ppid = BPF_CORE_READ(task, real_parent, tgid);
    e->uid = (__u32)bpf_get_current_uid_gid();
    e->pad = 0;
    e->cgroup_id = bpf_get_current_cgroup_id();
    bpf_get_current_comm(e->comm, sizeof(e->comm));
    bpf_probe_read_kernel_str(e->filename, sizeof(e->filename), BPF_CORE_READ(bprm, filename));
    bpf_ringbuf_submit(e, 0);
    return 0;
}

char LICENSE[] SEC("license") = "GPL";
