using System.Text;

namespace Ebpf.Internal;

/// <summary>
/// BTF objects the kernel holds (vmlinux's and each module's), found by name through BPF_BTF_GET_NEXT_ID,
/// BPF_BTF_GET_FD_BY_ID and the name in bpf_btf_info: BPF_PROG_LOAD takes a module's BTF as attach_btf_obj_fd.
/// </summary>
internal static unsafe class BtfObjects
{
    // struct bpf_btf_info: btf (u64), btf_size, id, name (u64), name_len, kernel_btf.
    private const int InfoSize = 32, NameOffset = 16, NameLenOffset = 24, KernelBtfOffset = 28;

    /// <summary>An fd for the kernel BTF object named <paramref name="module"/> (e.g. "nf_conntrack").</summary>
    public static BpfFd OpenKernelModule(string module)
    {
        uint id = 0;
        var lastErrno = 0;
        while (true)
        {
            var errno = Sys.BtfGetNextId(id, out id);
            if (errno != 0)
            {
                if (errno != Errno.ENOENT)
                    lastErrno = errno;
                break;
            }
            var handle = Sys.BtfGetFdById(id, out errno);
            if (handle is null)
            {
                lastErrno = errno; // unloaded meanwhile (ENOENT) or not permitted
                continue;
            }
            if (IsKernelBtfNamed(handle, module))
                return handle;
            handle.Dispose();
        }
        throw new BpfException(
            $"the BTF of kernel module '{module}' is not among the kernel's BTF objects"
            + (lastErrno is Errno.EPERM or Errno.EACCES ? ": listing them needs CAP_SYS_ADMIN; run as root"
               : ": was the module unloaded? (lsmod, modprobe " + module + ")"),
            lastErrno == 0 ? Errno.ENOENT : lastErrno, "BPF_BTF_GET_FD_BY_ID", module);
    }

    private static bool IsKernelBtfNamed(BpfFd btf, string module)
    {
        var name = stackalloc byte[64];
        var info = stackalloc byte[InfoSize];
        new Span<byte>(info, InfoSize).Clear();
        *(ulong*)(info + NameOffset) = (ulong)name;
        *(uint*)(info + NameLenOffset) = 64;
        if (Sys.ObjGetInfoByFd(btf, info, InfoSize) != 0 || *(uint*)(info + KernelBtfOffset) == 0)
            return false;
        var span = new ReadOnlySpan<byte>(name, 64);
        var end = span.IndexOf((byte)0);
        return Encoding.ASCII.GetString(end < 0 ? span : span[..end]) == module;
    }
}
