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

    // How often each question was really put to the kernel: lets the tests see that the cache answers repeats.
    private static readonly ConcurrentDictionary<(int Kind, uint A, long B), int> probesRun = new();

    /// <summary>Can programs of <paramref name="type"/> be loaded?</summary>
    public static FeatureSupport Supports(ProgramType type) =>
        Cached((0, (uint)type, -1), () => FeatureProbes.ProgramType(type, null));

    /// <summary>Can programs of <paramref name="type"/> be loaded for <paramref name="attachType"/> (expected_attach_type)?</summary>
    public static FeatureSupport Supports(ProgramType type, AttachType attachType) =>
        Cached((1, (uint)type, (uint)attachType), () => FeatureProbes.ProgramType(type, attachType));

    /// <summary>Can maps of <paramref name="type"/> be created?</summary>
    public static FeatureSupport Supports(MapType type) =>
        Cached((2, (uint)type, -1), () => FeatureProbes.MapType(type));

    /// <summary>May programs of <paramref name="type"/> call helper <paramref name="helperId"/> (the kernel's enum bpf_func_id)?</summary>
    public static FeatureSupport SupportsHelper(ProgramType type, int helperId) =>
        Cached((3, (uint)type, helperId), () => FeatureProbes.Helper(type, helperId));

    /// <summary>How many times the program-type question for <paramref name="type"/> reached the kernel in this process.</summary>
    internal static int ProbesRun(ProgramType type) => probesRun.GetValueOrDefault((0, (uint)type, -1));

    private static FeatureSupport Cached((int Kind, uint A, long B) key, Func<FeatureSupport> probe) =>
        cache.GetOrAdd(key, k =>
        {
            probesRun.AddOrUpdate(k, 1, (_, n) => n + 1);
            return probe();
        });
}
