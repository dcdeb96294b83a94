using Ebpf.Internal;

namespace Ebpf.Links;

/// <summary>Interface name to index in the calling thread's network namespace.</summary>
internal static class InterfaceIndex
{
    /// <summary>The index of <paramref name="name"/>; else an error that starts "cannot <paramref name="action"/>".</summary>
    public static int Of(string name, string action)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        var index = Libc.IfNameToIndex(name);
        return index != 0 ? (int)index
            : throw new BpfAttachException($"cannot {action}: no interface named '{name}' in this network namespace", Errno.ENODEV);
    }
}
