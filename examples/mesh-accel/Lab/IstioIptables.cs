using System.Net;
using System.Net.Sockets;
using System.Text;
using Ebpf.Examples.MeshAccel.Mesh;

namespace Ebpf.Examples.MeshAccel.Lab;

/// <summary>
/// The baseline: the nat rules istio-iptables writes for `-p 15001 -z 15006 -u 1337 -g 1337 -m REDIRECT -d 15090,15021,15020`
/// and a pod's traffic.sidecar.istio.io annotations, for IPv4 (iptables) and IPv6 (ip6tables), as iptables-restore input.
/// mesh-accel.bpf.c's decide() follows these rules in this order.
/// </summary>
internal static class IstioIptables
{
    public static string Rules(PodPolicy pod, AddressFamily family)
    {
        var v6 = family == AddressFamily.InterNetworkV6;
        var localhost = v6 ? "::1/128" : "127.0.0.1/32";
        var passthrough = v6 ? "::6/128" : "127.0.0.6/32";
        var id = MeshPorts.ProxyId;
        var r = new StringBuilder();
        r.AppendLine("*nat");
        foreach (var chain in new[] { "ISTIO_INBOUND", "ISTIO_REDIRECT", "ISTIO_IN_REDIRECT", "ISTIO_OUTPUT" })
            r.AppendLine($":{chain} - [0:0]");
        r.AppendLine($"-A ISTIO_INBOUND -p tcp --dport {MeshPorts.Hbone} -j RETURN");
        r.AppendLine($"-A ISTIO_REDIRECT -p tcp -j REDIRECT --to-ports {MeshPorts.Outbound}");
        r.AppendLine($"-A ISTIO_IN_REDIRECT -p tcp -j REDIRECT --to-ports {MeshPorts.Inbound}");
        r.AppendLine("-A PREROUTING -p tcp -j ISTIO_INBOUND");
        if (pod.IncludeInboundPorts is null)
        {
            foreach (var port in pod.ExcludeInboundPorts)
                r.AppendLine($"-A ISTIO_INBOUND -p tcp --dport {port} -j RETURN");
            r.AppendLine("-A ISTIO_INBOUND -p tcp -j ISTIO_IN_REDIRECT");
        }
        else
        {
            foreach (var port in pod.IncludeInboundPorts)
                r.AppendLine($"-A ISTIO_INBOUND -p tcp --dport {port} -j ISTIO_IN_REDIRECT");
        }
        r.AppendLine("-A OUTPUT -p tcp -j ISTIO_OUTPUT");
        r.AppendLine($"-A ISTIO_OUTPUT -s {passthrough} -o lo -j RETURN");
        // Port exclusions come before the redirect of connections back to the pod itself, as istio-iptables orders them.
        foreach (var port in pod.ExcludeOutboundPorts)
            r.AppendLine($"-A ISTIO_OUTPUT -p tcp --dport {port} -j RETURN");
        foreach (var match in new[] { "--uid-owner", "--gid-owner" })
        {
            r.AppendLine($"-A ISTIO_OUTPUT ! -d {localhost} -o lo -p tcp -m owner {match} {id} -j ISTIO_IN_REDIRECT");
            r.AppendLine($"-A ISTIO_OUTPUT -o lo -m owner ! {match} {id} -j RETURN");
            r.AppendLine($"-A ISTIO_OUTPUT -m owner {match} {id} -j RETURN");
        }
        r.AppendLine($"-A ISTIO_OUTPUT -d {localhost} -j RETURN");
        bool Fits(IPNetwork n) => n.BaseAddress.AddressFamily == family;
        foreach (var range in pod.ExcludeOutboundRanges.Where(Fits))
            r.AppendLine($"-A ISTIO_OUTPUT -d {range} -j RETURN");
        if (pod.IncludeOutboundRanges is null)
            r.AppendLine("-A ISTIO_OUTPUT -j ISTIO_REDIRECT");
        else
            foreach (var range in pod.IncludeOutboundRanges.Where(Fits))
                r.AppendLine($"-A ISTIO_OUTPUT -d {range} -j ISTIO_REDIRECT");
        r.AppendLine("COMMIT");
        return r.ToString();
    }

    /// <summary>Installs both families' rules in <paramref name="netns"/> (iptables-restore -n: the tables are otherwise empty).</summary>
    public static void Install(string netns, PodPolicy pod, string workDir)
    {
        foreach (var (family, tool) in new[] { (AddressFamily.InterNetwork, "iptables-restore"), (AddressFamily.InterNetworkV6, "ip6tables-restore") })
        {
            var file = Path.Combine(workDir, tool + ".rules");
            File.WriteAllText(file, Rules(pod, family));
            Tool.Run("ip", "netns", "exec", netns, tool, "-n", file);
        }
    }

    /// <summary>Removes what <see cref="Install"/> wrote: both families' nat tables in <paramref name="netns"/> emptied.</summary>
    public static void Remove(string netns)
    {
        foreach (var tool in new[] { "iptables", "ip6tables" })
        {
            Tool.Run("ip", "netns", "exec", netns, tool, "-t", "nat", "-F");
            Tool.Run("ip", "netns", "exec", netns, tool, "-t", "nat", "-X");
        }
    }
}
