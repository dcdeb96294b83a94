using Ebpf.Runtime.Tests.AttachSupport;
using Ebpf.TestKit;

namespace Ebpf.Runtime.Tests;

/// <summary>The TestKit fixtures every kernel test relies on: names, leftovers of dead runs, teardown.</summary>
[Collection(KernelCollection.Name)]
public sealed class AttachFixturesTests
{
    /// <summary>A pid no process has (pids are below pid_max, and this one is checked).</summary>
    private static int DeadPid()
    {
        for (var pid = 0x3ffff0; ; pid--)
            if (!Directory.Exists($"/proc/{pid}"))
                return pid;
    }

    [Fact]
    public void Run_prefix_names_carry_the_pid_and_are_recognised()
    {
        var name = RunPrefix.NewName("x");
        Assert.StartsWith(RunPrefix.Value + "-", name);
        Assert.Equal(Environment.ProcessId, RunPrefix.OwnerPid(name));
        Assert.False(RunPrefix.IsLeftover(name));
        Assert.Null(RunPrefix.OwnerPid("eth0"));
        Assert.Null(RunPrefix.OwnerPid("ebtzz-1"));
        Assert.True(RunPrefix.IsLeftover($"ebt{DeadPid():x}-1"));
    }

    [Fact]
    public void The_sweep_removes_namespaces_and_cgroups_of_dead_runs_only()
    {
        Kernel.RequireRoot();
        var dead = $"ebt{DeadPid():x}-1s";
        var root = TempCgroup.FindCgroup2Root()!;
        HostCommand.Check("ip", "netns", "add", dead);
        Directory.CreateDirectory(Path.Combine(root, dead));
        using var ours = new NetNamespace();
        try
        {
            RunPrefix.SweepLeftovers();
            Assert.False(File.Exists($"/var/run/netns/{dead}"));
            Assert.False(Directory.Exists(Path.Combine(root, dead)));
            Assert.True(File.Exists(ours.NsPath), "the sweep removed a namespace of the live run");
        }
        finally
        {
            HostCommand.Run("ip", "netns", "del", dead);
            if (Directory.Exists(Path.Combine(root, dead)))
                Directory.Delete(Path.Combine(root, dead));
        }
    }

    [Fact]
    public void The_sweep_kills_orphans_that_hold_a_dead_runs_scratch_files_and_removes_the_scratch_folder()
    {
        Kernel.RequireRoot();
        // Like an nginx worker whose master is gone: its command line names no prefix, but its log is in the scratch folder.
        var scratch = Path.Combine(Path.GetTempPath(), $"ebt{DeadPid():x}-1-meshlab");
        Directory.CreateDirectory(scratch);
        using var orphan = HostCommand.Start("sh", ["-c", "exec 3>>\"$0/error.log\"; exec sleep 600", scratch]);
        try
        {
            // Until the shell has exec'd sleep, which keeps fd 3 open.
            for (var i = 0; i < 250 && !File.ReadAllText($"/proc/{orphan.Id}/cmdline").StartsWith("sleep", StringComparison.Ordinal); i++)
                Thread.Sleep(20);
            Assert.Equal("sleep\0600\0", File.ReadAllText($"/proc/{orphan.Id}/cmdline"));
            RunPrefix.SweepLeftovers();
            Assert.True(orphan.WaitForExit(TimeSpan.FromSeconds(10)), "the sweep left the orphan running");
            Assert.False(Directory.Exists(scratch));
        }
        finally
        {
            if (!orphan.HasExited)
                orphan.Kill();
            if (Directory.Exists(scratch))
                Directory.Delete(scratch, recursive: true);
        }
    }

    [Fact]
    public void Fixtures_tear_down_namespaces_veths_and_cgroups_with_their_processes()
    {
        Kernel.RequireRoot();
        string nsName, cgroupPath;
        using (var hosts = new TwoHosts())
        using (var cgroup = new TempCgroup())
        {
            nsName = hosts.A.Name;
            cgroupPath = cgroup.Path;
            Assert.Equal(3, hosts.ExchangeFromA(3));
            var sleeper = cgroup.Start("sleep", "600");
            Assert.Contains(sleeper.Id, WaitForPid(cgroup, sleeper.Id));
        }
        Assert.False(File.Exists($"/var/run/netns/{nsName}"));
        Assert.False(Directory.Exists(cgroupPath));
    }

    private static IReadOnlyList<int> WaitForPid(TempCgroup cgroup, int pid)
    {
        for (var i = 0; i < 100 && !cgroup.Pids().Contains(pid); i++)
            Thread.Sleep(20);
        return cgroup.Pids();
    }
}
