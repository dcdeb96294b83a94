using System.Runtime.InteropServices;
using Ebpf.Examples.Sockredir.Linux;
using Ebpf.Examples.Sockredir.Redirector;

namespace Ebpf.Examples.Sockredir.Commands;

/// <summary>`sockredir run`: attach to a cgroup, print counters once a second, detach on Ctrl+C or SIGTERM.</summary>
internal static class RunCommand
{
    public static int Run(Args a)
    {
        var cgroup = a.Option("--cgroup") ?? Cgroups.Root();
        var seconds = a.Int("--seconds", 0);
        using var stop = new CancellationTokenSource();
        using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop);
        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop);
        if (seconds > 0)
            stop.CancelAfter(TimeSpan.FromSeconds(seconds));

        using var redirector = RedirectorFactory.Create();
        foreach (var other in redirector.OtherSockOpsPrograms(cgroup))
            Console.Error.WriteLine($"sockredir: warning: {cgroup} already has sock_ops program {other}; two sockmap users on one cgroup can steal each other's sockets");
        redirector.Attach(cgroup);
        Console.WriteLine($"sockredir: redirecting TCP between processes in {cgroup}" +
                          (cgroup == Cgroups.Root() ? " (the whole machine)" : "") +
                          "; connections made from now on; Ctrl+C to stop");
        if (!redirector.DetachesWhenKilled)
            Console.WriteLine("sockredir: if this process is killed, the next `sockredir run` removes what it left attached");

        var last = redirector.ReadStats();
        Console.WriteLine("    time  sockets  redirected msg/s      MB/s  passed msg/s  pulled/s");
        while (!stop.Token.WaitHandle.WaitOne(TimeSpan.FromSeconds(1)))
        {
            var now = redirector.ReadStats();
            var d = now.Since(last);
            last = now;
            Console.WriteLine($"{DateTime.Now:HH:mm:ss}  {redirector.SocketCount(),7}  {d[Stat.RedirectedMessages],16}  {d[Stat.RedirectedBytes] / 1e6,8:0.0}  " +
                              $"{d[Stat.PassedNoPeer] + d[Stat.PassedFamily] + d[Stat.PassedLarge],12}  {d[Stat.PassPulled],8}");
        }
        Console.WriteLine($"sockredir: stopping; totals: {last}");
        return 0;

        void Stop(PosixSignalContext context)
        {
            context.Cancel = true; // do not die here: fall out of the loop and detach in Dispose
            stop.Cancel();
        }
    }
}
