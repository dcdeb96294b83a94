using System.Text.RegularExpressions;
using Ebpf.Links;

namespace Ebpf.Testing;

/// <summary>
/// What BPF programs an interface has attached, for the fixtures' leak checks: XDP (as <c>ip -d link</c> shows it),
/// tcx (BPF_PROG_QUERY, Linux 6.6+) and tc filters on a clsact qdisc (<c>tc filter show</c>).
/// </summary>
internal static partial class InterfacePrograms
{
    /// <summary>One line per program attached to <paramref name="ifname"/> in <paramref name="ns"/> (null: this namespace).</summary>
    public static List<string> Describe(string ifname, NetNamespace? ns)
    {
        var found = new List<string>();
        string[] inNs = ns is null ? [] : ["-n", ns.Name];
        var link = HostCommand.Run("ip", [.. inNs, "-d", "link", "show", "dev", ifname]);
        if (!link.Succeeded)
            return found; // the interface is gone (its namespace was deleted): nothing can be attached to it
        foreach (Match m in XdpProgram().Matches(link.StandardOutput))
            found.Add($"{ifname} {m.Groups[1].Value}: program id {m.Groups[2].Value}");
        foreach (var direction in new[] { "ingress", "egress" })
        {
            var filters = HostCommand.Run("tc", [.. inNs, "filter", "show", "dev", ifname, direction]);
            if (filters.Succeeded)
                foreach (Match m in TcBpfFilter().Matches(filters.StandardOutput))
                    found.Add($"{ifname} tc {direction} filter: program id {m.Groups[1].Value}");
        }
        try
        {
            foreach (var direction in new[] { TcDirection.Ingress, TcDirection.Egress })
            {
                var programs = ns is null
                    ? AttachedPrograms.OnInterface(ifname, direction)
                    : ns.Enter(() => AttachedPrograms.OnInterface(ifname, direction));
                found.AddRange(programs.Select(p => $"{ifname} tcx {direction.ToString().ToLowerInvariant()}: {p}"));
            }
        }
        catch (BpfAttachException)
        {
            // No tcx in this kernel (before 6.6), or the interface went away meanwhile: nothing attached through it.
        }
        return found;
    }

    [GeneratedRegex(@"prog/(xdp\w*) id (\d+)")]
    private static partial Regex XdpProgram();

    // "filter protocol all pref 49152 bpf chain 0 handle 0x1 prog.o:[tc] direct-action not_in_hw id 42 tag ... jited"
    [GeneratedRegex(@"^filter .*\bbpf\b.*\bid (\d+)", RegexOptions.Multiline)]
    private static partial Regex TcBpfFilter();
}
