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
