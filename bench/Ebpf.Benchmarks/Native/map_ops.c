// The C baseline for MapBenchmarks: the same map operations through raw bpf(2) calls (what libbpf's
// bpf_map_lookup_elem/bpf_map_update_elem do), timed over many iterations. Build and run as root:
//   cc -O2 -o /tmp/map_ops bench/Ebpf.Benchmarks/Native/map_ops.c && /tmp/map_ops
#include <linux/bpf.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

static long bpf(int cmd, union bpf_attr *attr) { return syscall(__NR_bpf, cmd, attr, sizeof(*attr)); }

static int create(enum bpf_map_type type)
{
    union bpf_attr a;
    memset(&a, 0, sizeof(a));
    a.map_type = type;
    a.key_size = 4;
    a.value_size = 8;
    a.max_entries = 1024;
    return (int)bpf(BPF_MAP_CREATE, &a);
}

static long elem(int cmd, int fd, uint32_t key, void *value, uint64_t flags)
{
    union bpf_attr a;
    memset(&a, 0, sizeof(a));
    a.map_fd = fd;
    a.key = (uint64_t)(uintptr_t)&key;
    a.value = (uint64_t)(uintptr_t)value;
    a.flags = flags;
    return bpf(cmd, &a);
}

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1e9 + t.tv_nsec;
}

#define N 2000000
#define TIME(label, expr)                                                           \
    do {                                                                            \
        for (int i = 0; i < N / 10; i++) expr;                                      \
        double start = now();                                                       \
        for (int i = 0; i < N; i++) expr;                                           \
        printf("%-20s %7.1f ns/op\n", label, (now() - start) / N);                  \
    } while (0)

int main(void)
{
    int hash = create(BPF_MAP_TYPE_HASH), array = create(BPF_MAP_TYPE_ARRAY), pcpu = create(BPF_MAP_TYPE_PERCPU_ARRAY);
    if (hash < 0 || array < 0 || pcpu < 0) { perror("BPF_MAP_CREATE (run as root)"); return 1; }
    uint64_t value = 7, values[1024];
    for (uint32_t k = 0; k < 1024; k++) elem(BPF_MAP_UPDATE_ELEM, hash, k, &value, BPF_ANY);
    TIME("HashLookup", elem(BPF_MAP_LOOKUP_ELEM, hash, 42, &value, 0));
    TIME("HashUpdate", elem(BPF_MAP_UPDATE_ELEM, hash, 42, &value, BPF_ANY));
    TIME("ArrayLookup", elem(BPF_MAP_LOOKUP_ELEM, array, 42, &value, 0));
    TIME("ArrayUpdate", elem(BPF_MAP_UPDATE_ELEM, array, 42, &value, BPF_ANY));
    TIME("PerCpuArrayLookup", elem(BPF_MAP_LOOKUP_ELEM, pcpu, 42, values, 0));
    return 0;
}
