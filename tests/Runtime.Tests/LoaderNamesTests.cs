using Ebpf.Loader;

namespace Ebpf.Runtime.Tests;

/// <summary>Names and versions the loader derives, checked without a kernel (the oracle tests check them against libbpf).</summary>
public sealed class LoaderNamesTests
{
    [Theory]
    [InlineData("rt_loader", ".rodata", "rt_loade.rodata")]
    [InlineData("rt_loader", ".bss", "rt_loade.bss")]
    [InlineData("xdp-proxy", ".data", "xdp_prox.data")]
    [InlineData("rt_loader", ".data.custom", ".data.custom")]
    [InlineData("gen_maps", ".rodata.cst16", ".rodata.cst16")]
    [InlineData("x", ".rodata.a_very_long_name", ".rodata.a_very_")]
    public void Data_maps_are_named_like_libbpf(string obj, string section, string expected) =>
        Assert.Equal(expected, LoaderNames.DataMapName(obj, section));

    [Theory]
    [InlineData("/tmp/xdp_proxy.bpf.o", "xdp_proxy")]
    [InlineData("rt_loader-1234.o", "rt_loader-1234")]
    [InlineData("Ebpf.Objects.gen_maps.bpf.o", "gen_maps")]
    public void Object_names_come_from_the_file_or_resource(string path, string expected) =>
        Assert.Equal(expected, LoaderNames.ObjectName(path));

    [Theory]
    [InlineData("6.18.44-fc-v657", (6u << 16) + (18u << 8) + 44u)]
    [InlineData("5.10.300", (5u << 16) + (10u << 8) + 255u)]
    [InlineData("6.1", (6u << 16) + (1u << 8))]
    public void Kernel_versions_encode_like_KERNEL_VERSION(string release, uint expected) =>
        Assert.Equal(expected, KernelVersion.Parse(release));
}
