namespace Ebpf.Examples.MeshAccel.Lab;

/// <summary>
/// The sidecar of a meshed lab pod: HAProxy (Debian's 2.6) as uid/gid 1337 with Istio's two listeners. Outbound
/// `bind 0.0.0.0:15001` + `server orig 0.0.0.0` and inbound `bind 0.0.0.0:15006` + `option transparent` + `source
/// 127.0.0.6` both connect to the original destination, which HAProxy reads with getsockopt(SOL_IP, SO_ORIGINAL_DST)
/// on the accepted socket (IPv4 only: for IPv6 it uses getsockname, which would loop, so it binds IPv4 only). One log
/// line per connection, as soon as it is forwarded: <see cref="LogLine"/>.
/// </summary>
internal static class HaproxySidecar
{
    public static string LogPath(string dir) => Path.Combine(dir, "haproxy.log");
    private static string PidPath(string dir) => Path.Combine(dir, "haproxy.pid");

    public static void Start(LabHost pod, string dir)
    {
        Directory.CreateDirectory(dir);
        var conf = Path.Combine(dir, "haproxy.cfg");
        File.WriteAllText(conf, Config());
        File.WriteAllText(LogPath(dir), "");
        // The script records its pid (which haproxy keeps through the execs), joins the pod's cgroup and execs into the
        // pod's namespace; haproxy -db stays in the foreground and logs to stdout, which goes to the log file. setsid -f:
        // it outlives `lab up`, in a session of its own.
        var script = Path.Combine(dir, "haproxy.sh");
        File.WriteAllText(script, $"""
            echo $$ > '{PidPath(dir)}'
            echo $$ > '{Path.Combine(pod.Cgroup!, "cgroup.procs")}'
            exec ip netns exec '{pod.Netns}' haproxy -db -f '{conf}' >> '{LogPath(dir)}' 2>&1 < /dev/null

            """);
        Tool.Run("setsid", "-f", "/bin/sh", script);
        for (var i = 0; i < 100; i++)
        {
            if (Listening(pod, 15001) && Listening(pod, 15006))
                return;
            Thread.Sleep(50);
        }
        throw new ToolException($"haproxy did not start in {pod.Netns}; see {LogPath(dir)}");
    }

    public static void Stop(string dir)
    {
        var file = PidPath(dir);
        if (File.Exists(file) && int.TryParse(File.ReadAllText(file).Trim(), out var pid) &&
            Posix.Signal(pid, Posix.SigTerm) && !Posix.WaitGone(pid, TimeSpan.FromSeconds(5)))
            Posix.Signal(pid, Posix.SigKill);
    }

    private static bool Listening(LabHost pod, int port) =>
        Tool.TryRun("ip", "netns", "exec", pod.Netns, "ss", "-Hltn", $"sport = :{port}").Stdout.Trim().Length > 0;

    /// <summary>One parsed log line: which listener, the accepted socket's local address, and where HAProxy connected.</summary>
    public sealed record LogLine(string Listener, string Client, string Accepted, string Server);

    public static IReadOnlyList<LogLine> ReadLog(string dir) =>
        File.Exists(LogPath(dir))
            ? File.ReadAllLines(LogPath(dir)).Select(Parse).OfType<LogLine>().ToArray()
            : [];

    private static LogLine? Parse(string line)
    {
        // "mesh listener=outbound client=127.0.0.1:43210 accepted=127.0.0.1:15001 server=10.213.0.11:80"
        if (!line.StartsWith("mesh ", StringComparison.Ordinal))
            return null;
        var f = line[5..].Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(p => p.Split('=', 2)).Where(p => p.Length == 2)
            .ToDictionary(p => p[0], p => p[1]);
        return f.TryGetValue("listener", out var l) && f.TryGetValue("client", out var c) && f.TryGetValue("accepted", out var a) && f.TryGetValue("server", out var s)
            ? new LogLine(l, c, a, s) : null;
    }

    private static string Config() => """
        global
            uid 1337
            gid 1337
            maxconn 4000
            log stdout format raw local0 info
        defaults
            mode tcp
            log global
            option logasap
            log-format "mesh listener=%f client=%ci:%cp accepted=%fi:%fp server=%si:%sp"
            timeout connect 5s
            timeout client 120s
            timeout server 120s
        listen outbound
            bind 0.0.0.0:15001
            server orig 0.0.0.0
        listen inbound
            bind 0.0.0.0:15006
            option transparent
            source 127.0.0.6

        """;
}
