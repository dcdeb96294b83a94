using System.Text.RegularExpressions;
using Ebpf.Object;
using Ebpf.TestKit;

namespace Ebpf.Runtime.Tests;

/// <summary>
/// <see cref="KernelFeatures"/> against bpftool's own probe of this kernel (libbpf's libbpf_probe_bpf_* inside
/// bpftool, the independent oracle): every program and map type both know must get the same answer.
/// </summary>
public sealed partial class FeaturesTests
{
    private static string Normalise(string name) => name.Replace("_", "", StringComparison.Ordinal).ToLowerInvariant();

    private static Dictionary<string, bool> Bpftool(string kind)
    {
        var output = HostCommand.Check("bpftool", "feature", "probe", "kernel");
        var result = new Dictionary<string, bool>();
        foreach (Match m in Availability().Matches(output))
            if (m.Groups[1].Value == kind)
                result[Normalise(m.Groups[2].Value)] = m.Groups[3].Value.Length == 0;
        return result;
    }

    [GeneratedRegex(@"eBPF (program_type|map_type) (\w+) is (NOT )?available")]
    private static partial Regex Availability();

    [Fact]
    public void Program_type_answers_agree_with_bpftool()
    {
        Kernel.RequireRoot();
        var oracle = Bpftool("program_type");
        Assert.True(oracle.Count > 20, "bpftool printed no program types");
        var compared = 0;
        foreach (var type in Enum.GetValues<ProgramType>().Where(t => t != ProgramType.Unspec))
        {
            if (!oracle.TryGetValue(Normalise(type.ToString()), out var available))
                continue;
            var ours = KernelFeatures.Supports(type);
            // libbpf calls a type "NOT available" also when the load is refused for privileges or lockdown (fentry
            // here); we say Unknown then, with the reason
            if (ours.Status == FeatureStatus.Unknown)
                Assert.False(available, $"{type}: bpftool says available, we say {ours}");
            else
                Assert.True(available == ours.IsSupported, $"{type}: bpftool says {(available ? "" : "NOT ")}available, we say {ours}");
            compared++;
        }
        Assert.True(compared > 20);
    }

    [Fact]
    public void Map_type_answers_agree_with_bpftool()
    {
        Kernel.RequireRoot();
        var oracle = Bpftool("map_type");
        var compared = 0;
        foreach (var type in Enum.GetValues<MapType>().Where(t => t != MapType.Unspec))
        {
            if (!oracle.TryGetValue(Normalise(type.ToString()), out var available))
                continue;
            var ours = KernelFeatures.Supports(type);
            if (ours.Status == FeatureStatus.Unknown)
                continue; // the BTF-keyed storage maps and struct_ops are not probed (see the reason)
            Assert.True(available == ours.IsSupported, $"{type}: bpftool says {(available ? "" : "NOT ")}available, we say {ours}");
            compared++;
        }
        Assert.True(compared > 20);
    }

    [Fact]
    public void Helpers_are_told_apart_by_program_type_and_unknown_ids_are_unsupported()
    {
        Kernel.RequireRoot();
        const int GetCurrentTask = 35, XdpAdjustHead = 44, RingbufOutput = 130;
        foreach (var (type, helper) in new[] { (ProgramType.Xdp, XdpAdjustHead), (ProgramType.RawTracepoint, GetCurrentTask), (ProgramType.Xdp, RingbufOutput) })
        {
            var answer = KernelFeatures.SupportsHelper(type, helper);
            Assert.True(answer.IsSupported, $"{type} helper #{helper}: {answer}");
        }
        var wrongType = KernelFeatures.SupportsHelper(ProgramType.SocketFilter, XdpAdjustHead);
        Assert.Equal(FeatureStatus.Unsupported, wrongType.Status);
        Assert.Contains("#44", wrongType.Reason);
        Assert.Equal(FeatureStatus.Unsupported, KernelFeatures.SupportsHelper(ProgramType.Xdp, 100_000).Status);
    }

    [Fact]
    public void An_unknown_program_type_is_unsupported_and_answers_are_cached()
    {
        Kernel.RequireRoot();
        const ProgramType Bogus = (ProgramType)4000; // asked by this test only, so no other test moves its probe count
        Assert.Equal(0, KernelFeatures.ProbesRun(Bogus));
        var bogus = KernelFeatures.Supports(Bogus);
        Assert.Equal(FeatureStatus.Unsupported, bogus.Status);
        Assert.Contains("EINVAL", bogus.Reason);
        Assert.Equal(1, KernelFeatures.ProbesRun(Bogus));
        Assert.Equal(bogus, KernelFeatures.Supports(Bogus));
        Assert.Equal(1, KernelFeatures.ProbesRun(Bogus)); // the second answer came from the cache, not the kernel
        Assert.True(KernelFeatures.Supports(ProgramType.CgroupSockAddr, AttachType.CgroupInet4Connect).IsSupported);
    }
}
