// sk_msg on a SOCKHASH, loaded through BpfObject (tests/Runtime.Tests/AttachSockmapTests): the program
// counts the bytes of every message it sees in an array map and passes them on unchanged.
#include <linux/bpf.h>
#include <linux/types.h>
#include <bpf/bpf_helpers.h>

struct {
    __uint(type, BPF_MAP_TYPE_SOCKHASH);
    __uint(max_entries, 16);
    __type(key, __u32);
    __type(value, __u32);
} attach_socks SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_ARRAY);
    __uint(max_entries, 2);
    __type(key, __u32);
    __type(value, __u64);
} attach_msg_stats SEC(".maps"); // [0] messages, [1] bytes

SEC("sk_msg")
int attach_count_msg(struct sk_msg_md *msg)
{
    __u32 k = 0;
    __u64 *v = bpf_map_lookup_elem(&attach_msg_stats, &k);
    if (v)
        __sync_fetch_and_add(v, 1);
    k = 1;
    v = bpf_map_lookup_elem(&attach_msg_stats, &k);
    if (v)
        __sync_fetch_and_add(v, msg->size);
    return SK_PASS;
}

char _license[] SEC("license") = "GPL";
