using Ebpf.Examples.Health;
using Ebpf.Examples.Sockredir.Linux;
using Ebpf.Links;

namespace Ebpf.Examples.Sockredir.Redirector;

/// <summary>
/// sockredir.bpf.c loaded through its generated <see cref="SockredirSkel"/> (Ebpf.Runtime), and the links that attach
/// it: created loaded, attached by <see cref="Attach"/>. Links are BPF links, which the kernel removes when the process
/// ends, however it ends (sockets already in the map stay redirected until they close; see docs/sockredir.md).
/// </summary>
internal sealed class SocketRedirector : IDisposable
{
    private readonly SockredirSkel skel;
    private readonly List<BpfLink> links = [];
    private string? attachedTo;

    public SocketRedirector(RedirectorOptions? options = null)
    {
        try
        {
            skel = SockredirSkel.Open();
        }
        catch (BpfException e)
        {
            throw new ToolException($"opening sockredir.bpf.c failed: {e.Message}");
        }
        try
        {
            // const volatile globals: set before Load, frozen after
            if (options?.PassPullMaxBytes is { } pull)
                skel.Rodata.PassPullMaxBytes = pull;
            if (options?.RedirectMaxBytes is { } max)
                skel.Rodata.RedirectMaxBytes = max;
            if (options?.DemoteAfterMessages is { } after)
                skel.Rodata.DemoteAfterMsgs = after;
            if (options?.DemoteBelowBytes is { } below)
                skel.Rodata.DemoteBelowBytes = below;
            skel.Load();
        }
        catch (BpfException e)
        {
            skel.Dispose();
            throw new ToolException($"loading sockredir.bpf.c failed: {e.Message}");
        }
    }

    /// <summary>
    /// Attaches sockredir_msg to sock_hash (BPF_SK_MSG_VERDICT), then sockredir_sockops to the cgroup v2 directory
    /// <paramref name="cgroup"/>: connections established afterwards by processes in that cgroup (or below it) are
    /// inserted and redirected. Detached again on Dispose.
    /// </summary>
    public void Attach(string cgroup)
    {
        if (links.Count > 0)
            throw new InvalidOperationException("already attached");
        if (!Directory.Exists(cgroup) || !File.Exists(Path.Combine(cgroup, "cgroup.procs")))
            throw new ToolException($"{cgroup} is not a cgroup v2 directory (the cgroup2 mount is {Cgroups.Root()})");
        try
        {
            // The verdict program first, so every socket that enters the map is already handled.
            links.Add(skel.Programs.SockredirMsg.AttachToMap(skel.Maps.SockHash));
            links.Add(skel.Programs.SockredirSockops.AttachCgroup(cgroup));
            attachedTo = cgroup;
        }
        catch (BpfException e)
        {
            DetachAll();
            throw new ToolException($"attaching to {cgroup} failed: {e.Message}");
        }
    }

    /// <summary>
    /// For --health: attached while both links are held and the kernel lists the sockops program on the cgroup (a link
    /// someone detached, or a cgroup removed under the agent, shows as not attached).
    /// </summary>
    public HealthReport Health()
    {
        if (links.Count < 2 || attachedTo is null)
            return new HealthReport(false, "sockredir_msg and sockredir_sockops are not attached");
        var id = skel.Programs.SockredirSockops.Id;
        if (!Directory.Exists(attachedTo) || !AttachedPrograms.OnCgroup(attachedTo, CgroupHook.SockOps).Any(p => p.Id == id))
            return new HealthReport(false, $"sockredir_sockops (program {id}) is no longer attached to {attachedTo}");
        return new HealthReport(true, $"sockredir_sockops (program {id}) attached to {attachedTo}, sockredir_msg to sock_hash; {SocketCount()} socket(s) in the map");
    }

    /// <summary>The program's counters, summed over CPUs.</summary>
    public RedirectorStats ReadStats() =>
        new(Enumerable.Range(0, RedirectorStats.Count)
            .Select(i => skel.Maps.Stats.Lookup((uint)i).Aggregate(0UL, (sum, v) => sum + v))
            .ToArray());

    /// <summary>Sockets currently in sock_hash (the kernel removes a socket when it closes).</summary>
    public int SocketCount() => skel.Maps.SockHash.Keys.Count();

    /// <summary>
    /// The sock_ops programs of others that run for <paramref name="cgroup"/>'s sockets, attached to it or inherited from
    /// a cgroup above it (two sockmap users on one cgroup steal each other's sockets).
    /// </summary>
    public IReadOnlyList<string> OtherSockOpsPrograms(string cgroup) =>
        AttachedPrograms.OnCgroup(cgroup, CgroupHook.SockOps, effective: true)
            .Where(p => p.Id != skel.Programs.SockredirSockops.Id).Select(p => p.ToString()).ToArray();

    public void Dispose()
    {
        DetachAll();
        skel.Dispose();
    }

    private void DetachAll()
    {
        foreach (var link in Enumerable.Reverse(links))
            link.Dispose();
        links.Clear();
        attachedTo = null;
    }
}
