// SPDX-License-Identifier: GPL-2.0
/* The "kernel" of the CO-RE matcher's unit tests: its BTF is the target. Layout notes (x86_64):
 * struct core_sample: counter@0, anon union@8 { wide, struct { pad; inner[4] } }, small@48, narrow@50,
 * bitfields flag_a:3 @ bit 416, flag_b:5 @ bit 419 (byte 52), name@56 (char[8]), tail@64. */
typedef unsigned int core_u32_t;

struct core_inner {
	int a;
	int b;
	int c;
};

struct core_sample {
	int counter;
	union {
		long long wide;
		struct {
			int pad;
			struct core_inner inner[4];
		};
	};
	unsigned char small;
	unsigned short narrow;
	unsigned int flag_a : 3;
	unsigned int flag_b : 5;
	char name[8];
	int tail[];
};

enum core_color {
	CORE_GREEN = 1,
	CORE_RED = 2,
};

struct core_sample *core_target_sample;
enum core_color core_target_color;
core_u32_t core_target_u32;

char LICENSE[] __attribute__((section("license"), used)) = "GPL";
