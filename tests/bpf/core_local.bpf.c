// SPDX-License-Identifier: GPL-2.0
/* The "program" of the CO-RE matcher's unit tests, relocated against core_target.bpf.c's BTF (never loaded). */
#include "core_local.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>

char LICENSE[] SEC("license") = "GPL";

unsigned long long out[32];

SEC("raw_tp/sys_enter")
int core_local(void *ctx)
{
	struct core_sample *s = (void *)bpf_get_current_task();
	struct core_sample___v2 *v2 = (void *)s;
	struct core_sample___badtype *bad = (void *)s;

	out[0] = BPF_CORE_READ(s, counter);
	out[1] = BPF_CORE_READ(s, wide);
	out[2] = BPF_CORE_READ(s, inner[2].a);
	out[3] = BPF_CORE_READ(s, narrow);             /* signed short locally, unsigned short in the target */
	out[4] = BPF_CORE_READ(s, small);
	out[5] = BPF_CORE_READ_BITFIELD_PROBED(s, flag_a);
	out[6] = bpf_core_field_size(s->flag_b);
	out[7] = bpf_core_field_offset(s->name[3]);
	out[8] = bpf_core_field_exists(v2->only_in_v2);
	out[9] = bpf_core_field_exists(v2->counter);
	out[10] = bpf_core_enum_value(enum core_color, CORE_RED);
	out[11] = bpf_core_enum_value_exists(enum core_color, CORE_BLUE);
	out[12] = bpf_core_type_size(struct core_sample);
	/* bpf_core_type_matches needs clang 15; TYPE_MATCHES is unit-tested on the rules directly */
	out[14] = bpf_core_field_exists(bad->counter);
	out[15] = __builtin_preserve_field_info(s->narrow, BPF_FIELD_SIGNED); /* libbpf 1.1 has no bpf_core_field_signed() */
	out[16] = bpf_core_field_offset(s->tail[5]);
	return 0;
}
