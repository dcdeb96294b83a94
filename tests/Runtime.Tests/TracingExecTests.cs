using Ebpf.Maps;
using Ebpf.Programs;
using Ebpf.Runtime.Tests.AttachSupport;
using Ebpf.TestKit;

namespace Ebpf.Runtime.Tests;

/// <summary>A tracepoint/sched/sched_process_exec program sees the exec of a child the test starts.</summary>
[Collection(KernelCollection.Name)]
public sealed class TracingExecTests
{
    [Fact]
    public void Sched_process_exec_sees_the_exec_of_a_started_child()
    {
        Kernel.RequireRoot();
        TraceFs.EnsureMounted();
        using var obj = BpfObject.OpenFile(TestObjects.Compile("tr_exec.bpf.c"));
        obj.Load();
        var pids = new LruHashMap<int, int>(obj.GetMap("tr_exec_pids"));

        int childPid;
        using (var link = obj.GetProgram<TracepointProgram>("tr_sched_process_exec").Attach())
        {
            Assert.True(link.IsKernelLink);
            using var child = HostCommand.Start("/bin/true", []);
            childPid = child.Id;
            child.WaitForExit();
            Assert.Equal(0, child.ExitCode);
        }

        Assert.True(pids.TryLookup(childPid, out var oldPid), $"no exec of pid {childPid} was recorded ({pids.Keys.Count()} others were)");
        Assert.Equal(childPid, oldPid); // a single-threaded exec keeps its pid
        // Detached: a later exec is not recorded.
        using var later = HostCommand.Start("/bin/true", []);
        later.WaitForExit();
        Assert.False(pids.ContainsKey(later.Id), $"pid {later.Id} was recorded after the link was disposed");
    }
}
