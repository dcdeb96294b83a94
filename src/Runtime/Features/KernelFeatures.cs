using System.Collections.Concurrent;
using Ebpf.Features;
using Ebpf.Object;

namespace Ebpf;

/// <summary>
/// Asks the running kernel what it supports, by trying the smallest possible thing (as libbpf's libbpf_probe_bpf_*
/// and bpftool feature probe do). Answers are cached for the process; probes need CAP_BPF (root), and without it
/// the answer is <see cref="FeatureStatus.Unknown"/>, never a guess.
/// </summary>
public static class KernelFeatures
{
    private static readonly ConcurrentDictionary<(int Kind, uint A, long B), FeatureSupport> cache = new();

    /// <summary>Can programs of <paramref name="type"/> be loaded?</summary>
    public static FeatureSupport Supports(ProgramType type) =>
        cache.GetOrAdd((0, (uint)type, -1), _ => FeatureProbes.ProgramType(type, null));

    /// <summary>Can programs of <paramref name="type"/> be loaded for <paramref name="attachType"/> (expected_attach_type)?</summary>
    public static FeatureSupport Supports(ProgramType type, AttachType attachType) =>
        cache.GetOrAdd((1, (uint)type, (uint)attachType), _ => FeatureProbes.ProgramType(type, attachType));

    /// <summary>Can maps of <paramref name="type"/> be created?</summary>
    public static FeatureSupport Supports(MapType type) =>
        cache.GetOrAdd((2, (uint)type, -1), _ => FeatureProbes.MapType(type));

    /// <summary>May programs of <paramref name="type"/> call helper <paramref name="helperId"/> (the kernel's enum bpf_func_id)?</summary>
    public static FeatureSupport SupportsHelper(ProgramType type, int helperId) =>
        cache.GetOrAdd((3, (uint)type, helperId), _ => FeatureProbes.Helper(type, helperId));
}
