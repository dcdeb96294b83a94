using System.Text.Json;

namespace Ebpf.Examples.Sockredir.Linux;

/// <summary>A BPF program attached to a cgroup.</summary>
internal sealed record CgroupProgram(uint Id, string Name)
{
    public override string ToString() => $"{Name} (id {Id})";
}

/// <summary>
/// Which sock_ops programs a cgroup has, for the "two sockmap users on one cgroup" warning. Ebpf.Runtime has no
/// BPF_PROG_QUERY API yet, so this asks bpftool when it is installed; without it the check is skipped (the
/// redirector works the same, only the warning is missing).
/// </summary>
internal static class CgroupPrograms
{
    public static IReadOnlyList<CgroupProgram> SockOps(string cgroup)
    {
        Shell.Result r;
        try
        {
            r = Shell.TryRun("bpftool", "-j", "cgroup", "show", cgroup);
        }
        catch (ToolException)
        {
            return []; // no bpftool: no warning
        }
        if (r.ExitCode != 0 || string.IsNullOrWhiteSpace(r.Stdout))
            return []; // bpftool prints nothing for a cgroup without programs
        using var doc = JsonDocument.Parse(r.Stdout);
        return doc.RootElement.EnumerateArray()
            .Where(p => p.GetProperty("attach_type").GetString() == "cgroup_sock_ops")
            .Select(p => new CgroupProgram(p.GetProperty("id").GetUInt32(), p.GetProperty("name").GetString() ?? "?"))
            .ToArray();
    }
}
