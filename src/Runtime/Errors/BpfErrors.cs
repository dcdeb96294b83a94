using Ebpf.Internal;
using Ebpf.Links;
using Ebpf.Maps;
using Ebpf.Object;

namespace Ebpf.Errors;

/// <summary>
/// Turns an errno from a map or object operation into a <see cref="BpfException"/> whose message says what
/// failed and why. The errno names come from the one table the attach side uses (<see cref="Errno"/>).
/// </summary>
internal static class BpfErrors
{
    public static BpfException MapOperation(string operation, string mapName, int errno, string? detail = null)
    {
        var text = $"{operation} on map '{mapName}' failed: {Errno.Describe(errno)}";
        if (detail is not null)
            text += "; " + detail;
        else if (errno is Errno.EPERM or Errno.EACCES)
            text += "; " + Privileges.Explain("CAP_BPF");
        return new BpfException(text, errno, operation, mapName);
    }

    public static BpfException MapCreate(MapSpec spec, int errno)
    {
        var head = $"BPF_MAP_CREATE for map '{spec.Name}' ({spec.Type}, key {spec.KeySize} B, value {spec.ValueSize} B, "
                 + $"{spec.MaxEntries} entries, flags 0x{spec.Flags:x}) failed: {Errno.Describe(errno)}";
        var why = errno switch
        {
            Errno.EPERM or Errno.EACCES => Privileges.Explain(NeedsNetAdmin(spec.Type) ? "CAP_BPF and CAP_NET_ADMIN" : "CAP_BPF"),
            Errno.EINVAL => "the kernel refuses this combination of type, sizes, entries and flags (or does not know the map type)",
            Errno.ENOMEM => "the kernel could not allocate the map: lower max_entries, or raise RLIMIT_MEMLOCK on kernels before 5.11",
            Errno.E2BIG => "key or value size is too large for this map type",
            Errno.EOPNOTSUPP or Errno.ENOTSUPP => "this kernel does not support the map type or one of its flags",
            _ => null,
        };
        return new BpfException(why is null ? head : head + "; " + why, errno, "BPF_MAP_CREATE", spec.Name);
    }

    // The kernel asks for CAP_NET_ADMIN on top of CAP_BPF for the networking map types.
    private static bool NeedsNetAdmin(MapType type) => type is MapType.SockMap or MapType.SockHash or MapType.DevMap
        or MapType.DevMapHash or MapType.CpuMap or MapType.XskMap or MapType.ReuseportSockArray;

    /// <summary>The capabilities BPF_PROG_LOAD needs for a program type, for EPERM messages.</summary>
    public static string ProgramCapabilities(ProgramType type) => type switch
    {
        ProgramType.Kprobe or ProgramType.Tracepoint or ProgramType.RawTracepoint or ProgramType.RawTracepointWritable
            or ProgramType.Tracing or ProgramType.PerfEvent or ProgramType.Lsm => "CAP_BPF and CAP_PERFMON",
        ProgramType.SocketFilter or ProgramType.CgroupSkb => "CAP_BPF",
        _ => "CAP_BPF and CAP_NET_ADMIN",
    };
}
