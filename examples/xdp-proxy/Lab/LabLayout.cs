using System.Net;

namespace Ebpf.Examples.XdpProxy.Lab;

/// <summary>One host of the lab: its namespace, its address, and the MAC of its interface.</summary>
internal sealed record LabHost(string Role, string Netns, IPAddress Address, string Mac)
{
    /// <summary>The host's side of its veth pair; the other side sits on the bridge, named after the role.</summary>
    public const string Interface = "eth0";
}

/// <summary>
/// The lab's fixed shape: client, lb and two backends, each in its own namespace, cabled to a bridge
/// that lives in a fifth namespace. Everything is named PREFIX-ROLE, so two labs with different
/// prefixes coexist, and the addresses can be fixed because every lab is its own set of namespaces.
/// </summary>
internal sealed class LabLayout
{
    public const string DefaultPrefix = "xdpp";
    public const string Bridge = "br0";
    public const int Port = 80;
    private const string Subnet = "10.211.0.";

    public LabLayout(string prefix)
    {
        if (string.IsNullOrEmpty(prefix) || prefix.Length > 16 || !prefix.All(c => char.IsAsciiLetterOrDigit(c) || c == '-'))
            throw new ArgumentException($"lab prefix '{prefix}' must be 1-16 letters, digits or '-'", nameof(prefix));
        Prefix = prefix;
        Switch = $"{prefix}-sw";
        Client = Host("client", 10);
        Balancer = Host("lb", 2);
        Backends = [Host("be1", 21), Host("be2", 22)];
    }

    public string Prefix { get; }
    /// <summary>The namespace holding the bridge.</summary>
    public string Switch { get; }
    public LabHost Client { get; }
    public LabHost Balancer { get; }
    public IReadOnlyList<LabHost> Backends { get; }
    /// <summary>The virtual address clients connect to; an extra address of the lb host.</summary>
    public IPAddress Vip { get; } = IPAddress.Parse(Subnet + "100");
    public int PrefixLength => 24;

    public IEnumerable<LabHost> Hosts => [Client, Balancer, .. Backends];
    public IEnumerable<string> Namespaces => [Switch, .. Hosts.Select(h => h.Netns)];

    /// <summary>Per-lab scratch directory for nginx configurations, pid files and logs.</summary>
    public string WorkDir(LabHost host) => Path.Combine(Path.GetTempPath(), $"{Prefix}-{host.Role}");

    private LabHost Host(string role, int lastOctet) =>
        new(role, $"{Prefix}-{role}", IPAddress.Parse(Subnet + lastOctet), $"02:00:0a:d3:00:{lastOctet:x2}");
}
