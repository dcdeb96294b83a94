using System.Text.RegularExpressions;
using Ebpf.TestKit;

namespace Ebpf.Examples.Tests.Tcptop;

/// <summary>
/// The live view in a real pseudo-terminal (tmux): `tcptop top` shows the test's process with a non-zero rate while
/// it sends, and Ctrl+C ends it with everything detached.
/// </summary>
[Collection(TcptopCollection.Name)]
public sealed partial class TcptopLiveViewTests
{
    [GeneratedRegex(@"(?<rate>\d+(\.\d+)?) (?<unit>B|KiB|MiB|GiB)")]
    private static partial Regex Amount();

    [Fact]
    public void TopUnderATerminalShowsTheSendingProcessWithANonZeroRate()
    {
        Kernel.RequireRoot();
        var session = "tcptop-live-" + Environment.ProcessId;
        using var senders = new TempCgroup("ttls");
        using var receivers = new TempCgroup("ttlr");
        var comm = TcpPeers.Comm("live");
        var dll = Path.Combine(AppContext.BaseDirectory, "tcptop.dll");
        HostCommand.Check("tmux", "new-session", "-d", "-s", session, "-x", "200", "-y", "50",
            $"exec dotnet {dll} top --interval 1s --cgroup {senders.Path}");
        try
        {
            // the pane runs `dotnet tcptop.dll`: its pid is the app's
            var pid = 0;
            var until = DateTime.UtcNow + TimeSpan.FromSeconds(30);
            while (pid == 0 && DateTime.UtcNow < until)
            {
                int.TryParse(HostCommand.Run("tmux", "display-message", "-p", "-t", session, "#{pane_pid}").StandardOutput.Trim(), out pid);
                Thread.Sleep(100);
            }
            var objects = TcptopKernelObjects.WaitAttached(pid, TimeSpan.FromSeconds(60));

            var (server, port) = TcpPeers.Serve(receivers, null, TcpPeers.Comm("liverx"), "127.0.0.1");
            using (server)
            using (var client = TcpPeers.SendPaced(senders, comm, "127.0.0.1", port, 20_000_000, 100_000, 50))
            {
                string? row = null;
                var screen = "";
                until = DateTime.UtcNow + TimeSpan.FromSeconds(30);
                while (row is null && DateTime.UtcNow < until)
                {
                    Thread.Sleep(500);
                    screen = HostCommand.Check("tmux", "capture-pane", "-p", "-t", session);
                    // the process's row with a first amount (TX/s) that is not zero
                    row = screen.Split('\n').FirstOrDefault(l => l.Contains(comm) && Amount().Match(l) is { Success: true } m && double.Parse(m.Groups["rate"].Value) > 0);
                }
                Assert.True(row is not null, $"the live view never showed {comm} with a non-zero rate; last screen:\n{screen}");
                client.Kill();
            }

            HostCommand.Check("tmux", "send-keys", "-t", session, "C-c");
            var left = objects.WaitGone(TimeSpan.FromSeconds(20));
            Assert.True(left.Count == 0, $"after Ctrl+C still in the kernel: {string.Join(", ", left)}");
        }
        finally
        {
            HostCommand.Run("tmux", "kill-session", "-t", session);
        }
    }
}
