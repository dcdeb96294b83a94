using System.CommandLine;
using System.Net;
using System.Net.Sockets;
using Ebpf.Examples.XdpProxy.ControlPlane;
using Ebpf.Examples.XdpProxy.Lab;
using Ebpf.Links;

namespace Ebpf.Examples.XdpProxy.Commands;

/// <summary>The options several xdp-proxy commands share, and the ones whose values need parsing of their own.</summary>
internal static class XdpOptions
{
    public static Option<string?> Iface(string description) => new("--iface") { Description = description, HelpName = "IF" };

    public static Option<string?> Netns() => new("--netns") { Description = "the network namespace (ip netns) the interface is in", HelpName = "NS" };

    public static Option<string> Prefix() => new("--prefix")
    {
        Description = "name prefix of the lab's namespaces", HelpName = "P", DefaultValueFactory = _ => LabLayout.DefaultPrefix,
    };

    public static Option<IPAddress?> Ipv4(string name, string description, bool required) => new(name)
    {
        Description = description,
        HelpName = "IP",
        Required = required,
        CustomParser = r =>
        {
            var text = r.Tokens[0].Value;
            if (IPAddress.TryParse(text, out var ip) && ip.AddressFamily == AddressFamily.InterNetwork)
                return ip;
            r.AddError($"{name} wants an IPv4 address, not '{text}'");
            return null;
        },
    };

    /// <summary>--mode native|generic; null when not given (native).</summary>
    public static Option<XdpAttachMode?> Mode()
    {
        var mode = new Option<XdpAttachMode?>("--mode")
        {
            Description = "native (the default): in the driver, and on a veth the peer gets an XDP stub; generic: in the network stack, works everywhere",
            HelpName = "native|generic",
            CustomParser = r => r.Tokens[0].Value switch
            {
                "native" => XdpAttachMode.Native,
                "generic" => XdpAttachMode.Generic,
                var m => Error<XdpAttachMode?>(r, $"--mode is native or generic, not '{m}'"),
            },
        };
        mode.CompletionSources.Add("native", "generic");
        return mode;
    }

    /// <summary>--nat-ports MIN-MAX: the source ports the balancer hands out; null when not given.</summary>
    public static Option<(int Min, int Max)?> NatPorts() => new("--nat-ports")
    {
        Description = $"source ports the balancer's NAT hands out (default {BalancerOptions.DefaultNatPortMin}-{BalancerOptions.DefaultNatPortMax})",
        HelpName = "MIN-MAX",
        CustomParser = r =>
        {
            var text = r.Tokens[0].Value;
            var parts = text.Split('-');
            if (parts.Length == 2 && int.TryParse(parts[0], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var min)
                                  && int.TryParse(parts[1], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var max)
                                  && min is >= 1 and <= 65535 && max >= min && max <= 65535)
                return (min, max);
            r.AddError($"--nat-ports wants MIN-MAX, two ports from 1 to 65535 with MIN <= MAX, not '{text}'");
            return null;
        },
    };

    private static T Error<T>(System.CommandLine.Parsing.ArgumentResult r, string message)
    {
        r.AddError(message);
        return default!;
    }
}
