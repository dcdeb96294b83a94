using System.CommandLine;
using Ebpf.Examples.Cli;
using Ebpf.Examples.Tcptop.Cgroups;
using Ebpf.Examples.Tcptop.Kernel;

namespace Ebpf.Examples.Tcptop.Commands;

/// <summary>Options both commands have: how large the kernel maps are, and which BTF to check the kernel against.</summary>
internal sealed class CommonOptions
{
    public readonly Option<int> MaxProcesses = Positive("--max-processes", 16384, "Entries of the per-process kernel map; inserts into a full map are counted (tcptop_map_failed_inserts_total)");
    public readonly Option<int> MaxCgroups = Positive("--max-cgroups", 4096, "Entries of the per-cgroup kernel map");
    public readonly Option<int> MaxConnections = Positive("--max-connections", 16384, "Entries of the per-connection kernel map (top --by connection)");
    public readonly Option<string?> CgroupRoot = new("--cgroup-root") { Description = "The cgroup v2 hierarchy to name cgroups from (default: where cgroup2 is mounted; in a pod, the host's, mounted at a path of its own such as /host/cgroup)", HelpName = "DIR" };
    public readonly Option<string?> KernelBtf = new("--kernel-btf") { Description = "Check the kernel against this BTF file instead of /sys/kernel/btf/vmlinux (also used for CO-RE)", HelpName = "FILE" };

    public void AddTo(Command command)
    {
        command.Add(MaxProcesses);
        command.Add(MaxCgroups);
        command.Add(MaxConnections);
        command.Add(KernelBtf);
        command.Add(CgroupRoot);
    }

    /// <summary>Cgroup names read below --cgroup-root, or below the mounted cgroup2 hierarchy.</summary>
    public CgroupNames Names(ParseResult p) => new(p.GetValue(CgroupRoot));

    public TracerOptions Tracer(ParseResult p, bool trackConnections) => new()
    {
        MaxProcesses = p.GetValue(MaxProcesses),
        MaxCgroups = p.GetValue(MaxCgroups),
        MaxConnections = p.GetValue(MaxConnections),
        TrackConnections = trackConnections,
        KernelBtfPath = p.GetValue(KernelBtf),
    };

    /// <summary>A whole number of at least 1, read the same in every culture (InvariantOptions).</summary>
    public static Option<int> Positive(string name, int fallback, string description, params string[] aliases)
    {
        var o = InvariantOptions.Number(name, description, 1, int.MaxValue, fallback);
        foreach (var a in aliases)
            o.Aliases.Add(a);
        return o;
    }
}
