// Test object for the object reader: CO-RE relocations, externs (kfunc, .ksyms, .kconfig), a subprogram
// in the program's own section and one shared through .text by two programs.
#include <linux/bpf.h>
#include <linux/types.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>

struct task_struct {
    int pid;
    int tgid;
    struct task_struct *real_parent;
} __attribute__((preserve_access_index));

enum obj_core_state { OBJ_CORE_A = 1, OBJ_CORE_B = 2 };

extern int LINUX_KERNEL_VERSION __kconfig;
extern _Bool CONFIG_BPF_SYSCALL __kconfig __weak;
extern char CONFIG_OBJ_CORE_NAME[8] __kconfig __weak;
extern __u64 CONFIG_HZ __kconfig __weak;
extern const void bpf_prog_active __ksym;
extern struct task_struct *bpf_task_acquire(struct task_struct *p) __ksym;
extern void bpf_task_release(struct task_struct *p) __ksym;

__u64 out_pid, out_ppid, out_flags, out_version;
__attribute__((visibility("hidden"))) __u64 hidden_total;

// Hidden: libbpf marks it static in BTF, so the verifier checks it in its caller's context.
__attribute__((noinline, visibility("hidden"))) int hidden_helper(int x)
{
    hidden_total += x;
    return x - 1;
}

// Placed in the program's own section: clang calls it without a relocation (a PC-relative call).
static __attribute__((noinline, section("tp_btf/sched_switch"))) int same_section_helper(int x)
{
    return x + 1;
}

__attribute__((noinline)) int shared_helper(int x)
{
    return x * 2;
}

SEC("tp_btf/sched_switch")
int on_switch(__u64 *ctx)
{
    struct task_struct *t = (void *)ctx[1];
    out_pid = BPF_CORE_READ(t, pid);
    out_ppid = BPF_CORE_READ(t, real_parent, tgid);
    __u64 flags = bpf_core_field_exists(t->tgid) | (bpf_core_type_exists(struct task_struct) << 1)
                | ((__u64)bpf_core_enum_value(enum bpf_map_type, BPF_MAP_TYPE_ARRAY) << 8);
    // The kernel has no obj_core_state: guarded, so the relocation that fails is in a branch the verifier
    // knows is dead (the CO-RE way to use optional types).
    if (bpf_core_type_exists(enum obj_core_state))
        flags |= bpf_core_enum_value(enum obj_core_state, OBJ_CORE_B) << 2;
    out_flags = flags;
    out_version = LINUX_KERNEL_VERSION + CONFIG_HZ + CONFIG_BPF_SYSCALL + CONFIG_OBJ_CORE_NAME[1];
    struct task_struct *acquired = bpf_task_acquire(t);
    if (acquired)
        bpf_task_release(acquired);
    return same_section_helper(shared_helper(1));
}

SEC("raw_tp/sys_enter")
int on_enter(void *ctx)
{
    return shared_helper(2) + hidden_helper(3);
}

// A .ksyms variable: its address is resolved through kallsyms, which needs CONFIG_KALLSYMS_ALL.
SEC("raw_tp/sys_exit")
int on_ksym(void *ctx)
{
    out_version = (__u64)&bpf_prog_active;
    return 0;
}

// CO-RE values the kernel computes when it applies the relocations itself (BPF_PROG_LOAD core_relos);
// the test runs the program and compares them with vmlinux's BTF.
__u64 core_pid_offset, core_pid_size, core_parent_exists, core_task_size;

SEC("raw_tp/sys_enter")
int core_values(void *ctx)
{
    struct task_struct *t = 0;
    core_pid_offset = bpf_core_field_offset(t->pid);
    core_pid_size = bpf_core_field_size(t->pid);
    core_parent_exists = bpf_core_field_exists(t->real_parent);
    core_task_size = bpf_core_type_size(struct task_struct);
    return 0;
}

// Not in libbpf's section table: still listed, with ProgramType.Unspec, for the generator to report.
SEC("obj_unknown_section")
int odd_one(void *ctx)
{
    return 0;
}

char LICENSE[] SEC("license") = "GPL";
