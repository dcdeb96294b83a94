using System.Runtime.InteropServices;

namespace Ebpf.Testing.Internal;

/// <summary>
/// The test kit's only P/Invokes (the runtime keeps its own in src/Runtime/Internal/Unix/Libc.cs, internal to it):
/// who the process is.
/// </summary>
internal static partial class TestingLibc
{
    [LibraryImport("libc", EntryPoint = "geteuid")]
    public static partial uint GetEuid();
}
