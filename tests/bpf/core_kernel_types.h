/* A hand-written stand-in for vmlinux.h, used by the CO-RE tests: the kernel structs the tests read, with
 * members deliberately in a different order and at different offsets than the running kernel has them, so the
 * programs only read the right values when CO-RE relocates every access. Not a copy of any kernel header. */
#ifndef CORE_KERNEL_TYPES_H
#define CORE_KERNEL_TYPES_H

#include <linux/types.h>

typedef int pid_t;

#pragma clang attribute push (__attribute__((preserve_access_index)), apply_to = record)

struct list_head {
	struct list_head *next;
	struct list_head *prev;
};

/* the kernel has several hundred members; these three sit at offsets 0, 4 and 8 here */
struct task_struct {
	pid_t tgid;
	pid_t pid;
	struct task_struct *real_parent;
};

/* a flavor: the same kernel type under another local name, with a member the kernel does not have */
struct task_struct___old {
	int no_such_member_in_kernel;
	pid_t pid;
	pid_t tgid;
};

/* a type the kernel does not have at all */
struct core_test_no_such_type {
	int x;
};

#pragma clang attribute pop

/* the kernel's enum pid_type has PIDTYPE_PID = 0, PIDTYPE_TGID = 1; the values here are wrong on purpose */
enum pid_type {
	PIDTYPE_TGID = 7,
	PIDTYPE_PID = 9,
};

#endif
