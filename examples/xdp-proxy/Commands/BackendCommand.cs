using System.CommandLine;
using Ebpf.Examples.XdpProxy.ControlPlane;

namespace Ebpf.Examples.XdpProxy.Commands;

/// <summary>`backend add|remove IP[:PORT]`: asks the running balancer over its control socket.</summary>
internal static class BackendCommand
{
    public static Command Create() => new("backend", "change the backends of a running balancer")
    {
        Verb("add", "add a backend (a bare IP gets the VIP's port)"),
        Verb("remove", "remove a backend; it keeps serving its existing connections (draining)"),
    };

    private static Command Verb(string verb, string description)
    {
        var backend = new Argument<string>("IP[:PORT]") { Description = "the backend" };
        var iface = XdpOptions.Iface("the interface of the balancer to ask (needed when several run)");
        var netns = XdpOptions.Netns();
        var command = new Command(verb, description) { backend, iface, netns };
        command.SetAction(r => Reply(ControlSocket.Send($"backend {verb} {r.GetValue(backend)}", r.GetValue(iface), r.GetValue(netns))));
        return command;
    }

    public static int Reply(string reply)
    {
        reply = reply.TrimEnd();
        if (reply.StartsWith("ok ", StringComparison.Ordinal))
        {
            Console.WriteLine(reply[3..]);
            return 0;
        }
        return AppCli.Fail(Cli.App, reply.StartsWith("error ", StringComparison.Ordinal) ? reply[6..] : $"unexpected reply from the balancer: {reply}");
    }
}
