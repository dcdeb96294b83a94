using Ebpf.Examples.Sockredir.Linux;
using Ebpf.Object;

namespace Ebpf.Examples.Sockredir.Redirector;

/// <summary>
/// The redirector over the generated <see cref="SockredirSkel"/> (Ebpf.Runtime): the object embedded in this
/// assembly, loaded once; attachments are BPF links, which the kernel removes when the process ends, however
/// it ends (sockets already in the map stay redirected until they close; see docs/sockredir.md).
/// </summary>
internal sealed class SkeletonRedirector : IRedirector
{
    private readonly SockredirSkel skel;
    private readonly List<BpfLink> links = [];

    public SkeletonRedirector(RedirectorOptions? options = null)
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
        }
        catch (BpfException e)
        {
            DetachAll();
            throw new ToolException($"attaching to {cgroup} failed: {e.Message}");
        }
    }

    public RedirectorStats ReadStats() =>
        new(Enumerable.Range(0, RedirectorStats.Count)
            .Select(i => skel.Maps.Stats.Lookup((uint)i).Aggregate(0UL, (sum, v) => sum + v))
            .ToArray());

    public int SocketCount() => skel.Maps.SockHash.Keys.Count();

    public IReadOnlyList<string> OtherSockOpsPrograms(string cgroup) =>
        AttachedPrograms.OnCgroup(cgroup, AttachType.CgroupSockOps, effective: true)
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
    }
}
