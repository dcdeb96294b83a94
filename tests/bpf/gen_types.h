// Types shared by the generator's test objects (gen_*.bpf.c) and the host C program the layout test
// compiles: the same declarations give both BTF (through clang -target bpf) and offsetof/sizeof (through cc).
#ifndef GEN_TYPES_H
#define GEN_TYPES_H
#include <linux/types.h>

enum gen_proto { GEN_PROTO_TCP = 6, GEN_PROTO_UDP = 17 };

// packed: one byte, in clang (BTF) and gcc (the layout oracle) alike.
enum __attribute__((packed)) gen_small { GEN_SMALL_A = 1, GEN_SMALL_B = 255 };

enum gen_signed { GEN_NEG = -5, GEN_POS = 7 };

enum gen_wide { GEN_WIDE_BIG = 0x123456789ull };

struct gen_flow_key {
    __u32 saddr;
    __u32 daddr;
    __u16 sport;
    __u16 dport;
    __u8 proto;
};

struct gen_flow_stats {
    __u64 packets;
    __u64 bytes;
    unsigned int seen : 1;
    unsigned int state : 3;
    int delta : 5;
    enum gen_proto last_proto : 8;
    _Bool flagged : 1;
    __u64 wide_field : 40;
    __u8 tail;
};

struct gen_lpm_key {
    __u32 prefixlen;
    __u8 addr[4];
};

struct gen_sock_key {
    __u32 sip;
    __u32 dip;
    __u32 sport;
    __u32 dport;
    __u32 family;
};

struct gen_event {
    __u64 ts;
    __u32 pid;
    char comm[16];
    union {
        __u32 v4;
        __u8 v6[16];
    } addr;
    struct {
        __u16 major;
        __u16 minor;
    } version;
    struct gen_flow_key flows[2];
    __u32 matrix[2][3];
    void *ptr;
    enum gen_small small;
    enum gen_signed sign;
};

union gen_value {
    __u64 as_u64;
    __s32 as_s32[2];
    struct gen_flow_key key;
    double as_double;
};

// A name that is a C# keyword and a member named like its struct: both must be renamed deterministically.
struct gen_naming {
    __u32 gen_naming;
    __u32 GenNaming;
    __u32 object;
    __u32 class_;
    __u8 _1st;
};

// Bitfields in awkward places: a full 64-bit one off byte alignment, one crossing a 4-byte boundary, small
// signed ones, and one in the last bytes (its storage window must move back to stay inside the struct).
struct __attribute__((packed)) gen_bits {
    __u8 head;
    __u64 all64 : 64;
    __u32 odd : 31;
    __s8 tiny : 3;
    __s32 negative : 7;
    enum gen_proto proto : 5;
    __u16 last : 9;
};

// 6 bytes; 'last' needs a 4-byte storage window from byte 3, which would end past the struct: it moves back.
struct __attribute__((packed)) gen_tail_bits {
    __u8 a;
    __u8 b;
    __u8 c;
    __u32 last : 17;
    __u8 end : 7;
};

// Anonymous members: C code writes a.v4, a.lo16; the skeleton lifts them the same way.
struct gen_anon {
    __u32 kind;
    union {
        __u32 v4;
        __u8 v6[16];
        struct {
            __u16 lo16;
            __u16 hi12 : 12;
            __s16 sign4 : 4;
        };
    };
};

typedef struct {
    __u32 lo;
    __u32 hi;
} gen_pair_t;

struct gen_config {
    __u16 port;
    __u8 mode;
    gen_pair_t range;
    enum gen_wide wide;
    float ratio;
    __s64 offset;
};

#endif
