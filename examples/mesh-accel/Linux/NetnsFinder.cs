using System.Globalization;
using System.Net;
using System.Net.NetworkInformation;

namespace Ebpf.Examples.MeshAccel.Linux;

/// <summary>
/// Finds the network namespace that holds an address, for pods whose source does not say where their namespace is
/// (the Kubernetes API). First the namespaces of running processes (a pod's pause container holds it): their addresses
/// are read from /proc/PID/net (fib_trie's local IPv4 addresses, if_inet6), which needs no capability, and the match is
/// /proc/PID/ns/net (whose cookie <see cref="NetnsCookie"/> reads; another process's needs CAP_SYS_PTRACE, and hostPID in
/// a pod). Then the named namespaces (/run/netns, where CNI plugins and `ip netns` put them), by entering them, which needs
/// CAP_SYS_ADMIN and is skipped without it.
/// </summary>
internal static class NetnsFinder
{
    /// <summary>
    /// Fails now, before anything is attached, when the agent could not find pods' namespaces later: it must see the
    /// node's processes (hostPID in a pod) and open their /proc/PID/ns/net (CAP_SYS_PTRACE, as their capabilities are
    /// not a subset of the agent's: found by trial, opening a lab pod's /proc/PID/ns/net fails without it).
    /// </summary>
    public static void CheckAccess()
    {
        if (Environment.ProcessId == 1)
            throw new ToolException("the agent is PID 1 of its own PID namespace, so it cannot see the pods' processes whose namespaces it looks for: run its pod with hostPID: true");
        // The effective set, not a probe of /proc/1: pid 1 may be guarded beyond ptrace rules (it is on the development VM).
        if (!HasEffectiveCapability(CapSysPtrace))
            throw new ToolException("finding a pod's network namespace from its address opens other processes' /proc/PID/ns/net, which needs CAP_SYS_PTRACE, which the process lacks; add it");
    }

    private const int CapSysPtrace = 19;

    /// <summary>Whether bit <paramref name="capability"/> is in CapEff of /proc/self/status.</summary>
    private static bool HasEffectiveCapability(int capability)
    {
        foreach (var line in File.ReadLines("/proc/self/status"))
            if (line.StartsWith("CapEff:", StringComparison.Ordinal))
                return ulong.TryParse(line.AsSpan(7).Trim(), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var set) && (set & (1UL << capability)) != 0;
        return false;
    }

    public static string? ByAddress(IEnumerable<IPAddress> addresses)
    {
        var wanted = addresses.Select(a => a.IsIPv4MappedToIPv6 ? a.MapToIPv4() : a).ToHashSet();
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out _))
                continue;
            if (AddressesOfProcess(dir).Any(wanted.Contains))
                return Path.Combine(dir, "ns", "net");
        }
        if (Directory.Exists("/run/netns"))
            foreach (var file in Directory.EnumerateFiles("/run/netns"))
                if (AddressesByEntering(file).Any(wanted.Contains))
                    return file;
        return null;
    }

    /// <summary>The local addresses of the namespace process <paramref name="procDir"/> is in; none when it is gone.</summary>
    private static IEnumerable<IPAddress> AddressesOfProcess(string procDir)
    {
        var found = new List<IPAddress>();
        try
        {
            // fib_trie: an address line "|-- 10.1.0.5" followed by "/32 host LOCAL" for an address of this namespace
            string? last = null;
            foreach (var line in File.ReadLines(Path.Combine(procDir, "net", "fib_trie")))
            {
                var t = line.Trim();
                if (t.StartsWith("|-- ", StringComparison.Ordinal) || t.StartsWith("+-- ", StringComparison.Ordinal))
                    last = t[4..].Split(' ')[0].Split('/')[0];
                else if (t.StartsWith("/32 host LOCAL", StringComparison.Ordinal) && last is not null && IPAddress.TryParse(last, out var v4))
                    found.Add(v4);
            }
            // if_inet6: 32 hex digits, then index, prefix, scope, flags, name
            var inet6 = Path.Combine(procDir, "net", "if_inet6");
            if (File.Exists(inet6))
                foreach (var line in File.ReadLines(inet6))
                    if (line.Length >= 32 && TryHexAddress(line.AsSpan(0, 32), out var v6))
                        found.Add(v6);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // exited while being read
        }
        return found;
    }

    private static bool TryHexAddress(ReadOnlySpan<char> hex, out IPAddress address)
    {
        Span<byte> bytes = stackalloc byte[16];
        for (var i = 0; i < 16; i++)
        {
            if (!byte.TryParse(hex.Slice(i * 2, 2), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out bytes[i]))
            {
                address = IPAddress.None;
                return false;
            }
        }
        address = new IPAddress(bytes);
        return true;
    }

    /// <summary>The addresses of every interface in the namespace at <paramref name="path"/>; none when it cannot be entered.</summary>
    private static IReadOnlyList<IPAddress> AddressesByEntering(string path)
    {
        try
        {
            // getifaddrs (behind this call) asks the kernel through a netlink socket of the calling thread's namespace.
            return NetworkNamespace.Run(path, () => (IReadOnlyList<IPAddress>)NetworkInterface.GetAllNetworkInterfaces()
                .SelectMany(i => i.GetIPProperties().UnicastAddresses.Select(u => u.Address)).ToArray());
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or NetworkInformationException)
        {
            return []; // NetworkNamespaceException is an IOException
        }
    }
}
