using System.Diagnostics;
using System.Text.RegularExpressions;
using Ebpf.TestKit;

namespace Ebpf.Examples.Tests.Tcptop;

/// <summary>
/// `tcp_peer nsreuse`: in a PID namespace of its own, a first sender runs and exits; when told to go on, a second
/// sender gets the first one's PID again, through /proc/sys/kernel/ns_last_pid (which acts on the writer's PID
/// namespace, so nothing else on the machine can take the PID in between). The PIDs are the namespace's: in the
/// host's PID namespace, where tcptop counts, the two are different numbers, as for a container restarted in place.
/// </summary>
internal sealed partial class PidNamespaceReuse(Process process) : IDisposable
{
    /// <summary>Starts the two senders in <paramref name="cgroup"/>, sending <paramref name="first"/> and <paramref name="second"/> bytes.</summary>
    public static PidNamespaceReuse Start(TempCgroup cgroup, string comm, string address, int port, long first, long second) =>
        new(cgroup.Start(TcpPeers.Binary, "nsreuse", comm, address, port.ToString(), first.ToString(), second.ToString()));

    /// <summary>One sender: its PID in the test's namespace and in the host's.</summary>
    public sealed record Sender(int NamespacePid, int HostPid);

    [GeneratedRegex(@"^(?<which>first|second) nspid (?<ns>\d+) hostpid (?<host>\d+)$")]
    private static partial Regex PidsLine();

    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    /// <summary>Waits until the first sender has sent and exited.</summary>
    public Sender First() => ReadSender("first");

    /// <summary>Lets the second sender go and waits until it has sent and exited; returns it and all bytes sent.</summary>
    public (Sender Second, long Sent) Second()
    {
        process.StandardInput.WriteLine();
        process.StandardInput.Close();
        var second = ReadSender("second");
        return (second, TcpPeers.Result(process, "sent"));
    }

    private Sender ReadSender(string which)
    {
        var line = ReadLine();
        var m = PidsLine().Match(line ?? "");
        Assert.True(m.Success && m.Groups["which"].Value == which,
            $"tcp_peer nsreuse: expected the {which} sender's PIDs, got '{line}' (exit: {(process.HasExited ? process.ExitCode : "running")}); " +
            (process.HasExited ? process.StandardError.ReadToEnd() : ""));
        var exited = ReadLine();
        Assert.Equal($"{which} exited", exited);
        return new Sender(int.Parse(m.Groups["ns"].Value), int.Parse(m.Groups["host"].Value));
    }

    private string? ReadLine() => process.StandardOutput.ReadLineAsync().WaitAsync(Timeout).GetAwaiter().GetResult();

    public void Dispose() => process.Dispose();
}
