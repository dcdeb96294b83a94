using Ebpf.Examples.MeshAccel.Linux;
using Ebpf.Links;
using Ebpf.Programs;

namespace Ebpf.Examples.MeshAccel.Agent;

/// <summary>
/// The kernel half of the agent over <see cref="MeshAccelSkel"/>: loads the object with its maps pinned under
/// <see cref="PinLayout.Dir"/> (reusing pins a previous agent left), and attaches each program with a BPF link that is
/// pinned too, or adopts the pinned link when one is there. Disposing closes this process's descriptors only: the pins
/// keep interception going (fail closed) until <see cref="Uninstall"/>.
/// </summary>
internal sealed class MeshDataPlane : IDisposable
{
    private readonly List<BpfLink> links = [];

    private MeshDataPlane(MeshAccelSkel skel, PinLayout pins, string cgroup)
    {
        Skel = skel;
        Pins = pins;
        Cgroup = cgroup;
    }

    public MeshAccelSkel Skel { get; }
    public PinLayout Pins { get; }
    public string Cgroup { get; }

    /// <summary>Programs attached by this call, and programs whose pinned links a previous agent left and this one adopted.</summary>
    public List<string> Attached { get; } = [];
    public List<string> Adopted { get; } = [];

    public static MeshDataPlane Install(string cgroup, PinLayout pins, bool splice, IKernelCheck kernel, uint maxConnections = ConnectionLimits.Default,
                                        uint unspliceAfter = SplicePolicy.DefaultUnspliceAfter)
    {
        KernelRequirements.Check(kernel);
        cgroup = Cgroups.Check(cgroup);
        if (pins.InstalledCgroup is { } other && other != cgroup)
            throw new ToolException($"mesh-accel is already installed on cgroup {other} (pins in {pins.Dir}); run `mesh-accel uninstall` first, or run with --cgroup {other}");
        BpfFs.EnsureMounted(pins.Dir);
        Directory.CreateDirectory(pins.Links);

        MeshAccelSkel skel;
        try
        {
            skel = MeshAccelSkel.Open(new BpfObjectOptions { PinPath = pins.Dir });
        }
        catch (BpfException e)
        {
            throw new ToolException($"opening mesh-accel.bpf.c failed: {e.Message}");
        }
        var plane = new MeshDataPlane(skel, pins, cgroup);
        try
        {
            skel.Rodata.SpliceEnabled = splice ? 1u : 0u;
            ConnectionLimits.Apply(skel, maxConnections);
            SplicePolicy.Apply(skel, unspliceAfter);
            skel.Load();
            Directory.CreateDirectory(pins.StateDir);
            File.WriteAllText(pins.CgroupFile, cgroup + "\n");
            // The verdict program before sockops, so every socket that enters sock_hash is already handled; getsockopt
            // before connect, so no connection is redirected before its original destination can be asked for.
            plane.AttachOrAdopt("mesh_msg", skel.Programs.MeshMsg, () => skel.Programs.MeshMsg.AttachToMap(skel.Maps.SockHash));
            plane.AttachOrAdopt("mesh_getsockopt", skel.Programs.MeshGetsockopt, () => skel.Programs.MeshGetsockopt.AttachCgroup(cgroup));
            plane.AttachOrAdopt("mesh_sockops", skel.Programs.MeshSockops, () => skel.Programs.MeshSockops.AttachCgroup(cgroup));
            plane.AttachOrAdopt("mesh_connect4", skel.Programs.MeshConnect4, () => skel.Programs.MeshConnect4.AttachCgroup(cgroup));
            plane.AttachOrAdopt("mesh_connect6", skel.Programs.MeshConnect6, () => skel.Programs.MeshConnect6.AttachCgroup(cgroup));
            return plane;
        }
        catch (BpfException e)
        {
            plane.Dispose();
            throw new ToolException($"installing mesh-accel on {cgroup} failed: {e.Message}. What was attached before the failure stays pinned in {pins.Dir}; `mesh-accel uninstall` removes it");
        }
        catch
        {
            plane.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Attaches and pins, or adopts the link an earlier agent pinned: the pinned link is made to run this agent's program
    /// (BPF_LINK_UPDATE, an atomic swap: the hook is never without a program), so a new version of the agent brings its
    /// programs with it and a restart changes nothing else. The link itself, its pin and its place on the cgroup stay.
    /// The update opens only the pin, not the old program (BPF_PROG_GET_FD_BY_ID would need CAP_SYS_ADMIN, which the
    /// agent's DaemonSet does not give). The program ids go to <see cref="PinLayout.ProgramIdsFile"/>.
    /// </summary>
    private void AttachOrAdopt(string name, BpfProgram program, Func<BpfLink> attach)
    {
        var pin = Pins.Link(name);
        var ids = Pins.ReadProgramIds();
        if (File.Exists(pin))
        {
            BpfLink.UpdatePinned(pin, program);
            Adopted.Add(name);
        }
        else
        {
            var link = attach();
            links.Add(link);
            link.Pin(pin);
            Attached.Add(name);
        }
        ProgramIds[name] = ids[name] = program.Id;
        Pins.WriteProgramIds(ids);
    }

    /// <summary>Kernel ids of the programs attached or adopted (an adopted link runs this agent's program after the update).</summary>
    public Dictionary<string, uint> ProgramIds { get; } = [];

    /// <summary>
    /// Removes every pin under <paramref name="pins"/>: the links (the kernel detaches a link when its last reference,
    /// pin or descriptor, goes) and the maps. Returns what was removed.
    /// </summary>
    public static IReadOnlyList<string> Uninstall(PinLayout pins)
    {
        var removed = new List<string>();
        if (Directory.Exists(pins.StateDir))
            Directory.Delete(pins.StateDir, recursive: true);
        if (!Directory.Exists(pins.Dir))
            return removed;
        if (Directory.Exists(pins.Links))
        {
            foreach (var link in Directory.EnumerateFileSystemEntries(pins.Links))
            {
                File.Delete(link);
                removed.Add(link);
            }
            Directory.Delete(pins.Links);
        }
        foreach (var file in Directory.EnumerateFileSystemEntries(pins.Dir))
        {
            File.Delete(file);
            removed.Add(file);
        }
        Directory.Delete(pins.Dir);
        return removed;
    }

    public void Dispose()
    {
        foreach (var link in links)
            link.Dispose(); // closes our descriptor; the pin keeps the attachment
        links.Clear();
        Skel.Dispose();
    }
}
