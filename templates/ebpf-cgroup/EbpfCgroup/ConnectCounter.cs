namespace EbpfCgroup;

/// <summary>Loads connects.bpf.c, attaches both programs to a cgroup and prints what they counted until cancelled.</summary>
public static class ConnectCounter
{
    public static async Task RunAsync(string cgroup, TimeSpan interval, TextWriter output, CancellationToken cancel)
    {
        using var skel = ConnectsSkel.OpenAndLoad();
        // BPF links: if this process dies, the kernel detaches the programs itself.
        using var connect4 = skel.Programs.CountConnect4.AttachCgroup(cgroup);
        using var connect6 = skel.Programs.CountConnect6.AttachCgroup(cgroup);
        output.WriteLine($"Counting connects in {cgroup}. Press Ctrl+C to stop.");
        var started = DateTime.UtcNow;
        try
        {
            while (true)
            {
                await Task.Delay(interval > TimeSpan.Zero ? interval : Timeout.InfiniteTimeSpan, cancel);
                ConnectTable.Write(output, $"after {Elapsed(started)}", ConnectCounts.Read(skel));
            }
        }
        catch (OperationCanceledException) when (cancel.IsCancellationRequested)
        {
        }
        ConnectTable.Write(output, $"Totals after {Elapsed(started)}", ConnectCounts.Read(skel));
    }

    private static string Elapsed(DateTime since) => $"{(DateTime.UtcNow - since).TotalSeconds:0.0} s";
}
