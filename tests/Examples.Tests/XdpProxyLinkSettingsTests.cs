using Ebpf.Examples.XdpProxy.Lab;

namespace Ebpf.Examples.Tests;

/// <summary>The cpumask text the lab writes to xps_cpus (no kernel needed).</summary>
public sealed class XdpProxyLinkSettingsTests
{
    [Theory]
    [InlineData(0, "1")]
    [InlineData(1, "2")]
    [InlineData(5, "20")]
    [InlineData(31, "80000000")]
    [InlineData(32, "1,00000000")]
    [InlineData(70, "40,00000000,00000000")]
    public void CpuMaskIsTheKernelsHexWithCommaSeparatedWords(int cpu, string mask) =>
        Assert.Equal(mask, LinkSettings.CpuMask(cpu));
}
