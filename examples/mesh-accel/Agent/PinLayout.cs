namespace Ebpf.Examples.MeshAccel.Agent;

/// <summary>
/// Where an installed mesh-accel lives: in the BPF file system its maps (pinned by name, LIBBPF_PIN_BY_NAME) and one pinned
/// link per program under links/; beside it in /run (bpffs holds only BPF objects and directories) the cgroup the links are
/// attached to and the running agent's pid. Pins are what make the agent fail closed: they keep the programs attached
/// and the maps alive while no agent runs; a new agent adopts them.
/// </summary>
internal sealed record PinLayout(string Dir)
{
    public const string DefaultDir = "/sys/fs/bpf/mesh-accel";

    public string Links => Path.Combine(Dir, "links");
    public string Link(string program) => Path.Combine(Links, program);
    public string Map(string name) => Path.Combine(Dir, name);

    /// <summary>/run/mesh-accel/&lt;pin dir with / as _&gt;: plain files of this installation.</summary>
    public string StateDir => Path.Combine("/run/mesh-accel/installs", Dir.Trim('/').Replace('/', '_'));
    public string CgroupFile => Path.Combine(StateDir, "cgroup");
    public string AgentPidFile => Path.Combine(StateDir, "agent.pid");

    /// <summary>
    /// "name id" per attached program: the kernel ids of the programs behind the pinned links. Kept because telling
    /// which attached program is mesh-accel's by the kernel's name needs CAP_SYS_ADMIN (BPF_PROG_GET_FD_BY_ID), which the
    /// agent and the cleanup Job do not get; listing the ids on a cgroup needs only CAP_NET_ADMIN.
    /// </summary>
    public string ProgramIdsFile => Path.Combine(StateDir, "programs");

    /// <summary>The recorded program ids (empty when nothing is recorded).</summary>
    public Dictionary<string, uint> ReadProgramIds()
    {
        var ids = new Dictionary<string, uint>();
        if (File.Exists(ProgramIdsFile))
            foreach (var line in File.ReadAllLines(ProgramIdsFile))
                if (line.Split(' ') is [var name, var id] && uint.TryParse(id, out var value))
                    ids[name] = value;
        return ids;
    }

    public void WriteProgramIds(IReadOnlyDictionary<string, uint> ids) =>
        File.WriteAllLines(ProgramIdsFile, ids.Select(kv => $"{kv.Key} {kv.Value}"));

    public bool Installed => Directory.Exists(Links) && Directory.EnumerateFileSystemEntries(Links).Any();

    /// <summary>The cgroup the installed programs are attached to, or null.</summary>
    public string? InstalledCgroup => Installed && File.Exists(CgroupFile) ? File.ReadAllText(CgroupFile).Trim() : null;

    /// <summary>
    /// The pid of a running agent of this installation, or null. Never this process: in a container the agent was pid 1
    /// of its own PID namespace, and so is `uninstall` in the cleanup Job's.
    /// </summary>
    public int? RunningAgent =>
        File.Exists(AgentPidFile) && int.TryParse(File.ReadAllText(AgentPidFile).Trim(), out var pid) && pid != Environment.ProcessId && Posix.Alive(pid)
        && File.Exists($"/proc/{pid}/cmdline") && File.ReadAllText($"/proc/{pid}/cmdline").Contains("mesh-accel", StringComparison.Ordinal) ? pid : null;
}
