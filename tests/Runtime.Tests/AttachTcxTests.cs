using Ebpf.Links;
using Ebpf.Programs;
using Ebpf.Runtime.Tests.AttachSupport;
using Ebpf.TestKit;

namespace Ebpf.Runtime.Tests;

[Collection(KernelCollection.Name)]
public sealed class AttachTcxTests
{
    [Theory]
    [InlineData(TcDirection.Ingress)]
    [InlineData(TcDirection.Egress)]
    public void Tcx_runs_on_the_interface_and_detaches_on_dispose(TcDirection direction)
    {
        Kernel.RequireRoot();
        using var stats = BpfStats.Enable();
        using var hosts = new TwoHosts();
        using var obj = TestObjects.Load("attach_net.bpf.c");
        var prog = obj.GetProgram<TcProgram>("attach_tc_pass");
        var link = hosts.B.Enter(() => prog.AttachTcx(hosts.IfB, direction));
        try
        {
            Assert.True(link.IsKernelLink);
            // bpftool 7.1 predates tcx: it shows the link with its type number and program.
            Assert.Contains($"prog {prog.Id}", HostCommand.Check("bpftool", "link", "show", "id", link.Id.ToString()));
            Assert.Equal(3, hosts.ExchangeFromA(3)); // TCX_NEXT lets every packet through
            Assert.True(prog.RunStatistics.RunCount >= 3, $"tc ran {prog.RunStatistics.RunCount} times for 3 connection attempts");
        }
        finally
        {
            link.Dispose();
        }
        Assert.False(Bpftool.LinkExists(link.Id));
    }
}
