using Ebpf.Runtime.Tests.AttachSupport;
using Ebpf.TestKit;

namespace Ebpf.Runtime.Tests;

/// <summary>A program the verifier refuses: the exception names it and carries the whole log, with the C source line.</summary>
[Collection(KernelCollection.Name)]
public sealed class LoaderVerifierTests
{
    [Fact]
    public void Refused_program_carries_the_log_with_the_source_line()
    {
        Kernel.RequireRoot();
        using var obj = BpfObject.OpenFile(TestObjects.Compile("rt_invalid.bpf.c"));
        var e = Assert.Throws<BpfVerifierException>(obj.Load);

        Assert.Equal("xdp_unchecked", e.ProgramName);
        Assert.Equal("BPF_PROG_LOAD", e.Operation);
        Assert.Contains("program 'xdp_unchecked'", e.Message);
        // The verifier's reason and the C line it points at (from the line info the loader passed).
        Assert.Contains("invalid mem access 'map_value_or_null'", e.VerifierLog);
        Assert.Contains("rt_invalid: missing NULL check", e.VerifierLog);
        Assert.Contains("invalid mem access", e.Message);
        Assert.False(obj.IsLoaded);
    }

    [Fact]
    public void Log_larger_than_the_first_buffer_is_kept_whole()
    {
        Kernel.RequireRoot();
        // Level 2 logs every instruction's state; a 4 KiB first buffer must grow until the kernel stops saying ENOSPC.
        using var obj = BpfObject.OpenFile(TestObjects.Compile("rt_loader.bpf.c"),
                                           new BpfObjectOptions { VerifierLogLevel = 2, VerifierLogSize = 4096 });
        obj.Load();
        var log = obj.VerifierLogs["xdp_count"];
        Assert.True(log.Length > 4096, $"log of {log.Length} bytes");
        Assert.Contains("processed", log); // the verifier's summary is the log's last line
    }
}
