using System.Diagnostics;
using Ebpf.Testing;

namespace EbpfTrace.Tests;

public sealed class ExecTests
{
    // tp_btf and CO-RE need the kernel's BTF (/sys/kernel/btf/vmlinux): without it the test skips and says so.
    [BpfFact(RequiresBtf = true)]
    public async Task An_exec_is_reported_with_its_pid_parent_command_and_path()
    {
        using var skel = ExecSkel.OpenAndLoad();
        using var link = skel.Programs.TraceExec.Attach();
        using var reader = skel.Maps.Events.OpenReader();

        using var child = Process.Start("/bin/true");
        await child.WaitForExitAsync(TestContext.Current.CancellationToken);

        var record = await FirstRecordOf(reader, child.Id);
        Assert.Equal((uint)Environment.ProcessId, record.Ppid);
        Assert.Equal("true", record.Comm);
        Assert.Equal("/bin/true", record.Filename);
        Assert.Equal(0UL, skel.Bss.Dropped);
    }

    // Fixtures: a cgroup made for the test and removed with it; the exec is reported with that cgroup's id.
    [BpfFact(RequiresBtf = true)]
    public async Task An_exec_in_a_cgroup_carries_the_cgroup_id()
    {
        using var cgroup = new TempCgroup("exec");
        using var skel = ExecSkel.OpenAndLoad();
        using var link = skel.Programs.TraceExec.Attach();
        using var reader = skel.Maps.Events.OpenReader();

        using var child = cgroup.Start("/bin/true");   // in the cgroup before it execs
        await child.WaitForExitAsync(TestContext.Current.CancellationToken);

        var record = await FirstRecordOf(reader, child.Id, comm: "true");
        // A cgroup v2 id is the inode number of the cgroup's directory.
        var inode = HostCommand.Check("stat", "-c", "%i", cgroup.Path).Trim();
        Assert.Equal(inode, record.CgroupId.ToString());
    }

    private static async Task<ExecRecord> FirstRecordOf(Ebpf.Events.RingBufReader reader, int pid, string? comm = null)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(10));
        await foreach (var e in reader.ReadAllAsync<ExecSkel.ExecEvent>(timeout.Token))
        {
            var record = ExecRecord.From(e);
            if (record.Pid == pid && (comm is null || record.Comm == comm))
                return record;
        }
        throw new InvalidOperationException("unreachable: ReadAllAsync ends only by cancellation");
    }
}
