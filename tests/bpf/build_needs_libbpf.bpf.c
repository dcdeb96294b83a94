// MSBuild.Tasks tests: compiled with -nostdinc, so <bpf/bpf_helpers.h> is not found as on a machine without
// libbpf-dev; the build error must say which package to install.
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "GPL";
