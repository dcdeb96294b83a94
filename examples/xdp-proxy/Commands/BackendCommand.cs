using Ebpf.Examples.XdpProxy.ControlPlane;

namespace Ebpf.Examples.XdpProxy.Commands;

/// <summary>`backend add|remove IP[:PORT]`: asks the running balancer over its control socket.</summary>
internal static class BackendCommand
{
    public static int Run(Args a)
    {
        var verb = a.Positional(1);
        var backend = a.Positional(2);
        if (verb is not ("add" or "remove") || backend is null)
            throw new UsageException("backend wants `add IP[:PORT]` or `remove IP[:PORT]`");
        return Reply(ControlSocket.Send($"backend {verb} {backend}", a.Option("--iface"), a.Option("--netns")));
    }

    public static int Reply(string reply)
    {
        reply = reply.TrimEnd();
        if (reply.StartsWith("ok ", StringComparison.Ordinal))
        {
            Console.WriteLine(reply[3..]);
            return 0;
        }
        return CommandLine.Fail(reply.StartsWith("error ", StringComparison.Ordinal) ? reply[6..] : $"unexpected reply from the balancer: {reply}");
    }
}
