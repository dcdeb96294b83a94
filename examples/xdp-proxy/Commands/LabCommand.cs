using System.CommandLine;
using Ebpf.Examples.XdpProxy.Lab;

namespace Ebpf.Examples.XdpProxy.Commands;

/// <summary>`lab up|down`: the namespaces, bridge and nginx backends the other commands are tried in.</summary>
internal static class LabCommand
{
    public static Command Create()
    {
        var upPrefix = XdpOptions.Prefix();
        var up = new Command("up", "create the lab (client, lb, be1, be2 namespaces on a bridge, nginx on the backends)") { upPrefix };
        up.SetAction(r =>
        {
            var lab = new LabNetwork(new LabLayout(r.GetValue(upPrefix)!));
            lab.Up();
            Console.Write(lab.Describe());
            return 0;
        });
        var downPrefix = XdpOptions.Prefix();
        var down = new Command("down", "remove every namespace, link, process and file of the lab") { downPrefix };
        down.SetAction(r =>
        {
            var lab = new LabNetwork(new LabLayout(r.GetValue(downPrefix)!));
            var removed = lab.Down();
            Console.WriteLine(removed.Count == 0
                ? $"lab '{lab.Layout.Prefix}': nothing to remove"
                : $"lab '{lab.Layout.Prefix}': removed namespaces {string.Join(", ", removed)}");
            return 0;
        });
        return new Command("lab", "the lab of network namespaces") { up, down };
    }
}
