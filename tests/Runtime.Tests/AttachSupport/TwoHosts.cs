using Ebpf.TestKit;

namespace Ebpf.Runtime.Tests.AttachSupport;

/// <summary>
/// Two network namespaces joined by a veth pair: A (10.201.0.1) and B (10.201.0.2). Programs are attached
/// to B's end from inside B; traffic is pinged from A.
/// </summary>
internal sealed class TwoHosts : IDisposable
{
    public const string AddressA = "10.201.0.1", AddressB = "10.201.0.2";

    public TwoHosts()
    {
        A = new NetNamespace("A");
        try
        {
            B = new NetNamespace("B");
            Veth = new VethPair(A, AddressA + "/24", B, AddressB + "/24");
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    public NetNamespace A { get; }
    public NetNamespace B { get; } = null!;
    public VethPair Veth { get; } = null!;

    /// <summary>The name of B's end of the veth pair.</summary>
    public string IfB => Veth.NameB;

    /// <summary>
    /// Opens <paramref name="count"/> TCP connections from A to a closed port of B and returns how many were
    /// answered (refused by B's RST) rather than timed out: each one is a frame B received and a reply A got.
    /// (The test machine has no ping.)
    /// </summary>
    public int ExchangeFromA(int count = 3)
    {
        var script = $"n=0; for i in $(seq {count}); do timeout 2 bash -c 'exec 3<>/dev/tcp/{AddressB}/9' 2>/dev/null; "
                     + "[ $? -eq 1 ] && n=$((n+1)); done; echo $n";
        return int.Parse(A.Check("bash", "-c", script).Trim());
    }

    /// <summary>`ip link show` of B's end: includes "prog/xdp id N" (or xdpgeneric) while a program is attached.</summary>
    public string ShowB() => B.Check("ip", "-d", "link", "show", "dev", IfB);

    public void Dispose()
    {
        Veth?.Dispose();
        B?.Dispose();
        A.Dispose();
    }
}
