namespace Ebpf.Examples.MeshAccel.Lab;

/// <summary>
/// The app of each lab host: nginx on <see cref="LabLayout.AppPorts"/> (IPv4 and IPv6) whose answer says who answered and
/// whom it saw, "app=pod1 port=80 peer=127.0.0.6": the peer is the witness of the hop taken (the sidecar's 127.0.0.6, or
/// the caller itself). /files/ serves fixed bodies: 8 MiB and sizes around the 64 KiB where redirectors have stalled.
/// </summary>
internal static class AppServer
{
    public static readonly int[] FileSizes = [40_000, 50_000, 65_535, 8 << 20];

    public static void Start(LabLayout lab, LabHost host)
    {
        var dir = lab.HostDir(host);
        var files = Path.Combine(dir, "files");
        Directory.CreateDirectory(files);
        foreach (var size in FileSizes)
            File.WriteAllBytes(Path.Combine(files, size.ToString(System.Globalization.CultureInfo.InvariantCulture)), Body(size));
        var conf = Path.Combine(dir, "nginx.conf");
        File.WriteAllText(conf, Config(dir, host.Role));
        // nginx daemonises, writes its master's pid to dir/nginx.pid; it runs in the host's cgroup like any pod process.
        using (var start = NetNs.StartIn(host.Cgroup, host.Netns, "nginx", "-p", dir, "-c", conf, "-e", Path.Combine(dir, "error.log")))
            start.WaitForExit(Timeout.InfiniteTimeSpan);
        for (var i = 0; i < 100 && PidOf(dir) is null; i++)
            Thread.Sleep(50);
        if (PidOf(dir) is null)
            throw new ToolException($"nginx did not start in {host.Netns}; see {Path.Combine(dir, "error.log")}");
    }

    public static void Stop(string dir)
    {
        if (PidOf(dir) is { } pid && Posix.Signal(pid, Posix.SigTerm) && !Posix.WaitGone(pid, TimeSpan.FromSeconds(5)))
            Posix.Signal(pid, Posix.SigKill);
    }

    private static int? PidOf(string dir)
    {
        var file = Path.Combine(dir, "nginx.pid");
        return File.Exists(file) && int.TryParse(File.ReadAllText(file).Trim(), out var pid) ? pid : null;
    }

    /// <summary>A body whose every byte depends on its offset, so a reordered or lost segment shows.</summary>
    public static byte[] Body(int size)
    {
        var b = new byte[size];
        for (var i = 0; i < size; i++)
            b[i] = (byte)(i * 31 + (i >> 8) * 7 + (i >> 16));
        return b;
    }

    private static string Config(string dir, string role) => $$"""
        {{NginxPreamble.Http(dir, 4096)}}
            server {
        {{string.Join("\n", LabLayout.AppPorts.Select(p => $"        listen {p} reuseport;\n        listen [::]:{p} ipv6only=on reuseport;"))}}
                location / { default_type text/plain; return 200 "app={{role}} port=$server_port peer=$remote_addr\n"; }
                location /files/ { alias {{dir}}/files/; default_type application/octet-stream; }
            }
        }
        """;
}
