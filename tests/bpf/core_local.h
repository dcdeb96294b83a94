/* Local (program-side) view of the types in core_target.bpf.c, for the CO-RE matcher's unit tests: members
 * reordered, flavored names, a nested anonymous union, arrays, bitfields and an enum with different values. */
#ifndef CORE_LOCAL_H
#define CORE_LOCAL_H

#include <linux/types.h>

#pragma clang attribute push (__attribute__((preserve_access_index)), apply_to = record)

struct core_inner {
	int b;
	int a;
};

struct core_sample {
	long long wide;
	struct core_inner inner[3];
	int counter;
	unsigned int flag_b : 5;
	unsigned int flag_a : 3;
	short narrow;
	unsigned char small;
	char name[8];
	int tail[];
};

struct core_sample___v2 {
	int only_in_v2;
	int counter;
};

struct core_sample___badtype {
	struct core_inner counter; /* an int in the target: incompatible */
};

#pragma clang attribute pop

enum core_color {
	CORE_RED = 10,
	CORE_BLUE = 20,
	CORE_GREEN = 30,
};

typedef unsigned int core_u32_t;

#endif
