using Ebpf.Btf;
using Ebpf.Errors;
using Ebpf.Internal;
using Ebpf.Links;

namespace Ebpf.Loader;

/// <summary>
/// BPF_BTF_LOAD of the object's .BTF (as the reader fixed it up). With it, maps carry their key/value types
/// and programs their func/line info, so verifier logs quote C source lines and bpftool prints typed maps.
/// </summary>
internal static unsafe class ObjectBtfLoader
{
    /// <summary>The BTF's fd, or null with the reason when the kernel refused it (the object then loads without BTF, as with libbpf).</summary>
    public static BpfFd? TryLoad(BtfSpec btf, string objectName, BpfObjectOptions options, out string? refusal)
    {
        var raw = btf.RawBytes;
        BpfFd? fd;
        int errno;
        string log;
        fixed (byte* data = raw)
        {
            var address = (ulong)data;
            fd = VerifierLog.Run((byte* buf, uint size, uint level, out int e, out uint trueSize) =>
            {
                var attr = new BtfLoadAttr { Btf = address, BtfSize = (uint)raw.Length, BtfLogBuf = (ulong)buf, BtfLogSize = size, BtfLogLevel = level };
                var r = Sys.BtfLoad(ref attr, out e);
                trueSize = attr.BtfLogTrueSize;
                return r;
            }, options.VerifierLogLevel, options.VerifierLogSize, out errno, out log);
        }
        if (fd is not null)
        {
            refusal = null;
            return fd;
        }
        if (errno is Errno.EPERM or Errno.EACCES)
            throw new BpfException(
                $"cannot load the BTF of object '{objectName}' (BPF_BTF_LOAD): {Errno.Describe(errno)}; {Privileges.Explain("CAP_BPF")}",
                errno, "BPF_BTF_LOAD", objectName);
        refusal = $"the kernel refused the object's BTF (BPF_BTF_LOAD: {Errno.Describe(errno)})"
                  + (log.Length > 0 ? ":\n" + VerifierLog.Tail(log, 6) : "");
        return null;
    }
}
