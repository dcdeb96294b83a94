using System.Runtime.InteropServices;
using Ebpf.Internal;
using Ebpf.Object;
using Ebpf.Programs;

namespace Ebpf.Links;

/// <summary>
/// XDP through a bpf_link (BPF_LINK_CREATE, attach type BPF_XDP): the program comes off the interface when
/// the link's last descriptor closes, also when the process dies. An interface that already has a program
/// is refused with a description of that program, unless the caller asked to replace it.
/// </summary>
internal static partial class XdpAttach
{
    public static BpfLink Attach(BpfProgram program, int ifindex, XdpAttachMode mode, bool replace)
    {
        if (program.Spec.ExpectedAttachType is AttachType.XdpDevMap or AttachType.XdpCpuMap)
            throw new BpfAttachException(
                $"{program.Describe()} is a {program.Spec.ExpectedAttachType} program: it runs from a devmap/cpumap entry, "
                + "so store its fd in the map's value instead of attaching it to an interface");
        if (!Enum.IsDefined(mode))
            throw new ArgumentOutOfRangeException(nameof(mode), mode, "unknown XDP attach mode");
        var name = InterfaceName(ifindex)
            ?? throw new BpfAttachException($"cannot attach {program.Describe()}: no interface with index {ifindex} in this network namespace",
                                            Errno.ENODEV);
        if (replace)
            RemoveExisting(ifindex, name);

        var attr = new LinkCreateAttr
        {
            ProgFd = program.Handle.Value,
            Target = ifindex,
            AttachType = (uint)AttachType.Xdp,
            Flags = (uint)mode,
        };
        var link = LinkSyscalls.Create(ref attr, out var errno);
        GC.KeepAlive(program);
        if (link is null)
            throw new BpfAttachException(Explain(program, ifindex, name, mode, errno), errno);
        var actual = mode != XdpAttachMode.Default ? mode : ModeOf(ifindex, program.Id);
        return new BpfLink(program, $"xdp '{program.Name}' on {name} (ifindex {ifindex}, {actual.ToString().ToLowerInvariant()})", link);
    }

    /// <summary>After a Default attach: which mode the kernel chose.</summary>
    private static XdpAttachMode ModeOf(int ifindex, uint progId)
    {
        try
        {
            var s = NetlinkXdp.Query(ifindex);
            return s.DriverProgramId == progId ? XdpAttachMode.Native
                 : s.GenericProgramId == progId ? XdpAttachMode.Generic
                 : s.OffloadProgramId == progId ? XdpAttachMode.Offload : XdpAttachMode.Default;
        }
        catch (IOException)
        {
            return XdpAttachMode.Default;
        }
    }

    /// <summary>Takes every XDP program off the interface: detaches its bpf_link if one holds it, else unsets it through netlink.</summary>
    private static void RemoveExisting(int ifindex, string name)
    {
        var state = NetlinkXdp.Query(ifindex);
        foreach (var (progId, flag) in new[] { (state.DriverProgramId, XdpAttachMode.Native), (state.GenericProgramId, XdpAttachMode.Generic),
                                               (state.OffloadProgramId, XdpAttachMode.Offload) })
        {
            if (progId == 0)
                continue;
            using var owner = FindLink(ifindex, progId, out _);
            if (owner is not null)
            {
                if (!LinkSyscalls.Detach(owner, out var errno))
                    throw new BpfAttachException(
                        $"cannot replace XDP program {progId} on {name}: detaching the bpf_link that holds it failed ({Errno.Describe(errno)})", errno);
            }
            else
            {
                try
                {
                    NetlinkXdp.Detach(ifindex, (uint)flag);
                }
                catch (NetlinkException e)
                {
                    throw new BpfAttachException($"cannot replace XDP program {progId} on {name}: {e.Message}", e.Errno, e);
                }
            }
        }
    }

    /// <summary>The bpf_link (if any) that holds program <paramref name="progId"/> on <paramref name="ifindex"/>.</summary>
    private static BpfFd? FindLink(int ifindex, uint progId, out uint linkId)
    {
        linkId = 0;
        foreach (var id in LinkSyscalls.AllIds())
        {
            var fd = LinkSyscalls.OpenById(id, out _);
            if (fd is null)
                continue;
            var info = LinkSyscalls.Info(fd);
            if (info is { Type: LinkSyscalls.LinkTypeXdp } i && i.IfIndex == (uint)ifindex && i.ProgramId == progId)
            {
                linkId = id;
                return fd;
            }
            fd.Dispose();
        }
        return null;
    }

    private static string Explain(BpfProgram program, int ifindex, string name, XdpAttachMode mode, int errno)
    {
        var head = $"cannot attach {program.Describe()} to {name} (ifindex {ifindex}, {mode.ToString().ToLowerInvariant()} mode): {Errno.Describe(errno)}";
        if (mode == XdpAttachMode.Offload)
            return head + $"; XDP offload runs the program on the NIC and needs a device that offers it (e.g. Netronome nfp) "
                        + $"and a program loaded for that device: {name} does not offer offload. Use XdpAttachMode.Native or Generic";
        switch (errno)
        {
            case Errno.EBUSY or Errno.EEXIST:
                return head + "; " + DescribeExisting(ifindex, name)
                            + ". Pass replace: true to take its place, or detach it first";
            case Errno.EOPNOTSUPP or Errno.ENOTSUPP when mode == XdpAttachMode.Native:
                return head + $"; the driver of {name} has no native XDP: use XdpAttachMode.Generic";
            case Errno.ERANGE:
                return head + $"; the MTU of {name} (or its veth peer) is too large for native XDP (about 3.5 KB on veth): lower it or use XdpAttachMode.Generic";
            case Errno.EINVAL when program.Spec.ExpectedAttachType != AttachType.Xdp && program.Spec.ExpectedAttachType != 0:
                return head + $"; the program was loaded for {program.Spec.ExpectedAttachType}, not for an interface";
            case Errno.EPERM or Errno.EACCES:
                return head + "; attaching XDP needs CAP_NET_ADMIN and CAP_BPF (run as root)";
            default:
                return head;
        }
    }

    /// <summary>"it already has XDP program 42 in native mode, held by bpf_link 7 (another process)".</summary>
    private static string DescribeExisting(int ifindex, string name)
    {
        XdpState s;
        try
        {
            s = NetlinkXdp.Query(ifindex);
        }
        catch (IOException)
        {
            return $"{name} already has an XDP program";
        }
        var parts = new List<string>();
        foreach (var (id, what) in new[] { (s.DriverProgramId, "native"), (s.GenericProgramId, "generic"), (s.OffloadProgramId, "offload") })
        {
            if (id == 0)
                continue;
            using var link = FindLink(ifindex, id, out var linkId);
            parts.Add($"program {id} in {what} mode, " + (link is not null
                ? $"held by bpf_link {linkId}"
                : $"attached through netlink (e.g. `ip link set dev {name} xdp ...`)"));
        }
        return parts.Count == 0
            ? $"{name} already has an XDP program in another mode (native and generic cannot be mixed)"
            : $"{name} already has XDP {string.Join("; ", parts)}";
    }

    /// <summary>The interface's name in the caller's network namespace, or null when the index is unknown.</summary>
    public static string? InterfaceName(int ifindex)
    {
        Span<byte> buf = stackalloc byte[16];
        unsafe
        {
            fixed (byte* p = buf)
                if (Libc.IfIndexToName((uint)ifindex, p) == 0)
                    return null;
        }
        var len = buf.IndexOf((byte)0);
        return System.Text.Encoding.ASCII.GetString(buf[..(len < 0 ? 16 : len)]);
    }
}
