using Microsoft.Win32.SafeHandles;

namespace Ebpf.Internal;

/// <summary>
/// A file descriptor the kernel handed out for a BPF object (map, program, link, BTF). Closing it
/// drops our reference; the kernel frees the object when nothing else (a pin, an attachment) holds it.
/// The SafeHandle finalizer closes descriptors that were leaked. 0 is a valid descriptor (CI may run
/// with standard input closed), so only -1 counts as invalid.
/// </summary>
internal sealed class BpfFd : SafeHandleMinusOneIsInvalid
{
    public BpfFd(int fd) : base(ownsHandle: true) => SetHandle(fd);

    /// <summary>The raw descriptor, for a bpf_attr field. Valid while this handle is alive.</summary>
    public int Value => (int)handle;

    protected override bool ReleaseHandle() => Libc.Close((int)handle) == 0;
}
