// Generator tests for the Types metadata: types no map or global reaches. The anchors at the end are what
// Ebpf.Build's wrapper (src/MSBuild.Tasks/Types/TypeAnchorFile.cs) appends for Types="event;kind;sample_t;addr;maps;stats;counter_t";
// without them clang 14 emits no BTF for any of these. Golden: Golden/gen_named_types.g.cs.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

// Only ever reached through the local pointer bpf_ringbuf_reserve returns.
struct event {
    __u32 pid;
    __u32 kind;
    __u64 ts;
    char comm[16];
};

// Only used for its constants.
enum kind { KIND_OPEN = 1, KIND_CLOSE = 2, KIND_ERROR = -1 };

// An anonymous struct known only by its typedef name.
typedef struct {
    __u16 port;
    __u8 flags;
} sample_t;

union addr {
    __u32 v4;
    __u8 v6[16];
};

// Named like a member of the skeleton: generated under another name (EBPF005).
struct maps {
    __u32 count;
};

// Also the value of a map: named in Types as well, it stays one C# type.
struct stats {
    __u64 seen;
};

typedef __u32 counter_t;

struct {
    __uint(type, BPF_MAP_TYPE_RINGBUF);
    __uint(max_entries, 4096);
} events SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_ARRAY);
    __uint(max_entries, 1);
    __type(key, __u32);
    __type(value, struct stats);
} totals SEC(".maps");

SEC("tracepoint/syscalls/sys_enter_getpid")
int on_getpid(void *ctx)
{
    struct event *e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
    if (!e)
        return 0;
    e->pid = bpf_get_current_pid_tgid() >> 32;
    e->kind = KIND_OPEN;
    e->ts = bpf_ktime_get_ns();
    bpf_get_current_comm(e->comm, sizeof(e->comm));
    bpf_ringbuf_submit(e, 0);
    return 0;
}

char LICENSE[] SEC("license") = "GPL";

static const struct event *const __ebpf_type_event __attribute__((used, section(".ebpf.types")));
static const enum kind *const __ebpf_type_kind __attribute__((used, section(".ebpf.types")));
static const sample_t *const __ebpf_type_sample_t __attribute__((used, section(".ebpf.types")));
static const union addr *const __ebpf_type_addr __attribute__((used, section(".ebpf.types")));
static const struct maps *const __ebpf_type_maps __attribute__((used, section(".ebpf.types")));
static const struct stats *const __ebpf_type_stats __attribute__((used, section(".ebpf.types")));
static const counter_t *const __ebpf_type_counter_t __attribute__((used, section(".ebpf.types")));
