// Programs for the attach and test-run tests (tests/Runtime.Tests/Attach*, TestRun*): network hooks.
// They do nothing observable but run; the tests count their runs with the kernel's run statistics.
#include <linux/bpf.h>
#include <linux/types.h>
#include <linux/if_ether.h>
#include <bpf/bpf_helpers.h>

SEC("xdp")
int attach_xdp_pass(struct xdp_md *ctx)
{
    return XDP_PASS;
}

// A second XDP program, to replace the first on an interface.
SEC("xdp")
int attach_xdp_pass2(struct xdp_md *ctx)
{
    return XDP_PASS;
}

// Test-run fixture: swaps the Ethernet addresses, sets byte 14 (the first byte after the Ethernet
// header) to 0x5a, and sends the frame back out (XDP_TX). Frames shorter than 15 bytes are dropped.
SEC("xdp")
int attach_xdp_reflect(struct xdp_md *ctx)
{
    unsigned char *data = (unsigned char *)(long)ctx->data;
    unsigned char *end = (unsigned char *)(long)ctx->data_end;
    if (data + ETH_HLEN + 1 > end)
        return XDP_DROP;
    for (int i = 0; i < ETH_ALEN; i++) {
        unsigned char t = data[i];
        data[i] = data[ETH_ALEN + i];
        data[ETH_ALEN + i] = t;
    }
    data[ETH_HLEN] = 0x5a;
    return XDP_TX;
}

SEC("tc")
int attach_tc_pass(struct __sk_buff *skb)
{
    return -1; // TCX_NEXT: let the rest of the chain decide
}

SEC("socket")
int attach_socket_all(struct __sk_buff *skb)
{
    return skb->len; // keep the whole packet
}

SEC("sockops")
int attach_sockops(struct bpf_sock_ops *ops)
{
    return 1;
}

SEC("sk_msg")
int attach_sk_msg(struct sk_msg_md *msg)
{
    return SK_PASS;
}

SEC("cgroup/connect4")
int attach_connect4(struct bpf_sock_addr *ctx)
{
    return 1; // allow
}

SEC("cgroup_skb/egress")
int attach_skb_egress(struct __sk_buff *skb)
{
    return 1; // allow
}

SEC("cgroup/sock_create")
int attach_sock_create(struct bpf_sock *sk)
{
    return 1; // allow
}

SEC("cgroup/getsockopt")
int attach_getsockopt(struct bpf_sockopt *ctx)
{
    return 1; // keep the kernel's answer
}

SEC("cgroup/setsockopt")
int attach_setsockopt(struct bpf_sockopt *ctx)
{
    return 1; // let the kernel apply the option
}

SEC("sk_skb/stream_verdict")
int attach_sk_skb_verdict(struct __sk_buff *skb)
{
    return SK_PASS;
}

char _license[] SEC("license") = "GPL";
