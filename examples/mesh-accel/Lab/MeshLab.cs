using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Ebpf.Examples.MeshAccel.Linux;
using Ebpf.Examples.MeshAccel.Mesh;

namespace Ebpf.Examples.MeshAccel.Lab;

/// <summary>How the lab's meshed pods are intercepted.</summary>
internal enum LabMode
{
    /// <summary>No rules in the pods: `mesh-accel run` does the interception.</summary>
    Ebpf,
    /// <summary>istio-iptables' rules in each meshed pod: the baseline.</summary>
    Iptables,
}

/// <summary>
/// Brings a lab up and down (<see cref="LabLayout"/>). All traffic stays in the lab's namespaces: the hosts are cabled to a
/// bridge in the node's namespace, which is the lab's own, never the caller's. Up never leaves half a lab: a failure
/// takes down what was made.
/// </summary>
internal sealed class MeshLab(LabLayout layout)
{
    public LabLayout Layout { get; } = layout;

    public static bool Exists(string prefix) => File.Exists(Path.Combine("/run/netns", $"{prefix}-node"));

    public void Up(LabMode mode)
    {
        if (Layout.All.Any(h => File.Exists(Path.Combine("/run/netns", h.Netns))) || Directory.Exists(Layout.MeshCgroup))
            throw new ToolException($"a lab with prefix '{Layout.Prefix}' (or part of one) already exists: run `mesh-accel lab down --prefix {Layout.Prefix}` first");
        try
        {
            Directory.CreateDirectory(Layout.WorkDir);
            Directory.CreateDirectory(Layout.MeshCgroup);
            foreach (var h in Layout.All.Where(h => h.Cgroup is not null))
                Directory.CreateDirectory(h.Cgroup!);
            Network();
            foreach (var h in Layout.Cabled)
                AppServer.Start(Layout, h);
            foreach (var pod in Layout.MeshedPods)
            {
                HaproxySidecar.Start(pod, Layout.HostDir(pod));
                if (mode == LabMode.Iptables)
                    IstioIptables.Install(pod.Netns, PodPolicy.From(pod.ToPod()), Layout.HostDir(pod));
            }
            File.WriteAllText(Path.Combine(Layout.WorkDir, "mode"), mode.ToString().ToLowerInvariant());
            WritePodsFile();
        }
        catch when (Environment.GetEnvironmentVariable("MESH_LAB_KEEP_FAILED") != "1")
        {
            Down();
            throw;
        }
    }

    /// <summary>The lab's pods in the pods-file format, where `run --pods-from lab` finds them.</summary>
    public void WritePodsFile(IEnumerable<PodSpec>? pods = null)
    {
        var file = LabLayout.PodsFile(Layout.Prefix);
        Directory.CreateDirectory(Path.GetDirectoryName(file)!);
        var list = new PodList { Pods = (pods ?? Layout.Pods.Select(p => p.ToPod())).ToArray() };
        // Written aside and renamed, so a reader never sees half a file.
        File.WriteAllText(file + ".tmp", JsonSerializer.Serialize(list, MeshJson.Default.PodList));
        File.Move(file + ".tmp", file, overwrite: true);
    }

    /// <summary>Stops every process, removes every namespace, cgroup and file of the lab. Idempotent; returns what it removed.</summary>
    public IReadOnlyList<string> Down()
    {
        var removed = new List<string>();
        foreach (var h in Layout.Cabled)
        {
            HaproxySidecar.Stop(Layout.HostDir(h));
            AppServer.Stop(Layout.HostDir(h));
        }
        foreach (var h in Layout.All)
        {
            if (!File.Exists(Path.Combine("/run/netns", h.Netns)))
                continue;
            NetNs.Delete(h.Netns);
            removed.Add($"netns {h.Netns}");
        }
        if (Directory.Exists(Layout.MeshCgroup))
        {
            Cgroups.Remove(Layout.MeshCgroup);
            removed.Add($"cgroup {Layout.MeshCgroup}");
        }
        if (Directory.Exists(Layout.WorkDir))
            Directory.Delete(Layout.WorkDir, recursive: true);
        if (File.Exists(LabLayout.PodsFile(Layout.Prefix)))
            File.Delete(LabLayout.PodsFile(Layout.Prefix));
        return removed;
    }

    public static LabMode? ModeOf(LabLayout layout)
    {
        var file = Path.Combine(layout.WorkDir, "mode");
        return File.Exists(file) && Enum.TryParse<LabMode>(File.ReadAllText(file).Trim(), ignoreCase: true, out var m) ? m : null;
    }

    public string Describe(LabMode mode)
    {
        var sb = new StringBuilder();
        sb.AppendLine($"lab '{Layout.Prefix}' ({mode} mode): bridge {LabLayout.Bridge} in namespace {Layout.Node.Netns} ({Layout.Node.Ipv4}, {Layout.Node.Ipv6}); cgroup {Layout.MeshCgroup}");
        foreach (var h in Layout.Cabled)
            sb.AppendLine($"  {h.Role,-7} netns {h.Netns,-22} {h.Ipv4,-12} {h.Ipv6,-14} " +
                          (h.Sidecar ? "sidecar haproxy (uid 1337) :15001 :15006" : h.Cgroup is null ? "outside the mesh cgroup (another node)" : "no sidecar") +
                          (h.Annotations.Count > 0 ? "  " + string.Join(' ', h.Annotations.Select(a => $"{a.Key[PodPolicy.AnnotationPrefix.Length..]}={a.Value}")) : ""));
        sb.AppendLine($"  apps: nginx on :{string.Join(", :", LabLayout.AppPorts)} in every pod and remote, answering \"app=NAME port=P peer=ADDR\"");
        if (mode == LabMode.Ebpf)
            sb.AppendLine($"intercept with: mesh-accel run --cgroup {Layout.MeshCgroup} --pods-from lab --lab {Layout.Prefix}");
        sb.AppendLine($"try: ip netns exec {Layout.Pods[0].Netns} curl -s http://{Layout.Pods[Math.Min(1, Layout.Pods.Count - 1)].Ipv4}/   (and see {HaproxySidecar.LogPath(Layout.HostDir(Layout.Pods[0]))})");
        return sb.ToString();
    }

    private void Network()
    {
        var node = Layout.Node.Netns;
        NetNs.Add(node);
        Tool.Run("ip", "-n", node, "link", "add", LabLayout.Bridge, "type", "bridge");
        Tool.Run("ip", "-n", node, "link", "set", LabLayout.Bridge, "up");
        // A switch does not run bridged frames through the IP firewall; where br_netfilter is present it would (-e: absent is fine).
        Tool.InNetns(node, "sysctl", "-q", "-e", "-w", "net.bridge.bridge-nf-call-iptables=0", "net.bridge.bridge-nf-call-ip6tables=0");
        AddAddresses(node, LabLayout.Bridge, Layout.Node);
        foreach (var h in Layout.Cabled)
        {
            NetNs.Add(h.Netns);
            Tool.Run("ip", "-n", node, "link", "add", h.Role, "type", "veth", "peer", "name", LabHost.Interface, "netns", h.Netns);
            Tool.Run("ip", "-n", node, "link", "set", h.Role, "master", LabLayout.Bridge, "up");
            AddAddresses(h.Netns, LabHost.Interface, h);
            Tool.Run("ip", "-n", h.Netns, "link", "set", LabHost.Interface, "up");
        }
    }

    private static void AddAddresses(string netns, string dev, LabHost h)
    {
        Tool.Run("ip", "-n", netns, "addr", "add", $"{h.Ipv4}/{LabLayout.PrefixLength4}", "dev", dev);
        // nodad: usable at once, no duplicate-address detection wait.
        Tool.Run("ip", "-n", netns, "addr", "add", $"{h.Ipv6}/{LabLayout.PrefixLength6}", "dev", dev, "nodad");
    }

    /// <summary>The lab's hosts and ports as a reader of a pods file cannot see them: for messages.</summary>
    public static string FamilyName(AddressFamily f) => f == AddressFamily.InterNetwork ? "IPv4" : "IPv6";
}
