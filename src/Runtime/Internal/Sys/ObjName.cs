namespace Ebpf.Internal;

/// <summary>
/// The name field of BPF_MAP_CREATE and BPF_PROG_LOAD (char[16], cilium's sys.NewObjName): the kernel accepts at most
/// 15 characters from [A-Za-z0-9_.] and rejects the command for any other; libbpf drops the rest the same way.
/// </summary>
internal static unsafe class ObjName
{
    public const int Size = 16;

    /// <summary>Writes the kernel's form of <paramref name="name"/>, NUL-terminated, to the 16-byte field at <paramref name="destination"/>.</summary>
    public static void Write(byte* destination, string name)
    {
        var n = 0;
        foreach (var c in name)
        {
            if (n == Size - 1)
                break;
            if (char.IsAsciiLetterOrDigit(c) || c is '_' or '.')
                destination[n++] = (byte)c;
        }
        destination[n] = 0;
    }
}
