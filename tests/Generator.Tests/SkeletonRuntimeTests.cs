using System.Reflection;
using System.Runtime.Loader;
using Ebpf.Generator.Tests.Harness;
using Ebpf.Maps;
using Ebpf.TestKit;

namespace Ebpf.Generator.Tests;

/// <summary>
/// Generated skeletons run against the real runtime: compiled with a probe (tests/Generator.Tests/Probes),
/// loaded, and called. Opening needs no privileges; loading needs root and the kernel.
/// </summary>
[Collection(KernelCollection.Name)]
public class SkeletonRuntimeTests
{
    [Fact]
    public void GlobalsReadTheObjectsInitialValuesWithoutLoading() =>
        Assert.Equal("8080 80 1 1 2 0.5 -3 GenProtoUdp 3 7 1 9 42 4 20 0",
                     Probe("gen_globals.bpf.c", "GenGlobalsProbe", "InitialValues"));

    [Fact]
    public void EveryTypedMapViewAcceptsItsMapWhenOpened()
    {
        const string expected = "flows events_by_slot counters per_cpu_values lru lru_percpu routes sock_hash sock_map ringbuf " +
                                "perf_events devices cpus jumps inner_one tables table_array sized_only queue";
        var opened = Probe("gen_maps.bpf.c", "GenMapsProbe", "OpenAll");
        Assert.Equal(expected.Split(' ').Order(StringComparer.Ordinal), opened.Split(' ').Order(StringComparer.Ordinal));
    }

    /// <summary>DEVMAP_HASH gets the DevMap view (docs/skeletons.md), so the runtime's DevMap must accept it.</summary>
    [Fact]
    public void DevMapHashOpensAsDevMap()
    {
        var input = ObjectInput.ForTestObject("gen_devmap_hash.bpf.c");
        var skeleton = GeneratorHarness.Run(input).SingleSource;
        Assert.Contains("public global::Ebpf.Maps.DevMap DevicesById { get; }", skeleton);
        var context = new AssemblyLoadContext("devmap-hash", isCollectible: true);
        try
        {
            var assembly = TestCompiler.Load(TestCompiler.Create("DevMapHash", withRuntime: true, skeleton), context);
            var type = assembly.GetType($"{input.Namespace}.{input.SkeletonName}", throwOnError: true)!;
            var open = type.GetMethod("Open", [typeof(ReadOnlyMemory<byte>), type.GetMethod("OpenFile")!.GetParameters()[1].ParameterType])!;
            try
            {
                using var skel = (IDisposable)open.Invoke(null, [new ReadOnlyMemory<byte>(Convert.FromBase64String(input.Text)), null])!;
            }
            catch (TargetInvocationException e) when (e.InnerException is not null)
            {
                Assert.Fail($"opening a skeleton with a DEVMAP_HASH map failed: {e.InnerException.Message}");
            }
        }
        finally
        {
            context.Unload();
        }
    }

    [Fact]
    public void RodataIsSetBeforeLoadAndTheProgramSeesIt()
    {
        Kernel.RequireRoot();
        Assert.Equal("1000 True True InvalidOperationException", Probe("gen_globals.bpf.c", "GenGlobalsProbe", "LoadAndRun"));
    }

    [Fact]
    public void StructKeysAndBitfieldValuesRoundTripThroughTheKernel()
    {
        Kernel.RequireRoot();
        Assert.Equal("64 10 2000 5 -3 True ABCDEF0123 GenProtoUdp 7 42 x 9 3 xdp_count",
                     Probe("gen_maps.bpf.c", "GenMapsProbe", "LoadAndRoundTrip"));
    }

    private static string Probe(string cFile, string probeClass, string method)
    {
        var input = ObjectInput.ForTestObject(cFile);
        var skeleton = GeneratorHarness.Run(input).SingleSource;
        var probe = File.ReadAllText(Path.Combine(RepoPaths.Root, "tests", "Generator.Tests", "Probes", cFile.Replace(".bpf.c", ".probe.cs")));
        var context = new AssemblyLoadContext("probe-" + cFile, isCollectible: true);
        try
        {
            var assembly = TestCompiler.Load(TestCompiler.Create("Probe" + probeClass, withRuntime: true, skeleton, probe), context);
            var type = assembly.GetType($"{input.Namespace}.{probeClass}", throwOnError: true)!;
            try
            {
                return (string)type.GetMethod(method)!.Invoke(null, [Convert.FromBase64String(input.Text)])!;
            }
            catch (TargetInvocationException e) when (e.InnerException is not null)
            {
                throw new InvalidOperationException($"{probeClass}.{method} threw: {e.InnerException}", e.InnerException);
            }
        }
        finally
        {
            context.Unload();
        }
    }
}
