// MSBuild.Tasks tests for the Types metadata: struct event is reached only through the local pointer
// bpf_ringbuf_reserve returns and enum verdict only through its constants, so without Types="event;verdict"
// the skeleton has neither. Run with BPF_PROG_TEST_RUN, it writes one event per packet.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

enum verdict { VERDICT_SHORT = 3, VERDICT_LONG = 9 };

struct event {
    __u32 len;
    __u32 verdict;
    __u64 seq;
    __u8 first_byte;
};

struct {
    __uint(type, BPF_MAP_TYPE_RINGBUF);
    __uint(max_entries, 4096);
} events SEC(".maps");

__u64 sequence = 0;

SEC("xdp")
int report_packet(struct xdp_md *ctx)
{
    void *data = (void *)(long)ctx->data;
    void *data_end = (void *)(long)ctx->data_end;
    if (data + 1 > data_end)
        return XDP_PASS;
    struct event *e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
    if (!e)
        return XDP_PASS;
    e->len = data_end - data;
    e->verdict = e->len < 100 ? VERDICT_SHORT : VERDICT_LONG;
    e->seq = __sync_fetch_and_add(&sequence, 1);
    e->first_byte = *(__u8 *)data;
    bpf_ringbuf_submit(e, 0);
    return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
