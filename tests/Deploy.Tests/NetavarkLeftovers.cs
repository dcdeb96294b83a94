using System.Text.RegularExpressions;
using Ebpf.TestKit;

namespace Ebpf.Deploy.Tests;

/// <summary>
/// podman's netavark adds iptables chains (NETAVARK-HOSTPORT-*, NETAVARK_FORWARD) and the jumps to them the first time
/// a container with a published port runs (the DaemonSets without hostNetwork run that way here), and leaves them when
/// the last container goes. Once no container runs, the tests remove them, so the machine is as before the run.
/// </summary>
internal static partial class NetavarkLeftovers
{
    public static void RemoveWhenNoContainerRuns()
    {
        if (!PodmanContainer.Podman("ps", "-q").StandardOutput.Trim().Equals("", StringComparison.Ordinal))
            return; // something else still uses podman's network: leave its rules alone
        foreach (var table in new[] { "nat", "filter" })
        {
            var rules = HostCommand.Run("iptables", ["-t", table, "-S"], TimeSpan.FromSeconds(30)).StandardOutput.Split('\n');
            // First the jumps from the built-in chains, then the chains themselves (flushed, then deleted).
            foreach (var rule in rules.Where(r => r.StartsWith("-A ", StringComparison.Ordinal) && !r.StartsWith("-A NETAVARK", StringComparison.Ordinal) && r.Contains("-j NETAVARK", StringComparison.Ordinal)))
                HostCommand.Run("iptables", ["-t", table, "-D", .. Words(rule[3..])], TimeSpan.FromSeconds(30));
            foreach (var chain in rules.Where(r => r.StartsWith("-N NETAVARK", StringComparison.Ordinal)).Select(r => r[3..].Trim()))
            {
                HostCommand.Run("iptables", ["-t", table, "-F", chain], TimeSpan.FromSeconds(30));
                HostCommand.Run("iptables", ["-t", table, "-X", chain], TimeSpan.FromSeconds(30));
            }
        }
    }

    // iptables -S quotes arguments with spaces (a comment): split on spaces outside quotes, quotes removed.
    private static string[] Words(string rule) => WordPattern().Matches(rule).Select(m => m.Groups[1].Success ? m.Groups[1].Value : m.Value).ToArray();

    [GeneratedRegex("\"([^\"]*)\"|\\S+")]
    private static partial Regex WordPattern();
}
