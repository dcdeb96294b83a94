using Ebpf.Maps;

namespace Ebpf.Runtime.Tests;

/// <summary>What the batch map tests (one value per key and per-CPU) share.</summary>
internal static class BatchTestSupport
{
    /// <summary>Runs <paramref name="body"/> with the key-by-key fallback forced or not, and always unforces it.</summary>
    public static void Run(bool perKey, Action body)
    {
        MapBatch.ForcePerKey = perKey;
        try
        {
            body();
        }
        finally
        {
            MapBatch.ForcePerKey = false;
        }
    }

    /// <summary><paramref name="count"/> distinct keys spread out (i * 3 + offset), so a hash map's buckets hold several.</summary>
    public static uint[] Keys(int count, uint offset = 7) => Enumerable.Range(0, count).Select(i => (uint)i * 3 + offset).ToArray();
}
