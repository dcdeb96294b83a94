using System.Runtime.InteropServices;

namespace Ebpf.Internal;

/// <summary>
/// A shared mmap of a BPF map's memory (BPF_F_MMAPABLE arrays, ring buffers). Unmapped on dispose or, if
/// leaked, by the finalizer.
/// </summary>
internal sealed unsafe class MemoryMapping : SafeHandle
{
    private const int PROT_READ = 1, PROT_WRITE = 2, MAP_SHARED = 1;

    private MemoryMapping(nint address, nuint length, bool writable) : base(-1, ownsHandle: true)
    {
        SetHandle(address);
        Length = length;
        Writable = writable;
    }

    public nuint Length { get; }
    public bool Writable { get; }
    public byte* Pointer => (byte*)handle;
    public override bool IsInvalid => handle == -1;

    public static int PageSize => Environment.SystemPageSize;

    /// <summary>Maps <paramref name="length"/> bytes of <paramref name="fd"/> at <paramref name="offset"/>; null with errno on failure.</summary>
    public static MemoryMapping? Map(BpfFd fd, nuint length, bool writable, long offset, out int errno)
    {
        var address = Libc.Mmap(0, length, writable ? PROT_READ | PROT_WRITE : PROT_READ, MAP_SHARED, fd.Value, offset);
        if (address == -1)
        {
            errno = Marshal.GetLastPInvokeError();
            return null;
        }
        errno = 0;
        return new MemoryMapping(address, length, writable);
    }

    protected override bool ReleaseHandle() => Libc.Munmap(handle, Length) == 0;
}
