using System.Net;
using System.Runtime.InteropServices;

namespace EbpfCgroup;

/// <summary>The connects to one destination.</summary>
public sealed record ConnectCount(string Protocol, IPEndPoint Destination, ulong Connects);

public static class ConnectCounts
{
    /// <summary>The counts in the program's map, most connects first.</summary>
    public static IReadOnlyList<ConnectCount> Read(ConnectsSkel skel) =>
        skel.Maps.Connects.Entries()   // HashMap<ConnectsSkel.ConnectKey, ulong>
            .Select(e => new ConnectCount(Protocol(e.Key), Destination(e.Key), e.Value))
            .OrderByDescending(c => c.Connects)
            .ThenBy(c => c.Destination.ToString(), StringComparer.Ordinal)
            .ToList();

    public static string Protocol(ConnectsSkel.ConnectKey key) => key.Protocol switch
    {
        6 => "TCP",
        17 => "UDP",
        var other => $"proto {other}",
    };

    /// <summary>The address (network byte order in the key, as the kernel keeps it) and port.</summary>
    public static IPEndPoint Destination(ConnectsSkel.ConnectKey key)
    {
        ReadOnlySpan<uint> words = key.Addr;
        var bytes = MemoryMarshal.AsBytes(words);
        var address = key.Family == 4 ? new IPAddress(bytes[..4]) : new IPAddress(bytes);
        return new IPEndPoint(address, key.Port);
    }
}
