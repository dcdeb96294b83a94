using System.Runtime.InteropServices;

namespace Ebpf.Internal;

/// <summary>
/// The one place that enters the kernel through bpf(2). libc's <c>syscall()</c> is used because libc
/// has no bpf() wrapper; the syscall number differs per architecture. Only the typed wrappers in this
/// folder (<see cref="Sys"/>, <see cref="MapSyscalls"/>, <see cref="LinkSyscalls"/>, ...) call it: the rest
/// of the runtime names a command and its attribute struct, never a raw (command, pointer, size).
/// SyscallLayerTests fails when a call appears anywhere else.
/// </summary>
internal static unsafe class BpfSyscall
{
    private static readonly nint number = RuntimeInformation.ProcessArchitecture switch
    {
        Architecture.X64 => 321,
        Architecture.Arm64 => 280,
        var other => throw new PlatformNotSupportedException(
            $"bpf(2) syscall number unknown for {other}; Ebpf.Runtime supports x86_64 and arm64"),
    };

    /// <summary>
    /// Calls bpf(cmd, attr, size). Returns the non-negative result, or -1 with <paramref name="errno"/> set.
    /// No allocation: <paramref name="attr"/> points at a blittable attribute block on the caller's stack.
    /// </summary>
    public static int Call(BpfCommand cmd, void* attr, int size, out int errno)
    {
        var result = Libc.Syscall(number, (nint)cmd, (nint)attr, size, 0, 0);
        errno = result < 0 ? Marshal.GetLastPInvokeError() : 0;
        return (int)result;
    }

    /// <summary>Same as <see cref="Call(BpfCommand, void*, int, out int)"/> for an attribute struct.</summary>
    public static int Call<TAttr>(BpfCommand cmd, ref TAttr attr, out int errno) where TAttr : unmanaged
    {
        fixed (TAttr* p = &attr)
            return Call(cmd, p, sizeof(TAttr), out errno);
    }
}
