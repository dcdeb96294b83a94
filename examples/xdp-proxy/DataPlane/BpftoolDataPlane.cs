using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using Ebpf.Examples.XdpProxy.Linux;

namespace Ebpf.Examples.XdpProxy.DataPlane;

/// <summary>
/// TEMPORARY development harness, used only until the generated XdpProxySkel over Ebpf.Runtime is
/// available: loads the object with bpftool (programs and maps pinned under a per-process bpffs
/// directory), attaches with `ip link set ... xdp`, and reads and writes maps through bpftool.
/// Unlike the skeleton's BPF links, an `ip`-attached program survives a killed process.
/// </summary>
internal sealed class BpftoolDataPlane : IDataPlane
{
    private const string BpfFs = "/sys/fs/bpf";
    private readonly string pinDir;
    private readonly List<(string Iface, string? Netns, string Kind)> attached = [];

    public BpftoolDataPlane(string objectPath)
    {
        if (!File.Exists(objectPath))
            throw new ToolException($"kernel program {objectPath} not found: build the project first (dotnet build examples/xdp-proxy)");
        if (!File.ReadAllText("/proc/self/mounts").Contains($" {BpfFs} bpf "))
            Shell.Run("mount", "-t", "bpf", "bpf", BpfFs);
        pinDir = Path.Combine(BpfFs, $"xdp-proxy-{Environment.ProcessId}");
        Directory.CreateDirectory(pinDir);
        Shell.Run("bpftool", "prog", "loadall", objectPath, Path.Combine(pinDir, "progs"), "pinmaps", Path.Combine(pinDir, "maps"));
    }

    public static string DefaultObjectPath => Path.Combine(AppContext.BaseDirectory, "xdp-proxy.bpf.o");

    public int MaxBackends => 64;

    public void Attach(string iface, string? netns, XdpMode mode)
    {
        try
        {
            if (mode == XdpMode.Native && VethPeer.Find(iface, netns) is { } peer && !VethPeer.HasXdp(peer.Name, peer.Netns))
            {
                IpLink(peer.Netns, "set", "dev", peer.Name, "xdpdrv", "pinned", Path.Combine(pinDir, "progs", "xdp_pass"));
                attached.Add((peer.Name, peer.Netns, "xdpdrv"));
            }
            IpLink(netns, "set", "dev", iface, Kind(mode), "pinned", Path.Combine(pinDir, "progs", "xdp_proxy"));
        }
        catch (ToolException e) when (mode == XdpMode.Native)
        {
            throw new ToolException(AttachErrors.Native(iface, e.Message));
        }
        attached.Add((iface, netns, Kind(mode)));
    }

    public void WriteConfig(BalancerConfig config) => Update("config", 0, config);

    public void WriteBackend(int slot, BackendEntry entry) => Update("backends", (uint)slot, entry);

    public void WriteMaglev(IReadOnlyList<KeyValuePair<int, uint>> changes)
    {
        if (changes.Count == 0)
            return;
        var batch = Path.Combine(Path.GetTempPath(), $"xdp-proxy-{Environment.ProcessId}.batch");
        var sb = new StringBuilder();
        foreach (var (index, value) in changes)
            sb.Append("map update pinned ").Append(MapPath("maglev")).Append(" key hex ").Append(Hex((uint)index))
              .Append(" value hex ").Append(Hex(value)).Append('\n');
        File.WriteAllText(batch, sb.ToString());
        try
        {
            Shell.Run("bpftool", "batch", "file", batch);
        }
        finally
        {
            File.Delete(batch);
        }
    }

    public BackendCounters ReadCounters(int slot) =>
        PerCpu("backend_stats", (uint)slot).Select(v => MemoryMarshal.Read<BackendCounters>(v)).Aggregate(default(BackendCounters), (a, b) => a + b);

    public ulong ReadStat(ProgramStat stat) =>
        PerCpu("stats", (uint)stat).Aggregate(0UL, (sum, v) => sum + BitConverter.ToUInt64(v));

    public bool DetachesWhenKilled => false; // `ip link set xdp` attaches through netlink, not a BPF link

    public XdpTestResult TestRun(byte[] frame)
    {
        var input = Path.Combine(Path.GetTempPath(), $"xdp-proxy-{Environment.ProcessId}-{Environment.CurrentManagedThreadId}.in");
        var output = input[..^3] + ".out";
        File.WriteAllBytes(input, frame);
        try
        {
            var report = Shell.Run("bpftool", "prog", "run", "pinned", Path.Combine(pinDir, "progs", "xdp_proxy"),
                "data_in", input, "data_out", output, "data_size_out", "4096");
            var m = System.Text.RegularExpressions.Regex.Match(report, @"Return value: (\d+)");
            if (!m.Success)
                throw new ToolException($"unexpected output from bpftool prog run: {report}");
            return new XdpTestResult((XdpVerdict)int.Parse(m.Groups[1].Value), File.ReadAllBytes(output));
        }
        finally
        {
            File.Delete(input);
            File.Delete(output);
        }
    }

    public TimeSpan ProgramRunTime
    {
        get
        {
            var info = JsonDocument.Parse(Shell.Run("bpftool", "-j", "prog", "show", "pinned", Path.Combine(pinDir, "progs", "xdp_proxy"))).RootElement;
            return info.TryGetProperty("run_time_ns", out var ns) ? TimeSpan.FromTicks(ns.GetInt64() / 100) : TimeSpan.Zero;
        }
    }

    public void Dispose()
    {
        foreach (var (iface, netns, kind) in Enumerable.Reverse(attached))
            NetNs.Run(netns, () => Shell.TryRun("ip", "link", "set", "dev", iface, kind, "off"));
        attached.Clear();
        if (Directory.Exists(pinDir))
            Directory.Delete(pinDir, recursive: true); // unpinning frees programs and maps
    }

    private static string Kind(XdpMode mode) => mode == XdpMode.Native ? "xdpdrv" : "xdpgeneric";

    private string MapPath(string map) => Path.Combine(pinDir, "maps", map);

    private void Update<T>(string map, uint key, T value) where T : unmanaged
    {
        var bytes = MemoryMarshal.AsBytes(new ReadOnlySpan<T>(in value)).ToArray();
        Shell.Run("bpftool", ["map", "update", "pinned", MapPath(map), "key", "hex", .. Hex(key).Split(' '), "value", "hex", .. bytes.Select(b => b.ToString("x2"))]);
    }

    private IEnumerable<byte[]> PerCpu(string map, uint key)
    {
        var json = JsonDocument.Parse(Shell.Run("bpftool", ["-j", "map", "lookup", "pinned", MapPath(map), "key", "hex", .. Hex(key).Split(' ')])).RootElement;
        return json.GetProperty("values").EnumerateArray()
            .Select(v => v.GetProperty("value").EnumerateArray().Select(b => Convert.ToByte(b.GetString(), 16)).ToArray())
            .ToArray();
    }

    private static string Hex(uint v) => string.Join(' ', BitConverter.GetBytes(v).Select(b => b.ToString("x2")));

    // Not `ip -n`: that remounts /sys for the namespace and hides the pins under /sys/fs/bpf. A child
    // started from a thread inside the namespace is in it too, and sees this process's mounts.
    private static void IpLink(string? netns, params string[] args) =>
        NetNs.Run(netns, () => Shell.Run("ip", ["link", .. args]));
}
