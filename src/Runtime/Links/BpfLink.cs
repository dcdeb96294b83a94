using Ebpf.Internal;
using Ebpf.Links;
using Ebpf.Programs;

namespace Ebpf.Links;

/// <summary>
/// One attachment of a program to a hook. Disposing it detaches the program.
/// </summary>
/// <remarks>
/// Almost every kind is a kernel bpf_link (<see cref="IsKernelLink"/>): the kernel detaches when the last
/// file descriptor to it closes, so a process that crashes or is killed leaves nothing attached, and the
/// SafeHandle finalizer detaches a link that was never disposed. The exceptions are attachments the kernel
/// has no link for (socket filters, sockmap programs on kernels before 6.10): those are detached on
/// <see cref="Dispose"/> and otherwise live as long as the socket or map they are attached to.
/// </remarks>
public sealed class BpfLink : IDisposable
{
    private readonly BpfFd? fd;
    private readonly BpfFd[] owned;
    private Action? fallbackDetach;
    private int disposed;

    internal BpfLink(BpfProgram program, string description, BpfFd? linkFd, Action? fallbackDetach = null, params BpfFd[] owned)
    {
        Program = program;
        Description = description;
        fd = linkFd;
        this.fallbackDetach = fallbackDetach;
        this.owned = owned;
        if (linkFd is not null && LinkSyscalls.Info(linkFd) is { } info)
            Id = info.Id;
        program.Track(this);
    }

    /// <summary>The program this link attaches (after <see cref="Update"/>, the new one).</summary>
    public BpfProgram Program { get; private set; }

    /// <summary>What is attached where, e.g. "xdp 'xdp_pass' on ifindex 4 (native)".</summary>
    public string Description { get; }

    /// <summary>True for a kernel bpf_link (detached automatically when the process ends); false for the legacy fallbacks.</summary>
    public bool IsKernelLink => fd is not null;

    /// <summary>The kernel's link id (as in <c>bpftool link show</c>); 0 when <see cref="IsKernelLink"/> is false.</summary>
    public uint Id { get; }

    /// <summary>False once disposed.</summary>
    public bool IsAttached => Volatile.Read(ref disposed) == 0;

    /// <summary>The link's file descriptor, for BPF_LINK_UPDATE or pinning by callers who need it; -1 when not a kernel link.</summary>
    public int Fd => fd?.Value ?? -1;

    /// <summary>
    /// Pins the link at <paramref name="path"/> in a BPF file system (e.g. /sys/fs/bpf/myapp/xdp). A pinned
    /// link stays attached after <see cref="Dispose"/> and after the process ends, until the pin file is
    /// deleted: the way to leave a program attached on purpose.
    /// </summary>
    public void Pin(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (fd is null)
            throw new BpfAttachException($"cannot pin {Description}: it is not a kernel bpf_link (the kernel has no link for this hook), so there is nothing to pin");
        ObjectDisposedException.ThrowIf(!IsAttached, this);
        var errno = Sys.ObjPin(fd, path);
        if (errno != 0)
            throw new BpfAttachException($"cannot pin {Description} at {path}: {Errno.Describe(errno)}" + errno switch
            {
                Errno.EEXIST => "; the path exists already",
                Errno.ENOENT or Errno.EPERM => "; the directory must exist in a mounted BPF file system (mount -t bpf bpf /sys/fs/bpf)",
                _ => "",
            }, errno);
        GC.KeepAlive(this);
    }

    /// <summary>
    /// Opens the link pinned at <paramref name="path"/> (by this or another process) to inspect it, update it or
    /// unpin it. Disposing the returned link closes only this descriptor: the pin keeps the program attached until
    /// the pin file is deleted. Its <see cref="Program"/> is the attached program, known by its kernel name only.
    /// Throws <see cref="BpfAttachException"/> when nothing is pinned there or the pin is a map or program.
    /// </summary>
    public static BpfLink OpenPinned(string path) => PinnedLinkOpener.Open(path);

    /// <summary>
    /// Makes the link run <paramref name="program"/> instead (BPF_LINK_UPDATE): the kernel swaps the programs atomically,
    /// so the hook is never without one, and the attachment (its pin, its place among a cgroup's programs) stays. The
    /// program needs the link's program type and attach type. Cgroup, XDP, tcx, netns and (6.10+) sockmap links can
    /// be updated; tracing and perf-event links cannot.
    /// </summary>
    public void Update(BpfProgram program)
    {
        ArgumentNullException.ThrowIfNull(program);
        if (fd is null)
            throw new BpfAttachException($"cannot update {Description}: it is not a kernel bpf_link (the kernel has no link for this hook); detach it and attach {program.Describe()}");
        ObjectDisposedException.ThrowIf(!IsAttached, this);
        LinkUpdater.Update(fd, program, Description);
        Program.Untrack(this);
        Program = program;
        program.Track(this);
    }

    /// <summary>
    /// <see cref="Update"/> for the link pinned at <paramref name="path"/>, by this or another process: what an agent
    /// does to the links an earlier version of it left pinned, to run its own programs without a moment unattached.
    /// Needs only the pin and the program: unlike <see cref="OpenPinned"/> it does not open the attached program
    /// (BPF_PROG_GET_FD_BY_ID, which needs CAP_SYS_ADMIN).
    /// </summary>
    public static void UpdatePinned(string path, BpfProgram program)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(program);
        using var link = PinnedLinkOpener.OpenLinkFd(path);
        LinkUpdater.Update(link, program, $"the link pinned at {path}");
    }

    public override string ToString() => Description;

    /// <summary>Detaches the program from the hook.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref disposed, 1) != 0)
            return;
        try
        {
            Interlocked.Exchange(ref fallbackDetach, null)?.Invoke();
        }
        finally
        {
            fd?.Dispose();
            foreach (var o in owned)
                o.Dispose();
            Program.Untrack(this);
        }
    }
}
