namespace Ebpf.Examples.XdpProxy.ControlPlane;

/// <summary>
/// Maglev consistent hashing (Eisenbud et al., NSDI 2016): every backend walks its own permutation
/// of the table's slots and the backends take turns claiming the next free slot of their walk. Each
/// backend ends up with almost exactly Size/N entries, and adding or removing one backend moves
/// only about 1/N of the entries, so few connections change backend.
/// </summary>
internal static class Maglev
{
    /// <summary>Table size, a prime; must equal MAGLEV_SIZE in xdp-proxy.bpf.c.</summary>
    public const int Size = 16381;

    /// <summary>
    /// Fills a table of <see cref="Size"/> entries with indexes into <paramref name="backendKeys"/>;
    /// -1 everywhere when there is no backend. The result depends only on the set of keys, not on
    /// their order, so the same backends always give the same table.
    /// </summary>
    public static int[] Build(IReadOnlyList<string> backendKeys, int size = Size)
    {
        var table = new int[size];
        Array.Fill(table, -1);
        var n = backendKeys.Count;
        if (n == 0)
            return table;

        // Take turns in a fixed order (sorted keys) so the outcome does not depend on the caller's order.
        var order = Enumerable.Range(0, n).OrderBy(i => backendKeys[i], StringComparer.Ordinal).ToArray();
        var offset = new long[n];
        var skip = new long[n];
        var next = new long[n];
        for (var i = 0; i < n; i++)
        {
            var key = backendKeys[order[i]];
            offset[i] = (long)(Fnv1a(key, 0xcbf29ce484222325UL) % (ulong)size);
            skip[i] = (long)(Fnv1a(key, 0x84222325cbf29ce4UL) % (ulong)(size - 1)) + 1;
        }

        var filled = 0;
        while (true)
        {
            for (var i = 0; i < n; i++)
            {
                long c;
                do
                {
                    c = (offset[i] + next[i] * skip[i]) % size;
                    next[i]++;
                } while (table[c] >= 0);
                table[c] = order[i];
                if (++filled == size)
                    return table;
            }
        }
    }

    /// <summary>64-bit FNV-1a with a chosen basis, so one key gives two independent hashes.</summary>
    private static ulong Fnv1a(string key, ulong basis)
    {
        var h = basis;
        foreach (var c in key)
        {
            h ^= c;
            h *= 0x100000001b3UL;
        }
        // FNV's low bits mix poorly for short keys: finish with a 64-bit avalanche.
        h ^= h >> 33;
        h *= 0xff51afd7ed558ccdUL;
        h ^= h >> 33;
        return h;
    }
}
