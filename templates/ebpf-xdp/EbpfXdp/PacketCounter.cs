using Ebpf.Links;

namespace EbpfXdp;

/// <summary>Loads packets.bpf.c, attaches it to an interface and prints what it counted until cancelled.</summary>
public static class PacketCounter
{
    public static async Task RunAsync(string iface, TimeSpan interval, TextWriter output, CancellationToken cancel)
    {
        using var skel = PacketsSkel.OpenAndLoad();
        // A BPF link: if this process dies, the kernel detaches the program itself.
        using var link = skel.Programs.CountPackets.AttachXdp(iface);
        output.WriteLine($"Counting packets received on {iface}. Press Ctrl+C to stop.");
        var started = DateTime.UtcNow;
        try
        {
            while (true)
            {
                await Task.Delay(interval > TimeSpan.Zero ? interval : Timeout.InfiniteTimeSpan, cancel);
                ProtocolTable.Write(output, $"after {Elapsed(started)}", ProtocolCounts.Read(skel));
            }
        }
        catch (OperationCanceledException) when (cancel.IsCancellationRequested)
        {
        }
        ProtocolTable.Write(output, $"Totals after {Elapsed(started)}", ProtocolCounts.Read(skel));
    }

    private static string Elapsed(DateTime since) => $"{(DateTime.UtcNow - since).TotalSeconds:0.0} s";
}
