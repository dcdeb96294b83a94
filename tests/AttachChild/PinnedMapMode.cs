using Ebpf;
using Ebpf.Maps;

namespace Ebpf.AttachChild;

/// <summary>
/// The second process of the pinned-map sharing test (tests/Runtime.Tests/PinningSharedTests.cs): loads the
/// same object with the same pin path, so its LIBBPF_PIN_BY_NAME map rt_shared is the one the test pinned,
/// prints "SEEN &lt;value of key 1&gt; &lt;map id&gt;", stores the value plus 1000 under key 1 and exits.
/// </summary>
internal static class PinnedMapMode
{
    public const string Name = "pinned-map";

    public static int Run(string objectPath, string pinDir)
    {
        using var obj = BpfObject.OpenFile(objectPath, new BpfObjectOptions { PinPath = pinDir });
        obj.Load();
        var map = obj.GetMap("rt_shared");
        var shared = new HashMap<uint, ulong>(map);
        if (!shared.TryLookup(1, out var value))
        {
            Console.Error.WriteLine($"map rt_shared (id {map.Id}) under {pinDir} has no key 1: it is not the map the test wrote");
            return 1;
        }
        Console.WriteLine($"SEEN {value} {map.Id}");
        shared.Update(1, value + 1000);
        return 0;
    }
}
