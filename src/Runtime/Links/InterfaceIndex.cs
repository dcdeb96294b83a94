using System.Runtime.InteropServices;

namespace Ebpf.Links;

/// <summary>Interface name to index in the calling thread's network namespace.</summary>
internal static partial class InterfaceIndex
{
    /// <summary>The index of <paramref name="name"/>; else an error that starts "cannot <paramref name="action"/>".</summary>
    public static int Of(string name, string action)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        var index = IfNameToIndex(name);
        return index != 0 ? (int)index
            : throw new BpfAttachException($"cannot {action}: no interface named '{name}' in this network namespace", Errno.ENODEV);
    }

    [LibraryImport("libc", EntryPoint = "if_nametoindex", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial uint IfNameToIndex(string name);
}
