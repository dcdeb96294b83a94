using System.Net;
using System.Net.NetworkInformation;
using System.Runtime.InteropServices;

namespace Ebpf.Examples.MeshAccel.Linux;

/// <summary>
/// Finds the network namespace that holds an address, for pods whose source does not say where their namespace is
/// (the Kubernetes API). Candidates: the named namespaces (/run/netns, where CNI plugins and `ip netns` put them) and
/// the namespaces of running processes (/proc/PID/ns/net: a pod's pause container holds it), each looked at once.
/// </summary>
internal static partial class NetnsFinder
{
    private const int CloneNewNet = 0x40000000;

    public static string? ByAddress(IEnumerable<IPAddress> addresses)
    {
        var wanted = addresses.Select(a => a.IsIPv4MappedToIPv6 ? a.MapToIPv4() : a).ToHashSet();
        var seen = new HashSet<string>();
        foreach (var path in Candidates())
        {
            if (!TryIdentity(path, out var id) || !seen.Add(id))
                continue;
            if (AddressesIn(path).Any(wanted.Contains))
                return path;
        }
        return null;
    }

    private static IEnumerable<string> Candidates()
    {
        if (Directory.Exists("/run/netns"))
            foreach (var f in Directory.EnumerateFiles("/run/netns"))
                yield return f;
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
            if (int.TryParse(Path.GetFileName(dir), out _))
                yield return Path.Combine(dir, "ns", "net");
    }

    /// <summary>
    /// A namespace's identity, to look at each once: /proc/PID/ns/net reads as "net:[INODE]"; a /run/netns file (a bind
    /// mount of one) is its own identity, as there are few of them.
    /// </summary>
    private static bool TryIdentity(string path, out string id)
    {
        id = path;
        if (!path.StartsWith("/proc/", StringComparison.Ordinal))
            return File.Exists(path);
        try
        {
            id = new FileInfo(path).LinkTarget ?? path;
            return true;
        }
        catch (IOException) { return false; }
        catch (UnauthorizedAccessException) { return false; }
    }

    /// <summary>The addresses of every interface in the namespace at <paramref name="path"/>; none when it cannot be entered.</summary>
    private static IReadOnlyList<IPAddress> AddressesIn(string path)
    {
        IReadOnlyList<IPAddress> result = [];
        var thread = new Thread(() =>
        {
            try
            {
                using (var ns = File.OpenHandle(path, FileMode.Open, FileAccess.Read))
                    if (setns((int)ns.DangerousGetHandle(), CloneNewNet) != 0)
                        return;
                // getifaddrs (behind this call) asks the kernel through a netlink socket of the calling thread's namespace.
                result = NetworkInterface.GetAllNetworkInterfaces()
                    .SelectMany(i => i.GetIPProperties().UnicastAddresses.Select(u => u.Address)).ToArray();
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or NetworkInformationException)
            {
            }
        });
        thread.Start();
        thread.Join();
        return result;
    }

    [LibraryImport("libc", SetLastError = true)]
    private static partial int setns(int fd, int nstype);
}
