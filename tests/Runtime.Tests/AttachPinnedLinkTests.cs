using Ebpf.Links;
using Ebpf.Programs;
using Ebpf.Runtime.Tests.AttachSupport;
using Ebpf.TestKit;

namespace Ebpf.Runtime.Tests;

/// <summary>BpfLink.OpenPinned: a pinned link opened back by path is the same kernel link; other pins are refused clearly.</summary>
[Collection(KernelCollection.Name)]
public sealed class AttachPinnedLinkTests
{
    [Fact]
    public void A_pinned_link_opens_back_with_the_same_id_and_program()
    {
        Kernel.RequireRoot();
        using var bpffs = new BpfFs();
        using var obj = TestObjects.Load("attach_trace.bpf.c");
        var prog = obj.GetProgram<RawTracepointProgram>("attach_raw_tp");
        var pin = Path.Combine(bpffs.Path, "raw_tp_link");
        using (var link = prog.Attach())
        {
            link.Pin(pin);
            try
            {
                using var opened = BpfLink.OpenPinned(pin);
                Assert.NotEqual(0u, opened.Id);
                Assert.Equal(link.Id, opened.Id);
                Assert.Equal(prog.Id, opened.Program.Id);
                Assert.IsType<RawTracepointProgram>(opened.Program);
                Assert.True(opened.IsKernelLink);
            }
            finally
            {
                BpfFileSystem.Unpin(pin);
            }
        }
        Assert.False(File.Exists(pin));
    }

    [Fact]
    public void Opening_a_pinned_program_or_nothing_as_a_link_explains()
    {
        Kernel.RequireRoot();
        using var bpffs = new BpfFs();
        using var obj = TestObjects.Load("attach_trace.bpf.c");
        var prog = obj.GetProgram<RawTracepointProgram>("attach_raw_tp");
        var pin = Path.Combine(bpffs.Path, "a_program");
        prog.Pin(pin);
        try
        {
            var e = Assert.Throws<BpfAttachException>(() => BpfLink.OpenPinned(pin));
            Assert.Contains("it is a pinned program, not a bpf_link", e.Message);
        }
        finally
        {
            BpfFileSystem.Unpin(pin);
        }
        var missing = Assert.Throws<BpfAttachException>(() => BpfLink.OpenPinned(Path.Combine(bpffs.Path, "nothing_here")));
        Assert.Contains("nothing is pinned there", missing.Message);
    }
}
