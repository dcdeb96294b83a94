using System.Runtime.InteropServices;

namespace Ebpf.Links;

/// <summary>Interface name to index in the calling thread's network namespace.</summary>
internal static partial class InterfaceIndex
{
    public static int Of(string name, string forWhat)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        var index = IfNameToIndex(name);
        return index != 0 ? (int)index
            : throw new BpfAttachException($"cannot attach {forWhat}: no interface named '{name}' in this network namespace", Errno.ENODEV);
    }

    [LibraryImport("libc", EntryPoint = "if_nametoindex", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial uint IfNameToIndex(string name);
}
