using System.Text;
using Ebpf.Examples.XdpProxy.Linux;

namespace Ebpf.Examples.XdpProxy.Lab;

/// <summary>
/// Brings the lab up and down. All traffic stays inside the lab's namespaces: the hosts are cabled
/// to a bridge in a namespace of its own, and nothing is connected to the caller's namespace.
/// </summary>
internal sealed class LabNetwork(LabLayout layout)
{
    public LabLayout Layout { get; } = layout;

    public bool Exists => File.Exists(Path.Combine("/run/netns", Layout.Switch));

    public void Up()
    {
        if (Layout.Namespaces.Any(ns => File.Exists(Path.Combine("/run/netns", ns))))
            throw new ToolException($"a lab with prefix '{Layout.Prefix}' (or part of one) already exists: run `lab down --prefix {Layout.Prefix}` first");
        try
        {
            CreateNetwork();
            foreach (var be in Layout.Backends)
                Nginx.Start(be.Netns, Layout.WorkDir(be), NginxConfig.Backend(Layout.WorkDir(be), be.Role, LabLayout.Port));
        }
        catch
        {
            Down(); // never leave half a lab behind
            throw;
        }
    }

    /// <summary>Removes every process, namespace (and with them every link) and scratch directory of the lab. Idempotent.</summary>
    public IReadOnlyList<string> Down()
    {
        var removed = new List<string>();
        foreach (var host in Layout.Hosts)
            Nginx.Stop(Layout.WorkDir(host));
        foreach (var ns in Layout.Namespaces)
        {
            if (!File.Exists(Path.Combine("/run/netns", ns)))
                continue;
            KillRemainingProcesses(ns);
            Tool.Run("ip", "netns", "delete", ns);
            removed.Add(ns);
        }
        foreach (var host in Layout.Hosts)
            if (Directory.Exists(Layout.WorkDir(host)))
                Directory.Delete(Layout.WorkDir(host), recursive: true);
        return removed;
    }

    public string Describe()
    {
        var sb = new StringBuilder();
        sb.AppendLine($"lab '{Layout.Prefix}': bridge {LabLayout.Bridge} in namespace {Layout.Switch}, subnet /{Layout.PrefixLength}");
        foreach (var h in Layout.Hosts)
            sb.AppendLine($"  {h.Role,-7} netns {h.Netns,-14} {LabHost.Interface} {h.Address,-12} {h.Mac}" +
                          (Layout.Backends.Contains(h) ? $"  nginx :{LabLayout.Port} answers \"{h.Role}\"" : ""));
        sb.AppendLine($"  VIP     {Layout.Vip}:{LabLayout.Port} (on {Layout.Balancer.Netns})");
        sb.AppendLine($"run the balancer: xdp-proxy run --netns {Layout.Balancer.Netns} --iface {LabHost.Interface} --vip {Layout.Vip} --port {LabLayout.Port} " +
                      string.Join(' ', Layout.Backends.Select(b => $"--backend {b.Address}")));
        return sb.ToString();
    }

    private void CreateNetwork()
    {
        Tool.Run("ip", "netns", "add", Layout.Switch);
        Tool.Run("ip", "-n", Layout.Switch, "link", "add", LabLayout.Bridge, "type", "bridge");
        Tool.Run("ip", "-n", Layout.Switch, "link", "set", LabLayout.Bridge, "up");
        // The bridge stands for an Ethernet switch. Where br_netfilter is loaded (or built in, as on
        // the development kernel) every new namespace starts with bridge-nf-call-* = 1, which runs
        // each bridged frame through the IP/ARP firewall hooks even without a rule (br_nf_* showed up
        // prominently in perf profiles of the benchmark), paid per bridge crossing, for every path.
        // A switch does no such thing. -e: nothing to do where the module is absent.
        Tool.InNetns(Layout.Switch, "sysctl", "-q", "-e", "-w", "net.bridge.bridge-nf-call-iptables=0",
            "net.bridge.bridge-nf-call-ip6tables=0", "net.bridge.bridge-nf-call-arptables=0");
        foreach (var h in Layout.Hosts)
        {
            Tool.Run("ip", "netns", "add", h.Netns);
            // The bridge side is named after the role; the host side is eth0 with a fixed MAC. One
            // queue per CPU on both ends: native XDP on a veth runs in the receiving queue's NAPI, so
            // with a single queue only one CPU at a time can run the balancer.
            var queues = Environment.ProcessorCount.ToString(System.Globalization.CultureInfo.InvariantCulture);
            Tool.Run("ip", "-n", Layout.Switch, "link", "add", h.Role, "numtxqueues", queues, "numrxqueues", queues, "type", "veth",
                "peer", "name", LabHost.Interface, "numtxqueues", queues, "numrxqueues", queues, "netns", h.Netns, "address", h.Mac);
            Tool.Run("ip", "-n", Layout.Switch, "link", "set", h.Role, "master", LabLayout.Bridge, "up");
            Tool.Run("ip", "-n", h.Netns, "link", "set", "lo", "up");
            Tool.Run("ip", "-n", h.Netns, "addr", "add", $"{h.Address}/{Layout.PrefixLength}", "dev", LabHost.Interface);
            Tool.Run("ip", "-n", h.Netns, "link", "set", LabHost.Interface, "up");
            foreach (var (ns, dev) in new[] { (h.Netns, LabHost.Interface), (Layout.Switch, h.Role) })
            {
                LinkSettings.TxChecksumOff(ns, dev);
                LinkSettings.SpreadTxQueues(ns, dev, Environment.ProcessorCount);
            }
        }
        LinkSettings.ThreadedNapi(Layout.Balancer.Netns, LabHost.Interface);
        Tool.Run("ip", "-n", Layout.Balancer.Netns, "addr", "add", $"{Layout.Vip}/32", "dev", LabHost.Interface);
        // Static neighbours: no ARP is needed for the measured traffic, and the balancer's next-hop
        // MACs come from these entries (the control plane reads them).
        foreach (var h in Layout.Hosts)
            foreach (var other in Layout.Hosts.Where(o => o != h))
                Tool.Run("ip", "-n", h.Netns, "neigh", "replace", other.Address.ToString(), "lladdr", other.Mac,
                    "dev", LabHost.Interface, "nud", "permanent");
        foreach (var h in Layout.Hosts.Where(h => h != Layout.Balancer))
            Tool.Run("ip", "-n", h.Netns, "neigh", "replace", Layout.Vip.ToString(), "lladdr", Layout.Balancer.Mac,
                "dev", LabHost.Interface, "nud", "permanent");
    }

    private static void KillRemainingProcesses(string ns)
    {
        var pids = Tool.TryRun("ip", "netns", "pids", ns).Stdout
            .Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        foreach (var pid in pids.Select(int.Parse))
            Posix.Signal(pid, Posix.SigKill);
        foreach (var pid in pids.Select(int.Parse))
            Posix.WaitGone(pid, TimeSpan.FromSeconds(2));
    }
}
