// Baseline for EventBenchmarks: libbpf's ring_buffer__consume draining the same ring the C# reader drains.
// Build: cc -O2 -o /tmp/ringbuf_consume bench/Ebpf.Benchmarks/Native/ringbuf_consume.c -lbpf
// Run (root): /tmp/ringbuf_consume <compiled tests/bpf/ev_ringbuf.bpf.c>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#define RING_SIZE (1u << 24)
#define RUNS 170   /* 170 x 4096 records of 24 bytes fill the 16 MiB ring */
#define PER_RUN 4096

static unsigned long long count;

static int on_record(void *ctx, void *data, size_t size)
{
	count += *(unsigned long long *)data != ~0ull; /* touch the record like the C# handler does */
	return 0;
}

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: %s ev_ringbuf.bpf.o\n", argv[0]);
		return 2;
	}
	struct bpf_object *obj = bpf_object__open_file(argv[1], NULL);
	if (!obj) { perror("open"); return 1; }
	bpf_map__set_max_entries(bpf_object__find_map_by_name(obj, "ev_ring"), RING_SIZE);
	if (bpf_object__load(obj)) { perror("load"); return 1; }
	int prog = bpf_program__fd(bpf_object__find_program_by_name(obj, "ev_ring_produce"));
	int map = bpf_map__fd(bpf_object__find_map_by_name(obj, "ev_ring"));
	struct ring_buffer *rb = ring_buffer__new(map, on_record, NULL, NULL);
	if (!rb) { perror("ring_buffer__new"); return 1; }

	for (int round = 0; round < 10; round++) {
		for (int r = 0; r < RUNS; r++) {
			unsigned long long args[3] = { (unsigned long long)r * PER_RUN, PER_RUN, 0 };
			LIBBPF_OPTS(bpf_test_run_opts, opts, .ctx_in = args, .ctx_size_in = sizeof(args),
				    .flags = BPF_F_TEST_RUN_ON_CPU, .cpu = 0);
			if (bpf_prog_test_run_opts(prog, &opts)) { perror("test run"); return 1; }
		}
		count = 0;
		double start = now();
		int n = ring_buffer__consume(rb);
		double elapsed = now() - start;
		printf("round %d: %d records in %.2f ms: %.1f M records/s (%.1f ns/record)\n", round, n, elapsed * 1e3,
		       n / elapsed / 1e6, elapsed * 1e9 / n);
	}
	ring_buffer__free(rb);
	bpf_object__close(obj);
	return 0;
}
