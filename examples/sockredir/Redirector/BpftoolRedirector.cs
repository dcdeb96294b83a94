using System.Text.Json;
using Ebpf.Examples.Sockredir.Linux;

namespace Ebpf.Examples.Sockredir.Redirector;

/// <summary>
/// TEMPORARY development harness, used only until the generated SockredirSkel over Ebpf.Runtime is available:
/// loads the object with bpftool (programs and maps pinned under a per-process bpffs directory), attaches
/// with `bpftool cgroup attach` / `bpftool prog attach`, and reads maps through bpftool. Unlike the skeleton's
/// BPF links, these attachments outlive a killed process: the cgroup keeps its sock_ops program until it is
/// detached or the cgroup is removed. A later instance detaches what a dead one left (see <see cref="SweepDead"/>).
/// </summary>
internal sealed class BpftoolRedirector : IRedirector
{
    private const string Prefix = "sockredir-";
    private readonly string pinDir;
    private string? attachedCgroup;
    private bool msgAttached;

    public BpftoolRedirector(string objectPath)
    {
        if (!File.Exists(objectPath))
            throw new ToolException($"kernel program {objectPath} not found: build the project first (dotnet build examples/sockredir)");
        var bpffs = EnsureBpfFs();
        SweepDead(bpffs);
        pinDir = Path.Combine(bpffs, Prefix + Environment.ProcessId);
        if (Directory.Exists(pinDir))
            throw new ToolException($"{pinDir} exists: another redirector in this process is loaded; dispose it first");
        Directory.CreateDirectory(pinDir);
        try
        {
            Shell.Run("bpftool", "prog", "loadall", objectPath, Path.Combine(pinDir, "progs"), "pinmaps", Path.Combine(pinDir, "maps"));
        }
        catch
        {
            Directory.Delete(pinDir, recursive: true);
            throw;
        }
    }

    public static string DefaultObjectPath => Path.Combine(AppContext.BaseDirectory, "sockredir.bpf.o");

    public bool DetachesWhenKilled => false;

    public void Attach(string cgroup)
    {
        if (attachedCgroup is not null)
            throw new InvalidOperationException($"already attached to {attachedCgroup}");
        if (!Directory.Exists(cgroup) || !File.Exists(Path.Combine(cgroup, "cgroup.procs")))
            throw new ToolException($"{cgroup} is not a cgroup v2 directory (the cgroup2 mount is {Cgroups.Root()})");
        // The verdict program first, so every socket that enters the map is already handled.
        Shell.Run("bpftool", "prog", "attach", "pinned", Prog("sockredir_msg"), "msg_verdict", "pinned", Map("sock_hash"));
        msgAttached = true;
        // "multi": coexist with other sock_ops programs on the cgroup instead of failing (callers warn about them).
        Shell.Run("bpftool", "cgroup", "attach", cgroup, "sock_ops", "pinned", Prog("sockredir_sockops"), "multi");
        attachedCgroup = cgroup;
        // Remembered outside bpffs (which holds only BPF objects) so a later run can detach if this process is killed.
        File.WriteAllText(StateFile(Environment.ProcessId), cgroup);
    }

    public RedirectorStats ReadStats()
    {
        var values = new ulong[RedirectorStats.Count];
        using var doc = JsonDocument.Parse(Shell.Run("bpftool", "-j", "map", "dump", "pinned", Map("stats")));
        foreach (var entry in doc.RootElement.EnumerateArray())
        {
            var key = (int)ToUInt64(entry.GetProperty("key"));
            if (key < values.Length)
                foreach (var cpu in entry.GetProperty("values").EnumerateArray())
                    values[key] += ToUInt64(cpu.GetProperty("value"));
        }
        return new RedirectorStats(values);
    }

    public int SocketCount()
    {
        using var doc = JsonDocument.Parse(Shell.Run("bpftool", "-j", "map", "dump", "pinned", Map("sock_hash")));
        return doc.RootElement.GetArrayLength();
    }

    public IReadOnlyList<string> OtherSockOpsPrograms(string cgroup)
    {
        var ours = ProgramId(Prog("sockredir_sockops"));
        var json = Shell.Run("bpftool", "-j", "cgroup", "show", cgroup);
        if (string.IsNullOrWhiteSpace(json))
            return []; // bpftool prints nothing at all for a cgroup without programs
        using var doc = JsonDocument.Parse(json);
        return doc.RootElement.EnumerateArray()
            .Where(p => p.GetProperty("attach_type").GetString() == "cgroup_sock_ops" && p.GetProperty("id").GetInt32() != ours)
            .Select(p => $"{p.GetProperty("name").GetString()} (id {p.GetProperty("id").GetInt32()})")
            .ToArray();
    }

    public void Dispose()
    {
        if (attachedCgroup is not null && Directory.Exists(attachedCgroup))
            Shell.TryRun("bpftool", "cgroup", "detach", attachedCgroup, "sock_ops", "pinned", Prog("sockredir_sockops"));
        if (msgAttached)
            Shell.TryRun("bpftool", "prog", "detach", "pinned", Prog("sockredir_msg"), "msg_verdict", "pinned", Map("sock_hash"));
        attachedCgroup = null;
        msgAttached = false;
        File.Delete(StateFile(Environment.ProcessId));
        if (Directory.Exists(pinDir))
            Directory.Delete(pinDir, recursive: true); // unpinning frees the programs and the map
    }

    /// <summary>Detaches and unpins what redirectors of processes that no longer exist left behind.</summary>
    private static void SweepDead(string bpffs)
    {
        foreach (var dir in Directory.EnumerateDirectories(bpffs, Prefix + "*"))
        {
            if (!int.TryParse(Path.GetFileName(dir)[Prefix.Length..], out var pid) || Directory.Exists($"/proc/{pid}"))
                continue;
            var state = StateFile(pid);
            if (File.Exists(state) && File.ReadAllText(state) is { Length: > 0 } cgroup && Directory.Exists(cgroup))
                Shell.TryRun("bpftool", "cgroup", "detach", cgroup, "sock_ops", "pinned", Path.Combine(dir, "progs", "sockredir_sockops"));
            File.Delete(state);
            Directory.Delete(dir, recursive: true);
        }
    }

    private static string EnsureBpfFs()
    {
        const string bpffs = "/sys/fs/bpf";
        if (!File.ReadAllText("/proc/self/mounts").Contains($" {bpffs} bpf "))
            Shell.Run("mount", "-t", "bpf", "bpf", bpffs);
        return bpffs;
    }

    private static string StateFile(int pid) => Path.Combine(Path.GetTempPath(), $"{Prefix}{pid}.cgroup");

    private string Prog(string name) => Path.Combine(pinDir, "progs", name);

    private string Map(string name) => Path.Combine(pinDir, "maps", name);

    private static int ProgramId(string pinned)
    {
        using var doc = JsonDocument.Parse(Shell.Run("bpftool", "-j", "prog", "show", "pinned", pinned));
        return doc.RootElement.GetProperty("id").GetInt32();
    }

    // bpftool prints map keys and values as arrays of hex byte strings ("0x2a"), or as numbers when it formats them with BTF.
    private static ulong ToUInt64(JsonElement e)
    {
        if (e.ValueKind == JsonValueKind.Number)
            return e.GetUInt64();
        ulong v = 0;
        var i = 0;
        foreach (var b in e.EnumerateArray())
            v |= (ulong)Convert.ToByte(b.GetString(), 16) << (8 * i++);
        return v;
    }
}
