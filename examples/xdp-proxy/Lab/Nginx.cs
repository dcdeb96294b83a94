using Ebpf.Examples.XdpProxy.Linux;

namespace Ebpf.Examples.XdpProxy.Lab;

/// <summary>Starts and stops an nginx instance with a private prefix directory inside a namespace.</summary>
internal static class Nginx
{
    public static void Start(string netns, string dir, string config)
    {
        Directory.CreateDirectory(dir);
        var conf = Path.Combine(dir, "nginx.conf");
        File.WriteAllText(conf, config);
        // nginx daemonises and writes its master's pid to dir/nginx.pid.
        Tool.InNetns(netns, "nginx", "-p", dir, "-c", conf, "-e", Path.Combine(dir, "error.log"));
        WaitForPid(dir);
    }

    /// <summary>Stops the instance whose pid file is in <paramref name="dir"/> (SIGTERM to its master, then wait).</summary>
    public static void Stop(string dir)
    {
        var pid = ReadPid(dir);
        if (pid is null)
            return;
        // SIGTERM is nginx's fast shutdown: the master stops its workers and exits.
        if (Posix.Signal(pid.Value, Posix.SigTerm) && !Posix.WaitGone(pid.Value, TimeSpan.FromSeconds(5)))
            Posix.Signal(pid.Value, Posix.SigKill);
        File.Delete(Path.Combine(dir, "nginx.pid"));
    }

    public static int? ReadPid(string dir)
    {
        var file = Path.Combine(dir, "nginx.pid");
        return File.Exists(file) && int.TryParse(File.ReadAllText(file).Trim(), out var pid) ? pid : null;
    }

    private static void WaitForPid(string dir)
    {
        for (var i = 0; i < 50; i++)
        {
            if (ReadPid(dir) is not null)
                return;
            Thread.Sleep(50);
        }
        throw new ToolException($"nginx did not start; see {Path.Combine(dir, "error.log")}");
    }
}
