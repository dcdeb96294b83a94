using Ebpf.Runtime.Tests.AttachSupport;
using Ebpf.Runtime.Tests.LoaderSupport;
using Ebpf.TestKit;

namespace Ebpf.Runtime.Tests;

/// <summary>
/// The loader against libbpf (bpftool prog loadall) on the same object: every program must reference maps of the
/// same names, types, sizes, entries and flags, and the kernel must hold the same translated instructions
/// (map ids replaced by map names; source-line comments included, so func and line info must match too).
/// </summary>
[Collection(KernelCollection.Name)]
public sealed class LoaderOracleTests
{
    [Theory]
    [InlineData("rt_loader.bpf.c")]
    [InlineData("gen_maps.bpf.c")]
    [InlineData("attach_net.bpf.c")]
    [InlineData("attach_sockmap.bpf.c")]
    [InlineData("attach_trace.bpf.c")]
    public void Loads_like_libbpf(string source)
    {
        Kernel.RequireRoot();
        var path = TestObjects.Compile(source);
        using var pins = new BpfFs("oracle");
        var expected = BpftoolOracle.LoadAllWithLibbpf(path, pins.Path);
        Assert.NotEmpty(expected);

        using var obj = BpfObject.OpenFile(path);
        obj.Load();
        var actual = obj.Programs.ToDictionary(p => p.Name, p => BpftoolOracle.Describe(p.Id));

        Assert.Equal(expected.Keys.Order(), actual.Keys.Order());
        foreach (var program in obj.Programs)
        {
            var ours = actual[program.Name];
            var theirs = expected[program.Name];
            Assert.Equal(theirs.Type, ours.Type);
            Assert.Equal(theirs.Maps, ours.Maps);
            Assert.Equal(theirs.Xlated, ours.Xlated);
        }
    }
}
