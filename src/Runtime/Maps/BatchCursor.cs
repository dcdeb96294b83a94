namespace Ebpf.Maps;

/// <summary>
/// Where a batched walk of a map (<see cref="MapBatch"/>'s LookupBatch and LookupAndDeleteBatch, on one-value and
/// per-CPU views) has got to. It holds the kernel's opaque resume token
/// (a bucket index for hash maps, the last key for arrays), so one cursor serves one walk of one map: create it
/// before the first batch, pass it to every call, stop when <see cref="IsDone"/>. <see cref="Reset"/> starts over.
/// </summary>
public sealed class MapBatchCursor
{
    // The kernel reads and writes the token with the map's key size (generic walk) or 4 bytes (hash bucket index).
    private byte[] token = new byte[8];

    /// <summary>True once a batch reached the end of the map: further calls return 0.</summary>
    public bool IsDone { get; internal set; }

    /// <summary>True after the first batch: the next call resumes from <see cref="Token"/>.</summary>
    internal bool Started { get; set; }

    /// <summary>The walk goes key by key (BPF_MAP_GET_NEXT_KEY) because the kernel has no batch command for it.</summary>
    internal bool PerKey { get; set; }

    /// <summary>Starts the walk again from the first entry.</summary>
    public void Reset()
    {
        IsDone = Started = PerKey = false;
        Array.Clear(token);
    }

    /// <summary>The token buffer, at least <paramref name="keySize"/> bytes (and 8 for the hash bucket index).</summary>
    internal byte[] Token(uint keySize)
    {
        if (token.Length < keySize)
            Array.Resize(ref token, (int)keySize);
        return token;
    }
}
