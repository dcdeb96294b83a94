namespace Ebpf.TestKit;

/// <summary>
/// A veth pair named with the run prefix, one end in each given namespace (null = the test's own
/// namespace), with optional addresses ("10.77.0.1/24"), both ends up. Dispose deletes the pair (deleting
/// one end deletes both; a namespace that was deleted first has taken its end with it).
/// </summary>
public sealed class VethPair : IDisposable
{
    private bool disposed;

    public VethPair(NetNamespace? nsA, string? addressA, NetNamespace? nsB, string? addressB)
    {
        RunPrefix.EnsureSwept();
        var baseName = RunPrefix.NewName();   // ≤ 13 characters, leaves room for the end's letter
        NameA = baseName + "a";
        NameB = baseName + "b";
        NamespaceA = nsA;
        NamespaceB = nsB;
        HostCommand.Check("ip", "link", "add", NameA, "type", "veth", "peer", "name", NameB);
        try
        {
            Configure(NameA, nsA, addressA);
            Configure(NameB, nsB, addressB);
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    public string NameA { get; }
    public string NameB { get; }
    public NetNamespace? NamespaceA { get; }
    public NetNamespace? NamespaceB { get; }

    /// <summary>Interface index of end A in its namespace.</summary>
    public int IfIndexA => IfIndex(NameA, NamespaceA);

    /// <summary>Interface index of end B in its namespace.</summary>
    public int IfIndexB => IfIndex(NameB, NamespaceB);

    private static int IfIndex(string name, NetNamespace? ns) =>
        ns?.IfIndex(name) ?? int.Parse(File.ReadAllText($"/sys/class/net/{name}/ifindex").Trim());

    private static void Configure(string name, NetNamespace? ns, string? address)
    {
        if (ns is not null)
            HostCommand.Check("ip", "link", "set", name, "netns", ns.Name);
        string[] prefix = ns is null ? Array.Empty<string>() : new[] { "-n", ns.Name };
        if (address is not null)
            HostCommand.Check("ip", prefix.Concat(new[] { "addr", "add", address, "dev", name }).ToArray());
        HostCommand.Check("ip", prefix.Concat(new[] { "link", "set", name, "up" }).ToArray());
    }

    public void Dispose()
    {
        if (disposed)
            return;
        disposed = true;
        foreach (var (name, ns) in new[] { (NameA, NamespaceA), (NameB, NamespaceB) })
        {
            string[] prefix = ns is null ? Array.Empty<string>() : new[] { "-n", ns.Name };
            if (HostCommand.Run("ip", prefix.Concat(new[] { "link", "del", name }).ToArray()).Succeeded)
                return;
        }
    }
}
