namespace Ebpf.Testing;

/// <summary>
/// A veth pair named with the run prefix, one end in each given namespace (null = the test's own
/// namespace), with optional addresses ("10.77.0.1/24"), both ends up. Dispose deletes the pair (deleting
/// one end deletes both; a namespace that was deleted first has taken its end with it). Before deleting, it checks for
/// leaks: an XDP, tcx or tc program still attached to either end makes Dispose throw <see cref="FixtureLeakException"/>
/// after cleaning up, unless <see cref="CheckLeaks"/> is false.
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

    /// <summary>Whether Dispose fails when programs are still attached to an end (default true).</summary>
    public bool CheckLeaks { get; set; } = true;

    /// <summary>The XDP, tcx and tc programs attached to either end, one line each ("ebt1a2b-3a xdp: program id 42").</summary>
    public IReadOnlyList<string> AttachedProgramsLeft() =>
        [.. InterfacePrograms.Describe(NameA, NamespaceA), .. InterfacePrograms.Describe(NameB, NamespaceB)];

    public void Dispose()
    {
        if (disposed)
            return;
        disposed = true;
        var leaks = CheckLeaks ? AttachedProgramsLeft() : [];
        try
        {
            Delete();
        }
        finally
        {
            if (leaks.Count > 0)
                throw new FixtureLeakException($"veth pair {NameA}/{NameB}", leaks);
        }
    }

    private void Delete()
    {
        foreach (var (name, ns) in new[] { (NameA, NamespaceA), (NameB, NamespaceB) })
        {
            string[] prefix = ns is null ? Array.Empty<string>() : new[] { "-n", ns.Name };
            if (HostCommand.Run("ip", prefix.Concat(new[] { "link", "del", name }).ToArray()).Succeeded)
                return;
        }
    }
}
