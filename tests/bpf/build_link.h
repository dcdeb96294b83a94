// MSBuild.Tasks tests of linked objects (Object metadata): shared by build_link_count.bpf.c and build_link_report.bpf.c.
#ifndef BUILD_LINK_H
#define BUILD_LINK_H
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>

struct link_counts {
    __u64 packets;
    __u64 bytes;
};

// CO-RE: local definitions of two kernel types; libbpf-style relocations make the offsets and sizes the kernel's.
struct task_struct {
    int pid;
} __attribute__((preserve_access_index));

struct sk_buff {
    unsigned int len;
} __attribute__((preserve_access_index));

#define LINK_SLOTS 4
#endif
