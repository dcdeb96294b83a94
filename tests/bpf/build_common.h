// Shared by build_count_packets.bpf.c only: the MSBuild.Tasks tests touch it and expect just that object to rebuild.
#define BUILD_COUNTER_SLOTS 4
