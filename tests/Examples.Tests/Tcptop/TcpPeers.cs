using System.Diagnostics;
using Ebpf.TestKit;

namespace Ebpf.Examples.Tests.Tcptop;

/// <summary>
/// tcp_peer.c, compiled once per test run with the host's gcc: the sending and receiving processes of the tcptop tests,
/// each started in a cgroup of the test's own and under a process name (comm) of its own, so the test can find
/// exactly its own traffic among everything the machine sends.
/// </summary>
internal static class TcpPeers
{
    private static readonly Lazy<string> binary = new(Compile);

    public static string Binary => binary.Value;

    private static string Compile()
    {
        var source = Path.Combine(RepoPaths.Root, "tests", "Examples.Tests", "Tcptop", "tcp_peer.c");
        var dir = Directory.CreateTempSubdirectory("tcptop-peer-");
        var output = Path.Combine(dir.FullName, "tcp_peer");
        HostCommand.Check("gcc", "-O2", "-Wall", "-Werror", "-o", output, source);
        return output;
    }

    /// <summary>A comm (at most 15 characters) unique to this test run and <paramref name="hint"/>.</summary>
    public static string Comm(string hint)
    {
        var name = $"tt{Environment.ProcessId:x}{hint}";
        return name.Length <= 15 ? name : name[..15];
    }

    /// <summary>Starts the server in <paramref name="cgroup"/> (and <paramref name="ns"/>) and returns it with the port it listens on.</summary>
    public static (Process Process, int Port) Serve(TempCgroup cgroup, NetNamespace? ns, string comm, string address) =>
        Serve(cgroup, ns, comm, address, "serve");

    private static (Process Process, int Port) Serve(TempCgroup cgroup, NetNamespace? ns, string comm, string address, string mode, params string[] more)
    {
        var portFile = Path.Combine(Path.GetTempPath(), $"tcptop-port-{Guid.NewGuid():N}");
        var p = Start(cgroup, ns, [mode, comm, address, portFile, .. more]);
        var until = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (!File.Exists(portFile))
        {
            if (p.HasExited)
                throw new InvalidOperationException($"tcp_peer serve exited: {p.StandardError.ReadToEnd()}");
            if (DateTime.UtcNow > until)
                throw new TimeoutException("tcp_peer serve did not write its port");
            Thread.Sleep(20);
        }
        var port = int.Parse(File.ReadAllText(portFile).Trim());
        File.Delete(portFile);
        return (p, port);
    }

    public static Process Send(TempCgroup cgroup, NetNamespace? ns, string comm, string address, int port, long bytes, params int[] writeSizes) =>
        Start(cgroup, ns, "send", comm, address, port.ToString(), bytes.ToString(), string.Join(',', writeSizes));

    /// <summary>Sends in writes of <paramref name="writeSize"/> with <paramref name="pauseMs"/> between them: traffic that lasts.</summary>
    public static Process SendPaced(TempCgroup cgroup, string comm, string address, int port, long bytes, int writeSize, int pauseMs) =>
        Start(cgroup, null, "send", comm, address, port.ToString(), bytes.ToString(), writeSize.ToString(), pauseMs.ToString());

    /// <summary>A server that peeks at every chunk (recv with MSG_PEEK) before it reads the same bytes normally.</summary>
    public static (Process Process, int Port) PeekServe(TempCgroup cgroup, string comm, string address) =>
        Serve(cgroup, null, comm, address, "peek");

    /// <summary>A server that receives with splice(2) into a pipe, never with recvmsg.</summary>
    public static (Process Process, int Port) SpliceServe(TempCgroup cgroup, string comm, string address) =>
        Serve(cgroup, null, comm, address, "splice");

    /// <summary>Sends <paramref name="bytes"/> of a temporary file with sendfile(2).</summary>
    public static Process SendFile(TempCgroup cgroup, string comm, string address, int port, long bytes) =>
        Start(cgroup, null, "sendfile", comm, address, port.ToString(), bytes.ToString());

    /// <summary>A server for <paramref name="connections"/> connections one after the other.</summary>
    public static (Process Process, int Port) Sink(TempCgroup cgroup, string comm, string address, int connections) =>
        Serve(cgroup, null, comm, address, "sink", connections.ToString());

    /// <summary><paramref name="count"/> short-lived processes named <paramref name="prefix"/>0, 1, ..., each sending <paramref name="bytes"/>.</summary>
    public static Process Many(TempCgroup cgroup, string prefix, int count, string address, int port, long bytes) =>
        Start(cgroup, null, "many", prefix, count.ToString(), address, port.ToString(), bytes.ToString());

    /// <summary>Sends from a child created with exactly <paramref name="pid"/> (clone3 with set_tid): a PID reuse on demand.</summary>
    public static Process SendAs(TempCgroup cgroup, int pid, string comm, string address, int port, long bytes) =>
        Start(cgroup, null, "sendas", pid.ToString(), comm, address, port.ToString(), bytes.ToString(), "1000");

    /// <summary>Starts a process of its own in <paramref name="cgroupDir"/> (any cgroup directory, e.g. a nested one).</summary>
    public static Process StartIn(string cgroupDir, params string[] args) => TempCgroup.StartIn(cgroupDir, Binary, args);

    /// <summary>Waits for a peer and returns the number it printed ("sent N" / "received N").</summary>
    public static long Result(Process p, string word)
    {
        var results = Results(p);
        Assert.True(results.ContainsKey(word), $"tcp_peer printed no '{word} N': {string.Join(", ", results.Keys)}");
        return results[word];
    }

    /// <summary>Waits for a peer and returns every "word N" line it printed, e.g. "peeked" and "received".</summary>
    public static IReadOnlyDictionary<string, long> Results(Process p)
    {
        p.StandardInput.Close();
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(TimeSpan.FromSeconds(120)))
            throw new TimeoutException("tcp_peer did not finish within 120 s");
        p.WaitForExit();
        Assert.True(p.ExitCode == 0, $"tcp_peer: exit {p.ExitCode}, '{stdout.Result}', {stderr.Result}");
        return stdout.Result.Split('\n', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
            .Select(l => l.Split(' '))
            .Where(w => w.Length == 2 && long.TryParse(w[1], out _))
            .ToDictionary(w => w[0], w => long.Parse(w[1]));
    }

    private static Process Start(TempCgroup cgroup, NetNamespace? ns, params string[] args) =>
        ns is null ? cgroup.Start(Binary, args) : cgroup.Start("ip", ["netns", "exec", ns.Name, Binary, .. args]);
}
