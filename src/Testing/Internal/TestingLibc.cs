using System.Runtime.InteropServices;

namespace Ebpf.Testing.Internal;

/// <summary>
/// The test kit's only P/Invokes (the runtime keeps its own in src/Runtime/Internal/Unix/Libc.cs, internal to it):
/// who the process is, and joining a network namespace for <see cref="NetNamespace.Enter{T}"/>.
/// </summary>
internal static partial class TestingLibc
{
    /// <summary>CLONE_NEWNET: the namespace type setns checks the file against.</summary>
    public const int CloneNewNet = 0x40000000;

    [LibraryImport("libc", EntryPoint = "geteuid")]
    public static partial uint GetEuid();

    [LibraryImport("libc", EntryPoint = "setns", SetLastError = true)]
    public static partial int SetNs(int fd, int nstype);
}
